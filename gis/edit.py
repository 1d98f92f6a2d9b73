"""Editing one feature: the checks on save, the form's fields, and the versioned write.

The Edit page calls ``check_edit`` while the user works and ``save_edit`` (``create_feature``,
``delete_feature``) when they press save. Nothing is ever silently changed (DESIGN.md §5,
STYLE.md habit 3): errors block the save with a Thai and English explanation, warnings need
the user's confirmation (``accept_warnings``), and the ``make_valid`` repair of an invalid shape
and the snapping of corners onto neighbouring plots are proposals the user accepts or not.
Every save is one ``store.update`` with the version the user started from, so a concurrent
edit is refused with ``ConflictError`` and the store's history keeps who changed what.

Who may edit: admins, planners and surveyors, inside their areas (``gis.privacy`` scope), and
only the fields their role may see; system and derived fields and the imported ``extra``
columns are never edited by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import MultiPolygon, Polygon

from gis import geometry as shapes
from gis.errors import Conflict, ConflictError, InputError
from gis.geometry import SNAP_M
from gis.io.model import Issue, Severity, issue
from gis.io.thailand import in_thailand
from gis.privacy import Audience, Role, resolve_scope
from gis.store.codec import coerce, is_missing
from gis.store.protocol import ChangeResult, Feature, Store
from gis.validate import check_places, neighbour_overlaps
from layers import LAYERS
from layers.schema import DType, Field, LayerSpec

EDIT_ROLES = frozenset({Role.ADMIN, Role.PLANNER, Role.SURVEYOR})
Found = Callable[..., Issue]  # builds one issue about the feature being edited
NEAR_DEG = 1e-4  # about 11 m: the box around a shape in which neighbours are read (R-tree)


@dataclass(frozen=True)
class EditCheck:
    """What saving an edit would do, and what stands in the way.

    ``changes`` are the converted values that differ from the stored ones (and ``geometry``
    when the shape changes) — exactly what ``save_edit`` writes. ``repair`` is the
    ``make_valid`` repair on offer for an invalid shape and ``snapped`` the corners that could
    be moved onto neighbouring plots (``Snap.geometry``, ``Snap.vertices``); both are previews,
    used only when the user accepts them.
    """

    layer: str
    uid: str | None
    version: int | None
    changes: Mapping[str, Any]
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    repair: shapes.Repair | None = None
    snapped: shapes.Snap | None = None

    @property
    def ok(self) -> bool:
        """No errors: the edit can be saved (after confirming the warnings)."""
        return not self.errors


class EditRefused(InputError):
    """A save was refused by its checks; ``check`` holds every issue. Nothing was written."""

    def __init__(self, check: EditCheck, *, warnings_only: bool) -> None:
        found = check.warnings if warnings_only else check.errors
        head_th = "ยังไม่ได้บันทึก ต้องยืนยันคำเตือนก่อน: " if warnings_only else "บันทึกไม่ได้: "
        head_en = ("nothing was saved: confirm the warnings first: " if warnings_only
                   else "nothing was saved: ")
        super().__init__(
            head_th + " / ".join(i.message_th for i in found),
            head_en + " / ".join(i.message_en for i in found),
            field=found[0].field if len(found) == 1 else None,
            fix_th=" / ".join(dict.fromkeys(i.fix_th for i in found if i.fix_th)),
            fix_en=" / ".join(dict.fromkeys(i.fix_en for i in found if i.fix_en)),
        )
        self.check = check


# ------------------------------------------------------------------------------ the form
def editable_fields(layer: str | LayerSpec, audience: Audience) -> list[Field]:
    """The fields of ``layer`` the audience may edit, in declaration order (the Edit form).

    None for roles that do not edit; otherwise every declared field the role may see, except
    derived fields (Landmap computes them) and JSON fields (``extra`` keeps imported columns as
    they came). System fields are not declared fields and never appear.
    """
    spec = _spec(layer)
    if audience.role not in EDIT_ROLES:
        return []
    return [f for f in spec.fields
            if audience.may_see(f.privacy) and not f.derived and not f.system
            and f.dtype is not DType.JSON]


def form_choices(fld: Field, lang: str = "th") -> list[tuple[str, str]]:
    """``(code, label)`` pairs of a vocabulary field in ``lang`` (``th`` or ``en``), in the
    declared order; empty for a field without a vocabulary."""
    if fld.vocabulary is None:
        return []
    return [(t.code, t.label_th if lang == "th" else t.label_en) for t in fld.vocabulary]


# ------------------------------------------------------------------------------ checks
def check_edit(store: Store, layer: str, uid: str | None, values: Mapping[str, Any],
               geometry: Any | None, *, audience: Audience, accept_repair: bool = False,
               accept_snap: bool = False) -> EditCheck:
    """Every check on saving ``values`` (and ``geometry``, EPSG:4326) for feature ``uid`` (None:
    a new feature) of ``layer``, as the audience.

    Errors: a role that does not edit, a feature outside the user's areas (before or after the
    edit), unknown fields, fields the role may not see or edit, values that are not of the
    field's type or vocabulary, missing required values, a repeated id, a shape of the wrong
    type, empty, invalid (explained, with the ``make_valid`` repair on offer) or outside
    Thailand. Warnings: a plot overlapping stored plots beyond the import thresholds, a house
    outside its plot or village, a plot outside its village (checked when the shape, the
    village or the plot changes). ``accept_repair``/``accept_snap`` check the repaired/snapped
    shape instead, as the save would write it.
    """
    spec = _spec(layer)
    current = store.get(spec.name, uid) if uid is not None else None
    return _check(store, spec, uid, current, values, geometry, audience, accept_repair,
                  accept_snap)


def _check(store: Store, spec: LayerSpec, uid: str | None, current: Feature | None,
           values: Mapping[str, Any], geometry: Any | None, audience: Audience,
           accept_repair: bool, accept_snap: bool) -> EditCheck:
    def found(code: str, th: str, en: str, fix_th: str, fix_en: str, fld: str | None = None,
              severity: Severity = Severity.ERROR) -> Issue:
        return issue(code, severity, th, en, fix_th=fix_th, fix_en=fix_en, layer=spec.name,
                     field=fld, uid=uid)

    version = None if current is None else int(current["version"])
    stop = EditCheck(spec.name, uid, version, {})
    if uid is not None and (current is None or current["deleted"]):
        stop.errors.append(found(
            "no_such_feature", f"ไม่พบ{spec.label_th}รายการนี้ (อาจถูกลบไปแล้ว)",
            f"this {spec.label_en.lower()} feature does not exist (it may have been deleted)",
            "เปิดรายการจากแผนที่อีกครั้ง", "open the feature from the map again"))
        return stop
    if audience.role not in EDIT_ROLES:
        stop.errors.append(found(
            "role_may_not_edit", f"บทบาท {audience.role.label('th')} แก้ไขข้อมูลไม่ได้",
            f"the {audience.role.label('en')} role cannot edit data",
            "ขอให้ผู้สำรวจ ผู้วางแผน หรือผู้ดูแลระบบแก้ไข",
            "ask a surveyor, planner or administrator"))
        return stop
    area = spec.area_field
    villages = _villages(store, spec, current, values)
    # The scope resolved against only the villages this edit involves: the same answer for
    # them as against the whole layer (gis.privacy), without reading every village.
    scope = resolve_scope(audience, villages)
    if current is not None and area and not scope.contains(current.get(area)):
        stop.errors.append(_outside_areas(found, area, current.get(area)))
        return stop

    errors: list[Issue] = []
    changes: dict[str, Any] = {}
    allowed = {f.name for f in editable_fields(spec, audience)}
    for name, value in values.items():
        errors += _field(found, spec, current, name, value, audience, allowed, changes)
    missing = _required(found, spec, current, changes)
    for gap in missing:  # a refused value is not a change
        changes.pop(gap.field or "", None)
    errors += missing
    if area and area in changes and not scope.contains(changes[area]):
        errors.append(_outside_areas(found, area, changes[area]))
    elif (area and current is None and changes.get(area) is None and not scope.everywhere
          and not spec.field(area).required):  # a required one is reported missing above
        errors.append(_outside_areas(found, area, None))
    key = changes.get(spec.key)
    if key is not None and store.count_by(spec.name, where={spec.key: key}):
        fld = spec.field(spec.key)
        errors.append(found(
            "duplicate_id", f"{fld.label_th} '{key}' มีอยู่แล้วในฐานข้อมูล",
            f"{fld.label_en} '{key}' is already used by another feature",
            "ใช้รหัสที่ไม่ซ้ำ", "use an id no other feature has", spec.key))

    warnings: list[Issue] = []
    repair = snapped = None
    if geometry is not None:
        shape, repair, shape_errors = _shape(found, spec, geometry, accept_repair)
        errors += shape_errors
        if shape is not None and spec.geometry == "MultiPolygon":
            neighbours = _neighbours(store, spec, shape, uid)
            snapped = shapes.snap_to_neighbours(shape, neighbours.geometry.to_numpy())
            if accept_snap and snapped is not None:
                shape = _conform(spec, snapped.geometry)
            if spec.name == "plots":
                warnings += neighbour_overlaps(shape, neighbours, uid=uid)
        if shape is not None and (current is None or current.get("geometry") is None
                                  or not _equal(shape, current["geometry"])):
            changes["geometry"] = shape
    if {"geometry", "village_code", "plot_id"} & set(changes) and not errors:
        warnings += _places(store, spec, uid, current, changes, villages)
    return EditCheck(spec.name, uid, version, changes, errors, warnings, repair, snapped)


def _field(found: Found, spec: LayerSpec, current: Feature | None, name: str, value: Any,
           audience: Audience, allowed: set[str], changes: dict[str, Any]) -> list[Issue]:
    """Convert one value; an issue when it cannot be set, otherwise into ``changes`` when it
    differs from the stored one."""
    try:
        fld = spec.field(name)
    except KeyError:
        return [found("unknown_field", f"{spec.label_th}ไม่มีช่อง {name!r}",
                      f"{spec.label_en} have no field {name!r}",
                      "ใช้ช่องในแบบฟอร์ม", "use the fields of the form", name)]
    if not audience.may_see(fld.privacy):
        # Refused even when the value is the stored one: a yes/no on "unchanged" would tell
        # the user a value they may not see.
        return [found("field_not_allowed",
                      f"บทบาท {audience.role.label('th')} แก้ช่อง '{fld.label_th}' ไม่ได้",
                      f"the {audience.role.label('en')} role may not edit '{fld.label_en}'",
                      "ขอให้ผู้วางแผนหรือผู้ดูแลระบบแก้ช่องนี้",
                      "ask a planner or administrator to change this field", name)]
    if fld.vocabulary is not None and isinstance(value, str) and \
            value not in fld.vocabulary.codes():
        labels_th = ", ".join(t.label_th for t in fld.vocabulary)
        labels_en = ", ".join(t.label_en for t in fld.vocabulary)
        return [found("not_in_vocabulary",
                      f"'{value}' ไม่อยู่ในรายการของช่อง '{fld.label_th}'",
                      f"'{value}' is not one of the choices of '{fld.label_en}'",
                      f"เลือกจากรายการ: {labels_th}", f"choose from the list: {labels_en}", name)]
    try:
        converted = coerce(fld, value, layer=spec.name, row=None)
    except InputError as exc:
        return [found("bad_value", f"ค่า {value!r} ใช้ในช่อง '{fld.label_th}' ไม่ได้",
                      f"{value!r} is not a valid value for '{fld.label_en}'",
                      exc.fix_th or "", exc.fix_en or "", name)]
    stored = None if current is None else current.get(name)
    if current is not None and _equal(converted, stored):
        return []
    if current is None and converted is None:
        return []
    if name not in allowed:
        return [found("field_not_editable",
                      f"ช่อง '{fld.label_th}' โปรแกรมเป็นผู้กำหนด แก้ด้วยมือไม่ได้",
                      f"'{fld.label_en}' is set by Landmap and cannot be edited by hand",
                      "ไม่ต้องกรอกช่องนี้", "leave this field out", name)]
    changes[name] = converted
    return []


def _required(found: Found, spec: LayerSpec, current: Feature | None,
              changes: Mapping[str, Any]) -> list[Issue]:
    missing = [f for f in spec.fields if f.required and (
        (current is None and changes.get(f.name) is None)
        or (current is not None and f.name in changes and changes[f.name] is None))]
    return [found("required_missing", f"ต้องกรอก '{f.label_th}'",
                  f"'{f.label_en}' is required", f"กรอก '{f.label_th}'",
                  f"fill in '{f.label_en}'", f.name) for f in missing]


def _outside_areas(found: Found, area: str, code: Any) -> Issue:
    return found("outside_your_areas",
                 f"รหัสพื้นที่ {code or '-'} อยู่นอกพื้นที่ที่คุณรับผิดชอบ",
                 f"area {code or '-'} is outside the areas assigned to you",
                 "เลือกพื้นที่ที่คุณรับผิดชอบ หรือขอให้ผู้ดูแลระบบเพิ่มพื้นที่ให้",
                 "choose one of your areas, or ask an administrator to assign this one", area)


def _conform(spec: LayerSpec, geom: Any) -> Any:
    if spec.geometry == "MultiPolygon" and isinstance(geom, Polygon):
        return MultiPolygon([geom])
    return geom


def _shape(found: Found, spec: LayerSpec, geometry: Any, accept_repair: bool
           ) -> tuple[Any | None, shapes.Repair | None, list[Issue]]:
    """The shape to write (None when it cannot be), the repair on offer, and the errors."""
    if spec.geometry is None:
        return None, None, [found("no_geometry_layer", f"{spec.label_th}ไม่มีรูปร่าง",
                                  f"{spec.label_en} have no shapes", "ไม่ต้องวาดรูปร่าง",
                                  "leave the shape out", "geometry")]
    geom = _conform(spec, geometry)
    if getattr(geom, "geom_type", None) != spec.geometry:
        got = getattr(geom, "geom_type", type(geometry).__name__)
        return None, None, [found(
            "wrong_geometry_type", f"{spec.label_th}ต้องเป็นรูปแบบ {spec.geometry} แต่ได้ {got}",
            f"{spec.label_en} must be {spec.geometry}, got {got}",
            "วาดรูปร่างให้ตรงชนิดของชั้นข้อมูล", "draw the kind of shape the layer takes",
            "geometry")]
    if geom.is_empty:
        return None, None, [found("empty_geometry", "รูปร่างว่างเปล่า", "the shape is empty",
                                  "วาดรูปร่างใหม่", "draw the shape again", "geometry")]
    repair = None
    if not geom.is_valid:
        why_th, why_en, _ = shapes.explain(geom, epsg=shapes.WGS84)
        repair = shapes.repair(geom, polygonal=spec.geometry == "MultiPolygon")
        if repair is None:
            return None, None, [found(
                "invalid_geometry", f"รูปร่างไม่ถูกต้อง: {why_th}", f"invalid shape: {why_en}",
                "วาดรูปร่างใหม่ (ซ่อมอัตโนมัติแล้วไม่เหลือรูปร่างที่ใช้ได้)",
                "draw the shape again (an automatic repair leaves nothing usable)", "geometry")]
        if not accept_repair:
            return None, repair, [found(
                "invalid_geometry", f"รูปร่างไม่ถูกต้อง: {why_th}", f"invalid shape: {why_en}",
                f"แก้รูปร่างบนแผนที่ หรือยอมรับการซ่อมด้วย make_valid: {repair.description_th}",
                f"fix the shape on the map, or accept the make_valid repair: "
                f"{repair.description_en}", "geometry")]
        geom = _conform(spec, repair.geometry)
    if not bool(in_thailand(np.asarray([geom], dtype=object))[0]):
        return None, repair, [found(
            "outside_thailand", "รูปร่างอยู่นอกประเทศไทย", "the shape is outside Thailand",
            "ตรวจตำแหน่งบนแผนที่", "check the location on the map", "geometry")]
    return geom, repair, []


def _neighbours(store: Store, spec: LayerSpec, geom: Any, uid: str | None) -> gpd.GeoDataFrame:
    """Stored features of the layer around ``geom`` (through the spatial index), without the
    feature itself."""
    minx, miny, maxx, maxy = geom.bounds
    near = store.read(spec.name, bbox=(minx - NEAR_DEG, miny - NEAR_DEG, maxx + NEAR_DEG,
                                       maxy + NEAR_DEG))
    if uid is not None and len(near):
        near = near.loc[(near["uid"] != uid).to_numpy(dtype=bool)].reset_index(drop=True)
    found: gpd.GeoDataFrame = near
    return found


def _villages(store: Store, spec: LayerSpec, current: Feature | None,
              values: Mapping[str, Any]) -> gpd.GeoDataFrame:
    """The stored villages an edit involves: the feature's village before and after."""
    codes = {str(v) for v in ((current or {}).get("village_code"), values.get("village_code"))
             if isinstance(v, str | int) and str(v)}
    if "village_code" not in spec.field_names or not codes:
        return gpd.GeoDataFrame({"village_code": [], "tambon_code": []}, geometry=[], crs=4326)
    found: gpd.GeoDataFrame = store.read("villages", where={"village_code": sorted(codes)})
    return found


