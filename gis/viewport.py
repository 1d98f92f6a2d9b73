"""What the map shows for one viewport and one audience (DESIGN.md §6).

Only what is in view goes to the browser. Plots and households are drawn one by one only when
zoomed in and when fewer than ``FEATURE_CAP`` are in view; otherwise the map gets village outlines
with counts. Counting happens in SQL (``Store.count_by``) so that deciding costs no feature reads.
Everything passes through ``gis.privacy``: rows outside the user's areas are never read, fields
above the user's role are never sent, and an audience that may not see house points gets counts
(small ones suppressed for outsiders) instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import shapely

from gis.jsonable import jsonable
from gis.privacy import (
    Audience,
    Scope,
    read_visible,
    scope_of,
    scope_where,
    shows_geometry,
    suppress,
    visible_fields,
)
from gis.store.protocol import BBox, Store
from layers import LAYERS
from layers.schema import DType, LayerSpec

FEATURE_CAP = 3000  # features of one layer sent to the browser at most
DETAIL_ZOOM = 15  # plots and households are drawn one by one from this zoom on
DRAW_ORDER: tuple[str, ...] = ("tenure_zones", "villages", "plots", "households")
DETAIL_LAYERS = frozenset({"plots", "households"})
COUNTED_LAYERS: tuple[str, ...] = ("households", "plots")  # counted per village in summaries
DECIMALS = 6  # coordinate decimals sent to the browser: about 0.1 m, plenty for display

Mode = Literal["features", "summary", "hidden"]
Reason = Literal["zoom", "cap", "privacy"]


@dataclass(frozen=True)
class LayerView:
    """One layer as the browser gets it.

    ``geojson`` is a FeatureCollection whose features carry ``id`` = uid and, as properties, the
    uid and only the fields the audience may see, as stored codes (labels are added once per
    layer by the map, not per feature). ``count`` is the number of features of the layer in
    view and in scope; ``reason`` says why the layer is not drawn feature by feature.
    """

    layer: str
    mode: Mode
    geojson: dict[str, Any]
    fields: tuple[str, ...]
    count: int
    reason: Reason | None = None


@dataclass(frozen=True)
class MapView:
    """Everything one map rerun sends: the layers in drawing order and the village summary."""

    bbox: BBox
    zoom: int
    layers: tuple[LayerView, ...]
    summary: dict[str, Any]

    def layer(self, name: str) -> LayerView:
        for view in self.layers:
            if view.layer == name:
                return view
        raise KeyError(name)


def map_view(
    store: Store,
    audience: Audience,
    *,
    bbox: BBox,
    zoom: int,
    layers: Sequence[str] = DRAW_ORDER,
    cap: int = FEATURE_CAP,
    scope: Scope | None = None,
) -> MapView:
    """The map's content for ``bbox`` at ``zoom`` as ``audience`` may see it.

    Parameters
    ----------
    bbox
        (minx, miny, maxx, maxy) in degrees, the map's current bounds.
    zoom
        The map's zoom level; below ``DETAIL_ZOOM`` plots and households are summarised.
    layers
        Layer names in drawing order (bottom first).
    cap
        Most features of one layer sent; more than that and the layer is summarised.
    scope
        The audience's resolved scope, when the caller already has it.
    """
    scope = scope if scope is not None else scope_of(store, audience)
    views = tuple(
        _layer_view(store, LAYERS[name], audience, scope, bbox=bbox, zoom=zoom, cap=cap)
        for name in layers
    )
    return MapView(bbox=bbox, zoom=zoom, layers=views,
                   summary=village_summary(store, audience, scope))


def _layer_view(
    store: Store, spec: LayerSpec, audience: Audience, scope: Scope, *,
    bbox: BBox, zoom: int, cap: int,
) -> LayerView:
    fields = tuple(f.name for f in visible_fields(spec, audience) if f.dtype is not DType.JSON)
    if not shows_geometry(spec, audience):
        return LayerView(spec.name, "hidden", _collection([]), fields, 0, "privacy")
    where = scope_where(spec, scope)
    count = sum(store.count_by(spec.name, bbox=bbox, where=where).values())
    if spec.name in DETAIL_LAYERS and zoom < DETAIL_ZOOM:
        return LayerView(spec.name, "summary", _collection([]), fields, count, "zoom")
    if count > cap:
        return LayerView(spec.name, "summary", _collection([]), fields, count, "cap")
    frame = read_visible(store, spec.name, audience, bbox=bbox, scope=scope)
    return LayerView(spec.name, "features", to_geojson(frame, fields), fields, len(frame))


def village_summary(store: Store, audience: Audience, scope: Scope) -> dict[str, Any]:
    """Village outlines in scope with their household and plot counts (suppressed for outsiders).

    Counts are whole-village totals, so a count never depends on where the user panned.
    """
    villages = read_visible(store, "villages", audience, scope=scope)
    counts: dict[str, dict[str, int | None]] = {}
    for name in COUNTED_LAYERS:
        raw = store.count_by(name, "village_code", where=scope_where(LAYERS[name], scope))
        counts[name] = suppress({str(k): v for k, v in raw.items() if k is not None}, audience)
    props = ["village_code", "name_th", "name_en"]
    frame = villages[[c for c in [*props, "geometry"] if c in villages.columns]].copy()
    for name in COUNTED_LAYERS:
        frame[name] = [counts[name].get(code, 0) for code in frame["village_code"]]
    return to_geojson(frame, (*props, *COUNTED_LAYERS))


def to_geojson(frame: pd.DataFrame, fields: Iterable[str]) -> dict[str, Any]:
    """A FeatureCollection of ``frame`` with ``id`` = uid and only ``fields`` as properties.

    Coordinates are rounded to ``DECIMALS`` places; dates become ISO text; missing values None.
    """
    if "geometry" not in frame.columns or frame.empty:
        return _collection([])
    names = [f for f in fields if f in frame.columns]
    geoms = np.asarray(frame.geometry.array, dtype=object)
    rounded = _round(geoms)
    columns = {name: [jsonable(v) for v in frame[name].tolist()] for name in names}
    uids = frame["uid"].tolist() if "uid" in frame.columns else [None] * len(frame)
    features = []
    for i, geom in enumerate(rounded):
        if geom is None:
            continue
        props: dict[str, Any] = {"uid": uids[i]} if uids[i] is not None else {}
        props.update({name: columns[name][i] for name in names})
        feature: dict[str, Any] = {
            "type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": props,
        }
        if uids[i] is not None:
            feature["id"] = uids[i]
        features.append(feature)
    return _collection(features)


def _round(geoms: np.ndarray[Any, Any]) -> list[Any]:
    valid = np.array([g is not None and not g.is_empty for g in geoms], dtype=bool)
    out: list[Any] = [None] * len(geoms)
    if valid.any():
        kept = shapely.transform(geoms[valid], lambda xy: np.round(xy, DECIMALS))
        for i, geom in zip(np.flatnonzero(valid), kept, strict=True):
            out[int(i)] = geom
    return out


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


# --------------------------------------------------------------------------- navigation
@dataclass(frozen=True)
class Place:
    """A search hit: what was found, in both languages, and where to zoom."""

    layer: str
    uid: str
    code: str
    label_th: str
    label_en: str
    bbox: BBox

    def label(self, lang: str = "th") -> str:
        return self.label_th if lang == "th" else self.label_en


def find_places(
    store: Store, audience: Audience, query: str, *, limit: int = 20,
    scope: Scope | None = None,
) -> list[Place]:
    """Villages whose code or name contains ``query`` and, for audiences that may see house
    points, households whose id starts with it — only inside the audience's scope."""
    text = query.strip().casefold()
    if not text:
        return []
    scope = scope if scope is not None else scope_of(store, audience)
    hits: list[Place] = []
    villages = read_visible(store, "villages", audience, scope=scope)
    if "geometry" in villages.columns:
        mask = np.zeros(len(villages), dtype=bool)
        for col in ("village_code", "name_th", "name_en"):
            if col in villages.columns:
                mask |= villages[col].astype("string").str.casefold().str.contains(
                    text, regex=False).fillna(False).to_numpy(dtype=bool)
        for row in villages.loc[mask].head(limit).to_dict("records"):
            code, name_th = str(row["village_code"]), str(row["name_th"])
            name_en = row.get("name_en") if isinstance(row.get("name_en"), str) else name_th
            hits.append(Place("villages", str(row["uid"]), code, f"{name_th} ({code})",
                              f"{name_en} ({code})", _bounds(row["geometry"])))
    spec = LAYERS["households"]
    if shows_geometry(spec, audience) and len(hits) < limit:
        households = read_visible(store, "households", audience, scope=scope)
        ids = households["household_id"].astype("string").str.casefold()
        found = households.loc[ids.str.startswith(text).fillna(False).to_numpy(dtype=bool)]
        for row in found.head(limit - len(hits)).to_dict("records"):
            hid = str(row["household_id"])
            hits.append(Place("households", str(row["uid"]), hid, f"ครัวเรือน {hid}",
                              f"Household {hid}", _bounds(row["geometry"], pad=0.0015)))
    return hits


