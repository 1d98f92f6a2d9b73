"""Home: who you are, what you may see, and how much data is in your areas."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from gis import dates
from gis.overview import area_names, layer_totals
from gis.privacy import describe
from layers import LAYERS
from ui import state
from ui.resources import get_store, store_location
from ui.state import _

lang = state.lang()
account = state.account()
audience = account.audience()
store = get_store(store_location())

st.title(_("Community land and housing map"))
st.write(_("Today is {date}.").format(
    date=dates.format_date(dates.today(), lang, state.era())))

left, right = st.columns(2)
with left:
    st.subheader(_("You"))
    st.markdown(f"**{account.username}** · {audience.role.label(lang)}")
    st.caption(describe(audience, lang))
    names = area_names(store, audience, lang)
    st.markdown(_("Areas: {names}").format(names=", ".join(names) if names else _("all areas")))

with right:
    st.subheader(_("Data you can see"))
    totals = layer_totals(store, audience)
    table = pd.DataFrame({
        _("Layer"): [LAYERS[name].label(lang) for name in totals],
        _("Features"): [_("fewer than 3") if n is None else f"{n:,}" for n in totals.values()],
    })
    st.dataframe(table, hide_index=True, width="stretch")

st.page_link("ui/pages/map.py", label=_("Open the map"), icon=":material/map:")
