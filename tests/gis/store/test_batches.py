"""Store.undo_change_set: a whole batch undone at once, or not at all — on both backends."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from gis.errors import ConflictError, InputError, StoreError
from gis.store import Store
from gis.store.protocol import AuditEvent


def _batch(store: Store) -> tuple[str, list[str]]:
    frame = gpd.GeoDataFrame({
        "household_id": ["a", "b", "c"], "village_code": ["27040103"] * 3,
        "head_name": ["ก", "ข", "ค"], "consent": [True] * 3,
    }, geometry=[Point(102.0 + i / 100, 13.5) for i in range(3)], crs=4326)
    result = store.write("households", frame, user="importer")
    return result.change_set, result.uids


def test_undo_change_set_removes_the_whole_batch(store: Store) -> None:
    batch, uids = _batch(store)
    (result,) = store.undo_change_set(batch, user="admin")
    assert set(result.versions) == set(uids)
    assert store.counts()["households"] == 0
    assert all(store.get("households", u)["deleted"] for u in uids)  # type: ignore[index]
    assert [e.op for e in store.history("households", uids[0])] == ["insert", "undo"]


def test_undo_change_set_refuses_when_a_feature_changed_since(store: Store) -> None:
    batch, uids = _batch(store)
    store.update("households", {uids[1]: {"head_name": "แก้แล้ว"}}, {uids[1]: 1}, user="other")
    with pytest.raises(ConflictError) as info:
        store.undo_change_set(batch, user="admin")
    assert [c.uid for c in info.value.conflicts] == [uids[1]]
    assert store.counts()["households"] == 3  # nothing undone


def test_unknown_change_set_is_a_bilingual_error(store: Store) -> None:
    with pytest.raises(StoreError) as info:
        store.undo_change_set("no-such-batch", user="admin")
    assert info.value.message_th and "no-such-batch" in info.value.message_en


def test_audit_entry_is_written_in_the_same_transaction(store: Store) -> None:
    frame = gpd.GeoDataFrame({
        "household_id": ["a"], "village_code": ["27040103"], "head_name": ["ก"],
        "consent": [True]}, geometry=[Point(102.0, 13.5)], crs=4326)
    result = store.write("households", frame, user="importer",
                         audit=AuditEvent("importer", "import", detail={"file": "a.csv"}))
    (entry,) = store.read_audit(action="import")
    assert entry["subject"] == result.change_set
    assert entry["detail"] == {"file": "a.csv", "change_set": result.change_set}
    store.undo_change_set(result.change_set, user="admin",
                          audit=AuditEvent("admin", "undo_import"))
    assert [e["subject"] for e in store.read_audit(action="undo_import")] == [result.change_set]


def test_a_failing_audit_entry_takes_the_rows_back_with_it(store: Store) -> None:
    frame = gpd.GeoDataFrame({
        "household_id": ["a"], "village_code": ["27040103"], "head_name": ["ก"],
        "consent": [True]}, geometry=[Point(102.0, 13.5)], crs=4326)
    with pytest.raises(InputError):  # an audit entry without a user is refused
        store.write("households", frame, user="importer", audit=AuditEvent("", "import"))
    assert store.counts()["households"] == 0
    assert store.read_audit() == []
