"""Managing accounts: the checks on names, passwords and areas, and what an admin may change.

Every change is saved with its audit entry in one transaction (``model.modify``); ``actor`` is
who made it (``cli:<os user>`` from the command line, the admin's username in the app).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gis.accounts.model import (
    AREA_CODE,
    FIRST_ADMIN,
    HASHER,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    SYSTEM_ACTOR,
    USERNAME_PATTERN,
    Account,
    get_account,
    modify,
    no_such_user,
    one_time_password,
)
from gis.errors import InputError, StoreError
from gis.privacy import Role, parse_roles
from gis.store.protocol import AuditEvent, Store


# ------------------------------------------------------------------------------- checks
def check_username(username: str) -> str:
    """``username`` if it is 3–32 of a–z, 0–9, ``_ . -``; otherwise a bilingual ``InputError``."""
    if not USERNAME_PATTERN.match(username):
        raise InputError(
            f"ชื่อผู้ใช้ {username[:40]!r} ใช้ไม่ได้",
            f"username {username[:40]!r} cannot be used",
            field="username",
            fix_th="ใช้ตัวอักษรภาษาอังกฤษตัวเล็ก a–z ตัวเลข 0–9 และ _ . - ยาว 3 ถึง 32 ตัว",
            fix_en="use 3 to 32 of lower-case a–z, digits 0–9 and _ . -",
        )
    return username


def check_password(password: str, *, username: str) -> None:
    """Refuse a password shorter than ``MIN_PASSWORD_LENGTH`` or equal to the username.

    The message never repeats the password.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"รหัสผ่านสั้นเกินไป ({len(password)} ตัวอักษร)",
            f"the password is too short ({len(password)} characters)", field="password",
            fix_th=f"ใช้รหัสผ่านอย่างน้อย {MIN_PASSWORD_LENGTH} ตัวอักษร",
            fix_en=f"use at least {MIN_PASSWORD_LENGTH} characters",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InputError(
            f"รหัสผ่านยาวเกิน {MAX_PASSWORD_LENGTH} ตัวอักษร",
            f"the password is longer than {MAX_PASSWORD_LENGTH} characters", field="password",
        )
    if password.strip().lower() == username.lower():
        raise InputError("รหัสผ่านต้องไม่เหมือนชื่อผู้ใช้", "the password must not be the username",
                         field="password")


def check_areas(store: Store, role: Role, areas: Iterable[str]) -> frozenset[str]:
    """The areas to assign: DOPA codes (2/4/6/8 digits) found in the store's ``admin`` layer
    (``code``) or ``villages`` layer (``village_code``, ``tambon_code``).

    An admin sees everything, so an admin's areas are dropped; every other role needs at least
    one area.
    """
    if role is Role.ADMIN:
        return frozenset()
    codes = sorted({str(a).strip() for a in areas})
    bad = [c for c in codes if not AREA_CODE.match(c)]
    if bad:
        raise InputError(
            f"รหัสพื้นที่ไม่ถูกต้อง: {', '.join(bad)}", f"not a DOPA area code: {', '.join(bad)}",
            field="area", fix_th="ใช้รหัสมหาดไทย 2, 4, 6 หรือ 8 หลัก (จังหวัด อำเภอ ตำบล หมู่บ้าน)",
            fix_en="use a DOPA code of 2, 4, 6 or 8 digits (province, amphoe, tambon, village)",
        )
    if not codes:
        raise InputError(
            f"บทบาท{role.label('th')}ต้องกำหนดพื้นที่อย่างน้อยหนึ่งพื้นที่",
            f"the {role.label('en')} role needs at least one area", field="area",
            fix_th="เพิ่ม --area รหัสพื้นที่", fix_en="add --area CODE",
        )
    known = set(store.read("admin", where={"code": codes})["code"].astype(str))
    villages = store.read("villages", where={"village_code": codes})
    known |= set(villages["village_code"].astype(str))
    tambons = store.read("villages", where={"tambon_code": codes})
    known |= set(tambons["tambon_code"].astype(str))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InputError(
            f"ไม่พบรหัสพื้นที่ {', '.join(unknown)} ในชั้นเขตการปกครองหรือหมู่บ้านของที่เก็บนี้",
            f"area code(s) {', '.join(unknown)} are not in this store's admin or villages layer",
            field="area",
        )
    return frozenset(codes)


