"""Users (admins only): accounts, roles and areas, one-time passwords, and the audit log."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from gis import accounts, dates
from gis.overview import area_labels
from gis.privacy import Role
from ui import state
from ui.i18n import N_
from ui.resources import get_store, store_location
from ui.state import _

lang = state.lang()
me = state.account()
if me.role is not Role.ADMIN:  # the router shows this page to admins only; say so anyway
    st.error(_("Only administrators can manage users."))
    st.stop()
store = get_store(store_location())
actor = me.username


def show_password(username: str, password: str) -> None:
    st.success(_("One-time password for {user}: {password}").format(
        user=username, password=password))
    st.caption(_("Give it to the user in person. It is shown only now; they must change it "
                 "when they first sign in."))


ACTIONS = {  # audit actions as people read them
    "sign_in": N_("signed in"),
    "sign_in_failed": N_("failed sign-in"),
    "sign_in_locked": N_("sign-in refused: locked"),
    "sign_out": N_("signed out"),
    "user_added": N_("user added"),
    "first_admin": N_("first administrator created"),
    "first_admin_restored": N_("first administrator restored"),
    "role_changed": N_("role or areas changed"),
    "user_disabled": N_("user disabled"),
    "user_enabled": N_("user enabled"),
    "password_changed": N_("password changed"),
    "password_reset": N_("password reset"),
    "download": N_("download"),
    "preferences_changed": N_("language or date preference changed"),
}



def action_label(code: str) -> str:
    msgid = ACTIONS.get(code)
    return _(msgid) if msgid else code


areas = {code: f"{code} {name}" for code, name in area_labels(store, lang).items()}
roles = list(Role)
st.title(_("Users"))
tab_users, tab_add, tab_audit = st.tabs([_("Accounts"), _("Add a user"), _("Audit log")])

with tab_users:
    people = accounts.list_accounts(store)
    table = pd.DataFrame({
        _("Username"): [a.username for a in people],
        _("Role"): [a.role.label(lang) for a in people],
        _("Areas"): [", ".join(sorted(a.areas)) or "–" for a in people],
        _("Status"): [_("disabled") if a.disabled else _("active") for a in people],
        _("Last sign-in"): [
            dates.format_datetime(a.last_sign_in, lang, state.era()) if a.last_sign_in else "–"
            for a in people
        ],
    })
    st.dataframe(table, hide_index=True, width="stretch")

    names = [a.username for a in people]
    chosen = st.selectbox(_("Change a user"), options=names, key="users_chosen")
    target = next((a for a in people if a.username == chosen), None)
    if target is not None:
        with st.form("set_role"):
            role = st.selectbox(_("Role"), options=roles, index=roles.index(target.role),
                                format_func=lambda r: r.label(lang))
            picked = st.multiselect(_("Areas"), options=list(areas),
                                    default=[a for a in sorted(target.areas) if a in areas],
                                    format_func=areas.__getitem__)
            if st.form_submit_button(_("Save role and areas"), type="primary"):
                accounts.set_role(store, target.username, role, picked, actor=actor)
                st.rerun()
        left, right = st.columns(2)
        if target.disabled:
            if left.button(_("Enable"), key="enable"):
                accounts.enable_user(store, target.username, actor=actor)
                st.rerun()
        elif left.button(_("Disable"), key="disable"):
            accounts.disable_user(store, target.username, actor=actor)
            st.rerun()
        if right.button(_("Reset password"), key="reset"):
            show_password(target.username,
                          accounts.reset_password(store, target.username, actor=actor))

with tab_add, st.form("add_user", clear_on_submit=True):
    username = st.text_input(_("Username"), help=_("3–32 characters: a–z, 0–9, dot, dash, "
                                                    "underscore"))
    role = st.selectbox(_("Role"), options=roles, format_func=lambda r: r.label(lang),
                        index=roles.index(Role.SURVEYOR))
    picked = st.multiselect(_("Areas"), options=list(areas), format_func=areas.__getitem__)
    submitted = st.form_submit_button(_("Add user"), type="primary")
if submitted:
    password = accounts.one_time_password()
    account = accounts.add_user(store, username.strip().lower(), password, role, picked,
                                actor=actor)
    with tab_add:
        show_password(account.username, password)

with tab_audit:
    entries = store.read_audit(limit=200)
    audit = pd.DataFrame({
        _("When"): [dates.format_datetime(e["at"], lang, state.era()) for e in entries],
        _("Who"): [e["username"] for e in entries],
        _("Action"): [action_label(e["action"]) for e in entries],
        _("Subject"): [e.get("subject") or "–" for e in entries],
    })
    st.dataframe(audit, hide_index=True, width="stretch")
    st.caption(_("The newest 200 entries. Passwords are never recorded."))

