"""The Edit page's parts: what is open and where the map is (kept per session), the area's
features for the map (codes only, through ``gis.privacy``), the attribute form generated from
``layers/``, and the review of a save — errors that block it, the ``make_valid`` repair and the
snapping proposal to accept or not, warnings to confirm — before ``gis.edit`` writes anything.

Nothing is changed without the user seeing it (STYLE.md habit 3): a repaired or snapped shape
is drawn on the map (before in red, after in green) and used only when the user says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd
import shapely
import streamlit as st

from gis.edit import EditCheck, check_edit, editable_fields, form_choices
from gis.errors import ConflictError
from gis.io.model import Issue
from gis.privacy import Audience, Scope, read_visible, scope_where, shows_geometry
from gis.store.codec import is_missing
from gis.store.protocol import BBox, Store
from gis.viewport import FEATURE_CAP, Place, to_geojson
from layers import LAYERS
from layers.schema import DType, Field, LayerSpec
from ui.editmap import Mode, collection, feature
from ui.i18n import N_
from ui.state import _

# Session keys of the Edit page (ui/state.py keeps the app-wide ones).
STATE: Final = "edit_state"
MAP_KEY: Final = "edit_map"
MAP_LAYERS: Final = ("plots", "households", "villages", "tenure_zones")
BEFORE: Final = "#dc2626"  # a shape before a repair or snapping
AFTER: Final = "#15803d"  # the same shape after it
PAD: Final = 0.15  # share of a village's extent added around it when reading its area
EMPTY: Final = "—"
# The outlines drawn beneath a layer, for orientation: the plots around a house, the village
# around a plot or a tenure zone.
REFERENCE: Final = {"households": "plots", "plots": "villages", "tenure_zones": "villages"}


@dataclass
class Opened:
    """The feature being edited: as it was when opened, and the shape changed on the map."""

    layer: str
    uid: str | None  # None: a new feature, drawn on the map
    version: int | None  # the version the user started from (save_edit's expected_version)
    code: str | None
    stored: Any | None  # the stored shape when opened (EPSG:4326)
    values: dict[str, Any] = field(default_factory=dict)  # stored values (editable fields)
    shape: Any | None = None  # changed or drawn on the map, not saved yet

    @property
    def shown(self) -> Any | None:
        return self.shape if self.shape is not None else self.stored


@dataclass
class Pending:
    """A save the user asked for, waiting on their decisions (None: not decided yet)."""

    values: dict[str, Any]
    geometry: Any | None
    accept_repair: bool = False
    accept_snap: bool | None = None
    accept_warnings: bool = False


@dataclass
class Conflicted:
    """A save refused because someone else saved first: what the user wanted, and the error."""

    values: dict[str, Any]
    geometry: Any | None
    error: ConflictError


@dataclass
class EditState:
    """The Edit page's state for one browser session."""

    layer: str | None = None
    area: str | None = None  # the village chosen
    searched: str = ""
    opened: Opened | None = None
    mode: Mode = "select"
    session: int = 0  # bumped at each change of mode or feature; the map echoes it
    view: dict[str, Any] = field(default_factory=dict)  # what the map is told: see edit_map
    handled: str | None = None  # the last map event handled
    pending: Pending | None = None
    conflict: Conflicted | None = None
    confirm_delete: bool = False
    delete_warnings: list[Issue] | None = None
    notice: tuple[str, str] | None = None  # (kind, text) shown once
    form: int = 0  # bumped after a save: the form is built again from the stored values

    def change(self, mode: Mode) -> None:
        self.mode = mode
        self.session += 1

    def close(self) -> None:
        self.opened = None
        self.pending = None
        self.conflict = None
        self.confirm_delete = False
        self.delete_warnings = None
        self.change("select")

    def move_to(self, bbox: BBox, *, max_zoom: int = 19) -> None:
        """Send the map to ``bbox`` (a chosen village, a found feature)."""
        self.view = {"id": int(self.view.get("id", 0)) + 1, "bounds": list(bbox),
                     "max_zoom": max_zoom}

    def keep_view(self, center: tuple[float, float] | None, zoom: int | None) -> None:
        """Remember where the user left the map, without moving it (same view id): if the map
        is ever drawn anew, it opens there."""
        if center is not None and zoom is not None:
            self.view = {"id": int(self.view.get("id", 0)), "center": list(center),
                         "zoom": zoom}


