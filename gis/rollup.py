"""The monthly roll-up: village → tambon → amphoe → province, as at the end of a month.

Every figure is as at the last day of the month (Bangkok calendar), cumulative from the start:

- ``households_surveyed``: live households whose ``survey_date`` is on or before the month end
  (households without a survey date cannot be placed in time and are not counted);
- ``priority_households``: of those, the ones flagged ``priority_flag`` *as at the month end*,
  read from the feature history: the state of the last version written before the month ended,
  or — for a household first stored after it (data entered late) — the state it was stored
  with;
- ``repairs_<status>``: repairs by their stage as at the month end, from their dated fields
  (``gis.budgets.stage_at``); ``tenure_<code>``: surveyed households by their plot's
  ``occupant_tenure`` (the plot's current value; ``unknown`` without a plot or a value);
- ``allocated``, ``transferred``, ``committed``, ``spent``: by the definitions of
  ``gis.budgets`` (tranche dates for transfers, repair stages for commitments and spending).

Households and repairs count in their village; budget money in the area that holds the budget
(``budgets.area_code``). A row of one level sums everything inside it, so at a level below a
budget's area its money appears in a row of its own (``kind`` ``held_above``, e.g. the
amphoe's Baan Por Piang allocation among the tambon rows): the rows of any level, held rows
included, add up to the level above, figure by figure. ``<figure>_change`` is the difference
from the end of the previous month.

For outside audiences counts from 1 to 2 are suppressed (None), and so is the money committed
or spent by one or two repairs; sums are made before suppression, so totals stay true. A change
is suppressed when either month's figure is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from openpyxl import Workbook  # type: ignore[import-untyped]  # ships no stubs
from openpyxl.styles import Font  # type: ignore[import-untyped]

from gis.budgets import STATUSES, budget_money, committed_at, spent_at, stage_at
from gis.dates import BANGKOK, BE_OFFSET, Era, format_date
from gis.errors import InputError
from gis.privacy import SMALL_COUNT, Audience, Scope, describe, scope_of, scope_where
from gis.store.protocol import Store
from layers import LAYERS
from layers.vocab import ADMIN_LEVEL, OCCUPANT_TENURE, REPAIR_STATUS

LEVELS: tuple[str, ...] = ("village", "tambon", "amphoe", "province")
_BY_LENGTH = {2: "province", 4: "amphoe", 6: "tambon", 8: "village"}
TENURE: tuple[str, ...] = OCCUPANT_TENURE.codes()
COUNTS: tuple[str, ...] = ("households_surveyed", "priority_households",
                           *(f"repairs_{s}" for s in STATUSES), *(f"tenure_{t}" for t in TENURE))
MONEY: tuple[str, ...] = ("allocated", "transferred", "committed", "spent")
FIGURES: tuple[str, ...] = COUNTS + MONEY
# How many repairs hold (committed) or have spent (spent) money: the small-count rule for money.
_HOLDERS = {"committed": "n_committed", "spent": "n_spent"}
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
Bools = npt.NDArray[np.bool_]


# ------------------------------------------------------------------------- arguments
def parse_month(text: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``"YYYY-MM"``; a year from 2400 on is read as Buddhist Era."""
    match = _MONTH.match(str(text))
    year, month = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
    if year >= 2400:
        year -= BE_OFFSET
    if not match or not 1 <= month <= 12 or year < 1900:
        raise InputError(f"เดือน {text!r} ไม่ถูกต้อง", f"month {text!r} is not valid",
                         field="month", fix_th="ใช้รูปแบบ ปปปป-ดด เช่น 2026-06 หรือ 2569-06",
                         fix_en="use YYYY-MM, e.g. 2026-06 (or 2569-06 in the Buddhist Era)")
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise InputError(f"ไม่รู้จักระดับ {level!r}", f"unknown level {level!r}", field="level",
                         fix_th=f"ใช้: {', '.join(LEVELS)}",
                         fix_en=f"use one of: {', '.join(LEVELS)}")


