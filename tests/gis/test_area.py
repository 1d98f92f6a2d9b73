"""gis.area: geodesic areas against UTM where UTM is right, and the rai-ngan-wa notation.

The geodesic area of a small polygon must agree with its planar UTM area once the projection's
areal scale is taken out (``Proj.get_factors``): in zone 47 and 48, and for shapes drawn across
102°E (the zone edge, where Sa Kaeo lies) and 105°E (zone 48's central meridian).
"""

from __future__ import annotations

import math
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Geod, Proj, Transformer
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Point, Polygon

from gis.area import (
    geodesic_area,
    geodesic_area_m2,
    is_rai_ngan_wa,
    parse_rai_ngan_wa,
    rai_ngan_wa,
    rai_ngan_wa_text,
)
from gis.errors import InputError

GEOD = Geod(ellps="WGS84")


# --- rai-ngan-wa ---------------------------------------------------------------------------
def test_examples() -> None:
    assert rai_ngan_wa(3_800.0) == (2, 1, 50.0)  # DESIGN.md §7: 950 sq. wa
    assert rai_ngan_wa_text(3_800.0) == "2-1-50"
    assert rai_ngan_wa_text(500.0) == "0-1-25"
    assert rai_ngan_wa_text(1_600.0) == "1-0-0"
    assert rai_ngan_wa_text(0.0) == "0-0-0"
    assert rai_ngan_wa_text(3_802.0, decimals=1) == "2-1-50.5"
    assert rai_ngan_wa_text(3_800.0, decimals=2) == "2-1-50.00"


def test_rounding_carries_into_ngan_and_rai() -> None:
    assert rai_ngan_wa_text(399.9 * 4) == "1-0-0"  # 399.9 wa → 400 wa = 1 rai, not 0-3-100
    assert rai_ngan_wa_text(99.7 * 4) == "0-1-0"
    assert rai_ngan_wa_text(99.96 * 4, decimals=1) == "0-1-0.0"
    assert rai_ngan_wa_text(99.94 * 4, decimals=1) == "0-0-99.9"


@pytest.mark.parametrize(("text", "m2"), [
    ("2-1-50", 3_800.0),
    ("2-1-50.5", 3_802.0),
    ("๒-๑-๕๐", 3_800.0),
    ("๒-๑-๕๐.๕", 3_802.0),
    (" 2 - 1 - 50 ", 3_800.0),
    ("0-0-0", 0.0),
    ("120-3-99", (120 * 400 + 399) * 4.0),
    ("2 ไร่ 1 งาน 50 ตารางวา", 3_800.0),
    ("2ไร่ 1งาน 50ตร.ว.", 3_800.0),
    ("๒ ไร่ ๑ งาน ๕๐ ตร.วา", 3_800.0),
    ("1 ไร่", 1_600.0),
    ("3 งาน", 1_200.0),
    ("50 ตารางวา", 200.0),
    ("1 ไร่ 25 ตร.ว.", 1_700.0),
])
def test_parse_accepts_the_ways_areas_are_written(text: str, m2: float) -> None:
    assert parse_rai_ngan_wa(text) == pytest.approx(m2)
    assert is_rai_ngan_wa(text)


@pytest.mark.parametrize("text", [
    "", "   ", "abc", "2-1", "2-1-50-1", "-1-0-0", "2-4-0", "2-1-100", "1.5-0-0", "2-1.5-0",
    "3800", "50", "2 ไร่ 4 งาน", "1 งาน 100 ตารางวา", "ไร่", "2,1,50",
])
def test_parse_refuses_with_a_bilingual_message_naming_the_value(text: str) -> None:
    assert not is_rai_ngan_wa(text)
    with pytest.raises(InputError) as caught:
        parse_rai_ngan_wa(text, field="official_area", row=7)
    err = caught.value
    assert repr(text) in err.message_th and repr(text) in err.message_en
    assert "ไร่-งาน-ตารางวา" in err.message_th and "2-1-50" in err.message_th
    assert "rai-ngan-wa" in err.message_en and "2-1-50" in err.message_en
    assert "แถว 7" in err.message_th and "row 7" in err.message_en
    assert err.field == "official_area"


def test_negative_or_missing_areas_are_bugs_not_input() -> None:
    for bad in (-1.0, math.nan, math.inf):
        with pytest.raises(ValueError):
            rai_ngan_wa_text(bad)
        with pytest.raises(ValueError):
            rai_ngan_wa(bad)


