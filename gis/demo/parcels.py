"""Plot outlines inside a village: house plots along roads, a few larger farm plots around them.

House plots come from a jittered grid in the village's road-aligned frame: columns of random
width, rows in back-to-back pairs between roads, lanes every few columns. Neighbouring plots
share their jittered corner points exactly, so they tile without gaps or overlaps, and each one
is a slightly irregular convex quadrilateral like a surveyed rural house plot. The cells
nearest the village centre are kept, which gives a compact settlement; farm plots come from a
coarser grid of the same kind in the remaining village land.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import Polygon

from gis.demo.places import VillageShape


@dataclass(frozen=True)
class PlotStyle:
    """Dimensions in metres of the house plots of one kind of community."""

    width: tuple[float, float]
    depth: tuple[float, float]
    road: float = 6.0
    lane: float = 4.0


# Rural house plots 16–36 m × 22–40 m (≈ 350–1,440 m², ¼–1 rai); town plots narrower; crowded
# communities very small, on narrow lanes.
STYLES: dict[str, PlotStyle] = {
    "rural_village": PlotStyle(width=(16.0, 36.0), depth=(22.0, 40.0)),
    "urban_community": PlotStyle(width=(12.0, 22.0), depth=(18.0, 30.0)),
    "crowded_community": PlotStyle(width=(9.0, 15.0), depth=(13.0, 20.0), road=4.0, lane=3.0),
}
FARM_STYLE = PlotStyle(width=(60.0, 120.0), depth=(70.0, 130.0), road=8.0, lane=8.0)


def mean_plot_area(style: PlotStyle) -> float:
    """Expected area of one grid cell including its share of roads and lanes, in m²."""
    w = sum(style.width) / 2
    d = sum(style.depth) / 2
    return w * d * (1 + style.road / (2 * d)) * (1 + style.lane / (8 * w))


@dataclass(frozen=True)
class VillagePlots:
    """The plots of one village, in working-CRS metres, house plots first."""

    polygons: list[Polygon]
    is_farm: list[bool]


def _edges(
    rng: random.Random, extent: float, size: tuple[float, float], gap: float, every: tuple[int, int]
) -> tuple[list[float], list[bool]]:
    """Cell edges along one axis over ``[-extent, extent]``, and whether each interval is a plot.

    After ``every`` (a random count in the range) plot intervals comes a gap interval (road or
    lane) of width ``gap``.
    """
    edges = [-extent]
    is_plot: list[bool] = []
    run, run_length = 0, rng.randint(*every)
    while edges[-1] < extent:
        if run == run_length:
            edges.append(edges[-1] + gap)
            is_plot.append(False)
            run, run_length = 0, rng.randint(*every)
        else:
            edges.append(edges[-1] + rng.uniform(*size))
            is_plot.append(True)
            run += 1
    return edges, is_plot


def _grid_cells(
    rng: random.Random,
    gen: np.random.Generator,
    shape: VillageShape,
    style: PlotStyle,
    *,
    row_run: tuple[int, int],
    col_run: tuple[int, int],
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.float64]]:
    """Every quadrilateral cell of a jittered grid over the village, and its (u, v) centre."""
    extent = shape.radius + 50.0
    u_edges, u_plot = _edges(rng, extent, style.width, style.lane, col_run)
    v_edges, v_plot = _edges(rng, extent, style.depth, style.road, row_run)
    uu, vv = np.meshgrid(np.asarray(u_edges), np.asarray(v_edges), indexing="ij")
    # Each vertex moves at most 12 % of the narrowest interval it touches (road gaps included),
    # which keeps every cell convex and keeps the two sides of a road from crossing it.
    du = np.diff(np.asarray(u_edges))
    dv = np.diff(np.asarray(v_edges))
    min_u = np.minimum(np.r_[du[0], du], np.r_[du, du[-1]])
    min_v = np.minimum(np.r_[dv[0], dv], np.r_[dv, dv[-1]])
    limit = 0.12 * np.minimum.outer(min_u, min_v)
    uu = uu + gen.uniform(-1.0, 1.0, uu.shape) * limit
    vv = vv + gen.uniform(-1.0, 1.0, vv.shape) * limit
    cos_a, sin_a = math.cos(shape.angle), math.sin(shape.angle)
    xx = shape.centre[0] + uu * cos_a - vv * sin_a
    yy = shape.centre[1] + uu * sin_a + vv * cos_a

    ii, jj = np.meshgrid(np.flatnonzero(u_plot), np.flatnonzero(v_plot), indexing="ij")
    # Reading order: along each row of plots (v), then across columns (u).
    order = np.lexsort((ii.ravel(), jj.ravel()))
    i, j = ii.ravel()[order], jj.ravel()[order]
    corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1), (i, j)]
    coords = np.stack([np.column_stack([xx[a, b], yy[a, b]]) for a, b in corners], axis=1)
    cells: npt.NDArray[np.object_] = shapely.polygons(coords)
    centres = np.column_stack([
        (uu[i, j] + uu[i + 1, j + 1]) / 2, (vv[i, j] + vv[i + 1, j + 1]) / 2
    ])
    return cells, centres


def village_plots(
    rng: random.Random,
    gen: np.random.Generator,
    shape: VillageShape,
    *,
    community_type: str,
    n_plots: int,
    n_farm: int,
) -> VillagePlots:
    """Exactly ``n_plots`` non-overlapping plots inside the village outline.

    Parameters
    ----------
    rng, gen
        Sources of randomness (the grid draws and the vertex jitter).
    shape
        The village outline, centre and road direction.
    community_type
        A community-type code with an entry in :data:`STYLES`.
    n_plots
        Total number of plots, farm plots included.
    n_farm
        Farm plots wanted; fewer if the village has no room left, made up with house plots.

    Returns
    -------
    VillagePlots
        House plots in reading order along the roads, then farm plots.

    Raises
    ------
    RuntimeError
        If the village outline cannot hold ``n_plots`` plots (inconsistent sizes: a bug).
    """
    # Plots keep 8 m from the village outline so that they stay inside it after reprojection.
    inner = shape.polygon.buffer(-8.0)
    shapely.prepare(inner)
    style = STYLES[community_type]
    cells, centres = _grid_cells(rng, gen, shape, style, row_run=(2, 2), col_run=(6, 12))
    inside = shapely.contains_properly(inner, cells)
    cells, centres = cells[inside], centres[inside]
    # Settlements stretch along the main road (u): distance is scaled down along it; the noise
    # (about one plot width) roughens the edge of the built-up area without scattering it.
    rank = np.hypot(centres[:, 0] / 1.8, centres[:, 1]) + gen.uniform(
        0.0, 1.5 * max(style.width), len(cells))
    ranked = np.argsort(rank, kind="stable")
    n_house = n_plots - n_farm
    if len(ranked) < n_plots:
        raise RuntimeError(f"village outline holds {len(ranked)} plots, {n_plots} wanted")
    house = np.sort(ranked[:n_house])  # back to reading order

    farms: list[Polygon] = []
    if n_farm:
        farm_cells, _ = _grid_cells(rng, gen, shape, FARM_STYLE, row_run=(1, 3), col_run=(1, 3))
        built = shapely.union_all(cells[house]).buffer(5.0)
        shapely.prepare(built)
        free = shapely.contains_properly(inner, farm_cells) & ~shapely.intersects(built, farm_cells)
        candidates = list(farm_cells[free])
        farms = [candidates[k] for k in sorted(rng.sample(range(len(candidates)),
                                                          min(n_farm, len(candidates))))]
    shortfall = n_farm - len(farms)
    if shortfall:
        # Not enough farm land left: take the next-ranked house cells that miss the farms.
        farm_union = shapely.union_all(farms) if farms else None
        extra = [k for k in ranked[n_house:]
                 if farm_union is None or not farm_union.intersects(cells[k])][:shortfall]
        if len(extra) < shortfall:
            raise RuntimeError(f"village outline holds too few plots for {n_plots}")
        house = np.sort(np.concatenate([house, np.asarray(extra, dtype=house.dtype)]))
    polygons = [*cells[house], *farms]
    return VillagePlots(polygons=polygons, is_farm=[False] * len(house) + [True] * len(farms))
