"""Conflicts: edits refused because someone else saved the feature first (from the Edit page or
a field package merged back), kept until someone chooses which version stays. Open ones can be
opened and resolved (``ui.conflicts.render_conflict``); resolved ones are listed with the choice
recorded. Only conflicts in the user's areas are listed (admins: all).

``?conflict=<id>`` in the URL opens that conflict (the Edit page may link here).
"""

from __future__ import annotations

import streamlit as st

from ui import conflicts, state
from ui.resources import get_store, store_location
from ui.state import _

lang, era = state.lang(), state.era()
audience = state.account().audience()
store = get_store(store_location())

st.title(_("Conflicts"))
st.caption(_("An edit saved after someone else's waits here with both versions. Nothing is "
             "lost: whichever version you choose, the other stays in the history and in this "
             "queue."))
tab_open, tab_resolved = st.tabs([_("Open"), _("Resolved")])

with tab_open:
    waiting = conflicts.visible_conflicts(store, audience, status="open")
    done = conflicts.visible_conflicts(store, audience, status="resolved")
    if waiting:
        st.dataframe(conflicts.queue_table(waiting, audience, lang, era), hide_index=True,
                     width="stretch")
    else:
        st.success(_("No open conflicts in your areas."))
    # Those resolved here stay on the list until the user goes back, to show what was done.
    listed = [*waiting, *(r for r in done if conflicts.resolved_here(r.id))]
    if listed:
        ids = [r.id for r in listed]
        asked = st.query_params.get("conflict")
        start = ids.index(int(asked)) if asked and asked.isdigit() and int(asked) in ids \
            else None
        labels = {r.id: conflicts.conflict_label(r, audience, lang) for r in listed}
        chosen = st.selectbox(_("Open a conflict"), options=ids, index=start,
                              format_func=labels.__getitem__, key="conflicts_open",
                              placeholder=_("Choose a conflict"))
        if chosen is not None:
            conflicts.render_conflict(store, chosen, audience)

with tab_resolved:
    if not done:
        st.caption(_("No resolved conflicts yet."))
    else:
        done = list(reversed(done))  # newest first
        st.dataframe(conflicts.queue_table(done, audience, lang, era), hide_index=True,
                     width="stretch")
        labels_done = {r.id: conflicts.conflict_label(r, audience, lang) for r in done}
        seen = st.selectbox(_("Look at a resolved conflict"), options=list(labels_done),
                            index=None, format_func=labels_done.__getitem__,
                            key="conflicts_resolved_open", placeholder=_("Choose a conflict"))
        if seen is not None:
            conflicts.render_conflict(store, seen, audience)