def edit_state() -> EditState:
    value = st.session_state.get(STATE)
    if not isinstance(value, EditState):
        value = EditState()
        st.session_state[STATE] = value
    return value


# ---------------------------------------------------------------------------------- data
def map_layers(audience: Audience) -> list[str]:
    """The layers the audience may edit on the map: a shape they may see and fields to edit."""
    return [name for name in MAP_LAYERS
            if shows_geometry(LAYERS[name], audience) and editable_fields(name, audience)]


def around(bbox: BBox, share: float = PAD) -> BBox:
    minx, miny, maxx, maxy = bbox
    dx, dy = (maxx - minx) * share + 1e-4, (maxy - miny) * share + 1e-4
    return (minx - dx, miny - dy, maxx + dx, maxy + dy)


def area_features(store: Store, audience: Audience, scope: Scope, layer: str, bbox: BBox, *,
                  leave_out: str | None = None) -> tuple[dict[str, Any], int]:
    """The layer's features in ``bbox`` the audience may see, as GeoJSON with uid and code
    only, and how many there are; none when more than ``FEATURE_CAP`` (choose a smaller area)."""
    spec = LAYERS[layer]
    count = sum(store.count_by(layer, bbox=bbox, where=scope_where(spec, scope)).values())
    if count > FEATURE_CAP:
        return collection([]), count
    frame = read_visible(store, layer, audience, bbox=bbox, scope=scope)
    features = []
    for f in to_geojson(frame, (spec.key,))["features"]:
        props = f["properties"]
        if props.get("uid") == leave_out:
            continue
        code = props.get(spec.key)
        f["properties"] = {"uid": props.get("uid"), "code": None if code is None else str(code)}
        features.append(f)
    return collection(features), count


def reference_features(store: Store, audience: Audience, scope: Scope, layer: str,
                       bbox: BBox) -> dict[str, Any]:
    """The outlines drawn beneath ``layer`` (`REFERENCE`), as the audience may see them."""
    other = REFERENCE.get(layer)
    if other is None or not shows_geometry(LAYERS[other], audience):
        return collection([])
    return area_features(store, audience, scope, other, bbox)[0]


def open_feature(store: Store, audience: Audience, scope: Scope, layer: str,
                 uid: str) -> Opened | None:
    """Feature ``uid`` as the audience may edit it; None when it is gone or outside their areas."""
    spec = LAYERS[layer]
    current = store.get(layer, uid)
    if current is None or current.get("deleted") or not shows_geometry(spec, audience):
        return None
    if spec.area_field and not scope.contains(current.get(spec.area_field)):
        return None
    values = {f.name: current.get(f.name) for f in editable_fields(spec, audience)}
    code = current.get(spec.key)
    return Opened(layer, uid, int(current["version"]), None if code is None else str(code),
                  current.get("geometry"), values)


def form_key(state: EditState) -> str | None:
    """The key of the open feature's attribute form (a new one after each save)."""
    opened = state.opened
    if opened is None:
        return None
    return f"edit_form_{opened.uid or 'new'}_{opened.version}_{state.form}"


def submitted(state: EditState) -> bool:
    """Whether the open feature's form was just submitted: its values are still to be saved
    (or refused as a conflict), so the feature must not be opened again before."""
    key = form_key(state)
    return key is not None and bool(st.session_state.get(f"{key}_submit"))


def linked(params: Mapping[str, Any]) -> tuple[str, str] | None:
    """The feature a link asks for, ``?layer=<layer>&uid=<uid>`` (the quality page's editor
    link), or None."""
    layer, uid = params.get("layer"), params.get("uid")
    if not isinstance(layer, str) or not isinstance(uid, str) or not layer.strip() \
            or not uid.strip():
        return None
    return layer.strip(), uid.strip()


