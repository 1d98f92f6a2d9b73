"""Which text encoding a Thai file is in: UTF-8 or cp874 (TIS-620 and its Windows superset).

Government shapefiles and spreadsheets from Thai offices are mostly cp874, often with no ``.cpg``;
read as Latin-1 (GDAL's default for a DBF without a code page) Thai comes out as mojibake such as
``¹Ò§ÊÒÇ``. Detection decodes the bytes with each candidate and scores the result: text that
decodes as UTF-8 and contains Thai is UTF-8; otherwise cp874 wins when it yields Thai letters in
plausible places (Thai letters, digits, spaces and ASCII punctuation, few control characters).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass

CANDIDATES = ("utf-8", "cp874")
THAI = range(0x0E01, 0x0E5C)
# The DBF "language driver id" byte (offset 29): the code page it declares (None: nothing, as
# 0x00, or "the system ANSI page", as 0x57, which tells us nothing either).
LDID_ENCODINGS = {0x57: None, 0x00: None, 0x03: "cp1252", 0x01: "cp437", 0x02: "cp850",
                  0x4F: "utf-8", 0x7D: "cp1255", 0x7E: "cp1256", 0xC8: "cp1250",
                  0xC9: "cp1251", 0xCA: "cp1254", 0xCB: "cp1253", 0x65: "cp866",
                  0x66: "cp865", 0x78: "cp950", 0x79: "cp949", 0x7A: "cp936", 0x7B: "cp932",
                  0x7C: "cp874"}


@dataclass(frozen=True)
class Guess:
    """An encoding and how sure the guess is: ``declared`` (from the file), ``detected``
    (scored), or ``ascii`` (no byte above 127: any encoding reads it the same)."""

    encoding: str
    how: str
    score: float = 1.0


def normalise(name: str | None) -> str | None:
    """A codec name Python knows, from what files write (``TIS-620``, ``874``, ``UTF8``…)."""
    if not name:
        return None
    text = name.strip().strip("\x00").lower().replace("_", "-")
    aliases = {"874": "cp874", "tis-620": "cp874", "tis620": "cp874", "windows-874": "cp874",
               "x-windows-874": "cp874", "iso-8859-11": "cp874", "utf8": "utf-8",
               "65001": "utf-8", "ansi 1252": "cp1252", "1252": "cp1252"}
    text = aliases.get(text, text)
    try:
        return codecs.lookup(text).name.replace("_", "-")
    except LookupError:
        return None


def from_ldid(byte: int) -> str | None:
    """The encoding a DBF's language driver byte declares, or None when it declares nothing."""
    return LDID_ENCODINGS.get(byte)


def thai_score(text: str) -> float:
    """How much ``text`` looks like real Thai/English text: 0 (garbage) … 1 (clean)."""
    if not text:
        return 0.0
    good, bad, thai = 0.0, 0.0, 0
    for ch in text:
        code = ord(ch)
        if code in THAI:
            thai += 1
            good += 1
        elif ch.isascii() and (ch.isprintable() or ch in "\t\r\n"):
            good += 1
        elif 0x80 <= code <= 0xFF or code == 0xFFFD or not ch.isprintable():
            bad += 1  # Latin-1 mojibake, replacement characters, control characters
        else:
            good += 0.5
    score = good / (good + bad * 4)
    return score if thai else score * 0.9


def detect(samples: Iterable[bytes]) -> Guess:
    """The encoding of byte strings from one file (DBF text fields, CSV lines…)."""
    data = b"\n".join(s for s in samples if s)
    if not any(b > 0x7F for b in data):
        return Guess("utf-8", "ascii")
    if data.startswith(codecs.BOM_UTF8):
        return Guess("utf-8-sig", "declared")
    scores: dict[str, float] = {}
    for encoding in CANDIDATES:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        scores[encoding] = thai_score(text)
    if not scores:
        # Neither decodes cleanly: cp874 with undefined bytes replaced reads most Thai files.
        return Guess("cp874", "detected", thai_score(data.decode("cp874", errors="replace")))
    best = max(scores, key=lambda e: (scores[e], e == "utf-8"))
    return Guess(best, "detected", scores[best])


def mojibake(text: str) -> bool:
    """Whether ``text`` looks like Thai read as Latin-1 (``¹Ò§ÊÒÇ``)."""
    return sum(0xA1 <= ord(c) <= 0xFB for c in text) >= max(2, len(text) // 4)
