"""Which format an uploaded file is in, from its content — never from its name alone (a KML
renamed .txt, a zip without .zip, an .xls that is really CSV are all common)."""

from __future__ import annotations

import codecs
import io
import zipfile

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (also .doc, .msg: xlrd tells)
SQLITE_MAGIC = b"SQLite format 3\x00"


def sniff(data: bytes, filename: str = "") -> str:
    """One of ``zip-shapefile``, ``zip-csv`` (CSV tables, e.g. an ODK Central export),
    ``zip-mixed`` (shapefiles and CSV tables), ``kmz``, ``xlsx``, ``xls``, ``zip``, ``gpkg``,
    ``kml``, ``gpx``, ``geojson``, ``csv``, ``shp`` or ``unknown``."""
    name = filename.lower()
    if data.startswith(ZIP_MAGIC):
        return _zip_kind(data, name)
    if data.startswith(OLE2_MAGIC):
        return "xls"
    if data.startswith(SQLITE_MAGIC):
        return "gpkg"
    if len(data) >= 100 and data[:4] == b"\x00\x00\x27\x0a":  # shapefile main-file code 9994
        return "shp"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode Text" (tab-separated UTF-16): read as text, then sniffed again.
        text = _utf16_head(data)
        if text is not None:
            inner = sniff(text.encode("utf-8"), filename)
            return inner if inner != "unknown" else "unknown"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        lowered = head.lower()
        if b"<kml" in lowered or b"opengis.net/kml" in lowered:
            return "kml"
        if b"<gpx" in lowered:
            return "gpx"
        return "unknown"
    if head.startswith((b"{", b"[")):
        return "geojson"
    if name.endswith((".zip", ".kmz", ".xlsx")):
        return {".kmz": "kmz", ".xlsx": "xlsx"}.get(name[name.rfind("."):], "zip-shapefile")
    if _texty(data):
        return "csv"
    if name.endswith(".xls"):  # binary without the OLE2 header: let the .xls reader explain
        return "xls"
    return "unknown"


def _zip_kind(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n.lower() for n in archive.namelist()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        # Unreadable: let the reader for what it claims to be explain it.
        if name.endswith(".kmz"):
            return "kmz"
        if name.endswith(".xlsx"):
            return "xlsx"
        return "zip-shapefile"
    if "[content_types].xml" in names and any(n.startswith("xl/") for n in names):
        return "xlsx"
    files = [n for n in names if "__macosx/" not in n and not n.rpartition("/")[2].startswith("._")]
    shapes = any(n.endswith((".shp", ".dbf")) for n in files)
    tables = any(n.endswith(".csv") for n in files)
    if shapes and tables:
        return "zip-mixed"
    if shapes:
        return "zip-shapefile"
    if tables:
        return "zip-csv"
    if any(n.endswith(".kml") for n in names):
        return "kmz"
    return "zip"


def _utf16_head(data: bytes) -> str | None:
    """The first few thousand characters of UTF-16 text with a byte-order mark, or None."""
    head = data[:8192]
    head = head[:len(head) - len(head) % 2]
    try:
        return head.decode("utf-16", errors="strict")
    except UnicodeDecodeError:
        try:  # a surrogate pair cut at the end of the sample
            return head[:-2].decode("utf-16", errors="strict")
        except UnicodeDecodeError:
            return None


def _texty(data: bytes) -> bool:
    sample = data[:8192]
    if not sample or b"\x00" in sample:
        return False
    printable = sum(b >= 0x20 or b in (9, 10, 13) for b in sample)
    return printable / len(sample) > 0.95