def open_linked(store: Store, audience: Audience, scope: Scope, layer: str, uid: str,
                villages: Sequence[Place]) -> tuple[Opened, int, BBox] | None:
    """Feature ``uid`` of ``layer`` opened from a link, the index in ``villages`` of the village
    it lies in (its area field, else the first village around it, else the first) and its
    extent; None when the audience may not edit it on the map (a layer not in `map_layers`, a
    feature gone, without a shape, or outside their areas)."""
    if layer not in map_layers(audience) or not villages:
        return None
    opened = open_feature(store, audience, scope, layer, uid)
    if opened is None or opened.stored is None:
        return None
    spec = LAYERS[layer]
    current = store.get(layer, uid) or {}
    area = current.get(spec.area_field) if spec.area_field == "village_code" else None
    point = opened.stored.representative_point()
    at = next((i for i, p in enumerate(villages) if p.code == area), None)
    if at is None:
        at = next((i for i, p in enumerate(villages)
                   if p.bbox[0] <= point.x <= p.bbox[2] and p.bbox[1] <= point.y <= p.bbox[3]),
                  0)
    minx, miny, maxx, maxy = opened.stored.bounds
    pad = 2e-4
    return opened, at, (minx - pad, miny - pad, maxx + pad, maxy + pad)


def refresh(store: Store, audience: Audience, scope: Scope, state: EditState) -> bool:
    """Open the stored version again when the open feature moved on (a restore from its
    history, someone else's save) while the user has nothing unsaved; True when it did. With
    unsaved changes the feature stays as opened: saving them is then refused as a conflict."""
    opened = state.opened
    if (opened is None or opened.uid is None or opened.shape is not None
            or state.pending is not None or state.conflict is not None):
        return False
    current = store.get(opened.layer, opened.uid)
    if current is not None and not current.get("deleted") \
            and int(current["version"]) == opened.version:
        return False
    state.close()
    state.opened = open_feature(store, audience, scope, opened.layer, opened.uid)
    if state.opened is not None:
        state.change("view")
    state.form += 1
    return True


def find_by_code(store: Store, audience: Audience, scope: Scope, layer: str,
                 code: str) -> tuple[str, BBox] | None:
    """The uid and extent of the feature whose id (the layer's key) is ``code``, in scope."""
    spec = LAYERS[layer]
    frame = read_visible(store, layer, audience, where={spec.key: [code.strip()]}, scope=scope)
    if frame.empty or "geometry" not in frame.columns:
        return None
    row = frame.iloc[0]
    minx, miny, maxx, maxy = row["geometry"].bounds
    pad = 2e-4
    return str(row["uid"]), (minx - pad, miny - pad, maxx + pad, maxy + pad)


def selected_collection(opened: Opened | None) -> dict[str, Any]:
    """The open feature's shape, unrounded (a corner not moved comes back exactly)."""
    if opened is None or opened.shown is None:
        return collection([])
    return collection([feature(opened.uid or "new", opened.shown, opened.code)])


def draw_mode(layer: str) -> Mode:
    return "draw_point" if LAYERS[layer].geometry == "Point" else "draw_polygon"


def map_labels(layer: str, lang: str) -> dict[str, Any]:
    """The map's words in the user's language (the Geoman tooltips too)."""
    name = LAYERS[layer].label(lang)
    point = LAYERS[layer].geometry == "Point"
    return {
        "select_hint": _("Click a feature of '{layer}' to open it").format(layer=name),
        "edit_hint": _("Drag the marker to its place, then press Done.") if point else _(
            "Drag a corner to move it, click a small middle marker to add one, right-click a "
            "corner to remove it; every ring and every part can be edited. Then press Done."),
        "draw_polygon_hint": _("Click to place the corners; click the first corner to close "
                               "the shape. Then press Done."),
        "draw_point_hint": _("Click on the map where it is, then press Done."),
        "done": _("Done"),
        "cancel": _("Cancel"),
        "busy": _("Working…"),
        "tooltips": {
            "placeMarker": _("Click to place the point"),
            "firstVertex": _("Click to place the first corner"),
            "continueLine": _("Click to place the next corner"),
            "finishPoly": _("Click the first corner to close the shape"),
        },
        "actions": {"finish": _("Finish"), "cancel": _("Cancel"),
                    "removeLastVertex": _("Remove the last corner")},
    }


