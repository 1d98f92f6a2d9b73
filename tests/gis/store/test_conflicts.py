"""The conflict queue and ``apply_changes``, over both backends: nothing a user proposed is lost,
and a choice is carried out with its history and audit entries in one transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Point

from gis.errors import ConflictError, InputError, StoreError
from gis.store import Store, open_store
from gis.store.base import SqlStore
from gis.store.conflicts_sql import CONFLICTS_TABLE
from gis.store.protocol import AuditEvent, LayerChanges, Proposal
from tests.gis.store.helpers import checksum, validate_gpkg
from tests.gis.store.test_contract import households, plots

OFFICE, FIELD, CHOOSER = "office_a", "field_b", "planner_c"


def _seeded(store: Store, n: int = 4) -> list[str]:
    return store.write("households", households(n), user="seed").uids


def _collide(store: Store, uid: str, theirs: dict[str, Any], mine: dict[str, Any]) -> int:
    """Office saves ``theirs`` first; the field user's ``mine``, from version 1, is refused and
    queued — as the app does on ``ConflictError``."""
    store.update("households", {uid: theirs}, {uid: 1}, user=OFFICE)
    with pytest.raises(ConflictError):
        store.update("households", {uid: mine}, {uid: 1}, user=FIELD)
    return store.add_conflict("households", uid, base_version=1, proposed=mine, user=FIELD,
                              source="edit")


def test_a_refused_edit_is_queued_with_both_sides_kept(store: Store) -> None:
    uids = _seeded(store)
    uid = uids[0]
    first = store.get("households", uid)
    assert first is not None
    cid = _collide(store, uid, {"phone": "0811111111"},
                   {"head_name": "นางแก้ในสนาม", "members": 7, "geometry": Point(102.5, 13.5)})
    record = store.get_conflict(cid)
    assert record is not None
    assert (record.layer, record.uid, record.base_version, record.current_version) == \
        ("households", uid, 1, 2)
    assert record.fields == ("head_name", "members", "geometry")
    assert record.mine == {"head_name": "นางแก้ในสนาม", "members": 7,
                           "geometry": Point(102.5, 13.5)}
    # The proposed state is the version the proposer read, with their changes.
    assert record.proposed["house_condition"] == first["house_condition"]
    assert record.proposed["phone"] is None and record.proposed["deleted"] is False
    assert (record.proposed_by, record.source, record.status) == (FIELD, "edit", "open")
    assert record.proposed_at.tzinfo is not None
    assert record.choice is None and record.resolved_version is None
    # Theirs is untouched in the store and in the history at the version it collided with.
    stored = store.get("households", uid)
    assert stored is not None and stored["version"] == 2 and stored["phone"] == "0811111111"
    assert stored["head_name"] == first["head_name"]
    assert store.history("households", uid)[record.current_version - 1].after["phone"] == \
        "0811111111"
    assert [c.id for c in store.list_conflicts()] == [cid]
    assert [c.id for c in store.list_conflicts(layer="households", uids=[uid])] == [cid]
    assert store.list_conflicts(uids=[uids[1]]) == [] and store.list_conflicts(uids=[]) == []
    assert store.list_conflicts(status="resolved") == []
    [event] = store.read_audit(action="conflict_queued")
    assert event["subject"] == f"households/{uid}" and event["detail"]["conflict"] == cid


def test_queueing_refuses_what_is_no_conflict_or_not_a_value(store: Store) -> None:
    uid = _seeded(store)[0]
    with pytest.raises(InputError, match="no conflict"):
        store.add_conflict("households", uid, base_version=1, proposed={"members": 2},
                           user=FIELD, source="edit")
    store.update("households", {uid: {"members": 3}}, {uid: 1}, user=OFFICE)
    with pytest.raises(InputError) as caught:
        store.add_conflict("households", uid, base_version=1,
                           proposed={"house_condition": "shiny"}, user=FIELD, source="edit")
    assert caught.value.field == "house_condition"
    with pytest.raises(InputError, match="deletion"):
        store.add_conflict("households", uid, base_version=1,
                           proposed={"deleted": True, "members": 1}, user=FIELD, source="edit")
    with pytest.raises(InputError, match="changes nothing"):
        store.add_conflict("households", uid, base_version=1, proposed={}, user=FIELD,
                           source="edit")
    with pytest.raises(StoreError, match="no such households"):
        store.add_conflict("households", "no-such-uid", base_version=1,
                           proposed={"members": 1}, user=FIELD, source="edit")
    assert store.list_conflicts(status=None) == []


def test_mine_writes_the_proposed_fields_over_theirs(store: Store) -> None:
    uid = _seeded(store)[0]
    cid = _collide(store, uid, {"phone": "0811111111"}, {"head_name": "นางแก้ในสนาม"})
    record = store.resolve_conflict(cid, choice="mine", user=CHOOSER,
                                    expected_current_version=2)
    stored = store.get("households", uid)
    assert stored is not None
    # Only what the proposal set is written: the office's phone stays.
    assert (stored["version"], stored["head_name"], stored["phone"]) == \
        (3, "นางแก้ในสนาม", "0811111111")
    last = store.history("households", uid)[-1]
    assert (last.version, last.op, last.changed_by) == (3, "update", CHOOSER)
    assert last.changed_fields() == ["head_name"]
    assert (record.status, record.choice, record.resolved_version, record.resolved_by) == \
        ("resolved", "mine", 3, CHOOSER)
    assert record.resolved_at is not None and record.resolved_at >= record.proposed_at
    assert store.list_conflicts() == [] and [c.id for c in store.list_conflicts(
        status="resolved")] == [cid]
    [event] = store.read_audit(action="conflict_resolved")
    assert event["username"] == CHOOSER and event["subject"] == f"households/{uid}"
    assert event["detail"]["choice"] == "mine" and event["detail"]["version"] == 3
    assert event["detail"]["change_set"] == last.change_set


def test_theirs_writes_no_feature_and_keeps_the_proposal(store: Store) -> None:
    uid = _seeded(store)[0]
    cid = _collide(store, uid, {"phone": "0811111111"}, {"head_name": "นางแก้ในสนาม"})
    record = store.resolve_conflict(cid, choice="theirs", user=CHOOSER,
                                    expected_current_version=2)
    stored = store.get("households", uid)
    assert stored is not None and stored["version"] == 2
    assert len(store.history("households", uid)) == 2
    assert (record.status, record.choice, record.resolved_version) == ("resolved", "theirs", 2)
    assert record.mine == {"head_name": "นางแก้ในสนาม"}, "nothing is lost"
    [event] = store.read_audit(action="conflict_resolved")
    assert event["detail"]["choice"] == "theirs" and "change_set" not in event["detail"]


def test_merge_writes_the_values_the_user_put_together(store: Store) -> None:
    uid = _seeded(store)[0]
    cid = _collide(store, uid, {"phone": "0811111111", "members": 2},
                   {"head_name": "นางแก้ในสนาม", "members": 9})
    record = store.resolve_conflict(
        cid, choice="merge", merged_values={"head_name": "นางแก้ในสนาม", "members": 5},
        user=CHOOSER, expected_current_version=2)
    stored = store.get("households", uid)
    assert stored is not None
    assert (stored["version"], stored["head_name"], stored["members"], stored["phone"]) == \
        (3, "นางแก้ในสนาม", 5, "0811111111")
    assert (record.choice, record.resolved_version) == ("merge", 3)
    with pytest.raises(InputError):
        store.resolve_conflict(cid, choice="merge", user=CHOOSER, expected_current_version=3)


@pytest.mark.parametrize("choice", ["mine", "theirs", "merge"])
def test_a_feature_that_moved_again_is_a_new_conflict_and_nothing_changes(
        store: Store, store_location: str, choice: Any) -> None:
    uid = _seeded(store)[0]
    cid = _collide(store, uid, {"phone": "0811111111"}, {"head_name": "นางแก้ในสนาม"})
    store.update("households", {uid: {"members": 1}}, {uid: 2}, user=OFFICE)
    before = checksum(store_location)
    with pytest.raises(ConflictError) as caught:
        store.resolve_conflict(cid, choice=choice, user=CHOOSER, expected_current_version=2,
                               merged_values={"members": 4} if choice == "merge" else None)
    [conflict] = caught.value.conflicts
    assert (conflict.expected_version, conflict.current_version) == (2, 3)
    assert checksum(store_location) == before
    record = store.get_conflict(cid)
    assert record is not None and record.status == "open"
    # Seen again, the same choice goes through.
    done = store.resolve_conflict(cid, choice=choice, user=CHOOSER, expected_current_version=3,
                                  merged_values={"members": 4} if choice == "merge" else None)
    assert done.status == "resolved"


def test_a_conflict_is_resolved_once(store: Store, store_location: str) -> None:
    uid = _seeded(store)[0]
    cid = _collide(store, uid, {"phone": "0811111111"}, {"head_name": "นางแก้ในสนาม"})
    store.resolve_conflict(cid, choice="mine", user=CHOOSER, expected_current_version=2)
    before = checksum(store_location)
    with pytest.raises(StoreError, match="already been resolved"):
        store.resolve_conflict(cid, choice="theirs", user=CHOOSER, expected_current_version=3)
    with pytest.raises(StoreError, match="no conflict with id"):
        store.resolve_conflict(cid + 100, choice="theirs", user=CHOOSER,
                               expected_current_version=3)
    with pytest.raises(InputError, match="not mine, theirs or merge"):
        store.resolve_conflict(cid, choice="both", user=CHOOSER,  # type: ignore[arg-type]
                               expected_current_version=3)
    assert checksum(store_location) == before


def test_mine_of_a_deletion_deletes_and_mine_of_an_edit_brings_a_deleted_feature_back(
        store: Store) -> None:
    a, b = _seeded(store)[:2]
    store.update("households", {a: {"members": 2}}, {a: 1}, user=OFFICE)
    gone = store.add_conflict("households", a, base_version=1, proposed={"deleted": True},
                              user=FIELD, source="edit")
    store.delete("households", [b], {b: 1}, user=OFFICE)
    back = store.add_conflict("households", b, base_version=1, proposed={"members": 6},
                              user=FIELD, source="edit")
    store.resolve_conflict(gone, choice="mine", user=CHOOSER, expected_current_version=2)
    store.resolve_conflict(back, choice="mine", user=CHOOSER, expected_current_version=2)
    deleted, restored = store.get("households", a), store.get("households", b)
    assert deleted is not None and deleted["deleted"] is True and deleted["members"] == 2
    assert restored is not None and restored["deleted"] is False and restored["members"] == 6
    assert [e.op for e in store.history("households", a)] == ["insert", "update", "delete"]
    assert [e.op for e in store.history("households", b)] == ["insert", "delete", "restore"]


def test_apply_changes_writes_current_proposals_and_queues_stale_ones_at_once(
        store: Store) -> None:
    h = _seeded(store, 5)
    p = store.write("plots", plots(3), user="seed").uids
    store.update("households", {h[2]: {"phone": "0822222222"}}, {h[2]: 1}, user=OFFICE)
    new_house = households(1, seed=9).iloc[0]
    added = {name: new_house[name] for name in ("household_id", "village_code", "head_name",
                                                 "consent")} | {"geometry": Point(102.2, 13.5)}
    result = store.apply_changes([
        LayerChanges("households", added=[added], proposals=[
            Proposal(h[0], 1, {"members": 3}),
            Proposal(h[1], 1, {"deleted": True}),
            Proposal(h[2], 1, {"head_name": "ชนกับสำนักงาน"}),
        ]),
        LayerChanges("plots", proposals=[Proposal(p[0], 1, {"land_owner": "temple"})]),
    ], user=FIELD, source="field-merge:village.gpkg",
        audit=AuditEvent(FIELD, "field_merge", detail={"file": "village.gpkg"}))
    assert result.versions["plots"] == {p[0]: 2}
    new_uid = next(u for u in result.versions["households"] if u not in h)
    assert result.versions["households"] == {h[0]: 2, h[1]: 2, new_uid: 1}
    assert result.queued == {"households": {h[2]: result.queued["households"][h[2]]},
                             "plots": {}}
    stale = store.get("households", h[2])
    assert stale is not None and stale["phone"] == "0822222222" and stale["version"] == 2
    [record] = store.list_conflicts()
    assert (record.uid, record.source, record.base_version, record.current_version) == \
        (h[2], "field-merge:village.gpkg", 1, 2)
    # One change set over both layers: one undo takes the whole merge back.
    sets = {e.change_set for layer, uid in (("households", h[0]), ("households", h[1]),
                                            ("households", new_uid), ("plots", p[0]))
            for e in store.history(layer, uid)[-1:]}
    assert sets == {result.change_set}
    [event] = store.read_audit(action="field_merge")
    assert event["subject"] == result.change_set
    assert (event["detail"]["written"], event["detail"]["queued"]) == (4, 1)
    store.undo_change_set(result.change_set, user=OFFICE)
    assert store.get("households", h[1])["deleted"] is False  # type: ignore[index]
    assert store.get("households", new_uid)["deleted"] is True  # type: ignore[index]


def test_apply_changes_checks_every_value_first_and_a_failure_leaves_nothing(
        store: Store, store_location: str, monkeypatch: pytest.MonkeyPatch) -> None:
    h = _seeded(store)
    p = store.write("plots", plots(2), user="seed").uids
    store.update("households", {h[3]: {"members": 1}}, {h[3]: 1}, user=OFFICE)
    before = checksum(store_location)
    good = LayerChanges("households", proposals=[Proposal(h[0], 1, {"members": 3}),
                                                 Proposal(h[3], 1, {"members": 4})])
    with pytest.raises(InputError) as caught:
        store.apply_changes([good, LayerChanges("plots", proposals=[
            Proposal(p[0], 1, {"land_owner": "moon"})])], user=FIELD, source="edit")
    assert caught.value.field == "land_owner"
    assert checksum(store_location) == before
    # A failure inside the transaction, in the last layer, after the first was written.
    real = SqlStore._executemany

    def failing(self: SqlStore, cur: Any, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        if '"plots"' in sql and "UPDATE" in sql:
            raise RuntimeError("power cut")
        real(self, cur, sql, rows)

    monkeypatch.setattr(SqlStore, "_executemany", failing)
    with pytest.raises(RuntimeError, match="power cut"):
        store.apply_changes([good, LayerChanges("plots", proposals=[
            Proposal(p[0], 1, {"land_owner": "temple"})])], user=FIELD, source="edit")
    monkeypatch.undo()
    assert checksum(store_location) == before
    assert store.list_conflicts() == []


def test_the_geopackage_stays_valid_and_old_stores_get_the_queue(tmp_path: Path) -> None:
    path = tmp_path / "old.gpkg"
    store = open_store(path)
    uid = _seeded(store)[0]
    store.close()
    # A store made before the queue existed: no table, not in gpkg_contents.
    conn = sqlite3.connect(path)
    conn.execute(f'DROP TABLE "{CONFLICTS_TABLE}"')
    conn.execute("DELETE FROM gpkg_contents WHERE table_name = ?", [CONFLICTS_TABLE])
    conn.commit()
    conn.close()
    store = open_store(path)
    try:
        cid = _collide(store, uid, {"phone": "0811111111"}, {"head_name": "ก"})
        store.resolve_conflict(cid, choice="merge", merged_values={"head_name": "ข"},
                               user=CHOOSER, expected_current_version=2)
        store.add_conflict("households", uid, base_version=2, proposed={"members": 1},
                           user=FIELD, source="edit")
    finally:
        store.close()
    validate_gpkg(str(path))
    conn = sqlite3.connect(path)
    kind = conn.execute("SELECT data_type FROM gpkg_contents WHERE table_name = ?",
                        [CONFLICTS_TABLE]).fetchone()
    conn.close()
    assert kind == ("attributes",)
