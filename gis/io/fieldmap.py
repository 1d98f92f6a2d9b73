"""Source columns → a layer's declared fields, and source values → the values those fields take.

Headers are matched to a field by its name, its Thai or English label, or one of its declared
synonyms (``layers/``), ignoring case, spaces, underscores and punctuation. Values become the
field's type: vocabulary codes from a code or a Thai/English label, numbers with Thai digits and
thousands separators, yes/no in both languages, dates in the Buddhist Era or Gregorian. A value
that cannot be converted is an ``error`` issue for that row and field, never a silent blank.
Columns that match no field are kept, with their values, in the layer's ``extra`` JSON field.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from gis.io.model import Issue, Severity, issue
from gis.io.thai import parse_thai_date, thai_digits_to_arabic
from gis.jsonable import jsonable
from layers.schema import DType, Field, LayerSpec, Vocabulary

_JUNK = re.compile(r"[\s_\-./()\[\]:,]+")
YES = frozenset({"1", "y", "yes", "true", "t", "ใช่", "มี", "จริง", "ถูก", "✓", "x"})
NO = frozenset({"0", "n", "no", "false", "f", "ไม่ใช่", "ไม่มี", "ไม่", "เท็จ", "-"})


def key(text: str) -> str:
    """How headers are compared: case, spaces, underscores and punctuation ignored."""
    return _JUNK.sub("", thai_digits_to_arabic(str(text))).casefold()


@dataclass(frozen=True)
class FieldMap:
    """Which source column feeds which field; ``extra`` lists the columns kept in ``extra``."""

    columns: Mapping[str, str]  # field name → source column
    extra: tuple[str, ...] = ()
    unmatched_required: tuple[str, ...] = field(default_factory=tuple)


def match_columns(spec: LayerSpec, columns: list[str],
                  overrides: Mapping[str, str] | None = None) -> FieldMap:
    """Map ``columns`` to ``spec``'s fields; ``overrides`` (field → column) come first."""
    chosen: dict[str, str] = dict(overrides or {})
    taken = set(chosen.values())
    by_key = {key(c): c for c in columns}
    for f in spec.fields:
        if f.name in chosen or f.derived:
            continue
        for name in (f.name, f.label_th, f.label_en, *f.synonyms):
            column = by_key.get(key(name))
            if column is not None and column not in taken:
                chosen[f.name] = column
                taken.add(column)
                break
    # A DBF field name holds 10 bytes: "รหัสหมู่บ้าน" arrives as "รหัสหมู่บ้". A column cut at
    # that length matches a field whose name, label or synonym begins with it.
    for f in spec.fields:
        if f.name in chosen or f.derived:
            continue
        for column in columns:
            if column in taken or not _cut_at_dbf_width(column):
                continue
            stem = key(column)
            if len(stem) >= 3 and any(key(n).startswith(stem) and key(n) != stem
                                      for n in (f.name, f.label_th, f.label_en, *f.synonyms)):
                chosen[f.name] = column
                taken.add(column)
                break
    extra = tuple(c for c in columns if c not in taken)
    missing = tuple(f.name for f in spec.fields if f.required and f.name not in chosen)
    return FieldMap(chosen, extra, missing)


def _cut_at_dbf_width(column: str) -> bool:
    """Whether ``column`` fills a DBF field name (10 bytes in cp874 or UTF-8, or a UTF-8 name
    cut inside a character)."""
    for encoding in ("cp874", "utf-8"):
        try:
            if len(column.encode(encoding)) in (9, 10):
                return True
        except UnicodeEncodeError:
            continue
    return False


