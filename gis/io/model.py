"""What readers hand on: source layers as read, and every problem found as an ``Issue``.

Readers never raise for bad data: they return what they could read and ``Issue``s naming the
file, source layer, row, field, what was found and the fix, in Thai and English (DESIGN.md §5).
Only a bug raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

import pandas as pd


class Severity(StrEnum):
    """``error``: the row (or file) is not imported; ``warning``: imported and flagged;
    ``info``: something was normalised (Thai digits, Buddhist-Era dates, swapped lat/lon…)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Issue:
    """One finding. ``row`` counts from 1 (features in read order; CSV/XLSX data rows after the
    header); None for a finding about the whole file or layer. ``sheet`` for XLSX. ``uid``
    names a stored feature (the editor's checks, the quality page) instead of a row."""

    code: str
    severity: Severity
    message_th: str
    message_en: str
    fix_th: str = ""
    fix_en: str = ""
    file: str | None = None
    layer: str | None = None
    row: int | None = None
    field: str | None = None
    sheet: str | None = None
    uid: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The shape of ``landmap check --json`` issues (fields are added, never removed)."""
        out: dict[str, Any] = {
            "layer": self.layer, "row": self.row, "field": self.field, "code": self.code,
            "severity": self.severity.value, "message_th": self.message_th,
            "message_en": self.message_en, "fix_th": self.fix_th, "fix_en": self.fix_en,
        }
        if self.sheet is not None:
            out["sheet"] = self.sheet
        if self.uid is not None:
            out["uid"] = self.uid
        return out


CrsSource = Literal["declared", "guessed", "given"]


@dataclass(frozen=True)
class CrsCandidate:
    """A CRS the coordinates could be in, and why, in both languages. ``swapped_axes``: the
    file stores latitude as x and longitude as y (swap before reprojecting)."""

    epsg: int
    reason_th: str
    reason_en: str
    swapped_axes: bool = False

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "epsg": self.epsg, "reason_th": self.reason_th, "reason_en": self.reason_en,
        }
        if self.swapped_axes:
            out["swapped_axes"] = True
        return out


@dataclass
class RawLayer:
    """One source layer as read, before reprojection and field mapping.

    ``frame`` holds the source columns with decoded values (text as ``str``), in read order,
    one row per feature; ``geometry`` the shapes in the source CRS (None where a row has none),
    or None for a layer without geometry. ``crs_epsg`` is the declared or given CRS; when it is
    None, ``crs_candidates`` ranks what the coordinates could be in.
    """

    name: str
    frame: pd.DataFrame
    geometry: list[Any] | None
    crs_epsg: int | None = None
    crs_source: CrsSource | None = None
    crs_candidates: list[CrsCandidate] = field(default_factory=list)
    encoding: str | None = None
    sheet: str | None = None
    issues: list[Issue] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReadResult:
    """Everything read from one uploaded file (a zip may hold several layers)."""

    file: str
    format: str
    layers: list[RawLayer] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # about the file as a whole

    def all_issues(self) -> list[Issue]:
        return [*self.issues, *(i for layer in self.layers for i in layer.issues)]


def issue(
    code: str, severity: Severity, th: str, en: str, *, fix_th: str = "", fix_en: str = "",
    **where: Any,
) -> Issue:
    """Shorthand used by readers: ``issue("no_prj", Severity.WARNING, "…", "…", layer=…)``."""
    return Issue(code, severity, th, en, fix_th, fix_en, **where)


Options = Mapping[str, Any]  # reader options: {"encoding": "cp874", "crs": 32647, "layer": …}
