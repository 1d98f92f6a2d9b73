"""Exports of a layer for an audience, through the privacy gate (DESIGN.md §3), in GeoPackage,
GeoJSON, CSV, XLSX or KML.

What goes in is decided once, by ``export_table``, whatever the format:

* Every audience gets only the rows of its areas and the fields its role may see
  (``gis.privacy.read_visible``); shapes only where it may see them (a negotiator gets household
  rows without their points).
* An outside audience (``audience.outside``: agency viewers, ``public_audience()``) gets only
  ``public`` fields, and individual features only of layers whose rows and shapes are public —
  a layer whose key field is public and whose geometry is public or absent (villages,
  tenure_zones, admin). Every other layer (plots, households, repairs, budgets) goes out as one
  row per area of its ``area_field``: the area's code, names and outline with the number of
  features, counts from 1 to 2 left empty (``suppressed`` true), never the number. Before
  anything is written for an outsider, every column is checked against the declarations: a
  column that is not public is a bug, and nothing is written.

Columns keep their machine names and vocabulary codes in every format (stable for scripts,
joins and re-imports). Labels go with the data where the format has room: the XLSX has a second
sheet ``fields`` (name, Thai and English label, type, privacy class, allowed values in the
chosen language) and the GeoPackage the same table as ``landmap_fields``; KML placemarks are
named in the chosen language. Formats: GeoPackage and GeoJSON (RFC 7946, EPSG:4326) and KML
through pyogrio (GDAL's KML driver, always built in); CSV in UTF-8 with a BOM so Excel reads
Thai, shapes as ``lon``/``lat`` for points and ``wkt`` otherwise, and text that Excel would run
as a formula prefixed with ``'``; XLSX through openpyxl with ``lon``/``lat`` for points and no
polygons (a cell holds at most 32,767 characters). Attachments never go into an export.

Every export is written to a temporary file beside ``out``, audited (who, when, layer, format,
audience, rows), and only then renamed into place.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from openpyxl import Workbook  # type: ignore[import-untyped]  # ships no stubs
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]

from gis.errors import InputError
from gis.privacy import Audience, Scope, read_visible, scope_of, scope_where, suppress
from gis.store.codec import is_missing, iso_datetime, utc_now
from gis.store.protocol import AuditEvent, Store
from gis.store.states import STORE_CRS, dumps
from layers import LAYERS
from layers.schema import DType, LayerSpec, PrivacyClass

Format = Literal["gpkg", "geojson", "csv", "xlsx", "kml"]
FORMATS: Final[tuple[Format, ...]] = ("gpkg", "geojson", "csv", "xlsx", "kml")
LANGS: Final = ("th", "en")
FIELDS_TABLE: Final = "landmap_fields"
XLSX_CELL_MAX: Final = 32_767
COORD_DECIMALS: Final = 7  # about 1 cm, as RFC 7946 writers do by default
_FORMULA = re.compile(r"^(?:[=+\-@].|[\t\r])", re.DOTALL)
_ARROW: Final = {DType.STR: "str", DType.INT: "Int64", DType.FLOAT: "float64",
                 DType.BOOL: "boolean", DType.DATE: "date32[pyarrow]",
                 DType.DATETIME: "datetime64[ms, UTC]", DType.JSON: "str"}
# The columns an aggregate adds to the area's code: (name, dtype, label_th, label_en).
_AGGREGATE: Final = (
    ("name_th", DType.STR, "ชื่อพื้นที่ (ไทย)", "Area name (Thai)"),
    ("name_en", DType.STR, "ชื่อพื้นที่ (อังกฤษ)", "Area name (English)"),
    ("count", DType.INT, "จำนวน (น้อยกว่า 3 ไม่แสดง)", "Count (fewer than 3 not shown)"),
    ("suppressed", DType.BOOL, "จำนวนน้อยกว่า 3 จึงไม่แสดง", "Count below 3, not shown"),
)


@dataclass(frozen=True)
class ExportTable:
    """What an export holds for one audience, whatever the format.

    ``frame`` has the ``columns`` (machine names) and, when ``geometry`` names a type, a
    ``geometry`` column of shapes in EPSG:4326. ``aggregated`` tables have one row per area of
    the layer's ``area_field``; ``suppressed`` counts the areas whose count was left out.
    """

    layer: str
    name: str
    frame: pd.DataFrame
    columns: tuple[str, ...]
    dtypes: tuple[DType, ...]
    labels: tuple[tuple[str, str], ...]
    geometry: str | None
    aggregated: bool
    suppressed: int


@dataclass(frozen=True)
class ExportResult:
    """What ``export_layer`` wrote; ``as_json`` is the ``landmap export --json`` shape.

    ``location`` says how places were written: ``geometry`` (shapes), ``lon_lat``, ``wkt`` or
    None (no places for this audience or format).
    """

    out: str
    layer: str
    name: str
    format: str
    role: str
    username: str
    areas: tuple[str, ...]
    rows: int
    fields: tuple[str, ...]
    location: str | None
    aggregated: bool
    suppressed: int
    lang: str
    exported_at: dt.datetime

    def as_json(self) -> dict[str, Any]:
        return {"out": self.out, "layer": self.layer, "name": self.name, "format": self.format,
                "role": self.role, "username": self.username, "areas": list(self.areas),
                "rows": self.rows, "fields": list(self.fields), "location": self.location,
                "aggregated": self.aggregated, "suppressed": self.suppressed,
                "lang": self.lang, "exported_at": iso_datetime(self.exported_at)}


# ------------------------------------------------------------------------------ content
def individual_rows_public(spec: LayerSpec) -> bool:
    """Whether an outside audience may get this layer feature by feature: its key and its
    shapes (if any) are public. Otherwise outsiders get counts per area."""
    return spec.field(spec.key).privacy is PrivacyClass.PUBLIC and (
        spec.geometry is None or spec.geometry_privacy is PrivacyClass.PUBLIC)


def export_table(store: Store, *, layer: str, audience: Audience) -> ExportTable:
    """The rows, columns and shapes of ``layer`` that may go to ``audience`` (see the module
    docstring); ``InputError`` for an unknown layer."""
    spec = _spec(layer)
    scope = scope_of(store, audience)
    if audience.outside and not individual_rows_public(spec):
        table = _aggregate(store, spec, audience, scope)
    else:
        table = _features(store, spec, audience, scope)
    if audience.outside:
        _assert_public(spec, table)
    return table


def _features(store: Store, spec: LayerSpec, audience: Audience, scope: Scope) -> ExportTable:
    frame = read_visible(store, spec.name, audience, scope=scope)
    geometry = spec.geometry if "geometry" in frame.columns else None
    columns = tuple(c for c in frame.columns if c != "geometry")
    dtypes = tuple(spec.field(c).dtype for c in columns)
    labels = tuple((spec.field(c).label_th, spec.field(c).label_en) for c in columns)
    return ExportTable(spec.name, spec.name, frame, columns, dtypes, labels, geometry,
                       aggregated=False, suppressed=0)


def _aggregate(store: Store, spec: LayerSpec, audience: Audience, scope: Scope) -> ExportTable:
    """One row per area of the layer's area field: code, names, outline, suppressed count."""
    area = spec.area_field
    if area is None:  # no layer is like this today; refuse rather than leak
        raise InputError(f"ชั้นข้อมูล {spec.name} ส่งออกให้หน่วยงานภายนอกไม่ได้",
                         f"layer {spec.name} cannot be exported to an outside audience",
                         field="layer")
    if area == "village_code":
        counts = store.count_by(spec.name, area, where=scope_where(spec, scope))
    else:
        counts = store.count_by(spec.name, area)
    counts = {str(k): n for k, n in counts.items() if k is not None and scope.contains(str(k))}
    places = read_visible(store, "villages", audience, scope=scope)[
        ["village_code", "name_th", "name_en", "geometry"]].rename(columns={"village_code": "code"})
    codes = set(counts)
    if area == "village_code":
        codes |= set(places["code"].astype(str))  # villages with nothing counted show 0
    else:
        admin = read_visible(store, "admin", audience)[["code", "name_th", "name_en", "geometry"]]
        places = pd.concat([admin, places], ignore_index=True)
    places = places.drop_duplicates("code").set_index("code")
    shown = suppress({c: counts.get(c, 0) for c in sorted(codes)}, audience)
    known = [c for c in shown if c in places.index]
    frame = pd.DataFrame({
        area: pd.Series(list(shown), dtype="str"),
        "name_th": [places.at[c, "name_th"] if c in places.index else None for c in shown],
        "name_en": [places.at[c, "name_en"] if c in places.index else None for c in shown],
        "count": pd.Series(list(shown.values()), dtype="Int64"),
        "suppressed": [n is None for n in shown.values()],
        "geometry": [places.at[c, "geometry"] if c in known else None for c in shown],
    })
    fld = spec.field(area)
    return ExportTable(
        spec.name, f"{spec.name}_by_{'village' if area == 'village_code' else 'area'}", frame,
        (area, *(c[0] for c in _AGGREGATE)), (fld.dtype, *(c[1] for c in _AGGREGATE)),
        ((fld.label_th, fld.label_en), *((c[2], c[3]) for c in _AGGREGATE)),
        "MultiPolygon", aggregated=True, suppressed=sum(n is None for n in shown.values()))


