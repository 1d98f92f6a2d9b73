"""House repairs and the budgets that pay for them, consistent to the baht and the day.

Budgets arrive in tranches (70 % first, 30 % later). A repair is approved at a committee
meeting only if its amount still fits in a tranche, is started only after that tranche has
been transferred, and moves through approved → in_progress → done → verified as dates pass the
demo's "today". Hence, for every budget: committed ≤ allocation, spent ≤ transferred, and per
tranche the repairs' approved amounts ≤ the tranche amount.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gis.demo.names import builder_name
from gis.demo.villages import AMPHOE_CODE, DEMO_TODAY

_THAI_MONTHS = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.",
                "พ.ย.", "ธ.ค.")
# Items and their cost ranges in baht; the ramp only for households with elderly or disabled.
_ITEMS: tuple[tuple[str, int, int], ...] = (
    ("เปลี่ยนหลังคาสังกะสี", 6_000, 15_000),
    ("ซ่อมโครงหลังคา", 4_000, 10_000),
    ("ซ่อมฝาผนัง", 3_000, 9_000),
    ("เปลี่ยนพื้นไม้", 4_000, 12_000),
    ("เทพื้นคอนกรีต", 5_000, 12_000),
    ("ซ่อมห้องน้ำ", 4_000, 10_000),
    ("เปลี่ยนเสาบ้าน", 5_000, 14_000),
    ("เปลี่ยนประตูหน้าต่าง", 2_500, 7_000),
    ("เดินสายไฟใหม่", 2_000, 6_000),
)
_RAMP = ("ทำทางลาดและราวจับสำหรับผู้สูงอายุ", 3_000, 8_000)
FISCAL_YEAR = 2569  # Thai fiscal year 2569 B.E.: October 2025 – September 2026


def thai_date(day: dt.date) -> str:
    """``"10 มี.ค. 2569"``: day, abbreviated Thai month, Buddhist-Era year (CE + 543)."""
    return f"{day.day} {_THAI_MONTHS[day.month - 1]} {day.year + 543}"


@dataclass(frozen=True)
class Tranche:
    """One instalment of a budget."""

    no: int
    percent: int
    due_on: dt.date
    transferred_on: dt.date | None


@dataclass
class Budget:
    """A budget line and the running totals of the repairs charged to it."""

    budget_id: str
    programme: str
    area_code: str
    allocation: float
    tranches: tuple[Tranche, ...]
    cap_per_house: float | None
    cap_per_project: float | None
    cap_per_area: float | None
    notes: str | None
    meetings: tuple[dt.date, ...]  # committee meetings that approve repairs
    committed_by_tranche: dict[int, float] = field(default_factory=dict)
    spent: float = 0.0

    def amount(self, tranche: Tranche) -> float:
        """The baht of ``tranche``."""
        return self.allocation * tranche.percent / 100

    def record(self) -> dict[str, Any]:
        """The budget's fields as the ``budgets`` layer declares them."""
        transferred = sum(self.amount(t) for t in self.tranches if t.transferred_on is not None)
        return {
            "budget_id": self.budget_id,
            "programme": self.programme,
            "area_code": self.area_code,
            "fiscal_year": FISCAL_YEAR,
            "allocation": self.allocation,
            "tranches": [
                {"no": t.no, "percent": t.percent, "due_on": t.due_on.isoformat(),
                 "transferred_on": t.transferred_on.isoformat() if t.transferred_on else None,
                 "amount": self.amount(t)}
                for t in self.tranches
            ],
            "transferred": transferred,
            "committed": sum(self.committed_by_tranche.values()),
            "spent": self.spent,
            "cap_per_house": self.cap_per_house,
            "cap_per_project": self.cap_per_project,
            "cap_per_area": self.cap_per_area,
            "notes": self.notes,
        }


def _d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


def demo_budgets(rng: random.Random) -> list[Budget]:
    """Fiscal-year 2569 budgets: Baan Por Piang for the amphoe, rural Baan Mankong for the two
    rural tambons, and a city fund with no house repairs charged to it yet.

    Caps follow DESIGN.md §11: 19,000 baht per house (Baan Por Piang), 40,000 per house (rural
    Baan Mankong, up to 500,000 per area), 50,000 per project and 500,000 per area (city fund).
    """
    monthly = tuple(_d(m, rng.randint(8, 14)) for m in range(2, 7))
    return [
        Budget("BPP-2569-2704", "baan_por_piang", AMPHOE_CODE, 1_900_000.0,
               (Tranche(1, 70, _d(1, 15), _d(1, 20)), Tranche(2, 30, _d(5, 15), _d(5, 22))),
               19_000.0, None, None, "ซ่อมบ้านผู้มีรายได้น้อย 100 หลัง", monthly),
        Budget("BMR-2569-270405", "baan_mankong_rural", "270405", 500_000.0,
               (Tranche(1, 70, _d(2, 1), _d(2, 6)), Tranche(2, 30, _d(6, 1), _d(6, 10))),
               40_000.0, None, 500_000.0, None, monthly),
        Budget("BMR-2569-270406", "baan_mankong_rural", "270406", 500_000.0,
               # The second tranche is late: its repairs wait at "approved".
               (Tranche(1, 70, _d(2, 1), _d(2, 9)), Tranche(2, 30, _d(6, 1), None)),
               40_000.0, None, 500_000.0, "งวดที่ 2 ยังไม่ได้รับโอน", monthly),
        Budget("CTF-2569-2704", "city_fund", AMPHOE_CODE, 500_000.0,
               (Tranche(1, 70, _d(3, 1), _d(3, 9)), Tranche(2, 30, _d(8, 1), None)),
               None, 50_000.0, 500_000.0,
               "กองทุนพัฒนาคุณภาพชีวิตระดับเมือง: โครงการสาธารณูปโภคชุมชน ไม่มีงานซ่อมบ้าน",
               monthly),
    ]


