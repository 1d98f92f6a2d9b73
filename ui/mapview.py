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
from collections.abc import Mapping, Sequence
from typing import Any, Final, Protocol

import folium
import streamlit as st
from branca.element import Element, MacroElement
from folium.template import Template
from folium.utilities import get_obj_in_upper_tree
from streamlit_folium import st_folium

from gis.viewport import MapView, zoom_for
from ui.assets import MapAssets, local_assets
from ui.mapspec import (
    SUMMARY_KEY,
    layer_spec,
    legend,
    summary_geojson,
    summary_spec,
    to_js,
)

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