def _assert_public(spec: LayerSpec, table: ExportTable) -> None:
    """The last check before anything leaves the community: every column declared public."""
    allowed = {"uid", "version", *(c[0] for c in _AGGREGATE)} if table.aggregated else \
        {"uid", "version"}
    leaked = [c for c in table.columns if c not in allowed and not (
        c in spec.field_names and spec.field(c).privacy is PrivacyClass.PUBLIC
        and spec.field(c).dtype is not DType.JSON)]
    if leaked or (table.geometry and not table.aggregated
                  and spec.geometry_privacy is not PrivacyClass.PUBLIC):
        raise RuntimeError(f"privacy gate let non-public columns through: {leaked}")


# ------------------------------------------------------------------------------- export
def export_layer(store: Store, *, layer: str, audience: Audience, fmt: str,
                 out: str | os.PathLike[str], lang: str = "th", user: str,
                 overwrite: bool = False) -> ExportResult:
    """Write ``layer`` as ``audience`` may see it to ``out`` in format ``fmt``, and audit it.

    Parameters
    ----------
    store
        Where the layer is read from; the audit entry is written there too.
    layer
        A layer name (``landmap layers``).
    audience
        Who the file is for: its role sets the fields, its areas the rows; outside audiences
        get public fields and aggregates (module docstring).
    fmt
        ``gpkg``, ``geojson``, ``csv``, ``xlsx`` or ``kml``.
    out
        The file to write; its folder must exist.
    lang
        ``th`` or ``en``: the language of labels (XLSX ``fields`` sheet, KML names).
    user
        Who exports, for the audit log.
    overwrite
        Replace ``out`` if it exists (otherwise that is an error).

    Returns
    -------
    ExportResult
        What was written: rows, fields, whether aggregated, how many counts were suppressed.

    Raises
    ------
    InputError
        Unknown layer, format or language, or a path that cannot be written — in Thai and
        English; nothing is written.
    """
    spec = _spec(layer)
    if fmt not in FORMATS:
        raise InputError(f"ไม่รู้จักรูปแบบไฟล์ {fmt!r} (ใช้ได้: {', '.join(FORMATS)})",
                         f"unknown format {fmt!r} (use one of: {', '.join(FORMATS)})",
                         field="format")
    if lang not in LANGS:
        raise InputError(f"ไม่รู้จักภาษา {lang!r} (ใช้ th หรือ en)",
                         f"unknown language {lang!r} (use th or en)", field="lang")
    path = Path(out)
    _check_out(path, overwrite)
    table = export_table(store, layer=spec.name, audience=audience)
    tmp = _temporary(path, fmt)
    try:
        location = _WRITERS[fmt](table, tmp, lang)
        result = ExportResult(
            str(path), spec.name, table.name, fmt, audience.role.value, audience.username,
            tuple(sorted(audience.areas)), len(table.frame), table.columns, location,
            table.aggregated, table.suppressed, lang, utc_now())
        store.append_audit(AuditEvent(user, "export", spec.name, {
            "what": "export", "layer": spec.name, "format": fmt, "rows": result.rows,
            "role": result.role, "audience": audience.username, "areas": list(result.areas),
            "aggregated": result.aggregated, "suppressed": result.suppressed,
            "fields": list(result.fields), "file": path.name, "lang": lang}))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return result


