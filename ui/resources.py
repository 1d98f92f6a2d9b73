"""Long-lived resources shared by sessions. Never cache personal data globally here."""

from __future__ import annotations

import os

import streamlit as st

from gis.settings import Settings, load_settings
from gis.store import STORE_ENV, Store, open_store

DEFAULT_STORE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "demo.gpkg")


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    """The app's settings, read once per server process from the environment / TOML file."""
    return load_settings()


def store_location() -> str:
    return settings().store or os.environ.get(STORE_ENV) or DEFAULT_STORE


@st.cache_resource(show_spinner=False)
def get_store(location: str) -> Store:
    """One store (one connection) per location for the whole server process."""
    return open_store(location, create=False)
