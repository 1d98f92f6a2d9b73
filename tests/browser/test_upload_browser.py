"""The upload page in a real browser.

A zipped shapefile of households written in cp874 with Thai column names, its .cpg and .prj
deleted (as survey teams often send them), is uploaded; the page offers the guessed CRS (UTM 47N),
the user confirms it and imports; the Thai names arrive intact in the store and on the map, and
the import can be undone.

A CSV whose household id column the automatic field mapping misses, whose ``name`` column it
takes for the head of household (it is the surveyor), with a house condition the vocabulary does
not know and a GPS fix too poor to trust: the user corrects the mapping, says what the unknown
value means, holds back the row with the warning, picks a problem to see its row on the map,
and imports; the store holds exactly what the user chose.

The ``page`` fixture fails a test if the page fetched anything outside localhost (the preview
maps included)."""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from shapely.geometry import Point

from gis.io.importer import FLAGS_KEY
from gis.store import open_store
from tests.browser.test_app_browser import ARTIFACTS, Frames, T, leaked, open_map, sign_in
from ui.upload_preview import PICKED

pytestmark = pytest.mark.browser

# Lang Wat community (27040105), Wang Nam Yen, Sa Kaeo: not the surveyor test's village, and
# household ids the demo does not use, so the shared store stays what other tests expect.
VILLAGE = "27040105"
NAMES = ["สมชาย ใจดี", "สมหญิง รักบ้าน", "ประเสริฐ มั่นคง", "บุญมี ศรีสุข", "มาลี ทองคำ"]
IDS = [f"UP-{i:04d}" for i in range(1, len(NAMES) + 1)]
POINTS = [(102.1800 + 0.0005 * i, 13.5195 + 0.0004 * i) for i in range(len(NAMES))]


def households_zip(tmp_path: Path) -> Path:
    """The shapefile as a field team's GIS program wrote it: UTM 47N, Thai headers and values in
    cp874 (TIS-620), then stripped of the .cpg and .prj that would have said so.

    A DBF field name holds 10 bytes (10 Thai characters in cp874), so the headers are ones the
    households layer knows that fit: รหัสบ้าน, ชื่อ-สกุล, ความยินยอม, สภาพบ้าน; the village code
    goes under ``village_id`` because รหัสหมู่บ้าน (12 characters) would be cut to รหัสหมู่บ้.
    """
    folder = tmp_path / "shp"
    folder.mkdir()
    frame = gpd.GeoDataFrame(
        {"รหัสบ้าน": IDS, "village_id": [VILLAGE] * len(IDS), "ชื่อ-สกุล": NAMES,
         "ความยินยอม": ["ใช่"] * len(IDS), "สภาพบ้าน": ["ทรุดโทรมมาก"] * len(IDS)},
        geometry=[Point(lon, lat) for lon, lat in POINTS], crs=4326,
    ).to_crs(32647)
    with warnings.catch_warnings():
        # GDAL reports (in cp874, which pyogrio cannot show as UTF-8) that it kept the names.
        warnings.simplefilter("ignore", RuntimeWarning)
        frame.to_file(folder / "households.shp", engine="pyogrio", encoding="cp874")
    dbf = (folder / "households.dbf").read_bytes()
    assert "สมชาย".encode("cp874") in dbf and "สมชาย".encode() not in dbf
    (folder / "households.cpg").unlink(missing_ok=True)
    (folder / "households.prj").unlink()
    out = tmp_path / "households.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for part in sorted(folder.iterdir()):
            zf.write(part, part.name)
    assert {Path(n).suffix for n in zipfile.ZipFile(out).namelist()} == {".shp", ".shx", ".dbf"}
    return out


def read_households(store_path: Path) -> Any:
    store = open_store(str(store_path), create=False)
    try:
        return store.read("households"), store.read_audit(limit=20)
    finally:
        store.close()


def in_thai(page: Any) -> None:
    """Switch the page to Thai and wait until the navigation speaks it. A click that lands
    while the page is still rerunning (after sign-in) can be lost: click again then."""
    for _attempt in range(3):
        page.get_by_text("ไทย", exact=True).click()
        try:
            expect(page.get_by_role("link", name="อัปโหลด").first).to_be_visible(timeout=20_000)
            return
        except AssertionError:
            continue
    expect(page.get_by_role("link", name="อัปโหลด").first).to_be_visible(timeout=T)