def store_areas(store: Store) -> frozenset[str]:
    """Every area code the store's features are tied to: assigning all of them to an audience
    shows it every row (for the command line, which is trusted with the whole store)."""
    codes: set[str] = set()
    for spec in LAYERS.values():
        if spec.area_field is not None:
            codes |= {str(c) for c in store.count_by(spec.name, spec.area_field) if c is not None}
    return frozenset(codes)


def _spec(layer: str) -> LayerSpec:
    if layer not in LAYERS:
        known = ", ".join(LAYERS)
        raise InputError(f"ไม่มีชั้นข้อมูลชื่อ {layer!r} (ที่มี: {known})",
                         f"no layer named {layer!r} (known: {known})", field="layer")
    return LAYERS[layer]


def _check_out(path: Path, overwrite: bool) -> None:
    if path.is_dir():
        raise InputError("ที่หมายเป็นโฟลเดอร์ ไม่ใช่ไฟล์", "the output is a folder, not a file",
                         file=str(path), field="out", fix_th="ระบุชื่อไฟล์",
                         fix_en="give a file name")
    if not path.parent.is_dir():
        raise InputError("ไม่มีโฟลเดอร์นี้", "the folder does not exist", file=str(path.parent),
                         field="out", fix_th="สร้างโฟลเดอร์ก่อน", fix_en="create the folder first")
    if path.exists() and not overwrite:
        raise InputError("มีไฟล์นี้อยู่แล้ว", "the file already exists", file=str(path),
                         field="out", fix_th="ใช้ชื่อไฟล์อื่น หรือสั่งให้เขียนทับ (--force)",
                         fix_en="choose another name, or replace it (--force)")


