"""The monthly report: the roll-up of one area for one month, printed.

The title names the month in the reader's era (มิถุนายน 2569) and the area (อำเภอวังน้ำเย็น
จังหวัดสระแก้ว); the area's figures come first with their change since the previous month,
then bar charts, then one table per kind of figure with a row per sub-area — the next level
down: a province lists its amphoe, an amphoe its tambons, a tambon its villages — and method
notes saying what each figure means, as at the month's end.

Every number is `gis.rollup.rollup`'s for the same month, area and audience, printed as it is:
for an outside audience the roll-up has already suppressed counts below 3 (printed ``<3``),
and nothing below the area's aggregates is read here. Every print is recorded in the audit log.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, get_args

import pandas as pd

from gis import dates
from gis.errors import InputError
from gis.privacy import Audience
from gis.report.areas import Area, find_area, place_name
from gis.report.charts import Bar, bar_chart
from gis.report.engine import check_output, print_pdf
from gis.report.labels import privacy_text
from gis.report.labels_monthly import TEXT
from gis.report.options import LANGS, check_choice
from gis.report.templating import SUPPRESSED, render
from gis.report.village_map_draw import STATUS_COLORS
from gis.rollup import LEVELS, parse_month, rollup
from gis.store.protocol import AuditEvent, Store
from layers.vocab import ADMIN_LEVEL, REPAIR_STATUS

AUDIT_ACTION = "report_monthly"
STATUSES: tuple[str, ...] = REPAIR_STATUS.codes()
MONEY: tuple[str, ...] = ("allocated", "transferred", "committed", "spent")
COUNTS: tuple[str, ...] = ("households_surveyed", "priority_households",
                           *(f"repairs_{s}" for s in STATUSES))
REPAIR_COLORS = {**{s: STATUS_COLORS[s] for s in STATUSES if s in STATUS_COLORS},
                 "verified": "#455a64"}
MONEY_COLORS = {"allocated": "#90a4ae", "transferred": "#4f7fae", "committed": "#f9a825",
                "spent": "#2e7d32"}
CONTENT_WIDTH_MM = 182.0  # A4 portrait less two 14 mm margins


def monthly_report(
    store: Store,
    *,
    month: str,
    level: str,
    code: str,
    audience: Audience,
    lang: str = "th",
    era: dates.Era = "be",
    out: Path,
    today: dt.date | None = None,
) -> Path:
    """Print the monthly report of one area to a PDF.

    Parameters
    ----------
    store : Store
    month : str
        ``"YYYY-MM"`` (a year from 2400 on is read as Buddhist Era, as `gis.rollup` does).
    level : {"village", "tambon", "amphoe", "province"}
        The level of the area ``code`` names; its sub-areas are the next level down. A level
        below the code's is read as ``landmap rollup`` reads it: the rows' level, inside the
        area (``tambon`` with ``2704``: the amphoe's report listing its tambons).
    code : str
        The area's DOPA code (or a community code, for ``level="village"``).
    audience : gis.privacy.Audience
        An outside audience gets counts below 3 suppressed (by `gis.rollup.rollup`).
    lang : {"th", "en"}, default "th"
    era : {"be", "ce"}, default "be"
    out : pathlib.Path
        The PDF to write (replaced if it exists).
    today : datetime.date, optional
        The date printed as the day the report was made; default today in Bangkok.

    Returns
    -------
    pathlib.Path
        The PDF written.

    Raises
    ------
    gis.errors.InputError
        A bad month, level, language or era; an unknown code, one at another level than
        ``level`` or outside the audience's areas; an output that cannot be written — in
        Thai and English, before anything is printed.
    gis.report.engine.ReportError
        Chromium is missing or fails.
    """
    check_choice("lang", lang, LANGS)
    check_choice("era", era, get_args(dates.Era))
    check_choice("level", level, LEVELS)
    _, month_end = parse_month(month)
    out = check_output(out)
    when = today or dates.today()
    place = find_area(store, code, audience=audience, lang=lang)
    rows_level = None
    if place.level in LEVELS and LEVELS.index(level) < LEVELS.index(place.level):
        # `landmap rollup`'s reading of --level (the rows' level, inside the area of --code,
        # e.g. tambon + 2704): the report is the area's, with those rows as its sub-areas.
        rows_level, level = level, place.level
    _check_level(place, code, level)
    frame = rollup(store, month=month, level=level, code=code, audience=audience)
    total = frame.loc[(frame["code"] == code) & (frame["kind"] == "area")]
    if total.empty:  # the audience's areas hold nothing of it: rollup's own message
        raise InputError(f"พื้นที่ {code} อยู่นอกพื้นที่ที่คุณรับผิดชอบ",
                         f"area {code} is outside your areas", field="code")
    sub_level = rows_level or (LEVELS[LEVELS.index(level) - 1] if level != "village" else None)
    subs = (rollup(store, month=month, level=sub_level, code=code, audience=audience)
            if sub_level else None)
    context = _context(place=place, total=total.iloc[0], subs=subs, sub_level=sub_level,
                       audience=audience, lang=lang, era=era, month_end=month_end, when=when)
    printed = print_pdf(render("monthly.html.j2", context), out=out,
                        footer_html=render("footer.html.j2", context))
    store.append_audit(AuditEvent(audience.username, AUDIT_ACTION, code, {
        "month": f"{month_end:%Y-%m}", "level": level, "audience_role": audience.role.value,
        "privacy": audience.ceiling.value, "lang": lang, "era": era,
        "date": when.isoformat(), "file": str(printed.path), "pages": printed.pages,
        "bytes": printed.size, "sub_areas": 0 if subs is None else len(subs),
    }))
    return printed.path


def _check_level(place: Area, code: str, level: str) -> None:
    if place.level != level:
        found = place.level or "?"
        raise InputError(
            f"รหัส {code} เป็น{ADMIN_LEVEL.label(found, 'th') if found in LEVELS else found} "
            f"ไม่ใช่{ADMIN_LEVEL.label(level, 'th')}",
            f"code {code} is at the {found} level, not the {level} level", field="level",
            fix_th=f"ใช้ระดับ {found} กับรหัสนี้ หรือรหัสของ{ADMIN_LEVEL.label(level, 'th')}",
            fix_en=f"use level {found} with this code, or the code of a {level}")


# ------------------------------------------------------------------------------- values
def value(row: pd.Series, name: str) -> float | None:
    """A figure of a roll-up row; None when suppressed."""
    v = row[name]
    return None if v is None or pd.isna(v) else float(v)


def count_text(v: float | None) -> str:
    return SUPPRESSED if v is None else f"{v:,.0f}"


def change_text(v: float | None) -> str:
    """``+6``, ``−3`` (a true minus sign), ``0``; ``–`` for a change hidden from the reader."""
    if v is None:
        return "–"
    if v > 0:
        return f"+{v:,.0f}"
    return f"\u2212{-v:,.0f}" if v < 0 else "0"


def figures(row: pd.Series) -> dict[str, dict[str, Any]]:
    """Each figure of a roll-up row as printed: value, text and change."""
    return {
        name: {"value": value(row, name), "text": count_text(value(row, name)),
               "change": change_text(value(row, f"{name}_change"))}
        for name in (*COUNTS, *MONEY)
    }


# ------------------------------------------------------------------------------ context
def _context(*, place: Area, total: pd.Series, subs: pd.DataFrame | None,
             sub_level: str | None, audience: Audience, lang: str, era: dates.Era,
             month_end: dt.date, when: dt.date) -> dict[str, Any]:
    t = TEXT[lang]
    numbers = figures(total)
    rows = [] if subs is None or sub_level is None else _sub_rows(subs, place, lang)
    statement = f"{audience.role.label(lang)} · {privacy_text(audience.ceiling, lang)}"
    month_text = dates.format_date(month_end, lang, era, style="month")
    date_text = dates.format_date(when, lang, era)
    statuses = [(s, REPAIR_STATUS.label(s, lang)) for s in STATUSES]
    charts = {
        "repairs": bar_chart([Bar(label, numbers[f"repairs_{s}"]["value"],
                                  numbers[f"repairs_{s}"]["text"], REPAIR_COLORS[s])
                              for s, label in statuses], width_mm=CONTENT_WIDTH_MM / 2 - 3,
                             label_mm=26, value_mm=14),
        "money": bar_chart([Bar(t[m], numbers[m]["value"], numbers[m]["text"],
                                MONEY_COLORS[m]) for m in MONEY],
                           width_mm=CONTENT_WIDTH_MM / 2 - 3, label_mm=22, value_mm=24),
        "households": bar_chart(
            [Bar(r["name"], r["figures"]["households_surveyed"]["value"],
                 r["figures"]["households_surveyed"]["text"], "#90caf9",
                 inner=r["figures"]["priority_households"]["value"])
             for r in rows if r["kind"] == "area"],
            width_mm=CONTENT_WIDTH_MM, label_mm=60) if rows else None,
    }
    return {
        "lang": lang, "t": t, "month_text": month_text,
        "month_end_text": dates.format_date(month_end, lang, era),
        "area_title": place.title, "area_code": place.code,
        "sub_level_label": ADMIN_LEVEL.label(sub_level, lang) if sub_level else "",
        "date_text": date_text, "audience_text": statement, "outside": audience.outside,
        "total": numbers, "statuses": statuses, "money": [(m, t[m]) for m in MONEY],
        "rows": rows, "charts": charts, "page_word": t["page"],
        "footer_left": f"{t['audience']}: {statement}"
        + (f" ({t['suppressed_short']})" if audience.outside else "")
        + f" · {month_text} · {place.title}",
    }


def _sub_rows(subs: pd.DataFrame, place: Area, lang: str) -> list[dict[str, Any]]:
    t = TEXT[lang]
    numbers = {}
    if len(place.villages) and "village_no" in place.villages:
        numbers = dict(zip(place.villages["village_code"].astype(str),
                           place.villages["village_no"], strict=True))
    rows = []
    for _, r in subs.iterrows():
        code, kind, level = str(r["code"]), str(r["kind"]), str(r["level"])
        name_th = r["name_th"] if isinstance(r["name_th"], str) else None
        name_en = r["name_en"] if isinstance(r["name_en"], str) else None
        name = (place_name(level, name_th, name_en, lang, code=code,
                           village_no=numbers.get(code)) if name_th else code)
        if kind == "held_above":
            name = f"{t['held_above'].format(level=ADMIN_LEVEL.label(level, lang))}: {name}"
        elif kind != "area":
            name = f"{t['unplaced']}: {code}"
        rows.append({"code": code, "kind": kind, "name": name, "figures": figures(r)})
    return rows
