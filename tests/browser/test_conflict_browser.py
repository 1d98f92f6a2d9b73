"""Two signed-in users edit the same household (issue 6).

* Through the Edit page, in two browser sessions at once: the admin and the surveyor (both may
  edit the surveyor's village) open the same household; the admin saves a new phone number
  first; the surveyor's save of another number from the same version is refused, and the
  conflict view shows both versions (theirs: the admin's number, mine: the surveyor's); the
  surveyor uses their own, and the store says: resolved with "mine", their number is current,
  and the history holds both versions. This runs on its own server and copy of the demo store.
* The conflict queue page (``/conflicts``): the two saves are made here, in the test process,
  through ``gis.edit.save_edit``, and the refused one is queued as the Edit page queues it;
  in Chromium the surveyor opens the queue, sees both versions side by side — both phone
  numbers in the table and two small maps drawn from local assets — chooses their own
  version, with the same outcome in the store.

Every page fails the test if it fetched anything outside localhost. A failing test leaves a
screenshot of each page in test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from gis import accounts
from gis.edit import save_edit
from gis.errors import ConflictError
from gis.store import open_store
from tests.browser.conftest import (
    ROOT,
    STREAMLIT,
    STREAMLIT_FLAGS,
    USERS,
    copy_store,
    guard_outside,
    streamlit_server,
)
from tests.browser.test_app_browser import ARTIFACTS, T, sign_in
from tests.browser.test_edit_browser import open_by_id, open_edit_page, screenshot_on_failure
from ui.conflicts import queue_conflict

pytestmark = pytest.mark.browser

VILLAGE = "27040103"  # the surveyor's village
THEIRS = "0811112569"  # the admin's phone number for the household, saved first
MINE = "0899992569"  # the surveyor's, saved from the same version: refused, then chosen
MAP = "iframe[title='streamlit_folium.st_folium']"


def two_saves(store_path: Path) -> tuple[str, str, int, int]:
    """The admin and the surveyor both open one household; the admin saves, the surveyor's
    save is refused and queued as the Edit page queues it. Returns the household's uid and id,
    the version both opened, and the conflict's id."""
    store = open_store(str(store_path), create=False)
    try:
        admin = accounts.get_account(store, USERS["admin"][0])
        surveyor = accounts.get_account(store, USERS["surveyor"][0])
        assert admin is not None and surveyor is not None
        homes = store.read("households", where={"village_code": VILLAGE})
        uid, household_id = str(homes["uid"].iloc[6]), str(homes["household_id"].iloc[6])
        opened = int(homes["version"].iloc[6])

        save_edit(store, "households", uid, {"phone": THEIRS}, None, expected_version=opened,
                  audience=admin.audience(), accept_warnings=True)
        with pytest.raises(ConflictError) as refused:
            save_edit(store, "households", uid, {"phone": MINE}, None,
                      expected_version=opened, audience=surveyor.audience(),
                      accept_warnings=True)
        current = store.get("households", uid)
        assert current is not None and current["phone"] == THEIRS  # nothing of the second
        conflict_id = queue_conflict(store, "households", uid, {"phone": MINE}, None,
                                     refused.value, surveyor.audience())
        assert conflict_id is not None
        return uid, household_id, opened, conflict_id
    finally:
        store.close()


