"""Finding coordinate columns and building points: headers in Thai and English, Kobo and ODK
exports, DMS text, decimal commas, UTM with and without a zone, headerless pairs, swaps."""

from __future__ import annotations

import pandas as pd
import pytest
from pyproj import Transformer

from gis.io.coord_values import parse_degrees, parse_geopoint, parse_number, parse_zone
from gis.io.coords import Located, column_role, locate
from gis.io.model import Severity

# Real places: Bangkok's city pillar, Chiang Mai's Tha Phae gate, Ubon Ratchathani (zone 48).
BANGKOK = (13.7525, 100.4941)
CHIANG_MAI = (18.7877, 98.9931)
UBON = (15.2287, 104.8564)


def frame(**columns: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})


def codes(located: Located, code: str) -> list[int | None]:
    return [i.row for i in located.issues if i.code == code]


def lonlat(located: Located) -> list[tuple[float, float] | None]:
    assert located.geometry is not None
    return [None if g is None else (round(g.x, 4), round(g.y, 4)) for g in located.geometry]


@pytest.mark.parametrize(("header", "role"), [
    ("ละติจูด", "lat"), ("ลองจิจูด", "lon"), ("Latitude", "lat"), ("LONGITUDE", "lon"),
    ("lat", "lat"), ("lng", "lon"), ("long", "lon"), ("_gps_latitude", "lat"),
    ("_gps_longitude", "lon"), ("gps-Latitude", "lat"), ("gps-Longitude", "lon"),
    ("_gps_precision", "accuracy"), ("gps-Accuracy", "accuracy"), ("พิกัด N", "y"),
    ("พิกัด E", "x"), ("ค่าพิกัดตะวันออก", "x"), ("ค่าพิกัดเหนือ", "y"), ("Easting", "x"),
    ("northing", "y"), ("X", "x"), ("Y", "y"), ("โซน", "zone"), ("UTM zone", "zone"),
    ("ชื่อ", None), ("บ้านเลขที่", None), ("_gps_altitude", None),
])
def test_column_roles(header: str, role: str | None) -> None:
    assert column_role(header) == role


@pytest.mark.parametrize(("text", "value"), [
    ("13.7525", 13.7525), ("13,7525", 13.7525), ("100.4941", 100.4941), ("-8.5", -8.5),
    ("13°45'30.5\"N", 13 + 45 / 60 + 30.5 / 3600), ("100 30 15 E", 100 + 30 / 60 + 15 / 3600),
    ("13d45m30s", 13 + 45 / 60 + 30 / 3600), ("N13 45.5", 13 + 45.5 / 60),
    ("100°30′15″E", 100 + 30 / 60 + 15 / 3600), ("8°30'S", -8.5),
])
def test_degrees(text: str, value: float) -> None:
    assert parse_degrees(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "13 75", "13.7.5", "ไม่ทราบ", "None"])
def test_unreadable_degrees(text: str) -> None:
    assert parse_degrees(text) is None


def test_values_numbers_zones_geopoints() -> None:
    assert parse_number("1,520,345.5", metres=True) == 1520345.5
    assert parse_number("1,520,345.5") is None  # not a decimal comma, and degrees have none
    assert [parse_zone(z) for z in ("47", "48", "47N", "48P", "48Q", "zone 47", "x", "61")] == [
        32647, 32648, 32647, 32648, 32648, 32647, None, None]
    assert parse_geopoint("13.75 100.49 4.0 80") == (13.75, 100.49, 80.0)
    assert parse_geopoint("13.75, 100.49") == (13.75, 100.49, None)
    assert parse_geopoint("13.75") is None


def test_dms_columns_are_declared_degrees() -> None:
    located = locate(frame(ชื่อ=["ก", "ข"], ละติจูด=["13°45'09\"N", "18 47 15.7 N"],
                           ลองจิจูด=["100°29'38.8\"E", "98d59m35.2s"]))
    assert (located.crs_epsg, located.crs_source) == (4326, "declared")
    assert lonlat(located) == [(100.4941, 13.7525), (98.9931, 18.7877)]
    assert located.issues == []


def test_odk_central_columns_with_accuracy() -> None:
    odk: dict[str, list[str | None]] = {"gps-Latitude": ["13.7525", "18.7877"],
                                        "gps-Longitude": ["100.4941", "98.9931"],
                                        "gps-Accuracy": ["4.5", "65"]}
    located = locate(frame(**odk))
    assert located.columns == ("gps-Latitude", "gps-Longitude")
    assert codes(located, "low_accuracy") == [2]
    (low,) = located.issues
    assert low.severity == Severity.WARNING and "65" in low.message_en