# ------------------------------------------------------------------------------ areas
def area_tree(admin: pd.DataFrame, villages: pd.DataFrame,
              codes: Collection[str] = ()) -> pd.DataFrame:
    """Every area (index: code) with level, names, parent and its ancestor at each level.

    Villages take their tambon from the villages layer (municipal communities carry codes of
    their own); other parents come from ``admin.parent_code``, else from the DOPA prefix. Codes
    met only in the data (``codes``) are placed by their length.
    """
    nodes: dict[str, dict[str, Any]] = {}
    for row in admin.to_dict("records"):
        nodes[str(row["code"])] = {"level": row["level"], "name_th": _text(row.get("name_th")),
                                   "name_en": _text(row.get("name_en")),
                                   "parent_code": _text(row.get("parent_code"))}
    for row in villages.to_dict("records"):
        code = str(row["village_code"])
        nodes[code] = {"level": "village", "name_th": _text(row.get("name_th")),
                       "name_en": _text(row.get("name_en")),
                       "parent_code": _text(row.get("tambon_code"))
                       or nodes.get(code, {}).get("parent_code")}
    # Codes met only in the data, and parents missing from the layers, placed by length.
    todo = [*map(str, codes), *(n["parent_code"] for n in nodes.values() if n["parent_code"])]
    while todo:
        code = todo.pop()
        if code in nodes:
            continue
        parent = code[:-2] if len(code) in (4, 6, 8) else None
        nodes[code] = {"level": _BY_LENGTH.get(len(code), "village"), "name_th": None,
                       "name_en": None, "parent_code": parent}
        if parent:
            todo.append(parent)
    for code, node in nodes.items():
        chain: dict[str, str] = {}
        step: str | None = code
        while step is not None and step in nodes and step not in chain.values():
            chain.setdefault(str(nodes[step]["level"]), step)
            step = nodes[step]["parent_code"]
        node.update({level: chain.get(level) for level in LEVELS})
    columns = ["level", "name_th", "name_en", "parent_code", *LEVELS]
    return pd.DataFrame.from_dict(nodes, orient="index").reindex(columns=columns)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


