"""``landmap rollup``, ``landmap repair …`` and ``landmap budget-status``: the planner's
commands (public contracts).

    landmap rollup --store STORE --month YYYY-MM --level village|tambon|amphoe|province
                   [--code CODE] [--audience agency|internal] [--xlsx OUT.xlsx] [--lang th|en]
                   --json

prints ``[{"code", "name_th", "name_en", "households_surveyed", "priority_households",
"repairs": {"proposed", "approved", "in_progress", "done", "verified"}, "budget":
{"allocated", "transferred", "committed", "spent"}, …}]`` plus ``level``, ``parent_code``,
``kind`` (``area``, or ``held_above`` for money held by an area above the level), ``month``,
``tenure`` and ``change`` (the same figures' change from the previous month). See
``gis.rollup`` for what each figure means. ``agency`` suppresses counts below 3.

    landmap repair create --household UID --items TEXT --estimate BAHT --programme CODE
                          [--budget ID]
    landmap repair approve|start|finish|verify|reopen|amounts|caps REPAIR_ID …
    landmap budget-status (--budget ID | --area CODE) [--as-of YYYY-MM-DD]

print the repair (or the budgets) as JSON with ``--json``. Bad input exits 2 with the reason
in Thai and English — a refusal for unacknowledged cap warnings lists their codes
(``error.warnings``) — never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import Any

from gis.budgets import budget_status, check_caps
from gis.cli import _cli_actor, _Parser, _store_arg
from gis.errors import InputError, LandmapError
from gis.jsonable import jsonable
from gis.privacy import Audience, Role
from gis.repairs import (
    CapsNotAcknowledged,
    approve_repair,
    create_repair,
    find_repair,
    finish_repair,
    reopen_repair,
    set_amounts,
    start_repair,
    verify_repair,
)
from gis.rollup import rollup, rollup_records, rollup_xlsx
from gis.store import Store, open_store
from gis.store.protocol import Feature

EXIT_BAD_INPUT = 2
STORE_HELP = "FILE.gpkg or postgresql://… (default $LANDMAP_STORE)"


def _fail(args: argparse.Namespace, exc: LandmapError) -> int:
    """Thai then English on stderr; with ``--json`` also ``{"error": …}`` on stdout."""
    if args.json:
        error: dict[str, Any] = {"message_th": exc.message_th, "message_en": exc.message_en}
        if isinstance(exc, CapsNotAcknowledged):
            error["warnings"] = [w.as_json() for w in exc.warnings]
        print(json.dumps({"error": error}, ensure_ascii=False))
    print(f"ข้อผิดพลาด: {exc.message_th}\nerror: {exc.message_en}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _run(args: argparse.Namespace, work: Callable[[Store], tuple[Any, str]]) -> int:
    try:
        store = open_store(_store_arg(args), create=False)
        try:
            payload, text = work(store)
        finally:
            store.close()
    except LandmapError as exc:
        return _fail(args, exc)
    print(json.dumps(payload, ensure_ascii=False, indent=2) if args.json else text)
    return 0


# ------------------------------------------------------------------------------ rollup
def _audience(store: Store, kind: str, code: str | None) -> Audience:
    if kind == "internal":
        return Audience(_cli_actor(), Role.ADMIN)
    if kind != "agency":
        raise InputError(f"ไม่รู้จักผู้รับ {kind!r}", f"unknown audience {kind!r}",
                         field="audience", fix_th="ใช้ agency หรือ internal",
                         fix_en="use agency or internal")
    # An agency gets the area asked for (or every province in the store), public data only.
    admin = store.read("admin")
    areas = {code} if code else {str(c)[:2] for c in admin["code"].dropna()}
    return Audience(_cli_actor(), Role.AGENCY_VIEWER, frozenset(areas))


def cmd_rollup(args: argparse.Namespace) -> int:
    def work(store: Store) -> tuple[Any, str]:
        audience = _audience(store, args.audience, args.code)
        frame = rollup(store, month=args.month, level=args.level, code=args.code,
                       audience=audience)
        if args.xlsx:
            rollup_xlsx(frame, args.xlsx, args.lang)
        records = rollup_records(frame)
        return records, _rollup_text(records, args.lang)

    return _run(args, work)


def _n(value: Any) -> str:
    if value is None:
        return "<3"
    return f"{value:,.0f}"


def _rollup_text(records: list[dict[str, Any]], lang: str) -> str:
    head = ("รหัส       ชื่อ                          สำรวจ เร่งด่วน  ซ่อม เสนอ/อนุมัติ/ซ่อม/เสร็จ/ตรวจรับ"
            "   จัดสรร      โอนแล้ว     ผูกพัน      ใช้จ่าย" if lang == "th" else
            "code       name                        surveyed priority repairs p/a/i/d/v"
            "          allocated   transferred committed   spent")
    lines = [head]
    for r in records:
        name = r["name_th"] if lang == "th" else (r["name_en"] or r["name_th"])
        if r["kind"] != "area":
            name = f"({name or r['code']})"
        repairs = "/".join(_n(v) for v in r["repairs"].values())
        money = " ".join(f"{_n(v):>11}" for v in r["budget"].values())
        lines.append(f"{r['code']:10} {str(name or '')[:28]:28} {_n(r['households_surveyed']):>7} "
                     f"{_n(r['priority_households']):>7}  {repairs:24} {money}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- repairs
def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"วันที่ {text!r} ไม่ถูกต้อง", f"date {text!r} is not valid",
                         field="today", fix_th="ใช้รูปแบบ ปปปป-ดด-วว (ค.ศ.) เช่น 2026-06-30",
                         fix_en="use YYYY-MM-DD, e.g. 2026-06-30") from None


def _repair_json(feature: Feature) -> dict[str, Any]:
    return {k: jsonable(v) for k, v in feature.items() if k != "geometry"}


def _repair_text(feature: Feature) -> str:
    return (f"{feature['repair_id']} ({feature['village_code']}): {feature['status']} · "
            f"v{feature['version']} · approved {_n(feature.get('approved_amount') or 0)} · "
            f"spent {_n(feature.get('spent') or 0)}")


def cmd_repair(args: argparse.Namespace) -> int:
    user = args.user or _cli_actor()

    def work(store: Store) -> tuple[Any, str]:
        if args.action == "create":
            feature = create_repair(store, household_uid=args.household, items=args.items,
                                    estimate=args.estimate, programme=args.programme,
                                    budget_id=args.budget, user=user, today=_date(args.today))
            return _repair_json(feature), _repair_text(feature)
        repair = find_repair(store, args.repair_id)
        uid, v = str(repair["uid"]), args.expected_version
        if args.action == "caps":
            warnings = check_caps(store, repair, status="approved" if repair["status"]
                                  == "proposed" else None, approved_amount=args.amount,
                                  spent=args.spent)
            payload = {"repair": _repair_json(repair),
                       "warnings": [w.as_json() for w in warnings]}
            text = "\n".join(f"{w.code}: {w.message_th}\n  {w.message_en}" for w in warnings)
            return payload, text or "ไม่มีคำเตือน / no warnings"
        day = _date(args.today)
        ack = tuple(getattr(args, "acknowledge", ()))
        steps: dict[str, Callable[[], Feature]] = {
            "approve": lambda: approve_repair(
                store, uid, decision=args.decision, approved_amount=args.amount,
                acknowledged=ack, expected_version=v, user=user, today=day),
            "start": lambda: start_repair(
                store, uid, builder=args.builder, spent=args.spent, acknowledged=ack,
                expected_version=v, user=user, today=day),
            "finish": lambda: finish_repair(
                store, uid, spent=args.spent, acknowledged=ack, expected_version=v, user=user,
                today=day),
            "verify": lambda: verify_repair(
                store, uid, inspection=args.inspection, spent=args.spent, acknowledged=ack,
                expected_version=v, user=user, today=day),
            "reopen": lambda: reopen_repair(
                store, uid, to=args.to, reason=args.reason, expected_version=v, user=user,
                today=day),
            "amounts": lambda: set_amounts(
                store, uid, approved_amount=args.amount, spent=args.spent, note=args.note,
                acknowledged=ack, expected_version=v, user=user),
        }
        feature = steps[args.action]()
        return _repair_json(feature), _repair_text(feature)

    return _run(args, work)


def cmd_budget_status(args: argparse.Namespace) -> int:
    def work(store: Store) -> tuple[Any, str]:
        statuses = budget_status(store, budget_id=args.budget, area=args.area,
                                 as_of=_date(args.as_of))
        payload = [s.as_json() for s in statuses]
        lines = [f"{s.budget_id:18} {s.programme:20} {s.area_code:8} allocated "
                 f"{_n(s.allocation)} transferred {_n(s.transferred)} committed "
                 f"{_n(s.committed)} spent {_n(s.spent)} remaining {_n(s.remaining)}"
                 + "".join(f"\n  ! {w.message_th} / {w.message_en}" for w in s.warnings)
                 for s in statuses]
        return payload, "\n".join(lines)

    return _run(args, work)


def _amount(text: str) -> float:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"an amount in baht was expected, got {text!r}"
                                         ) from None


def add_plan_commands(sub: Any) -> None:
    """Register ``rollup``, ``repair`` and ``budget-status`` on the subparsers."""
    p = sub.add_parser("rollup", help="สรุปรายเดือนตามพื้นที่ / the monthly roll-up by area",
                       description="สรุป ณ สิ้นเดือน: ครัวเรือนที่สำรวจ เร่งด่วน งานซ่อมตามสถานะ "
                       "เงินตามสถานะ / figures as at a month end: households, priority, repairs "
                       "by status, money")
    p.add_argument("--store", help=STORE_HELP)
    p.add_argument("--month", required=True, help="YYYY-MM (2569-06 is read as B.E.)")
    p.add_argument("--level", required=True, help="village, tambon, amphoe or province")
    p.add_argument("--code", help="only this area and the areas inside it")
    p.add_argument("--audience", default="internal",
                   help="internal (default) or agency (counts below 3 suppressed)")
    p.add_argument("--xlsx", metavar="OUT.xlsx", help="also write the roll-up as a workbook")
    p.add_argument("--lang", default="th", choices=("th", "en"), help="workbook language")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_rollup)

    repair = sub.add_parser("repair", help="งานซ่อมบ้าน / house repairs, step by step",
                            description="งานซ่อมบ้าน / house repairs, step by step")
    actions = repair.add_subparsers(dest="action", required=True, parser_class=_Parser)
    for name, help_ in (("create", "เสนองานซ่อม / propose a repair"),
                        ("approve", "อนุมัติ / approve (committee decision and amount)"),
                        ("start", "เริ่มซ่อม / work started"), ("finish", "ซ่อมเสร็จ / work done"),
                        ("verify", "ตรวจรับ / accepted by the inspection committee"),
                        ("reopen", "เปิดงานใหม่ / take back to an earlier status, with a reason"),
                        ("amounts", "แก้วงเงินอนุมัติหรือเงินที่ใช้ / change amounts"),
                        ("caps", "ตรวจเพดานเงิน / show the cap warnings of an amount")):
        a = actions.add_parser(name, help=help_, description=help_)
        if name == "create":
            a.add_argument("--household", required=True, metavar="UID")
            a.add_argument("--items", required=True)
            a.add_argument("--estimate", required=True, type=_amount)
            a.add_argument("--programme", required=True)
            a.add_argument("--budget")
        else:
            a.add_argument("repair_id", metavar="REPAIR_ID")
            a.add_argument("--expected-version", type=int,
                           help="refuse if the repair is no longer at this version")
        if name in ("approve", "amounts", "caps"):
            a.add_argument("--amount", type=_amount, required=name == "approve",
                           help="approved amount in baht")
        if name in ("start", "finish", "verify", "amounts", "caps"):
            a.add_argument("--spent", type=_amount, help="money spent so far, in baht")
        if name in ("approve", "start", "finish", "verify", "amounts"):
            a.add_argument("--acknowledge", action="append", default=[], metavar="CODE",
                           help="a cap warning's code, acknowledged; repeat for each")
        if name == "approve":
            a.add_argument("--decision", required=True, help="the committee's decision")
        if name == "start":
            a.add_argument("--builder")
        if name == "verify":
            a.add_argument("--inspection", required=True, help="the inspection's finding")
        if name == "reopen":
            a.add_argument("--to", required=True, help="the earlier status to go back to")
            a.add_argument("--reason", required=True)
        if name == "amounts":
            a.add_argument("--note", help="the decision behind the change")
        if name != "caps":
            a.add_argument("--today", metavar="YYYY-MM-DD", help="the day it happened")
            a.add_argument("--user", help="who does it (default: cli:<login>)")
        else:
            a.set_defaults(user=None)
        a.add_argument("--store", help=STORE_HELP)
        a.add_argument("--json", action="store_true", help="machine-readable output")
        a.set_defaults(func=cmd_repair)

    b = sub.add_parser("budget-status", help="งบประมาณ: จัดสรร โอน ผูกพัน ใช้จ่าย คงเหลือ / "
                       "budgets: allocated, transferred, committed, spent, remaining")
    which = b.add_mutually_exclusive_group(required=True)
    which.add_argument("--budget", help="one budget id")
    which.add_argument("--area", help="budgets held at this area code and inside it")
    b.add_argument("--as-of", metavar="YYYY-MM-DD", help="figures as at this day (default now)")
    b.add_argument("--store", help=STORE_HELP)
    b.add_argument("--json", action="store_true", help="machine-readable output")
    b.set_defaults(func=cmd_budget_status)
