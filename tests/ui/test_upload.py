"""The upload page run with Streamlit's AppTest against a copy of the demo store, files uploaded
through its file uploader: a CRS chosen layer by layer, the field mapping and unknown values
chosen in widgets, rows with warnings held back, make_valid repairs, a picked issue zooming the
preview map, and files read and checked once however often the page reruns."""

from __future__ import annotations

import datetime as dt
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from google.protobuf.json_format import MessageToDict
from shapely.geometry import Polygon, box
from streamlit.testing.v1 import AppTest

import ui.upload
from gis import accounts
from gis.io.check import check
from gis.io.importer import FLAGS_KEY, Choices
from gis.io.read import read_bytes
from gis.store import open_store
from ui import resources
from ui.upload_choices import md_escape, unknown_values
from ui.upload_preview import PICKED

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
ADMIN = "upload.admin"
PASSWORD = "upload-test-pass-1"
VILLAGE = "27040105"  # Lang Wat: the demo village the rows below lie in
LON, LAT = 102.1806, 13.5199  # inside its outline

CSV = "\n".join([
    "เลขครัวเรือน,village_id,หัวหน้าครัวเรือน,name,ความยินยอม,สภาพบ้าน,lat,lon,accuracy",
    f"T-1,{VILLAGE},สมศรี ใจงาม,ผู้สำรวจ ก,ใช่,ดี คงทนถาวร,{LAT},{LON},5",
    f"T-2,{VILLAGE},บุญส่ง แก้วใส,ผู้สำรวจ ก,ใช่,โทรมนิดหน่อย,{LAT + 0.0002},{LON + 0.0002},6",
    f"T-3,{VILLAGE},จันทร์เพ็ญ ดีงาม,ผู้สำรวจ ข,ใช่,โทรมนิดหน่อย,{LAT + 0.0003},{LON},120",
    f"T-4,{VILLAGE},ทองดี มีสุข,ผู้สำรวจ ข,ใช่,บ้านใหม่,{LAT + 0.0004},{LON + 0.0001},8",
]).encode()


@pytest.fixture
def store_path(demo_gpkg: str, tmp_path: Path) -> Iterator[str]:
    """A copy of the demo with an admin who chose their password, for one test: the app's
    settings (cached once per process, store location included) are read again before and
    after, so that no test writes into another's store."""
    path = tmp_path / "demo.gpkg"
    path.write_bytes(Path(demo_gpkg).read_bytes())
    store = open_store(str(path), create=False)
    try:
        accounts.add_user(store, ADMIN, PASSWORD, "admin", actor="test",
                          must_change_password=False)
    finally:
        store.close()
    resources.settings.clear()
    yield str(path)
    resources.settings.clear()


def plots_zip(tmp_path: Path) -> bytes:
    """Two shapefiles of plots without .prj: ``plots_a`` in UTM 47N, its row 2 a bow-tie that
    make_valid splits in two; ``plots_b`` in degrees."""
    folder = tmp_path / "plots"
    folder.mkdir()
    d = 0.0002
    a = gpd.GeoDataFrame(
        {"plot_id": ["PA-1", "PA-2"], "village_id": [VILLAGE] * 2},
        geometry=[box(LON, LAT, LON + d, LAT + d),
                  Polygon([(LON + 2 * d, LAT), (LON + 3 * d, LAT + d), (LON + 3 * d, LAT),
                           (LON + 2 * d, LAT + d)])],
        crs=4326).to_crs(32647)
    b = gpd.GeoDataFrame({"plot_id": ["PB-1"], "village_id": [VILLAGE]},
                         geometry=[box(LON, LAT + 2 * d, LON + d, LAT + 3 * d)], crs=4326)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        a.to_file(folder / "plots_a.shp", engine="pyogrio")
        b.to_file(folder / "plots_b.shp", engine="pyogrio")
    for prj in folder.glob("*.prj"):
        prj.unlink()
    out = tmp_path / "plots.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for part in sorted(folder.iterdir()):
            zf.write(part, part.name)
    return out.read_bytes()


def upload_page(store_path: str, monkeypatch: pytest.MonkeyPatch, *files: tuple[str, bytes],
                kind: str = "households", lang: str = "en") -> AppTest:
    monkeypatch.setenv("LANDMAP_STORE", store_path)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    now = dt.datetime.now(dt.UTC)
    at.session_state["user"] = ADMIN
    at.session_state["signed_in_at"] = now
    at.session_state["last_seen"] = now
    at.run()
    at.switch_page("ui/pages/upload.py")
    at.run()
    if kind != "households":
        at.selectbox(key="upload_kind").set_value(kind)
        at.run()
    at.file_uploader[0].set_value([(name, data, "application/octet-stream")
                                   for name, data in files])
    return ran(at)


