"""CSV and XLSX readers: survey tables with a point position per row.

Both share one path: cells as text → find the header (skip a title block, notice a headerless
file) → drop a total row → Thai digits and Buddhist-Era dates → coordinates (``gis.io.coords``).
Rows are numbered from 1 = the first data row after the header.
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
import zipfile
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any

from gis.io.coords import locate
from gis.io.encoding import detect, normalise
from gis.io.model import Issue, Options, RawLayer, ReadResult, Severity, issue
from gis.io.table_shape import Table, shape_table
from gis.io.thai import normalise_thai

DELIMITERS = (",", ";", "\t", "|")


def read_csv(data: bytes, filename: str, options: Options) -> ReadResult:
    """Read a CSV file: encoding from ``options["encoding"]``, else the BOM, else detected
    (UTF-8 or cp874); delimiter sniffed (comma, semicolon, tab or pipe)."""
    result = ReadResult(filename, "csv")
    encoding, how = _encoding(data, options)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        text = data.decode(encoding, errors="replace")
        result.issues.append(issue(
            "bad_encoding", Severity.WARNING,
            f"บางไบต์อ่านด้วยรหัส {encoding} ไม่ได้ (ตำแหน่ง {error.start}) จึงแทนด้วย �",
            f"some bytes are not valid {encoding} (at byte {error.start}); replaced with �",
            fix_th="ระบุรหัสอักขระของไฟล์ (เช่น cp874 หรือ utf-8)",
            fix_en="give the file's encoding (e.g. cp874 or utf-8)", file=filename))
    text = text.removeprefix("\ufeff")
    delimiter = sniff_delimiter(text)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    layer = _layer(rows, PurePath(filename).stem or filename, filename, None)
    layer.encoding = encoding
    layer.meta.update({"delimiter": delimiter, "encoding_how": how})
    result.layers.append(layer)
    return result


def read_xlsx(data: bytes, filename: str, options: Options) -> ReadResult:
    """Read an XLSX workbook: one layer per sheet that has data (``RawLayer.sheet`` set)."""
    del options  # nothing to choose: XLSX text is always Unicode
    from openpyxl import load_workbook  # type: ignore[import-untyped]  # ships no stubs

    result = ReadResult(filename, "xlsx")
    try:
        # openpyxl warns about workbook features it ignores (data validation, default styles);
        # they say nothing about the data, so they are silenced here and only here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        result.issues.append(issue(
            "unreadable_xlsx", Severity.ERROR,
            f"เปิดไฟล์ Excel ไม่ได้ ({error})", f"the Excel file cannot be opened ({error})",
            fix_th="เปิดใน Excel แล้วบันทึกใหม่เป็น .xlsx",
            fix_en="open it in Excel and save it again as .xlsx", file=filename))
        return result
    try:
        for sheet in book.worksheets:
            rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            if not any(any(c for c in row) for row in rows):
                continue
            result.layers.append(_layer(rows, sheet.title, filename, sheet.title))
    finally:
        book.close()
    if not result.layers:
        result.issues.append(issue(
            "no_data", Severity.ERROR, "ไม่มีข้อมูลในแผ่นงานใดเลย", "no sheet holds any data",
            file=filename))
    return result


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most lines into the same number (≥ 2) of fields."""
    sample = "\n".join(text.splitlines()[:50])
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r]
        widths = [c for c in counts if c >= 2]
        if not widths:
            continue
        mode = max(set(widths), key=widths.count)
        score = (widths.count(mode), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _encoding(data: bytes, options: Options) -> tuple[str, str]:
    given = normalise(options.get("encoding"))
    if given:
        return given, "given"
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "declared"
    guess = detect(data.splitlines()[:2000])
    return guess.encoding, guess.how


def _cell(value: Any) -> str:
    """An XLSX cell as text: whole floats without ``.0`` (zones, codes), dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _layer(rows: list[list[str]], name: str, filename: str, sheet: str | None) -> RawLayer:
    where: dict[str, Any] = {"file": filename, "layer": name, "sheet": sheet}
    table: Table = shape_table(rows, where)
    frame, thai_issues = normalise_thai(table.frame, **where)
    located = locate(frame, headerless=table.headerless, **where)
    issues: list[Issue] = [*table.issues, *thai_issues, *located.issues]
    return RawLayer(
        name=name, frame=frame, geometry=located.geometry, crs_epsg=located.crs_epsg,
        crs_source=located.crs_source, crs_candidates=located.crs_candidates, sheet=sheet,
        issues=issues, meta={"coordinate_columns": list(located.columns),
                             "headerless": table.headerless,
                             "header_line": table.header_line})
