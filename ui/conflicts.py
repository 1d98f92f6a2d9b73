"""The conflict view (issue 6): an edit refused because someone else saved the feature first is
queued, never lost, and shown beside the stored version so that the user chooses — keep the
stored one (theirs), use the proposed one (mine), or merge field by field — and the choice is
recorded (``Store.resolve_conflict``: a new version, or none for "theirs").

The Edit page calls `show_conflict` with the refused edit (queued once per session however often
it is called); the conflict queue page (``ui/pages/conflicts.py``) calls `render_conflict` for a
queued entry. The view is a fragment: its radios and buttons rerun only the view, so it stays
open even where the save that raised the error does not run again. Values pass through
``gis.privacy`` (only fields the user's role may see, only features in their areas), and a
proposal that sets fields the user may not see can be looked at but not resolved by them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd
import streamlit as st

from gis.dates import Era, format_datetime
from gis.edit import EDIT_ROLES
from gis.errors import ConflictError, InputError, LandmapError, StoreError
from gis.privacy import Audience, redact, scope_of
from gis.store.checks import conform_geometry
from gis.store.codec import coerce, is_missing
from gis.store.protocol import ConflictChoice, ConflictRecord, Feature, Store
from layers import LAYERS
from layers.schema import LayerSpec, PrivacyClass
from ui import state
from ui.frame import catch_errors
from ui.history_panel import BLUE, GREY, ORANGE, Drawn, compare_map, display_value, label_of
from ui.i18n import N_
from ui.state import _

QUEUED: Final = "conflicts_queued"  # (layer, uid, base version, digest of the edit) → id
CHOICES: Final[tuple[ConflictChoice, ...]] = ("theirs", "mine", "merge")
CHOICE_LABELS: Final = {"theirs": N_("Keep the stored version (theirs)"),
                        "mine": N_("Use the proposed version (mine)"),
                        "merge": N_("Merge field by field")}
DONE_LABELS: Final = {"theirs": N_("kept the stored version"),
                      "mine": N_("used the proposed version"),
                      "merge": N_("merged field by field")}
MINE: Final = ORANGE
THEIRS: Final = BLUE


# ------------------------------------------------------------------------------ queueing
def proposed_changes(store: Store, layer: str, uid: str, base_version: int,
                     mine_values: Mapping[str, Any], mine_geometry: Any | None
                     ) -> dict[str, Any]:
    """What the user changed from the version they opened (``base_version``): the values of
    ``mine_values`` (converted as the layer stores them) and ``mine_geometry`` that differ from
    that version. A form sends every field; only these may be written over someone else's
    newer version. ``{"deleted": True}`` is a deletion."""
    spec = LAYERS[layer]
    if dict(mine_values) == {"deleted": True}:
        return {"deleted": True}
    base = next((e.after for e in store.history(layer, uid) if e.version == base_version), None)
    if base is None:
        raise StoreError(f"ไม่มีฉบับที่ {base_version} ของ {layer}/{uid}",
                         f"{layer}/{uid} has no version {base_version}")
    changes: dict[str, Any] = {}
    for name, value in mine_values.items():
        if name not in spec.field_names:
            changes[name] = value  # the store refuses it, naming the field
            continue
        converted = coerce(spec.field(name), value, layer=spec.name, row=None)
        if not same(converted, base.get(name)):
            changes[name] = converted
    if mine_geometry is not None and spec.geometry:
        shape = conform_geometry(spec, mine_geometry, row=1)
        if not same(shape, base.get("geometry")):
            changes["geometry"] = shape
    return changes


def queue_conflict(store: Store, layer: str, uid: str, mine_values: Mapping[str, Any],
                   mine_geometry: Any | None, error: ConflictError, audience: Audience, *,
                   source: str = "edit") -> int | None:
    """Queue the edit ``error`` refused (``Store.add_conflict``, proposed by ``audience``)
    and return the conflict's id; None when the edit changed nothing from the version the user
    opened (then there is nothing to keep). No Streamlit: the Edit page's `show_conflict` and
    tests call it alike."""
    conflict = next((c for c in error.conflicts if c.layer == layer and c.uid == uid), None)
    if conflict is None or conflict.expected_version is None:
        raise InputError(f"ข้อขัดแย้งนี้ไม่ได้เกี่ยวกับ {layer}/{uid}",
                         f"this conflict is not about {layer}/{uid}")
    base = int(conflict.expected_version)
    changes = proposed_changes(store, layer, uid, base, mine_values, mine_geometry)
    if not changes:
        return None
    return store.add_conflict(layer, uid, base_version=base, proposed=changes,
                              user=audience.username, source=source)


def _digest(mine_values: Mapping[str, Any], mine_geometry: Any | None) -> str:
    text = repr(sorted((str(k), repr(v)) for k, v in mine_values.items()))
    if mine_geometry is not None:
        text += str(getattr(mine_geometry, "wkb_hex", mine_geometry))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def show_conflict(store: Store, layer: str, uid: str, mine_values: Mapping[str, Any],
                  mine_geometry: Any | None, error: ConflictError, audience: Audience) -> bool:
    """Queue the refused edit (once per session, however often the page reruns) and show the
    conflict view for it, with the values and shape the user tried to save.

    Call it in the Edit page's ``except ConflictError`` block, or on every run while the page
    holds the refused edit. Returns True once there is nothing more to show — the conflict was
    resolved (here, and the user pressed Back; or by someone else) — so that the Edit page can
    forget the edit and open the feature's new stored version.
    """
    conflict = next((c for c in error.conflicts if c.layer == layer and c.uid == uid), None)
    queued: dict[tuple[str, str, int, str], int | None] = st.session_state.setdefault(QUEUED, {})
    key = (layer, uid, int(conflict.expected_version or 0) if conflict else 0,
           _digest(mine_values, mine_geometry))
    if key not in queued:
        queued[key] = queue_conflict(store, layer, uid, mine_values, mine_geometry, error,
                                     audience)
    conflict_id = queued[key]
    if conflict_id is None:
        st.info(_("Someone else saved this feature after you opened it, and your version "
                  "changes nothing in the version you opened: the stored version stays."))
        return False
    record = store.get_conflict(conflict_id)
    if record is not None and record.status == "resolved" and not resolved_here(conflict_id):
        return True
    if record is not None and record.status == "open":
        st.warning(_("Someone else saved this feature after you opened it, so your version was "
                     "not saved. Nothing is lost: it is kept in the conflict queue. Compare "
                     "both versions and choose."), icon=":material/call_split:")
    render_conflict(store, conflict_id, audience)
    return False


# ------------------------------------------------------------------------------ the view
@dataclass(frozen=True)
class Difference:
    """One field (or ``geometry``/``deleted``) whose value differs between the proposed and
    the stored version, and who changed it since the proposer's base version."""

    name: str
    mine: Any
    theirs: Any
    proposed: bool  # the proposal sets it (what "mine" writes)


