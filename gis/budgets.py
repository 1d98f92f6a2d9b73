"""Budgets and the money of repairs: allocated, transferred, committed, spent, and the programme
caps a repair may not pass unnoticed (DESIGN.md §11).

These definitions are shared by :func:`budget_status`, :func:`check_caps` and ``gis.rollup``:

**Stage** of a repair on a day: the furthest of proposed → approved → in_progress → done →
verified whose date (``proposed_on`` … ``verified_on``) is on or before that day, but never
beyond its current ``status`` (a reopened repair does not count as done in the past because an
old date was left behind). With no date on or before the day, the repair did not exist yet.
"Now" (no day given) is the current ``status`` itself, whatever the dates.

**Allocated**: a budget's ``allocation``, from the first day of its fiscal year (Thai fiscal
year N B.E. starts on 1 October of N − 544 CE: FY 2569 on 1 Oct 2025); always, without one.

**Transferred**: the tranches (``tranches`` JSON: ``no``, ``percent``, ``amount``, ``due_on``,
``transferred_on``) transferred on or before the day, each at its ``amount`` or else
``percent`` × allocation. A budget without tranche records cannot date its money: its recorded
``transferred`` figure counts whenever its allocation does.

**Committed**: what repairs hold of the money. A repair approved, in progress or done holds its
approved amount — or what it has spent, if that is more (an overspend is money gone all the
same); a verified repair is closed and holds exactly what it spent (its approved amount when no
spending was recorded), the unspent rest going back to the budget. Proposed repairs hold
nothing.

**Spent**: the recorded ``spent`` of repairs started (in progress or later) by the day. A
repair keeps one running figure, not dated payments, so a past month counts today's figure of
the repairs that had started by then.

**Remaining** = allocated − committed; **cash on hand** = transferred − spent.

Budget figures are computed from the repairs charged to the budget (``repairs.budget_id``); the
``committed`` and ``spent`` stored on a budget row are an imported record, shown beside them
(``BudgetStatus.recorded``), never added in.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from gis.errors import InputError
from gis.store.codec import is_missing
from gis.store.protocol import Feature, Store
from layers.vocab import REPAIR_STATUS

STATUSES: tuple[str, ...] = REPAIR_STATUS.codes()
DATE_FIELDS: tuple[str, ...] = ("proposed_on", "approved_on", "started_on", "done_on",
                                "verified_on")
RANK: Mapping[str, int] = MappingProxyType({s: i for i, s in enumerate(STATUSES)})
APPROVED, STARTED, VERIFIED = RANK["approved"], RANK["in_progress"], RANK["verified"]
NEAR_SHARE = 0.9  # a budget-wide cap warns once committed money reaches 90 % of it
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ProgrammeCaps:
    """The caps of a programme in baht; None where it has none."""

    per_house: float | None = None
    per_project: float | None = None
    per_area: float | None = None


# Defaults from DESIGN.md §11 (policy: a budget's own cap_per_* fields override them).
PROGRAMME_CAPS: Mapping[str, ProgrammeCaps] = MappingProxyType({
    "baan_por_piang": ProgrammeCaps(per_house=19_000.0),
    "baan_mankong_rural": ProgrammeCaps(per_house=40_000.0),
    "city_fund": ProgrammeCaps(per_project=50_000.0, per_area=500_000.0),
})


@dataclass(frozen=True)
class CapWarning:
    """A cap (or a budget limit) that a change passes or comes near.

    ``code`` is what a planner acknowledges (e.g. ``cap_per_house_exceeded``); ``limit`` the
    cap, ``amount`` the total it is compared with, ``over`` = amount − limit (negative while
    still under it).
    """

    code: str
    limit: float
    amount: float
    message_th: str
    message_en: str
    budget_id: str | None = None

    @property
    def over(self) -> float:
        return self.amount - self.limit

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "limit": self.limit, "amount": self.amount,
                "over": self.over, "budget_id": self.budget_id,
                "message_th": self.message_th, "message_en": self.message_en}


@dataclass(frozen=True)
class Tranche:
    """One instalment of a budget."""

    no: int
    percent: float | None
    amount: float
    due_on: dt.date | None
    transferred_on: dt.date | None


@dataclass(frozen=True)
class BudgetStatus:
    """A budget's money as at ``as_of`` (None: now), by the definitions of this module."""

    budget_id: str
    programme: str
    area_code: str
    fiscal_year: int | None
    allocation: float
    tranches: tuple[Tranche, ...]
    transferred: float
    committed: float
    spent: float
    repairs: Mapping[str, int]
    caps: ProgrammeCaps
    recorded: Mapping[str, float | None]
    warnings: tuple[CapWarning, ...] = ()
    as_of: dt.date | None = None

    @property
    def remaining(self) -> float:
        return self.allocation - self.committed

    @property
    def cash_on_hand(self) -> float:
        return self.transferred - self.spent

    def as_json(self) -> dict[str, Any]:
        return {
            "budget_id": self.budget_id, "programme": self.programme,
            "area_code": self.area_code, "fiscal_year": self.fiscal_year,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "allocation": self.allocation, "transferred": self.transferred,
            "committed": self.committed, "spent": self.spent, "remaining": self.remaining,
            "cash_on_hand": self.cash_on_hand, "repairs": dict(self.repairs),
            "tranches": [{"no": t.no, "percent": t.percent, "amount": t.amount,
                          "due_on": _iso(t.due_on), "transferred_on": _iso(t.transferred_on)}
                         for t in self.tranches],
            "caps": {"per_house": self.caps.per_house, "per_project": self.caps.per_project,
                     "per_area": self.caps.per_area},
            "recorded": dict(self.recorded),
            "warnings": [w.as_json() for w in self.warnings],
        }


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


