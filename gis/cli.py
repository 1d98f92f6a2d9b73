"""The ``landmap`` command: the same core as the app, for GIS staff and automation.

Every command takes ``--json``; the JSON shapes named in the issues are public contracts (fields
may be added, never removed). Bad input exits non-zero with a message in Thai and English.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from gis import accounts
from gis.errors import InputError, LandmapError
from gis.privacy import parse_roles
from gis.store import STORE_ENV, Store, open_store
from gis.store.codec import iso_datetime
from layers import LAYERS
from layers.schema import LayerSpec

EXIT_ERROR = 1
EXIT_USAGE = 2
DEMO_USER = "landmap-demo"


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are bilingual and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(
            EXIT_USAGE,
            f"ข้อผิดพลาด: คำสั่งหรือตัวเลือกไม่ถูกต้อง ({message}) — ดู landmap --help\n"
            f"error: {message} — see landmap --help\n",
        )


def _emit(args: argparse.Namespace, payload: Any, text: str) -> None:
    print(json.dumps(payload, ensure_ascii=False, indent=2) if args.json else text)


def layer_json(spec: LayerSpec) -> dict[str, Any]:
    """One layer's declaration in the ``landmap layers --json`` shape."""
    return {
        "name": spec.name,
        "label_th": spec.label_th,
        "label_en": spec.label_en,
        "geometry": spec.geometry,
        "geometry_privacy": spec.geometry_privacy.value,
        "key": spec.key,
        "fields": [
            {
                "name": f.name,
                "dtype": f.dtype.value,
                "label_th": f.label_th,
                "label_en": f.label_en,
                "privacy": f.privacy.value,
                "required": f.required,
                "system": f.system,
                "derived": f.derived,
                "vocabulary": None if f.vocabulary is None else [
                    {"code": t.code, "label_th": t.label_th, "label_en": t.label_en}
                    for t in f.vocabulary
                ],
            }
            for f in spec.all_fields
        ],
    }


def cmd_layers(args: argparse.Namespace) -> int:
    payload = [layer_json(spec) for spec in LAYERS.values()]
    lines = [
        f"{s.name:14} {s.geometry or '-':13} {len(s.fields):3} ช่อง/fields  "
        f"{s.label_th} / {s.label_en}"
        for s in LAYERS.values()
    ]
    _emit(args, payload, "\n".join(lines))
    return 0


def _store_arg(args: argparse.Namespace) -> str:
    location: str | None = args.store or os.environ.get(STORE_ENV)
    if not location:
        raise InputError(
            "ไม่ได้ระบุที่เก็บข้อมูล", "no store given",
            fix_th=f"ใช้ --store ไฟล์.gpkg หรือ postgresql://… หรือกำหนด {STORE_ENV}",
            fix_en=f"pass --store FILE.gpkg or postgresql://…, or set {STORE_ENV}",
        )
    return location


def cmd_info(args: argparse.Namespace) -> int:
    location = _store_arg(args)
    store = open_store(location, create=False)
    try:
        counts = store.counts()
        payload = {"backend": store.backend, "store": _redact(location), "layers": counts}
    finally:
        store.close()
    lines = [f"{payload['store']} ({store.backend})"] + [
        f"  {name:14} {n:7,d}  {LAYERS[name].label_th}" for name, n in counts.items()
    ]
    _emit(args, payload, "\n".join(lines))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from gis.demo import build_demo

    out: str = args.out
    frames = build_demo(seed=args.seed)
    if out.startswith(("postgresql://", "postgres://")):
        store = open_store(out)
        try:
            if any(store.counts().values()):
                raise InputError(
                    "ฐานข้อมูลนี้มีข้อมูลอยู่แล้ว จะไม่เขียนข้อมูลตัวอย่างทับ",
                    "this database already holds data; the demo is only written to an empty one",
                    file=_redact(out), fix_th="ใช้ schema ใหม่ (?schema=demo)",
                    fix_en="use a new schema (?schema=demo)",
                )
            counts = _write_all(store, frames)
        finally:
            store.close()
    else:
        counts = _write_demo_file(Path(out), frames, force=args.force)
    payload = {"store": _redact(out), "seed": args.seed, "layers": counts,
               "backend": "postgis" if out.startswith("postgres") else "gpkg"}
    text = f"สร้างข้อมูลตัวอย่างวังน้ำเย็นแล้ว / Wang Nam Yen demo written: {_redact(out)}\n" + \
        "\n".join(f"  {k:14} {v:7,d}" for k, v in counts.items())
    _emit(args, payload, text)
    return 0


