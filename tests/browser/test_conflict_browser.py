"""Two signed-in users edit the same household (issue 6), the second in a real browser.

Both open the household at the same version. The admin saves first; the surveyor's save from
that version is refused with ``ConflictError`` and queued by ``ui.conflicts`` the way the Edit
page does it (both saves are made here, in the test process, through ``gis.edit.save_edit``,
until the Edit page drives them). Then, in Chromium, the surveyor opens the conflict queue page
(``/conflicts``), sees both versions side by side — both phone numbers in the table and two small
maps drawn from local assets — chooses their own version, and the store says: resolved, their
value is current, and the history holds both versions.

The ``page`` fixture fails the test if the page fetched anything outside localhost.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from gis import accounts
from gis.edit import save_edit
from gis.errors import ConflictError
from gis.store import open_store
from tests.browser.conftest import USERS
from tests.browser.test_app_browser import ARTIFACTS, T, sign_in
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

    store = open_store(str(demo_store), create=False)
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
