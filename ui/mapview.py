"""The map: a `gis.viewport.MapView` drawn with folium from local assets, shown by st_folium.

What goes to the browser (DESIGN.md §6): each drawn layer's features with their stored codes, and
ONE dictionary per layer with the labels of the fields the user may see, vocabulary labels and
colours. ``static/landmap/map.js`` builds styles, popups and the legend from those dictionaries,
so nothing is repeated per feature, and writes every value as text, never as HTML.

How the map stays put across reruns (streamlit-folium 0.27): its frontend re-creates the map
only when the map's *script* changes; feature groups passed as ``feature_group_to_add`` and the
layer control are swapped in place. So `render_map` sends a base map whose script never changes
with the data (assets, a view hook) and everything else as feature groups. Where the map opens
is read from a ``<meta>`` in the header, which is not part of the script: a pan does not
re-create the map, a page change re-opens it where the user left it, and `move_to` (search, zoom
to a village) bumps ``MapState.generation``, which is in the script, to re-create it at the new
place.

Use on a page::

    ms = state.map_state()
    mapview.sync_state(KEY, ms)          # the position the browser last reported
    view = map_view(store, audience, bbox=ms.bbox or home, zoom=ms.zoom or zoom_for(home))
    mapview.render_map(view, lang, key=KEY, state=ms)
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Protocol

import folium
import streamlit as st
from branca.element import Element, MacroElement
from folium.template import Template
from folium.utilities import get_obj_in_upper_tree
from streamlit_folium import st_folium

from gis.viewport import LayerView, MapView, zoom_for
from layers import LAYERS
from layers.schema import DType, LayerSpec, Style
from ui.assets import MapAssets, local_assets
from ui.i18n import DEFAULT_LANG, LANGS, ngettext, translator

BBox = tuple[float, float, float, float]

# What the browser reports back. Only the position: a click opens its popup in the browser and
# need not rerun the page. (Add "last_active_drawing" for selection: it is the clicked feature as
# GeoJSON, uid included.)
RETURNED_OBJECTS: Final = ("bounds", "zoom", "center")
HEIGHT: Final = 620
MIN_ZOOM: Final = 5
MAX_ZOOM: Final = 20
# The base map's own location. render_map moves the map to the real view before anything is
# drawn; the script must not depend on the view, or every pan would re-create the map.
_ANCHOR: Final = (13.0, 101.0)
_ANCHOR_ZOOM: Final = 6
SUMMARY_KEY: Final = "village_summary"
COUNTED: Final = ("households", "plots")  # counts shown per village in summary mode

# The map's own words, from the gettext catalogs (field, layer and vocabulary labels come from
# layers/). The count phrases are plural forms: "{n}" is the number, or "< 3" when suppressed.
def words(lang: str) -> dict[str, Any]:
    """The map's words in ``lang`` (Thai when ``lang`` is unknown)."""
    _ = translator(lang)
    return {
        "yes": _("Yes"), "no": _("No"), "none": "–", "other": _("other / not recorded"),
        "summary": _("Village summary"), "suppressed": "< 3",
        "zoom": _("Zoom in to see {layers}."),
        "cap": _("Too many {layer} in view ({n}): zoom in to see them."),
        "privacy": _("{layers}: shown only as counts per village for your role."),
        "join": _("{first} and {last}"),
    }


def _counted(layer: str, n: int, lang: str) -> str:
    if layer == "households":
        return ngettext("{n} household", "{n} households", n, lang)
    return ngettext("{n} land plot", "{n} land plots", n, lang)


LOCALES: Final = {"th": "th-TH", "en": "en-GB"}


class MapPosition(Protocol):
    """What `render_map` reads and updates: ``ui.state.MapState``."""

    center: tuple[float, float] | None
    zoom: int | None
    bbox: BBox | None
    generation: int


