"""gis.dates: Buddhist-Era years, Thai and English month names, Bangkok time.

The expected month names are written out here rather than read from Babel, so that a change in
Babel's locale data shows up as a failing test instead of silently changing every report.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gis.dates import be_year, ce_year, format_date, format_datetime

NOV_23 = dt.date(2026, 11, 23)

THAI_WIDE = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
THAI_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
ENGLISH_WIDE = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
ENGLISH_SHORT = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "era", "style", "expected"),
    [
        ("th", "be", "long", "23 พฤศจิกายน 2569"),
        ("th", "ce", "long", "23 พฤศจิกายน 2026"),
        ("th", "be", "short", "23 พ.ย. 2569"),
        ("th", "ce", "short", "23 พ.ย. 2026"),
        ("th", "be", "month", "พฤศจิกายน 2569"),
        ("en", "ce", "long", "23 November 2026"),
        ("en", "be", "long", "23 November 2569 BE"),
        ("en", "ce", "short", "23 Nov 2026"),
        ("en", "ce", "month", "November 2026"),
        ("en", "be", "month", "November 2569 BE"),
    ],
)
def test_the_examples(lang: str, era: str, style: str, expected: str) -> None:
    assert format_date(NOV_23, lang, era, style=style) == expected  # type: ignore[arg-type]


def test_buddhist_era_is_the_default() -> None:
    assert format_date(NOV_23, "th") == "23 พฤศจิกายน 2569"


@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_in_both_languages(month: int) -> None:
    d = dt.date(2026, month, 1)
    assert format_date(d, "th") == f"1 {THAI_WIDE[month - 1]} 2569"
    assert format_date(d, "th", style="short") == f"1 {THAI_SHORT[month - 1]} 2569"
    assert format_date(d, "th", style="month") == f"{THAI_WIDE[month - 1]} 2569"
    assert format_date(d, "en", "ce") == f"1 {ENGLISH_WIDE[month - 1]} 2026"
    assert format_date(d, "en", "ce", style="short") == f"1 {ENGLISH_SHORT[month - 1]} 2026"
    assert format_date(d, "en", "ce", style="month") == f"{ENGLISH_WIDE[month - 1]} 2026"


def test_leap_day() -> None:
    assert format_date(dt.date(2024, 2, 29), "th") == "29 กุมภาพันธ์ 2567"
    assert format_date(dt.date(2024, 2, 29), "en") == "29 February 2567 BE"


def test_new_year_changes_the_buddhist_year_on_1_january() -> None:
    assert format_date(dt.date(2025, 12, 31), "th") == "31 ธันวาคม 2568"
    assert format_date(dt.date(2026, 1, 1), "th") == "1 มกราคม 2569"


def test_year_conversions() -> None:
    assert be_year(2026) == 2569
    assert ce_year(2569) == 2026


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_be_and_ce_years_round_trip(year: int) -> None:
    assert ce_year(be_year(year)) == year
    assert be_year(ce_year(year)) == year


@given(st.dates(), st.sampled_from(["long", "short", "month"]))
def test_the_buddhist_year_is_always_the_common_year_plus_543(d: dt.date, style: str) -> None:
    th_be = format_date(d, "th", "be", style=style)  # type: ignore[arg-type]
    th_ce = format_date(d, "th", "ce", style=style)  # type: ignore[arg-type]
    en_be = format_date(d, "en", "be", style=style)  # type: ignore[arg-type]
    assert th_be.rsplit(" ", 1) == [th_ce.rsplit(" ", 1)[0], str(d.year + 543)]
    assert th_ce.endswith(f" {d.year}")
    assert en_be.endswith(f" {d.year + 543} BE")


def test_datetime_is_shown_in_bangkok_time_across_midnight_utc() -> None:
    ts = dt.datetime(2026, 11, 22, 18, 30, tzinfo=dt.UTC)
    assert format_datetime(ts, "th") == "23 พฤศจิกายน 2569 01:30"
    assert format_datetime(ts, "en", "ce") == "23 November 2026 01:30"


def test_naive_datetime_is_utc() -> None:
    assert format_datetime(dt.datetime(2026, 11, 22, 18, 30), "th") == "23 พฤศจิกายน 2569 01:30"


def test_aware_datetime_in_another_zone_is_converted() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    ts = dt.datetime(2026, 11, 22, 19, 30, tzinfo=paris)  # 18:30 UTC
    assert format_datetime(ts, "th") == "23 พฤศจิกายน 2569 01:30"
    assert format_datetime(ts, "en", "ce", tz="Europe/Paris") == "22 November 2026 19:30"


def test_format_date_refuses_a_datetime() -> None:
    # A datetime is a date too: taking its date part directly would show 18:30 UTC on the
    # 22nd, when it is already the 23rd in Thailand.
    with pytest.raises(TypeError, match="format_datetime"):
        format_date(dt.datetime(2026, 11, 22, 18, 30, tzinfo=dt.UTC), "th")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lang": "fr"}, "lang must be one of 'th', 'en', got 'fr'"),
        ({"era": "ad"}, "era must be one of 'be', 'ce', got 'ad'"),
        ({"style": "full"}, "style must be one of 'long', 'short', 'month', got 'full'"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, str], message: str) -> None:
    args = {"lang": "th", "era": "be", "style": "long", **kwargs}
    with pytest.raises(ValueError, match=message):
        format_date(NOV_23, args["lang"], args["era"], style=args["style"])  # type: ignore[arg-type]
