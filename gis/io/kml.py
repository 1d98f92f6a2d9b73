"""KML and KMZ (Google Earth, My Maps, phone survey apps): placemarks per folder, Thai kept.

We parse the XML ourselves with ``defusedxml`` instead of GDAL: GDAL's LIBKML driver turns Thai
attribute names into ``____``, and defusedxml refuses entity bombs and external entities. Each
Folder holding placemarks becomes one source layer named by its ``<name>``; placemarks outside
any folder go to a layer named after the Document (or the file). Columns are the placemark's
``name`` and ``description`` and every ``ExtendedData`` field (``Data``/``SimpleData``), in the
order first met. KML is always WGS84 longitude/latitude (EPSG:4326); altitudes are dropped, as
land parcels are measured on the ground plane.
"""

from __future__ import annotations

import codecs
import io
import math
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_xml  # type: ignore[import-untyped]  # ships no stubs
import pandas as pd
from defusedxml import DefusedXmlException
from shapely import geometry as geo
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry

from gis.io import encoding as textcodec
from gis.io.model import Issue, Options, RawLayer, ReadResult, Severity, issue

WGS84 = 4326
MAX_KML_BYTES = 256 * 1024 * 1024  # a KMZ member larger than this is refused (zip bombs)
CONTAINERS = ("Document", "Folder")
SHAPES = ("Point", "LineString", "LinearRing", "Polygon", "MultiGeometry", "Track", "MultiTrack")
_COMMA = re.compile(r"\s*,\s*")  # "100.5, 13.7" (spaces after commas) is common in hand edits
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']")


class _BadCoordinates(ValueError):
    """Coordinates that do not make a geometry; carries the offending text."""


@dataclass
class _Layer:
    name: str
    folders: list[str]
    rows: list[dict[str, str | None]] = field(default_factory=list)
    geometry: list[BaseGeometry | None] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def read_kml(data: bytes, filename: str, options: Options) -> ReadResult:
    """Read a KML document: one ``RawLayer`` per folder holding placemarks.

    Parameters
    ----------
    data
        The bytes of the file.
    filename
        The name it was uploaded under (named in issues; its stem names a layer of placemarks
        outside any folder in a document without a name).
    options
        Reader options (none are used by KML).

    Returns
    -------
    ReadResult
        Format ``"kml"``; a file-level ``bad_xml`` error and no layers when the XML is
        malformed or truncated; ``bad_coordinates`` row errors for placemarks whose coordinates
        do not parse (their geometry is None, the row is kept).
    """
    return _read(data, filename, "kml")


def read_kmz(data: bytes, filename: str, options: Options) -> ReadResult:
    """Read a KMZ: a zip holding ``doc.kml`` (or another ``.kml``), read as ``read_kml`` does.

    Returns
    -------
    ReadResult
        Format ``"kmz"``; ``bad_zip`` or ``no_kml`` file errors when the archive cannot be
        opened or holds no KML; an ``extra_kml`` info issue naming other KML files not read.
    """
    result = ReadResult(filename, "kmz")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [i for i in archive.infolist() if i.filename.lower().endswith(".kml")]
            if not members:
                result.issues.append(issue(
                    "no_kml", Severity.ERROR, "ไม่พบไฟล์ .kml ในไฟล์ KMZ นี้",
                    "this KMZ holds no .kml file",
                    fix_th="ส่งออกจาก Google Earth ใหม่เป็น KMZ หรือ KML",
                    fix_en="export again from Google Earth as KMZ or KML", file=filename))
                return result
            # doc.kml at the top is the main document by convention; else the shallowest one.
            members.sort(key=lambda i: (i.filename.lower() != "doc.kml", i.filename.count("/")))
            main = members[0]
            if main.file_size > MAX_KML_BYTES:
                result.issues.append(issue(
                    "too_large", Severity.ERROR,
                    f"ไฟล์ {main.filename} ใน KMZ ใหญ่เกินไป ({main.file_size:,} ไบต์)",
                    f"{main.filename} in this KMZ is too large ({main.file_size:,} bytes)",
                    fix_th="แบ่งข้อมูลเป็นหลายไฟล์", fix_en="split the data into several files",
                    file=filename))
                return result
            text = archive.read(main)
    # RuntimeError: an encrypted member; zlib.error: a corrupted one.
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError,
            zlib.error) as error:
        result.issues.append(issue(
            "bad_zip", Severity.ERROR, f"เปิดไฟล์ KMZ (zip) ไม่ได้: {error}",
            f"the KMZ (zip) file cannot be opened: {error}",
            fix_th="ดาวน์โหลดหรือส่งออกไฟล์ใหม่", fix_en="download or export the file again",
            file=filename))
        return result
    inner = _read(text, filename, "kmz")
    result.layers, result.issues = inner.layers, inner.issues
    if len(members) > 1:
        others = ", ".join(m.filename for m in members[1:])
        result.issues.append(issue(
            "extra_kml", Severity.INFO,
            f"อ่านเฉพาะ {main.filename}; ไม่ได้อ่าน {others}",
            f"only {main.filename} was read; not read: {others}", file=filename))
    return result


