"""Checks of rows about to be imported against their layer and the data already stored.

``validate`` takes the frame an import would write (the layer's fields, EPSG:4326) and returns
``Issue``s; it never raises for bad data and never changes a value (DESIGN.md §5): duplicate ids
(an error for every repeat), plots overlapping each other beyond a threshold and official areas
not written rai-ngan-wa (warnings), households outside their village or plot and plot ids not in
the store, plots outside their village (warnings). Distances are in metres (UTM 47N) with slack
for GPS: 50 m around a village, 5 m around a plot.

The same checks on features already stored (the editor's checks on save, the quality page):
``neighbour_overlaps`` (one shape against the stored plots around it), ``stored_overlaps`` and
``check_places`` — their issues name the feature's ``uid`` instead of a file row.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from gis.area import RAI_NGAN_WA_FIX_EN, RAI_NGAN_WA_FIX_TH, is_rai_ngan_wa
from gis.io.model import Issue, Severity, issue
from gis.store.protocol import Store
from layers.schema import LayerSpec

OVERLAP_M2 = 5.0  # overlaps smaller than this are digitising noise …
OVERLAP_SHARE = 0.05  # … and so are those under this share of the smaller plot
METRIC = 32647  # UTM 47N: areas for thresholds only (a few % off in zone 48 is fine here)
VILLAGE_SLACK_M = 50.0  # GPS and drawing slack around a village outline
PLOT_SLACK_M = 5.0  # phone GPS error around a plot: a house on its boundary is in it
READ_CHUNK = 5000  # codes per store query (SQL parameter limits)
THREADS = 2  # shapes compared on this many threads at most …
THREAD_MIN_PAIRS = 20_000  # … when there are enough pairs to pay for starting them


@dataclass(frozen=True)
class PlotShapes:
    """Plots projected to metres and the pairs of them that overlap (``overlap_pairs``): the
    costly geometric part of validating plots, which needs nothing but the shapes."""

    metric: np.ndarray[Any, Any]
    pairs: tuple[np.ndarray[Any, Any], ...]


def plot_shapes(geoms: np.ndarray[Any, Any]) -> PlotShapes:
    """``PlotShapes`` of ``geoms`` (EPSG:4326). Pure GEOS and PROJ work that releases the GIL:
    an import starts it on a thread while it converts the rows' values."""
    metric = to_metric(geoms)
    return PlotShapes(metric, overlap_pairs(metric))


def validate(frame: gpd.GeoDataFrame, spec: LayerSpec, *, store: Store | None = None,
             rows: Iterable[int] | None = None, file: str | None = None,
             layer: str | None = None, shapes: PlotShapes | None = None) -> list[Issue]:
    """Issues for ``frame`` (rows of ``spec``); ``rows`` are their source row numbers (1-based,
    default 1…n); ``store`` adds the checks against what is stored (villages, plots);
    ``shapes`` is ``plot_shapes`` of the frame's geometry when the caller already has it."""
    numbers = list(rows) if rows is not None else list(range(1, len(frame) + 1))
    found = _duplicates(frame, spec, numbers, file, layer)
    metric = None  # the plots in metres, projected once for every check below
    if spec.name == "plots" and len(frame):
        shapes = shapes or plot_shapes(frame.geometry.to_numpy())
        metric = shapes.metric
        found += _overlaps(shapes.pairs, numbers, file, layer)
        found += _official_areas(frame, spec, numbers, file, layer)
    if store is not None and spec.name in ("households", "plots") and len(frame):
        points = _metric_points(frame) if metric is None else _surface_points(metric)
        found += _outside_village(frame, points, store, numbers, file, layer)
        if spec.name == "households":
            found += _outside_plot(frame, points, store, numbers, file, layer)
    return found


