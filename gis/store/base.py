"""The one write path shared by both backends.

Every change — insert, update, soft delete, restore, undo — goes through ``SqlStore._apply``:
one transaction that locks the touched features, checks the versions the caller started from,
writes the new states and one ``feature_history`` row per feature, or writes nothing at all.
The backends only supply SQL dialect: placeholders, geometry encoding, locking, metadata.
"""

from __future__ import annotations

import dataclasses
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from gis.errors import Conflict, ConflictError, InputError, StoreError
from gis.store import accounts_sql, bulk, conflicts_sql, queries
from gis.store.attachments_sql import AttachmentMethods
from gis.store.checks import (
    conform_frame,
    conform_geometry,
    expected_version,
    unknown_fields,
)
from gis.store.codec import coerce, utc_now
from gis.store.protocol import (
    AppliedChanges,
    AuditEvent,
    BBox,
    ChangeResult,
    ConflictChoice,
    ConflictRecord,
    ConflictStatus,
    Feature,
    HistoryEntry,
    LayerChanges,
    Op,
)
from gis.store.rules_sql import RulesMethods
from gis.store.states import (
    HISTORY_TABLE,
    SYSTEM_COLUMNS,
    empty_state,
    features_of,
    frame_of,
    snapshot,
)
from layers import LAYERS
from layers.schema import DType, LayerSpec

_CHUNK = 500  # parameters per IN (...) list; well under SQLite's variable limit

@dataclass
class _Change:
    """One feature's change inside ``_apply``: what the caller asked for."""

    op: Op
    uid: str
    expected: int | None
    values: dict[str, Any] = field(default_factory=dict)  # fields and/or "geometry"
    replace: Feature | None = None  # restore/undo: the whole state to write back


