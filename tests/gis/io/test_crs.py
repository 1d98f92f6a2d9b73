"""CRS from .prj files, and guesses from where coordinates land (the 77 Thai provinces)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import CRS

from gis.io import crs
from gis.io.model import CrsCandidate, RawLayer
from tests.gis.io import corpus

THAI_EPSG = [4326, 32647, 32648, 24047, 24048]


def province_points(epsg: int) -> tuple[np.ndarray, np.ndarray]:
    """Every vertex of the provinces' outlines, in ``epsg``."""
    frame = corpus.provinces_frame().to_crs(epsg)
    return crs.coordinates(list(frame.geometry))


@pytest.mark.parametrize("epsg", THAI_EPSG)
@pytest.mark.parametrize("flavour", ["WKT1_ESRI", "WKT1_GDAL", "WKT2_2019"])
def test_from_prj_maps_thai_systems_to_epsg(epsg: int, flavour: str) -> None:
    assert crs.from_prj(CRS.from_epsg(epsg).to_wkt(flavour)) == epsg


def test_from_prj_of_naturalearth_is_4326() -> None:
    assert crs.from_prj(corpus.naturalearth_parts()["prj"].decode()) == 4326


@pytest.mark.parametrize("text", ["", "\x00", "not a crs", 'LOCAL_CS["arbitrary"]'])
def test_from_prj_returns_none_for_nothing_known(text: str) -> None:
    assert crs.from_prj(text) is None


@pytest.mark.parametrize(("value", "expected"), [
    (32647, 32647), ("EPSG:24047", 24047), ("4326", 4326), ("nonsense", None), (None, None),
    (True, None),
])
def test_epsg_of_user_input(value: object, expected: int | None) -> None:
    assert crs.epsg_of(value) == expected


@pytest.mark.parametrize(("epsg", "first", "also", "never"), [
    (32647, 32647, 24047, 32648),
    (32648, 32648, 24048, 32647),
    (24047, 24047, 32647, 24048),
])
def test_utm_candidates_rank_the_right_zone_first(
    epsg: int, first: int, also: int, never: int,
) -> None:
    ranked = crs.candidates(*province_points(epsg))
    epsgs = [c.epsg for c in ranked]
    # WGS84 and Indian 1975 put the same metres within ~300 m of each other: both fit, and
    # only a preference for the common datum orders them, so Indian 1975 comes first only
    # when it fits clearly better; the zone is never confused.
    assert first in epsgs[:2] and also in epsgs and never not in epsgs
    if epsg // 100 == 326:
        assert epsgs[0] == first
    indian = next(c for c in ranked if c.epsg // 100 == 240)
    assert "200 m" in indian.reason_en and "200 เมตร" in indian.reason_th
    assert all("UTM" in c.reason_th and "UTM" in c.reason_en for c in ranked)


def test_degrees_in_thailand_are_wgs84() -> None:
    ranked = crs.candidates(*province_points(4326))
    assert [(c.epsg, c.swapped_axes) for c in ranked] == [(4326, False)]
    assert "degrees" in ranked[0].reason_en and "องศา" in ranked[0].reason_th


def test_swapped_latitude_and_longitude_are_noticed() -> None:
    xs, ys = province_points(4326)
    ranked = crs.candidates(ys, xs)
    assert [(c.epsg, c.swapped_axes) for c in ranked] == [(4326, True)]
    assert "swapped" in ranked[0].reason_en and "สลับ" in ranked[0].reason_th
    assert ranked[0].as_json()["swapped_axes"] is True


@pytest.mark.parametrize(("xs", "ys"), [
    ([], []),
    ([np.nan], [np.nan]),
    ([2.35, -74.0], [48.85, 40.7]),  # Paris, New York: degrees, not Thailand
    ([5_000_000.0], [5_000_000.0]),  # metres, but nowhere near Thailand in any zone
])
def test_nothing_fits_gives_no_candidates(xs: list[float], ys: list[float]) -> None:
    assert crs.candidates(np.array(xs), np.array(ys)) == []


def test_the_world_in_degrees_is_not_a_thai_guess() -> None:
    world = pyogrio.read_dataframe(corpus.NATURALEARTH.with_suffix(".shp"))
    assert crs.candidates(*crs.coordinates(list(world.geometry))) == []


def test_to_wgs84_round_trips_and_keeps_none() -> None:
    original = list(corpus.provinces_frame().geometry)
    utm = list(corpus.provinces_frame().to_crs(32647).geometry)
    back = crs.to_wgs84([*utm, None], 32647)
    assert back[-1] is None
    assert all(shapely.equals_exact(a, b, tolerance=1e-6)
               for a, b in zip(back[:-1], original, strict=True))
    assert crs.to_wgs84(original, 4326) == original


def test_to_wgs84_swaps_axes_when_asked() -> None:
    point = shapely.Point(13.75, 100.5)  # Bangkok stored lat, lon
    assert crs.to_wgs84([point], 4326, swapped=True)[0].equals(shapely.Point(100.5, 13.75))


def test_choose_prefers_declared_then_the_best_guess() -> None:
    def layer(**kw: object) -> RawLayer:
        return RawLayer(name="l", frame=pd.DataFrame(), geometry=[], **kw)  # type: ignore[arg-type]

    guess = CrsCandidate(32647, "ก", "a")
    assert crs.choose(layer(crs_epsg=4326, crs_source="declared")) == (4326, "declared")
    assert crs.choose(layer(crs_epsg=32648, crs_source="given")) == (32648, "given")
    assert crs.choose(layer(crs_candidates=[guess])) == (32647, "guessed")
    assert crs.choose(layer()) == (None, None)


def test_coordinates_skip_missing_and_empty_shapes() -> None:
    xs, ys = crs.coordinates([shapely.Point(1, 2), None, shapely.Polygon()])
    assert (list(xs), list(ys)) == ([1.0], [2.0])
    assert [len(a) for a in crs.coordinates(None)] == [0, 0]