def _duplicates(frame: pd.DataFrame, spec: LayerSpec, numbers: list[int], file: str | None,
                layer: str | None) -> list[Issue]:
    if spec.key not in frame.columns:
        return []
    keys = frame[spec.key].astype("string")
    repeated = keys.duplicated(keep="first") & keys.notna()
    label = spec.field(spec.key)
    return [issue(
        "duplicate_id", Severity.ERROR,
        f"{label.label_th} '{keys.iloc[i]}' ซ้ำกับแถวก่อนหน้าในไฟล์เดียวกัน",
        f"{label.label_en} '{keys.iloc[i]}' repeats an earlier row of the same file",
        fix_th="แก้รหัสให้ไม่ซ้ำ หรือรวมสองแถวเป็นแถวเดียว",
        fix_en="make the id unique, or merge the two rows",
        file=file, layer=layer, row=numbers[i], field=spec.key)
        for i in np.flatnonzero(repeated.to_numpy(dtype=bool))]


def _overlaps(pairs: tuple[np.ndarray[Any, Any], ...], numbers: list[int], file: str | None,
              layer: str | None) -> list[Issue]:
    left, right, shared, share = pairs
    found = []
    for a, b, area, part in zip(left, right, shared, share, strict=True):
        found.append(issue(
            "overlapping_plots", Severity.WARNING,
            f"แปลงนี้ทับกับแปลงในแถว {numbers[a]} ประมาณ {area:,.0f} ตร.ม. "
            f"({part:.0%} ของแปลงที่เล็กกว่า)",
            f"this plot overlaps the plot of row {numbers[a]} by about {area:,.0f} m² "
            f"({part:.0%} of the smaller one)",
            fix_th="ตรวจแนวเขตทั้งสองแปลงบนแผนที่", fix_en="check both boundaries on the map",
            file=file, layer=layer, row=numbers[b]))
    return found


def _official_areas(frame: pd.DataFrame, spec: LayerSpec, numbers: list[int],
                    file: str | None, layer: str | None) -> list[Issue]:
    """A warning for each official area that is not rai-ngan-wa: the value is kept as written
    (it may be a note the surveyor meant), but nothing can be computed from it."""
    if "official_area" not in frame.columns:
        return []
    text = frame["official_area"].astype("string").str.strip()
    written = text.notna() & (text != "")
    bad = {v for v in text[written].unique() if not is_rai_ngan_wa(v)}  # each distinct value once
    label = spec.field("official_area")
    return [issue(
        "bad_official_area", Severity.WARNING,
        f"{label.label_th} '{text.iloc[i]}' ไม่อยู่ในรูปแบบ ไร่-งาน-ตารางวา",
        f"{label.label_en} '{text.iloc[i]}' is not in rai-ngan-wa form",
        fix_th=RAI_NGAN_WA_FIX_TH, fix_en=RAI_NGAN_WA_FIX_EN,
        file=file, layer=layer, row=numbers[i], field="official_area")
        for i in np.flatnonzero((written & text.isin(bad)).to_numpy(dtype=bool))]


