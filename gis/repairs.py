"""House repairs through their life: proposed → approved → in_progress → done → verified.

A repair is created for a household (:func:`create_repair`) and moves one step at a time:
approval needs the committee's decision and the approved amount (:func:`approve_repair`), work
starts (:func:`start_repair`) and ends (:func:`finish_repair`), and the inspection committee
accepts it (:func:`verify_repair`, Baan Por Piang's ตรวจรับ). No step is skipped and none is
taken back, except by :func:`reopen_repair` with a reason. Each step is one versioned
``store.update`` from the version the user saw, so the feature's history keeps who did what and
when; the step's date is the day it happened (``today``), not the moment it was typed in.

Money is checked against the programme caps (``gis.budgets``) whenever a change adds to what a
repair holds: approval, a higher approved amount, spending. Such a change is refused while cap
warnings stand unless ``acknowledged`` names exactly their codes — a repair never passes a cap
unnoticed — and an acknowledgement is written into the repair's ``committee_decision`` and the
audit log. (The store's ``update`` takes no audit entry, so the entry follows the update in a
transaction of its own.) The check and the write are not one transaction across repairs: two
planners approving on one budget at the same moment can pass a budget-wide cap together.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Collection, Mapping
from typing import Any

import pandas as pd

from gis.budgets import DATE_FIELDS, RANK, STATUSES, CapWarning, check_caps
from gis.dates import today as local_today
from gis.errors import Conflict, ConflictError, InputError
from gis.store.codec import is_missing
from gis.store.protocol import AuditEvent, Feature, Store
from layers.vocab import PROGRAMME, REPAIR_STATUS

LAYER = "repairs"
_ID = re.compile(r"^R-(\d+)$")


class CapsNotAcknowledged(InputError):
    """A change would pass (or come near) a cap and its warnings were not acknowledged
    exactly; ``warnings`` lists them. Nothing was written."""

    def __init__(self, warnings: list[CapWarning], acknowledged: Collection[str]) -> None:
        codes = sorted({w.code for w in warnings})
        super().__init__(
            "ยังไม่ได้บันทึก ต้องรับทราบคำเตือนเรื่องเพดานเงินก่อน: "
            + " / ".join(w.message_th for w in warnings)
            + f" (รับทราบแล้ว: {', '.join(sorted(acknowledged)) or '-'})",
            "nothing was saved: acknowledge the cap warnings first: "
            + " / ".join(w.message_en for w in warnings)
            + f" (acknowledged: {', '.join(sorted(acknowledged)) or '-'})",
            field="acknowledged",
            fix_th=f"ให้ผู้มีอำนาจรับทราบรหัส: {', '.join(codes) or '(ไม่มีคำเตือน)'}",
            fix_en=f"acknowledge exactly: {', '.join(codes) or '(no warnings)'}",
        )
        self.warnings = tuple(warnings)


def status_label(code: str, lang: str = "th") -> str:
    return REPAIR_STATUS.label(code, lang)


# ------------------------------------------------------------------------------ reading
def find_repair(store: Store, repair_id: str) -> Feature:
    """The live repair with ``repair_id`` (e.g. ``R-0042``), or ``InputError``."""
    found = store.read(LAYER, where={"repair_id": repair_id})
    if found.empty:
        raise InputError(f"ไม่พบงานซ่อม {repair_id}", f"no repair {repair_id}",
                         field="repair_id")
    return _load(store, str(found["uid"].iloc[0]), None)


def _load(store: Store, uid: str, expected_version: int | None) -> Feature:
    feature = store.get(LAYER, uid)
    if feature is None or feature.get("deleted"):
        raise InputError(f"ไม่พบงานซ่อม {uid}", f"no repair {uid}", field="repair")
    if expected_version is not None and int(feature["version"]) != int(expected_version):
        raise ConflictError([Conflict(LAYER, uid, int(expected_version),
                                      int(feature["version"]), {}, feature)])
    return feature


def _day(today: dt.date | None) -> dt.date:
    return local_today() if today is None else today


# ------------------------------------------------------------------------------ creation
def next_repair_id(store: Store) -> str:
    """``R-0001``, ``R-0002`` …: one more than the highest id ever used (deleted ones too)."""
    ids = store.read(LAYER, include_deleted=True)["repair_id"].dropna().astype(str)
    numbers = [int(m.group(1)) for m in map(_ID.match, ids) if m]
    return f"R-{max(numbers, default=0) + 1:04d}"


def create_repair(store: Store, *, household_uid: str, items: str, estimate: float,
                  programme: str, budget_id: str | None = None, user: str,
                  today: dt.date | None = None) -> Feature:
    """Propose a repair for a household; returns the stored repair (version 1).

    The village comes from the household; the repair id is the next ``R-NNNN``; the status is
    ``proposed`` on ``today`` (default: today in Bangkok).

    Raises
    ------
    InputError
        No such household, no items, an estimate that is not a positive number, an unknown
        programme, or a budget that does not exist, belongs to another programme or does not
        cover the household's village.
    """
    household = store.get("households", household_uid)
    if household is None or household.get("deleted"):
        raise InputError(f"ไม่พบครัวเรือน {household_uid}", f"no household {household_uid}",
                         field="household_uid")
    if not str(items or "").strip():
        raise InputError("ต้องระบุรายการซ่อม", "the repair needs its items", field="items")
    amount = _amount(estimate, "estimate", "ประมาณการ")
    if programme not in PROGRAMME.codes():
        raise InputError(f"ไม่รู้จักโครงการ {programme!r}", f"unknown programme {programme!r}",
                         field="programme", fix_th=f"ใช้: {', '.join(PROGRAMME.codes())}",
                         fix_en=f"use one of: {', '.join(PROGRAMME.codes())}")
    village = str(household["village_code"])
    if budget_id is not None:
        _check_budget(store, budget_id, programme, village)
    record = {
        "repair_id": next_repair_id(store), "household_uid": household_uid,
        "village_code": village, "items": str(items).strip(), "estimate": amount,
        "status": "proposed", "programme": programme, "budget_id": budget_id,
        "proposed_on": _day(today),
    }
    result = store.write(LAYER, pd.DataFrame([record]), user=user)
    return _load(store, result.uids[0], None)


def _check_budget(store: Store, budget_id: str, programme: str, village: str) -> None:
    rows = store.read("budgets", where={"budget_id": budget_id})
    if rows.empty:
        raise InputError(f"ไม่พบงบประมาณ {budget_id}", f"no budget {budget_id}",
                         field="budget_id")
    budget = rows.iloc[0]
    if budget["programme"] != programme:
        raise InputError(
            f"งบ {budget_id} เป็นของโครงการ {PROGRAMME.label(budget['programme'])} "
            f"ไม่ใช่ {PROGRAMME.label(programme)}",
            f"budget {budget_id} belongs to {PROGRAMME.label(budget['programme'], 'en')}, "
            f"not {PROGRAMME.label(programme, 'en')}", field="budget_id")
    area = str(budget["area_code"])
    villages = store.read("villages", where={"village_code": village})
    tambon = str(villages["tambon_code"].iloc[0]) if len(villages) else village[:6]
    if not (village.startswith(area) or tambon.startswith(area)):
        raise InputError(
            f"งบ {budget_id} ใช้ในพื้นที่ {area} ซึ่งไม่ครอบคลุมหมู่บ้าน {village}",
            f"budget {budget_id} is for area {area}, which does not cover village {village}",
            field="budget_id")


def _amount(value: Any, name: str, name_th: str, *, zero: bool = False) -> float:
    try:
        amount = float(value)
    except (TypeError, ValueError):
        amount = math.nan
    if not math.isfinite(amount) or amount < 0 or (amount == 0 and not zero):
        raise InputError(f"{name_th}ต้องเป็นจำนวนเงินบาทที่มากกว่าศูนย์ (ได้ {value!r})",
                         f"{name} must be a positive number of baht (got {value!r})",
                         field=name)
    return amount


# ---------------------------------------------------------------------------- the steps
def _refuse_step(feature: Feature, wanted: str) -> InputError:
    current = str(feature["status"])
    rank = RANK[current]
    following = STATUSES[rank + 1] if rank + 1 < len(STATUSES) else None
    next_th = f"ขั้นถัดไปคือ '{status_label(following)}'" if following else "งานนี้จบแล้ว"
    next_en = f"the next step is '{following}'" if following else "this repair is finished"
    return InputError(
        f"งานซ่อม {feature['repair_id']} อยู่ในสถานะ '{status_label(current)}' "
        f"จึงเปลี่ยนเป็น '{status_label(wanted)}' ไม่ได้",
        f"repair {feature['repair_id']} is '{current}'; it cannot go to '{wanted}'",
        field="status",
        fix_th=f"{next_th}; ถ้าต้องย้อนขั้น ใช้การเปิดงานใหม่พร้อมเหตุผล",
        fix_en=f"{next_en}; to go back, reopen it with a reason")


def _step(feature: Feature, wanted: str, day: dt.date) -> None:
    """Refuse anything but the next step, and a date before the previous step's."""
    if RANK[wanted] != RANK[str(feature["status"])] + 1:
        raise _refuse_step(feature, wanted)
    before = feature.get(DATE_FIELDS[RANK[wanted] - 1])
    if isinstance(before, dt.date) and day < before:
        raise InputError(
            f"วันที่ {day.isoformat()} อยู่ก่อนขั้นก่อนหน้า ({before.isoformat()})",
            f"the date {day.isoformat()} is before the previous step's ({before.isoformat()})",
            field=DATE_FIELDS[RANK[wanted]])


