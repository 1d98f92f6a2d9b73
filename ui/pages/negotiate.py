"""Negotiation: one agency's tenure zones in the user's areas, the households and plots on
them, the tables per zone and per village, the evidence pack and the exports for the agency —
and a presentation mode for meetings with the agency: large type, the agency's view only
(``gis.negotiation``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from gis import negotiation
from gis.io.export import FORMATS, export_layer
from gis.privacy import describe, scope_of
from gis.report.evidence import evidence_pack
from gis.viewport import village_places
from layers import LAYERS
from layers.vocab import AGENCY
from ui import state
from ui.resources import get_store, store_location
from ui.state import _

EXPORT_LAYERS = ("tenure_zones", "households", "plots", "villages")
MIME = {"gpkg": "application/geopackage+sqlite3", "geojson": "application/geo+json",
        "csv": "text/csv", "kml": "application/vnd.google-earth.kml+xml",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# Presentation mode: the numbers and tables read across a meeting room.
LARGE_TYPE = """<style>
[data-testid="stMain"] { font-size: 1.45rem; }
[data-testid="stMain"] h1 { font-size: 3rem; }
[data-testid="stMetricValue"] { font-size: 3.4rem; }
[data-testid="stMetricLabel"] p { font-size: 1.35rem; }
[data-testid="stMain"] table { font-size: 1.45rem; }
</style>"""

lang = state.lang()
account = state.account()
audience = account.audience()
store = get_store(store_location())
scope = scope_of(store, audience)

codes = negotiation.agencies(store, audience)
if not codes:
    st.title(_("Negotiation"))
    st.info(_("There are no tenure zones in the store yet."))
    st.stop()
places = village_places(store, audience, scope=scope)
forced = audience.outside  # an agency viewer only ever sees the agency's view

with st.sidebar:
    st.subheader(_("Negotiation"))
    agency = st.selectbox(_("Agency"), options=codes, key="negotiate_agency",
                          format_func=lambda c: AGENCY.label(c, lang))
    place = st.selectbox(_("Area"), options=[None, *range(len(places))],
                         format_func=lambda i: _("All my areas") if i is None
                         else places[i].label(lang), key="negotiate_area")
    present = forced or st.toggle(_("Presentation mode"), key="negotiate_present",
                                  help=_("Large type and only what the agency may see: "
                                         "public data and totals, counts below 3 hidden."))

area = None if place is None else places[place].code
view = negotiation.negotiation_view(store, agency=agency, area=area, zone=None,
                                    audience=audience, lang=lang, presentation=present)
zone = st.sidebar.selectbox(_("Zone"), options=[None, *view.zone_ids], key="negotiate_zone",
                            format_func=lambda z: _("All zones") if z is None else z)
if zone is not None:
    view = negotiation.negotiation_view(store, agency=agency, area=area, zone=zone,
                                        audience=audience, lang=lang, presentation=present)

if present:
    st.html(LARGE_TYPE)
st.title(view.agency_label)
st.caption(view.area.title or _("All my areas"))
st.caption(_("Shown for: {who}").format(who=describe(view.audience, lang)))

total = view.total or {}


def count(key: str) -> str:
    value = total.get(key)
    return "<3" if value is None and total else f"{value or 0:,}"


# Three to a row: Thai labels are long, and presentation mode doubles the type.
cols = st.columns(3)
cols[0].metric(_("Households on the agency's land"), count("households"))
cols[1].metric(_("Plots"), count("plots"))
cols[2].metric(_("Area of plots (rai-ngan-sq. wa)"), total.get("area_rai_ngan_wa") or "0-0-0")
cols = st.columns(3)
cols[0].metric(_("Vulnerable households"), count("vulnerable_households"))
cols[1].metric(_("Households without secure tenure"), count("insecure_tenure_households"))
cols[2].metric(_("Households in two zones"), count("households_in_overlaps"))
cols = st.columns(3)
cols[0].metric(_("Zones"), f"{len(view.zones) if zone else len(view.zone_ids):,}")
cols[1].metric(_("Area of plots (m²)"), "" if total.get("area_m2") is None
               else f"{total['area_m2']:,.0f}")

for svg in view.svg:
    # As an image: st.html sanitises SVG away, and an <img> cannot run or fetch anything.
    st.image(str(svg), width="stretch")

st.subheader(_("By zone"))
st.table(negotiation.table(view.zones, {
    "zone": _("Zone"), "zone_name": _("Name"), "households": _("Households"),
    "plots": _("Plots"), "area_rai_ngan_wa": _("Area (rai-ngan-sq. wa)"),
    "vulnerable_households": _("Vulnerable"), "insecure_tenure_households": _("Insecure tenure"),
    "households_in_overlaps": _("Also in another zone")}))
st.subheader(_("By village"))
if view.villages:
    st.table(negotiation.table(view.villages, {
        "zone": _("Zone"), "village": _("Village code"), "village_name": _("Village"),
        "households": _("Households"), "plots": _("Plots"),
        "area_rai_ngan_wa": _("Area (rai-ngan-sq. wa)"),
        "vulnerable_households": _("Vulnerable"),
        "insecure_tenure_households": _("Insecure tenure")}))
else:
    st.caption(_("No household or plot of your areas is on this agency's land."))

if present:
    st.stop()  # downloads are for preparing a meeting, not for the screen in it

st.divider()
st.subheader(_("Evidence pack and exports"))
packs, exports = st.columns(2)
with packs:
    for_whom = st.radio(_("Evidence pack for"), options=["agency", "internal"],
                        format_func=lambda a: _("the agency (public data and totals)")
                        if a == "agency" else _("our own team (internal)"),
                        key="negotiate_pack_for", horizontal=True)
    if st.button(_("Make the evidence pack (PDF)"), key="negotiate_pack",
                 icon=":material/picture_as_pdf:"):
        with st.spinner(_("Printing the PDF…")), tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / f"evidence-{agency}-{area or 'all'}.pdf"
            whom = (negotiation.presentation_audience(store, audience) if for_whom == "agency"
                    else audience)
            evidence_pack(store, agency=agency, area=area, audience=whom, lang=lang,
                          era=state.era(), out=out)
            state.set_made_file("evidence", out.name, out.read_bytes(), "application/pdf")
    made = state.made_file("evidence")
    if made is not None:
        st.download_button(_("Download {name}").format(name=made[0]), data=made[1],
                           file_name=made[0], mime=made[2],
                           key="negotiate_pdf_download", icon=":material/download:")
with exports:
    layer = st.selectbox(_("Layer"), options=EXPORT_LAYERS, key="negotiate_export_layer",
                         format_func=lambda n: LAYERS[n].label(lang))
    fmt = st.selectbox(_("Format"), options=FORMATS, key="negotiate_export_format")
    if st.button(_("Export for the agency"), key="negotiate_export",
                 icon=":material/file_export:"):
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / f"{layer}-{agency}.{fmt}"
            export_layer(store, layer=layer, audience=negotiation.presentation_audience(
                store, audience), fmt=fmt, out=out, lang=lang, user=account.username)
            state.set_made_file("export", out.name, out.read_bytes(), MIME[fmt])
    exported = state.made_file("export")
    if exported is not None:
        st.download_button(_("Download {name}").format(name=exported[0]), data=exported[1],
                           file_name=exported[0], mime=exported[2],
                           key="negotiate_export_download", icon=":material/download:")