@given(st.integers(0, 100_000), st.integers(0, 3), st.integers(0, 99))
def test_text_round_trips(rai: int, ngan: int, wa: int) -> None:
    text = f"{rai}-{ngan}-{wa}"
    assert rai_ngan_wa_text(parse_rai_ngan_wa(text)) == text
    thai = text.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    assert parse_rai_ngan_wa(thai) == parse_rai_ngan_wa(f"{rai} ไร่ {ngan} งาน {wa} ตารางวา")
    assert parse_rai_ngan_wa(thai) == parse_rai_ngan_wa(text)


@given(st.floats(0.0, 1e9, allow_nan=False), st.integers(0, 3))
def test_parse_of_format_is_within_half_a_unit(m2: float, decimals: int) -> None:
    text = rai_ngan_wa_text(m2, decimals=decimals)
    assert re.fullmatch(r"\d+-[0-3]-\d{1,2}" + (rf"\.\d{{{decimals}}}" if decimals else ""),
                        text)
    half_unit_m2 = 4.0 * 0.5 / 10**decimals  # half of the last written digit of a sq. wa
    assert abs(parse_rai_ngan_wa(text) - m2) <= half_unit_m2 * (1 + 1e-9) + m2 * 1e-15


@given(st.floats(0.0, 1e9, allow_nan=False))
def test_parts_add_up(m2: float) -> None:
    rai, ngan, wa = rai_ngan_wa(m2)
    assert 0 <= ngan <= 3 and 0.0 <= wa < 100.0
    assert (rai * 1_600 + ngan * 400 + wa * 4) == pytest.approx(m2, rel=1e-12, abs=1e-6)


