"""Thai digits and Buddhist-Era dates, as typed in Thai survey sheets."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from gis.io.model import Severity
from gis.io.thai import normalise_thai, parse_thai_date, thai_digits_to_arabic


def test_thai_digits() -> None:
    assert thai_digits_to_arabic("๐๑๒๓๔๕๖๗๘๙") == "0123456789"
    assert thai_digits_to_arabic("บ้านเลขที่ ๑๒/๓") == "บ้านเลขที่ 12/3"


@pytest.mark.parametrize("text", [
    "2567-05-01", "1 พ.ค. 67", "1 พ.ค. 2567", "1 พฤษภาคม 2567", "01/05/2567", "1/5/67",
    "2024-05-01", "๑ พ.ค. ๒๕๖๗", "๐๑/๐๕/๒๕๖๗", "1 พค 67", "1 May 2024", "2567-05-01 09:30:00",
])
def test_dates(text: str) -> None:
    assert parse_thai_date(text) == date(2024, 5, 1)


@pytest.mark.parametrize("text", ["", "31/02/2567", "1 ฟ้า 2567", "13.7525", "นางสมศรี", "2567"])
def test_not_dates(text: str) -> None:
    assert parse_thai_date(text) is None


@pytest.mark.parametrize(("text", "year"), [
    ("1 พ.ค. 24", 1981), ("01/05/67", 2024), ("01/05/24", 2024), ("1 May 24", 2024),
    ("1 พฤษภาคม 2500", 1957), ("01/05/1999", 1999),
])
def test_short_and_old_years(text: str, year: int) -> None:
    assert parse_thai_date(text) == date(year, 5, 1)


def test_every_thai_month_abbreviation() -> None:
    months = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.",
              "พ.ย.", "ธ.ค."]
    assert [parse_thai_date(f"15 {m} 2566") for m in months] == [
        date(2023, n, 15) for n in range(1, 13)]


def test_normalise_reports_each_change_with_its_row() -> None:
    frame = pd.DataFrame({
        "วันที่": pd.Series(["1 พ.ค. 67", "2024-05-02", None], dtype=object),
        "จำนวนสมาชิก": pd.Series(["๔", "3", "๑๒"], dtype=object),
        "ที่อยู่": pd.Series(["๑๒ หมู่ ๓", "ซอย ๕", ""], dtype=object),
    })
    out, found = normalise_thai(frame, file="s.csv", layer="s")
    assert list(out["วันที่"]) == ["2024-05-01", "2024-05-02", None]  # Gregorian left as is
    assert list(out["จำนวนสมาชิก"]) == ["4", "3", "12"]
    assert list(out["ที่อยู่"]) == ["๑๒ หมู่ ๓", "ซอย ๕", ""]  # text keeps its digits
    assert [(i.code, i.row, i.field) for i in found] == [
        ("buddhist_era_date", 1, "วันที่"), ("thai_digits", 1, "จำนวนสมาชิก"),
        ("thai_digits", 3, "จำนวนสมาชิก")]
    assert all(i.severity == Severity.INFO and i.file == "s.csv" for i in found)
    assert list(frame["จำนวนสมาชิก"]) == ["๔", "3", "๑๒"]  # the input is not modified
