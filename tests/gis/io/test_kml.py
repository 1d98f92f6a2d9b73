"""KML and KMZ as Google Earth, My Maps and GDAL write them, built in tmp_path."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from pyproj import Geod

from gis.io.kml import read_kml, read_kmz
from gis.io.model import RawLayer, ReadResult, Severity

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
GEOD = Geod(ellps="WGS84")

# A survey team's Google Earth file: two Thai folders, a Data field and a SchemaData field with
# Thai names, a parcel with a hole (a pond), a MultiGeometry, a gx:Track, a placemark outside
# any folder, and a house pin whose coordinates were typed by hand with a letter O for a zero.
GOOGLE_EARTH = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
<Document>
  <name>ชุมชนริมคลอง</name>
  <Schema name="บ้าน" id="house_schema">
    <SimpleField name="เลขที่บ้าน" type="string"><displayName>บ้านเลขที่</displayName></SimpleField>
  </Schema>
  <Placemark><name>จุดนัดพบ</name><Point><coordinates>100.50,13.75,0</coordinates></Point>
  </Placemark>
  <Folder>
    <name>แปลงที่ดิน</name>
    <Placemark>
      <name>แปลง 1</name>
      <description><![CDATA[<b>โฉนด</b> 1234]]></description>
      <ExtendedData><Data name="ชื่อเจ้าของ"><value>นางสาวมาลี ใจดี</value></Data></ExtendedData>
      <Polygon><outerBoundaryIs><LinearRing><coordinates>
        100.50,13.70,0 100.51,13.70,0 100.51,13.71,0 100.50,13.71,0 100.50,13.70,0
      </coordinates></LinearRing></outerBoundaryIs>
      <innerBoundaryIs><LinearRing><coordinates>
        100.502,13.702 100.504,13.702 100.504,13.704 100.502,13.704 100.502,13.702
      </coordinates></LinearRing></innerBoundaryIs></Polygon>
    </Placemark>
    <Placemark>
      <name>แปลง 2</name>
      <ExtendedData><Data name="ชื่อเจ้าของ"><value>นายสมชาย</value></Data></ExtendedData>
      <MultiGeometry>
        <Polygon><outerBoundaryIs><LinearRing><coordinates>
          100.52,13.70 100.53,13.70 100.53,13.71 100.52,13.70</coordinates></LinearRing>
        </outerBoundaryIs></Polygon>
        <Polygon><outerBoundaryIs><LinearRing><coordinates>
          100.54,13.70 100.55,13.70 100.55,13.71 100.54,13.70</coordinates></LinearRing>
        </outerBoundaryIs></Polygon>
      </MultiGeometry>
    </Placemark>
    <Folder>
      <name>ทางเดิน</name>
      <Placemark><name>เส้นทางสำรวจ</name>
        <gx:Track><when>2024-01-05T09:00:00Z</when><when>2024-01-05T09:01:00Z</when>
          <gx:coord>100.50 13.70 2</gx:coord><gx:coord>100.51 13.71 3</gx:coord></gx:Track>
      </Placemark>
    </Folder>
  </Folder>
  <Folder>
    <name>บ้าน</name>
    <Placemark>
      <name>บ้าน ก</name>
      <ExtendedData><SchemaData schemaUrl="#house_schema">
        <SimpleData name="เลขที่บ้าน">12/3</SimpleData></SchemaData></ExtendedData>
      <Point><coordinates>100.505, 13.705</coordinates></Point>
    </Placemark>
    <Placemark>
      <name>บ้าน ข</name>
      <ExtendedData><SchemaData schemaUrl="#house_schema">
        <SimpleData name="เลขที่บ้าน">45</SimpleData></SchemaData></ExtendedData>
      <Point><coordinates>100.5O6,13.706</coordinates></Point>
    </Placemark>
  </Folder>
</Document>
</kml>
"""


def by_name(result: ReadResult) -> dict[str, RawLayer]:
    return {layer.name: layer for layer in result.layers}


