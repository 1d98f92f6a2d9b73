"""Landmap's entry point. For now: the store's layers and their counts, Thai first.

The router, sign-in and map pages arrive with the app-shell issue.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from gis.errors import LandmapError
from layers import LAYERS
from ui.i18n import t
from ui.resources import get_store, store_location

st.set_page_config(page_title="Landmap", layout="wide")

lang = st.sidebar.radio(
    "ภาษา / Language",
    options=["th", "en"],
    format_func=lambda c: "ไทย" if c == "th" else "English",
    horizontal=True,
    key="lang",
)
st.title(t("title", lang))

try:
    store = get_store(store_location())
    counts = store.counts()
except LandmapError as exc:  # the one catch point: bilingual message, no traceback
    st.error(f"{exc.message_th}\n\n{exc.message_en}")
    st.stop()

st.caption(f"{t('store', lang)}: {store.backend}")
table = pd.DataFrame(
    {
        t("layer", lang): [LAYERS[name].label(lang) for name in counts],
        t("code", lang): list(counts),
        t("count", lang): [f"{n:,}" for n in counts.values()],
    }
)
st.table(table.set_index(t("layer", lang)))
st.metric(t("total", lang), f"{sum(counts.values()):,}")
