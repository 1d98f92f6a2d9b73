"""Data quality: every check over a layer, or one village of it (``gis.quality.run_checks``),
as the user's role and areas allow; counts by kind of problem, a table of the problems in the
user's language — pick one to zoom the map to its feature and open it in the editor.

The report is kept in the session per store, layer, village and user until "Run again". The
editor link goes to ``/edit?layer=<layer>&uid=<uid>`` (read with ``st.query_params`` on the Edit
page).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import pandas as pd
import streamlit as st

from gis.io.model import Issue, Severity
from gis.privacy import Audience, read_visible, redact, scope_of
from gis.quality import QualityReport, run_checks
from gis.store.protocol import Store
from gis.viewport import village_places
from layers import LAYERS
from ui import history_panel, state
from ui.history_panel import GREY, RED, Drawn
from ui.i18n import N_
from ui.resources import get_store, store_location
from ui.state import _
from ui.upload_preview import SEVERITY_LABELS

CHECKED: Final = ("plots", "households", "villages", "tenure_zones", "repairs")
REPORTS: Final = "quality_reports"  # (store, layer, village, audience) → QualityReport
KEEP_REPORTS: Final = 4  # reports kept per session: a few layers to go back and forth between
EDIT_PAGE: Final = "ui/pages/edit.py"
ROOT: Final = Path(__file__).resolve().parents[2]
NEAR_DEG: Final = 0.0005  # about 50 m around a picked feature: its neighbours on the map
CHUNK: Final = 500
SEVERITY_ORDER: Final = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
ISSUE_LABELS: Final = {
    "missing_geometry": N_("No location on the map"),
    "invalid_geometry": N_("Invalid shape"),
    "overlapping_plots": N_("Overlapping plots"),
    "outside_village": N_("Outside its village"),
    "outside_plot": N_("House outside its plot"),
    "unknown_plot": N_("Plot id not in the store"),
    "duplicate_id": N_("Repeated id"),
    "required_missing": N_("Required value missing"),
    "not_in_vocabulary": N_("Value not in the list"),
    "low_accuracy": N_("Inaccurate GPS fix"),
}


def issue_label(code: str) -> str:
    msgid = ISSUE_LABELS.get(code)
    return _(msgid) if msgid else code


def report_for(store: Store, location: str, layer: str, village: str | None,
               audience: Audience, *, again: bool) -> QualityReport:
    """The session's report for this store, layer, village and user; run when missing or when
    asked again. Kept in the session only: it names features of the user's areas."""
    reports: dict[tuple[Any, ...], QualityReport] = st.session_state.setdefault(REPORTS, {})
    key = (location, layer, village, audience)
    if again or key not in reports:
        reports.pop(key, None)
        with st.spinner(_("Checking…")):
            reports[key] = run_checks(store, layer, village=village, audience=audience)
        while len(reports) > KEEP_REPORTS:
            reports.pop(next(iter(reports)))
    return reports[key]


def feature_ids(store: Store, layer: str, uids: Sequence[str], audience: Audience
                ) -> dict[str, str]:
    """uid → the feature's id (plot id, household id …) where the audience may see it."""
    spec = LAYERS[layer]
    wanted = sorted(set(uids))
    out: dict[str, str] = {}
    for at in range(0, len(wanted), CHUNK):
        frame = redact(store.read(layer, where={"uid": wanted[at:at + CHUNK]}), spec, audience)
        if spec.key in frame.columns:
            out.update({str(u): str(k) for u, k in zip(frame["uid"], frame[spec.key],
                                                        strict=True) if isinstance(k, str)})
    return out


def issues_frame(issues: Sequence[Issue], ids: dict[str, str], lang: str) -> pd.DataFrame:
    return pd.DataFrame([{
        _("Severity"): _(SEVERITY_LABELS[i.severity]),
        _("Problem type"): issue_label(i.code),
        _("Feature"): ids.get(i.uid or "", (i.uid or "")[:8]),
        _("Problem"): i.message_th if lang == "th" else i.message_en,
        _("What to do"): i.fix_th if lang == "th" else i.fix_en,
    } for i in issues])


