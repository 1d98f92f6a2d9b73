"""``read``: one uploaded file → a ``ReadResult``, whichever format it is in."""

from __future__ import annotations

import codecs
import importlib
from pathlib import Path

from gis.io.model import Options, ReadResult, Severity, issue
from gis.io.sniff import sniff

# format → (module, function); imported when needed.
READERS: dict[str, tuple[str, str]] = {
    "zip-shapefile": ("gis.io.shapefile", "read_zip"),
    "zip-csv": ("gis.io.tabular", "read_csv_zip"),
    "zip-mixed": ("gis.io.read", "read_mixed_zip"),
    "kml": ("gis.io.kml", "read_kml"),
    "kmz": ("gis.io.kml", "read_kmz"),
    "gpx": ("gis.io.vector", "read_gpx"),
    "geojson": ("gis.io.vector", "read_geojson"),
    "gpkg": ("gis.io.vector", "read_gpkg"),
    "csv": ("gis.io.tabular", "read_csv"),
    "xlsx": ("gis.io.tabular", "read_xlsx"),
    "xls": ("gis.io.xls", "read_xls"),
    "zip": ("gis.io.read", "read_zip_of_files"),
}
SIDECARS = ("shp", "shx", "dbf", "prj", "cpg")


def read_bytes(data: bytes, filename: str, options: Options | None = None) -> ReadResult:
    """Read ``data`` (the content of ``filename``) in whatever format it is in."""
    options = options or {}
    kind = sniff(data, filename)
    if kind == "zip" and options.get("_inside_zip"):
        kind = "unknown"  # one level of zips inside a zip, no deeper (zip bombs)
    if kind in ("kml", "gpx", "geojson") and data.startswith((codecs.BOM_UTF16_LE,
                                                               codecs.BOM_UTF16_BE)):
        data = data.decode("utf-16", errors="replace").encode("utf-8")  # Notepad's "Unicode"
    reader = READERS.get(kind)
    if reader is None:
        return ReadResult(filename, kind, issues=[issue(
            "unknown_format", Severity.ERROR,
            "ไม่รู้จักรูปแบบไฟล์นี้",
            "this file's format is not one Landmap reads",
            fix_th="ใช้ shapefile (zip), KML/KMZ, GPX, GeoJSON, GeoPackage, CSV (หรือ zip ของ CSV), "
                   "XLSX หรือ XLS",
            fix_en="use a zipped shapefile, KML/KMZ, GPX, GeoJSON, GeoPackage, CSV (or a zip of "
                   "CSVs), XLSX or XLS",
            file=filename)])
    module, function = reader
    read = getattr(importlib.import_module(module), function)
    result: ReadResult = read(data, filename, options)
    return result


def read_mixed_zip(data: bytes, filename: str, options: Options) -> ReadResult:
    """A zip holding both shapefiles and CSV tables: the layers of both, shapefiles first."""
    from gis.io.shapefile import read_zip
    from gis.io.tabular import read_csv_zip

    shapes, tables = read_zip(data, filename, options), read_csv_zip(data, filename, options)
    return ReadResult(filename, "zip-mixed", layers=[*shapes.layers, *tables.layers],
                      issues=[*shapes.issues, *tables.issues])


def read_path(path: str | Path, options: Options | None = None) -> ReadResult:
    """Read a file on disk. A bare ``.shp`` is read with its sidecar files (.dbf, .shx, .prj,
    .cpg) from the same folder, as GIS programs do."""
    file = Path(path)
    data = file.read_bytes()
    if sniff(data, file.name) == "shp":
        from gis.io.shapefile import read_shapefile

        parts = {"shp": data}
        for ext in SIDECARS[1:]:
            for candidate in (file.with_suffix("." + ext), file.with_suffix("." + ext.upper())):
                if candidate.exists():
                    parts[ext] = candidate.read_bytes()
                    break
        layer = read_shapefile(parts, file.stem, file.name, options or {})
        return ReadResult(file.name, "shapefile", layers=[layer])
    return read_bytes(data, file.name, options)


def read_zip_of_files(data: bytes, filename: str, options: Options) -> ReadResult:
    """A zip of other files Landmap reads — a zipped shapefile inside a download zip, GeoJSON,
    KML, GeoPackage, spreadsheets: each read as if uploaded alone, their layers together (each
    named after its file when names repeat). Only one level of zips inside a zip is opened."""
    import io
    import zipfile

    from gis.io.shapezip import MAX_UNCOMPRESSED_BYTES, ZIP_ERRORS, TooLarge, entries, zip_issue

    result = ReadResult(filename, "zip")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            found = entries(archive)
            size = sum(info.file_size for info, _ in found)
            if size > MAX_UNCOMPRESSED_BYTES:
                raise TooLarge(size)
            inner = [(name, archive.read(info)) for info, name in found]
    except ZIP_ERRORS as error:
        result.issues.append(zip_issue(error, filename))
        return result
    for name, content in inner:
        kind = sniff(content, name)
        if kind not in READERS or (kind == "csv" and not _table_like(name, content)):
            continue  # readme.txt, pictures, documents: not data
        part = read_bytes(content, name, {**options, "_inside_zip": True})
        for layer in part.layers:
            layer.meta.setdefault("zip_entry", name)
        result.layers.extend(part.layers)
        result.issues.extend(part.issues)
    names = [layer.name for layer in result.layers]
    if len(set(names)) < len(names):
        for layer in result.layers:
            layer.name = f"{layer.meta['zip_entry']}/{layer.name}"
    if not result.layers and not result.issues:
        result.issues.append(issue(
            "no_data", Severity.ERROR, "ไม่พบไฟล์ข้อมูลที่อ่านได้ใน zip",
            "the zip holds no file Landmap reads",
            fix_th="ใส่ shapefile, KML, GeoJSON, GeoPackage, CSV หรือ Excel ใน zip",
            fix_en="put a shapefile, KML, GeoJSON, GeoPackage, CSV or Excel file in the zip",
            file=filename))
    return result


def _table_like(name: str, content: bytes) -> bool:
    """A text file inside a zip that is a table: a .csv/.tsv, or a .txt whose first line is
    cut into columns (a readme is not)."""
    lowered = name.lower()
    if lowered.endswith((".csv", ".tsv")):
        return True
    first = content[:4096].split(b"\n", 1)[0]
    return lowered.endswith(".txt") and any(d in first for d in (b"\t", b",", b";", b"\x00"))