def to_metric(geoms: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Shapes in EPSG:4326 as shapes in ``METRIC`` (metres), for thresholds and slack."""
    def project(xy: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return np.column_stack(_to_metric().transform(xy[:, 0], xy[:, 1]))

    metric: np.ndarray[Any, Any] = shapely.transform(np.asarray(geoms, dtype=object), project)
    return metric


def overlap_pairs(geoms: np.ndarray[Any, Any]
                  ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any],
                             np.ndarray[Any, Any]]:
    """Pairs ``(left < right)`` of shapes in metres that overlap by at least ``OVERLAP_M2`` and
    ``OVERLAP_SHARE`` of the smaller one: ``(left, right, shared_m2, share)``, vectorised."""
    tree = shapely.STRtree(geoms)
    # Boxes only: an exact "intersects" here would test every pair of neighbours, most of which
    # are let go by the box test below far more cheaply.
    left, right = tree.query(geoms)
    keep = left < right
    left, right = left[keep], right[keep]
    # The overlap of two bounding boxes bounds the overlap of the shapes: neighbours that only
    # touch (most pairs, in a village) are let go without computing an intersection.
    bounds = shapely.bounds(geoms)
    box_w = np.minimum(bounds[left, 2], bounds[right, 2]) - np.maximum(bounds[left, 0],
                                                                       bounds[right, 0])
    box_h = np.minimum(bounds[left, 3], bounds[right, 3]) - np.maximum(bounds[left, 1],
                                                                       bounds[right, 1])
    areas = shapely.area(geoms)
    smaller = np.minimum(areas[left], areas[right])
    at_most = np.clip(box_w, 0, None) * np.clip(box_h, 0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        possible = (at_most >= OVERLAP_M2) & ((smaller <= 0) | (at_most / smaller >= OVERLAP_SHARE))
    left, right, smaller = left[possible], right[possible], smaller[possible]
    # Neighbours whose boxes overlap may still only share a boundary: the DE-9IM test (do the
    # interiors meet?) is much cheaper than building their intersection.
    inner = _in_threads(shapely.relate_pattern, geoms[left], geoms[right], "T********")
    left, right, smaller = left[inner], right[inner], smaller[inner]
    shared = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(smaller > 0, shared / smaller, 0.0)
    hits = (shared >= OVERLAP_M2) & (share >= OVERLAP_SHARE)
    return left[hits], right[hits], shared[hits], share[hits]


def _outside_village(frame: gpd.GeoDataFrame, points: np.ndarray[Any, Any], store: Store,
                     numbers: list[int], file: str | None, layer: str | None) -> list[Issue]:
    if "village_code" not in frame.columns:
        return []
    villages = _read_keyed(store, "villages", "village_code", _keys(frame["village_code"]))
    return _village_issues(frame, points, villages, numbers, file, layer)


def _village_issues(frame: gpd.GeoDataFrame, points: np.ndarray[Any, Any],
                    villages: gpd.GeoDataFrame, numbers: list[int], file: str | None,
                    layer: str | None, uids: Sequence[str | None] | None = None) -> list[Issue]:
    if "village_code" not in frame.columns or villages.empty:
        return []
    codes = _keys(frame["village_code"])
    far, _ = _farther_than(points, codes, villages, "village_code", VILLAGE_SLACK_M)
    return [issue(
        "outside_village", Severity.WARNING,
        f"ตำแหน่งอยู่นอกเขตหมู่บ้าน {codes[i]}",
        f"the location is outside village {codes[i]}",
        fix_th="ตรวจรหัสหมู่บ้านหรือพิกัด", fix_en="check the village code or the location",
        file=file, layer=layer, field="village_code", **_where(i, numbers, uids))
        for i in np.flatnonzero(far)]


def _where(i: Any, numbers: list[int], uids: Sequence[str | None] | None) -> dict[str, Any]:
    """Where an issue points: the file row, or the stored feature's uid."""
    return {"row": numbers[i]} if uids is None else {"uid": uids[i]}


def _outside_plot(frame: gpd.GeoDataFrame, points: np.ndarray[Any, Any], store: Store,
                  numbers: list[int], file: str | None, layer: str | None) -> list[Issue]:
    """Households whose plot id is not stored (``unknown_plot``) or whose point lies more than
    ``PLOT_SLACK_M`` from that plot (``outside_plot``); both warnings."""
    if "plot_id" not in frame.columns:
        return []
    plots = _read_keyed(store, "plots", "plot_id", _keys(frame["plot_id"]))
    return _plot_issues(frame, points, plots, _plots_surveyed(frame, store), numbers, file,
                        layer)


def _plot_issues(frame: gpd.GeoDataFrame, points: np.ndarray[Any, Any],
                 plots: gpd.GeoDataFrame, surveyed: np.ndarray[Any, np.dtype[np.bool_]],
                 numbers: list[int], file: str | None, layer: str | None,
                 uids: Sequence[str | None] | None = None) -> list[Issue]:
    """``_outside_plot`` given the plots and which rows' villages have plots mapped."""
    ids = _keys(frame["plot_id"])
    far, known = _farther_than(points, ids, plots, "plot_id", PLOT_SLACK_M)
    found = [(i, issue(
        "outside_plot", Severity.WARNING,
        f"ตำแหน่งบ้านอยู่นอกแปลง {ids[i]} (ห่างเกิน {PLOT_SLACK_M:.0f} เมตร)",
        f"the house is outside plot {ids[i]} (more than {PLOT_SLACK_M:.0f} m away)",
        fix_th="ตรวจรหัสแปลงหรือพิกัด", fix_en="check the plot id or the location",
        file=file, layer=layer, field="plot_id", **_where(i, numbers, uids)))
        for i in np.flatnonzero(far)]
    found += [(i, issue(
        "unknown_plot", Severity.WARNING,
        f"ไม่มีแปลงรหัส {ids[i]} ในฐานข้อมูล",
        f"there is no plot {ids[i]} in the store",
        fix_th="ตรวจรหัสแปลง หรือนำเข้าชั้นแปลงที่ดินก่อน",
        fix_en="check the plot id, or import the plots first",
        file=file, layer=layer, field="plot_id", **_where(i, numbers, uids)))
        for i in np.flatnonzero(~known & (ids != "") & surveyed)]
    return [item for _, item in sorted(found, key=lambda pair: int(pair[0]))]


def _plots_surveyed(frame: gpd.GeoDataFrame, store: Store) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Rows whose village already has plots in the store. Households are often surveyed before
    their plots are mapped: an unknown plot id only means something where plots exist."""
    if "village_code" not in frame.columns:
        return np.full(len(frame), bool(store.count_by("plots")), dtype=bool)
    codes = _keys(frame["village_code"])
    wanted = sorted(set(codes) - {""})
    mapped = set()
    for at in range(0, len(wanted), READ_CHUNK):
        mapped |= set(store.count_by("plots", "village_code",
                                     where={"village_code": wanted[at:at + READ_CHUNK]}))
    surveyed: np.ndarray[Any, np.dtype[np.bool_]] = np.isin(codes, list(mapped))
    return surveyed


def _keys(values: pd.Series) -> np.ndarray[Any, Any]:
    """Codes as text, "" where there is none."""
    text = values.astype("string").str.strip().fillna("")
    keys: np.ndarray[Any, Any] = text.to_numpy(dtype=object)
    return keys


def _read_keyed(store: Store, layer: str, key: str,
                keys: np.ndarray[Any, Any]) -> gpd.GeoDataFrame:
    """The stored features of ``layer`` whose ``key`` is one of ``keys``, read in chunks (SQL
    has a limit on parameters; an import can name 100,000 plots)."""
    wanted = sorted(set(keys) - {""})
    chunks = [store.read(layer, where={key: wanted[at:at + READ_CHUNK]})
              for at in range(0, len(wanted), READ_CHUNK)]
    chunks = [c for c in chunks if len(c)]
    if not chunks:
        return gpd.GeoDataFrame({key: []}, geometry=[], crs=4326)
    return gpd.GeoDataFrame(pd.concat(chunks, ignore_index=True), geometry="geometry", crs=4326)


def _in_threads(func: Callable[..., np.ndarray[Any, Any]], left: np.ndarray[Any, Any],
                right: np.ndarray[Any, Any], *args: Any) -> np.ndarray[Any, Any]:
    """``func(left, right, *args)`` over pairs of shapes, in halves on two threads when there
    are many: shapely releases the GIL while GEOS works, so two cores share the work."""
    workers = min(THREADS, os.cpu_count() or 1)
    if workers < 2 or len(left) < THREAD_MIN_PAIRS:
        return func(left, right, *args)
    bounds = np.linspace(0, len(left), workers + 1).astype(int)
    parts = [slice(a, b) for a, b in pairwise(bounds.tolist())]
    with ThreadPoolExecutor(workers) as pool:
        done = list(pool.map(lambda part: func(left[part], right[part], *args), parts))
    return np.concatenate(done)


def _surface_points(metric: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """A point on each shape already in ``METRIC`` (no second projection)."""
    points: np.ndarray[Any, Any] = shapely.point_on_surface(metric)
    return points


def _metric_points(frame: gpd.GeoDataFrame) -> np.ndarray[Any, Any]:
    """A point of each row (the point itself, or one on the surface) in ``METRIC``: the
    coordinates projected as two arrays (no geometry is rebuilt but the points)."""
    points = shapely.point_on_surface(frame.geometry.to_numpy())
    usable = _usable(points)
    x, y = _to_metric().transform(shapely.get_x(points[usable]), shapely.get_y(points[usable]))
    metric = np.full(len(points), None, dtype=object)
    metric[usable] = shapely.points(x, y)
    return metric


@functools.cache
def _to_metric() -> Transformer:
    return Transformer.from_crs(4326, METRIC, always_xy=True)


def _farther_than(points: np.ndarray[Any, Any], keys: np.ndarray[Any, Any],
                  areas: gpd.GeoDataFrame, key: str, slack_m: float,
                  ) -> tuple[np.ndarray[Any, np.dtype[np.bool_]],
                             np.ndarray[Any, np.dtype[np.bool_]]]:
    """Rows whose point lies more than ``slack_m`` from the area named by its key, and rows
    whose key names a stored area. Vectorised: one prepared outline per area, one ``dwithin``
    over all rows."""
    n = len(points)
    if areas.empty:
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    names = areas[key].astype("string").str.strip().to_numpy(dtype=object)
    shapes = gpd.GeoSeries(areas.geometry.to_numpy(), crs=4326).to_crs(METRIC).to_numpy()
    index = pd.Index(names)
    if index.has_duplicates:  # one outline per code, even if the store holds it twice
        grouped = pd.Series(shapes).groupby(names).agg(lambda s: shapely.union_all(s.to_numpy()))
        index, shapes = pd.Index(grouped.index), grouped.to_numpy()
    shapely.prepare(shapes)
    at = index.get_indexer(keys)
    known = at >= 0
    outline = np.full(n, None, dtype=object)
    outline[known] = shapes[at[known]]
    check = _usable(outline) & _usable(points)
    far = np.zeros(n, dtype=bool)
    if check.any():
        far[check] = ~shapely.dwithin(outline[check], points[check], slack_m)
    return far, known


def _usable(geoms: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.bool_]]:
    usable: np.ndarray[Any, np.dtype[np.bool_]] = ~(shapely.is_missing(geoms)
                                                     | shapely.is_empty(geoms))
    return usable


# ------------------------------------------------------- stored features (editor, quality page)
def check_places(frame: gpd.GeoDataFrame, spec: LayerSpec, store: Store, *,
                 uids: Sequence[str | None], plots: gpd.GeoDataFrame | None = None,
                 villages: gpd.GeoDataFrame | None = None) -> list[Issue]:
    """The village and plot checks of ``validate`` for features as they are (or would be)
    stored: households outside their village or plot, unknown plots, plots outside their
    village. Issues carry ``uid`` (one per row of ``frame``) instead of a row number.

    ``plots`` may hold the plots already read (the quality page reads a village's plots once);
    plot ids it lacks are read from the store. ``villages``, when given, must hold every
    village the frame names (the editor has read them already).
    """
    if spec.name not in ("households", "plots") or not len(frame):
        return []
    numbers: list[int] = []
    points = _metric_points(frame)
    found = []
    if "village_code" in frame.columns:
        if villages is None:
            villages = _read_keyed(store, "villages", "village_code",
                                   _keys(frame["village_code"]))
        found += _village_issues(frame, points, villages, numbers, None, spec.name, uids)
    if spec.name == "households" and "plot_id" in frame.columns:
        ids = _keys(frame["plot_id"])
        if plots is None:
            plots = _read_keyed(store, "plots", "plot_id", ids)
        else:
            have = set(_keys(plots["plot_id"])) if len(plots) else set()
            more = _read_keyed(store, "plots", "plot_id",
                               np.asarray([i for i in ids if i not in have], dtype=object))
            if len(more):
                plots = gpd.GeoDataFrame(pd.concat([plots, more], ignore_index=True),
                                         geometry="geometry", crs=4326)
        found += _plot_issues(frame, points, plots, _plots_surveyed(frame, store), numbers,
                              None, spec.name, uids)
    return found


def neighbour_overlaps(geometry: Any, neighbours: gpd.GeoDataFrame, *,
                       uid: str | None = None) -> list[Issue]:
    """One plot shape (EPSG:4326) against stored plots around it (``plot_id``, geometry):
    a warning per plot it overlaps beyond ``OVERLAP_M2`` and ``OVERLAP_SHARE`` of the smaller
    one, naming that plot, the area and the share. Leave the plot itself out of
    ``neighbours``."""
    if geometry is None or geometry.is_empty or not len(neighbours):
        return []
    shapes = np.empty(len(neighbours) + 1, dtype=object)
    shapes[0] = geometry
    shapes[1:] = neighbours.geometry.to_numpy()
    usable = _usable(shapes)
    if not usable[0]:
        return []
    kept = np.flatnonzero(usable)
    left, right, shared, share = overlap_pairs(to_metric(shapes[kept]))
    ids = _keys(neighbours["plot_id"]) if "plot_id" in neighbours.columns else \
        np.full(len(neighbours), "", dtype=object)
    found = []
    for a, b, area, part in zip(kept[left], kept[right], shared, share, strict=True):
        if a != 0:  # a pair of neighbours: not this edit's business
            continue
        other = ids[b - 1] or "?"
        found.append(issue(
            "overlapping_plots", Severity.WARNING,
            f"แปลงนี้ทับกับแปลง {other} ประมาณ {area:,.0f} ตร.ม. ({part:.0%} ของแปลงที่เล็กกว่า)",
            f"this plot overlaps plot {other} by about {area:,.0f} m² ({part:.0%} of the "
            "smaller one)",
            fix_th=f"ตรวจแนวเขตร่วมกับแปลง {other} บนแผนที่ หรือยอมรับการปรับจุดให้ตรงแนวแปลงข้างเคียง",
            fix_en=f"check the boundary shared with plot {other} on the map, or accept snapping "
                   "to the neighbouring plots",
            layer="plots", field="geometry", uid=uid))
    return found


def stored_overlaps(plots: gpd.GeoDataFrame) -> list[Issue]:
    """Stored plots (``uid``, ``plot_id``, geometry) overlapping each other beyond the
    thresholds: one warning per pair, on the later plot, naming the other. Vectorised."""
    shapes = plots.geometry.to_numpy()
    kept = np.flatnonzero(_usable(shapes))
    if len(kept) < 2:
        return []
    left, right, shared, share = overlap_pairs(to_metric(shapes[kept]))
    ids = _keys(plots["plot_id"])
    uids = plots["uid"].astype(str).to_numpy(dtype=object)
    return [issue(
        "overlapping_plots", Severity.WARNING,
        f"แปลง {ids[b]} ทับกับแปลง {ids[a]} ประมาณ {area:,.0f} ตร.ม. "
        f"({part:.0%} ของแปลงที่เล็กกว่า)",
        f"plot {ids[b]} overlaps plot {ids[a]} by about {area:,.0f} m² "
        f"({part:.0%} of the smaller one)",
        fix_th="ตรวจแนวเขตทั้งสองแปลงบนแผนที่", fix_en="check both boundaries on the map",
        layer="plots", field="geometry", uid=uids[b])
        for a, b, area, part in zip(kept[left], kept[right], shared, share, strict=True)]
