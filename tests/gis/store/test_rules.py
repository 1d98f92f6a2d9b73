"""Versions of the priority rules in both stores: every version kept with who, when and why,
the newest in force, a stale save (two planners) refused with nothing written — also when the
two saves really race — each save audited in its own transaction, and the GeoPackage still one
GDAL accepts."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

import psycopg
import pytest

from gis.errors import ConflictError, InputError
from gis.priority import Rules, current_rules, load_rules, rules_history, save_rules
from gis.store import Store, open_store
from gis.store.rules_sql import RULES_TABLE, RulesConflictError
from tests.gis.store.helpers import checksum, validate_gpkg


def test_defaults_until_a_version_is_saved(store: Store) -> None:
    assert load_rules(store) == Rules()
    current = current_rules(store)
    assert (current.version, current.saved_by, current.saved_at) == (0, None, None)
    assert rules_history(store) == [] and store.latest_priority_rules() is None


def test_every_version_is_kept_and_the_newest_is_in_force(store: Store,
                                                         store_location: str) -> None:
    first = Rules(elderly_points=4.0)
    second = Rules(elderly_points=4.0, insecure_dwelling=frozenset({"no_fixed_home"}),
                   suggest_at=8.5)
    v1 = save_rules(store, first, user="plan_a", expected_version=0, note="ผู้สูงอายุสำคัญขึ้น")
    v2 = save_rules(store, second, user="plan_b", expected_version=1)
    assert (v1.version, v2.version) == (1, 2)
    assert load_rules(store) == second
    history = rules_history(store)
    assert [(h.version, h.rules, h.saved_by, h.note) for h in history] == [
        (1, first, "plan_a", "ผู้สูงอายุสำคัญขึ้น"), (2, second, "plan_b", "")]
    assert all(h.saved_at is not None and h.saved_at.tzinfo is not None for h in history)
    assert history[0].saved_at == v1.saved_at
    # Reopened (a second connection), the same versions are there.
    again = open_store(store_location)
    try:
        assert [h.rules for h in rules_history(again)] == [first, second]
        assert current_rules(again).version == 2
    finally:
        again.close()
    [newest, older] = store.read_audit(action="priority_rules_saved")
    assert (newest["username"], newest["subject"]) == ("plan_b", "priority_rules/v2")
    assert newest["detail"] == {"version": 2, "expected_version": 1, "note": ""}
    assert older["detail"]["note"] == "ผู้สูงอายุสำคัญขึ้น"
    if not store_location.startswith("postgresql://"):
        validate_gpkg(store_location)


def test_the_second_of_two_planners_is_refused_and_nothing_is_written(
        open_at: Callable[[], Store], store_location: str) -> None:
    planner_a, planner_b = open_at(), open_at()
    save_rules(planner_a, Rules(), user="admin", expected_version=0)
    read_by_a = current_rules(planner_a)
    read_by_b = current_rules(planner_b)
    assert read_by_a.version == read_by_b.version == 1
    save_rules(planner_a, Rules(children_points=2.0), user="plan_a",
               expected_version=read_by_a.version)
    before = checksum(store_location)
    with pytest.raises(ConflictError) as caught:
        save_rules(planner_b, Rules(children_points=0.0), user="plan_b",
                   expected_version=read_by_b.version)
    assert isinstance(caught.value, RulesConflictError)
    assert "version 2 by plan_a" in caught.value.message_en
    assert "ฉบับที่ 2" in caught.value.message_th and "plan_a" in caught.value.message_th
    [conflict] = caught.value.conflicts
    assert (conflict.expected_version, conflict.current_version) == (1, 2)
    assert conflict.mine["children_points"] == 0.0 and conflict.theirs is not None
    assert conflict.theirs["children_points"] == 2.0
    assert checksum(store_location) == before  # no version, no audit entry
    assert load_rules(planner_b) == Rules(children_points=2.0)
    # A version from the future, or a first save over existing ones, is just as stale.
    for expected in (0, 7):
        with pytest.raises(RulesConflictError):
            save_rules(planner_b, Rules(), user="plan_b", expected_version=expected)
    assert checksum(store_location) == before


def _race(store: Store, store_location: str, hold: Callable[[], None],
          release: Callable[[], None]) -> BaseException | None:
    """Planner B saves from version 1 while another writer holds (uncommitted) version 2, then
    commits it: B's save must wait and be refused."""
    outcome: list[BaseException | None] = []

    def save() -> None:
        try:
            save_rules(store, Rules(elderly_points=9.0), user="plan_b", expected_version=1)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    hold()
    worker = threading.Thread(target=save)
    worker.start()
    worker.join(timeout=1.0)
    assert worker.is_alive(), "the save did not wait for the other writer"
    release()
    worker.join(timeout=60)
    assert not worker.is_alive()
    return outcome[0]


