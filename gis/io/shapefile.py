"""Shapefiles, alone or zipped (DESIGN.md §5): ``read_zip`` finds every layer in an uploaded zip,
``read_shapefile`` reads one from its parts.

Thai shapefiles arrive without ``.cpg`` (GDAL then reads cp874 Thai as Latin-1 mojibake), with
``.cpg`` files that lie, without ``.prj``, without ``.shx``, in nested folders with macOS junk and
with Thai file names that zip tools store in cp874. Each of these becomes an ``Issue``, never an
exception: the DBF is read as Latin-1 (every byte maps to one character, so the raw bytes come
back with ``.encode("latin1")``), its text encoding is decided from the bytes, then decoded.
"""

from __future__ import annotations

import os
import struct
import tempfile
import warnings
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import pyogrio.raw
import shapely
from pyogrio.errors import DataLayerError, DataSourceError, FieldError, GeometryError

from gis.io import crs, shapezip
from gis.io.dbf import damage, decode_text
from gis.io.model import Issue, Options, RawLayer, ReadResult, Severity, issue

FORMAT = "zip-shapefile"
_FILE_CODE = b"\x00\x00\x27\x0a"  # 9994, big-endian: the start of every .shp and .shx
_GDAL_MESSAGES = 10  # distinct GDAL warnings reported per layer
_GDAL_ERRORS = (DataSourceError, DataLayerError, FieldError, GeometryError)


def read_zip(data: bytes, filename: str, options: Options) -> ReadResult:
    """Every shapefile layer in a zip, one ``RawLayer`` each, named by its ``.shp`` stem.

    Parameters
    ----------
    data
        The uploaded bytes.
    filename
        The upload's name, quoted in issues.
    options
        Reader options: ``encoding`` (DBF code page), ``crs`` (EPSG code).

    Returns
    -------
    ReadResult
        With format ``"zip-shapefile"``. A corrupt zip gives a file-level ``bad_zip`` error and
        no layers; folders, ``__MACOSX/`` and ``._*`` files are handled.
    """
    result = ReadResult(file=filename, format=FORMAT)
    try:
        groups = shapezip.layers_in_zip(data)
    except shapezip.ZIP_ERRORS as exc:
        result.issues.append(shapezip.zip_issue(exc, filename))
        return result
    if not groups:
        result.issues.append(issue(
            "no_shapefile", Severity.ERROR, "ไม่พบไฟล์ .shp หรือ .dbf ใน zip",
            "the zip holds no .shp or .dbf file",
            fix_th="ใส่ไฟล์ .shp .shx .dbf และ .prj ของชั้นข้อมูลลงใน zip",
            fix_en="put the layer's .shp, .shx, .dbf and .prj files in the zip", file=filename))
    for name, parts in groups.items():
        result.layers.append(read_shapefile(parts, name, filename, options))
    return result


