"""Every page in both languages, run with Streamlit's AppTest against a real demo store: no
page fails, no catalog entry is missing, and switching language changes every UI string."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

import ui.i18n as i18n
from gis import accounts
from gis.store import open_store

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
PAGES = ("ui/pages/home.py", "ui/pages/map.py", "ui/pages/account.py", "ui/pages/users.py",
         "ui/pages/upload.py", "ui/pages/negotiate.py", "ui/pages/priority.py",
         "ui/pages/repairs.py", "ui/pages/dashboard.py")
USERS = {"admin": ("pages.admin", "admin"), "surveyor": ("pages.surveyor", "surveyor")}
PASSWORD = "pages-test-pass-1"


@pytest.fixture(scope="module")
def app_store(demo_gpkg: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A copy of the demo with an admin and a surveyor who have chosen their passwords."""
    path = tmp_path_factory.mktemp("pages") / "demo.gpkg"
    path.write_bytes(Path(demo_gpkg).read_bytes())
    store = open_store(str(path), create=False)
    try:
        accounts.add_user(store, "pages.admin", PASSWORD, "admin", actor="test",
                          must_change_password=False)
        accounts.add_user(store, "pages.surveyor", PASSWORD, "surveyor", ["27040103"],
                          actor="test", must_change_password=False)
    finally:
        store.close()
    yield str(path)


