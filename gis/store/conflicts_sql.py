"""The conflict queue, and changes to several layers in one transaction: the SQL both backends
share.

An edit made from a stale version is refused (``ConflictError``). Rather than lose it, the caller
queues it: ``landmap_conflicts`` keeps who proposed what, from which version, the version it
collided with, where it came from (``edit``, ``field-merge:<file>``) and — once someone has chosen —
the choice, the version it produced, who chose and when. Resolving writes through the one
versioned write path (``SqlStore._apply_in``) and marks the entry resolved in the same
transaction, with its audit entry; a feature that moved again meanwhile is a new
``ConflictError`` and nothing changes. Choosing ``theirs`` writes no feature; the proposal stays
in the queue either way, so nothing is ever lost.

``apply_changes`` is what a field merge uses: new features and proposals for several layers in one
transaction and one change set (``undo_change_set`` takes the whole merge back). A proposal whose
base version is still current — checked under the write lock, so no other writer can slip in
between — is applied; any other is queued, in the same transaction.

The backends supply their DDL (``CONFLICT_COLUMNS`` is the portable part) and the dialect hooks of
``SqlStore``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from gis.errors import InputError, StoreError
from gis.store import accounts_sql
from gis.store.checks import check_required
from gis.store.codec import utc_now
from gis.store.protocol import (
    AppliedChanges,
    AuditEvent,
    ConflictChoice,
    ConflictRecord,
    ConflictStatus,
    Feature,
    LayerChanges,
    Proposal,
)
from gis.store.states import snapshot, unsnapshot
from layers.schema import DType, LayerSpec

if TYPE_CHECKING:
    from gis.store.base import SqlStore, _Change

CONFLICTS_TABLE = "landmap_conflicts"
# (column, dtype, NOT NULL) after the autoincrement key ``id``; the order is the SELECT order.
CONFLICT_COLUMNS: tuple[tuple[str, DType, bool], ...] = (
    ("layer", DType.STR, True),
    ("uid", DType.STR, True),
    ("base_version", DType.INT, True),  # the version the proposer started from
    ("current_version", DType.INT, True),  # the stored version it collided with
    ("proposed", DType.JSON, True),  # snapshot (as in feature_history) of the state proposed
    ("fields", DType.JSON, True),  # the names the proposal set
    ("proposed_by", DType.STR, True),
    ("proposed_at", DType.DATETIME, True),
    ("source", DType.STR, True),  # "edit", "field-merge:<file>"
    ("status", DType.STR, True),  # "open" | "resolved"
    ("choice", DType.STR, False),  # "mine" | "theirs" | "merge"
    ("resolved_version", DType.INT, False),
    ("resolved_by", DType.STR, False),
    ("resolved_at", DType.DATETIME, False),
)
# Indexes (name suffix → columns) both backends create: the open queue per layer, and a feature's
# conflicts.
CONFLICT_INDEXES: Mapping[str, tuple[str, ...]] = {
    "status_layer": ("status", "layer"), "layer_uid": ("layer", "uid"),
}
CHOICES: tuple[ConflictChoice, ...] = ("mine", "theirs", "merge")
STATUSES: tuple[ConflictStatus, ...] = ("open", "resolved")
_NAMES = ("id", *(c for c, _, _ in CONFLICT_COLUMNS))
_CHUNK = 500


# ---------------------------------------------------------------------- several layers
def apply_changes(store: SqlStore, changes: Sequence[LayerChanges], *, user: str, source: str,
                  audit: AuditEvent | None = None) -> AppliedChanges:
    """Write new features and current proposals, queue stale proposals, in one transaction.

    Every value is checked before the transaction starts (``InputError`` naming layer, row and
    field; nothing written). ``audit`` is written in the same transaction, its subject the
    change set, with the counts written and queued added to its detail.
    """
    from gis.store.base import _Change

    _need(user, source)
    plans: list[tuple[LayerSpec, list[_Change], list[tuple[Proposal, dict[str, Any]]]]] = []
    for part in changes:
        spec = store.spec(part.layer)
        inserts = []
        for row, given in enumerate(part.added, start=1):
            values = dict(given)
            uid = values.pop("uid", None)
            checked = store._checked_values(spec, values, row=row)
            check_required(spec, checked, row=row)
            inserts.append(_Change("insert", str(uid) if uid else str(uuid.uuid4()), None,
                                   checked))
        proposals = [(p, _checked_proposal(store, spec, p, row=row))
                     for row, p in enumerate(part.proposals, start=1)]
        _no_repeats(spec, [p.uid for p, _ in proposals])
        plans.append((spec, inserts, proposals))
    change_set = str(uuid.uuid4())
    now = utc_now()
    versions: dict[str, dict[str, int]] = {}
    queued: dict[str, dict[str, int]] = {}
    with store._writing(), store._transaction() as cur:
        for spec, inserts, proposals in plans:
            current = store._current(cur, spec, [p.uid for p, _ in proposals], lock=True)
            _no_missing(spec, [p.uid for p, _ in proposals], current)
            fresh = [_Change(_op(current[p.uid], values), p.uid, p.base_version, values)
                     for p, values in proposals if current[p.uid]["version"] == p.base_version]
            written = (store._apply_in(cur, spec, [*inserts, *fresh], user=user,
                                       change_set=change_set, now=now)
                       if inserts or fresh else {})
            ids = {p.uid: _insert(store, cur, spec, p, values, int(current[p.uid]["version"]),
                                  user=user, source=source, now=now)
                   for p, values in proposals if current[p.uid]["version"] != p.base_version}
            if written:
                store._after_change(cur, spec)
            versions[spec.name] = written
            queued[spec.name] = ids
        if audit is not None:
            store._audit_in(cur, dataclasses.replace(audit, detail={
                **audit.detail, "source": source,
                "written": sum(len(v) for v in versions.values()),
                "queued": sum(len(q) for q in queued.values())}), change_set, now)
    return AppliedChanges(change_set=change_set, versions=versions, queued=queued)


# ------------------------------------------------------------------------------ queue
def add_conflict(store: SqlStore, layer: str, uid: str, *, base_version: int,
                 proposed: Mapping[str, Any], user: str, source: str) -> int:
    """Queue a proposal that could not be saved (``ConflictError``), with its audit entry;
    returns the conflict's id. Refused (``InputError``) when it is no conflict: the feature is
    still at ``base_version``, so the change can simply be saved."""
    _need(user, source)
    spec = store.spec(layer)
    proposal = Proposal(uid, int(base_version), proposed)
    values = _checked_proposal(store, spec, proposal, row=1)
    now = utc_now()
    with store._transaction() as cur:
        current = store._current(cur, spec, [uid], lock=True)
        _no_missing(spec, [uid], current)
        version = int(current[uid]["version"])
        if version == proposal.base_version:
            raise InputError(
                f"{layer}/{uid} ยังเป็นฉบับที่ {version} อยู่ ไม่มีการแก้ไขชนกัน บันทึกได้ตามปกติ",
                f"{layer}/{uid} is still at version {version}: there is no conflict, save it",
                field="base_version")
        conflict_id = _insert(store, cur, spec, proposal, values, version, user=user,
                              source=source, now=now)
        accounts_sql.insert_audit(store, cur, AuditEvent(
            user, "conflict_queued", f"{layer}/{uid}",
            {"conflict": conflict_id, "source": source, "base_version": base_version,
             "current_version": version}), now)
    return conflict_id


def list_conflicts(store: SqlStore, *, status: ConflictStatus | None = "open",
                   layer: str | None = None, uids: Iterable[str] | None = None
                   ) -> list[ConflictRecord]:
    """Queued conflicts, oldest first: ``status`` None for every status; ``layer`` and ``uids``
    narrow them down."""
    p = store.placeholder
    clauses: list[str] = []
    params: list[Any] = []
    if status is not None:
        if status not in STATUSES:
            raise InputError(f"สถานะ {status!r} ใช้ไม่ได้ (ใช้ open หรือ resolved)",
                             f"status {status!r} is not open or resolved", field="status")
        clauses.append(f'"status" = {p}')
        params.append(status)
    if layer is not None:
        clauses.append(f'"layer" = {p}')
        params.append(store.spec(layer).name)
    chunks: list[list[str]] = [[]]
    if uids is not None:
        wanted = list(dict.fromkeys(str(u) for u in uids))
        if not wanted:
            return []
        chunks = [wanted[i:i + _CHUNK] for i in range(0, len(wanted), _CHUNK)]
    rows: list[Any] = []
    with store._reading() as cur:
        for chunk in chunks:
            where = list(clauses)
            if chunk:
                where.append(f'"uid" IN ({", ".join([p] * len(chunk))})')
            sql = _select(store) + (" WHERE " + " AND ".join(where) if where else "")
            cur.execute(sql + ' ORDER BY "id"', [*params, *chunk])
            rows.extend(cur.fetchall())
    return sorted((_record_of(store, r) for r in rows), key=lambda c: c.id)


def get_conflict(store: SqlStore, conflict_id: int) -> ConflictRecord | None:
    """One queued conflict by id (open or resolved), or None."""
    with store._reading() as cur:
        cur.execute(_select(store) + f' WHERE "id" = {store.placeholder}', [int(conflict_id)])
        row = cur.fetchone()
    return None if row is None else _record_of(store, row)


def resolve_conflict(store: SqlStore, conflict_id: int, *, choice: ConflictChoice,
                     merged_values: Mapping[str, Any] | None = None, user: str,
                     expected_current_version: int) -> ConflictRecord:
    """Record the user's choice and carry it out, in one transaction with its audit entry.

    ``mine`` writes the proposed values over the stored feature (a proposed deletion deletes
    it; an edit of a feature deleted meanwhile brings it back); ``merge`` writes
    ``merged_values`` (fields, ``geometry``, optionally ``deleted``) over it; ``theirs`` keeps
    the stored feature as it is. ``expected_current_version`` is the stored version the user
    saw when choosing: when the feature has changed again since, ``ConflictError`` is raised and
    nothing changes, the conflict stays open.
    """
    from gis.store.base import _Change, _check_versions

    if choice not in CHOICES:
        raise InputError(f"ตัวเลือก {choice!r} ใช้ไม่ได้ (ใช้ mine, theirs หรือ merge)",
                         f"choice {choice!r} is not mine, theirs or merge", field="choice")
    if (choice == "merge") != (merged_values is not None):
        raise InputError("ค่าที่รวมแล้วใช้ได้กับตัวเลือก merge เท่านั้น และต้องมีเมื่อเลือก merge",
                         "merged_values go with choice 'merge', and only with it",
                         field="merged_values")
    _need(user, "resolve")
    record = get_conflict(store, conflict_id)
    if record is None:
        raise StoreError(f"ไม่พบรายการขัดแย้งหมายเลข {conflict_id}",
                         f"no conflict with id {conflict_id}")
    spec = store.spec(record.layer)
    values: dict[str, Any] = {}
    if choice == "mine":
        values = record.mine if record.is_delete else {**record.mine, "deleted": False}
    elif merged_values is not None:
        values = _checked_merge(store, spec, merged_values)
    change_set = str(uuid.uuid4())
    now = utc_now()
    p = store.placeholder
    with store._writing(), store._transaction() as cur:
        cur.execute(f'SELECT "status" FROM {store._table(CONFLICTS_TABLE)} WHERE "id" = {p}'
                    + store._lock_sql(), [record.id])
        if cur.fetchone()[0] != "open":
            raise StoreError(f"รายการขัดแย้งหมายเลข {record.id} ตัดสินไปแล้ว",
                             f"conflict {record.id} has already been resolved")
        current = store._current(cur, spec, [record.uid], lock=True)
        _no_missing(spec, [record.uid], current)
        change = _Change(_op(current[record.uid], values), record.uid,
                         int(expected_current_version), values)
        _check_versions(spec, [change], current)
        version = int(current[record.uid]["version"])
        detail: dict[str, Any] = {"conflict": record.id, "choice": choice,
                                  "source": record.source}
        if choice != "theirs":
            written = store._apply_in(cur, spec, [change], user=user, change_set=change_set,
                                      now=now)
            version = written[record.uid]
            store._after_change(cur, spec)
            detail["change_set"] = change_set
        cur.execute(
            f'UPDATE {store._table(CONFLICTS_TABLE)} SET "status" = {p}, "choice" = {p}, '
            f'"resolved_version" = {p}, "resolved_by" = {p}, "resolved_at" = {p} '
            f'WHERE "id" = {p}',
            ["resolved", choice, version, user, store._value_to_db(DType.DATETIME, now),
             record.id])
        accounts_sql.insert_audit(store, cur, AuditEvent(
            user, "conflict_resolved", f"{record.layer}/{record.uid}",
            {**detail, "version": version}), now)
    resolved = get_conflict(store, record.id)
    assert resolved is not None
    return resolved


# ---------------------------------------------------------------------------- helpers
def _need(user: str, source: str) -> None:
    if not user:
        raise InputError("ต้องระบุผู้แก้ไข", "a change needs the name of the user making it")
    if not source:
        raise InputError("ต้องระบุที่มาของการแก้ไข", "a change needs its source (e.g. edit)",
                         field="source")


def _checked_proposal(store: SqlStore, spec: LayerSpec, proposal: Proposal, *, row: int
                      ) -> dict[str, Any]:
    """A proposal's values as the layer stores them; a deletion is exactly ``deleted: True``."""
    if "deleted" in proposal.values:
        if not proposal.is_delete:
            raise InputError(
                "การลบต้องส่งเพียง deleted: True ไม่ปนกับการแก้ค่าอื่น",
                "a deletion is {'deleted': True} alone, not mixed with other changes",
                file=spec.name, row=row, field="deleted")
        return {"deleted": True}
    if not proposal.values:
        raise InputError("ข้อเสนอนี้ไม่ได้เปลี่ยนอะไรเลย", "the proposal changes nothing",
                         file=spec.name, row=row)
    return store._checked_values(spec, proposal.values, row=row)


