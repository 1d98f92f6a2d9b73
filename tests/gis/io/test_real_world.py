"""Files as Thai offices and volunteers save them from the programs they have: Excel's
"Unicode Text" (UTF-16, tab-separated), Notepad's "Unicode" KML, Excel's ``sep=;`` line,
decimal commas. Each must read with its Thai text intact."""

from __future__ import annotations

from pathlib import Path

from gis.io.check import check
from gis.io.read import read_bytes

ROWS = [["รหัสบ้าน", "ชื่อ", "ละติจูด", "ลองจิจูด"],
        ["H1", "นางสมศรี ใจดี", "13.52", "102.16"],
        ["H2", "นายสมชาย มั่นคง", "13.53", "102.17"]]


def test_excel_unicode_text_is_utf16_tab_separated() -> None:
    data = "\r\n".join("\t".join(r) for r in ROWS).encode("utf-16")  # with its BOM
    result = read_bytes(data, "survey.txt")
    report = check(result, kind="households")
    assert report.format == "csv" and report.outcome == "import"
    (layer,) = report.layers
    assert layer.raw.encoding == "utf-16" and layer.features == 2
    assert layer.raw.frame["ชื่อ"].tolist() == ["นางสมศรี ใจดี", "นายสมชาย มั่นคง"]


def test_notepad_unicode_kml_reads_its_thai_names() -> None:
    kml = ('<?xml version="1.0" encoding="UTF-16"?><kml xmlns="http://www.opengis.net/kml/2.2">'
           "<Document><Placemark><name>บ้านสมศรี</name><Point><coordinates>102.16,13.52"
           "</coordinates></Point></Placemark></Document></kml>")
    report = check(read_bytes(kml.encode("utf-16"), "houses.kml"), kind="households")
    assert report.format == "kml" and report.features == 1
    assert "บ้านสมศรี" in report.layers[0].raw.frame.astype(str).to_numpy().ravel().tolist()


def test_excel_sep_line_and_decimal_commas() -> None:
    text = "sep=;\n" + "\n".join(";".join(r) for r in ROWS).replace("13.5", "13,5").replace(
        "102.1", "102,1")
    report = check(read_bytes(text.encode("utf-8"), "survey.csv"), kind="households")
    (layer,) = report.layers
    assert layer.features == 2 and layer.bbox() == [102.16, 13.52, 102.17, 13.53]
    assert [i.code for i in report.issues] == ["title_block"]


def test_google_maps_positions_pasted_into_one_cell() -> None:
    # Google Maps shows "13.52, 102.16" and 13°31'12.0"N 102°09'36.0"E; both get pasted.
    text = ('รหัสบ้าน,ชื่อ,พิกัด\nH1,นางสมศรี,"13°31\'12.0""N 102°09\'36.0""E"\n'
            'H2,นาย,"13.53, 102.17"\nH3,นาง,"13°31\'48""N, 102°10\'12""E"\n')
    report = check(read_bytes(text.encode("utf-8"), "gmaps.csv"), kind="households")
    (layer,) = report.layers
    assert layer.features == 3 and not report.issues
    points = [(round(g.x, 4), round(g.y, 4)) for g in layer.geometries]
    assert points == [(102.16, 13.52), (102.17, 13.53), (102.17, 13.53)]


def _plots_shapefile_zip(folder: Path) -> bytes:
    """A cp874 shapefile in UTM 47N, as a land office zips it: upper-case extensions in a
    folder, Thai file names."""
    import io
    import zipfile

    import geopandas as gpd
    from shapely.geometry import box

    frame = gpd.GeoDataFrame(
        {"PLOT": ["P1", "P2"], "OWNER": ["นายก ใจดี", "นางข มีสุข"]},
        geometry=[box(102.1, 13.5, 102.101, 13.501), box(102.2, 13.5, 102.201, 13.501)],
        crs=4326).to_crs(32647)
    frame.to_file(folder / "แปลง.shp", encoding="cp874")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for part in folder.iterdir():
            archive.write(part, "DATA/" + part.stem + part.suffix.upper())
    return out.getvalue()


def test_a_download_zip_holding_a_zipped_shapefile_and_a_readme(tmp_path: Path) -> None:
    import io
    import zipfile

    inner = _plots_shapefile_zip(tmp_path)
    assert check(read_bytes(inner, "plots.zip"), kind="plots").features == 2
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("download/แปลงชุมชน.zip", inner)
        archive.writestr("download/readme.txt", "ข้อมูลจากสำนักงานที่ดิน\nโปรดอ้างอิงแหล่งที่มา\n")
        archive.writestr("download/photo.jpg", b"\xff\xd8\xff\xe0" + bytes(200))
    report = check(read_bytes(out.getvalue(), "download.zip"), kind="plots")
    assert report.format == "zip" and report.outcome == "import"
    (layer,) = report.layers
    assert layer.raw.name == "แปลง" and layer.features == 2 and layer.epsg == 32647
    assert layer.raw.frame["OWNER"].tolist() == ["นายก ใจดี", "นางข มีสุข"]
    # One level only: a zip in a zip in a zip is not opened (zip bombs nest).
    deeper = io.BytesIO()
    with zipfile.ZipFile(deeper, "w") as archive:
        archive.writestr("again.zip", out.getvalue())
    assert check(read_bytes(deeper.getvalue(), "deep.zip")).outcome == "reject"
