"""gis.quality on real GeoPackages: the clean demo has nothing to report (quickly); a copy of
one village with defects planted the ways they happen — a shape from before the checks, a
copied plot, a reused id, a code from an old vocabulary written straight into the file, a
house far from its plot, a GPS fix flagged at import — gets each counted exactly, with the
feature's uid and where to zoom, and only what the role may see."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import affinity
from shapely.geometry import Polygon

from gis.errors import InputError
from gis.privacy import Audience, Role
from gis.quality import run_checks
from gis.store import Store, open_store
from gis.store.gpkg import register_functions
from tests.gis.test_edit import ADMIN, NEGOTIATOR, SURVEYOR, VILLAGE, load_village

PLOTS = {"invalid_geometry": 1, "overlapping_plots": 1, "duplicate_id": 2,
         "not_in_vocabulary": 1, "outside_village": 1}
HOUSEHOLDS = {"outside_village": 1, "outside_plot": 1, "unknown_plot": 1,
              "required_missing": 1, "low_accuracy": 2}


@pytest.fixture(scope="module")
def demo(demo_gpkg: str) -> Iterator[Store]:
    store = open_store(demo_gpkg, create=False)
    yield store
    store.close()


def test_the_demo_is_clean_and_checked_quickly(demo: Store) -> None:
    for layer in ("plots", "households", "villages"):
        report = run_checks(demo, layer, audience=ADMIN)
        assert report.features == demo.counts()[layer]
        assert report.counts == {}, report.issues[:3]
        assert report.seconds < 3.0


def _raw_sql(path: Path, sql: str, *params: object) -> None:
    """A write that bypasses Landmap: data from before a rule existed."""
    conn = sqlite3.connect(path)
    register_functions(conn)  # the R-tree triggers of the file call them
    conn.execute(sql, params)
    conn.commit()
    conn.close()


@pytest.fixture(scope="module")
def flawed(demo: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("quality") / "flawed.gpkg"
    store = open_store(path)
    load_village(store, demo)
    plots = store.read("plots")
    homes = store.read("households")
    empty = plots.loc[~plots["plot_id"].isin(homes["plot_id"])].reset_index(drop=True)

    # A bow-tie from before the editor checked shapes.
    bow = empty.iloc[0]
    a, b, c, d, _ = bow.geometry.geoms[0].exterior.coords
    store.update("plots", {bow.uid: {"geometry": Polygon([a, b, d, c, a])}},
                 {bow.uid: 1}, user="old")
    # A plot copied onto another (a second survey of the same land).
    twin = empty.iloc[1]
    store.write("plots", gpd.GeoDataFrame(
        {"plot_id": ["COPY-1"], "village_code": [VILLAGE]}, geometry=[twin.geometry], crs=4326),
        user="old")
    # An id used twice.
    store.update("plots", {empty.iloc[2].uid: {"plot_id": empty.iloc[3].plot_id}},
                 {empty.iloc[2].uid: 1}, user="old")
    # A code the land-owner vocabulary no longer has, and a plot drawn 5 km away.
    _raw_sql(path, "UPDATE plots SET land_owner = 'forest_old' WHERE uid = ?", empty.iloc[4].uid)
    far = empty.iloc[5]
    store.update("plots", {far.uid: {"geometry": affinity.translate(far.geometry, xoff=0.05)}},
                 {far.uid: 1}, user="old")

    # Households: one 5 km away, one naming no plot, one without its head's name, two GPS
    # fixes known to be poor (flagged at import; an accuracy kept in extra).
    h = homes.iloc[:5]
    store.update("households", {
        h.uid.iloc[0]: {"geometry": affinity.translate(h.geometry.iloc[0], xoff=0.05)},
        h.uid.iloc[1]: {"plot_id": "NO-SUCH-PLOT"},
        h.uid.iloc[3]: {"extra": {"import_flags": ["low_accuracy"]}},
        h.uid.iloc[4]: {"extra": {"accuracy": 80.0}},
    }, dict.fromkeys(h.uid.iloc[[0, 1, 3, 4]], 1), user="old")
    _raw_sql(path, "UPDATE households SET head_name = NULL WHERE uid = ?", h.uid.iloc[2])
    yield store
    store.close()


def test_each_planted_plot_defect_is_counted_once(flawed: Store) -> None:
    report = run_checks(flawed, "plots", audience=ADMIN)
    assert report.counts == PLOTS
    assert all(i.uid and i.message_th and i.message_en and i.fix_th and i.fix_en
               for i in report.issues)
    invalid = next(i for i in report.issues if i.code == "invalid_geometry")
    assert "ตัดไขว้กันเอง" in invalid.message_th and "make_valid" not in invalid.fix_en
    assert "accept the repair" in invalid.fix_en
    overlap = next(i for i in report.issues if i.code == "overlapping_plots")
    assert "COPY-1" in overlap.message_en and "100%" in overlap.message_en
    vocabulary = next(i for i in report.issues if i.code == "not_in_vocabulary")
    assert "forest_old" in vocabulary.message_en and vocabulary.field == "land_owner"
    assert set(report.bounds) == {i.uid for i in report.issues}
    minx, miny, maxx, maxy = report.bounds[invalid.uid]
    assert 102 < minx < maxx < 103 and 13 < miny < maxy < 14


def test_each_planted_household_defect_is_counted_once(flawed: Store) -> None:
    report = run_checks(flawed, "households", village=VILLAGE, audience=SURVEYOR)
    assert report.counts == HOUSEHOLDS
    assert report.by_severity == {"warning": 5, "error": 1}
    missing = next(i for i in report.issues if i.code == "required_missing")
    assert missing.field == "head_name" and "Household id" in missing.message_en
    assert "ชื่อหัวหน้าครัวเรือน" in missing.message_th
    accuracy = sorted(i.message_en for i in report.issues if i.code == "low_accuracy")
    assert "(80 m)" in accuracy[0] or "(80 m)" in accuracy[1]


def test_the_report_shows_only_what_the_role_may_see(flawed: Store) -> None:
    report = run_checks(flawed, "households", audience=NEGOTIATOR)
    # No house points for negotiators, so no checks on them; no names, so no missing name.
    assert report.counts == {"low_accuracy": 2} and report.bounds == {}
    viewer = Audience("agency", Role.AGENCY_VIEWER, frozenset({"270401"}))
    assert run_checks(flawed, "households", audience=viewer).counts == {}
    with pytest.raises(InputError, match="outside the areas"):
        run_checks(flawed, "households", village="27040501", audience=SURVEYOR)
