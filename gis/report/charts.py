"""Bar charts for print, as inline SVG: no script, no web font, nothing fetched.

A chart is a few rectangles and text in the page's own font, so Chromium shapes Thai labels
like any other text and ``pdftotext`` gets them back. A value hidden from an outside audience
(None) gets no bar, only its ``<3``: a bar's length would give the hidden count away.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup, escape

from gis.report.svgmap import INK, PX_PER_MM

TRACK: Final = "#eceff1"


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value (None: hidden), the value as printed and its colour.

    ``inner`` is a part of the value drawn darker inside the bar (e.g. the priority
    households among those surveyed); None draws none (or hides it).
    """

    label: str
    value: float | None
    text: str
    color: str
    inner: float | None = None
    inner_color: str = "#1f4e79"


def bar_chart(bars: Sequence[Bar], *, width_mm: float, label_mm: float = 48.0,
              row_mm: float = 6.0, value_mm: float = 26.0) -> Markup:
    """Draw a horizontal bar chart, one row per bar, all on one scale from zero.

    Parameters
    ----------
    bars : sequence of Bar
    width_mm : float
        The chart's width on paper.
    label_mm : float, default 48
        Room for the labels, on the left.
    row_mm : float, default 6
        Height of a row.
    value_mm : float, default 26
        Room kept right of the longest bar for its printed value.

    Returns
    -------
    markupsafe.Markup
        An ``<svg>`` element; every text in it is escaped here.
    """
    px = PX_PER_MM
    width, row = width_mm * px, row_mm * px
    left, track = label_mm * px, (width_mm - label_mm - value_mm) * px
    height = max(len(bars), 1) * row + 4
    top = max((b.value for b in bars if b.value is not None), default=0.0)
    scale = track / top if top > 0 else 0.0
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width_mm}mm" '
             f'height="{height / px:.2f}mm" viewBox="0 0 {width:.1f} {height:.1f}">']
    for i, bar in enumerate(bars):
        y = 2 + i * row
        mid = y + row / 2
        thick = row * 0.62
        parts.append(_text(left - 6, mid, bar.label, anchor="end"))
        parts.append(f'<rect x="{left:.1f}" y="{mid - thick / 2:.1f}" width="{track:.1f}" '
                     f'height="{thick:.1f}" fill="{TRACK}"/>')
        length = (bar.value or 0.0) * scale
        if length > 0:
            parts.append(f'<rect x="{left:.1f}" y="{mid - thick / 2:.1f}" '
                         f'width="{length:.1f}" height="{thick:.1f}" '
                         f'fill="{escape(bar.color)}"/>')
        inner = (bar.inner or 0.0) * scale
        if inner > 0:
            parts.append(f'<rect x="{left:.1f}" y="{mid - thick / 2:.1f}" '
                         f'width="{min(inner, length):.1f}" height="{thick:.1f}" '
                         f'fill="{escape(bar.inner_color)}"/>')
        parts.append(_text(left + length + 4, mid, bar.text, anchor="start", weight="700"))
    parts.append("</svg>")
    return Markup("".join(parts))


def _text(x: float, y: float, text: str, *, anchor: str, weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="9.5" text-anchor="{anchor}" '
            f'dominant-baseline="central" font-weight="{weight}" fill="{INK}">'
            f"{escape(text)}</text>")
