"""Tables of features as the user may see them: labelled columns and values in the user's
language, and a CSV download that passes through gis.privacy and is written to the audit log."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from gis import accounts
from gis.dates import Era, format_date
from gis.privacy import Audience
from gis.store import Store
from gis.viewport import MapView
from layers import LAYERS
from layers.schema import DType
from ui.i18n import translator


def labelled(frame: pd.DataFrame, layer: str, lang: str, era: Era) -> pd.DataFrame:
    """``frame`` (already redacted) with field labels as headers and vocabulary labels, dates
    in the user's era, yes/no in the user's language."""
    spec = LAYERS[layer]
    _ = translator(lang)
    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        if name in ("geometry", "uid", "version", "updated_at", "updated_by"):
            continue
        field = spec.field(name)
        if field.dtype is DType.JSON:
            continue
        values = frame[name]
        if field.vocabulary is not None:
            vocab = field.vocabulary
            values = values.map(lambda c, v=vocab: v.label(c, lang) if c in v.codes() else c)
        elif field.dtype is DType.BOOL:
            yes, no = _("Yes"), _("No")
            values = values.map(lambda b, y=yes, n=no: None if b is None else (y if b else n))
        elif field.dtype is DType.DATE:
            values = values.map(lambda d: None if d is None or d != d else format_date(
                dt.date.fromisoformat(d) if isinstance(d, str) else d, lang, era, style="short"))
        out[field.label(lang)] = values
    return out


def view_table(store: Store, audience: Audience, view: MapView, lang: str, *, era: Era) -> None:
    """One tab per layer drawn on the map: the features in view, and a CSV of them."""
    _ = translator(lang)
    drawn = [v for v in view.layers if v.mode == "features" and v.count]
    if not drawn:
        st.caption(_("Nothing is drawn feature by feature at this zoom."))
        return
    tabs = st.tabs([LAYERS[v.layer].label(lang) for v in drawn])
    for tab, lv in zip(tabs, drawn, strict=True):
        with tab:
            # The features the map already has (read through the privacy gate by map_view).
            frame = pd.DataFrame([f["properties"] for f in lv.geojson["features"]])
            table = labelled(frame, lv.layer, lang, era)
            st.dataframe(table, hide_index=True, width="stretch")
            st.download_button(
                _("Download CSV"),
                data=table.to_csv(index=False).encode("utf-8-sig"),
                file_name=f"{lv.layer}.csv", mime="text/csv", key=f"download_{lv.layer}",
                on_click=accounts.record_download, args=(store, audience),
                kwargs={"what": "map_view", "layer": lv.layer, "rows": len(table),
                        "fmt": "csv"},
                icon=":material/download:",
            )
