"""The offline field round trip (gis.field, `landmap field-package` / `field-merge`), over both
backends: a package any GIS reads, edited with pyogrio as QField would, merged back without
overwriting what someone else saved meanwhile."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import MultiPolygon, Point, box

from gis.errors import InputError
from gis.field import BASE_LAYER, META_LAYER, field_package, read_package
from gis.field_merge import field_merge
from gis.privacy import Audience, Role
from gis.store import Store, open_store
from gis.store.base import SqlStore
from tests.gis.store.helpers import checksum, validate_gpkg

VILLAGE, OTHER = "27040101", "27040102"
FIELD_USER, OFFICE = "field_b", "office_a"
SURVEYOR = Audience(FIELD_USER, Role.SURVEYOR, frozenset({VILLAGE}))
LANDMAP = shutil.which("landmap", path=os.path.dirname(sys.executable))


def _seed(store: Store) -> dict[str, list[str]]:
    """Two villages: four plots and six households in ours, one plot and two households in the
    next; households carry a national ID and income (sensitive: not for surveyors)."""
    rng = random.Random(42)
    store.write("villages", gpd.GeoDataFrame({
        "village_code": [VILLAGE, OTHER], "name_th": ["บ้านหนองน้ำ", "บ้านโคก"],
        "tambon_code": ["270401", "270401"], "survey_status": ["in_progress", None]},
        geometry=[MultiPolygon([box(102.10, 13.40, 102.12, 13.42)]),
                  MultiPolygon([box(102.12, 13.40, 102.14, 13.42)])], crs=4326), user="seed")
    corners = [(102.101 + 0.004 * i, 13.401) for i in range(4)] + [(102.125, 13.405)]
    plots = store.write("plots", gpd.GeoDataFrame({
        "plot_id": [f"P{i}" for i in range(5)], "village_code": [VILLAGE] * 4 + [OTHER],
        "land_owner": ["private", "treasury", "alro", "temple", "private"],
        "document_number": [f"D-{i}" for i in range(5)]},
        geometry=[box(x, y, x + 0.003, y + 0.003) for x, y in corners], crs=4326), user="seed")
    n = 8
    homes = store.write("households", gpd.GeoDataFrame({
        "household_id": [f"H{i}" for i in range(n)],
        "village_code": [VILLAGE] * 6 + [OTHER] * 2,
        "plot_id": [f"P{i % 4}" for i in range(6)] + ["P4", "P4"],
        "head_name": [f"นางทดสอบ {i}" for i in range(n)],
        "national_id": [f"1{rng.randrange(10**11, 10**12)}" for _ in range(n)],
        "phone": ["๐๘๑๒๓๔๕๖๗๘"] + [None] * (n - 1),
        "monthly_income": [rng.uniform(3000, 20000) for _ in range(n)],
        "members": [rng.randint(1, 6) for _ in range(n)],
        "house_condition": [rng.choice(["good", "fair"]) for _ in range(n)],
        "needs_repair": [True, False, None, True, False, True, False, False],
        "consent": [True] * n,
        "survey_date": [dt.date(2026, 5, 1 + i) for i in range(n)],
        "extra": [{"หมายเหตุ": "ริมคลอง"}] + [None] * (n - 1)},
        geometry=[Point(x + 0.0015, y + 0.0015) for x, y in
                  [corners[i % 4] for i in range(6)] + [corners[4]] * 2], crs=4326),
        user="seed")
    return {"plots": plots.uids, "households": homes.uids}


def _package(store: Store, tmp_path: Path, audience: Audience = SURVEYOR) -> Path:
    out = tmp_path / "field.gpkg"
    field_package(store, village=VILLAGE, out=out, audience=audience)
    return out


def _edit(path: Path, layer: str, change: Any) -> None:
    """Edit one layer of the package the way a GIS does: read it, change it, save it."""
    frame = pyogrio.read_dataframe(path, layer=layer)
    pyogrio.write_dataframe(change(frame), path, layer=layer)


def _row(frame: pd.DataFrame, uid: str) -> Any:
    return frame.index[frame["uid"] == uid][0]


def test_round_trip_counts_and_the_conflicting_feature_is_queued_not_overwritten(
        store: Store, tmp_path: Path) -> None:
    uids = _seed(store)["households"]
    path = _package(store, tmp_path)
    secret = {u: store.get("households", u)["national_id"] for u in uids}  # type: ignore[index]

    def in_the_field(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[_row(frame, uids[0]), "members"] = 9
        frame.loc[_row(frame, uids[1]), "house_condition"] = "poor"
        frame.loc[_row(frame, uids[2]), "head_name"] = "นางแก้ชื่อ"
        frame.loc[_row(frame, uids[2]), "geometry"] = Point(102.1102, 13.4031)
        frame = frame.drop(index=_row(frame, uids[3]))
        new = frame.iloc[:2].copy()
        new["uid"] = None
        new["household_id"] = ["H-new-1", "H-new-2"]
        new["village_code"] = [VILLAGE, None]  # blank: the package's village
        new["geometry"] = [Point(102.1025, 13.4025), Point(102.1065, 13.4025)]
        return pd.concat([frame, new], ignore_index=True)

    _edit(path, "households", in_the_field)
    # Meanwhile, in the office, someone saves one of the same features.
    store.update("households", {uids[1]: {"phone": "0899999999"}}, {uids[1]: 1}, user=OFFICE)

    report = field_merge(store, path, user=FIELD_USER, audience=SURVEYOR)

    assert (report.applied, report.added, report.deleted, report.conflicts, report.unchanged,
            report.rejected) == (2, 2, 1, 1, 2 + 4 + 1, 0)
    assert report.layers["households"] == {"applied": 2, "added": 2, "deleted": 1,
                                           "conflicts": 1, "unchanged": 2, "rejected": 0}
    [queued] = report.queued
    assert (queued["layer"], queued["uid"], queued["change"]) == ("households", uids[1], "edit")
    # The conflicting feature: the office's version stands, the field's waits with both sides.
    theirs = store.get("households", uids[1])
    assert theirs is not None and theirs["version"] == 2 and theirs["phone"] == "0899999999"
    assert theirs["house_condition"] != "poor"
    record = store.get_conflict(queued["conflict"])
    assert record is not None and record.status == "open"
    assert (record.base_version, record.current_version, record.fields, record.source) == \
        (1, 2, ("house_condition",), "field-merge:field.gpkg")
    assert record.mine == {"house_condition": "poor"} and record.proposed_by == FIELD_USER
    assert store.history("households", uids[1])[record.current_version - 1].after["phone"] == \
        "0899999999"
    # The applied ones, the added ones, the deleted one.
    changed = [store.get("households", u) for u in uids[:4]]
    assert changed[0]["members"] == 9 and changed[0]["version"] == 2  # type: ignore[index]
    assert changed[2]["head_name"] == "นางแก้ชื่อ"  # type: ignore[index]
    assert changed[2]["geometry"].equals(Point(102.1102, 13.4031))  # type: ignore[index]
    assert changed[3]["deleted"] is True  # type: ignore[index]
    assert store.history("households", uids[0])[-1].changed_fields() == ["members"]
    new = store.read("households", where={"household_id": ["H-new-1", "H-new-2"]})
    assert sorted(new["village_code"]) == [VILLAGE, VILLAGE] and set(new["version"]) == {1}
    # Sensitive fields were never in the package, and the merge left them alone.
    for uid in uids:
        assert store.get("households", uid)["national_id"] == secret[uid]  # type: ignore[index]
    [event] = store.read_audit(action="field_merge")
    assert event["subject"] == report.change_set and event["username"] == FIELD_USER
    assert (event["detail"]["written"], event["detail"]["queued"]) == (5, 1)


def test_the_package_is_a_plain_geopackage_with_only_what_the_role_may_see(
        store: Store, tmp_path: Path) -> None:
    _seed(store)
    path = _package(store, tmp_path)
    validate_gpkg(str(path))
    assert [list(r) for r in pyogrio.list_layers(path)] == [
        ["villages", "MultiPolygon"], ["plots", "MultiPolygon"], ["households", "Point"],
        [META_LAYER, None], [BASE_LAYER, None]]
    info = pyogrio.read_info(path, layer="households")
    assert info["driver"] == "GPKG" and info["crs"] == "EPSG:4326" and info["features"] == 6
    fields = list(info["fields"])
    assert fields[:2] == ["uid", "version"] and "head_name" in fields and "phone" in fields
    assert not {"national_id", "monthly_income", "disabled", "priority_score"} & set(fields)
    types = dict(zip(fields, info["ogr_types"], strict=True))
    assert (types["members"], types["survey_date"], types["needs_repair"]) == \
        ("OFTInteger64", "OFTDate", "OFTInteger")
    frame = pyogrio.read_dataframe(path, layer="households")
    assert set(frame["village_code"]) == {VILLAGE}
    assert frame.loc[0, "phone"] == "๐๘๑๒๓๔๕๖๗๘"
    assert json.loads(frame.loc[0, "extra"]) == {"หมายเหตุ": "ริมคลอง"}
    package = read_package(path)
    assert (package.village, package.role, package.username) == (VILLAGE, "surveyor",
                                                                  FIELD_USER)
    assert {layer.name: layer.editable for layer in package.layers} == \
        {"villages": False, "plots": True, "households": True}
    assert set(package.base["households"].values()) == {1}
    # A negotiator sees no one's house point nor name; a planner sees national IDs.
    negotiator = Audience("n", Role.NEGOTIATOR, frozenset({VILLAGE}))
    out = tmp_path / "negotiator.gpkg"
    field_package(store, village=VILLAGE, out=out, audience=negotiator)
    assert dict(pyogrio.list_layers(out))["households"] is None
    assert "head_name" not in pyogrio.read_info(out, layer="households")["fields"]
    validate_gpkg(str(out))
    out = tmp_path / "planner.gpkg"
    field_package(store, village=VILLAGE, out=out,
                  audience=Audience("p", Role.PLANNER, frozenset({VILLAGE})))
    assert "national_id" in pyogrio.read_info(out, layer="households")["fields"]


def test_package_refuses_unknown_villages_other_areas_and_existing_files(
        store: Store, tmp_path: Path) -> None:
    _seed(store)
    with pytest.raises(InputError, match="no village with code"):
        field_package(store, village="99999999", out=tmp_path / "a.gpkg", audience=SURVEYOR)
    with pytest.raises(InputError, match="not in the assigned areas"):
        field_package(store, village=OTHER, out=tmp_path / "a.gpkg", audience=SURVEYOR)
    path = _package(store, tmp_path)
    with pytest.raises(InputError, match="already exists"):
        field_package(store, village=VILLAGE, out=path, audience=SURVEYOR)
    with pytest.raises(InputError, match=r"must end in \.gpkg"):
        field_package(store, village=VILLAGE, out=tmp_path / "a.shp", audience=SURVEYOR)
    assert {p.name for p in tmp_path.iterdir()} - {"store.gpkg"} == {"field.gpkg"}


def test_a_field_not_in_the_package_or_dropped_from_it_is_never_blanked(
        store: Store, tmp_path: Path) -> None:
    uids = _seed(store)["households"]
    path = _package(store, tmp_path)
    before = {u: store.get("households", u) for u in uids}

    def drop_phone_and_edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[_row(frame, uids[0]), "members"] = 1
        return frame.drop(columns=["phone"])

    _edit(path, "households", drop_phone_and_edit)
    report = field_merge(store, path, user=FIELD_USER, audience=SURVEYOR)
    assert (report.applied, report.unchanged, report.rejected) == (1, 5 + 4 + 1, 0)
    after = store.get("households", uids[0])
    assert after is not None and after["members"] == 1
    for name in ("phone", "national_id", "monthly_income"):
        assert after[name] == before[uids[0]][name]  # type: ignore[index]


def test_a_merging_user_writes_only_what_they_may_see(store: Store, tmp_path: Path) -> None:
    uids = _seed(store)["households"]
    planner = Audience("p", Role.PLANNER, frozenset({VILLAGE}))
    path = _package(store, tmp_path, planner)

    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[_row(frame, uids[0]), ["national_id", "members"]] = ["1999999999999", 2]
        return frame

    _edit(path, "households", edit)
    before = store.get("households", uids[0])
    report = field_merge(store, path, user=FIELD_USER, audience=SURVEYOR)
    after = store.get("households", uids[0])
    assert after["members"] == 2  # type: ignore[index]
    assert after["national_id"] == before["national_id"]  # type: ignore[index]
    assert {(i.code, i.field) for i in report.issues} >= {("field_not_merged", "national_id")}


def test_bad_rows_are_reported_in_both_languages_and_left_out(
        store: Store, tmp_path: Path) -> None:
    uids = _seed(store)["households"]
    path = _package(store, tmp_path)

    def mess(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[_row(frame, uids[0]), "house_condition"] = "shiny"
        frame.loc[_row(frame, uids[1]), "head_name"] = None
        frame.loc[_row(frame, uids[2]), "members"] = 77  # a good change, kept
        copied = frame.loc[[_row(frame, uids[3])]].copy()  # a copied feature: same uid
        new = frame.iloc[[4]].copy()
        new["uid"] = None  # a new household repeating an existing id
        return pd.concat([frame, copied, new], ignore_index=True)

    _edit(path, "households", mess)
    before = versions_of(store, uids)
    report = field_merge(store, path, user=FIELD_USER, audience=SURVEYOR)
    assert (report.applied, report.added, report.rejected) == (1, 0, 4)
    found = {(i.layer, i.row, i.field, i.code) for i in report.issues if i.severity == "error"}
    assert found == {("households", 1, "house_condition", "not_in_vocabulary"),
                     ("households", 2, "head_name", "missing_required"),
                     ("households", 7, "uid", "duplicate_uid"),
                     ("households", 8, "household_id", "duplicate_id")}
    for item in report.issues:
        assert item.message_th and item.message_en and item.file == "field.gpkg"
    after = versions_of(store, uids)
    assert [a == b for a, b in zip(before, after, strict=True)] == \
        [True, True, False, True, True, True, True, True]


def versions_of(store: Store, uids: Sequence[str]) -> list[Any]:
    return [store.get("households", u)["version"] for u in uids]  # type: ignore[index]


def test_a_stale_deletion_is_queued_and_a_row_untouched_in_the_field_is_unchanged(
        store: Store, tmp_path: Path) -> None:
    uids = _seed(store)["households"]
    path = _package(store, tmp_path)
    _edit(path, "households", lambda f: f.drop(index=_row(f, uids[0])))
    store.update("households", {uids[0]: {"members": 5}, uids[1]: {"members": 5}},
                 {uids[0]: 1, uids[1]: 1}, user=OFFICE)
    report = field_merge(store, path, user=FIELD_USER, audience=SURVEYOR)
    assert (report.deleted, report.conflicts, report.unchanged) == (0, 1, 5 + 4 + 1)
    assert report.queued[0]["change"] == "delete"
    kept = store.get("households", uids[0])
    assert kept is not None and kept["deleted"] is False and kept["members"] == 5
    [record] = store.list_conflicts()
    assert record.is_delete and record.proposed["members"] != 5


def test_reference_layers_are_not_merged_back(store: Store, tmp_path: Path) -> None:
    _seed(store)
    path = _package(store, tmp_path)

    def rename(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[0, "name_th"] = "ชื่อใหม่"
        return frame

    _edit(path, "villages", rename)
    report = field_merge(store, path, user=FIELD_USER, audience=SURVEYOR)
    assert report.rejected == 1 and report.issues[0].code == "read_only_layer"
    assert store.read("villages", where={"village_code": VILLAGE})["name_th"].tolist() == \
        ["บ้านหนองน้ำ"]


def test_the_whole_merge_is_one_transaction_and_dry_run_writes_nothing(
        store: Store, store_location: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _seed(store)
    path = _package(store, tmp_path)

    def households(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[_row(frame, ids["households"][0]), "members"] = 7
        return frame

    def plots(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[_row(frame, ids["plots"][0]), "land_owner"] = "temple"
        return frame

    _edit(path, "households", households)
    _edit(path, "plots", plots)
    before = checksum(store_location)
    dry = field_merge(store, path, user=FIELD_USER, audience=SURVEYOR, dry_run=True)
    assert (dry.applied, dry.dry_run, dry.change_set) == (2, True, None)
    assert checksum(store_location) == before
    real = SqlStore._executemany

    def failing(self: SqlStore, cur: Any, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        if "UPDATE" in sql and '"plots"' in sql:  # after households were written
            raise RuntimeError("power cut")
        real(self, cur, sql, rows)

    monkeypatch.setattr(SqlStore, "_executemany", failing)
    with pytest.raises(RuntimeError, match="power cut"):
        field_merge(store, path, user=FIELD_USER, audience=SURVEYOR)
    monkeypatch.undo()
    assert checksum(store_location) == before
    done = field_merge(store, path, user=FIELD_USER, audience=SURVEYOR)
    assert done.as_json() | {"change_set": None, "dry_run": True} == dry.as_json()


def test_merge_refuses_what_is_not_a_package_or_lost_a_layer(
        store: Store, tmp_path: Path) -> None:
    _seed(store)
    text = tmp_path / "notes.gpkg"
    text.write_text("not a geopackage")
    with pytest.raises(InputError, match="not a Landmap field package"):
        field_merge(store, text, user=FIELD_USER, audience=SURVEYOR)
    plain = tmp_path / "plain.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"a": [1]}, geometry=[Point(1, 1)], crs=4326),
                            plain)
    with pytest.raises(InputError, match="not a Landmap field package"):
        field_merge(store, plain, user=FIELD_USER, audience=SURVEYOR)
    path = _package(store, tmp_path)
    _edit(path, "households", lambda f: f.drop(columns=["uid"]))
    with pytest.raises(InputError, match="uid column is missing"):
        field_merge(store, path, user=FIELD_USER, audience=SURVEYOR)
    assert store.list_conflicts(status=None) == []


# ------------------------------------------------------------------------------------ CLI
def landmap(*args: str) -> subprocess.CompletedProcess[str]:
    assert LANDMAP, "the landmap console script is not installed in this environment"
    env = {k: v for k, v in os.environ.items() if k != "LANDMAP_STORE"}
    return subprocess.run([LANDMAP, *args], capture_output=True, text=True, check=False,
                          env=env, timeout=600)


def test_cli_round_trip_and_bad_input(store: Store, store_location: str,
                                      tmp_path: Path) -> None:
    uids = _seed(store)["households"]
    out = tmp_path / "field.gpkg"
    proc = landmap("field-package", "--village", VILLAGE, "--out", str(out), "--store",
                   store_location, "--json")
    assert proc.returncode == 0, proc.stderr
    made = json.loads(proc.stdout)
    assert (made["village"], made["role"]) == (VILLAGE, "surveyor")
    assert made["layers"]["households"]["features"] == 6
    _edit(out, "households", lambda f: f.drop(index=_row(f, uids[5])))
    proc = landmap("field-merge", str(out), "--store", store_location, "--json")
    assert proc.returncode == 0, proc.stderr
    merged = json.loads(proc.stdout)
    assert {"applied", "added", "conflicts", "unchanged"} <= set(merged)
    assert (merged["applied"], merged["added"], merged["conflicts"], merged["unchanged"],
            merged["deleted"]) == (0, 0, 0, 10, 1)


def test_cli_bad_input_exits_2_in_both_languages(tmp_path: Path) -> None:
    store_location = str(tmp_path / "store.gpkg")
    store = open_store(store_location)
    try:
        _seed(store)
        out = _package(store, tmp_path)
    finally:
        store.close()
    for args in (["field-package", "--village", "99999999", "--out", str(tmp_path / "b.gpkg"),
                  "--store", store_location, "--json"],
                 ["field-package", "--village", VILLAGE, "--out", str(out), "--store",
                  store_location, "--json"],
                 ["field-package", "--village", VILLAGE, "--out", str(tmp_path / "c.gpkg"),
                  "--role", "chief", "--store", store_location, "--json"],
                 ["field-merge", str(tmp_path / "missing.gpkg"), "--store", store_location,
                  "--json"],
                 ["field-merge", str(out), "--store", store_location, "--user", "nobody",
                  "--json"]):
        proc = landmap(*args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        error = json.loads(proc.stdout)["error"]
        assert error["message_th"] and error["message_en"]
        assert "Traceback" not in proc.stderr and "error:" in proc.stderr
