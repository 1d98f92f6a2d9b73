"""Landmap's entry point: page config, fonts, language, sign-in, and the router (DESIGN.md §2).

Pages live in ``ui/pages``; this file decides which of them the signed-in user may open and runs
the chosen one inside the one catch point.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from gis.dates import utc_now
from gis.privacy import Role
from ui import frame, state
from ui.resources import get_store, store_location
from ui.state import _

# A local file: an emoji or ":material/…" favicon is fetched from a font CDN by the browser.
ICON = str(Path(__file__).with_name("static") / "landmap" / "icon.png")
st.set_page_config(page_title="Landmap", page_icon=ICON, layout="wide")
frame.inject_fonts()

with frame.catch_errors():
    store = get_store(store_location())
    account = frame.current_account(store, utc_now())
    state.set_account(account)
    frame.language_switch(store, account)
    frame.show_notice()

    if account is None:
        pages = [st.Page("ui/pages/sign_in.py", title=_("Sign in"), icon=":material/login:",
                         url_path="sign-in", default=True)]
    elif account.must_change_password:
        pages = [st.Page("ui/pages/account.py", title=_("Account"), icon=":material/person:",
                         url_path="account", default=True)]
    else:
        pages = [
            st.Page("ui/pages/home.py", title=_("Home"), icon=":material/home:",
                    url_path="home", default=True),
            st.Page("ui/pages/map.py", title=_("Map"), icon=":material/map:", url_path="map"),
            st.Page("ui/pages/account.py", title=_("Account"), icon=":material/person:",
                    url_path="account"),
        ]
        if account.audience().role in (Role.ADMIN, Role.PLANNER, Role.SURVEYOR):
            pages.append(st.Page("ui/pages/upload.py", title=_("Upload"),
                                 icon=":material/upload_file:", url_path="upload"))
            pages.append(st.Page("ui/pages/edit.py", title=_("Edit"),
                                 icon=":material/edit_location_alt:", url_path="edit"))
            pages.append(st.Page("ui/pages/quality.py", title=_("Data quality"),
                                 icon=":material/rule:", url_path="quality"))
            pages.append(st.Page("ui/pages/conflicts.py", title=_("Conflicts"),
                                 icon=":material/call_split:", url_path="conflicts"))
        if account.audience().role in (Role.ADMIN, Role.PLANNER):
            pages.append(st.Page("ui/pages/priority.py", title=_("Priority households"),
                                 icon=":material/flag:", url_path="priority"))
            pages.append(st.Page("ui/pages/repairs.py", title=_("Repairs"),
                                 icon=":material/construction:", url_path="repairs"))
            pages.append(st.Page("ui/pages/dashboard.py", title=_("Dashboard"),
                                 icon=":material/monitoring:", url_path="dashboard"))
        if account.audience().role in (Role.ADMIN, Role.PLANNER, Role.NEGOTIATOR,
                                       Role.AGENCY_VIEWER):
            pages.append(st.Page("ui/pages/negotiate.py", title=_("Negotiation"),
                                 icon=":material/handshake:", url_path="negotiate"))
        if account.audience().role is Role.ADMIN:
            pages.append(st.Page("ui/pages/users.py", title=_("Users"),
                                 icon=":material/manage_accounts:", url_path="users"))
    if account is not None:
        frame.user_box(account, store)
    page = st.navigation(pages)
    page.run()