def check_google_earth(result: ReadResult) -> None:
    layers = by_name(result)
    assert list(layers) == ["ชุมชนริมคลอง", "แปลงที่ดิน", "ทางเดิน", "บ้าน"]
    for layer in result.layers:
        assert (layer.crs_epsg, layer.crs_source, layer.encoding) == (4326, "declared", "utf-8")
        assert len(layer.geometry or []) == len(layer.frame)

    parcels = layers["แปลงที่ดิน"]
    assert list(parcels.frame.columns) == ["name", "description", "ชื่อเจ้าของ"]
    assert list(parcels.frame["ชื่อเจ้าของ"]) == ["นางสาวมาลี ใจดี", "นายสมชาย"]
    assert parcels.frame["description"][0] == "<b>โฉนด</b> 1234"
    assert parcels.meta["folders"] == ["แปลงที่ดิน"]
    pond, multi = parcels.geometry or []
    assert pond.geom_type == "Polygon" and len(pond.interiors) == 1
    assert pond.area == pytest.approx(0.01 * 0.01 - 0.002 * 0.002)
    assert multi.geom_type == "MultiPolygon" and len(multi.geoms) == 2

    track = layers["ทางเดิน"]
    assert track.meta["folders"] == ["แปลงที่ดิน", "ทางเดิน"]
    assert (track.geometry or [])[0].coords[:] == [(100.50, 13.70), (100.51, 13.71)]

    houses = layers["บ้าน"]
    assert list(houses.frame["เลขที่บ้าน"]) == ["12/3", "45"]
    assert houses.meta["display_names"] == {"เลขที่บ้าน": "บ้านเลขที่"}
    assert (houses.geometry or [])[0].coords[:] == [(100.505, 13.705)]  # "lon, lat" with a space
    # The typo is reported on its row, the row is kept and nothing else is flagged.
    assert (houses.geometry or [])[1] is None
    assert [(i.code, i.severity, i.layer, i.row) for i in result.all_issues()] == [
        ("bad_coordinates", Severity.ERROR, "บ้าน", 2)]
    assert "100.5O6" in result.all_issues()[0].message_en

    outside = layers["ชุมชนริมคลอง"]  # placemarks outside any folder: named after the document
    assert list(outside.frame["name"]) == ["จุดนัดพบ"]


def test_google_earth_document_gives_one_layer_per_folder_with_thai_fields() -> None:
    result = read_kml(GOOGLE_EARTH.encode("utf-8"), "ชุมชน.kml", {})
    assert result.format == "kml"
    check_google_earth(result)


def test_the_same_document_zipped_as_kmz_in_a_subfolder() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("files/ชุมชน.kml", GOOGLE_EARTH.encode("utf-8"))
        archive.writestr("files/icon.png", b"\x89PNG\r\n")
    result = read_kmz(buffer.getvalue(), "ชุมชน.kmz", {})
    assert result.format == "kmz"
    check_google_earth(result)


def test_kml_2_1_namespace_and_no_namespace_read_alike() -> None:
    for opening in ('<kml xmlns="http://earth.google.com/kml/2.1">', "<kml>"):
        text = GOOGLE_EARTH.replace(
            '<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">',
            opening.replace(">", ' xmlns:gx="http://www.google.com/kml/ext/2.2">'))
        check_google_earth(read_kml(text.encode("utf-8"), "ชุมชน.kml", {}))


