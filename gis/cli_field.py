"""``landmap field-package`` / ``field-merge``: the offline field round trip (public contracts).

    landmap field-package --village CODE --out FIELD.gpkg [--store STORE]
                          [--role ROLE | --user USERNAME] [--force] --json
    landmap field-merge FIELD.gpkg [--store STORE] [--user USERNAME] [--dry-run] --json

``field-package`` prints ``{"out", "village", "role", "username", "created_at", "layers"}``.
``field-merge`` prints ``{"applied", "added", "conflicts", "unchanged", "deleted", "rejected",
"file", "village", "dry_run", "change_set", "layers", "queued", "issues"}`` and exits 0 when the
package was merged — rows queued as conflicts or left out for errors are in the report. Bad input
(an unknown village or user, a file that is not a field package…) exits 2 with the reason in Thai
and English, never a traceback.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from gis.accounts import get_account
from gis.accounts.model import no_such_user
from gis.cli import _cli_actor, _store_arg, report_error
from gis.errors import InputError, LandmapError
from gis.field import field_package
from gis.field_merge import field_merge
from gis.privacy import Audience, Role, parse_roles
from gis.store import Store, open_store

EXIT_BAD_INPUT = 2
DEFAULT_ROLE = Role.SURVEYOR  # who takes a package to the field, unless told otherwise


def _account_audience(store: Store, username: str) -> Audience:
    account = get_account(store, username)
    if account is None:
        raise no_such_user(username)
    if account.disabled:
        raise InputError(f"ผู้ใช้ {username} ถูกปิดการใช้งาน", f"user {username} is disabled",
                         field="user")
    return account.audience()


def cmd_field_package(args: argparse.Namespace) -> int:
    try:
        store = open_store(_store_arg(args), create=False)
        try:
            if args.user:
                audience = _account_audience(store, args.user)
            else:
                role = parse_roles([args.role or DEFAULT_ROLE.value])[0]
                # The command line is trusted with the store; the role decides the fields.
                audience = Audience(_cli_actor(), role, frozenset(
                    () if role is Role.ADMIN else (args.village,)))
            package = field_package(store, village=args.village, out=args.out,
                                    audience=audience, overwrite=args.force)
        finally:
            store.close()
    except LandmapError as exc:
        report_error(exc, as_json=args.json)
        return EXIT_BAD_INPUT
    payload = package.as_json()
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        counts = ", ".join(f"{name} {layer['features']:,}"
                           for name, layer in payload["layers"].items())
        print(f"เขียนชุดข้อมูลภาคสนามของหมู่บ้าน {package.village} สำหรับ{Role(package.role).label()} "
              f"ที่ {package.out} แล้ว ({counts})\n"
              f"wrote the field package of village {package.village} for "
              f"{Role(package.role).label('en')} to {package.out} ({counts})")
    return 0


def cmd_field_merge(args: argparse.Namespace) -> int:
    try:
        store = open_store(_store_arg(args), create=False)
        try:
            if args.user:
                audience = _account_audience(store, args.user)
                user = args.user
            else:
                user = _cli_actor()
                audience = Audience(user, Role.ADMIN)
            report = field_merge(store, args.file, user=user, audience=audience,
                                 dry_run=args.dry_run)
        finally:
            store.close()
    except LandmapError as exc:
        report_error(exc, as_json=args.json)
        return EXIT_BAD_INPUT
    payload = report.as_json()
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(_merge_text(payload))
    return 0


def _merge_text(p: dict[str, Any]) -> str:
    lines = [
        ("ทดลองรวม (ยังไม่บันทึก) " if p["dry_run"] else "")
        + f"{p['file']}: แก้ {p['applied']:,} เพิ่ม {p['added']:,} ลบ {p['deleted']:,} "
        f"ขัดแย้งรอตัดสิน {p['conflicts']:,} ไม่เปลี่ยน {p['unchanged']:,} ไม่รับ {p['rejected']:,}",
        ("dry run (nothing written) " if p["dry_run"] else "")
        + f"{p['file']}: {p['applied']:,} changed, {p['added']:,} added, {p['deleted']:,} "
        f"deleted, {p['conflicts']:,} queued as conflicts, {p['unchanged']:,} unchanged, "
        f"{p['rejected']:,} rejected",
    ]
    for item in p["issues"]:
        where = f"{item['layer']}#{item['row']}" if item["row"] else item["layer"] or ""
        lines.append(f"[{item['severity']}] {where} {item['code']}: {item['message_th']} / "
                     f"{item['message_en']}")
    return "\n".join(lines)


def add_field_commands(sub: Any) -> None:
    """Register ``field-package`` and ``field-merge`` on the subparsers."""
    store_help = "FILE.gpkg or postgresql://… (default $LANDMAP_STORE)"
    pkg = sub.add_parser(
        "field-package", help="ชุดข้อมูลภาคสนามสำหรับ QField / a field GeoPackage for QField",
        description="เขียน GeoPackage ของหมู่บ้านหนึ่งสำหรับเก็บข้อมูลนอกสถานที่ (QField) เฉพาะช่องที่"
        "บทบาทผู้รับเห็นได้ / write one village as a GeoPackage for offline work (QField), with "
        "only the fields the receiving role may see")
    pkg.add_argument("--village", required=True, metavar="CODE", help="village code")
    pkg.add_argument("--out", required=True, metavar="FIELD.gpkg")
    pkg.add_argument("--store", help=store_help)
    who = pkg.add_mutually_exclusive_group()
    who.add_argument("--role", help="the receiving role (default surveyor): admin, planner, "
                     "surveyor, negotiator or agency_viewer")
    who.add_argument("--user", metavar="USERNAME",
                     help="the receiving user: their role and areas decide what is written")
    pkg.add_argument("--force", action="store_true", help="replace an existing file")
    pkg.add_argument("--json", action="store_true", help="machine-readable output")
    pkg.set_defaults(func=cmd_field_package)

    merge = sub.add_parser(
        "field-merge", help="รวมข้อมูลที่แก้ในภาคสนามกลับ / merge a field GeoPackage back",
        description="รวมการแก้ไขจากชุดข้อมูลภาคสนามกลับเข้าที่เก็บข้อมูล รายการที่มีผู้อื่นแก้ไปก่อนจะ"
        "เข้าคิวรอตัดสิน ไม่เขียนทับ / merge the edits of a field package back; features someone "
        "else changed meanwhile are queued as conflicts, never overwritten")
    merge.add_argument("file", metavar="FIELD.gpkg")
    merge.add_argument("--store", help=store_help)
    merge.add_argument("--user", metavar="USERNAME",
                       help="the account the edits are made as (its role and areas limit what "
                       "is merged); default: the command line user, every exported field")
    merge.add_argument("--dry-run", action="store_true",
                       help="report what would be merged, write nothing")
    merge.add_argument("--json", action="store_true", help="machine-readable output")
    merge.set_defaults(func=cmd_field_merge)
