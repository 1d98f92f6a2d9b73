"""Priority households (planners, admins): every household of the user's areas scored by the
rules in force (``gis.priority``), with the reasons; mark a household as priority with a note
(kept in its history), propose a repair for it, and change the rules — seeing how the ranking
moves before saving them."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import streamlit as st

from gis import priority, repairs
from gis.privacy import scope_of
from gis.viewport import village_places
from layers.vocab import PROGRAMME
from ui import state
from ui.i18n import N_
from ui.resources import get_store, store_location
from ui.state import _

SHOWN = 200  # rows of the ranking shown at once (the rest by village)

lang = state.lang()
account = state.account()
audience = account.audience()
store = get_store(store_location())
scope = scope_of(store, audience)

st.title(_("Priority households"))
places = village_places(store, audience, scope=scope)
place = st.selectbox(_("Village"), options=[None, *range(len(places))],
                     format_func=lambda i: _("All my villages") if i is None
                     else places[i].label(lang), key="priority_village")
village = None if place is None else places[place].code
current = priority.current_rules(store)
scored = priority.score_store(store, audience=audience, village=village, rules=current.rules)
if scored.empty:
    st.info(_("No household in your areas yet."))
    st.stop()
people = store.read("households", where={"uid": list(scored["uid"])}).set_index("uid")


def rule_label(name: str) -> str:
    """The label of a field of ``gis.priority.Rules`` in the user's language."""
    labels = {
        "bedridden_points": _("Points: bedridden members"),
        "bedridden_min": _("Bedridden members counted from"),
        "disabled_points": _("Points: disabled members"),
        "disabled_min": _("Disabled members counted from"),
        "elderly_points": _("Points: elderly members"),
        "elderly_min": _("Elderly members counted from"),
        "children_points": _("Points: young children"),
        "children_min": _("Young children counted from"),
        "low_income_points": _("Points: low income"),
        "income_per_person_year": _("Low income: at most (baht per person per year)"),
        "dilapidated_points": _("Points: dilapidated house"),
        "poor_condition_points": _("Points: house in poor condition"),
        "insecure_tenure_points": _("Points: insecure tenure"),
        "suggest_at": _("Suggest a household from (points)"),
    }
    return labels.get(name, name)


def reasons_text(reasons: list[dict[str, Any]]) -> str:
    return "; ".join(str(r[f"reason_{lang}"]) for r in reasons)


suggested = int(scored["suggested"].sum())
marked = int(scored["priority_flag"].fillna(False).astype(bool).sum())
cols = st.columns(3)
cols[0].metric(_("Households scored"), f"{len(scored):,}")
cols[1].metric(_("Suggested by the rules"), f"{suggested:,}")
cols[2].metric(_("Marked as priority"), f"{marked:,}")
st.caption(_("Rules version {version}: a household with {points} points or more is suggested.")
           .format(version=current.version, points=f"{current.rules.suggest_at:g}"))

top = scored.head(SHOWN)
st.dataframe(pd.DataFrame({
    _("Rank"): top["rank"],
    _("Household id"): top["household_id"],
    _("Head of household"): [people["head_name"].get(u) for u in top["uid"]],
    _("Village"): top["village_code"],
    _("Score"): top["score"],
    _("Reasons"): [reasons_text(r) for r in top["reasons"]],
    _("Suggested"): [_("Yes") if s else "" for s in top["suggested"]],
    _("Marked"): [_("Yes") if f is True else "" for f in top["priority_flag"]],
}), hide_index=True, width="stretch")

st.subheader(_("Decide on a household"))
pick = st.selectbox(
    _("Household"), options=list(top["uid"]), key="priority_pick",
    format_func=lambda u: "{id} · {name} · {score:g}".format(
        id=top.loc[top["uid"] == u, "household_id"].iloc[0],
        name=people["head_name"].get(u) or "",
        score=float(top.loc[top["uid"] == u, "score"].iloc[0])))
