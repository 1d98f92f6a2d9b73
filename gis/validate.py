"""Checks of rows about to be imported against their layer and the data already stored.

``validate`` takes the frame an import would write (the layer's fields, EPSG:4326) and returns
``Issue``s; it never raises for bad data and never changes a value (DESIGN.md §5): duplicate ids
(an error for every repeat), plots overlapping each other beyond a threshold (warning), households
outside their village or plot and plot ids not in the store, plots outside their village
(warnings). Distances are in metres (UTM 47N) with slack for GPS: 50 m around a village, 5 m
around a plot.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.io.model import Issue, Severity, issue
from gis.store.protocol import Store
from layers.schema import LayerSpec

OVERLAP_M2 = 5.0  # overlaps smaller than this are digitising noise …
OVERLAP_SHARE = 0.05  # … and so are those under this share of the smaller plot
METRIC = 32647  # UTM 47N: areas for thresholds only (a few % off in zone 48 is fine here)
VILLAGE_SLACK_M = 50.0  # GPS and drawing slack around a village outline
PLOT_SLACK_M = 5.0  # phone GPS error around a plot: a house on its boundary is in it
READ_CHUNK = 5000  # codes per store query (SQL parameter limits)


def validate(frame: gpd.GeoDataFrame, spec: LayerSpec, *, store: Store | None = None,
             rows: Iterable[int] | None = None, file: str | None = None,
             layer: str | None = None) -> list[Issue]:
    """Issues for ``frame`` (rows of ``spec``); ``rows`` are their source row numbers (1-based,
    default 1…n); ``store`` adds the checks against what is stored (villages, plots)."""
    numbers = list(rows) if rows is not None else list(range(1, len(frame) + 1))
    found = _duplicates(frame, spec, numbers, file, layer)
    if spec.name == "plots":
        found += _overlaps(frame, numbers, file, layer)
    if store is not None and spec.name in ("households", "plots") and len(frame):
        points = _metric_points(frame)
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


def _overlaps(frame: gpd.GeoDataFrame, numbers: list[int], file: str | None,
              layer: str | None) -> list[Issue]:
    geoms = gpd.GeoSeries(frame.geometry.to_numpy(), crs=4326).to_crs(METRIC).to_numpy()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
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
    inner = shapely.relate_pattern(geoms[left], geoms[right], "T********")
    left, right, smaller = left[inner], right[inner], smaller[inner]
    shared = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(smaller > 0, shared / smaller, 0.0)
    hits = (shared >= OVERLAP_M2) & (share >= OVERLAP_SHARE)
    found = []
    for a, b, area, part in zip(left[hits], right[hits], shared[hits], share[hits],
                                strict=True):
        found.append(issue(
            "overlapping_plots", Severity.WARNING,
            f"แปลงนี้ทับกับแปลงในแถว {numbers[a]} ประมาณ {area:,.0f} ตร.ม. "
            f"({part:.0%} ของแปลงที่เล็กกว่า)",
            f"this plot overlaps the plot of row {numbers[a]} by about {area:,.0f} m² "
            f"({part:.0%} of the smaller one)",
            fix_th="ตรวจแนวเขตทั้งสองแปลงบนแผนที่", fix_en="check both boundaries on the map",
            file=file, layer=layer, row=numbers[b]))
    return found


def _outside_village(frame: gpd.GeoDataFrame, points: np.ndarray[Any, Any], store: Store,
                     numbers: list[int], file: str | None, layer: str | None) -> list[Issue]:
    if "village_code" not in frame.columns:
        return []
    codes = _keys(frame["village_code"])
    villages = _read_keyed(store, "villages", "village_code", codes)
    if villages.empty:
        return []
    far, _ = _farther_than(points, codes, villages, "village_code", VILLAGE_SLACK_M)
    return [issue(
        "outside_village", Severity.WARNING,
        f"ตำแหน่งอยู่นอกเขตหมู่บ้าน {codes[i]}",
        f"the location is outside village {codes[i]}",
        fix_th="ตรวจรหัสหมู่บ้านหรือพิกัด", fix_en="check the village code or the location",
        file=file, layer=layer, row=numbers[i], field="village_code")
        for i in np.flatnonzero(far)]


def _outside_plot(frame: gpd.GeoDataFrame, points: np.ndarray[Any, Any], store: Store,
                  numbers: list[int], file: str | None, layer: str | None) -> list[Issue]:
    """Households whose plot id is not stored (``unknown_plot``) or whose point lies more than
    ``PLOT_SLACK_M`` from that plot (``outside_plot``); both warnings."""
    if "plot_id" not in frame.columns:
        return []
    ids = _keys(frame["plot_id"])
    plots = _read_keyed(store, "plots", "plot_id", ids)
    far, known = _farther_than(points, ids, plots, "plot_id", PLOT_SLACK_M)
    found = [issue(
        "outside_plot", Severity.WARNING,
        f"ตำแหน่งบ้านอยู่นอกแปลง {ids[i]} (ห่างเกิน {PLOT_SLACK_M:.0f} เมตร)",
        f"the house is outside plot {ids[i]} (more than {PLOT_SLACK_M:.0f} m away)",
        fix_th="ตรวจรหัสแปลงหรือพิกัด", fix_en="check the plot id or the location",
        file=file, layer=layer, row=numbers[i], field="plot_id")
        for i in np.flatnonzero(far)]
    found += [issue(
        "unknown_plot", Severity.WARNING,
        f"ไม่มีแปลงรหัส {ids[i]} ในฐานข้อมูล",
        f"there is no plot {ids[i]} in the store",
        fix_th="ตรวจรหัสแปลง หรือนำเข้าชั้นแปลงที่ดินก่อน",
        fix_en="check the plot id, or import the plots first",
        file=file, layer=layer, row=numbers[i], field="plot_id")
        for i in np.flatnonzero(~known & (ids != "") & _plots_surveyed(frame, store))]
    return sorted(found, key=lambda item: item.row or 0)


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


def _metric_points(frame: gpd.GeoDataFrame) -> np.ndarray[Any, Any]:
    """A point of each row (the point itself, or one on the surface) in ``METRIC``."""
    points = shapely.point_on_surface(frame.geometry.to_numpy())
    metric: np.ndarray[Any, Any] = gpd.GeoSeries(points, crs=4326).to_crs(METRIC).to_numpy()
    return metric


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
