"""Areas as Thai land offices state them: geodesic square metres and rai-ngan-square wa.

Official areas are geodesic, on the WGS84 ellipsoid (pyproj ``Geod``), never planar UTM: Thai
government files straddle UTM zones 47 and 48 (Sa Kaeo lies across 102°E), where a planar area
is off by the zone's scale factor (up to about 0.2 % at a zone's edge) and two zones disagree
(DESIGN.md §7). Shapes in any CRS are reprojected to EPSG:4326 once, as a whole column.

Thai units: 1 ไร่ (rai) = 4 งาน (ngan) = 400 ตารางวา (square wa) = 1,600 m²; 1 ตารางวา = 4 m².
Documents write an area ``rai-ngan-wa``, ``2-1-50`` (2 rai 1 ngan 50 sq. wa = 950 sq. wa =
3,800 m²), or spelled out, ``2 ไร่ 1 งาน 50 ตารางวา``.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS, Geod

from gis.errors import InputError

SQ_M_PER_SQ_WA = 4.0
SQ_WA_PER_NGAN = 100
NGAN_PER_RAI = 4
SQ_WA_PER_RAI = SQ_WA_PER_NGAN * NGAN_PER_RAI  # 400
SQ_M_PER_RAI = SQ_WA_PER_RAI * SQ_M_PER_SQ_WA  # 1,600

_GEOD = Geod(ellps="WGS84")
_WGS84 = CRS.from_epsg(4326)
_POLYGON, _MULTIPOLYGON, _COLLECTION = 3, 6, 7  # shapely type ids

FloatArray = npt.NDArray[np.float64]


# ------------------------------------------------------------------------------- geodesic
def geodesic_area(geometries: Any, *, crs: Any = 4326) -> FloatArray:
    """Geodesic area of each geometry on the WGS84 ellipsoid, in m².

    Parameters
    ----------
    geometries
        A GeoSeries or GeoDataFrame (its own CRS is used), or an array or list of shapely
        geometries in ``crs``.
    crs
        The CRS of ``geometries`` when they carry none (default EPSG:4326, lon/lat).

    Returns
    -------
    numpy.ndarray
        One area per geometry, always positive (holes subtracted, whatever the ring
        orientation); 0 for empty, point and line geometries; NaN for a missing one.
    """
    if isinstance(geometries, gpd.GeoDataFrame):
        geometries = geometries.geometry
    if isinstance(geometries, gpd.GeoSeries):
        crs = geometries.crs if geometries.crs is not None else crs
        geoms = np.asarray(geometries.array, dtype=object)
    else:
        geoms = np.asarray(geometries, dtype=object).reshape(-1)
    if crs is None:
        raise ValueError("geometries without a CRS: pass crs= (e.g. 4326 or 32647)")
    if not _is_wgs84(crs):
        # One transform for the whole column, not one per geometry.
        geoms = np.asarray(gpd.GeoSeries(geoms, crs=crs).to_crs(_WGS84).array, dtype=object)
    return _lonlat_areas(geoms)


@functools.lru_cache(maxsize=64)
def _is_wgs84(crs: Any) -> bool:
    return bool(CRS.from_user_input(crs).equals(_WGS84))


def geodesic_area_m2(geometry: Any, *, crs: Any = 4326) -> float:
    """Geodesic area of one geometry on the WGS84 ellipsoid, in m² (see ``geodesic_area``)."""
    kind = getattr(geometry, "geom_type", None)
    if kind in ("Polygon", "MultiPolygon") and _is_wgs84(crs) and not geometry.is_empty:
        # The common case without the array machinery (10x faster for one shape), summing the
        # same rings in the same order as ``_lonlat_areas``.
        total = 0.0
        for polygon in getattr(geometry, "geoms", (geometry,)):
            for k, ring in enumerate((polygon.exterior, *polygon.interiors)):
                lon, lat = (np.asarray(v, dtype=np.float64) for v in ring.xy)
                magnitude = abs(_GEOD.polygon_area_perimeter(lon, lat)[0])
                total += magnitude if k == 0 else -magnitude
        return total
    return float(geodesic_area(np.array([geometry], dtype=object), crs=crs)[0])


def _lonlat_areas(geoms: npt.NDArray[Any]) -> FloatArray:
    out = np.full(len(geoms), np.nan)
    present = np.flatnonzero(~shapely.is_missing(geoms))
    out[present] = 0.0
    polygons, owner = _polygon_parts(geoms[present])
    if not len(polygons):
        return out
    rings, ring_polygon = shapely.get_rings(polygons, return_index=True)
    xy, ring_of_point = shapely.get_coordinates(rings, return_index=True)
    if len(xy) and np.abs(xy[:, 1]).max() > 90.0:
        raise ValueError("coordinates are not longitude/latitude degrees: give the right crs=")
    ends = np.cumsum(np.bincount(ring_of_point, minlength=len(rings)))
    starts = ends - np.bincount(ring_of_point, minlength=len(rings))
    lon, lat = np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1])
    # pyproj has no batched polygon area: one C call per ring is the cheapest it offers.
    signed = np.fromiter(
        (_GEOD.polygon_area_perimeter(lon[a:b], lat[a:b])[0] for a, b in zip(starts, ends,
                                                                              strict=True)),
        dtype=np.float64, count=len(rings))
    # The first ring of each polygon is its shell, the others are holes. Taking magnitudes
    # makes the result independent of ring orientation, which GEOS does not normalise
    # (Geod.geometry_area_perimeter adds signed areas and is wrong for mixed orientations).
    shell = np.r_[True, ring_polygon[1:] != ring_polygon[:-1]]
    magnitude = np.where(shell, np.abs(signed), -np.abs(signed))
    out[present] = np.bincount(owner[ring_polygon], weights=magnitude, minlength=len(present))
    return out


def _polygon_parts(geoms: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], npt.NDArray[np.intp]]:
    """The polygons inside ``geoms`` (multipolygons and collections opened, nested too) and the
    index of the geometry each came from, in order."""
    owner = np.arange(len(geoms))
    while True:
        types = shapely.get_type_id(geoms)
        multi = (types == _MULTIPOLYGON) | (types == _COLLECTION)
        if not multi.any():
            break
        parts, which = shapely.get_parts(geoms[multi], return_index=True)
        geoms = np.concatenate([geoms[~multi], parts])
        owner = np.concatenate([owner[~multi], owner[multi][which]])
        order = np.argsort(owner, kind="stable")
        geoms, owner = geoms[order], owner[order]
    keep = (types == _POLYGON) & ~shapely.is_empty(geoms)
    return geoms[keep], owner[keep]


# ---------------------------------------------------------------------------- rai-ngan-wa
def rai_ngan_wa(area_m2: float) -> tuple[int, int, float]:
    """An area in m² as (rai, ngan, square wa): ``3800`` → ``(2, 1, 50.0)``.

    Parameters
    ----------
    area_m2
        Area in square metres, not negative.

    Returns
    -------
    tuple
        Whole rai, whole ngan (0–3) and the square wa left over (0 ≤ wa < 100, not rounded).
    """
    wa = _check_area(area_m2) / SQ_M_PER_SQ_WA
    rai = math.floor(wa / SQ_WA_PER_RAI)
    rest = wa - rai * SQ_WA_PER_RAI
    ngan = min(math.floor(rest / SQ_WA_PER_NGAN), NGAN_PER_RAI - 1)
    return rai, ngan, max(rest - ngan * SQ_WA_PER_NGAN, 0.0)


def rai_ngan_wa_text(area_m2: float, *, decimals: int = 0) -> str:
    """An area written the Thai way, ``rai-ngan-wa``: ``500`` → ``"0-1-25"``.

    The square wa are rounded first (to whole ones by default, as on most documents; Python's
    rounding, half to even) and carried: 399.8 wa is ``"1-0-0"``, never ``"0-3-100"``.

    Parameters
    ----------
    area_m2
        Area in square metres, not negative.
    decimals
        Decimals of the square wa (``1`` → ``"2-1-50.5"``).

    Returns
    -------
    str
        ``"{rai}-{ngan}-{wa}"`` with ngan 0–3 and wa below 100.
    """
    if decimals < 0:
        raise ValueError(f"decimals must not be negative, received {decimals}")
    scale = 10**decimals
    # Whole units of 10^-decimals sq. wa, so that carrying is exact integer arithmetic.
    units = round(_check_area(area_m2) / SQ_M_PER_SQ_WA * scale)
    rai, rest = divmod(units, SQ_WA_PER_RAI * scale)
    ngan, wa = divmod(rest, SQ_WA_PER_NGAN * scale)
    wa_text = str(wa) if decimals == 0 else f"{wa / scale:.{decimals}f}"
    return f"{rai}-{ngan}-{wa_text}"


def _check_area(area_m2: float) -> float:
    value = float(area_m2)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"area_m2 must be a finite number ≥ 0, received {area_m2!r}")
    return value


_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_NUMBER = r"\d+(?:\.\d+)?"
_DASHED = re.compile(rf"(\d+)\s*-\s*(\d+)\s*-\s*({_NUMBER})")
_SPELLED = re.compile(
    r"(?:(\d+)\s*(?:ไร่|rai))?\s*"
    rf"(?:(\d+)\s*(?:งาน|ngan))?\s*"
    rf"(?:({_NUMBER})\s*(?:ตาราง\s*วา|ตร\.?\s*วา|ตร\.?\s*ว\.?|วา|sq\.?\s*wa|square\s+wa|wa))?",
    re.IGNORECASE,
)
RAI_NGAN_WA_FIX_TH = ("เขียนเป็น ไร่-งาน-ตารางวา เช่น 2-1-50 (งาน 0–3, ตารางวา 0–99 มีทศนิยมได้) "
                      "หรือ 2 ไร่ 1 งาน 50 ตารางวา")
RAI_NGAN_WA_FIX_EN = ("write rai-ngan-wa, e.g. 2-1-50 (ngan 0–3, square wa 0–99, decimals "
                      "allowed), or 2 ไร่ 1 งาน 50 ตารางวา")


def parse_rai_ngan_wa(text: str, *, field: str | None = None, row: int | None = None) -> float:
    """The area in m² of a rai-ngan-wa text.

    Accepts ``2-1-50``, ``2-1-50.5``, Thai digits (``๒-๑-๕๐``), spaces around the dashes, and
    the spelled form ``2 ไร่ 1 งาน 50 ตารางวา`` (``ตร.ว.``, ``วา``; any part may be left out).

    Parameters
    ----------
    text
        The area as written.
    field, row
        Where the text came from, named in the error.

    Returns
    -------
    float
        Square metres.

    Raises
    ------
    InputError
        The text is not rai-ngan-wa (ngan above 3 or square wa of 100 or more included); the
        message names the value and the expected form, in Thai and English.
    """
    plain = " ".join(str(text).translate(_THAI_DIGITS).split())
    parts = _split(plain)
    if parts is None:
        raise InputError(
            f"เนื้อที่ {text!r} ไม่อยู่ในรูปแบบ ไร่-งาน-ตารางวา",
            f"area {text!r} is not in rai-ngan-wa form",
            field=field, row=row, fix_th=RAI_NGAN_WA_FIX_TH, fix_en=RAI_NGAN_WA_FIX_EN)
    rai, ngan, wa = parts
    return ((rai * NGAN_PER_RAI + ngan) * SQ_WA_PER_NGAN + wa) * SQ_M_PER_SQ_WA


def _split(plain: str) -> tuple[int, int, float] | None:
    dashed = _DASHED.fullmatch(plain)
    if dashed:
        rai, ngan, wa = int(dashed[1]), int(dashed[2]), float(dashed[3])
    else:
        spelled = _SPELLED.fullmatch(plain)
        if not plain or spelled is None or not any(spelled.groups()):
            return None
        rai, ngan, wa = int(spelled[1] or 0), int(spelled[2] or 0), float(spelled[3] or 0)
    if ngan >= NGAN_PER_RAI or wa >= SQ_WA_PER_NGAN:
        return None
    return rai, ngan, wa


def is_rai_ngan_wa(text: str) -> bool:
    """Whether ``text`` parses as rai-ngan-wa (see ``parse_rai_ngan_wa``)."""
    return _split(" ".join(str(text).translate(_THAI_DIGITS).split())) is not None


__all__ = [
    "NGAN_PER_RAI", "RAI_NGAN_WA_FIX_EN", "RAI_NGAN_WA_FIX_TH", "SQ_M_PER_RAI", "SQ_M_PER_SQ_WA",
    "SQ_WA_PER_NGAN", "SQ_WA_PER_RAI",
    "geodesic_area", "geodesic_area_m2", "is_rai_ngan_wa", "parse_rai_ngan_wa", "rai_ngan_wa",
    "rai_ngan_wa_text",
]
