"""The text in a shapefile's DBF: which code page it is in, and decoding it (DESIGN.md §5,
``decode``).

The order of trust: the code page the user gives, then the ``.cpg`` file, then the DBF's language
driver byte (offset 29), then detection from the bytes. A declaration that the bytes clearly
contradict (a ``.cpg`` saying UTF-8 or ISO-8859-1 over cp874 Thai, as ArcGIS and QGIS exports
often have) is overruled with a warning: the bytes do not lie, the sidecar file may.
"""

from __future__ import annotations

import itertools
import struct
from typing import Any

import pandas as pd

from gis.distinct import distinct_map
from gis.io import encoding
from gis.io.model import Options, RawLayer, Severity, issue

MAX_TEXT_ISSUES = 20  # undecodable values reported one by one, then summarised
_SAMPLES = 2000  # distinct non-ASCII text values per column scored when detecting the encoding


def damage(dbf: bytes) -> tuple[str, str] | None:
    """What is wrong with a DBF's structure, in Thai and English, or None when it is whole.

    GDAL reads a DBF cut inside its header as a table without fields, and one cut inside its
    records as fewer rows, without a word: the header says how long the file must be.
    """
    if len(dbf) < 32:
        return "สั้นเกินกว่าจะเป็นไฟล์ DBF", "too short to be a DBF file"
    records, header, record = struct.unpack("<IHH", dbf[4:12])
    if len(dbf) < header:
        return (f"ส่วนหัวไม่ครบ ({len(dbf)} จาก {header} ไบต์)",
                f"its header is cut short ({len(dbf)} of {header} bytes)")
    whole = (len(dbf) - header) // record if record else 0
    if whole < records:
        return (f"ไม่ครบ มี {whole} จาก {records} แถว",
                f"it is cut short: {whole} of {records} records")
    return None


def decode_text(
    layer: RawLayer, dbf: bytes, cpg: bytes | None, options: Options, where: dict[str, Any],
) -> None:
    """Choose the DBF's text encoding and decode ``layer.frame`` (values and column names).

    Parameters
    ----------
    layer
        Read with GDAL as Latin-1, so that ``.encode("latin1")`` gives back the raw bytes; its
        frame, ``encoding`` and ``issues`` are updated.
    dbf
        The DBF bytes (for the language driver byte).
    cpg
        The ``.cpg`` bytes, if any.
    options
        ``encoding`` given by the user wins over everything.
    where
        ``file`` and ``layer`` for the issues.
    """
    frame = layer.frame
    text_columns = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c].dtype)]
    samples = [str(c).encode("latin1") for c in frame.columns]
    for column in text_columns:
        # Only distinct values with bytes above 0x7F tell encodings apart (ASCII reads the same
        # in every candidate): a column of 100,000 ids or repeated vocabulary words costs
        # nothing, and at most ``_SAMPLES`` telling values a column are scored.
        distinct = pd.unique(frame[column].dropna().to_numpy(dtype=object))
        telling = (v for v in distinct if isinstance(v, str) and not v.isascii())
        samples += [v.encode("latin1") for v in itertools.islice(telling, _SAMPLES)]
    chosen = _choose_encoding(samples, cpg, dbf[29] if len(dbf) > 29 else 0, options, layer,
                              where)
    layer.encoding = chosen

    damaged: set[str] = set()  # decoded values holding a replacement character

    def decode(value: Any) -> Any:
        if not isinstance(value, str) or value.isascii():  # ASCII reads the same in all
            return value
        text = value.encode("latin1").decode(chosen, errors="replace")
        if "\ufffd" in text:
            damaged.add(text)
        return text

    renamed = {c: c.encode("latin1").decode(chosen, errors="replace") for c in frame.columns}
    bad: list[tuple[int, str, str]] = []  # (row, column, text) of values with a �
    for column in text_columns:
        new = renamed[column]
        damaged.clear()
        decoded = distinct_map(decode, frame[column].to_numpy(dtype=object))
        frame[column] = pd.Series(decoded, index=frame.index, dtype=object)
        if damaged:  # each distinct value was looked at once; find its rows only if needed
            bad += [(i + 1, new, v) for i, v in enumerate(decoded) if v in damaged]
    layer.frame = frame.rename(columns=renamed)
    for row, column, text in sorted(bad)[:MAX_TEXT_ISSUES]:
        layer.issues.append(issue(
            "undecodable_text", Severity.WARNING,
            f"มีอักขระที่อ่านเป็น {chosen} ไม่ได้ แทนด้วย �: {text!r}",
            f"characters that are not valid {chosen} were replaced by �: {text!r}",
            fix_th="ตรวจข้อความ หรือระบุการเข้ารหัสเอง",
            fix_en="check the text, or choose the encoding yourself",
            row=row, field=column, **where))
    if len(bad) > MAX_TEXT_ISSUES:
        layer.issues.append(issue(
            "undecodable_text", Severity.WARNING, f"และอีก {len(bad) - MAX_TEXT_ISSUES} ค่า",
            f"and {len(bad) - MAX_TEXT_ISSUES} more values", **where))


