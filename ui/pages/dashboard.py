"""Dashboard (planners, admins): the monthly roll-up (``gis.rollup``) of an area as at the end
of a month — households surveyed, priority households, repairs and money by status, tenure —
with the change against the previous month, as charts drawn by Streamlit itself (nothing from
a CDN), and the roll-up as an XLSX to download."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from gis import dates, rollup
from gis.budgets import STATUSES
from gis.privacy import scope_of
from gis.report.monthly import monthly_report
from layers.vocab import REPAIR_STATUS
from ui import state
from ui.resources import get_store, store_location
from ui.state import _

MONTHS = 24  # months offered, counting back from this one
LEVEL_BELOW = {"province": "amphoe", "amphoe": "tambon", "tambon": "village",
               "village": "village"}

lang = state.lang()
era = state.era()
account = state.account()
audience = account.audience()
store = get_store(store_location())
scope = scope_of(store, audience)

st.title(_("Dashboard"))
admin = store.read("admin")
admin = admin.loc[[scope.contains(str(c)) for c in admin["code"]]].sort_values("code")
villages = store.read("villages")
villages = villages.loc[[scope.contains(str(c)) for c in villages["village_code"]]]
areas = [(str(r["code"]), str(r["level"]), str(r[f"name_{lang}"] or r["name_th"]))
         for _i, r in admin.iterrows()]
areas += [(str(r["village_code"]), "village", str(r[f"name_{lang}"] or r["name_th"]))
          for _i, r in villages.sort_values("village_code").iterrows()]
if not areas:
    st.info(_("There is nothing to report for your areas yet."))
    st.stop()

today = dates.today()
months = []
year, month = today.year, today.month
for _i in range(MONTHS):
    months.append(f"{year:04d}-{month:02d}")
    year, month = (year, month - 1) if month > 1 else (year - 1, 12)

left, right = st.columns(2)
area = left.selectbox(_("Area"), options=range(len(areas)), key="dashboard_area",
                      format_func=lambda i: f"{areas[i][2]} ({areas[i][0]})")
chosen = right.selectbox(
    _("Month"), options=months, key="dashboard_month",
    format_func=lambda m: dates.format_date(dt.date(int(m[:4]), int(m[5:]), 1), lang, era,
                                            style="month"))
code, level, name = areas[area]
rows = rollup.rollup(store, month=chosen, level=LEVEL_BELOW[level], code=code,
                     audience=audience)
if rows.empty:
    st.info(_("There is nothing to report for this area and month."))
    st.stop()
total = rows.select_dtypes("number").sum()
st.subheader(_("{area}, as at the end of {month}").format(
    area=name, month=dates.format_date(dt.date(int(chosen[:4]), int(chosen[5:]), 1), lang,
                                       era, style="month")))


def metric(column: Any, label: str, figure: str) -> None:
    change = total.get(f"{figure}_change")
    column.metric(label, f"{int(total.get(figure, 0)):,}",
                  delta=None if change is None or change != change or not change
                  else f"{int(change):+,}")


cols = st.columns(2 + len(STATUSES))
metric(cols[0], _("Households surveyed"), "households_surveyed")
metric(cols[1], _("Priority households"), "priority_households")
for col, status in zip(cols[2:], STATUSES, strict=True):
    metric(col, REPAIR_STATUS.label(status, lang), f"repairs_{status}")

label = [str(n or c) for n, c in zip(rows[f"name_{lang}"], rows["code"], strict=True)]
st.markdown("**" + _("Households surveyed and priority households") + "**")
st.bar_chart(pd.DataFrame({
    _("Households surveyed"): rows["households_surveyed"].fillna(0).to_numpy(),
    _("Priority households"): rows["priority_households"].fillna(0).to_numpy(),
}, index=label), stack=False)
st.markdown("**" + _("Repairs by status") + "**")
st.bar_chart(pd.DataFrame({REPAIR_STATUS.label(s, lang): rows[f"repairs_{s}"].fillna(0)
                           .to_numpy() for s in STATUSES}, index=label))
st.markdown("**" + _("Money (baht)") + "**")
money = {_("Allocated"): "allocated", _("Transferred"): "transferred",
         _("Committed"): "committed", _("Spent"): "spent"}
st.bar_chart(pd.DataFrame({k: rows[v].fillna(0).to_numpy() for k, v in money.items()},
                          index=label), stack=False)

if st.button(_("Make the monthly report (PDF)"), key="dashboard_pdf",
             icon=":material/picture_as_pdf:"):
    with st.spinner(_("Printing the PDF…")), tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / f"monthly-{code}-{chosen}.pdf"
        monthly_report(store, month=chosen, level=level, code=code,
                       audience=audience, lang=lang, era=era, out=pdf)
        state.set_made_file("monthly", pdf.name, pdf.read_bytes(), "application/pdf")
made = state.made_file("monthly")
if made is not None:
    st.download_button(_("Download {name}").format(name=made[0]), data=made[1],
                       file_name=made[0], mime=made[2], key="dashboard_pdf_download",
                       icon=":material/download:")

with tempfile.TemporaryDirectory() as folder:
    out = Path(folder) / f"rollup-{code}-{chosen}.xlsx"
    rollup.rollup_xlsx(rows, out, lang=lang, era=era)
    st.download_button(_("Download the roll-up (XLSX)"), data=out.read_bytes(),
                       file_name=out.name, key="dashboard_xlsx", icon=":material/download:",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
