"""Choices shared by the printed reports: language, era and paper, checked before any work."""

from __future__ import annotations

from typing import Final, Literal

from gis.errors import InputError
from gis.report.engine import Paper

Lang = Literal["th", "en"]
LANGS: Final = ("th", "en")
PAPERS: Final[dict[str, Paper]] = {"a4": "A4", "a3": "A3"}


def check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    """Refuse, in Thai and English, a value that is not one of ``allowed``.

    Parameters
    ----------
    name : str
        The argument's name, as the user gave it (``lang``, ``era``, ``paper`` …).
    value : str
    allowed : tuple of str

    Raises
    ------
    gis.errors.InputError
    """
    if value not in allowed:
        raise InputError(f"ค่า {name} ต้องเป็น {' หรือ '.join(allowed)} (ได้รับ {value!r})",
                         f"{name} must be {' or '.join(allowed)} (got {value!r})", field=name)


def paper_size(paper: str) -> Paper:
    """The engine's paper name (``"A4"``) for a report's ``paper`` argument (``"a4"``)."""
    key = str(paper).lower()
    check_choice("paper", key, tuple(PAPERS))
    return PAPERS[key]
