"""Signing in and out: password checks, the lock after repeated failures, session expiry, and
the audit entries of who signed in and what they downloaded.

An unknown user, a disabled user and a wrong password get the same ``SignInError``, and each
runs one argon2 verification (against a dummy hash for an unknown user), so neither the message
nor the time taken tells them apart.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import secrets
import threading
from collections import OrderedDict
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError

from gis.accounts.model import (
    HASHER,
    LOCK_SECONDS,
    MAX_FAILURES,
    MAX_LOCK_SECONDS,
    SESSION_IDLE_MINUTES,
    SESSION_MAX_HOURS,
    USERNAME_PATTERN,
    Account,
    AccountLockedError,
    SignInError,
    modify,
)
from gis.accounts.users import check_password
from gis.errors import InputError
from gis.privacy import Audience
from gis.store.codec import utc_now
from gis.store.protocol import AuditEvent, Store


def sign_in(store: Store, username: str, password: str, *, now: dt.datetime | None = None
            ) -> Account:
    """The account of ``username`` if ``password`` is right; audited as ``sign_in``,
    ``sign_in_failed`` or ``sign_in_locked``.

    Raises ``SignInError`` (the same message for an unknown user, a disabled user and a wrong
    password) or ``AccountLockedError`` after ``MAX_FAILURES`` failures in a row: 30 s, doubling
    with each further failure up to 15 minutes; while locked no password is checked.
    A success resets the count, records ``last_sign_in`` and upgrades an outdated hash.
    The caller must still honour ``Account.must_change_password``.

    Parameters
    ----------
    now
        The current time (timezone-aware); tests pass it to move the clock.
    """
    now = now or utc_now()
    row = _authenticate(store, username, password, now, during="sign_in")
    rehash = HASHER.check_needs_rehash(row["password_hash"])
    new_hash = HASHER.hash(password) if rehash else None

    def change(fresh: dict[str, Any]) -> tuple[dict[str, Any], AuditEvent]:
        updated = {**fresh, "failed_sign_ins": 0, "locked_until": None, "last_sign_in": now}
        if new_hash is not None:
            updated["password_hash"] = new_hash
        return updated, AuditEvent(fresh["username"], "sign_in", fresh["username"],
                                   {"rehashed": rehash}, at=now)

    return modify(store, row["username"], change, row=row)


def change_password(
    store: Store, username: str, old: str, new: str, *, now: dt.datetime | None = None
) -> Account:
    """A user replaces their own password, proving the old one first (a wrong one counts
    towards the lock like a failed sign-in); audited as ``password_changed``."""
    now = now or utc_now()
    row = _authenticate(store, username, old, now, during="change_password")
    check_password(new, username=row["username"])
    if new == old:
        raise InputError("รหัสผ่านใหม่ต้องไม่ซ้ำกับรหัสผ่านเดิม",
                         "the new password must differ from the old one", field="password")
    hashed = HASHER.hash(new)

    def change(fresh: dict[str, Any]) -> tuple[dict[str, Any], AuditEvent]:
        return ({**fresh, "password_hash": hashed, "must_change_password": False,
                 "failed_sign_ins": 0, "locked_until": None},
                AuditEvent(fresh["username"], "password_changed", fresh["username"], at=now))

    return modify(store, row["username"], change, row=row)


def record_sign_out(store: Store, username: str, *, reason: str = "user",
                    now: dt.datetime | None = None) -> None:
    """Audit a sign-out; ``reason`` is ``user``, ``idle`` or ``expired``."""
    store.append_audit(AuditEvent(username, "sign_out", username, {"reason": reason}, at=now))


def record_download(
    store: Store, who: Audience | str, *, what: str, layer: str | None, rows: int, fmt: str
) -> None:
    """Audit a download or export (action ``download``): what (e.g. ``layer``, ``report``),
    which layer, how many rows, which format, and, given an ``Audience``, the role and areas it
    was redacted for."""
    detail: dict[str, Any] = {"what": what, "layer": layer, "rows": int(rows), "format": fmt}
    if isinstance(who, Audience):
        detail |= {"role": who.role.value, "areas": sorted(who.areas)}
        username = who.username
    else:
        username = who
    store.append_audit(AuditEvent(username, "download", layer or what, detail))


def session_expired(signed_in_at: dt.datetime, last_seen: dt.datetime, now: dt.datetime) -> bool:
    """Whether a session must end: idle for ``SESSION_IDLE_MINUTES`` or signed in for
    ``SESSION_MAX_HOURS`` (all three timezone-aware). A time in the future also ends it."""
    if signed_in_at > now or last_seen > now:
        return True
    return (now - last_seen >= dt.timedelta(minutes=SESSION_IDLE_MINUTES)
            or now - signed_in_at >= dt.timedelta(hours=SESSION_MAX_HOURS))


# --------------------------------------------------------------------------- internals
def _authenticate(store: Store, username: str, password: str, now: dt.datetime, *,
                  during: str) -> dict[str, Any]:
    """The account row if the password is right; otherwise count, audit and raise."""
    name = username.strip().lower()
    valid = bool(USERNAME_PATTERN.match(name))
    # A password typed into the username box must not reach the audit log, so names that
    # cannot exist are logged as a placeholder.
    actor = name if valid else "(invalid)"
    row = store.get_account(name) if valid else None
    if row is None:
        wait = _UNKNOWN.seconds_left(name, now)
        if wait:
            store.append_audit(AuditEvent(actor, "sign_in_locked", actor,
                                          {"seconds": wait, "during": during}, at=now))
            raise AccountLockedError(wait)
        _verify(_dummy_hash(), password)  # the same work as for a real user
        failures = _UNKNOWN.fail(name, now)
        store.append_audit(AuditEvent(actor, "sign_in_failed", actor, {
            "reason": "unknown_user", "failures": failures, "during": during}, at=now))
        raise SignInError()
    wait = _seconds_left(row["locked_until"], now)
    if wait:
        store.append_audit(AuditEvent(name, "sign_in_locked", name,
                                      {"seconds": wait, "during": during}, at=now))
        raise AccountLockedError(wait)
    if _verify(row["password_hash"], password):
        if not row["disabled"]:
            return row
        store.append_audit(AuditEvent(name, "sign_in_failed", name,
                                      {"reason": "disabled", "during": during}, at=now))
        raise SignInError()

    def fail(fresh: dict[str, Any]) -> tuple[dict[str, Any], AuditEvent]:
        failures = int(fresh["failed_sign_ins"]) + 1
        lock = lock_seconds(failures)
        detail = {"reason": "wrong_password", "failures": failures, "during": during,
                  "locked_seconds": lock}
        return ({**fresh, "failed_sign_ins": failures,
                 "locked_until": now + dt.timedelta(seconds=lock) if lock else None},
                AuditEvent(name, "sign_in_failed", name, detail, at=now))

    modify(store, name, fail, row=row)
    raise SignInError()


def _verify(hashed: str, password: str) -> bool:
    try:
        return HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False  # a wrong password, or a damaged hash that can never match


@functools.cache
def _dummy_hash() -> str:
    return HASHER.hash(secrets.token_urlsafe(24))


def lock_seconds(failures: int) -> int:
    """How long an account is locked after ``failures`` consecutive failed sign-ins."""
    if failures < MAX_FAILURES:
        return 0
    doublings: int = min(failures - MAX_FAILURES, 16)
    return min(LOCK_SECONDS * (1 << doublings), MAX_LOCK_SECONDS)  # 30 s · 2^(failures-5)


def _seconds_left(locked_until: dt.datetime | None, now: dt.datetime) -> int:
    if locked_until is None or locked_until <= now:
        return 0
    return math.ceil((locked_until - now).total_seconds())


class _UnknownUsers:
    """Failed sign-ins for usernames that do not exist, so that they lock like real ones and a
    lock does not reveal whether a name exists. Kept in this process's memory only (bounded):
    a restart forgets them, and the CLI and the app count separately."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._seen: OrderedDict[str, tuple[int, dt.datetime | None]] = OrderedDict()

    def seconds_left(self, name: str, now: dt.datetime) -> int:
        with self._lock:
            _, until = self._seen.get(name[:64], (0, None))
        return _seconds_left(until, now)

    def fail(self, name: str, now: dt.datetime) -> int:
        key = name[:64]
        with self._lock:
            failures = self._seen.pop(key, (0, None))[0] + 1
            lock = lock_seconds(failures)
            self._seen[key] = (failures, now + dt.timedelta(seconds=lock) if lock else None)
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)
        return failures


_UNKNOWN = _UnknownUsers()
