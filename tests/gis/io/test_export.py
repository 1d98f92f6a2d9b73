"""Exports through the privacy gate: every format read back with its own reader, for the
audiences that matter (an outside agency, a negotiator of one tambon, an admin), from a copy of
the Wang Nam Yen demo with two small villages added (2 households: suppressed; none: 0)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import openpyxl  # type: ignore[import-untyped]
import pyogrio
import pytest
from shapely.geometry import MultiPolygon, Point, box

from gis.errors import InputError
from gis.io import export as export_module
from gis.io.export import FIELDS_TABLE, FORMATS, ExportResult, export_layer
from gis.privacy import Audience, Role
from gis.store import Store, open_store
from layers import LAYERS
from tests.gis.store.helpers import validate_gpkg

SMALL, EMPTY = "27040199", "27040198"  # 2 households and 1 plot / nothing
AGENCY = Audience("agency-test", Role.AGENCY_VIEWER, frozenset({"2704"}))
NEGOTIATOR = Audience("negotiator-test", Role.NEGOTIATOR, frozenset({"270405"}))
ADMIN = Audience("admin-test", Role.ADMIN)
SENTINEL_EXTRA = "SENTINEL-EXTRA-7f3a"
FORMULA = '=HYPERLINK("http://example.invalid","เปิด")'
KML = "{http://www.opengis.net/kml/2.2}"
LOCATION_COLUMNS = ("lon", "lat", "wkt")


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory, demo_gpkg: str) -> str:
    """The demo, copied (exports write audit entries), with villages SMALL and EMPTY."""
    path = str(tmp_path_factory.mktemp("export") / "survey.gpkg")
    shutil.copy(demo_gpkg, path)
    store = open_store(path)
    try:
        store.write("villages", gpd.GeoDataFrame(
            {"village_code": [SMALL, EMPTY], "name_th": ["บ้านเล็กทดสอบ", "บ้านว่างทดสอบ"],
             "name_en": ["Ban Lek Test", "Ban Wang Test"], "tambon_code": ["270401"] * 2},
            geometry=[MultiPolygon([box(102.30, 13.60, 102.31, 13.61)]),
                      MultiPolygon([box(102.32, 13.60, 102.33, 13.61)])],
            crs="EPSG:4326"), user="setup")
        store.write("households", gpd.GeoDataFrame(
            {"household_id": [f"{SMALL}-H0001", f"{SMALL}-H0002"], "village_code": [SMALL] * 2,
             "head_name": ["นางทดสอบ หลุดไม่ได้", "นายทดสอบ ลับเฉพาะ"],
             "national_id": ["1101700203451", "3100600123457"],
             "phone": ["0812345678", "0898765432"], "monthly_income": [54321.75, 61234.5],
             "consent": [True, True], "extra": [{"imported_note": SENTINEL_EXTRA}, None]},
            geometry=[Point(102.301, 13.601), Point(102.302, 13.602)],
            crs="EPSG:4326"), user="setup")
        store.write("plots", gpd.GeoDataFrame(
            {"plot_id": [f"{SMALL}-P0001"], "village_code": [SMALL], "notes": [FORMULA]},
            geometry=[box(102.3005, 13.6005, 102.3025, 13.6025)], crs="EPSG:4326"),
            user="setup")
    finally:
        store.close()
    return path


@pytest.fixture
def store(survey: str) -> Iterator[Store]:
    opened = open_store(survey)
    yield opened
    opened.close()


def export(store: Store, tmp_path: Path, layer: str, audience: Audience, fmt: str,
           **kwargs: Any) -> tuple[ExportResult, Path]:
    out = tmp_path / f"{layer}-{audience.role.value}-{uuid.uuid4().hex[:6]}.{fmt}"
    result = export_layer(store, layer=layer, audience=audience, fmt=fmt, out=out,
                          user=f"tester-{audience.username}", **kwargs)
    assert out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    return result, out


# ------------------------------------------------------------------------ reading back
def read_back(path: Path, fmt: str, result: ExportResult) -> tuple[list[str], list[dict[str, Any]]]:
    """Each format through its own reader: the data columns (no place columns) and rows."""
    if fmt == "gpkg":
        frame = pyogrio.read_dataframe(path, layer=result.name)
        columns = [c for c in frame.columns if c != "geometry"]
        return columns, frame[columns].to_dict("records")
    if fmt == "geojson":
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert "crs" not in doc  # RFC 7946
        rows = [f["properties"] for f in doc["features"]]
        return list(rows[0]) if rows else [], rows
    if fmt == "csv":
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
        table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        header = [c for c in table[0] if c not in LOCATION_COLUMNS]
        return header, [dict(zip(table[0], r, strict=True)) for r in table[1:]]
    if fmt == "xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        values = list(book[result.name].iter_rows(values_only=True))
        described = [r[0] for r in list(book["fields"].iter_rows(values_only=True))[1:]]
        book.close()
        header = [c for c in values[0] if c not in LOCATION_COLUMNS]
        assert described == header
        width = len(values[0])  # read-only rows stop at their last value
        return header, [dict(zip(values[0], (*r, *[None] * (width - len(r))), strict=True))
                        for r in values[1:]]
    assert fmt == "kml"
    root = ET.parse(path).getroot()
    columns = [f.get("name") for f in root.iter(f"{KML}SimpleField")]
    rows = [{d.get("name"): d.text for d in p.iter(f"{KML}SimpleData")}
            for p in root.iter(f"{KML}Placemark")]
    return [str(c) for c in columns], rows


def count_of(value: Any) -> int | None:
    if value is None or value == "" or value != value:
        return None
    return int(float(value))


def truthy(value: Any) -> bool:
    return str(value).lower() in ("true", "1", "1.0")


# ------------------------------------------------------------------------ what goes in
@pytest.mark.parametrize("fmt", FORMATS)
def test_an_agency_gets_households_as_counts_per_village(store: Store, tmp_path: Path,
                                                         fmt: str) -> None:
    result, out = export(store, tmp_path, "households", AGENCY, fmt)
    columns, rows = read_back(out, fmt, result)
    assert columns == ["village_code", "name_th", "name_en", "count", "suppressed"]
    assert result.aggregated and result.name == "households_by_village"
    by_code = {str(r["village_code"]): r for r in rows}
    stored = store.read("households")["village_code"].value_counts().to_dict()
    assert set(by_code) == {*stored, EMPTY}
    for code, n in stored.items():
        code = str(code)
        if code != SMALL:
            assert count_of(by_code[code]["count"]) == n and not truthy(by_code[code]["suppressed"])
    # two households: never the number, only that it is small; no households: 0
    assert count_of(by_code[SMALL].get("count")) is None and truthy(by_code[SMALL]["suppressed"])
    assert count_of(by_code[EMPTY]["count"]) == 0 and not truthy(by_code[EMPTY]["suppressed"])
    assert by_code[SMALL]["name_th"] == "บ้านเล็กทดสอบ" and result.suppressed == 1
    assert result.location == {"xlsx": None, "csv": "wkt"}.get(fmt, "geometry")


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_agency_gets_public_layers_feature_by_feature(store: Store, tmp_path: Path,
                                                         fmt: str) -> None:
    for layer in ("tenure_zones", "villages"):
        result, out = export(store, tmp_path, layer, AGENCY, fmt)
        columns, rows = read_back(out, fmt, result)
        public = [f.name for f in LAYERS[layer].fields if f.privacy.value == "public"]
        assert columns == ["uid", "version", *public] and not result.aggregated
        assert len(rows) == store.counts()[layer]
    # plots are internal shapes: counts per village for outsiders too
    result, out = export(store, tmp_path, "plots", AGENCY, fmt)
    columns, rows = read_back(out, fmt, result)
    assert result.aggregated and "plot_id" not in columns and len(rows) == 13
    small = next(r for r in rows if str(r["village_code"]) == SMALL)
    assert count_of(small.get("count")) is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_negotiator_gets_the_rows_of_their_tambon_without_people(store: Store, tmp_path: Path,
                                                                   fmt: str) -> None:
    result, out = export(store, tmp_path, "households", NEGOTIATOR, fmt)
    columns, rows = read_back(out, fmt, result)
    expected = ["uid", "version", "updated_at", "updated_by",
                *(f.name for f in LAYERS["households"].fields
                  if f.privacy.value in ("public", "internal"))]
    assert columns == expected and not result.aggregated
    stored = store.read("households")
    assert len(rows) == stored["village_code"].str.startswith("270405").sum() > 0
    assert all(str(r["village_code"]).startswith("270405") for r in rows)
    assert result.location is None  # a house point of a named family is personal
    if fmt in ("gpkg", "geojson"):
        frame = pyogrio.read_dataframe(out, layer=result.name)
        assert "geometry" not in frame or frame.geometry.isna().all()


@pytest.mark.parametrize("fmt", ["csv", "gpkg"])
def test_an_admin_gets_every_field_and_the_points(store: Store, tmp_path: Path,
                                                  fmt: str) -> None:
    result, out = export(store, tmp_path, "households", ADMIN, fmt)
    columns, rows = read_back(out, fmt, result)
    assert {"head_name", "national_id", "monthly_income"} <= set(columns)
    assert len(rows) == store.counts()["households"]
    assert result.location == ("lon_lat" if fmt == "csv" else "geometry")
    if fmt == "gpkg":
        validate_gpkg(str(out))
        layers = {name for name, _ in pyogrio.list_layers(out)}
        assert layers == {"households", FIELDS_TABLE}


def test_labels_spreadsheet_formulas_and_coordinates(store: Store, tmp_path: Path) -> None:
    result, out = export(store, tmp_path, "households", NEGOTIATOR, "xlsx", lang="en")
    book = openpyxl.load_workbook(out, read_only=True)
    fields = {r[0]: r for r in book["fields"].iter_rows(values_only=True)}
    book.close()
    assert fields["house_condition"][1:3] == ("สภาพบ้าน", "House condition")
    assert "dilapidated = Dilapidated" in fields["house_condition"][5]
    # text that Excel would run as a formula stays text
    result, out = export(store, tmp_path, "plots", Audience("n", Role.NEGOTIATOR,
                                                            frozenset({SMALL})), "xlsx")
    book = openpyxl.load_workbook(out)
    sheet = book[result.name]
    notes = [c for c in sheet[2] if c.value == FORMULA]
    assert notes and notes[0].data_type == "s"
    result, out = export(store, tmp_path, "plots", Audience("n", Role.NEGOTIATOR,
                                                            frozenset({SMALL})), "csv")
    _, rows = read_back(out, "csv", result)
    assert rows[0]["notes"] == "'" + FORMULA
    # RFC 7946 GeoJSON: longitude, latitude in Thailand, no crs member (read_back checks it)
    result, out = export(store, tmp_path, "villages", AGENCY, "geojson")
    doc = json.loads(out.read_text(encoding="utf-8"))
    lon, lat = doc["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 100 < lon < 106 and 5 < lat < 21
    # KML placemarks are named in the chosen language
    result, out = export(store, tmp_path, "households", AGENCY, "kml", lang="en")
    names = {p.findtext(f"{KML}name") for p in ET.parse(out).getroot().iter(f"{KML}Placemark")}
    assert "Ban Lek Test" in names
    validate_gpkg(str(export(store, tmp_path, "households", AGENCY, "gpkg")[1]))


# ------------------------------------------------------------------------------- leaks
def forbidden(store: Store) -> tuple[list[bytes], list[re.Pattern[bytes]]]:
    """What must never reach an outsider: the people's names, ID numbers, phones, incomes (as
    numbers standing alone in the text), the field names, the editors and imported extras."""
    homes = store.read("households")
    texts = {str(v) for column in ("head_name", "national_id", "phone", "surveyor")
             for v in homes[column].dropna()}
    texts |= {"head_name", "national_id", "phone", "monthly_income", "updated_by",
              "landmap-demo", SENTINEL_EXTRA}
    numbers = []
    for value in homes["monthly_income"].dropna().unique():
        text = format(float(value), ".10g")
        tail = rb"(?:\.0+)?" if "." not in text else rb"0*"
        numbers.append(re.compile(rb"(?<![^\s,:;>\"'(\[])" + re.escape(text.encode()) + tail
                                  + rb"(?![^\s,;<\"')\]])"))
    return sorted(t.encode() for t in texts), numbers


def boilerplate() -> set[tuple[str, bytes]]:
    """The members of an empty workbook (openpyxl's theme is full of numbers like 15000)."""
    blank = io.BytesIO()
    book = openpyxl.Workbook(write_only=True)
    book.create_sheet("x")
    book.save(blank)
    with zipfile.ZipFile(blank) as z:
        return {(name, z.read(name)) for name in z.namelist()}


def raw_bytes(path: Path) -> bytes:
    """A file's bytes, and for zips (XLSX, KMZ) the bytes of every member that is not the
    same in an empty workbook."""
    data = path.read_bytes()
    if zipfile.is_zipfile(path):
        skip = boilerplate()
        with zipfile.ZipFile(path) as z:
            data += b"".join(z.read(name) for name in z.namelist()
                             if (name, z.read(name)) not in skip)
    return data


def leaks(data: bytes, texts: list[bytes], numbers: list[re.Pattern[bytes]]) -> list[bytes]:
    return [t for t in texts if t in data] + [p.pattern for p in numbers if p.search(data)]


def test_nothing_personal_leaves_for_an_agency_in_any_layer_or_format(store: Store,
                                                                      tmp_path: Path) -> None:
    texts, numbers = forbidden(store)
    assert len(texts) > 2000 and len(numbers) > 200
    for layer in LAYERS:
        for fmt in FORMATS:
            _, out = export(store, tmp_path, layer, AGENCY, fmt)
            found = leaks(raw_bytes(out), texts, numbers)
            assert not found, f"{layer}.{fmt} leaks {found[:5]}"
    # the search finds what is there: the admin's file has all of it
    _, out = export(store, tmp_path, "households", ADMIN, "xlsx")
    assert len(leaks(raw_bytes(out), texts, numbers)) > 0.9 * (len(texts) + len(numbers))


def test_a_broken_gate_is_refused_not_written(store: Store, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """If the privacy gate ever let internal columns through, nothing is written."""
    def unredacted(store: Store, layer: str, audience: Audience, **kwargs: Any) -> Any:
        return store.read(layer)

    monkeypatch.setattr(export_module, "read_visible", unredacted)
    out = tmp_path / "villages.csv"
    with pytest.raises(RuntimeError, match="non-public"):
        export_layer(store, layer="villages", audience=AGENCY, fmt="csv", out=out, user="x")
    assert list(tmp_path.iterdir()) == []
    assert store.read_audit(username="x") == []


# ------------------------------------------------------------------------ audit, errors
def test_every_export_is_audited(store: Store, tmp_path: Path) -> None:
    result, out = export(store, tmp_path, "households", AGENCY, "csv")
    event = store.read_audit(username=f"tester-{AGENCY.username}", action="export", limit=1)[0]
    assert event["subject"] == "households"
    detail = event["detail"]
    assert {k: detail[k] for k in ("layer", "format", "rows", "role", "aggregated",
                                   "suppressed", "file", "audience")} == {
        "layer": "households", "format": "csv", "rows": result.rows, "role": "agency_viewer",
        "aggregated": True, "suppressed": 1, "file": out.name, "audience": "agency-test"}
    assert detail["areas"] == ["2704"] and detail["fields"] == list(result.fields)
    assert result.as_json()["rows"] == result.rows


@pytest.mark.parametrize(("change", "message"), [
    ({"layer": "parcels"}, "no layer named 'parcels'"),
    ({"fmt": "shp"}, "unknown format 'shp'"),
    ({"lang": "fr"}, "unknown language 'fr'"),
    ({"out": "missing/x.csv"}, "the folder does not exist"),
    ({"out": "taken.csv"}, "the file already exists"),
    ({"out": "."}, "the output is a folder"),
])
def test_bad_requests_are_bilingual_errors_and_write_nothing(
        store: Store, tmp_path: Path, change: dict[str, str], message: str) -> None:
    (tmp_path / "taken.csv").write_text("keep me", encoding="utf-8")
    args: dict[str, Any] = {"layer": "plots", "audience": AGENCY, "fmt": "csv",
                            "out": "new.csv", "user": "bad-request", **change}
    args["out"] = tmp_path / args["out"]
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        export_layer(store, **args)
    assert caught.value.message_th and caught.value.message_th != caught.value.message_en
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.csv"]
    assert (tmp_path / "taken.csv").read_text(encoding="utf-8") == "keep me"
    assert store.read_audit(username="bad-request") == []