def ran(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == []
    return at


def widget(elements: Any, suffix: str) -> Any:
    """The one widget whose key ends with ``suffix`` (keys begin with the upload's file id)."""
    found = [w for w in elements if w.key and w.key.endswith(suffix)]
    assert len(found) == 1, [w.key for w in elements]
    return found[0]


def import_button(at: AppTest) -> Any:
    return widget(at.button, "_import")


def maps(at: AppTest) -> list[str]:
    """The script of each folium map on the page (what the browser would draw)."""
    return [MessageToDict(c.proto).get("jsonArgs", "") for c in at.get("component_instance")]


def read(store_path: str, layer: str) -> tuple[Any, list[dict[str, Any]]]:
    store = open_store(store_path, create=False)
    try:
        return store.read(layer), store.read_audit(limit=5)
    finally:
        store.close()


# ----------------------------------------------------------------------------- the page
def test_mapping_values_and_held_back_rows_reach_the_store(
    store_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = upload_page(store_path, monkeypatch, ("survey.csv", CSV))
    # The automatic match missed the id and took ``name`` (the surveyor) for the head.
    assert widget(at.selectbox, "_col_household_id").value is None
    assert widget(at.selectbox, "_col_head_name").value == "name"
    assert any("required fields Household id" in w.value for w in at.warning)
    assert import_button(at).disabled

    widget(at.selectbox, "_col_household_id").set_value("เลขครัวเรือน")
    widget(at.selectbox, "_col_head_name").set_value("หัวหน้าครัวเรือน")
    widget(at.selectbox, "_col_surveyor").set_value("name")
    ran(at)
    # Two unknown values of the house condition, each with its row count.
    offered = {s.label: s for s in at.selectbox if "_value_house_condition_" in (s.key or "")}
    assert set(offered) == {"“โทรมนิดหน่อย” (2 rows)", "“บ้านใหม่” (1 row)"}
    assert offered["“บ้านใหม่” (1 row)"].options[:2] == ["— leave blank —", "Good, durable"]
    offered["“โทรมนิดหน่อย” (2 rows)"].set_value("fair")
    # "leave blank" (by position: its label is translated outside the page run otherwise)
    offered["“บ้านใหม่” (1 row)"].select_index(0)
    ran(at)
    # Still on offer once chosen; the errors are gone, the GPS warning of T-3 is left.
    assert len([s for s in at.selectbox if "_value_" in (s.key or "")]) == 2
    assert "Rows held back by errors: 0 · rows with warnings only: 1" in [
        c.value for c in at.caption]
    flagged = widget(at.radio, "_flagged")
    assert flagged.label == "Rows with warnings (1)"
    flagged.set_value("hold")
    ran(at)
    assert "3 features will be imported into Households." in [c.value for c in at.caption]

    import_button(at).click()
    ran(at)
    assert any("Imported 3 features from survey.csv into Households; 1 rows held back, "
               "0 imported with warnings (flagged)" in s.value for s in at.success)
    stored, audit = read(store_path, "households")
    mine = stored.loc[stored["household_id"].str.startswith("T-")].set_index("household_id")
    assert sorted(mine.index) == ["T-1", "T-2", "T-4"]
    assert mine["house_condition"].fillna("blank").to_dict() == {
        "T-1": "good", "T-2": "fair", "T-4": "blank"}
    assert mine.loc["T-2", "head_name"] == "บุญส่ง แก้วใส"
    assert mine.loc["T-4", "surveyor"] == "ผู้สำรวจ ข"
    assert audit[0]["action"] == "import"
    assert (audit[0]["detail"]["held_back"], audit[0]["detail"]["flagged"]) == (1, 0)


def test_rows_with_warnings_imported_flagged_are_counted_in_the_summary(
    store_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = upload_page(store_path, monkeypatch, ("survey.csv", CSV))
    widget(at.selectbox, "_col_household_id").set_value("เลขครัวเรือน")
    ran(at)
    for s in [s for s in at.selectbox if "_value_" in (s.key or "")]:
        s.set_value("poor")
    ran(at)
    assert widget(at.radio, "_flagged").value == "import"
    import_button(at).click()
    ran(at)
    assert any("4 features" in s.value and "1 imported with warnings (flagged)" in s.value
               for s in at.success)
    stored, _audit = read(store_path, "households")
    t3 = stored.loc[stored["household_id"] == "T-3"].iloc[0]
    assert t3["extra"][FLAGS_KEY] == ["low_accuracy"]


def test_each_layer_gets_its_own_crs_and_import_waits_for_every_confirmation(
    store_path: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    at = upload_page(store_path, monkeypatch, ("plots.zip", plots_zip(tmp_path)), kind="plots")
    radios = [r for r in at.radio if (r.key or "").endswith("_crs")]
    assert [len(r.options) for r in radios] == [2, 1]  # UTM 47N on WGS84 or Indian 1975; degrees
    assert import_button(at).disabled
    # Indian 1975 for plots_a (not the best guess): given, but not confirmed yet.
    radios[0].set_value(1)
    ran(at)
    summaries = [m.value for m in at.markdown if m.value.startswith("**plots")]
    assert "EPSG:24047 (given by you)" in summaries[0]
    assert "EPSG:4326 (guessed)" in summaries[1]
    widget(at.checkbox, "_0_crs_ok_24047").check()
    ran(at)
    assert import_button(at).disabled  # plots_b is still a guess
    widget(at.checkbox, "_1_crs_ok_4326").check()
    ran(at)
    assert "EPSG:4326 (given by you)" in [m.value for m in at.markdown
                                          if m.value.startswith("**plots")][1]
    # The bow-tie of plots_a row 2 is no feature until repaired: the rest goes in.
    import_button(at).click()
    ran(at)
    stored, audit = read(store_path, "plots")
    assert set(stored["plot_id"]) >= {"PA-1", "PB-1"} and "PA-2" not in set(stored["plot_id"])
    assert audit[0]["detail"]["crs"] == [4326, 24047]


def test_a_repair_is_previewed_then_imported_flagged(
    store_path: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    at = upload_page(store_path, monkeypatch, ("plots.zip", plots_zip(tmp_path)), kind="plots")
    for r in [r for r in at.checkbox if "_crs_ok_" in (r.key or "")]:
        r.check()
    ran(at)
    repair = widget(at.checkbox, "_repair")
    assert repair.label == "Repair 1 invalid shape with make_valid"
    table = next(d.value for d in at.dataframe if "What the repair does" in d.value.columns)
    assert table[["Layer", "Row"]].values.tolist() == [["plots_a", "2"]]
    assert table["Area before (m²)"].iloc[0] < 1 < table["Area after (m²)"].iloc[0]
    # Red before, green after, on a map of its own.
    assert any("#dc2626" in m and "#15803d" in m for m in maps(at))
    assert any(m.value.startswith("**plots\\_a** · 1 of 2 rows usable") for m in at.markdown)

    repair.check()
    ran(at)
    assert any(m.value.startswith("**plots\\_a** · 2 of 2 rows usable") for m in at.markdown)
    assert "Rows held back by errors: 0 · rows with warnings only: 1" in [
        c.value for c in at.caption]
    import_button(at).click()
    ran(at)
    stored, _audit = read(store_path, "plots")
    pa2 = stored.loc[stored["plot_id"] == "PA-2"].iloc[0]
    assert pa2.geometry.is_valid and pa2.geometry.geom_type == "MultiPolygon"
    assert pa2["extra"][FLAGS_KEY] == ["geometry_repaired"]


def test_picking_an_issue_zooms_the_preview_map_to_its_row(
    store_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = upload_page(store_path, monkeypatch, ("survey.csv", CSV))
    assert not any(PICKED in m for m in maps(at))
    issues = next(d for d in at.dataframe if d.key and "_issues_" in d.key)
    rows = issues.value
    # The unknown value of row 4 (the household id is missing on every row: errors too).
    pick = rows.index[(rows["Row"] == "4") & rows["Problem"].str.contains("บ้านใหม่")][0]
    assert issues.key is not None
    at.session_state[issues.key] = {"selection": {"rows": [int(pick)], "columns": [],
                                                  "cells": []}}
    ran(at)
    picked = [m for m in maps(at) if PICKED in m]
    assert len(picked) == 1 and "Row 4" in picked[0]
    assert f"{LON + 0.0001:.4f}" in picked[0]


def test_a_file_is_read_and_checked_once_however_often_the_page_reruns(
    store_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: Counter[str] = Counter()

    def counted(name: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return function(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(ui.upload, "read_bytes", counted("read", read_bytes))
    monkeypatch.setattr(ui.upload, "check", counted("check", check))
    at = upload_page(store_path, monkeypatch, ("survey.csv", CSV))
    widget(at.selectbox, "_col_household_id").set_value("เลขครัวเรือน")
    ran(at)
    ran(at)
    assert calls == {"read": 1, "check": 1}
    cached = at.session_state[ui.upload.READS]
    assert len(cached) == 1
    # Gone from the session as soon as the file is no longer uploaded.
    at.file_uploader[0].set_value(None)
    ran(at)
    assert at.session_state[ui.upload.READS] == {}
    assert at.session_state[ui.upload.CHECKS] == {}


# ---------------------------------------------------------------------------- the helpers
def test_unknown_values_are_counted_through_the_chosen_column() -> None:
    report = check(read_bytes(CSV, "survey.csv"), kind="households")
    chosen = {"survey": {"house_condition": "สภาพบ้าน"}}
    assert unknown_values(report, "households", chosen) == {
        "house_condition": Counter({"โทรมนิดหน่อย": 2, "บ้านใหม่": 1})}
    assert unknown_values(report, "households", {"survey": {"house_condition": None}}) == {}


def test_choices_key_is_the_same_for_the_same_choices() -> None:
    one = Choices(columns={"a": {"x": "1", "y": None}}, values={"f": {"v": "c"}})
    two = Choices(columns={"a": {"y": None, "x": "1"}}, values={"f": {"v": "c"}})
    assert ui.upload.choices_key(one) == ui.upload.choices_key(two)
    assert ui.upload.choices_key(one) != ui.upload.choices_key(
        Choices(columns=one.columns, values=one.values, flagged="hold"))


def test_values_shown_in_labels_are_not_formatted() -> None:
    assert md_escape("**ดี** :red[x] a_b") == r"\*\*ดี\*\* \:red\[x\] a\_b"
    assert md_escape("ชื่อ-สกุล 1.5") == "ชื่อ-สกุล 1.5"
