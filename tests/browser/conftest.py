"""Browser test harness: a real app server (``streamlit run`` on a free 127.0.0.1 port, polled on
``/_stcore/health``, its output kept for failure messages) and Debian's Chromium through
Playwright. Every page routes requests: anything not to localhost is aborted and fails the test.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the app exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().decode().strip() == "ok":
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"the app did not answer /_stcore/health within {timeout}s:\n{log.read_text()}")


# Accounts the browser tests sign in with: (username, password, role, areas).
USERS = {
    "admin": ("boss.admin", "admin-pass-2569", "admin", ()),
    "surveyor": ("som.surveyor", "survey-pass-2569", "surveyor", ("27040103",)),
    "agency": ("alro.viewer", "agency-pass-2569", "agency_viewer", ("2704",)),
    "planner": ("nok.planner", "planner-pass-2569", "planner", ("270405",)),
    "negotiator": ("mali.negotiator", "negotiator-pass-2569", "negotiator", ("2704",)),
}


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store, with one account per role in ``USERS`` (added the way an admin does,
    through ``landmap users add`` with the password on standard input)."""
    out = tmp_path_factory.mktemp("app") / "demo.gpkg"
    landmap = Path(sys.executable).with_name("landmap")
    subprocess.run([str(landmap), "demo", "--out", str(out)], check=True, capture_output=True)
    for name, password, role, areas in USERS.values():
        args = [str(landmap), "users", "add", name, "--role", role, "--store", str(out)]
        for code in areas:
            args += ["--area", code]
        subprocess.run(args, input=f"first-{password}\n", text=True, check=True,
                       capture_output=True)
    # Each user has replaced the password the admin gave them, as at a first sign-in.
    from gis import accounts
    from gis.store import open_store

    store = open_store(str(out), create=False)
    try:
        for name, password, _role, _areas in USERS.values():
            accounts.change_password(store, name, f"first-{password}", password)
    finally:
        store.close()
    return out


@contextmanager
def streamlit_server(
    args: list[str], *, cwd: Path, log: Path, env: dict[str, str] | None = None,
    port_flag: str = "--server.port", timeout: float = 90,
) -> Iterator[str]:
    """Start ``args`` (``streamlit run …``, or ``scripts/run`` with ``port_flag="--port"``) on
    a free port, wait for its health answer, yield its URL, stop it afterwards. Its output goes
    to ``log``, which failure messages quote."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen([*args, port_flag, str(port)], cwd=cwd, stdout=out,
                                stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    try:
        wait_healthy(url, proc, log, timeout=timeout)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


STREAMLIT = [sys.executable, "-m", "streamlit", "run"]
# No file watcher: a test server must run the code it started with (a module re-imported
# mid-test, while someone edits it, makes a second enum class and `is` comparisons fail).
STREAMLIT_FLAGS = ["--server.address", "127.0.0.1", "--server.headless", "true",
                   "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]


@pytest.fixture(scope="session")
def app_url(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("applog") / "streamlit.log"
    with streamlit_server([*STREAMLIT, "streamlit_app.py", *STREAMLIT_FLAGS], cwd=ROOT,
                          log=log, env={"LANDMAP_STORE": str(demo_store)}) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        reason = f"{CHROMIUM} is missing: scripts/test installs Debian's chromium"
        if os.environ.get("LANDMAP_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "http://localhost", "ws://localhost", "data:",
         "blob:")


def guard_outside(context: Any) -> list[str]:
    """Abort every request of ``context`` not to localhost; the returned list collects them."""
    outside: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(LOCAL):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    return outside


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page whose every request to a host other than localhost is aborted and recorded;
    the test fails afterwards if there was any."""
    context = browser.new_context()
    outside = guard_outside(context)
    pg = context.new_page()
    yield pg
    context.close()
    assert outside == [], f"the page tried to fetch from outside localhost: {outside}"


def copy_store(source: Path, out: Path) -> Path:
    """A private copy of a GeoPackage store (SQLite's online backup: consistent, users
    included), for a test that writes into it."""
    src, dst = sqlite3.connect(source), sqlite3.connect(out)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return out
