"""GPX, GeoJSON and GeoPackage: the real shared files, and variants built in tmp_path."""

from __future__ import annotations

import json
import math
import re
import struct
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from gis.io.model import Severity
from gis.io.vector import read_geojson, read_gpkg, read_gpx

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
THIRD_PARTY = DATA / "third_party"
PROVINCES = DATA / "th_provinces.geojson"


def test_real_garmin_track_in_croatia() -> None:
    path = THIRD_PARTY / "gpxpy_around-visnjan-with-car.gpx"
    text = path.read_text(encoding="utf-8")
    # The expected extent comes from the file itself, not from GDAL.
    points = [(float(lon), float(lat)) for lat, lon in re.findall(
        r'<trkpt\s+lat="([-\d.]+)"\s+lon="([-\d.]+)"', text)]
    assert len(points) > 100

    result = read_gpx(path.read_bytes(), path.name, {})

    assert result.format == "gpx" and result.all_issues() == []
    (tracks,) = result.layers  # the empty waypoints and routes layers are skipped
    assert tracks.name == "tracks" and len(tracks.frame) == 1 == text.count("<trk>")
    assert (tracks.crs_epsg, tracks.crs_source, tracks.encoding) == (4326, "declared", "utf-8")
    (line,) = tracks.geometry or []
    assert line.geom_type in ("LineString", "MultiLineString")
    assert len(shapely.get_coordinates(line)) == len(points)
    lons, lats = zip(*points, strict=True)
    assert line.bounds == pytest.approx((min(lons), min(lats), max(lons), max(lats)))
    assert 13.6 < line.bounds[0] < line.bounds[2] < 13.9
    assert 45.2 < line.bounds[1] < line.bounds[3] < 45.3


def test_gpx_waypoints_with_thai_names_and_an_empty_gpx(tmp_path: Path) -> None:
    gpx = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
  <wpt lat="13.75" lon="100.50"><name>บ้านเลขที่ 12</name></wpt>
  <wpt lat="13.76" lon="100.51"><name>ศาลาชุมชน</name></wpt>