def _checked_merge(store: SqlStore, spec: LayerSpec, merged: Mapping[str, Any]
                   ) -> dict[str, Any]:
    values = {k: v for k, v in merged.items() if k != "deleted"}
    checked = store._checked_values(spec, values, row=1) if values else {}
    if "deleted" in merged:
        if not isinstance(merged["deleted"], bool):
            raise InputError("deleted ต้องเป็นจริงหรือเท็จ", "deleted must be true or false",
                             field="deleted")
        checked["deleted"] = merged["deleted"]
    if not checked:
        raise InputError("ไม่มีค่าที่รวมแล้วให้บันทึก", "no merged values to write",
                         field="merged_values")
    return checked


def _op(current: Feature, values: Mapping[str, Any]) -> Any:
    """The history op of writing ``values`` over ``current``."""
    if values.get("deleted") is True and not current["deleted"]:
        return "delete"
    if values.get("deleted") is False and current["deleted"]:
        return "restore"
    return "update"


def _no_repeats(spec: LayerSpec, uids: list[str]) -> None:
    repeated = sorted(u for u, n in Counter(uids).items() if n > 1)
    if repeated:
        raise InputError(f"เสนอแก้ {spec.name}/{repeated[0]} มากกว่าหนึ่งครั้งในชุดเดียวกัน",
                         f"{spec.name}/{repeated[0]} is proposed more than once in one change",
                         file=spec.name, field="uid")


