"""The negotiation page in a real browser: a negotiator opens ALRO's land in presentation mode,
and nothing personal reaches the page — not in its HTML, not in any websocket frame."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from gis.store import open_store
from tests.browser.conftest import ROOT
from tests.browser.test_app_browser import Frames, T, leaked, map_html, sign_in

pytestmark = pytest.mark.browser
ARTIFACTS = Path(os.environ.get("LANDMAP_TEST_ARTIFACTS", ROOT / "test-artifacts"))


@pytest.fixture(scope="module")
def people(demo_store: Path) -> Any:
    store = open_store(str(demo_store), create=False)
    try:
        return store.read("households")
    finally:
        store.close()


def income_texts(values: Any) -> list[str]:
    """Incomes as a page would write money (12,345) or as stored (12345.0), for five-figure
    incomes: shorter bare numbers are everywhere in a page (sizes, z-indexes, coordinates)."""
    return [text for v in values.dropna() if v >= 10_000
            for text in (f"{v:,.0f}", f"{float(v)}")]


def test_presentation_mode_shows_alro_totals_and_nothing_personal(
    app_url: str, page: Any, people: Any
) -> None:
    frames = Frames(page)
    sign_in(page, app_url, "negotiator")
    page.get_by_role("link", name="การเจรจา").first.click(timeout=T)
    expect(page.get_by_role("heading", name="ส.ป.ก.")).to_be_visible(timeout=T)
    page.get_by_text("โหมดนำเสนอ").click()
    expect(page.get_by_text("ผู้ชมจากหน่วยงาน").first).to_be_visible(timeout=T)
    expect(page.locator("[data-testid='stMetricValue']").first).to_be_visible(timeout=T)
    expect(page.get_by_role("button", name="ทำชุดหลักฐาน (PDF)")).to_have_count(0)
    expect(page.locator("[data-testid='stImage'] img").first).to_be_visible(timeout=T)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "negotiate-presentation.png"), full_page=True)
    sent = map_html(page) + frames.blob()
    assert "ครัวเรือนในที่ดินของหน่วยงาน".encode() in sent
    assert re.search(rb"TZ-ALRO-0[12]", sent), "the agency's zones are not on the page"
    for column in ("head_name", "national_id", "phone", "house_no", "household_id"):
        values = [v for v in people[column].dropna().astype(str) if len(v) >= 4]
        assert leaked(values, sent) == [], column
    assert leaked(income_texts(people["monthly_income"]), map_html(page)) == []
    for field in ("head_name", "national_id", "phone", "monthly_income"):
        assert f'"{field}"'.encode() not in sent, field