def _acknowledge(warnings: list[CapWarning], acknowledged: Collection[str]) -> str | None:
    """Refuse unless ``acknowledged`` is exactly the warnings' codes; the note to record."""
    if {w.code for w in warnings} != set(acknowledged):
        raise CapsNotAcknowledged(warnings, acknowledged)
    if not warnings:
        return None
    return "[รับทราบคำเตือน / acknowledged: " + "; ".join(
        f"{w.code}: {w.message_th} / {w.message_en}" for w in warnings) + "]"


def _append(text: Any, *notes: str | None) -> str | None:
    parts = [] if is_missing(text) or not str(text) else [str(text)]
    parts += [n for n in notes if n]
    return "\n".join(parts) or None


def _save(store: Store, feature: Feature, values: Mapping[str, Any], *, user: str,
          action: str, detail: Mapping[str, Any]) -> Feature:
    uid = str(feature["uid"])
    result = store.update(LAYER, {uid: dict(values)}, {uid: int(feature["version"])}, user=user)
    store.append_audit(AuditEvent(user, action, subject=str(feature["repair_id"]), detail={
        "uid": uid, "version": result.versions[uid], "change_set": result.change_set,
        "from": feature["status"], "to": values.get("status", feature["status"]), **detail}))
    return _load(store, uid, None)


