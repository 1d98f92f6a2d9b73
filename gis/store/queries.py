"""The store's queries that only read: the ``WHERE`` of ``read``/``count_by`` and the history
of features (with the lean insert entries of ``gis.store.bulk`` filled back in). Functions over a
``SqlStore``, like ``accounts_sql``; ``SqlStore`` keeps the methods."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from gis.errors import StoreError
from gis.store import bulk
from gis.store.codec import coerce
from gis.store.protocol import BBox, Feature, HistoryEntry
from gis.store.states import HISTORY_TABLE, snapshot, unsnapshot
from layers.schema import DType, LayerSpec

if TYPE_CHECKING:
    from gis.store.base import SqlStore

_CHUNK = 500  # parameters per IN (...) list, as in base.py


def where_sql(
    store: SqlStore,
    spec: LayerSpec,
    bbox: BBox | None,
    where: Mapping[str, Any] | None,
    include_deleted: bool,
) -> tuple[str, list[Any]]:
    """`` WHERE …`` (or '') and its parameters for ``read``/``count_by``."""
    layer = spec.name
    clauses: list[str] = []
    params: list[Any] = []
    if not include_deleted:
        clauses.append(f'"deleted" = {store.placeholder}')
        params.append(store._value_to_db(DType.BOOL, False))
    if bbox is not None:
        if not spec.geometry:
            raise StoreError(
                f"ชั้นข้อมูล {layer} ไม่มีรูปร่าง จึงค้นตามกรอบพื้นที่ไม่ได้",
                f"layer {layer} has no geometry, so it cannot be queried by bbox",
            )
        sql, bbox_params = store._bbox_sql(spec, bbox)
        clauses.append(sql)
        params.extend(bbox_params)
    for name, wanted in (where or {}).items():
        fld = spec.field(name)
        values = list(wanted) if isinstance(wanted, list | tuple | set) else [wanted]
        db_values = [
            store._value_to_db(fld.dtype, coerce(fld, v, layer=layer, row=None))
            for v in values
        ]
        marks = ", ".join([store.placeholder] * len(db_values))
        clauses.append(f'"{name}" IN ({marks})' if db_values else "1 = 0")
        params.extend(db_values)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def history_where(
    store: SqlStore, layer: str, column: Literal["uid", "change_set"], value: str
) -> list[HistoryEntry]:
    spec = store.spec(layer)
    p = store.placeholder
    with store._reading() as cur:
        cur.execute(
            "SELECT uid, version, op, changed_at, changed_by, change_set, before, after "
            f"FROM {store._table(HISTORY_TABLE)} WHERE layer = {p} AND {column} = {p} "
            "ORDER BY uid, version",
            [layer, value],
        )
        rows = cur.fetchall()
        afters = [store._json_from_db(r[7]) for r in rows]
        lean = [r[0] for r, after in zip(rows, afters, strict=True)
                if after == bulk.AS_INSERTED]
        inserted = inserted_states(store, cur, spec, lean) if lean else {}
    return [
        HistoryEntry(
            layer=layer, uid=r[0], version=int(r[1]), op=r[2],
            changed_at=store._value_from_db(DType.DATETIME, r[3]), changed_by=r[4],
            change_set=r[5],
            before=None if r[6] is None else unsnapshot(spec, store._json_from_db(r[6])),
            after=(inserted[r[0]] if after == bulk.AS_INSERTED
                   else unsnapshot(spec, after)),
        )
        for r, after in zip(rows, afters, strict=True)
    ]


def inserted_states(store: SqlStore, cur: Any, spec: LayerSpec,
                    uids: list[str]) -> dict[str, Feature]:
    """The version-1 states of features whose insert entry is lean (``bulk.AS_INSERTED``):
    the ``before`` of their version-2 entry, or — never changed since — their row."""
    p = store.placeholder
    found: dict[str, Feature] = {}
    for start in range(0, len(uids), _CHUNK):
        chunk = uids[start:start + _CHUNK]
        marks = ", ".join([p] * len(chunk))
        cur.execute(
            f"SELECT uid, before FROM {store._table(HISTORY_TABLE)} WHERE layer = {p} "
            f"AND version = 2 AND uid IN ({marks})", [spec.name, *chunk])
        for uid, before in cur.fetchall():
            found[uid] = unsnapshot(spec, store._json_from_db(before))
    rest = [u for u in uids if u not in found]
    for uid, row in store._current(cur, spec, rest, lock=False).items():
        found[uid] = unsnapshot(spec, snapshot(spec, row))
    return found
