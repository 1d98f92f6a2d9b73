"""``landmap report monthly``, run as a real command on the Wang Nam Yen demo: the month in the
Buddhist Era, the area's names, every printed figure equal to ``gis.rollup.rollup``'s for the
same month, area and audience, ``<3`` where the roll-up suppressed a count for an agency and no
personal value anywhere, the footer on every page, the audit entry, and bilingual refusals."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from gis.privacy import Audience, Role, public_audience
from gis.report.areas import place_name
from gis.report.labels_monthly import TEXT
from gis.rollup import rollup
from gis.store import Store, open_store
from tests.gis.report.conftest import first_page_png, landmap, pdf_info, pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("needs_chromium")]

MONTH = "2026-06"
AMPHOE = "2704"
STATUSES = ("proposed", "approved", "in_progress", "done", "verified")
MONEY = ("allocated", "transferred", "committed", "spent")


@dataclass(frozen=True)
class Report:
    path: Path
    text: str
    layout: str
    pages: int


@pytest.fixture(scope="module")
def opened(report_store: Path) -> Iterator[Store]:
    store = open_store(str(report_store), create=False)
    yield store
    store.close()


@pytest.fixture(scope="module")
def printed(report_store: Path, tmp_path_factory: pytest.TempPathFactory
            ) -> Callable[..., Report]:
    """Print with the real command, once per set of arguments."""
    folder = tmp_path_factory.mktemp("monthly")
    made: dict[tuple[str, ...], Report] = {}

    def make(*args: str) -> Report:
        if args not in made:
            out = folder / f"{len(made)}.pdf"
            proc = landmap("report", "monthly", "--store", str(report_store), *args,
                           "--out", str(out))
            assert proc.returncode == 0, proc.stderr
            assert "Traceback" not in proc.stderr
            made[args] = Report(out, pdf_text(out), pdf_text(out, layout=True),
                                int(pdf_info(out)["Pages"]))
        return made[args]

    return make


def agency(printed: Callable[..., Report]) -> Report:
    return printed("--month", MONTH, "--level", "amphoe", "--code", AMPHOE)


def internal_en(printed: Callable[..., Report]) -> Report:
    return printed("--month", MONTH, "--level", "amphoe", "--code", AMPHOE, "--audience",
                   "internal", "--lang", "en", "--era", "ce")


def agency_audience(code: str) -> Audience:
    return dataclasses.replace(public_audience("test"), areas=frozenset({code}))


def one_line(text: str) -> str:
    return " ".join(text.split())


def shown(value: Any) -> str:
    """A figure as the report prints it: ``1,187``; suppressed (NA) as ``<3``."""
    return "<3" if value is None or value is pd.NA or pd.isna(value) else f"{float(value):,.0f}"


def test_the_title_names_the_month_in_the_buddhist_era_and_the_area(
        printed: Callable[..., Report]) -> None:
    p = agency(printed)
    first = one_line(p.text.split("\f")[0])
    assert f"{TEXT['th']['title']} มิถุนายน 2569" in first
    assert "พื้นที่: อำเภอวังน้ำเย็น จังหวัดสระแก้ว" in first
    assert "30 มิถุนายน 2569" in first
    assert "2026" not in one_line(p.text)
    first_page_png(p.path, "monthly-2704")


def test_the_figures_are_the_rollups(printed: Callable[..., Report], opened: Store) -> None:
    p = agency(printed)
    total = rollup(opened, month=MONTH, level="amphoe", code=AMPHOE,
                   audience=agency_audience(AMPHOE)).set_index("code").loc[AMPHOE]
    assert total["households_surveyed"] > 1000  # the demo's whole amphoe
    lines = [one_line(line) for line in p.layout.splitlines()]
    # The summary: repairs by status on one line, then money on one line, as the roll-up has.
    repairs = " ".join(shown(total[f"repairs_{s}"]) for s in STATUSES)
    money = " ".join(shown(total[m]) for m in MONEY)
    assert repairs in lines and money in lines
    change = int(str(total["households_surveyed_change"]))
    change_text = f"+{change:,}" if change > 0 else f"\u2212{-change:,}" if change else "0"
    assert f"{shown(total['households_surveyed'])} ({change_text})" in one_line(p.text)
    # The sub-area tables: each tambon's row carries its figures in the roll-up's order; the
    # total row too.
    tambons = rollup(opened, month=MONTH, level="tambon", code=AMPHOE,
                     audience=agency_audience(AMPHOE))
    work = ("households_surveyed", "priority_households", *(f"repairs_{s}" for s in STATUSES))
    for _, row in tambons.loc[tambons["kind"] == "area"].iterrows():
        name = place_name("tambon", row["name_th"], row["name_en"], "th", code=row["code"])
        figures = " ".join(shown(row[f]) for f in work)
        assert f"{name} {figures}" in lines, (name, figures)
        assert f"{name} {' '.join(shown(row[m]) for m in MONEY)}" in lines
    assert f"{TEXT['th']['total']} {' '.join(shown(total[f]) for f in work)}" in lines
    assert f"{TEXT['th']['total']} {money}" in lines
    # Money held by the amphoe has its own row, and every row adds up to the total.
    held = tambons.loc[tambons["kind"] == "held_above"]
    assert len(held) == 1
    assert tambons["allocated"].sum() == total["allocated"]
    assert f"{shown(held['allocated'].iloc[0])}" in one_line(p.text)


def report_numbers(store: Store) -> set[str]:
    """Every figure and change the agency report of the amphoe prints, as written: an income
    equal to one of them (a change of 2,300 baht) is the roll-up's number, not a leak."""
    out = set()
    for level in ("amphoe", "tambon"):
        frame = rollup(store, month=MONTH, level=level, code=AMPHOE,
                       audience=agency_audience(AMPHOE))
        numbers = frame.select_dtypes("number").to_numpy(dtype=float, na_value=0.0).ravel()
        out |= {f"{abs(v):,.0f}" for v in numbers} | {f"{abs(v):.0f}" for v in numbers}
    return out


