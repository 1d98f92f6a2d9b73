"""The report's fonts: the vendored Sarabun, embedded as ``data:`` URLs.

Chromium prints the page and its header/footer templates in separate documents; the footer
cannot load a font by URL at all (it falls back to a default font), and the page must fetch
nothing from outside. Embedding the woff2 files (about 40 kB for Thai and Latin, regular and
bold) in both solves both. The ``@font-face`` rules, with their ``unicode-range`` subsets, are
those of ``static/fonts.css``, the app's own, so the app and its reports use one declaration.
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path
from typing import Final

STATIC_DIR: Final = Path(__file__).resolve().parents[2] / "static"
FONTS_CSS: Final = STATIC_DIR / "fonts.css"

FONT_FAMILY: Final = "Sarabun"
# Sarabun has Thai and Latin glyphs. Should the vendored files be missing (an install without
# the repository's static/ folder), Chromium falls back along this stack one character at a
# time: Debian's Noto Sans Thai has no Latin digits, so Latin fonts follow it.
FONT_STACK: Final = (
    f'"{FONT_FAMILY}", "Noto Sans Thai", "Loma", "Noto Sans", "DejaVu Sans", sans-serif'
)

_URL = re.compile(r'url\("(?P<path>[^"]+\.woff2)"\)')


@functools.cache
def font_faces_css() -> str:
    """``@font-face`` rules for Sarabun with every file inlined as a ``data:`` URL.

    Returns
    -------
    str
        CSS text; empty when ``static/fonts.css`` is not there (the stack's system fonts are
        then used).

    Raises
    ------
    FileNotFoundError
        If ``static/fonts.css`` names a font file that is missing (a broken vendoring, which
        would otherwise print the report in a fallback font without a word).
    """
    if not FONTS_CSS.is_file():
        return ""
    css = FONTS_CSS.read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        path = (FONTS_CSS.parent / match["path"]).resolve()
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'url("data:font/woff2;base64,{data}")'

    return _URL.sub(inline, css)


def has_vendored_font() -> bool:
    """Whether the vendored Sarabun is available (and so embedded in every report)."""
    return "data:font/woff2" in font_faces_css()
