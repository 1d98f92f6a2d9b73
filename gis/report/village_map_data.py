"""Which households the village repair map numbers, in which order, and what its list says.

A household is numbered when the team still has something to do there:

- it has a repair that is not yet verified (proposed, approved, in progress, or done and
  waiting for the inspection committee's ตรวจรับ), or
- it is marked as needing repair (``needs_repair``) or as a priority household
  (``priority_flag``) and has no repair at all yet — the meeting should propose one.

A household whose repairs are all verified is finished and is not numbered, even if its
``needs_repair`` answer from the survey was never cleared. Numbers follow the house numbers
(natural order: 7, 7/1, 8, 10), so the printed list reads like the village register and the
same household keeps its number from one printing to the next as long as the list is the same.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from shapely.geometry.base import BaseGeometry

from layers.vocab import REPAIR_STATUS

VERIFIED = "verified"
WAITING = "waiting"  # marked as needing repair (or priority) but no repair proposed yet
OPEN_STATUSES: tuple[str, ...] = tuple(c for c in REPAIR_STATUS.codes() if c != VERIFIED)
# Members drawn as symbols, in legend order; a column the audience may not see is absent.
MEMBER_KINDS: tuple[str, ...] = ("disabled", "elderly", "bedridden")


@dataclass(frozen=True)
class RepairLine:
    """One open repair of a numbered household, as its list row shows it."""

    repair_id: str
    items: str
    estimate: float | None
    approved: float | None
    status: str


@dataclass(frozen=True)
class Entry:
    """A numbered household: its number on the map and in the list, and what the list says.

    ``status`` is the least advanced stage of its open repairs (the most work left), or
    ``"waiting"``; ``members`` counts the vulnerable members the audience may see, by kind.
    """

    number: int
    uid: str
    house_no: str
    head_name: str
    point: BaseGeometry | None
    status: str
    priority: bool
    members: Mapping[str, int]
    repairs: tuple[RepairLine, ...]


def numbered(households: pd.DataFrame, repairs: pd.DataFrame) -> list[Entry]:
    """The households to number, in house-number order, numbered from 1.

    Parameters
    ----------
    households : DataFrame
        The village's households as the audience sees them (``gis.privacy.read_visible``).
    repairs : DataFrame
        The village's live repairs.

    Returns
    -------
    list of Entry
    """
    if households.empty:
        return []
    by_household: dict[str, list[dict[str, Any]]] = {}
    for r in _records(repairs):
        by_household.setdefault(str(r["household_uid"]), []).append(r)
    chosen = []
    for h in _records(households):
        own = by_household.get(str(h["uid"]), [])
        open_ = [r for r in own if str(r["status"]) != VERIFIED]
        flagged = _true(h.get("needs_repair")) or _true(h.get("priority_flag"))
        if open_ or (flagged and not own):
            chosen.append((h, open_))
    chosen.sort(key=lambda pair: (house_order(pair[0].get("house_no")),
                                  str(pair[0].get("household_id") or "")))
    return [_entry(number, h, open_) for number, (h, open_) in enumerate(chosen, start=1)]


def _entry(number: int, h: Mapping[str, Any], open_: Sequence[Mapping[str, Any]]) -> Entry:
    lines = tuple(
        RepairLine(repair_id=str(r["repair_id"]), items=_text(r.get("items")),
                   estimate=_amount(r.get("estimate")),
                   approved=_amount(r.get("approved_amount")), status=str(r["status"]))
        for r in sorted(open_, key=lambda r: str(r["repair_id"]))
    )
    status = min((line.status for line in lines), key=OPEN_STATUSES.index) if lines \
        else WAITING
    return Entry(number=number, uid=str(h["uid"]), house_no=_text(h.get("house_no")),
                 head_name=_text(h.get("head_name")), point=_point(h.get("geometry")),
                 status=status, priority=_true(h.get("priority_flag")),
                 members=member_counts(h), repairs=lines)


def member_counts(household: Mapping[str, Any]) -> dict[str, int]:
    """The household's disabled, elderly and bedridden members that the audience may see
    (columns above its privacy ceiling are absent) and that are more than zero."""
    out = {}
    for kind in MEMBER_KINDS:
        value = household.get(kind)
        if value is not None and not _missing(value) and int(value) > 0:
            out[kind] = int(value)
    return out


def others(households: pd.DataFrame, entries: Sequence[Entry]) -> list[tuple[BaseGeometry,
                                                                             dict[str, int]]]:
    """The village's other households (not numbered): their point and vulnerable members."""
    taken = {e.uid for e in entries}
    out = []
    for h in _records(households):
        point = _point(h.get("geometry"))
        if point is not None and str(h["uid"]) not in taken:
            out.append((point, member_counts(h)))
    return out


_PARTS = re.compile(r"(\d+)")


def house_order(house_no: Any) -> tuple[int, tuple[tuple[int, int | str], ...]]:
    """A sort key for house numbers: 7 < 7/1 < 8 < 10 < 10/2; missing ones last."""
    if _missing(house_no) or not str(house_no).strip():
        return (1, ())
    parts = tuple((0, int(p)) if p.isdigit() else (1, p)
                  for p in _PARTS.split(str(house_no).strip()) if p)
    return (0, parts)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _true(value: Any) -> bool:
    return bool(value) if not _missing(value) else False


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def _amount(value: Any) -> float | None:
    return None if _missing(value) else float(value)


def _point(value: Any) -> BaseGeometry | None:
    if isinstance(value, BaseGeometry) and not value.is_empty:
        return value
    return None
