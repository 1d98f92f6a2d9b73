"""The village repair map for print: plots, the village outline, every house, and the numbered
households on top — a number in a circle coloured by the repair's status, with a square, a
triangle or a cross beside it for disabled, elderly or bedridden members.

The base map (shapes, scale bar, north arrow) is `gis.report.svgmap.render_map`'s. The
numbered markers are drawn here, over it, in the same projection and fit: a number must never
be dropped, as the base map drops a label that would sit on another. A marker that would cover
one already placed (or the scale bar or the north arrow) is moved out along a spiral and a
thin line points back to its house, so every number stays readable on paper.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import shapely
from markupsafe import Markup
from shapely.geometry.base import BaseGeometry

# The fit is svgmap's own (private there): the overlay must land exactly where render_map put
# the shapes, and recomputing it here would drift the day svgmap's fit changes.
from gis.report.svgmap import INK, PX_PER_MM, MapLayer, _fit, render_map
from gis.report.village_map_data import MEMBER_KINDS, OPEN_STATUSES, WAITING, Entry
from layers import LAYERS

STATUS_COLORS: Final[Mapping[str, str]] = MappingProxyType({
    WAITING: "#c62828", "proposed": "#e65100", "approved": "#fbc02d",
    "in_progress": "#1976d2", "done": "#2e7d32",
})
SYMBOL_COLORS: Final[Mapping[str, str]] = MappingProxyType({
    "disabled": "#6a1b9a", "elderly": "#00838f", "bedridden": "#b71c1c",
})
MARGIN: Final = 0.06
RADIUS: Final = 6.0  # px (1 px = 0.26 mm): a two-digit number in 7.5 px type fits inside
SYMBOL: Final = 4.6  # a member symbol's size beside a numbered marker
SMALL_SYMBOL: Final = 3.6  # beside an unnumbered house
PLOT_STROKE: Final = "#9e9e9e"
OTHER_HOUSE: Final = "#8d8d8d"
Box = tuple[float, float, float, float]
Coords = np.ndarray[Any, Any]

assert set(OPEN_STATUSES) | {WAITING} == set(STATUS_COLORS)  # a new status needs a colour


def village_svg(*, outline: BaseGeometry | None, plots: Sequence[BaseGeometry],
                entries: Sequence[Entry], others: Sequence[tuple[BaseGeometry, Mapping[str, int]]],
                width_mm: float, height_mm: float, lang: str,
                empty_text: str | None = None) -> Markup:
    """Draw the village map.

    Parameters
    ----------
    outline : shapely geometry or None
        The village's outline (EPSG:4326); it sets the map's extent. None: fit the shapes.
    plots : sequence of shapely geometries
        The village's plots, drawn pale for orientation.
    entries : sequence of Entry
        The numbered households (those without a point are in the list only).
    others : sequence of (point, members)
        The other houses: a grey dot, and the symbols of their vulnerable members.
    width_mm, height_mm : float
        The map's size on paper.
    lang : {"th", "en"}
    empty_text : str, optional
        Written in the middle when there is nothing to draw.

    Returns
    -------
    markupsafe.Markup
        An ``<svg>`` element.
    """
    village_style = LAYERS["villages"].style
    assert village_style is not None  # declared in layers/villages.py
    layers = [
        MapLayer(list(plots), color="#e0e0e0", stroke=PLOT_STROKE, fill_opacity=0.35,
                 stroke_width=0.35),
        MapLayer([outline] if outline is not None else [], color=village_style.color,
                 fill_opacity=0.0, stroke_width=1.8),
        MapLayer([p for p, _ in others], color=OTHER_HOUSE, radius=1.7),
    ]
    points = [e.point for e in entries if e.point is not None]
    # The map frames where people live — the plots and houses — rather than the village's
    # whole outline: a rural village's outline takes in its fields, and at that scale the
    # numbers would crowd into a corner. The outline is drawn where it crosses the frame.
    extent = _envelope([*plots, *points, *(p for p, _ in others)])
    if extent is None:
        extent = outline
    svg = render_map(layers, width_mm=width_mm, height_mm=height_mm, lang=lang, extent=extent,
                     margin=MARGIN, empty_text=empty_text)
    width, height = width_mm * PX_PER_MM, height_mm * PX_PER_MM
    frame = _fit(layers, extent, width, height, MARGIN)
    if frame is None:
        return svg
    parts = [_other_symbols(others, frame.to_screen)]
    located = [e for e in entries if e.point is not None]
    if located:
        xy = frame.to_screen(np.array([[e.point.x, e.point.y] for e in located
                                       if e.point is not None]))
        parts.append(_markers(located, xy, width, height))
    overlay = "".join(parts)
    # render_map's SVG ends with its frame border and ``</svg>``: the overlay goes just inside.
    body = str(svg)
    assert body.endswith("</svg>")
    return Markup(body[: -len("</svg>")] + overlay + "</svg>")


def _envelope(shapes: Sequence[BaseGeometry]) -> BaseGeometry | None:
    shown = [s for s in shapes if s is not None and not s.is_empty]
    return shapely.envelope(shapely.union_all(shown)) if shown else None


def _other_symbols(others: Sequence[tuple[BaseGeometry, Mapping[str, int]]],
                   to_screen: Callable[[Coords], Coords]) -> str:
    marked = [(p, m) for p, m in others if m]
    if not marked:
        return ""
    xy = to_screen(np.array([[p.x, p.y] for p, _ in marked]))
    out = ['<g class="others">']
    for (x, y), (_, members) in zip(xy, marked, strict=True):
        kinds = [k for k in MEMBER_KINDS if k in members]
        for i, kind in enumerate(kinds):
            out.append(symbol(kind, x + 3.2 + i * (SMALL_SYMBOL + 0.8), y, SMALL_SYMBOL))
    out.append("</g>")
    return "".join(out)


def _markers(entries: Sequence[Entry], xy: Coords, width: float, height: float) -> str:
    # The scale bar (bottom left) and the north arrow (top right) of render_map stay clear.
    placed: list[Box] = [(0.0, height - 34.0, width * 0.25 + 40.0, height),
                         (width - 34.0, 0.0, width, 46.0)]
    leaders, markers = [], []
    for entry, (x, y) in zip(entries, xy, strict=True):
        radius = RADIUS if entry.number < 100 else RADIUS * 1.25
        kinds = [k for k in MEMBER_KINDS if k in entry.members]
        extra = len(kinds) * (SYMBOL + 0.8) + (0.8 if kinds else 0.0)
        cx, cy = _place(x, y, radius, extra, placed, width, height)
        if (cx, cy) != (x, y):
            leaders.append(f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{cx:.1f}" y2="{cy:.1f}" '
                           f'stroke="{INK}" stroke-width="0.6"/>'
                           f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.4" fill="{INK}"/>')
        markers.append(_marker(entry, cx, cy, radius, kinds))
    return f'<g class="leaders">{"".join(leaders)}</g><g class="markers">{"".join(markers)}</g>'


def _place(x: float, y: float, radius: float, extra: float, placed: list[Box], width: float,
           height: float) -> tuple[float, float]:
    """The marker's centre: on its house if free, else the nearest free spot on a spiral."""
    step = 2 * radius + 1.5
    for dx, dy in _spiral(step):
        cx, cy = x + dx, y + dy
        box = (cx - radius - 0.6, cy - radius - 0.6, cx + radius + extra + 0.6, cy + radius + 0.6)
        inside = box[0] >= 1 and box[1] >= 1 and box[2] <= width - 1 and box[3] <= height - 1
        if inside and not any(_overlaps(box, other) for other in placed):
            placed.append(box)
            return cx, cy
    # Nowhere free within reach (a very crowded corner): on the house, covering a neighbour.
    placed.append((x - radius, y - radius, x + radius + extra, y + radius))
    return x, y