def _no_missing(spec: LayerSpec, uids: Sequence[str], current: Mapping[str, Feature]) -> None:
    missing = [u for u in uids if u not in current]
    if missing:
        raise StoreError(f"ไม่พบข้อมูล {spec.name}: {', '.join(missing[:5])}",
                         f"no such {spec.name} feature(s): {', '.join(missing[:5])}")


def _insert(store: SqlStore, cur: Any, spec: LayerSpec, proposal: Proposal,
            values: Mapping[str, Any], current_version: int, *, user: str, source: str,
            now: dt.datetime) -> int:
    """One queue entry; the proposed state is the base version with the proposal's values."""
    base = store._state_at(spec, proposal.uid, proposal.base_version)
    order = (*spec.field_names, "geometry", "deleted")
    fields = [name for name in order if name in values]
    state = {**base, **values}
    row = {
        "layer": spec.name, "uid": proposal.uid, "base_version": proposal.base_version,
        "current_version": current_version, "proposed": snapshot(spec, state),
        "fields": fields, "proposed_by": user, "proposed_at": now, "source": source,
        "status": "open", "choice": None, "resolved_version": None, "resolved_by": None,
        "resolved_at": None,
    }
    names = ", ".join(f'"{c}"' for c, _, _ in CONFLICT_COLUMNS)
    marks = ", ".join([store.placeholder] * len(CONFLICT_COLUMNS))
    cur.execute(
        f'INSERT INTO {store._table(CONFLICTS_TABLE)} ({names}) VALUES ({marks}) RETURNING "id"',
        [store._value_to_db(dtype, row[name]) for name, dtype, _ in CONFLICT_COLUMNS])
    return int(cur.fetchone()[0])


def _select(store: SqlStore) -> str:
    names = ", ".join(f'"{n}"' for n in _NAMES)
    return f"SELECT {names} FROM {store._table(CONFLICTS_TABLE)}"


def _record_of(store: SqlStore, row: Sequence[Any]) -> ConflictRecord:
    values: dict[str, Any] = {"id": int(row[0])}
    for (name, dtype, _), raw in zip(CONFLICT_COLUMNS, row[1:], strict=True):
        value = store._value_from_db(dtype, raw)
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC)
        elif dtype is DType.INT and value is not None:
            value = int(value)
        values[name] = value
    spec = store.spec(values["layer"])
    return ConflictRecord(
        id=values["id"], layer=values["layer"], uid=values["uid"],
        base_version=values["base_version"], current_version=values["current_version"],
        proposed=unsnapshot(spec, values["proposed"]), fields=tuple(values["fields"]),
        proposed_by=values["proposed_by"], proposed_at=values["proposed_at"],
        source=values["source"], status=cast(ConflictStatus, values["status"]),
        choice=cast("ConflictChoice | None", values["choice"]),
        resolved_version=values["resolved_version"], resolved_by=values["resolved_by"],
        resolved_at=values["resolved_at"],
    )
