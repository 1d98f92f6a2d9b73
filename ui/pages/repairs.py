"""Repairs (planners, admins): every house repair of the user's areas by status, a map of them,
and the next step of one repair — approval with the committee's decision (a programme cap is
passed only once its warning is acknowledged), work started, done, verified by the inspection
committee (``gis.repairs``) — and the budgets with their tranches and warnings
(``gis.budgets``)."""

from __future__ import annotations

import html
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from gis import budgets, repairs
from gis.privacy import read_visible, scope_of
from gis.report.svgmap import MapLayer, render_map
from gis.report.village_map import village_map
from gis.viewport import village_places
from layers.vocab import PROGRAMME, REPAIR_STATUS
from ui import state
from ui.i18n import N_
from ui.resources import get_store, store_location
from ui.state import _

# Colours of the repair statuses on the map (proposed → verified: light to dark).
STATUS_COLOURS = {"proposed": "#fbc02d", "approved": "#fb8c00", "in_progress": "#e53935",
                  "done": "#1e88e5", "verified": "#2e7d32"}
ACK = "repairs_acknowledge"  # the cap warnings shown for the step being confirmed

lang = state.lang()
account = state.account()
audience = account.audience()
store = get_store(store_location())
scope = scope_of(store, audience)

st.title(_("Repairs"))
places = village_places(store, audience, scope=scope)
place = st.selectbox(_("Village"), options=[None, *range(len(places))],
                     format_func=lambda i: _("All my villages") if i is None
                     else places[i].label(lang), key="repairs_village")
where = None if place is None else {"village_code": places[place].code}
table = read_visible(store, "repairs", audience, where=where, scope=scope)
homes = read_visible(store, "households", audience, where=where, scope=scope)
if table.empty:
    st.info(_("No repair in your areas yet. Propose one from the priority list."))
    st.stop()
homes = homes.set_index("uid", drop=False)
table = table.sort_values("repair_id").reset_index(drop=True)

counts = table["status"].value_counts()
cols = st.columns(len(REPAIR_STATUS.codes()))
for col, code in zip(cols, REPAIR_STATUS.codes(), strict=True):
    col.metric(REPAIR_STATUS.label(code, lang), f"{int(counts.get(code, 0)):,}")


def money(value: Any) -> str:
    return "" if value is None or value != value else f"{float(value):,.0f}"


st.dataframe(pd.DataFrame({
    _("Repair id"): table["repair_id"],
    _("Household id"): [homes["household_id"].get(u) for u in table["household_uid"]],
    _("Head of household"): [homes["head_name"].get(u) if "head_name" in homes else None
                             for u in table["household_uid"]],
    _("Village"): table["village_code"],
    _("Status"): [REPAIR_STATUS.label(s, lang) for s in table["status"]],
    _("Repair items"): table["items"],
    _("Estimate (baht)"): [money(v) for v in table["estimate"]],
    _("Approved (baht)"): [money(v) for v in table["approved_amount"]],
    _("Spent (baht)"): [money(v) for v in table["spent"]],
}), hide_index=True, width="stretch")

with st.expander(_("Map of the repairs by status")):
    points = table.assign(geometry=[homes["geometry"].get(u) for u in table["household_uid"]])
    layers = [MapLayer([g for g in points.loc[points["status"] == code, "geometry"]
                        if g is not None], color=STATUS_COLOURS[code], radius=2.2,
                        fill_opacity=0.9)
              for code in REPAIR_STATUS.codes()]
    st.image(str(render_map([layer for layer in layers if layer.geometries], width_mm=240,
                            height_mm=150, lang=lang)), width="stretch")
    st.html(" ".join(f'<span style="color:{STATUS_COLOURS[c]}">●</span> '
                     f"{html.escape(REPAIR_STATUS.label(c, lang))}"
                     for c in REPAIR_STATUS.codes()))

if place is not None:
    paper = st.radio(_("Paper"), options=["a4", "a3"], format_func=str.upper, horizontal=True,
                     key="repairs_paper")
    if st.button(_("Make the village repair map (PDF)"), key="repairs_village_map",
                 icon=":material/picture_as_pdf:"):
        with st.spinner(_("Printing the PDF…")), tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / f"village-map-{places[place].code}-{paper}.pdf"
            village_map(store, village=places[place].code, audience=audience, paper=paper,
                        lang=lang, era=state.era(), out=out)
            state.set_made_file("village_map", out.name, out.read_bytes(), "application/pdf")
    made = state.made_file("village_map")
    if made is not None:
        st.download_button(_("Download {name}").format(name=made[0]), data=made[1],
                           file_name=made[0], mime=made[2], key="repairs_map_download",
                           icon=":material/download:")