row = top.loc[top["uid"] == pick].iloc[0]
feature = store.get("households", pick)
for reason in row["reasons"]:
    st.markdown(f"- {reason[f'reason_{lang}']} (+{reason['points']:g})")
if feature is not None and account.audience().role in priority.MARK_ROLES:
    with st.form(f"priority_mark_{pick}_{feature['version']}"):
        flag = st.checkbox(_("Priority household"), value=bool(feature.get("priority_flag")),
                           key=f"priority_flag_{pick}")
        note = st.text_input(_("Why (kept in the household's history)"),
                             value=feature.get("priority_note") or "",
                             key=f"priority_note_{pick}")
        if st.form_submit_button(_("Save the decision"), icon=":material/flag:"):
            priority.mark_priority(store, uid=pick, flag=flag, note=note, user=audience,
                                   version=int(feature["version"]))
            state.set_notice("success", N_("The decision was saved."))
            st.rerun()
    with st.form(f"priority_repair_{pick}"):
        st.markdown(_("**Propose a repair for this house**"))
        items = st.text_area(_("Repair items"), key=f"priority_items_{pick}")
        estimate = st.number_input(_("Estimate (baht)"), min_value=0.0, step=500.0,
                                   key=f"priority_estimate_{pick}")
        programme = st.selectbox(_("Programme"), options=PROGRAMME.codes(),
                                 format_func=lambda c: PROGRAMME.label(c, lang),
                                 key=f"priority_programme_{pick}")
        if st.form_submit_button(_("Propose the repair"), icon=":material/construction:"):
            made = repairs.create_repair(store, household_uid=pick, items=items,
                                         estimate=estimate, programme=programme,
                                         user=account.username)
            state.set_notice("success", N_("The repair was proposed."))
            st.session_state["repairs_pick"] = made["repair_id"]
            st.rerun()

if account.audience().role not in priority.MARK_ROLES:
    st.stop()
with st.expander(_("Rules")):
    st.caption(_("Points for each factor. Change them, look at how the ranking moves, then save "
                 "them as a new version."))
    new: dict[str, Any] = {}
    names = [f.name for f in dataclasses.fields(priority.Rules)]
    cols = st.columns(3)
    for i, name in enumerate(names):
        value = getattr(current.rules, name)
        if not isinstance(value, int | float):
            continue
        new[name] = cols[i % 3].number_input(
            rule_label(name), value=float(value), step=1.0 if value >= 10 else 0.5,
            key=f"priority_rule_{name}_{current.version}")
    proposed = dataclasses.replace(
        current.rules, **{k: type(getattr(current.rules, k))(v) for k, v in new.items()})
    changed = priority.changed_rules(current.rules, proposed)
    if changed:
        households = store.read("households", where=None if village is None
                                else {"village_code": village})
        change = priority.ranking_change(households, store.read("plots"), current.rules,
                                         proposed)
        cols = st.columns(3)
        cols[0].metric(_("Enter the suggested list"), f"{int(change['entering'].sum()):,}")
        cols[1].metric(_("Leave the suggested list"), f"{int(change['leaving'].sum()):,}")
        cols[2].metric(_("Change places"), f"{int((change['moved'] != 0).sum()):,}")
        moved = change.loc[change["entering"] | change["leaving"]].head(50)
        st.dataframe(pd.DataFrame({
            _("Household id"): moved["household_id"],
            _("Old score"): moved["old_score"], _("New score"): moved["new_score"],
            _("Old rank"): moved["old_rank"], _("New rank"): moved["new_rank"],
        }), hide_index=True, width="stretch")
        note = st.text_input(_("Why the rules change"), key="priority_rules_note")
        if st.button(_("Save the rules"), key="priority_rules_save", icon=":material/save:"):
            priority.save_rules(store, proposed, user=account.username,
                                expected_version=current.version, note=note)
            state.set_notice("success", N_("The rules were saved."))
            st.rerun()
