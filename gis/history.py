"""A feature's history as an audience may see it, and restoring an earlier version.

The store keeps every version of every feature (``feature_history``: who, when, the state
before and after). ``feature_history`` turns those into what the history panel shows — per
version who and when, which fields changed from what to what, and the shapes before and after
for the map — through ``gis.privacy``: values of fields above the audience's ceiling are never
handed out (only how many of them changed), nor are shapes the audience may not see.
``restore_version`` writes an earlier state back as a new version; history is never rewritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gis.edit import EDIT_ROLES, ensure_version
from gis.errors import InputError, StoreError
from gis.privacy import Audience, scope_of, shows_geometry
from gis.store.protocol import ChangeResult, Feature, Op, Store
from layers import LAYERS, SYSTEM_FIELDS
from layers.schema import PrivacyClass

_DELETED = next(f for f in SYSTEM_FIELDS if f.name == "deleted")


@dataclass(frozen=True)
class FieldChange:
    """One field that changed in a version: its labels and the values before and after."""

    name: str
    label_th: str
    label_en: str
    before: Any
    after: Any


@dataclass(frozen=True)
class VersionView:
    """One version of a feature, redacted for an audience.

    ``who``/``when`` (UTC) are None for audiences that may not see internal data.
    ``hidden_changes`` counts the changed fields the audience may not see (their values are not
    here). ``geometry_before``/``geometry_after`` (EPSG:4326) are None when the audience may not
    see the layer's shapes, or there was no shape.
    """

    version: int
    op: Op
    who: str | None
    when: dt.datetime | None
    change_set: str
    changed: tuple[FieldChange, ...]
    hidden_changes: int
    geometry_changed: bool
    geometry_before: Any | None
    geometry_after: Any | None
    deleted: bool


def feature_history(store: Store, layer: str, uid: str, *,
                    audience: Audience) -> list[VersionView]:
    """Every version of feature ``uid``, oldest first, as ``audience`` may see it.

    Raises ``InputError`` when the feature lies outside the audience's areas and
    ``StoreError`` when it has no history (no such feature).
    """
    spec = LAYERS[layer]
    entries = store.history(layer, uid)
    if not entries:
        raise StoreError(f"ไม่พบข้อมูล {layer}/{uid}", f"no feature {layer}/{uid}")
    _in_scope(store, spec.area_field, entries[-1].after, audience)
    internal = audience.may_see(PrivacyClass.INTERNAL)
    shapes = shows_geometry(spec, audience)
    views = []
    for entry in entries:
        changed: list[FieldChange] = []
        hidden = 0
        names = entry.changed_fields()
        for name in names:
            if name == "geometry":
                continue
            fld = _DELETED if name == "deleted" else spec.field(name)
            if not audience.may_see(fld.privacy):
                hidden += 1
                continue
            before = None if entry.before is None else entry.before.get(name)
            changed.append(FieldChange(name, fld.label_th, fld.label_en, before,
                                       entry.after.get(name)))
        views.append(VersionView(
            version=entry.version, op=entry.op,
            who=entry.changed_by if internal else None,
            when=entry.changed_at.astimezone(dt.UTC) if internal else None,
            change_set=entry.change_set, changed=tuple(changed), hidden_changes=hidden,
            geometry_changed="geometry" in names,
            geometry_before=(entry.before or {}).get("geometry") if shapes else None,
            geometry_after=entry.after.get("geometry") if shapes else None,
            deleted=bool(entry.after.get("deleted", False)),
        ))
    return views


def restore_version(store: Store, layer: str, uid: str, version: int, *,
                    expected_version: int, audience: Audience) -> ChangeResult:
    """Write version ``version`` of ``uid`` back as a new version (``store.restore``).

    ``audience`` is who restores (its username is recorded as the author). Refused
    (``InputError``, nothing written) for roles that do not edit, features outside their areas
    (now or in that version), and when that version differs from the current one in a field
    the audience may not see (restoring would change data they cannot check); ``ConflictError``
    when the feature is no longer at ``expected_version``.
    """
    spec = LAYERS[layer]
    current = store.get(layer, uid)
    if current is None:
        raise StoreError(f"ไม่พบข้อมูล {layer}/{uid}", f"no feature {layer}/{uid}")
    ensure_version(spec, uid, current, expected_version, {"restore": version}, audience)
    if audience.role not in EDIT_ROLES:
        raise InputError(f"บทบาท {audience.role.label('th')} ย้อนฉบับข้อมูลไม่ได้",
                         f"the {audience.role.label('en')} role cannot restore versions",
                         fix_th="ขอให้ผู้สำรวจ ผู้วางแผน หรือผู้ดูแลระบบย้อนฉบับ",
                         fix_en="ask a surveyor, planner or administrator")
    target = next((e.after for e in store.history(layer, uid) if e.version == version), None)
    if target is None:
        raise StoreError(f"ไม่มีฉบับที่ {version} ของ {layer}/{uid}",
                         f"{layer}/{uid} has no version {version}")
    _in_scope(store, spec.area_field, current, audience)
    _in_scope(store, spec.area_field, target, audience)
    hidden = [f for f in spec.fields if not audience.may_see(f.privacy)
              and current.get(f.name) != target.get(f.name)]
    if hidden:
        raise InputError(
            f"ฉบับที่ {version} ต่างจากฉบับปัจจุบันในช่องที่บทบาทของคุณไม่เห็น {len(hidden)} ช่อง "
            "จึงไม่ได้ย้อนฉบับ",
            f"version {version} differs from the current one in {len(hidden)} field(s) your "
            "role may not see, so nothing was restored",
            fix_th="ขอให้ผู้วางแผนหรือผู้ดูแลระบบย้อนฉบับนี้",
            fix_en="ask a planner or administrator to restore this version")
    return store.restore(layer, uid, version, expected_version=expected_version,
                         user=audience.username)


def _in_scope(store: Store, area: str | None, state: Mapping[str, Any] | Feature,
              audience: Audience) -> None:
    if area is None or audience.everywhere:
        return
    code = state.get(area)
    if not scope_of(store, audience).contains(code):
        raise InputError(f"รหัสพื้นที่ {code or '-'} อยู่นอกพื้นที่ที่คุณรับผิดชอบ",
                         f"area {code or '-'} is outside the areas assigned to you",
                         field=area)


__all__ = ["FieldChange", "VersionView", "feature_history", "restore_version"]
