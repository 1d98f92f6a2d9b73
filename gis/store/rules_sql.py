"""Every version of the priority scoring rules, kept in the store: the SQL both backends share.

``landmap_priority_rules`` is append-only: each save adds a row with the next ``version``, the
rules as JSON (whatever ``gis.priority`` puts there; this module does not interpret them), who
saved them, when, and their note. Nothing is updated or deleted, so every ranking a planner ever
saw can be recomputed from the version it was made with.

Two planners editing the rules at once: each save names the version it started from
(``expected_version``, 0 when no rules were ever saved). Inside the write transaction the newest
stored version is compared with it; a stale save is refused with ``RulesConflictError`` (a
``ConflictError``, Thai and English, carrying both sets of rules) and writes nothing. The
``UNIQUE`` version column backs this up in PostgreSQL, where two transactions may both read the
same newest version: the second insert waits for the first to commit, then fails on the unique
key and is refused the same way. The save and its audit entry (``priority_rules_saved``) are one
transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from gis.errors import Conflict, ConflictError, InputError
from gis.store import accounts_sql
from gis.store.codec import utc_now
from gis.store.protocol import AuditEvent, PriorityRulesRecord
from layers.schema import DType

if TYPE_CHECKING:
    from gis.store.base import SqlStore

RULES_TABLE = "landmap_priority_rules"
# (column, dtype, NOT NULL) after the autoincrement key ``id``; the order is the SELECT order.
RULES_COLUMNS: tuple[tuple[str, DType, bool], ...] = (
    ("version", DType.INT, True),
    ("rules", DType.JSON, True),
    ("saved_by", DType.STR, True),
    ("saved_at", DType.DATETIME, True),
    ("note", DType.STR, True),
)
RULES_SUBJECT = "priority_rules"  # the "uid" of the rules in conflicts and audit entries
_NAMES = tuple(c for c, _, _ in RULES_COLUMNS)


class RulesConflictError(ConflictError):
    """The priority rules were saved by someone else since the caller read them."""

    def __init__(self, conflict: Conflict, *, saved_by: str | None) -> None:
        super().__init__([conflict])
        who = saved_by or "?"
        self.message_th = (
            f"มีผู้บันทึกเกณฑ์การให้คะแนนเป็นฉบับที่ {conflict.current_version} ไปก่อนแล้ว "
            f"(โดย {who}) ขณะที่คุณแก้จากฉบับที่ {conflict.expected_version} จึงยังไม่บันทึก — "
            "เปิดเกณฑ์ฉบับล่าสุด เทียบกับของคุณ แล้วบันทึกอีกครั้ง ไม่มีข้อมูลใดสูญหาย")
        self.message_en = (
            f"the priority rules were saved as version {conflict.current_version} by {who} "
            f"while you were editing version {conflict.expected_version}, so nothing was "
            "saved — open the latest rules, compare them with yours and save again; nothing "
            "has been lost")
        self.args = (self.message_en,)


class RulesMethods:
    """The priority-rules part of the ``Store`` protocol, mixed into ``SqlStore``."""

    def priority_rules_history(self) -> list[PriorityRulesRecord]:
        """Every saved version of the priority rules, oldest first."""
        return _select(_sql(self), latest=False)

    def latest_priority_rules(self) -> PriorityRulesRecord | None:
        """The newest saved version of the priority rules, or None when none was saved."""
        found = _select(_sql(self), latest=True)
        return found[0] if found else None

    def save_priority_rules(self, rules: Mapping[str, Any], *, user: str,
                            expected_version: int, note: str = "") -> PriorityRulesRecord:
        """Append ``rules`` as the next version, with its audit entry, in one transaction.

        ``expected_version`` is the version the user started from (0: none saved yet); when
        another version was saved since, ``RulesConflictError`` is raised and nothing is
        written.
        """
        return save(_sql(self), rules, user=user, expected_version=expected_version, note=note)


def _sql(store: RulesMethods) -> SqlStore:
    # The mixin only ever lives in SqlStore (base.py), whose dialect hooks the SQL below uses.
    return cast("SqlStore", store)


def rules_column_ddl(types: Mapping[DType, str]) -> list[str]:
    """Every column but the key, in a backend's SQL types, and the unique version."""
    return [*accounts_sql.column_ddl(RULES_COLUMNS, types), 'UNIQUE ("version")']


