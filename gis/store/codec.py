"""Encoding of geometries and field values for the two backends.

The GeoPackage geometry blob (GPKG spec §2.1.3) is ``'GP'``, version, flags, SRS id, an optional
envelope, then ISO WKB. We always write the [minx, maxx, miny, maxy] envelope for non-empty
geometries so that the R-tree triggers never need to parse WKB.
"""

from __future__ import annotations

import datetime as dt
import json
import struct
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from gis.errors import InputError
from layers.schema import DType, Field

_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_FLAG_LITTLE_ENDIAN = 0x01
_FLAG_ENVELOPE_XY = 0x01 << 1
_FLAG_EMPTY = 0x01 << 4


def gpkg_blob(geom: BaseGeometry | None, srs_id: int = 4326) -> bytes | None:
    """One geometry as a GeoPackage binary blob (``None`` stays ``None``)."""
    if geom is None:
        return None
    wkb: bytes = shapely.to_wkb(geom, byte_order=1, flavor="iso", output_dimension=2)
    if geom.is_empty:
        return b"GP\x00" + bytes([_FLAG_LITTLE_ENDIAN | _FLAG_EMPTY]) + struct.pack(
            "<i", srs_id) + wkb
    minx, miny, maxx, maxy = geom.bounds
    return (
        b"GP\x00"
        + bytes([_FLAG_LITTLE_ENDIAN | _FLAG_ENVELOPE_XY])
        + struct.pack("<i4d", srs_id, minx, maxx, miny, maxy)
        + wkb
    )


_HEADER = np.dtype([("magic", "S3"), ("flags", "u1"), ("srs", "<i4"), ("envelope", "<f8", 4)])


def gpkg_blobs(geoms: np.ndarray[Any, Any], wkb: Sequence[bytes | None],
               srs_id: int = 4326) -> list[bytes | None]:
    """Many geometries as GeoPackage blobs (as ``gpkg_blob`` makes one), given their 2-D ISO
    little-endian WKB: the headers are built in one array."""
    n = len(wkb)
    present = np.array([w is not None for w in wkb], dtype=bool)
    empty = np.zeros(n, dtype=bool)
    empty[present] = shapely.is_empty(geoms[present])
    headers = np.zeros(n, dtype=_HEADER)
    headers["magic"] = b"GP\x00"
    headers["srs"] = srs_id
    headers["flags"] = np.where(empty, _FLAG_LITTLE_ENDIAN | _FLAG_EMPTY,
                                _FLAG_LITTLE_ENDIAN | _FLAG_ENVELOPE_XY)
    bounds = np.zeros((n, 4))
    boxed = present & ~empty
    bounds[boxed] = shapely.bounds(geoms[boxed])
    headers["envelope"] = bounds[:, [0, 2, 1, 3]]  # minx, maxx, miny, maxy
    raw = headers.tobytes()
    size = _HEADER.itemsize
    return [None if w is None else (raw[i * size:i * size + 8] + w if empty[i]
                                    else raw[i * size:(i + 1) * size] + w)
            for i, w in enumerate(wkb)]


def _header_length(blob: bytes) -> int:
    return 8 + _ENVELOPE_BYTES[(blob[3] >> 1) & 0x07]


def gpkg_wkb(blob: bytes) -> bytes:
    """The WKB part of a GeoPackage blob."""
    if blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob (missing 'GP' magic)")
    return bytes(blob[_header_length(blob):])


def gpkg_geometries(blobs: Sequence[bytes | None]) -> np.ndarray[Any, Any]:
    """Decode many blobs at once into an array of shapely geometries (``None`` for NULL)."""
    wkbs = [None if b is None else gpkg_wkb(b) for b in blobs]
    return shapely.from_wkb(np.array(wkbs, dtype=object))  # type: ignore[no-any-return]


def gpkg_is_empty(blob: bytes | None) -> int | None:
    """SQL function ST_IsEmpty over a blob, as the GeoPackage R-tree triggers call it."""
    if blob is None:
        return None
    if blob[:2] == b"GP":
        if blob[3] & _FLAG_EMPTY:
            return 1
        if (blob[3] >> 1) & 0x07:
            return 0
    return int(shapely.from_wkb(gpkg_wkb(blob)).is_empty)


