"""The gettext catalogs: complete in Thai and English, in step with the code, used at run time.

The catalog checks are plain functions over a Babel ``Catalog`` so that the last tests can show
them failing on a broken copy, and `scripts/i18n` is run end to end in a scratch project.
"""

from __future__ import annotations

import os
import shutil
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

import ui.i18n as i18n
from ui.i18n import LANGS, catalog_path, gettext, ngettext, translator

ROOT = Path(__file__).resolve().parents[2]
BABEL_CFG = Path("ui/i18n/babel.cfg")
SYNC_FIX = "fix: run scripts/i18n extract, then translate what it added (scripts/i18n check)"
TRANSLATE_FIX = "fix: fill in the msgstr and delete any '#, fuzzy' line; then scripts/i18n check"
PLACEHOLDER_FIX = "fix: the msgstr must use the msgid's {placeholders}, spelled the same"


# --- the checks -------------------------------------------------------------------------------


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as po:
        return read_po(po)


def key(message: Message) -> str:
    """The msgid; the singular one for a plural entry."""
    return message.id if isinstance(message.id, str) else message.id[0]


def msgstrs(message: Message) -> tuple[str, ...]:
    """The msgstr, or each plural form's msgstr."""
    text = message.string
    if isinstance(text, str):
        return (text,)
    return tuple(text) if text else ("",)


def entries(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]  # without the header entry


def extracted(root: Path) -> dict[str, set[str]]:
    """Every msgid the code under `root` marks for translation, with the files that use it."""
    with (root / BABEL_CFG).open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, str(BABEL_CFG))
    used: dict[str, set[str]] = {}
    # keywords={}: only those of babel.cfg, as `scripts/i18n` uses them.
    for filename, _line, message, _comments, _context in extract_from_dir(
        root, method_map, options_map, keywords={}
    ):
        msgid = message if isinstance(message, str) else message[0]
        used.setdefault(msgid, set()).add(filename)
    return used


def untranslated(catalog: Catalog) -> list[str]:
    """Entries with an empty msgstr (any plural form) or flagged fuzzy."""
    problems = []
    for m in entries(catalog):
        if not all(msgstrs(m)):
            problems.append(f"untranslated: {key(m)!r}")
        elif m.fuzzy:
            problems.append(f"fuzzy: {key(m)!r}")
    return problems