def _read(data: bytes, filename: str, kind: str) -> ReadResult:
    result = ReadResult(filename, kind)
    text, encoding, guessed = _decode(data)
    if guessed:
        result.issues.append(issue(
            "encoding_guessed", Severity.WARNING,
            f"ไฟล์ KML ไม่ได้เข้ารหัสตามที่ระบุ (หรือไม่ได้ระบุ) จึงอ่านเป็น {encoding}",
            f"the KML file is not in the encoding it declares (or declares none): read as "
            f"{encoding}", fix_th="ตรวจว่าชื่อภาษาไทยอ่านได้ถูกต้อง",
            fix_en="check that the Thai names read correctly", file=filename))
    try:
        root: Element = safe_xml.fromstring(text)  # str: expat ignores the declared encoding
    except ParseError as error:
        line, column = error.position
        reason = str(error).rsplit(": line", 1)[0]  # expat's text repeats line and column
        result.issues.append(issue(
            "bad_xml", Severity.ERROR,
            f"ไฟล์ KML เสียหรือไม่ครบ (บรรทัด {line} คอลัมน์ {column}): {reason}",
            f"the KML file is malformed or cut short (line {line}, column {column}): {reason}",
            fix_th="ส่งออกจาก Google Earth หรือโปรแกรมต้นทางใหม่ แล้วอัปโหลดอีกครั้ง",
            fix_en="export the file again from Google Earth or the source program and re-upload",
            file=filename))
        return result
    except DefusedXmlException as error:
        result.issues.append(issue(
            "unsafe_xml", Severity.ERROR, f"ไฟล์ KML มีส่วนที่ไม่ปลอดภัย ({error})",
            f"the KML file contains unsafe XML ({error})",
            fix_th="ส่งออกไฟล์ใหม่จาก Google Earth", fix_en="export the file again from Google Earth",
            file=filename))
        return result
    display = _display_names(root)
    layers: list[_Layer] = []
    for container, label, folders in _containers(root, PurePosixPath(filename).stem, []):
        placemarks = [c for c in container if _local(c.tag) == "Placemark"]
        if placemarks:
            layer = _Layer(_unique(label, {lay.name for lay in layers}), folders)
            for row, placemark in enumerate(placemarks, start=1):
                _add_placemark(layer, placemark, row, filename)
            layers.append(layer)
    for layer in layers:
        columns = list(dict.fromkeys(key for row in layer.rows for key in row))
        columns = ["name", "description", *(c for c in columns if c not in ("name", "description"))]
        frame = pd.DataFrame.from_records(layer.rows, columns=columns)
        used = {k: v for k, v in display.items() if k in columns}
        result.layers.append(RawLayer(
            layer.name, frame, list(layer.geometry), crs_epsg=WGS84, crs_source="declared",
            encoding=encoding, issues=layer.issues,
            meta={"folders": layer.folders, "display_names": used}))
    if not layers:
        result.issues.append(issue(
            "no_features", Severity.WARNING, "ไม่พบ Placemark ในไฟล์ KML นี้",
            "this KML file holds no placemarks", file=filename))
    return result


def _decode(data: bytes) -> tuple[str, str, bool]:
    """The document as text, its encoding, and whether the encoding was guessed.

    We decode before parsing because expat knows few code pages (``windows-874`` raises
    LookupError) and hand-made Thai KML often says UTF-8 while being cp874.
    """
    match = _DECLARED.match(data[:200])
    declared = textcodec.normalise(match.group(1).decode("ascii")) if match else None
    if data.startswith(codecs.BOM_UTF8):
        declared = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        declared = "utf-16"
    try:
        return data.decode(declared or "utf-8"), (declared or "utf-8").replace("-sig", ""), False
    except UnicodeDecodeError:
        guess = textcodec.detect([data])
        return data.decode(guess.encoding, errors="replace"), guess.encoding, True


