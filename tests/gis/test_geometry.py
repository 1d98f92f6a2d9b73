"""gis.geometry on the invalid shapes survey teams draw: each explained in Thai and English, and
repaired with make_valid into the exact parts and areas (UTM 47N metres, and degrees in
Bangkok measured geodesically)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from shapely import affinity, wkt

from gis.geometry import area_m2, explain, repair

UTM47 = 32647
X0, Y0 = 700_000.0, 1_500_000.0  # near Sa Kaeo in UTM 47N


def utm(text: str) -> shapely.Geometry:
    """A shape drawn in metres around (0, 0), moved to real UTM 47N coordinates."""
    return affinity.translate(wkt.loads(text), X0, Y0)


def parts(geom: shapely.Geometry) -> list[float]:
    return sorted(round(float(p.area), 6) for p in shapely.get_parts(geom))


def test_bow_tie_splits_into_two_triangles_at_the_crossing() -> None:
    bow_tie = utm("POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))")
    th, en, at = explain(bow_tie, epsg=UTM47)
    assert "crosses itself" in en and "bow-tie" in en and "ตัดไขว้กันเอง" in th
    assert at == shapely.Point(X0 + 5, Y0 + 5) and "x 700005.0, y 1500005.0" in en

    fixed = repair(bow_tie, polygonal=True, epsg=UTM47)
    assert fixed is not None and fixed.method == "structure"
    assert fixed.geometry.geom_type == "MultiPolygon" and fixed.parts == 2
    assert fixed.geometry.is_valid and parts(fixed.geometry) == [25.0, 25.0]
    assert fixed.area_before_m2 == 0.0  # the two halves of the ring cancel out, as in QGIS
    assert fixed.area_after_m2 == pytest.approx(50.0)
    assert fixed.description_en == ("split into 2 parts at the crossing point; area changed "
                                    "from 0 to 50 m²")
    assert fixed.description_th == "แยกเป็น 2 ส่วน ที่จุดตัด; เนื้อที่เปลี่ยนจาก 0 เป็น 50 ตร.ม."


def test_figure_eight_ring_keeps_its_area_in_two_parts() -> None:
    eight = utm("POLYGON ((0 0, 20 0, 10 10, 20 20, 0 20, 10 10, 0 0))")
    _, en, at = explain(eight, epsg=UTM47)
    assert "touches itself" in en and at == shapely.Point(X0 + 10, Y0 + 10)

    fixed = repair(eight, polygonal=True, epsg=UTM47)
    assert fixed is not None and fixed.geometry.geom_type == "MultiPolygon" and fixed.parts == 2
    assert parts(fixed.geometry) == [100.0, 100.0]
    assert fixed.area_before_m2 == pytest.approx(200.0)
    assert fixed.area_after_m2 == pytest.approx(200.0)
    assert fixed.description_en == ("split into 2 parts at the crossing point; area unchanged "
                                    "(200 m²)")


def test_self_touching_ring_becomes_a_polygon_with_a_hole() -> None:
    """ArcGIS-style "inverted hole": the outer ring dips in and touches itself at (5, 10)."""
    dipped = utm("POLYGON ((0 0, 10 0, 10 10, 5 10, 7 5, 3 5, 5 10, 0 10, 0 0))")
    _, en, at = explain(dipped, epsg=UTM47)
    assert "touches itself" in en and at == shapely.Point(X0 + 5, Y0 + 10)

    fixed = repair(dipped, polygonal=True, epsg=UTM47)
    assert fixed is not None and fixed.geometry.geom_type == "Polygon" and fixed.parts == 1
    assert len(fixed.geometry.interiors) == 1 and fixed.geometry.is_valid
    assert fixed.area_before_m2 == pytest.approx(90.0)
    assert fixed.area_after_m2 == pytest.approx(90.0)
    assert fixed.description_en == "holes from 0 to 1; area unchanged (90 m²)"


def test_hole_outside_its_shell_becomes_a_second_part() -> None:
    beside = utm("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (20 20, 21 20, 21 21, 20 21, 20 20))")
    th, en, at = explain(beside, epsg=UTM47)
    assert "hole" in en and "outside the outer boundary" in en and "รู" in th
    assert at == shapely.Point(X0 + 20, Y0 + 20)

    fixed = repair(beside, polygonal=True, epsg=UTM47)
    assert fixed is not None and fixed.method == "structure"
    assert fixed.geometry.geom_type == "MultiPolygon" and fixed.parts == 2
    assert parts(fixed.geometry) == [1.0, 100.0]
    assert fixed.area_before_m2 == pytest.approx(99.0)
    assert fixed.area_after_m2 == pytest.approx(101.0)
    assert fixed.description_en == ("split into 2 parts; holes from 1 to 0; area changed from "
                                    "99 to 101 m²")


def test_shell_and_hole_swapped_falls_back_to_linework() -> None:
    """"structure" subtracts the big "hole" from the small "shell" and keeps nothing;
    "linework" keeps what was drawn: the big square with the small one cut out."""
    swapped = utm("POLYGON ((1 1, 2 1, 2 2, 1 2, 1 1), (0 0, 10 0, 10 10, 0 10, 0 0))")
    assert shapely.make_valid(swapped, method="structure").is_empty

    fixed = repair(swapped, polygonal=True, epsg=UTM47)
    assert fixed is not None and fixed.method == "linework"
    assert fixed.geometry.geom_type == "Polygon" and fixed.parts == 1
    assert len(fixed.geometry.interiors) == 1
    assert fixed.area_before_m2 == 0.0 and fixed.area_after_m2 == pytest.approx(99.0)


def test_duplicate_consecutive_points_are_valid_and_left_alone() -> None:
    doubled = utm("POLYGON ((0 0, 0 0, 10 0, 10 10, 10 10, 0 10, 0 0))")
    assert doubled.is_valid
    assert explain(doubled, epsg=UTM47) == ("รูปร่างถูกต้อง", "the shape is valid", None)
    assert repair(doubled, polygonal=True, epsg=UTM47) is None


def test_a_polygon_collapsed_to_a_line_has_no_repair() -> None:
    flat = utm("POLYGON ((0 0, 10 10, 0 0, 0 0))")
    th, en, _ = explain(flat, epsg=UTM47)
    assert "too few corners" in en and th
    assert repair(flat, polygonal=True, epsg=UTM47) is None


def test_only_polygons_are_kept_from_a_collection() -> None:
    mixed = utm("GEOMETRYCOLLECTION (POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0)), "
                "LINESTRING (20 0, 30 0))")
    fixed = repair(mixed, polygonal=True, epsg=UTM47)
    assert fixed is not None and fixed.geometry.geom_type == "MultiPolygon" and fixed.parts == 2
    assert "dropped 1 line or point piece without area" in fixed.description_en


def test_a_corner_without_coordinates_is_dropped() -> None:
    with np.errstate(invalid="ignore"):  # shapely warns when it builds a ring holding NaN
        holed = shapely.Polygon([(X0, Y0), (X0 + 10, Y0), (math.nan, Y0 + 10), (X0, Y0 + 10)])
    th, en, at = explain(holed, epsg=UTM47)
    assert "no usable coordinate" in en and th and at is None
    fixed = repair(holed, polygonal=True, epsg=UTM47)
    assert fixed is not None and fixed.geometry.geom_type == "Polygon"
    assert fixed.area_after_m2 == pytest.approx(50.0)
    assert fixed.description_en.startswith("removed 1 corner without a usable coordinate")


def test_bow_tie_in_bangkok_is_measured_geodesically() -> None:
    """A 0.001° bow-tie in Bangkok (EPSG:4326): the repaired area on the WGS84 ellipsoid, checked
    against the same shape projected to UTM 47N (scale factor ≈ 0.9997 there: < 0.1 %)."""
    lon, lat = 100.5, 13.75
    bow_tie = affinity.translate(
        wkt.loads("POLYGON ((0 0, 0.001 0.001, 0.001 0, 0 0.001, 0 0))"), lon, lat)
    th, en, at = explain(bow_tie)  # degrees, told apart by the coordinates
    assert at == shapely.Point(100.5005, 13.7505)
    assert "latitude 13.750500, longitude 100.500500" in en
    assert "ละติจูด 13.750500 ลองจิจูด 100.500500" in th

    fixed = repair(bow_tie, polygonal=True)
    assert fixed is not None and fixed.geometry.geom_type == "MultiPolygon" and fixed.parts == 2
    assert fixed.area_before_m2 == pytest.approx(0.0, abs=1e-6)
    assert round(fixed.area_after_m2) == 5983
    project = Transformer.from_crs(4326, UTM47, always_xy=True)
    planar = shapely.transform(fixed.geometry, lambda xy: np.column_stack(
        project.transform(xy[:, 0], xy[:, 1])))
    assert fixed.area_after_m2 == pytest.approx(planar.area, rel=1e-3)
    assert area_m2(fixed.geometry) == fixed.area_after_m2
    assert fixed.description_en == ("split into 2 parts at the crossing point; area changed "
                                    "from 0 to 5,983 m²")