# ------------------------------------------------------------------------------ building
def build_map(
    view: MapView,
    lang: str,
    *,
    center: tuple[float, float],
    zoom: int,
    basemap: str | None = None,
    attribution: str | None = None,
) -> folium.Map:
    """A complete folium map of ``view`` in ``lang`` (for a page, prefer `render_map`).

    Parameters
    ----------
    view
        What the viewport query returned: layers in drawing order and the village summary.
    lang
        ``"th"`` or ``"en"``: layer, field and vocabulary labels, legend and popups.
    center, zoom
        Where the map opens, as (lat, lon) and a Web Mercator zoom level.
    basemap, attribution
        An optional tile URL template (``https://…/{z}/{x}/{y}.png``) and its attribution. By
        default there are no tiles: a plain light background, nothing fetched.
    """
    m = base_map(basemap=basemap, attribution=attribution, location=center, zoom=zoom)
    for group in layer_groups(view, lang):
        group.add_to(m)
    folium.LayerControl().add_to(m)
    return m


def base_map(
    *,
    basemap: str | None = None,
    attribution: str | None = None,
    location: tuple[float, float] = _ANCHOR,
    zoom: int = _ANCHOR_ZOOM,
    generation: int | None = None,
) -> folium.Map:
    """The map without data: local assets, optional tiles, the layer-toggle memory.

    With ``generation`` set, the map opens at the view in its header (see `render_map`) and the
    generation is written into its script, so that changing it re-creates the map.
    """
    local_assets()
    # folium gives min_zoom/max_zoom to its default tiles only; with no tiles they must be
    # Leaflet map options, or the map zooms in without end.
    m = folium.Map(location=list(location), zoom_start=zoom, tiles=None, control_scale=True,
                   minZoom=MIN_ZOOM, maxZoom=MAX_ZOOM)
    if basemap:
        folium.TileLayer(basemap, attr=attribution or " ", name="basemap", control=False,
                         max_zoom=MAX_ZOOM).add_to(m)
    MapAssets().add_to(m)
    _MapSetup(generation).add_to(m)
    return m


def layer_groups(view: MapView, lang: str) -> list[folium.FeatureGroup]:
    """The map's content as feature groups, bottom to top: one per drawn layer, the village
    summary (where the first summarised layer would be) when a layer is not drawn one by one,
    and last an untoggled group carrying the legend, which leaves the map with the groups."""
    groups: list[folium.FeatureGroup] = []
    summarised = [lv for lv in view.layers if lv.mode != "features"]
    show_summary = bool(summarised) and bool(view.summary.get("features"))
    for lv in view.layers:
        if lv.mode == "features":
            spec = layer_spec(lv, lang)
            group = _group(lv.layer, spec["title"], first=not groups)
            _Layer(lv.geojson, spec, kind="layer").add_to(group)
            groups.append(group)
        elif show_summary and lv is summarised[0]:
            spec = summary_spec(lang)
            group = _group(SUMMARY_KEY, spec["title"], first=not groups)
            _Layer(summary_geojson(view.summary, lang), spec, kind="summary").add_to(group)
            groups.append(group)
    owner = _group("legend", "legend", first=not groups, control=False)
    _Legend(legend(view, lang)).add_to(owner)
    groups.append(owner)
    return groups


def _group(key: str, name: str, *, first: bool, control: bool = True) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=name, control=control)
    _GroupHook(key, first=first).add_to(group)
    return group


# ------------------------------------------------------------------- what the browser gets
def layer_spec(lv: LayerView, lang: str) -> dict[str, Any]:
    """The one dictionary a layer sends with its features: labels, vocabularies, style."""
    lang = _lang(lang)
    spec = LAYERS[lv.layer]
    style = spec.style or Style(color="#3388ff")
    names = [name for name in lv.fields if _has_field(spec, name)]
    fields = [[name, spec.field(name).label(lang), _kind(spec, name)] for name in names]
    vocab = {}
    for name in names:
        vocabulary = spec.field(name).vocabulary
        if vocabulary is not None:
            vocab[name] = {t.code: vocabulary.label(t.code, lang) for t in vocabulary}
    by = style.by_field if style.by_field in names else None
    said = words(lang)
    return {
        "key": lv.layer,
        "title": spec.label(lang),
        "point": spec.geometry == "Point",
        "keyField": spec.key if spec.key in names else None,
        "style": {
            "color": style.color, "by": by, "colors": dict(style.colors) if by else {},
            "fillOpacity": style.fill_opacity, "weight": style.weight, "radius": style.radius,
        },
        "fields": fields,
        "vocab": vocab,
        "words": {"yes": said["yes"], "no": said["no"], "none": said["none"]},
        "locale": LOCALES[lang],
    }