@pytest.mark.parametrize("driver", ["KML", "LIBKML"])
def test_provinces_written_by_gdal_read_back_with_thai_names_and_areas(
    tmp_path: Path, driver: str,
) -> None:
    source = gpd.read_file(DATA / "th_provinces.geojson")
    source = source[source["pro_en"].isin(["Phayao", "Bangkok", "Phuket", "Chiang Mai"])]
    source = source.rename(columns={"pro_th": "ชื่อจังหวัด"}).reset_index(drop=True)
    path = tmp_path / "จังหวัด.kml"
    pyogrio.write_dataframe(source, path, driver=driver, layer="จังหวัด")

    result = read_kml(path.read_bytes(), path.name, {})

    assert result.all_issues() == []
    (layer,) = result.layers
    assert layer.name == "จังหวัด"
    assert list(layer.frame["ชื่อจังหวัด"]) == list(source["ชื่อจังหวัด"])
    assert "ชื่อจังหวัด" in layer.frame.columns  # not "____" as GDAL's LIBKML reader gives
    for read, original in zip(layer.geometry or [], source.geometry, strict=True):
        assert read.geom_type in ("Polygon", "MultiPolygon")
        read_area = abs(GEOD.geometry_area_perimeter(read)[0])
        assert read_area == pytest.approx(abs(GEOD.geometry_area_perimeter(original)[0]),
                                          rel=1e-6)


def test_truncated_kml_is_one_bad_xml_error_naming_the_line() -> None:
    path = DATA / "third_party" / "gdal_truncated.kml"
    result = read_kml(path.read_bytes(), path.name, {})
    assert result.layers == []
    (problem,) = result.issues
    assert (problem.code, problem.severity, problem.file) == ("bad_xml", Severity.ERROR,
                                                               path.name)
    last_line = path.read_bytes().count(b"\n") + 1  # expat stops at the end of the input
    assert f"line {last_line}" in problem.message_en
    assert f"บรรทัด {last_line}" in problem.message_th


def test_entity_bomb_is_refused_as_unsafe_xml() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><kml><Placemark><name>&b;</name></Placemark></kml>"""
    result = read_kml(bomb, "bomb.kml", {})
    assert [i.code for i in result.issues] == ["unsafe_xml"] and result.layers == []


def test_bad_kmz_and_kmz_without_kml_are_file_errors() -> None:
    assert [i.code for i in read_kmz(b"PK\x03\x04broken", "a.kmz", {}).issues] == ["bad_zip"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "ไม่มี KML")
    assert [i.code for i in read_kmz(buffer.getvalue(), "b.kmz", {}).issues] == ["no_kml"]


def test_kml_without_placemarks_is_a_warning() -> None:
    result = read_kml(b"<kml><Document><name>x</name></Document></kml>", "empty.kml", {})
    assert [(i.code, i.severity) for i in result.issues] == [("no_features", Severity.WARNING)]


HOUSES = """<?xml version="1.0" encoding="{}"?>
<kml><Folder><name>บ้าน</name><Placemark><name>บ้าน ก</name>
<Point><coordinates>100.5,13.7</coordinates></Point></Placemark></Folder></kml>"""


@pytest.mark.parametrize("declared", ["windows-874", "TIS-620"])
def test_thai_code_page_declared_in_the_xml_is_honoured(declared: str) -> None:
    # expat alone raises LookupError on "windows-874"; it must not reach the user.
    result = read_kml(HOUSES.format(declared).encode("cp874"), "บ้าน.kml", {})
    assert result.all_issues() == []
    (layer,) = result.layers
    assert (layer.name, layer.encoding, list(layer.frame["name"])) == ("บ้าน", "cp874", ["บ้าน ก"])


def test_cp874_saved_as_if_utf8_is_detected_with_a_warning() -> None:
    undeclared = HOUSES.split("?>", 1)[1]
    for text in (HOUSES.format("UTF-8"), undeclared):
        result = read_kml(text.encode("cp874"), "บ้าน.kml", {})
        assert [(i.code, i.severity) for i in result.issues] == [
            ("encoding_guessed", Severity.WARNING)]
        assert [list(layer.frame["name"]) for layer in result.layers] == [["บ้าน ก"]]
        assert result.layers[0].encoding == "cp874"


def test_utf16_with_bom_reads() -> None:
    result = read_kml(HOUSES.format("UTF-16").encode("utf-16"), "บ้าน.kml", {})
    assert result.all_issues() == [] and result.layers[0].name == "บ้าน"
