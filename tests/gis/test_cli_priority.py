"""``landmap priority`` on the Wang Nam Yen demo: the JSON contract, the rules in force and the
planners' marks, a bilingual table, and bilingual refusals of bad arguments without a
traceback."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from gis.cli import _Parser, main
from gis.cli_priority import add_priority_commands
from gis.priority import Rules, mark_priority, save_rules
from gis.privacy import Audience, Role
from gis.store import open_store

VILLAGE = "27040103"
CONTRACT = {"household_uid", "score", "reasons", "priority_flag"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The command through its own parser (as ``landmap`` registers it)."""
    parser = _Parser(prog="landmap")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    add_priority_commands(sub)
    args: argparse.Namespace = parser.parse_args(["priority", *argv])
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


def records(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, Any]]:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    items: list[dict[str, Any]] = json.loads(out)
    return items


@pytest.fixture
def demo_copy(demo_gpkg: str, tmp_path: Path) -> str:
    copy = tmp_path / "demo.gpkg"
    shutil.copyfile(demo_gpkg, copy)
    return str(copy)


def test_json_is_the_contract_highest_score_first(demo_gpkg: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    items = records(capsys, "--store", demo_gpkg)
    store = open_store(demo_gpkg, create=False)
    try:
        assert len(items) == store.counts()["households"]
    finally:
        store.close()
    for item in items:
        assert set(item) >= CONTRACT
        assert isinstance(item["score"], float) and isinstance(item["priority_flag"], bool)
        assert item["score"] == sum(r["points"] for r in item["reasons"])
        assert item["suggested"] == (item["score"] >= Rules().suggest_at)
        for reason in item["reasons"]:
            assert set(reason) == {"factor", "points", "reason_th", "reason_en"}
            assert reason["points"] > 0 and reason["reason_th"] and reason["reason_en"]
    order = [(-i["score"], i["household_id"]) for i in items]
    assert order == sorted(order)
    assert [i["rank"] for i in items] == list(range(1, len(items) + 1))
    assert items[0]["score"] > items[-1]["score"]
    assert any(r["factor"] == "insecure_tenure" and "ที่ดิน:" in r["reason_th"]
               for i in items for r in i["reasons"])  # plots joined, not only dwellings
    village = records(capsys, "--store", demo_gpkg, "--village", VILLAGE)
    assert {i["village_code"] for i in village} == {VILLAGE}
    assert [i["household_uid"] for i in village] == \
        [i["household_uid"] for i in items if i["village_code"] == VILLAGE]


def test_the_newest_rules_and_the_planners_marks_are_what_it_shows(
        demo_copy: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = {i["household_uid"]: i for i in records(capsys, "--store", demo_copy,
                                                     "--village", VILLAGE)}
    last = list(before.values())[-1]
    store = open_store(demo_copy, create=False)
    try:
        save_rules(store, Rules(suggest_at=1.0, elderly_points=10.0), user="plan_a",
                   expected_version=0, note="ทดลอง")
        mark_priority(store, uid=last["household_uid"], flag=True, note="เครือข่ายเลือก",
                      user=Audience("plan_a", Role.PLANNER, frozenset({VILLAGE})), version=1)
    finally:
        store.close()
    after = {i["household_uid"]: i for i in records(capsys, "--store", demo_copy,
                                                    "--village", VILLAGE)}
    assert after[last["household_uid"]]["priority_flag"] is True
    assert sum(i["priority_flag"] for i in after.values()) == 1
    elderly = [u for u, i in before.items() if any(r["factor"] == "elderly"
                                                   for r in i["reasons"])]
    assert elderly and all(after[u]["score"] == before[u]["score"] + 8.0 for u in elderly)
    assert all(i["suggested"] == (i["score"] >= 1.0) for i in after.values())
    code, out, _ = run(capsys, "--store", demo_copy, "--village", VILLAGE)
    assert code == 0
    assert "rules version 1" in out and "เกณฑ์ฉบับที่ 1" in out
    assert "1 marked" in out and "ผู้วางแผนจัดให้เร่งด่วน 1" in out


def test_the_table_is_bilingual_and_readable(demo_gpkg: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--store", demo_gpkg, "--village", VILLAGE)
    assert code == 0 and not err
    lines = out.splitlines()
    assert lines[0] == "ครัวเรือนเรียงตามคะแนนความจำเป็น / households by priority score"
    assert "default rules (none saved)" in lines[1] and "suggested from a score of 7" in lines[1]
    assert "คะแนน / score" in lines[2]
    top = records(capsys, "--store", demo_gpkg, "--village", VILLAGE)[0]
    assert top["household_id"] in lines[4]
    assert lines[5].strip().startswith(top["reasons"][0]["reason_th"])
    assert lines[6].strip().startswith(top["reasons"][0]["reason_en"])
    assert lines[-1].endswith("suggested, 0 marked")


def test_it_is_a_landmap_command(demo_gpkg: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["priority", "--store", demo_gpkg, "--village", VILLAGE, "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert items and set(items[0]) >= CONTRACT


@pytest.mark.parametrize(("argv", "th", "en"), [
    (["--village", "99999999"], "ไม่พบหมู่บ้าน/ชุมชนรหัส 99999999", "no village with code 99999999"),
    (["--store", "{missing}"], "ไม่พบไฟล์", "no GeoPackage at"),
    (["--store", "{not_gpkg}"], "ไม่ใช่ไฟล์ GeoPackage", "is not a GeoPackage"),
])
def test_bad_arguments_are_refused_in_thai_and_english(
        argv: list[str], th: str, en: str, demo_gpkg: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    not_gpkg = tmp_path / "notes.gpkg"
    not_gpkg.write_text("ไม่ใช่ฐานข้อมูล\n", encoding="utf-8")
    values = [a.format(missing=tmp_path / "none.gpkg", not_gpkg=not_gpkg) for a in argv]
    if "--store" not in values:
        values = ["--store", demo_gpkg, *values]
    code, out, err = run(capsys, *values, "--json")
    assert code == 2
    assert th in err and en in err and "Traceback" not in err
    payload = json.loads(out)["error"]
    assert th in payload["message_th"] and en in payload["message_en"]


def test_no_store_and_a_bad_option_are_usage_errors(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("LANDMAP_STORE", raising=False)
    code, _, err = run(capsys)
    assert code == 2 and "ไม่ได้ระบุที่เก็บข้อมูล" in err and "no store given" in err
    with pytest.raises(SystemExit) as caught:
        main(["priority", "--villages", VILLAGE])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "ข้อผิดพลาด" in err and "error:" in err and "Traceback" not in err
