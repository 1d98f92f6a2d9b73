"""The Store contract, run over both backends (GeoPackage file and PostGIS server)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, box

from gis.errors import ConflictError, InputError, StoreError
from gis.store import Store
from gis.store.gpkg import GpkgStore
from tests.gis.store.helpers import validate_gpkg

USER = "surveyor_a"


def households(n: int, seed: int = 42) -> gpd.GeoDataFrame:
    rng = random.Random(seed)
    return gpd.GeoDataFrame(
        {
            "household_id": [f"27040101-H{i:04d}" for i in range(n)],
            "village_code": ["27040101"] * n,
            "head_name": [f"นางสาวทดสอบ {i}" for i in range(n)],
            "members": [rng.randint(1, 8) for _ in range(n)],
            "monthly_income": [rng.uniform(1000, 30000) for _ in range(n)],
            "house_condition": [rng.choice(["good", "fair", "poor", "dilapidated"])
                                for _ in range(n)],
            "needs_repair": [rng.random() < 0.3 for _ in range(n)],
            "consent": [True] * n,
            "survey_date": [dt.date(2026, 5, 1 + i % 28) for i in range(n)],
            "extra": [{"ชื่อเดิม": f"x{i}"} for i in range(n)],
        },
        geometry=[Point(102.1 + rng.random() * 0.2, 13.4 + rng.random() * 0.2)
                  for _ in range(n)],
        crs="EPSG:4326",
    )


def plots(n: int, seed: int = 7) -> gpd.GeoDataFrame:
    rng = random.Random(seed)
    geoms = []
    for _ in range(n):
        x, y = 102.1 + rng.random() * 0.2, 13.4 + rng.random() * 0.2
        geoms.append(box(x, y, x + 0.0003, y + 0.0002))
    return gpd.GeoDataFrame(
        {"plot_id": [f"P{i:05d}" for i in range(n)], "village_code": ["27040101"] * n,
         "land_owner": [rng.choice(["private", "alro", "royal_forest_dept"]) for _ in range(n)]},
        geometry=geoms, crs="EPSG:4326",
    )


def test_round_trip_keeps_every_value_and_type(store: Store) -> None:
    frame = households(20)
    frame.loc[3, "members"] = None
    frame.loc[4, "survey_date"] = None
    result = store.write("households", frame, user=USER)
    back = store.read("households")
    assert list(back["uid"]) == result.uids
    assert (back["version"] == 1).all() and (back["updated_by"] == USER).all()
    assert back.crs.to_epsg() == 4326
    assert list(back["head_name"]) == list(frame["head_name"])
    assert back["members"].isna().tolist() == [i == 3 for i in range(20)]
    assert back["members"].dropna().tolist() == frame["members"].drop(index=3).tolist()
    assert back["monthly_income"].tolist() == pytest.approx(frame["monthly_income"].tolist())
    assert back["needs_repair"].tolist() == frame["needs_repair"].tolist()
    assert back.loc[4, "survey_date"] is None and back.loc[5, "survey_date"] == dt.date(2026, 5, 6)
    assert back.loc[0, "extra"] == {"ชื่อเดิม": "x0"}
    assert all(a.equals(b) for a, b in zip(back.geometry, frame.geometry, strict=True))
    assert store.counts()["households"] == 20


def test_data_survive_closing_and_reopening(open_at: Callable[[], Store]) -> None:
    first = open_at()
    uids = first.write("plots", plots(5), user=USER).uids
    first.close()
    again = open_at()
    assert list(again.read("plots")["uid"]) == uids
    assert all(g.geom_type == "MultiPolygon" for g in again.read("plots").geometry)


def test_projected_input_is_stored_in_wgs84(store: Store) -> None:
    frame = households(3).to_crs("EPSG:32648")  # UTM 48N, where Wang Nam Yen lies
    store.write("households", frame, user=USER)
    back = store.read("households")
    original = households(3)
    for a, b in zip(back.geometry, original.geometry, strict=True):
        assert a.distance(b) < 1e-9


def test_update_bumps_version_and_history_keeps_both_sides(store: Store) -> None:
    uid = store.write("households", households(1), user=USER).uids[0]
    res = store.update("households", {uid: {"members": 9, "geometry": Point(102.3, 13.6)}},
                       {uid: 1}, user="planner_b")
    assert res.versions == {uid: 2}
    feature = store.get("households", uid)
    assert feature is not None and feature["members"] == 9 and feature["version"] == 2
    assert feature["updated_by"] == "planner_b"
    history = store.history("households", uid)
    assert [h.version for h in history] == [1, 2]
    assert [h.op for h in history] == ["insert", "update"]
    assert history[1].before is not None and history[1].before["members"] != 9
    assert history[1].after["members"] == 9
    assert history[1].changed_fields() == ["geometry", "members"]
    assert history[1].changed_by == "planner_b"
    assert history[1].changed_at >= history[0].changed_at


def test_stale_update_raises_conflict_with_both_sides_and_writes_nothing(store: Store) -> None:
    uid = store.write("households", households(1), user=USER).uids[0]
    store.update("households", {uid: {"members": 5}}, {uid: 1}, user="a")
    with pytest.raises(ConflictError) as err:
        store.update("households", {uid: {"members": 6}}, {uid: 1}, user="b")
    (conflict,) = err.value.conflicts
    assert conflict.expected_version == 1 and conflict.current_version == 2
    assert conflict.mine == {"members": 6}
    assert conflict.theirs is not None and conflict.theirs["members"] == 5
    assert "ผู้อื่น" in err.value.message_th and "Someone else" in err.value.message_en
    assert store.get("households", uid)["members"] == 5  # type: ignore[index]
    assert len(store.history("households", uid)) == 2


def test_one_stale_feature_refuses_the_whole_change(store: Store) -> None:
    a, b = store.write("households", households(2), user=USER).uids
    store.update("households", {b: {"members": 2}}, {b: 1}, user="other")
    with pytest.raises(ConflictError):
        store.update("households", {a: {"members": 7}, b: {"members": 7}}, {a: 1, b: 1},
                     user=USER)
    assert store.get("households", a)["version"] == 1  # type: ignore[index]


def test_delete_is_soft_and_undo_brings_it_back(store: Store) -> None:
    a, b = store.write("plots", plots(2), user=USER).uids
    store.delete("plots", [a], {a: 1}, user=USER)
    assert list(store.read("plots")["uid"]) == [b]
    everything = store.read("plots", include_deleted=True)
    assert everything.set_index("uid").loc[a, "deleted"]
    assert store.counts()["plots"] == 1
    assert [h.op for h in store.history("plots", a)] == ["insert", "delete"]
    store.undo("plots", a, user=USER)
    assert sorted(store.read("plots")["uid"]) == sorted([a, b])
    assert store.get("plots", a)["version"] == 3  # type: ignore[index]


def test_undo_restores_the_previous_version_as_a_new_one(store: Store) -> None:
    uid = store.write("plots", plots(1), user=USER).uids[0]
    original = store.get("plots", uid)
    assert original is not None
    store.update("plots", {uid: {"land_owner": "treasury", "geometry": box(102, 13, 102.1, 13.1)}},
                 {uid: 1}, user=USER)
    store.undo("plots", uid, user="planner_b")
    now = store.get("plots", uid)
    assert now is not None and now["version"] == 3
    assert now["land_owner"] == original["land_owner"]
    assert now["geometry"].equals(original["geometry"])
    assert [h.op for h in store.history("plots", uid)] == ["insert", "update", "undo"]


def test_undo_of_a_creation_soft_deletes_it(store: Store) -> None:
    uid = store.write("plots", plots(1), user=USER).uids[0]
    store.undo("plots", uid, user=USER)
    assert store.counts()["plots"] == 0
    assert store.get("plots", uid)["deleted"] is True  # type: ignore[index]


def test_undo_refuses_to_undo_someone_elses_newer_edit(store: Store) -> None:
    uid = store.write("plots", plots(1), user=USER).uids[0]
    store.update("plots", {uid: {"land_owner": "alro"}}, {uid: 1}, user="other")
    with pytest.raises(ConflictError):
        store.undo("plots", uid, user=USER, expected_version=1)


def test_restore_any_version(store: Store) -> None:
    uid = store.write("plots", plots(1), user=USER).uids[0]
    for v, owner in enumerate(["alro", "treasury", "temple"], start=1):
        store.update("plots", {uid: {"land_owner": owner}}, {uid: v}, user=USER)
    store.restore("plots", uid, 2, expected_version=4, user=USER)
    assert store.get("plots", uid)["land_owner"] == "alro"  # type: ignore[index]
    assert len(store.history("plots", uid)) == 5


def test_bbox_query_stays_exact_after_updates_and_deletes(store: Store) -> None:
    """The spatial index must follow every edit: compare with a brute-force filter."""
    frame = plots(400)
    uids = store.write("plots", frame, user=USER).uids
    rng = random.Random(3)
    geoms = dict(zip(uids, frame.geometry, strict=True))
    moved = rng.sample(uids, 60)
    for uid in moved:
        x, y = 102.1 + rng.random() * 0.2, 13.4 + rng.random() * 0.2
        geoms[uid] = MultiPolygon([box(x, y, x + 0.001, y + 0.001)])
    store.update("plots", {u: {"geometry": geoms[u]} for u in moved}, dict.fromkeys(moved, 1),
                 user=USER)
    deleted = [u for u in rng.sample(uids, 40) if u not in moved]
    store.delete("plots", deleted, dict.fromkeys(deleted, 1), user=USER)
    for _ in range(25):
        x, y = 102.1 + rng.random() * 0.15, 13.4 + rng.random() * 0.15
        bbox = (x, y, x + 0.05, y + 0.05)
        window = box(*bbox)
        expected = {u for u, g in geoms.items() if u not in deleted and g.intersects(window)}
        got = set(store.read("plots", bbox=bbox)["uid"])
        # bbox queries are envelope queries: every true hit must come back, nothing far away
        assert expected <= got
        assert all(geoms[u].envelope.intersects(window) for u in got)
        assert not got & set(deleted)


def test_geopackage_index_is_correct_for_gdal_too(tmp_path: Path) -> None:
    """GDAL (QGIS's reader) must find the same features through our R-tree after edits."""
    store_location = str(tmp_path / "gdal.gpkg")
    store = GpkgStore(store_location)
    frame = plots(200)
    uids = store.write("plots", frame, user=USER).uids
    far = MultiPolygon([box(102.9, 14.4, 102.91, 14.41)])
    store.update("plots", {uids[0]: {"geometry": far}}, {uids[0]: 1}, user=USER)
    validate_gpkg(store_location)
    got = pyogrio.read_dataframe(store_location, layer="plots", bbox=(102.85, 14.35, 103, 14.5))
    assert list(got["uid"]) == [uids[0]]
    assert set(pyogrio.list_layers(store_location)[:, 0]) >= {
        "admin", "villages", "plots", "households", "tenure_zones", "repairs", "budgets"}
    store.close()


def test_where_filters_by_declared_fields(store: Store) -> None:
    frame = plots(30)
    store.write("plots", frame, user=USER)
    alro = store.read("plots", where={"land_owner": "alro"})
    assert len(alro) == (frame["land_owner"] == "alro").sum() > 0
    two = store.read("plots", where={"plot_id": ["P00001", "P00002"]})
    assert sorted(two["plot_id"]) == ["P00001", "P00002"]


def test_attribute_layers_without_geometry(store: Store) -> None:
    budgets = pd.DataFrame({
        "budget_id": ["B1"], "programme": ["baan_por_piang"], "area_code": ["2704"],
        "allocation": [1_900_000.0],
        "tranches": [[{"no": 1, "percent": 70}, {"no": 2, "percent": 30}]],
    })
    uid = store.write("budgets", budgets, user=USER).uids[0]
    back = store.read("budgets")
    assert back.loc[0, "tranches"][1]["percent"] == 30
    assert not isinstance(back, gpd.GeoDataFrame)
    store.update("budgets", {uid: {"spent": 1000.0}}, {uid: 1}, user=USER)
    assert store.read("budgets").loc[0, "spent"] == 1000.0


@pytest.mark.parametrize(
    ("column", "value", "field"),
    [("house_condition", "broken", "house_condition"), ("members", "many", "members"),
     ("consent", None, "consent")],
)
def test_bad_values_are_refused_with_row_and_field(
    store: Store, column: str, value: object, field: str
) -> None:
    frame = households(5)
    frame[column] = frame[column].astype(object)
    frame.loc[2, column] = value
    with pytest.raises(InputError) as err:
        store.write("households", frame, user=USER)
    assert err.value.row == 3 and err.value.field == field
    assert "แถว 3" in err.value.message_th and "row 3" in err.value.message_en
    assert store.counts()["households"] == 0


def test_unknown_columns_and_missing_crs_are_refused(store: Store) -> None:
    frame = households(2)
    frame["favourite_colour"] = "red"
    with pytest.raises(InputError, match="favourite_colour"):
        store.write("households", frame, user=USER)
    with pytest.raises(InputError, match="CRS"):
        store.write("households", households(2).set_crs(None, allow_override=True), user=USER)
    with pytest.raises(StoreError, match="no layer named"):
        store.read("parcels")


def test_duplicate_uid_refused_and_nothing_written(store: Store) -> None:
    frame = households(3)
    frame["uid"] = ["u-1", "u-2", "u-1"]
    with pytest.raises(StoreError, match="uid"):
        store.write("households", frame, user=USER)
    assert store.counts()["households"] == 0


def test_wrong_geometry_type_is_refused(store: Store) -> None:
    frame = households(2)
    frame.loc[1, "geometry"] = shapely.box(0, 0, 1, 1)
    with pytest.raises(InputError, match="Point"):
        store.write("households", frame, user=USER)
