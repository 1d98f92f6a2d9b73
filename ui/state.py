"""Every ``st.session_state`` key, defined once, behind typed getters and setters.

Session state is per browser session: the signed-in user, their language and date preferences,
where their map was. Nothing personal is ever cached across sessions (see ``ui/resources.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import streamlit as st

from gis.accounts import Account
from gis.dates import Era
from ui.i18n import DEFAULT_LANG, LANGS, gettext

LANG = "lang"
ERA = "era"
USER = "user"  # the signed-in username; the account itself is re-read from the store each run
SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"
NOTICE = "notice"  # a message to show once on the next run (e.g. "your session expired")
MAP = "map_state"
ACCOUNT = "account"  # this run's account, set by the router after re-reading it from the store
# A file made on request (an evidence pack, an export), kept for its download button until the
# next one: (file name, bytes, media type). Per session only, cleared at sign-out.
MADE_FILE = "made_file"


def lang() -> str:
    value = st.session_state.get(LANG, DEFAULT_LANG)
    return value if value in LANGS else DEFAULT_LANG


def set_lang(value: str) -> None:
    st.session_state[LANG] = value if value in LANGS else DEFAULT_LANG


def _(msgid: str) -> str:
    """The UI string ``msgid`` in the session's language (gettext catalogs in ``ui/i18n``)."""
    return gettext(msgid, lang())


def era() -> Era:
    return cast(Era, st.session_state.get(ERA, "be"))


def set_era(value: Era) -> None:
    st.session_state[ERA] = value


# ----------------------------------------------------------------------------- sign-in
def username() -> str | None:
    value = st.session_state.get(USER)
    return value if isinstance(value, str) else None


def begin_session(name: str, now: dt.datetime) -> None:
    st.session_state[USER] = name
    st.session_state[SIGNED_IN_AT] = now
    st.session_state[LAST_SEEN] = now


def set_account(value: Account | None) -> None:
    st.session_state[ACCOUNT] = value


def account() -> Account:
    """The signed-in account (pages run only after the router has set it)."""
    value = st.session_state.get(ACCOUNT)
    if not isinstance(value, Account):
        st.stop()
    return value


def apply_preferences(preferences: Mapping[str, str]) -> None:
    """Take a user's saved language and date era into this session."""
    if preferences.get("lang") in LANGS:
        set_lang(preferences["lang"])
    if preferences.get("era") in ("be", "ce"):
        set_era(cast(Era, preferences["era"]))


def session_times() -> tuple[dt.datetime, dt.datetime] | None:
    signed_in = st.session_state.get(SIGNED_IN_AT)
    seen = st.session_state.get(LAST_SEEN)
    if isinstance(signed_in, dt.datetime) and isinstance(seen, dt.datetime):
        return signed_in, seen
    return None


def touch(now: dt.datetime) -> None:
    st.session_state[LAST_SEEN] = now


def end_session() -> None:
    """Forget the user and everything they looked at (keep only language and date choices)."""
    keep = {k: st.session_state[k] for k in (LANG, ERA) if k in st.session_state}
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state.update(keep)


def set_notice(kind: str, msgid: str) -> None:
    st.session_state[NOTICE] = (kind, msgid)


def pop_notice() -> tuple[str, str] | None:
    value = st.session_state.pop(NOTICE, None)
    return cast("tuple[str, str] | None", value)


# ---------------------------------------------------------------------------------- map
@dataclass
class MapState:
    """Where the user's map is: kept across reruns and page changes."""

    center: tuple[float, float] | None = None  # (lat, lon)
    zoom: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    generation: int = 0  # bumped when the page moves the map (search, zoom to village)


def map_state() -> MapState:
    value = st.session_state.get(MAP)
    if not isinstance(value, MapState):
        value = MapState()
        st.session_state[MAP] = value
    return value


def get(key: str, default: Any = None) -> Any:
    return st.session_state.get(key, default)


def set_made_file(purpose: str, name: str, data: bytes, media_type: str) -> None:
    """Keep a file made for ``purpose`` (e.g. ``"evidence"``) for its download button."""
    st.session_state[f"{MADE_FILE}:{purpose}"] = (name, data, media_type)


def made_file(purpose: str) -> tuple[str, bytes, str] | None:
    value = st.session_state.get(f"{MADE_FILE}:{purpose}")
    return cast("tuple[str, bytes, str] | None", value)
