"""The ``landmap`` command: the same core as the app, for GIS staff and automation.

Every command takes ``--json``; the JSON shapes named in the issues are public contracts (fields
may be added, never removed). Bad input exits non-zero with a message in Thai and English.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from gis.errors import InputError, LandmapError
from gis.store import STORE_ENV, open_store
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except LandmapError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"error": {"message_th": exc.message_th,
                                        "message_en": exc.message_en}}, ensure_ascii=False))
        print(f"ข้อผิดพลาด: {exc.message_th}\nerror: {exc.message_en}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
