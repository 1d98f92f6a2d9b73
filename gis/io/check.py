"""``check``: what would be imported from a file, and every problem, before anything is written.

For each source layer: the CRS to use (given by the user — for every layer or layer by layer —,
declared by the file, or the best guess from the coordinates), the geometries reprojected to
EPSG:4326, and which rows hold a valid geometry in Thailand — those are the features an import
would write. An invalid geometry is explained (``gis.geometry.explain``) and, where
``make_valid`` can repair it, the repair is on offer (``LayerCheck.repairs``); with
``repair=True`` the repaired shape is used and the row imported with a warning. The outcome is
``reject`` when the file cannot be read or no feature qualifies, ``import-with-issues`` when any
warning or error was found, ``import`` otherwise (info findings are normalisations, not problems).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import shapely

from gis import geometry
from gis.geometry import Repair
from gis.io import thailand
from gis.io.model import Issue, RawLayer, ReadResult, Severity, issue
from gis.jsonable import jsonable

Outcome = Literal["import", "import-with-issues", "reject"]
POINT_LAYERS = frozenset({"households"})
POLYGON_LAYERS = frozenset({"plots", "villages", "tenure_zones", "admin"})
# What readers say about a layer's CRS, superseded when the user gives the CRS of that layer.
_CRS_FINDINGS = frozenset({"no_prj", "unknown_prj", "prj_mismatch", "no_crs", "unknown_crs"})


@dataclass
class LayerCheck:
    """One source layer as it would be imported."""

    raw: RawLayer
    epsg: int | None
    crs_source: str | None
    geometries: list[Any]  # EPSG:4326, None where a row has no usable geometry
    keep: np.ndarray[Any, np.dtype[np.bool_]]  # rows that qualify as features
    issues: list[Issue] = field(default_factory=list)
    # 0-based row → the make_valid repair on offer for its invalid geometry (EPSG:4326), for a
    # before/after preview; used in ``geometries`` only when ``check(repair=True)``
    repairs: dict[int, Repair] = field(default_factory=dict)

    @property
    def features(self) -> int:
        return int(self.keep.sum())

    def bbox(self) -> list[float] | None:
        kept = [g for g, k in zip(self.geometries, self.keep, strict=True) if k]
        if not kept:
            return None
        minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(kept, dtype=object))
        return [round(float(v), 7) for v in (minx, miny, maxx, maxy)]

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.raw.name,
            "features": self.features,
            "encoding": self.raw.encoding,
            "crs": {"epsg": self.epsg, "source": self.crs_source,
                    "candidates": [c.as_json() for c in self.raw.crs_candidates]},
            "bbox_wgs84": self.bbox(),
            "repairable": len(self.repairs),
            **({"sheet": self.raw.sheet} if self.raw.sheet else {}),
        }


@dataclass
class CheckReport:
    """The whole file: its format, each layer, every issue, the outcome."""

    file: str
    format: str
    layers: list[LayerCheck]
    issues: list[Issue]

    @property
    def features(self) -> int:
        return sum(layer.features for layer in self.layers)

    @property
    def outcome(self) -> Outcome:
        if self.features == 0:  # unreadable, or no row qualifies
            return "reject"
        if any(i.severity in (Severity.ERROR, Severity.WARNING) for i in self.issues):
            return "import-with-issues"
        return "import"

    def as_json(self) -> dict[str, Any]:
        """The ``landmap check --json`` shape (a public contract: add fields, remove none)."""
        return {
            "file": self.file, "format": self.format, "outcome": self.outcome,
            "layers": [layer.as_json() for layer in self.layers],
            "issues": [i.as_json() for i in self.issues],
        }


def check(result: ReadResult, *, kind: str | None = None,
          crs: int | Mapping[str, int] | None = None, repair: bool = False) -> CheckReport:
    """Decide CRS, reproject and qualify every row of every layer of ``result``.

    Parameters
    ----------
    kind
        The target layer (``households``, ``plots`` …), to check geometry types; optional.
    crs
        The CRS the user gave, overriding what the file declares or suggests: an EPSG code for
        every layer, or ``{source layer name: EPSG code}`` (layers not named keep their declared
        or guessed CRS; a name matching no layer is a warning).
    repair
        Use the ``make_valid`` repair of invalid geometries (``geometry_repaired`` warning)
        instead of leaving those rows out (``invalid_geometry`` error). Rows that cannot be
        repaired stay errors.
    """
    issues = list(result.issues)
    per_layer = crs if isinstance(crs, Mapping) else None
    layers = []
    for raw in result.layers:
        given = per_layer.get(raw.name) if per_layer is not None else (
            crs if isinstance(crs, int) else None)
        layer = _check_layer(result.file, raw, kind=kind, crs=given, repair=repair)
        layers.append(layer)
        issues.extend(i for i in raw.issues
                      if given is None or i.code not in _CRS_FINDINGS or i.row is not None)
        issues.extend(layer.issues)
    names = {raw.name for raw in result.layers}
    for name in sorted(set(per_layer or ()) - names):
        issues.append(issue(
            "unknown_layer", Severity.WARNING,
            f"ไม่มีชั้นข้อมูลชื่อ '{name}' ในไฟล์ จึงไม่ได้ใช้ระบบพิกัดที่ระบุให้ชั้นนี้",
            f"the file has no layer named '{name}', so the CRS given for it was not used",
            fix_th=f"ชื่อชั้นข้อมูลในไฟล์: {', '.join(sorted(names)) or '-'}",
            fix_en=f"the file's layers: {', '.join(sorted(names)) or '-'}",
            file=result.file, layer=name))
    if result.layers and not any(layer.features for layer in layers):
        issues.append(issue(
            "no_features", Severity.ERROR,
            "ไม่มีแถวใดที่มีรูปร่างถูกต้องและอยู่ในประเทศไทย จึงนำเข้าไม่ได้",
            "no row holds a valid geometry in Thailand, so nothing can be imported",
            fix_th="ตรวจพิกัดและระบบพิกัด (CRS) ของไฟล์ หรือระบุ --crs",
            fix_en="check the file's coordinates and CRS, or give --crs",
            file=result.file))
    return CheckReport(result.file, result.format, layers, issues)


def _check_layer(file: str, raw: RawLayer, *, kind: str | None, crs: int | None,
                 repair: bool) -> LayerCheck:
    found: list[Issue] = []
    swapped = False
    n = len(raw.frame) if raw.geometry is None else len(raw.geometry)
    if raw.geometry is None:
        return LayerCheck(raw, None, None, [None] * n, np.zeros(n, dtype=bool), found)
    if crs is not None:
        epsg, source = crs, "given"
    elif raw.crs_epsg is not None:
        epsg, source = raw.crs_epsg, raw.crs_source or "declared"
    elif raw.crs_candidates:
        epsg, source = raw.crs_candidates[0].epsg, "guessed"
        best = raw.crs_candidates[0]
        swapped = best.swapped_axes
        found.append(issue(
            "crs_guessed", Severity.WARNING,
            f"ไฟล์ไม่ได้ระบุระบบพิกัด จึงเดาว่าเป็น EPSG:{epsg} ({best.reason_th})",
            f"the file declares no CRS; guessed EPSG:{epsg} ({best.reason_en})",
            fix_th="ตรวจบนแผนที่ตัวอย่าง แล้วยืนยันหรือเลือกระบบพิกัดอื่น (--crs)",
            fix_en="check the preview map, then confirm or choose another CRS (--crs)",
            file=file, layer=raw.name))
    else:
        found.append(issue(
            "no_crs", Severity.ERROR,
            "ไม่ทราบระบบพิกัดของชั้นข้อมูลนี้ และพิกัดไม่เข้ากับระบบที่ใช้ในประเทศไทย",
            "this layer's CRS is unknown and its coordinates fit no CRS used in Thailand",
            fix_th="เพิ่มไฟล์ .prj หรือระบุ --crs", fix_en="add the .prj file or give --crs",
            file=file, layer=raw.name))
        return LayerCheck(raw, None, None, [None] * n, np.zeros(n, dtype=bool), found)

    from gis.io.crs import to_wgs84

    geoms = to_wgs84(list(raw.geometry), epsg, swapped=swapped)
    arr = np.asarray(geoms, dtype=object)
    present = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    valid = present.copy()
    if present.any():
        valid[present] = shapely.is_valid(arr[present])
    repairs = _invalid(file, raw.name, arr, present & ~valid, kind=kind, repair=repair,
                       found=found)
    if repair and repairs:  # repaired rows go on like any other: in Thailand? right type?
        for row, fix in repairs.items():
            arr[row] = fix.geometry
            valid[row] = True
        geoms = list(arr)
    inside = np.zeros(len(arr), dtype=bool)
    ok = present & valid
    if ok.any():
        inside[ok] = thailand.in_thailand(arr[ok])
    keep = present & valid & inside
    for i in np.flatnonzero(present & valid & ~inside):
        found.append(issue(
            "outside_thailand", Severity.ERROR,
            "ตำแหน่งอยู่นอกประเทศไทย", "the location is outside Thailand",
            fix_th="ตรวจพิกัดและระบบพิกัด (อาจสลับละติจูด/ลองจิจูด หรือผิดโซน UTM)",
            fix_en="check the coordinates and CRS (swapped latitude/longitude, wrong UTM zone?)",
            file=file, layer=raw.name, row=int(i) + 1))
    if kind is not None:
        keep &= _type_ok(file, raw.name, arr, keep, kind, found)
    return LayerCheck(raw, epsg, source, geoms, keep, found, repairs)


def _invalid(file: str, layer: str, geoms: np.ndarray[Any, Any],
             invalid: np.ndarray[Any, np.dtype[np.bool_]], *, kind: str | None, repair: bool,
             found: list[Issue]) -> dict[int, Repair]:
    """Explain each invalid geometry and propose its repair; with ``repair`` the repaired rows
    are warnings (``geometry_repaired``), otherwise every invalid row is an error."""
    repairs: dict[int, Repair] = {}
    for i in np.flatnonzero(invalid):
        polygonal = kind in POLYGON_LAYERS or (
            kind not in POINT_LAYERS and int(shapely.get_dimensions(geoms[i])) == 2)
        fix = geometry.repair(geoms[i], polygonal=polygonal)
        why_th, why_en, _ = geometry.explain(geoms[i], epsg=4326)
        where = {"file": file, "layer": layer, "row": int(i) + 1}
        if fix is not None:
            repairs[int(i)] = fix
        if fix is not None and repair:
            found.append(issue(
                "geometry_repaired", Severity.WARNING,
                f"ซ่อมรูปร่างแล้ว: {fix.description_th} (ก่อนซ่อม: {why_th})",
                f"the shape was repaired: {fix.description_en} (it was invalid: {why_en})",
                fix_th="ตรวจรูปร่างที่ซ่อมแล้วบนแผนที่ ถ้าไม่ถูกให้แก้ในไฟล์ต้นฉบับ",
                fix_en="check the repaired shape on the map; if it is wrong, fix the source file",
                **where))
        elif fix is not None:
            found.append(issue(
                "invalid_geometry", Severity.ERROR, f"รูปร่างไม่ถูกต้อง: {why_th}",
                f"invalid geometry: {why_en}",
                fix_th=f"ยอมรับการซ่อมด้วย make_valid (--repair-geometry หรือในหน้านำเข้า) "
                       f"ผลการซ่อม: {fix.description_th} หรือแก้รูปร่างในโปรแกรม GIS",
                fix_en=f"accept the make_valid repair (--repair-geometry, or on the import page), "
                       f"which would give: {fix.description_en}; or fix the shape in a GIS "
                       "program",
                **where))
        else:
            found.append(issue(
                "invalid_geometry", Severity.ERROR, f"รูปร่างไม่ถูกต้อง: {why_th}",
                f"invalid geometry: {why_en}",
                fix_th="แก้รูปร่างในโปรแกรม GIS (ซ่อมอัตโนมัติแล้วไม่เหลือรูปร่างที่ใช้ได้)",
                fix_en="fix the shape in a GIS program (an automatic repair leaves nothing usable)",
                **where))
    return repairs


# shapely.get_type_id codes of the geometry types layers accept
_TYPE_IDS = {"Point": 0, "Polygon": 3, "MultiPoint": 4, "MultiPolygon": 6}


def _type_ok(file: str, layer: str, geoms: np.ndarray[Any, Any],
             keep: np.ndarray[Any, np.dtype[np.bool_]], kind: str,
             found: list[Issue]) -> np.ndarray[Any, np.dtype[np.bool_]]:
    wanted = ("Point", "MultiPoint") if kind in POINT_LAYERS else (
        ("Polygon", "MultiPolygon") if kind in POLYGON_LAYERS else None)
    ok = np.ones(len(geoms), dtype=bool)
    if wanted is None:
        return ok
    kinds = np.full(len(geoms), -1)
    kinds[keep] = shapely.get_type_id(geoms[keep])
    wanted_ids = [_TYPE_IDS[name] for name in wanted]
    for i in np.flatnonzero(keep & ~np.isin(kinds, wanted_ids)):
        if geoms[i].geom_type not in wanted:
            ok[i] = False
            found.append(issue(
                "wrong_geometry_type", Severity.ERROR,
                f"ชั้นข้อมูล {kind} ต้องเป็น {' หรือ '.join(wanted)} แต่แถวนี้เป็น "
                f"{geoms[i].geom_type}",
                f"layer {kind} needs {' or '.join(wanted)}, this row is {geoms[i].geom_type}",
                fix_th="เลือกชั้นข้อมูลปลายทางที่ตรงกับรูปร่าง",
                fix_en="choose the target layer that matches the shapes",
                file=file, layer=layer, row=int(i) + 1))
    return ok


def features_geojson(report: CheckReport) -> dict[str, Any]:
    """The features an import would write, in EPSG:4326, with their source fields and values
    plus ``source_layer`` and ``source_row`` (for ``landmap check --geojson``)."""
    features = []
    for layer in report.layers:
        records = layer.raw.frame.to_dict("records") if len(layer.raw.frame.columns) else []
        for i in np.flatnonzero(layer.keep):
            props = {str(k): jsonable(v) for k, v in (records[i] if records else {}).items()}
            props.update(source_layer=layer.raw.name, source_row=int(i) + 1)
            features.append({"type": "Feature", "properties": props,
                             "geometry": shapely.geometry.mapping(layer.geometries[i])})
    return {"type": "FeatureCollection", "features": features}
