"""Geometry of the demo's places: the amphoe outline, its tambons and the villages in them.

Everything is drawn in metres in UTM zone 48N (EPSG:32648) and turned into WGS84 degrees only at
the end. Zone 48 because every surveyed feature lies east of 102°E, the zone's western edge
(DESIGN.md §7: Sa Kaeo straddles zones 47 and 48); the synthetic outline reaches a few hundred
metres past 102°E, where UTM 48 is still accurate to far better than the demo needs.

Only the tambon *centres* are real (approximately); outlines and villages are synthetic.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon

WORK_CRS = "EPSG:32648"
OUTPUT_CRS = "EPSG:4326"

# Approximate real centres (lon, lat) of Wang Nam Yen's tambons. Codes and names come from
# geothai; only the locations are needed here.
TAMBON_CENTRES: dict[str, tuple[float, float]] = {
    "270401": (102.17, 13.52),
    "270403": (102.13, 13.47),
    "270405": (102.10, 13.61),
    "270406": (102.03, 13.48),
}

# Surveyed features stay east of this meridian (with a margin from the zone edge at 102°E).
EAST_LIMIT_LON = 102.006

_TO_UTM = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
_TO_WGS84 = Transformer.from_crs(WORK_CRS, "EPSG:4326", always_xy=True)


def lonlat_to_work(lon: float, lat: float) -> tuple[float, float]:
    """A WGS84 position in the working CRS (UTM 48N metres)."""
    x, y = _TO_UTM.transform(lon, lat)
    return float(x), float(y)


def to_wgs84(geometries: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Working-CRS geometries reprojected vertex by vertex to WGS84 lon/lat.

    Shared vertices stay shared (the same input coordinates give the same output), so plots
    that tile in metres still tile in degrees.
    """

    def project(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        lon, lat = _TO_WGS84.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    result: npt.NDArray[np.object_] = shapely.transform(geometries, project)
    return result


def as_multipolygon(geometry: shapely.Geometry) -> MultiPolygon:
    """``geometry``'s polygonal parts as one MultiPolygon (the layers' only polygon type)."""
    if isinstance(geometry, MultiPolygon):
        return geometry
    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry])
    parts = [g for g in shapely.get_parts(geometry) if isinstance(g, Polygon) and not g.is_empty]
    return MultiPolygon(parts)


def blob(
    rng: random.Random,
    centre: tuple[float, float],
    *,
    a: float,
    b: float,
    angle: float,
    roughness: float = 0.08,
    vertices: int = 40,
) -> Polygon:
    """An irregular, star-shaped polygon around ``centre``: a wobbly ellipse.

    Parameters
    ----------
    rng
        The source of randomness.
    centre
        Centre in working-CRS metres.
    a, b
        Semi-axes in metres along and across ``angle``.
    angle
        Orientation of the ``a`` axis, radians from east.
    roughness
        Relative amplitude of the low-frequency wobble of the radius; below about 0.15 the
        outline stays simple (no self-intersections), since the radius never comes near zero.
    vertices
        Number of vertices of the outline.

    Returns
    -------
    Polygon
        A valid polygon.
    """
    # A few low harmonics give the lumpy outline of a village or a forest edge; high ones
    # would give a star.
    harmonics = [(k, rng.uniform(-1.0, 1.0) * roughness / k**0.5, rng.uniform(0, 2 * math.pi))
                 for k in range(2, 6)]
    cx, cy = centre
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    points: list[tuple[float, float]] = []
    for i in range(vertices):
        t = 2 * math.pi * i / vertices
        r = a * b / math.hypot(b * math.cos(t), a * math.sin(t))
        r *= 1.0 + sum(amp * math.cos(k * t + phase) for k, amp, phase in harmonics)
        u, v = r * math.cos(t), r * math.sin(t)
        points.append((cx + u * cos_a - v * sin_a, cy + u * sin_a + v * cos_a))
    return Polygon(points)


def east_region() -> Polygon:
    """The part of the region (in working metres) east of :data:`EAST_LIMIT_LON`.

    The meridian is densified before projecting, because it is slightly curved in UTM.
    """
    lats = np.linspace(13.0, 14.2, 121)
    west = [lonlat_to_work(EAST_LIMIT_LON, float(lat)) for lat in lats]
    east = [lonlat_to_work(102.8, float(lat)) for lat in lats[::-1]]
    return Polygon(west + east)


