"""From a checked file to one batch in the store: map fields, convert values, decide which rows
can go in, and write them in one transaction (the batch id is the change set, so the whole import
can be undone at once). Nothing is written when the file is rejected, when rows have errors and
the user did not choose to skip them, or when the write fails."""

from __future__ import annotations

import re
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.errors import InputError
from gis.io.check import CheckReport, LayerCheck
from gis.io.fieldmap import FieldMap, convert, match_columns
from gis.io.model import Issue, Severity, issue
from gis.privacy import Audience, Scope, scope_of
from gis.store.protocol import AuditEvent, ChangeResult, Store
from gis.validate import PlotShapes, plot_shapes, validate
from layers import LAYERS
from layers.schema import LayerSpec


@dataclass(frozen=True)
class Choices:
    """What the user decided before importing (the upload page, or a script).

    ``columns``: per source layer, field → source column; ``None`` leaves the field empty (the
    column then goes to ``extra``). Fields not named keep the automatic match.
    ``values``: per field, a source value (as text, stripped) → the vocabulary code to store, or
    ``None`` for blank — for spellings the vocabulary does not know.
    ``flagged``: rows with warnings are imported and flagged (``"import"``: their warning codes
    are kept in ``extra["import_flags"]``) or held back like rows with errors (``"hold"``).
    """

    columns: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    flagged: Literal["import", "hold"] = "import"


FLAGS_KEY = "import_flags"  # extra["import_flags"]: the warning codes of an imported row


@dataclass
class ImportPlan:
    """What an import would write: the rows (as the target layer's fields, EPSG:4326), the
    field mapping of each source layer, and every issue (check + mapping + conversion)."""

    kind: str
    frame: gpd.GeoDataFrame
    mappings: dict[str, FieldMap] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    error_rows: int = 0  # rows held back by an error (or, when chosen, a warning)
    flagged_rows: int = 0  # rows imported with warnings

    def as_json(self) -> dict[str, Any]:
        return {
            "layer": self.kind, "importable": len(self.frame), "held_back": self.error_rows,
            "flagged": self.flagged_rows,
            "mappings": {name: {"fields": dict(m.columns), "extra": list(m.extra)}
                         for name, m in self.mappings.items()},
        }


def plan_import(report: CheckReport, kind: str, *, store: Store | None = None,
                audience: Audience | None = None, choices: Choices | None = None) -> ImportPlan:
    """Map, convert and validate every source layer of ``report`` into layer ``kind``
    (``store`` adds the checks against stored data: villages, plots; ``audience`` holds back
    rows outside the areas the user is assigned to; ``choices`` are the user's mapping and
    what to do with flagged rows)."""
    choices = choices or Choices()
    scope = scope_of(store, audience) if store is not None and audience is not None else None
    spec = LAYERS[kind]
    frames: list[pd.DataFrame] = []
    plan = ImportPlan(kind, gpd.GeoDataFrame(geometry=[], crs=4326), issues=list(report.issues))
    for layer in report.layers:
        part, held = _plan_layer(spec, report.file, layer, plan, store, scope, choices)
        plan.error_rows += held
        if len(part):
            frames.append(part)
    if frames:
        plan.frame = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry",
                                      crs=4326)
    return plan