def _ack_detail(warnings: list[CapWarning]) -> dict[str, Any]:
    return {"acknowledged": [w.as_json() for w in warnings]} if warnings else {}


def approve_repair(store: Store, uid: str, *, decision: str, approved_amount: float,
                   acknowledged: Collection[str] = (), tranche: int | None = None,
                   expected_version: int | None = None, user: str,
                   today: dt.date | None = None) -> Feature:
    """proposed → approved on ``today``, with the committee's ``decision`` (its text, e.g. the
    meeting and resolution number) and the ``approved_amount``.

    Raises ``CapsNotAcknowledged`` while cap warnings stand that ``acknowledged`` does not name
    exactly, ``InputError`` for another status, an empty decision or a bad amount, and
    ``ConflictError`` when the repair is no longer at ``expected_version``.
    """
    feature = _load(store, uid, expected_version)
    day = _day(today)
    _step(feature, "approved", day)
    if not str(decision or "").strip():
        raise InputError("ต้องระบุมติคณะกรรมการ", "approval needs the committee's decision",
                         field="committee_decision")
    amount = _amount(approved_amount, "approved_amount", "วงเงินอนุมัติ")
    warnings = check_caps(store, feature, status="approved", approved_amount=amount)
    note = _acknowledge(warnings, acknowledged)
    values: dict[str, Any] = {
        "status": "approved", "approved_amount": amount, "approved_on": day,
        "committee_decision": _append(feature.get("committee_decision"), decision.strip(),
                                      note)}
    if tranche is not None:
        values["tranche"] = tranche
    return _save(store, feature, values, user=user, action="repair_status",
                 detail={"approved_amount": amount, **_ack_detail(warnings)})


def start_repair(store: Store, uid: str, *, builder: str | None = None,
                 spent: float | None = None, acknowledged: Collection[str] = (),
                 expected_version: int | None = None, user: str,
                 today: dt.date | None = None) -> Feature:
    """approved → in_progress on ``today`` (the builder starts), optionally naming the builder
    and the money spent so far."""
    return _work_step(store, uid, "in_progress", {"builder": builder}, spent=spent,
                      acknowledged=acknowledged, expected_version=expected_version,
                      user=user, today=today)


def finish_repair(store: Store, uid: str, *, spent: float | None = None,
                  acknowledged: Collection[str] = (), expected_version: int | None = None,
                  user: str, today: dt.date | None = None) -> Feature:
    """in_progress → done on ``today``, optionally with the money spent in all."""
    return _work_step(store, uid, "done", {}, spent=spent, acknowledged=acknowledged,
                      expected_version=expected_version, user=user, today=today)


def verify_repair(store: Store, uid: str, *, inspection: str, spent: float | None = None,
                  acknowledged: Collection[str] = (), expected_version: int | None = None,
                  user: str, today: dt.date | None = None) -> Feature:
    """done → verified on ``today``: the inspection committee accepted the work; its finding
    (``inspection``) is added to the repair's committee decision."""
    if not str(inspection or "").strip():
        raise InputError("ต้องระบุผลการตรวจรับของคณะกรรมการ",
                         "verification needs the inspection committee's finding",
                         field="inspection")
    day = _day(today)
    note = f"ตรวจรับ / inspected {day.isoformat()}: {inspection.strip()}"
    return _work_step(store, uid, "verified", {}, spent=spent, acknowledged=acknowledged,
                      expected_version=expected_version, user=user, today=day, note=note)


