"""`landmap xlsform`: a KoboToolbox / ODK form made from the layer declarations, that pyxform
converts cleanly, and whose exports (Kobo CSV/XLSX, ODK Central CSV) import back with every
question mapped to its field, values as the field's type, and the server's meta columns kept in
``extra``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pyxform.xls2xform import convert  # type: ignore[import-untyped]  # ships no stubs

from gis.cli import main
from gis.io.check import check
from gis.io.fieldmap import value_for
from gis.io.importer import ImportPlan, plan_import
from gis.io.read import read_bytes
from gis.io.xlsform import (
    FORM_LAYERS,
    YES_NO_CHOICES,
    asked_fields,
    build_xlsform,
    write_xlsform,
)
from layers import LAYERS
from layers.schema import DType, PrivacyClass

HOUSEHOLDS = LAYERS["households"]
TH, EN = "label::Thai (th)", "label::English (en)"

# Three submissions as a surveyor would enter them; select_one values are choice names (codes).
ANSWERS: list[dict[str, str]] = [
    {"household_id": "H-001", "house_no": "12/3", "plot_id": "P-017",
     "village_code": "27040103", "head_name": "นางสาวสมศรี ใจดี",
     "national_id": "1103700012345", "phone": "0812345678", "members": "4", "elderly": "1",
     "disabled": "0", "bedridden": "0", "children": "1", "monthly_income": "8500.5",
     "dwelling_status": "own_house", "house_condition": "dilapidated", "needs_repair": "yes",
     "priority_flag": "no", "priority_note": "หลังคารั่ว น้ำท่วมขังหน้าฝน", "consent": "yes",
     "survey_date": "2026-11-20", "surveyor": "สมหญิง รักถิ่น"},
    {"household_id": "H-002", "house_no": "45", "plot_id": "", "village_code": "27040103",
     "head_name": "นายสมชาย มั่นคง", "national_id": "", "phone": "", "members": "3",
     "elderly": "0", "disabled": "1", "bedridden": "0", "children": "0",
     "monthly_income": "12000", "dwelling_status": "rented", "house_condition": "fair",
     "needs_repair": "no", "priority_flag": "yes", "priority_note": "", "consent": "yes",
     "survey_date": "2026-11-21", "surveyor": "สมหญิง รักถิ่น"},
    {"household_id": "H-003", "house_no": "7", "plot_id": "P-019", "village_code": "27040103",
     "head_name": "นางมาลี ศรีสุข", "national_id": "3270400123456", "phone": "0891112222",
     "members": "5", "elderly": "2", "disabled": "0", "bedridden": "1", "children": "2",
     "monthly_income": "6000", "dwelling_status": "living_with_others",
     "house_condition": "poor", "needs_repair": "yes", "priority_flag": "yes",
     "priority_note": "ผู้ป่วยติดเตียง", "consent": "yes", "survey_date": "2026-11-21",
     "surveyor": "วิชัย ใจกล้า"},
]
# (latitude, longitude, altitude, accuracy) of each house, as the phone recorded them.
POSITIONS = [(13.5201, 102.1672, 12.3, 4.5), (13.5210, 102.1680, 10.0, 3.9),
             (13.5190, 102.1660, 11.0, 5.0)]


def kobo_rows() -> list[dict[str, Any]]:
    """A KoboToolbox export with XML values and headers: the question names, the geopoint as
    ``location`` plus its ``_location_*`` parts, then Kobo's meta columns."""
    rows = []
    for n, (answers, (lat, lon, alt, acc)) in enumerate(zip(ANSWERS, POSITIONS, strict=True), 1):
        rows.append({
            **answers, "location": f"{lat} {lon} {alt} {acc}", "_location_latitude": lat,
            "_location_longitude": lon, "_location_altitude": alt, "_location_precision": acc,
            "_id": 30451200 + n, "_uuid": f"5c1d0b6e-7f7a-4a41-9f1e-00000000000{n}",
            "_submission_time": f"2026-11-2{n}T09:15:3{n}", "_validation_status": "",
            "_notes": "", "_status": "submitted_via_web", "_submitted_by": "somying",
            "__version__": "vPz7ybH6EDX2nWq3MfPcVu", "_tags": "", "_index": n,
        })
    return rows


