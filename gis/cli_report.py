"""``landmap report``: printed reports (public contracts; more kinds will join ``evidence``).

    landmap report evidence --store STORE --agency CODE [--area CODE]
                            --audience agency|internal [--lang th|en] [--era be|ce]
                            --out FILE.pdf [--json]

``evidence`` prints one agency's evidence pack for an area (a DOPA code; none: every area) as a
PDF. ``--audience agency`` is what may leave the community: public data and aggregates only,
counts below 3 suppressed, no attachments annex — the audience is the agency viewer role over
the chosen area (or every area of the store). ``--audience internal`` is the command-line user
with every field and area, as other commands that trust the command line (the maps add plots
and household points, and the pack ends with the attachments annex). With ``--json`` it
prints ``{"out", "agency", "area", "audience", "role", "lang", "era", "pages", "bytes"}``. Bad
input (a missing store, an unknown agency or area, an output that cannot be written …) exits 2
with the reason in Thai and English, never a traceback; a machine without Chromium exits 1.

    landmap report village-map --store STORE --village CODE [--paper a4|a3] [--lang th|en]
                               [--era be|ce] --out FILE.pdf [--json]

``village-map`` prints a village's repair map for the community's own use: the households the
team still has work at, numbered on the map and listed with their heads' names, repairs and
status (`gis.report.village_map`). It is printed for the command-line user as admin (the
command line is trusted, as for ``--audience internal``); it has no outside audience.

    landmap report monthly --store STORE --month YYYY-MM
                           --level village|tambon|amphoe|province --code CODE
                           [--audience agency|internal] [--lang th|en] [--era be|ce]
                           --out FILE.pdf [--json]

``monthly`` prints the month's roll-up of an area (``--code``, at ``--level``) with a table per
sub-area (`gis.report.monthly`). ``--audience`` defaults to ``agency``, what may leave the
community (counts below 3 suppressed); ``internal`` prints every figure in full. With
``--json`` both print ``{"out", …, "pages", "bytes"}``; errors and exit codes as ``evidence``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gis.cli import _cli_actor, _Parser, _store_arg, report_error
from gis.errors import LandmapError
from gis.privacy import Audience, Role, public_audience
from gis.rollup import LEVELS
from gis.store import Store, open_store
from layers.vocab import AGENCY

EXIT_BAD_INPUT = 2
EXIT_ERROR = 1
AUDIENCES = ("agency", "internal")


def report_audience(store: Store, audience: str, area: str | None) -> Audience:
    """The audience a command-line report is printed for.

    Parameters
    ----------
    store : Store
    audience : {"agency", "internal"}
    area : str or None
        The report's area (DOPA code).

    Returns
    -------
    gis.privacy.Audience
        ``agency``: `gis.privacy.public_audience` assigned to ``area``, or with no area to
        every province the store's villages lie in (an agency viewer without areas would see
        nothing). ``internal``: the command-line user as admin.
    """
    actor = _cli_actor()
    if audience == "internal":
        return Audience(actor, Role.ADMIN)
    if area is not None:
        areas = frozenset({area})
    else:
        villages = store.read("villages")
        codes = [*villages["village_code"].astype(str), *villages["tambon_code"].astype(str)]
        areas = frozenset(code[:2] for code in codes if len(code) >= 2)
    return dataclasses.replace(public_audience(actor), areas=areas)


def cmd_report_evidence(args: argparse.Namespace) -> int:
    from gis.report.evidence import evidence_pack

    def make(store: Store) -> tuple[Path, dict[str, Any], str]:
        audience = report_audience(store, args.audience, args.area)
        out = evidence_pack(store, agency=args.agency, area=args.area, audience=audience,
                            lang=args.lang, era=args.era, out=Path(args.out))
        where_th, where_en = args.area or "ทุกพื้นที่", args.area or "all"
        return out, {"agency": args.agency, "area": args.area, "audience": args.audience,
                     "role": audience.role.value}, (
            f"เขียนชุดหลักฐานของ{AGENCY.label(args.agency, 'th')} พื้นที่ {where_th} "
            f"({{pages}} หน้า) ที่ {{out}} แล้ว\nwrote the evidence pack of "
            f"{AGENCY.label(args.agency, 'en')}, area {where_en} ({{pages}} pages), to {{out}}")

    return _print_report(args, make)


def add_report_commands(sub: Any) -> None:
    """Register the ``report`` command group (``report evidence`` …) on the subparsers."""
    report = sub.add_parser(
        "report", help="รายงาน PDF / printed reports (PDF)",
        description="รายงานสำหรับพิมพ์เป็น PDF / printed reports (PDF)")
    kinds = report.add_subparsers(dest="report", required=True, metavar="KIND",
                                  parser_class=_Parser)
    evidence = kinds.add_parser(
        "evidence", help="ชุดหลักฐานสำหรับหน่วยงาน / an agency's evidence pack",
        description="ชุดหลักฐานที่ดินและที่อยู่อาศัยของพื้นที่หนึ่ง สำหรับหน่วยงานหนึ่ง: แผนที่ "
        "ตารางสรุปรายเขตและรายหมู่บ้าน วิธีการ / one agency's evidence pack for an area: "
        "maps, tables by zone and by village, method notes")
    evidence.add_argument("--store", help="FILE.gpkg or postgresql://… (default $LANDMAP_STORE)")
    evidence.add_argument("--agency", required=True, metavar="CODE",
                          help=f"agency code: {', '.join(AGENCY.codes())}")
    evidence.add_argument("--area", metavar="CODE",
                          help="DOPA area code (province 2 digits, amphoe 4, tambon 6, "
                          "village 8); default every area")
    evidence.add_argument("--audience", required=True, choices=AUDIENCES,
                          help="agency: public data and aggregates only (may leave the "
                          "community); internal: for the community's own team")
    evidence.add_argument("--lang", choices=("th", "en"), default="th",
                          help="language (default th)")
    evidence.add_argument("--era", choices=("be", "ce"), default="be",
                          help="years in the Buddhist Era or the Common Era (default be)")
    evidence.add_argument("--out", required=True, metavar="FILE.pdf")
    evidence.add_argument("--json", action="store_true", help="machine-readable output")
    evidence.set_defaults(func=cmd_report_evidence)
    add_planning_reports(kinds)


# ------------------------------------------------------------------ village map, monthly
def _print_report(args: argparse.Namespace,
                  make: Callable[[Store], tuple[Path, dict[str, Any], str]]) -> int:
    """Open the store, print one report with ``make`` and say so (or print ``--json``)."""
    from gis.report.engine import ReportError, pdf_page_count

    try:
        store = open_store(_store_arg(args), create=False)
        try:
            out, payload, text = make(store)
        finally:
            store.close()
    except LandmapError as exc:
        report_error(exc, as_json=args.json)
        # A store, agency, area or output that cannot be used is bad input (2, as the other
        # commands); Chromium failing on this machine is not (1).
        return EXIT_ERROR if isinstance(exc, ReportError) else EXIT_BAD_INPUT
    data = out.read_bytes()
    payload = {"out": str(out), **payload, "lang": args.lang, "era": args.era,
               "pages": pdf_page_count(data), "bytes": len(data)}
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(text.format(pages=payload["pages"], out=out))
    return 0


def cmd_report_village_map(args: argparse.Namespace) -> int:
    from gis.report.village_map import village_map

    def make(store: Store) -> tuple[Path, dict[str, Any], str]:
        audience = report_audience(store, "internal", args.village)
        out = village_map(store, village=args.village, audience=audience, paper=args.paper,
                          lang=args.lang, era=args.era, out=Path(args.out))
        return out, {"village": args.village, "paper": args.paper}, (
            f"เขียนแผนที่งานซ่อมบ้านของหมู่บ้าน/ชุมชน {args.village} ({{pages}} หน้า) ที่ "
            f"{{out}} แล้ว\nwrote the repair map of village {args.village} ({{pages}} pages) "
            "to {out}")

    return _print_report(args, make)


def cmd_report_monthly(args: argparse.Namespace) -> int:
    from gis.report.monthly import monthly_report

    def make(store: Store) -> tuple[Path, dict[str, Any], str]:
        audience = report_audience(store, args.audience, args.code)
        out = monthly_report(store, month=args.month, level=args.level, code=args.code,
                             audience=audience, lang=args.lang, era=args.era,
                             out=Path(args.out))
        return out, {"month": args.month, "level": args.level, "code": args.code,
                     "audience": args.audience, "role": audience.role.value}, (
            f"เขียนรายงานประจำเดือน {args.month} ของพื้นที่ {args.code} ({{pages}} หน้า) ที่ "
            f"{{out}} แล้ว\nwrote the monthly report {args.month} of area {args.code} "
            "({pages} pages) to {out}")

    return _print_report(args, make)


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=("th", "en"), default="th",
                        help="language (default th)")
    parser.add_argument("--era", choices=("be", "ce"), default="be",
                        help="years in the Buddhist Era or the Common Era (default be)")
    parser.add_argument("--out", required=True, metavar="FILE.pdf")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def add_planning_reports(kinds: Any) -> None:
    """Register ``report village-map`` and ``report monthly`` on the ``report`` group."""
    vmap = kinds.add_parser(
        "village-map", help="แผนที่งานซ่อมบ้านของหมู่บ้าน / a village's repair map",
        description="แผนที่งานซ่อมบ้านสำหรับใช้ภายในชุมชน: ครัวเรือนที่มีงานซ่อมค้างหรือรอเสนอซ่อม "
        "มีหมายเลขในแผนที่และในรายชื่อ / a village's repair map for the community's own use: "
        "households with repairs open or waiting, numbered on the map and in the list")
    vmap.add_argument("--store", help="FILE.gpkg or postgresql://… (default $LANDMAP_STORE)")
    vmap.add_argument("--village", required=True, metavar="CODE",
                      help="village code (8 digits) or community code")
    vmap.add_argument("--paper", choices=("a4", "a3"), default="a4",
                      help="paper size (default a4; a3 draws a bigger map)")
    _common_options(vmap)
    vmap.set_defaults(func=cmd_report_village_map)
    monthly = kinds.add_parser(
        "monthly", help="รายงานประจำเดือนของพื้นที่ / an area's monthly report",
        description="รายงานประจำเดือน: การสำรวจ งานซ่อมบ้าน และงบประมาณ ณ สิ้นเดือน "
        "พร้อมตารางรายพื้นที่ย่อย / the monthly report: survey, repairs and budgets at the "
        "month's end, with a table per sub-area")
    monthly.add_argument("--store", help="FILE.gpkg or postgresql://… (default $LANDMAP_STORE)")
    monthly.add_argument("--month", required=True, metavar="YYYY-MM",
                         help="the month, e.g. 2026-06 (or 2569-06)")
    monthly.add_argument("--level", required=True, choices=LEVELS,
                         help="the level of the area --code names")
    monthly.add_argument("--code", required=True, metavar="CODE", help="the area's DOPA code")
    monthly.add_argument("--audience", choices=AUDIENCES, default="agency",
                         help="agency (default): counts below 3 suppressed, may leave the "
                         "community; internal: every figure in full")
    _common_options(monthly)
    monthly.set_defaults(func=cmd_report_monthly)
