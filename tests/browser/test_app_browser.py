"""The app in a real browser (Debian's chromium through Playwright): sign-in, what each role may
see on the map — checked in the page's HTML, inside the map's iframe and in every websocket frame
the server sent — the served Thai font, and a phone-sized screen. The ``page`` fixture fails any
test whose page asked for anything outside localhost."""

from __future__ import annotations

import json
import os
import re
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from gis.store import open_store
from tests.browser.conftest import ROOT, USERS, guard_outside, streamlit_server

pytestmark = pytest.mark.browser

ARTIFACTS = Path(os.environ.get("LANDMAP_TEST_ARTIFACTS", ROOT / "test-artifacts"))
SURVEYOR_VILLAGE = "27040103"
T = 60_000  # ms: a cold Streamlit page can take a while on a 2-core machine


class Frames:
    """Every websocket frame the app sent to this page, as bytes."""

    def __init__(self, page: Any) -> None:
        self.frames: list[bytes] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._add))

    def _add(self, payload: str | bytes) -> None:
        self.frames.append(payload.encode() if isinstance(payload, str) else payload)

    def blob(self) -> bytes:
        return b"\n".join(self.frames)


def encodings(value: str) -> list[bytes]:
    """A value as it may travel: UTF-8, and JSON with non-ASCII escaped (json.dumps default)."""
    return [value.encode(), json.dumps(value)[1:-1].encode()]


def leaked(values: Iterable[str], *haystacks: bytes) -> list[str]:
    return [v for v in values for h in haystacks for e in encodings(v) if e in h]


def sign_in(page: Any, app_url: str, who: str, password: str | None = None) -> None:
    name, right, _role, _areas = USERS[who]
    page.goto(app_url)
    page.get_by_label("ชื่อผู้ใช้").fill(name, timeout=T)
    page.get_by_label("รหัสผ่าน").fill(password or right)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()


def open_map(page: Any) -> Any:
    """Go to the map page through the navigation and wait until Leaflet drew something."""
    page.get_by_role("link", name="แผนที่").first.click(timeout=T)
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
    frame.locator(".leaflet-container").wait_for(timeout=T)
    frame.locator(".leaflet-overlay-pane path, .leaflet-marker-pane *").first.wait_for(timeout=T)
    page.wait_for_timeout(1500)  # let the fragment settle after the map reports its bounds
    return frame


def map_html(page: Any) -> bytes:
    parts = [page.content()]
    for frame in page.frames:
        try:
            parts.append(frame.content())
        except Exception:  # a frame navigating away while we read it
            continue
    return "\n".join(parts).encode()


@pytest.fixture(scope="module")
def households(demo_store: Path) -> Any:
    store = open_store(str(demo_store), create=False)
    try:
        return store.read("households")
    finally:
        store.close()


def test_health_answers_ok(app_url: str) -> None:
    with urllib.request.urlopen(f"{app_url}/_stcore/health", timeout=5) as resp:
        assert resp.read().decode().strip() == "ok"


def test_wrong_password_is_refused_and_the_right_one_signs_in(app_url: str, page: Any) -> None:
    sign_in(page, app_url, "planner", password="not-the-password")
    page.get_by_text("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง").wait_for(timeout=T)
    page.get_by_text("wrong username or password").wait_for()
    assert page.get_by_role("button", name="ออกจากระบบ").count() == 0
    assert page.get_by_role("link", name="แผนที่").count() == 0

    sign_in(page, app_url, "planner")
    page.get_by_role("button", name="ออกจากระบบ").wait_for(timeout=T)
    page.get_by_text(USERS["planner"][0]).first.wait_for()
    page.get_by_role("button", name="ออกจากระบบ").click()
    page.get_by_role("button", name="เข้าสู่ระบบ").wait_for(timeout=T)


def test_nothing_is_shown_before_sign_in(app_url: str, page: Any, households: Any) -> None:
    frames = Frames(page)
    page.goto(f"{app_url}/map")
    page.get_by_role("button", name="เข้าสู่ระบบ").wait_for(timeout=T)
    assert page.locator("iframe[title='streamlit_folium.st_folium']").count() == 0
    names = households["head_name"].dropna().tolist()[:200]
    assert leaked(names, map_html(page), frames.blob()) == []


def test_surveyor_sees_only_their_village_and_nothing_sensitive(
    app_url: str, page: Any, households: Any
) -> None:
    frames = Frames(page)
    sign_in(page, app_url, "surveyor")
    open_map(page)
    sent = map_html(page) + frames.blob()
    mine = households["village_code"] == SURVEYOR_VILLAGE
    # Their own village's households did reach the browser (so the checks below mean something)…
    own = households.loc[mine, "household_id"].tolist()
    assert leaked(own, sent), "the surveyor's own households were not sent at all"
    # … but nobody else's, and no sensitive value of anyone.
    others = households.loc[~mine]
    # (the demo draws names from a pool: a name also used in their own village may show)
    own_names = set(households.loc[mine, "head_name"])
    assert leaked(set(others["head_name"].dropna()) - own_names, sent) == []
    assert leaked(others["household_id"].dropna(), sent) == []
    assert leaked(households["national_id"].dropna(), sent) == []
    incomes = [f"{v:.1f}" for v in households["monthly_income"].dropna() if v > 999]
    assert leaked(['"monthly_income"', *incomes[:50]], frames.blob()) == []