def _temporary(path: Path, fmt: str) -> str:
    """A free name beside ``path`` (same file system, so the final rename is atomic), ending in
    the format's extension as GDAL expects."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".{fmt}", dir=path.parent)
    except OSError as exc:
        raise InputError("เขียนไฟล์ในโฟลเดอร์นี้ไม่ได้", f"cannot write in this folder ({exc})",
                         file=str(path), field="out",
                         fix_th="เลือกโฟลเดอร์ที่มีสิทธิ์เขียน",
                         fix_en="choose a folder you may write to") from exc
    os.close(fd)
    os.unlink(tmp)  # GDAL creates its files itself
    return tmp


# ------------------------------------------------------------------------------ writers
def _typed(table: ExportTable) -> pd.DataFrame:
    """The columns typed for GDAL (real integer, boolean, date and time fields; JSON as text),
    with the shapes as a GeoSeries in EPSG:4326 when there are any."""
    data = {}
    for name, dtype in zip(table.columns, table.dtypes, strict=True):
        values = [None if is_missing(v) else v for v in table.frame[name].tolist()]
        if dtype is DType.JSON:
            values = [None if v is None else dumps(v) for v in values]
        data[name] = pd.Series(values, dtype=_ARROW[dtype])
    plain = pd.DataFrame(data, index=range(len(table.frame)))
    if table.geometry is None:
        return plain
    shapes = gpd.GeoSeries(list(table.frame["geometry"]), crs=STORE_CRS)
    typed: pd.DataFrame = gpd.GeoDataFrame(plain, geometry=shapes)
    return typed


def _spatial(table: ExportTable) -> gpd.GeoDataFrame:
    """``_typed`` with a geometry column even when there are no places (features without a
    geometry, but in a layer that says it is EPSG:4326, as RFC 7946 and KML require)."""
    data = _typed(table)
    if isinstance(data, gpd.GeoDataFrame):
        return data
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([None] * len(data), crs=STORE_CRS))


def _gpkg(table: ExportTable, tmp: str, lang: str) -> str | None:
    pyogrio.write_dataframe(_typed(table), tmp, layer=table.name, driver="GPKG", use_arrow=True,
                            geometry_type=table.geometry)
    pyogrio.write_dataframe(_fields_frame(table, lang), tmp, layer=FIELDS_TABLE, driver="GPKG",
                            use_arrow=True)
    return "geometry" if table.geometry else None


def _geojson(table: ExportTable, tmp: str, lang: str) -> str | None:
    # RFC 7946: WGS 84 longitude/latitude (our store's CRS), no "crs" member, 7 decimals.
    pyogrio.write_dataframe(_spatial(table), tmp, layer=table.name, driver="GeoJSON",
                            use_arrow=True, layer_options={"RFC7946": "YES"},
                            geometry_type=table.geometry or "Unknown")
    return "geometry" if table.geometry else None


def _kml(table: ExportTable, tmp: str, lang: str) -> str | None:
    data = _spatial(table)
    # GDAL's KML driver turns the "Name" column into each placemark's <name>.
    data.insert(0, "Name", _display_names(table, lang))
    pyogrio.write_dataframe(data, tmp, layer=table.name, driver="KML", use_arrow=True,
                            geometry_type=table.geometry or "Unknown")
    return "geometry" if table.geometry else None


def _display_names(table: ExportTable, lang: str) -> list[str]:
    frame = table.frame
    first = ("name_th", "name_en") if lang == "th" else ("name_en", "name_th")
    choices = (*first, "official_name", LAYERS[table.layer].key, "uid")
    names = pd.Series([None] * len(frame), dtype="object")
    for column in (c for c in choices if c in frame.columns):
        names = names.where(names.notna(), frame[column].astype("object"))
    return ["" if is_missing(n) else str(n) for n in names]


def _text_columns(table: ExportTable, *, points_only: bool) -> tuple[pd.DataFrame, str | None]:
    """Values as plain cells (JSON and times as text) with places as lon/lat or WKT."""
    out = pd.DataFrame(index=range(len(table.frame)))
    for name, dtype in zip(table.columns, table.dtypes, strict=True):
        values = [None if is_missing(v) else v for v in table.frame[name].tolist()]
        if dtype is DType.JSON:
            values = [None if v is None else dumps(v) for v in values]
        elif dtype is DType.DATETIME:
            values = [None if v is None else iso_datetime(v) for v in values]
        out[name] = pd.Series(values, dtype="object")
    if table.geometry is None:
        return out, None
    shapes = np.array(list(table.frame["geometry"]), dtype=object)
    if table.geometry == "Point":
        present = np.array([g is not None and not g.is_empty for g in shapes], dtype=bool)
        xy = np.full((len(shapes), 2), np.nan)
        if present.any():
            xy[present] = shapely.get_coordinates(shapes[present])
        out["lon"] = np.round(xy[:, 0], COORD_DECIMALS)
        out["lat"] = np.round(xy[:, 1], COORD_DECIMALS)
        return out, "lon_lat"
    if points_only:
        return out, None
    out["wkt"] = [None if g is None else shapely.to_wkt(g, rounding_precision=COORD_DECIMALS)
                  for g in shapes]
    return out, "wkt"


def _csv(table: ExportTable, tmp: str, lang: str) -> str | None:
    frame, location = _text_columns(table, points_only=False)
    frame = frame.map(_defuse)
    # The BOM tells Excel the file is UTF-8 (otherwise it shows Thai as mojibake).
    frame.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return location


def _defuse(value: Any) -> Any:
    """Text that Excel would run as a formula (=, +, -, @ …) gets a leading apostrophe;
    numbers written as text (a phone "+6681…", "-5") are left alone."""
    if isinstance(value, str) and _FORMULA.match(value):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def _xlsx(table: ExportTable, tmp: str, lang: str) -> str | None:
    frame, location = _text_columns(table, points_only=True)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.name[:31])
    sheet.freeze_panes = "A2"
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_cell(sheet, v) for v in row])
    fields = book.create_sheet("fields")
    described = _fields_frame(table, lang)
    fields.append(list(described.columns))
    for row in described.itertuples(index=False, name=None):
        fields.append([_cell(fields, v) for v in row])
    book.save(tmp)
    return location


def _cell(sheet: Any, value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(text) > XLSX_CELL_MAX:
        text = text[:XLSX_CELL_MAX - 1] + "…"
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def _fields_frame(table: ExportTable, lang: str) -> pd.DataFrame:
    """One row per column: name, labels, type, privacy class, allowed values in ``lang``."""
    spec = LAYERS[table.layer]
    rows = []
    for name, dtype, (th, en) in zip(table.columns, table.dtypes, table.labels, strict=True):
        fld = None if table.aggregated and name != spec.area_field else spec.field(name)
        vocab = fld.vocabulary if fld is not None else None
        values = "; ".join(f"{t.code} = {t.label_th if lang == 'th' else t.label_en}"
                           for t in vocab) if vocab is not None else ""
        privacy = "public" if fld is None else fld.privacy.value
        rows.append({"name": name, "label_th": th, "label_en": en, "dtype": dtype.value,
                     "privacy": privacy, "values": values})
    return pd.DataFrame(rows, columns=["name", "label_th", "label_en", "dtype", "privacy",
                                       "values"], dtype="str")


_WRITERS: Final = {"gpkg": _gpkg, "geojson": _geojson, "csv": _csv, "xlsx": _xlsx, "kml": _kml}


__all__ = ["FORMATS", "ExportResult", "ExportTable", "export_layer", "export_table",
           "individual_rows_public", "store_areas"]