def _plan_layer(spec: LayerSpec, file: str, layer: LayerCheck, plan: ImportPlan,
                store: Store | None, scope: Scope | None,
                choices: Choices) -> tuple[pd.DataFrame, int]:
    raw = layer.raw
    candidates = np.flatnonzero(layer.keep)
    shapes: Future[PlotShapes] | None = None
    if spec.name == "plots" and len(candidates):
        # The plots' geometric checks need only the shapes: on a thread (GEOS and PROJ release
        # the GIL) while the values are converted below.
        pool = ThreadPoolExecutor(1)
        shapes = pool.submit(plot_shapes, np.asarray([layer.geometries[i] for i in candidates],
                                                     dtype=object))
        pool.shutdown(wait=False)
    # Columns that became the geometry (lat/lon, UTM, geopoint, and the other parts of a
    # Kobo/ODK geopoint) are not attributes: an exact house position must not reach `extra`.
    columns = [str(c) for c in raw.frame.columns]
    used = location_columns(columns, [str(c) for c in raw.meta.get("coordinate_columns") or ()])
    # A joined repeat group (a list of rows per submission) is never one field's value, even
    # when its name is a field's synonym ("members"): it goes to `extra` as it is.
    nested = {c for c in columns if c not in used
              and pd.api.types.infer_dtype(raw.frame[c], skipna=True).startswith("mixed")
              and raw.frame[c].map(lambda v: isinstance(v, list | dict)).any()}
    mapping = match_columns(spec, [c for c in columns if c not in used | nested],
                            choices.columns.get(raw.name))
    if nested:
        mapping = FieldMap(mapping.columns, (*mapping.extra, *sorted(nested)),
                           mapping.unmatched_required)
    plan.mappings[raw.name] = mapping
    converted, found = convert(spec, raw.frame.reset_index(drop=True), mapping, file=file,
                               layer=raw.name, values=choices.values)
    blocked = np.zeros(len(converted), dtype=bool)
    for name in spec.required_fields:
        values = converted[name] if name in converted.columns else pd.Series(
            [None] * len(converted), dtype=object)
        f = spec.field(name)
        for i in np.flatnonzero(values.isna().to_numpy() & layer.keep):
            blocked[i] = True
            found.append(issue(
                "missing_required", Severity.ERROR,
                f"ไม่มีค่าในช่องที่ต้องกรอก '{f.label_th}'",
                f"the required field '{f.label_en}' is empty",
                fix_th=f"เพิ่มคอลัมน์ '{f.label_th}' หรือกรอกค่าในแถวนี้",
                fix_en=f"add a '{f.label_en}' column or fill it in on this row",
                file=file, layer=raw.name, row=int(i) + 1, field=name))
    if scope is not None and not scope.everywhere and spec.area_field in converted.columns:
        outside = ~scope.mask(converted[spec.area_field]) & layer.keep
        for i in np.flatnonzero(outside):
            found.append(issue(
                "outside_your_areas", Severity.ERROR,
                f"แถวนี้อยู่ในพื้นที่ {converted[spec.area_field].iloc[i]} ซึ่งไม่อยู่ในพื้นที่ที่คุณรับผิดชอบ",
                f"this row belongs to area {converted[spec.area_field].iloc[i]}, which is not "
                "one of your areas",
                fix_th="ตรวจรหัสพื้นที่ หรือให้ผู้ดูแลระบบเพิ่มพื้นที่ให้คุณ",
                fix_en="check the area code, or ask an administrator to assign you the area",
                file=file, layer=raw.name, row=int(i) + 1, field=spec.area_field))
    if len(candidates):
        rows = gpd.GeoDataFrame(converted.iloc[candidates].reset_index(drop=True),
                                geometry=[layer.geometries[i] for i in candidates], crs=4326)
        found += validate(rows, spec, store=store, rows=[int(i) + 1 for i in candidates],
                          file=file, layer=raw.name,
                          shapes=None if shapes is None else shapes.result())
    plan.issues.extend(found)
    flags: dict[int, list[str]] = {}
    for item in [*found, *layer.issues, *raw.issues]:
        if item.row is None or item.row > len(blocked):
            continue
        if item.severity is Severity.ERROR:
            blocked[item.row - 1] = True
        elif item.severity is Severity.WARNING:
            flags.setdefault(item.row - 1, []).append(item.code)
    if choices.flagged == "hold":
        for index in flags:
            blocked[index] = True
    importable = layer.keep & ~blocked
    held = int((layer.keep & blocked).sum())
    if flags and "extra" in spec.field_names:
        if "extra" not in converted.columns:
            converted["extra"] = pd.Series([None] * len(converted), dtype=object)
        extras = converted["extra"].tolist()
        for index, codes in flags.items():
            if importable[index]:
                extras[index] = {**(extras[index] or {}), FLAGS_KEY: sorted(set(codes))}
                plan.flagged_rows += 1
        converted["extra"] = pd.Series(extras, index=converted.index, dtype=object)
    part = converted.loc[importable].copy()
    part["geometry"] = [g for g, ok in zip(layer.geometries, importable, strict=True) if ok]
    return part, held


