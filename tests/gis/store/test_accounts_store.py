"""The account and audit-log part of the Store contract, over both backends."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from gis.errors import ConflictError, InputError, StoreError
from gis.store import Store, open_store
from gis.store.accounts_sql import ACCOUNTS_TABLE, AUDIT_TABLE
from gis.store.protocol import AuditEvent
from tests.gis.store.helpers import checksum, validate_gpkg

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$notarealhashnotarealhash"


def account(username: str = "somchai", **values: Any) -> dict[str, Any]:
    return {"username": username, "password_hash": HASH, "role": "surveyor",
            "areas": ["270401"], **values}


def audit_rows(store: Store) -> list[dict[str, Any]]:
    return store.read_audit(limit=10_000)


def test_insert_then_read_back_every_column(store: Store) -> None:
    version = store.save_account(account(areas=["27040101", "270401"]), expected_version=None,
                                 audit=AuditEvent("cli:root", "user_added", "somchai",
                                                  {"role": "surveyor"}))
    assert version == 1
    row = store.get_account("somchai")
    assert row is not None
    assert row["password_hash"] == HASH
    assert row["role"] == "surveyor" and row["areas"] == ["270401", "27040101"]
    assert row["disabled"] is False and row["must_change_password"] is False
    assert row["failed_sign_ins"] == 0 and row["version"] == 1
    assert row["locked_until"] is None and row["last_sign_in"] is None
    assert row["created_at"].tzinfo is not None and row["created_at"] == row["updated_at"]
    assert store.get_account("nobody") is None
    [event] = audit_rows(store)
    assert (event["username"], event["action"], event["subject"]) == \
        ("cli:root", "user_added", "somchai")
    assert event["detail"] == {"role": "surveyor"} and event["at"].tzinfo is not None


def test_update_with_the_version_read_bumps_it_and_keeps_created_at(store: Store) -> None:
    store.save_account(account(), expected_version=None)
    created = store.get_account("somchai")
    assert created is not None
    locked = dt.datetime(2026, 5, 1, 8, 30, 15, 250000, tzinfo=dt.UTC)
    version = store.save_account(
        {**created, "disabled": True, "failed_sign_ins": 3, "locked_until": locked,
         "created_at": dt.datetime(2000, 1, 1, tzinfo=dt.UTC)},
        expected_version=1,
    )
    assert version == 2
    row = store.get_account("somchai")
    assert row is not None
    assert row["disabled"] is True and row["failed_sign_ins"] == 3
    assert row["locked_until"] == locked and row["created_at"] == created["created_at"]
    assert row["updated_at"] >= created["updated_at"]


def test_stale_update_is_refused_and_writes_neither_account_nor_audit(
    store: Store, store_location: str
) -> None:
    store.save_account(account(), expected_version=None)
    store.save_account(account(role="planner"), expected_version=1)
    before = checksum(store_location)
    with pytest.raises(ConflictError) as caught:
        store.save_account(account(role="admin", areas=[]), expected_version=1,
                           audit=AuditEvent("someone", "role_changed", "somchai"))
    [conflict] = caught.value.conflicts
    assert (conflict.uid, conflict.expected_version, conflict.current_version) == \
        ("somchai", 1, 2)
    assert conflict.theirs is not None and conflict.theirs["role"] == "planner"
    assert "password_hash" not in conflict.mine and "password_hash" not in conflict.theirs
    assert HASH not in caught.value.message_en + caught.value.message_th
    assert checksum(store_location) == before
    assert audit_rows(store) == []


def test_updating_a_missing_account_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="no user named 'ghost'"):
        store.save_account(account("ghost"), expected_version=1,
                           audit=AuditEvent("x", "role_changed", "ghost"))
    assert audit_rows(store) == []


def test_duplicate_username_is_refused_without_an_audit_entry(store: Store) -> None:
    store.save_account(account(), expected_version=None)
    with pytest.raises(StoreError) as caught:
        store.save_account(account(role="planner"), expected_version=None,
                           audit=AuditEvent("x", "user_added", "somchai"))
    assert "already exists" in caught.value.message_en and "อยู่แล้ว" in caught.value.message_th
    assert audit_rows(store) == []
    row = store.get_account("somchai")
    assert row is not None and row["role"] == "surveyor"


def test_audit_entry_failing_after_the_account_was_written_rolls_the_account_back(
    store: Store, store_location: str
) -> None:
    store.save_account(account(), expected_version=None)
    before = checksum(store_location)
    # The UPDATE runs first; then the audit detail cannot be encoded as JSON.
    with pytest.raises(TypeError):
        store.save_account(account(role="planner"), expected_version=1,
                           audit=AuditEvent("x", "role_changed", "somchai", {"bad": object()}))
    assert checksum(store_location) == before
    row = store.get_account("somchai")
    assert row is not None and (row["role"], row["version"]) == ("surveyor", 1)
    assert store.save_account(account(role="planner"), expected_version=1) == 2


def test_missing_required_values_are_refused(store: Store) -> None:
    with pytest.raises(InputError, match="password_hash"):
        store.save_account({"username": "x12", "role": "admin"}, expected_version=None)


def test_list_accounts_is_sorted_by_username(store: Store) -> None:
    for name in ("chai", "anong", "boon"):
        store.save_account(account(name), expected_version=None)
    assert [a["username"] for a in store.list_accounts()] == ["anong", "boon", "chai"]


def test_audit_is_read_newest_first_and_filtered(store: Store) -> None:
    for i in range(5):
        store.append_audit(AuditEvent(f"user{i % 2}", "download" if i % 2 else "sign_in",
                                      f"s{i}", {"i": i, "ชื่อ": "ทดสอบ"}))
    events = store.read_audit()
    assert [e["subject"] for e in events] == ["s4", "s3", "s2", "s1", "s0"]
    assert events[0]["detail"] == {"i": 4, "ชื่อ": "ทดสอบ"}
    assert [e["id"] for e in events] == sorted((e["id"] for e in events), reverse=True)
    assert [e["subject"] for e in store.read_audit(limit=2)] == ["s4", "s3"]
    assert [e["subject"] for e in store.read_audit(action="download")] == ["s3", "s1"]
    assert [e["subject"] for e in store.read_audit(username="user0")] == ["s4", "s2", "s0"]
    assert store.read_audit(username="user0", action="download") == []


def test_audit_keeps_the_time_given(store: Store) -> None:
    at = dt.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC)
    store.append_audit(AuditEvent("a1", "sign_out", at=at))
    [event] = store.read_audit()
    assert event["at"] == at and event["subject"] is None and event["detail"] == {}


@pytest.mark.parametrize("limit", [0, -1, 10_001])
def test_audit_limit_out_of_range_is_refused(store: Store, limit: int) -> None:
    with pytest.raises(InputError, match="limit"):
        store.read_audit(limit=limit)


def test_audit_entry_needs_an_actor_and_an_action(store: Store) -> None:
    with pytest.raises(InputError):
        store.append_audit(AuditEvent("", "sign_in"))


def test_accounts_survive_reopening(open_at: Callable[[], Store]) -> None:
    first = open_at()
    first.save_account(account(), expected_version=None,
                       audit=AuditEvent("x", "user_added", "somchai"))
    first.close()
    again = open_at()
    row = again.get_account("somchai")
    assert row is not None and row["password_hash"] == HASH
    assert [e["action"] for e in again.read_audit()] == ["user_added"]


def _drop_account_tables(location: str) -> None:
    """Make the store look like one written before accounts existed."""
    if location.startswith("postgresql://"):
        url, schema = location.split("?schema=")
        with psycopg.connect(url, autocommit=True) as conn:
            for table in (ACCOUNTS_TABLE, AUDIT_TABLE):
                conn.execute(f'DROP TABLE "{schema}"."{table}"')
        return
    conn = sqlite3.connect(location)
    try:
        with conn:
            for table in (ACCOUNTS_TABLE, AUDIT_TABLE):
                conn.execute(f'DROP TABLE "{table}"')
                conn.execute("DELETE FROM gpkg_contents WHERE table_name = ?", [table])
    finally:
        conn.close()


def test_a_store_made_before_accounts_gets_the_tables_when_opened(store_location: str) -> None:
    old = open_store(store_location)
    old.close()
    _drop_account_tables(store_location)
    if not store_location.startswith("postgresql://"):
        validate_gpkg(store_location)
    reopened = open_store(store_location)
    try:
        assert reopened.list_accounts() == [] and reopened.read_audit() == []
        reopened.save_account(account(), expected_version=None,
                              audit=AuditEvent("x", "user_added", "somchai"))
        assert reopened.get_account("somchai") is not None
    finally:
        reopened.close()
    again = open_store(store_location)  # and opening it again changes nothing
    try:
        assert [a["username"] for a in again.list_accounts()] == ["somchai"]
    finally:
        again.close()


def test_geopackage_with_accounts_and_audit_stays_valid(tmp_path: Any) -> None:
    path = str(tmp_path / "accounts.gpkg")
    store = open_store(path)
    try:
        store.save_account(account(), expected_version=None,
                           audit=AuditEvent("x", "user_added", "somchai", {"ชื่อ": "สมชาย"}))
        store.save_account(account(disabled=True), expected_version=1)
    finally:
        store.close()
    validate_gpkg(path)
    conn = sqlite3.connect(path)
    try:
        kinds = dict(conn.execute(
            "SELECT table_name, data_type FROM gpkg_contents WHERE table_name IN (?, ?)",
            [ACCOUNTS_TABLE, AUDIT_TABLE]))
    finally:
        conn.close()
    assert kinds == {ACCOUNTS_TABLE: "attributes", AUDIT_TABLE: "attributes"}