# ------------------------------------------------------------------ repairs: stage and money
def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.astype("object"), errors="coerce")


def _floats(frame: pd.DataFrame, name: str) -> pd.Series:
    return pd.to_numeric(frame[name], errors="coerce").astype("float64")


def stage_at(repairs: pd.DataFrame, day: dt.date | None) -> Ints:
    """Each repair's stage (0 proposed … 4 verified; −1 not proposed yet) on ``day``, or its
    current status when ``day`` is None (see the module's definitions)."""
    current: Ints = np.asarray(repairs["status"].map(RANK).fillna(VERIFIED), dtype=np.int64)
    if day is None:
        return current
    limit = pd.Timestamp(day)
    stage = np.full(len(repairs), -1, dtype=np.int64)
    for rank, name in enumerate(DATE_FIELDS):
        on = (_dates(repairs[name]) <= limit).to_numpy(dtype=bool)  # NaT is never <=
        stage = np.where(on, rank, stage).astype(np.int64)
    out: Ints = np.minimum(stage, current)
    return out


def spent_at(repairs: pd.DataFrame, stage: Ints) -> Floats:
    """The money each repair has spent at ``stage`` (only started repairs spend)."""
    spent = _floats(repairs, "spent").fillna(0.0).to_numpy()
    return np.where(stage >= STARTED, spent, 0.0)


def committed_at(repairs: pd.DataFrame, stage: Ints) -> Floats:
    """The money each repair holds at ``stage`` (see the module's definition of committed)."""
    approved = _floats(repairs, "approved_amount").fillna(0.0).to_numpy()
    recorded = _floats(repairs, "spent")
    closed = np.where(recorded.notna().to_numpy(), recorded.fillna(0.0).to_numpy(), approved)
    open_value = np.maximum(approved, spent_at(repairs, stage))
    return np.where(stage >= VERIFIED, closed, np.where(stage >= APPROVED, open_value, 0.0))


# --------------------------------------------------------------------------- budgets
def fiscal_year_start(fiscal_year_be: int) -> dt.date:
    """First day of Thai fiscal year ``fiscal_year_be`` (B.E.): 1 October of the CE year before."""
    return dt.date(fiscal_year_be - 543 - 1, 10, 1)


def tranches_of(budget: Mapping[str, Any]) -> tuple[Tranche, ...]:
    """A budget's tranche records, checked; ``InputError`` naming the budget when malformed."""
    raw = budget.get("tranches")
    if not isinstance(raw, list | tuple) and is_missing(raw):
        return ()
    allocation = _number(budget.get("allocation")) or 0.0
    out = []
    try:
        if not isinstance(raw, list | tuple):
            raise TypeError(f"a list was expected, got {type(raw).__name__}")
        for i, item in enumerate(raw, start=1):
            percent = _number(item.get("percent"))
            amount = _number(item.get("amount"))
            if amount is None:
                amount = allocation * (percent or 0.0) / 100
            out.append(Tranche(int(item.get("no") or i), percent, amount,
                               _day(item.get("due_on")), _day(item.get("transferred_on"))))
    except (AttributeError, TypeError, ValueError) as exc:
        raise InputError(
            f"งบประมาณ {budget.get('budget_id')}: ข้อมูลงวดการโอนเงินอ่านไม่ได้ ({exc})",
            f"budget {budget.get('budget_id')}: its tranches cannot be read ({exc})",
            file="budgets", field="tranches",
            fix_th='ใช้รายการเช่น [{"no": 1, "percent": 70, "due_on": "2026-01-15", '
                   '"transferred_on": "2026-01-20"}]',
            fix_en='use a list like [{"no": 1, "percent": 70, "due_on": "2026-01-15", '
                   '"transferred_on": "2026-01-20"}]',
        ) from None
    return tuple(out)