class SqlStore(ABC, AttachmentMethods, RulesMethods):
    """Store logic over a DB-API connection; subclasses provide the dialect. Attachments
    (``gis/store/attachments_sql.py``) come in with ``AttachmentMethods``, the versions of the
    priority rules (``gis/store/rules_sql.py``) with ``RulesMethods``."""

    backend: str
    placeholder: str

    def __init__(self, specs: Mapping[str, LayerSpec] | None = None) -> None:
        self._specs: dict[str, LayerSpec] = dict(specs if specs is not None else LAYERS)

    # ----------------------------------------------------------------- dialect (subclasses)
    @abstractmethod
    def _transaction(self) -> AbstractContextManager[Any]:
        """A cursor inside a write transaction that commits on success, rolls back on error."""

    @abstractmethod
    def _reading(self) -> AbstractContextManager[Any]:
        """A cursor for reads."""

    @abstractmethod
    def _table(self, name: str) -> str:
        """The quoted, qualified name of a table."""

    @abstractmethod
    def _geom_param_sql(self) -> str: ...

    @abstractmethod
    def _geom_to_db(self, geom: BaseGeometry | None) -> Any: ...

    @abstractmethod
    def _geom_select_sql(self) -> str: ...

    @abstractmethod
    def _geoms_from_db(self, values: Sequence[Any]) -> np.ndarray[Any, Any]: ...

    @abstractmethod
    def _value_to_db(self, dtype: DType, value: Any) -> Any: ...

    @abstractmethod
    def _value_from_db(self, dtype: DType, value: Any) -> Any: ...

    @abstractmethod
    def _json_to_db(self, obj: Any) -> Any: ...

    @abstractmethod
    def _json_text_to_db(self, text: str) -> Any:
        """JSON already serialised (``states.dumps``) as the backend's parameter."""

    @abstractmethod
    def _geoms_to_db(self, geoms: np.ndarray[Any, Any],
                     wkb: Sequence[bytes | None]) -> list[Any]:
        """Many geometries as parameters, given their 2-D ISO little-endian WKB."""

    @abstractmethod
    def _json_from_db(self, value: Any) -> Any: ...

    @abstractmethod
    def _bbox_sql(self, spec: LayerSpec, bbox: BBox) -> tuple[str, list[Any]]: ...

    @abstractmethod
    def _lock_sql(self) -> str:
        """Suffix that locks selected rows until commit ('' where the transaction locks all)."""

    @abstractmethod
    def _is_unique_violation(self, exc: BaseException) -> bool: ...

    def _after_change(self, cur: Any, spec: LayerSpec) -> None:
        """Backend bookkeeping inside the same transaction (e.g. GeoPackage extents)."""

    def _insert_new(self, cur: Any, spec: LayerSpec, rows: Sequence[Sequence[Any]],
                    geometries: np.ndarray[Any, Any] | None,
                    history: Sequence[Sequence[Any]]) -> None:
        """Insert the rows of new features and their history rows (``write``); backends may
        do it in bulk."""
        self._executemany(cur, self._insert_sql(spec), rows)
        self._executemany(cur, self._history_sql(), history)

    def _executemany(self, cur: Any, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Every multi-row statement runs here (tests inject faults at this seam)."""
        cur.executemany(sql, rows)

    # ------------------------------------------------------------------------- reading
    def layers(self) -> list[str]:
        return list(self._specs)

    def spec(self, layer: str) -> LayerSpec:
        try:
            return self._specs[layer]
        except KeyError:
            known = ", ".join(self._specs)
            raise StoreError(
                f"ไม่มีชั้นข้อมูลชื่อ {layer!r} (ที่มี: {known})",
                f"no layer named {layer!r} (known: {known})",
            ) from None

    def _select_sql(self, spec: LayerSpec) -> str:
        cols = [*SYSTEM_COLUMNS, *spec.field_names]
        sql = ", ".join(f'"{c}"' for c in cols)
        if spec.geometry:
            sql += ", " + self._geom_select_sql()
        return f"SELECT {sql} FROM {self._table(spec.name)}"

    def read(
        self,
        layer: str,
        *,
        bbox: BBox | None = None,
        where: Mapping[str, Any] | None = None,
        include_deleted: bool = False,
    ) -> pd.DataFrame:
        """Live features of ``layer`` as a (Geo)DataFrame in EPSG:4326.

        Parameters
        ----------
        bbox
            (minx, miny, maxx, maxy) in degrees; uses the spatial index.
        where
            ``{field: value}`` or ``{field: [values]}``, combined with AND.
        include_deleted
            Also return soft-deleted features (with ``deleted`` True).
        """
        spec = self.spec(layer)
        where_sql, params = self._where_sql(spec, bbox, where, include_deleted)
        sql = self._select_sql(spec) + where_sql + ' ORDER BY "fid"'
        with self._reading() as cur:
            cur.execute(sql, params)
            rows = cur.fetchall()
        return self._frame(spec, rows)

    def _where_sql(
        self,
        spec: LayerSpec,
        bbox: BBox | None,
        where: Mapping[str, Any] | None,
        include_deleted: bool,
    ) -> tuple[str, list[Any]]:
        """`` WHERE …`` (or '') and its parameters for ``read``/``count_by``."""
        return queries.where_sql(self, spec, bbox, where, include_deleted)

    def count_by(
        self,
        layer: str,
        field: str | None = None,
        *,
        bbox: BBox | None = None,
        where: Mapping[str, Any] | None = None,
    ) -> dict[Any, int]:
        """Live features per value of ``field`` (or ``{None: n}`` without one), counted in SQL.

        Takes the same ``bbox``/``where`` as ``read``; the map uses it to decide between
        drawing features and drawing aggregates without reading the features first.
        """
        spec = self.spec(layer)
        where_sql, params = self._where_sql(spec, bbox, where, False)
        if field is None:
            sql = f"SELECT NULL, count(*) FROM {self._table(spec.name)}{where_sql}"
        else:
            spec.field(field)  # KeyError naming the layer for an unknown field
            sql = (f'SELECT "{field}", count(*) FROM {self._table(spec.name)}{where_sql} '
                   f'GROUP BY "{field}"')
        with self._reading() as cur:
            cur.execute(sql, params)
            rows = cur.fetchall()
        return {r[0]: int(r[1]) for r in rows if int(r[1])}

    def _frame(self, spec: LayerSpec, rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
        geoms = self._geoms_from_db([r[-1] for r in rows]) if spec.geometry else None
        return frame_of(spec, rows, self._value_from_db, geoms)

    def get(self, layer: str, uid: str) -> Feature | None:
        """One feature by uid (deleted ones too), or None."""
        spec = self.spec(layer)
        with self._reading() as cur:
            return self._current(cur, spec, [uid], lock=False).get(uid)

    def counts(self) -> dict[str, int]:
        """Live (not deleted) features per layer."""
        out: dict[str, int] = {}
        with self._reading() as cur:
            for name in self._specs:
                cur.execute(
                    f'SELECT count(*) FROM {self._table(name)} WHERE "deleted" = '
                    f"{self.placeholder}",
                    [self._value_to_db(DType.BOOL, False)],
                )
                out[name] = int(cur.fetchone()[0])
        return out

    def _current(
        self, cur: Any, spec: LayerSpec, uids: Sequence[str], *, lock: bool
    ) -> dict[str, Feature]:
        found: dict[str, Feature] = {}
        for start in range(0, len(uids), _CHUNK):
            chunk = list(uids[start:start + _CHUNK])
            marks = ", ".join([self.placeholder] * len(chunk))
            sql = f'{self._select_sql(spec)} WHERE "uid" IN ({marks})'
            cur.execute(sql + (self._lock_sql() if lock else ""), chunk)
            frame = self._frame(spec, cur.fetchall())
            for feature in features_of(frame, spec):
                found[feature["uid"]] = feature
        return found

    # ------------------------------------------------------------------------- writing
    def write(self, layer: str, frame: pd.DataFrame, *, user: str,
              audit: AuditEvent | None = None) -> ChangeResult:
        """Insert every row of ``frame`` as a new feature (version 1), in one transaction.

        ``uid`` is kept when the frame has one, generated otherwise. ``version``/``updated_*``
        columns are ignored: the store sets them. Rows are checked against the layer's
        declaration first; a bad value raises ``InputError`` naming the row and field.
        ``audit`` is written in the same transaction (its subject defaults to the change set).
        """
        spec = self.spec(layer)
        frame = conform_frame(spec, frame)
        uids = (
            [str(u) if u is not None and u == u else str(uuid.uuid4()) for u in frame["uid"]]
            if "uid" in frame.columns
            else bulk.new_uids(len(frame))
        )
        columns = bulk.coerce_columns(spec, frame, uids)
        if not user:
            raise InputError("ต้องระบุผู้แก้ไข", "a change needs the name of the user making it")
        change_set = str(uuid.uuid4())
        now = utc_now()
        rows, history = bulk.encode(self, spec, columns, user=user, at=now,
                                    change_set=change_set)
        with self._writing(), self._transaction() as cur:
            self._insert_new(cur, spec, rows, columns.geometries, history)
            self._audit_in(cur, audit, change_set, now)
            self._after_change(cur, spec)
        return ChangeResult(change_set=change_set, layer=spec.name,
                            versions=dict.fromkeys(uids, 1))

    def update(
        self,
        layer: str,
        changes: Mapping[str, Mapping[str, Any]],
        expected_versions: Mapping[str, int],
        *,
        user: str,
    ) -> ChangeResult:
        """Change fields and/or ``geometry`` of existing features, given the versions read.

        Raises ``ConflictError`` (with both sides) and writes nothing if any feature's stored
        version is not the expected one.
        """
        spec = self.spec(layer)
        todo = []
        for row, (uid, values) in enumerate(changes.items(), start=1):
            checked = self._checked_values(spec, values, row=row)
            todo.append(_Change("update", uid, expected_version(expected_versions, uid), checked))
        return self._apply(spec, todo, user=user)

    def _checked_values(self, spec: LayerSpec, values: Mapping[str, Any], *, row: int
                        ) -> dict[str, Any]:
        """Field values and/or ``geometry`` as the layer stores them, or ``InputError`` naming
        the layer, row and field."""
        checked: dict[str, Any] = {}
        for name, value in values.items():
            if name == "geometry" and spec.geometry:
                checked[name] = conform_geometry(spec, value, row=row)
            elif name in spec.field_names:
                checked[name] = coerce(spec.field(name), value, layer=spec.name, row=row)
            else:
                raise unknown_fields(spec, [name])
        return checked

    def delete(
        self, layer: str, uids: Iterable[str], expected_versions: Mapping[str, int], *, user: str
    ) -> ChangeResult:
        """Soft-delete features: they leave every read but stay, with their history."""
        spec = self.spec(layer)
        todo = [
            _Change("delete", uid, expected_version(expected_versions, uid), {"deleted": True})
            for uid in uids
        ]
        return self._apply(spec, todo, user=user)

    def restore(
        self, layer: str, uid: str, version: int, *, expected_version: int, user: str
    ) -> ChangeResult:
        """Write the state of ``version`` back as a new version (history is never rewritten)."""
        spec = self.spec(layer)
        state = self._state_at(spec, uid, version)
        return self._apply(
            spec, [_Change("restore", uid, expected_version, replace=state)], user=user
        )

    def undo(
        self, layer: str, uid: str, *, user: str, expected_version: int | None = None
    ) -> ChangeResult:
        """Undo the latest change of a feature by restoring the version before it.

        Undoing a feature's creation soft-deletes it. ``expected_version`` defaults to the
        current one; pass the version the user saw to refuse undoing someone else's edit.
        """
        spec = self.spec(layer)
        entries = self.history(layer, uid)
        if not entries:
            raise StoreError(
                f"ไม่พบข้อมูล {layer}/{uid}", f"no feature {layer}/{uid} to undo"
            )
        latest = entries[-1]
        state = dict(latest.after, deleted=True) if latest.before is None else latest.before
        expected = latest.version if expected_version is None else expected_version
        return self._apply(spec, [_Change("undo", uid, expected, replace=state)], user=user)

    def history(self, layer: str, uid: str) -> list[HistoryEntry]:
        """Every version of a feature, oldest first."""
        return self._history_where(layer, "uid", uid)

    def history_of_change_set(self, layer: str, change_set: str) -> list[HistoryEntry]:
        """The versions one change set wrote in ``layer``."""
        return self._history_where(layer, "change_set", change_set)

    def _history_where(
        self, layer: str, column: Literal["uid", "change_set"], value: str
    ) -> list[HistoryEntry]:
        return queries.history_where(self, layer, column, value)

    def _state_at(self, spec: LayerSpec, uid: str, version: int) -> Feature:
        for entry in self.history(spec.name, uid):
            if entry.version == version:
                return entry.after
        raise StoreError(
            f"ไม่มีฉบับที่ {version} ของ {spec.name}/{uid}",
            f"{spec.name}/{uid} has no version {version}",
        )

    def _apply(self, spec: LayerSpec, changes: list[_Change], *, user: str,
               audit: AuditEvent | None = None) -> ChangeResult:
        """The single write path: lock, check versions, write states and history (and the
        audit entry, when given, with the change set as its subject unless it names one),
        commit."""
        if not user:
            raise InputError("ต้องระบุผู้แก้ไข", "a change needs the name of the user making it")
        change_set = str(uuid.uuid4())
        now = utc_now()
        with self._writing(), self._transaction() as cur:
            versions = self._apply_in(cur, spec, changes, user=user, change_set=change_set,
                                      now=now)
            self._audit_in(cur, audit, change_set, now)
            self._after_change(cur, spec)
        return ChangeResult(change_set=change_set, layer=spec.name, versions=versions)

    def _apply_in(self, cur: Any, spec: LayerSpec, changes: list[_Change], *, user: str,
                  change_set: str, now: Any) -> dict[str, int]:
        """``_apply`` inside a transaction the caller holds (``gis.store.conflicts_sql`` joins
        it to its own writes): lock, check versions, write states and history rows; returns
        each feature's new version. The caller writes its audit entry and ``_after_change``."""
        inserts = [c for c in changes if c.op == "insert"]
        edits = [c for c in changes if c.op != "insert"]
        versions: dict[str, int] = {}
        current = self._current(cur, spec, [c.uid for c in edits], lock=True)
        _check_versions(spec, edits, current)
        history: list[list[Any]] = []
        new_rows: list[list[Any]] = []
        for c in inserts:
            state = empty_state(spec) | c.values
            state.update(uid=c.uid, version=1, updated_at=now, updated_by=user,
                         deleted=False)
            new_rows.append(self._row(spec, state))
            history.append(self._history_row(spec, c, None, state, change_set))
            versions[c.uid] = 1
        self._executemany(cur, self._insert_sql(spec), new_rows)
        changed_rows: list[list[Any]] = []
        for c in edits:
            before = current[c.uid]
            base = c.replace if c.replace is not None else before
            state = {**base, **c.values}
            state.update(uid=c.uid, version=before["version"] + 1, updated_at=now,
                         updated_by=user)
            changed_rows.append(
                [*self._row(spec, state)[1:], c.uid, before["version"]]
            )
            history.append(self._history_row(spec, c, before, state, change_set))
            versions[c.uid] = state["version"]
        self._executemany(cur, self._update_sql(spec), changed_rows)
        self._executemany(cur, self._history_sql(), history)
        return versions

    def _audit_in(self, cur: Any, audit: AuditEvent | None, change_set: str,
                  now: Any) -> None:
        """The audit entry of a change, inside its transaction (subject: the change set)."""
        if audit is not None:
            accounts_sql.insert_audit(self, cur, dataclasses.replace(
                audit, subject=audit.subject or change_set,
                detail={**audit.detail, "change_set": change_set}), now)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Around a write transaction: a repeated uid becomes a bilingual ``StoreError``."""
        try:
            yield
        except ConflictError:
            raise
        except Exception as exc:
            if self._is_unique_violation(exc):
                raise StoreError(
                    "มีรหัสถาวร (uid) ซ้ำกับข้อมูลที่มีอยู่หรือซ้ำกันเองในชุดที่ส่งมา "
                    "จึงไม่ได้บันทึกอะไรเลย",
                    "a uid repeats one already stored or repeats within the rows sent, "
                    "so nothing was written",
                ) from exc
            raise

    # ------------------------------------------------------- accounts and audit log
    def get_account(self, username: str) -> dict[str, Any] | None:
        """One account (with its password hash, for ``gis.accounts`` only), or None."""
        return accounts_sql.get_account(self, username)

    def list_accounts(self) -> list[dict[str, Any]]:
        """Every account, by username."""
        return accounts_sql.list_accounts(self)

    def save_account(
        self,
        account: Mapping[str, Any],
        *,
        expected_version: int | None,
        audit: AuditEvent | None = None,
    ) -> int:
        """Insert or update (optimistically) an account and its audit entry in one transaction."""
        return accounts_sql.save_account(
            self, account, expected_version=expected_version, audit=audit
        )

    def undo_change_set(self, change_set: str, *, user: str,
                        audit: AuditEvent | None = None) -> list[ChangeResult]:
        """Undo a whole change set (e.g. an import batch); see ``gis.store.batches``."""
        from gis.store.batches import undo_change_set

        return undo_change_set(self, change_set, user=user, audit=audit)

    def append_audit(self, event: AuditEvent) -> None:
        """Write one audit entry."""
        accounts_sql.append_audit(self, event)

    def read_audit(
        self, *, limit: int = 200, username: str | None = None, action: str | None = None
    ) -> list[dict[str, Any]]:
        """Audit entries, newest first."""
        return accounts_sql.read_audit(self, limit=limit, username=username, action=action)

    # --------------------------------------------- conflict queue (gis/store/conflicts_sql.py)
    def apply_changes(self, changes: Sequence[LayerChanges], *, user: str, source: str,
                      audit: AuditEvent | None = None) -> AppliedChanges:
        """New features and proposals for several layers in one transaction and one change
        set; a proposal whose base version is no longer current is queued as a conflict."""
        return conflicts_sql.apply_changes(self, changes, user=user, source=source, audit=audit)

    def add_conflict(self, layer: str, uid: str, *, base_version: int,
                     proposed: Mapping[str, Any], user: str, source: str) -> int:
        """Queue an edit refused with ``ConflictError``; returns the conflict's id."""
        return conflicts_sql.add_conflict(self, layer, uid, base_version=base_version,
                                          proposed=proposed, user=user, source=source)

    def list_conflicts(self, *, status: ConflictStatus | None = "open", layer: str | None = None,
                       uids: Iterable[str] | None = None) -> list[ConflictRecord]:
        """Queued conflicts, oldest first (``status`` None: open and resolved)."""
        return conflicts_sql.list_conflicts(self, status=status, layer=layer, uids=uids)

    def get_conflict(self, conflict_id: int) -> ConflictRecord | None:
        """One queued conflict by id, or None."""
        return conflicts_sql.get_conflict(self, conflict_id)

    def resolve_conflict(self, conflict_id: int, *, choice: ConflictChoice,
                         merged_values: Mapping[str, Any] | None = None, user: str,
                         expected_current_version: int) -> ConflictRecord:
        """Carry out the user's choice (mine, theirs, merge) and mark the conflict resolved, in
        one transaction with its audit entry; ``ConflictError`` if the feature moved again."""
        return conflicts_sql.resolve_conflict(
            self, conflict_id, choice=choice, merged_values=merged_values, user=user,
            expected_current_version=expected_current_version)

    # ------------------------------------------------------------------ SQL and rows
    def _columns(self, spec: LayerSpec) -> list[str]:
        return [*SYSTEM_COLUMNS, *spec.field_names, *(["geom"] if spec.geometry else [])]

    def _insert_sql(self, spec: LayerSpec) -> str:
        cols = self._columns(spec)
        marks = [self.placeholder] * len(cols)
        if spec.geometry:
            marks[-1] = self._geom_param_sql()
        names = ", ".join(f'"{c}"' for c in cols)
        return f"INSERT INTO {self._table(spec.name)} ({names}) VALUES ({', '.join(marks)})"

    def _update_sql(self, spec: LayerSpec) -> str:
        p = self.placeholder
        sets = [f'"{c}" = {p}' for c in self._columns(spec)[1:]]
        if spec.geometry:
            sets[-1] = f'"geom" = {self._geom_param_sql()}'
        return (
            f"UPDATE {self._table(spec.name)} SET {', '.join(sets)} "
            f'WHERE "uid" = {p} AND "version" = {p}'
        )

    def _history_sql(self) -> str:
        marks = ", ".join([self.placeholder] * 9)
        return (
            f"INSERT INTO {self._table(HISTORY_TABLE)} (layer, uid, version, op, changed_at, "
            f"changed_by, change_set, before, after) VALUES ({marks})"
        )

    def _row(self, spec: LayerSpec, state: Feature) -> list[Any]:
        row = [
            state["uid"],
            state["version"],
            self._value_to_db(DType.DATETIME, state["updated_at"]),
            state["updated_by"],
            self._value_to_db(DType.BOOL, bool(state["deleted"])),
        ]
        row += [self._value_to_db(f.dtype, state.get(f.name)) for f in spec.fields]
        if spec.geometry:
            row.append(self._geom_to_db(state.get("geometry")))
        return row

    def _history_row(
        self, spec: LayerSpec, change: _Change, before: Feature | None, after: Feature,
        change_set: str,
    ) -> list[Any]:
        return [
            spec.name, change.uid, after["version"], change.op,
            self._value_to_db(DType.DATETIME, after["updated_at"]), after["updated_by"],
            change_set,
            None if before is None else self._json_to_db(snapshot(spec, before)),
            self._json_to_db(snapshot(spec, after)),
        ]



def _check_versions(spec: LayerSpec, edits: list[_Change], current: dict[str, Feature]) -> None:
    missing = [c.uid for c in edits if c.uid not in current]
    if missing:
        raise StoreError(
            f"ไม่พบข้อมูล {spec.name}: {', '.join(missing[:5])}",
            f"no such {spec.name} feature(s): {', '.join(missing[:5])}",
        )
    conflicts = [
        Conflict(
            layer=spec.name, uid=c.uid, expected_version=c.expected,
            current_version=current[c.uid]["version"],
            mine=c.replace if c.replace is not None else c.values, theirs=current[c.uid],
        )
        for c in edits
        if current[c.uid]["version"] != c.expected
    ]
    if conflicts:
        raise ConflictError(conflicts)
