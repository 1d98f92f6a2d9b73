"""``landmap priority``: households by priority score, with the reasons (a public contract).

    landmap priority [--store STORE] [--village CODE] [--json]

With ``--json`` it prints a JSON list, highest score first (ties by ``household_id``), one object
per household: ``household_uid``, ``score``, ``reasons`` (a list of ``{"factor", "points",
"reason_th", "reason_en"}``), ``priority_flag`` (the planner's mark), and also ``household_id``,
``village_code``, ``suggested`` (score at or above the rules' ``suggest_at``) and ``rank`` — keys
are added, never removed. The scores use the newest saved rules (``gis.priority``; the defaults
when none were saved). The reasons tell income and disability: the command line is trusted with
the whole store, as for the other commands, and ``--village`` narrows it. Bad arguments exit 2
with the reason in Thai and English, never a traceback.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from gis import termtext
from gis.cli import _cli_actor, _store_arg, report_error
from gis.errors import LandmapError
from gis.priority import RulesVersion, as_records, current_rules, score_store
from gis.privacy import Audience, Role
from gis.store import open_store

EXIT_BAD_INPUT = 2


def cmd_priority(args: argparse.Namespace) -> int:
    try:
        store = open_store(_store_arg(args), create=False)
        try:
            rules = current_rules(store)
            scored = score_store(store, audience=Audience(_cli_actor(), Role.ADMIN),
                                 village=args.village, rules=rules.rules)
        finally:
            store.close()
    except LandmapError as exc:
        report_error(exc, as_json=args.json)
        return EXIT_BAD_INPUT
    records = as_records(scored)
    if args.json:
        print(json.dumps(records, ensure_ascii=False, indent=2))
    else:
        print(priority_text(records, rules))
    return 0


_HEADERS = ("ลำดับ / rank", "ครัวเรือน / household", "หมู่บ้าน / village", "คะแนน / score",
            "เสนอ / suggested", "ผู้วางแผนจัดให้ / marked")


def priority_text(records: list[dict[str, Any]], rules: RulesVersion) -> str:
    """The ranking as a terminal table: one line per household, then its reasons in Thai and in
    English (points in brackets)."""
    which = (f"เกณฑ์ฉบับที่ {rules.version} / rules version {rules.version}" if rules.version
             else "เกณฑ์ค่าเริ่มต้น (ยังไม่เคยบันทึก) / default rules (none saved)")
    at = f"{rules.rules.suggest_at:g}"
    lines = [
        "ครัวเรือนเรียงตามคะแนนความจำเป็น / households by priority score",
        f"{which} — เสนอเมื่อคะแนนตั้งแต่ {at} / suggested from a score of {at}",
    ]
    rows = [list(_HEADERS)] + [
        [str(r["rank"]), r["household_id"] or r["household_uid"], r["village_code"] or "-",
         f"{r['score']:g}", "✓" if r["suggested"] else "-", "✓" if r["priority_flag"] else "-"]
        for r in records
    ]
    widths = [max(termtext.width(row[i]) for row in rows) for i in range(len(_HEADERS))]
    for n, row in enumerate(rows):
        lines.append("  ".join(termtext.pad(cell, widths[i], left=i in (1, 2))
                               for i, cell in enumerate(row)))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
            continue
        reasons = records[n - 1]["reasons"]
        if reasons:
            indent = " " * (widths[0] + 2)
            lines.append(indent + " · ".join(f"{x['reason_th']} ({x['points']:g})"
                                             for x in reasons))
            lines.append(indent + " · ".join(f"{x['reason_en']} ({x['points']:g})"
                                             for x in reasons))
    suggested = sum(1 for r in records if r["suggested"])
    marked = sum(1 for r in records if r["priority_flag"])
    lines.append(f"{len(records):,} ครัวเรือน เสนอ {suggested:,} ผู้วางแผนจัดให้เร่งด่วน {marked:,} / "
                 f"{len(records):,} households, {suggested:,} suggested, {marked:,} marked")
    return "\n".join(lines)


def add_priority_commands(sub: Any) -> None:
    """Register the ``priority`` command on the ``landmap`` parser's subcommands."""
    p = sub.add_parser(
        "priority", help="ครัวเรือนเรียงตามคะแนนความจำเป็น / households by priority score",
        description="ให้คะแนนความจำเป็นแก่ครัวเรือนตามเกณฑ์ที่บันทึกไว้ล่าสุด พร้อมเหตุผล / score "
        "households by the newest saved priority rules, with the reasons")
    p.add_argument("--store", help="FILE.gpkg or postgresql://… (default $LANDMAP_STORE)")
    p.add_argument("--village", metavar="CODE", help="only this village or community code")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_priority)