def same(a: Any, b: Any) -> bool:
    """Equal as stored: shapes coordinate for coordinate, every kind of missing alike."""
    if is_missing(a) or is_missing(b):
        return is_missing(a) and is_missing(b)
    if hasattr(a, "geom_type") and hasattr(b, "geom_type"):
        return bool(a.equals_exact(b, 0.0))
    return bool(a == b)


def differences(spec: LayerSpec, record: ConflictRecord, current: Feature,
                audience: Audience) -> tuple[list[Difference], int]:
    """The differences ``audience`` may see (through ``gis.privacy.redact``), in display
    order, and how many more differ in fields it may not see."""
    names = [*spec.field_names, "geometry"]
    states = pd.DataFrame([{n: record.proposed.get(n) for n in names},
                           {n: current.get(n) for n in names}], dtype=object)
    shown = redact(states, spec, audience)
    visible = [n for n in names if n in shown.columns]
    found = [Difference(n, record.proposed.get(n), current.get(n), n in record.fields)
             for n in visible if not same(record.proposed.get(n), current.get(n))]
    if audience.may_see(PrivacyClass.INTERNAL) and \
            bool(record.proposed.get("deleted")) != bool(current.get("deleted")):
        found.append(Difference("deleted", bool(record.proposed.get("deleted")),
                                bool(current.get("deleted")), "deleted" in record.fields))
    hidden = sum(1 for n in names if n not in visible
                 and not same(record.proposed.get(n), current.get(n)))
    return found, hidden