def test_a_real_race_between_two_saves_is_refused(store: Store, store_location: str) -> None:
    save_rules(store, Rules(), user="admin", expected_version=0)
    row = ("version", "rules", "saved_by", "saved_at", "note")
    if store_location.startswith("postgresql://"):
        parts = urlsplit(store_location)
        schema = dict(parse_qsl(parts.query))["schema"]
        other = psycopg.connect(parts._replace(query="").geturl())
        sql = (f'INSERT INTO "{schema}"."{RULES_TABLE}" ({", ".join(row)}) '
               "VALUES (2, '{}'::jsonb, 'plan_a', now(), 'first')")
    else:
        other = sqlite3.connect(store_location, isolation_level=None)  # type: ignore[assignment]
        sql = (f'INSERT INTO "{RULES_TABLE}" ({", ".join(row)}) '
               "VALUES (2, '{}', 'plan_a', '2026-11-01T00:00:00.000Z', 'first')")

    def hold() -> None:
        if isinstance(other, sqlite3.Connection):
            other.execute("BEGIN IMMEDIATE")
        other.execute(sql)  # PostgreSQL: an open transaction, not committed yet

    def release() -> None:
        if isinstance(other, sqlite3.Connection):
            other.execute("COMMIT")
        else:
            other.commit()

    try:
        error = _race(store, store_location, hold, release)
    finally:
        other.close()
    # PostgreSQL: B read version 1, its insert of 2 waited on A's and failed on the unique key;
    # GeoPackage: B waited for the write lock, then read version 2. Either way: refused.
    assert isinstance(error, RulesConflictError), error
    assert "by plan_a" in error.message_en
    assert [(h.version, h.saved_by) for h in rules_history(store)] == \
        [(1, "admin"), (2, "plan_a")]
    assert len(store.read_audit(action="priority_rules_saved")) == 1


def test_what_cannot_be_saved_is_refused_before_writing(store: Store,
                                                        store_location: str) -> None:
    before = checksum(store_location)
    with pytest.raises(InputError, match="name of the user"):
        save_rules(store, Rules(), user="", expected_version=0)
    for bad in (-1, True, "1"):
        with pytest.raises(InputError, match="expected_version"):
            store.save_priority_rules({}, user="u", expected_version=bad)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="not plain JSON"):
        store.save_priority_rules({"x": float("nan")}, user="u", expected_version=0)
    with pytest.raises(InputError, match="JSON object"):
        store.save_priority_rules([1, 2], user="u", expected_version=0)  # type: ignore[arg-type]
    assert checksum(store_location) == before


def test_a_version_saved_with_a_rule_since_dropped_still_loads(store: Store) -> None:
    store.save_priority_rules({"elderly_points": 5.0, "retired_rule": 1}, user="u",
                              expected_version=0)
    assert load_rules(store) == Rules(elderly_points=5.0)
    assert rules_history(store)[0].rules == Rules(elderly_points=5.0)


def test_a_geopackage_made_before_the_rules_table_gets_it_and_stays_valid(tmp_path: str
                                                                          ) -> None:
    path = f"{tmp_path}/old.gpkg"
    open_store(path).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(f'DROP TABLE "{RULES_TABLE}"')
        conn.execute("DELETE FROM gpkg_contents WHERE table_name = ?", [RULES_TABLE])
    conn.close()
    store = open_store(path)
    try:
        save_rules(store, Rules(), user="plan_a", expected_version=0)
        assert current_rules(store).version == 1
    finally:
        store.close()
    validate_gpkg(path)