def central_rows() -> list[dict[str, Any]]:
    """An ODK Central CSV export: the geopoint split into ``location-Latitude`` … and Central's
    own meta columns."""
    rows = []
    for n, (answers, (lat, lon, alt, acc)) in enumerate(zip(ANSWERS, POSITIONS, strict=True), 1):
        rows.append({
            "SubmissionDate": f"2026-11-2{n}T09:15:3{n}.412Z", **answers,
            "location-Latitude": lat, "location-Longitude": lon, "location-Altitude": alt,
            "location-Accuracy": acc, "meta-instanceID": f"uuid:6f0e-{n}", "KEY": f"uuid:6f0e-{n}",
            "SubmitterID": "7", "SubmitterName": "somying", "AttachmentsPresent": "0",
            "AttachmentsExpected": "0", "Status": "", "ReviewState": "", "DeviceID": "",
            "Edits": "0", "FormVersion": "20261123",
        })
    return rows


def as_csv(rows: list[dict[str, Any]], delimiter: str) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(rows: list[dict[str, Any]]) -> bytes:
    """As Kobo writes XLSX: numbers as numbers (integer and decimal questions, coordinates)."""
    from openpyxl import Workbook  # type: ignore[import-untyped]  # ships no stubs

    numeric = {f.name for f in asked_fields(HOUSEHOLDS) if f.dtype in (DType.INT, DType.FLOAT)}
    book = Workbook()
    sheet = book.active
    sheet.title = "แบบสำรวจครัวเรือน"
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append([float(v) if k in numeric and v else (v if v != "" else None)
                      for k, v in row.items()])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EXPORTS = {
    "kobo-csv-semicolon": ("kobo.csv", lambda: as_csv(kobo_rows(), ";")),
    "kobo-csv-comma": ("kobo.csv", lambda: as_csv(kobo_rows(), ",")),
    "kobo-xlsx": ("kobo.xlsx", lambda: as_xlsx(kobo_rows())),
    "odk-central-csv": ("central.csv", lambda: as_csv(central_rows(), ",")),
}
META = {"kobo": ("_id", "_uuid", "_submission_time", "_index", "_status", "_submitted_by",
                 "__version__"),
        "central": ("SubmissionDate", "meta-instanceID", "KEY", "SubmitterName", "FormVersion")}


def planned(data: bytes, filename: str) -> ImportPlan:
    report = check(read_bytes(data, filename), kind="households")
    return plan_import(report, "households")


# --- the form ---------------------------------------------------------------------------------


@pytest.mark.parametrize("layer", FORM_LAYERS)
def test_pyxform_converts_the_form_without_warnings(layer: str, tmp_path: Path) -> None:
    path = tmp_path / f"{layer}.xlsx"
    write_xlsform(LAYERS[layer], path, version="20261123")
    warnings: list[str] = []
    result = convert(xlsform=str(path), warnings=warnings)
    assert warnings == [] and result.warnings == []
    assert 'id="landmap_' + layer + '"' in result.xform
    assert 'version="20261123"' in result.xform
    for f in asked_fields(LAYERS[layer]):
        assert f'nodeset="/data/{f.name}"' in result.xform
    geometry = "location" if layer == "households" else "boundary"
    assert f'nodeset="/data/{geometry}" type="geo' in result.xform


def test_one_question_per_typed_field_then_the_location() -> None:
    sheets = build_xlsform(HOUSEHOLDS, version="1")
    survey = {row["name"]: row for row in sheets["survey"]}
    assert list(survey) == [*(f.name for f in asked_fields(HOUSEHOLDS)), "location"]
    assert not {"uid", "version", "priority_score", "extra"} & set(survey)
    assert survey["members"]["type"] == "integer"
    assert survey["monthly_income"]["type"] == "decimal"
    assert survey["survey_date"]["type"] == "date"
    assert survey["head_name"]["type"] == "text"
    assert survey["house_condition"]["type"] == "select_one house_condition"
    assert survey["consent"]["type"] == "select_one yes_no"
    assert survey["location"]["type"] == "geopoint"
    assert survey["head_name"][TH] == "ชื่อหัวหน้าครัวเรือน"
    assert survey["head_name"][EN] == "Head of household"
    required = {name for name, row in survey.items() if row.get("required") == "yes"}
    assert required == {*HOUSEHOLDS.required_fields, "location"}