def hidden_proposal(spec: LayerSpec, record: ConflictRecord, audience: Audience) -> list[str]:
    """Fields the proposal would write that ``audience`` may not see: it may not choose them."""
    hidden = []
    for name in record.fields:
        if name == "geometry":
            if spec.geometry and not audience.may_see(spec.geometry_privacy):
                hidden.append(name)
        elif not audience.may_see(spec.field(name).privacy):
            hidden.append(name)
    return hidden


def in_scope(store: Store, spec: LayerSpec, audience: Audience, *states: Mapping[str, Any]
             ) -> bool:
    """Whether every state lies in the audience's areas (always, for layers without areas)."""
    if spec.area_field is None or audience.everywhere:
        return True
    scope = scope_of(store, audience)
    return all(scope.contains(s.get(spec.area_field)) for s in states)


def feature_name(spec: LayerSpec, record: ConflictRecord, audience: Audience) -> str:
    """How a conflict's feature is named: its id when the audience may see it, else the start
    of its uid."""
    key = spec.field(spec.key)
    value = record.proposed.get(spec.key)
    if audience.may_see(key.privacy) and not is_missing(value):
        return str(value)
    return record.uid[:8]


def source_label(source: str) -> str:
    """Where a proposal came from: the Edit page, or a field package merged back."""
    if source == "edit":
        return _("edit")
    if source.startswith("field-merge"):
        name = source.partition(":")[2]
        return _("field merge: {file}").format(file=name) if name else _("field merge")
    return source


def _key(conflict_id: int, what: str) -> str:
    return f"conflict_{conflict_id}_{what}"


def _who(record: ConflictRecord, audience: Audience) -> str:
    if record.proposed_by == audience.username:
        return _("Your version")
    return _("Proposed by {user}").format(user=record.proposed_by)


@st.fragment
def render_conflict(store: Store, conflict_id: int, audience: Audience) -> None:
    """The conflict ``conflict_id``: both versions side by side (two small maps, a table of the
    fields that differ), and the three choices; once resolved, what was chosen and done.

    Choosing calls ``Store.resolve_conflict`` with the stored version shown as the expected
    one; when the feature has changed again meanwhile, the view says so and shows the new
    stored version to choose against. A fragment: its widgets rerun only this view, outside
    the router, so it brings the one catch point along.
    """
    with catch_errors():
        _conflict_view(store, conflict_id, audience)


def _conflict_view(store: Store, conflict_id: int, audience: Audience) -> None:
    lang, era = state.lang(), state.era()
    failed = st.session_state.pop(_key(conflict_id, "failed"), None)
    if isinstance(failed, LandmapError):
        raise failed  # from the choice's callback: shown by the one catch point
    record = store.get_conflict(conflict_id)
    if record is None:
        st.error(_("There is no conflict {id}.").format(id=conflict_id))
        return
    spec = LAYERS[record.layer]
    current = store.get(record.layer, record.uid)
    if current is None or not in_scope(store, spec, audience, record.proposed, current):
        st.error(_("This conflict concerns a feature outside your areas."))
        return

    st.subheader(_("{layer} {feature}: two versions").format(
        layer=spec.label(lang), feature=feature_name(spec, record, audience)))
    st.caption(_("Proposed by {user} ({source}) on {when}, from version {base}.").format(
        user=record.proposed_by, source=source_label(record.source),
        when=format_datetime(record.proposed_at, lang, era), base=record.base_version))

    if record.status == "resolved":
        _resolved(spec, record, current, audience, lang, era)
        return

    moved = st.session_state.pop(_key(conflict_id, "moved"), None)
    if moved is not None:
        st.warning(_("The feature was changed again meanwhile (it is now version {v}); nothing "
                     "was written. Here is the newest stored version: choose again.").format(
            v=current["version"]))
    found, hidden = differences(spec, record, current, audience)
    _side_by_side(spec, record, current, found, audience, lang, era)
    if hidden:
        st.caption(_("{n} more fields differ that your role may not see.").format(n=hidden))

    refused = hidden_proposal(spec, record, audience)
    if audience.role not in EDIT_ROLES:
        st.info(_("Your role may look at conflicts but not resolve them."))
        return
    if refused:
        st.info(_("This version changes fields your role may not see, so you cannot choose "
                  "it: ask a planner or an administrator."))
        return
    options = [c for c in CHOICES if c != "merge" or (found and not record.is_delete)]
    # Labels made now, in the user's language: a format_func may be called outside this run.
    choice_labels = {c: _(CHOICE_LABELS[c]) for c in options}
    st.radio(_("Which version should stay?"), options=options, key=_key(conflict_id, "choice"),
             format_func=choice_labels.__getitem__)
    choice = st.session_state.get(_key(conflict_id, "choice"), options[0])
    picks: list[str] = []
    if choice == "merge":
        st.caption(_("For each field, choose the value to keep."))
        for diff in found:
            side_labels = {side: _pick_label(spec, diff, side, lang, era)
                           for side in ("mine", "theirs")}
            st.radio(label_of(spec, diff.name, lang), options=["mine", "theirs"], horizontal=True,
                     index=0 if diff.proposed else 1,
                     key=_pick_key(conflict_id, int(current["version"]), diff.name),
                     format_func=side_labels.__getitem__)
            picks.append(diff.name)
    st.button(_("Resolve"), type="primary", icon=":material/check:",
              key=_key(conflict_id, "resolve"), on_click=_resolve,
              args=(store, record, int(current["version"]), audience, tuple(picks)))