def fields(text: str) -> set[str]:
    """The ``{name}`` placeholders of a str.format template."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:  # a lone brace: the translation would crash .format()
        return {f"<{exc}>"}


def placeholder_mismatches(catalog: Catalog) -> list[str]:
    """msgstrs whose placeholders differ from their msgid's.

    A plural entry's forms may each drop a placeholder the English singular has ("One
    household"), but the last form must carry exactly those of the plural msgid, and no form may
    invent one.
    """
    problems = []
    for m in entries(catalog):
        ids = (m.id,) if isinstance(m.id, str) else tuple(m.id)
        forms = msgstrs(m)
        if not all(forms):
            continue  # reported as untranslated
        allowed = set().union(*map(fields, ids))
        if any(fields(form) - allowed for form in forms) or fields(forms[-1]) != fields(ids[-1]):
            problems.append(f"{key(m)!r}: msgid {sorted(allowed)}, msgstr {list(forms)!r}")
    return problems


def out_of_step(catalog: Catalog, used: dict[str, set[str]]) -> list[str]:
    """msgids the code uses that the catalog lacks, and the other way round."""
    held = {key(m) for m in entries(catalog)}
    new = [
        f"used in {', '.join(sorted(used[k]))} but not in the catalog: {k!r}"
        for k in sorted(used.keys() - held)
    ]
    unused = [
        f"in the catalog but no longer used by the code: {k!r}" for k in sorted(held - used.keys())
    ]
    obsolete = [f"obsolete #~ entry: {k!r}" for k in sorted(map(str, catalog.obsolete))]
    return new + unused + obsolete


def report(lang: str, problems: list[str], fix: str) -> str:
    return "\n".join([f"{catalog_path(lang).relative_to(ROOT)}:", *problems, fix])


# --- the committed catalogs -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "plural_forms"),
    [("th", "nplurals=1; plural=0;"), ("en", "nplurals=2; plural=(n != 1);")],
)
def test_catalog_headers(lang: str, plural_forms: str) -> None:
    catalog = read_catalog(catalog_path(lang))
    assert catalog.locale_identifier == lang
    assert catalog.plural_forms == plural_forms
    assert catalog.charset == "utf-8"


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated(lang: str) -> None:
    problems = untranslated(read_catalog(catalog_path(lang)))
    assert not problems, report(lang, problems, TRANSLATE_FIX)


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_match_the_msgid(lang: str) -> None:
    problems = placeholder_mismatches(read_catalog(catalog_path(lang)))
    assert not problems, report(lang, problems, PLACEHOLDER_FIX)


@pytest.mark.parametrize("lang", LANGS)
def test_catalogs_are_in_step_with_the_code(lang: str) -> None:
    problems = out_of_step(read_catalog(catalog_path(lang)), extracted(ROOT))
    assert not problems, report(lang, problems, SYNC_FIX)


def test_product_name_is_not_translated() -> None:
    assert gettext("Landmap", "th") == gettext("Landmap", "en") == "Landmap"


# --- the checks catch what they should ----------------------------------------------------------


def test_a_blank_thai_translation_is_caught() -> None:
    catalog = read_catalog(catalog_path("th"))
    catalog["Sign in"].string = ""
    catalog["Map"].flags.add("fuzzy")
    assert untranslated(catalog) == ["untranslated: 'Sign in'", "fuzzy: 'Map'"]


def test_a_lost_or_broken_placeholder_is_caught() -> None:
    catalog = Catalog(locale="th")
    catalog.add("{n} households", "{n} ครัวเรือน")
    catalog.add("{name} signed in", "เข้าสู่ระบบแล้ว")
    catalog.add("{village}: {n}", "{village: {n}")
    catalog.add(("{n} plot", "{n} plots"), ("{count} แปลง",))
    assert [p.split(":")[0] for p in placeholder_mismatches(catalog)] == [
        "'{name} signed in'", "'{village}", "'{n} plot'",
    ]  # fmt: skip


def test_english_plural_may_drop_the_count_in_the_singular() -> None:
    catalog = Catalog(locale="en")
    catalog.add(("One household", "{n} households"), ("One household", "{n} households"))
    assert placeholder_mismatches(catalog) == []


def test_new_and_unused_msgids_are_caught() -> None:
    catalog = Catalog(locale="th")
    catalog.add("Map", "แผนที่")
    catalog.add("Old button", "ปุ่มเก่า")
    catalog.obsolete["Gone"] = Message("Gone", "หายไป")
    problems = out_of_step(catalog, {"Map": {"ui/a.py"}, "Sign in": {"ui/b.py"}})
    assert problems == [
        "used in ui/b.py but not in the catalog: 'Sign in'",
        "in the catalog but no longer used by the code: 'Old button'",
        "obsolete #~ entry: 'Gone'",
    ]


def test_extraction_reads_the_markers_of_babel_cfg(tmp_path: Path) -> None:
    (tmp_path / BABEL_CFG).parent.mkdir(parents=True)
    shutil.copy(ROOT / BABEL_CFG, tmp_path / BABEL_CFG)
    (tmp_path / "streamlit_app.py").write_text('_("Sign in")\n', encoding="utf-8")
    (tmp_path / "ui" / "pages").mkdir()
    (tmp_path / "ui" / "pages" / "map.py").write_text(
        'TITLE = N_("Map")\n'
        'ngettext("{n} household", "{n} households", n, lang)\n'
        'print("not marked")\n',
        encoding="utf-8",
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text('_("Only a test")\n', encoding="utf-8")
    assert extracted(tmp_path) == {
        "Sign in": {"streamlit_app.py"},
        "Map": {"ui/pages/map.py"},
        "{n} household": {"ui/pages/map.py"},
    }


# --- run time ---------------------------------------------------------------------------------


@pytest.fixture
def clean_missing() -> Iterator[None]:
    i18n.reset_missing()
    yield
    i18n.reset_missing()


def test_thai_and_english(clean_missing: None) -> None:
    assert gettext("Sign in", "th") == "เข้าสู่ระบบ"
    assert gettext("Sign in", "en") == "Sign in"
    assert translator("th")("Account") == "บัญชีของฉัน"
    assert i18n.missing() == set()


def test_unknown_language_is_thai() -> None:
    assert gettext("Map", "fr") == "แผนที่"
    assert gettext("Map", "en-GB") == "Map"


def test_missing_translation_gives_the_english_and_is_recorded(
    clean_missing: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(i18n.STRICT_ENV, raising=False)
    assert gettext("No such message", "th") == "No such message"
    assert ngettext("{n} ghost", "{n} ghosts", 2, "en") == "{n} ghosts"
    assert i18n.missing() == {("th", "No such message"), ("en", "{n} ghost")}
    i18n.reset_missing()
    assert i18n.missing() == set()


def test_missing_translation_raises_in_strict_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(i18n.STRICT_ENV, "1")
    with pytest.raises(KeyError, match="No such message"):
        gettext("No such message", "th")
    assert gettext("Sign in", "th") == "เข้าสู่ระบบ"


PLURAL_PO = r"""
msgid ""
msgstr ""
"Language: th\n"
"Plural-Forms: nplurals=1; plural=0;\n"
"Content-Type: text/plain; charset=utf-8\n"

