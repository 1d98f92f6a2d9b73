"""Records → frames typed from the layer declarations, so every demo layer has the same shape.

Column dtypes follow ``Field.dtype``: str, date and json fields are ``object`` columns holding
Python ``str`` / ``datetime.date`` / ``dict``/``list`` or ``None`` (pandas 3 would otherwise
infer its own string dtype and turn ``None`` into ``NaN``); ints are nullable ``Int64``; bools
nullable ``boolean``; floats ``float64`` with ``NaN`` for missing values.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from layers import DType, get_layer

_PANDAS_DTYPES: dict[DType, str] = {
    DType.STR: "object",
    DType.INT: "Int64",
    DType.FLOAT: "float64",
    DType.BOOL: "boolean",
    DType.DATE: "object",
    DType.DATETIME: "object",
    DType.JSON: "object",
}


def new_uid(rng_bits: int) -> str:
    """A version-4 UUID string from 128 random bits (so that uids follow the demo's seed)."""
    return str(uuid.UUID(int=rng_bits, version=4))


def layer_frame(
    layer: str,
    records: Sequence[Mapping[str, Any]],
    uids: Sequence[str],
    geometry: npt.NDArray[np.object_] | None = None,
) -> pd.DataFrame:
    """A frame with ``uid``, then exactly the declared fields of ``layer``, then geometry.

    Parameters
    ----------
    layer
        A layer name known to ``layers.get_layer``.
    records
        One mapping per row with exactly the layer's declared field names as keys.
    uids
        One uid per row.
    geometry
        One WGS84 geometry (or None) per row, for layers that have geometry.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        A GeoDataFrame in EPSG:4326 with a ``geometry`` column when the layer has geometry.

    Raises
    ------
    ValueError
        If a record's keys differ from the declared fields, or the lengths disagree (bugs in
        the generator, which must match the declarations exactly).
    """
    spec = get_layer(layer)
    names = spec.field_names
    for i, record in enumerate(records):
        if set(record) != set(names):
            raise ValueError(
                f"{layer} record {i}: missing {sorted(set(names) - set(record))}, "
                f"undeclared {sorted(set(record) - set(names))}")
    if len(uids) != len(records):
        raise ValueError(f"{layer}: {len(uids)} uids for {len(records)} records")
    columns: dict[str, pd.Series[Any]] = {"uid": pd.Series(list(uids), dtype="object")}
    for f in spec.fields:
        values = [r[f.name] for r in records]
        if f.dtype is DType.FLOAT:
            values = [np.nan if v is None else float(v) for v in values]
        columns[f.name] = pd.Series(values, dtype=_PANDAS_DTYPES[f.dtype])
    frame = pd.DataFrame(columns)
    if spec.geometry is None:
        if geometry is not None:
            raise ValueError(f"layer {layer} has no geometry, but geometry was given")
        return frame
    if geometry is None or len(geometry) != len(records):
        raise ValueError(f"layer {layer} needs one geometry per record")
    result: pd.DataFrame = gpd.GeoDataFrame(
        frame, geometry=gpd.GeoSeries(geometry, crs="EPSG:4326"))
    return result