def test_personal_and_sensitive_questions_say_so_in_both_languages() -> None:
    survey = {row["name"]: row for row in build_xlsform(HOUSEHOLDS, version="1")["survey"]}
    for f in asked_fields(HOUSEHOLDS):
        hinted = "hint::Thai (th)" in survey[f.name]
        assert hinted == (f.privacy.rank >= PrivacyClass.PERSONAL.rank), f.name
        if hinted:
            assert survey[f.name]["hint::English (en)"]
    assert "อ่อนไหว" in survey["national_id"]["hint::Thai (th)"]
    assert "hint::Thai (th)" in survey["location"]  # an exact house point is personal


def test_choice_names_import_back_as_codes_and_booleans() -> None:
    choices = build_xlsform(HOUSEHOLDS, version="1")["choices"]
    by_list: dict[str, list[dict[str, str]]] = {}
    for row in choices:
        by_list.setdefault(row["list_name"], []).append(row)
    assert set(by_list) == {"dwelling_status", "house_condition", "yes_no"}
    condition = HOUSEHOLDS.field("house_condition")
    assert condition.vocabulary is not None
    assert [r["name"] for r in by_list["house_condition"]] == list(condition.vocabulary.codes())
    for row in by_list["house_condition"]:
        assert value_for(condition, row["name"]) == row["name"]
        assert value_for(condition, row[TH]) == row["name"]  # a labels export imports too
    consent = HOUSEHOLDS.field("consent")
    assert [(r["name"], r[TH], r[EN]) for r in by_list["yes_no"]] == list(YES_NO_CHOICES)
    assert value_for(consent, "yes") is True and value_for(consent, "no") is False
    assert value_for(consent, "ใช่") is True and value_for(consent, "ไม่ใช่") is False


def test_settings_name_the_form_and_default_to_thai() -> None:
    (settings,) = build_xlsform(LAYERS["plots"])["settings"]
    assert settings["form_id"] == "landmap_plots"
    assert settings["default_language"] == "Thai (th)"
    assert "แปลงที่ดิน" in settings["form_title"] and "Land plots" in settings["form_title"]
    assert settings["version"] == dt.date.today().strftime("%Y%m%d")
    survey = build_xlsform(LAYERS["plots"])["survey"]
    assert survey[-1]["type"] == "geoshape" and survey[-1]["name"] == "boundary"
    assert "measured_area_m2" not in {r["name"] for r in survey}  # derived


