"""CSV, XLSX and zipped-CSV readers: survey tables with a point position per row.

All share one path: cells as text → find the header (skip a title block, join a two-row header,
notice a headerless file) → drop a total row → leave out rejected Kobo/ODK submissions → Thai
digits and Buddhist-Era dates → coordinates (``gis.io.coords``) → repeat-group tables joined to
their parent rows (``gis.io.kobo``). Rows are numbered from 1 = the first data row after the
header, in the file as it is (a left-out row keeps its place).
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any

from gis.io import kobo, shapezip
from gis.io.coords import locate
from gis.io.encoding import detect, normalise
from gis.io.model import Issue, Options, RawLayer, ReadResult, Severity, issue
from gis.io.table_shape import Table, shape_table
from gis.io.thai import normalise_thai

DELIMITERS = (",", ";", "\t", "|")


@dataclass
class Source:
    """One table of an uploaded file, as rows of text cells: a CSV, a sheet of a workbook or a
    CSV in a zip (``sheet`` names the sheet or the zip entry)."""

    name: str
    rows: list[list[str]]
    sheet: str | None = None
    encoding: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)


def read_csv(data: bytes, filename: str, options: Options) -> ReadResult:
    """Read a CSV file: encoding from ``options["encoding"]``, else the BOM, else detected
    (UTF-8 or cp874); delimiter sniffed (comma, semicolon, tab or pipe)."""
    source = _csv_source(data, PurePath(filename).stem or filename, None, filename, options)
    layers, found = tables_to_layers([source], filename)
    return ReadResult(filename, "csv", layers=layers, issues=found)


def read_csv_zip(data: bytes, filename: str, options: Options) -> ReadResult:
    """Read the CSV files of a zip as the tables of one export (ODK Central's "All data" zip:
    ``Form.csv`` and one ``Form-repeat.csv`` per repeat group, joined to their submissions).
    Each CSV is read like ``read_csv``; other files (``media/``) are not tables."""
    result = ReadResult(filename, "zip-csv")
    try:
        tables = shapezip.tables_in_zip(data)
    except shapezip.ZIP_ERRORS as exc:
        result.issues.append(shapezip.zip_issue(exc, filename))
        return result
    stems = [PurePath(entry).stem or entry for entry in tables]
    sources = [_csv_source(content, stem if stems.count(stem) == 1 else entry, entry, filename,
                           options)
               for stem, (entry, content) in zip(stems, tables.items(), strict=True)]
    result.layers, found = tables_to_layers(sources, filename)
    result.issues.extend(found)
    if not result.layers:
        result.issues.append(issue(
            "no_data", Severity.ERROR, "ไม่พบไฟล์ CSV ใน zip", "the zip holds no CSV file",
            file=filename))
    return result


def _csv_source(data: bytes, name: str, sheet: str | None, filename: str,
                options: Options) -> Source:
    source = Source(name, [], sheet=sheet)
    encoding, how = _encoding(data, options)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        text = data.decode(encoding, errors="replace")
        source.issues.append(issue(
            "bad_encoding", Severity.WARNING,
            f"บางไบต์อ่านด้วยรหัส {encoding} ไม่ได้ (ตำแหน่ง {error.start}) จึงแทนด้วย �",
            f"some bytes are not valid {encoding} (at byte {error.start}); replaced with �",
            fix_th="ระบุรหัสอักขระของไฟล์ (เช่น cp874 หรือ utf-8)",
            fix_en="give the file's encoding (e.g. cp874 or utf-8)", file=filename,
            sheet=sheet))
    text = text.removeprefix("\ufeff")
    delimiter = sniff_delimiter(text)
    source.rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    source.encoding = encoding
    source.meta.update({"delimiter": delimiter, "encoding_how": how})
    return source


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
        sheets = [(sheet.title, [[cell_text(v) for v in row]
                                 for row in sheet.iter_rows(values_only=True)])
                  for sheet in book.worksheets]
    finally:
        book.close()
    return read_sheets(sheets, filename, result)


def read_sheets(sheets: list[tuple[str, list[list[str]]]], filename: str,
                result: ReadResult) -> ReadResult:
    """``result`` with one layer per sheet that has data (a workbook's sheets, as titles and
    rows of text cells), Kobo repeat-group sheets joined to their parent rows."""
    sources = [Source(title, rows, sheet=title) for title, rows in sheets
               if any(any(c for c in row) for row in rows)]
    result.layers, found = tables_to_layers(sources, filename)
    result.issues.extend(found)
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
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "declared"  # Excel's "Unicode Text"
    guess = detect(data.splitlines()[:2000])
    return guess.encoding, guess.how


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text: whole floats without ``.0`` (zones, codes), dates as ISO."""
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


def tables_to_layers(sources: list[Source], filename: str
                     ) -> tuple[list[RawLayer], list[Issue]]:
    """One layer per table of a file, rejected submissions left out and repeat-group tables
    without a location joined to their parent rows; and the findings about the rows of those
    joined tables (file-level: they are not about the parent layer's rows)."""
    tables = [shape_table(s.rows, {"file": filename, "layer": s.name, "sheet": s.sheet})
              for s in sources]
    frames = [t.frame for t in tables]
    links = kobo.link([s.name for s in sources], frames)
    left = kobo.left_out(frames, links)
    layers = [_layer(source, table, gone, link, filename)
              for source, table, gone, link in zip(sources, tables, left, links, strict=True)]
    return kobo.join(layers, links, left, file=filename)


def _layer(source: Source, table: Table, left: kobo.LeftOut, link: kobo.Link | None,
           filename: str) -> RawLayer:
    where: dict[str, Any] = {"file": filename, "layer": source.name, "sheet": source.sheet}
    frame = kobo.blank(table.frame, left.rows)  # before anything else reads the cells

    def kept(found: Issue) -> bool:
        return found.row is None or found.row - 1 not in left.rows

    frame, thai_issues = normalise_thai(frame, **where)
    located = locate(frame, headerless=table.headerless, **where)
    issues: list[Issue] = [*source.issues, *table.issues, *filter(kept, thai_issues)]
    geometry, columns = located.geometry, list(located.columns)
    if link is not None and not kobo.has_location(geometry):
        geometry, columns = None, []  # a repeat group to join: its parent has the location
    else:
        if left.rows:
            issues.append(kobo.left_out_issue(left, repeat=link is not None, **where))
        issues.extend(filter(kept, located.issues))
        if geometry is not None:
            geometry = [None if i in left.rows else g for i, g in enumerate(geometry)]
    meta: dict[str, Any] = {**source.meta, "coordinate_columns": columns,
                            "headerless": table.headerless, "header_line": table.header_line,
                            "header_rows": table.header_rows}
    if left.rows:
        meta["left_out_rows"] = [r + 1 for r in sorted(left.rows)]
    return RawLayer(
        name=source.name, frame=frame, geometry=geometry,
        crs_epsg=located.crs_epsg if geometry is not None else None,
        crs_source=located.crs_source if geometry is not None else None,
        crs_candidates=located.crs_candidates if geometry is not None else [],
        encoding=source.encoding, sheet=source.sheet, issues=issues, meta=meta)
