"""Checks of rows about to be imported against their layer and the data already stored.

``validate`` takes the frame an import would write (the layer's fields, EPSG:4326) and returns
``Issue``s; it never raises for bad data and never changes a value (DESIGN.md §5): duplicate ids
(an error for every repeat), plots overlapping each other beyond a threshold (warning), households
outside their village or plot, plots outside their village (warnings).
"""

from __future__ import annotations

from collections.abc import Iterable

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
        found += _outside_village(frame, spec, store, numbers, file, layer)
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
    shared = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    smaller = np.minimum(shapely.area(geoms[left]), shapely.area(geoms[right]))
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


def _outside_village(frame: gpd.GeoDataFrame, spec: LayerSpec, store: Store,
                     numbers: list[int], file: str | None, layer: str | None) -> list[Issue]:
    if "village_code" not in frame.columns:
        return []
    codes = sorted({str(c) for c in frame["village_code"].dropna()})
    villages = store.read("villages", where={"village_code": codes}) if codes else None
    if villages is None or villages.empty:
        return []
    outline = dict(zip(villages["village_code"], villages.geometry, strict=True))
    found = []
    for i, (code, geom) in enumerate(zip(frame["village_code"], frame.geometry, strict=True)):
        village = outline.get(code)
        if village is None or geom is None:
            continue
        point = geom if geom.geom_type == "Point" else geom.representative_point()
        if not village.buffer(0.0005).covers(point):  # ~50 m of slack for GPS and drawing
            found.append(issue(
                "outside_village", Severity.WARNING,
                f"ตำแหน่งอยู่นอกเขตหมู่บ้าน {code}",
                f"the location is outside village {code}",
                fix_th="ตรวจรหัสหมู่บ้านหรือพิกัด", fix_en="check the village code or the location",
                file=file, layer=layer, row=numbers[i], field="village_code"))
    return found
