"""GPX, GeoJSON and GeoPackage, read through GDAL (pyogrio) from a temporary file.

Text in these formats is UTF-8 by specification, so no encoding is guessed. Geometries stay in
the source CRS. Curved GeoPackage geometries (CurvePolygon, CompoundCurve…) are linearised by
``pyogrio.raw.read`` itself (documented there: non-linear types are converted to their linear
approximations); ``pyogrio.read_arrow`` would not do that, so it is not used here.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import CRSError, DataLayerError, DataSourceError, FieldError, GeometryError
from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError

from gis.io import crs
from gis.io.model import Issue, Options, RawLayer, ReadResult, Severity, issue

WGS84 = 4326
GPX_LAYERS = ("waypoints", "routes", "tracks")  # track_points/route_points repeat the lines
_GDAL_ERRORS = (DataSourceError, DataLayerError, FieldError, GeometryError, CRSError)


def read_gpx(data: bytes, filename: str, options: Options) -> ReadResult:
    """Read a GPX file: its ``waypoints``, ``routes`` and ``tracks`` layers that hold features.

    Tracks come as GDAL gives them: one MultiLineString per ``<trk>`` (one part per
    ``<trkseg>``). Always EPSG:4326, declared.
    """
    result = ReadResult(filename, "gpx")
    with _on_disk(data, ".gpx") as path:
        for name in GPX_LAYERS:
            layer = _read_layer(path, name, filename, result)
            if layer is not None and len(layer.frame):
                layer.crs_epsg, layer.crs_source = WGS84, "declared"
                result.layers.append(layer)
    if not result.layers and not result.issues:
        result.issues.append(_no_features(filename))
    return result


def read_geojson(data: bytes, filename: str, options: Options) -> ReadResult:
    """Read a GeoJSON FeatureCollection, Feature or bare geometry as one layer.

    The CRS is the legacy ``crs`` member when there is one (``EPSG:32647``,
    ``urn:ogc:def:crs:EPSG::32647``, ``urn:ogc:def:crs:OGC:1.3:CRS84``), else EPSG:4326 as
    RFC 7946 requires; both ``declared``. Invalid JSON is a ``bad_json`` file error.
    """
    result = ReadResult(filename, "geojson")
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        where_th, where_en, reason = "", "", str(error)
        if isinstance(error, json.JSONDecodeError):
            where_th = f" (บรรทัด {error.lineno} คอลัมน์ {error.colno})"
            where_en = f" (line {error.lineno}, column {error.colno})"
            reason = error.msg
        result.issues.append(issue(
            "bad_json", Severity.ERROR,
            f"ไฟล์ GeoJSON ไม่ใช่ JSON ที่ถูกต้อง{where_th}: {reason}",
            f"the GeoJSON file is not valid JSON{where_en}: {reason}",
            fix_th="ส่งออกไฟล์ใหม่จากโปรแกรมต้นทาง (ต้องเป็น UTF-8)",
            fix_en="export the file again from the source program (it must be UTF-8)",
            file=filename))
        return result
    if not isinstance(document, dict) or not isinstance(document.get("type"), str):
        result.issues.append(issue(
            "not_geojson", Severity.ERROR, "ไฟล์ JSON นี้ไม่ใช่ GeoJSON (ไม่มี \"type\")",
            "this JSON file is not GeoJSON (it has no \"type\")", file=filename))
        return result
    epsg, crs_issue = _geojson_crs(document.get("crs"), filename)
    with _on_disk(data, ".geojson") as path:
        layer = _read_layer(path, None, filename, result, name=PurePosixPath(filename).stem)
    if layer is not None:
        # The crs member decides, not GDAL's reading of it (GDAL has no EPSG for CRS84 names).
        layer.issues = [i for i in layer.issues if i.code != "no_crs"]
        layer.crs_epsg, layer.crs_source = epsg, "declared" if epsg else None
        if crs_issue is None:
            layer.crs_candidates = []
        else:
            layer.crs_candidates = crs.candidates(*crs.coordinates(layer.geometry))
            layer.issues.append(crs_issue)
        result.layers.append(layer)
    return result


def read_gpkg(data: bytes, filename: str, options: Options) -> ReadResult:
    """Read every layer of a GeoPackage, each in its own CRS (EPSG found through PROJ; a CRS
    without an EPSG code gives ``crs_epsg=None``, a ``no_crs`` warning and ranked candidates).
    Curved geometries are linearised; attribute-only tables have ``geometry=None``."""
    result = ReadResult(filename, "gpkg")
    with _on_disk(data, ".gpkg") as path:
        try:
            with _gdal_messages(result.issues, filename, None):
                names = [str(row[0]) for row in pyogrio.list_layers(path)]
        except _GDAL_ERRORS as error:
            result.issues.append(_unreadable(filename, None, error))
            return result
        for name in names:
            layer = _read_layer(path, name, filename, result)
            if layer is not None:
                result.layers.append(layer)
    if not result.layers and not result.issues:
        result.issues.append(_no_features(filename))
    return result


@contextmanager
def _on_disk(data: bytes, suffix: str) -> Iterator[str]:
    """The path of a temporary file holding ``data`` (GDAL reads files), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="landmap-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        yield str(path)


