"""Field round trip for teams that collect offline: a village as a plain GeoPackage for QField
(or any GIS), and the edits made in it merged back without overwriting anyone's work.

``field_package`` writes one layer per village-coded spatial layer — households and plots to edit,
the village outline for context (read-only) — with ``uid`` and ``version`` and only the fields
the receiving role may see (``gis.privacy``; derived fields are left out). Two small tables go
with them: ``landmap_package`` (format, village, time, role, store, and each layer's exported
fields) and ``landmap_package_base`` (the uid and version of every exported feature: the base
each row is compared with, and how a row deleted in the field is told from one never exported).

Merging a package back is ``gis.field_merge``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from gis.errors import InputError, LandmapError
from gis.privacy import Audience, Scope, read_visible, scope_of, shows_geometry, visible_fields
from gis.store.codec import is_missing, iso_datetime, parse_datetime, utc_now
from gis.store.protocol import Store
from gis.store.states import STORE_CRS, dumps
from layers import LAYERS
from layers.schema import DType, LayerSpec

PACKAGE_FORMAT = "landmap-field-package"
PACKAGE_FORMAT_VERSION = 1
META_LAYER = "landmap_package"
BASE_LAYER = "landmap_package_base"
CONTEXT_LAYERS = frozenset({"villages"})  # in the package to find one's way, never merged back
GEOMETRY_TOLERANCE = 1e-8  # degrees (~1 mm): the float noise of a round trip, not an edit
_ARROW_DTYPES = {DType.STR: "str", DType.INT: "Int64", DType.FLOAT: "float64",
                 DType.BOOL: "boolean", DType.DATE: "date32[pyarrow]",
                 DType.DATETIME: "datetime64[ms, UTC]"}


def package_layers() -> list[LayerSpec]:
    """The layers a field package holds: every spatial layer with a village code."""
    return [s for s in LAYERS.values() if s.geometry and "village_code" in s.field_names]


@dataclass(frozen=True)
class PackagedLayer:
    """One layer of a field package: what was exported, and whether it is merged back."""

    name: str
    features: int
    fields: tuple[str, ...]
    geometry: bool
    editable: bool

    def as_json(self) -> dict[str, Any]:
        return {"features": self.features, "fields": list(self.fields),
                "geometry": self.geometry, "editable": self.editable}


@dataclass(frozen=True)
class FieldPackage:
    """What ``field_package`` wrote (and what ``field_merge`` reads back from its tables)."""

    out: str
    village: str
    username: str
    role: str
    created_at: dt.datetime
    layers: tuple[PackagedLayer, ...]
    base: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # layer → uid → version

    def as_json(self) -> dict[str, Any]:
        """The ``landmap field-package --json`` shape."""
        return {"out": self.out, "village": self.village, "role": self.role,
                "username": self.username, "created_at": iso_datetime(self.created_at),
                "layers": {layer.name: layer.as_json() for layer in self.layers}}


# ------------------------------------------------------------------------------ package
def field_package(store: Store, *, village: str, out: str | os.PathLike[str],
                  audience: Audience, overwrite: bool = False) -> FieldPackage:
    """Write the field package of ``village`` for ``audience`` to ``out`` (a ``.gpkg``).

    Raises ``InputError`` when the village is unknown or outside the audience's areas, or when
    ``out`` exists (unless ``overwrite``) or its folder does not. The file is built beside
    ``out`` and renamed into place, so a failure never leaves half a package.
    """
    path = Path(out)
    _check_out(path, overwrite)
    scope = scope_of(store, audience)
    _check_village(store, village, scope)
    created = utc_now()
    layers: list[PackagedLayer] = []
    base: list[tuple[str, str, int]] = []
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".gpkg", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)  # GDAL creates the file itself
    try:
        for spec in package_layers():
            frame = read_visible(store, spec.name, audience, where={"village_code": village},
                                 scope=scope)
            fields = tuple(f.name for f in visible_fields(spec, audience) if not f.derived)
            geometry = shows_geometry(spec, audience)
            table = _package_frame(spec, frame, fields, geometry)
            pyogrio.write_dataframe(table, tmp, layer=spec.name, driver="GPKG", use_arrow=True,
                                    geometry_type=spec.geometry if geometry else None)
            base += [(spec.name, str(u), int(v))
                     for u, v in zip(frame["uid"], frame["version"], strict=True)]
            layers.append(PackagedLayer(spec.name, len(frame), fields, geometry,
                                        spec.name not in CONTEXT_LAYERS))
        package = FieldPackage(str(path), village, audience.username, audience.role.value,
                               created, tuple(layers))
        pyogrio.write_dataframe(_meta_frame(package, store.backend), tmp, layer=META_LAYER,
                                driver="GPKG", use_arrow=True)
        pyogrio.write_dataframe(pd.DataFrame({
            "layer": pd.Series([b[0] for b in base], dtype="str"),
            "uid": pd.Series([b[1] for b in base], dtype="str"),
            "version": pd.Series([b[2] for b in base], dtype="Int64"),
        }), tmp, layer=BASE_LAYER, driver="GPKG", use_arrow=True)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return package


def _check_out(path: Path, overwrite: bool) -> None:
    if path.suffix.lower() != ".gpkg":
        raise InputError("ไฟล์ชุดข้อมูลภาคสนามต้องลงท้ายด้วย .gpkg",
                         "a field package is a GeoPackage: its name must end in .gpkg",
                         file=str(path), field="out")
    if not path.parent.is_dir():
        raise InputError("ไม่มีโฟลเดอร์นี้", "the folder does not exist", file=str(path.parent),
                         field="out", fix_th="สร้างโฟลเดอร์ก่อน", fix_en="create the folder first")
    if path.exists() and not overwrite:
        raise InputError("มีไฟล์นี้อยู่แล้ว", "the file already exists", file=str(path),
                         field="out", fix_th="ใช้ชื่อไฟล์อื่น หรือสั่งให้เขียนทับ (--force)",
                         fix_en="choose another name, or replace it (--force)")


def _check_village(store: Store, village: str, scope: Scope) -> None:
    if store.count_by("villages", where={"village_code": village}).get(None, 0) == 0:
        raise InputError(f"ไม่มีหมู่บ้าน/ชุมชนรหัส {village!r} ในที่เก็บข้อมูล",
                         f"no village with code {village!r} in the store", field="village",
                         fix_th="ตรวจรหัสหมู่บ้าน (8 หลัก)", fix_en="check the village code")
    if not scope.contains(village):
        raise InputError(f"หมู่บ้าน {village} ไม่อยู่ในพื้นที่ที่ได้รับมอบหมาย",
                         f"village {village} is not in the assigned areas", field="village",
                         fix_th="ให้ผู้ดูแลระบบเพิ่มพื้นที่ให้",
                         fix_en="ask an administrator to assign the area")


def _package_frame(spec: LayerSpec, frame: pd.DataFrame, fields: Sequence[str],
                   geometry: bool) -> pd.DataFrame:
    """The exported columns, typed so that GDAL writes real integer, boolean and date fields."""
    data: dict[str, Any] = {"uid": pd.Series(frame["uid"].tolist(), dtype="str"),
                            "version": pd.Series(frame["version"].tolist(), dtype="Int64")}
    for name in fields:
        f = spec.field(name)
        values = [None if is_missing(v) else v for v in frame[name].tolist()]
        if f.dtype is DType.JSON:
            data[name] = pd.Series([None if v is None else dumps(v) for v in values],
                                   dtype="str")
        else:
            data[name] = pd.Series(values, dtype=_ARROW_DTYPES[f.dtype])
    table = pd.DataFrame(data)
    if not geometry:
        return table
    out: pd.DataFrame = gpd.GeoDataFrame(
        table, geometry=gpd.GeoSeries(list(frame.geometry.array), crs=STORE_CRS))
    return out


def _meta_frame(package: FieldPackage, backend: str) -> pd.DataFrame:
    return pd.DataFrame({
        "format": [PACKAGE_FORMAT], "format_version": [PACKAGE_FORMAT_VERSION],
        "village": [package.village], "created_at": [iso_datetime(package.created_at)],
        "username": [package.username], "role": [package.role], "store_backend": [backend],
        "layers": [dumps({layer.name: layer.as_json() for layer in package.layers})],
    })


def read_package(path: str | os.PathLike[str]) -> FieldPackage:
    """What a field package says about itself; ``InputError`` when the file is not one."""
    where = str(path)
    not_package = InputError(
        "ไฟล์นี้ไม่ใช่ชุดข้อมูลภาคสนามของ Landmap", "this is not a Landmap field package",
        file=where, fix_th="ใช้ไฟล์ที่สร้างด้วย landmap field-package",
        fix_en="use a file made by landmap field-package")
    if not Path(path).is_file():
        raise InputError("ไม่พบไฟล์", "no such file", file=where)
    try:
        names = {str(row[0]) for row in pyogrio.list_layers(path)}
        if not {META_LAYER, BASE_LAYER} <= names:
            raise not_package
        meta = pyogrio.read_dataframe(path, layer=META_LAYER, use_arrow=True)
        base = pyogrio.read_dataframe(path, layer=BASE_LAYER, use_arrow=True)
        row = meta.iloc[0]
        if row["format"] != PACKAGE_FORMAT or int(row["format_version"]) != \
                PACKAGE_FORMAT_VERSION:
            raise not_package
        described = json.loads(row["layers"])
        layers = tuple(PackagedLayer(name, int(d["features"]), tuple(d["fields"]),
                                     bool(d["geometry"]), bool(d["editable"]))
                       for name, d in described.items() if name in LAYERS)
        by_layer: dict[str, dict[str, int]] = {}
        for layer, uid, version in zip(base["layer"], base["uid"], base["version"],
                                       strict=True):
            by_layer.setdefault(str(layer), {})[str(uid)] = int(version)
        return FieldPackage(where, str(row["village"]), str(row["username"]), str(row["role"]),
                            parse_datetime(str(row["created_at"])), layers, by_layer)
    except LandmapError:
        raise
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, KeyError,
            IndexError, TypeError, ValueError) as exc:
        raise not_package from exc


# -------------------------------------------------------------------------------- merge