@given(st.floats(0.0, 1e8, allow_nan=False), st.floats(0.0, 1e8, allow_nan=False))
def test_monotonic(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert parse_rai_ngan_wa(rai_ngan_wa_text(low)) <= parse_rai_ngan_wa(rai_ngan_wa_text(high))
    assert rai_ngan_wa(low) <= rai_ngan_wa(high)  # tuples compare rai, then ngan, then wa


# --- geodesic against UTM ------------------------------------------------------------------
def _star(rng: np.random.Generator, radius: float, corners: int) -> np.ndarray:
    """A simple (star-shaped) polygon around (0, 0) in metres."""
    angles = np.sort(rng.uniform(0, 2 * np.pi, corners))
    radii = rng.uniform(0.3 * radius, radius, corners)
    return np.column_stack([radii * np.cos(angles), radii * np.sin(angles)])


def _check_against_utm(lon: float, lat: float, epsg: int, seed: int, radius: float) -> None:
    to_utm = Transformer.from_crs(4326, epsg, always_xy=True)
    cx, cy = to_utm.transform(lon, lat)
    ring = _star(np.random.default_rng(seed), radius, 12) + np.array([cx, cy])
    # Straight in UTM is not geodesic: away from the central meridian a geodesic's image bows
    # by about x/R² per metre (0.3 m² over a 700 m edge at the zone edge). Corners every 5 m
    # make both describe the same shape (the bow shrinks with the square of the edge).
    utm = shapely.segmentize(Polygon(ring), 5.0)
    assert utm.is_valid
    # The planar area is the true area times the projection's areal scale, which varies
    # across the shape linearly to first order: its value at the centroid is exact to that order.
    centroid = Transformer.from_crs(epsg, 4326, always_xy=True).transform(*utm.centroid.coords[0])
    scale = Proj(f"EPSG:{epsg}").get_factors(*centroid).areal_scale
    expected = utm.area / scale
    from_utm = geodesic_area(gpd.GeoSeries([utm], crs=epsg))[0]
    lonlat = gpd.GeoSeries([utm], crs=epsg).to_crs(4326).iloc[0]
    # Geod sums large per-edge terms: about 1e-5 m² of rounding, whatever the size.
    assert from_utm == pytest.approx(expected, rel=1e-8, abs=1e-3)
    assert geodesic_area_m2(lonlat) == pytest.approx(from_utm, rel=1e-9)
    assert geodesic_area_m2(utm, crs=epsg) == pytest.approx(from_utm, rel=1e-9)


@given(st.floats(97.6, 101.9), st.floats(5.7, 20.4), st.integers(0, 2**32 - 1),
       st.floats(20.0, 800.0))
def test_agrees_with_utm_zone_47(lon: float, lat: float, seed: int, radius: float) -> None:
    _check_against_utm(lon, lat, 32647, seed, radius)


@given(st.floats(102.1, 107.9), st.floats(5.7, 20.4), st.integers(0, 2**32 - 1),
       st.floats(20.0, 800.0))
def test_agrees_with_utm_zone_48(lon: float, lat: float, seed: int, radius: float) -> None:
    _check_against_utm(lon, lat, 32648, seed, radius)


@given(st.sampled_from([102.0, 105.0]), st.floats(-0.004, 0.004), st.floats(12.5, 14.5),
       st.integers(0, 2**32 - 1))
def test_agrees_across_102_and_105_east(meridian: float, offset: float, lat: float,
                                        seed: int) -> None:
    # Shapes of ~1 km drawn across the zone edge (102°E, Sa Kaeo) are measured from either
    # zone; across 105°E (zone 48's central meridian) the scale is at its minimum.
    for epsg in (32647, 32648):
        _check_against_utm(meridian + offset, lat, epsg, seed, 500.0)


def test_zones_disagree_in_planar_area_but_not_geodesic() -> None:
    # The same 1 ha square in Sa Kaeo (102.3°E): UTM 47 (3.3° from its meridian) overstates it
    # by about 0.23 %, UTM 48 (2.7°) by about 0.13 %; the geodesic area is one number.
    square = shapely.box(102.3, 13.9, 102.300926, 13.9009)
    true = geodesic_area_m2(square)
    planar = {epsg: gpd.GeoSeries([square], crs=4326).to_crs(epsg).area.iloc[0]
              for epsg in (32647, 32648)}
    assert planar[32647] / true - 1 == pytest.approx(0.0023, abs=0.0002)
    assert planar[32648] / true - 1 == pytest.approx(0.0013, abs=0.0002)
    for epsg in (32647, 32648):
        back = geodesic_area(gpd.GeoSeries([square], crs=4326).to_crs(epsg))[0]
        assert back == pytest.approx(true, rel=1e-7)


def test_holes_parts_orientation_and_odd_geometries() -> None:
    outer = shapely.box(102.30, 13.90, 102.31, 13.91)
    hole = shapely.box(102.302, 13.902, 102.304, 13.904)
    with_hole = Polygon(outer.exterior.coords, [hole.exterior.coords])
    full, cut = geodesic_area_m2(outer), geodesic_area_m2(hole)
    assert geodesic_area_m2(with_hole) == pytest.approx(full - cut, rel=1e-12)
    # Clockwise shell with a clockwise hole, and a multipolygon mixing orientations: pyproj's
    # Geod.geometry_area_perimeter adds signed areas; ours never depends on orientation.
    reversed_hole = Polygon(outer.exterior.coords[::-1], [hole.exterior.coords])
    assert geodesic_area_m2(reversed_hole) == pytest.approx(full - cut, rel=1e-12)
    other = shapely.box(102.32, 13.90, 102.33, 13.91)
    mixed = MultiPolygon([outer, Polygon(other.exterior.coords[::-1])])
    expected = full + geodesic_area_m2(other)
    assert geodesic_area_m2(mixed) == pytest.approx(expected, rel=1e-12)
    assert abs(abs(GEOD.geometry_area_perimeter(mixed)[0]) - expected) > 1.0  # pyproj's sum
    areas = geodesic_area(np.array([
        mixed, None, Point(102.3, 13.9), LineString([(102.3, 13.9), (102.4, 13.9)]),
        Polygon(), GeometryCollection([outer, Point(0, 0), MultiPolygon([other])]),
    ], dtype=object))
    assert areas[0] == pytest.approx(expected, rel=1e-12)
    assert np.isnan(areas[1]) and list(areas[2:5]) == [0.0, 0.0, 0.0]
    assert areas[5] == pytest.approx(expected, rel=1e-12)


def test_projected_coordinates_without_their_crs_are_refused() -> None:
    utm = shapely.box(800_000, 1_540_000, 800_100, 1_540_100)
    with pytest.raises(ValueError, match="longitude/latitude"):
        geodesic_area([utm])
    with pytest.raises(ValueError, match="CRS"):
        geodesic_area([utm], crs=None)
    assert geodesic_area([utm], crs=32647)[0] == pytest.approx(10_000, rel=3e-3)


def test_matches_pyproj_for_the_demo_plots() -> None:
    from gis.demo import build_demo

    plots = build_demo()["plots"]
    ours = geodesic_area(plots)
    theirs = np.array([abs(GEOD.geometry_area_perimeter(g)[0]) for g in plots.geometry])
    assert np.array_equal(ours, theirs)  # bit for bit: the demo's areas did not move
    assert np.array_equal(ours, [geodesic_area_m2(g) for g in plots.geometry])
