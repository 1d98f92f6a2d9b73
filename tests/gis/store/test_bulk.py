"""``Store.write`` builds rows and history snapshots column by column (gis.store.bulk): what it
stores must be exactly what the one-feature path (``states.snapshot``, ``codec.gpkg_blob``)
would have stored — on both backends."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Point, Polygon

from gis.distinct import distinct_map
from gis.store import Store
from gis.store.bulk import AS_INSERTED
from gis.store.codec import gpkg_blob, gpkg_blobs
from gis.store.states import dumps

USER = "bulk-test"


def _households() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        "household_id": ["H1", "H2", "H3", "H4"],
        "village_code": ["27040103"] * 4,
        "head_name": ["นางสาวสมศรี ใจดี", "Mr. \"Quote\" \\ back", "ก", "นายสมชาย"],
        "phone": ["0812345678", None, None, "๐๘๑"],
        "consent": [True, False, True, True],
        "members": [4, None, 0, 12],
        "monthly_income": [4500.5, 0.1 + 0.2, None, 1e16],
        "house_condition": ["dilapidated", None, "good", "good"],
        "survey_date": [dt.date(2024, 5, 1), None, dt.date(2024, 5, 1), dt.date(1999, 12, 31)],
        "extra": [{"หมายเหตุ": "ริมคลอง", "n": [1, 2]}, None, {"a": None}, {}],
    }, geometry=[Point(102.1, 13.5), Point(102.2, 13.6), Point(102.3, 13.7),
                 Point(102.4, 13.8)], crs=4326)


def test_history_gives_the_inserted_state_from_the_row_then_from_the_next_version(
        store: Store) -> None:
    frame = _households()
    result = store.write("households", frame, user=USER)
    first = {}
    for uid in result.uids:
        (entry,) = store.history("households", uid)
        state = store.get("households", uid)
        assert state is not None and entry.op == "insert" and entry.before is None
        assert entry.after == {k: state[k] for k in entry.after}
        assert entry.after["geometry"].equals(state["geometry"])
        first[uid] = entry.after
    # Change one feature twice: version 1 is still in its history, now from version 2's before.
    uid = result.uids[0]
    store.update("households", {uid: {"head_name": "แก้แล้ว", "geometry": Point(103, 14)}},
                 {uid: 1}, user=USER)
    store.update("households", {uid: {"members": 9}}, {uid: 2}, user=USER)
    entries = store.history("households", uid)
    assert [e.version for e in entries] == [1, 2, 3]
    assert entries[0].after["head_name"] == "นางสาวสมศรี ใจดี"
    assert entries[0].after["geometry"].equals(Point(102.1, 13.5))
    assert entries[0].after == first[uid] | {"geometry": entries[0].after["geometry"]}
    by_set = store.history_of_change_set("households", result.change_set)
    assert {e.uid: e.after["head_name"] for e in by_set} == {
        u: first[u]["head_name"] for u in result.uids}
    # Restoring version 1 brings its state back (as version 4).
    store.restore("households", uid, 1, expected_version=3, user=USER)
    back = store.get("households", uid)
    assert back is not None and back["version"] == 4 and back["head_name"] == "นางสาวสมศรี ใจดี"
    assert back["members"] == 4 and back["geometry"].equals(Point(102.1, 13.5))
    if store.backend == "gpkg":  # what the file holds: one lean entry per imported row
        conn = sqlite3.connect(store.path)  # type: ignore[attr-defined]
        try:
            texts = {r[0] for r in conn.execute(
                "SELECT after FROM feature_history WHERE op = 'insert'")}
        finally:
            conn.close()
        assert texts == {dumps(AS_INSERTED)}


def test_plots_blobs_match_the_one_geometry_encoder() -> None:
    geoms = np.array([
        MultiPolygon([Polygon([(100, 13), (100.01, 13), (100.01, 13.01), (100, 13)])]),
        Polygon(), None, Point(1, 2),
        Polygon([(0, 0, 5), (1, 0, 5), (1, 1, 5), (0, 0, 5)]),  # Z is dropped, as by gpkg_blob
    ], dtype=object)
    wkb = [None if g is None else shapely.to_wkb(g, byte_order=1, flavor="iso",
                                                 output_dimension=2) for g in geoms]
    assert gpkg_blobs(geoms, wkb) == [gpkg_blob(g) for g in geoms]


def test_distinct_values_are_mapped_once_and_types_kept_apart() -> None:
    calls: list[object] = []

    def seen(value: object) -> object:
        calls.append(value)
        return repr(value)

    out = distinct_map(seen, ["a", "b", "a", None, float("nan"), "a"])
    assert out == ["'a'", "'b'", "'a'", "None", "None", "'a'"]
    assert sorted(map(repr, calls)) == ["'a'", "'b'", "None"]
    assert distinct_map(repr, [1, True, 1.0, "1"]) == ["1", "True", "1.0", "'1'"]
    assert distinct_map(len, [[1, 2], [3]]) == [2, 1]  # unhashable cells, one call each


@pytest.mark.parametrize("bad_row", [1, 3])
def test_the_first_bad_row_is_named(store: Store, bad_row: int) -> None:
    frame = _households()
    frame["members"] = frame["members"].astype(object)
    frame.loc[bad_row - 1, "members"] = "many"
    frame.loc[3, "members"] = "many"
    with pytest.raises(Exception) as err:
        store.write("households", frame, user=USER)
    assert getattr(err.value, "row", None) == bad_row
    assert store.counts()["households"] == 0


def _rtree_and_triggers(path: object) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    conn = sqlite3.connect(str(path))
    try:
        rtree = sorted(conn.execute('SELECT * FROM "rtree_plots_geom"'))
        triggers = sorted(conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
        return rtree, triggers
    finally:
        conn.close()


def test_a_bulk_write_fills_the_rtree_as_the_triggers_would(tmp_path: Path) -> None:
    from gis.store import open_store
    from gis.store.gpkg import BULK_RTREE_MIN
    from tests.gis.store.helpers import validate_gpkg
    from tests.gis.store.test_contract import plots

    frame = plots(BULK_RTREE_MIN + 200)
    frame.loc[5, "geometry"] = None  # no shape: no R-tree entry, in both paths
    bulk_path, trigger_path = tmp_path / "bulk.gpkg", tmp_path / "t.gpkg"
    with closing(open_store(str(bulk_path), create=True)) as bulk_store:
        _, triggers_before = _rtree_and_triggers(bulk_path)
        bulk_store.write("plots", frame, user=USER)  # over the threshold: bulk
    with closing(open_store(str(trigger_path), create=True)) as trigger_store:
        half = len(frame) // 2  # each under the threshold: row by row, through the triggers
        trigger_store.write("plots", frame.iloc[:half], user=USER)
        trigger_store.write("plots", frame.iloc[half:], user=USER)
    bulk_rtree, triggers_after = _rtree_and_triggers(bulk_path)
    trigger_rtree, _ = _rtree_and_triggers(trigger_path)
    assert len(bulk_rtree) == len(frame) - 1
    assert bulk_rtree == trigger_rtree
    assert triggers_after == triggers_before  # the insert trigger is back, unchanged
    validate_gpkg(str(bulk_path))


def _rtree_check(path: object) -> str:
    with closing(sqlite3.connect(str(path))) as conn:
        result: str = conn.execute("SELECT rtreecheck('rtree_plots_geom')").fetchone()[0]
        return result


def test_a_packed_rtree_is_sqlites_own_tree_and_keeps_working(tmp_path: Path) -> None:
    """The first bulk write into an empty layer packs the R-tree (gis.store.rtree_pack): SQLite's
    ``rtreecheck`` accepts it, box queries answer as with the trigger-built tree, and later
    inserts (bulk and one by one), moves and deletes go on through SQLite's own code."""
    from gis.store import open_store
    from gis.store.gpkg import BULK_RTREE_MIN
    from tests.gis.store.helpers import validate_gpkg
    from tests.gis.store.test_contract import plots

    frame = plots(3 * BULK_RTREE_MIN)  # three levels of 51-cell nodes
    packed_path, trigger_path = tmp_path / "packed.gpkg", tmp_path / "t.gpkg"
    with closing(open_store(str(packed_path), create=True)) as packed, \
            closing(open_store(str(trigger_path), create=True)) as trigger:
        result = packed.write("plots", frame, user=USER)
        with closing(sqlite3.connect(str(packed_path))) as conn:
            history = conn.execute(
                'SELECT h.uid, h.version, h.op, h.changed_by, h.change_set, h.before, h.after '
                'FROM feature_history h JOIN plots p ON p.uid = h.uid ORDER BY h.id').fetchall()
            in_fid_order = [r[0] for r in conn.execute("SELECT uid FROM plots ORDER BY fid")]
        assert [r[0] for r in history] == in_fid_order == list(result.versions)
        assert {r[1:] for r in history} == {
            (1, "insert", USER, result.change_set, None, dumps(AS_INSERTED))}
        step = BULK_RTREE_MIN // 2
        for start in range(0, len(frame), step):
            trigger.write("plots", frame.iloc[start:start + step], user=USER)
        assert _rtree_check(packed_path) == "ok"
        rng = np.random.default_rng(42)
        total = shapely.total_bounds(frame.geometry.to_numpy())
        for _ in range(25):
            x, y = rng.uniform(total[0], total[2]), rng.uniform(total[1], total[3])
            box = (x, y, x + 0.002, y + 0.002)
            assert (sorted(packed.read("plots", bbox=box)["plot_id"])
                    == sorted(trigger.read("plots", bbox=box)["plot_id"]))
        # Later changes go through SQLite's R-tree code on the packed tree.
        more = plots(BULK_RTREE_MIN)
        more["plot_id"] = "B-" + more["plot_id"]
        packed.write("plots", more, user=USER)  # bulk, into a tree that is not empty
        some = packed.read("plots").iloc[:40]
        versions = dict(zip(some["uid"], some["version"], strict=True))
        gone = list(some["uid"][:20])
        packed.delete("plots", gone, {u: versions[u] for u in gone}, user=USER)
        moved = {uid: {"geometry": shapely.affinity.translate(geom, 0.01, 0.01)}
                 for uid, geom in zip(some["uid"][20:], some.geometry[20:], strict=True)}
        packed.update("plots", moved, {u: versions[u] for u in moved}, user=USER)
        assert _rtree_check(packed_path) == "ok"
        uid, change = next(iter(moved.items()))
        x0, y0, x1, y1 = shapely.bounds(change["geometry"])
        assert uid in set(packed.read("plots", bbox=(x0, y0, x1, y1))["uid"])
        assert not set(gone) & set(packed.read("plots")["uid"])
    validate_gpkg(str(packed_path))


