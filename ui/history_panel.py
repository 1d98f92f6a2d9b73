"""A feature's history (issue 6): every version with who, when and what changed (field labels in
the user's language, before → after), the shape before and after on a small map, and "restore
this version" — written as a new version, history is never rewritten (``gis.history``).

Also here, because the conflict view (``ui/conflicts.py``) and the quality page show versions
the same way: `display_value` (a stored value as the user reads it) and `compare_map` (a few
shapes in distinct colours on one small offline map).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import folium
import pandas as pd
import shapely
import streamlit as st
from streamlit_folium import st_folium

from gis.dates import Era, format_date, format_datetime
from gis.edit import EDIT_ROLES
from gis.errors import ConflictError, LandmapError
from gis.history import VersionView, feature_history, restore_version
from gis.privacy import Audience
from gis.store.codec import is_missing
from gis.store.protocol import BBox, Store
from layers import LAYERS
from layers.schema import DType, LayerSpec
from ui import mapview, state
from ui.i18n import N_, ngettext
from ui.state import _

MISSING: Final = "–"
MAP_HEIGHT: Final = 280
OPS: Final = {"insert": N_("created"), "update": N_("edited"), "delete": N_("deleted"),
              "restore": N_("restored"), "undo": N_("undone")}
SUMMARY_FIELDS: Final = 4  # field labels named in a version's one-line summary


@dataclass(frozen=True)
class Colour:
    """A colour on the small maps and the Streamlit markdown colour that names it in captions."""

    hex: str
    markdown: str


GREY: Final = Colour("#6b7280", "gray")
BLUE: Final = Colour("#2563eb", "blue")
ORANGE: Final = Colour("#ea580c", "orange")
RED: Final = Colour("#dc2626", "red")


@dataclass(frozen=True)
class Drawn:
    """Shapes drawn in one style on `compare_map`, named in its legend by ``label``."""

    geometries: Sequence[Any]
    colour: Colour
    label: str
    dashed: bool = False
    weight: float = 3.0


# ------------------------------------------------------------------------------ values
def display_value(spec: LayerSpec, name: str, value: Any, lang: str, era: Era) -> str:
    """A stored value as the user reads it: vocabulary labels, yes/no, dates in their era,
    points as latitude, longitude; ``–`` for no value."""
    if name == "geometry":
        return shape_text(value)
    if is_missing(value):
        return MISSING
    try:
        fld = spec.field(name)
    except KeyError:
        return str(value)
    if fld.vocabulary is not None and value in fld.vocabulary.codes():
        return fld.vocabulary.label(value, lang)
    if fld.dtype is DType.BOOL:
        return _("Yes") if value else _("No")
    if fld.dtype is DType.DATE and isinstance(value, dt.date):
        return format_date(value, lang, era, style="short")
    if fld.dtype is DType.DATETIME and isinstance(value, dt.datetime):
        return format_datetime(value, lang, era)
    if fld.dtype is DType.FLOAT and isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if fld.dtype is DType.JSON:
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def shape_text(geom: Any) -> str:
    """A shape in a table cell: a point as "lat, lon"; any other shape is on the map."""
    if geom is None or getattr(geom, "is_empty", True):
        return MISSING
    if geom.geom_type == "Point":
        return f"{geom.y:.6f}, {geom.x:.6f}"
    return _("shape on the map")


def label_of(spec: LayerSpec, name: str, lang: str) -> str:
    if name == "geometry":
        return _("Shape or location")
    return spec.field(name).label(lang)


# -------------------------------------------------------------------------------- maps
def compare_map(drawn: Sequence[Drawn], *, key: str, bounds: BBox | None = None,
                height: int = MAP_HEIGHT) -> None:
    """A small offline map (``mapview.base_map``: local assets, no tiles unless configured)
    with each group of shapes in its colour, fitted to ``bounds`` or to all shapes, and a
    legend below. Nothing but the shapes and their group labels goes to the browser."""
    present = [d for d in drawn if any(_usable(g) for g in d.geometries)]
    if not present:
        st.caption(_("No location to show on a map."))
        return
    everything = shapely.GeometryCollection(
        [g for d in present for g in d.geometries if _usable(g)])
    minx, miny, maxx, maxy = bounds or everything.bounds
    m = mapview.base_map(location=((miny + maxy) / 2, (minx + maxx) / 2), zoom=16)
    for group in present:
        _draw(m, group)
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(24, 24), max_zoom=19)
    st_folium(m, key=key, height=height, use_container_width=True, returned_objects=[])
    st.caption("  ".join(
        f":{d.colour.markdown}[{'┅' if d.dashed else '■'} {d.label}]" for d in present))


def _usable(geom: Any) -> bool:
    return geom is not None and not getattr(geom, "is_empty", True)


def _draw(m: folium.Map, group: Drawn) -> None:
    style = {"color": group.colour.hex, "weight": group.weight,
             "fillOpacity": 0.0 if group.dashed else 0.25,
             "dashArray": "6 6" if group.dashed else None}
    geoms = [g for g in group.geometries if _usable(g)]
    shapes = [g for g in geoms if g.geom_type not in ("Point", "MultiPoint")]
    if shapes:
        collection = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(g)}
            for g in shapes]}
        folium.GeoJson(collection, style_function=lambda _f, s=style: s,
                       tooltip=group.label).add_to(m)
    for point in (g for g in geoms if g.geom_type in ("Point", "MultiPoint")):
        for p in getattr(point, "geoms", [point]):
            folium.CircleMarker((p.y, p.x), radius=12 if group.dashed else 7,
                                color=group.colour.hex, weight=group.weight,
                                dash_array="4 4" if group.dashed else None,
                                fill=not group.dashed, fill_opacity=0.6,
                                tooltip=group.label).add_to(m)


# ----------------------------------------------------------------------------- history
def _notice_key(layer: str, uid: str) -> str:
    return f"history_{layer}_{uid}_notice"


def summary(view: VersionView, lang: str) -> str:
    """What a version changed, in one line: the first field labels, the shape, hidden ones."""
    labels = [c.label_th if lang == "th" else c.label_en for c in view.changed]
    parts = labels[:SUMMARY_FIELDS]
    if len(labels) > SUMMARY_FIELDS:
        parts.append(_("{n} more").format(n=len(labels) - SUMMARY_FIELDS))
    if view.geometry_changed:
        parts.append(_("Shape or location"))
    if view.hidden_changes:
        parts.append(ngettext("{n} hidden field", "{n} hidden fields", view.hidden_changes,
                              lang).format(n=view.hidden_changes))
    return ", ".join(parts) or MISSING


def versions_table(views: Sequence[VersionView], lang: str, era: Era) -> pd.DataFrame:
    """One row per version, newest first: number, what happened, who, when, what changed."""
    return pd.DataFrame([{
        _("Version"): str(v.version),
        _("What"): _(OPS.get(v.op, v.op)),
        _("Who"): v.who or MISSING,
        _("When"): format_datetime(v.when, lang, era) if v.when is not None else MISSING,
        _("What changed"): summary(v, lang),
    } for v in reversed(views)])


def changes_table(spec: LayerSpec, view: VersionView, lang: str, era: Era) -> pd.DataFrame:
    """The fields a version changed: label, before → after, as the user reads them."""
    rows = [{
        _("Field"): c.label_th if lang == "th" else c.label_en,
        _("Before"): display_value(spec, c.name, c.before, lang, era),
        _("After"): display_value(spec, c.name, c.after, lang, era),
    } for c in view.changed]
    if view.geometry_changed and (view.geometry_before is not None
                                  or view.geometry_after is not None):
        rows.append({_("Field"): _("Shape or location"),
                     _("Before"): shape_text(view.geometry_before),
                     _("After"): shape_text(view.geometry_after)})
    return pd.DataFrame(rows)


def show_history(store: Store, layer: str, uid: str, audience: Audience) -> None:
    """The history panel of feature ``uid``: its versions as ``audience`` may see them
    (``gis.history.feature_history``), one version's changes and shapes, and restoring it.

    A restore is a new version made with the current version as the expected one; when someone
    saved meanwhile, nothing is written and the panel says so (``ConflictError``).
    """
    lang, era = state.lang(), state.era()
    spec = LAYERS[layer]
    views = feature_history(store, layer, uid, audience=audience)
    current = views[-1].version
    notice = st.session_state.pop(_notice_key(layer, uid), None)
    if notice is not None and notice[0] == "failed":
        raise notice[1]  # from the restore callback: shown by the one catch point
    if notice is not None and notice[0] == "restored":
        st.success(_("Version {old} was restored as version {new}.").format(
            old=notice[1], new=notice[2]))
    elif notice is not None and notice[0] == "moved":
        st.warning(_("Someone else saved this feature meanwhile, so nothing was restored. "
                     "Look at its newest version, then choose again."))

    st.dataframe(versions_table(views, lang, era), hide_index=True, width="stretch")
    by_version = {v.version: v for v in views}
    version_labels = {n: _("Version {n}: {what}").format(
        n=n, what=_(OPS.get(v.op, v.op))) for n, v in by_version.items()}  # in this run's language
    picked = st.selectbox(
        _("Version"), options=list(reversed(by_version)), key=f"history_{layer}_{uid}_version",
        format_func=version_labels.__getitem__)
    view = by_version[picked if picked in by_version else current]

    changes = changes_table(spec, view, lang, era)
    if len(changes):
        st.table(changes.set_index(_("Field")))
    if view.hidden_changes:
        st.caption(ngettext(
            "{n} more changed field is hidden from your role.",
            "{n} more changed fields are hidden from your role.",
            view.hidden_changes, lang).format(n=view.hidden_changes))
    if view.geometry_changed and view.geometry_before is None and view.geometry_after is None:
        st.caption(_("The shape or location changed; your role may not see it."))
    elif view.geometry_before is not None or view.geometry_after is not None:
        compare_map([Drawn([view.geometry_before], GREY, _("Before"), dashed=True),
                     Drawn([view.geometry_after], BLUE, _("After"))],
                    key=f"history_{layer}_{uid}_map_{view.version}")

    if view.version == current:
        st.caption(_("This is the current version."))
    elif audience.role in EDIT_ROLES:
        # The current version is bound now, as the user sees it: a save by someone else
        # before the click is a conflict, not something to overwrite unseen.
        st.button(_("Restore version {n}").format(n=view.version), icon=":material/history:",
                  key=f"history_{layer}_{uid}_restore", on_click=_restore,
                  args=(store, layer, uid, view.version, current, audience))


def _restore(store: Store, layer: str, uid: str, version: int, expected: int,
             audience: Audience) -> None:
    """The restore button's callback: restore, or remember why not for the panel to say."""
    try:
        result = restore_version(store, layer, uid, version, expected_version=expected,
                                 audience=audience)
    except ConflictError:
        st.session_state[_notice_key(layer, uid)] = ("moved",)
    except LandmapError as exc:
        st.session_state[_notice_key(layer, uid)] = ("failed", exc)
    else:
        st.session_state[_notice_key(layer, uid)] = ("restored", version, result.versions[uid])