def test_cp874_shapefile_without_prj_is_imported_checked_and_undone(
    app_url: str, page: Any, demo_store: Path, tmp_path: Path
) -> None:
    upload = households_zip(tmp_path)
    frames = Frames(page)
    sign_in(page, app_url, "admin")
    # The admin's saved language may be English (another test switches it): choose Thai.
    page.get_by_role("button", name=re.compile("ออกจากระบบ|Sign out")).wait_for(timeout=T)
    in_thai(page)
    page.get_by_role("link", name="อัปโหลด").first.click(timeout=T)
    page.get_by_role("heading", name="อัปโหลดไฟล์สำรวจ").wait_for(timeout=T)
    # The target layer: households is the first choice, shown with its Thai label.
    target = page.get_by_test_id("stSelectbox").filter(has_text="นำเข้าสู่ชั้นข้อมูล")
    target.wait_for(timeout=T)
    shown = target.evaluate(
        "e => e.innerText + ' ' + [...e.querySelectorAll('input')].map(i => i.value).join(' ')")
    assert "ครัวเรือน" in shown, shown

    page.locator("input[type=file]").first.set_input_files(str(upload))
    # What was understood: no CRS declared, UTM 47N guessed and offered first, cp874 detected.
    guess = page.get_by_role("radiogroup").get_by_text(re.compile(r"^EPSG:32647 — "))
    guess.wait_for(timeout=T)
    assert page.get_by_role("radio").first.is_checked()
    # exact: the issues table (a data grid) also holds the longer message that begins so
    page.get_by_text("ไฟล์ไม่ได้ระบุระบบพิกัด", exact=True).wait_for()
    page.get_by_text(re.compile(r"ใช้ได้ 5 จาก 5 แถว · การเข้ารหัสอักษร cp874 · "
                                r"ระบบพิกัด EPSG:32647 \(เดาจากพิกัด\)")).wait_for()
    page.get_by_text("ปัญหาที่พบ", exact=True).wait_for()
    assert "Problems found" not in page.inner_text("body")
    # The preview map is drawn offline, with the five points.
    preview = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
    preview.locator(".leaflet-overlay-pane path").nth(4).wait_for(timeout=T)
    # The first rows went to the browser decoded (canvas tables: look at what was sent).
    assert leaked(NAMES, frames.blob()), "the decoded Thai names were not in the preview"
    assert leaked(["สมชาย ใจดี".encode("cp874").decode("latin-1")], frames.blob()) == []

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "upload-checked.png"), full_page=True)

    # Nothing is written before the user confirms the CRS and presses Import.
    before, _audit = read_households(demo_store)
    assert not before["household_id"].isin(IDS).any()
    importer = page.get_by_role("button", name="นำเข้า")
    assert importer.is_disabled()
    page.get_by_text("แผนที่ตัวอย่างแสดงตำแหน่งถูกต้องแล้ว: ใช้ EPSG:32647", exact=True).click()
    page.get_by_text("(คุณเลือกเอง)").first.wait_for(timeout=T)
    importer.click(timeout=T)
    summary = page.get_by_text(re.compile(r"นำเข้า 5 รายการจาก households\.zip"))
    summary.wait_for(timeout=T)
    batch = re.search(r"รหัสชุดนำเข้า (\S+)", summary.inner_text())
    assert batch is not None

    # In the store: Thai text intact, vocabulary label turned into its code, points in place.
    after, audit = read_households(demo_store)
    mine = after.loc[after["household_id"].isin(IDS)].set_index("household_id").loc[IDS]
    assert mine["head_name"].tolist() == NAMES
    assert (mine["village_code"] == VILLAGE).all()
    assert (mine["house_condition"] == "dilapidated").all()
    assert mine["consent"].astype(bool).all()
    for geom, (lon, lat) in zip(mine.geometry, POINTS, strict=True):
        assert abs(geom.x - lon) < 1e-6 and abs(geom.y - lat) < 1e-6
    imports = [e for e in audit if e["action"] == "import"]
    assert imports and imports[0]["subject"] == batch.group(1)

    # On the map: search the id, go there, and the name reaches the browser.
    open_map(page)
    sent_before = len(frames.frames)
    page.get_by_label("ค้นหาหมู่บ้านหรือรหัสครัวเรือน").fill(IDS[2])
    page.get_by_label("ค้นหาหมู่บ้านหรือรหัสครัวเรือน").press("Enter")
    page.get_by_role("button", name="ไปที่ตำแหน่งนี้").click(timeout=T)
    page.wait_for_timeout(3000)  # the map re-creates itself at the household and reports back
    later = b"\n".join(frames.frames[sent_before:])
    assert leaked([NAMES[2]], later), "the imported name was not sent to the map"

    # Undo: back on the upload page, the summary is still there, and one click takes it back.
    page.get_by_role("link", name="อัปโหลด").first.click(timeout=T)
    page.get_by_role("button", name="ยกเลิกการนำเข้าครั้งนี้").click(timeout=T)
    page.get_by_text("ยกเลิกการนำเข้า households.zip แล้ว").wait_for(timeout=T)
    undone, audit = read_households(demo_store)
    assert not undone["household_id"].isin(IDS).any()
    assert [e["subject"] for e in audit if e["action"] == "undo_import"][:1] == [batch.group(1)]


