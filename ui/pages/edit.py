"""Edit: choose a layer and a village (or find a feature by its id), click a feature on the map
to open it, change its shape on the map and its fields in the form, and save through the checks
of ``gis.edit`` — errors block the save, a repair or a snapping is previewed and used only when
accepted, warnings are confirmed. Also: draw a new feature, delete one (soft), see its history.

Every save is one new version written only if nobody saved meanwhile (the version the feature
had when it was opened; a form submitted after someone else saved is refused and shown in the
conflict view, never silently replaced); the map stays where the user left it. A link
``/edit?layer=<layer>&uid=<uid>`` (the quality page's) opens that feature once, on arrival.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from gis.attachments import ATTACHABLE_LAYERS
from gis.edit import EditCheck, EditRefused, create_feature, delete_feature, save_edit
from gis.errors import ConflictError
from gis.privacy import scope_of
from gis.viewport import FEATURE_CAP, village_places
from layers import LAYERS
from ui import edit, state
from ui.attachments_panel import render_attachments
from ui.editmap import MapEvent, edit_map, parse_event
from ui.resources import get_store, settings, store_location
from ui.state import _

lang = state.lang()
audience = state.account().audience()
store = get_store(store_location())
scope = scope_of(store, audience)
es = edit.edit_state()

st.title(_("Edit"))
layers = edit.map_layers(audience)
villages = village_places(store, audience, scope=scope)
if not layers:
    st.info(_("Your role cannot edit on the map."))
    st.stop()
if not villages:
    st.info(_("There is nothing on the map for your areas yet."))
    st.stop()


# ------------------------------------------------------------------- what the map reported
def handle(event: MapEvent) -> None:
    es.handled = event.seq
    es.keep_view(event.view.center, event.view.zoom)
    if event.session != str(es.session) or es.layer is None:
        return  # made before the page last changed the map's state
    opened = es.opened
    if event.kind == "select" and event.uid is not None:
        found = edit.open_feature(store, audience, scope, es.layer, event.uid)
        es.close()
        if found is None:
            es.notice = ("warning", _("That feature is no longer there; the map was updated."))
            return
        es.opened = found
        es.change("view")
    elif event.kind == "edited" and opened is not None and event.shapes:
        shape = event.shapes.get(opened.uid or "new")
        if shape is not None:
            same = opened.stored is not None and shape.equals_exact(opened.stored, 0.0)
            opened.shape = None if same else shape
        es.pending = None
        es.change("view")
    elif event.kind == "drawn" and opened is not None and event.shape is not None:
        opened.shape = event.shape
        es.pending = None
        es.change("view")
    elif event.kind == "cancel":
        if opened is not None and opened.shown is None:
            es.close()
        else:
            es.change("view")


event = parse_event(st.session_state.get(edit.MAP_KEY))
if event is not None and event.seq != es.handled:
    handle(event)
if not edit.submitted(es) and edit.refresh(store, audience, scope, es):
    es.notice = ("info", _("This feature changed since you opened it; the form shows its "
                           "newest version."))

# A link to one feature (?layer=…&uid=…, from the quality page): read once, on arrival.
link = edit.linked(st.query_params.to_dict())
if link is not None:
    st.query_params.clear()
    linked = edit.open_linked(store, audience, scope, *link, villages)
    if linked is None:
        es.notice = ("warning", _("The feature this link points to cannot be opened here: it "
                                  "is gone, outside your areas, or on a layer your role does "
                                  "not edit on the map."))
    else:
        opened_now, at, its_bbox = linked
        st.session_state["edit_layer"], st.session_state["edit_village"] = opened_now.layer, at
        es.close()
        es.layer, es.area, es.opened = opened_now.layer, villages[at].code, opened_now
        es.change("view")
        es.move_to(its_bbox, max_zoom=20)

# ----------------------------------------------------------------------- layer, area, search
pick_layer, pick_village, search = st.columns([2, 3, 2])
layer = pick_layer.selectbox(_("Layer"), layers, format_func=lambda n: LAYERS[n].label(lang),
                             key="edit_layer")
chosen = pick_village.selectbox(_("Village"), range(len(villages)),
                                format_func=lambda i: villages[i].label(lang),
                                key="edit_village")
place = villages[chosen]
if layer != es.layer or place.code != es.area:
    es.layer, es.area = layer, place.code
    es.close()
    es.move_to(place.bbox)
spec = LAYERS[layer]
query = search.text_input(_("Find by id"), key="edit_search",
                          placeholder=spec.field(spec.key).label(lang))
if not query.strip():
    es.searched = ""  # the same id typed again later opens it again
elif query != es.searched:
    es.searched = query
    hit = edit.find_by_code(store, audience, scope, layer, query)
    if hit is None:
        es.notice = ("info", _("No {layer} with the id {code} in your areas.").format(
            layer=spec.label(lang), code=query.strip()))
    else:
        es.close()
        es.opened = edit.open_feature(store, audience, scope, layer, hit[0])
        es.change("view" if es.opened is not None else "select")
        es.move_to(hit[1], max_zoom=20)


# --------------------------------------------------------------------------- the side panel
def save(check: EditCheck) -> None:
    pending, opened = es.pending, es.opened
    if pending is None or opened is None:
        return
    if not check.changes:
        es.pending = None
        st.info(_("Nothing changed, so nothing was saved."))
        return
    flags: dict[str, Any] = {"audience": audience, "accept_warnings": pending.accept_warnings,
                             "accept_repair": pending.accept_repair,
                             "accept_snap": bool(pending.accept_snap)}
    try:
        if opened.uid is None:
            result = create_feature(store, opened.layer, pending.values, pending.geometry,
                                    **flags)
        else:
            result = save_edit(store, opened.layer, opened.uid, pending.values,
                               pending.geometry, expected_version=int(opened.version or 0),
                               **flags)
    except ConflictError as exc:
        es.conflict = edit.Conflicted(pending.values, pending.geometry, exc)
        es.pending = None
        st.rerun()
    except EditRefused as exc:  # the store changed between the review and the save
        es.pending = None
        st.error(f"{exc.message_th}\n\n{exc.message_en}")
        return
    uid = opened.uid or result.uids[0]
    es.close()
    es.opened = edit.open_feature(store, audience, scope, opened.layer, uid)
    es.change("view" if es.opened is not None else "select")
    es.form += 1
    code = es.opened.code if es.opened is not None else ""
    es.notice = ("success", _("Saved: {layer} {code}, now version {version}.").format(
        layer=LAYERS[opened.layer].label(lang), code=code, version=result.versions[uid]))
    st.rerun()


def delete(opened: edit.Opened) -> None:
    if opened.uid is None:
        return
    if not es.confirm_delete:
        if st.button(_("Delete this feature"), key="edit_delete", icon=":material/delete:"):
            es.confirm_delete = True
            st.rerun()
        return
    st.warning(_("Delete {code}? It leaves the map and the lists but stays in the store with "
                 "its history, and can be restored.").format(code=opened.code or ""))
    if es.delete_warnings:
        edit.show_issues(es.delete_warnings, lang, error=False)
    yes, no = st.columns(2)
    if yes.button(_("Delete anyway") if es.delete_warnings else _("Yes, delete"),
                  key="edit_delete_yes", type="primary", icon=":material/delete:"):
        try:
            delete_feature(store, opened.layer, opened.uid,
                           expected_version=int(opened.version or 0), audience=audience,
                           accept_warnings=bool(es.delete_warnings))
        except ConflictError as exc:
            es.conflict = edit.Conflicted({"deleted": True}, None, exc)
            es.confirm_delete = False
            st.rerun()
        except EditRefused as exc:
            if exc.check.errors:
                st.error(f"{exc.message_th}\n\n{exc.message_en}")
                return
            es.delete_warnings = exc.check.warnings
            st.rerun()
        es.close()
        es.notice = ("success", _("Deleted: {layer} {code}. Its history is kept and it can "
                                  "be restored.").format(layer=LAYERS[opened.layer].label(lang),
                                                         code=opened.code or ""))
        st.rerun()
    if no.button(_("Keep it"), key="edit_delete_no"):
        es.confirm_delete = False
        es.delete_warnings = None
        st.rerun()


def panel() -> list[dict[str, Any]]:
    """Everything beside the map; returns the shapes to preview on it."""
    if es.notice is not None:
        kind, text = es.notice
        es.notice = None
        {"success": st.success, "warning": st.warning}.get(kind, st.info)(text)
    opened = es.opened
    if opened is None:
        st.caption(_("Click a feature on the map to open it, or find it by its id."))
        if st.button(_("Draw a new feature"), key="edit_new", icon=":material/add_location:"):
            prefill = ({spec.area_field: place.code}
                       if spec.area_field == "village_code" and spec.key != "village_code"
                       else {})
            es.opened = edit.Opened(layer, None, None, None, None, prefill)
            es.change(edit.draw_mode(layer))
            st.rerun()
        return []
    ospec = LAYERS[opened.layer]
    if opened.uid is None:
        st.subheader(_("New: {layer}").format(layer=ospec.label(lang)))
    else:
        st.subheader(f"{ospec.label(lang)} {opened.code or ''}")
        st.caption(_("Version {version} when opened").format(version=opened.version))
    if es.mode in edit.MODE_NOTES:
        st.info(_(edit.MODE_NOTES[es.mode]))
    elif opened.shape is not None:
        st.caption(_("The shape was changed on the map and is not saved yet."))
    shape, close = st.columns(2)
    if es.mode == "view" and opened.shown is not None and shape.button(
            _("Edit the shape"), key="edit_shape", icon=":material/edit:"):
        es.pending = None
        es.change("edit")
        st.rerun()
    if close.button(_("Close without saving") if opened.shape is not None else _("Close"),
                    key="edit_close", icon=":material/close:"):
        es.close()
        st.rerun()
    if es.conflict is not None:
        settled = edit.show_conflict(store, es, audience)
        if settled or (settled is None and st.button(
                _("Open the saved version"), key="edit_reload", icon=":material/refresh:")):
            es.close()  # settled: open the version now stored
            if opened.uid is not None:
                es.opened = edit.open_feature(store, audience, scope, opened.layer, opened.uid)
                es.change("view" if es.opened is not None else "select")
            es.form += 1
            st.rerun()
        return []
    values = edit.attribute_form(
        ospec, audience, opened.values, lang,
        key=edit.form_key(es) or "edit_form",
        submit=_("Save") if opened.uid is not None else _("Add"),
        disabled=es.mode != "view" or opened.shown is None)
    if values is not None:
        es.pending = edit.Pending(values, opened.shape)
        es.confirm_delete = False
    check, overlays = edit.review(store, audience, es, lang)
    if check is not None:
        save(check)
    delete(opened)
    if opened.uid is not None:
        with st.expander(_("History")):
            edit.show_history(store, opened.layer, opened.uid, audience, lang)
        if opened.layer in ATTACHABLE_LAYERS:
            with st.expander(_("Attachments")):
                render_attachments(store, layer=opened.layer, uid=opened.uid, user=audience,
                                   lang=lang)
    return overlays


left, right = st.columns([3, 2], gap="medium")
with right:
    overlays = panel()
with left:
    area = edit.around(place.bbox)
    context, count = edit.area_features(
        store, audience, scope, layer, area,
        leave_out=es.opened.uid if es.opened is not None else None)
    if count > FEATURE_CAP:
        st.warning(_("{n} features are in this area, too many to draw; find one by its id.")
                   .format(n=f"{count:,}"))
    cfg = settings()
    edit_map(key=edit.MAP_KEY, mode=es.mode, context=context,
             selected=edit.selected_collection(es.opened), view=es.view,
             labels=edit.map_labels(layer, lang), session=str(es.session), overlays=overlays,
             reference=edit.reference_features(store, audience, scope, layer, area),
             basemap=cfg.basemap_url, attribution=cfg.basemap_attribution)