def _number(value: Any) -> float | None:
    if is_missing(value):
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _day(value: Any) -> dt.date | None:
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def budget_money(budgets: pd.DataFrame, day: dt.date | None) -> pd.DataFrame:
    """``allocated`` and ``transferred`` of each budget (index: the budget's row) on ``day``
    (None: now — every allocation, every tranche with a transfer date)."""
    allocated, transferred = [], []
    for record in budgets.to_dict("records"):
        row = {str(k): v for k, v in record.items()}
        allocation = _number(row.get("allocation")) or 0.0
        year = _number(row.get("fiscal_year"))
        active = day is None or year is None or fiscal_year_start(int(year)) <= day
        tranches = tranches_of(row)
        if tranches:
            sent = sum(t.amount for t in tranches if t.transferred_on is not None
                       and (day is None or t.transferred_on <= day))
        else:
            sent = (_number(row.get("transferred")) or 0.0) if active else 0.0
        allocated.append(allocation if active else 0.0)
        transferred.append(sent)
    return pd.DataFrame({"allocated": allocated, "transferred": transferred},
                        index=budgets.index, dtype="float64")


def caps_for(budget: Mapping[str, Any] | None, programme: str | None) -> ProgrammeCaps:
    """The caps in force: the budget's own ``cap_per_*``, else its programme's defaults."""
    prog = (budget or {}).get("programme") or programme
    default = PROGRAMME_CAPS.get(str(prog), ProgrammeCaps())
    if budget is None:
        return default
    own = {k: _number(budget.get(f"cap_{k}")) for k in ("per_house", "per_project", "per_area")}
    return ProgrammeCaps(
        per_house=own["per_house"] if own["per_house"] is not None else default.per_house,
        per_project=(own["per_project"] if own["per_project"] is not None
                     else default.per_project),
        per_area=own["per_area"] if own["per_area"] is not None else default.per_area,
    )


# ------------------------------------------------------------------------------ caps
def _baht(value: float) -> str:
    return f"{value:,.0f}"


def _limit_warning(kind: str, limit: float, total: float, budget_id: str | None,
                   *, near: bool) -> CapWarning | None:
    """A warning when ``total`` passes ``limit`` (or, for ``near`` limits, reaches 90 % of it)."""
    names = {
        "cap_per_house": ("เพดานต่อหลัง", "cap per house", "ครัวเรือนนี้จะได้รวม",
                          "this household would get"),
        "cap_per_project": ("เพดานต่อโครงการ", "cap per project", "งานซ่อมนี้",
                            "this repair takes"),
        "cap_per_area": ("เพดานต่อพื้นที่", "cap per area", "ผูกพันรวม", "committed in all"),
        "allocation": ("งบที่ได้รับจัดสรร", "allocation", "ผูกพันรวม", "committed in all"),
        "approved": ("วงเงินอนุมัติ", "approved amount", "ใช้จ่ายแล้ว", "spent is"),
    }
    name_th, name_en, what_th, what_en = names[kind]
    of_th = f"ของงบ {budget_id}" if budget_id and kind in ("cap_per_area", "allocation") else ""
    of_en = f" of budget {budget_id}" if of_th else ""
    if total > limit:
        return CapWarning(
            f"{kind}_exceeded", limit, total,
            f"เกิน{name_th}{of_th} {_baht(limit)} บาท: {what_th} {_baht(total)} บาท "
            f"เกิน {_baht(total - limit)} บาท",
            f"passes the {name_en}{of_en} of {_baht(limit)} baht: {what_en} {_baht(total)} "
            f"baht, {_baht(total - limit)} baht over",
            budget_id)
    if near and limit > 0 and total >= NEAR_SHARE * limit:
        share = 100 * total / limit
        return CapWarning(
            f"{kind}_near", limit, total,
            f"ใกล้{name_th}{of_th} {_baht(limit)} บาท: {what_th} {_baht(total)} บาท "
            f"({share:.0f}%) เหลือ {_baht(limit - total)} บาท",
            f"near the {name_en}{of_en} of {_baht(limit)} baht: {what_en} {_baht(total)} "
            f"baht ({share:.0f} %), {_baht(limit - total)} baht left",
            budget_id)
    return None