def _pick_key(conflict_id: int, version: int, name: str) -> str:
    # The stored version is part of the key: when it moves, the picks start again from the
    # defaults against the new version.
    return _key(conflict_id, f"v{version}_pick_{name}")


def _pick_label(spec: LayerSpec, diff: Difference, side: str, lang: str, era: Era) -> str:
    value = diff.mine if side == "mine" else diff.theirs
    head = _("Proposed") if side == "mine" else _("Stored")
    return f"{head}: {display_value(spec, diff.name, value, lang, era)}"


def _resolve(store: Store, record: ConflictRecord, expected: int, audience: Audience,
             picks: tuple[str, ...]) -> None:
    """The Resolve button's callback (runs before the view is drawn again): carry out the
    choice, or remember that the feature moved, or the error to show."""
    choice: ConflictChoice = st.session_state.get(_key(record.id, "choice"), "theirs")
    merged: dict[str, Any] | None = None
    if choice == "merge":
        mine = [n for n in picks if st.session_state.get(
            _pick_key(record.id, expected, n)) == "mine"]
        if mine:
            merged = {n: record.proposed.get(n) for n in mine}
        else:  # every field kept as stored: that is keeping theirs
            choice = "theirs"
    try:
        resolved = store.resolve_conflict(record.id, choice=choice, merged_values=merged,
                                          user=audience.username,
                                          expected_current_version=expected)
    except ConflictError:
        st.session_state[_key(record.id, "moved")] = True
    except LandmapError as exc:
        st.session_state[_key(record.id, "failed")] = exc
    else:
        st.session_state[_key(record.id, "done")] = resolved.id


def _side_by_side(spec: LayerSpec, record: ConflictRecord, current: Feature,
                  found: list[Difference], audience: Audience, lang: str, era: Era) -> None:
    """Two small maps (each version in its colour, the other dashed) and the table of the
    fields that differ."""
    mine_head = _who(record, audience)
    theirs_head = _("Stored now: version {v} by {user}").format(
        v=current["version"], user=current.get("updated_by") or "–")
    shapes = spec.geometry is not None and audience.may_see(spec.geometry_privacy)
    left, right = st.columns(2)
    for column, head, colour, shape, other in (
            (left, mine_head, MINE, record.proposed.get("geometry"), current.get("geometry")),
            (right, theirs_head, THEIRS, current.get("geometry"), record.proposed.get("geometry"))):
        with column:
            st.markdown(f"**:{colour.markdown}[{head}]**")
            if shapes:
                compare_map([Drawn([other], GREY, _("the other version"), dashed=True),
                             Drawn([shape], colour, head)],
                            key=_key(record.id, f"map_{'mine' if colour is MINE else 'theirs'}"
                                                f"_{current['version']}"))
    if not found:
        st.info(_("The two versions are the same in every field you may see."))
        return
    rows = [{
        _("Field"): label_of(spec, d.name, lang),
        mine_head: display_value(spec, d.name, d.mine, lang, era),
        theirs_head: display_value(spec, d.name, d.theirs, lang, era),
        _("Proposed change"): _("yes") if d.proposed else "",
    } for d in found]
    st.table(pd.DataFrame(rows).set_index(_("Field")))
    st.caption(_("“Use the proposed version” writes only the fields marked as a proposed "
                 "change; fields changed by others since stay as stored."))