def personal_leaks(text: str, store: Store) -> dict[str, list[str]]:
    from tests.gis.report.test_evidence import leaks, personal_values

    values = personal_values(store)
    assert all(values.values())
    found = leaks(text, values)
    incomes = sorted(set(found.pop("monthly_income", [])) - report_numbers(store))
    return {**found, **({"monthly_income": incomes} if incomes else {})}


def test_an_agency_report_suppresses_small_counts_and_holds_nothing_personal(
        printed: Callable[..., Report], opened: Store) -> None:
    p = agency(printed)
    tambons = rollup(opened, month=MONTH, level="tambon", code=AMPHOE,
                     audience=agency_audience(AMPHOE))
    work = ["households_surveyed", "priority_households", *(f"repairs_{s}" for s in STATUSES)]
    hidden = tambons.set_index("code")[work].isna().sum(axis=1)
    assert hidden.sum() > 0  # the demo has tambons with one or two repairs at a stage
    lines = [one_line(line) for line in p.layout.splitlines()]
    for _, row in tambons.loc[tambons["kind"] == "area"].iterrows():
        name = place_name("tambon", row["name_th"], row["name_en"], "th", code=row["code"])
        (line,) = [line for line in lines if line.startswith(f"{name} ")
                   and len(line.split()) == len(name.split()) + len(work)]
        assert line.split().count("<3") == hidden[row["code"]], line
    assert personal_leaks(p.text, opened) == {}
    assert TEXT["th"]["no_personal"] in one_line(p.text)


def test_the_leak_check_sees_a_leak(printed: Callable[..., Report], opened: Store) -> None:
    # The check above would notice each kind of value, were it printed.
    households = opened.read("households").dropna(subset=["phone", "monthly_income"])
    figures = report_numbers(opened)
    h = households.loc[~households["monthly_income"].map(
        lambda v: f"{v:,.0f}" in figures)].iloc[0]
    leaked = (f"{h['head_name']} {h['national_id']} {h['phone']} "
              f"{h['monthly_income']:,.0f} {h['household_id']} {h['plot_id']}")
    assert set(personal_leaks(agency(printed).text + "\n" + leaked, opened)) == {
        "head_name", "national_id", "phone", "monthly_income", "household_id", "plot_id"}