def cap_warnings(*, value: float, previous: float, approved_amount: float | None,
                 spent: float | None, caps: ProgrammeCaps, budget: Mapping[str, Any] | None,
                 household_others: float, budget_others: float) -> list[CapWarning]:
    """The warnings of a change that makes a repair hold ``value`` baht instead of
    ``previous`` (pure; :func:`check_caps` gathers its inputs from the store).

    ``household_others`` is what the household's other repairs of the same programme hold,
    ``budget_others`` what the budget's other repairs hold. A change that adds no money never
    warns: lowering an amount must always be possible.
    """
    if value <= previous:
        return []
    budget_id = None if budget is None else str(budget.get("budget_id"))
    checks: list[tuple[str, float | None, float, bool]] = [
        ("cap_per_house", caps.per_house, household_others + value, False),
        ("cap_per_project", caps.per_project, value, False),
    ]
    if budget is not None:
        checks += [("cap_per_area", caps.per_area, budget_others + value, True),
                   ("allocation", _number(budget.get("allocation")),
                    budget_others + value, True)]
    if approved_amount is not None and spent is not None:
        checks.append(("approved", approved_amount, spent, False))
    found = [_limit_warning(kind, limit, total, budget_id, near=near)
             for kind, limit, total, near in checks if limit is not None]
    return [w for w in found if w is not None]


def check_caps(store: Store, repair: Feature, *, status: str | None = None,
               approved_amount: float | None = None, spent: float | None = None
               ) -> list[CapWarning]:
    """The cap warnings of changing ``repair`` (a stored feature) to ``status`` with
    ``approved_amount`` and ``spent`` (each defaulting to its stored value).

    Caps: per house (this household's repairs of the same programme together), per project
    (this repair), per area and the allocation (the budget's repairs together), from the
    budget's ``cap_per_*`` or the programme's defaults (:data:`PROGRAMME_CAPS`); and spending
    beyond the approved amount.
    """
    after = dict(repair)
    after["status"] = status or repair["status"]
    if approved_amount is not None:
        after["approved_amount"] = approved_amount
    if spent is not None:
        after["spent"] = spent
    both = pd.DataFrame([repair, after])
    money = committed_at(both, stage_at(both, None))
    budget = _budget_row(store, repair.get("budget_id"))
    household = _others(store, repair, "household_uid")
    household = household[household["programme"] == repair.get("programme")]
    budget_others = 0.0
    if budget is not None:
        budget_others = _held(_others(store, repair, "budget_id"))
    return cap_warnings(
        value=float(money[1]), previous=float(money[0]),
        approved_amount=_number(after.get("approved_amount")),
        spent=_number(after.get("spent")),
        caps=caps_for(budget, repair.get("programme")), budget=budget,
        household_others=_held(household), budget_others=budget_others)


def _budget_row(store: Store, budget_id: Any) -> dict[str, Any] | None:
    if is_missing(budget_id):
        return None
    rows = store.read("budgets", where={"budget_id": str(budget_id)})
    return None if rows.empty else dict(rows.iloc[0])


def _others(store: Store, repair: Feature, key: str) -> pd.DataFrame:
    """The other live repairs sharing ``repair``'s value of ``key``."""
    frame = store.read("repairs", where={key: str(repair[key])})
    others: pd.DataFrame = frame[frame["uid"] != repair["uid"]]
    return others


def _held(repairs: pd.DataFrame) -> float:
    return float(committed_at(repairs, stage_at(repairs, None)).sum()) if len(repairs) else 0.0


# --------------------------------------------------------------------------- status
def budget_status(store: Store, *, budget_id: str | None = None, area: str | None = None,
                  as_of: dt.date | None = None) -> list[BudgetStatus]:
    """Each budget's money and warnings: one budget by id, or those held at ``area`` (a DOPA
    code) and inside it.

    Parameters
    ----------
    store
        Where budgets and repairs are read (every live row; callers gate who may ask).
    budget_id, area
        Exactly one of them.
    as_of
        The day of the figures (dated by the module's rules); None: now.

    Raises
    ------
    InputError
        Neither or both of ``budget_id``/``area``, or no such budget.
    """
    if (budget_id is None) == (area is None):
        raise InputError("ระบุรหัสงบประมาณหรือรหัสพื้นที่อย่างใดอย่างหนึ่ง",
                         "give either a budget id or an area code", field="budget_id")
    budgets = store.read("budgets")
    if budget_id is not None:
        budgets = budgets[budgets["budget_id"] == budget_id]
        if budgets.empty:
            raise InputError(f"ไม่พบงบประมาณ {budget_id}", f"no budget {budget_id}",
                             field="budget_id")
    else:
        budgets = budgets[budgets["area_code"].astype("string").str.startswith(str(area))
                          .fillna(False).to_numpy(dtype=bool)]
    repairs = store.read("repairs", where={"budget_id": [str(b) for b in budgets["budget_id"]]})
    return budget_statuses(budgets, repairs, as_of=as_of)


