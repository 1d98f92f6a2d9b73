"""An XLSForm (KoboToolbox / ODK Collect) generated from a layer's declaration.

Each field a surveyor types becomes one question named after the field, so that a Kobo or ODK
export with XML-name headers imports back with every column mapped to its field by name
(``gis.io.fieldmap``). Vocabularies become ``select_one`` lists whose choice names are the
vocabulary codes, yes/no fields a ``yes_no`` list whose names (``yes``/``no``) the importer reads
as booleans, and the layer's geometry a ``geopoint`` (households) or ``geoshape`` question.
Fields that Landmap fills itself (system, derived, the JSON ``extra``) are never asked.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from layers.schema import DType, Field, LayerSpec, PrivacyClass, Vocabulary

# Layers a field team draws on a phone; the others (admin, repairs, budgets) come from offices.
FORM_LAYERS = ("households", "plots", "villages", "tenure_zones")
TH, EN = "Thai (th)", "English (en)"
SHEETS = ("survey", "choices", "settings")
SURVEY_COLUMNS = ("type", "name", f"label::{TH}", f"label::{EN}", f"hint::{TH}", f"hint::{EN}",
                  "required")
CHOICE_COLUMNS = ("list_name", "name", f"label::{TH}", f"label::{EN}")
SETTINGS_COLUMNS = ("form_title", "form_id", "version", "default_language")
YES_NO = "yes_no"
# Choice names for booleans: both are in gis.io.fieldmap.YES / NO, so exports import as bool.
YES_NO_CHOICES = (("yes", "ใช่", "Yes"), ("no", "ไม่ใช่", "No"))
QUESTION_TYPES = {DType.STR: "text", DType.INT: "integer", DType.FLOAT: "decimal",
                  DType.DATE: "date"}
PRIVACY_HINTS = {
    PrivacyClass.PERSONAL: (
        "ข้อมูลส่วนบุคคล: ใช้เพื่องานของโครงการเท่านั้น ห้ามเผยแพร่",
        "Personal data: used for the programme's work only, never published",
    ),
    PrivacyClass.SENSITIVE: (
        "ข้อมูลส่วนบุคคลที่อ่อนไหว: ถามเมื่อเจ้าของข้อมูลยินยอม และห้ามเผยแพร่",
        "Sensitive personal data: ask only with the person's consent, never published",
    ),
}

Sheets = dict[str, list[dict[str, str]]]


def asked_fields(spec: LayerSpec) -> tuple[Field, ...]:
    """The fields of ``spec`` a surveyor types, in display order: not system, not derived, not
    JSON (the ``extra`` field holds columns an import did not recognise)."""
    return tuple(f for f in spec.fields
                 if not (f.system or f.derived or f.dtype in (DType.JSON, DType.DATETIME)))


def geometry_question(spec: LayerSpec) -> dict[str, str]:
    """The question that captures ``spec``'s geometry: ``location`` (geopoint) for points,
    ``boundary`` (geoshape) for polygons. ``ValueError`` for a layer without geometry."""
    if spec.geometry is None:
        raise ValueError(f"layer {spec.name!r} has no geometry, so it has no survey form")
    if spec.geometry == "Point":
        row = {"type": "geopoint", "name": "location", f"label::{TH}": "ตำแหน่งที่ตั้ง",
               f"label::{EN}": "Location"}
    else:
        row = {"type": "geoshape", "name": "boundary",
               f"label::{TH}": f"ขอบเขต{spec.label_th}",
               f"label::{EN}": f"Boundary ({spec.label_en})"}
    row["required"] = "yes"  # a feature without a shape is not imported
    row.update(_privacy_hint(spec.geometry_privacy))
    return row


def build_xlsform(spec: LayerSpec, *, version: str | None = None) -> Sheets:
    """The XLSForm of layer ``spec`` as sheets → rows (column → cell text).

    Parameters
    ----------
    spec
        A layer with geometry (``FORM_LAYERS``).
    version
        The form version Kobo/ODK compare to tell form revisions apart; default today's date
        as ``YYYYMMDD``.
    """
    survey: list[dict[str, str]] = []
    choices: list[dict[str, str]] = []
    listed: set[str] = set()
    for f in asked_fields(spec):
        row = {"name": f.name, f"label::{TH}": f.label_th, f"label::{EN}": f.label_en}
        if f.vocabulary is not None:
            row["type"] = f"select_one {f.vocabulary.name}"
            if f.vocabulary.name not in listed:
                choices.extend(_choices(f.vocabulary))
                listed.add(f.vocabulary.name)
        elif f.dtype is DType.BOOL:
            row["type"] = f"select_one {YES_NO}"
            if YES_NO not in listed:
                choices.extend({"list_name": YES_NO, "name": code, f"label::{TH}": th,
                                f"label::{EN}": en} for code, th, en in YES_NO_CHOICES)
                listed.add(YES_NO)
        else:
            row["type"] = QUESTION_TYPES[f.dtype]
        if f.required:
            row["required"] = "yes"
        row.update(_privacy_hint(f.privacy))
        survey.append(row)
    survey.append(geometry_question(spec))
    settings = [{
        "form_title": f"แบบสำรวจ{spec.label_th} / {spec.label_en} survey (Landmap)",
        "form_id": f"landmap_{spec.name}",
        "version": version or dt.date.today().strftime("%Y%m%d"),
        "default_language": TH,
    }]
    return {"survey": survey, "choices": choices, "settings": settings}


def write_xlsform(spec: LayerSpec, path: str | Path, *, version: str | None = None) -> Sheets:
    """Write the XLSForm of ``spec`` to ``path`` (.xlsx) and return its sheets."""
    from openpyxl import Workbook  # type: ignore[import-untyped]  # ships no stubs

    sheets = build_xlsform(spec, version=version)
    columns = {"survey": SURVEY_COLUMNS, "choices": CHOICE_COLUMNS, "settings": SETTINGS_COLUMNS}
    book = Workbook()
    book.remove(book.active)
    for name in SHEETS:
        sheet = book.create_sheet(name)
        sheet.append(list(columns[name]))
        for row in sheets[name]:
            sheet.append([row.get(c, "") or None for c in columns[name]])
    book.save(str(path))
    return sheets


def _choices(vocabulary: Vocabulary) -> list[dict[str, str]]:
    return [{"list_name": vocabulary.name, "name": t.code, f"label::{TH}": t.label_th,
             f"label::{EN}": t.label_en} for t in vocabulary]


def _privacy_hint(privacy: PrivacyClass) -> dict[str, str]:
    if privacy not in PRIVACY_HINTS:
        return {}
    th, en = PRIVACY_HINTS[privacy]
    return {f"hint::{TH}": th, f"hint::{EN}": en}
