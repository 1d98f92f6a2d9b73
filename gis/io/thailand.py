"""Where Thailand is, for deciding whether coordinates are plausible (CRS guesses, swapped
lat/lon, "outside Thailand" findings).

The outline is Natural Earth's 1:110m Thailand (public domain), buffered by 0.3° (about 33 km) so
that islands missing at that scale, border villages and GPS noise count as inside, and simplified
to 0.05°. It is a plausibility test, not a boundary: never use it for areas or reports.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
from shapely.geometry import Polygon

BBOX = (97.0, 5.3, 105.9, 20.8)  # lon/lat extent of the outline below

_OUTLINE = (
    (105.46, 14.1), (105.17, 13.98), (104.28, 14.11), (103.15, 13.95), (102.67, 13.32),
    (102.88, 12.24), (102.84, 12.03), (102.67, 11.9), (102.45, 11.92), (101.62, 12.34),
    (100.84, 12.33), (100.6, 12.43), (100.54, 12.68), (100.62, 13.11), (100.38, 13.11),
    (100.3, 12.2), (99.46, 9.92), (99.5, 9.53), (99.89, 9.51), (100.15, 9.33), (100.55, 8.42),
    (100.74, 7.58), (101.17, 7.13), (101.84, 6.95), (102.35, 6.43), (102.44, 6.24),
    (102.38, 6.03), (102.05, 5.62), (101.87, 5.52), (101.21, 5.4), (100.98, 5.45),
    (100.86, 5.65), (100.8, 6.01), (100.32, 6.27), (100.09, 6.16), (99.88, 6.25), (99.48, 6.63),
    (99.26, 7.18), (98.66, 7.81), (98.47, 7.52), (98.22, 7.52), (98.06, 7.7), (97.85, 8.4),
    (97.97, 9.06), (98.28, 10.06), (99.25, 11.91), (98.92, 12.69), (98.82, 13.69), (98.2, 14.43),
    (97.92, 14.99), (97.91, 15.22), (98.3, 15.52), (98.57, 16.15), (98.25, 16.66), (97.6, 17.42),
    (97.11, 18.3), (97.09, 18.54), (97.26, 18.72), (97.57, 18.85), (97.98, 19.82),
    (98.23, 20.01), (98.85, 20.05), (99.36, 20.43), (100.0, 20.7), (100.29, 20.66),
    (100.72, 20.35), (100.85, 20.14), (100.88, 19.79), (101.3, 19.76), (101.52, 19.64),
    (101.57, 19.39), (101.34, 18.38), (101.35, 18.02), (101.97, 18.37), (102.27, 18.37),
    (102.49, 18.24), (102.82, 18.25), (102.94, 18.46), (103.23, 18.61), (103.98, 18.54),
    (104.18, 18.45), (104.94, 17.63), (105.02, 17.45), (105.07, 16.57), (105.81, 15.77),
    (105.89, 15.55), (105.84, 14.71), (105.46, 14.1),
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


def intersects(geometries: np.ndarray) -> np.ndarray:
    """For each shapely geometry (lon/lat), whether it touches (buffered) Thailand."""
    geoms = np.asarray(geometries, dtype=object)
    valid = np.array([g is not None and not g.is_empty for g in geoms], dtype=bool)
    out = np.zeros(len(geoms), dtype=bool)
    if valid.any():
        out[valid] = shapely.intersects(outline(), geoms[valid])
    return out
