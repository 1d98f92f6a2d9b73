"""KoboToolbox and ODK Central exports: repeat groups joined to their submissions, rejected
submissions left out.

A form with a repeat group (the members of a household) exports as several tables. Kobo's XLSX
has the main sheet (``_index``, ``_uuid``, ``_validation_status`` …) and one sheet per repeat
group, whose rows point at their parent row with ``_parent_index`` (= its ``_index``) and
``_parent_table_name``; ODK Central's zip has ``Form.csv`` and ``Form-repeat.csv``, whose rows
point at theirs with ``PARENT_KEY`` (= its ``KEY``). A repeat table without a location of its own
is folded into its parent rows as ``<repeat>_count`` and ``<repeat>`` (a list of the repeat rows),
which the importer keeps in ``extra``; one with a location stays a layer of its own.

Submissions a reviewer rejected (Kobo ``_validation_status`` "Not Approved", ODK Central
``ReviewState`` ``rejected``) are left out, with their repeat rows. Their rows stay in place,
blank but for the submission's identity and without geometry, so that every other row keeps the
number it has in the file and nothing downstream has to renumber.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from gis.io.model import Issue, RawLayer, Severity, issue

KOBO, ODK = "KoboToolbox", "ODK Central"
KOBO_KEY, KOBO_REFERENCE, KOBO_PARENT_TABLE = "_index", "_parent_index", "_parent_table_name"
ODK_KEY, ODK_REFERENCE = "KEY", "PARENT_KEY"
# Columns that only tie tables together: not copied into the repeat rows joined to a parent.
BOOKKEEPING = frozenset({KOBO_KEY, KOBO_REFERENCE, KOBO_PARENT_TABLE, ODK_KEY, ODK_REFERENCE})
BOOKKEEPING_PREFIXES = ("_submission__", "SET-OF-")
# What a left-out row keeps: enough to find the submission on the server again.
IDENTITY = frozenset({
    "_id", "_uuid", "_index", "_parent_index", "_submission_time", "_validation_status",
    "_submission__id", "_submission__uuid", "_submission__validation_status",
    "KEY", "PARENT_KEY", "meta-instanceID", "ReviewState", "SubmissionDate",
})
STATUS_COLUMNS = (("_validation_status", KOBO), ("_submission__validation_status", KOBO),
                  ("ReviewState", ODK))
# Kobo writes the status as its uid, its label or the whole status object, e.g.
# {"uid": "validation_status_not_approved", "label": "Not Approved", …}.
_KOBO_REJECTED = re.compile(r"not[\s_-]*approved|ไม่อนุมัติ", re.IGNORECASE)
_ODK_GROUP = re.compile(r"/([^/\[\]]+)\[\d+\]$")  # uuid:…/members[2] → members
_SHEET_NAME_JUNK = re.compile(r"[\[\]:*?/\\\s]")  # what Excel forbids in a sheet name
EXCEL_SHEET_NAME_LENGTH = 31
SHOWN_ROWS = 20  # row numbers listed in one issue; the rest are counted
ORPHAN_ISSUES = 20  # orphan rows reported one by one per table; the rest are counted


@dataclass(frozen=True)
class Link:
    """Where the rows of a repeat table belong: the parent table (its index in the file), each
    row's parent row (0-based; None for an orphan), the repeat group's name, the column of the
    repeat table that refers to the parent's key column, and the server that wrote them."""

    parent: int
    rows: tuple[int | None, ...]
    group: str
    reference: str
    key: str
    system: str


@dataclass
class LeftOut:
    """The rows (0-based) of one table left out as rejected, and who rejected them."""

    rows: set[int] = field(default_factory=set)
    system: str | None = None


def link(names: Sequence[str], frames: Sequence[pd.DataFrame]) -> list[Link | None]:
    """For each table of a file (its name and frame of text cells), the parent it is a repeat
    group of, or None: a main table, or a repeat table whose parent is not in the file."""
    links: list[Link | None] = []
    for t, frame in enumerate(frames):
        if KOBO_REFERENCE in frame.columns:
            links.append(_kobo_link(t, names, frames))
        elif ODK_REFERENCE in frame.columns:
            links.append(_odk_link(t, names, frames))
        else:
            links.append(None)
    for t in range(len(links)):  # a loop of parents (a damaged export) links nothing
        seen, at = {t}, links[t]
        while at is not None:
            if at.parent in seen:
                links[t] = None
                break
            seen.add(at.parent)
            at = links[at.parent]
    return links


