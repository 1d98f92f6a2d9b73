"""``landmap rollup`` / ``repair`` / ``budget-status`` as real commands: the JSON contract of the
roll-up, bilingual refusals without tracebacks, and a repair taken past a cap only with the
warning acknowledged."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from gis.store import open_store

LANDMAP = shutil.which("landmap", path=os.path.dirname(sys.executable))
assert LANDMAP, "the landmap console script is not installed in this environment"
STATUSES = ["proposed", "approved", "in_progress", "done", "verified"]


def landmap(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LANDMAP_STORE"}
    return subprocess.run([LANDMAP, *args], capture_output=True, text=True, check=False,
                          env=env, timeout=600)


def test_rollup_json_is_the_contract(demo_gpkg: str) -> None:
    proc = landmap("rollup", "--store", demo_gpkg, "--month", "2026-06", "--level", "tambon",
                   "--code", "2704", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert {r["code"] for r in rows if r["kind"] == "area"} == {
        "270401", "270403", "270405", "270406"}
    for r in rows:
        assert {"code", "name_th", "name_en", "households_surveyed", "priority_households",
                "repairs", "budget"} <= set(r)
        assert list(r["repairs"]) == STATUSES
        assert all(isinstance(n, int) for n in r["repairs"].values())
        assert set(r["budget"]) == {"allocated", "transferred", "committed", "spent"}
        assert all(isinstance(v, float) for v in r["budget"].values())
        assert isinstance(r["households_surveyed"], int) and isinstance(r["name_th"], str)
        assert set(r["change"]) >= {"households_surveyed", "repairs", "budget"}
    amphoe = json.loads(landmap("rollup", "--store", demo_gpkg, "--month", "2026-06",
                                "--level", "amphoe", "--json").stdout)
    total = amphoe[0]
    assert sum(r["households_surveyed"] for r in rows) == total["households_surveyed"]
    for status in STATUSES:
        assert sum(r["repairs"][status] for r in rows) == total["repairs"][status]
    for money in total["budget"]:
        assert sum(r["budget"][money] for r in rows) == pytest.approx(total["budget"][money])


def test_rollup_for_an_agency_writes_a_workbook(demo_gpkg: str, tmp_path: Path) -> None:
    out = tmp_path / "rollup.xlsx"
    proc = landmap("rollup", "--store", demo_gpkg, "--month", "2569-03", "--level",
                   "village", "--audience", "agency", "--xlsx", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    counts = [r["households_surveyed"] for r in rows] + [
        n for r in rows for n in r["repairs"].values()]
    assert None in counts and not any(n in (1, 2) for n in counts)
    assert rows[0]["month"] == "2026-03"
    assert "มีนาคม 2569" in load_workbook(out).active["A1"].value


@pytest.mark.parametrize(("args", "words"), [
    (["--month", "2026-13", "--level", "tambon"], "month"),
    (["--month", "2026-06", "--level", "district"], "unknown level"),
    (["--month", "2026-06", "--level", "tambon", "--code", "9999"], "no area with code"),
    (["--month", "2026-06", "--level", "amphoe", "--code", "270405"], "holds no amphoe"),
    (["--month", "2026-06", "--level", "tambon", "--audience", "press"], "unknown audience"),
])
def test_bad_rollup_arguments_are_refused_in_both_languages(demo_gpkg: str, args: list[str],
                                                            words: str) -> None:
    proc = landmap("rollup", "--store", demo_gpkg, *args, "--json")
    assert proc.returncode == 2
    error = json.loads(proc.stdout)["error"]
    assert words in error["message_en"] and error["message_th"]
    assert "ข้อผิดพลาด" in proc.stderr and "Traceback" not in proc.stderr


def test_a_repair_passes_a_cap_only_when_acknowledged(demo_gpkg: str, tmp_path: Path) -> None:
    store = str(tmp_path / "demo.gpkg")
    shutil.copy(demo_gpkg, store)
    opened = open_store(store, create=False)
    try:
        home = opened.read("households", where={"village_code": "27040110"})["uid"].iloc[0]
    finally:
        opened.close()
    created = landmap("repair", "create", "--store", store, "--household", home, "--items",
                      "เปลี่ยนหลังคา", "--estimate", "24,000", "--programme", "baan_por_piang",
                      "--budget", "BPP-2569-2704", "--today", "2026-07-01", "--json")
    assert created.returncode == 0, created.stderr
    repair = json.loads(created.stdout)
    assert repair["status"] == "proposed" and repair["village_code"] == "27040110"
    rid = repair["repair_id"]

    approve = ["repair", "approve", rid, "--store", store, "--amount", "24000",
               "--decision", "มติ 6/2569", "--today", "2026-07-10", "--user", "planner1"]
    refused = landmap(*approve, "--json")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    codes = sorted(w["code"] for w in json.loads(refused.stdout)["error"]["warnings"])
    assert "cap_per_house_exceeded" in codes
    caps = json.loads(landmap("repair", "caps", rid, "--store", store, "--amount", "24000",
                              "--json").stdout)
    assert sorted(w["code"] for w in caps["warnings"]) == codes

    acks = [arg for code in codes for arg in ("--acknowledge", code)]
    done = landmap(*approve, *acks, "--expected-version", "1", "--json")
    assert done.returncode == 0, done.stderr
    approved = json.loads(done.stdout)
    assert approved["status"] == "approved" and approved["version"] == 2
    assert approved["approved_on"] == "2026-07-10" and approved["updated_by"] == "planner1"
    assert all(code in approved["committee_decision"] for code in codes)
    skipped = landmap("repair", "verify", rid, "--store", store, "--inspection", "ok",
                      "--json")
    assert skipped.returncode == 2
    assert "'approved'; it cannot go to 'verified'" in json.loads(skipped.stdout)[
        "error"]["message_en"]

    status = json.loads(landmap("budget-status", "--store", store, "--budget",
                                "BPP-2569-2704", "--json").stdout)
    assert status[0]["repairs"]["approved"] >= 1 and status[0]["committed"] > 0