def gpkg_envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) of a blob, from its header when present, else from its WKB."""
    if blob is None or gpkg_is_empty(blob):
        return None
    order = "<" if blob[3] & _FLAG_LITTLE_ENDIAN else ">"
    if (blob[3] >> 1) & 0x07:
        minx, maxx, miny, maxy = struct.unpack_from(order + "4d", blob, 8)
        return minx, maxx, miny, maxy
    bx0, by0, bx1, by1 = shapely.from_wkb(gpkg_wkb(blob)).bounds
    return bx0, bx1, by0, by1


def utc_now() -> dt.datetime:
    """Now, in UTC, to the millisecond (the precision GeoPackage DATETIME keeps)."""
    now = dt.datetime.now(dt.UTC)
    return now.replace(microsecond=(now.microsecond // 1000) * 1000)


def iso_datetime(value: dt.datetime) -> str:
    """GeoPackage DATETIME text: ``YYYY-MM-DDTHH:MM:SS.sssZ`` in UTC."""
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_datetime(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


def is_missing(value: Any) -> bool:
    """None, NaN, NaT and pandas.NA all mean 'no value'."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def coerce(field: Field, value: Any, *, layer: str, row: int | None) -> Any:
    """A value as the Python type its field's dtype promises, or ``InputError`` saying why not.

    Missing values (None, NaN, NaT, pandas.NA) become ``None``. Vocabulary fields only accept
    declared codes.
    """
    if is_missing(value):
        return None
    try:
        out = _coerce(field.dtype, value)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"ค่า {value!r} ใช้เป็นชนิด {field.dtype} ไม่ได้",
            f"value {value!r} is not a valid {field.dtype} ({exc})",
            file=layer, row=row, field=field.name,
            fix_th=f"แก้ช่อง '{field.label_th}' ให้เป็นชนิด {field.dtype}",
            fix_en=f"make '{field.label_en}' a {field.dtype}",
        ) from None
    if field.vocabulary is not None and out not in field.vocabulary.codes():
        allowed = ", ".join(field.vocabulary.codes())
        raise InputError(
            f"ค่า {value!r} ไม่อยู่ในรายการที่กำหนด",
            f"value {value!r} is not one of the declared codes",
            file=layer, row=row, field=field.name,
            fix_th=f"ใช้รหัสใดรหัสหนึ่งต่อไปนี้: {allowed}",
            fix_en=f"use one of: {allowed}",
        )
    return out


def _coerce(dtype: DType, value: Any) -> Any:
    if dtype is DType.STR:
        return str(value)
    if dtype is DType.INT:
        if isinstance(value, bool):
            raise TypeError("a yes/no value is not a number")
        as_float = float(value)
        if not as_float.is_integer():
            raise ValueError("not a whole number")
        return int(as_float)
    if dtype is DType.FLOAT:
        if isinstance(value, bool):
            raise TypeError("a yes/no value is not a number")
        return float(value)
    if dtype is DType.BOOL:
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if isinstance(value, int | np.integer) and value in (0, 1):
            return bool(value)
        raise TypeError("expected true/false")
    if dtype is DType.DATE:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if hasattr(value, "to_pydatetime"):
            return value.to_pydatetime().date()
        return dt.date.fromisoformat(str(value))
    if dtype is DType.DATETIME:
        if hasattr(value, "to_pydatetime"):
            value = value.to_pydatetime()
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return parse_datetime(str(value))
    if dtype is DType.JSON:
        if isinstance(value, str):
            return json.loads(value)
        json.dumps(value)  # raises TypeError for values JSON cannot hold
        return value
    raise AssertionError(f"unhandled dtype {dtype}")


def jsonable(dtype: DType, value: Any) -> Any:
    """A coerced value as plain JSON (for history snapshots)."""
    if value is None:
        return None
    if dtype is DType.DATE:
        return value.isoformat()
    if dtype is DType.DATETIME:
        return iso_datetime(value)
    return value


def from_jsonable(dtype: DType, value: Any) -> Any:
    if value is None:
        return None
    if dtype is DType.DATE:
        return dt.date.fromisoformat(value)
    if dtype is DType.DATETIME:
        return parse_datetime(value)
    return value
