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

import numpy as np
import pandas as pd

from gis.distinct import distinct_map
from gis.errors import InputError
from gis.io.model import Issue, Severity, issue
from gis.io.thai import parse_thai_date, thai_digits_to_arabic
from gis.jsonable import jsonable
from layers.schema import DType, Field, LayerSpec, Vocabulary

_JUNK = re.compile(r"[\s_\-./()\[\]:,]+")
BLANK_WORDS = frozenset({"nan", "none", "null", "n/a"})  # cells that mean "no value"
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
                  overrides: Mapping[str, str | None] | None = None) -> FieldMap:
    """Map ``columns`` to ``spec``'s fields; ``overrides`` (field → column, or None to leave
    the field unmapped) come first. An override naming an unknown field or column raises
    ``InputError``."""
    overrides = dict(overrides or {})
    for name, column in overrides.items():
        if name not in spec.field_names:
            raise InputError(f"ชั้นข้อมูล {spec.name} ไม่มีช่อง {name}",
                             f"layer {spec.name} has no field {name}")
        if column is not None and column not in columns:
            raise InputError(f"ไม่มีคอลัมน์ {column} ในไฟล์", f"the file has no column {column}")
    chosen: dict[str, str] = {n: c for n, c in overrides.items() if c is not None}
    taken = set(chosen.values())
    skipped = {n for n, c in overrides.items() if c is None}
    by_key = {key(c): c for c in columns}
    for f in spec.fields:
        if f.name in chosen or f.name in skipped or f.derived:
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
        if f.name in chosen or f.name in skipped or f.derived:
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
            file: str | None = None, layer: str | None = None,
            values: Mapping[str, Mapping[str, str | None]] | None = None,
            ) -> tuple[pd.DataFrame, list[Issue]]:
    """The frame as ``spec``'s fields (one column per mapped field, plus ``extra``) and an issue
    for every value that could not be converted (its row is then not importable).

    ``values`` maps, per field, a source value (text, stripped) to the code the user chose for
    it (or None for blank); a chosen code outside the field's vocabulary raises ``InputError``.
    Each distinct value is converted once (survey columns repeat a few values many times)."""
    found: list[Issue] = []
    out = pd.DataFrame(index=frame.index)
    for name, column in mapping.columns.items():
        f = spec.field(name)
        chosen = _checked_choices(f, (values or {}).get(name) or {})
        converted, bad = _convert_column(f, frame[column].to_numpy(dtype=object), chosen)
        for i, raw, why in bad:
            found.append(_bad_value(f, raw, why, row=i + 1, file=file, layer=layer,
                                    column=column))
        out[name] = pd.Series(converted, index=frame.index, dtype=object)
    if mapping.extra and any(f.name == "extra" for f in spec.fields):
        columns = {c: distinct_map(jsonable, frame[c].to_numpy(dtype=object))
                   for c in mapping.extra}
        extras: list[dict[str, Any] | None] = [
            {c: v[i] for c, v in columns.items() if v[i] is not None} or None
            for i in range(len(frame))
        ]
        out["extra"] = pd.Series(extras, index=frame.index, dtype=object)
    return out, found


def _checked_choices(f: Field, chosen: Mapping[str, str | None]) -> dict[str, str | None]:
    if f.vocabulary is not None:
        wrong = [c for c in chosen.values() if c is not None and c not in f.vocabulary.codes()]
        if wrong:
            raise InputError(
                f"รหัส {wrong[0]} ไม่อยู่ในรายการของช่อง '{f.label_th}'",
                f"code {wrong[0]} is not one of the values of '{f.label_en}'",
                fix_th="เลือกค่าจากรายการ", fix_en="choose a value from the list")
    return dict(chosen)


def _convert_column(f: Field, raw: np.ndarray[Any, Any], chosen: Mapping[str, str | None],
                    ) -> tuple[list[Any], list[tuple[int, Any, str]]]:
    """Field ``f``'s values for the cells ``raw``, and (row index, raw, reason) for each cell
    that cannot be converted."""
    failed = False  # set when a distinct value cannot be converted: only then look for rows

    def one(value: Any) -> Any:
        nonlocal failed
        if chosen and value is not None:
            text = str(value).strip()
            if text in chosen:
                return chosen[text]
        try:
            return value_for(f, value)
        except ValueError as exc:
            failed = True
            return _Bad(str(exc))

    if (f.vocabulary is None and f.dtype is DType.STR and not chosen
            and pd.api.types.infer_dtype(raw, skipna=True) == "string"):
        return _plain_text(raw), []  # text stays text: one vectorised pass, nothing can fail
    converted = distinct_map(one, raw)
    if not failed:
        return converted, []
    bad = [(i, raw[i], v.why) for i, v in enumerate(converted) if isinstance(v, _Bad)]
    for i, _, _ in bad:
        converted[i] = None
    return converted, bad


def _plain_text(raw: np.ndarray[Any, Any]) -> list[Any]:
    """``value_for`` of a text field for cells that are all text (or missing). One regex pass
    over the whole column finds whether any cell needs Thai digits, stripping or blanking;
    only then is it done cell by cell."""
    cells: list[Any] = pd.Series(raw, dtype=object).where(pd.notna(raw), None).tolist()
    joined = "\x00" + "\x00".join(c for c in cells if c is not None) + "\x00"
    if any(digit in joined for digit in _THAI_DIGITS):
        cells = [c if c is None else thai_digits_to_arabic(c) for c in cells]
    # Space after a cell's start, or (read backwards) before its end: a pattern that starts
    # with the literal separator is found far faster than one that starts with a class.
    edge = bool(_SPACE_AFTER_START.search(joined) or _SPACE_AFTER_START.search(joined[::-1]))
    if edge:
        cells = [c if c is None else c.strip() for c in cells]
    if "\x00\x00" in joined or _BLANK_CELL.search(joined) or edge:
        cells = [None if c is None or c == "" or c.casefold() in BLANK_WORDS else c
                 for c in cells]
    return cells


_THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_SPACE_AFTER_START = re.compile(r"\x00\s")
_BLANK_CELL = re.compile(r"\x00(?:nan|none|null|n/a)\x00", re.IGNORECASE)


@dataclass(frozen=True)
class _Bad:
    why: str


def value_for(f: Field, raw: Any) -> Any:
    """``raw`` as field ``f`` stores it, or ``ValueError`` saying why not. Blank is None."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None
    text = thai_digits_to_arabic(str(raw)).strip()
    if text == "" or text.casefold() in BLANK_WORDS:
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
