"""Which coordinate reference system a layer is in: from its ``.prj``, or guessed from where the
coordinates land (DESIGN.md §5, ``locate``).

Thai survey data comes in four systems in practice: WGS84 degrees (GPS, KML, phone apps), UTM
zones 47N and 48N on WGS84 (most agencies since the 2000s), and the same zones on Indian 1975
(older Land Department and RTSD maps). A guess is only a proposal: the user confirms it on a map.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from gis.io import thailand
from gis.io.model import CrsCandidate, CrsSource, RawLayer

WGS84 = 4326
MIN_SHARE = 0.5  # a candidate must put at least half the sampled points in Thailand
SAMPLE = 2000  # points sampled for a guess: enough to rank, cheap to transform
# Ties go to the more common system: WGS84 before Indian 1975, zone 47 before 48, and the
# swapped reading last. The bonus is smaller than any real difference between candidates.
_PREFERENCE = {WGS84: 0.03, 32647: 0.02, 32648: 0.02, 24047: 0.01, 24048: 0.01}
_UTM = {
    32647: ("47N", "WGS84"),
    32648: ("48N", "WGS84"),
    24047: ("47N", "Indian 1975"),
    24048: ("48N", "Indian 1975"),
}
_INDIAN_NOTE_TH = (
    " ค่าแปลงพื้นหลักฐาน Indian 1975 ต่างกันได้ราว 200 เมตรตามวิธีแปลงของ EPSG"
    " ควรตรวจกับจุดที่ทราบตำแหน่ง"
)
_INDIAN_NOTE_EN = (
    "; the Indian 1975 datum shift differs by about 200 m between EPSG transformations,"
    " so check against known points"
)


def from_prj(wkt: str) -> int | None:
    """The EPSG code a ``.prj`` (ESRI or OGC WKT) describes, or None when it names none.

    Parameters
    ----------
    wkt
        The text of the ``.prj`` file.

    Returns
    -------
    int or None
        The EPSG code when PROJ matches the definition with at least 70 % confidence (ESRI
        names such as ``WGS_1984_UTM_Zone_47N`` match at 100 %).
    """
    text = wkt.strip().strip("\x00")
    if not text:
        return None
    try:
        code = CRS.from_wkt(text).to_epsg(min_confidence=70)
    except CRSError:
        return None
    return int(code) if code is not None else None


def epsg_of(value: Any) -> int | None:
    """An EPSG code from what a user gives (``32647``, ``"EPSG:32647"``, ``"32647"``), or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        code = CRS.from_user_input(str(value).strip()).to_epsg(min_confidence=70)
    except CRSError:
        return None
    return int(code) if code is not None else None


@lru_cache(maxsize=16)
def _to_wgs84(epsg: int) -> Transformer:
    return Transformer.from_crs(epsg, WGS84, always_xy=True)


