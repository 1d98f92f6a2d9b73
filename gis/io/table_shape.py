"""The shape of a table typed by people: where the header is, where the data ends.

Spreadsheets from Thai offices often start with a title block (the project, the community, the
date on lines of their own) and end with a total row (``รวม``); government lists are often
headerless. ``shape_table`` finds the header row, names the columns of a headerless table
``column_1``…, and drops a total row, reporting each decision as an ``info`` issue.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from gis.io.coord_values import parse_number
from gis.io.model import Issue, Severity, issue
from gis.io.thai import thai_digits_to_arabic

# A total label alone or followed by a space, colon or number: "รวม", "รวม 59 ตำบล", "Total:";
# not a village or person named รวมใจ… on the last line.
TOTAL_LABEL = re.compile(r"^(รวมทั้งสิ้น|รวมทั้งหมด|รวม|ทั้งหมด|grand\s+total|total|sum)(\s|:|$)")
MAX_TITLE_LINES = 10


@dataclass
class Table:
    frame: pd.DataFrame  # text cells (None when empty), original header names
    headerless: bool
    header_line: int | None  # 1-based line (or sheet row) of the header; None when headerless
    issues: list[Issue] = field(default_factory=list)


def shape_table(rows: list[list[str]], where: dict[str, Any]) -> Table:
    """Header, columns and data rows of ``rows`` (cells as text, as read from CSV or a sheet).

    Fully empty lines are not rows. Data rows are numbered from 1 after the header."""
    lines = [(n, [c.strip() for c in row]) for n, row in enumerate(rows, start=1)
             if any(c.strip() for c in row)]
    found: list[Issue] = []
    if not lines:
        return Table(pd.DataFrame(), False, None, found)
    typical = statistics.median(_filled(row) for _, row in lines)
    skipped = 0
    while (skipped < min(MAX_TITLE_LINES, len(lines) - 1) and typical >= 3
           and _filled(lines[skipped][1]) <= 2):
        skipped += 1
    if skipped:
        title = " / ".join(" ".join(c for c in row if c) for _, row in lines[:skipped])
        found.append(issue(
            "title_block", Severity.INFO,
            f"ข้ามหัวเรื่อง {skipped} บรรทัดเหนือหัวตาราง: {title}",
            f"skipped {skipped} title line(s) above the header: {title}", **where))
    lines = lines[skipped:]
    headerless = _looks_like_data(lines[0][1], [row for _, row in lines[1:200]])
    width = max(len(row) for _, row in lines)
    if headerless:
        names = [f"column_{i + 1}" for i in range(width)]
        header_line = None
        body = lines
        found.append(issue(
            "headerless", Severity.INFO,
            "แถวแรกเป็นข้อมูล ไม่ใช่หัวตาราง จึงตั้งชื่อคอลัมน์เป็น column_1, column_2, …",
            "the first row is data, not a header; columns are named column_1, column_2, …",
            fix_th="เพิ่มแถวหัวตารางถ้าต้องการชื่อคอลัมน์",
            fix_en="add a header row to name the columns", **where))
    else:
        header_line, header = lines[0]
        names = _names(header, width)
        body = lines[1:]
    data = [row + [""] * (width - len(row)) for _, row in body]
    data, dropped = _drop_totals(data)
    for index in dropped:
        found.append(issue(
            "total_row", Severity.INFO,
            "ไม่นำเข้าแถวผลรวมท้ายตาราง", "the total row at the end of the table is not imported",
            row=index + 1, **where))
    frame = pd.DataFrame({name: pd.Series([row[i] or None for row in data], dtype=object)
                          for i, name in enumerate(names)})
    return Table(frame, headerless, header_line, found)


def _filled(row: list[str]) -> int:
    return sum(bool(c) for c in row)


def _numeric(text: str) -> bool:
    return parse_number(thai_digits_to_arabic(text), metres=True) is not None


def _looks_like_data(first: list[str], rest: list[list[str]]) -> bool:
    """Whether ``first`` is a data row: it has numbers where the rows below have numbers."""
    cells = [c for c in first if c]
    if not cells:
        return False
    numeric_columns = []
    for i in range(len(first)):
        below = [row[i] for row in rest if i < len(row) and row[i]]
        if below and sum(map(_numeric, below)) >= 0.8 * len(below):
            numeric_columns.append(i)
    if numeric_columns:
        hits = sum(_numeric(first[i]) for i in numeric_columns if first[i])
        return hits >= 0.5 * len(numeric_columns)
    return sum(map(_numeric, cells)) >= 0.5 * len(cells)


def _names(header: list[str], width: int) -> list[str]:
    names: list[str] = []
    for i in range(width):
        name = header[i] if i < len(header) and header[i] else f"column_{i + 1}"
        base, n = name, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return names


def _drop_totals(data: list[list[str]]) -> tuple[list[list[str]], list[int]]:
    """The rows without a total row at the end, and the (0-based) indices dropped: a row
    whose first cells say รวม/Total/ทั้งหมด, or a mostly empty row of numbers one of which is
    the sum of its column."""
    dropped: list[int] = []
    while len(data) >= 2 and _is_total(data[-1], data[:-1]):
        dropped.append(len(data) - 1)
        data = data[:-1]
    return data, sorted(dropped)


def _is_total(row: list[str], above: list[list[str]]) -> bool:
    for cell in row[:3]:
        text = cell.lower()
        if len(text) <= 30 and TOTAL_LABEL.match(text):
            return True
    cells = [(i, c) for i, c in enumerate(row) if c]
    if not cells or len(cells) > max(1, len(row) // 3) or not all(_numeric(c) for _, c in cells):
        return False
    for i, cell in cells:
        values = [parse_number(thai_digits_to_arabic(r[i]), metres=True) for r in above]
        total = sum(v for v in values if v is not None)
        value = parse_number(thai_digits_to_arabic(cell), metres=True)
        if value is not None and len(above) >= 2 and abs(value - total) <= 1e-6 * max(1, total):
            return True
    return False
