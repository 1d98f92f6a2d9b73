"""``landmap check``: what an import of a file would do, as a report (public JSON contract).

    landmap check FILE [--layer KIND] [--crs EPSG] [--encoding ENC] [--geojson OUT] --json

Prints ``{"file", "format", "outcome", "layers": [...], "issues": [...]}`` (see gis.io.check);
exits 0 when the file can be imported (with or without issues) and 2 when it is rejected — the
report is printed either way, never a traceback.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from gis.errors import InputError
from gis.io.check import check, features_geojson
from gis.io.encoding import normalise
from gis.io.read import read_path
from layers import LAYERS

EXIT_REJECT = 2


def cmd_check(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise InputError(f"ไม่พบไฟล์ {path}", f"no file at {path}", file=str(path),
                         fix_th="ตรวจชื่อและที่อยู่ของไฟล์", fix_en="check the file's path")
    options: dict[str, Any] = {}
    if args.encoding:
        encoding = normalise(args.encoding)
        if encoding is None:
            raise InputError(f"ไม่รู้จักรหัสอักขระ {args.encoding!r}",
                             f"unknown encoding {args.encoding!r}", field="encoding",
                             fix_th="เช่น cp874, tis-620, utf-8",
                             fix_en="e.g. cp874, tis-620, utf-8")
        options["encoding"] = encoding
    if args.crs is not None:
        options["crs"] = args.crs
    result = read_path(path, options)
    report = check(result, kind=args.layer, crs=args.crs)
    if args.geojson:
        Path(args.geojson).write_text(json.dumps(features_geojson(report), ensure_ascii=False),
                                      encoding="utf-8")
    payload = report.as_json()
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for layer in payload["layers"]:
            crs = layer["crs"]
            print(f"{layer['name']}: {layer['features']:,} features · EPSG:{crs['epsg']} "
                  f"({crs['source']}) · {layer['encoding'] or '-'}")
        for item in payload["issues"]:
            where = f"{item['layer'] or ''}#{item['row']}" if item["row"] else item["layer"] or ""
            print(f"[{item['severity']}] {where} {item['code']}: {item['message_th']} / "
                  f"{item['message_en']}")
        print(f"outcome: {payload['outcome']}")
    return EXIT_REJECT if report.outcome == "reject" else 0


def _epsg(text: str) -> int:
    value = text.upper().removeprefix("EPSG:")
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"not an EPSG code: {text!r} (e.g. 32647 or EPSG:32647)")
    return int(value)


def add_check_command(sub: Any) -> None:
    """Register ``check`` on the ``landmap`` subparsers."""
    p = sub.add_parser("check", help="ตรวจไฟล์ก่อนนำเข้า / check a file before importing it",
                       description="ตรวจไฟล์ก่อนนำเข้า / check a file before importing it")
    p.add_argument("file", help="the file: zipped shapefile, KML/KMZ, GPX, GeoJSON, GPKG, "
                   "CSV, XLSX")
    p.add_argument("--layer", choices=sorted(LAYERS), help="the target layer (checks shapes)")
    p.add_argument("--crs", type=_epsg, help="EPSG code of the coordinates (overrides the file)")
    p.add_argument("--encoding", help="text encoding (e.g. cp874), when detection gets it wrong")
    p.add_argument("--geojson", help="also write the features it would import to this file")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_check)