def _sample(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Finite coordinates, thinned evenly to at most ``SAMPLE`` points (deterministic)."""
    x = np.asarray(xs, dtype=float).ravel()
    y = np.asarray(ys, dtype=float).ravel()
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) > SAMPLE:
        pick = np.linspace(0, len(x) - 1, SAMPLE).astype(int)
        x, y = x[pick], y[pick]
    return x, y


def candidates(xs: np.ndarray, ys: np.ndarray) -> list[CrsCandidate]:
    """The CRSs the coordinates could be in, best first; empty when none puts them in Thailand.

    Parameters
    ----------
    xs, ys
        Coordinates as stored in the file (x = easting or longitude).

    Returns
    -------
    list of CrsCandidate
        EPSG:4326 when the values are degrees in Thailand (``swapped_axes`` set when only the
        swapped reading fits), and UTM 47N/48N on WGS84 (32647/32648) or Indian 1975
        (24047/24048) when the values are metres that land in Thailand. Ranked by the share of
        sampled points inside Thailand; a candidate needs at least ``MIN_SHARE`` of them.
    """
    x, y = _sample(xs, ys)
    if len(x) == 0:
        return []
    scored: list[tuple[float, CrsCandidate]] = []
    degrees = bool(np.all(np.abs(x) <= 180) and np.all(np.abs(y) <= 180))
    if degrees:
        share = float(thailand.inside(x, y).mean())
        if share >= MIN_SHARE:
            scored.append((share + _PREFERENCE[WGS84], CrsCandidate(
                WGS84,
                f"พิกัดเป็นองศา (ละติจูด/ลองจิจูด WGS84) อยู่ในประเทศไทย {share:.0%} ของจุด",
                f"coordinates are degrees (WGS84 longitude/latitude) and {share:.0%} of points "
                "fall in Thailand",
            )))
        swapped = float(thailand.inside(y, x).mean())
        if swapped >= MIN_SHARE:
            scored.append((swapped, CrsCandidate(
                WGS84,
                f"ละติจูดและลองจิจูดดูเหมือนสลับกัน: เมื่อสลับแล้ว {swapped:.0%} ของจุดอยู่ในประเทศไทย",
                f"latitude and longitude appear swapped: swapped back, {swapped:.0%} of points "
                "fall in Thailand",
                swapped_axes=True,
            )))
    else:
        for epsg, (zone, datum) in _UTM.items():
            lon, lat = _to_wgs84(epsg).transform(x, y)
            share = float(thailand.inside(np.asarray(lon), np.asarray(lat)).mean())
            if share < MIN_SHARE:
                continue
            indian = epsg // 100 == 240
            note_th, note_en = (_INDIAN_NOTE_TH, _INDIAN_NOTE_EN) if indian else ("", "")
            scored.append((share + _PREFERENCE[epsg], CrsCandidate(
                epsg,
                f"พิกัดเป็นเมตร อยู่ในประเทศไทยเมื่ออ่านเป็น UTM โซน {zone} ({datum}) "
                f"{share:.0%} ของจุด{note_th}",
                f"coordinates are in metres and {share:.0%} of points fall in Thailand as UTM "
                f"zone {zone} ({datum}){note_en}",
            )))
    scored.sort(key=lambda pair: -pair[0])  # stable: equal scores keep the order above
    return [candidate for _, candidate in scored]


def coordinates(geoms: list[Any] | None) -> tuple[np.ndarray, np.ndarray]:
    """All vertex x and y of the geometries (None and empty ones skipped)."""
    if not geoms:
        return np.empty(0), np.empty(0)
    xy = shapely.get_coordinates(np.asarray(geoms, dtype=object))
    return xy[:, 0], xy[:, 1]


def to_wgs84(geoms: list[Any], epsg: int, *, swapped: bool = False) -> list[Any]:
    """The geometries reprojected from ``epsg`` to WGS84 lon/lat (None stays None).

    Parameters
    ----------
    geoms
        Shapely geometries in the source CRS.
    epsg
        The source CRS.
    swapped
        The source stores latitude as x and longitude as y (a candidate's ``swapped_axes``):
        swap them first.

    Returns
    -------
    list
        New geometries, x = longitude, y = latitude.
    """
    array = np.asarray(geoms, dtype=object)
    if swapped:
        array = shapely.transform(array, lambda xy: xy[:, ::-1])
    if epsg != WGS84:
        transformer = _to_wgs84(epsg)

        def project(xy: np.ndarray) -> np.ndarray:
            lon, lat = transformer.transform(xy[:, 0], xy[:, 1])
            return np.column_stack([lon, lat])

        array = shapely.transform(array, project)
    return list(array)


def choose(layer: RawLayer) -> tuple[int | None, CrsSource | None]:
    """The EPSG code to use for a layer and where it comes from.

    Returns the declared or given CRS when there is one, else the best candidate as
    ``"guessed"`` (check its ``swapped_axes``), else ``(None, None)``.
    """
    if layer.crs_epsg is not None:
        return layer.crs_epsg, layer.crs_source or "declared"
    if layer.crs_candidates:
        return layer.crs_candidates[0].epsg, "guessed"
    return None, None