def _local(tag: Any) -> str:
    """The tag without its namespace: KML 2.2, 2.1, Google's ``gx`` or none all read alike."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    return next((c for c in element if _local(c.tag) == name), None)


def _text(element: Element | None, name: str) -> str | None:
    child = _child(element, name)
    return None if child is None else (child.text or "").strip()


def _containers(
    element: Element, label: str, folders: list[str],
) -> Iterator[tuple[Element, str, list[str]]]:
    """Every Document/Folder in document order, with the layer name its placemarks get."""
    yield element, label, folders
    for child in element:
        kind = _local(child.tag)
        if kind in CONTAINERS:
            name = _text(child, "name") or ""
            yield from _containers(child, name or label, [*folders, name] if kind == "Folder"
                                   else folders)


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name} ({n})"
    return candidate


def _display_names(root: Element) -> dict[str, str]:
    """``<Schema><SimpleField name=…><displayName>`` labels, by field name."""
    out: dict[str, str] = {}
    for element in root.iter():
        if _local(element.tag) == "SimpleField" and element.get("name"):
            label = _text(element, "displayName")
            if label:
                out[str(element.get("name"))] = label
    return out


def _add_placemark(layer: _Layer, placemark: Element, row: int, filename: str) -> None:
    values: dict[str, str | None] = {
        "name": _text(placemark, "name"), "description": _text(placemark, "description"),
    }
    extended = _child(placemark, "ExtendedData")
    for item in [] if extended is None else extended.iter():
        kind = _local(item.tag)
        key = item.get("name")
        if not key or kind not in ("Data", "SimpleData"):
            continue
        value = _text(item, "value") if kind == "Data" else (item.text or "").strip()
        if key in ("name", "description"):
            key = f"{key} (ExtendedData)"
        values[key] = value
    layer.rows.append(values)
    try:
        shape = next((c for c in placemark if _local(c.tag) in SHAPES), None)
        layer.geometry.append(None if shape is None else _shape(shape))
    except _BadCoordinates as error:
        layer.geometry.append(None)
        layer.issues.append(issue(
            "bad_coordinates", Severity.ERROR,
            f"พิกัดของ Placemark นี้อ่านไม่ได้: {error}",
            f"this placemark's coordinates cannot be read: {error}",
            fix_th="แก้พิกัดใน Google Earth (ลองจิจูด,ละติจูด) แล้วส่งออกใหม่",
            fix_en="fix the coordinates (longitude,latitude) in Google Earth and export again",
            file=filename, layer=layer.name, row=row))


def _shape(element: Element) -> BaseGeometry:
    kind = _local(element.tag)
    try:
        if kind == "Point":
            return geo.Point(_coordinates(_child(element, "coordinates"))[0])
        if kind in ("LineString", "LinearRing"):
            return geo.LineString(_coordinates(_child(element, "coordinates")))
        if kind == "Polygon":
            outer = _coordinates(_child(_child(_child(element, "outerBoundaryIs"),
                                              "LinearRing"), "coordinates"))
            holes = [_coordinates(_child(ring, "coordinates"))
                     for boundary in element if _local(boundary.tag) == "innerBoundaryIs"
                     for ring in boundary if _local(ring.tag) == "LinearRing"]
            return geo.Polygon(outer, holes)
        if kind == "Track":  # gx:Track: <gx:coord>lon lat alt</gx:coord>, space-separated
            text = " ".join(",".join((c.text or "").split()) for c in element
                            if _local(c.tag) == "coord")
            return geo.LineString(_parse(text))
    except (ValueError, GEOSException) as error:
        if isinstance(error, _BadCoordinates):
            raise
        raise _BadCoordinates(f"{kind}: {error}") from error
    parts = [_shape(c) for c in element if _local(c.tag) in SHAPES]  # MultiGeometry/MultiTrack
    return _combine(parts)


def _combine(parts: list[BaseGeometry]) -> BaseGeometry:
    """A MultiGeometry as Multi* when its parts share a type, else a GeometryCollection."""
    flat: list[BaseGeometry] = []
    for part in parts:
        flat.extend(getattr(part, "geoms", [part]))
    kinds = {part.geom_type for part in flat}
    if kinds == {"Point"}:
        return geo.MultiPoint(flat)
    if kinds == {"LineString"}:
        return geo.MultiLineString(flat)
    if kinds == {"Polygon"}:
        return geo.MultiPolygon(flat)
    if not flat:
        raise _BadCoordinates("MultiGeometry without any geometry")
    return geo.GeometryCollection(flat)


def _coordinates(element: Element | None) -> list[tuple[float, float]]:
    if element is None:
        raise _BadCoordinates("no <coordinates>")
    return _parse(element.text or "")


def _parse(text: str) -> list[tuple[float, float]]:
    """``lon,lat[,alt]`` tuples separated by whitespace → (lon, lat) pairs, checked."""
    points = []
    for token in _COMMA.sub(",", text.strip()).split():
        parts = token.split(",")
        try:
            if len(parts) not in (2, 3):
                raise ValueError(token)
            lon, lat = float(parts[0]), float(parts[1])
        except ValueError:
            raise _BadCoordinates(f"'{token[:60]}'") from None
        if not (math.isfinite(lon) and math.isfinite(lat) and abs(lon) <= 180 and abs(lat) <= 90):
            raise _BadCoordinates(f"'{token[:60]}' (outside -180…180, -90…90)")
        points.append((lon, lat))
    if not points:
        raise _BadCoordinates("empty <coordinates>")
    return points