def _role(role: Role | str) -> Role:
    return role if isinstance(role, Role) else parse_roles([role])[0]


# ----------------------------------------------------------------------------- changes
def add_user(
    store: Store,
    username: str,
    password: str,
    role: Role | str,
    areas: Iterable[str] = (),
    *,
    actor: str,
    must_change_password: bool = True,
) -> Account:
    """Create an account; audited as ``user_added``.

    Parameters
    ----------
    password
        Checked (``check_password``), then only its argon2id hash is stored.
    role, areas
        A ``Role`` or its code, and the DOPA codes the user works in (``check_areas``).
    actor
        Who makes the change, for the audit log.
    must_change_password
        Ask the user to choose their own password at the first sign-in (whoever created the
        account knows this one).
    """
    name = check_username(username)
    check_password(password, username=name)
    chosen = _role(role)
    codes = sorted(check_areas(store, chosen, areas))
    if store.get_account(name) is not None:
        raise InputError(f"มีผู้ใช้ชื่อ {name} อยู่แล้ว", f"a user named {name} already exists",
                         field="username")
    row = {"username": name, "password_hash": HASHER.hash(password), "role": chosen.value,
           "areas": codes, "must_change_password": must_change_password}
    store.save_account(row, expected_version=None, audit=AuditEvent(
        actor, "user_added", name, {"role": chosen.value, "areas": codes}))
    account = get_account(store, name)
    if account is None:
        raise no_such_user(name)
    return account


def set_role(
    store: Store, username: str, role: Role | str, areas: Iterable[str] = (), *, actor: str
) -> Account:
    """Give a user another role and/or other areas; audited as ``role_changed`` (old and new).

    Refuses to demote the last enabled admin, who is the only one who could undo it.
    """
    chosen = _role(role)
    codes = sorted(check_areas(store, chosen, areas))

    def change(row: dict[str, Any]) -> tuple[dict[str, Any], AuditEvent]:
        if chosen is not Role.ADMIN:
            _keep_an_admin(store, row)
        old = {"role": row["role"], "areas": sorted(row["areas"])}
        return ({**row, "role": chosen.value, "areas": codes},
                AuditEvent(actor, "role_changed", row["username"],
                           {"old": old, "new": {"role": chosen.value, "areas": codes}}))

    return modify(store, username, change)


def disable_user(store: Store, username: str, *, actor: str) -> Account:
    """Stop a user from signing in (their history stays); audited as ``user_disabled``.

    Refuses to disable the last enabled admin.
    """

    def change(row: dict[str, Any]) -> tuple[dict[str, Any], AuditEvent]:
        _keep_an_admin(store, row)
        return {**row, "disabled": True}, AuditEvent(actor, "user_disabled", row["username"])

    return modify(store, username, change)


def enable_user(store: Store, username: str, *, actor: str) -> Account:
    """Let a disabled user sign in again (and clear any lock); audited as ``user_enabled``."""

    def change(row: dict[str, Any]) -> tuple[dict[str, Any], AuditEvent]:
        return ({**row, "disabled": False, "failed_sign_ins": 0, "locked_until": None},
                AuditEvent(actor, "user_enabled", row["username"]))

    return modify(store, username, change)


