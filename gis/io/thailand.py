"""Where Thailand is, for deciding whether coordinates are plausible (CRS guesses, swapped
lat/lon, "outside Thailand" findings).

The outline is Natural Earth's 1:110m Thailand (public domain), buffered by 0.6° (about 65 km)
so that border villages and GPS noise count as inside, plus two boxes for what that scale leaves
out (the Samui/Pha-ngan islands, the Trat coast and Ko Kut), simplified to 0.05°. Every tambon
centre of Thailand falls inside it. Because it reaches into the neighbours, shapes are judged by
the share of them inside (a neighbouring country is at most about a third inside). It is a
plausibility test, not a boundary: never use it for areas or reports.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
from shapely.geometry import Polygon

BBOX = (96.8, 5.1, 106.2, 21.0)  # lon/lat extent of the outline below
MOSTLY = 0.5  # share of a line or polygon inside the outline for it to count as in Thailand

_OUTLINE = (
    (100.3, 10.3), (100.3, 9.54), (100.42, 9.45), (100.83, 8.54), (101.01, 7.72), (101.32, 7.41),
    (101.74, 7.33), (102.05, 7.16), (102.57, 6.65), (102.74, 6.26), (102.61, 5.85),
    (102.28, 5.44), (101.92, 5.22), (101.26, 5.1), (100.81, 5.2), (100.56, 5.6), (100.53, 5.82),
    (100.29, 5.95), (100.09, 5.86), (99.67, 6.03), (99.27, 6.42), (98.99, 7.03), (98.69, 7.35),
    (98.6, 7.25), (98.11, 7.24), (97.77, 7.6), (97.58, 8.16), (97.56, 8.45), (97.67, 9.08),
    (97.98, 10.11), (98.92, 11.94), (98.64, 12.57), (98.54, 13.56), (97.97, 14.24),
    (97.65, 14.87), (97.62, 15.31), (98.07, 15.74), (98.23, 16.12), (97.33, 17.28),
    (96.85, 18.16), (96.81, 18.64), (97.14, 19.0), (97.34, 19.08), (97.7, 19.94), (98.22, 20.31),
    (98.74, 20.34), (99.32, 20.74), (99.89, 20.97), (100.46, 20.91), (100.9, 20.6),
    (101.16, 20.07), (101.32, 20.06), (101.76, 19.82), (101.87, 19.33), (101.69, 18.56),
    (101.82, 18.63), (102.42, 18.63), (102.64, 18.54), (103.25, 18.91), (104.01, 18.84),
    (104.39, 18.65), (105.15, 17.84), (105.32, 17.47), (105.36, 16.69), (106.03, 15.98),
    (106.19, 15.54), (106.14, 14.69), (106.03, 14.37), (105.71, 13.92), (105.13, 13.68),
    (104.28, 13.81), (103.32, 13.67), (102.99, 13.24), (103.17, 12.3), (103.1, 11.87),
    (103.0, 11.8), (103.0, 11.4), (102.2, 11.4), (102.2, 11.71), (101.55, 12.04),
    (100.84, 12.03), (100.59, 12.14), (99.92, 10.3), (100.3, 10.3),
)


@lru_cache(maxsize=1)
def outline() -> Polygon:
    """Thailand, buffered and simplified (see the module docstring)."""
    polygon = Polygon(_OUTLINE)
    shapely.prepare(polygon)
    return polygon


def inside(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """For each lon/lat pair, whether it falls in (buffered) Thailand; NaN is outside."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    out = np.zeros(lon.shape, dtype=bool)
    if ok.any():
        out[ok] = shapely.contains_xy(outline(), lon[ok], lat[ok])
    return out


def in_thailand(geometries: np.ndarray) -> np.ndarray:
    """For each valid shapely geometry (lon/lat): points inside the outline; lines and polygons
    with at least ``MOSTLY`` of their length or area inside. None/empty is outside.

    Single points and shapes wholly inside are decided in one vectorised call each; only the
    shapes that cross the border are measured one by one."""
    geoms = np.asarray(geometries, dtype=object)
    out = np.zeros(len(geoms), dtype=bool)
    shape = outline()
    present = np.array([g is not None for g in geoms], dtype=bool)
    present[present] = ~shapely.is_empty(geoms[present])
    if not present.any():
        return out
    types = np.full(len(geoms), -1)
    types[present] = shapely.get_type_id(geoms[present])
    single = np.flatnonzero(types == 0)  # Point
    if single.size:
        xy = shapely.get_coordinates(geoms[single])
        out[single] = shapely.contains_xy(shape, xy[:, 0], xy[:, 1])
    rest = np.flatnonzero(present & (types != 0))
    if rest.size:
        whole = shapely.contains(shape, geoms[rest])
        out[rest[whole]] = True
        for i in rest[~whole]:
            geom = geoms[i]
            dim = shapely.get_dimensions(geom)
            if dim == 0:
                xy = shapely.get_coordinates(geom)
                out[i] = bool(shapely.contains_xy(shape, xy[:, 0], xy[:, 1]).mean() >= MOSTLY)
            elif dim == 1:
                out[i] = geom.intersection(shape).length >= MOSTLY * geom.length
            else:
                out[i] = geom.intersection(shape).area >= MOSTLY * geom.area
    return out