def left_out(frames: Sequence[pd.DataFrame], links: Sequence[Link | None]) -> list[LeftOut]:
    """The rows of each table to leave out: submissions rejected on the server, and the repeat
    rows of a rejected submission."""
    out = [LeftOut() for _ in frames]
    for t in sorted(range(len(frames)), key=lambda t: _depth(links, t)):  # parents first
        out[t].rows, out[t].system = rejected(frames[t])
        parent = links[t]
        if parent is not None and out[parent.parent].rows:
            gone = out[parent.parent].rows
            inherited = {i for i, r in enumerate(parent.rows) if r is not None and r in gone}
            if inherited:
                out[t].rows |= inherited
                out[t].system = out[t].system or out[parent.parent].system
    return out


def rejected(frame: pd.DataFrame) -> tuple[set[int], str | None]:
    """The rows (0-based) of ``frame`` whose review status says rejected, and the server."""
    rows: set[int] = set()
    system = None
    for column, server in STATUS_COLUMNS:
        if column not in frame.columns:
            continue
        for i, value in enumerate(_texts(frame[column])):
            if value and (_KOBO_REJECTED.search(value) if server == KOBO
                          else value.casefold() == "rejected"):
                rows.add(i)
                system = server
    return rows, system


def blank(frame: pd.DataFrame, rows: set[int]) -> pd.DataFrame:
    """``frame`` with the cells of ``rows`` emptied, but for the submission's identity."""
    if not rows:
        return frame
    return pd.DataFrame({
        name: values if str(name) in IDENTITY else pd.Series(
            [None if i in rows else v for i, v in enumerate(values.tolist())],
            index=frame.index, dtype=object)
        for name, values in frame.items()}, index=frame.index)


def has_location(geometry: list[Any] | None) -> bool:
    """Whether a table placed any of its rows (a repeat table that did not is joined)."""
    return geometry is not None and any(g is not None for g in geometry)


def left_out_issue(left: LeftOut, *, repeat: bool, **where: Any) -> Issue:
    """The one ``info`` issue of a layer with left-out rows, listing their numbers."""
    n, rows = len(left.rows), _row_list(left.rows)
    server = left.system or KOBO
    what_th = "สถานะการตรวจสอบ" if server == KOBO else "สถานะการทบทวน (review state)"
    what_en = "validation status" if server == KOBO else "review state"
    if repeat:
        th = f"ไม่นำเข้า {n:,} แถวที่เป็นของแบบสำรวจซึ่งถูกปฏิเสธใน {server} (แถว {rows})"
        en = (f"left out {_count(n, 'row')} of submissions rejected in {server} "
              f"({_count(n, 'row', number=False)} {rows})")
    else:
        th = f"ไม่นำเข้า {n:,} แบบสำรวจที่ถูกปฏิเสธใน {server} (แถว {rows})"
        en = (f"left out {_count(n, 'submission')} rejected in {server} "
              f"({_count(n, 'row', number=False)} {rows})")
    return issue(
        "rejected_left_out", Severity.INFO, th, en,
        fix_th=f"ถ้าต้องการนำเข้า ให้เปลี่ยน{what_th}ใน {server} แล้วส่งออกข้อมูลใหม่",
        fix_en=f"to import them, change their {what_en} in {server} and export again", **where)


def join(layers: list[RawLayer], links: Sequence[Link | None], left: Sequence[LeftOut], *,
         file: str) -> tuple[list[RawLayer], list[Issue]]:
    """``layers`` (one per table, in file order) with every repeat table that placed no row
    folded into its parent rows; a repeat table with a location keeps its reference to the
    parent (and, from Kobo, the submission's ``_submission__uuid``).

    Also returns the findings about rows of the folded tables (orphans, Thai digits …): they
    name the table and its row, so they are said about the file, not the parent layer — whose
    row of the same number they are not about."""
    found_in_folded: list[Issue] = []
    order = sorted(range(len(layers)), key=lambda t: _depth(links, t))
    for t in order:  # parents first, so that a reference can be copied down a chain
        found = links[t]
        if found is not None and has_location(layers[t].geometry):
            _refer(layers[t], layers[found.parent], found, left[t], file)
    folded: set[int] = set()
    for t in reversed(order):  # deepest first: a nested repeat is inside its parent's rows
        found = links[t]
        if found is not None and not has_location(layers[t].geometry):
            found_in_folded.extend(
                _fold(layers[t], layers[found.parent], found, left[t], left[found.parent], file))
            folded.add(t)
    kept = [layer for t, layer in enumerate(layers) if t not in folded]
    return kept, found_in_folded