def test_the_zip_really_lacks_what_would_tell_the_encoding_and_crs(tmp_path: Path) -> None:
    """The fixture itself: read naively (as GDAL does without .cpg and .prj), the names are
    mojibake and there is no CRS — what the upload page has to overcome."""
    upload = households_zip(tmp_path)
    with zipfile.ZipFile(upload) as zf:
        assert zf.read("households.dbf")[29] == 0  # no code page byte in the DBF header either
    naive = gpd.read_file(f"zip://{upload}!households.shp", engine="pyogrio")
    assert naive.crs is None
    assert not set(NAMES) & set(naive.astype(str).stack())


# Inside the Lang Wat outline (with 20 m to spare), so that no row is outside its village.
CSV_IDS = ["UPC-0001", "UPC-0002", "UPC-0003", "UPC-0004"]
CSV_HEADS = ["สมศรี ใจงาม", "บุญส่ง แก้วใส", "จันทร์เพ็ญ ดีงาม", "ทองดี มีสุข"]
CSV_SURVEYORS = ["นายสำรวจ หนึ่ง", "นายสำรวจ หนึ่ง", "นายสำรวจ สอง", "นายสำรวจ สอง"]
CSV_CONDITIONS = ["ดี คงทนถาวร", "โทรมนิดหน่อย", "ชำรุด", "ทรุดโทรมมาก"]
CSV_POINTS = [(102.1805, 13.5199), (102.1808, 13.5201), (102.1811, 13.5203), (102.1806, 13.5204)]
CSV_ACCURACY = [5, 6, 120, 8]  # metres: row 3 is worse than gis.io.coords.LOW_ACCURACY_M
ROW_PX = 35  # the height of a header row and of a data row in Streamlit's data grid