def _write_demo_file(out: Path, frames: dict[str, Any], *, force: bool) -> dict[str, int]:
    if out.exists() and not force:
        raise InputError(
            "มีไฟล์นี้อยู่แล้ว", "the file already exists", file=str(out),
            fix_th="ใช้ชื่อไฟล์อื่น หรือเพิ่ม --force เพื่อเขียนทับ",
            fix_en="choose another name, or add --force to replace it",
        )
    if not out.parent.exists():
        raise InputError("ไม่มีโฟลเดอร์นี้", "the folder does not exist", file=str(out.parent),
                         fix_th="สร้างโฟลเดอร์ก่อน", fix_en="create the folder first")
    # Build next to the target, then rename: a failure never leaves half a demo behind.
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        store = open_store(tmp)
        try:
            counts = _write_all(store, frames)
        finally:
            store.close()
        os.replace(tmp, out)
    finally:
        for leftover in (tmp, tmp + "-journal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return counts


def _write_all(store: Any, frames: dict[str, Any]) -> dict[str, int]:
    for name in LAYERS:
        store.write(name, frames[name], user=DEMO_USER)
    counts: dict[str, int] = store.counts()
    return counts


def _redact(location: str) -> str:
    """A store location fit to print: passwords in URLs are replaced by ***."""
    from urllib.parse import urlsplit

    parts = urlsplit(location)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return location


# ------------------------------------------------------------------------ users and audit
@contextmanager
def _opened(args: argparse.Namespace) -> Iterator[Store]:
    store = open_store(_store_arg(args), create=False)
    try:
        yield store
    finally:
        store.close()


def _cli_actor() -> str:
    """Who makes a change from the command line, for the audit log: ``cli:<OS user>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in the environment nor in the password file
        return "cli:unknown"


def _read_password() -> str:
    """The new password from standard input: typed twice at a terminal, else one line.

    Never from the command line, where it would stay in the shell history and the process list.
    """
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass("รหัสผ่าน / password: ")
        if first != getpass.getpass("พิมพ์รหัสผ่านอีกครั้ง / password again: "):
            raise InputError("รหัสผ่านที่พิมพ์สองครั้งไม่ตรงกัน", "the two passwords differ",
                             field="password")
        return first
    line = sys.stdin.readline() if sys.stdin is not None else ""
    password = line.rstrip("\r\n")
    if not password:
        raise InputError(
            "ไม่ได้รับรหัสผ่านทางอินพุตมาตรฐาน", "no password on standard input", field="password",
            fix_th="ส่งรหัสผ่านหนึ่งบรรทัดทาง stdin หรือรันคำสั่งในเทอร์มินัลเพื่อพิมพ์",
            fix_en="pipe one line with the password to standard input, or run it in a terminal",
        )
    return password


def _when(value: Any) -> str | None:
    return None if value is None else iso_datetime(value)


def _user_json(account: accounts.Account) -> dict[str, Any]:
    """One user in the ``landmap users list --json`` shape (never the password hash)."""
    return {
        "username": account.username, "role": account.role.value,
        "areas": sorted(account.areas), "disabled": account.disabled,
        "must_change_password": account.must_change_password,
        "created_at": _when(account.created_at), "last_sign_in": _when(account.last_sign_in),
    }


def _areas_text(account: accounts.Account) -> str:
    return ", ".join(sorted(account.areas)) or "-"


def cmd_users_add(args: argparse.Namespace) -> int:
    with _opened(args) as store:
        # Check everything but the password first, so nobody types one for a doomed command.
        name = accounts.check_username(args.username)
        role = parse_roles([args.role])[0]
        accounts.check_areas(store, role, args.area)
        password = _read_password()
        account = accounts.add_user(store, name, password, role, args.area,
                                    actor=_cli_actor(),
                                    must_change_password=not args.keep_password)
    _emit(args, {"user": _user_json(account)},
          f"เพิ่มผู้ใช้ {account.username} ({role.label('th')}; {_areas_text(account)}) แล้ว\n"
          f"added user {account.username} ({role.label('en')}; {_areas_text(account)})")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    with _opened(args) as store:
        users = accounts.list_accounts(store)
    lines = [f"ผู้ใช้ {len(users)} คน / {len(users)} users"] + [
        f"  {u.username:20} {u.role.value:14} {_areas_text(u):20}"
        + ("  ปิดใช้งาน/disabled" if u.disabled else "")
        + ("  ต้องเปลี่ยนรหัสผ่าน/must change password" if u.must_change_password else "")
        for u in users
    ]
    _emit(args, {"users": [_user_json(u) for u in users]}, "\n".join(lines))
    return 0


def cmd_users_set_role(args: argparse.Namespace) -> int:
    with _opened(args) as store:
        account = accounts.set_role(store, args.username, args.role, args.area,
                                    actor=_cli_actor())
    _emit(args, {"user": _user_json(account)},
          f"{account.username} เป็น{account.role.label('th')} ({_areas_text(account)}) แล้ว\n"
          f"{account.username} is now {account.role.label('en')} ({_areas_text(account)})")
    return 0


def cmd_users_disable(args: argparse.Namespace) -> int:
    with _opened(args) as store:
        account = accounts.disable_user(store, args.username, actor=_cli_actor())
    _emit(args, {"user": _user_json(account)},
          f"ปิดการใช้งานของ {account.username} แล้ว\n{account.username} is disabled")
    return 0


def cmd_users_enable(args: argparse.Namespace) -> int:
    with _opened(args) as store:
        account = accounts.enable_user(store, args.username, actor=_cli_actor())
    _emit(args, {"user": _user_json(account)},
          f"เปิดการใช้งานของ {account.username} แล้ว\n{account.username} is enabled")
    return 0


def cmd_users_reset_password(args: argparse.Namespace) -> int:
    with _opened(args) as store:
        password = accounts.reset_password(store, args.username, actor=_cli_actor())
    _emit(args, {"username": args.username, "password": password},
          f"รหัสผ่านใช้ครั้งเดียวของ {args.username}: {password} "
          "(ต้องเปลี่ยนเมื่อเข้าระบบครั้งถัดไป)\n"
          f"one-time password for {args.username}: {password} "
          "(to be changed at the next sign-in)")
    return 0


def cmd_users_first_admin(args: argparse.Namespace) -> int:
    with _opened(args) as store:
        made = accounts.ensure_first_admin(store, actor=_cli_actor())
    if made is None:
        _emit(args, {"created": False, "username": None, "password": None},
              "มีผู้ดูแลระบบที่ใช้งานได้อยู่แล้ว\nan enabled admin already exists")
        return 0
    username, password = made
    _emit(args, {"created": True, "username": username, "password": password},
          f"สร้างผู้ดูแลระบบคนแรกแล้ว: ชื่อผู้ใช้ {username} รหัสผ่านใช้ครั้งเดียว {password} "
          "(ต้องเปลี่ยนเมื่อเข้าระบบครั้งแรก)\n"
          f"first admin created: username {username}, one-time password {password} "
          "(to be changed at the first sign-in)")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    with _opened(args) as store:
        events = store.read_audit(limit=args.limit, action=args.action, username=args.user)
    payload = [{**e, "at": _when(e["at"])} for e in events]
    lines = [
        f"{e['at']}  {e['username']:20} {e['action']:16} {e['subject'] or '-':20} "
        f"{json.dumps(e['detail'], ensure_ascii=False, sort_keys=True)}"
        for e in payload
    ]
    _emit(args, {"events": payload}, "\n".join(lines) or "ไม่มีรายการ / no entries")
    return 0


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"limit must be a positive whole number, got {text!r}")
    return value


def _add_users_commands(sub: Any) -> None:
    users = sub.add_parser("users", help="ผู้ใช้และสิทธิ์ / users, roles and areas",
                           description="ผู้ใช้และสิทธิ์ / users, roles and areas")
    actions = users.add_subparsers(dest="action", required=True, parser_class=_Parser)
    store_help = f"FILE.gpkg or postgresql://… (default ${STORE_ENV})"

    def action(name: str, func: Callable[[argparse.Namespace], int], help_: str,
               *, username: bool = True) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = actions.add_parser(name, help=help_, description=help_)
        if username:
            p.add_argument("username", metavar="USERNAME")
        p.add_argument("--store", help=store_help)
        p.add_argument("--json", action="store_true", help="machine-readable output")
        p.set_defaults(func=func)
        return p

    role_help = "admin, planner, surveyor, negotiator or agency_viewer"
    area_help = "DOPA area code (2/4/6/8 digits) the user works in; repeat for more"
    add = action("add", cmd_users_add, "เพิ่มผู้ใช้ (รหัสผ่านอ่านจาก stdin) / add a user "
                 "(password read from standard input)")
    add.add_argument("--role", required=True, help=role_help)
    add.add_argument("--area", action="append", default=[], metavar="CODE", help=area_help)
    add.add_argument("--keep-password", action="store_true",
                     help="do not ask the user to change this password at the first sign-in")
    action("list", cmd_users_list, "รายชื่อผู้ใช้ / list users", username=False)
    set_role = action("set-role", cmd_users_set_role, "เปลี่ยนบทบาทและพื้นที่ / change a "
                      "user's role and areas")
    set_role.add_argument("--role", required=True, help=role_help)
    set_role.add_argument("--area", action="append", default=[], metavar="CODE", help=area_help)
    action("disable", cmd_users_disable, "ปิดการใช้งานผู้ใช้ / disable a user")
    action("enable", cmd_users_enable, "เปิดการใช้งานผู้ใช้ / enable a user")
    action("reset-password", cmd_users_reset_password,
           "ตั้งรหัสผ่านใช้ครั้งเดียวใหม่ / give a user a new one-time password")
    action("first-admin", cmd_users_first_admin,
           "สร้างผู้ดูแลระบบคนแรกถ้ายังไม่มี / create the first admin if there is none",
           username=False)

    audit = sub.add_parser("audit", help="บันทึกการใช้งาน / the audit log, newest first",
                           description="บันทึกการใช้งาน / the audit log, newest first")
    audit.add_argument("--store", help=store_help)
    audit.add_argument("--limit", type=_limit, default=200, help="at most N entries (200)")
    audit.add_argument("--action", help="only this action (e.g. sign_in_failed, download)")
    audit.add_argument("--user", help="only entries made by this user")
    audit.add_argument("--json", action="store_true", help="machine-readable output")
    audit.set_defaults(func=cmd_audit)


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed must be a whole number, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="landmap",
        description="Landmap: ข้อมูลที่ดินและที่อยู่อาศัยชุมชน / community land and housing GIS",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, func: Callable[[argparse.Namespace], int], help_: str
                ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument("--json", action="store_true", help="machine-readable output")
        p.set_defaults(func=func)
        return p

    demo = command("demo", cmd_demo, "สร้างข้อมูลตัวอย่างอำเภอวังน้ำเย็น / build the Wang Nam "
                   "Yen demo store")
    demo.add_argument("--out", required=True, help="FILE.gpkg or postgresql://… URL")
    demo.add_argument("--seed", type=_seed, default=42, help="random seed (default 42)")
    demo.add_argument("--force", action="store_true", help="replace an existing file")
    command("layers", cmd_layers, "ชั้นข้อมูลและช่องข้อมูลทั้งหมด / every layer and field")
    info = command("info", cmd_info, "จำนวนข้อมูลในที่เก็บ / live feature counts of a store")
    info.add_argument("--store", help=f"FILE.gpkg or postgresql://… (default ${STORE_ENV})")
    _add_users_commands(sub)
    from gis.cli_import import add_import_commands

    add_import_commands(sub)
    from gis.cli_field import add_field_commands

    add_field_commands(sub)
    from gis.cli_export import add_export_commands
    from gis.cli_overlay import add_overlay_commands
    from gis.cli_report import add_report_commands

    add_overlay_commands(sub)
    add_report_commands(sub)
    add_export_commands(sub)
    from gis.cli_priority import add_priority_commands
    add_priority_commands(sub)
    from gis.cli_plan import add_plan_commands
    add_plan_commands(sub)
    return parser


def report_error(exc: LandmapError, *, as_json: bool) -> None:
    """A ``LandmapError`` as the CLI shows it: Thai then English on stderr, and with ``--json``
    also ``{"error": {...}}`` on stdout."""
    if as_json:
        print(json.dumps({"error": {"message_th": exc.message_th,
                                    "message_en": exc.message_en}}, ensure_ascii=False))
    print(f"ข้อผิดพลาด: {exc.message_th}\nerror: {exc.message_en}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command in ("users", "audit"):
        # Not echoed: a stray argument here may well be a password typed on the command line.
        parser.exit(
            EXIT_USAGE,
            f"ข้อผิดพลาด: มีอาร์กิวเมนต์เกินมา {len(extra)} ตัว (ไม่แสดง เผื่อเป็นรหัสผ่าน) — "
            "รหัสผ่านต้องส่งทางอินพุตมาตรฐานเท่านั้น\n"
            f"error: {len(extra)} unexpected argument(s) (not shown, in case one is a password) "
            "— passwords are only read from standard input\n",
        )
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        code: int = args.func(args)
        return code
    except BrokenPipeError:
        # The reader went away (``landmap check … | head``): not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except LandmapError as exc:
        report_error(exc, as_json=getattr(args, "json", False))
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