def _places(store: Store, spec: LayerSpec, uid: str | None, current: Feature | None,
            changes: Mapping[str, Any], villages: gpd.GeoDataFrame) -> list[Issue]:
    """Outside its plot or village, as the feature would be stored (``gis.validate``)."""
    if spec.name not in ("households", "plots"):
        return []
    state = {**(current or {}), **changes}
    if state.get("geometry") is None:
        return []
    row = {k: state.get(k) for k in ("village_code", "plot_id") if k in spec.field_names}
    frame = gpd.GeoDataFrame(pd.DataFrame([row]), geometry=[state["geometry"]], crs=4326)
    return check_places(frame, spec, store, uids=[uid], villages=villages)


def _equal(a: Any, b: Any) -> bool:
    """Same value as stored: shapes coordinate for coordinate, missing values alike."""
    if is_missing(a) or is_missing(b):
        return is_missing(a) and is_missing(b)
    if hasattr(a, "geom_type") and hasattr(b, "geom_type"):
        return bool(a.equals_exact(b, 0.0))
    return bool(a == b)


# ------------------------------------------------------------------------------ saving
def save_edit(store: Store, layer: str, uid: str, values: Mapping[str, Any],
              geometry: Any | None, *, expected_version: int, audience: Audience,
              accept_warnings: bool, accept_repair: bool = False,
              accept_snap: bool = False) -> ChangeResult:
    """Check and save an edit of feature ``uid`` as one new version.

    Raises ``ConflictError`` when the feature is no longer at ``expected_version`` (someone
    saved meanwhile), ``EditRefused`` (an ``InputError``, Thai and English) when a check finds
    an error or the warnings are not accepted, and ``InputError`` when nothing changed. In each
    case nothing is written. Only the changed fields (and the shape, when it changed) are
    written, with ``store.update`` and the expected version.
    """
    spec = _spec(layer)
    current = store.get(spec.name, uid)
    ensure_version(spec, uid, current, expected_version, values, audience)
    check = _check(store, spec, uid, current, values, geometry, audience, accept_repair,
                   accept_snap)
    _refuse(check, accept_warnings)
    if not check.changes:
        raise InputError("ไม่มีอะไรเปลี่ยน จึงไม่ได้บันทึก", "nothing changed, so nothing was saved")
    return store.update(spec.name, {uid: dict(check.changes)}, {uid: expected_version},
                        user=audience.username)


