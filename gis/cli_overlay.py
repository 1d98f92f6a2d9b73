"""``landmap overlay``: households and plots × tenure zones, per agency, zone or village.

    landmap overlay [--store STORE] [--by agency|zone|village] [--audience internal|agency]
                    [--agency CODE] [--area CODE] [--lang th|en] [--json]

With ``--json`` it prints a JSON list with one object per row (a public contract: keys are added,
never removed): ``agency`` (the AGENCY vocabulary code; null on the rows of households and plots
on no state land), ``zone`` (by zone or village), ``village`` (by village), ``households``,
``plots``, ``area_m2``, ``area_rai_ngan_wa``, ``vulnerable_households``,
``insecure_tenure_households``, and also ``state_land``, ``households_in_overlaps``,
``agency_th``, ``agency_en``, ``label``, ``zone_name``, ``village_name_th``, ``village_name_en``.
``--audience agency`` is the table as it may leave the community (``gis.privacy
.public_audience``): counts of 1 or 2 are null. The command line is trusted with the whole
store, as for the other commands; ``--area`` narrows it. Bad arguments exit 2 with the reason in
Thai and English.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from gis import termtext
from gis.cli import _cli_actor, _store_arg, report_error
from gis.errors import LandmapError
from gis.overlay import BY, overlay_records, overlay_store
from gis.privacy import Audience, Role, Scope, public_audience
from gis.store import open_store

EXIT_BAD_INPUT = 2
AUDIENCES = ("internal", "agency")


def _audience(name: str) -> Audience:
    # "internal" is the survey team's own view; "agency" what may be handed to an agency.
    return public_audience(_cli_actor()) if name == "agency" else Audience(_cli_actor(),
                                                                           Role.ADMIN)


def cmd_overlay(args: argparse.Namespace) -> int:
    audience = _audience(args.audience)
    try:
        store = open_store(_store_arg(args), create=False)
        try:
            table = overlay_store(store, by=args.by, audience=audience, agency=args.agency,
                                  area=args.area, scope=Scope(None))
        finally:
            store.close()
    except LandmapError as exc:
        report_error(exc, as_json=args.json)
        return EXIT_BAD_INPUT
    records = overlay_records(table, lang=args.lang)
    if args.json:
        print(json.dumps(records, ensure_ascii=False, indent=2))
    else:
        print(overlay_text(records, audience=audience, lang=args.lang))
    return 0


_HEADERS = (
    ("households", "ครัวเรือน", "households"),
    ("plots", "แปลง", "plots"),
    ("area_rai_ngan_wa", "ไร่-งาน-วา", "rai-ngan-wa"),
    ("area_m2", "ตร.ม.", "m²"),
    ("vulnerable_households", "เปราะบาง", "vulnerable"),
    ("insecure_tenure_households", "ไม่มั่นคง", "insecure"),
    ("households_in_overlaps", "ทับซ้อน", "in overlaps"),
)


def overlay_text(records: list[dict[str, Any]], *, audience: Audience, lang: str = "th") -> str:
    """The overlay as a table for a terminal: Thai and English headers, rows named in
    ``lang``, suppressed counts as ``< 3``."""
    first = "พื้นที่ / area"
    rows = [[first, *(f"{th} / {en}" for _, th, en in _HEADERS)]]
    for rec in records:
        cells = [str(rec["label"])]
        for key, _, _ in _HEADERS:
            value = rec[key]
            if value is None:
                cells.append("< 3")
            elif key == "area_m2":
                cells.append(f"{value:,.0f}")
            elif isinstance(value, int):
                cells.append(f"{value:,d}")
            else:
                cells.append(str(value))
        rows.append(cells)
    widths = [max(termtext.width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "ครัวเรือนและแปลงที่ดินในเขตที่ดินของรัฐ / households and plots on state land",
        "ผู้รับ: หน่วยงานภายนอก (ข้อมูลสาธารณะ) / audience: an agency (public data)"
        if audience.outside else "ผู้รับ: ทีมงานภายใน / audience: the team (internal)",
    ]
    for n, row in enumerate(rows):
        lines.append("  ".join(termtext.pad(cell, widths[i], left=i == 0)
                               for i, cell in enumerate(row)))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    if not records:
        lines.append("ไม่มีข้อมูลในพื้นที่นี้ / nothing in this area")
    if audience.outside:
        lines.append("< 3: ไม่แสดงจำนวนที่น้อยกว่า 3 เพื่อไม่ให้ระบุตัวครอบครัวได้ / counts below 3 "
                     "are not shown, so that no family can be identified")
    return "\n".join(lines)


def add_overlay_commands(sub: Any) -> None:
    """Register the `overlay` command on the `landmap` parser's subcommands."""
    p = sub.add_parser(
        "overlay", help="ครัวเรือนและแปลงในเขตที่ดินของรัฐ / households and plots × tenure zones",
        description="นับครัวเรือน แปลง เนื้อที่ ครัวเรือนเปราะบาง และครัวเรือนที่ถือครองไม่มั่นคง ในเขตที่ดิน"
        "ของแต่ละหน่วยงาน / count households, plots, area, vulnerable households and households "
        "with insecure tenure on each agency's land")
    p.add_argument("--store", help="FILE.gpkg or postgresql://… (default $LANDMAP_STORE)")
    p.add_argument("--by", choices=BY, default="agency",
                   help="one row per agency (default), zone, or zone and village")
    p.add_argument("--audience", choices=AUDIENCES, default="internal",
                   help="internal (default): every count; agency: as it may leave the "
                   "community, counts below 3 hidden")
    p.add_argument("--agency", metavar="CODE", help="only this agency (e.g. alro, "
                   "royal_forest_dept; see landmap layers)")
    p.add_argument("--area", metavar="CODE", help="only this area: DOPA code (province 2 "
                   "digits, amphoe 4, tambon 6, village 8) or a community code")
    p.add_argument("--lang", choices=("th", "en"), default="th",
                   help="language of the row names (default th)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_overlay)
