"""Accounts, sign-in and its lock, and the audit log, over both store backends."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import uuid
from pathlib import Path
from typing import Any

import geopandas as gpd
import psycopg
import pytest
from argon2 import PasswordHasher
from shapely.geometry import box

from gis import accounts
from gis.accounts import Account, AccountLockedError, SignInError
from gis.errors import InputError, LandmapError
from gis.privacy import Audience, Role
from gis.store import Store

PASSWORD = "ข้าวเหนียว-mango-2569"  # Thai letters too: they must be hashed, never stored
ACTOR = "cli:tester"
T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def with_areas(store: Store) -> Store:
    """Give a store the province, amphoe and two tambons of Wang Nam Yen and one village."""
    store.write("admin", gpd.GeoDataFrame(
        {"code": ["27", "2704", "270401", "270403"],
         "level": ["province", "amphoe", "tambon", "tambon"],
         "name_th": ["สระแก้ว", "วังน้ำเย็น", "วังน้ำเย็น", "ตาหลังใน"]},
        geometry=[box(102.0, 13.3, 102.4, 13.7)] * 4, crs="EPSG:4326"), user="setup")
    store.write("villages", gpd.GeoDataFrame(
        {"village_code": ["27040101"], "name_th": ["บ้านทดสอบ"], "tambon_code": ["270401"]},
        geometry=[box(102.1, 13.4, 102.2, 13.5)], crs="EPSG:4326"), user="setup")
    return store


@pytest.fixture
def areas(store: Store) -> Store:
    return with_areas(store)


def add(store: Store, username: str = "somchai", role: str = "surveyor",
        area: tuple[str, ...] = ("270401",)) -> Account:
    return accounts.add_user(store, username, PASSWORD, role, area, actor=ACTOR)


def every_stored_text(store: Store, location: str) -> str:
    """Everything the store holds, read around the store: file bytes or every row as text."""
    if not location.startswith("postgresql://"):
        store.close()
        return Path(location).read_bytes().decode("utf-8", errors="replace")
    url, schema = location.split("?schema=")
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            [schema])]
        return "\n".join(
            str(row[0]) for t in tables
            for row in conn.execute(f'SELECT t::text FROM "{schema}"."{t}" t'))


def unique_name(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


# ------------------------------------------------------------------------------ storage
def test_password_is_stored_as_argon2id_and_nowhere_in_clear(
    areas: Store, store_location: str
) -> None:
    account = add(areas)
    row = areas.get_account("somchai")
    assert row is not None and row["password_hash"].startswith("$argon2id$")
    assert PasswordHasher().verify(row["password_hash"], PASSWORD)
    assert "argon2" not in repr(account) and "password_hash" not in repr(account)
    accounts.sign_in(areas, "somchai", PASSWORD)
    with pytest.raises(SignInError):
        accounts.sign_in(areas, "somchai", PASSWORD + "x")
    accounts.change_password(areas, "somchai", PASSWORD, "อีกรหัสหนึ่ง-2570")
    audit = json.dumps([{**e, "at": str(e["at"])} for e in areas.read_audit(limit=1000)],
                       ensure_ascii=False)
    assert PASSWORD not in audit and "อีกรหัสหนึ่ง" not in audit and "argon2" not in audit
    everything = every_stored_text(areas, store_location)
    assert "somchai" in everything  # the check can see the data at all
    assert PASSWORD not in everything and "อีกรหัสหนึ่ง-2570" not in everything
    assert PASSWORD + "x" not in everything


def test_account_and_its_audience(areas: Store) -> None:
    account = add(areas, area=("270401", "27040101"))
    assert account.role is Role.SURVEYOR and account.must_change_password
    assert account.audience() == Audience("somchai", Role.SURVEYOR,
                                          frozenset({"270401", "27040101"}))
    admin = add(areas, "boss", "admin", ("270401",))
    assert admin.areas == frozenset() and admin.audience().everywhere
    assert [a.username for a in accounts.list_accounts(areas)] == ["boss", "somchai"]
    assert accounts.get_account(areas, "nobody") is None


# ------------------------------------------------------------------------------ sign-in
def test_wrong_password_unknown_user_and_disabled_user_get_the_same_message(
    areas: Store
) -> None:
    add(areas)
    add(areas, "off-user")
    accounts.disable_user(areas, "off-user", actor=ACTOR)
    messages = []
    for username, password in [("somchai", "not-the-password"), (unique_name("ghost"), PASSWORD),
                               ("off-user", PASSWORD), ("off-user", "wrong-wrong-wrong"),
                               ("NOT A NAME!", PASSWORD)]:
        with pytest.raises(SignInError) as caught:
            accounts.sign_in(areas, username, password)
        messages.append((caught.value.message_th, caught.value.message_en))
    assert set(messages) == {("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง", "wrong username or password")}
    reasons = [e["detail"]["reason"] for e in areas.read_audit(action="sign_in_failed")]
    assert reasons == ["unknown_user", "wrong_password", "disabled", "unknown_user",
                       "wrong_password"]
    invalid = areas.read_audit(action="sign_in_failed", limit=1)[0]
    assert invalid["username"] == "(invalid)"  # what was typed is not logged


def test_unknown_user_costs_an_argon2_verification_too(areas: Store) -> None:
    hasher = PasswordHasher()
    hashed = hasher.hash("something-else")

    def fastest(call: Any) -> float:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            call()
            best = min(best, time.perf_counter() - start)
        return best

    def bare() -> None:
        hasher.verify(hashed, "something-else")

    def unknown() -> None:
        with pytest.raises(SignInError):
            accounts.sign_in(areas, unique_name("ghost"), PASSWORD)

    # Without the dummy verification an unknown user is answered in about a millisecond.
    assert fastest(unknown) >= 0.5 * fastest(bare)


def test_success_resets_the_count_and_records_the_sign_in(areas: Store) -> None:
    add(areas)
    for _ in range(3):
        with pytest.raises(SignInError):
            accounts.sign_in(areas, "somchai", "wrong-password", now=T0)
    account = accounts.sign_in(areas, " SomChai ", PASSWORD, now=T0)
    assert account.username == "somchai"
    assert account.failed_sign_ins == 0 and account.last_sign_in == T0
    [event] = areas.read_audit(action="sign_in")
    assert event["username"] == "somchai" and event["at"] == T0


def test_five_failures_lock_the_account_without_checking_the_password(areas: Store) -> None:
    add(areas)
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(SignInError):
            accounts.sign_in(areas, "somchai", "wrong-password", now=T0)
    with pytest.raises(AccountLockedError) as caught:
        accounts.sign_in(areas, "somchai", PASSWORD, now=T0 + dt.timedelta(seconds=1))
    assert caught.value.seconds == 29
    assert "29 วินาที" in caught.value.message_th and "29 seconds" in caught.value.message_en
    with pytest.raises(AccountLockedError) as caught:
        accounts.sign_in(areas, "somchai", PASSWORD, now=T0 + dt.timedelta(seconds=29.5))
    assert caught.value.seconds == 1
    locked = areas.read_audit(action="sign_in_locked")
    assert len(locked) == 2 and locked[0]["detail"]["seconds"] == 1
    row = areas.get_account("somchai")
    assert row is not None and row["failed_sign_ins"] == accounts.MAX_FAILURES  # not counted
    account = accounts.sign_in(areas, "somchai", PASSWORD, now=T0 + dt.timedelta(seconds=30))
    assert account.failed_sign_ins == 0 and account.locked_until is None


def test_each_further_failure_doubles_the_lock_up_to_fifteen_minutes(areas: Store) -> None:
    add(areas)
    now = T0
    for _ in range(accounts.MAX_FAILURES - 1):
        with pytest.raises(SignInError):
            accounts.sign_in(areas, "somchai", "wrong-password", now=now)
    waits = []
    for _ in range(3):
        with pytest.raises(SignInError):
            accounts.sign_in(areas, "somchai", "wrong-password", now=now)
        with pytest.raises(AccountLockedError) as caught:
            accounts.sign_in(areas, "somchai", "wrong-password", now=now)
        waits.append(caught.value.seconds)
        now += dt.timedelta(seconds=caught.value.seconds)
    assert waits == [30, 60, 120]
    assert [accounts.lock_seconds(n) for n in (4, 5, 6, 7, 8, 9, 10, 11, 50)] == \
        [0, 30, 60, 120, 240, 480, 900, 900, 900]


def test_unknown_usernames_lock_like_real_ones(areas: Store) -> None:
    ghost = unique_name("ghost")
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(SignInError):
            accounts.sign_in(areas, ghost, PASSWORD, now=T0)
    with pytest.raises(AccountLockedError) as caught:
        accounts.sign_in(areas, ghost, PASSWORD, now=T0)
    assert caught.value.seconds == 30
    with pytest.raises(SignInError):
        accounts.sign_in(areas, ghost, PASSWORD, now=T0 + dt.timedelta(seconds=30))


def test_sign_in_upgrades_an_outdated_hash(areas: Store) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    areas.save_account({"username": "old-user", "password_hash": weak, "role": "admin"},
                       expected_version=None)
    accounts.sign_in(areas, "old-user", PASSWORD)
    row = areas.get_account("old-user")
    assert row is not None and row["password_hash"] != weak
    assert not PasswordHasher().check_needs_rehash(row["password_hash"])
    assert areas.read_audit(action="sign_in")[0]["detail"] == {"rehashed": True}
    accounts.sign_in(areas, "old-user", PASSWORD)


def test_sign_out_and_download_are_audited(areas: Store) -> None:
    account = add(areas)
    accounts.record_download(areas, account.audience(), what="layer", layer="households",
                             rows=12, fmt="xlsx")
    accounts.record_download(areas, "boss", what="report", layer=None, rows=3, fmt="pdf")
    accounts.record_sign_out(areas, "somchai", reason="idle")
    newest = areas.read_audit(limit=3)
    assert [e["action"] for e in newest] == ["sign_out", "download", "download"]
    assert newest[0]["detail"] == {"reason": "idle"}
    assert newest[1]["username"] == "boss" and newest[1]["subject"] == "report"
    assert newest[2]["detail"] == {"what": "layer", "layer": "households", "rows": 12,
                                   "format": "xlsx", "role": "surveyor", "areas": ["270401"]}


@pytest.mark.parametrize(
    ("signed_in", "last_seen", "expired"),
    [
        (dt.timedelta(hours=1), dt.timedelta(minutes=29, seconds=59), False),
        (dt.timedelta(hours=1), dt.timedelta(minutes=30), True),
        (dt.timedelta(hours=11, minutes=59), dt.timedelta(minutes=1), False),
        (dt.timedelta(hours=12), dt.timedelta(minutes=1), True),
        (dt.timedelta(hours=1), dt.timedelta(minutes=-5), True),  # seen in the future
    ],
)
def test_session_expiry(signed_in: dt.timedelta, last_seen: dt.timedelta, expired: bool) -> None:
    assert accounts.session_expired(T0 - signed_in, T0 - last_seen, T0) is expired
    assert accounts.SESSION_IDLE_MINUTES == 30 and accounts.SESSION_MAX_HOURS == 12


# ------------------------------------------------------------------------ administration
def test_set_role_changes_role_and_areas_with_both_sides_audited(areas: Store) -> None:
    add(areas)
    account = accounts.set_role(areas, "somchai", "planner", ["2704"], actor=ACTOR)
    assert (account.role, account.areas, account.version) == \
        (Role.PLANNER, frozenset({"2704"}), 2)
    [event] = areas.read_audit(action="role_changed")
    assert event["username"] == ACTOR and event["subject"] == "somchai"
    assert event["detail"] == {"old": {"role": "surveyor", "areas": ["270401"]},
                               "new": {"role": "planner", "areas": ["2704"]}}


def test_disable_and_enable(areas: Store) -> None:
    add(areas)
    accounts.disable_user(areas, "somchai", actor=ACTOR)
    with pytest.raises(SignInError):
        accounts.sign_in(areas, "somchai", PASSWORD)
    accounts.enable_user(areas, "somchai", actor=ACTOR)
    assert accounts.sign_in(areas, "somchai", PASSWORD).username == "somchai"
    actions = [e["action"] for e in areas.read_audit()]
    assert actions[:4] == ["sign_in", "user_enabled", "sign_in_failed", "user_disabled"]


def test_the_last_enabled_admin_cannot_be_disabled_or_demoted(areas: Store) -> None:
    add(areas, "boss", "admin", ())
    with pytest.raises(InputError, match="last enabled admin"):
        accounts.disable_user(areas, "boss", actor=ACTOR)
    with pytest.raises(InputError, match="last enabled admin"):
        accounts.set_role(areas, "boss", "planner", ["27"], actor=ACTOR)
    add(areas, "boss2", "admin", ())
    assert accounts.disable_user(areas, "boss", actor=ACTOR).disabled


def test_change_password(areas: Store) -> None:
    add(areas)
    with pytest.raises(SignInError):
        accounts.change_password(areas, "somchai", "not-the-password", "new-password-123")
    with pytest.raises(InputError, match="too short"):
        accounts.change_password(areas, "somchai", PASSWORD, "short")
    with pytest.raises(InputError, match="differ"):
        accounts.change_password(areas, "somchai", PASSWORD, PASSWORD)
    account = accounts.change_password(areas, "somchai", PASSWORD, "new-password-123")
    assert not account.must_change_password
    with pytest.raises(SignInError):
        accounts.sign_in(areas, "somchai", PASSWORD)
    assert accounts.sign_in(areas, "somchai", "new-password-123").username == "somchai"
    [event] = areas.read_audit(action="password_changed")
    assert event["username"] == "somchai" and event["detail"] == {}


def test_reset_password_gives_a_one_time_password_and_clears_the_lock(areas: Store) -> None:
    add(areas)
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(SignInError):
            accounts.sign_in(areas, "somchai", "wrong-password", now=T0)
    password = accounts.reset_password(areas, "somchai", actor=ACTOR)
    assert re.fullmatch(r"[2-9a-hjkmnp-z]{5}(-[2-9a-hjkmnp-z]{5}){3}", password)
    account = accounts.sign_in(areas, "somchai", password, now=T0)
    assert account.must_change_password
    [event] = areas.read_audit(action="password_reset")
    assert password not in json.dumps(event, default=str)


def test_first_admin_is_created_once_and_only_once(areas: Store) -> None:
    made = accounts.ensure_first_admin(areas)
    assert made is not None
    username, password = made
    assert username == "admin" and len(password) >= 16
    assert accounts.ensure_first_admin(areas) is None
    assert accounts.ensure_first_admin(areas) is None
    assert [a.username for a in accounts.list_accounts(areas)] == ["admin"]
    account = accounts.sign_in(areas, "admin", password)
    assert account.role is Role.ADMIN and account.must_change_password
    assert len(areas.read_audit(action="user_added")) == 1


def test_first_admin_restores_an_admin_account_that_lost_its_role(areas: Store) -> None:
    made = accounts.ensure_first_admin(areas)
    assert made is not None
    row = areas.get_account("admin")
    assert row is not None
    areas.save_account({**row, "disabled": True}, expected_version=row["version"])
    again = accounts.ensure_first_admin(areas)
    assert again is not None and again[1] != made[1]
    with pytest.raises(SignInError):
        accounts.sign_in(areas, "admin", made[1])
    assert accounts.sign_in(areas, "admin", again[1]).role is Role.ADMIN
    assert areas.read_audit(action="first_admin_restored")[0]["detail"] == \
        {"old": {"role": "admin", "disabled": True}}


def test_no_first_admin_when_an_enabled_admin_exists(areas: Store) -> None:
    add(areas, "boss", "admin", ())
    assert accounts.ensure_first_admin(areas) is None
    assert areas.get_account("admin") is None


# --------------------------------------------------------------------------- validation
def _bilingual(error: LandmapError) -> None:
    assert re.search(r"[\u0E00-\u0E7F]", error.message_th), error.message_th
    assert re.search(r"[a-z]", error.message_en), error.message_en


@pytest.mark.parametrize(
    ("username", "password", "role", "area", "english"),
    [
        ("Somchai", PASSWORD, "surveyor", ("270401",), "3 to 32 of lower-case"),
        ("ab", PASSWORD, "surveyor", ("270401",), "cannot be used"),
        ("สมชาย", PASSWORD, "surveyor", ("270401",), "cannot be used"),
        ("a" * 33, PASSWORD, "surveyor", ("270401",), "cannot be used"),
        ("somchai", "short-pw", "surveyor", ("270401",), "too short"),
        ("somchai1234", "somchai1234", "surveyor", ("270401",), "must not be the username"),
        ("somchai", PASSWORD, "boss", ("270401",), "unknown role 'boss'"),
        ("somchai", PASSWORD, "planner", ("27041",), "not a DOPA area code: 27041"),
        ("somchai", PASSWORD, "planner", ("99",), "99 are not in this store"),
        ("somchai", PASSWORD, "planner", (), "needs at least one area"),
    ],
)
def test_bad_input_is_refused_in_both_languages(
    areas: Store, username: str, password: str, role: str, area: tuple[str, ...], english: str
) -> None:
    with pytest.raises(InputError) as caught:
        accounts.add_user(areas, username, password, role, area, actor=ACTOR)
    _bilingual(caught.value)
    assert english in caught.value.message_en
    assert password not in caught.value.message_en + caught.value.message_th
    assert areas.list_accounts() == [] and areas.read_audit() == []


def test_areas_may_be_a_village_or_a_tambon_known_from_villages(areas: Store) -> None:
    account = add(areas, area=("27040101", "270403", "27"))
    assert account.areas == frozenset({"27040101", "270403", "27"})


def test_a_taken_username_is_refused(areas: Store) -> None:
    add(areas)
    with pytest.raises(InputError, match="already exists") as caught:
        add(areas)
    _bilingual(caught.value)


def test_changing_an_unknown_user_is_refused(areas: Store) -> None:
    for change in (lambda: accounts.disable_user(areas, "nobody", actor=ACTOR),
                   lambda: accounts.set_role(areas, "nobody", "admin", actor=ACTOR),
                   lambda: accounts.reset_password(areas, "nobody", actor=ACTOR)):
        with pytest.raises(InputError, match="no user named 'nobody'"):
            change()


def test_preferences_follow_the_user(areas: Store) -> None:
    """Language and date era are kept with the account (so every session starts with them)."""
    add(areas, "pref.user")
    assert dict(accounts.get_account(areas, "pref.user").preferences) == {}  # type: ignore[union-attr]
    accounts.set_preferences(areas, "pref.user", lang="en")
    accounts.set_preferences(areas, "pref.user", era="ce")
    account = accounts.get_account(areas, "pref.user")
    assert account is not None and dict(account.preferences) == {"lang": "en", "era": "ce"}
    assert areas.read_audit(action="preferences_changed", limit=5)[0]["detail"] == {"era": "ce"}
    with pytest.raises(InputError) as info:
        accounts.set_preferences(areas, "pref.user", lang="fr")
    assert "lang" in info.value.message_en and info.value.message_th
