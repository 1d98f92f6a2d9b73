"""Accounts as the app sees them, the rules' constants, and the one way an account is changed."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from argon2 import PasswordHasher

from gis.errors import ConflictError, InputError, LandmapError
from gis.privacy import Audience, Role, parse_roles
from gis.store.protocol import AuditEvent, Store

USERNAME_PATTERN = re.compile(r"^[a-z0-9_.-]{3,32}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # argon2 accepts more; a longer "password" is a mistake or an attack
AREA_CODE = re.compile(r"^(\d{2}|\d{4}|\d{6}|\d{8})$")  # DOPA province/amphoe/tambon/village

MAX_FAILURES = 5  # consecutive failed sign-ins before the account is locked
LOCK_SECONDS = 30  # the first lock; it doubles with each further failure …
MAX_LOCK_SECONDS = 15 * 60  # … up to this
SESSION_IDLE_MINUTES = 30  # the app signs a user out after this long without a request …
SESSION_MAX_HOURS = 12  # … and after this long in any case

FIRST_ADMIN = "admin"
SYSTEM_ACTOR = "landmap"
# One-time passwords: lower-case letters and digits without 0/o, 1/l/i, read out and typed on a
# phone without shift; 20 of 31 symbols is about 99 bits.
OTP_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_OTP_GROUPS, _OTP_GROUP_LENGTH = 4, 5

# argon2id with argon2-cffi's defaults (RFC 9106 "low memory" profile: t=3, m=64 MiB, p=4).
HASHER = PasswordHasher()


class SignInError(LandmapError):
    """Wrong username or password: the message never says which, nor whether the user exists."""

    def __init__(self) -> None:
        super().__init__("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง", "wrong username or password")


class AccountLockedError(LandmapError):
    """Too many failed sign-ins in a row: no password is checked until the wait is over."""

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        super().__init__(
            f"ลงชื่อเข้าใช้ผิดหลายครั้งเกินไป โปรดรออีก {seconds} วินาทีแล้วลองใหม่",
            f"too many failed sign-ins: wait {seconds} seconds, then try again",
        )


@dataclass(frozen=True)
class Account:
    """A user as the app sees one. The password hash is deliberately not part of it."""

    username: str
    role: Role
    areas: frozenset[str]
    disabled: bool
    must_change_password: bool
    failed_sign_ins: int
    locked_until: dt.datetime | None
    last_sign_in: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    preferences: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Account:
        """An ``Account`` from a store row (``Store.get_account``); the hash is left behind."""
        return cls(
            username=row["username"], role=parse_roles([row["role"]])[0],
            areas=frozenset(str(a) for a in row["areas"]), disabled=bool(row["disabled"]),
            must_change_password=bool(row["must_change_password"]),
            failed_sign_ins=int(row["failed_sign_ins"]), locked_until=row["locked_until"],
            last_sign_in=row["last_sign_in"], created_at=row["created_at"],
            updated_at=row["updated_at"], version=int(row["version"]),
            preferences={str(k): str(v) for k, v in (row.get("preferences") or {}).items()},
        )

    def audience(self) -> Audience:
        """Who this user is to ``gis.privacy``: name, role and assigned areas."""
        return Audience(self.username, self.role,
                        frozenset() if self.role is Role.ADMIN else self.areas)


def get_account(store: Store, username: str) -> Account | None:
    """The account named ``username``, or None."""
    row = store.get_account(username)
    return None if row is None else Account.from_row(row)


def list_accounts(store: Store) -> list[Account]:
    """Every account, by username."""
    return [Account.from_row(r) for r in store.list_accounts()]


def one_time_password() -> str:
    """A random password to hand over once: ``xxxxx-xxxxx-xxxxx-xxxxx`` (20 unambiguous
    characters drawn with ``secrets``)."""
    groups = ("".join(secrets.choice(OTP_ALPHABET) for _ in range(_OTP_GROUP_LENGTH))
              for _ in range(_OTP_GROUPS))
    return "-".join(groups)


def no_such_user(username: str) -> InputError:
    """The error for a username that has no account (used by admin actions, never sign-in)."""
    return InputError(f"ไม่มีผู้ใช้ชื่อ {username[:40]!r}", f"no user named {username[:40]!r}",
                      field="username")


# A change to one account: from the stored row, the row to save and the audit entry to write.
Change = Callable[[dict[str, Any]], tuple[dict[str, Any], AuditEvent]]


def modify(store: Store, username: str, change: Change, *,
           row: dict[str, Any] | None = None, attempts: int = 3) -> Account:
    """Apply ``change`` to the stored account and save it with its audit entry in one
    transaction, checking the version read; when another writer got in first, read the account
    again and apply ``change`` to that."""
    for attempt in range(attempts):
        if row is None:
            row = store.get_account(username)
            if row is None:
                raise no_such_user(username)
        new, event = change(row)
        try:
            store.save_account(new, expected_version=int(row["version"]), audit=event)
        except ConflictError:
            if attempt == attempts - 1:
                raise
            row = None
            continue
        account = get_account(store, new["username"])
        if account is None:
            raise no_such_user(new["username"])
        return account
    raise AssertionError("unreachable")  # pragma: no cover
