"""The conflict view, the conflict queue page and the history panel, run with Streamlit's AppTest
on a copy of the demo store.

Two people edit the same household: the admin saves first, the surveyor's save (from version 1)
is refused with ``ConflictError``. What the surveyor changed — and only that — is queued once
however often the page reruns; the view shows both versions; keeping theirs, using mine and a
field-by-field merge each do what they say and are recorded; a feature that moved again is shown
again; a role sees only the values and the conflicts it may see. The history panel lists every
version and restores one as a new version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from gis import accounts
from gis.edit import save_edit
from gis.errors import ConflictError
from gis.privacy import Audience, Role
from gis.store import Store, open_store
from tests.ui.test_pages import texts
from ui import resources
from ui.conflicts import proposed_changes, queue_conflict

ROOT = Path(__file__).resolve().parents[2]
VILLAGE = "27040103"  # ชุมชนหน้าโรงพยาบาล, the surveyor's village
OTHER = "27040105"  # ชุมชนหลังวัด: outside the surveyor's areas
ADMIN = Audience("boss.admin", Role.ADMIN)
SURVEYOR = Audience("som.surveyor", Role.SURVEYOR, frozenset({VILLAGE}))
PLANNER = Audience("nok.planner", Role.PLANNER, frozenset({"270401"}))
PASSWORD = "conflict-test-pass-1"
THEIRS, MINE = "0811112222", "0899998888"


@pytest.fixture
def demo_copy(demo_gpkg: str, tmp_path: Path) -> Iterator[Store]:
    """A copy of the demo for one test, with the accounts of the audiences above; the app's
    cached settings are cleared so that pages open this copy."""
    path = tmp_path / "demo.gpkg"
    path.write_bytes(Path(demo_gpkg).read_bytes())
    store = open_store(str(path), create=False)
    for who in (ADMIN, SURVEYOR, PLANNER):
        accounts.add_user(store, who.username, PASSWORD, who.role, sorted(who.areas),
                          actor="test", must_change_password=False)
    resources.settings.clear()
    yield store
    store.close()
    resources.settings.clear()


def household(store: Store, village: str = VILLAGE) -> str:
    return str(store.read("households", where={"village_code": village})["uid"].iloc[0])


def refused(store: Store, uid: str, values: dict[str, Any], who: Audience = SURVEYOR,
            *, expected: int = 1) -> ConflictError:
    """``who`` saves ``values`` from version ``expected`` after someone else saved: refused."""
    with pytest.raises(ConflictError) as info:
        save_edit(store, "households", uid, values, None, expected_version=expected,
                  audience=who, accept_warnings=True)
    return info.value


# The scripts below run as AppTest scripts, from their source alone: no annotations (they would
# name types the script does not import), imports inside.
def edit_page(store, uid, values, audience):  # type: ignore[no-untyped-def]
    """What the Edit page does on save: a stale save refused, then the conflict view."""
    import streamlit as st

    from gis.edit import save_edit
    from gis.errors import ConflictError
    from ui.conflicts import show_conflict

    try:
        save_edit(store, "households", uid, values, None, expected_version=1, audience=audience,
                  accept_warnings=True)
    except ConflictError as exc:
        st.session_state["settled"] = show_conflict(store, "households", uid, values, None,
                                                    exc, audience)


def conflict_view(store, conflict_id, audience):  # type: ignore[no-untyped-def]
    from ui.conflicts import render_conflict

    render_conflict(store, conflict_id, audience)


def history_view(store, uid, audience):  # type: ignore[no-untyped-def]
    from ui.history_panel import show_history

    show_history(store, "households", uid, audience)


def app(script: Any, *args: Any) -> AppTest:
    at = AppTest.from_function(script, args=args, default_timeout=60)
    at.session_state["lang"] = "en"
    return ran(at)


def ran(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == []
    return at


def shown(at: AppTest) -> str:
    return "\n".join(texts(at)) + "\n".join(str(t.value) for t in at.table)


def choose(at: AppTest, conflict_id: int, choice: str) -> AppTest:
    at.radio(key=f"conflict_{conflict_id}_choice").set_value(choice)
    at.button(key=f"conflict_{conflict_id}_resolve").click()
    return ran(at)


# ------------------------------------------------------------------------------ queueing
def test_only_what_the_user_changed_since_opening_is_queued(demo_copy: Store) -> None:
    uid = household(demo_copy)
    base = demo_copy.get("households", uid)
    assert base is not None
    save_edit(demo_copy, "households", uid, {"phone": THEIRS, "members": 9}, None,
              expected_version=1, audience=ADMIN, accept_warnings=True)
    # The form sends every field it shows; only the phone differs from version 1.
    form = {"phone": MINE, "members": str(base["members"]), "house_condition":
            base["house_condition"]}
    error = refused(demo_copy, uid, form)
    assert demo_copy.get("households", uid)["phone"] == THEIRS  # type: ignore[index]
    assert proposed_changes(demo_copy, "households", uid, 1, form, None) == {"phone": MINE}

    conflict_id = queue_conflict(demo_copy, "households", uid, form, None, error, SURVEYOR)
    assert conflict_id is not None
    record = demo_copy.get_conflict(conflict_id)
    assert record is not None
    assert (record.fields, record.base_version, record.current_version) == (("phone",), 1, 2)
    assert (record.proposed_by, record.source, record.status) == ("som.surveyor", "edit", "open")
    assert record.proposed["members"] == base["members"]  # the base version's, not the admin's


def test_an_edit_that_changes_nothing_from_its_version_is_not_queued(demo_copy: Store) -> None:
    uid = household(demo_copy)
    base = demo_copy.get("households", uid)
    assert base is not None
    save_edit(demo_copy, "households", uid, {"phone": THEIRS}, None, expected_version=1,
              audience=ADMIN, accept_warnings=True)
    same = {"house_condition": base["house_condition"]}
    assert queue_conflict(demo_copy, "households", uid, same,
                          None, refused(demo_copy, uid, {"phone": MINE}), SURVEYOR) is None
    at = app(edit_page, demo_copy, uid, same, SURVEYOR)
    assert len(at.info) == 1 and demo_copy.list_conflicts() == []


# ------------------------------------------------------------------------------ the view
def test_the_view_queues_once_shows_both_versions_and_mine_wins(demo_copy: Store) -> None:
    uid = household(demo_copy)
    save_edit(demo_copy, "households", uid, {"phone": THEIRS}, None, expected_version=1,
              audience=ADMIN, accept_warnings=True)
    at = app(edit_page, demo_copy, uid, {"phone": MINE}, SURVEYOR)
    ran(at)  # a rerun does not queue it again
    ran(at)
    [record] = demo_copy.list_conflicts()
    assert record.proposed_by == SURVEYOR.username
    page = shown(at)
    assert THEIRS in page and MINE in page
    assert len(at.get("component_instance")) == 2  # the two small maps

    assert at.session_state["settled"] is False
    at = choose(at, record.id, "mine")
    assert any("version 3" in s.value for s in at.success)
    assert at.session_state["settled"] is False  # the outcome is shown until Back
    resolved = demo_copy.get_conflict(record.id)
    assert resolved is not None
    assert (resolved.status, resolved.choice, resolved.resolved_version) == ("resolved", "mine", 3)
    assert resolved.resolved_by == SURVEYOR.username
    assert demo_copy.get("households", uid)["phone"] == MINE  # type: ignore[index]
    history = [(e.version, e.after["phone"]) for e in demo_copy.history("households", uid)]
    assert history == [(1, None), (2, THEIRS), (3, MINE)]
    assert len(demo_copy.list_conflicts()) == 0
    at.button(key=f"conflict_{record.id}_back").click()
    ran(at)
    assert at.session_state["settled"] is True  # the Edit page may open version 3 now
    assert not at.radio and not at.table


def test_keeping_theirs_writes_nothing_and_is_recorded(demo_copy: Store) -> None:
    uid = household(demo_copy)
    save_edit(demo_copy, "households", uid, {"phone": THEIRS}, None, expected_version=1,
              audience=ADMIN, accept_warnings=True)
    conflict_id = queue_conflict(demo_copy, "households", uid, {"phone": MINE}, None,
                                 refused(demo_copy, uid, {"phone": MINE}), SURVEYOR)
    assert conflict_id is not None
    at = choose(app(conflict_view, demo_copy, conflict_id, SURVEYOR), conflict_id, "theirs")
    record = demo_copy.get_conflict(conflict_id)
    assert record is not None and (record.choice, record.resolved_version) == ("theirs", 2)
    assert [e.version for e in demo_copy.history("households", uid)] == [1, 2]
    assert record.proposed["phone"] == MINE  # the proposal is kept in the queue
    assert any("version 2 stays" in s.value for s in at.success)


def test_a_merge_takes_each_field_from_the_chosen_version(demo_copy: Store) -> None:
    uid = household(demo_copy)
    save_edit(demo_copy, "households", uid, {"phone": THEIRS, "house_condition": "poor"}, None,
              expected_version=1, audience=ADMIN, accept_warnings=True)
    mine = {"phone": MINE, "members": 7}
    conflict_id = queue_conflict(demo_copy, "households", uid, mine, None,
                                 refused(demo_copy, uid, mine), SURVEYOR)
    assert conflict_id is not None
    at = app(conflict_view, demo_copy, conflict_id, SURVEYOR)
    at.radio(key=f"conflict_{conflict_id}_choice").set_value("merge")
    ran(at)
    picks = {r.key.rsplit("_pick_", 1)[1]: r for r in at.radio if "_pick_" in (r.key or "")}
    # Every field that differs, and by default what the surveyor changed is theirs to keep.
    assert {k: r.value for k, r in picks.items()} == {
        "phone": "mine", "members": "mine", "house_condition": "theirs"}
    picks["phone"].set_value("theirs")
    at.button(key=f"conflict_{conflict_id}_resolve").click()
    ran(at)
    now = demo_copy.get("households", uid)
    assert now is not None
    assert (now["phone"], now["members"], now["house_condition"]) == (THEIRS, 7, "poor")
    record = demo_copy.get_conflict(conflict_id)
    assert record is not None and (record.choice, record.resolved_version) == ("merge", 3)


def test_a_feature_changed_again_is_shown_again_and_nothing_is_written(
        demo_copy: Store) -> None:
    uid = household(demo_copy)
    save_edit(demo_copy, "households", uid, {"phone": THEIRS}, None, expected_version=1,
              audience=ADMIN, accept_warnings=True)
    conflict_id = queue_conflict(demo_copy, "households", uid, {"phone": MINE}, None,
                                 refused(demo_copy, uid, {"phone": MINE}), SURVEYOR)
    assert conflict_id is not None
    at = app(conflict_view, demo_copy, conflict_id, SURVEYOR)
    # While the surveyor looks, the admin saves once more.
    save_edit(demo_copy, "households", uid, {"phone": "0822223333"}, None, expected_version=2,
              audience=ADMIN, accept_warnings=True)
    at = choose(at, conflict_id, "mine")
    assert len(at.warning) == 1 and "version 3" in at.warning[0].value
    assert "0822223333" in shown(at)
    record = demo_copy.get_conflict(conflict_id)
    assert record is not None and record.status == "open"
    assert demo_copy.get("households", uid)["version"] == 3  # type: ignore[index]
    at.button(key=f"conflict_{conflict_id}_resolve").click()  # against version 3 this time
    ran(at)
    assert demo_copy.get("households", uid)["phone"] == MINE  # type: ignore[index]


def test_a_surveyor_sees_no_sensitive_value_and_cannot_choose_one(demo_copy: Store) -> None:
    uid = household(demo_copy)
    save_edit(demo_copy, "households", uid, {"monthly_income": 4321.0}, None,
              expected_version=1, audience=ADMIN, accept_warnings=True)
    mine = {"monthly_income": 8765.0, "phone": MINE}
    conflict_id = queue_conflict(demo_copy, "households", uid, mine, None,
                                 refused(demo_copy, uid, mine, PLANNER), PLANNER)
    assert conflict_id is not None
    at = app(conflict_view, demo_copy, conflict_id, SURVEYOR)
    page = shown(at)
    assert MINE in page
    assert "4321" not in page and "8765" not in page and "4,321" not in page
    assert "Monthly" not in page and "income" not in page.lower()
    assert len(at.info) == 1 and not [b for b in at.button if b.key and "resolve" in b.key]
    # A planner may see and choose it.
    at = choose(app(conflict_view, demo_copy, conflict_id, PLANNER), conflict_id, "mine")
    assert demo_copy.get("households", uid)["monthly_income"] == 8765.0  # type: ignore[index]


# ------------------------------------------------------------------------------ the queue
def queue_page(store: Store, who: Audience) -> AppTest:
    at = AppTest.from_file(str(ROOT / "ui/pages/conflicts.py"), default_timeout=60)
    at.session_state["lang"] = "en"
    at.session_state["account"] = accounts.get_account(store, who.username)
    return at


def test_the_queue_lists_the_conflicts_of_the_users_areas(
        demo_copy: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANDMAP_STORE", str(demo_copy.path))  # type: ignore[attr-defined]
    ids = {}
    for village, who in ((VILLAGE, SURVEYOR), (OTHER, ADMIN)):
        uid = household(demo_copy, village)
        save_edit(demo_copy, "households", uid, {"phone": THEIRS}, None, expected_version=1,
                  audience=ADMIN, accept_warnings=True)
        ids[village] = queue_conflict(demo_copy, "households", uid, {"phone": MINE}, None,
                                      refused(demo_copy, uid, {"phone": MINE}, ADMIN), who)
    at = ran(queue_page(demo_copy, SURVEYOR))
    assert at.selectbox(key="conflicts_open").options == [
        f"#{ids[VILLAGE]} · Households {VILLAGE}-H0001 · som.surveyor"]
    everyone = ran(queue_page(demo_copy, ADMIN))
    assert len(everyone.selectbox(key="conflicts_open").options) == 2

    at.selectbox(key="conflicts_open").set_value(ids[VILLAGE])
    ran(at)
    assert THEIRS in shown(at) and MINE in shown(at)
    at = choose(at, ids[VILLAGE], "mine")
    at.button(key=f"conflict_{ids[VILLAGE]}_back").click()
    ran(at)
    assert "No open conflicts in your areas." in [s.value for s in at.success]
    resolved = at.selectbox(key="conflicts_resolved_open")
    assert len(resolved.options) == 1
    resolved.set_value(ids[VILLAGE])
    ran(at)
    assert any("used the proposed version" in i.value for i in at.info)


# ---------------------------------------------------------------------------- history
def test_history_lists_versions_and_restores_one_as_a_new_version(demo_copy: Store) -> None:
    uid = household(demo_copy)
    save_edit(demo_copy, "households", uid, {"phone": THEIRS}, None, expected_version=1,
              audience=ADMIN, accept_warnings=True)
    save_edit(demo_copy, "households", uid, {"phone": MINE, "house_condition": "poor"}, None,
              expected_version=2, audience=SURVEYOR, accept_warnings=True)
    at = app(history_view, demo_copy, uid, SURVEYOR)
    table = at.dataframe[0].value
    assert table["Version"].tolist() == ["3", "2", "1"]
    assert table["Who"].tolist() == ["som.surveyor", "boss.admin", "landmap-demo"]
    assert table["What"].tolist() == ["edited", "edited", "created"]
    changes = at.table[0].value
    assert changes.loc["Phone"].tolist() == [THEIRS, MINE]
    assert changes.loc["House condition", "After"] == "Poor, damaged"

    at.selectbox(key=f"history_households_{uid}_version").set_value(2)
    ran(at)
    assert at.table[0].value.loc["Phone"].tolist() == ["–", THEIRS]
    at.button(key=f"history_households_{uid}_restore").click()
    ran(at)
    assert "Version 2 was restored as version 4." in [s.value for s in at.success]
    now = demo_copy.get("households", uid)
    assert now is not None and (now["version"], now["phone"]) == (4, THEIRS)

    # Someone saves while the panel is open: the restore is refused, nothing is written.
    at.selectbox(key=f"history_households_{uid}_version").set_value(1)
    ran(at)
    save_edit(demo_copy, "households", uid, {"phone": "0822223333"}, None, expected_version=4,
              audience=ADMIN, accept_warnings=True)
    at.button(key=f"history_households_{uid}_restore").click()
    ran(at)
    assert len(at.warning) == 1
    assert demo_copy.get("households", uid)["version"] == 5  # type: ignore[index]


def test_history_hides_what_the_role_may_not_see(demo_copy: Store) -> None:
    uid = household(demo_copy)
    save_edit(demo_copy, "households", uid, {"monthly_income": 4321.0}, None,
              expected_version=1, audience=PLANNER, accept_warnings=True)
    at = app(history_view, demo_copy, uid, SURVEYOR)
    page = shown(at) + at.dataframe[0].value.to_string()
    assert "4321" not in page and "4,321" not in page
    assert "1 hidden field" in page
    assert "1 more changed field is hidden from your role." in page
    assert at.selectbox(key=f"history_households_{uid}_version").value == 2
    assert "This is the current version." in page  # nothing to restore


def test_dates_follow_the_users_era(demo_copy: Store) -> None:
    uid = household(demo_copy)
    at = AppTest.from_function(history_view, args=(demo_copy, uid, ADMIN), default_timeout=60)
    at.session_state["lang"] = "th"
    at.session_state["era"] = "be"
    ran(at)
    year = dt.datetime.now(dt.UTC).year
    when = at.dataframe[0].value.iloc[0, 3]
    assert str(year + 543) in when and str(year) not in when.replace(str(year + 543), "")


def test_a_moved_house_shows_before_and_after_on_the_map(demo_copy: Store) -> None:
    from shapely import affinity

    uid = household(demo_copy)
    first = demo_copy.get("households", uid)
    assert first is not None
    moved = affinity.translate(first["geometry"], xoff=0.00002)  # about two metres east
    save_edit(demo_copy, "households", uid, {}, moved, expected_version=1, audience=SURVEYOR,
              accept_warnings=True)
    at = AppTest.from_function(history_view, args=(demo_copy, uid, SURVEYOR), default_timeout=60)
    at.session_state["lang"] = "th"
    ran(at)
    shape = at.table[0].value.iloc[-1].tolist()
    assert shape == [f"{first['geometry'].y:.6f}, {first['geometry'].x:.6f}",
                     f"{moved.y:.6f}, {moved.x:.6f}"]
    [component] = at.get("component_instance")
    assert component.proto.json_args.count("L.circleMarker(") == 2  # before and after


def test_the_queue_speaks_thai(demo_copy: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANDMAP_STORE", str(demo_copy.path))  # type: ignore[attr-defined]
    uid = household(demo_copy)
    save_edit(demo_copy, "households", uid, {"house_condition": "poor"}, None,
              expected_version=1, audience=ADMIN, accept_warnings=True)
    conflict_id = queue_conflict(demo_copy, "households", uid, {"house_condition": "good"},
                                 None, refused(demo_copy, uid, {"phone": MINE}), SURVEYOR)
    at = queue_page(demo_copy, SURVEYOR)
    at.session_state["lang"] = "th"
    at.session_state["era"] = "be"
    ran(at)
    at.selectbox(key="conflicts_open").set_value(conflict_id)
    ran(at)
    row = at.table[0].value.loc["สภาพบ้าน"].tolist()
    assert row[:2] == ["ดี คงทนถาวร", "ชำรุด"]  # vocabulary labels, mine then theirs
    assert str(dt.datetime.now(dt.UTC).year + 543) in at.dataframe[0].value.iloc[0, 4]