def create_feature(store: Store, layer: str, values: Mapping[str, Any], geometry: Any | None,
                   *, audience: Audience, accept_warnings: bool, accept_repair: bool = False,
                   accept_snap: bool = False) -> ChangeResult:
    """Check and add a new feature (version 1); refused like ``save_edit``."""
    spec = _spec(layer)
    check = _check(store, spec, None, None, values, geometry, audience, accept_repair,
                   accept_snap)
    _refuse(check, accept_warnings)
    row = {k: v for k, v in check.changes.items() if k != "geometry"}
    frame = pd.DataFrame([row]) if row else pd.DataFrame(index=[0])
    if spec.geometry:
        frame = gpd.GeoDataFrame(frame, geometry=[check.changes.get("geometry")], crs=4326)
    return store.write(spec.name, frame, user=audience.username)


def delete_feature(store: Store, layer: str, uid: str, *, expected_version: int,
                   audience: Audience, accept_warnings: bool = False) -> ChangeResult:
    """Soft-delete feature ``uid`` (it stays in the store with its history; ``restore`` brings
    it back). Same role, area and version checks as ``save_edit``; a warning, to confirm,
    when households still name a deleted plot."""
    spec = _spec(layer)
    current = store.get(spec.name, uid)
    ensure_version(spec, uid, current, expected_version, {"deleted": True}, audience)
    check = _check(store, spec, uid, current, {}, None, audience, False, False)
    if check.ok and spec.name == "plots" and current is not None and current.get("plot_id"):
        named = sum(store.count_by("households", where={"plot_id": current["plot_id"]}).values())
        if named:
            check.warnings.append(issue(
                "plot_has_households", Severity.WARNING,
                f"ยังมีครัวเรือน {named} ครัวเรือนอ้างถึงแปลง {current['plot_id']}",
                f"{named} household(s) still name plot {current['plot_id']}",
                fix_th="ย้ายครัวเรือนไปแปลงอื่นก่อน หรือยืนยันการลบ",
                fix_en="move the households to another plot first, or confirm the delete",
                layer=spec.name, field="plot_id", uid=uid))
    _refuse(check, accept_warnings)
    return store.delete(spec.name, [uid], {uid: expected_version}, user=audience.username)