def _spiral(step: float) -> Iterator[tuple[float, float]]:
    yield 0.0, 0.0
    for ring in range(1, 7):
        count = 8 * ring
        for k in range(count):
            # From up-right, clockwise on paper: a label sits up and right of its point first.
            angle = -math.pi / 4 + 2 * math.pi * k / count
            yield ring * step * math.cos(angle), ring * step * math.sin(angle)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _marker(entry: Entry, cx: float, cy: float, radius: float, kinds: Sequence[str]) -> str:
    color = STATUS_COLORS[entry.status]
    ring = (f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius + 1.4:.1f}" fill="none" '
            f'stroke="{INK}" stroke-width="1.1"/>' if entry.priority else "")
    size = 7.5 if entry.number < 100 else 7.0
    out = [ring,
           f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:.1f}" fill="#ffffff" '
           f'stroke="{color}" stroke-width="2"/>',
           f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="{size}" font-weight="700" '
           f'text-anchor="middle" dominant-baseline="central" fill="{INK}">{entry.number}</text>']
    for i, kind in enumerate(kinds):
        out.append(symbol(kind, cx + radius + 0.8 + SYMBOL / 2 + i * (SYMBOL + 0.8), cy, SYMBOL))
    return "".join(out)


def symbol(kind: str, x: float, y: float, size: float) -> str:
    """A member symbol centred on (x, y): a square (disabled), a triangle (elderly) or a
    cross (bedridden), each in its own colour, with a white edge to stand out on any fill.

    Parameters
    ----------
    kind : {"disabled", "elderly", "bedridden"}
    x, y, size : float
        Centre and size in SVG pixels.

    Returns
    -------
    str
        SVG elements (no text: safe as it is).
    """
    color, h = SYMBOL_COLORS[kind], size / 2
    edge = 'stroke="#ffffff" stroke-width="0.5"'
    if kind == "disabled":
        return (f'<rect x="{x - h:.2f}" y="{y - h:.2f}" width="{size:.2f}" height="{size:.2f}" '
                f'fill="{color}" {edge}/>')
    if kind == "elderly":
        return (f'<path d="M{x:.2f} {y - h * 1.1:.2f}L{x + h * 1.1:.2f} {y + h:.2f}'
                f'L{x - h * 1.1:.2f} {y + h:.2f}Z" fill="{color}" {edge}/>')
    t = size * 0.38  # a Greek cross: bars this thick
    a, b = t / 2, h
    d = (f"M{x - a:.2f} {y - b:.2f}H{x + a:.2f}V{y - a:.2f}H{x + b:.2f}V{y + a:.2f}"
         f"H{x + a:.2f}V{y + b:.2f}H{x - a:.2f}V{y + a:.2f}H{x - b:.2f}V{y - a:.2f}"
         f"H{x - a:.2f}Z")
    return f'<path d="{d}" fill="{color}" {edge}/>'