def test_second_save_is_refused_and_the_conflict_view_resolves_it(
    app_url: str, demo_store: Path, page: Any
) -> None:
    uid, household_id, opened, conflict_id = two_saves(demo_store)

    sign_in(page, app_url, "surveyor")
    page.locator("a[href$='/conflicts']").first.click(timeout=T)
    queue = page.locator(".st-key-conflicts_open")
    queue.wait_for(timeout=T)
    queue.get_by_role("combobox").click()
    page.get_by_role("option", name=re.compile(re.escape(household_id))).click(timeout=T)

    # Both versions, side by side: the values in the table, the shapes on two small maps.
    choice = page.locator(f".st-key-conflict_{conflict_id}_choice")
    choice.wait_for(timeout=T)
    view = page.locator("[data-testid='stTable']").first
    view.get_by_text(MINE).wait_for(timeout=T)
    view.get_by_text(THEIRS).wait_for(timeout=T)
    for i in range(2):
        frame = page.frame_locator(MAP).nth(i)
        frame.locator(".leaflet-overlay-pane path, .leaflet-marker-pane *").first.wait_for(
            timeout=T)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "conflict-view.png"), full_page=True)

    # The surveyor keeps their own version (the second choice: theirs, mine, merge).
    mine = choice.get_by_role("radio").nth(1)
    choice.locator("label:has(input[type='radio'])").nth(1).click()
    page.wait_for_function("e => e.checked", arg=mine.element_handle(), timeout=T)
    page.locator(f".st-key-conflict_{conflict_id}_resolve button").click(timeout=T)
    page.locator(f".st-key-conflict_{conflict_id}_back").wait_for(timeout=T)

    assert_resolved_as_mine(demo_store, conflict_id, uid, opened)


