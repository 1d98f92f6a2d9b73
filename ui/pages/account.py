"""Your account: date preference, and changing your password (required after a one-time one)."""

from __future__ import annotations

import streamlit as st

from gis import accounts, dates
from ui import state
from ui.i18n import N_
from ui.resources import get_store, store_location
from ui.state import _

lang = state.lang()
account = state.account()
store = get_store(store_location())

st.title(_("Account"))
st.markdown(f"**{account.username}** · {account.audience().role.label(lang)}")

if account.must_change_password:
    st.warning(_("You signed in with a one-time password. Choose your own password to go on."))
else:
    st.subheader(_("Dates"))
    today = dates.today()
    eras: dict[dates.Era, str] = {
        "be": _("Buddhist Era ({example})").format(example=dates.format_date(today, lang, "be")),
        "ce": _("Gregorian ({example})").format(example=dates.format_date(today, lang, "ce")),
    }
    era = st.radio(_("Show dates in"), options=list(eras), format_func=eras.__getitem__,
                   index=list(eras).index(state.era()), key="era_choice")
    if era != state.era():
        state.set_era(era)
        accounts.set_preferences(store, account.username, era=era)
        st.rerun()

st.subheader(_("Change password"))
with st.form("change_password", clear_on_submit=True):
    old = st.text_input(_("Current password"), type="password", autocomplete="current-password")
    new = st.text_input(_("New password"), type="password", autocomplete="new-password")
    again = st.text_input(_("New password again"), type="password", autocomplete="new-password")
    submitted = st.form_submit_button(_("Change password"), type="primary")
if submitted:
    if new != again:
        st.error(_("The two new passwords differ."))
    else:
        accounts.change_password(store, account.username, old, new)
        state.set_notice("info", N_("Password changed."))
        st.rerun()