def ensure_version(spec: LayerSpec, uid: str, current: Feature | None, expected: int,
                   mine: Mapping[str, Any], audience: Audience) -> None:
    """``ConflictError``, before any check, when the feature moved on since the user read it at
    ``expected`` (the store checks again inside its write transaction). ``theirs`` holds only
    what the audience may see."""
    if current is None or int(current["version"]) == int(expected):
        return
    visible = {f.name for f in spec.all_fields if audience.may_see(f.privacy)} | {"geometry"}
    theirs = {k: v for k, v in current.items() if k in visible}
    raise ConflictError([Conflict(spec.name, uid, int(expected), int(current["version"]),
                                  dict(mine), theirs)])


def _refuse(check: EditCheck, accept_warnings: bool) -> None:
    if check.errors:
        raise EditRefused(check, warnings_only=False)
    if check.warnings and not accept_warnings:
        raise EditRefused(check, warnings_only=True)


def _spec(layer: str | LayerSpec) -> LayerSpec:
    if isinstance(layer, LayerSpec):
        return layer
    try:
        return LAYERS[layer]
    except KeyError:
        raise InputError(f"ไม่มีชั้นข้อมูลชื่อ {layer!r}", f"no layer named {layer!r}",
                         fix_th=f"ใช้ชั้นข้อมูล: {', '.join(LAYERS)}",
                         fix_en=f"use one of: {', '.join(LAYERS)}") from None


__all__ = ["EDIT_ROLES", "SNAP_M", "EditCheck", "EditRefused", "check_edit", "create_feature",
           "delete_feature", "editable_fields", "ensure_version", "form_choices", "save_edit"]
