"""``landmap overlay`` on the demo store and on a small hand-made one: the JSON contract, the
agency audience, the readable table and bilingual errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest

from gis.area import parse_rai_ngan_wa
from gis.cli import main
from gis.store import open_store
from layers.vocab import AGENCY
from tests.gis.test_overlay import site

CONTRACT = ["agency", "households", "plots", "area_m2", "area_rai_ngan_wa",
            "vulnerable_households", "insecure_tenure_households"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def overlay_json(capsys: pytest.CaptureFixture[str], store: str, *argv: str
                 ) -> list[dict[str, Any]]:
    code, out, err = run(capsys, "overlay", "--store", store, *argv, "--json")
    assert code == 0, err
    records: list[dict[str, Any]] = json.loads(out)
    return records


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("overlay") / "small.gpkg"
    store = open_store(path, create=True)
    try:
        for name, frame in site().items():
            store.write(name, frame, user="test")
    finally:
        store.close()
    return str(path)


@pytest.mark.parametrize(("by", "extra"), [("agency", []), ("zone", ["zone"]),
                                           ("village", ["zone", "village"])])
def test_json_contract(capsys: pytest.CaptureFixture[str], demo_gpkg: str, by: str,
                       extra: list[str]) -> None:
    records = overlay_json(capsys, demo_gpkg, "--by", by)
    assert records
    for rec in records:
        assert list(rec)[:len(CONTRACT) + len(extra)] == \
            ["agency", *extra, *CONTRACT[1:]]
        assert ("zone" in rec) == (by != "agency") and ("village" in rec) == (by == "village")
        assert rec["agency"] is None or rec["agency"] in AGENCY.codes()
        assert rec["state_land"] == (rec["agency"] is not None)
        assert abs(parse_rai_ngan_wa(rec["area_rai_ngan_wa"]) - rec["area_m2"]) <= 2.0 + 0.01
        assert all(isinstance(rec[k], int) for k in CONTRACT[1:3] + CONTRACT[5:])
    assert sum(not r["state_land"] for r in records) == (11 if by == "village" else 1)


def test_numbers_are_those_of_a_plain_sjoin(capsys: pytest.CaptureFixture[str],
                                            demo_gpkg: str) -> None:
    store = open_store(demo_gpkg, create=False)
    try:
        homes, zones = store.read("households"), store.read("tenure_zones")
    finally:
        store.close()
    hits = gpd.sjoin(homes, zones, predicate="within").reset_index()
    per_agency = hits.drop_duplicates(["index", "agency"]).groupby("agency").size()
    records = overlay_json(capsys, demo_gpkg)
    got = {r["agency"]: r["households"] for r in records}
    assert got == {**per_agency.to_dict(), None: len(homes) - hits["index"].nunique()}
    labels = {r["agency"]: (r["agency_th"], r["agency_en"]) for r in records}
    assert labels["alro"] == (AGENCY.label("alro", "th"), AGENCY.label("alro", "en"))


def test_agency_audience_on_the_demo_changes_nothing_above_three(
        capsys: pytest.CaptureFixture[str], demo_gpkg: str) -> None:
    inside = overlay_json(capsys, demo_gpkg, "--by", "zone")
    outside = overlay_json(capsys, demo_gpkg, "--by", "zone", "--audience", "agency")
    assert [r["zone"] for r in inside] == [r["zone"] for r in outside]
    for mine, theirs in zip(inside, outside, strict=True):
        for key in ("households", "plots", "vulnerable_households"):
            assert theirs[key] == (None if 0 < mine[key] < 3 else mine[key])


def test_agency_audience_hides_small_counts(capsys: pytest.CaptureFixture[str],
                                            small: str) -> None:
    internal = {r["zone"]: r for r in overlay_json(capsys, small, "--by", "zone")}
    agency = {r["zone"]: r for r in overlay_json(capsys, small, "--by", "zone",
                                                 "--audience", "agency")}
    assert internal["TZ-C"]["households"] == 1 and internal["TZ-C"]["area_m2"] > 0
    assert agency["TZ-C"]["households"] is None and agency["TZ-C"]["plots"] is None
    assert agency["TZ-C"]["area_m2"] is None and agency["TZ-C"]["area_rai_ngan_wa"] is None
    assert agency["TZ-A"]["households"] == 3 and agency["TZ-A"]["vulnerable_households"] is None
    assert agency[None]["households"] is None and agency[None]["plots"] == 3
    for rec in agency.values():
        assert not any(isinstance(v, int) and not isinstance(v, bool) and 0 < v < 3
                       for v in rec.values()), rec


def test_agency_and_area_filters(capsys: pytest.CaptureFixture[str], demo_gpkg: str) -> None:
    alro = overlay_json(capsys, demo_gpkg, "--by", "zone", "--agency", "alro")
    assert {r["zone"] for r in alro} == {"TZ-ALRO-01", "TZ-ALRO-02"}
    tambon = overlay_json(capsys, demo_gpkg, "--area", "270406", "--lang", "en")
    assert [r["agency"] for r in tambon] == ["royal_forest_dept", "public_land", None]
    assert tambon[0]["households_in_overlaps"] > 0  # the public land drawn across the forest
    assert tambon[-1]["label"] == "not on state land"
    village = overlay_json(capsys, demo_gpkg, "--by", "village", "--area", "27040605")
    assert {r["village"] for r in village} == {"27040605"}
    assert village[0]["village_name_th"]


def test_readable_table(capsys: pytest.CaptureFixture[str], small: str) -> None:
    code, out, _ = run(capsys, "overlay", "--store", small, "--by", "zone", "--audience",
                       "agency")
    assert code == 0
    lines = out.splitlines()
    assert "households and plots on state land" in lines[0] and "ครัวเรือน" in lines[0]
    assert "ครัวเรือน / households" in lines[2] and "ไร่-งาน-วา / rai-ngan-wa" in lines[2]
    assert any(line.startswith("ไม่อยู่ในที่ดินของรัฐ") for line in lines)
    assert "< 3" in out and "counts below 3 are not shown" in out
    code, out, _ = run(capsys, "overlay", "--store", small, "--lang", "en")
    assert code == 0 and "Royal Forest Department" in out and "not on state land" in out


@pytest.mark.parametrize(("args", "th", "en"), [
    (["--agency", "forest"], "ไม่รู้จักหน่วยงาน 'forest'", "unknown agency 'forest'"),
    (["--area", "99"], "ไม่พบพื้นที่รหัส '99'", "no area has the code '99'"),
])
def test_bad_values_are_bilingual(capsys: pytest.CaptureFixture[str], demo_gpkg: str,
                                  args: list[str], th: str, en: str) -> None:
    code, out, err = run(capsys, "overlay", "--store", demo_gpkg, *args, "--json")
    assert code == 2
    assert th in err and en in err and "Traceback" not in err
    assert json.loads(out)["error"]["message_en"].find(en) >= 0


def test_bad_options_and_missing_store(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["overlay", "--store", str(tmp_path / "x.gpkg"), "--by", "tambon"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "ข้อผิดพลาด" in err and "invalid choice: 'tambon'" in err
    code, _, err = run(capsys, "overlay", "--store", str(tmp_path / "none.gpkg"))
    assert code == 2 and "ข้อผิดพลาด" in err and "error:" in err and "Traceback" not in err
    assert not (tmp_path / "none.gpkg").exists()
