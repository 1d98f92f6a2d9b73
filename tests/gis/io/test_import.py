"""`landmap import` / `undo-import`: fields mapped from Thai headers, values to codes, one batch
that can be undone, and nothing written when a file is rejected or has errors not skipped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gis.cli import main
from gis.io.fieldmap import match_columns, value_for
from gis.store import open_store
from layers import LAYERS

HEADER = "รหัสบ้าน;รหัสหมู่บ้าน;ชื่อ-สกุล;ยินยอมให้ใช้ข้อมูล;สภาพบ้าน;จำนวนคน;วันที่สำรวจ;ละติจูด;ลองจิจูด;หมายเหตุทีม"
ROWS = [
    "H-001;27040103;นางสาวสมศรี ใจดี;ใช่;ทรุดโทรมมาก;๔;1 พ.ค. 67;13.5201;102.1672;บ้านริมคลอง",
    "H-002;27040103;นายสมชาย มั่นคง;ใช่;พอใช้;3;2567-05-02;13.5210;102.1680;",
    "H-003;27040103;นางมาลี ศรีสุข;ใช่;poor;5;2024-05-03;13.5190;102.1660;หลังวัด",
]
BAD = "H-004;27040103;นายดำ ดี;ใช่;สวยมาก;2;2024-05-03;13.5195;102.1665;"


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode("cp874"))
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main([*args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


@pytest.fixture
def store_path(tmp_path: Path) -> str:
    path = tmp_path / "store.gpkg"
    open_store(str(path), create=True).close()
    return str(path)


def count(store_path: str) -> int:
    store = open_store(store_path, create=False)
    try:
        return store.counts()["households"]
    finally:
        store.close()


def test_headers_and_values_map_to_declared_fields() -> None:
    spec = LAYERS["households"]
    mapping = match_columns(spec, HEADER.split(";"))
    assert mapping.columns["household_id"] == "รหัสบ้าน"
    assert mapping.columns["head_name"] == "ชื่อ-สกุล"
    assert mapping.columns["house_condition"] == "สภาพบ้าน"
    assert "หมายเหตุทีม" in mapping.extra
    assert value_for(spec.field("house_condition"), "ทรุดโทรมมาก") == "dilapidated"
    assert value_for(spec.field("members"), "๔") == 4
    assert value_for(spec.field("consent"), "ไม่ใช่") is False
    with pytest.raises(ValueError):
        value_for(spec.field("house_condition"), "สวยมาก")


def test_import_writes_one_batch_that_undo_removes(
    tmp_path: Path, store_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "survey.csv", ROWS)
    code, result = run(capsys, "import", str(path), "--layer", "households", "--store",
                       store_path)
    assert code == 0, result
    assert result["imported"] == 3 and result["held_back"] == 0
    store = open_store(store_path, create=False)
    try:
        homes = store.read("households").sort_values("household_id")
    finally:
        store.close()
    assert homes["head_name"].tolist()[0] == "นางสาวสมศรี ใจดี"
    assert homes["house_condition"].tolist() == ["dilapidated", "fair", "poor"]
    assert homes["members"].tolist() == [4, 3, 5]
    assert str(homes["survey_date"].iloc[0]) == "2024-05-01"
    assert homes["extra"].iloc[0] == {"หมายเหตุทีม": "บ้านริมคลอง"}

    code, undone = run(capsys, "undo-import", result["batch"], "--store", store_path)
    assert code == 0 and undone["undone"] == 3
    assert count(store_path) == 0
    store = open_store(store_path, create=False)
    try:  # both audited, each in the transaction of its own change
        (imported,) = store.read_audit(action="import")
        (taken_back,) = store.read_audit(action="undo_import")
    finally:
        store.close()
    assert imported["subject"] == taken_back["subject"] == result["batch"]
    assert imported["detail"]["imported"] == 3
    assert taken_back["detail"]["change_set"] == undone["change_sets"][0]


def test_rows_with_errors_block_the_import_unless_skipped(
    tmp_path: Path, store_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "survey.csv", [*ROWS, BAD])
    code, result = run(capsys, "import", str(path), "--layer", "households", "--store",
                       store_path)
    assert code == 2 and result["error"]["message_th"] and result["error"]["message_en"]
    assert count(store_path) == 0  # nothing half-written

    code, result = run(capsys, "import", str(path), "--layer", "households", "--store",
                       store_path, "--skip-errors")
    assert code == 0 and result["imported"] == 3 and result["held_back"] == 1
    bad = [i for i in result["issues"] if i["code"] == "not_in_vocabulary"]
    assert [(i["row"], i["field"]) for i in bad] == [(4, "สภาพบ้าน")]
    assert count(store_path) == 3


def test_rejected_file_leaves_the_store_unchanged(
    tmp_path: Path, store_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.kml"
    path.write_text("<kml><Placemark><Point><coordinates>100.5,13", encoding="utf-8")
    code, result = run(capsys, "import", str(path), "--layer", "households", "--store",
                       store_path)
    assert code == 2 and "error" in result
    assert count(store_path) == 0


def test_dbf_names_cut_at_ten_bytes_still_map() -> None:
    """Shapefiles keep 10 bytes of a field name: cp874 "รหัสหมู่บ้าน" arrives as "รหัสหมู่บ้"."""
    cut = [name.encode("cp874")[:10].decode("cp874", errors="ignore")
           for name in ("รหัสหมู่บ้าน", "ยินยอมให้ใช้ข้อมูล", "ชื่อ-สกุล", "รหัสบ้าน")]
    assert cut[0] == "รหัสหมู่บ้"
    mapping = match_columns(LAYERS["households"], cut)
    assert mapping.columns["village_code"] == cut[0]
    assert mapping.columns["consent"] == cut[1]
    assert mapping.columns["household_id"] == "รหัสบ้าน" and not mapping.unmatched_required


def test_a_surveyor_cannot_import_into_someone_elses_village(tmp_path: Path) -> None:
    from gis.errors import InputError
    from gis.io.check import check
    from gis.io.importer import import_report, plan_import
    from gis.io.read import read_path
    from gis.privacy import Audience, Role

    path = write_csv(tmp_path / "survey.csv", ROWS)  # village 27040103
    store = open_store(str(tmp_path / "s.gpkg"), create=True)
    try:
        report = check(read_path(path), kind="households")
        other = Audience("som", Role.SURVEYOR, frozenset({"27040105"}))
        with pytest.raises(InputError):
            import_report(store, report, "households", user="som", audience=other)
        assert store.counts()["households"] == 0
        mine = Audience("som", Role.SURVEYOR, frozenset({"27040103"}))
        outcome, _ = import_report(store, report, "households", user="som", audience=mine)
        assert outcome.imported == 3
        plan = plan_import(report, "households", store=store, audience=other)
        assert [(i.row, i.field) for i in plan.issues if i.code == "outside_your_areas"] == [
            (1, "village_code"), (2, "village_code"), (3, "village_code")]
    finally:
        store.close()


def test_the_users_choices_change_mapping_values_and_flagged_rows(tmp_path: Path) -> None:
    from gis.io.check import check
    from gis.io.importer import FLAGS_KEY, Choices, import_report, plan_import
    from gis.io.read import read_path

    path = write_csv(tmp_path / "survey.csv", [*ROWS, BAD])  # BAD: "สวยมาก" is no condition
    report = check(read_path(path), kind="households")
    layer = report.layers[0].raw.name
    plan = plan_import(report, "households")
    assert plan.error_rows == 1 and len(plan.frame) == 3
    assert [(i.code, i.row) for i in plan.issues if i.code == "not_in_vocabulary"] == [
        ("not_in_vocabulary", 4)]

    chosen = Choices(
        columns={layer: {"members": None, "priority_note": "หมายเหตุทีม"}},
        values={"house_condition": {"สวยมาก": "good"}})
    plan = plan_import(report, "households", choices=chosen)
    assert plan.error_rows == 0 and len(plan.frame) == 4
    assert plan.frame["house_condition"].tolist()[-1] == "good"
    assert "members" not in plan.frame.columns  # left empty on purpose …
    assert plan.frame["extra"].iloc[0]["จำนวนคน"] == "4"  # … so the column went to extra
    assert plan.frame["priority_note"].tolist()[0] == "บ้านริมคลอง"

    from gis.errors import InputError
    with pytest.raises(InputError):  # a code the vocabulary does not have
        plan_import(report, "households", choices=Choices(values={"house_condition": {"x": "?"}}))
    with pytest.raises(InputError):  # a column the file does not have
        plan_import(report, "households", choices=Choices(columns={layer: {"phone": "nope"}}))

    # Flagged rows: a stored village makes row 3 an "outside village" warning.
    store = open_store(str(tmp_path / "s.gpkg"), create=True)
    try:
        import geopandas as gpd
        from shapely.geometry import box
        store.write("villages", gpd.GeoDataFrame(
            {"village_code": ["27040103"], "name_th": ["บ้านทดสอบ"], "tambon_code": ["270401"]},
            geometry=[box(102.1665, 13.5195, 102.1685, 13.5215)], crs=4326), user="t")
        plan = plan_import(report, "households", store=store, choices=chosen)
        outside = sorted(i.row for i in plan.issues if i.code == "outside_village")
        assert outside == [3]  # 13.5190, 102.1660 lies outside the box (and its slack)
        assert plan.flagged_rows == 1
        assert plan.frame["extra"].iloc[2][FLAGS_KEY] == ["outside_village"]
        held = plan_import(report, "households", store=store,
                           choices=Choices(chosen.columns, chosen.values, flagged="hold"))
        assert held.error_rows == 1 and len(held.frame) == 3
        outcome, _ = import_report(store, report, "households", user="som", choices=chosen)
        assert outcome.imported == 4
        (entry,) = store.read_audit(action="import")
        assert entry["subject"] == outcome.batch and entry["detail"]["flagged"] == 1
    finally:
        store.close()