def convert(spec: LayerSpec, frame: pd.DataFrame, mapping: FieldMap, *,
            file: str | None = None, layer: str | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """The frame as ``spec``'s fields (one column per mapped field, plus ``extra``) and an issue
    for every value that could not be converted (its row is then not importable)."""
    found: list[Issue] = []
    out = pd.DataFrame(index=frame.index)
    records = frame.to_dict("records")
    for name, column in mapping.columns.items():
        f = spec.field(name)
        values = []
        for i, record in enumerate(records):
            raw = record.get(column)
            try:
                values.append(value_for(f, raw))
            except ValueError as exc:
                values.append(None)
                found.append(_bad_value(f, raw, str(exc), row=i + 1, file=file, layer=layer,
                                        column=column))
        out[name] = values
    if mapping.extra and any(f.name == "extra" for f in spec.fields):
        extras: list[dict[str, Any] | None] = [
            {c: jsonable(r.get(c)) for c in mapping.extra if jsonable(r.get(c)) is not None} or None
            for r in records
        ]
        out["extra"] = pd.Series(extras, index=frame.index, dtype=object)
    return out, found


def value_for(f: Field, raw: Any) -> Any:
    """``raw`` as field ``f`` stores it, or ``ValueError`` saying why not. Blank is None."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None
    text = thai_digits_to_arabic(str(raw)).strip()
    if text == "" or text.casefold() in ("nan", "none", "null", "n/a"):
        return None
    if f.vocabulary is not None:
        code = _vocabulary_keys(f.vocabulary).get(key(text))
        if code is None:
            raise ValueError("not in the list")
        return code
    if f.dtype is DType.INT:
        number = float(text.replace(",", ""))
        if not number.is_integer():
            raise ValueError("not a whole number")
        return int(number)
    if f.dtype is DType.FLOAT:
        return float(text.replace(",", ""))
    if f.dtype is DType.BOOL:
        if text.casefold() in YES:
            return True
        if text.casefold() in NO:
            return False
        raise ValueError("not yes or no")
    if f.dtype is DType.DATE:
        if isinstance(raw, dt.date):
            return raw if not isinstance(raw, dt.datetime) else raw.date()
        parsed = parse_thai_date(text)
        if parsed is None:
            raise ValueError("not a date")
        return parsed
    return text


@functools.lru_cache(maxsize=64)
def _vocabulary_keys(vocabulary: Vocabulary) -> dict[str, str]:
    """Every spelling a value of ``vocabulary`` may arrive in (code, Thai, English) → code."""
    out: dict[str, str] = {}
    for term in vocabulary:
        for spelling in (term.code, term.label_th, term.label_en):
            out.setdefault(key(spelling), term.code)
    return out


def _bad_value(f: Field, raw: Any, why: str, *, row: int, file: str | None,
               layer: str | None, column: str) -> Issue:
    if f.vocabulary is not None:
        allowed_th = ", ".join(t.label_th for t in f.vocabulary)
        allowed_en = ", ".join(t.label_en for t in f.vocabulary)
        return issue(
            "not_in_vocabulary", Severity.ERROR,
            f"ค่า '{raw}' ในช่อง '{f.label_th}' ไม่อยู่ในรายการที่กำหนด",
            f"'{raw}' in '{f.label_en}' is not one of its values",
            fix_th=f"ใช้ค่าใดค่าหนึ่ง: {allowed_th}", fix_en=f"use one of: {allowed_en}",
            file=file, layer=layer, row=row, field=column)
    kinds = {DType.INT: ("จำนวนเต็ม", "a whole number"), DType.FLOAT: ("ตัวเลข", "a number"),
             DType.BOOL: ("ใช่/ไม่ใช่", "yes/no"), DType.DATE: ("วันที่", "a date")}
    kind_th, kind_en = kinds.get(f.dtype, ("ข้อความ", "text"))
    return issue(
        "bad_value", Severity.ERROR,
        f"ค่า '{raw}' ในช่อง '{f.label_th}' ไม่ใช่{kind_th}",
        f"'{raw}' in '{f.label_en}' is not {kind_en} ({why})",
        fix_th=f"แก้ค่าให้เป็น{kind_th}", fix_en=f"make it {kind_en}",
        file=file, layer=layer, row=row, field=column)