_KOBO_PART = re.compile(r"^_(.+)_(latitude|longitude|altitude|precision|accuracy)$", re.I)
_ODK_PART = re.compile(r"^(.+)-(latitude|longitude|altitude|accuracy)$", re.I)


def location_columns(columns: list[str], used: list[str]) -> set[str]:
    """``used`` (the columns a reader built geometry from) and every other column of the same
    Kobo/ODK geopoint: ``loc``, ``_loc_latitude``…``_loc_precision``, ``loc-Latitude``…"""
    names = set()
    for column in used:
        for pattern in (_KOBO_PART, _ODK_PART):
            found = pattern.match(column)
            if found:
                names.add(found.group(1).casefold())
        names.add(column.casefold())
    out = set(used)
    for column in columns:
        folded = column.casefold()
        for pattern in (_KOBO_PART, _ODK_PART):
            found = pattern.match(column)
            if found and found.group(1).casefold() in names:
                out.add(column)
        if folded in names:
            out.add(column)
    return out


@dataclass(frozen=True)
class ImportOutcome:
    """What ``import_report`` wrote: its batch (change set) and counts."""

    batch: str
    layer: str
    imported: int
    held_back: int


def import_report(store: Store, report: CheckReport, kind: str, *, user: str,
                  skip_errors: bool = False, audience: Audience | None = None,
                  choices: Choices | None = None) -> tuple[ImportOutcome, ImportPlan]:
    """Write the importable rows of ``report`` into ``kind`` in one transaction, together with
    its ``import`` audit entry (subject: the batch id).

    Raises ``InputError`` (nothing written) when the file was rejected, when rows have errors
    and ``skip_errors`` is False, or when no row can be imported.
    """
    if report.outcome == "reject":
        raise InputError(
            f"ไม่นำเข้าไฟล์ {report.file}: อ่านไม่ได้หรือไม่มีข้อมูลที่ใช้ได้ในประเทศไทย",
            f"{report.file} was not imported: unreadable, or nothing usable in Thailand",
            file=report.file, fix_th="ดูรายการปัญหาด้วย landmap check",
            fix_en="see the issues with landmap check")
    plan = plan_import(report, kind, store=store, audience=audience, choices=choices)
    if plan.error_rows and not skip_errors:
        raise InputError(
            f"มี {plan.error_rows:,} แถวที่มีข้อผิดพลาด จึงยังไม่นำเข้าอะไรเลย",
            f"{plan.error_rows:,} rows have errors, so nothing was imported",
            file=report.file,
            fix_th="แก้ไฟล์ หรือสั่งนำเข้าเฉพาะแถวที่ถูกต้อง (--skip-errors)",
            fix_en="fix the file, or import only the good rows (--skip-errors)")
    if plan.frame.empty:
        raise InputError(
            "ไม่มีแถวใดนำเข้าได้", "no row can be imported", file=report.file,
            fix_th="ดูรายการปัญหาด้วย landmap check", fix_en="see the issues with landmap check")
    audit = AuditEvent(user, "import", detail={
        "file": report.file, "format": report.format, "layer": kind,
        "imported": len(plan.frame), "held_back": plan.error_rows,
        "flagged": plan.flagged_rows,
        "crs": sorted({layer.epsg for layer in report.layers if layer.epsg is not None}),
    })
    result = store.write(kind, plan.frame, user=user, audit=audit)
    return ImportOutcome(result.change_set, kind, len(result.versions), plan.error_rows), plan


def undo_import(store: Store, batch: str, *, user: str, file: str | None = None) -> int:
    """Undo the whole import ``batch``, audited as ``undo_import`` in the same transaction;
    returns how many features were taken back. Refused (``ConflictError``, nothing changed)
    when one of them was edited since."""
    return sum(len(r.versions) for r in undo_import_batch(store, batch, user=user, file=file))


def undo_import_batch(store: Store, batch: str, *, user: str,
                      file: str | None = None) -> list[ChangeResult]:
    """``undo_import``, returning the change (set) of each layer the batch touched."""
    return store.undo_change_set(batch, user=user, audit=AuditEvent(
        user, "undo_import", subject=batch, detail={"file": file} if file else {}))