@dataclass(frozen=True)
class Applicant:
    """What a repair needs to know about its household."""

    uid: str
    village_code: str
    village_name: str
    tambon_code: str
    survey_date: dt.date
    dilapidated: bool
    needs_ramp: bool


def _items(rng: random.Random, applicant: Applicant) -> tuple[str, float]:
    """Thai item list and an estimate of 8,000–40,000 baht (more for dilapidated houses)."""
    pool = list(_ITEMS) + ([_RAMP] if applicant.needs_ramp else [])
    rng.shuffle(pool)
    target = rng.uniform(15_000, 40_000) if applicant.dilapidated else rng.uniform(8_000, 22_000)
    chosen: list[str] = []
    total = 0.0
    for name, low, high in pool:
        if total >= target:
            break
        chosen.append(name)
        total += rng.uniform(low, high)
    return ", ".join(chosen), float(min(max(round(total, -2), 8_000.0), 40_000.0))


def _budget_for(applicant: Applicant, budgets: Sequence[Budget], rural_left: dict[str, int]) -> \
        Budget:
    rural = next((b for b in budgets if b.programme == "baan_mankong_rural"
                  and b.area_code == applicant.tambon_code), None)
    if rural is not None and rural_left[rural.budget_id] > 0:
        rural_left[rural.budget_id] -= 1
        return rural
    return next(b for b in budgets if b.programme == "baan_por_piang")


def demo_repairs(
    rng: random.Random, applicants: Sequence[Applicant], budgets: Sequence[Budget]
) -> list[dict[str, Any]]:
    """One repair record per applicant, charged to ``budgets`` (whose totals are updated).

    Parameters
    ----------
    rng
        The source of randomness.
    applicants
        Households with poor or dilapidated houses who consented, most urgent first.
    budgets
        From :func:`demo_budgets`; their committed and spent totals are filled in here.

    Returns
    -------
    list of dict
        Records with the ``repairs`` layer's fields, ``repair_id`` ``R-0001`` … in the order
        the repairs were proposed.
    """
    rural_left = {b.budget_id: rng.randint(17, 22) for b in budgets
                  if b.programme == "baan_mankong_rural"}
    drafts = []
    for applicant in applicants:
        budget = _budget_for(applicant, budgets, rural_left)
        items, estimate = _items(rng, applicant)
        proposed = min(applicant.survey_date + dt.timedelta(days=rng.randint(3, 30)), DEMO_TODAY)
        drafts.append((proposed, applicant, budget, items, estimate))
    drafts.sort(key=lambda d: (d[0], d[1].uid))

    records: list[dict[str, Any]] = []
    for number, (proposed, applicant, budget, items, estimate) in enumerate(drafts, start=1):
        record: dict[str, Any] = {
            "repair_id": f"R-{number:04d}", "household_uid": applicant.uid,
            "village_code": applicant.village_code, "items": items, "estimate": estimate,
            "approved_amount": None, "spent": None, "status": "proposed",
            "programme": budget.programme, "budget_id": budget.budget_id, "tranche": None,
            "builder": None, "committee_decision": None, "proposed_on": proposed,
            "approved_on": None, "started_on": None, "done_on": None, "verified_on": None,
        }
        records.append(record)
        cap = budget.cap_per_house or estimate
        amount = min(cap, round(estimate * rng.uniform(0.9, 1.0), -2))
        meeting = next((m for m in budget.meetings
                        if m >= proposed + dt.timedelta(days=5) and m <= DEMO_TODAY), None)
        # Some proposals wait for missing papers (สำเนาทะเบียนบ้าน, photos) at any meeting.
        if meeting is None or rng.random() < 0.08:
            continue
        tranche = next((t for t in budget.tranches
                        if budget.committed_by_tranche.get(t.no, 0.0) + amount
                        <= budget.amount(t)), None)
        if tranche is None:
            continue  # the budget is fully committed: the proposal waits for next year's
        budget.committed_by_tranche[tranche.no] = (
            budget.committed_by_tranche.get(tranche.no, 0.0) + amount)
        record.update(
            status="approved", approved_amount=amount, spent=0.0, tranche=tranche.no,
            approved_on=meeting, builder=builder_name(rng, applicant.village_name),
            committee_decision=(f"มติคณะกรรมการ ครั้งที่ {budget.meetings.index(meeting) + 1}/"
                                f"{FISCAL_YEAR} ({thai_date(meeting)}): อนุมัติ {amount:,.0f} บาท"),
        )
        if tranche.transferred_on is None or rng.random() < 0.07:
            continue  # no money yet, or the builder has not started
        started = max(meeting, tranche.transferred_on) + dt.timedelta(days=rng.randint(3, 21))
        if started > DEMO_TODAY:
            continue
        record.update(status="in_progress", started_on=started,
                      spent=round(amount * rng.uniform(0.3, 0.8), -2))
        done = started + dt.timedelta(days=rng.randint(10, 40))
        if done > DEMO_TODAY or rng.random() < 0.07:
            budget.spent += record["spent"]
            continue
        record.update(status="done", done_on=done,
                      spent=min(amount, round(amount * rng.uniform(0.93, 1.0), -2)))
        verified = done + dt.timedelta(days=rng.randint(5, 25))
        if verified <= DEMO_TODAY and rng.random() < 0.9:
            record.update(status="verified", verified_on=verified)
        budget.spent += record["spent"]
    return records
