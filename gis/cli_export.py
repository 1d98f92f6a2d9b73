"""``landmap export``: one layer as an audience may see it, to a file (a public contract).

    landmap export --store STORE --layer LAYER --audience AUDIENCE
                   --format gpkg|geojson|csv|xlsx|kml --out FILE
                   [--lang th|en] [--area CODE ...] [--force] [--json]

AUDIENCE is ``agency`` (outside the community: public fields, counts per village with counts
below 3 left empty), ``internal`` (what a negotiator sees: up to internal data, no names, no
house points), or a role: ``admin``, ``planner``, ``surveyor``, ``negotiator``,
``agency_viewer``. The command line is trusted with the whole store, so the audience covers
every area the store holds unless ``--area`` narrows it; the role decides the fields. Every
export is written to the audit log. ``--json`` prints ``{"out", "layer", "name", "format",
"role", "username", "areas", "rows", "fields", "location", "aggregated", "suppressed", "lang",
"exported_at"}``. Bad input exits 2 with the reason in Thai and English.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from gis.accounts import check_areas
from gis.cli import _cli_actor, _store_arg, report_error
from gis.errors import LandmapError
from gis.io.export import FORMATS, LANGS, ExportResult, export_layer, store_areas
from gis.privacy import Audience, Role
from gis.store import Store, open_store
from layers import LAYERS

EXIT_BAD_INPUT = 2
# The audience words of the contract besides the role codes.
AUDIENCES: dict[str, Role] = {"agency": Role.AGENCY_VIEWER, "internal": Role.NEGOTIATOR,
                              **{r.value: r for r in Role}}


def cli_audience(store: Store, name: str, areas: list[str], *, username: str) -> Audience:
    """The audience an AUDIENCE word stands for: its role, and ``areas`` (checked against the
    store) or, without them, every area the store holds (admins see everything anyway)."""
    role = AUDIENCES[name]
    if role is Role.ADMIN:
        return Audience(username, role)
    chosen = check_areas(store, role, areas) if areas else store_areas(store)
    return Audience(username, role, frozenset(chosen))


def cmd_export(args: argparse.Namespace) -> int:
    try:
        store = open_store(_store_arg(args), create=False)
        try:
            user = _cli_actor()
            audience = cli_audience(store, args.audience, args.area, username=user)
            result = export_layer(store, layer=args.layer, audience=audience, fmt=args.format,
                                  out=args.out, lang=args.lang, user=user,
                                  overwrite=args.force)
        finally:
            store.close()
    except LandmapError as exc:
        report_error(exc, as_json=args.json)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        print(_text(result))
    return 0


def _text(r: ExportResult) -> str:
    spec = LAYERS[r.layer]
    role = Role(r.role)
    lines = [
        f"ส่งออก{spec.label_th} {r.rows:,} แถว สำหรับ{role.label('th')} เป็น {r.format} ที่ {r.out}",
        f"exported {r.rows:,} rows of {spec.label_en} for {role.label('en')} as {r.format} "
        f"to {r.out}",
    ]
    if r.aggregated:
        lines += [
            f"  เป็นจำนวนต่อพื้นที่ ไม่ใช่รายแปลง/รายครัวเรือน; ไม่แสดงจำนวนที่น้อยกว่า 3 "
            f"({r.suppressed:,} พื้นที่)",
            f"  as counts per area, not feature by feature; counts below 3 are left out "
            f"({r.suppressed:,} areas)",
        ]
    return "\n".join(lines)


def add_export_commands(sub: Any) -> None:
    """Register the `export` command on the `landmap` parser's subcommands."""
    export = sub.add_parser(
        "export", help="ส่งออกชั้นข้อมูลตามสิทธิ์ของผู้รับ / export a layer as an audience may "
        "see it",
        description="ส่งออกชั้นข้อมูลหนึ่งชั้นเฉพาะแถวและช่องที่ผู้รับมีสิทธิ์เห็น หน่วยงานภายนอกได้เฉพาะ"
        "ข้อมูลสาธารณะและจำนวนรวมต่อหมู่บ้าน (ไม่แสดงจำนวนที่น้อยกว่า 3) ทุกครั้งบันทึกในบันทึกการใช้งาน / "
        "export one layer with only the rows and fields the audience may see; outside agencies "
        "get public fields and counts per village (counts below 3 left out); every export is "
        "audited")
    export.add_argument("--store", help="FILE.gpkg or postgresql://… (default $LANDMAP_STORE)")
    export.add_argument("--layer", required=True, metavar="LAYER",
                        help=f"one of: {', '.join(LAYERS)}")
    export.add_argument("--audience", required=True, choices=list(AUDIENCES),
                        metavar="AUDIENCE",
                        help="agency (outside: public data and counts), internal (what a "
                        "negotiator sees), or a role: " + ", ".join(r.value for r in Role))
    export.add_argument("--format", required=True, choices=list(FORMATS),
                        help="|".join(FORMATS))
    export.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    export.add_argument("--lang", choices=list(LANGS), default="th",
                        help="language of labels (XLSX fields sheet, KML names); default th")
    export.add_argument("--area", action="append", default=[], metavar="CODE",
                        help="only this area (DOPA code, 2/4/6/8 digits); repeat for more; "
                        "default: every area in the store")
    export.add_argument("--force", action="store_true", help="replace an existing file")
    export.add_argument("--json", action="store_true", help="machine-readable output")
    export.set_defaults(func=cmd_export)