def summary_spec(lang: str) -> dict[str, Any]:
    """How village outlines are drawn in summary mode (the villages layer's colour, light)."""
    villages = LAYERS["villages"].style or Style(color="#1f4e79")
    return {
        "key": SUMMARY_KEY,
        "title": words(_lang(lang))["summary"],
        "point": False,
        "style": {"color": villages.color, "by": None, "colors": {}, "fillOpacity": 0.12,
                  "weight": 1.5, "radius": 0},
    }


def summary_geojson(summary: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Village outlines carrying only their tooltip: the name and one line per count, e.g.
    "ครัวเรือน 168" / "168 households"; a suppressed count (None) reads "< 3"."""
    lang = _lang(lang)
    features = []
    for feature in summary.get("features", []):
        props = feature.get("properties") or {}
        name = props.get("name_th") if lang == "th" else props.get("name_en")
        label = name or props.get("name_th") or props.get("village_code") or ""
        lines = [count_text(layer, props.get(layer), lang) for layer in COUNTED if layer in props]
        out: dict[str, Any] = {"type": "Feature", "geometry": feature.get("geometry"),
                               "properties": {"label": str(label), "lines": lines}}
        if "id" in feature:
            out["id"] = feature["id"]
        features.append(out)
    return {"type": "FeatureCollection", "features": features}


def count_text(layer: str, n: int | None, lang: str) -> str:
    """ "ครัวเรือน 168" / "168 households"; None (suppressed, fewer than 3) reads "< 3"."""
    lang = _lang(lang)
    if n is None:
        return _counted(layer, 3, lang).format(n="< 3")
    return _counted(layer, n, lang).format(n=f"{n:,}")


def legend(view: MapView, lang: str) -> dict[str, Any]:
    """The legend: a section per drawn layer with the categories in view (colour, label in
    ``lang``), the village summary when shown, and a note per reason a layer is not drawn."""
    lang = _lang(lang)
    drawn = [lv for lv in view.layers if lv.mode == "features"]
    summarised = [lv for lv in view.layers if lv.mode != "features"]
    sections = [_legend_section(lv, lang) for lv in drawn if lv.geojson.get("features")]
    if summarised and view.summary.get("features"):
        sections.append({"title": None, "point": False,
                         "items": [[summary_spec(lang)["style"]["color"],
                                    words(lang)["summary"]]]})
    return {"sections": sections, "notes": legend_notes(summarised, lang)}


def _legend_section(lv: LayerView, lang: str) -> dict[str, Any]:
    spec = LAYERS[lv.layer]
    style = spec.style or Style(color="#3388ff")
    point = spec.geometry == "Point"
    by = style.by_field if style.by_field in lv.fields else None
    vocabulary = spec.field(by).vocabulary if by else None
    if by is None or vocabulary is None:
        return {"title": None, "point": point, "items": [[style.color, spec.label(lang)]]}
    present = {(f.get("properties") or {}).get(by) for f in lv.geojson.get("features", [])}
    items = [[style.color_for(code), vocabulary.label(code, lang)]
             for code in vocabulary.codes() if code in present]
    if present - set(vocabulary.codes()):
        items.append([style.color, words(lang)["other"]])
    return {"title": spec.label(lang), "point": point, "items": items}


def legend_notes(summarised: Iterable[LayerView], lang: str) -> list[str]:
    """Why layers are not drawn one by one: zoomed out, too many in view, or privacy."""
    lang = _lang(lang)
    said = words(lang)
    by_reason: dict[str, list[str]] = {}
    for lv in summarised:
        by_reason.setdefault(lv.reason or "zoom", []).append(lv.layer)
    notes = []
    if "zoom" in by_reason:
        notes.append(said["zoom"].format(layers=_join(by_reason["zoom"], lang)))
    for lv in summarised:
        if lv.reason == "cap":
            notes.append(said["cap"].format(layer=_label(lv.layer, lang), n=f"{lv.count:,}"))
    if "privacy" in by_reason:
        layers = _join(by_reason["privacy"], lang)
        notes.append(said["privacy"].format(layers=layers[:1].upper() + layers[1:]))
    return notes


def _join(layers: Sequence[str], lang: str) -> str:
    """Layer labels as a list inside a sentence: "land plots and households"."""
    labels = [_label(layer, lang) for layer in layers]
    if len(labels) == 1:
        return labels[0]
    return str(words(lang)["join"]).format(first=", ".join(labels[:-1]), last=labels[-1])


def _label(layer: str, lang: str) -> str:
    """A layer's label as written inside a sentence (English: small first letter)."""
    label = LAYERS[layer].label(lang)
    return label[:1].lower() + label[1:] if lang == "en" else label


def _has_field(spec: LayerSpec, name: str) -> bool:
    try:
        spec.field(name)
    except KeyError:
        return False
    return True


def _kind(spec: LayerSpec, name: str) -> str:
    field = spec.field(name)
    if field.vocabulary is not None:
        return "v"
    if field.dtype is DType.BOOL:
        return "b"
    if field.dtype in (DType.INT, DType.FLOAT):
        return "n"
    return "s"


def _lang(lang: str) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def to_js(value: Any) -> str:
    """``value`` as compact JSON that is safe inside ``<script>``: ``<``, ``>``, ``&`` and the
    line separators are escaped, so no value (a name from an upload) can end the script."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# ------------------------------------------------------------------------ folium elements
class _Layer(folium.GeoJson):
    """A GeoJSON layer drawn by ``Landmap.layer``/``Landmap.summary`` from one spec per layer.

    Subclasses folium's GeoJson for its bounds and its place in the element tree; the script is
    ours: no per-feature style table, compact JSON.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = Landmap.{{ this.kind }}(
                {{ this.data_js }},
                {{ this.spec_js }}
            );
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any], spec: Mapping[str, Any], *, kind: str) -> None:
        super().__init__(data, name=str(spec.get("title", "")), control=False)
        self._name = "GeoJson"
        self.kind = kind
        self.data_js = to_js(data)
        self.spec_js = to_js(spec)


