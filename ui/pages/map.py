"""The map: every layer the user may see, drawn from what is in view (gis.viewport), with
search, zoom to a village, and a table of what is in view that can be downloaded (audited)."""

from __future__ import annotations

import streamlit as st

from gis.privacy import scope_of
from gis.viewport import find_places, home_bbox, map_view, village_places, zoom_for
from layers import LAYERS
from ui import mapview, state, tables
from ui.resources import get_store, settings, store_location
from ui.state import _

KEY = "landmap_map"

lang = state.lang()
audience = state.account().audience()
store = get_store(store_location())
scope = scope_of(store, audience)
ms = state.map_state()

st.title(_("Map"))
home = home_bbox(store, audience, scope=scope)
if home is None:
    st.info(_("There is nothing on the map for your areas yet."))
    st.stop()

search, village = st.columns([3, 2])
with search:
    query = st.text_input(_("Search a village or household id"), key="map_query",
                          placeholder=_("e.g. 27040103 or บ้านดง"))
    hits = find_places(store, audience, query, scope=scope) if query else []
    if query and not hits:
        st.caption(_("Nothing found in your areas."))
    if hits:
        hit = st.selectbox(_("Results"), options=range(len(hits)),
                           format_func=lambda i: hits[i].label(lang), key="map_hit")
        if st.button(_("Go there"), key="map_go", icon=":material/my_location:"):
            mapview.move_to(KEY, ms, hits[hit].bbox)
with village:
    options = village_places(store, audience, scope=scope)
    chosen = st.selectbox(_("Zoom to a village"), options=range(len(options)),
                          format_func=lambda i: options[i].label(lang), index=None,
                          placeholder=_("Choose a village"), key="map_village")
    if chosen is not None and st.button(_("Zoom"), key="map_zoom_village",
                                        icon=":material/zoom_in_map:"):
        mapview.move_to(KEY, ms, options[chosen].bbox)
    if st.button(_("Show all my areas"), key="map_home", icon=":material/home:"):
        mapview.move_to(KEY, ms, home)


@st.fragment
def show_map() -> None:
    """The map reruns on its own when the user pans or zooms; the rest of the page does not."""
    mapview.sync_state(KEY, ms)
    bbox = ms.bbox or home
    zoom = ms.zoom if ms.zoom is not None else zoom_for(home)
    view = map_view(store, audience, bbox=bbox, zoom=zoom, scope=scope)
    cfg = settings()
    mapview.render_map(view, lang, key=KEY, state=ms, basemap=cfg.basemap_url,
                       attribution=cfg.basemap_attribution)
    drawn = [v for v in view.layers if v.mode == "features"]
    st.caption(" · ".join(
        _("{layer}: {n} in view").format(layer=LAYERS[v.layer].label(lang), n=f"{v.count:,}")
        for v in drawn))
    with st.expander(_("Table of what is in view")):
        tables.view_table(store, audience, view, lang, era=state.era())


show_map()
