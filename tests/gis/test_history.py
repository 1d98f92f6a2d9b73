"""gis.history on real stores (GeoPackage and PostGIS): a feature's versions with who, when,
what changed and the shapes before and after — redacted for each role — and restoring any
version as a new one, refused where the role could not check what it would change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from shapely import affinity

from gis.edit import save_edit
from gis.errors import ConflictError, InputError
from gis.history import feature_history, restore_version
from gis.privacy import Audience, Role
from gis.store import Store, open_store
from tests.gis.store.helpers import checksum
from tests.gis.test_edit import ADMIN, NEGOTIATOR, PLANNER, SURVEYOR, VILLAGE, load_village

AGENCY = Audience("agency", Role.AGENCY_VIEWER, frozenset({"270401"}))


@pytest.fixture(scope="module")
def demo(demo_gpkg: str) -> Iterator[Store]:
    store = open_store(demo_gpkg, create=False)
    yield store
    store.close()


@pytest.fixture
def edited(store: Store, demo: Store) -> tuple[Store, str, dict]:  # type: ignore[type-arg]
    """A household edited twice: a surveyor moves it and changes its condition (v2), a
    planner corrects its income (v3). Returns the store, its uid and its first state."""
    load_village(store, demo)
    uid = store.read("households", where={"village_code": VILLAGE})["uid"].iloc[0]
    first = store.get("households", uid)
    assert first is not None
    moved = affinity.translate(first["geometry"], xoff=0.00001)  # about a metre east
    save_edit(store, "households", uid, {"house_condition": "dilapidated"}, moved,
              expected_version=1, audience=SURVEYOR, accept_warnings=True)
    save_edit(store, "households", uid, {"monthly_income": 1234}, None, expected_version=2,
              audience=PLANNER, accept_warnings=False)
    return store, uid, first


def test_history_lists_who_when_and_what_changed(edited: tuple) -> None:  # type: ignore[type-arg]
    store, uid, first = edited
    views = feature_history(store, "households", uid, audience=ADMIN)
    assert [(v.version, v.op, v.who) for v in views] == [
        (1, "insert", "seed"), (2, "update", "som"), (3, "update", "plan")]
    assert all(v.when is not None and v.when.tzinfo == dt.UTC for v in views)
    assert views[1].when <= views[2].when  # type: ignore[operator]
    second = views[1]
    assert [(c.name, c.before, c.after) for c in second.changed] == [
        ("house_condition", first["house_condition"], "dilapidated")]
    assert second.changed[0].label_th == "สภาพบ้าน" and second.changed[0].label_en == \
        "House condition"
    assert second.geometry_changed and second.hidden_changes == 0
    assert second.geometry_before.equals(first["geometry"])
    assert not second.geometry_after.equals(first["geometry"])
    third = views[2]
    assert [(c.name, c.after) for c in third.changed] == [("monthly_income", 1234.0)]
    assert not third.geometry_changed
    assert views[0].geometry_before is None and views[0].geometry_after.equals(first["geometry"])


def test_negotiator_sees_that_something_changed_not_what(edited: tuple) -> None:  # type: ignore[type-arg]
    store, uid, first = edited
    views = feature_history(store, "households", uid, audience=NEGOTIATOR)
    assert [c.name for c in views[1].changed] == ["house_condition"]
    assert views[2].changed == () and views[2].hidden_changes == 1  # the income
    assert all(v.geometry_before is None and v.geometry_after is None for v in views)
    assert views[1].geometry_changed  # that the point moved, not where to
    created = {c.name for c in views[0].changed}
    assert "head_name" not in created and "national_id" not in created
    assert views[0].hidden_changes >= 2
    shown = repr(views)
    for secret in ("1234", str(first["national_id"]), first["head_name"]):
        assert secret not in shown


def test_agency_viewer_sees_neither_who_nor_when(edited: tuple) -> None:  # type: ignore[type-arg]
    store, uid, _ = edited
    views = feature_history(store, "households", uid, audience=AGENCY)
    assert all(v.who is None and v.when is None for v in views)
    assert all(c.name == "village_code" for v in views for c in v.changed)


def test_history_outside_ones_areas_is_refused(edited: tuple) -> None:  # type: ignore[type-arg]
    store, uid, _ = edited
    elsewhere = Audience("other", Role.PLANNER, frozenset({"27040501"}))
    with pytest.raises(InputError, match="outside the areas"):
        feature_history(store, "households", uid, audience=elsewhere)


def test_restore_writes_an_old_version_as_a_new_one(edited: tuple) -> None:  # type: ignore[type-arg]
    store, uid, first = edited
    result = restore_version(store, "households", uid, 1, expected_version=3, audience=PLANNER)
    assert result.versions == {uid: 4}
    now = store.get("households", uid)
    assert now is not None and now["version"] == 4 and now["updated_by"] == "plan"
    for name in ("house_condition", "monthly_income", "head_name"):
        assert now[name] == first[name]
    assert now["geometry"].equals(first["geometry"])
    views = feature_history(store, "households", uid, audience=ADMIN)
    assert [(v.version, v.op) for v in views] == [
        (1, "insert"), (2, "update"), (3, "update"), (4, "restore")]  # nothing rewritten
    assert {c.name for c in views[3].changed} == {"house_condition", "monthly_income"}


def test_restore_refused_when_the_role_cannot_see_what_it_changes(
        edited: tuple, store_location: str) -> None:  # type: ignore[type-arg]
    store, uid, _ = edited
    before = checksum(store_location)
    with pytest.raises(InputError, match="may not see"):  # v1 → v3 differs in the income
        restore_version(store, "households", uid, 1, expected_version=3, audience=SURVEYOR)
    with pytest.raises(ConflictError):
        restore_version(store, "households", uid, 1, expected_version=2, audience=PLANNER)
    with pytest.raises(InputError, match="cannot restore"):
        restore_version(store, "households", uid, 2, expected_version=3, audience=NEGOTIATOR)
    assert checksum(store_location) == before


def test_surveyor_restores_what_their_role_sees(edited: tuple) -> None:  # type: ignore[type-arg]
    store, _, _ = edited
    uid = store.read("plots", where={"plot_id": f"{VILLAGE}-P0001"})["uid"].iloc[0]
    save_edit(store, "plots", uid, {"notes": "แนวรั้วผิด"}, None, expected_version=1,
              audience=SURVEYOR, accept_warnings=False)
    restore_version(store, "plots", uid, 1, expected_version=2, audience=SURVEYOR)
    now = store.get("plots", uid)
    assert now is not None and now["version"] == 3 and now["notes"] is None
