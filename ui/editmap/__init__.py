"""The Edit page's map: a small Streamlit component (``frontend/``) built on Leaflet and
Leaflet-Geoman, both served by the app itself from ``static/vendor/`` (DESIGN.md §6).

Why not st_folium with folium's ``Draw``: leaflet-draw offers only the outer ring of a polygon
with holes and no handles at all on a multi-part shape, and it cannot edit a feature inside a
GeoJSON layer; Geoman edits every ring of every part. The component has no build step: its
``index.html`` loads Leaflet and Geoman from ``/app/static/vendor/`` (same origin as the
component's own folder) and ``editmap.js`` speaks Streamlit's component protocol by hand (see
the comment at its top).

Only the selected feature(s) are editable; the area's other features go along as read-only
"context" carrying their uid and code only. Each piece of data carries a revision (a hash), so
that a rerun which sends the same data rebuilds nothing in the browser; the view moves only
when ``view["id"]`` changes, so the map stays where the user left it across saves.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import shapely
import shapely.geometry
import streamlit.components.v1 as components

from gis.errors import InputError

FRONTEND: Final = Path(__file__).resolve().parent / "frontend"
HEIGHT: Final = 560
Mode = Literal["select", "view", "edit", "draw_polygon", "draw_point"]
MODES: Final[tuple[Mode, ...]] = ("select", "view", "edit", "draw_polygon", "draw_point")
EVENTS: Final = ("select", "edited", "drawn", "cancel")

_component = components.declare_component("landmap_editmap", path=str(FRONTEND))


@dataclass(frozen=True)
class View:
    """Where the map is: centre (lat, lon) and zoom, or bounds (west, south, east, north)."""

    center: tuple[float, float] | None = None
    zoom: int | None = None
    bounds: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class MapEvent:
    """One thing the user did on the map, as the browser reported it.

    ``seq`` is unique per event (a rerun returns the last event again: compare it with the last
    one handled); ``session`` is the value the page passed when the map was in the state the
    event happened in. ``shapes`` maps a uid to its edited shape (``edited``); ``shape`` is the
    drawn one (``drawn``).
    """

    kind: str
    seq: str
    session: str | None
    view: View
    uid: str | None = None
    shapes: Mapping[str, Any] | None = None
    shape: Any | None = None


def edit_map(
    *,
    key: str,
    mode: Mode,
    context: Mapping[str, Any],
    selected: Mapping[str, Any],
    view: Mapping[str, Any],
    labels: Mapping[str, Any],
    session: str,
    overlays: Sequence[Mapping[str, Any]] = (),
    reference: Mapping[str, Any] | None = None,
    basemap: str | None = None,
    attribution: str | None = None,
    height: int = HEIGHT,
) -> MapEvent | None:
    """Show the edit map and return the last event the user made on it (or None).

    Parameters
    ----------
    key
        The widget key; keep it the same for the whole page so the map is never re-created.
    mode
        ``select`` (click a context feature to choose it), ``view`` (the selected feature shown,
        nothing editable), ``edit`` (the selected feature's vertices can be moved, added and
        removed), ``draw_polygon`` / ``draw_point`` (draw a new shape).
    context, selected
        GeoJSON FeatureCollections in EPSG:4326 whose features carry ``uid`` and ``code`` as
        properties. Send the selected shapes unrounded: a corner not moved comes back exactly.
    view
        ``{"id", "center": [lat, lon], "zoom"}`` or ``{"id", "bounds": [w, s, e, n],
        "max_zoom"}``; applied when the map opens and whenever ``id`` changes.
    labels
        The map's words in the user's language (`ui.edit.map_labels`).
    session
        Echoed back with each event, so a stale event can be told apart.
    overlays
        Read-only shapes drawn on top: ``{"geometry", "color", "dash", "weight",
        "fill_opacity"}`` (a repair or snapping preview, before in red and after in green).
    reference
        Outlines of another layer drawn beneath, read-only (a FeatureCollection).
    basemap, attribution
        An optional tile URL template; by default no tiles and nothing fetched.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    value = _component(
        key=key, default=None, mode=mode, context=context, context_rev=revision(context),
        selected=selected, selected_rev=revision(selected), overlays=list(overlays),
        overlays_rev=revision(list(overlays)), reference=reference or collection([]),
        reference_rev=revision(reference or collection([])), view=dict(view), labels=dict(labels),
        labels_rev=revision(labels), session=session, basemap=basemap or "",
        attribution=attribution or "", height=int(height),
    )
    return parse_event(value)


def revision(value: Any) -> str:
    """A short hash of ``value``'s JSON: the browser rebuilds a piece only when it changes."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def feature(uid: str, geometry: Any, code: Any = None) -> dict[str, Any]:
    """One GeoJSON Feature for the map: the shape (unrounded), its uid and its code only."""
    return {"type": "Feature", "id": uid, "geometry": shapely.geometry.mapping(geometry),
            "properties": {"uid": uid, "code": None if code is None else str(code)}}


def collection(features: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def parse_event(value: Any) -> MapEvent | None:
    """The browser's value as a `MapEvent`; None when there is none yet.

    The value comes from the browser, so it is checked: an unknown event or a shape that is not
    GeoJSON raises ``InputError`` (Thai and English) rather than reaching the store.
    """
    if not isinstance(value, Mapping):
        return None
    kind = value.get("event")
    seq = value.get("seq")
    if kind not in EVENTS or not isinstance(seq, str):
        return None
    session = value.get("session")
    uid = value.get("uid")
    shapes = None
    if kind == "edited":
        shapes = {str(f.get("uid")): to_shape(f.get("geometry"))
                  for f in value.get("features") or [] if isinstance(f, Mapping)}
    shape = to_shape(value.get("geometry")) if kind == "drawn" else None
    return MapEvent(kind, seq, str(session) if session is not None else None,
                    parse_view(value.get("view")), uid if isinstance(uid, str) else None,
                    shapes, shape)


def parse_view(value: Any) -> View:
    if not isinstance(value, Mapping):
        return View()
    center = _floats(value.get("center"), 2)
    zoom = _floats([value.get("zoom")], 1)
    bounds = _floats(value.get("bounds"), 4)
    return View(
        center=(center[0], center[1]) if center else None,
        zoom=int(zoom[0]) if zoom else None,
        bounds=(bounds[0], bounds[1], bounds[2], bounds[3]) if bounds else None,
    )


def to_shape(geometry: Any) -> Any:
    """A GeoJSON geometry from the browser as a shapely shape (InputError when it is not one)."""
    try:
        if not isinstance(geometry, Mapping):
            raise TypeError("not an object")
        return shapely.geometry.shape(geometry)
    except (TypeError, ValueError, KeyError, IndexError, shapely.errors.GEOSException):
        raise InputError("แผนที่ส่งรูปร่างที่อ่านไม่ได้กลับมา จึงไม่ได้ใช้รูปร่างนี้",
                         "the map sent back a shape that cannot be read, so it was not used",
                         fix_th="แก้รูปร่างบนแผนที่อีกครั้ง",
                         fix_en="edit the shape on the map again") from None


def _floats(value: Any, n: int) -> list[float] | None:
    """``n`` numbers (not yes/no values) as floats, else None."""
    if (isinstance(value, list | tuple) and len(value) == n
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)):
        return [float(v) for v in value]
    return None


__all__ = ["FRONTEND", "HEIGHT", "MODES", "MapEvent", "Mode", "View", "collection",
           "edit_map", "feature", "parse_event", "revision", "to_shape"]