</gpx>"""
    result = read_gpx(gpx.encode("utf-8"), "จุด.gpx", {})
    (waypoints,) = result.layers
    assert waypoints.name == "waypoints"
    assert list(waypoints.frame["name"]) == ["บ้านเลขที่ 12", "ศาลาชุมชน"]
    assert [g.coords[0] for g in waypoints.geometry or []] == [(100.50, 13.75), (100.51, 13.76)]

    empty = read_gpx(gpx.split("<wpt")[0].encode() + b"</gpx>", "empty.gpx", {})
    assert empty.layers == [] and [i.code for i in empty.issues] == ["no_features"]


def test_thai_provinces_geojson_as_shared() -> None:
    result = read_geojson(PROVINCES.read_bytes(), PROVINCES.name, {})
    (layer,) = result.layers
    assert result.format == "geojson" and result.all_issues() == []
    # The file has a legacy crs member naming OGC CRS84, which is lon/lat WGS84.
    assert json.loads(PROVINCES.read_bytes())["crs"]["properties"]["name"].endswith("CRS84")
    assert (layer.crs_epsg, layer.crs_source, layer.encoding) == (4326, "declared", "utf-8")
    assert len(layer.frame) == 77 == len(layer.geometry or [])
    assert "กรุงเทพมหานคร" in set(layer.frame["pro_th"])
    assert {g.geom_type for g in layer.geometry or []} <= {"Polygon", "MultiPolygon"}


@pytest.mark.parametrize("name", ["urn:ogc:def:crs:EPSG::32647", "EPSG:32647"])
def test_utm_copy_with_legacy_crs_member_is_declared_32647(tmp_path: Path, name: str) -> None:
    frame = gpd.read_file(PROVINCES).to_crs(32647)
    document = json.loads(frame.to_json())
    document["crs"] = {"type": "name", "properties": {"name": name}}
    data = json.dumps(document, ensure_ascii=False).encode("utf-8")

    (layer,) = read_geojson(data, "จังหวัด_utm.geojson", {}).layers

    assert (layer.crs_epsg, layer.crs_source) == (32647, "declared")
    assert layer.issues == [] and len(layer.frame) == 77
    # Coordinates stay in the source CRS (metres), not reprojected.
    first = (layer.geometry or [])[0]
    assert first.equals_exact(frame.geometry.iloc[0], tolerance=1e-6)
    assert first.bounds[0] > 100_000


def test_feature_and_bare_geometry_without_crs_are_wgs84() -> None:
    feature = {"type": "Feature", "properties": {"ชื่อ": "บ้าน ก"},
               "geometry": {"type": "Point", "coordinates": [100.5, 13.7]}}
    (layer,) = read_geojson(json.dumps(feature).encode(), "f.geojson", {}).layers
    assert list(layer.frame["ชื่อ"]) == ["บ้าน ก"] and layer.crs_epsg == 4326
    bare = read_geojson(b'{"type": "Point", "coordinates": [100.5, 13.7]}', "g.json", {})
    assert [len(layer.frame) for layer in bare.layers] == [1]
    assert (bare.layers[0].geometry or [])[0].coords[0] == (100.5, 13.7)


def test_unknown_crs_member_leaves_the_crs_open_with_candidates() -> None:
    document = json.loads(PROVINCES.read_bytes())
    document["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:LOCAL::bogus"}}
    (layer,) = read_geojson(json.dumps(document).encode(), "p.geojson", {}).layers
    assert layer.crs_epsg is None and layer.crs_source is None
    assert [i.code for i in layer.issues] == ["unknown_crs"]
    assert layer.crs_candidates[0].epsg == 4326


def test_invalid_json_and_json_that_is_not_geojson_are_file_errors() -> None:
    broken = read_geojson(b'{"type": "FeatureCollection",\n "features": [}', "x.geojson", {})
    (problem,) = broken.issues
    assert (problem.code, problem.severity) == ("bad_json", Severity.ERROR)
    assert "line 2" in problem.message_en and broken.layers == []
    assert [i.code for i in read_geojson(b"[1, 2]", "y.json", {}).issues] == ["not_geojson"]


def test_real_curvepolygon_geopackage_is_linearised() -> None:
    path = THIRD_PARTY / "pyogrio_curvepolygon.gpkg"
    result = read_gpkg(path.read_bytes(), path.name, {})
    assert result.format == "gpkg" and result.all_issues() == []
    (layer,) = result.layers
    assert (layer.crs_epsg, layer.crs_source) == (4326, "declared")
    assert len(layer.frame) == 1  # no attribute columns, still one row
    (shape,) = layer.geometry or []
    assert shape.geom_type in ("Polygon", "MultiPolygon")
    minx, miny, maxx, maxy = shape.bounds  # British Columbia
    assert -130 < minx < maxx < -120 and 50 < miny < maxy < 56


def test_true_circular_arc_becomes_a_polygon_close_to_the_circle(tmp_path: Path) -> None:
    # ISO WKB CurvePolygon (10) whose ring is a CircularString (8): a unit circle.
    ring = [(101.0, 13.0), (100.0, 14.0), (99.0, 13.0), (100.0, 12.0), (101.0, 13.0)]
    wkb = struct.pack("<BII", 1, 10, 1) + struct.pack("<BII", 1, 8, len(ring)) + b"".join(
        struct.pack("<dd", *xy) for xy in ring)
    path = tmp_path / "curve.gpkg"
    pyogrio.raw.write(path, geometry=np.array([wkb], dtype=object),
                      field_data=[np.array(["วงกลม"], dtype=object)], fields=["ชื่อ"],
                      crs="EPSG:4326", geometry_type="Unknown", driver="GPKG", layer="วง")

    (layer,) = read_gpkg(path.read_bytes(), path.name, {}).layers

    (circle,) = layer.geometry or []
    assert circle.geom_type == "Polygon" and len(circle.exterior.coords) > 20
    assert circle.area == pytest.approx(math.pi, rel=0.01)


def test_geopackage_layers_each_in_their_own_crs(tmp_path: Path) -> None:
    provinces = gpd.read_file(PROVINCES)[["pro_th", "geometry"]].head(5)
    path = tmp_path / "ชุมชน.gpkg"
    pyogrio.write_dataframe(provinces, path, layer="จังหวัด_wgs84")
    pyogrio.write_dataframe(provinces.to_crs(32647), path, layer="จังหวัด_utm47")
    houses = gpd.GeoDataFrame({"เลขที่": ["1", "2"]}, geometry=gpd.points_from_xy(
        [662_000.0, 663_000.0], [1_520_000.0, 1_521_000.0]))  # Bangkok in UTM 47N, no CRS
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        pyogrio.write_dataframe(houses, path, layer="บ้าน_ไม่มีระบบพิกัด")
    pyogrio.write_dataframe(houses.drop(columns="geometry"), path, layer="ตาราง")

    result = read_gpkg(path.read_bytes(), path.name, {})

    layers = {layer.name: layer for layer in result.layers}
    assert list(layers) == ["จังหวัด_wgs84", "จังหวัด_utm47", "บ้าน_ไม่มีระบบพิกัด", "ตาราง"]
    assert (layers["จังหวัด_wgs84"].crs_epsg, layers["จังหวัด_utm47"].crs_epsg) == (4326, 32647)
    assert list(layers["จังหวัด_utm47"].frame["pro_th"]) == list(provinces["pro_th"])
    unknown = layers["บ้าน_ไม่มีระบบพิกัด"]
    assert unknown.crs_epsg is None and [i.code for i in unknown.issues] == ["no_crs"]
    assert unknown.crs_candidates[0].epsg == 32647
    table = layers["ตาราง"]
    assert table.geometry is None and list(table.frame["เลขที่"]) == ["1", "2"]
    assert [i.code for i in result.all_issues()] == ["no_crs"]
    assert list(tmp_path.iterdir()) == [path]  # nothing of ours left behind here


def test_garbage_geopackage_is_an_unreadable_error() -> None:
    result = read_gpkg(b"SQLite format 3\x00" + b"\x00" * 200, "broken.gpkg", {})
    assert result.layers == []
    # GDAL's own warning on the way (no GeoPackage application id) is kept as an issue too.
    assert [(i.code, i.severity) for i in result.issues] == [
        ("gdal_warning", Severity.WARNING), ("unreadable", Severity.ERROR)]