class _GroupHook(MacroElement):
    """Tags a feature group with its layer key (layer toggles survive updates)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            Landmap.group({{ this.map_name() }}, {{ this._parent.get_name() }},
                          {{ this.key|tojson }}, {{ this.first|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, key: str, *, first: bool) -> None:
        super().__init__()
        self._name = "GroupHook"
        self.key = key
        self.first = first

    def map_name(self) -> str:
        return str(get_obj_in_upper_tree(self, folium.Map).get_name())


class _Legend(MacroElement):
    """The legend control, removed with its (untoggled) feature group."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            Landmap.legend({{ this.map_name() }}, {{ this._parent.get_name() }},
                           {{ this.spec_js }});
        {% endmacro %}
        """
    )

    def __init__(self, spec: Mapping[str, Any]) -> None:
        super().__init__()
        self._name = "Legend"
        self.spec = dict(spec)
        self.spec_js = to_js(spec)

    def map_name(self) -> str:
        return str(get_obj_in_upper_tree(self, folium.Map).get_name())


class _MapSetup(MacroElement):
    """Layer-toggle memory and, for `render_map`, the view from the header's meta tag."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            Landmap.watchToggles({{ this._parent.get_name() }});
            {%- if this.generation is not none %}
            Landmap.initialView({{ this._parent.get_name() }}, {{ this.generation|tojson }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, generation: int | None) -> None:
        super().__init__()
        self._name = "MapSetup"
        self.generation = generation


def view_meta(center: tuple[float, float], zoom: int) -> str:
    """The ``<meta>`` the map's script reads to know where to open."""
    content = json.dumps({"lat": round(center[0], 7), "lon": round(center[1], 7),
                          "zoom": int(zoom)})
    return f'<meta name="landmap-view" content="{html.escape(content, quote=True)}">'


# ---------------------------------------------------------------------------- streamlit
def render_map(
    view: MapView,
    lang: str,
    *,
    key: str,
    state: MapPosition,
    basemap: str | None = None,
    attribution: str | None = None,
    height: int = HEIGHT,
    returned_objects: Sequence[str] = RETURNED_OBJECTS,
) -> dict[str, Any]:
    """Show ``view`` with st_folium and return what it returned (bounds, zoom, centre).

    The base map's script depends only on ``basemap`` and ``state.generation``; the layers, the
    layer control and the legend go as ``feature_group_to_add``/``layer_control``, which the
    frontend swaps without re-creating the map. The map opens at ``state.center``/``state.zoom``
    (or ``view.bbox``'s centre and ``view.zoom`` the first time). ``state`` is updated from what
    the browser returned.
    """
    m = page_base_map(view, state, basemap=basemap, attribution=attribution)
    returned = st_folium(
        m,
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=list(returned_objects),
        feature_group_to_add=layer_groups(view, lang),
        layer_control=folium.LayerControl(),
    )
    result = dict(returned or {})
    update_state(state, result)
    return result


def page_base_map(
    view: MapView,
    state: MapPosition,
    *,
    basemap: str | None = None,
    attribution: str | None = None,
) -> folium.Map:
    """`render_map`'s base map: no data; it opens at ``state.center``/``state.zoom`` (or, the
    first time, ``view.bbox``'s centre and ``view.zoom``), read from a meta tag in its header."""
    center = state.center or _bbox_center(view.bbox)
    zoom = state.zoom if state.zoom is not None else view.zoom
    m = base_map(basemap=basemap, attribution=attribution, generation=state.generation)
    m.get_root().header.add_child(Element(view_meta(center, zoom)), name="landmap_view")
    return m


def sync_state(key: str, state: MapPosition) -> None:
    """Copy into ``state`` the position the browser last reported for the map under ``key``.

    Call it before querying the viewport: st_folium stores its new value in
    ``st.session_state[key]`` before the rerun starts, while `render_map` returns it only after
    the view has been computed.
    """
    returned = st.session_state.get(key)
    if isinstance(returned, dict):
        update_state(state, returned)


def update_state(state: MapPosition, returned: Mapping[str, Any]) -> None:
    """Set ``state``'s bbox, zoom and centre from an st_folium result.

    Only a report with real bounds counts: before the browser has answered, st_folium returns
    defaults whose bounds are empty and whose zoom is the base map's, not the user's.
    """
    bbox = bbox_of_bounds(returned.get("bounds"))
    if bbox is None:
        return
    state.bbox = bbox
    zoom = returned.get("zoom")
    if isinstance(zoom, int | float) and not isinstance(zoom, bool):
        state.zoom = int(zoom)
    center = returned.get("center")
    if isinstance(center, dict) and _numbers(center.get("lat"), center.get("lng")):
        state.center = (float(center["lat"]), float(center["lng"]))


def move_to(key: str, state: MapPosition, bbox: BBox, *, zoom: int | None = None) -> None:
    """Send the map to ``bbox`` (a search hit, a village): the next `render_map` re-creates the
    map there. Forgets the browser's last report so `sync_state` cannot move it back."""
    state.bbox = bbox
    state.center = _bbox_center(bbox)
    state.zoom = zoom if zoom is not None else zoom_for(bbox)
    state.generation += 1
    st.session_state.pop(key, None)


def bbox_of_bounds(bounds: Any) -> BBox | None:
    """st_folium's ``{"_southWest": {"lat", "lng"}, "_northEast": {...}}`` as (minx, miny,
    maxx, maxy) in degrees; None when the bounds are missing or incomplete (first run)."""
    if not isinstance(bounds, Mapping):
        return None
    sw, ne = bounds.get("_southWest"), bounds.get("_northEast")
    if not isinstance(sw, Mapping) or not isinstance(ne, Mapping):
        return None
    values = (sw.get("lng"), sw.get("lat"), ne.get("lng"), ne.get("lat"))
    if not _numbers(*values):
        return None
    minx, miny, maxx, maxy = (float(v) for v in values)
    return (max(minx, -180.0), max(miny, -90.0), min(maxx, 180.0), min(maxy, 90.0))


def _numbers(*values: Any) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _bbox_center(bbox: BBox) -> tuple[float, float]:
    minx, miny, maxx, maxy = bbox
    return ((miny + maxy) / 2, (minx + maxx) / 2)