# ------------------------------------------------------- both saves through the Edit page
@pytest.fixture(scope="module")
def two_user_store(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo store (users included), for the two sessions to save into."""
    return copy_store(demo_store, tmp_path_factory.mktemp("conflict") / "conflict.gpkg")


@pytest.fixture(scope="module")
def two_user_url(two_user_store: Path, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[str]:
    log = tmp_path_factory.mktemp("conflictlog") / "streamlit.log"
    with streamlit_server([*STREAMLIT, "streamlit_app.py", *STREAMLIT_FLAGS], cwd=ROOT,
                          log=log, env={"LANDMAP_STORE": str(two_user_store)}) as url:
        yield url


def open_household(page: Any, url: str, who: str, code: str) -> None:
    """Sign in as ``who`` (English), go to the Edit page, choose Households, open ``code``."""
    open_edit_page(page, url, who)
    page.get_by_label("Layer").click()
    page.get_by_role("option", name="Households").click()
    page.get_by_label("Find by id").wait_for(timeout=T)
    open_by_id(page, code)


def save_phone(page: Any, phone: str, outcome: Any) -> None:
    """Type ``phone`` in the form and press Save (and Save anyway, should a warning ask for
    it); wait for ``outcome``."""
    page.get_by_label("Phone", exact=True).fill(phone)
    page.get_by_role("button", name="Save", exact=True).click(timeout=T)
    anyway = page.get_by_role("button", name="Save anyway")
    outcome.or_(anyway).first.wait_for(timeout=T)
    if anyway.is_visible():
        anyway.click()
        outcome.wait_for(timeout=T)


def cells(row: Any) -> list[str]:
    return [t.strip() for t in row.locator("th, td").all_inner_texts()]


def test_two_users_save_one_household_on_the_edit_page_and_the_second_resolves_it(
    two_user_url: str, two_user_store: Path, browser: Any
) -> None:
    store = open_store(str(two_user_store), create=False)
    try:
        homes = store.read("households", where={"village_code": [VILLAGE]})
        home = homes.sort_values("household_id").iloc[2]
        uid, code, opened = str(home["uid"]), str(home["household_id"]), int(home["version"])
        assert home["phone"] not in (THEIRS, MINE)
    finally:
        store.close()

    outside: list[list[str]] = []  # per context, filled by its guard
    with ExitStack() as stack:
        pages = {}
        for who in ("admin", "surveyor"):  # two sessions: two browser contexts
            context = browser.new_context()
            stack.callback(context.close)
            outside.append(guard_outside(context))
            pages[who] = context.new_page()
            stack.enter_context(screenshot_on_failure(pages[who], f"conflict-edit-{who}"))
        admin, surveyor = pages["admin"], pages["surveyor"]

        # Both open the household at the same version.
        for who, page in pages.items():
            open_household(page, two_user_url, who, code)
            page.get_by_text(f"Version {opened} when opened").wait_for(timeout=T)

        # The admin saves first: one new version.
        save_phone(admin, THEIRS, admin.get_by_text(re.compile(r"^Saved: ")))
        admin.get_by_text(f"Version {opened + 1} when opened").wait_for(timeout=T)

        # The surveyor's save, from the version they opened, is refused: the conflict view.
        refused = surveyor.get_by_text(re.compile(
            r"^Someone else saved this feature after you opened it, so your version was not "
            r"saved"))
        save_phone(surveyor, MINE, refused)
        store = open_store(str(two_user_store), create=False)
        try:
            current = store.get("households", uid)
            assert current is not None and current["phone"] == THEIRS  # nothing of the second
            assert current["version"] == opened + 1
            queued = store.list_conflicts(uids=[uid])
        finally:
            store.close()
        assert [(c.proposed_by, c.base_version, c.fields) for c in queued] == [
            (USERS["surveyor"][0], opened, ("phone",))]
        conflict_id = queued[0].id

        # Both versions, side by side: mine (the surveyor's) and theirs (the admin's).
        choice = surveyor.locator(f".st-key-conflict_{conflict_id}_choice")
        choice.wait_for(timeout=T)
        table = surveyor.locator("[data-testid='stTable']").first
        table.get_by_text(MINE).wait_for(timeout=T)
        heads = cells(table.locator("thead tr").first)
        phone = cells(table.locator("tr", has_text="Phone").first)
        both = [[i for i, h in enumerate(heads) if h.startswith(start)]
                for start in ("Your version", "Stored now: version")]
        assert [len(found) for found in both] == [1, 1], f"not both versions: {heads}"
        (mine_at,), (theirs_at,) = both
        assert heads[theirs_at] == f"Stored now: version {opened + 1} by {USERS['admin'][0]}"
        assert (phone[mine_at], phone[theirs_at]) == (MINE, THEIRS), (heads, phone)
        for i in range(2):
            frame = surveyor.frame_locator(MAP).nth(i)
            frame.locator(".leaflet-overlay-pane path, .leaflet-marker-pane *").first.wait_for(
                timeout=T)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        surveyor.screenshot(path=str(ARTIFACTS / "conflict-edit-view.png"), full_page=True)

        # The surveyor uses their own version.
        choice.get_by_text("Use the proposed version (mine)").click(timeout=T)
        surveyor.wait_for_function("e => e.checked", arg=choice.get_by_role("radio").nth(1)
                                   .element_handle(), timeout=T)
        surveyor.locator(f".st-key-conflict_{conflict_id}_resolve button").click(timeout=T)
        surveyor.get_by_text(f"Resolved: saved as version {opened + 2}.").wait_for(timeout=T)
        surveyor.locator(f".st-key-conflict_{conflict_id}_back button").click(timeout=T)
        # Back on the form, with the version now stored.
        surveyor.get_by_text(f"Version {opened + 2} when opened").wait_for(timeout=T)
        assert surveyor.get_by_label("Phone", exact=True).input_value() == MINE

    assert outside == [[], []], f"a page tried to fetch from outside localhost: {outside}"
    assert_resolved_as_mine(two_user_store, conflict_id, uid, opened)


def assert_resolved_as_mine(path: Path, conflict_id: int, uid: str, opened: int) -> None:
    """In the store: the conflict resolved as "mine" by the surveyor, their phone current as
    the version after the admin's, both versions in history, nothing left open."""
    store = open_store(str(path), create=False)
    try:
        record = store.get_conflict(conflict_id)
        assert record is not None
        assert (record.status, record.choice) == ("resolved", "mine")
        assert record.resolved_by == USERS["surveyor"][0]
        current = store.get("households", uid)
        assert current is not None and current["phone"] == MINE
        assert record.resolved_version == current["version"] == opened + 2
        phones = [(e.version, e.after["phone"], e.changed_by)
                  for e in store.history("households", uid)]
        assert phones[-2:] == [(opened + 1, THEIRS, USERS["admin"][0]),
                               (opened + 2, MINE, USERS["surveyor"][0])]
        assert store.list_conflicts(uids=[uid]) == []  # nothing left open
    finally:
        store.close()
