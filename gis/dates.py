"""Dates as Thai readers expect them: Buddhist-Era years, Thai month names, Bangkok time.

Babel has the Thai month names, wide (``พฤศจิกายน``) and abbreviated with their dots
(``พ.ย.``), but no Buddhist calendar. Since 1941 the Thai solar year starts on 1 January, like
the Gregorian one, so the Buddhist-Era year is simply the Common-Era year + 543 on every day of
the year.

>>> import datetime
>>> format_date(datetime.date(2026, 11, 23), "th")
'23 พฤศจิกายน 2569'
>>> format_date(datetime.date(2026, 11, 23), "en", "ce")
'23 November 2026'
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Final, Literal, get_args
from zoneinfo import ZoneInfo

from babel.dates import get_month_names

Era = Literal["be", "ce"]
"""``"be"``: Buddhist Era (พ.ศ., CE + 543); ``"ce"``: Common Era (ค.ศ.)."""

DateStyle = Literal["long", "short", "month"]
"""``"long"``: 23 พฤศจิกายน 2569; ``"short"``: 23 พ.ย. 2569; ``"month"``: พฤศจิกายน 2569."""

BE_OFFSET: Final = 543
BANGKOK: Final = "Asia/Bangkok"
LANGS: Final = ("th", "en")


def be_year(year: int) -> int:
    """Buddhist-Era year of a Common-Era year.

    Parameters
    ----------
    year : int
        Common-Era (Gregorian) year, e.g. 2026.

    Returns
    -------
    int
        The Buddhist-Era year, e.g. 2569.
    """
    return year + BE_OFFSET


def ce_year(be: int) -> int:
    """Common-Era year of a Buddhist-Era year.

    Parameters
    ----------
    be : int
        Buddhist-Era year, e.g. 2569.

    Returns
    -------
    int
        The Common-Era (Gregorian) year, e.g. 2026.
    """
    return be - BE_OFFSET


def format_date(d: dt.date, lang: str, era: Era = "be", *, style: DateStyle = "long") -> str:
    """Write a date the way Thai and English readers of Landmap's pages and reports expect.

    Parameters
    ----------
    d : datetime.date
        The calendar date. A ``datetime`` is refused: use `format_datetime`, which first
        converts it to Bangkok time, so that 18:30 UTC is shown as the next day.
    lang : {"th", "en"}
        Language of the month name.
    era : {"be", "ce"}, default "be"
        Year in the Buddhist Era (CE + 543) or the Common Era. English marks the Buddhist Era
        with a trailing "BE"; Thai writes the bare year in both eras.
    style : {"long", "short", "month"}, default "long"
        ``23 พฤศจิกายน 2569``, ``23 พ.ย. 2569`` or ``พฤศจิกายน 2569``
        (English: ``23 November 2026``, ``23 Nov 2026``, ``November 2026``).

    Returns
    -------
    str
        The formatted date, day without a leading zero.

    Raises
    ------
    TypeError
        If `d` is a ``datetime`` rather than a ``date``.
    ValueError
        If `lang`, `era` or `style` is not one of the values above.
    """
    if isinstance(d, dt.datetime):
        raise TypeError(
            f"format_date takes a date, got the datetime {d!r}: use format_datetime, which "
            "converts to Bangkok time before taking the date"
        )
    _check("lang", lang, LANGS)
    _check("era", era, get_args(Era))
    _check("style", style, get_args(DateStyle))
    year = be_year(d.year) if era == "be" else d.year
    year_text = f"{year} BE" if era == "be" and lang == "en" else str(year)
    if style == "month":
        # "stand-alone" is the CLDR form for a month named without a day; identical to the
        # "format" form in Thai and English, but the right one to ask for.
        return f"{_month_names(lang, 'wide', 'stand-alone')[d.month]} {year_text}"
    width: Literal["wide", "abbreviated"] = "wide" if style == "long" else "abbreviated"
    return f"{d.day} {_month_names(lang, width, 'format')[d.month]} {year_text}"


def format_datetime(ts: dt.datetime, lang: str, era: Era = "be", *, tz: str = BANGKOK) -> str:
    """Write a moment as its long date and ``HH:MM`` in local (by default Bangkok) time.

    Parameters
    ----------
    ts : datetime.datetime
        The moment. A naive datetime is taken to be UTC, as the store writes ``updated_at``.
    lang : {"th", "en"}
        Language of the month name.
    era : {"be", "ce"}, default "be"
        Era of the year, as in `format_date`.
    tz : str, default "Asia/Bangkok"
        IANA time zone the reader lives in.

    Returns
    -------
    str
        E.g. ``23 พฤศจิกายน 2569 01:30`` for 2026-11-22T18:30Z.

    Raises
    ------
    ValueError
        If `lang` or `era` is not one of the values above.
    zoneinfo.ZoneInfoNotFoundError
        If `tz` is not a known time zone.
    """
    aware = ts if ts.utcoffset() is not None else ts.replace(tzinfo=dt.UTC)
    local = aware.astimezone(ZoneInfo(tz))
    return f"{format_date(local.date(), lang, era)} {local:%H:%M}"


@functools.cache
def _month_names(
    lang: str,
    width: Literal["wide", "abbreviated"],
    context: Literal["format", "stand-alone"],
) -> dict[int, str]:
    # Babel's abbreviated Thai names already carry the dots (ม.ค. … ธ.ค.); the tests pin all twelve.
    names = get_month_names(width, context, locale=lang)
    return {int(month): str(name) for month, name in names.items()}


def _check(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")


def utc_now() -> dt.datetime:
    """The current time, timezone-aware, in UTC (how Landmap stores times)."""
    return dt.datetime.now(dt.UTC)


def today(tz: str = BANGKOK) -> dt.date:
    """Today's date where the users are (Bangkok by default), not the server's UTC date."""
    return utc_now().astimezone(ZoneInfo(tz)).date()
