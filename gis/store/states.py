"""Features as dicts and as JSON snapshots (the form ``feature_history`` keeps them in)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.store.codec import from_jsonable, is_missing, jsonable
from gis.store.protocol import Feature
from layers import SYSTEM_FIELDS
from layers.schema import DType, LayerSpec

SYSTEM_COLUMNS = tuple(f.name for f in SYSTEM_FIELDS)
STORE_CRS = "EPSG:4326"
HISTORY_TABLE = "feature_history"  # every version of every feature

_PANDAS_DTYPES: dict[DType, str] = {
    DType.STR: "str",
    DType.INT: "Int64",
    DType.FLOAT: "float64",
    DType.BOOL: "boolean",
    DType.DATE: "object",
    DType.DATETIME: "datetime64[ms, UTC]",
    DType.JSON: "object",
}


def frame_of(
    spec: LayerSpec,
    rows: Sequence[Sequence[Any]],
    value_from_db: Callable[[DType, Any], Any],
    geometries: np.ndarray[Any, Any] | None,
) -> pd.DataFrame:
    """Rows selected as (system fields, declared fields[, geometry]) as a typed (Geo)DataFrame."""
    data: dict[str, Any] = {}
    for i, fld in enumerate(spec.all_fields):
        values = [value_from_db(fld.dtype, r[i]) for r in rows]
        data[fld.name] = pd.Series(values, dtype=_PANDAS_DTYPES[fld.dtype])
    frame = pd.DataFrame(data)
    if geometries is None:
        return frame
    out: pd.DataFrame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometries, crs=STORE_CRS))
    return out


def empty_state(spec: LayerSpec) -> Feature:
    state: Feature = {f.name: None for f in spec.fields}
    if spec.geometry:
        state["geometry"] = None
    return state


def features_of(frame: pd.DataFrame, spec: LayerSpec) -> Iterator[Feature]:
    names = [*SYSTEM_COLUMNS, *spec.field_names]
    columns = [frame[n].tolist() for n in names]
    geoms = list(frame.geometry.array) if spec.geometry else None
    for i in range(len(frame)):
        feature: Feature = {
            n: None if is_missing(col[i]) else col[i]
            for n, col in zip(names, columns, strict=True)
        }
        feature["deleted"] = bool(feature["deleted"])
        feature["version"] = int(feature["version"])
        feature["updated_at"] = pd.Timestamp(feature["updated_at"]).to_pydatetime()
        if geoms is not None:
            feature["geometry"] = geoms[i]
        yield feature


def snapshot(spec: LayerSpec, state: Feature) -> dict[str, Any]:
    """A feature's state as JSON: fields, geometry as 2-D ISO WKB hex (as stored), and the
    deleted flag."""
    geom = state.get("geometry")
    return {
        "properties": {f.name: jsonable(f.dtype, state.get(f.name)) for f in spec.fields},
        "geometry": None if geom is None else shapely.to_wkb(
            geom, hex=True, byte_order=1, flavor="iso", output_dimension=2),
        "deleted": bool(state.get("deleted", False)),
    }


def unsnapshot(spec: LayerSpec, snap: Mapping[str, Any]) -> Feature:
    props = snap["properties"]
    feature: Feature = {
        f.name: from_jsonable(f.dtype, props.get(f.name)) for f in spec.fields
    }
    if spec.geometry:
        wkb = snap.get("geometry")
        feature["geometry"] = None if wkb is None else shapely.from_wkb(bytes.fromhex(wkb))
    feature["deleted"] = bool(snap.get("deleted", False))
    return feature


def dumps(obj: Any) -> str:
    """Compact JSON that keeps Thai readable in the file."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
