"""KoboToolbox and ODK Central exports with repeat groups and reviewed submissions, rebuilt in
``tmp_path`` as the servers write them: Kobo's XLSX (main sheet, one sheet per repeat group tied
by ``_index``/``_parent_index``, a nested repeat, a repeat with its own geopoint) and ODK
Central's "All data" zip (``Form.csv``, ``Form-repeat.csv`` tied by ``KEY``/``PARENT_KEY``,
``media/``). Repeat rows without a location land in their submission's ``extra``; rejected
submissions are left out, and every other row keeps its number in the file."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
from openpyxl import Workbook  # type: ignore[import-untyped]  # ships no stubs
from shapely.geometry import Point

from gis.io.check import CheckReport, check
from gis.io.importer import plan_import
from gis.io.model import Issue, ReadResult, Severity
from gis.io.read import read_bytes
from gis.io.sniff import sniff

# The form's name is longer than the 31 characters Excel allows a sheet: Kobo cuts the sheet
# title, and the repeat sheets still name the whole form in ``_parent_table_name``.
FORM = "แบบสำรวจครัวเรือนชุมชนริมคลองบ้านมั่นคง 2567"
MAIN_SHEET = FORM[:31]
NOT_APPROVED = json.dumps({"uid": "validation_status_not_approved", "label": "Not Approved",
                           "by_whom": "somying", "timestamp": 1732000000, "color": "#ff0000"})
# household_id, head of household, (lat, lon) or None, validation status as Kobo writes it.
HOUSES: list[tuple[str, str, tuple[float, float] | None, str]] = [
    ("H-001", "นางสาวสมศรี ใจดี", (13.5201, 102.1672), "validation_status_approved"),
    ("H-002", "นายสมชาย มั่นคง", (13.5210, 102.1680), NOT_APPROVED),
    ("H-003", "นางมาลี ศรีสุข", (13.5190, 102.1660), ""),
    ("H-004", "นายดำ ดีเสมอ", (13.5195, 102.1665), "Not Approved"),
    ("H-005", "นางแดง ขยัน", None, "validation_status_on_hold"),  # no GPS fix
]
# The household_members repeat: (parent _index, name, age, relation); the third has no parent.
MEMBERS = [(1, "สมศรี", 52, "หัวหน้า"), (1, "สมหมาย", 17, "ลูก"), (9, "ไม่ทราบ", 30, ""),
           (2, "สมชาย", 60, "หัวหน้า"), (3, "มาลี", 45, "หัวหน้า"), (3, "มานะ", 80, "พ่อ"),
           (3, "มานี", 3, "หลาน"), (4, "ดำ", 38, "หัวหน้า")]
# A repeat inside household_members: (parent member _index, illness).
ILLNESSES = [(2, "หอบหืด"), (6, "เบาหวาน"), (6, "ความดัน"), (4, "ไต")]


def kobo_workbook(*, plots: bool = False, members_sheet: str = "household_members") -> bytes:
    """A Kobo XLSX export (XML headers) of ``HOUSES`` with the household_members repeat and its
    nested chronic_illness repeat; with ``plots``, also a plots repeat holding a geopoint."""
    book = Workbook()
    main = book.active
    assert main is not None
    main.title = MAIN_SHEET
    main.append(["household_id", "village_code", "head_name", "consent", "location",
                 "_location_latitude", "_location_longitude", "_location_altitude",
                 "_location_precision", "_id", "_uuid", "_submission_time",
                 "_validation_status", "_status", "_index"])
    for n, (house, head, position, status) in enumerate(HOUSES, start=1):
        lat, lon = position or (None, None)
        main.append([house, "27040103", head, "yes",
                     f"{lat} {lon} 10.0 4.5" if position else None, lat, lon,
                     10.0 if position else None, 4.5 if position else None, 30451200 + n,
                     f"uuid-{n}", f"2026-11-2{n}T09:15:00", status or None,
                     "submitted_via_web", n])
    members = book.create_sheet(members_sheet)
    members.append(["member_name", "age", "relation", "_index", "_parent_table_name",
                    "_parent_index", "_submission__id", "_submission__uuid",
                    "_submission__validation_status"])
    for n, (parent, name, age, relation) in enumerate(MEMBERS, start=1):
        status = HOUSES[parent - 1][3] if parent <= len(HOUSES) else ""
        members.append([name, age, relation or None, n, FORM, parent, 30451200 + parent,
                        f"uuid-{parent}", status or None])
    illness = book.create_sheet("chronic_illness")
    illness.append(["illness", "_index", "_parent_table_name", "_parent_index"])
    for n, (parent, name) in enumerate(ILLNESSES, start=1):
        illness.append([name, n, members_sheet, parent])
    if plots:
        sheet = book.create_sheet("plots")
        sheet.append(["plot_no", "plot_gps", "_plot_gps_latitude", "_plot_gps_longitude",
                      "_index", "_parent_table_name", "_parent_index"])
        for n, (parent, lat, lon) in enumerate([(1, 13.5203, 102.1675), (2, 13.5212, 102.1683),
                                                (3, 13.5188, 102.1657), (7, 13.5180, 102.1650)],
                                               start=1):
            sheet.append([f"P-{n}", f"{lat} {lon} 5 3", lat, lon, n, FORM, parent])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def codes(found: list[Issue], code: str) -> list[Issue]:
    return [i for i in found if i.code == code]


def checked(data: bytes, filename: str) -> tuple[ReadResult, CheckReport]:
    result = read_bytes(data, filename)
    return result, check(result, kind="households")


def test_kobo_repeat_sheets_join_their_submissions() -> None:
    result, report = checked(kobo_workbook(), "kobo.xlsx")
    (layer,) = result.layers  # both repeat sheets joined: no layer without geometry is left
    assert layer.sheet == MAIN_SHEET and result.format == "xlsx"
    joined = {j["group"]: j for j in layer.meta["joined_repeats"]}
    assert set(joined) == {"household_members"}  # the nested repeat went into the members
    assert joined["household_members"] == {
        "group": "household_members", "layer": "household_members",
        "sheet": "household_members", "rows": 5, "orphans": 1, "left_out": 2,
        "columns": ["household_members", "household_members_count"]}
    members = layer.frame["household_members"].tolist()
    assert members[0] == [
        {"member_name": "สมศรี", "age": "52", "relation": "หัวหน้า", "chronic_illness_count": 0},
        {"member_name": "สมหมาย", "age": "17", "relation": "ลูก", "chronic_illness_count": 1,
         "chronic_illness": [{"illness": "หอบหืด"}]}]
    assert [m["member_name"] for m in members[2]] == ["มาลี", "มานะ", "มานี"]
    assert members[2][1]["chronic_illness"] == [{"illness": "เบาหวาน"}, {"illness": "ความดัน"}]
    assert layer.frame["household_members_count"].tolist() == [2, None, 3, None, 0]
    assert members[4] is None  # H-005 has no members

    # Said about the file, naming the sheet and its row: row 3 of household_members is not
    # row 3 of the households.
    assert not codes(layer.issues, "repeat_orphan")
    (orphan,) = codes(result.issues, "repeat_orphan")
    assert (orphan.severity, orphan.layer, orphan.sheet, orphan.row) == (
        Severity.WARNING, "household_members", "household_members", 3)
    assert "_parent_index 9" in orphan.message_en and "household_members" in orphan.message_th
    (told,) = [i for i in codes(layer.issues, "repeat_joined") if i.sheet == "household_members"]
    assert told.severity == Severity.INFO and told.layer == MAIN_SHEET
    assert told.message_en.startswith("joined 5 rows of repeat group household_members into")
    assert told.message_th.startswith("รวม 5 แถวของกลุ่มคำถามซ้ำ household_members")
    assert "left out 2 rows of rejected submissions" in told.message_en
    assert report.features == 2  # H-001 and H-003: two rejected, one without a GPS fix


def test_rejected_kobo_submissions_are_left_out_with_one_note() -> None:
    result, report = checked(kobo_workbook(), "kobo.xlsx")
    (layer,) = result.layers
    (note,) = codes(layer.issues, "rejected_left_out")
    assert note.severity == Severity.INFO and note.row is None and note.sheet == MAIN_SHEET
    assert note.message_en == "left out 2 submissions rejected in KoboToolbox (rows 2, 4)"
    assert note.message_th == "ไม่นำเข้า 2 แบบสำรวจที่ถูกปฏิเสธใน KoboToolbox (แถว 2, 4)"
    assert layer.meta["left_out_rows"] == [2, 4]
    # The rows stay where they are, so that H-005 is still row 5 of the sheet.
    assert len(layer.frame) == 5 and layer.geometry is not None
    assert [g is None for g in layer.geometry] == [False, True, False, True, True]
    assert [i.row for i in codes(report.issues, "bad_coordinates")] == [5]
    rejected = layer.frame.iloc[1].dropna().to_dict()
    assert rejected == {"_id": "30451202", "_uuid": "uuid-2", "_index": "2",
                        "_submission_time": "2026-11-22T09:15:00",
                        "_validation_status": NOT_APPROVED}
    assert not [i for i in report.issues if i.row in (2, 4) and i.sheet == MAIN_SHEET]
    plan = plan_import(report, "households")
    assert plan.frame["household_id"].tolist() == ["H-001", "H-003"] and plan.error_rows == 0


def test_repeat_rows_land_in_extra_of_their_household() -> None:
    _, report = checked(kobo_workbook(), "kobo.xlsx")
    plan = plan_import(report, "households")
    assert "household_members" in plan.mappings[MAIN_SHEET].extra
    extra = dict(zip(plan.frame["household_id"], plan.frame["extra"], strict=True))
    assert extra["H-001"]["household_members_count"] == 2
    assert extra["H-001"]["household_members"][1] == {
        "member_name": "สมหมาย", "age": "17", "relation": "ลูก", "chronic_illness_count": 1,
        "chronic_illness": [{"illness": "หอบหืด"}]}
    assert not {k for m in extra["H-003"]["household_members"] for k in m if k.startswith("_")}
    assert "import_flags" not in extra["H-003"]  # the orphan on row 3 of members is not H-003's
    assert not {"_location_latitude", "location"} & set(extra["H-003"])  # still not in extra


def test_a_repeat_with_its_own_geopoint_stays_a_layer() -> None:
    result, report = checked(kobo_workbook(plots=True), "kobo.xlsx")
    main, plots = result.layers
    assert (main.sheet, plots.sheet) == (MAIN_SHEET, "plots")
    assert plots.meta["repeat_of"] == {"layer": MAIN_SHEET, "sheet": MAIN_SHEET,
                                       "group": "plots", "reference": "_parent_index",
                                       "key": "_index"}
    # Each plot keeps its reference to the household, and gains the submission's uuid.
    assert plots.frame["_parent_index"].tolist() == ["1", "2", "3", "7"]
    assert plots.frame["_submission__uuid"].tolist() == ["uuid-1", None, "uuid-3", None]
    assert plots.geometry is not None and [g is None for g in plots.geometry] == [
        False, True, False, False]
    (note,) = codes(plots.issues, "rejected_left_out")
    assert note.message_en == "left out 1 row of submissions rejected in KoboToolbox (row 2)"
    (orphan,) = codes(plots.issues, "repeat_orphan")
    assert (orphan.layer, orphan.sheet, orphan.row) == ("plots", "plots", 4)
    # The plot without a household is a warning, not dropped: it has a place of its own.
    layers = {layer.raw.name: layer for layer in report.layers}
    assert layers["plots"].keep.tolist() == [True, False, True, True]
    assert layers[MAIN_SHEET].features == 2


def odk_zip(tmp_path: Path, *, shapefile: bool = False) -> bytes:
    """ODK Central's "All data" export of the same survey: the submissions, the person repeat,
    a photo under media/ — and with ``shapefile`` a zipped shapefile beside them."""
    states = ["", "rejected", "hasIssues", "edited", "approved"]
    main = [["SubmissionDate", "household_id", "village_code", "head_name", "consent",
             "location-Latitude", "location-Longitude", "location-Altitude",
             "location-Accuracy", "meta-instanceID", "KEY", "SET-OF-person", "SubmitterName",
             "ReviewState"]]
    for n, (house, head, position, _) in enumerate(HOUSES, start=1):
        lat, lon = position or ("", "")
        main.append([f"2026-11-2{n}T09:15:00.000Z", house, "27040103", head, "yes", lat, lon,
                     "10", "4.5", f"uuid:h{n}", f"uuid:h{n}", f"uuid:h{n}/person", "somying",
                     states[n - 1]])
    people = [["member_name", "age", "relation", "PARENT_KEY", "KEY"]]
    for n, (parent, name, age, relation) in enumerate(MEMBERS, start=1):
        people.append([name, str(age), relation, f"uuid:h{parent}",
                       f"uuid:h{parent}/person[{n}]"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{FORM}.csv", as_csv(main))
        archive.writestr(f"{FORM}-person.csv", as_csv(people))
        archive.writestr(f"media/{FORM}-photo-1.jpg", b"\xff\xd8\xff\xe0 not a real photo")
        if shapefile:
            frame = gpd.GeoDataFrame({"ชื่อ": ["ศาลาชุมชน"]}, geometry=[Point(102.1670, 13.5200)],
                                     crs=4326).to_crs(32647)
            frame.to_file(tmp_path / "landmarks.shp", encoding="cp874")
            for ext in ("shp", "shx", "dbf", "prj"):
                archive.write(tmp_path / f"landmarks.{ext}", f"landmarks.{ext}")
    return buffer.getvalue()


def as_csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # Central writes a BOM


def test_odk_central_zip_is_read_as_one_export(tmp_path: Path) -> None:
    data = odk_zip(tmp_path)
    assert sniff(data, "export.zip") == "zip-csv"
    result, report = checked(data, "export.zip")
    (layer,) = result.layers
    assert result.format == "zip-csv" and (layer.name, layer.sheet) == (FORM, f"{FORM}.csv")
    assert layer.encoding == "utf-8-sig"
    assert layer.frame["person_count"].tolist() == [2, None, 3, 1, 0]
    assert layer.frame["person"].iloc[3] == [
        {"member_name": "ดำ", "age": "38", "relation": "หัวหน้า"}]
    (note,) = codes(layer.issues, "rejected_left_out")
    assert note.message_en == "left out 1 submission rejected in ODK Central (row 2)"
    assert "ODK Central" in note.message_th and "(แถว 2)" in note.message_th
    (orphan,) = codes(result.issues, "repeat_orphan")
    assert (orphan.layer, orphan.sheet, orphan.row) == (f"{FORM}-person", f"{FORM}-person.csv", 3)
    assert "PARENT_KEY uuid:h9" in orphan.message_en
    assert layer.meta["joined_repeats"][0]["left_out"] == 1  # สมชาย, of the rejected H-002
    assert report.features == 3  # H-001, H-003 (hasIssues) and H-004 (edited)
    plan = plan_import(report, "households")
    extra = dict(zip(plan.frame["household_id"], plan.frame["extra"], strict=True))
    assert set(extra) == {"H-001", "H-003", "H-004"}
    assert [m["member_name"] for m in extra["H-003"]["person"]] == ["มาลี", "มานะ", "มานี"]
    assert extra["H-003"]["ReviewState"] == "hasIssues"


def test_a_zip_with_shapefiles_and_csvs_reads_both(tmp_path: Path) -> None:
    data = odk_zip(tmp_path, shapefile=True)
    assert sniff(data, "export.zip") == "zip-mixed"
    result = read_bytes(data, "export.zip")
    assert result.format == "zip-mixed"
    assert [layer.name for layer in result.layers] == ["landmarks", FORM]
    landmarks = result.layers[0]
    assert landmarks.frame["ชื่อ"].tolist() == ["ศาลาชุมชน"] and landmarks.crs_epsg == 32647
    assert check(result).features == 4


def test_a_damaged_zip_of_csvs_is_an_issue_not_an_exception(tmp_path: Path) -> None:
    data = odk_zip(tmp_path)  # stored, not compressed: the CSV text is in the zip as it is
    damaged = data.replace(b"somying", b"somyinG", 1)  # the entry's CRC no longer matches
    assert damaged != data and sniff(damaged, "export.zip") == "zip-csv"
    result = read_bytes(damaged, "export.zip")
    assert result.layers == [] and [i.code for i in result.issues] == ["bad_zip"]
    assert "CRC" in result.issues[0].message_en


def test_a_repeat_named_like_a_field_goes_to_extra_not_into_the_field() -> None:
    # "members" is a synonym of the households field `members` (a whole number): the joined
    # list of member rows must not be read as that number.
    _, report = checked(kobo_workbook(members_sheet="members"), "kobo.xlsx")
    plan = plan_import(report, "households")
    assert not [i for i in plan.issues if i.severity is Severity.ERROR and i.field == "members"]
    mapping = next(iter(plan.mappings.values()))
    assert "members" not in mapping.columns and "members" in mapping.extra
    first = plan.frame.iloc[0]
    assert [m["member_name"] for m in first["extra"]["members"]] == ["สมศรี", "สมหมาย"]