def _refer(layer: RawLayer, parent: RawLayer, found: Link, left: LeftOut, file: str) -> None:
    source = next((c for c in ("_uuid", "_submission__uuid") if c in parent.frame.columns), None)
    if found.system == KOBO and source and "_submission__uuid" not in layer.frame.columns:
        uuids = _texts(parent.frame[source])
        layer.frame = layer.frame.assign(_submission__uuid=pd.Series(
            [None if r is None or i in left.rows else uuids[r] for i, r in enumerate(found.rows)],
            index=layer.frame.index, dtype=object))
    layer.meta["repeat_of"] = {"layer": parent.name, "sheet": parent.sheet,
                               "group": found.group, "reference": found.reference,
                               "key": found.key}
    layer.issues.extend(_orphans(layer, parent, found, left, file))


def _fold(layer: RawLayer, parent: RawLayer, found: Link, left: LeftOut,
          parent_left: LeftOut, file: str) -> list[Issue]:
    records = [_repeat_record(r) for r in layer.frame.to_dict("records")]
    by_parent: dict[int, list[dict[str, Any]]] = {}
    for i, r in enumerate(found.rows):
        if r is not None and i not in left.rows:
            by_parent.setdefault(r, []).append(records[i])
    list_column = _free(parent.frame, found.group)
    count_column = _free(parent.frame, f"{found.group}_count")
    rows = range(len(parent.frame))
    added = pd.DataFrame({
        list_column: pd.Series([None if r in parent_left.rows else by_parent.get(r)
                                for r in rows], dtype=object),
        count_column: pd.Series([None if r in parent_left.rows else len(by_parent.get(r, []))
                                 for r in rows], dtype=object),
    }, index=parent.frame.index)
    parent.frame = pd.concat([parent.frame, added], axis=1)
    joined = sum(len(v) for v in by_parent.values())
    orphans = _orphans(layer, parent, found, left, file)
    parent.meta.setdefault("joined_repeats", []).append({
        "group": found.group, "layer": layer.name, "sheet": layer.sheet, "rows": joined,
        "orphans": sum(r is None and i not in left.rows for i, r in enumerate(found.rows)),
        "left_out": len(left.rows), "columns": [list_column, count_column]})
    gone_th = f" ไม่นำเข้า {len(left.rows):,} แถวของแบบสำรวจที่ถูกปฏิเสธ" if left.rows else ""
    gone_en = (f"; left out {_count(len(left.rows), 'row')} of rejected submissions"
               if left.rows else "")
    where: dict[str, Any] = {"file": file, "layer": parent.name, "sheet": layer.sheet}
    parent.issues.append(issue(
        "repeat_joined", Severity.INFO,
        f"รวม {joined:,} แถวของกลุ่มคำถามซ้ำ {found.group} เข้ากับแบบสำรวจหลักของแต่ละแถว "
        f"(คอลัมน์ {list_column} และ {count_column}){gone_th}",
        f"joined {_count(joined, 'row')} of repeat group {found.group} into their parent "
        "submissions "
        f"(columns {list_column} and {count_column}){gone_en}", **where))
    # What was found in the repeat table (Thai digits, a title block …) stays said; its
    # location findings went with the location it does not have.
    return [*orphans, *layer.issues]


def _orphans(layer: RawLayer, parent: RawLayer, found: Link, left: LeftOut,
             file: str) -> list[Issue]:
    references = _texts(layer.frame[found.reference])
    where_parent = parent.sheet or parent.name
    lost = [i for i, r in enumerate(found.rows) if r is None and i not in left.rows]
    out = [issue(
        "repeat_orphan", Severity.WARNING,
        f"แถวนี้ของกลุ่มคำถามซ้ำ {found.group} ไม่มีแบบสำรวจหลัก ({found.reference} = "
        f"{references[i] or 'ว่าง'} ไม่พบใน {found.key} ของ {where_parent})",
        f"this row of repeat group {found.group} has no parent submission ({found.reference} "
        f"{references[i] or '(empty)'} is not a {found.key} of {where_parent})",
        fix_th="ส่งออกข้อมูลทั้งหมดจากเซิร์ฟเวอร์อีกครั้ง (แบบสำรวจหลักอาจถูกลบไปแล้ว)",
        fix_en="export all the data from the server again (the parent submission may have "
               "been deleted)",
        file=file, layer=layer.name, sheet=layer.sheet, row=i + 1)
        for i in lost[:ORPHAN_ISSUES]]
    if len(lost) > ORPHAN_ISSUES:
        rest = len(lost) - ORPHAN_ISSUES
        out.append(issue(
            "repeat_orphan", Severity.WARNING,
            f"และอีก {rest:,} แถวของกลุ่มคำถามซ้ำ {found.group} ที่ไม่มีแบบสำรวจหลัก",
            f"and {rest:,} more rows of repeat group {found.group} without a parent submission",
            file=file, layer=layer.name, sheet=layer.sheet))
    return out