def village_places(
    store: Store, audience: Audience, *, scope: Scope | None = None
) -> list[Place]:
    """Every village in the audience's scope, by code, for a "zoom to village" list."""
    scope = scope if scope is not None else scope_of(store, audience)
    villages = read_visible(store, "villages", audience, scope=scope)
    if "geometry" not in villages.columns:
        return []
    out = []
    for row in villages.sort_values("village_code").to_dict("records"):
        code, name_th = str(row["village_code"]), str(row["name_th"])
        name_en = row.get("name_en") if isinstance(row.get("name_en"), str) else name_th
        out.append(Place("villages", str(row["uid"]), code, f"{name_th} ({code})",
                         f"{name_en} ({code})", _bounds(row["geometry"])))
    return out


def home_bbox(store: Store, audience: Audience, *, scope: Scope | None = None) -> BBox | None:
    """The extent of the villages the audience may see (where the map opens), or None."""
    scope = scope if scope is not None else scope_of(store, audience)
    villages = read_visible(store, "villages", audience, scope=scope)
    if villages.empty or "geometry" not in villages.columns:
        return None
    minx, miny, maxx, maxy = (float(v) for v in villages.total_bounds)
    return (minx, miny, maxx, maxy)


def _bounds(geom: Any, pad: float = 0.0) -> BBox:
    minx, miny, maxx, maxy = geom.bounds
    return (minx - pad, miny - pad, maxx + pad, maxy + pad)


def zoom_for(bbox: BBox, *, width_px: int = 800) -> int:
    """The Web Mercator zoom at which ``bbox`` fits about ``width_px`` pixels (for first views)."""
    span = max(bbox[2] - bbox[0], (bbox[3] - bbox[1]) * 1.2, 1e-6)
    return int(max(1, min(19, math.floor(math.log2(360 * width_px / 256 / span)))))


def layer_counts(views: Mapping[str, LayerView]) -> dict[str, int]:
    """Features in view per layer (what the page prints beside the map)."""
    return {name: view.count for name, view in views.items()}