def reset_password(store: Store, username: str, *, actor: str) -> str:
    """Give a user a new one-time password (returned, to hand over; only its hash is stored)
    that must be changed at the next sign-in; clears any lock. Audited as ``password_reset``."""
    password = one_time_password()
    hashed = HASHER.hash(password)

    def change(row: dict[str, Any]) -> tuple[dict[str, Any], AuditEvent]:
        return ({**row, "password_hash": hashed, "must_change_password": True,
                 "failed_sign_ins": 0, "locked_until": None},
                AuditEvent(actor, "password_reset", row["username"]))

    modify(store, username, change)
    return password


def ensure_first_admin(store: Store, *, actor: str = SYSTEM_ACTOR) -> tuple[str, str] | None:
    """When no enabled admin exists, make user ``admin`` one with a one-time password.

    Returns ``(username, password)`` to show to the person setting Landmap up, or None when an
    enabled admin already exists. An existing but disabled or demoted ``admin`` account is
    enabled and promoted again with the new password (audited as ``first_admin_restored``).
    """
    if _enabled_admins(store):
        return None
    password = one_time_password()
    hashed = HASHER.hash(password)
    if store.get_account(FIRST_ADMIN) is None:
        row = {"username": FIRST_ADMIN, "password_hash": hashed, "role": Role.ADMIN.value,
               "areas": [], "must_change_password": True}
        try:
            store.save_account(row, expected_version=None, audit=AuditEvent(
                actor, "user_added", FIRST_ADMIN,
                {"role": Role.ADMIN.value, "areas": [], "first_admin": True}))
        except StoreError:
            if _enabled_admins(store):  # another process made it at the same moment
                return None
            raise
        return FIRST_ADMIN, password

    def change(row: dict[str, Any]) -> tuple[dict[str, Any], AuditEvent]:
        return ({**row, "password_hash": hashed, "role": Role.ADMIN.value, "areas": [],
                 "disabled": False, "must_change_password": True, "failed_sign_ins": 0,
                 "locked_until": None},
                AuditEvent(actor, "first_admin_restored", FIRST_ADMIN,
                           {"old": {"role": row["role"], "disabled": row["disabled"]}}))

    modify(store, FIRST_ADMIN, change)
    return FIRST_ADMIN, password


def _enabled_admins(store: Store) -> list[str]:
    return [r["username"] for r in store.list_accounts()
            if r["role"] == Role.ADMIN.value and not r["disabled"]]


def _keep_an_admin(store: Store, row: Mapping[str, Any]) -> None:
    if row["role"] == Role.ADMIN.value and not row["disabled"] \
            and _enabled_admins(store) == [row["username"]]:
        raise InputError(
            f"{row['username']} เป็นผู้ดูแลระบบคนสุดท้ายที่ใช้งานได้ จึงเปลี่ยนบทบาทหรือปิดไม่ได้",
            f"{row['username']} is the last enabled admin and cannot be demoted or disabled",
            field="username", fix_th="เพิ่มผู้ดูแลระบบอีกคนก่อน", fix_en="add another admin first",
        )


PREFERENCES: Mapping[str, tuple[str, ...]] = {"lang": ("th", "en"), "era": ("be", "ce")}


def set_preferences(store: Store, username: str, **choices: str) -> Account:
    """Keep a user's own display choices (``lang``: th/en, ``era``: be/ce) with their account,
    so they follow the user to every session; audited as ``preferences_changed``."""
    for key, value in choices.items():
        allowed = PREFERENCES.get(key)
        if allowed is None or value not in allowed:
            raise InputError(
                f"ค่าตั้ง {key}={value!r} ไม่ถูกต้อง", f"invalid preference {key}={value!r}",
                field=key, fix_th=f"ใช้ได้: {PREFERENCES}", fix_en=f"allowed: {PREFERENCES}",
            )

    def change(row: dict[str, Any]) -> tuple[dict[str, Any], AuditEvent]:
        merged = {**(row.get("preferences") or {}), **choices}
        return ({**row, "preferences": merged},
                AuditEvent(row["username"], "preferences_changed", row["username"],
                           dict(choices)))

    return modify(store, username, change)
