"""Checks on what callers send to the store, before any transaction starts.

Each problem is an ``InputError`` naming the layer, row and field, in Thai and English.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from gis.errors import InputError
from gis.store.states import STORE_CRS
from layers.schema import LayerSpec


def expected_version(expected_versions: Mapping[str, int], uid: str) -> int:
    try:
        return int(expected_versions[uid])
    except KeyError:
        raise InputError(
            f"ไม่ได้ระบุฉบับที่อ่านมาของ {uid}",
            f"no expected version given for {uid}",
            fix_th="ส่งฉบับ (version) ที่อ่านมาของทุกรายการที่แก้",
            fix_en="pass the version you read for every feature you change",
        ) from None


def check_required(spec: LayerSpec, values: Mapping[str, Any], *, row: int) -> None:
    for name in spec.required_fields:
        if values.get(name) is None:
            fld = spec.field(name)
            raise InputError(
                "ช่องนี้ต้องมีค่า", "this field is required", file=spec.name, row=row,
                field=name, fix_th=f"กรอก '{fld.label_th}'", fix_en=f"fill in '{fld.label_en}'",
            )


def unknown_fields(spec: LayerSpec, names: list[str]) -> InputError:
    return InputError(
        f"ชั้นข้อมูล {spec.label_th} ไม่มีช่อง {', '.join(map(str, names))}",
        f"layer {spec.name} has no field(s) {', '.join(map(str, names))}",
        file=spec.name,
        fix_th=f"ใช้ช่องที่ประกาศไว้: {', '.join(spec.field_names)}",
        fix_en=f"use declared fields: {', '.join(spec.field_names)}",
    )


def conform_geometry(spec: LayerSpec, geom: Any, *, row: int) -> BaseGeometry | None:
    if geom is None or (isinstance(geom, float) and np.isnan(geom)):
        return None
    if not isinstance(geom, BaseGeometry):
        raise InputError("รูปร่างไม่ถูกต้อง", f"not a geometry: {geom!r}", file=spec.name, row=row,
                         field="geometry")
    if spec.geometry == "MultiPolygon" and isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if geom.geom_type != spec.geometry:
        raise InputError(
            f"ชั้นข้อมูลนี้รับรูปร่างแบบ {spec.geometry} แต่ได้ {geom.geom_type}",
            f"this layer takes {spec.geometry} geometries, got {geom.geom_type}",
            file=spec.name, row=row, field="geometry",
        )
    return geom


def conform_frame(spec: LayerSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """Check a frame's columns against the layer and bring its geometries to the store CRS."""
    ignored = {"version", "updated_at", "updated_by", "deleted", "fid"}
    geometry_name = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    unknown = [
        c for c in frame.columns
        if c not in spec.field_names and c != "uid" and c not in ignored
        and c != geometry_name
    ]
    if unknown:
        raise unknown_fields(spec, unknown)
    if not spec.geometry:
        return frame
    if not isinstance(frame, gpd.GeoDataFrame):
        raise InputError(
            f"ชั้นข้อมูล {spec.label_th} ต้องมีรูปร่าง (geometry)",
            f"layer {spec.name} needs a GeoDataFrame with geometries",
            file=spec.name,
        )
    if frame.crs is None:
        raise InputError(
            "ข้อมูลไม่ได้ระบุระบบพิกัด (CRS)",
            "the data has no coordinate reference system (CRS)",
            file=spec.name,
            fix_th="ระบุระบบพิกัดของไฟล์ก่อนบันทึก", fix_en="set the data's CRS first",
        )
    projected: pd.DataFrame = frame if frame.crs.equals(STORE_CRS) else frame.to_crs(STORE_CRS)
    return projected