def swatch(kind: str, code: str = "") -> Markup:
    """A small inline SVG for the legend and the list, drawn as on the map.

    Parameters
    ----------
    kind : {"status", "priority", "member", "other", "plot", "village", "leader"}
    code : str
        The status code (``kind`` "status") or the member kind (``kind`` "member").

    Returns
    -------
    markupsafe.Markup
    """
    w, h = 18.0, 14.0
    cx, cy = w / 2, h / 2
    if kind == "status":
        body = (f'<circle cx="{cx}" cy="{cy}" r="5" fill="#ffffff" '
                f'stroke="{STATUS_COLORS[code]}" stroke-width="2"/>')
    elif kind == "priority":
        body = (f'<circle cx="{cx}" cy="{cy}" r="6.2" fill="none" stroke="{INK}" '
                f'stroke-width="1.1"/><circle cx="{cx}" cy="{cy}" r="4.4" fill="#ffffff" '
                f'stroke="{STATUS_COLORS["proposed"]}" stroke-width="1.6"/>')
    elif kind == "member":
        body = symbol(code, cx, cy, 8.0)
    elif kind == "other":
        body = f'<circle cx="{cx}" cy="{cy}" r="2" fill="{OTHER_HOUSE}"/>'
    elif kind == "plot":
        body = (f'<rect x="2" y="2" width="{w - 4}" height="{h - 4}" fill="#e0e0e0" '
                f'fill-opacity="0.6" stroke="{PLOT_STROKE}" stroke-width="0.6"/>')
    elif kind == "village":
        style = LAYERS["villages"].style
        assert style is not None
        body = (f'<rect x="2" y="2" width="{w - 4}" height="{h - 4}" fill="none" '
                f'stroke="{style.color}" stroke-width="1.8"/>')
    elif kind == "leader":
        body = (f'<circle cx="3" cy="{h - 3}" r="1.4" fill="{INK}"/><line x1="3" y1="{h - 3}" '
                f'x2="{w - 6}" y2="5" stroke="{INK}" stroke-width="0.6"/><circle cx="{w - 6}" '
                f'cy="5" r="4" fill="#ffffff" stroke="{STATUS_COLORS["approved"]}" '
                'stroke-width="1.6"/>')
    else:
        raise ValueError(f"unknown legend swatch {kind!r}")
    return Markup(f'<svg class="swatch" xmlns="http://www.w3.org/2000/svg" width="{w}" '
                  f'height="{h}" viewBox="0 0 {w} {h}">{body}</svg>')
