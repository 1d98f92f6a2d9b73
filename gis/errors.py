"""Landmap's errors. Every message exists in Thai and English; the UI and the CLI show both.

Bad *data* is reported as ``Issue`` values, not raised; these exceptions are for requests that
cannot be carried out (a bad argument, a store that cannot be opened, a stale edit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class LandmapError(Exception):
    """Base of every error Landmap shows to a user, with a Thai and an English message."""

    def __init__(self, message_th: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_th = message_th
        self.message_en = message_en

    def bilingual(self) -> str:
        """Thai first, English second, as the UI and CLI print it."""
        return f"{self.message_th}\n{self.message_en}"


class InputError(LandmapError):
    """A user-supplied file, argument or value cannot be used; names where and how to fix it."""

    def __init__(
        self,
        message_th: str,
        message_en: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
        fix_th: str | None = None,
        fix_en: str | None = None,
    ) -> None:
        where_th = _where(file, row, field, "ไฟล์", "แถว", "ช่อง")
        where_en = _where(file, row, field, "file", "row", "field")
        full_th = f"{where_th}{message_th}" + (f" — วิธีแก้: {fix_th}" if fix_th else "")
        full_en = f"{where_en}{message_en}" + (f" — fix: {fix_en}" if fix_en else "")
        super().__init__(full_th, full_en)
        self.file, self.row, self.field = file, row, field
        self.fix_th, self.fix_en = fix_th, fix_en


def _where(file: str | None, row: int | None, field: str | None, *words: str) -> str:
    parts = [
        f"{word} {value}"
        for word, value in zip(words, (file, row, field), strict=True)
        if value is not None
    ]
    return (", ".join(parts) + ": ") if parts else ""


class StoreError(LandmapError):
    """The store cannot be opened, or a request to it names something it does not hold."""


@dataclass(frozen=True)
class Conflict:
    """One feature that changed since the caller read it: what they sent and what is stored."""

    layer: str
    uid: str
    expected_version: int | None
    current_version: int | None
    mine: Mapping[str, Any]
    theirs: Mapping[str, Any] | None


class ConflictError(StoreError):
    """An update was refused because a feature changed meanwhile; carries both sides of each."""

    def __init__(self, conflicts: Sequence[Conflict]) -> None:
        self.conflicts = tuple(conflicts)
        listing = ", ".join(
            f"{c.layer}/{c.uid} (v{c.expected_version} → v{c.current_version})"
            for c in self.conflicts
        )
        super().__init__(
            f"มีผู้อื่นแก้ไขข้อมูลนี้ไปก่อนแล้ว จึงยังไม่บันทึก: {listing} — "
            "โปรดเปิดดูทั้งสองฉบับแล้วเลือกฉบับที่จะเก็บ ไม่มีข้อมูลใดสูญหาย",
            f"Someone else changed this since you opened it, so nothing was saved: {listing} — "
            "compare both versions and choose which to keep; nothing has been lost",
        )
