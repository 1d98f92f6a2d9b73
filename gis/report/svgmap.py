"""Static maps for print: shapely geometries → inline SVG, with a scale bar and a north arrow.

A printed map needs no tiles and no script: the shapes are projected to metres (the UTM zone
of the map's centre, so Sa Kaeo across 102°E gets 48N and Bangkok 47N), fitted into the frame
and written as SVG paths. Polygons keep their holes (``fill-rule: evenodd``). Labels are SVG
text in the page's font, so Chromium shapes the Thai like any other text of the page and
``pdftotext`` gets it back. Nothing is fetched.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import shapely
from markupsafe import Markup, escape
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from layers.schema import Style

PX_PER_MM: Final = 96 / 25.4  # CSS pixels, in which strokes and text sizes are given
HALO: Final = "#ffffff"
INK: Final = "#212121"


@dataclass(frozen=True)
class MapLayer:
    """One layer to draw: shapes in EPSG:4326 (WGS84 lon/lat) and how to paint them.

    ``fills`` holds one colour per shape, or is empty to use ``color`` for all. ``stroke``
    None draws each outline in its fill colour. ``labels`` (one per shape, None for no label;
    ``\\n`` starts a new line) are written at each shape's representative point.
    """

    geometries: Sequence[BaseGeometry | None]
    color: str = "#757575"
    fills: Sequence[str] = ()
    stroke: str | None = None
    fill_opacity: float = 0.2
    stroke_width: float = 1.0
    radius: float = 2.5
    dashed: bool = False
    labels: Sequence[str | None] = ()
    label_size: float = 8.0


def layer_from_style(
    geometries: Sequence[BaseGeometry | None],
    style: Style,
    *,
    codes: Sequence[str | None] = (),
    labels: Sequence[str | None] = (),
    stroke: str | None = None,
    stroke_width: float | None = None,
    fill_opacity: float | None = None,
    dashed: bool = False,
    label_size: float = 8.0,
) -> MapLayer:
    """A `MapLayer` coloured by a layer's declared ``Style`` (layers/), as the app's map is.

    Parameters
    ----------
    geometries : sequence of shapely geometries
        In EPSG:4326.
    style : layers.schema.Style
        The layer's style; ``codes`` are the values of its ``by_field`` for each shape.
    codes : sequence of str, optional
        One code per shape (e.g. the zone's agency); empty: every shape in ``style.color``.
    labels, stroke, stroke_width, fill_opacity, dashed, label_size
        As in `MapLayer`; ``stroke_width`` and ``fill_opacity`` default to the style's.

    Returns
    -------
    MapLayer
    """
    fills = tuple(style.color_for(c) for c in codes) if len(codes) else ()
    return MapLayer(
        geometries=geometries, color=style.color, fills=fills, stroke=stroke,
        fill_opacity=style.fill_opacity if fill_opacity is None else fill_opacity,
        stroke_width=style.weight * 0.6 if stroke_width is None else stroke_width,
        radius=style.radius * 0.5, dashed=dashed, labels=labels, label_size=label_size,
    )


def utm_epsg(lon: float, lat: float) -> int:
    """The EPSG code of the WGS84 UTM zone holding a point (32647 for 99°E, 32648 for 102.5°E).

    Parameters
    ----------
    lon, lat : float
        Degrees.

    Returns
    -------
    int
    """
    zone = min(int((lon + 180) // 6) + 1, 60)
    return (32600 if lat >= 0 else 32700) + zone


@dataclass
class _Frame:
    """Projection and fit: lon/lat → UTM metres → SVG pixels of the frame."""

    transformer: Transformer
    bounds: tuple[float, float, float, float]  # metres
    scale: float  # pixels per metre
    offset: tuple[float, float]
    placed: list[tuple[float, float, float, float]] = field(default_factory=list)

    def to_screen(self, coords: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        x, y = self.transformer.transform(coords[:, 0], coords[:, 1])
        minx, _, _, maxy = self.bounds
        sx = self.offset[0] + (np.asarray(x) - minx) * self.scale
        sy = self.offset[1] + (maxy - np.asarray(y)) * self.scale
        return np.column_stack([sx, sy])


def render_map(
    layers: Sequence[MapLayer],
    *,
    width_mm: float,
    height_mm: float,
    lang: str = "th",
    extent: BaseGeometry | None = None,
    margin: float = 0.05,
    empty_text: str | None = None,
) -> Markup:
    """Draw layers into an SVG map frame of the given size.

    Parameters
    ----------
    layers : sequence of MapLayer
        Drawn in order (the first at the bottom); labels of all layers go on top.
    width_mm, height_mm : float
        The frame's size on paper.
    lang : {"th", "en"}, default "th"
        Language of the scale bar's unit.
    extent : shapely geometry, optional
        The area to fit (EPSG:4326); default: every shape of every layer.
    margin : float, default 0.05
        Blank border around the extent, as a share of the frame.
    empty_text : str, optional
        Written in the middle of the frame when there is nothing to draw.

    Returns
    -------
    markupsafe.Markup
        An ``<svg>`` element, safe to put in a template (every text is escaped here).
    """
    width, height = width_mm * PX_PER_MM, height_mm * PX_PER_MM
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="map" width="{width_mm}mm" '
            f'height="{height_mm}mm" viewBox="0 0 {width:.1f} {height:.1f}">'
            f'<rect x="0" y="0" width="{width:.1f}" height="{height:.1f}" fill="#ffffff"/>')
    frame = _fit(layers, extent, width, height, margin)
    parts = [head]
    if frame is None:
        if empty_text:
            parts.append(_text(width / 2, height / 2, empty_text, 10))
    else:
        for layer in layers:
            parts.append(_draw_layer(layer, frame))
        for layer in layers:
            parts.append(_draw_labels(layer, frame))
        parts.append(_scale_bar(frame, width, height, lang))
        parts.append(_north_arrow(width))
    parts.append(f'<rect x="0.5" y="0.5" width="{width - 1:.1f}" height="{height - 1:.1f}" '
                 f'fill="none" stroke="{INK}" stroke-width="1"/></svg>')
    return Markup("".join(parts))


def _fit(layers: Sequence[MapLayer], extent: BaseGeometry | None, width: float,
         height: float, margin: float) -> _Frame | None:
    if extent is None or extent.is_empty:
        shapes = [g for layer in layers for g in layer.geometries
                  if g is not None and not g.is_empty]
        if not shapes:
            return None
        extent = shapely.union_all(shapely.envelope(np.array(shapes, dtype=object)))
    west, south, east, north = extent.bounds
    transformer = Transformer.from_crs(
        4326, utm_epsg((west + east) / 2, (south + north) / 2), always_xy=True)
    # Points along the bounding box's edges, so that the projected bounds follow its edges,
    # which are curved in UTM (a point's box is that one point, repeated).
    steps = np.linspace(0.0, 1.0, 17)
    lons = np.concatenate([west + (east - west) * steps, np.full(17, east),
                           west + (east - west) * steps, np.full(17, west)])
    lats = np.concatenate([np.full(17, south), south + (north - south) * steps,
                           np.full(17, north), south + (north - south) * steps])
    x, y = transformer.transform(lons, lats)
    minx, miny, maxx, maxy = float(np.min(x)), float(np.min(y)), float(np.max(x)), float(np.max(y))
    # A single point (or a line) has no extent: show 200 m around it.
    span_x, span_y = max(maxx - minx, 200.0), max(maxy - miny, 200.0)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    minx, maxx, miny, maxy = cx - span_x / 2, cx + span_x / 2, cy - span_y / 2, cy + span_y / 2
    usable_w, usable_h = width * (1 - 2 * margin), height * (1 - 2 * margin)
    scale = min(usable_w / span_x, usable_h / span_y)
    offset = ((width - span_x * scale) / 2, (height - span_y * scale) / 2)
    return _Frame(transformer, (minx, miny, maxx, maxy), scale, offset)


def _draw_layer(layer: MapLayer, frame: _Frame) -> str:
    dash = ' stroke-dasharray="4 2"' if layer.dashed else ""
    out = [f'<g fill-rule="evenodd" fill-opacity="{layer.fill_opacity:g}" '
           f'stroke-width="{layer.stroke_width:g}" stroke-linejoin="round"{dash}>']
    for i, geom in enumerate(layer.geometries):
        if geom is None or geom.is_empty:
            continue
        fill = layer.fills[i] if layer.fills else layer.color
        stroke = layer.stroke or fill
        screen = shapely.simplify(shapely.transform(geom, frame.to_screen), 0.25)
        for part in shapely.get_parts(screen):
            out.append(_element(part, fill, stroke, layer.radius))
    out.append("</g>")
    return "".join(out)


def _element(part: BaseGeometry, fill: str, stroke: str, radius: float) -> str:
    fill, stroke = escape(fill), escape(stroke)
    kind = part.geom_type
    if kind == "Point":
        return (f'<circle cx="{part.x:.1f}" cy="{part.y:.1f}" r="{radius:g}" fill="{fill}" '
                f'fill-opacity="0.9" stroke="{HALO}" stroke-width="0.5"/>')
    if kind == "Polygon":
        d = "".join(_ring(r, close=True) for r in shapely.get_rings(part))
        return f'<path d="{d}" fill="{fill}" stroke="{stroke}"/>'
    if kind == "LineString":
        return f'<path d="{_ring(part, close=False)}" fill="none" stroke="{stroke}"/>'
    return ""


def _ring(line: BaseGeometry, *, close: bool) -> str:
    xy = shapely.get_coordinates(line)
    if close:
        xy = xy[:-1]
    if len(xy) == 0:
        return ""
    return "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in xy) + ("Z" if close else "")


def _draw_labels(layer: MapLayer, frame: _Frame) -> str:
    out = []
    for geom, label in zip(layer.geometries, layer.labels, strict=False):
        if not label or geom is None or geom.is_empty:
            continue
        anchor = shapely.transform(shapely.point_on_surface(geom), frame.to_screen)
        lines = label.split("\n")
        size = layer.label_size
        # A rough box (Thai vowels and tone marks stack, so len() overestimates: erring wide),
        # used to leave out a label that would sit on one already written.
        w = max(len(line) for line in lines) * size * 0.5
        h = len(lines) * size * 1.2
        for dy in (0.0, -h, h):
            box = (anchor.x - w / 2, anchor.y + dy - h / 2, anchor.x + w / 2, anchor.y + dy + h / 2)
            if not any(_overlaps(box, other) for other in frame.placed):
                frame.placed.append(box)
                out.append(_text(anchor.x, anchor.y + dy - (len(lines) - 1) * size * 0.6,
                                 label, size))
                break
    return "".join(out)


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _text(x: float, y: float, label: str, size: float, *, anchor: str = "middle",
          weight: str = "normal") -> str:
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else size * 1.2:.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(label.split("\n"))
    )
    # No stroked halo: Chromium writes stroked text into the PDF a second time (as Type 3
    # glyphs), so every label would be extracted twice. The template's script puts a pale box
    # behind each ``halo`` text once the fonts are in and the text can be measured.
    return (f'<text class="halo" x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" '
            f'text-anchor="{anchor}" dominant-baseline="middle" font-weight="{weight}" '
            f'fill="{INK}">{spans}</text>')


def nice_length(limit_m: float) -> float:
    """The longest 1, 2 or 5 × 10ⁿ metres not over ``limit_m`` (a scale bar's length).

    Parameters
    ----------
    limit_m : float
        The most the bar may measure, in metres.

    Returns
    -------
    float
    """
    power = 10 ** math.floor(math.log10(limit_m))
    return float(max(m * power for m in (1, 2, 5) if m * power <= limit_m))


def scale_text(metres: float, lang: str) -> str:
    """``500 เมตร`` / ``2 กิโลเมตร`` (Thai) or ``500 m`` / ``2 km`` (English)."""
    if metres >= 1000:
        value = f"{metres / 1000:g}"
        return f"{value} กิโลเมตร" if lang == "th" else f"{value} km"
    return f"{metres:g} เมตร" if lang == "th" else f"{metres:g} m"


def _scale_bar(frame: _Frame, width: float, height: float, lang: str) -> str:
    metres = nice_length(width * 0.25 / frame.scale)
    length = metres * frame.scale
    x, y = 12.0, height - 14.0
    half = length / 2
    return (
        f'<g stroke="{INK}" stroke-width="0.8">'
        f'<rect x="{x - 4:.1f}" y="{y - 14:.1f}" width="{length + 8:.1f}" height="22" '
        f'fill="{HALO}" fill-opacity="0.8" stroke="none"/>'
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{half:.1f}" height="4" fill="{INK}"/>'
        f'<rect x="{x + half:.1f}" y="{y:.1f}" width="{half:.1f}" height="4" fill="{HALO}"/>'
        "</g>"
        + _text(x, y - 6, "0", 7, anchor="start")
        + _text(x + length, y - 6, scale_text(metres, lang), 7, anchor="end")
    )


def _north_arrow(width: float) -> str:
    # Grid north of the UTM projection; within a zone it is within ~1.5° of true north.
    x, y = width - 18.0, 14.0
    return (
        f'<g stroke="{INK}" stroke-width="0.8" stroke-linejoin="round">'
        f'<path d="M{x:.1f} {y:.1f}L{x + 6:.1f} {y + 18:.1f}L{x:.1f} {y + 14:.1f}Z" '
        f'fill="{INK}"/>'
        f'<path d="M{x:.1f} {y:.1f}L{x - 6:.1f} {y + 18:.1f}L{x:.1f} {y + 14:.1f}Z" '
        f'fill="{HALO}"/></g>'
        + _text(x, y + 26, "N", 9, weight="bold")
    )
