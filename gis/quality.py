"""The quality page: every check over the stored features of a layer (or of one village).

``run_checks`` reads the features the audience may see (their areas, through ``gis.privacy``)
and runs, vectorised, what the import and the editor check one by one: invalid or missing
shapes, plots overlapping each other, houses outside their plot or village, plots outside their
village, repeated ids, missing required values, values outside their vocabulary (written
before the vocabulary changed), and GPS fixes flagged as inaccurate at import. Each ``Issue``
names the feature's ``uid`` (for the link to the editor); the report keeps each such feature's
bounding box (for zoom-to) and counts by issue code. Nothing is changed.

Checks on fields the audience may not see, and on shapes it may not see, are not run: the
report tells nobody more than they could find by looking.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis import geometry as shapes
from gis.errors import InputError
from gis.io.coords import LOW_ACCURACY_M
from gis.io.importer import FLAGS_KEY
from gis.io.model import Issue, Severity, issue
from gis.privacy import Audience, Scope, scope_of, scope_where, shows_geometry
from gis.store.protocol import BBox, Store
from gis.validate import READ_CHUNK, check_places, stored_overlaps
from layers import LAYERS
from layers.schema import LayerSpec

Labels = tuple[list[str], list[str]]
ACCURACY_KEYS = ("accuracy", "gps_accuracy", "precision")  # metres, where an import kept one


@dataclass(frozen=True)
class QualityReport:
    """What ``run_checks`` found in ``layer`` (and ``village``): ``features`` checked, the
    issues (each with its feature's ``uid``), and ``bounds`` (uid → minx, miny, maxx, maxy in
    degrees) of the features with issues whose shapes the audience may see."""

    layer: str
    village: str | None
    features: int
    issues: list[Issue]
    bounds: Mapping[str, BBox] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def counts(self) -> dict[str, int]:
        """Issues per code, most frequent first."""
        return dict(Counter(i.code for i in self.issues).most_common())

    @property
    def by_severity(self) -> dict[str, int]:
        return dict(Counter(i.severity.value for i in self.issues).most_common())


def run_checks(store: Store, layer: str, *, village: str | None = None,
               audience: Audience) -> QualityReport:
    """Run every check over the stored features of ``layer`` (only ``village`` when given) in
    the audience's areas.

    Raises ``InputError`` when ``village`` is outside the audience's areas or the layer is not
    kept by village.
    """
    start = time.perf_counter()
    spec = LAYERS[layer]
    scope = scope_of(store, audience)
    frame = _read(store, spec, scope, village)
    geo = spec.geometry is not None and shows_geometry(spec, audience)
    found: list[Issue] = []
    valid = np.zeros(len(frame), dtype=bool)
    if geo:
        geometry_issues, valid = _shapes(frame, spec)
        found += geometry_issues
    visible = {f.name for f in spec.fields if audience.may_see(f.privacy)}
    label = _labels(frame, spec, visible)
    found += _duplicates(frame, spec, visible)
    found += _required(frame, spec, visible, label)
    found += _vocabulary(frame, spec, visible, label)
    if "extra" in visible:
        found += _accuracy(frame, spec, label)
    if geo and spec.name == "plots":
        found += stored_overlaps(frame.loc[valid])
    if geo and spec.name in ("households", "plots") and valid.any():
        found += _places(store, frame.loc[valid], spec)
    bounds: dict[str, BBox] = {}
    if geo and found:
        named = {i.uid for i in found}
        hit = np.fromiter((u in named for u in frame["uid"].tolist()), bool, len(frame))
        flagged = frame.loc[hit & _present(frame)]
        for uid, box in zip(flagged["uid"], shapely.bounds(flagged.geometry.to_numpy()),
                            strict=True):
            bounds[str(uid)] = (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
    return QualityReport(spec.name, village, len(frame), found, bounds,
                         time.perf_counter() - start)


def _read(store: Store, spec: LayerSpec, scope: Scope, village: str | None) -> pd.DataFrame:
    if village is not None:
        if spec.area_field != "village_code":
            raise InputError(f"ชั้นข้อมูล {spec.label_th} ไม่ได้แบ่งตามหมู่บ้าน",
                             f"layer {spec.name} is not kept by village",
                             fix_th="ตรวจทั้งชั้นข้อมูล", fix_en="check the whole layer")
        if not scope.contains(village):
            raise InputError(f"หมู่บ้าน {village} อยู่นอกพื้นที่ที่คุณรับผิดชอบ",
                             f"village {village} is outside the areas assigned to you",
                             field="village_code")
        return store.read(spec.name, where={"village_code": village})
    frame = store.read(spec.name, where=scope_where(spec, scope))
    if spec.area_field and not scope.everywhere:
        frame = frame.loc[scope.mask(frame[spec.area_field])].reset_index(drop=True)
    return frame


def _present(frame: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.bool_]]:
    geoms = frame.geometry.to_numpy()
    present: np.ndarray[Any, np.dtype[np.bool_]] = ~(shapely.is_missing(geoms)
                                                      | shapely.is_empty(geoms))
    return present


def _labels(frame: pd.DataFrame, spec: LayerSpec, visible: set[str]) -> Labels:
    """How each feature is named in messages (Thai, English): its id, when the audience may
    see it."""
    if spec.key not in visible:
        return [""] * len(frame), [""] * len(frame)
    keys = frame[spec.key].astype("string").fillna("?").tolist()
    fld = spec.field(spec.key)
    return [f"{fld.label_th} {k}: " for k in keys], [f"{fld.label_en} {k}: " for k in keys]


def _shapes(frame: pd.DataFrame, spec: LayerSpec
            ) -> tuple[list[Issue], np.ndarray[Any, np.dtype[np.bool_]]]:
    """Missing and invalid shapes (explained, with the repair on offer); and which are valid."""
    geoms = frame.geometry.to_numpy()
    present = _present(frame)
    valid = present.copy()
    valid[present] = shapely.is_valid(geoms[present])
    uids = frame["uid"].astype(str).to_numpy(dtype=object)
    found = [issue(
        "missing_geometry", Severity.WARNING, "ไม่มีตำแหน่งบนแผนที่", "no location on the map",
        fix_th="วาดหรือปักตำแหน่งในหน้าแก้ไข", fix_en="draw or place it on the Edit page",
        layer=spec.name, field="geometry", uid=uids[i]) for i in np.flatnonzero(~present)]
    for i in np.flatnonzero(present & ~valid):
        why_th, why_en, _ = shapes.explain(geoms[i], epsg=shapes.WGS84)
        fix = shapes.repair(geoms[i], polygonal=spec.geometry == "MultiPolygon")
        found.append(issue(
            "invalid_geometry", Severity.ERROR, f"รูปร่างไม่ถูกต้อง: {why_th}",
            f"invalid shape: {why_en}",
            fix_th="แก้รูปร่างในหน้าแก้ไข" + (f" หรือยอมรับการซ่อม: {fix.description_th}"
                                             if fix else ""),
            fix_en="fix the shape on the Edit page" + (
                f", or accept the repair: {fix.description_en}" if fix else ""),
            layer=spec.name, field="geometry", uid=uids[i]))
    return found, valid


def _duplicates(frame: pd.DataFrame, spec: LayerSpec, visible: set[str]) -> list[Issue]:
    if spec.key not in visible or not len(frame):
        return []
    keys = frame[spec.key].astype("string")
    sizes = keys.map(keys.value_counts())
    repeated = (sizes > 1).fillna(False).to_numpy(dtype=bool)
    fld = spec.field(spec.key)
    uids = frame["uid"].astype(str).to_numpy(dtype=object)
    return [issue(
        "duplicate_id", Severity.ERROR,
        f"{fld.label_th} '{keys.iloc[i]}' ซ้ำกัน {sizes.iloc[i]} รายการ",
        f"{fld.label_en} '{keys.iloc[i]}' is used by {sizes.iloc[i]} features",
        fix_th="แก้รหัสให้ไม่ซ้ำ หรือลบรายการที่ซ้ำ",
        fix_en="give each feature its own id, or delete the repeat",
        layer=spec.name, field=spec.key, uid=uids[i]) for i in np.flatnonzero(repeated)]


def _required(frame: pd.DataFrame, spec: LayerSpec, visible: set[str],
              label: Labels) -> list[Issue]:
    uids = frame["uid"].astype(str).to_numpy(dtype=object)
    found = []
    for fld in spec.fields:
        if not fld.required or fld.name not in visible:
            continue
        missing = frame[fld.name].isna().to_numpy(dtype=bool)
        found += [issue(
            "required_missing", Severity.ERROR, f"{label[0][i]}ไม่มีค่าในช่อง '{fld.label_th}'",
            f"{label[1][i]}'{fld.label_en}' is empty", fix_th=f"กรอก '{fld.label_th}'",
            fix_en=f"fill in '{fld.label_en}'", layer=spec.name, field=fld.name, uid=uids[i])
            for i in np.flatnonzero(missing)]
    return found


def _vocabulary(frame: pd.DataFrame, spec: LayerSpec, visible: set[str],
                label: Labels) -> list[Issue]:
    uids = frame["uid"].astype(str).to_numpy(dtype=object)
    found = []
    for fld in spec.fields:
        if fld.vocabulary is None or fld.name not in visible:
            continue
        values = frame[fld.name]
        codes = set(fld.vocabulary.codes())
        outside = np.fromiter((v is not None and v == v and v not in codes
                               for v in values.astype(object).tolist()), bool, len(values))
        found += [issue(
            "not_in_vocabulary", Severity.ERROR,
            f"{label[0][i]}ค่า '{values.iloc[i]}' ไม่อยู่ในรายการของช่อง '{fld.label_th}'",
            f"{label[1][i]}'{values.iloc[i]}' is not one of the choices of '{fld.label_en}'",
            fix_th="เลือกค่าใหม่จากรายการในหน้าแก้ไข",
            fix_en="choose a value from the list on the Edit page",
            layer=spec.name, field=fld.name, uid=uids[i]) for i in np.flatnonzero(outside)]
    return found


def _accuracy(frame: pd.DataFrame, spec: LayerSpec, label: Labels) -> list[Issue]:
    """GPS fixes worse than ``LOW_ACCURACY_M``: flagged at import (``low_accuracy`` in
    ``extra["import_flags"]``) or with an accuracy in metres kept in ``extra``."""
    if "extra" not in frame.columns:
        return []
    uids = frame["uid"].astype(str).to_numpy(dtype=object)
    found = []
    for i, extra in enumerate(frame["extra"].tolist()):
        if not isinstance(extra, dict):
            continue
        metres = next((extra[k] for k in ACCURACY_KEYS
                       if isinstance(extra.get(k), int | float)), None)
        flagged = "low_accuracy" in (extra.get(FLAGS_KEY) or ())
        if not flagged and (metres is None or metres <= LOW_ACCURACY_M):
            continue
        said = f" ({metres:g} ม.)" if metres is not None else ""
        said_en = f" ({metres:g} m)" if metres is not None else ""
        found.append(issue(
            "low_accuracy", Severity.WARNING,
            f"{label[0][i]}ตำแหน่ง GPS ไม่แม่นยำ{said} (เกิน {LOW_ACCURACY_M:g} ม.)",
            f"{label[1][i]}the GPS fix is inaccurate{said_en} (worse than "
            f"{LOW_ACCURACY_M:g} m)",
            fix_th="ตรวจตำแหน่งบนแผนที่กับผู้สำรวจ แล้วย้ายในหน้าแก้ไขถ้าจำเป็น",
            fix_en="check the location with the surveyor and move it on the Edit page if needed",
            layer=spec.name, field="geometry", uid=uids[i]))
    return found


def _places(store: Store, frame: pd.DataFrame, spec: LayerSpec) -> list[Issue]:
    """Outside village / plot: the plots of the frame's villages are read once, by the indexed
    village code, rather than plot by plot."""
    geo = gpd.GeoDataFrame(frame.reset_index(drop=True), geometry="geometry", crs=4326)
    plots = None
    if spec.name == "households":
        codes = sorted(set(geo["village_code"].dropna().astype(str)))
        chunks = [store.read("plots", where={"village_code": codes[at:at + READ_CHUNK]})
                  for at in range(0, len(codes), READ_CHUNK)]
        chunks = [c for c in chunks if len(c)]
        plots = gpd.GeoDataFrame(pd.concat(chunks, ignore_index=True), geometry="geometry",
                                 crs=4326) if chunks else \
            gpd.GeoDataFrame({"plot_id": []}, geometry=[], crs=4326)
    return check_places(geo, spec, store, uids=geo["uid"].astype(str).tolist(), plots=plots)


__all__ = ["ACCURACY_KEYS", "QualityReport", "run_checks"]