def test_agency_viewer_sees_no_personal_or_sensitive_value(
    app_url: str, page: Any, households: Any
) -> None:
    frames = Frames(page)
    sign_in(page, app_url, "agency")
    open_map(page)
    sent = map_html(page) + frames.blob()
    assert leaked(["บ้านดงไผ่"], sent), "village outlines (public) were not sent at all"
    for column in ("head_name", "national_id", "phone", "house_no", "household_id"):
        values = [v for v in households[column].dropna().astype(str) if len(v) >= 4]
        assert leaked(values, sent) == [], column
    for field in ("head_name", "national_id", "phone", "monthly_income", "disabled"):
        assert f'"{field}"'.encode() not in frames.blob(), field


def test_map_draws_local_features_in_the_served_thai_font(app_url: str, page: Any) -> None:
    sign_in(page, app_url, "admin")
    frame = open_map(page)
    assert frame.locator(".leaflet-overlay-pane path.leaflet-interactive").count() > 0
    legend = frame.locator(".landmap-legend, .legend").first
    legend.wait_for(timeout=T)
    title = page.get_by_role("heading", name="แผนที่").first
    family = title.evaluate("e => getComputedStyle(e).fontFamily")
    assert "Sarabun" in family
    assert page.evaluate("document.fonts.check('16px Sarabun', 'ทดสอบ')")
    assert page.evaluate(
        "() => [...document.fonts].some(f => f.family.includes('Sarabun') "
        "&& f.status === 'loaded')")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "map-thai.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


def test_english_switch_changes_the_navigation(app_url: str, page: Any) -> None:
    sign_in(page, app_url, "admin")
    page.get_by_role("link", name="แผนที่").first.wait_for(timeout=T)
    page.get_by_text("English", exact=True).click()
    page.get_by_role("link", name="Map").first.wait_for(timeout=T)
    page.get_by_role("button", name="Sign out").wait_for()
    # The whole page reruns in English: wait for the last Thai link to go (a loaded machine
    # can show the new sidebar a moment before the page body), then none may be left.
    expect(page.get_by_role("link", name="แผนที่")).to_have_count(0, timeout=T)


def test_phone_viewport_keeps_map_and_navigation_usable(
    browser: Any, app_url: str
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True)
    outside = guard_outside(context)
    page = context.new_page()
    try:
        sign_in(page, app_url, "surveyor")
        # On a phone the sidebar starts closed: the menu button opens it.
        page.get_by_role("button", name="ออกจากระบบ").wait_for(state="attached", timeout=T)
        # On a phone the sidebar starts closed; its menu button opens the navigation.
        page.get_by_test_id("stExpandSidebarButton").click(timeout=T)
        frame = open_map(page)
        page.locator("[data-testid='stSidebarHeader'] button").first.click()  # close it again
        page.wait_for_timeout(800)
        box = page.locator("iframe[title='streamlit_folium.st_folium']").first.bounding_box()
        assert box is not None and 300 <= box["width"] <= 360 and box["height"] >= 300
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360  # on screen, not under a panel
        assert frame.locator(".leaflet-overlay-pane path.leaflet-interactive").count() > 0
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 362, "the page scrolls sideways on a phone"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "map-phone.png"))
    finally:
        context.close()
    assert outside == []


def test_scripts_run_makes_a_first_admin_who_must_choose_a_password(
    page: Any, tmp_path: Path
) -> None:
    """The README's first command, for real, on a store with no account: scripts/run prints a
    one-time password; signing in with it leads only to choosing a new password; after that the
    admin's pages open."""
    store = tmp_path / "fresh.gpkg"
    log = tmp_path / "scripts_run.log"
    with streamlit_server([str(ROOT / "scripts" / "run")], cwd=ROOT, log=log,
                          env={"LANDMAP_STORE": str(store)}, port_flag="--port",
                          timeout=300) as url:
        text = log.read_text()
        assert url in text
        found = re.search(r"one-time password (\S+) ", text)
        assert found, text
        one_time = found.group(1)

        page.goto(url)
        page.get_by_label("ชื่อผู้ใช้").fill("admin", timeout=T)
        page.get_by_label("รหัสผ่าน").fill(one_time)
        page.get_by_role("button", name="เข้าสู่ระบบ").click()
        page.get_by_text("รหัสผ่านใช้ครั้งเดียว").first.wait_for(timeout=T)
        assert page.get_by_role("link", name="แผนที่").count() == 0  # nothing else yet
        page.get_by_label("รหัสผ่านปัจจุบัน").fill(one_time)
        page.get_by_label("รหัสผ่านใหม่", exact=True).fill("my-own-admin-pass-1")
        page.get_by_label("รหัสผ่านใหม่อีกครั้ง").fill("my-own-admin-pass-1")
        page.get_by_role("button", name="เปลี่ยนรหัสผ่าน").click()
        page.get_by_role("link", name="ผู้ใช้งาน").wait_for(timeout=T)
        page.get_by_role("link", name="แผนที่").wait_for()
    assert one_time not in store.read_bytes().decode("latin-1")
