"""Points from UTM easting/northing in metres, with a zone per row or a guessed zone.

Thailand spans UTM zones 47 and 48. A zone column gives each row's CRS; without one, the zone
that puts the points in Thailand is the best guess, and the others (including the older Indian
1975 datum of RTSD maps) are offered as candidates for the user to confirm on a map.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from pyproj import Transformer
from shapely.geometry import Point

from gis.io import thailand
from gis.io.coord_values import parse_zone
from gis.io.model import CrsCandidate, CrsSource, Issue, Severity, issue

UTM_ZONES = {32647: "WGS 84 / UTM 47N", 32648: "WGS 84 / UTM 48N",
             24047: "Indian 1975 / UTM 47N", 24048: "Indian 1975 / UTM 48N"}


@dataclass
class UtmPoints:
    geometry: list[Point | None]
    epsg: int | None
    source: CrsSource | None
    candidates: list[CrsCandidate] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


@lru_cache(maxsize=16)
def _to_wgs84(epsg: int) -> Transformer:
    return Transformer.from_crs(epsg, 4326, always_xy=True)


def lonlat(epsg: int, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``x``/``y`` in ``epsg`` as longitude/latitude arrays."""
    lon, lat = _to_wgs84(epsg).transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def from_utm(x: np.ndarray, y: np.ndarray, zones: list[str | None] | None,
             columns: tuple[str | None, ...], where: dict[str, Any]) -> UtmPoints:
    """Points from eastings ``x`` and northings ``y`` (NaN where unreadable) and the text of
    a zone column (or None when the table has none)."""
    fields = "/".join(c for c in columns if c)
    bad = ~(np.isfinite(x) & np.isfinite(y))
    epsgs = np.zeros(len(x), dtype=int)
    if zones is not None:
        for n, text in enumerate(zones):
            zone = parse_zone(text) if text else None
            if zone is None:
                bad[n] = True
            else:
                epsgs[n] = zone
    found = [issue(
        "bad_coordinates", Severity.ERROR,
        f"แถวนี้ไม่มีค่าพิกัด UTM หรือโซน หรืออ่านไม่ได้ ({fields})",
        f"this row's UTM coordinates or zone are missing or unreadable ({fields})",
        fix_th="ใส่ค่าพิกัดตะวันออก (E) ค่าพิกัดเหนือ (N) เป็นเมตร และโซน 47 หรือ 48",
        fix_en="enter easting (E) and northing (N) in metres and the zone, 47 or 48",
        row=int(i) + 1, field=fields, **where) for i in np.flatnonzero(bad)]
    candidates: list[CrsCandidate] = []
    if zones is None:
        candidates = _candidates(x[~bad], y[~bad])
        epsgs[:] = candidates[0].epsg
    used: list[int] = sorted(set(epsgs[~bad].tolist()))
    lon = np.full(len(x), np.nan)
    lat = np.full(len(x), np.nan)
    for epsg in used:
        rows = ~bad & (epsgs == epsg)
        lon[rows], lat[rows] = lonlat(epsg, x[rows], y[rows])
    # Rows outside Thailand are judged (and reported) by gis.io.check, for every format.
    found.sort(key=lambda f: f.row or 0)
    if zones is None:
        geometry = [None if b else Point(a, c) for b, a, c in zip(bad, x, y, strict=True)]
        return UtmPoints(geometry, None, None, candidates, found)
    if len(used) == 1:
        geometry = [None if b else Point(a, c) for b, a, c in zip(bad, x, y, strict=True)]
        return UtmPoints(geometry, used[0], "declared", [], found)
    # Zones differ from row to row: one layer needs one CRS, so reproject to degrees here.
    geometry = [None if b else Point(a, c) for b, a, c in zip(bad, lon, lat, strict=True)]
    return UtmPoints(geometry, 4326, "declared", [], found)


def _candidates(x: np.ndarray, y: np.ndarray) -> list[CrsCandidate]:
    """UTM CRSs used in Thailand, the one putting most points in Thailand first."""
    scores: dict[int, int] = {}
    for epsg in UTM_ZONES:
        lon, lat = lonlat(epsg, x, y)
        scores[epsg] = int(thailand.inside(lon, lat).sum())
    # WGS 84 before Indian 1975 on a tie: GPS and recent maps use WGS 84.
    ranked = sorted(UTM_ZONES, key=lambda e: (-scores[e], e < 30000))
    n = len(x)
    out = []
    for epsg in ranked:
        name = UTM_ZONES[epsg]
        old = " (พื้นหลักฐานเก่าของแผนที่ทหาร)" if epsg < 30000 else ""
        old_en = " (the older datum of RTSD maps)" if epsg < 30000 else ""
        out.append(CrsCandidate(
            epsg,
            f"{name}{old}: {scores[epsg]} จาก {n} จุดอยู่ในประเทศไทย",
            f"{name}{old_en}: {scores[epsg]} of {n} points fall in Thailand"))
    return out
