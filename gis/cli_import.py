"""``landmap check`` / ``import`` / ``undo-import`` / ``xlsform`` (public contracts).

    landmap check FILE [--layer KIND] [--crs EPSG | --crs LAYER=EPSG …] [--encoding ENC]
                  [--repair-geometry] [--geojson OUT] --json
    landmap import FILE --layer KIND --store STORE [--crs …] [--encoding …] [--repair-geometry]
                   [--skip-errors] --json
    landmap undo-import BATCH --store STORE
    landmap xlsform --layer KIND --out FORM.xlsx

Prints ``{"file", "format", "outcome", "layers": [...], "issues": [...]}`` (see gis.io.check);
exits 0 when the file can be imported (with or without issues) and 2 when it is rejected — the
report is printed either way, never a traceback.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gis.cli import _cli_actor, report_error
from gis.errors import InputError, LandmapError
from gis.io.check import check, features_geojson
from gis.io.encoding import normalise
from gis.io.read import read_path
from layers import LAYERS

EXIT_REJECT = 2
REPAIR_HELP = ("ซ่อมรูปร่างที่ไม่ถูกต้อง (เช่น เส้นขอบตัดกันเอง) ด้วย make_valid แล้วนำเข้าพร้อมคำเตือน"
               " / repair invalid shapes (e.g. a boundary crossing itself) with make_valid and "
               "import them with a warning")


def _checked(args: argparse.Namespace) -> Any:
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
    crs = _crs_choice(args.crs or [])
    if isinstance(crs, int):  # readers take one CRS for every layer; per layer is check's
        options["crs"] = crs
    return check(read_path(path, options), kind=args.layer, crs=crs,
                 repair=args.repair_geometry)


def _crs_choice(given: list[int | tuple[str, int]]) -> int | Mapping[str, int] | None:
    """One EPSG code for every layer (the last one given), or ``{layer: EPSG}`` from
    ``--crs LAYER=EPSG``; the two cannot be mixed."""
    codes = [g for g in given if isinstance(g, int)]
    per_layer = dict(g for g in given if isinstance(g, tuple))
    if codes and per_layer:
        raise InputError(
            "ระบุ --crs EPSG (ใช้กับทุกชั้นข้อมูล) หรือ --crs ชั้นข้อมูล=EPSG อย่างใดอย่างหนึ่ง",
            "give either --crs EPSG (for every layer) or --crs LAYER=EPSG, not both",
            field="crs", fix_th="เช่น --crs roads=32647 --crs plots=32648",
            fix_en="e.g. --crs roads=32647 --crs plots=32648")
    return per_layer or (codes[-1] if codes else None)


def cmd_check(args: argparse.Namespace) -> int:
    report = _checked(args)
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


def cmd_import(args: argparse.Namespace) -> int:
    """Import, or exit 2 with the bilingual reason and the store untouched."""
    from gis.io.importer import import_report
    from gis.store import open_store

    try:
        report = _checked(args)
        store = open_store(args.store, create=False)
        try:
            outcome, plan = import_report(store, report, args.layer, user=_cli_actor(),
                                          skip_errors=args.skip_errors)
        finally:
            store.close()
    except LandmapError as exc:
        report_error(exc, as_json=args.json)
        return EXIT_REJECT
    payload = {"batch": outcome.batch, "layer": outcome.layer, "imported": outcome.imported,
               "held_back": outcome.held_back, **{k: v for k, v in plan.as_json().items()
                                                  if k == "mappings"},
               "issues": [i.as_json() for i in plan.issues]}
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(f"นำเข้า {outcome.imported:,} รายการลงชั้น {outcome.layer} แล้ว "
              f"(ชุด {outcome.batch})\nimported {outcome.imported:,} features into "
              f"{outcome.layer} (batch {outcome.batch})")
    return 0


def cmd_undo_import(args: argparse.Namespace) -> int:
    from gis.io.importer import undo_import_batch
    from gis.store import open_store

    store = open_store(args.store, create=False)
    try:
        results = undo_import_batch(store, args.batch, user=_cli_actor())
    finally:
        store.close()
    undone = sum(len(r.versions) for r in results)
    if args.json:
        print(json.dumps({"batch": args.batch, "undone": undone,
                          "change_sets": [r.change_set for r in results]}))
    else:
        print(f"ย้อนการนำเข้าชุด {args.batch} แล้ว ({undone:,} รายการ)\n"
              f"undid import batch {args.batch} ({undone:,} features)")
    return 0


def cmd_xlsform(args: argparse.Namespace) -> int:
    """Write the KoboToolbox / ODK XLSForm of a layer (gis.io.xlsform)."""
    from gis.io.xlsform import write_xlsform

    folder = Path(args.out).parent
    if not folder.is_dir():
        raise InputError(f"ไม่มีโฟลเดอร์ {folder}", f"no folder {folder}", field="out",
                         fix_th="สร้างโฟลเดอร์ก่อน หรือเลือกที่อื่น",
                         fix_en="create the folder first, or choose another path")
    sheets = write_xlsform(LAYERS[args.layer], args.out)
    if args.json:
        print(json.dumps({"out": str(args.out), "layer": args.layer,
                          "questions": len(sheets["survey"]), "choices": len(sheets["choices"])},
                         ensure_ascii=False))
    else:
        print(f"เขียนแบบฟอร์ม XLSForm ของชั้น {args.layer} ที่ {args.out} แล้ว "
              f"({len(sheets['survey'])} คำถาม)\nwrote the XLSForm of {args.layer} to "
              f"{args.out} ({len(sheets['survey'])} questions)")
    return 0


def _epsg(text: str) -> int:
    value = text.upper().removeprefix("EPSG:")
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"not an EPSG code: {text!r} (e.g. 32647 or EPSG:32647)")
    return int(value)


def _layer_epsg(text: str) -> int | tuple[str, int]:
    """``32647`` / ``EPSG:32647`` for every layer, or ``LAYER=EPSG`` for one source layer."""
    layer, equals, code = text.rpartition("=")
    if not equals:
        return _epsg(text)
    if not layer:
        raise argparse.ArgumentTypeError(f"no layer name before '=': {text!r} (e.g. "
                                          "plots=32647)")
    return layer, _epsg(code)


def add_import_commands(sub: Any) -> None:
    """Register ``check``, ``import``, ``undo-import`` and ``xlsform`` on the subparsers."""
    p = sub.add_parser("check", help="ตรวจไฟล์ก่อนนำเข้า / check a file before importing it",
                       description="ตรวจไฟล์ก่อนนำเข้า / check a file before importing it")
    p.add_argument("file", help="the file: zipped shapefile, KML/KMZ, GPX, GeoJSON, GPKG, "
                   "CSV, XLSX")
    p.add_argument("--layer", choices=sorted(LAYERS), help="the target layer (checks shapes)")
    p.add_argument("--crs", type=_layer_epsg, action="append", metavar="EPSG|LAYER=EPSG",
                   help="EPSG code of the coordinates (overrides the file); LAYER=EPSG for one "
                   "layer of the file (repeatable)")
    p.add_argument("--encoding", help="text encoding (e.g. cp874), when detection gets it wrong")
    p.add_argument("--repair-geometry", action="store_true", help=REPAIR_HELP)
    p.add_argument("--geojson", help="also write the features it would import to this file")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_check)

    imp = sub.add_parser("import", help="นำเข้าไฟล์ / import a file into a layer",
                         description="นำเข้าไฟล์ / import a file into a layer (one batch)")
    imp.add_argument("file")
    imp.add_argument("--layer", choices=sorted(LAYERS), required=True)
    imp.add_argument("--store", required=True, help="FILE.gpkg or postgresql://…")
    imp.add_argument("--crs", type=_layer_epsg, action="append", metavar="EPSG|LAYER=EPSG")
    imp.add_argument("--encoding")
    imp.add_argument("--repair-geometry", action="store_true", help=REPAIR_HELP)
    imp.add_argument("--skip-errors", action="store_true",
                     help="import the good rows and leave out rows with errors")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(func=cmd_import, geojson=None)

    undo = sub.add_parser("undo-import", help="ย้อนการนำเข้าทั้งชุด / undo a whole import",
                          description="ย้อนการนำเข้าทั้งชุด / undo a whole import batch")
    undo.add_argument("batch")
    undo.add_argument("--store", required=True)
    undo.add_argument("--json", action="store_true")
    undo.set_defaults(func=cmd_undo_import)

    from gis.io.xlsform import FORM_LAYERS

    form = sub.add_parser("xlsform", help="สร้างแบบฟอร์ม KoboToolbox/ODK / write a Kobo/ODK form",
                          description="สร้างแบบฟอร์ม XLSForm (KoboToolbox, ODK Collect) จากชั้นข้อมูล"
                          " / write the XLSForm (KoboToolbox, ODK Collect) of a layer")
    form.add_argument("--layer", choices=FORM_LAYERS, required=True)
    form.add_argument("--out", required=True, help="FORM.xlsx")
    form.add_argument("--json", action="store_true")
    form.set_defaults(func=cmd_xlsform)
