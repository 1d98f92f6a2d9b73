"""The shape of a table typed by people: where the header is, where the data ends.

Spreadsheets from Thai offices often start with a title block (the project, the community, the
date on lines of their own), put the header on two rows (a group title such as ``ที่ตั้ง``
merged over ``ละติจูด | ลองจิจูด``) and end with a total row (``รวม``); government lists are
often headerless. ``shape_table`` finds the header row, joins a two-row header into one name per
column, names the columns of a headerless table ``column_1``…, and drops a total row, reporting
each decision as an ``info`` issue.
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
HEAD_LINES = MAX_TITLE_LINES + 210  # lines looked at to find the header (title, 2 rows, 200)
MAX_LABEL_LENGTH = 40  # a header label longer than this is text, not a label
# Sub-labels that say nothing without the group title above them: "เนื้อที่" over "ไร่ | งาน |
# วา", "จำนวนสมาชิก" over "ชาย | หญิง", "พิกัด" over "X | Y". Compared without dots or spaces.
GENERIC_SUBLABELS = frozenset({
    "ชาย", "หญิง", "รวม", "จำนวน", "คน", "ราย", "หลัง", "ไร่", "งาน", "วา", "ตรว", "ตารางวา",
    "ม", "เมตร", "กม", "บาท", "ปี", "เดือน", "วัน", "ครั้ง", "ร้อยละ", "%", "มี", "ไม่มี",
    "ใช่", "ไม่ใช่", "อื่นๆ", "x", "y", "e", "n",
    "male", "female", "total", "yes", "no", "number", "count", "other", "rai", "ngan", "wa",
})


@dataclass
class Table:
    frame: pd.DataFrame  # text cells (None when empty), original header names
    headerless: bool
    header_line: int | None  # 1-based line (or sheet row) of the header; None when headerless
    issues: list[Issue] = field(default_factory=list)
    header_rows: int = 1  # 2 when a group-title row stands above the column labels


def shape_table(rows: list[list[str]], where: dict[str, Any]) -> Table:
    """Header, columns and data rows of ``rows`` (cells as text, as read from CSV or a sheet).

    Fully empty lines are not rows. Data rows are numbered from 1 after the header."""
    raw = [(n, row) for n, row in enumerate(rows, start=1) if "".join(row).strip()]
    found: list[Issue] = []
    if not raw:
        return Table(pd.DataFrame(), False, None, found)
    # Only the top of the table decides where the header is: its cells are stripped here, the
    # data's cells column by column below.
    lines = [(n, [c.strip() for c in row]) for n, row in raw[:HEAD_LINES]]
    typical = statistics.median(_filled(row) for _, row in lines)
    skipped = 0
    header_rows = 1
    while (skipped < min(MAX_TITLE_LINES, len(lines) - 1) and typical >= 3
           and _filled(lines[skipped][1]) <= 2):
        skipped += 1
    # A group-title row with one or two groups ("ที่ตั้ง" over ละติจูด | ลองจิจูด) is sparse like
    # a title line, but a title starts in the first column and a group title does not.
    if (skipped and not lines[skipped - 1][1][0] and len(lines) - skipped >= 2
            and _second_header(lines[skipped - 1][1], lines[skipped][1],
                               [row for _, row in lines[skipped + 1:skipped + 200]])):
        skipped -= 1
    if skipped:
        title = " / ".join(" ".join(c for c in row if c) for _, row in lines[:skipped])
        found.append(issue(
            "title_block", Severity.INFO,
            f"ข้ามหัวเรื่อง {skipped} บรรทัดเหนือหัวตาราง: {title}",
            f"skipped {skipped} title line(s) above the header: {title}", **where))
    lines = lines[skipped:]
    raw = raw[skipped:]
    headerless = _looks_like_data(lines[0][1], [row for _, row in lines[1:200]])
    width = max(len(row) for _, row in raw)
    if headerless:
        names = [f"column_{i + 1}" for i in range(width)]
        header_line = None
        body = raw
        found.append(issue(
            "headerless", Severity.INFO,
            "แถวแรกเป็นข้อมูล ไม่ใช่หัวตาราง จึงตั้งชื่อคอลัมน์เป็น column_1, column_2, …",
            "the first row is data, not a header; columns are named column_1, column_2, …",
            fix_th="เพิ่มแถวหัวตารางถ้าต้องการชื่อคอลัมน์",
            fix_en="add a header row to name the columns", **where))
    elif len(lines) >= 3 and _second_header(lines[0][1], lines[1][1],
                                            [row for _, row in lines[2:200]]):
        header_line = lines[0][0]
        header_rows = 2
        names, grouped = _two_row_names(lines[0][1], lines[1][1], width)
        body = raw[2:]
        found.append(issue(
            "two_row_header", Severity.INFO,
            f"หัวตารางมีสองแถว (แถว {lines[0][0]} และ {lines[1][0]}) จึงรวมเป็นชื่อคอลัมน์: "
            + ", ".join(grouped),
            f"the header takes two rows ({lines[0][0]} and {lines[1][0]}); the columns under a "
            "group title are named " + ", ".join(grouped), **where))
    else:
        header_line, header = lines[0]
        names = _names(header, width)
        body = raw[1:]
    frame = _cells(body, names)
    frame, dropped = _drop_totals(frame)
    for index in dropped:
        found.append(issue(
            "total_row", Severity.INFO,
            "ไม่นำเข้าแถวผลรวมท้ายตาราง", "the total row at the end of the table is not imported",
            row=index + 1, **where))
    return Table(frame, headerless, header_line, found, header_rows)


def _cells(body: list[tuple[int, list[str]]], names: list[str]) -> pd.DataFrame:
    """The data rows as text columns: stripped, None where a cell is blank or missing."""
    width = len(names)
    rows = [row if len(row) == width else (row + [""] * width)[:width] for _, row in body]
    columns = list(zip(*rows, strict=True)) if rows else [()] * width
    return pd.DataFrame({name: pd.Series([c.strip() or None for c in column], dtype=object)
                         for name, column in zip(names, columns, strict=True)}, dtype=object)


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


def _second_header(upper: list[str], lower: list[str], rest: list[list[str]]) -> bool:
    """Whether ``lower`` is the second row of a header that starts with ``upper``: a group title
    in ``upper`` stands over two or more labels of ``lower`` (the cells after it are blank, as
    Excel leaves a merged cell), ``lower`` is short text, and it has text over a column that
    holds numbers below — where a first row of data would have a number or nothing."""
    width = max(len(upper), len(lower))
    up, low = _padded(upper, width), _padded(lower, width)
    labels = [c for c in low if c]
    if len(labels) < 2 or any(_numeric(c) or len(c) > MAX_LABEL_LENGTH for c in labels):
        return False
    if not any(up[i] and low[i] and not up[i + 1] and low[i + 1] for i in range(width - 1)):
        return False
    numeric_below = [
        i for i in range(width)
        if (below := [r[i] for r in rest if i < len(r) and r[i]])
        and sum(map(_numeric, below)) >= 0.8 * len(below)]
    return any(low[i] for i in numeric_below)


def _two_row_names(upper: list[str], lower: list[str], width: int) -> tuple[list[str], list[str]]:
    """One name per column from a two-row header, and the names of the columns under a group
    title. A label keeps its own name when it is unique and says something alone
    (``ละติจูด``); otherwise the group title goes before it (``เนื้อที่ ไร่``). A blank cell
    of ``upper`` continues the group on its left while ``lower`` has labels under it."""
    up, low = _padded(upper, width), _padded(lower, width)
    groups: list[str] = []
    for i in range(width):
        if up[i]:
            groups.append(up[i])
        elif low[i] and i and groups[i - 1] and low[i - 1]:
            groups.append(groups[i - 1])
        else:
            groups.append("")
    counts: dict[str, int] = {}
    for label in low:
        if label:
            counts[label] = counts.get(label, 0) + 1
    header: list[str] = []
    grouped: list[str] = []
    for group, label in zip(groups, low, strict=True):
        if not label:
            header.append(group)
        elif not group or group == label:
            header.append(label)
        else:
            plain = re.sub(r"[.\s]", "", label).casefold()
            alone = counts[label] == 1 and plain not in GENERIC_SUBLABELS
            header.append(label if alone else f"{group} {label}")
            grouped.append(header[-1])
    return _names(header, width), grouped


def _padded(row: list[str], width: int) -> list[str]:
    return row + [""] * (width - len(row))


def _names(header: list[str], width: int) -> list[str]:
    names: list[str] = []
    for i in range(width):
        name = header[i] if i < len(header) and header[i] else f"column_{i + 1}"
        base, n = name, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return names


def _drop_totals(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """The rows without a total row at the end, and the (0-based) indices dropped: a row
    whose first cells say รวม/Total/ทั้งหมด, or a mostly empty row of numbers one of which is
    the sum of its column."""
    dropped: list[int] = []
    while len(frame) >= 2 and _is_total([c or "" for c in frame.iloc[-1].tolist()],
                                        frame.iloc[:-1]):
        dropped.append(len(frame) - 1)
        frame = frame.iloc[:-1]
    return frame.reset_index(drop=True), sorted(dropped)


def _is_total(row: list[str], above: pd.DataFrame) -> bool:
    for cell in row[:3]:
        text = cell.lower()
        if len(text) <= 30 and TOTAL_LABEL.match(text):
            return True
    cells = [(i, c) for i, c in enumerate(row) if c]
    if not cells or len(cells) > max(1, len(row) // 3) or not all(_numeric(c) for _, c in cells):
        return False
    for i, cell in cells:
        values = [parse_number(thai_digits_to_arabic(c), metres=True)
                  for c in above.iloc[:, i] if c is not None]
        total = sum(v for v in values if v is not None)
        value = parse_number(thai_digits_to_arabic(cell), metres=True)
        if value is not None and len(above) >= 2 and abs(value - total) <= 1e-6 * max(1, total):
            return True
    return False