def test_whole_file_swap_and_row_swap() -> None:
    whole = locate(frame(lat=["100.4941", "98.9931"], lon=["13.7525", "18.7877"]))
    assert [i.code for i in whole.issues] == ["swapped_latlon_file"]
    assert lonlat(whole) == [(100.4941, 13.7525), (98.9931, 18.7877)]
    rows = locate(frame(lat=["13.7525", "98.9931", "15.2287"],
                        lon=["100.4941", "18.7877", "104.8564"]))
    assert codes(rows, "swapped_latlon_row") == [2] and len(rows.issues) == 1
    assert lonlat(rows) == [(100.4941, 13.7525), (98.9931, 18.7877), (104.8564, 15.2287)]


def test_bad_and_outside_rows_are_reported_not_dropped() -> None:
    located = locate(frame(lat=["13.7525", "", "xx", "48.85"], lon=["100.4941", "98.99", "1",
                                                                   "2.35"]))
    assert codes(located, "bad_coordinates") == [2, 3]
    # Paris is kept as read: gis.io.check judges (and reports) rows outside Thailand.
    assert [i.severity for i in located.issues] == [Severity.ERROR, Severity.ERROR]
    assert lonlat(located) == [(100.4941, 13.7525), None, None, (2.35, 48.85)]


def test_headerless_pair_found_by_values() -> None:
    located = locate(frame(column_1=["101", "102"], column_2=["ก", "ข"],
                           column_3=["13.7525", "18.7877"], column_4=["100.4941", "98.9931"],
                           column_5=["10200", "50100"]), headerless=True)
    assert located.columns == ("column_3", "column_4")
    assert (located.crs_epsg, located.crs_source) == (4326, "guessed")
    assert [i.code for i in located.issues] == ["coordinates_guessed"]


def test_x_y_in_degrees_are_lon_lat() -> None:
    located = locate(frame(X=["100.4941"], Y=["13.7525"]))
    assert lonlat(located) == [(100.4941, 13.7525)] and located.crs_source == "guessed"


def _utm(epsg: int, lat: float, lon: float) -> tuple[str, str]:
    x, y = Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)
    return f"{x:,.2f}", f"{y:.2f}"


def test_utm_without_zone_ranks_candidates() -> None:
    points = [_utm(32647, *BANGKOK), _utm(32647, *CHIANG_MAI)]
    located = locate(frame(easting=[p[0] for p in points], northing=[p[1] for p in points]))
    assert located.crs_epsg is None and located.crs_source is None
    assert [c.epsg for c in located.crs_candidates] == [32647, 24047, 32648, 24048]
    assert "2 of 2" in located.crs_candidates[0].reason_en
    assert located.issues == []


def test_utm_zones_differing_per_row_are_reprojected_to_degrees() -> None:
    bangkok, ubon = _utm(32647, *BANGKOK), _utm(32648, *UBON)
    located = locate(frame(E=[bangkok[0], ubon[0], "500000"], N=[bangkok[1], ubon[1], "1500000"],
                           zone=["47", "48P", ""]))
    assert (located.crs_epsg, located.crs_source) == (4326, "declared")
    assert lonlat(located) == [(100.4941, 13.7525), (104.8564, 15.2287), None]
    assert codes(located, "bad_coordinates") == [3]  # no zone: cannot be placed


def test_no_coordinates() -> None:
    located = locate(frame(ชื่อ=["ก"], อายุ=["45"]))
    assert located.geometry is None
    assert [(i.code, i.severity) for i in located.issues] == [("no_coordinates", Severity.ERROR)]


def test_kobo_export_uses_lat_lon_columns_and_precision() -> None:
    located = locate(frame(gps=["13.7525 100.4941 2 5", "18.7877 98.9931 3 75"],
                           _gps_latitude=["13.7525", "18.7877"],
                           _gps_longitude=["100.4941", "98.9931"],
                           _gps_altitude=["2", "3"], _gps_precision=["5", "75"]))
    assert located.columns == ("_gps_latitude", "_gps_longitude")
    assert codes(located, "low_accuracy") == [2]


def test_metres_under_lat_lon_headers_are_read_as_utm() -> None:
    x, y = _utm(32647, *BANGKOK)
    located = locate(frame(lat=[y], lon=[x], พิกัดโซน=["47"]))
    assert (located.crs_epsg, located.crs_source) == (32647, "declared")
    assert located.issues == []


def test_thai_glued_axis_headers() -> None:
    assert [column_role(h) for h in ("พิกัดX", "พิกัดY", "ค่าพิกัดE", "ค่าพิกัด N")] == [
        "x", "y", "x", "y"]


def test_house_numbers_are_not_geopoints() -> None:
    located = locate(frame(บ้านเลขที่=["12 3", "45 6", "7 1"]))
    assert located.geometry is None