def _resolved(spec: LayerSpec, record: ConflictRecord, current: Feature, audience: Audience,
              lang: str, era: Era) -> None:
    """A resolved conflict, read-only: the choice, who made it and when, the version it left,
    and the values that were proposed."""
    choice = record.choice or "theirs"
    if resolved_here(record.id):
        if choice == "theirs":
            st.success(_("Resolved: the stored version {v} stays.").format(
                v=record.resolved_version))
        else:
            st.success(_("Resolved: saved as version {v}.").format(v=record.resolved_version))
    else:
        st.info(_("Resolved by {user} on {when}: {choice} (version {v}).").format(
            user=record.resolved_by or "–",
            when=format_datetime(record.resolved_at, lang, era) if record.resolved_at else "–",
            choice=_(DONE_LABELS[choice]), v=record.resolved_version))
    shown = [n for n in record.fields if n not in hidden_proposal(spec, record, audience)]
    if shown:
        st.table(pd.DataFrame([{
            _("Field"): label_of(spec, n, lang),
            _("Proposed"): display_value(spec, n, record.proposed.get(n), lang, era),
            _("Stored now"): display_value(spec, n, current.get(n), lang, era),
        } for n in shown]).set_index(_("Field")))
    st.caption(_("Both versions stay in the feature's history and in the conflict queue."))
    if st.button(_("Back"), icon=":material/arrow_back:", key=_key(record.id, "back")):
        st.session_state.pop(_key(record.id, "done"), None)
        st.rerun()


# ------------------------------------------------------------------------------ the queue
def visible_conflicts(store: Store, audience: Audience, *, status: str) -> list[ConflictRecord]:
    """Conflicts (``open`` or ``resolved``) the audience may look at: every one for admins;
    otherwise those whose feature — as proposed and as stored now — lies in their areas."""
    records = store.list_conflicts(status="open" if status == "open" else "resolved")
    if audience.everywhere:
        return records
    scope = scope_of(store, audience)
    out = []
    for record in records:
        area = LAYERS[record.layer].area_field
        if area is None:
            out.append(record)
            continue
        current = store.get(record.layer, record.uid)
        states = [record.proposed, *([current] if current is not None else [])]
        if all(scope.contains(s.get(area)) for s in states):
            out.append(record)
    return out


def resolved_here(conflict_id: int) -> bool:
    """Whether this session resolved the conflict and has not gone back from it yet (its
    outcome is still to be shown, whatever reran the page)."""
    return bool(st.session_state.get(_key(conflict_id, "done")) == conflict_id)


def queue_table(records: list[ConflictRecord], audience: Audience, lang: str, era: Era
                ) -> pd.DataFrame:
    """The queue as a table: id, layer, feature, who proposed, when, where from; for resolved
    ones also the choice, who chose, when, and the version it left."""
    rows = []
    for r in records:
        spec = LAYERS[r.layer]
        row = {
            _("Conflict"): f"#{r.id}",
            _("Layer"): spec.label(lang),
            _("Feature"): feature_name(spec, r, audience),
            _("Proposed by"): r.proposed_by,
            _("When"): format_datetime(r.proposed_at, lang, era),
            _("Source"): source_label(r.source),
            _("Versions"): _("{base} → {current}").format(base=r.base_version,
                                                        current=r.current_version),
        }
        if r.status == "resolved":
            row[_("Choice")] = _(DONE_LABELS[r.choice or "theirs"])
            row[_("Resolved by")] = r.resolved_by or "–"
            row[_("Resolved")] = (format_datetime(r.resolved_at, lang, era)
                                  if r.resolved_at else "–")
            row[_("Version")] = str(r.resolved_version or "–")
        rows.append(row)
    return pd.DataFrame(rows)


def conflict_label(record: ConflictRecord, audience: Audience, lang: str) -> str:
    """One line naming a conflict in a list: id, layer, feature, proposer."""
    spec = LAYERS[record.layer]
    return f"#{record.id} · {spec.label(lang)} {feature_name(spec, record, audience)} · " \
           f"{record.proposed_by}"