# ---------------------------------------------------------------------------------- form
def attribute_form(spec: LayerSpec, audience: Audience, values: Mapping[str, Any], lang: str,
                   *, key: str, submit: str, disabled: bool) -> dict[str, Any] | None:
    """The fields the audience may edit, in a form (vocabularies as lists in ``lang``, required
    fields marked); the values when the user submits it, else None."""
    with st.form(key, border=True):
        out = {f.name: _input(f, values.get(f.name), lang, f"{key}_{f.name}")
               for f in editable_fields(spec, audience)}
        if any(f.required for f in editable_fields(spec, audience)):
            st.caption(_("Fields marked * are required").replace("*", "\\*"))
        sent = st.form_submit_button(submit, type="primary", disabled=disabled,
                                     icon=":material/save:", key=f"{key}_submit")
    return out if sent else None


def _input(fld: Field, value: Any, lang: str, key: str) -> Any:
    label = fld.label(lang) + (" *" if fld.required else "")
    value = None if is_missing(value) else value
    if fld.vocabulary is not None:
        choices = dict(form_choices(fld, lang))
        if value is not None and value not in choices:  # a stored code no longer in the list
            choices[str(value)] = str(value)
        options: list[Any] = list(choices) if fld.required else [None, *choices]
        return st.selectbox(label, options, index=options.index(value)
                            if value in options else None,
                            format_func=lambda c: EMPTY if c is None else choices[c], key=key,
                            placeholder=_("Choose"))
    if fld.dtype is DType.BOOL:
        labels = {None: EMPTY, True: _("Yes"), False: _("No")}
        flags: list[Any] = [None, True, False]
        return st.selectbox(label, flags, index=flags.index(bool(value))
                            if value is not None else 0,
                            format_func=labels.__getitem__, key=key)
    if fld.dtype is DType.INT:
        return st.number_input(label, value=None if value is None else int(value), step=1,
                               key=key)
    if fld.dtype is DType.FLOAT:
        return st.number_input(label, value=None if value is None else float(value), key=key)
    if fld.dtype is DType.DATE:
        return st.date_input(label, value=value if isinstance(value, dt.date) else None,
                             min_value=dt.date(1900, 1, 1), key=key)
    text = st.text_input(label, value="" if value is None else str(value), key=key)
    return text.strip() or None


# -------------------------------------------------------------------------------- review
def show_issues(issues: Sequence[Issue], lang: str, *, error: bool) -> None:
    """Each issue in the user's language with what to do, and in the other language below."""
    show = st.error if error else st.warning
    for issue in issues:  # gis.edit's messages name the field they are about
        th = issue.message_th + (f" — {issue.fix_th}" if issue.fix_th else "")
        en = issue.message_en + (f" — {issue.fix_en}" if issue.fix_en else "")
        mine, other = (th, en) if lang == "th" else (en, th)
        show(f"{mine}\n\n{other}")


def review(store: Store, audience: Audience, state: EditState, lang: str
           ) -> tuple[EditCheck | None, list[dict[str, Any]]]:
    """Check the pending save and show what stands in its way, with the user's choices.

    Returns the check when the save may go ahead now (no errors, every proposal decided,
    warnings confirmed), else None; and the shapes to preview on the map.
    """
    pending, opened = state.pending, state.opened
    if pending is None or opened is None:
        return None, []
    check = check_edit(store, opened.layer, opened.uid, pending.values, pending.geometry,
                       audience=audience, accept_repair=pending.accept_repair,
                       accept_snap=bool(pending.accept_snap))
    if check.errors:
        show_issues(check.errors, lang, error=True)
        if check.repair is not None and not pending.accept_repair:
            fix = check.repair
            st.markdown("**" + _("A repair is on offer") + "**")
            st.write(fix.description_th if lang == "th" else fix.description_en)
            st.caption(_("Area before {before} m², after {after} m². On the map: red before "
                         "the repair, green after.").format(before=f"{fix.area_before_m2:,.1f}",
                                                            after=f"{fix.area_after_m2:,.1f}"))
            if st.button(_("Use the repaired shape"), key="edit_accept_repair",
                         icon=":material/healing:"):
                pending.accept_repair = True
                st.rerun()
            return None, _preview(pending.geometry, fix.geometry)
        return None, []
    if check.snapped is not None and pending.accept_snap is None:
        snap = check.snapped
        st.info(_("Corners close to a neighbouring plot could be moved onto its boundary: "
                  "{what}. On the map: red your shape, green snapped.").format(
            what=snap.description_th if lang == "th" else snap.description_en))
        yes, no = st.columns(2)
        if yes.button(_("Snap the corners"), key="edit_snap_yes"):
            pending.accept_snap = True
            st.rerun()
        if no.button(_("Keep my corners"), key="edit_snap_no"):
            pending.accept_snap = False
            st.rerun()
        return None, _preview(pending.geometry, snap.geometry)
    if check.warnings and not pending.accept_warnings:
        show_issues(check.warnings, lang, error=False)
        if st.button(_("Save anyway"), key="edit_accept_warnings", icon=":material/done_all:"):
            pending.accept_warnings = True
            st.rerun()
        return None, []
    return check, []


def _preview(before: Any, after: Any) -> list[dict[str, Any]]:
    out = []
    if before is not None:
        out.append({"geometry": shapely.geometry.mapping(before), "color": BEFORE,
                    "dash": "6 4", "weight": 3, "fill_opacity": 0.05})
    out.append({"geometry": shapely.geometry.mapping(after), "color": AFTER, "weight": 3,
                "fill_opacity": 0.25})
    return out


# ------------------------------------------------------------------------ other panels
def show_conflict(store: Store, state: EditState, audience: Audience) -> bool | None:
    """Someone saved first: the conflict view of ``ui.conflicts`` (the edit is queued, both
    versions shown to choose from), which returns True once it is settled; where that module is
    missing, the bilingual message and None."""
    conflict, opened = state.conflict, state.opened
    if conflict is None or opened is None or opened.uid is None:
        return None
    try:
        from ui.conflicts import show_conflict as panel
    except ModuleNotFoundError as exc:
        if exc.name != "ui.conflicts":
            raise
        exc_ = conflict.error
        st.error(f"{exc_.message_th}\n\n{exc_.message_en}")
        return None
    return bool(panel(store, opened.layer, opened.uid, conflict.values, conflict.geometry,
                      conflict.error, audience))


def show_history(store: Store, layer: str, uid: str, audience: Audience, lang: str) -> None:
    """The feature's versions (``ui.history_panel``, when present; else a plain table)."""
    try:
        from ui.history_panel import show_history as panel
    except ModuleNotFoundError as exc:
        if exc.name != "ui.history_panel":
            raise
        from gis.history import feature_history

        rows = [{
            _("Version"): v.version, _("By"): v.who or "", _("When"):
            v.when.strftime("%Y-%m-%d %H:%M") if v.when else "",
            _("Changed"): ", ".join([c.label_th if lang == "th" else c.label_en
                                     for c in v.changed]
                                    + ([_("shape")] if v.geometry_changed else [])),
        } for v in feature_history(store, layer, uid, audience=audience)]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        return
    panel(store, layer, uid, audience)


MODE_NOTES: Final = {
    "edit": N_("Edit the shape on the map, then press Done on the map."),
    "draw_polygon": N_("Draw the shape on the map, then press Done on the map."),
    "draw_point": N_("Place the point on the map, then press Done on the map."),
}
