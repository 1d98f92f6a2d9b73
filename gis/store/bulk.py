"""Inserting many new features at once (``Store.write``, the path every import takes).

The rows are exactly what the one-feature-at-a-time path writes (the backend's value encoding), but
built column by column: each distinct value of a column is coerced and encoded once (survey columns
repeat a handful of values many times), and each geometry is turned into WKB once. The history
entry of each new feature is lean (``AS_INSERTED``): version 1's state is read back from the row,
or from the next version's ``before``. The checks are the same too — a bad value raises
``InputError`` naming the first bad row and field — so the store never holds a value its layer does
not declare.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from gis.distinct import distinct_map
from gis.store.checks import check_required, conform_geometry
from gis.store.codec import coerce
from gis.store.states import dumps
from layers.schema import DType, Field, LayerSpec

if TYPE_CHECKING:
    from gis.store.base import SqlStore


# The ``after`` of an insert written by ``Store.write``: the state of version 1 is not copied
# into the history (an import would store every row twice); it is the row itself while the
# feature is at version 1, and the ``before`` of its version-2 entry once it has changed —
# ``SqlStore._history_where`` puts it back, so readers of the history see full states.
AS_INSERTED = {"state": "as_inserted"}
AS_INSERTED_TEXT = dumps(AS_INSERTED)


@dataclass
class Columns:
    """New features as columns: field name → Python values (None for missing), geometries
    (None for none), and for each geometry its 2-D ISO WKB (little-endian), encoded once."""

    uids: list[str]
    values: dict[str, list[Any]]
    geometries: np.ndarray[Any, Any] | None
    wkb: list[bytes | None] | None


def new_uids(n: int) -> list[str]:
    """``n`` random (version 4) UUIDs as text, as ``str(uuid.uuid4())`` writes them, made from
    one read of the OS's random source, in sorted order: the rows then reach the unique
    indexes on ``uid`` (the layer's and the history's) in key order, which is much cheaper
    for a B-tree than random order (a first import only appends)."""
    raw = np.frombuffer(os.urandom(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    text = raw.tobytes().hex()
    return sorted(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
                  for h in (text[i:i + 32] for i in range(0, 32 * n, 32)))


def coerce_columns(spec: LayerSpec, frame: pd.DataFrame, uids: list[str]) -> Columns:
    """``frame`` (already conformed to the layer) as checked columns; raises ``InputError`` for
    the first bad value (in row order within each field), geometry or missing required field."""
    values: dict[str, list[Any]] = {}
    for f in spec.fields:
        if f.name in frame.columns:
            values[f.name] = _coerce_column(spec, f, frame[f.name].to_numpy(dtype=object))
    geometries = wkb = None
    if spec.geometry:
        geometries = _conform_geometries(spec, frame.geometry.to_numpy())
        wkb = shapely.to_wkb(geometries, byte_order=1, flavor="iso",
                             output_dimension=2).tolist()
    firsts = []
    for name in spec.required_fields:
        column = values.get(name)
        first = 0 if column is None else next((i for i, v in enumerate(column) if v is None),
                                              None)
        if first is not None and first < len(uids):
            firsts.append(first)
    if firsts:  # raises, naming the first row that misses a required field, and the field
        row = min(firsts)
        check_required(spec, {n: values[n][row] for n in spec.required_fields if n in values},
                       row=row + 1)
    return Columns(uids, values, geometries, wkb)


_TYPE_IDS = {"Point": 0, "LineString": 1, "Polygon": 3, "MultiPoint": 4,
             "MultiLineString": 5, "MultiPolygon": 6}


def _conform_geometries(spec: LayerSpec, geoms: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """``checks.conform_geometry`` for a whole column: polygons become one-part multipolygons
    where the layer takes MultiPolygon; any other type raises for its first row."""
    out = np.empty(len(geoms), dtype=object)
    out[:] = list(geoms)
    types = shapely.get_type_id(out)  # -1 for None
    wanted = _TYPE_IDS[str(spec.geometry)]
    if spec.geometry == "MultiPolygon":
        single = np.flatnonzero(types == _TYPE_IDS["Polygon"])
        if single.size:
            out[single] = shapely.multipolygons(out[single], indices=np.arange(single.size))
            types[single] = wanted
    bad = np.flatnonzero((types != wanted) & (types != -1))
    if bad.size:
        conform_geometry(spec, out[bad[0]], row=int(bad[0]) + 1)  # raises, naming the row
    return out


def _coerce_column(spec: LayerSpec, f: Field, cells: np.ndarray[Any, Any]) -> list[Any]:
    if f.dtype is DType.STR and f.vocabulary is None and pd.api.types.infer_dtype(
            cells, skipna=True) in ("string", "empty"):
        # text into a text field: nothing to convert; missing (NaN, NA) becomes None
        text = pd.Series(cells, dtype=object)
        plain: list[Any] = text.where(text.notna(), None).tolist()
        return plain
    failed = False  # set when a distinct value fails: only then are the rows looked through

    def one(value: Any) -> Any:
        nonlocal failed
        try:
            return coerce(f, value, layer=spec.name, row=None)
        except Exception as exc:
            failed = True
            return _Failed(exc)

    out = distinct_map(one, cells)
    if failed:
        for i, value in enumerate(out):
            if isinstance(value, _Failed):
                coerce(f, cells[i], layer=spec.name, row=i + 1)  # raises again, with the row
                raise value.error  # pragma: no cover - coerce failed once, it fails again
    return out


@dataclass(frozen=True)
class _Failed:
    error: Exception


def encode(store: SqlStore, spec: LayerSpec, columns: Columns, *, user: str, at: Any,
           change_set: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The rows to insert (in ``store._insert_sql`` column order) and their ``insert`` history
    rows (``store._history_sql`` order), whose ``after`` is the lean ``AS_INSERTED``."""
    n = len(columns.uids)
    when = store._value_to_db(DType.DATETIME, at)
    row_columns: list[Sequence[Any]] = [
        columns.uids, [1] * n, [when] * n, [user] * n,
        [store._value_to_db(DType.BOOL, False)] * n,
    ]
    for f in spec.fields:
        cells = columns.values.get(f.name)
        if cells is None:
            row_columns.append([None] * n)
        elif f.dtype is DType.JSON:
            row_columns.append([None if v is None else store._json_text_to_db(dumps(v))
                                for v in cells])
        elif f.dtype in (DType.STR, DType.INT, DType.FLOAT):
            row_columns.append(cells)
        else:
            row_columns.append(distinct_map(functools.partial(store._value_to_db, f.dtype),
                                            cells))
    if spec.geometry and columns.geometries is not None and columns.wkb is not None:
        row_columns.append(store._geoms_to_db(columns.geometries, columns.wkb))
    rows = list(zip(*row_columns, strict=True))
    lean = store._json_text_to_db(AS_INSERTED_TEXT)
    history = [(spec.name, uid, 1, "insert", when, user, change_set, None, lean)
               for uid in columns.uids]
    return rows, history