def test_an_internal_report_in_english_shows_every_figure(
        printed: Callable[..., Report], opened: Store) -> None:
    p = internal_en(printed)
    text = one_line(p.text)
    assert "Monthly progress report June 2026" in text
    assert "Area: Wang Nam Yen District, Sa Kaeo Province" in text
    assert "<3" not in text
    assert not re.search(r"\b25\d\d\b", text)  # no Buddhist-Era year
    internal = rollup(opened, month=MONTH, level="tambon", code=AMPHOE,
                      audience=Audience("t", Role.ADMIN))
    assert not internal[["households_surveyed", *(f"repairs_{s}" for s in STATUSES)]
                        ].isna().any().any()
    lines = [one_line(line) for line in p.layout.splitlines()]
    for _, row in internal.loc[internal["kind"] == "area"].iterrows():
        figures = " ".join(shown(row[f]) for f in ("households_surveyed", "priority_households",
                                                   *(f"repairs_{s}" for s in STATUSES)))
        assert f"{row['name_en']} Subdistrict {figures}" in lines


def test_every_page_carries_its_number_and_the_audience(printed: Callable[..., Report]) -> None:
    for p, word, who in ((agency(printed), "หน้า", "ผู้อ่าน: ผู้ชมจากหน่วยงาน · "
                          "ข้อมูลสาธารณะและตัวเลขสรุปเท่านั้น (<3 = 1–2 ที่ไม่แสดง)"),
                         (internal_en(printed), "Page", "Audience: Administrator")):
        pages = [one_line(page) for page in p.text.split("\f")[:p.pages]]
        assert len(pages) == p.pages >= 2
        for number, page in enumerate(pages, start=1):
            assert f"{word} {number} / {p.pages}" in page
            assert who in page


def test_level_may_also_name_the_rows_as_landmap_rollup_reads_it(
        printed: Callable[..., Report]) -> None:
    """``--level tambon --code 2704`` (the rows' level, as for ``landmap rollup``) prints the
    amphoe's report listing its tambons, the same as ``--level amphoe --code 2704``."""
    rows_reading = printed("--month", MONTH, "--level", "tambon", "--code", AMPHOE)
    assert one_line(rows_reading.text) == one_line(agency(printed).text)


def test_a_village_report_has_no_sub_areas(printed: Callable[..., Report]) -> None:
    p = printed("--month", "2569-06", "--level", "village", "--code", "27040501")
    text = one_line(p.text)
    assert "บ้านดงยาง" in text and "มิถุนายน 2569" in text
    assert TEXT["th"]["no_sub"] in text


def test_each_report_is_in_the_audit_log(printed: Callable[..., Report],
                                         opened: Store) -> None:
    p = agency(printed)
    entries = [e for e in opened.read_audit(action="report_monthly", limit=1000)
               if e["detail"]["file"] == str(p.path)]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["subject"] == AMPHOE and entry["username"].startswith("cli:")
    detail = entry["detail"]
    assert detail["month"] == MONTH and detail["level"] == "amphoe"
    assert detail["audience_role"] == "agency_viewer" and detail["privacy"] == "public"
    assert detail["pages"] == p.pages and detail["sub_areas"] == 5  # 4 tambons, 1 held row


@pytest.mark.parametrize(("args", "th", "en"), [
    (["--month", "2026-13", "--level", "amphoe", "--code", AMPHOE], "เดือน '2026-13' ไม่ถูกต้อง",
     "month '2026-13' is not valid"),
    (["--month", MONTH, "--level", "province", "--code", AMPHOE], "เป็นอำเภอ ไม่ใช่จังหวัด",
     "is at the amphoe level, not the province level"),
    (["--month", MONTH, "--level", "amphoe", "--code", "9999"], "ไม่รู้จักรหัสพื้นที่ '9999'",
     "unknown area code '9999'"),
    (["--month", MONTH, "--level", "district", "--code", AMPHOE], "ข้อผิดพลาด",
     "invalid choice: 'district'"),
])
def test_bad_input_is_refused_in_thai_and_english_without_a_traceback(
        report_store: Path, tmp_path: Path, args: list[str], th: str, en: str) -> None:
    proc = landmap("report", "monthly", "--store", str(report_store), *args, "--out",
                   str(tmp_path / "report.pdf"))
    assert proc.returncode == 2
    assert th in proc.stderr and en in proc.stderr
    assert "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []
