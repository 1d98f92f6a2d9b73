"""Accounts and the audit log in the store: the SQL both backends share.

Two tables live beside the layers: ``landmap_accounts`` (one row per user, with an argon2 hash,
never a password) and ``landmap_audit`` (append-only: who did what, when, to whom). An account
change and its audit entry are written in one transaction, so the log cannot miss a change that
happened nor record one that did not. Account rows carry a ``version`` checked like a feature's:
a save made from a stale read is refused with ``ConflictError``.

The backends supply only their DDL (``account_columns``/``audit_columns`` give the portable part)
and the dialect hooks of ``SqlStore``; the logic of who may do what is ``gis.accounts``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gis.errors import Conflict, ConflictError, InputError, StoreError
from gis.store.codec import utc_now
from gis.store.protocol import AuditEvent
from layers.schema import DType

if TYPE_CHECKING:
    from gis.store.base import SqlStore

ACCOUNTS_TABLE = "landmap_accounts"
AUDIT_TABLE = "landmap_audit"

# (column, dtype, NOT NULL) after the key column ``username``; the order is the SELECT order.
ACCOUNT_COLUMNS: tuple[tuple[str, DType, bool], ...] = (
    ("password_hash", DType.STR, True),
    ("role", DType.STR, True),
    ("areas", DType.JSON, True),
    ("disabled", DType.BOOL, True),
    ("must_change_password", DType.BOOL, True),
    ("failed_sign_ins", DType.INT, True),
    ("locked_until", DType.DATETIME, False),
    ("last_sign_in", DType.DATETIME, False),
    ("created_at", DType.DATETIME, True),
    ("updated_at", DType.DATETIME, True),
    ("version", DType.INT, True),
    # The user's own choices: {"lang": "th"|"en", "era": "be"|"ce"}; set by gis.accounts.
    ("preferences", DType.JSON, True),
)
# (column, dtype, NOT NULL) after the autoincrement key ``id``.
AUDIT_COLUMNS: tuple[tuple[str, DType, bool], ...] = (
    ("at", DType.DATETIME, True),
    ("username", DType.STR, True),
    ("action", DType.STR, True),
    ("subject", DType.STR, False),
    ("detail", DType.JSON, True),
)
_DEFAULTS: dict[str, Any] = {
    "areas": [], "disabled": False, "must_change_password": False, "failed_sign_ins": 0,
    "locked_until": None, "last_sign_in": None, "preferences": {},
}
_ACCOUNT_NAMES = ("username", *(c for c, _, _ in ACCOUNT_COLUMNS))
_AUDIT_NAMES = ("id", *(c for c, _, _ in AUDIT_COLUMNS))
MAX_AUDIT_LIMIT = 10_000


def column_ddl(columns: tuple[tuple[str, DType, bool], ...], types: Mapping[DType, str]
               ) -> list[str]:
    """Column definitions in a backend's SQL types (``types`` maps each dtype to one)."""
    return [f'"{name}" {types[dtype]}{" NOT NULL" if required else ""}'
            for name, dtype, required in columns]


# ----------------------------------------------------------------------------- accounts
def get_account(store: SqlStore, username: str) -> dict[str, Any] | None:
    """One account row as a dict (with its ``password_hash``), or None."""
    with store._reading() as cur:
        cur.execute(_select_accounts(store) + f' WHERE "username" = {store.placeholder}',
                    [username])
        row = cur.fetchone()
    return None if row is None else _account_of(store, row)


def list_accounts(store: SqlStore) -> list[dict[str, Any]]:
    """Every account row, by username."""
    with store._reading() as cur:
        cur.execute(_select_accounts(store) + ' ORDER BY "username"')
        rows = cur.fetchall()
    return [_account_of(store, r) for r in rows]


def save_account(
    store: SqlStore,
    account: Mapping[str, Any],
    *,
    expected_version: int | None,
    audit: AuditEvent | None = None,
) -> int:
    """Insert (``expected_version`` None) or update an account, and its audit entry, in one
    transaction; returns the account's new version.

    An update whose ``expected_version`` is not the stored one raises ``ConflictError`` and
    writes nothing, audit entry included.
    """
    username = str(account.get("username") or "")
    missing = [k for k in ("username", "password_hash", "role") if not account.get(k)]
    if missing:
        raise InputError(f"ข้อมูลผู้ใช้ขาด {', '.join(missing)}",
                         f"an account needs {', '.join(missing)}", field=missing[0])
    now = utc_now()
    state = {**_DEFAULTS, "created_at": now, **dict(account), "updated_at": now}
    p = store.placeholder
    try:
        with store._transaction() as cur:
            if expected_version is None:
                state["version"] = 1
                names = ", ".join(f'"{n}"' for n in _ACCOUNT_NAMES)
                marks = ", ".join([p] * len(_ACCOUNT_NAMES))
                cur.execute(
                    f"INSERT INTO {store._table(ACCOUNTS_TABLE)} ({names}) VALUES ({marks})",
                    [username, *_values(store, state)],
                )
            else:
                state["version"] = expected_version + 1
                sets = ", ".join(f'"{c}" = {p}' for c, _, _ in ACCOUNT_COLUMNS
                                 if c != "created_at")
                values = [v for (c, _, _), v in zip(ACCOUNT_COLUMNS, _values(store, state),
                                                    strict=True) if c != "created_at"]
                cur.execute(
                    f"UPDATE {store._table(ACCOUNTS_TABLE)} SET {sets} "
                    f'WHERE "username" = {p} AND "version" = {p}',
                    [*values, username, expected_version],
                )
                if cur.rowcount != 1:
                    _refuse_stale(store, cur, state, expected_version)
            if audit is not None:
                insert_audit(store, cur, audit, now)
    except ConflictError:
        raise
    except Exception as exc:
        if store._is_unique_violation(exc):
            raise StoreError(f"มีผู้ใช้ชื่อ {username!r} อยู่แล้ว",
                             f"a user named {username!r} already exists") from exc
        raise
    return int(state["version"])


def _refuse_stale(store: SqlStore, cur: Any, mine: Mapping[str, Any], expected: int) -> None:
    cur.execute(_select_accounts(store) + f' WHERE "username" = {store.placeholder}',
                [mine["username"]])
    row = cur.fetchone()
    if row is None:
        raise StoreError(f"ไม่พบผู้ใช้ {mine['username']!r}",
                         f"no user named {mine['username']!r}")
    theirs = _account_of(store, row)
    # Hashes stay out of exceptions: they end up in logs and on screens.
    raise ConflictError([Conflict(
        layer=ACCOUNTS_TABLE, uid=str(mine["username"]), expected_version=expected,
        current_version=int(theirs["version"]),
        mine={k: v for k, v in mine.items() if k != "password_hash"},
        theirs={k: v for k, v in theirs.items() if k != "password_hash"},
    )])


def _select_accounts(store: SqlStore) -> str:
    names = ", ".join(f'"{n}"' for n in _ACCOUNT_NAMES)
    return f"SELECT {names} FROM {store._table(ACCOUNTS_TABLE)}"


def _values(store: SqlStore, state: Mapping[str, Any]) -> list[Any]:
    out = []
    for name, dtype, _ in ACCOUNT_COLUMNS:
        value = state.get(name)
        if name == "areas":
            value = sorted(str(a) for a in (value or ()))
        out.append(store._value_to_db(dtype, value))
    return out


def _account_of(store: SqlStore, row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"username": row[0]}
    for (name, dtype, _), value in zip(ACCOUNT_COLUMNS, row[1:], strict=True):
        out[name] = _from_db(store, dtype, value)
    out["areas"] = list(out["areas"] or [])
    out["preferences"] = dict(out["preferences"] or {})
    return out


def _from_db(store: SqlStore, dtype: DType, value: Any) -> Any:
    value = store._value_from_db(dtype, value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    if dtype is DType.INT and value is not None:
        return int(value)
    if dtype is DType.BOOL and value is not None:
        return bool(value)
    return value


# -------------------------------------------------------------------------------- audit
def append_audit(store: SqlStore, event: AuditEvent) -> None:
    """Write one audit entry in a transaction of its own."""
    with store._transaction() as cur:
        insert_audit(store, cur, event, utc_now())


def insert_audit(store: SqlStore, cur: Any, event: AuditEvent, now: dt.datetime) -> None:
    if not event.username or not event.action:
        raise InputError("บันทึกการใช้งานต้องมีผู้กระทำและการกระทำ",
                         "an audit entry needs a user and an action")
    names = ", ".join(f'"{c}"' for c, _, _ in AUDIT_COLUMNS)
    marks = ", ".join([store.placeholder] * len(AUDIT_COLUMNS))
    cur.execute(
        f"INSERT INTO {store._table(AUDIT_TABLE)} ({names}) VALUES ({marks})",
        [
            store._value_to_db(DType.DATETIME, event.at or now),
            event.username,
            event.action,
            event.subject,
            store._value_to_db(DType.JSON, dict(event.detail)),
        ],
    )


def read_audit(
    store: SqlStore, *, limit: int = 200, username: str | None = None, action: str | None = None
) -> list[dict[str, Any]]:
    """Audit entries, newest first; ``username`` (the actor) and ``action`` filter them."""
    if not 1 <= limit <= MAX_AUDIT_LIMIT:
        raise InputError(f"จำนวนรายการต้องอยู่ระหว่าง 1 ถึง {MAX_AUDIT_LIMIT:,} (ได้ {limit})",
                         f"limit must be 1 to {MAX_AUDIT_LIMIT:,} (got {limit})",
                         field="limit")
    p = store.placeholder
    clauses, params = [], []
    for column, wanted in (("username", username), ("action", action)):
        if wanted is not None:
            clauses.append(f'"{column}" = {p}')
            params.append(wanted)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    names = ", ".join(f'"{n}"' for n in _AUDIT_NAMES)
    with store._reading() as cur:
        cur.execute(
            f"SELECT {names} FROM {store._table(AUDIT_TABLE)}{where} "
            f'ORDER BY "id" DESC LIMIT {int(limit)}',
            params,
        )
        rows = cur.fetchall()
    return [
        {"id": int(r[0]),
         **{name: _from_db(store, dtype, value)
            for (name, dtype, _), value in zip(AUDIT_COLUMNS, r[1:], strict=True)}}
        for r in rows
    ]