def texts(at: AppTest) -> list[str]:
    """Every string in every element the page produced (labels, options, bodies, captions)."""
    out: list[str] = []

    def strings(value: Any) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                if k not in ("id", "formId", "key", "data", "arrowData", "args", "jsonArgs",
                             "componentName", "url", "src", "icon", "type"):
                    strings(v)
        elif isinstance(value, list):
            for v in value:
                strings(v)

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "DESCRIPTOR"):
            strings(MessageToDict(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return [t for t in out if t.strip()]


def run(app_store: str, lang: str, user: str | None, page: str | None,
        monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("LANDMAP_STORE", app_store)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    if user is not None:
        now = dt.datetime.now(dt.UTC)
        at.session_state["user"] = user
        at.session_state["signed_in_at"] = now
        at.session_state["last_seen"] = now
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == []
    return at


def catalog(lang: str) -> dict[str, str]:
    with i18n.catalog_path(lang).open("rb") as f:
        cat = read_po(f)
    return {m.id: m.string for m in cat if isinstance(m.id, str) and m.id}


CASES = [(None, None)] + [("admin", p) for p in PAGES] + [("surveyor", "ui/pages/map.py"),
                                                      ("surveyor", "ui/pages/upload.py")]


@pytest.mark.parametrize(("who", "page"), CASES, ids=lambda v: str(v).split("/")[-1])
def test_page_speaks_each_language_completely(
    app_store: str, who: str | None, page: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = USERS[who][0] if who else None
    i18n.reset_missing()
    thai = texts(run(app_store, "th", user, page, monkeypatch))
    english = texts(run(app_store, "en", user, page, monkeypatch))
    assert i18n.missing() == set(), "strings with no catalog entry (run scripts/i18n extract)"

    th_catalog = catalog("th")
    # In Thai, no English UI string may show: every catalog msgid whose Thai differs is absent.
    english_ui = [m for m, s in th_catalog.items() if s and s != m and re.search("[a-z]{3}", m)
                  and "{" not in m]
    shown = "\n".join(thai)
    leaks = [m for m in english_ui if re.search(rf"(?<![\w]){re.escape(m)}(?![\w])", shown)]
    assert leaks == [], f"English UI strings on the Thai page: {leaks}"
    # In English, no Thai UI string may show.
    thai_ui = [s for s in th_catalog.values() if s and re.search("[\u0e00-\u0e7f]{4}", s)
               and "{" not in s]
    shown_en = "\n".join(english)
    assert [s for s in thai_ui if s in shown_en] == []
    # And the two pages differ: switching language changed what is shown.
    assert set(thai) != set(english)
    print(json.dumps({"th": len(thai), "en": len(english)}))


def test_a_missing_catalog_entry_fails_the_walk(
    app_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walk above can fail: a msgid the catalogs lack is recorded while pages run."""
    i18n.reset_missing()
    from ui.state import _

    monkeypatch.setattr("ui.state.lang", lambda: "th")
    assert _("A string nobody translated") == "A string nobody translated"
    assert ("th", "A string nobody translated") in i18n.missing()
    i18n.reset_missing()


def test_signing_in_restores_the_users_language(
    app_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Preferences live with the account: after signing in through the form, the session speaks
    the language the user chose last time, whatever the sign-in page was in."""
    store = open_store(app_store, create=False)
    try:
        accounts.set_preferences(store, "pages.surveyor", lang="en", era="ce")
    finally:
        store.close()
    at = run(app_store, "th", None, None, monkeypatch)
    at.text_input(key="sign_in_username").input("pages.surveyor")
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button[0].click()
    at.run()
    assert not at.exception and [e.value for e in at.error] == []
    assert at.session_state["lang"] == "en" and at.session_state["era"] == "ce"
    assert "Community land and housing map" in [t.value for t in at.title]
    store = open_store(app_store, create=False)
    try:
        accounts.set_preferences(store, "pages.surveyor", lang="th", era="be")
    finally:
        store.close()


def upload_files(app_store: str, lang: str, monkeypatch: pytest.MonkeyPatch,
                 files: list[tuple[str, bytes]]) -> AppTest:
    """The upload page with ``files`` uploaded into households (nothing imported)."""
    at = run(app_store, lang, USERS["admin"][0], "ui/pages/upload.py", monkeypatch)
    at.file_uploader[0].set_value([(n, d, "application/octet-stream") for n, d in files])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_upload_page_with_files_speaks_each_language_completely(
    app_store: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Everything the upload page shows about files — a CRS to choose per layer, a repair on
    offer, the field mapping, unknown values, a file refused (plots are no households) — in
    Thai, then in English."""
    from tests.ui.test_upload import CSV, plots_zip

    files = [("survey.csv", CSV), ("plots.zip", plots_zip(tmp_path))]
    i18n.reset_missing()
    thai_at = upload_files(app_store, "th", monkeypatch, files)
    english_at = upload_files(app_store, "en", monkeypatch, files)
    for at in (thai_at, english_at):  # every part is there to be spoken
        assert len([r for r in at.radio if (r.key or "").endswith("_crs")]) == 2
        assert [c for c in at.checkbox if (c.key or "").endswith("_repair")]
        assert [s for s in at.selectbox if "_value_house_condition_" in (s.key or "")]
        assert [s for s in at.selectbox if "_col_" in (s.key or "")]
        assert len(at.error) == 1  # plots.zip: polygons cannot be households
    assert i18n.missing() == set(), "strings with no catalog entry (run scripts/i18n extract)"

    th_catalog = catalog("th")
    english_ui = [m for m, s in th_catalog.items() if s and s != m and re.search("[a-z]{3}", m)
                  and "{" not in m]
    shown = "\n".join(texts(thai_at))
    leaks = [m for m in english_ui if re.search(rf"(?<![\w]){re.escape(m)}(?![\w])", shown)]
    assert leaks == [], f"English UI strings on the Thai page: {leaks}"
    thai_ui = [s for s in th_catalog.values() if s and re.search("[\u0e00-\u0e7f]{4}", s)
               and "{" not in s]
    shown_en = "\n".join(texts(english_at))
    assert [s for s in thai_ui if s in shown_en] == []


def test_the_planning_pages_print_their_pdfs(
    app_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dashboard's monthly report and the repairs page's village map are printed from the
    page (Chromium, inside Streamlit's script thread) and offered for download."""
    at = run(app_store, "th", USERS["admin"][0], "ui/pages/dashboard.py", monkeypatch)
    at.button(key="dashboard_pdf").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    name, data, media = at.session_state["made_file:monthly"]
    assert name.startswith("monthly-") and data.startswith(b"%PDF") and media == "application/pdf"

    at = run(app_store, "th", USERS["admin"][0], "ui/pages/repairs.py", monkeypatch)
    at.selectbox(key="repairs_village").set_value(0)
    at.run()
    at.button(key="repairs_village_map").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    name, data, _media = at.session_state["made_file:village_map"]
    assert name.startswith("village-map-") and data.startswith(b"%PDF")