def _read_layer(
    path: str, layer: str | None, filename: str, result: ReadResult, *, name: str | None = None,
) -> RawLayer | None:
    """One layer as a ``RawLayer`` (CRS from the file), or None with a file issue added."""
    label = name or layer or PurePosixPath(filename).stem
    messages: list[Issue] = []
    try:
        with _gdal_messages(messages, filename, label):
            meta, fids, wkb, columns = pyogrio.raw.read(path, layer=layer, return_fids=True)
    except _GDAL_ERRORS as error:
        result.issues.extend([*messages, _unreadable(filename, layer, error)])
        return None
    # The index is explicit so that a layer without attribute columns still has its rows.
    frame = pd.DataFrame({str(field): values for field, values in zip(meta["fields"], columns,
                                                                      strict=True)},
                         index=pd.RangeIndex(len(fids)))
    geometry = None if meta["geometry_type"] is None else list(shapely.from_wkb(wkb))
    raw = RawLayer(label, frame, geometry, encoding="utf-8", issues=messages)
    epsg = _epsg(meta["crs"])
    if epsg is not None:
        raw.crs_epsg, raw.crs_source = epsg, "declared"
    elif geometry is not None:
        raw.crs_candidates = crs.candidates(*crs.coordinates(geometry))
        raw.issues.append(issue(
            "no_crs", Severity.WARNING,
            "ไม่ทราบระบบพิกัดของชั้นข้อมูลนี้ (ไม่มีรหัส EPSG)",
            "this layer's coordinate system is unknown (no EPSG code)",
            fix_th="เลือกระบบพิกัดจากรายการที่เสนอ แล้วตรวจบนแผนที่",
            fix_en="choose a coordinate system from the proposals and check it on the map",
            file=filename, layer=label))
    return raw


@contextmanager
def _gdal_messages(sink: list[Issue], filename: str, layer: str | None) -> Iterator[None]:
    """GDAL's warnings about the file (pyogrio raises them as Python warnings) as issues.

    ``catch_warnings`` is process-wide state before Python 3.14: reads in two threads at once
    may see each other's filter, which at worst lets a GDAL warning through to the log.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:  # also when GDAL then fails: its warning often says why
            for text in dict.fromkeys(str(w.message) for w in caught):
                sink.append(issue(
                    "gdal_warning", Severity.WARNING, f"GDAL เตือนขณะอ่านไฟล์: {text}",
                    f"GDAL warned while reading the file: {text}", file=filename, layer=layer))


def _epsg(value: Any) -> int | None:
    """EPSG code of a CRS given as text; OGC CRS84 (lon/lat WGS84) counts as 4326."""
    if not value:
        return None
    code = crs.epsg_of(value)
    if code is not None:
        return code
    try:
        authority = CRS.from_user_input(str(value)).to_authority()
    except ProjCRSError:
        return None
    return WGS84 if authority == ("OGC", "CRS84") else None


def _geojson_crs(member: Any, filename: str) -> tuple[int | None, Issue | None]:
    """The EPSG code a legacy ``crs`` member names (4326 when there is none)."""
    if member is None:
        return WGS84, None
    properties = member.get("properties") if isinstance(member, dict) else None
    value = None
    if isinstance(properties, dict):
        value = properties.get("name") or properties.get("code")
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            value = f"EPSG:{value}"
    code = _epsg(value)
    if code is not None:
        return code, None
    return None, issue(
        "unknown_crs", Severity.WARNING,
        f"ไม่รู้จักระบบพิกัดที่ไฟล์ระบุ ({json.dumps(member, ensure_ascii=False)[:120]})",
        f"the coordinate system the file names is not known "
        f"({json.dumps(member, ensure_ascii=False)[:120]})",
        fix_th="เลือกระบบพิกัดเอง แล้วตรวจบนแผนที่",
        fix_en="choose the coordinate system yourself and check it on the map", file=filename)


def _unreadable(filename: str, layer: str | None, error: Exception) -> Issue:
    return issue(
        "unreadable", Severity.ERROR, f"GDAL อ่านไฟล์/ชั้นข้อมูลนี้ไม่ได้: {error}",
        f"GDAL cannot read this file or layer: {error}",
        fix_th="ส่งออกไฟล์ใหม่จากโปรแกรมต้นทาง", fix_en="export the file again from the source program",
        file=filename, layer=layer)


def _no_features(filename: str) -> Issue:
    return issue("no_features", Severity.WARNING, "ไม่พบข้อมูลในไฟล์นี้",
                 "this file holds no features", file=filename)
