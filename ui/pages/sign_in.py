"""Sign in: username and password, checked by gis.accounts (argon2, rate-limited, audited)."""

from __future__ import annotations

import streamlit as st

from gis import accounts, dates
from ui import state
from ui.resources import get_store, store_location
from ui.state import _

st.title("Landmap")
st.caption(_("Community land and housing map"))

with st.form("sign_in", clear_on_submit=True, enter_to_submit=True):
    username = st.text_input(_("Username"), key="sign_in_username", autocomplete="username")
    password = st.text_input(_("Password"), type="password", key="sign_in_password",
                             autocomplete="current-password")
    submitted = st.form_submit_button(_("Sign in"), type="primary")

if submitted:
    store = get_store(store_location())
    account = accounts.sign_in(store, username.strip().lower(), password)
    state.begin_session(account.username, dates.utc_now())
    state.apply_preferences(account.preferences)
    st.rerun()

st.caption(_("Forgot your password? Ask an administrator to reset it."))
