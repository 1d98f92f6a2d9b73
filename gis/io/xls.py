"""Legacy Excel workbooks (``.xls``: BIFF records in an OLE2 container), as many government
offices and old KoboToolbox exports still write them.

Read with ``xlrd`` into text cells, then through the same path as XLSX (``gis.io.tabular``): one
layer per sheet, rows from 1 after the header. Excel stores dates as day serials counted from
1900 or 1904 (the workbook's ``datemode``); date-formatted cells become ISO dates.
"""

from __future__ import annotations

import io
import struct
from datetime import datetime, time
from typing import Any

from gis.io.model import Options, ReadResult, Severity, issue
from gis.io.tabular import cell_text, read_sheets

# xlrd reports a damaged file through whatever its parser trips on: its own errors, a short
# struct, a missing record (IndexError/KeyError), an unknown code page (LookupError), a failed
# assert on a record's layout, a bad length (TypeError/ValueError).
_BROKEN: tuple[type[Exception], ...] = (
    struct.error, AssertionError, LookupError, TypeError, ValueError, ArithmeticError,
    EOFError, OSError)


def read_xls(data: bytes, filename: str, options: Options) -> ReadResult:
    """Read an ``.xls`` workbook: one layer per sheet that has data (``RawLayer.sheet`` set);
    a file that cannot be read is an ``unreadable_xls`` error, never an exception."""
    del options  # nothing to choose: xlrd decodes text from the workbook's code page
    import xlrd  # type: ignore[import-untyped]  # ships no stubs

    result = ReadResult(filename, "xls")
    try:
        # xlrd writes its warnings about odd files to a log; they say nothing about the data.
        book = xlrd.open_workbook(file_contents=data, logfile=io.StringIO())
        sheets = [(sheet.name, [[_text(cell, book.datemode) for cell in sheet.row(r)]
                                for r in range(sheet.nrows)])
                  for sheet in book.sheets()]
    except (xlrd.XLRDError, xlrd.compdoc.CompDocError, *_BROKEN) as error:
        result.issues.append(issue(
            "unreadable_xls", Severity.ERROR,
            f"เปิดไฟล์ Excel (.xls) ไม่ได้ ไฟล์อาจเสียหรือไม่ใช่สมุดงาน Excel ({error})",
            f"the Excel (.xls) file cannot be opened; it may be damaged or not a workbook "
            f"({error})",
            fix_th="เปิดใน Excel หรือ LibreOffice แล้วบันทึกใหม่เป็น .xlsx",
            fix_en="open it in Excel or LibreOffice and save it again as .xlsx", file=filename))
        return result
    return read_sheets(sheets, filename, result)


def _text(cell: Any, datemode: int) -> str:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            year, month, day, hour, minute, second = xlrd.xldate_as_tuple(cell.value, datemode)
        except xlrd.xldate.XLDateError:  # negative, or before 1900-03-01 in the 1900 system
            return cell_text(cell.value)
        if (year, month, day) == (0, 0, 0):
            return time(hour, minute, second).isoformat()
        return cell_text(datetime(year, month, day, hour, minute, second))
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return cell_text(bool(cell.value))
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return str(xlrd.error_text_from_code.get(cell.value, "#ERROR"))
    return cell_text(cell.value)
