"""The app in a real browser: Thai first, English on request (the page fixture fails the test
if anything was requested from outside localhost)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser


def test_health_answers_ok(app_url: str) -> None:
    with urllib.request.urlopen(f"{app_url}/_stcore/health", timeout=5) as resp:
        assert resp.read().decode().strip() == "ok"


def test_page_shows_layers_and_counts_in_thai_then_english(
    app_url: str, page: Any, demo_store: Path
) -> None:
    landmap = Path(sys.executable).with_name("landmap")
    info = json.loads(subprocess.run(
        [str(landmap), "info", "--store", str(demo_store), "--json"],
        check=True, capture_output=True, text=True).stdout)
    households = f"{info['layers']['households']:,}"

    page.goto(app_url)
    page.get_by_text("แผนที่ที่ดินและที่อยู่อาศัยชุมชน").wait_for(timeout=60_000)
    table = page.locator("table")
    table.wait_for()
    assert "ครัวเรือน" in table.inner_text()
    row = table.locator("tr", has_text="ครัวเรือน")
    assert households in row.inner_text()

    page.get_by_text("English").click()
    page.get_by_text("community land and housing map").wait_for(timeout=30_000)
    row = page.locator("table tr", has_text="Households")
    row.wait_for()
    assert households in row.inner_text()


def test_scripts_run_serves_the_app(demo_store: Path) -> None:
    """The README's first command, for real: scripts/run on a free port answers health."""
    from tests.browser.conftest import free_port, wait_healthy

    port = free_port()
    log = demo_store.parent / "scripts_run.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(ROOT / "scripts" / "run"), "--port", str(port)], cwd=ROOT,
            stdout=out, stderr=subprocess.STDOUT,
            env={**__import__("os").environ, "LANDMAP_STORE": str(demo_store)},
        )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc, log, timeout=300)
        assert f"http://127.0.0.1:{port}" in log.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
