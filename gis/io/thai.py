"""Thai conventions in tabular data: Thai digits (๐–๙) and Buddhist-Era dates.

Survey sheets typed in Thai offices write numbers with Thai digits (``๑๓.๗๕``) and dates in the
Buddhist Era in several spellings (``2567-05-01``, ``1 พ.ค. 67``, ``1 พฤษภาคม 2567``,
``01/05/2567``). Readers normalise them and report each change as an ``info`` issue, so that the
user sees what was changed (DESIGN.md §5: nothing is silently "fixed").
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from babel.dates import get_month_names

from gis.io.model import Issue, Severity, issue

THAI = range(0x0E01, 0x0E5C)
BE_OFFSET = 543  # Buddhist Era year − Gregorian year
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Abbreviated month names as Thai offices write them (with and without the dots).
THAI_MONTH_ABBREVIATIONS = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
                            "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
_NUMERIC = re.compile(r"^[\s\d.,:/\-+°'\"NSEW]*\d[\s\d.,:/\-+°'\"NSEW]*$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_SLASHED = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
# What a value needs for ``_normalised`` to change it: a Thai digit, or a date's shape.
_MAYBE = re.compile(r"[๐-๙]|^\s*\d{1,4}[/.\-]\d{1,2}[/.\-]\d{2,4}\b|^\s*\d{1,2}\s*[^\d\s.,:/\-+]")
_NAMED = re.compile(r"^(\d{1,2})\s*([^\d\s]+(?:\s*[^\d\s]+)*)\s*(\d{2}|\d{4})$")


def thai_digits_to_arabic(text: str) -> str:
    """``text`` with Thai digits ๐–๙ replaced by 0–9 (everything else unchanged)."""
    return text.translate(THAI_DIGITS)


@lru_cache(maxsize=1)
def _month_numbers() -> dict[str, int]:
    """Month name (full, abbreviated, dotless; Thai and English) → month number."""
    names: dict[str, int] = {}
    for width in ("wide", "abbreviated"):
        for locale in ("th", "en"):
            for number, name in get_month_names(width, locale=locale).items():
                names[_month_key(str(name))] = int(number)
    for number, name in enumerate(THAI_MONTH_ABBREVIATIONS, start=1):
        names[_month_key(name)] = number
    return names


def _month_key(name: str) -> str:
    return re.sub(r"[.\s]", "", name).lower()


def _year(text: str, *, thai_month: bool) -> tuple[int, bool]:
    """The Gregorian year of a written year, and whether it was Buddhist Era.

    Four digits above 2400 are Buddhist Era. Two digits after a Thai month name are the BE
    short form (``1 พ.ค. 67``); in ``01/05/67`` they are BE from 40 (2540 = 1997) and
    Gregorian below (``01/05/24``, as spreadsheets export short years)."""
    year = int(text)
    if year > 2400:
        return year - BE_OFFSET, True
    if len(text) == 2:
        if thai_month or year >= 40:
            return 2500 + year - BE_OFFSET, True
        return 2000 + year, False
    return year, False


def _parse(text: str) -> tuple[date, bool] | None:
    value = thai_digits_to_arabic(text).strip()
    if not value:
        return None
    thai_month = False
    if match := _ISO.match(value):
        year_text, month_text, day_text = match.groups()
        month = int(month_text)
    elif match := _SLASHED.match(value):
        day_text, month_text, year_text = match.groups()
        month = int(month_text)
    elif match := _NAMED.match(value):
        day_text, month_name, year_text = match.groups()
        found = _month_numbers().get(_month_key(month_name))
        if found is None:
            return None
        month, thai_month = found, any(ord(c) in THAI for c in month_name)
    else:
        return None
    year, buddhist = _year(year_text, thai_month=thai_month)
    try:
        return date(year, month, int(day_text)), buddhist
    except ValueError:
        return None


def parse_thai_date(text: str) -> date | None:
    """The date ``text`` spells, in the Gregorian calendar, or None when it is not a date.

    Reads ``2567-05-01``, ``2024-05-01``, ``01/05/2567`` (day first), ``1 พ.ค. 67`` and
    ``1 พฤษภาคม 2567``, in Thai or Arabic digits; a year above 2400 is Buddhist Era (−543).
    """
    parsed = _parse(text)
    return parsed[0] if parsed else None


def normalise_thai(
    frame: pd.DataFrame, *, file: str | None = None, layer: str | None = None,
    sheet: str | None = None,
) -> tuple[pd.DataFrame, list[Issue]]:
    """A copy of ``frame`` with Thai digits in numeric-looking text turned into Arabic digits
    and Buddhist-Era dates written as ISO Gregorian dates, and one ``info`` issue per change
    (``thai_digits``, ``buddhist_era_date``) naming the row (from 1) and the column (the first
    ``PER_COLUMN`` of a column one by one, then how many more).

    Text that is not a number or a date (names, addresses) keeps its Thai digits. Each distinct
    value of a column is looked at once."""
    out = frame.copy()
    found: list[Issue] = []
    where: dict[str, Any] = {"file": file, "layer": layer, "sheet": sheet}
    for column in out.columns:
        cells = out[column].to_numpy(dtype=object)
        try:
            codes, uniques = pd.factorize(cells, use_na_sentinel=True)
        except TypeError:  # unhashable cells (lists, dicts) are never numbers or dates
            continue
        if not len(uniques):
            continue
        # Cheap filter first (one regex per distinct value): only text with a Thai digit or
        # the shape of a date can change; ids, phone numbers and coordinates cannot.
        text = pd.Series(uniques, dtype=object)
        text = text.where(text.map(lambda v: isinstance(v, str)).astype(bool), "")
        maybe = np.flatnonzero(text.str.contains(_MAYBE, regex=True).to_numpy(dtype=bool))
        changes = {int(k): change for k in maybe
                   if (change := _normalised(uniques[k])) is not None}
        if not changes:
            continue
        new_values = np.array(uniques, dtype=object)
        for k, change in changes.items():
            new_values[k] = change[0]
        hit = np.isin(codes, np.fromiter(changes, dtype=codes.dtype))
        rows = np.flatnonzero(hit)
        values = cells.copy()
        values[rows] = new_values[codes[rows]]
        out[column] = pd.Series(values, index=out.index, dtype=object)
        items = []
        for i in rows[:PER_COLUMN + 1]:
            _new, code, th, en = changes[int(codes[i])]
            items.append(issue(code, Severity.INFO, th, en, row=int(i) + 1, field=str(column),
                               **where))
        if len(rows) > PER_COLUMN:  # counted, not listed
            items[PER_COLUMN:] = _capped_rest(items[PER_COLUMN].code, len(rows) - PER_COLUMN,
                                              str(column), where)
        found.extend(items)
    return out, found


def _normalised(value: Any) -> tuple[str, str, str, str] | None:
    """(new text, issue code, Thai message, English message) when ``value`` is a Buddhist-Era
    date or a number/date written in Thai digits; None when it stays as it is."""
    # Only text with a digit (Arabic or Thai) can be a number or a date.
    if not isinstance(value, str) or not any(ch.isdigit() for ch in value):
        return None
    parsed = _parse(value)
    if parsed is not None and parsed[1]:
        new = parsed[0].isoformat()
        return (new, "buddhist_era_date", f"แปลงวันที่ พ.ศ. '{value}' เป็น ค.ศ. {new}",
                f"Buddhist-Era date '{value}' read as {new}")
    arabic = thai_digits_to_arabic(value)
    if arabic != value and _NUMERIC.match(arabic):
        return (arabic, "thai_digits", f"แปลงเลขไทย '{value}' เป็น '{arabic}'",
                f"Thai digits '{value}' read as '{arabic}'")
    if parsed is not None and arabic != value:
        new = parsed[0].isoformat()
        return (new, "thai_digits", f"แปลงวันที่ที่เขียนด้วยเลขไทย '{value}' เป็น {new}",
                f"date in Thai digits '{value}' read as {new}")
    return None


PER_COLUMN = 20  # info findings listed one by one per column; the rest are counted


def _capped_rest(code: str, rest: int, column: str, where: dict[str, Any]) -> list[Issue]:
    """The one finding that counts the ``rest`` of a column's changes."""
    return [issue(
        code, Severity.INFO,
        f"และอีก {rest:,} แถวในคอลัมน์ {column} ที่แปลงแบบเดียวกัน",
        f"and {rest:,} more rows of column {column} normalised the same way",
        field=column, **where)]