msgid "{n} household"
msgid_plural "{n} households"
msgstr[0] "{n} ครัวเรือน"

#, fuzzy
msgid "Guessed"
msgstr "เดา"

msgid "Empty"
msgstr ""
"""


@pytest.fixture
def scratch_catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The Thai catalog replaced by `PLURAL_PO` for one test; the compiled cache cleared."""
    (tmp_path / "th" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "th" / "LC_MESSAGES" / "landmap.po").write_text(PLURAL_PO, encoding="utf-8")
    monkeypatch.setattr(i18n, "CATALOG_DIR", tmp_path)
    monkeypatch.delenv(i18n.STRICT_ENV, raising=False)
    i18n._translations.cache_clear()
    i18n.reset_missing()
    yield
    i18n._translations.cache_clear()
    i18n.reset_missing()


def test_thai_has_one_plural_form(scratch_catalogs: None) -> None:
    for n in (1, 2, 5):
        assert ngettext("{n} household", "{n} households", n, "th").format(n=n) == f"{n} ครัวเรือน"


def test_fuzzy_and_empty_entries_are_not_used(scratch_catalogs: None) -> None:
    assert gettext("Guessed", "th") == "Guessed"
    assert gettext("Empty", "th") == "Empty"
    assert i18n.missing() == {("th", "Guessed"), ("th", "Empty")}


def test_importing_it_does_not_import_streamlit() -> None:
    code = "import sys, ui.i18n; sys.exit('streamlit' in sys.modules)"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# --- scripts/i18n, end to end in a scratch project ------------------------------------------------


def run_script(project: Path, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(project / "scripts" / "i18n"), command],
        capture_output=True, encoding="utf-8", check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )  # fmt: skip


# The scratch project's catalogs: a fixed set, so these tests do not change with the app's.
SEED = {
    "Landmap": "Landmap", "Sign in": "เข้าสู่ระบบ", "Sign out": "ออกจากระบบ",
    "Username": "ชื่อผู้ใช้", "Password": "รหัสผ่าน", "Language": "ภาษา", "Map": "แผนที่",
    "Home": "หน้าแรก", "Users": "ผู้ใช้งาน", "Account": "บัญชีของฉัน",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the script and babel.cfg with seed catalogs, the real .venv, and one page."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "i18n", tmp_path / "scripts" / "i18n")
    (tmp_path / "ui" / "i18n").mkdir(parents=True)
    shutil.copy(ROOT / "ui" / "i18n" / "babel.cfg", tmp_path / "ui" / "i18n" / "babel.cfg")
    for lang in ("th", "en"):
        catalog = Catalog(locale=lang, domain="landmap", project="Landmap")
        for msgid, thai in SEED.items():
            catalog.add(msgid, thai if lang == "th" else msgid,
                        locations=[("streamlit_app.py", None)])
        path = tmp_path / "ui" / "i18n" / lang / "LC_MESSAGES" / "landmap.po"
        path.parent.mkdir(parents=True)
        with path.open("wb") as out:
            write_po(out, catalog, width=100)
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    return tmp_path


def test_script_extract_then_check(project: Path) -> None:
    # "Sign in" reworded, "Users" no longer used, one new message, one new plural.
    page = "\n".join([
        *(f'_("{m}")' for m in ("Landmap", "Sign out", "Username", "Password", "Language",
                                "Map", "Home", "Account")),
        '_("Sign in now")',
        "# Translators: the number of households on the map",
        'ngettext("{n} household", "{n} households", n, lang)',
        'N_("Export")',
    ])  # fmt: skip
    (project / "streamlit_app.py").write_text(page + "\n", encoding="utf-8")

    extract = run_script(project, "extract")
    assert extract.returncode == 0, extract.stderr
    th_path = project / "ui/i18n/th/LC_MESSAGES/landmap.po"
    th = read_catalog(th_path)
    en = read_catalog(project / "ui/i18n/en/LC_MESSAGES/landmap.po")
    assert "Users" not in th and "Users" not in en
    assert not th.obsolete and not en.obsolete
    assert th["Sign in now"].fuzzy and th["Sign in now"].string == "เข้าสู่ระบบ"
    # The translator sees what the msgid was (Babel writes this line but does not read it back).
    assert '#| msgid "Sign in"\nmsgid "Sign in now"' in th_path.read_text(encoding="utf-8")
    assert th["Export"].string == "" and th["{n} household"].string == ("",)
    assert th["{n} household"].auto_comments == ["Translators: the number of households on the map"]
    assert th["Map"].string == "แผนที่"
    assert en["Export"].string == "Export" and not en["Sign in now"].fuzzy
    assert en["{n} household"].string == ("{n} household", "{n} households")

    check = run_script(project, "check")
    assert check.returncode == 1
    assert check.stdout.splitlines() == [
        "ui/i18n/th/LC_MESSAGES/landmap.po: fuzzy, review and remove the flag: 'Sign in now' "
        "(streamlit_app.py)",
        "ui/i18n/th/LC_MESSAGES/landmap.po: untranslated: '{n} household' (streamlit_app.py)",
        "ui/i18n/th/LC_MESSAGES/landmap.po: untranslated: 'Export' (streamlit_app.py)",
    ]

    # The translator's turn.
    th["Sign in now"].flags.discard("fuzzy")
    th["Sign in now"].string = "เข้าสู่ระบบเลย"
    th["{n} household"].string = ("{n} ครัวเรือน",)
    th["Export"].string = "ส่งออก"
    with th_path.open("wb") as po:
        write_po(po, th)
    check = run_script(project, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert untranslated(th) == [] and out_of_step(th, extracted(project)) == []

    # With no change to the code, extract changes nothing.
    before = {p: p.read_bytes() for p in (project / "ui/i18n").rglob("*.po")}
    assert run_script(project, "extract").returncode == 0
    assert {p: p.read_bytes() for p in before} == before


def test_script_check_names_a_broken_placeholder(project: Path) -> None:
    (project / "streamlit_app.py").write_text('_("{n} plots")\n', encoding="utf-8")
    assert run_script(project, "extract").returncode == 0
    th_path = project / "ui/i18n/th/LC_MESSAGES/landmap.po"
    th = read_catalog(th_path)
    th["{n} plots"].string = "{จำนวน} แปลง"
    with th_path.open("wb") as po:
        write_po(po, th)
    check = run_script(project, "check")
    assert check.returncode == 1
    assert check.stdout.splitlines() == [
        "ui/i18n/th/LC_MESSAGES/landmap.po: placeholders differ from the msgid: '{n} plots' "
        "(streamlit_app.py)"
    ]


def test_script_refuses_an_unknown_command(project: Path) -> None:
    result = run_script(project, "compile")
    assert result.returncode == 2
    assert "expected 'extract' or 'check', got 'compile'" in result.stderr