def _work_step(store: Store, uid: str, wanted: str, extra: Mapping[str, Any], *,
               spent: float | None, acknowledged: Collection[str],
               expected_version: int | None, user: str, today: dt.date | None,
               note: str | None = None) -> Feature:
    feature = _load(store, uid, expected_version)
    day = _day(today)
    _step(feature, wanted, day)
    amount = None if spent is None else _amount(spent, "spent", "เงินที่ใช้จ่าย", zero=True)
    warnings = check_caps(store, feature, status=wanted, spent=amount)
    ack = _acknowledge(warnings, acknowledged)
    values: dict[str, Any] = {"status": wanted, DATE_FIELDS[RANK[wanted]]: day}
    values.update({k: v for k, v in extra.items() if v is not None})
    if amount is not None:
        values["spent"] = amount
    if note or ack:
        values["committee_decision"] = _append(feature.get("committee_decision"), note, ack)
    return _save(store, feature, values, user=user, action="repair_status",
                 detail={"spent": amount, **_ack_detail(warnings)})


def set_amounts(store: Store, uid: str, *, approved_amount: float | None = None,
                spent: float | None = None, note: str | None = None,
                acknowledged: Collection[str] = (), expected_version: int | None = None,
                user: str) -> Feature:
    """Change an approved repair's approved amount and/or a started repair's spending, with the
    same cap checks as approval (``note``: the decision behind it, added to the record)."""
    feature = _load(store, uid, expected_version)
    rank = RANK[str(feature["status"])]
    if approved_amount is None and spent is None:
        raise InputError("ไม่มีจำนวนเงินที่จะเปลี่ยน", "no amount to change", field="spent")
    if approved_amount is not None and rank < RANK["approved"]:
        raise _refuse_step(feature, "approved")
    if spent is not None and rank < RANK["in_progress"]:
        raise _refuse_step(feature, "in_progress")
    approved = (None if approved_amount is None
                else _amount(approved_amount, "approved_amount", "วงเงินอนุมัติ"))
    paid = None if spent is None else _amount(spent, "spent", "เงินที่ใช้จ่าย", zero=True)
    warnings = check_caps(store, feature, approved_amount=approved, spent=paid)
    ack = _acknowledge(warnings, acknowledged)
    values: dict[str, Any] = {}
    if approved is not None:
        values["approved_amount"] = approved
    if paid is not None:
        values["spent"] = paid
    if note or ack:
        values["committee_decision"] = _append(feature.get("committee_decision"), note, ack)
    return _save(store, feature, values, user=user, action="repair_amounts",
                 detail={"approved_amount": approved, "spent": paid, "note": note,
                         **_ack_detail(warnings)})


def reopen_repair(store: Store, uid: str, *, to: str, reason: str,
                  expected_version: int | None = None, user: str,
                  today: dt.date | None = None) -> Feature:
    """Take a repair back to an earlier status ``to``, for a ``reason`` (e.g. the inspection
    found the roof still leaking). The dates of the later steps are cleared — they are no longer
    true, and the history keeps them —, back to ``proposed`` the approved amount too; the money
    spent stays spent. The reason is added to the committee decision and the audit log."""
    feature = _load(store, uid, expected_version)
    if to not in RANK or RANK[to] >= RANK[str(feature["status"])]:
        raise InputError(
            f"เปิดงานใหม่ได้เฉพาะย้อนไปสถานะก่อน '{status_label(str(feature['status']))}' "
            f"(ได้ {to!r})",
            f"a repair can only be reopened to a status before '{feature['status']}' "
            f"(got {to!r})", field="status",
            fix_th=f"ใช้: {', '.join(STATUSES[:RANK[str(feature['status'])]]) or '-'}",
            fix_en=f"use one of: {', '.join(STATUSES[:RANK[str(feature['status'])]]) or '-'}")
    if not str(reason or "").strip():
        raise InputError("ต้องระบุเหตุผลที่เปิดงานใหม่", "reopening needs a reason",
                         field="reason")
    day = _day(today)
    values: dict[str, Any] = {"status": to}
    values.update(dict.fromkeys(DATE_FIELDS[RANK[to] + 1:]))
    if to == "proposed":
        values["approved_amount"] = None
    values["committee_decision"] = _append(
        feature.get("committee_decision"),
        f"[เปิดงานใหม่ / reopened {day.isoformat()} {feature['status']} → {to}: "
        f"{reason.strip()}]")
    return _save(store, feature, values, user=user, action="repair_reopened",
                 detail={"reason": reason.strip(), "on": day.isoformat()})


__all__ = [
    "CapsNotAcknowledged", "approve_repair", "create_repair", "find_repair", "finish_repair",
    "next_repair_id", "reopen_repair", "set_amounts", "start_repair", "status_label",
    "verify_repair",
]
