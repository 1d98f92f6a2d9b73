"""Merging a field package back (``landmap field-merge``): every row compared with the version it
was exported at. Only exported fields (that the merging user may also see) and the geometry, when
exported, are compared and written: a field that was not in the package is never touched.
Unchanged rows do nothing; changes and deletions are proposals against their base version,
applied when it is still current and queued as conflicts otherwise (checked under the store's
write lock); rows without a uid are added. Bad rows are reported with their layer and row, in
Thai and English, and left out. The whole merge is one transaction and one change set
(``Store.apply_changes``): it is applied entirely or not at all, and ``undo_change_set`` takes it
back as a unit. Writing and reading packages is ``gis.field``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

from gis.errors import InputError
from gis.field import (
    GEOMETRY_TOLERANCE,
    FieldPackage,
    PackagedLayer,
    read_package,
)
from gis.io.fieldmap import value_for
from gis.io.model import Issue, Severity, issue
from gis.privacy import Audience, Scope, scope_of, shows_geometry
from gis.store.checks import conform_geometry
from gis.store.codec import is_missing, iso_datetime
from gis.store.protocol import AuditEvent, Feature, LayerChanges, Proposal, Store
from gis.store.states import STORE_CRS, features_of
from gis.validate import validate
from layers import LAYERS
from layers.schema import DType, Field, LayerSpec


@dataclass
class MergeReport:
    """What ``field_merge`` did (or, with ``dry_run``, would do): counts over the whole package
    and per layer, the conflicts queued, and every problem found."""

    file: str
    village: str
    applied: int = 0  # changed features written
    added: int = 0  # new features written
    deleted: int = 0  # features deleted in the field, soft-deleted in the store
    conflicts: int = 0  # changes and deletions queued: their base version was not current
    unchanged: int = 0
    rejected: int = 0  # rows not applied because of an error (see issues)
    dry_run: bool = False
    change_set: str | None = None
    layers: dict[str, dict[str, int]] = field(default_factory=dict)
    queued: list[dict[str, Any]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def count(self, layer: str, what: str, n: int = 1) -> None:
        setattr(self, what, getattr(self, what) + n)
        counts = self.layers.setdefault(layer, dict.fromkeys(_COUNTS, 0))
        counts[what] += n

    def as_json(self) -> dict[str, Any]:
        """The ``landmap field-merge --json`` shape (keys are added, never removed)."""
        return {"applied": self.applied, "added": self.added, "conflicts": self.conflicts,
                "unchanged": self.unchanged, "deleted": self.deleted,
                "rejected": self.rejected, "file": self.file, "village": self.village,
                "dry_run": self.dry_run, "change_set": self.change_set,
                "layers": self.layers, "queued": self.queued,
                "issues": [i.as_json() for i in self.issues]}


_COUNTS = ("applied", "added", "deleted", "conflicts", "unchanged", "rejected")


@dataclass
class _LayerPlan:
    spec: LayerSpec
    added: list[dict[str, Any]] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    stale: set[str] = field(default_factory=set)  # base version not current when read


def field_merge(store: Store, path: str | os.PathLike[str], *, user: str, audience: Audience,
                dry_run: bool = False) -> MergeReport:
    """Merge the edits made in a field package back into ``store`` as ``user``.

    ``audience`` (the merging user's) must cover the package's village; only fields both
    exported and visible to it are merged. Returns the report; writes nothing when
    ``dry_run``. One transaction for the whole merge, audited as ``field_merge``.
    """
    package = read_package(path)
    scope = scope_of(store, audience)
    if not scope.contains(package.village):
        raise InputError(f"หมู่บ้าน {package.village} ไม่อยู่ในพื้นที่ที่ได้รับมอบหมาย",
                         f"village {package.village} is not in the assigned areas",
                         file=package.out, field="village")
    names = {str(r[0]) for r in pyogrio.list_layers(path)}
    report = MergeReport(Path(path).name, package.village, dry_run=dry_run)
    plans: list[_LayerPlan] = []
    for layer in package.layers:
        if layer.name not in names or "uid" not in pyogrio.read_info(
                path, layer=layer.name)["fields"]:
            raise InputError(
                f"ชั้นข้อมูล {layer.name} หรือช่อง uid หายไปจากไฟล์ จึงไม่รวมข้อมูล "
                "(มิฉะนั้นทุกรายการจะถูกนับว่าถูกลบ)",
                f"layer {layer.name} or its uid column is missing from the package, so nothing "
                "was merged (every feature would otherwise count as deleted)",
                file=report.file, fix_th="ใช้ไฟล์ชุดเดิมที่ยังมีชั้นข้อมูลครบ",
                fix_en="use the package with all its layers")
        plan = _plan_layer(store, package, layer, path, audience, scope, report)
        if plan is not None:
            plans.append(plan)
    _write(store, plans, report, user=user, package=package)
    return report


def _plan_layer(store: Store, package: FieldPackage, layer: PackagedLayer,
                path: str | os.PathLike[str], audience: Audience, scope: Scope,
                report: MergeReport) -> _LayerPlan | None:
    """Compare one layer of the package with the store: what to add, propose and report."""
    spec = LAYERS[layer.name]
    report.layers.setdefault(spec.name, dict.fromkeys(_COUNTS, 0))
    frame = pyogrio.read_dataframe(path, layer=spec.name, use_arrow=True)
    hidden = [n for n in layer.fields
              if n in spec.field_names and not audience.may_see(spec.field(n).privacy)]
    for name in hidden:
        f = spec.field(name)
        report.issues.append(issue(
            "field_not_merged", Severity.WARNING,
            f"ช่อง '{f.label_th}' อยู่ในไฟล์แต่ผู้รวมข้อมูลไม่มีสิทธิ์เห็น จึงไม่นำกลับ",
            f"'{f.label_en}' is in the package but not visible to the merging user, so it was "
            "not merged", file=report.file, layer=spec.name, field=name))
    fields = [spec.field(n) for n in layer.fields
              if n in spec.field_names and n not in hidden and n in frame.columns
              and not spec.field(n).derived]
    geometry = (layer.geometry and shows_geometry(spec, audience)
                and isinstance(frame, gpd.GeoDataFrame))
    if geometry and frame.crs is not None and not frame.crs.equals(STORE_CRS):
        frame = frame.to_crs(STORE_CRS)
    planner = _Planner(store, spec, package, scope, report, fields, geometry, layer.editable)
    columns = {f.name: frame[f.name].tolist() for f in fields}
    geoms = list(frame.geometry.array) if geometry else [None] * len(frame)
    for i, raw_uid in enumerate(frame["uid"].tolist()):
        cells = {f.name: columns[f.name][i] for f in fields}
        uid = None if is_missing(raw_uid) or not str(raw_uid).strip() else str(raw_uid).strip()
        planner.row(i + 1, uid, cells, geoms[i])
    planner.deleted()
    _validate(store, planner, report)
    return planner.plan if layer.editable else None


class _Planner:
    """One layer's rows against the store: unchanged, proposals, new features, or left out."""

    def __init__(self, store: Store, spec: LayerSpec, package: FieldPackage, scope: Scope,
                 report: MergeReport, fields: list[Field], geometry: bool,
                 editable: bool) -> None:
        self.store, self.spec, self.package, self.scope = store, spec, package, scope
        self.report, self.fields = report, fields
        self.geometry, self.editable = geometry, editable
        self.base = dict(package.base.get(spec.name, {}))
        self.current = {f["uid"]: f for f in features_of(store.read(
            spec.name, where={"village_code": package.village}, include_deleted=True), spec)}
        self.plan = _LayerPlan(spec)
        self.seen: set[str] = set()
        # (row, state as it would be stored, uid written or None): what gis.validate checks
        self.checks: list[tuple[int, Feature, str | None]] = []

    def stored(self, uid: str) -> Feature | None:
        return self.current.get(uid) or self.store.get(self.spec.name, uid)

    def row(self, row: int, uid: str | None, cells: Mapping[str, Any], geom: Any) -> None:
        if uid is not None and uid in self.seen:
            self.bad(row, "duplicate_uid", "uid", f"uid {uid} ซ้ำกับแถวก่อนหน้า (คัดลอกแถวมา?)",
                     f"uid {uid} repeats an earlier row (a copied feature?)")
            return
        if uid is not None:
            self.seen.add(uid)
        if uid is not None and uid in self.base:
            self.existing(row, uid, cells, geom)
        elif uid is not None and self.store.get(self.spec.name, uid) is not None:
            self.bad(row, "not_exported", "uid", "รายการนี้ไม่ได้อยู่ในชุดข้อมูลที่ส่งออก",
                     "this feature was not exported in this package")
        else:
            self.new(row, uid, cells, geom)

    def existing(self, row: int, uid: str, cells: Mapping[str, Any], geom: Any) -> None:
        version = self.base[uid]
        stored = self.stored(uid)
        state = None if stored is None else _base_state(self.store, self.spec, stored, version)
        if stored is None or state is None:
            self.bad(row, "unknown_base", "uid",
                     f"ไม่พบฉบับที่ {version} ของรายการนี้ในที่เก็บข้อมูล",
                     f"version {version} of this feature is not in the store")
            return
        changes = self.changes(row, cells, geom, state)
        if changes is None:
            return
        if not changes:
            self.report.count(self.spec.name, "unchanged")
            self.checks.append((row, state, None))
            return
        result = {**state, **changes}
        if not self.writable(row) or not self.acceptable(row, result):
            return
        self.plan.proposals.append(Proposal(uid, version, changes))
        if stored["version"] != version:
            self.plan.stale.add(uid)
        self.checks.append((row, {**result, "uid": uid}, uid))

    def new(self, row: int, uid: str | None, cells: Mapping[str, Any], geom: Any) -> None:
        values: dict[str, Any] = {}
        for f in self.fields:
            try:
                value = _cell(f, cells[f.name])
            except ValueError as exc:
                self.bad_cell(row, f, cells[f.name], str(exc))
                return
            if value is not None:
                values[f.name] = value
        values.setdefault("village_code", self.package.village)  # new in the package's village
        if self.geometry:
            shape = self.shape(row, geom)
            if shape is False:
                return
            values["geometry"] = shape
        if not self.writable(row) or not self.acceptable(row, values):
            return
        values["uid"] = _new_uid(uid)
        self.plan.added.append(values)
        self.checks.append((row, values, values["uid"]))

    def deleted(self) -> None:
        """Exported features with no row left: deleted in the field."""
        for uid, version in self.base.items():
            if uid in self.seen:
                continue
            stored = self.stored(uid)
            if stored is None or stored["deleted"]:
                self.report.count(self.spec.name, "unchanged")  # gone from the store as well
            elif self.writable(None, uid):
                self.plan.proposals.append(Proposal(uid, version, {"deleted": True}))
                if stored["version"] != version:
                    self.plan.stale.add(uid)

    def changes(self, row: int, cells: Mapping[str, Any], geom: Any, base: Feature
                ) -> dict[str, Any] | None:
        """The fields (and geometry) a row changed from its base state; None if one is bad."""
        out: dict[str, Any] = {}
        for f in self.fields:
            raw, was = cells[f.name], base.get(f.name)
            if isinstance(raw, str) and raw == was:
                continue  # untouched text stays as stored (no digit or space normalising)
            try:
                value = _cell(f, raw)
            except ValueError as exc:
                self.bad_cell(row, f, raw, str(exc))
                return None
            if not _same(f, value, was):
                out[f.name] = value
        if self.geometry:
            shape = self.shape(row, geom)
            if shape is False:
                return None
            if not _same_geometry(shape, base.get("geometry")):
                out["geometry"] = shape
        return out

    def shape(self, row: int, geom: Any) -> BaseGeometry | bool | None:
        """The row's geometry as the layer stores it (None: none), or False: refused."""
        try:
            return conform_geometry(self.spec, geom, row=row)
        except InputError as exc:
            self.bad(row, "bad_geometry", "geometry", exc.message_th, exc.message_en)
            return False

    def writable(self, row: int | None, uid: str | None = None) -> bool:
        if self.editable:
            return True
        what_th = f"รายการ {uid} ถูกลบ" if uid else "แก้ไขหรือเพิ่มรายการ"
        what_en = f"{uid} was deleted" if uid else "edits and new features"
        self.bad(row, "read_only_layer", None,
                 f"ชั้นข้อมูลนี้ให้ดูอย่างเดียว: {what_th} ไม่ถูกนำกลับ",
                 f"this layer is for reference only: {what_en} not merged")
        return False

    def acceptable(self, row: int, state: Mapping[str, Any]) -> bool:
        """Required fields filled and the area one of the merging user's."""
        for name in self.spec.required_fields:
            if is_missing(state.get(name)):
                f = self.spec.field(name)
                self.bad(row, "missing_required", name,
                         f"ไม่มีค่าในช่องที่ต้องกรอก '{f.label_th}'",
                         f"the required field '{f.label_en}' is empty")
                return False
        code = state.get("village_code")
        if code is not None and not self.scope.contains(str(code)):
            self.bad(row, "outside_your_areas", "village_code",
                     f"รหัสหมู่บ้าน {code} ไม่อยู่ในพื้นที่ที่ได้รับมอบหมาย",
                     f"village {code} is not one of the assigned areas")
            return False
        return True

    def bad(self, row: int | None, code: str, name: str | None, th: str, en: str) -> None:
        """A row left out: an error ``Issue`` naming layer, row and field."""
        self.report.issues.append(issue(code, Severity.ERROR, th, en, file=self.report.file,
                                        layer=self.spec.name, row=row, field=name))
        self.report.count(self.spec.name, "rejected")

    def bad_cell(self, row: int, f: Field, raw: Any, why: str) -> None:
        if f.vocabulary is not None:
            self.bad(row, "not_in_vocabulary", f.name,
                     f"ค่า '{raw}' ในช่อง '{f.label_th}' ไม่อยู่ในรายการที่กำหนด",
                     f"'{raw}' in '{f.label_en}' is not one of its values "
                     f"({', '.join(f.vocabulary.codes())})")
        else:
            self.bad(row, "bad_value", f.name, f"ค่า '{raw}' ในช่อง '{f.label_th}' ใช้ไม่ได้",
                     f"'{raw}' in '{f.label_en}' is not a valid {f.dtype} ({why})")


def _base_state(store: Store, spec: LayerSpec, stored: Feature, version: int) -> Feature | None:
    """The state of the version a row was exported at (the stored one, or from history)."""
    if stored["version"] == version:
        return stored
    return next((e.after for e in store.history(spec.name, stored["uid"])
                 if e.version == version), None)


def _validate(store: Store, planner: _Planner, report: MergeReport) -> None:
    """``gis.validate`` over the rows as they would be stored; an error leaves its row out.
    Rows that stay as they are come first, so a repeated id is blamed on the row written."""
    written = [c for c in planner.checks if c[2] is not None]
    if not written:
        return
    spec, plan = planner.spec, planner.plan
    ordered = [c for c in planner.checks if c[2] is None] + written
    columns = {f.name: pd.Series([state.get(f.name) for _, state, _ in ordered], dtype=object)
               for f in spec.fields}
    frame = gpd.GeoDataFrame(pd.DataFrame(columns), geometry=gpd.GeoSeries(
        [state.get("geometry") for _, state, _ in ordered], crs=STORE_CRS))
    found = validate(frame, spec, store=store if planner.geometry else None,
                     rows=[row for row, _, _ in ordered], file=report.file, layer=spec.name)
    uid_of = {row: uid for row, _, uid in written}
    kept = [i for i in found if i.row in uid_of]
    report.issues.extend(kept)
    refused = {uid_of[i.row] for i in kept if i.severity is Severity.ERROR and i.row}
    if refused:
        plan.added = [v for v in plan.added if v["uid"] not in refused]
        plan.proposals = [p for p in plan.proposals if p.uid not in refused]
        report.count(spec.name, "rejected", len(refused))


def _write(store: Store, plans: list[_LayerPlan], report: MergeReport, *, user: str,
           package: FieldPackage) -> None:
    deletes = {(p.spec.name, q.uid) for p in plans for q in p.proposals if q.is_delete}
    if report.dry_run:
        for plan in plans:
            report.count(plan.spec.name, "added", len(plan.added))
            for q in plan.proposals:
                report.count(plan.spec.name, "conflicts" if q.uid in plan.stale
                             else "deleted" if q.is_delete else "applied")
        return
    audit = AuditEvent(user, "field_merge", detail={
        "file": report.file, "village": package.village, "package_role": package.role,
        "package_created_at": iso_datetime(package.created_at), "rejected": report.rejected})
    result = store.apply_changes(
        [LayerChanges(p.spec.name, added=p.added, proposals=p.proposals) for p in plans],
        user=user, source=f"field-merge:{report.file}", audit=audit)
    report.change_set = result.change_set
    for plan in plans:
        name = plan.spec.name
        report.count(name, "added", len(plan.added))
        written = result.versions.get(name, {})
        for q in plan.proposals:
            if q.uid in written:
                report.count(name, "deleted" if (name, q.uid) in deletes else "applied")
        for uid, conflict in result.queued.get(name, {}).items():
            report.count(name, "conflicts")
            report.queued.append({"layer": name, "uid": uid, "conflict": conflict,
                                  "change": "delete" if (name, uid) in deletes else "edit"})


# ------------------------------------------------------------------------------ values
def _cell(f: Field, raw: Any) -> Any:
    """A package value as field ``f`` stores it (``ValueError`` saying why not); the import's
    conversions (``gis.io.fieldmap.value_for``) for text, plus what GDAL hands back."""
    if is_missing(raw):
        return None
    if f.dtype is DType.JSON:
        if not isinstance(raw, str):
            return raw
        return json.loads(raw) if raw.strip() else None
    if f.dtype is DType.BOOL and isinstance(raw, bool | np.bool_ | int | float | np.number) \
            and raw in (0, 1):
        return bool(raw)
    if f.dtype is DType.DATE and isinstance(raw, dt.date):
        return raw.date() if isinstance(raw, dt.datetime) else raw
    if f.dtype is DType.DATETIME:
        value = pd.Timestamp(raw).to_pydatetime()
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return value_for(f, raw)


def _same(f: Field, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if f.dtype is DType.FLOAT:
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-9)
    return bool(a == b)


def _same_geometry(a: BaseGeometry | None, b: BaseGeometry | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(shapely.equals_exact(shapely.normalize(a), shapely.normalize(b),
                                     tolerance=GEOMETRY_TOLERANCE))


def _new_uid(given: str | None) -> str:
    """A new feature keeps a uid it was given in the field (QGIS ``uuid()``) when it is one."""
    if given is not None:
        try:
            return str(uuid.UUID(given))
        except ValueError:
            pass
    return str(uuid.uuid4())
