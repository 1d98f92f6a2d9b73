"""CSV and XLSX readers on real tambon lists, rebuilt in ``tmp_path`` the ways Thai offices
send them: with a header, headerless with a BOM, cp874 with semicolons, a title block and a
total row, a two-row header under merged group titles, a two-sheet workbook with swapped
lat/lon, the same in a legacy .xls, UTM with a zone column, Kobo geopoints, Thai digits and
Buddhist-Era dates."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import pytest
import shapely
from openpyxl import Workbook  # type: ignore[import-untyped]  # ships no stubs
from pyproj import Transformer

from gis.io import thailand
from gis.io.check import check
from gis.io.model import RawLayer, ReadResult, Severity
from gis.io.read import read_bytes
from gis.io.sniff import sniff
from gis.io.tabular import read_csv, read_xlsx, sniff_delimiter

THIRD = Path(__file__).resolve().parents[4] / "shared" / "data" / "third_party"
SA_KAEO_BBOX = (101.5, 13.2, 103.0, 14.5)
CHIANG_RAI_BBOX = (99.0, 19.0, 101.0, 20.6)


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((THIRD / name).read_text(encoding="utf-8-sig"))))


def chiang_rai(tmp_path: Path) -> tuple[Path, list[dict[str, str]]]:
    """The Chiang Rai lines of the Dhanabhon tambon list, header kept (corpus 12e)."""
    province = next(p["PROVINCE_ID"] for p in _rows("dhanabhon_provinces.csv")
                    if p["PROVINCE_ENGLISH"] == "Chiang Rai")
    districts = {d["DISTRICT_ID"] for d in _rows("dhanabhon_districts.csv")
                 if d["PROVINCE_ID"] == province}
    lines = (THIRD / "dhanabhon_sub_districts.csv").read_text(encoding="utf-8-sig").splitlines()
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    kept = [(line, row) for line, row in zip(lines[1:], rows, strict=True)
            if row["DISTRICT_ID"] in districts]
    path = tmp_path / "chiang_rai.csv"
    path.write_text("\n".join([lines[0], *(line for line, _ in kept)]) + "\n", encoding="utf-8")
    return path, [row for _, row in kept]


def pramote_rows() -> list[list[str]]:
    """Sa Kaeo (province 27), then 10 Bueng Kan lines, which the list has without coordinates
    (corpus 12d)."""
    text = (THIRD / "pramotesupnoi_Thailand-subdistrict.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    return [r for r in rows if r[9] == "27"] + [r for r in rows if r[11] == "Bueng Kan"][:10]


def bounds(layer: RawLayer) -> tuple[float, float, float, float]:
    assert layer.geometry is not None
    points = [g for g in layer.geometry if g is not None]
    box = shapely.bounds(shapely.GeometryCollection(points))
    return (float(box[0]), float(box[1]), float(box[2]), float(box[3]))


def within(box: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    return box[0] >= outer[0] and box[1] >= outer[1] and box[2] <= outer[2] and box[3] <= outer[3]


def codes(result: ReadResult | RawLayer, code: str) -> list[int | None]:
    found = result.all_issues() if isinstance(result, ReadResult) else result.issues
    return [i.row for i in found if i.code == code]


def all_inside(layer: RawLayer) -> bool:
    assert layer.geometry is not None
    points = [g for g in layer.geometry if g is not None]
    return bool(thailand.inside(shapely.get_x(points), shapely.get_y(points)).all())


def test_chiang_rai_tambons_with_header(tmp_path: Path) -> None:
    path, kept = chiang_rai(tmp_path)
    result = read_csv(path.read_bytes(), path.name, {})
    (layer,) = result.layers
    assert result.format == "csv" and len(kept) > 100
    assert layer.geometry is not None and len(layer.geometry) == len(kept)
    # The source has "None" for Tha Sut's coordinates: that row is reported, the rest placed.
    unplaced = [n for n, r in enumerate(kept, start=1) if r["LATITUDE"] == "None"]
    assert [kept[n - 1]["SUB_DISTRICT_ENGLISH"] for n in unplaced] == ["Tha Sut"]
    assert codes(layer, "bad_coordinates") == unplaced
    assert [n for n, g in enumerate(layer.geometry, start=1) if g is None] == unplaced
    assert all_inside(layer) and within(bounds(layer), CHIANG_RAI_BBOX)
    assert (layer.crs_epsg, layer.crs_source) == (4326, "declared")
    assert layer.meta["coordinate_columns"] == ["LATITUDE", "LONGITUDE"]
    assert list(layer.frame["SUB_DISTRICT_THAI"]) == [r["SUB_DISTRICT_THAI"] for r in kept]
    assert layer.frame.columns[0] == "SUB_DISTRICT_ID"  # header names kept as written
    assert [i.code for i in result.all_issues() if i.severity != Severity.INFO] == [
        "bad_coordinates"]


def test_headerless_tambon_list_with_bom(tmp_path: Path) -> None:
    kept = pramote_rows()
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(kept)
    data = b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")
    (layer,) = read_csv(data, "subdistricts.csv", {}).layers
    assert layer.meta["headerless"] and list(layer.frame.columns[:3]) == [
        "column_1", "column_2", "column_3"]
    assert layer.meta["coordinate_columns"] == ["column_4", "column_5"]
    assert (layer.crs_epsg, layer.crs_source, layer.encoding) == (4326, "guessed", "utf-8-sig")
    assert layer.geometry is not None and len(layer.geometry) == len(kept) == 69
    located = [g for g in layer.geometry if g is not None]
    assert len(located) == 59 and all_inside(layer)  # every located row is in Thailand
    assert within(bounds(layer), SA_KAEO_BBOX)
    assert codes(layer, "bad_coordinates") == list(range(60, 70))  # the Bueng Kan rows
    assert codes(layer, "headerless") == [None]
    assert layer.frame["column_2"].iloc[0] == kept[0][1] == "สระแก้ว"


def cp874_file() -> tuple[bytes, list[list[str]]]:
    """The Sa Kaeo rows under a Thai header, in cp874 with semicolons, a two-line title block
    and a total row — as exported from Excel on a Thai Windows."""
    kept = [r for r in pramote_rows() if r[3]]
    header = ["รหัส", "ตำบล", "tambon", "ละติจูด", "ลองจิจูด", "รหัสไปรษณีย์"]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["ทะเบียนตำบล จังหวัดสระแก้ว", "", "", "", "", ""])
    writer.writerow(["ข้อมูล ณ วันที่ 1 พ.ค. 2567", "", "", "", "", ""])
    writer.writerow(header)
    writer.writerows(r[:6] for r in kept)
    writer.writerow(["รวม", f"{len(kept)} ตำบล", "", "", "", ""])
    return out.getvalue().encode("cp874"), kept


def test_cp874_semicolons_title_block_and_total_row() -> None:
    data, kept = cp874_file()
    result = read_csv(data, "sakaeo.csv", {})
    (layer,) = result.layers
    assert layer.encoding == "cp874" and layer.meta["delimiter"] == ";"
    assert layer.meta["header_line"] == 3
    assert list(layer.frame.columns[:3]) == ["รหัส", "ตำบล", "tambon"]
    assert list(layer.frame["ตำบล"]) == [r[1].strip() for r in kept]
    assert len(layer.frame) == len(kept) == 59
    assert codes(layer, "title_block") == [None]
    assert codes(layer, "total_row") == [60]  # numbered like the data rows above it
    assert layer.geometry is not None and all(g is not None for g in layer.geometry)
    assert within(bounds(layer), SA_KAEO_BBOX)
    assert (layer.crs_epsg, layer.crs_source) == (4326, "declared")


def test_given_encoding_wins_over_detection() -> None:
    data, _ = cp874_file()
    result = read_csv(data, "sakaeo.csv", {"encoding": "utf-8"})
    assert codes(result, "bad_encoding") == [None]  # cp874 bytes are not UTF-8: said, not hidden
    assert result.layers[0].encoding == "utf-8"


def test_total_row_of_sums_without_a_label() -> None:
    text = ("ชื่อ,lat,lon,สมาชิก\nนาง ก,13.75,100.50,4\nนาย ข,13.76,100.51,3\n"
            ",,,7\n")
    (layer,) = read_csv(text.encode(), "members.csv", {}).layers
    assert len(layer.frame) == 2 and codes(layer, "total_row") == [3]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_any_delimiter_with_quoted_fields(delimiter: str) -> None:
    rows = [["ชื่อ", "ที่อยู่", "lat", "lon"],
            ["นาง ก", f"12{delimiter} หมู่ 3", "13.75", "100.50"],
            ["นาย ข", "ซอย 5", "13.76", "100.51"]]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    assert sniff_delimiter(out.getvalue()) == delimiter
    (layer,) = read_csv(out.getvalue().encode(), "x.csv", {}).layers
    assert layer.frame["ที่อยู่"].iloc[0] == f"12{delimiter} หมู่ 3"
    assert layer.geometry is not None and len(layer.geometry) == 2


def workbook(tmp_path: Path) -> bytes:
    """Two sheets of Sa Kaeo tambons: the first with its lat/lon columns swapped (longitudes
    under ละติจูด), the second with one row typed lon-first; and an empty third sheet."""
    kept = [r for r in pramote_rows() if r[3]]
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "อำเภอเมือง"
    first.append(["รหัส", "ตำบล", "ละติจูด", "ลองจิจูด"])
    for r in kept[:20]:
        first.append([int(r[0]), r[1], float(r[4]), float(r[3])])
    second = book.create_sheet("อำเภออื่น")
    second.append(["รหัส", "ตำบล", "lat", "lon"])
    for n, r in enumerate(kept[20:], start=1):
        lat, lon = float(r[3]), float(r[4])
        second.append([int(r[0]), r[1], *((lon, lat) if n == 5 else (lat, lon))])
    book.create_sheet("ว่าง")
    path = tmp_path / "tambons.xlsx"
    book.save(path)
    return path.read_bytes()


def test_xlsx_sheets_with_whole_file_and_row_swaps(tmp_path: Path) -> None:
    result = read_xlsx(workbook(tmp_path), "tambons.xlsx", {})
    assert result.format == "xlsx"
    assert [layer.sheet for layer in result.layers] == ["อำเภอเมือง", "อำเภออื่น"]
    first, second = result.layers
    assert len(first.frame) == 20 and len(second.frame) == 39
    assert codes(first, "swapped_latlon_file") == [None] and not codes(first, "swapped_latlon_row")
    assert codes(second, "swapped_latlon_row") == [5] and not codes(second, "swapped_latlon_file")
    assert all(i.sheet == layer.sheet for layer in result.layers for i in layer.issues)
    for layer in result.layers:
        assert all_inside(layer) and within(bounds(layer), SA_KAEO_BBOX)
    assert first.frame["รหัส"].iloc[0] == "270101"  # whole numbers without ".0"
    assert not codes(result, "outside_thailand")


def test_unreadable_xlsx_is_an_issue_not_an_exception() -> None:
    result = read_xlsx(b"PK\x03\x04 not really a workbook", "broken.xlsx", {})
    assert result.layers == [] and codes(result, "unreadable_xlsx") == [None]


def test_utm_47n_with_zone_column(tmp_path: Path) -> None:
    _, rows = chiang_rai(tmp_path)
    kept = [r for r in rows if r["LATITUDE"] != "None"]
    to_utm = Transformer.from_crs(4326, 32647, always_xy=True)
    lines = ["บ้าน,E,N,โซน"]
    for r in kept:
        x, y = to_utm.transform(float(r["LONGITUDE"]), float(r["LATITUDE"]))
        lines.append(f"{r['SUB_DISTRICT_THAI']},{x:.1f},{y:.1f},47N")
    (layer,) = read_csv("\n".join(lines).encode(), "utm.csv", {}).layers
    assert (layer.crs_epsg, layer.crs_source) == (32647, "declared")
    assert layer.geometry is not None and len(layer.geometry) == len(kept)
    back = Transformer.from_crs(32647, 4326, always_xy=True)
    lon, lat = back.transform(layer.geometry[0].x, layer.geometry[0].y)
    assert (lon, lat) == pytest.approx(
        (float(kept[0]["LONGITUDE"]), float(kept[0]["LATITUDE"])), abs=1e-6)
    assert not [i for i in layer.issues if i.severity != Severity.INFO]


def test_kobo_geopoint_with_low_accuracy() -> None:
    text = ("start,ชื่อหัวหน้าครัวเรือน,gps\n"
            "2024-05-01T09:00,นางสมศรี,13.7563 100.5018 4.0 12.5\n"
            "2024-05-01T09:20,นายสมชาย,13.7570 100.5022 5.0 80\n"
            "2024-05-01T09:40,นางมาลี,\n")
    (layer,) = read_csv(text.encode(), "kobo.csv", {}).layers
    assert layer.meta["coordinate_columns"] == ["gps"]
    assert codes(layer, "low_accuracy") == [2]
    assert codes(layer, "bad_coordinates") == [3]
    assert layer.geometry is not None and layer.geometry[1] is not None
    assert (layer.geometry[1].x, layer.geometry[1].y) == (100.5022, 13.7570)


def test_thai_digits_and_buddhist_era_dates() -> None:
    text = ("ชื่อ,วันที่สำรวจ,ละติจูด,ลองจิจูด,ที่อยู่\n"
            "นางสมศรี,1 พ.ค. 67,๑๓.๗๕๖๓,๑๐๐.๕๐๑๘,๑๒ หมู่ ๓\n"
            "นายสมชาย,01/05/2567,13.7570,100.5022,ซอย ๕\n")
    (layer,) = read_csv(text.encode(), "survey.csv", {}).layers
    assert list(layer.frame["วันที่สำรวจ"]) == ["2024-05-01", "2024-05-01"]
    assert layer.frame["ละติจูด"].iloc[0] == "13.7563"
    assert list(layer.frame["ที่อยู่"]) == ["๑๒ หมู่ ๓", "ซอย ๕"]  # text keeps Thai digits
    assert codes(layer, "buddhist_era_date") == [1, 2]
    assert codes(layer, "thai_digits") == [1, 1]
    assert layer.geometry is not None and layer.geometry[0] is not None
    assert (layer.geometry[0].x, layer.geometry[0].y) == (100.5018, 13.7563)


def test_no_coordinates_is_an_error_naming_what_was_looked_for() -> None:
    (layer,) = read_csv("ชื่อ,บ้านเลขที่\nนางสมศรี,12\n".encode(), "names.csv", {}).layers
    assert layer.geometry is None
    (found,) = [i for i in layer.issues if i.code == "no_coordinates"]
    assert found.severity == Severity.ERROR and "ละติจูด" in found.message_th
    assert "latitude" in found.message_en


def test_village_named_ruam_on_the_last_line_is_data() -> None:
    text = "ชุมชน,lat,lon\nบ้านหนองบัว,13.75,100.50\nรวมใจพัฒนา,13.76,100.51\n"
    (layer,) = read_csv(text.encode(), "communities.csv", {}).layers
    assert len(layer.frame) == 2 and not codes(layer, "total_row")


def test_empty_file_is_an_issue_not_an_exception() -> None:
    (layer,) = read_csv(b"", "empty.csv", {}).layers
    assert layer.geometry is None and codes(layer, "no_coordinates") == [None]


def _dms(value: float, positive: str) -> str:
    seconds = round(value * 3600, 2)  # rounded first, so that 59.999 s never prints as 60
    degrees, minutes, rest = int(seconds // 3600), int(seconds % 3600 // 60), seconds % 60
    return f"{degrees}°{minutes}'{rest:.2f}\"{positive}"


def test_dms_strings_in_thai_headers(tmp_path: Path) -> None:
    _, rows = chiang_rai(tmp_path)
    kept = [r for r in rows if r["LATITUDE"] != "None"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")  # quotes the " of seconds as ""
    writer.writerow(["ตำบล", "ละติจูด", "ลองจิจูด"])
    writer.writerows([r["SUB_DISTRICT_THAI"], _dms(float(r["LATITUDE"]), "N"),
                      _dms(float(r["LONGITUDE"]), "E")] for r in kept)
    (layer,) = read_csv(out.getvalue().encode("utf-8"), "dms.csv", {}).layers
    assert layer.frame["ละติจูด"].iloc[0].endswith('"N')
    assert layer.geometry is not None and all(g is not None for g in layer.geometry)
    got = [(round(g.y, 3), round(g.x, 3)) for g in layer.geometry]
    assert got == [(float(r["LATITUDE"]), float(r["LONGITUDE"])) for r in kept]
    assert within(bounds(layer), CHIANG_RAI_BBOX) and layer.issues == []


def two_row_header_workbook(tmp_path: Path) -> tuple[bytes, list[list[str]]]:
    """A vulnerable-household register as a Thai office types it: a title merged across the
    top, a two-row header whose group titles (ที่ตั้ง, จำนวนสมาชิก, เนื้อที่) are merged over
    their labels while ลำดับ and ชื่อ-สกุล are merged down both rows, and a total row."""
    kept = [r for r in pramote_rows() if r[3]][:6]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "ครัวเรือนเปราะบาง"
    sheet.append(["ทะเบียนครัวเรือนเปราะบาง จังหวัดสระแก้ว"])
    sheet.merge_cells("A1:J1")
    sheet.append(["ลำดับ", "ชื่อ-สกุล", "ที่ตั้ง", None, "จำนวนสมาชิก", None, None, "เนื้อที่"])
    sheet.append([None, None, "ละติจูด", "ลองจิจูด", "ผู้สูงอายุ", "ผู้พิการ", "รวม", "ไร่",
                  "งาน", "วา"])
    for cells in ("A2:A3", "B2:B3", "C2:D2", "E2:G2", "H2:J2"):
        sheet.merge_cells(cells)
    for n, r in enumerate(kept, start=1):
        lat, lon = (None, None) if n == 3 else (float(r[3]), float(r[4]))
        sheet.append([n, f"ครัวเรือนตำบล{r[1]}", lat, lon, n % 3, n % 2, 3 + n, 1, n % 4, 25])
    sheet.append(["รวม", None, None, None, None, None, sum(3 + n for n in range(1, 7))])
    path = tmp_path / "register.xlsx"
    book.save(path)
    return path.read_bytes(), kept


def test_two_row_header_under_merged_group_titles(tmp_path: Path) -> None:
    data, kept = two_row_header_workbook(tmp_path)
    (layer,) = read_xlsx(data, "register.xlsx", {}).layers
    assert list(layer.frame.columns) == [
        "ลำดับ", "ชื่อ-สกุล", "ละติจูด", "ลองจิจูด", "ผู้สูงอายุ", "ผู้พิการ",
        "จำนวนสมาชิก รวม", "เนื้อที่ ไร่", "เนื้อที่ งาน", "เนื้อที่ วา"]
    assert (layer.meta["header_line"], layer.meta["header_rows"]) == (2, 2)
    assert len(layer.frame) == 6 and layer.frame["ลำดับ"].tolist() == [str(n) for n in range(1, 7)]
    assert codes(layer, "title_block") == [None] and codes(layer, "two_row_header") == [None]
    assert codes(layer, "total_row") == [7]  # numbered from 1 after the two header rows
    assert codes(layer, "bad_coordinates") == [3]
    assert layer.meta["coordinate_columns"] == ["ละติจูด", "ลองจิจูด"]
    assert layer.geometry is not None and layer.geometry[0] is not None
    assert (layer.geometry[0].y, layer.geometry[0].x) == (float(kept[0][3]), float(kept[0][4]))
    (told,) = [i for i in layer.issues if i.code == "two_row_header"]
    assert "เนื้อที่ ไร่" in told.message_th and "จำนวนสมาชิก รวม" in told.message_en


def test_sparse_group_title_row_is_a_header_not_a_title() -> None:
    """Only two group titles on the upper row, labels all on the lower one: the upper row looks
    like a title line, but a title starts in the first column."""
    text = (",,พิกัด UTM,,จำนวนสมาชิก,\n"
            "ลำดับ,ชื่อ,E,N,ชาย,หญิง\n"
            "1,นาง ก,180500,1497000,1,2\n"
            "2,นาย ข,180620,1497150,2,2\n"
            "3,นาง ค,180710,1497090,0,1\n")
    (layer,) = read_csv(text.encode(), "utm.csv", {}).layers
    assert list(layer.frame.columns) == [
        "ลำดับ", "ชื่อ", "พิกัด UTM E", "พิกัด UTM N", "จำนวนสมาชิก ชาย", "จำนวนสมาชิก หญิง"]
    assert not codes(layer, "title_block") and layer.meta["header_line"] == 1
    assert layer.meta["coordinate_columns"][:2] == ["พิกัด UTM E", "พิกัด UTM N"]
    assert layer.geometry is not None and all(g is not None for g in layer.geometry)


def test_a_first_data_row_of_text_is_not_a_second_header() -> None:
    text = ("ชื่อ,ที่อยู่,หมายเหตุ,,lat,lon\n"
            "นาง ก,ซอย 5,ย้ายแล้ว,ไม่อยู่,,\n"
            "นาย ข,ซอย 6,,,13.76,100.51\n"
            "นาง ค,ซอย 7,,,13.77,100.52\n")
    (layer,) = read_csv(text.encode(), "notes.csv", {}).layers
    assert layer.meta["header_rows"] == 1 and len(layer.frame) == 3
    assert layer.frame["หมายเหตุ"].tolist() == ["ย้ายแล้ว", None, None]


def legacy_workbook(*, dates_1904: bool) -> tuple[bytes, list[list[str]]]:
    """The Sa Kaeo tambons in a legacy .xls written with xlwt (BIFF8, as Excel 97–2003 and old
    Kobo exports write it): survey dates as date-formatted serials, codes as numbers, and a
    second sheet of the rest."""
    import xlwt  # type: ignore[import-untyped]  # ships no stubs

    kept = [r for r in pramote_rows() if r[3]]
    book = xlwt.Workbook(encoding="utf-8")
    book.dates_1904 = dates_1904
    as_date = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for title, part in (("อำเภอเมือง", kept[:20]), ("อำเภออื่น", kept[20:])):
        sheet = book.add_sheet(title)
        for c, name in enumerate(["รหัส", "ตำบล", "วันที่สำรวจ", "ละติจูด", "ลองจิจูด"]):
            sheet.write(0, c, name)
        for n, r in enumerate(part, start=1):
            sheet.write(n, 0, int(r[0]))
            sheet.write(n, 1, r[1])
            sheet.write(n, 2, datetime.date(2024, 5, n % 28 + 1), as_date)
            sheet.write(n, 3, float(r[3]))
            sheet.write(n, 4, float(r[4]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), kept


@pytest.mark.parametrize("dates_1904", [False, True])
def test_legacy_xls_sheets_and_dates(dates_1904: bool) -> None:
    data, kept = legacy_workbook(dates_1904=dates_1904)
    assert data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    result = read_bytes(data, "ทะเบียน.xls")
    assert result.format == "xls" and [layer.sheet for layer in result.layers] == [
        "อำเภอเมือง", "อำเภออื่น"]
    first, second = result.layers
    assert len(first.frame) == 20 and len(second.frame) == len(kept) - 20
    assert first.frame["รหัส"].iloc[0] == kept[0][0] == "270101"
    assert first.frame["ตำบล"].tolist() == [r[1] for r in kept[:20]]
    assert first.frame["วันที่สำรวจ"].tolist()[:2] == ["2024-05-02", "2024-05-03"]
    for layer in result.layers:
        assert all_inside(layer) and within(bounds(layer), SA_KAEO_BBOX)
        assert (layer.crs_epsg, layer.crs_source) == (4326, "declared")
    assert check(result).features == len(kept)
    assert not [i for i in result.all_issues() if i.severity != Severity.INFO]


def test_same_file_named_xlsx_or_nothing_is_still_read_as_xls() -> None:
    data, _ = legacy_workbook(dates_1904=False)
    assert sniff(data, "tambons.xlsx") == sniff(data, "tambons") == "xls"


@pytest.mark.parametrize("cut", [600, 3000])
def test_damaged_xls_is_an_issue_not_an_exception(cut: int) -> None:
    data, _ = legacy_workbook(dates_1904=False)
    result = read_bytes(data[:cut], "tambons.xls")
    assert result.format == "xls" and result.layers == []
    (found,) = result.issues
    assert (found.code, found.severity) == ("unreadable_xls", Severity.ERROR)
    assert ".xlsx" in found.fix_en and ".xlsx" in found.fix_th


def test_an_xls_that_is_really_csv_is_read_as_csv() -> None:
    result = read_bytes("ชื่อ,lat,lon\nนาง ก,13.75,100.50\n".encode(), "export.xls")
    assert result.format == "csv" and len(result.layers[0].frame) == 1