def _fits(name: str, samples: list[bytes]) -> bool:
    """Whether a declared encoding reads the text: it decodes, and not into Thai mojibake."""
    text = [s for s in samples if any(b > 0x7F for b in s)]
    try:
        decoded = [s.decode(name) for s in text]
    except UnicodeDecodeError:
        return False
    if name in encoding.CANDIDATES or not decoded:
        return True
    return sum(encoding.mojibake(t) for t in decoded) < len(decoded) / 2


def _choose_encoding(
    samples: list[bytes], cpg: bytes | None, ldid: int, options: Options, layer: RawLayer,
    where: dict[str, Any],
) -> str:
    given = options.get("encoding")
    if given:
        name = encoding.normalise(str(given))
        if name:
            return name
        layer.issues.append(issue(
            "unknown_encoding", Severity.WARNING, f"ไม่รู้จักการเข้ารหัส {given!r} จึงตรวจหาเอง",
            f"unknown encoding {given!r}: detecting it instead", **where))
    guess = encoding.detect(samples)
    declared, why_th, why_en = None, "", ""
    if cpg is not None:
        declared = encoding.normalise(cpg.decode("ascii", errors="replace"))
        why_th, why_en = "ตามไฟล์ .cpg", "as the .cpg declares"
        if declared is None:  # "ANSI", "OEM", "SYSTEM": the writer's own code page, unknown
            text = cpg.decode("ascii", errors="replace").strip()
            layer.issues.append(issue(
                "unknown_cpg", Severity.INFO, f"ไม่รู้จักการเข้ารหัส {text!r} ในไฟล์ .cpg",
                f"the .cpg names an unknown encoding {text!r}", **where))
    if declared is None and encoding.from_ldid(ldid):
        declared = encoding.from_ldid(ldid)
        why_th = f"ตามไบต์ภาษาของ DBF (LDID 0x{ldid:02X})"
        why_en = f"as the DBF language driver byte (LDID 0x{ldid:02X}) declares"
    if declared is not None and (_fits(declared, samples) or guess.how != "detected"
                                 or guess.encoding == declared):
        chosen = declared
    elif declared is not None:
        chosen = guess.encoding
        layer.issues.append(issue(
            "encoding_mismatch", Severity.WARNING,
            f"แฟ้มระบุว่าเข้ารหัส {declared} ({why_th}) แต่ข้อความเป็น {chosen} จึงอ่านเป็น {chosen}",
            f"the file declares {declared} ({why_en}) but the text is {chosen}: read as {chosen}",
            fix_th="ตรวจข้อความภาษาไทย หรือระบุการเข้ารหัสเอง",
            fix_en="check the Thai text, or choose the encoding yourself", **where))
        return chosen
    elif guess.how == "ascii":
        chosen, why_th, why_en = guess.encoding, "ข้อความเป็น ASCII ล้วน", "the text is plain ASCII"
    else:
        chosen = guess.encoding
        why_th = f"ไม่มี .cpg จึงตรวจจากข้อความภาษาไทย (คะแนน {guess.score:.2f})"
        why_en = f"no .cpg or code page byte: detected by scoring the Thai text ({guess.score:.2f})"
    layer.issues.append(issue(
        "encoding_detected", Severity.INFO, f"อ่านข้อความเป็น {chosen} {why_th}",
        f"text read as {chosen}, {why_en}", **where))
    return chosen