def rebuild_shx(shp: bytes) -> tuple[bytes, bool] | None:
    """A ``.shx`` index for ``shp`` by walking its records, and whether the ``.shp`` was whole.

    None when ``shp`` is not a shapefile. The index is 100 header bytes (the ``.shp`` header
    with its own length) and, per record, its offset and length in 16-bit words.
    """
    if len(shp) < 100 or shp[:4] != _FILE_CODE:
        return None
    entries: list[bytes] = []
    pos = 100
    while pos + 8 <= len(shp):
        _number, words = struct.unpack(">ii", shp[pos:pos + 8])
        if words < 0 or pos + 8 + 2 * words > len(shp):
            break
        entries.append(struct.pack(">ii", pos // 2, words))
        pos += 8 + 2 * words
    header = bytearray(shp[:100])
    header[24:28] = struct.pack(">i", (100 + 8 * len(entries)) // 2)
    return bytes(header) + b"".join(entries), pos == len(shp)


def shx_fits(shp: bytes, shx: bytes) -> bool:
    """Whether ``shx`` indexes ``shp``: its header states its own length, every entry points at
    a record of the stated length, and the last one ends where the ``.shp`` says it ends (a
    stale, damaged or cut ``.shx`` fails)."""
    if len(shx) < 100 or shx[:4] != _FILE_CODE or (len(shx) - 100) % 8 or len(shp) < 100:
        return False
    shx_words, shp_words = struct.unpack(">i", shx[24:28])[0], struct.unpack(">i", shp[24:28])[0]
    entries = np.frombuffer(shx, dtype=">i4", offset=100).reshape(-1, 2).astype(np.int64)
    starts, words = 2 * entries[:, 0], entries[:, 1]
    ends = starts + 8 + 2 * words
    if 2 * shx_words != len(shx) or int(ends.max(initial=100)) != 2 * shp_words:
        return False
    if ((words < 0) | (starts < 100) | (ends > len(shp))).any():
        return False
    raw = np.frombuffer(shp, dtype=np.uint8)  # only the four length bytes of each record
    stored = raw[starts[:, None] + 4 + np.arange(4)].astype(np.int64) @ np.array(
        [1 << 24, 1 << 16, 1 << 8, 1])
    return bool((stored == words).all())


def read_shapefile(
    parts: Mapping[str, bytes], name: str, filename: str, options: Options,
) -> RawLayer:
    """One shapefile layer from its parts, text decoded, geometry in the source CRS.

    Parameters
    ----------
    parts
        Bytes keyed by lowercase extension: ``shp``, ``shx``, ``dbf``, ``prj``, ``cpg``.
    name
        The layer's name (the ``.shp`` stem).
    filename
        The uploaded file, quoted in issues.
    options
        ``encoding`` overrides the DBF code page; ``crs`` (EPSG) overrides the ``.prj``.

    Returns
    -------
    RawLayer
        A missing or damaged ``.shx`` is rebuilt, a damaged ``.dbf`` dropped (shapes only), a
        shape that cannot be decoded is None with an error for its row, each with an issue. An
        unreadable layer (no ``.shp``, not a shapefile) has an empty frame, no geometry and an
        error issue.
    """
    where: dict[str, Any] = {"file": filename, "layer": name}
    issues: list[Issue] = []
    if "shp" not in parts:
        return _unreadable(name, [issue(
            "missing_shp", Severity.ERROR, f"ไม่มีไฟล์ {name}.shp (มีแต่ .dbf)",
            f"{name}.shp is missing (only the .dbf is there)",
            fix_th="ใส่ไฟล์ .shp ของชั้นข้อมูลนี้ลงใน zip",
            fix_en="add the layer's .shp file to the zip", **where)])
    shp, shx = parts["shp"], parts.get("shx")
    if shx is None or not shx_fits(shp, shx):
        rebuilt = rebuild_shx(shp)
        if rebuilt is None:
            return _unreadable(name, [_broken(name, "the .shp is not a shapefile", where)])
        state_th, state_en = ("ไม่มี", "is missing") if shx is None else ("เสียหาย", "is damaged")
        shx, whole = rebuilt
        issues.append(issue(
            "shx_rebuilt", Severity.WARNING,
            f"ไฟล์ {name}.shx {state_th} จึงสร้างดัชนีขึ้นใหม่จาก .shp",
            f"{name}.shx {state_en}: rebuilt the index from the .shp",
            fix_th="ตรวจว่าจำนวนรูปครบ หรือใส่ไฟล์ .shx ที่ถูกต้อง",
            fix_en="check that every shape is there, or include the right .shx", **where))
        if not whole:
            issues.append(issue(
                "shp_truncated", Severity.WARNING, f"ไฟล์ {name}.shp ไม่ครบ อ่านได้เฉพาะรูปที่สมบูรณ์",
                f"{name}.shp is cut short: only the complete shapes were read",
                fix_th="อัปโหลดไฟล์ที่สมบูรณ์", fix_en="upload the complete file", **where))
    dbf = parts.get("dbf")
    if dbf is None:
        issues.append(issue(
            "missing_dbf", Severity.WARNING, f"ไม่มีไฟล์ {name}.dbf จึงอ่านได้เฉพาะรูปร่าง ไม่มีข้อมูลตาราง",
            f"{name}.dbf is missing: read the shapes only, without attributes",
            fix_th="ใส่ไฟล์ .dbf ของชั้นข้อมูลนี้ลงใน zip",
            fix_en="add the layer's .dbf file to the zip", **where))
    broken = damage(dbf) if dbf is not None else None
    shapes_only = False
    try:
        frame, wkb, messages = _read_latin1(shp, shx, dbf)
    except _GDAL_ERRORS as exc:
        if dbf is None:
            return _unreadable(name, [*issues, _broken(name, str(exc), where)])
        try:  # the shapes may be fine when only the table is broken
            frame, wkb, messages = _read_latin1(shp, shx, None)
        except _GDAL_ERRORS:
            return _unreadable(name, [*issues, _broken(name, str(exc), where)])
        dbf, shapes_only = None, True
        broken = broken or (str(exc), str(exc))
    if broken is not None:
        then_th, then_en = ("", "")
        if shapes_only:
            then_th, then_en = " จึงอ่านได้เฉพาะรูปร่าง", ": read the shapes only"
        issues.append(issue(
            "bad_dbf", Severity.WARNING, f"ไฟล์ {name}.dbf เสียหาย: {broken[0]}{then_th}",
            f"{name}.dbf is damaged: {broken[1]}{then_en}",
            fix_th="ส่งออกชั้นข้อมูลใหม่จากโปรแกรม GIS",
            fix_en="export the layer again from the GIS", **where))
    issues += [issue("gdal_warning", Severity.WARNING, f"GDAL เตือน: {m}", f"GDAL warning: {m}",
                     **where) for m in messages]
    layer = RawLayer(name=name, frame=frame, geometry=_shapes(wkb, issues, where), issues=issues)
    if dbf is not None:
        decode_text(layer, dbf, parts.get("cpg"), options, where)
    _locate(layer, parts.get("prj"), options, where)
    return layer


def _unreadable(name: str, issues: list[Issue]) -> RawLayer:
    return RawLayer(name=name, frame=pd.DataFrame(), geometry=None, issues=issues)


def _broken(name: str, detail: str, where: dict[str, Any]) -> Issue:
    return issue(
        "bad_shapefile", Severity.ERROR, f"อ่านชั้นข้อมูล {name} ไม่ได้: {detail}",
        f"cannot read layer {name}: {detail}",
        fix_th="ส่งออกชั้นข้อมูลใหม่จากโปรแกรม GIS", fix_en="export the layer again from the GIS",
        **where)


def _shapes(wkb: Any, issues: list[Issue], where: dict[str, Any]) -> list[Any]:
    """Shapely geometries from GDAL's WKB; None for a row without a shape (empty or null) and,
    with an error for the row, for one that cannot be decoded (e.g. a ring that is not closed)."""
    with np.errstate(invalid="ignore"):  # NaN coordinates in a damaged shape
        geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    given = np.array([raw is not None for raw in wkb], dtype=bool)
    missing = shapely.is_missing(geoms)
    for row in np.flatnonzero(given & missing):
        issues.append(issue(
            "bad_shape", Severity.ERROR, "รูปร่างเสียหาย อ่านไม่ได้",
            "the shape is damaged and cannot be read",
            fix_th="แก้รูปร่างในโปรแกรม GIS", fix_en="fix the shape in a GIS program",
            row=int(row) + 1, **where))
    out = np.asarray(geoms, dtype=object).copy()
    out[missing | shapely.is_empty(geoms)] = None
    return list(out)


def _read_latin1(
    shp: bytes, shx: bytes, dbf: bytes | None,
) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Read through GDAL from a temporary folder, text as Latin-1 (the raw bytes, losslessly).

    Returns the attributes, each row's shape as WKB (None for none) and GDAL's warnings, each
    message once with its count.
    """
    with tempfile.TemporaryDirectory(prefix="landmap-shp-") as folder:
        path = os.path.join(folder, "layer.shp")
        for ext, content in (("shp", shp), ("shx", shx), ("dbf", dbf)):
            if content is not None:
                with open(os.path.join(folder, f"layer.{ext}"), "wb") as out:
                    out.write(content)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            meta, _fids, wkb, columns = pyogrio.raw.read(path, encoding="latin1")
    n = len(wkb) if wkb is not None else len(columns[0]) if columns else 0
    frame = pd.DataFrame(
        {str(field): values for field, values in zip(meta["fields"], columns, strict=True)},
        index=pd.RangeIndex(n))
    counts = Counter(str(w.message) for w in caught)
    messages = [m if c == 1 else f"{m} (×{c})" for m, c in counts.most_common(_GDAL_MESSAGES)]
    return frame, np.asarray(wkb if wkb is not None else [None] * n, dtype=object), messages


def _locate(layer: RawLayer, prj: bytes | None, options: Options, where: dict[str, Any]) -> None:
    """Set the CRS: given (``options["crs"]``) > declared (``.prj``) > candidates.

    A layer without a CRS gets ranked candidates (``gis.io.check`` reports the guess, or that
    nothing fits). A declared CRS that puts the coordinates outside Thailand while another
    system fits (a ``.prj`` copied from another layer) is flagged, with the candidates.
    """
    given = options.get("crs")
    if given is not None:
        layer.crs_epsg = crs.epsg_of(given)
        if layer.crs_epsg is not None:
            layer.crs_source = "given"
            return
        layer.issues.append(issue(
            "unknown_crs_option", Severity.WARNING, f"ไม่รู้จักระบบพิกัด {given!r}",
            f"unknown CRS {given!r}", fix_th="ระบุรหัส EPSG เช่น 32647",
            fix_en="give an EPSG code such as 32647", **where))
    found = crs.candidates(*crs.coordinates(layer.geometry))
    if prj is not None:
        layer.crs_epsg = crs.from_prj(prj.decode("utf-8", errors="replace"))
        if layer.crs_epsg is not None:
            layer.crs_source = "declared"
            if found and layer.crs_epsg not in {c.epsg for c in found}:
                layer.crs_candidates = found
                layer.issues.append(issue(
                    "prj_mismatch", Severity.WARNING,
                    f"ไฟล์ .prj ระบุ EPSG:{layer.crs_epsg} แต่พิกัดไม่ตกในประเทศไทยในระบบนั้น "
                    f"น่าจะเป็น EPSG:{found[0].epsg} ({found[0].reason_th})",
                    f"the .prj declares EPSG:{layer.crs_epsg} but the coordinates do not fall "
                    f"in Thailand in it; likely EPSG:{found[0].epsg} ({found[0].reason_en})",
                    fix_th=f"ตรวจบนแผนที่ แล้วระบุระบบพิกัด เช่น EPSG:{found[0].epsg}",
                    fix_en=f"check on the map, then give the CRS, e.g. EPSG:{found[0].epsg}",
                    **where))
            return
        layer.issues.append(issue(
            "unknown_prj", Severity.WARNING, "ไม่รู้จักระบบพิกัดในไฟล์ .prj จึงเดาจากค่าพิกัด",
            "the .prj names no known CRS: guessing from the coordinates",
            fix_th="ยืนยันระบบพิกัดบนแผนที่", fix_en="confirm the CRS on the map", **where))
    else:
        layer.issues.append(issue(
            "no_prj", Severity.INFO, "ไม่มีไฟล์ .prj จึงเดาระบบพิกัดจากค่าพิกัด",
            "no .prj file: the CRS is guessed from the coordinates",
            fix_th="ใส่ไฟล์ .prj ลงใน zip หรือยืนยันระบบพิกัดบนแผนที่",
            fix_en="add the .prj to the zip, or confirm the CRS on the map", **where))
    layer.crs_candidates = found