# ------------------------------------------------------------------------------ writes
def save(store: SqlStore, rules: Mapping[str, Any], *, user: str, expected_version: int,
         note: str) -> PriorityRulesRecord:
    if not user:
        raise InputError("ต้องระบุผู้บันทึกเกณฑ์", "saving the rules needs the name of the user")
    if isinstance(expected_version, bool) or not isinstance(expected_version, int) \
            or expected_version < 0:
        raise InputError(f"ฉบับที่คาดไว้ต้องเป็นจำนวนเต็มตั้งแต่ 0 (ได้ {expected_version!r})",
                         f"expected_version must be a whole number from 0, got "
                         f"{expected_version!r}", field="expected_version")
    payload = _plain_json(rules)
    now = utc_now()
    record = PriorityRulesRecord(version=expected_version + 1, rules=payload, saved_by=user,
                                 saved_at=now, note=str(note or ""))
    p = store.placeholder
    try:
        with store._transaction() as cur:
            cur.execute(f'SELECT max("version") FROM {store._table(RULES_TABLE)}')
            current = int(cur.fetchone()[0] or 0)
            if current != expected_version:
                raise _stale(store, expected_version, payload)
            names = ", ".join(f'"{c}"' for c in _NAMES)
            cur.execute(
                f"INSERT INTO {store._table(RULES_TABLE)} ({names}) "
                f"VALUES ({', '.join([p] * len(_NAMES))})",
                [store._value_to_db(dtype, getattr(record, name))
                 for name, dtype, _ in RULES_COLUMNS])
            accounts_sql.insert_audit(store, cur, AuditEvent(
                user, "priority_rules_saved", f"{RULES_SUBJECT}/v{record.version}",
                {"version": record.version, "expected_version": expected_version,
                 "note": record.note}), now)
    except ConflictError:
        raise
    except Exception as exc:
        if store._is_unique_violation(exc):  # another save of the same version won the race
            raise _stale(store, expected_version, payload) from exc
        raise
    return record


def _stale(store: SqlStore, expected: int, mine: Mapping[str, Any]) -> RulesConflictError:
    # Read outside the failed transaction (PostgreSQL aborts it on a unique violation).
    found = _select(store, latest=True)
    theirs = found[0] if found else None
    return RulesConflictError(
        Conflict(layer=RULES_TABLE, uid=RULES_SUBJECT, expected_version=expected,
                 current_version=theirs.version if theirs else 0, mine=dict(mine),
                 theirs=dict(theirs.rules) if theirs else None),
        saved_by=theirs.saved_by if theirs else None)


def _plain_json(rules: Mapping[str, Any]) -> dict[str, Any]:
    """The rules as plain JSON (a round trip through ``json``), or ``InputError``."""
    if not isinstance(rules, Mapping):
        raise InputError("เกณฑ์ต้องเป็นชุดชื่อและค่า (JSON object)",
                         f"the rules must be a JSON object, got {type(rules).__name__}",
                         field="rules")
    try:
        plain = json.loads(json.dumps(dict(rules), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InputError("เกณฑ์มีค่าที่เก็บเป็น JSON ไม่ได้", f"the rules are not plain JSON: {exc}",
                         field="rules") from None
    return cast("dict[str, Any]", plain)


# ------------------------------------------------------------------------------- reads
def _select(store: SqlStore, *, latest: bool) -> list[PriorityRulesRecord]:
    names = ", ".join(f'"{n}"' for n in _NAMES)
    order = ' ORDER BY "version" DESC LIMIT 1' if latest else ' ORDER BY "version"'
    with store._reading() as cur:
        cur.execute(f"SELECT {names} FROM {store._table(RULES_TABLE)}{order}")
        rows = cur.fetchall()
    return [_record_of(store, r) for r in rows]


def _record_of(store: SqlStore, row: Sequence[Any]) -> PriorityRulesRecord:
    values: dict[str, Any] = {}
    for (name, dtype, _), raw in zip(RULES_COLUMNS, row, strict=True):
        value = store._value_from_db(dtype, raw)
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC)
        elif dtype is DType.INT:
            value = int(value)
        values[name] = value
    return PriorityRulesRecord(**values)
