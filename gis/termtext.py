"""Text laid out in a terminal: Thai vowel and tone marks above or below a consonant take no
column of their own, so widths are counted without them (the CLI's readable tables)."""

from __future__ import annotations

import unicodedata

_ZERO_WIDTH = ("Mn", "Me", "Cf")  # combining marks and format characters


def width(text: str) -> int:
    """The columns ``text`` takes in a terminal."""
    return sum(1 for ch in text if unicodedata.category(ch) not in _ZERO_WIDTH)


def pad(text: str, columns: int, *, left: bool) -> str:
    """``text`` padded with spaces to ``columns`` (on the right when ``left``-aligned)."""
    space = " " * (columns - width(text))
    return text + space if left else space + text