def counts_frame(report: QualityReport) -> pd.DataFrame:
    return pd.DataFrame([{_("Problem type"): issue_label(code), _("Count"): f"{n:,}"}
                         for code, n in report.counts.items()])


def show_feature(store: Store, report: QualityReport, picked: Issue, audience: Audience,
                 key: str) -> None:
    """The picked problem's feature on a small map, zoomed to it, with its neighbours."""
    bounds = report.bounds.get(picked.uid or "")
    if bounds is None:
        st.caption(_("This feature has no location your role may see on a map."))
        return
    minx, miny, maxx, maxy = bounds
    near = read_visible(store, report.layer, audience, scope=scope_of(store, audience),
                        bbox=(minx - NEAR_DEG, miny - NEAR_DEG, maxx + NEAR_DEG,
                              maxy + NEAR_DEG))
    if "geometry" not in near.columns:
        st.caption(_("This feature has no location your role may see on a map."))
        return
    mask = (near["uid"] == picked.uid).to_numpy(dtype=bool)
    history_panel.compare_map(
        [Drawn(near.geometry[~mask].tolist(), GREY, _("Neighbours"), weight=1.5),
         Drawn(near.geometry[mask].tolist(), RED, _("This feature"), weight=4)],
        key=key, bounds=bounds, height=360)


def editor_link(layer: str, uid: str) -> None:
    """Open the feature on the Edit page (``/edit?layer=…&uid=…``). A button, not a link: a
    page change within the session keeps the user signed in, a new browser tab would not."""
    if not (ROOT / EDIT_PAGE).exists():
        st.caption(_("Open it on the Edit page: feature {uid}").format(uid=uid))
        return
    if st.button(_("Open in the editor"), icon=":material/edit:", key="quality_edit"):
        st.switch_page(EDIT_PAGE, query_params={"layer": layer, "uid": uid})


# --------------------------------------------------------------------------------- page
lang = state.lang()
audience = state.account().audience()
location = store_location()
store = get_store(location)

st.title(_("Data quality"))
pick_layer, pick_village, again_box = st.columns([2, 2, 1], vertical_alignment="bottom")
with pick_layer:
    layer = st.selectbox(_("Layer"), options=CHECKED, key="quality_layer",
                         format_func=lambda name: LAYERS[name].label(lang))
spec = LAYERS[layer]
by_village = spec.area_field == "village_code"
with pick_village:
    places = village_places(store, audience) if by_village else []
    names = {p.code: p.label(lang) for p in places}
    village = st.selectbox(_("Village"), options=list(names), index=None,
                           format_func=names.__getitem__, key="quality_village",
                           placeholder=_("All my areas"), disabled=not by_village)
with again_box:
    again = st.button(_("Run again"), icon=":material/refresh:", key="quality_again")

report = report_for(store, location, layer, village if by_village else None, audience,
                    again=again)
st.caption(_("{n} features checked in {s} s.").format(n=f"{report.features:,}",
                                                      s=f"{report.seconds:.1f}"))
if not report.issues:
    st.success(_("No problems found."))
    st.stop()

st.subheader(_("Problems by type"))
st.table(counts_frame(report).set_index(_("Problem type")))

issues = sorted(report.issues, key=lambda i: (SEVERITY_ORDER.get(i.severity, 3), i.code))
ids = feature_ids(store, layer, [i.uid for i in issues if i.uid], audience)
st.subheader(_("Problems"))
st.caption(_("Pick a row to see its feature on the map and open it in the editor."))
content = repr([(i.code, i.uid, i.field) for i in issues])
event = st.dataframe(
    issues_frame(issues, ids, lang), hide_index=True, width="stretch", on_select="rerun",
    selection_mode="single-row",
    key=f"quality_issues_{hashlib.sha1(content.encode()).hexdigest()[:12]}")
rows = list(event.selection.rows) if event is not None else []
if rows and 0 <= rows[0] < len(issues):
    picked = issues[rows[0]]
    shown, link = st.columns([3, 1])
    with shown:
        show_feature(store, report, picked, audience, key=f"quality_map_{rows[0]}")
    with link:
        st.markdown(f"**{ids.get(picked.uid or '', '')}**")
        st.caption(picked.message_th if lang == "th" else picked.message_en)
        if picked.uid:
            editor_link(layer, picked.uid)