def budget_statuses(budgets: pd.DataFrame, repairs: pd.DataFrame, *,
                    as_of: dt.date | None = None) -> list[BudgetStatus]:
    """:func:`budget_status` over frames (pure)."""
    stage = stage_at(repairs, as_of)
    held = pd.DataFrame({"budget_id": repairs["budget_id"].astype("object"),
                         "stage": stage, "committed": committed_at(repairs, stage),
                         "spent": spent_at(repairs, stage)})
    money = budget_money(budgets, as_of)
    allocated, transferred = money["allocated"].to_numpy(), money["transferred"].to_numpy()
    out = []
    for i, record in enumerate(budgets.to_dict("records")):
        row = {str(k): v for k, v in record.items()}
        mine = held[held["budget_id"] == row["budget_id"]]
        counts = {s: int((mine["stage"] == n).sum()) for n, s in enumerate(STATUSES)}
        status = BudgetStatus(
            budget_id=str(row["budget_id"]), programme=str(row["programme"]),
            area_code=str(row["area_code"]),
            fiscal_year=None if is_missing(row.get("fiscal_year")) else int(row["fiscal_year"]),
            allocation=float(allocated[i]), tranches=tranches_of(row),
            transferred=float(transferred[i]),
            committed=float(mine["committed"].sum()), spent=float(mine["spent"].sum()),
            repairs=counts, caps=caps_for(row, None),
            recorded={k: _number(row.get(k)) for k in ("transferred", "committed", "spent")},
            as_of=as_of)
        out.append(_with_warnings(status))
    return out


def _with_warnings(status: BudgetStatus) -> BudgetStatus:
    found: list[CapWarning | None] = [
        _limit_warning("allocation", status.allocation, status.committed, status.budget_id,
                       near=True)]
    if status.caps.per_area is not None:
        found.append(_limit_warning("cap_per_area", status.caps.per_area, status.committed,
                                    status.budget_id, near=True))
    if status.spent > status.transferred:
        found.append(CapWarning(
            "spent_over_transferred", status.transferred, status.spent,
            f"งบ {status.budget_id}: ใช้จ่ายแล้ว {_baht(status.spent)} บาท มากกว่าเงินที่โอนมา "
            f"{_baht(status.transferred)} บาท",
            f"budget {status.budget_id}: {_baht(status.spent)} baht spent, more than the "
            f"{_baht(status.transferred)} baht transferred", status.budget_id))
    percents = [t.percent for t in status.tranches if t.percent is not None]
    if percents and abs(sum(percents) - 100) > 1e-6:
        found.append(CapWarning(
            "tranches_not_100", 100.0, float(sum(percents)),
            f"งบ {status.budget_id}: งวดการโอนรวมกันได้ {sum(percents):g}% ไม่ใช่ 100%",
            f"budget {status.budget_id}: its tranches add up to {sum(percents):g} %, not 100 %",
            status.budget_id))
    return BudgetStatus(**{**status.__dict__, "warnings": tuple(w for w in found if w)})


def budget_frame(statuses: Sequence[BudgetStatus]) -> pd.DataFrame:
    """Budget statuses as a table (one row per budget, repairs counted per status)."""
    rows = []
    for s in statuses:
        row = {k: v for k, v in s.as_json().items()
               if k not in ("tranches", "caps", "recorded", "warnings", "repairs")}
        row.update({f"repairs_{k}": v for k, v in s.repairs.items()})
        row["warnings"] = ", ".join(w.code for w in s.warnings)
        rows.append(row)
    return pd.DataFrame(rows)


__all__ = [
    "DATE_FIELDS", "NEAR_SHARE", "PROGRAMME_CAPS", "STATUSES", "BudgetStatus", "CapWarning",
    "ProgrammeCaps", "Tranche", "budget_frame", "budget_money", "budget_status",
    "budget_statuses", "cap_warnings", "caps_for", "check_caps", "committed_at",
    "fiscal_year_start", "spent_at", "stage_at", "tranches_of",
]