def _repeat_record(record: dict[Any, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in record.items()
            if v is not None and str(k) not in BOOKKEEPING
            and not str(k).startswith(BOOKKEEPING_PREFIXES)}


def _kobo_link(t: int, names: Sequence[str], frames: Sequence[pd.DataFrame]) -> Link | None:
    frame = frames[t]
    candidates = [p for p, f in enumerate(frames) if p != t and KOBO_KEY in f.columns]
    parent = None
    if KOBO_PARENT_TABLE in frame.columns:
        wanted = Counter(v for v in _texts(frame[KOBO_PARENT_TABLE]) if v).most_common(1)
        if wanted:
            parent = next((p for p in candidates if _same_sheet(names[p], wanted[0][0])), None)
    if parent is None:
        mains = [p for p in candidates if KOBO_REFERENCE not in frames[p].columns]
        parent = mains[0] if len(mains) == 1 else None
    if parent is None:
        return None
    index = _row_index(frames[parent][KOBO_KEY])
    rows = tuple(index.get(v) if v else None for v in _texts(frame[KOBO_REFERENCE]))
    return Link(parent, rows, names[t], KOBO_REFERENCE, KOBO_KEY, KOBO)


def _odk_link(t: int, names: Sequence[str], frames: Sequence[pd.DataFrame]) -> Link | None:
    frame = frames[t]
    keys: dict[str, tuple[int, int]] = {}
    for p, other in enumerate(frames):
        if p != t and ODK_KEY in other.columns:
            for r, value in enumerate(_texts(other[ODK_KEY])):
                if value:
                    keys.setdefault(value, (p, r))
    references = _texts(frame[ODK_REFERENCE])
    hits = Counter(keys[v][0] for v in references if v and v in keys).most_common(1)
    if hits:
        parent = hits[0][0]
    else:  # no reference found: a main table, if the file has exactly one
        mains = [p for p, f in enumerate(frames)
                 if p != t and ODK_KEY in f.columns and ODK_REFERENCE not in f.columns]
        if len(mains) != 1:
            return None
        parent = mains[0]
    rows = tuple(hit[1] if v and (hit := keys.get(v)) and hit[0] == parent else None
                 for v in references)
    group = names[t].removeprefix(f"{names[parent]}-")
    if ODK_KEY in frame.columns:
        own = next((v for v in _texts(frame[ODK_KEY]) if v), None)
        named = _ODK_GROUP.search(own) if own else None
        group = named.group(1) if named else group
    return Link(parent, rows, group, ODK_REFERENCE, ODK_KEY, ODK)


def _same_sheet(sheet: str, table: str) -> bool:
    """Whether ``sheet`` is the sheet Excel made for ``table`` (cut to 31 characters, without
    the characters a sheet name may not hold)."""
    def norm(name: str) -> str:
        return _SHEET_NAME_JUNK.sub("", name).casefold()[:EXCEL_SHEET_NAME_LENGTH]
    return norm(sheet) == norm(table)


def _row_index(column: pd.Series) -> dict[str, int]:
    index: dict[str, int] = {}
    for r, value in enumerate(_texts(column)):
        if value:
            index.setdefault(value, r)
    return index


def _depth(links: Sequence[Link | None], t: int) -> int:
    depth, at = 0, links[t]
    while at is not None:
        depth, at = depth + 1, links[at.parent]
    return depth


def _free(frame: pd.DataFrame, name: str) -> str:
    taken = {str(c) for c in frame.columns}
    out, n = name, 2
    while out in taken:
        out, n = f"{name}_{n}", n + 1
    return out


def _texts(column: pd.Series) -> list[str | None]:
    return [None if v is None or (isinstance(v, float) and v != v) or not str(v).strip()
            else str(v).strip() for v in column.tolist()]


def _row_list(rows: set[int]) -> str:
    numbers = sorted(rows)
    shown = ", ".join(str(r + 1) for r in numbers[:SHOWN_ROWS])
    return shown + (f", … (+{len(numbers) - SHOWN_ROWS:,})" if len(numbers) > SHOWN_ROWS else "")


def _count(n: int, noun: str, *, number: bool = True) -> str:
    word = noun if n == 1 else f"{noun}s"
    return f"{n:,} {word}" if number else word