def test_a_failed_bulk_write_keeps_the_trigger(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from gis.store import open_store, rtree_pack
    from gis.store.gpkg import BULK_RTREE_MIN
    from tests.gis.store.test_contract import plots

    path = tmp_path / "s.gpkg"
    real = rtree_pack.bulk_load

    def failing_half_way(cur: sqlite3.Cursor, rtree: str, ids: np.ndarray, bounds: np.ndarray,
                         ) -> None:
        real(cur, rtree, ids, bounds)  # the whole tree written, then the disk fills up
        raise RuntimeError("disk full while filling the index")

    with closing(open_store(str(path), create=True)) as store:
        _, before = _rtree_and_triggers(path)
        monkeypatch.setattr(rtree_pack, "bulk_load", failing_half_way)
        with pytest.raises(RuntimeError, match="disk full"):
            store.write("plots", plots(BULK_RTREE_MIN), user=USER)
        monkeypatch.undo()
        assert store.counts()["plots"] == 0
        rtree, after = _rtree_and_triggers(path)
        assert rtree == [] and after == before
        assert _rtree_check(path) == "ok"
        store.write("plots", plots(3), user=USER)  # the trigger works again
        assert len(_rtree_and_triggers(path)[0]) == 3


def test_new_uids_are_random_version_4_uuids() -> None:
    import uuid

    from gis.store.bulk import new_uids

    made = new_uids(1000)
    assert len(set(made)) == 1000
    for text in made[:50]:
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
    assert new_uids(0) == []
    assert made == sorted(made)  # the unique uid indexes are filled in key order
    assert new_uids(1000)[0] != made[0]  # random, not a sequence