st.subheader(_("Next step of a repair"))
ids = list(table["repair_id"])
chosen = state.get("repairs_pick")
pick = st.selectbox(_("Repair"), options=ids, key="repairs_select",
                    index=ids.index(chosen) if chosen in ids else 0)
feature = repairs.find_repair(store, pick)
status = str(feature["status"])
st.markdown(f"**{pick}** · {REPAIR_STATUS.label(status, lang)} · "
            f"{PROGRAMME.label(str(feature.get('programme')), lang)}")
if feature.get("committee_decision"):
    st.caption(str(feature["committee_decision"]))
acknowledged: list[str] = []
shown = state.get(ACK)
if shown is not None and shown[0] == pick:
    st.warning(_("This step passes a cap or comes near one. Tick each warning to acknowledge "
                 "it, then confirm again."))
    for code, text_th, text_en in shown[1]:
        if st.checkbox(text_th if lang == "th" else text_en, key=f"repairs_ack_{pick}_{code}"):
            acknowledged.append(code)


def run(step: Any, **values: Any) -> None:
    """Take the step; on cap warnings show them to be acknowledged instead of failing."""
    try:
        step(store, str(feature["uid"]), expected_version=int(feature["version"]),
             acknowledged=acknowledged, user=account.username, **values)
    except repairs.CapsNotAcknowledged as refused:
        st.session_state[ACK] = (pick, [(w.code, w.message_th, w.message_en)
                                        for w in refused.warnings])
        st.rerun()
    st.session_state.pop(ACK, None)
    state.set_notice("success", N_("The repair moved to its next step."))
    st.rerun()


with st.form(f"repairs_step_{pick}_{feature['version']}"):
    if status == "proposed":
        decision = st.text_input(_("Committee decision (meeting, resolution)"),
                                 key=f"repairs_decision_{pick}")
        amount = st.number_input(_("Approved amount (baht)"), min_value=0.0, step=500.0,
                                 value=float(feature.get("estimate") or 0.0),
                                 key=f"repairs_amount_{pick}")
        if st.form_submit_button(_("Approve"), icon=":material/gavel:"):
            run(repairs.approve_repair, decision=decision, approved_amount=amount)
    elif status == "approved":
        builder = st.text_input(_("Builder"), key=f"repairs_builder_{pick}")
        if st.form_submit_button(_("Work started"), icon=":material/construction:"):
            run(repairs.start_repair, builder=builder or None)
    elif status == "in_progress":
        spent = st.number_input(_("Spent in all (baht)"), min_value=0.0, step=500.0,
                                value=float(feature.get("approved_amount") or 0.0),
                                key=f"repairs_spent_{pick}")
        if st.form_submit_button(_("Work done"), icon=":material/task_alt:"):
            run(repairs.finish_repair, spent=spent)
    elif status == "done":
        finding = st.text_input(_("Inspection committee's finding"),
                                key=f"repairs_finding_{pick}")
        if st.form_submit_button(_("Verified by inspection"), icon=":material/verified:"):
            run(repairs.verify_repair, inspection=finding)
    else:
        st.caption(_("This repair is finished and verified."))
        st.form_submit_button(_("Nothing to do"), disabled=True)

st.subheader(_("Budgets"))
areas = sorted(audience.areas) if not audience.everywhere else [None]
statuses = [s for area in areas for s in budgets.budget_status(
    store, area=area or "")]
if statuses:
    frame = budgets.budget_frame(statuses)
    shown_columns = {"budget_id": _("Budget"), "programme": _("Programme"),
                     "area_code": _("Area"), "allocation": _("Allocated"),
                     "transferred": _("Transferred"), "committed": _("Committed"),
                     "spent": _("Spent"), "remaining": _("Remaining"),
                     "warnings": _("Warnings")}
    present = {k: v for k, v in shown_columns.items() if k in frame.columns}
    out = frame[list(present)].rename(columns=present)
    st.dataframe(out, hide_index=True, width="stretch")
else:
    st.caption(_("No budget for your areas yet."))