# ---------------------------------------------------------------------------- figures
def _leaves(households: pd.DataFrame, tenure: pd.Series, priority: Bools,
            repairs: pd.DataFrame, budgets: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """Every figure on ``day`` at the area where it is recorded (index: area code)."""
    surveyed = (pd.to_datetime(households["survey_date"].astype("object"), errors="coerce")
                <= pd.Timestamp(day)).to_numpy(dtype=bool)
    hh = pd.DataFrame({"code": households["village_code"].astype(str).to_numpy()[surveyed],
                       "households_surveyed": 1,
                       "priority_households": priority[surveyed].astype(np.int64)})
    kinds = pd.Categorical(tenure.to_numpy()[surveyed], categories=TENURE)
    hh = pd.concat([hh, pd.get_dummies(kinds, prefix="tenure", dtype=np.int64)], axis=1)
    stage = stage_at(repairs, day)
    rp = pd.DataFrame({"code": repairs["village_code"].astype(str).to_numpy(),
                       "committed": committed_at(repairs, stage),
                       "spent": spent_at(repairs, stage),
                       "n_committed": (stage >= 1).astype(np.int64),
                       "n_spent": (stage >= 2).astype(np.int64)})
    stages = pd.Categorical.from_codes(stage, categories=pd.Index(STATUSES))  # -1: not yet
    rp = pd.concat([rp, pd.get_dummies(stages, prefix="repairs", dtype=np.int64)], axis=1)
    money = budget_money(budgets, day)
    bd = pd.DataFrame({"code": budgets["area_code"].astype(str).to_numpy(),
                       "allocated": money["allocated"].to_numpy(),
                       "transferred": money["transferred"].to_numpy()})
    facts = pd.concat([hh, rp, bd], ignore_index=True)
    columns = [*FIGURES, *_HOLDERS.values()]
    facts = facts.reindex(columns=["code", *columns]).fillna(0)
    return facts.groupby("code")[columns].sum()


def _plot_tenure(households: pd.DataFrame, plots: pd.DataFrame) -> pd.Series:
    by_plot = (plots.dropna(subset=["plot_id"]).drop_duplicates("plot_id")
               .set_index("plot_id")["occupant_tenure"])
    tenure = households["plot_id"].map(by_plot)
    return tenure.where(tenure.isin(TENURE), "unknown").astype(str)


def rollup_frames(*, households: pd.DataFrame, plots: pd.DataFrame, repairs: pd.DataFrame,
                  budgets: pd.DataFrame, admin: pd.DataFrame, villages: pd.DataFrame,
                  month: str, level: str, code: str | None = None, outside: bool = False,
                  priority: tuple[Bools, Bools] | None = None,
                  scope: Scope | None = None) -> pd.DataFrame:
    """The roll-up over frames (pure): see the module's definitions.

    Parameters
    ----------
    households, plots, repairs, budgets, admin, villages
        The layers as the store reads them (already limited to what the audience may count).
    month, level, code
        ``"YYYY-MM"``; ``village``, ``tambon``, ``amphoe`` or ``province``; an area code whose
        rows (the area and the areas inside it) to keep, at ``level`` or above it.
    outside
        Suppress small counts (an outside audience).
    priority
        Each household's priority flag at the end of the month and of the month before (see
        :func:`rollup`); None: the current ``priority_flag`` for both.
    scope
        The audience's areas: rows are kept for areas inside it and the areas above them
        (whose figures then count only what is inside it). None: every area.
    """
    _check_level(level)
    first, last = parse_month(month)
    codes = {*households["village_code"].dropna().astype(str),
             *repairs["village_code"].dropna().astype(str),
             *budgets["area_code"].dropna().astype(str)}
    tree = area_tree(admin, villages, codes)
    code_level = _code_level(tree, code, level)
    if priority is None:
        flags = households["priority_flag"].fillna(False).to_numpy(dtype=bool)
        priority = (flags, flags)
    tenure = _plot_tenure(households, plots)
    now = _leaves(households, tenure, priority[0], repairs, budgets, last)
    before = _leaves(households, tenure, priority[1], repairs, budgets,
                     first - dt.timedelta(days=1))
    leaves = now.join(before.add_suffix("_prev"), how="outer").fillna(0)
    leaves = leaves.join(tree[[level, "level"]])
    inside = leaves[level].notna()
    sums = leaves[inside].drop(columns=["level"]).groupby(level).sum()
    areas = tree[tree["level"] == level].index
    rows = sums.reindex(areas.union(sums.index), fill_value=0)
    held = leaves[~inside].drop(columns=[level, "level"])
    held = held[(held[[*FIGURES, *(f"{f}_prev" for f in FIGURES)]] != 0).any(axis=1)]
    rows = pd.concat([rows, held])
    kinds = ["area" if c in sums.index or c in areas else
             "held_above" if LEVELS.index(tree.at[c, "level"]) > LEVELS.index(level)
             else "unplaced" for c in rows.index]
    rows.insert(0, "kind", kinds)
    if code is not None and code_level is not None:
        rows = rows[(tree.loc[rows.index, code_level] == code).to_numpy(dtype=bool)]
    if scope is not None and not scope.everywhere:
        rows = rows[rows.index.isin(list(_visible(scope, tree)))]
    out = _finish(rows, tree, outside)
    out.attrs.update(month=f"{last:%Y-%m}", month_end=last, level=level, code=code)
    return out


def _code_level(tree: pd.DataFrame, code: str | None, level: str) -> str | None:
    if code is None:
        return None
    if code not in tree.index:
        raise InputError(f"ไม่พบพื้นที่รหัส {code} ในที่เก็บข้อมูลนี้",
                         f"no area with code {code} in this store", field="code")
    code_level = str(tree.at[code, "level"])
    if LEVELS.index(code_level) < LEVELS.index(level):
        raise InputError(
            f"รหัส {code} เป็น{ADMIN_LEVEL.label(code_level)} จึงแสดงระดับ"
            f"{ADMIN_LEVEL.label(level)}ภายในไม่ได้",
            f"code {code} is a {code_level}; it holds no {level} rows", field="code",
            fix_th="ใช้รหัสของพื้นที่ระดับเดียวกันหรือสูงกว่า",
            fix_en=f"use the code of an area at the {level} level or above it")
    return code_level


def _finish(rows: pd.DataFrame, tree: pd.DataFrame, outside: bool) -> pd.DataFrame:
    """Names, changes and suppression; counts as Int64 and money as Float64 (None shown)."""
    rows = rows.sort_values("kind", kind="stable", key=lambda k: k != "area")
    info = tree.loc[rows.index, ["level", "parent_code", "name_th", "name_en"]]
    out = pd.concat([info, rows[["kind"]]], axis=1)
    out.insert(1, "code", rows.index.astype(str))
    changes = {}
    for name in FIGURES:
        dtype = pd.Int64Dtype() if name in COUNTS else pd.Float64Dtype()
        now: pd.Series = rows[name].astype(dtype)
        prev: pd.Series = rows[f"{name}_prev"].astype(dtype)
        change = now - prev
        if outside:
            hidden_now = _hidden(rows, name, "")
            hidden_prev = _hidden(rows, name, "_prev")
            now = now.mask(hidden_now)
            change = change.mask(hidden_now | hidden_prev)
        out[name] = now
        changes[f"{name}_change"] = change
    out = pd.concat([out, pd.DataFrame(changes, index=out.index)], axis=1)
    return out.reset_index(drop=True)


def _hidden(rows: pd.DataFrame, name: str, suffix: str) -> pd.Series:
    """Where an outside audience may not see ``name``: a count of 1–2, or money held or spent
    by 1–2 repairs. Budget money (allocated, transferred) concerns no family: never hidden."""
    if name in ("allocated", "transferred"):
        return pd.Series(False, index=rows.index)
    counted = rows[f"{_HOLDERS.get(name, name)}{suffix}"]
    return (counted > 0) & (counted < SMALL_COUNT)


# ------------------------------------------------------------------------- the store
def rollup(store: Store, *, month: str, level: str, code: str | None = None,
           audience: Audience) -> pd.DataFrame:
    """The roll-up of ``store`` for ``month`` at ``level`` (see the module's definitions).

    Reads the rows inside the audience's areas (only aggregates leave this function, so no
    field is hidden from the sums), works out each household's priority flag at both month
    ends from the feature history, and calls :func:`rollup_frames`. ``attrs`` of the frame
    hold ``month``, ``month_end``, ``level``, ``code`` and the audience statement
    (``privacy_th``, ``privacy_en``).

    Raises
    ------
    InputError
        A bad month or level, an unknown code, a code below ``level``, or a code outside the
        audience's areas.
    """
    first, last = parse_month(month)
    _check_level(level)
    scope = scope_of(store, audience)
    frames = {name: store.read(name, where=scope_where(LAYERS[name], scope))
              for name in ("households", "plots", "repairs")}
    budgets = store.read("budgets")
    budgets = budgets[scope.mask(budgets["area_code"])]
    admin, villages = store.read("admin"), store.read("villages")
    if code is not None and not scope.everywhere and code not in _visible(
            scope, area_tree(admin, villages, [code])):
        raise InputError(f"พื้นที่ {code} อยู่นอกพื้นที่ที่คุณรับผิดชอบ",
                         f"area {code} is outside your areas", field="code")
    ends = [_instant(last), _instant(first - dt.timedelta(days=1))]
    flags = _priority_at(store, frames["households"], ends)
    out = rollup_frames(households=frames["households"], plots=frames["plots"],
                        repairs=frames["repairs"], budgets=budgets, admin=admin,
                        villages=villages, month=month, level=level, code=code,
                        outside=audience.outside, priority=(flags[0], flags[1]),
                        scope=scope)
    out.attrs.update(privacy_th=describe(audience, "th"), privacy_en=describe(audience, "en"))
    return out


def _instant(day: dt.date) -> pd.Timestamp:
    """The first moment after ``day`` in Bangkok: a month ends when its last day does."""
    return pd.Timestamp(day + dt.timedelta(days=1)).tz_localize(BANGKOK)


def _priority_at(store: Store, households: pd.DataFrame, ends: list[pd.Timestamp]
                 ) -> list[Bools]:
    """Each household's ``priority_flag`` at each of ``ends``; only households changed since
    the earliest of them need their history read."""
    flags = households["priority_flag"].fillna(False).to_numpy(dtype=bool)
    out = [flags.copy() for _ in ends]
    changed = ((households["version"] > 1) & (households["updated_at"] >= min(ends))
               ).fillna(False).to_numpy(dtype=bool)
    for pos in np.flatnonzero(changed):
        entries = store.history("households", str(households["uid"].iloc[pos]))
        for k, end in enumerate(ends):
            earlier = [e for e in entries if e.changed_at < end]
            state = earlier[-1].after if earlier else entries[0].after
            out[k][pos] = bool(state.get("priority_flag") or False)
    return out


def _visible(scope: Scope, tree: pd.DataFrame) -> set[str]:
    """Areas in scope and every area above them."""
    inside = tree.index[scope.mask(pd.Series(tree.index, dtype="object"))]
    above = tree.loc[inside, list(LEVELS)].stack().dropna()
    return {str(c) for c in above} | {str(c) for c in inside}


# ------------------------------------------------------------------------------ output
def rollup_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame in the ``landmap rollup --json`` shape (a public contract)."""
    def v(value: Any) -> Any:
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            return None
        return value.item() if isinstance(value, np.generic) else value

    def figures(row: Any, suffix: str) -> dict[str, Any]:
        return {
            "households_surveyed": v(row[f"households_surveyed{suffix}"]),
            "priority_households": v(row[f"priority_households{suffix}"]),
            "repairs": {s: v(row[f"repairs_{s}{suffix}"]) for s in STATUSES},
            "budget": {m: v(row[f"{m}{suffix}"]) for m in MONEY},
            "tenure": {t: v(row[f"tenure_{t}{suffix}"]) for t in TENURE},
        }

    month = frame.attrs.get("month")
    return [{"code": row["code"], "name_th": v(row["name_th"]), "name_en": v(row["name_en"]),
             "level": row["level"], "parent_code": v(row["parent_code"]), "kind": row["kind"],
             "month": month, **figures(row, ""), "change": figures(row, "_change")}
            for row in frame.to_dict("records")]


def _headers(lang: str) -> list[tuple[str, str]]:
    th = lang == "th"
    spec = LAYERS["budgets"]
    heads = [("code", "รหัสพื้นที่" if th else "Area code"),
             ("name_th" if th else "name_en", "ชื่อ" if th else "Name"),
             ("level", "ระดับ" if th else "Level"),
             ("households_surveyed", "ครัวเรือนที่สำรวจแล้ว" if th else "Households surveyed"),
             ("priority_households", "ครัวเรือนเร่งด่วน" if th else "Priority households")]
    heads += [(f"repairs_{t.code}", f"{'งานซ่อม' if th else 'Repairs'}: "
               f"{t.label_th if th else t.label_en}") for t in REPAIR_STATUS]
    heads += [(m, spec.field("allocation" if m == "allocated" else m).label(lang))
              for m in MONEY]
    heads += [(f"tenure_{t.code}", f"{'ครัวเรือน' if th else 'Households'}: "
               f"{t.label_th if th else t.label_en}") for t in OCCUPANT_TENURE]
    return heads


def rollup_xlsx(frame: pd.DataFrame, out: str | Path, lang: str = "th", *,
                era: Era = "be") -> Path:
    """Write the roll-up as an XLSX workbook with Thai or English headers, the month as Thai
    readers write it (``มิถุนายน 2569``), suppressed counts shown as ``< 3``, and the change
    from the previous month beside each figure. Returns the path written."""
    month_end: dt.date = frame.attrs["month_end"]
    th = lang == "th"
    when = format_date(month_end, lang, era, style="month")
    book = Workbook()
    sheet = book.active
    sheet.title = "สรุปรายเดือน" if th else "Monthly roll-up"
    sheet.append([f"สรุปผลการดำเนินงาน ณ สิ้นเดือน {when}" if th
                  else f"Roll-up as at the end of {when}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([frame.attrs.get("privacy_th" if th else "privacy_en", "")])
    heads = _headers(lang)
    change = " (เทียบเดือนก่อน)" if th else " (change)"
    columns = [(k, h) for k, h in heads] + [(f"{k}_change", h + change) for k, h in heads[3:]]
    sheet.append([h for _, h in columns])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in frame.to_dict("records"):
        values = []
        for key, _ in columns:
            value = row[key]
            if key == "level":
                value = ADMIN_LEVEL.label(str(value), lang)
            elif key.startswith("name_") and row["kind"] == "held_above":
                value = (f"{value or row['code']} — งบที่ถือไว้ระดับ"
                         f"{ADMIN_LEVEL.label(str(row['level']))}" if th
                         else f"{value or row['code']} — money held at {row['level']} level")
            elif key in FIGURES and (value is pd.NA or value is None):
                value = f"< {SMALL_COUNT}"
            values.append(None if value is pd.NA else value)
        sheet.append(values)
    for col, (key, _) in enumerate(columns, start=1):
        fmt = "+#,##0;-#,##0;0" if key.endswith("_change") else "#,##0"
        for (cell,) in sheet.iter_rows(min_row=4, min_col=col, max_col=col):
            cell.number_format = fmt
    sheet.freeze_panes = "D4"
    path = Path(out)
    book.save(path)
    return path


__all__ = ["COUNTS", "FIGURES", "LEVELS", "MONEY", "TENURE", "area_tree", "parse_month",
           "rollup", "rollup_frames", "rollup_records", "rollup_xlsx"]