def households_csv(tmp_path: Path) -> Path:
    """A survey sheet as a team typed it: ``เลขครัวเรือน`` (no synonym of household id),
    ``หัวหน้าครัวเรือน`` (the head, not a known header), ``name`` (the surveyor, but a synonym
    of the head's name), a condition no vocabulary spelling matches (row 2) and a poor GPS fix
    (row 3)."""
    lines = ["เลขครัวเรือน,village_id,หัวหน้าครัวเรือน,name,ความยินยอม,สภาพบ้าน,lat,lon,accuracy"]
    for i, (lon, lat) in enumerate(CSV_POINTS):
        lines.append(f"{CSV_IDS[i]},{VILLAGE},{CSV_HEADS[i]},{CSV_SURVEYORS[i]},ใช่,"
                     f"{CSV_CONDITIONS[i]},{lat},{lon},{CSV_ACCURACY[i]}")
    out = tmp_path / "households_fix.csv"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def choose(page: Any, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox whose label holds ``label``, and wait until it shows."""
    box = page.get_by_test_id("stSelectbox").filter(has_text=label)
    wanted = page.get_by_role("option", name=option, exact=True)
    for _attempt in range(5):  # a rerun that redraws the page closes an open list: open again
        box.get_by_role("combobox").click(timeout=T)
        try:
            wanted.click(timeout=5_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    else:
        pytest.fail(f"the option {option!r} of {label!r} never showed")
    # The chosen value shows in the box's text or in its search input.
    page.wait_for_function(
        "([e, want]) => (e.innerText + ' ' + [...e.querySelectorAll('input')]"
        ".map(i => i.value).join(' ')).includes(want)",
        arg=[box.element_handle(), option], timeout=T)


def pick_first_row(page: Any, grid: Any) -> None:
    """Select the first row of a Streamlit data grid (drawn on a canvas, so by position): a click
    in the row-marker column, below the header row."""
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 16, box["y"] + ROW_PX + ROW_PX / 2)


def test_mapping_values_and_held_rows_chosen_in_the_browser_are_imported(
    app_url: str, page: Any, demo_store: Path, tmp_path: Path
) -> None:
    upload = households_csv(tmp_path)
    sign_in(page, app_url, "admin")
    page.get_by_role("button", name=re.compile("ออกจากระบบ|Sign out")).wait_for(timeout=T)
    in_thai(page)
    page.get_by_role("link", name="อัปโหลด").first.click(timeout=T)
    page.get_by_role("heading", name="อัปโหลดไฟล์สำรวจ").wait_for(timeout=T)
    page.locator("input[type=file]").first.set_input_files(str(upload))

    # The automatic mapping found no household id: the mapping opens by itself and says so.
    page.get_by_text("ยังไม่มีคอลัมน์สำหรับช่องที่ต้องมีค่า รหัสครัวเรือน").wait_for(timeout=T)
    importer = page.get_by_role("button", name="นำเข้า", exact=True)
    assert importer.is_disabled()
    choose(page, "รหัสครัวเรือน", "เลขครัวเรือน")
    page.get_by_text("ยังไม่มีคอลัมน์สำหรับช่องที่ต้องมีค่า").wait_for(state="detached",
                                                                        timeout=T)
    # ``name`` went to the head of household: it is the surveyor.
    choose(page, "ชื่อหัวหน้าครัวเรือน", "หัวหน้าครัวเรือน")
    choose(page, "ผู้สำรวจ", "name")

    # The unknown condition, with its row count, means "fair" (พอใช้).
    choose(page, "“โทรมนิดหน่อย” (1 แถว)", "พอใช้")
    page.get_by_text("แถวที่ไม่นำเข้าเพราะมีข้อผิดพลาด: 0 · แถวที่มีเพียงคำเตือน: 1").wait_for(
        timeout=T)

    # Pick the warning in the issues table: the preview map zooms to row 3 and outlines it.
    preview = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
    preview.locator(".leaflet-overlay-pane path").nth(3).wait_for(timeout=T)
    assert preview.locator(f"path[stroke='{PICKED}']").count() == 0
    # Keyed elements carry their key as a class; the issues table's key ends in a digest.
    grid = page.locator("[class*='st-key-upload_'][class*='_issues_']").first
    grid.get_by_test_id("stDataFrame").wait_for(timeout=T)
    pick_first_row(page, grid.get_by_test_id("stDataFrame"))
    preview.locator(f"path[stroke='{PICKED}']").wait_for(timeout=T)

    # Hold back the row with the warning, then import.
    page.get_by_text("กันไว้ก่อน (ไม่นำเข้าแถวเหล่านี้)").click(timeout=T)
    page.get_by_text(re.compile(r"จะนำเข้า 3 รายการ")).wait_for(timeout=T)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "upload-choices.png"), full_page=True)
    before, _audit = read_households(demo_store)
    assert not before["household_id"].isin(CSV_IDS).any()
    importer.click(timeout=T)
    summary = page.get_by_text(re.compile(r"นำเข้า 3 รายการจาก households_fix\.csv"))
    summary.wait_for(timeout=T)
    assert "ไม่นำเข้า 1 แถว" in summary.inner_text()

    after, audit = read_households(demo_store)
    mine = after.loc[after["household_id"].isin(CSV_IDS)].set_index("household_id")
    assert sorted(mine.index) == ["UPC-0001", "UPC-0002", "UPC-0004"]
    assert mine.loc["UPC-0002", "house_condition"] == "fair"
    assert mine["house_condition"].to_dict() == {
        "UPC-0001": "good", "UPC-0002": "fair", "UPC-0004": "dilapidated"}
    assert mine["head_name"].to_dict() == {i: h for i, h in zip(CSV_IDS, CSV_HEADS, strict=True)
                                          if i != "UPC-0003"}
    assert mine["surveyor"].to_dict() == {
        "UPC-0001": "นายสำรวจ หนึ่ง", "UPC-0002": "นายสำรวจ หนึ่ง", "UPC-0004": "นายสำรวจ สอง"}
    # Nothing of the columns the user mapped is left over in ``extra``; no row came in flagged.
    for extra in mine["extra"]:
        assert not {"เลขครัวเรือน", "หัวหน้าครัวเรือน", "name", FLAGS_KEY} & set(extra or {})
    entry = next(e for e in audit if e["action"] == "import")
    assert (entry["detail"]["imported"], entry["detail"]["held_back"],
            entry["detail"]["flagged"]) == (3, 1, 0)
