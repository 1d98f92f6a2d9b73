"""The frame every page shares: fonts, language switch, who is signed in, session expiry, and the
one place that catches errors (DESIGN.md §9)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from gis import accounts
from gis.errors import LandmapError
from gis.privacy import Audience
from gis.store import Store
from ui import state
from ui.assets import page_font_css
from ui.i18n import LANGS, N_
from ui.state import _

log = logging.getLogger("landmap.ui")

LANGUAGE_NAMES = {"th": "ไทย", "en": "English"}  # each language named in itself


@contextmanager
def catch_errors() -> Iterator[None]:
    """The one catch point: a ``LandmapError`` is shown in Thai and English; anything else is
    logged with its traceback and shown as a generic bilingual message, never a traceback."""
    try:
        yield
    except LandmapError as exc:
        st.error(f"{exc.message_th}\n\n{exc.message_en}", icon=":material/error:")
    except Exception:
        log.exception("unexpected error in a page")
        st.error(
            "เกิดข้อผิดพลาดที่ไม่คาดคิด ระบบบันทึกรายละเอียดไว้ให้ผู้ดูแลแล้ว กรุณาลองใหม่อีกครั้ง\n\n"
            "Something unexpected went wrong. The details were logged for the administrator; "
            "please try again.",
            icon=":material/error:",
        )


def inject_fonts() -> None:
    st.html(page_font_css())


SWITCH = "language_switch"


def language_switch(store: Store, account: accounts.Account | None) -> None:
    """Thai or English; a signed-in user's choice is kept with their account.

    The widget follows the session's language (which sign-in may have changed from the user's
    saved preference), and a click changes the language in its callback, before the page runs.
    """
    st.session_state[SWITCH] = state.lang()
    st.sidebar.segmented_control(
        "ภาษา · Language",
        options=list(LANGS),
        format_func=LANGUAGE_NAMES.__getitem__,
        key=SWITCH,
        on_change=_switched,
        args=(store, account.username if account is not None else None),
    )


def _switched(store: Store, username: str | None) -> None:
    choice = st.session_state.get(SWITCH)
    if choice in LANGS and choice != state.lang():
        state.set_lang(choice)
        if username is not None:
            accounts.set_preferences(store, username, lang=choice)


def current_account(store: Store, now: dt.datetime) -> accounts.Account | None:
    """The signed-in account, re-read from the store on every run so that a disabled user or a
    changed role takes effect at once; None (and the session ended) when expired or disabled."""
    name = state.username()
    if name is None:
        return None
    times = state.session_times()
    account = accounts.get_account(store, name)
    if account is None or account.disabled:
        state.end_session()
        state.set_notice("warning", N_("Your account is no longer active. Please sign in again."))
        return None
    if times is None or accounts.session_expired(times[0], times[1], now):
        accounts.record_sign_out(store, name, reason="expired")
        state.end_session()
        state.set_notice("info", N_("Your session expired. Please sign in again."))
        return None
    state.touch(now)
    return account


def user_box(account: accounts.Account, store: Store) -> None:
    audience: Audience = account.audience()
    with st.sidebar:
        st.caption(_("Signed in as"))
        st.markdown(f"**{account.username}** · {audience.role.label(state.lang())}")
        if st.button(_("Sign out"), key="sign_out", icon=":material/logout:"):
            accounts.record_sign_out(store, account.username, reason="user")
            state.end_session()
            st.rerun()


def show_notice() -> None:
    notice = state.pop_notice()
    if notice is not None:
        kind, msgid = notice
        show = {"warning": st.warning, "success": st.success}.get(kind, st.info)
        show(_(msgid))