def test_cli_writes_the_form(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "FORM.xlsx"
    assert main(["xlsform", "--layer", "households", "--out", str(out), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload == {"out": str(out), "layer": "households",
                       "questions": len(asked_fields(HOUSEHOLDS)) + 1, "choices": 11}
    assert convert(xlsform=str(out)).warnings == []


def test_cli_refuses_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["xlsform", "--layer", "villages", "--out", str(tmp_path / "no" / "F.xlsx")])
    assert code != 0
    assert "no folder" in capsys.readouterr().err


# --- the export imports back ------------------------------------------------------------------


@pytest.mark.parametrize("export", EXPORTS)
def test_export_is_three_households_for_landmap_check(
        export: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    filename, build = EXPORTS[export]
    path = tmp_path / filename
    path.write_bytes(build())
    code = main(["check", str(path), "--layer", "households", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    assert payload["outcome"] == "import", payload["issues"]
    assert [layer["features"] for layer in payload["layers"]] == [3]


@pytest.mark.parametrize("export", EXPORTS)
def test_every_question_maps_to_its_field(export: str) -> None:
    filename, build = EXPORTS[export]
    plan = planned(build(), filename)
    (mapping,) = plan.mappings.values()
    asked = [f.name for f in asked_fields(HOUSEHOLDS)]
    assert dict(mapping.columns) == {name: name for name in asked}
    assert mapping.unmatched_required == ()
    assert [i for i in plan.issues if i.severity.value in ("error", "warning")] == []
    assert plan.error_rows == 0 and len(plan.frame) == 3


@pytest.mark.parametrize("export", EXPORTS)
def test_values_arrive_as_the_fields_types(export: str) -> None:
    filename, build = EXPORTS[export]
    frame = planned(build(), filename).frame
    first, second, third = frame.to_dict("records")
    assert first["head_name"] == "นางสาวสมศรี ใจดี"
    assert first["phone"] == "0812345678"  # text: the leading zero stays
    assert first["national_id"] == "1103700012345"
    assert pd.isna(second["national_id"])  # left blank: missing, not ""
    assert first["house_no"] == "12/3"
    assert (first["members"], third["bedridden"]) == (4, 1)
    assert isinstance(first["members"], int)
    assert first["monthly_income"] == pytest.approx(8500.5)
    assert (first["house_condition"], third["dwelling_status"]) == ("dilapidated",
                                                                    "living_with_others")
    assert (first["needs_repair"], first["priority_flag"], second["priority_flag"]) == (
        True, False, True)
    assert all(row["consent"] is True for row in (first, second, third))
    assert first["survey_date"] == dt.date(2026, 11, 20)
    assert (first["geometry"].y, first["geometry"].x) == pytest.approx((13.5201, 102.1672))


@pytest.mark.parametrize("export", EXPORTS)
def test_server_meta_columns_are_kept_in_extra(export: str) -> None:
    filename, build = EXPORTS[export]
    plan = planned(build(), filename)
    (mapping,) = plan.mappings.values()
    meta = META[export.split("-")[0].replace("odk", "central")]
    assert set(meta) <= set(mapping.extra)
    extra = plan.frame["extra"].iloc[0]
    assert {k for k in meta if k in extra} == set(meta)
    assert str(extra[meta[0]]).startswith(("30451201", "2026-11-21T09:15:31"))


def test_a_poor_gps_fix_is_a_warning() -> None:
    rows = kobo_rows()
    rows[1]["_location_precision"] = 80.0
    rows[1]["location"] = "13.521 102.168 10.0 80.0"
    plan = planned(as_csv(rows, ";"), "kobo.csv")
    low = [i for i in plan.issues if i.code == "low_accuracy"]
    assert [i.row for i in low] == [2]
    assert len(plan.frame) == 3  # a warning, not an error


def test_plots_export_with_a_geoshape_imports() -> None:
    ring = ";".join(f"{lat} {lon} 0 0" for lat, lon in ((13.5201, 102.1672), (13.5205, 102.1672),
                                                         (13.5205, 102.1678), (13.5201, 102.1672)))
    rows = [{"plot_id": "P-017", "village_code": "27040103", "land_document": "nor_sor_3k",
             "document_number": "1234", "land_owner": "treasury",
             "occupant_tenure": "collective_lease", "official_area": "0-1-50", "notes": "",
             "boundary": ring, "_id": 1, "_uuid": "u-1", "_index": 1}]
    report = check(read_bytes(as_csv(rows, ";"), "plots.csv"), kind="plots")
    assert report.features == 1
    shape = report.layers[0].geometries[0]
    assert shape.geom_type == "Polygon" and shape.bounds == pytest.approx(
        (102.1672, 13.5201, 102.1678, 13.5205))


def test_the_exact_position_is_not_copied_into_extra() -> None:
    """The geopoint's other columns (the exact house position, personal) stay out of the
    internal `extra`."""
    plan = planned(as_csv(kobo_rows(), ";"), "kobo.csv")
    (mapping,) = plan.mappings.values()
    assert not {"location", "_location_altitude", "_location_precision"} & set(mapping.extra)