def amphoe_outline(rng: random.Random, centres: Sequence[tuple[float, float]]) -> Polygon:
    """A synthetic amphoe outline: the tambon centres' hull grown by ~6 km, edges wobbled.

    Its area is about 450 km², a circle of ~12 km radius, like the real Wang Nam Yen.
    """
    core = MultiPoint(list(centres)).convex_hull.buffer(6_000.0, quad_segs=16)
    cx, cy = core.centroid.x, core.centroid.y
    harmonics = [(k, rng.uniform(-0.015, 0.015), rng.uniform(0, 2 * math.pi)) for k in range(3, 8)]
    points: list[tuple[float, float]] = []
    boundary = core.exterior
    for i in range(96):
        t = 2 * math.pi * i / 96
        # The hull buffer is convex, so each ray from its centroid meets the boundary once.
        ray = shapely.LineString([(cx, cy), (cx + 60_000 * math.cos(t), cy + 60_000 * math.sin(t))])
        hit = ray.intersection(boundary)
        r = math.hypot(hit.x - cx, hit.y - cy)
        # The factor stays in 0.845–0.995: the outline wobbles but never grows past the buffer.
        r *= 0.92 + sum(amp * math.cos(k * t + phase) for k, amp, phase in harmonics)
        points.append((cx + r * math.cos(t), cy + r * math.sin(t)))
    return Polygon(points)


def tambon_cells(
    outline: Polygon, centres: dict[str, tuple[float, float]]
) -> dict[str, MultiPolygon]:
    """Voronoi cells of the tambon centres, clipped to the amphoe outline, keyed by code."""
    codes = list(centres)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(MultiPoint([centres[c] for c in codes]), extend_to=outline)
    )
    result: dict[str, MultiPolygon] = {}
    for code in codes:
        centre = Point(centres[code])
        cell = next(c for c in cells if c.contains(centre))
        result[code] = as_multipolygon(cell.intersection(outline))
    return result


@dataclass(frozen=True)
class VillageShape:
    """Where a village lies: its outline, centre and main road direction, in working metres."""

    polygon: Polygon
    centre: tuple[float, float]
    angle: float
    radius: float


def place_village(
    rng: random.Random,
    *,
    allowed: shapely.Geometry,
    others: Sequence[Polygon],
    area_m2: float,
    aspect: tuple[float, float] = (1.0, 1.5),
    near: tuple[float, float] | None = None,
    near_radius: float = 0.0,
    gap: float = 400.0,
) -> VillageShape:
    """Draw a village outline of about ``area_m2`` inside ``allowed``, away from ``others``.

    Parameters
    ----------
    rng
        The source of randomness.
    allowed
        Where the whole outline must lie (the tambon, east of the zone edge, inside the amphoe).
    others
        Outlines already placed; the new one keeps at least ``gap`` metres from each.
    area_m2
        Target area; met unless the outline would then be less than ~0.6 or more than ~1.4 km
        across, the range of a village's extent.
    aspect
        Range of the ratio of the long to the short axis.
    near, near_radius
        If given, the centre is drawn within ``near_radius`` metres of ``near`` (the town).
    gap
        Minimum distance to the other villages, in metres.

    Returns
    -------
    VillageShape
        The outline with its centre, orientation and largest radius.

    Raises
    ------
    RuntimeError
        If no position is found in 2,000 draws: the demo's parameters are inconsistent (a bug).
    """
    ratio = rng.uniform(*aspect)
    # Long semi-axis within 280–620 m: with the wobble (≤ ~10 %), 0.6–1.4 km across.
    a = min(max(math.sqrt(area_m2 * ratio / math.pi), 280.0), 620.0)
    b = a / ratio
    angle = rng.uniform(0, math.pi)
    # Keep the wobbled outline, not just the ellipse, inside; a margin of 150 m from the edge.
    inner = allowed.buffer(-(a * 1.15 + 150.0))
    others_union = shapely.union_all([o.buffer(gap) for o in others]) if others else None
    minx, miny, maxx, maxy = inner.bounds
    for _ in range(2_000):
        if near is not None:
            r = near_radius * math.sqrt(rng.random())
            t = rng.uniform(0, 2 * math.pi)
            centre = (near[0] + r * math.cos(t), near[1] + r * math.sin(t))
        else:
            centre = (rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if not inner.contains(Point(centre)):
            continue
        polygon = blob(rng, centre, a=a, b=b, angle=angle)
        if not allowed.buffer(-150.0).contains(polygon):
            continue
        if others_union is not None and polygon.intersects(others_union):
            continue
        return VillageShape(polygon=polygon, centre=centre, angle=angle, radius=a * 1.15)
    raise RuntimeError(f"no room for a village of {area_m2:.0f} m² after 2,000 draws")
