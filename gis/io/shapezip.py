"""Finding shapefile layers (and CSV tables) in an uploaded zip: folders, macOS junk, Thai
entry names.

Zip entries without the UTF-8 flag are decoded by Python as cp437, but Thai Windows zip tools
write cp874 and some others UTF-8 without the flag: the raw name bytes are recovered and their
encoding detected like any other Thai text.
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib

from gis.io import encoding
from gis.io.model import Issue, Severity, issue

PARTS = ("shp", "shx", "dbf", "prj", "cpg")
TABLES = ("csv",)  # ODK Central's "All data" export: Form.csv, Form-repeat.csv, media/
MAX_UNCOMPRESSED_BYTES = 2 * 1024**3  # shapefile parts unpacked from one zip (zip bombs)
_UTF8_NAME_FLAG = 0x800  # zip general-purpose bit 11: the entry name is UTF-8


class TooLarge(Exception):
    """The parts to unpack add up to more than ``MAX_UNCOMPRESSED_BYTES``."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


# What a corrupt, truncated or hostile zip raises while it is listed or unpacked.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
              RuntimeError, ValueError, struct.error, TooLarge)


def zip_issue(exc: BaseException, filename: str) -> Issue:
    """The file-level error for a zip that raised one of ``ZIP_ERRORS``."""
    if isinstance(exc, TooLarge):
        return issue(
            "zip_too_large", Severity.ERROR,
            f"ไฟล์ใน zip รวมกัน {exc.size:,} ไบต์ เกินขีดจำกัด {MAX_UNCOMPRESSED_BYTES:,} ไบต์",
            f"the files in the zip add up to {exc.size:,} bytes, over the "
            f"{MAX_UNCOMPRESSED_BYTES:,}-byte limit",
            fix_th="แบ่งข้อมูลเป็นหลาย zip", fix_en="split the data into several zips",
            file=filename)
    return issue(
        "bad_zip", Severity.ERROR,
        f"เปิดไฟล์ zip ไม่ได้ (ไฟล์เสียหรือไม่ครบ): {exc}",
        f"cannot open the zip file (corrupt or incomplete): {exc}",
        fix_th="บีบอัดไฟล์ใหม่แล้วอัปโหลดอีกครั้ง",
        fix_en="zip the files again and upload the new zip", file=filename)


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's real name: without the UTF-8 flag, zipfile decodes it as cp437, but Thai
    Windows tools write cp874 and others UTF-8 without setting the flag. A name that reads as
    neither (``Café`` from a Western DOS tool) stays cp437, as the zip format says."""
    if info.flag_bits & _UTF8_NAME_FLAG or info.filename.isascii():
        return info.filename
    raw = info.filename.encode("cp437")
    guess = encoding.detect([raw]).encoding
    try:
        text = raw.decode(guess)
    except UnicodeDecodeError:
        return info.filename
    if guess == "cp874" and not any(ord(c) in encoding.THAI for c in text):
        return info.filename
    return text


def layers_in_zip(data: bytes) -> dict[str, dict[str, bytes]]:
    """The parts of each shapefile layer in a zip, keyed by layer name (the ``.shp`` stem, or
    ``folder/stem`` when stems repeat), each a mapping of lowercase extension to bytes.

    Raises ``zipfile.BadZipFile`` and the other errors of a corrupt zip, and ``TooLarge``;
    ``read_zip`` turns them into issues.
    """
    found: dict[tuple[str, str], dict[str, bytes]] = {}
    stems: dict[tuple[str, str], str] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        wanted: list[tuple[zipfile.ZipInfo, str, str, str]] = []
        for info, name in entries(archive):
            folder, base = posixpath.split(name)
            stem, _, ext = base.rpartition(".")
            if stem and ext.lower() in PARTS:
                wanted.append((info, folder, stem, ext.lower()))
        size = sum(info.file_size for info, *_ in wanted)
        if size > MAX_UNCOMPRESSED_BYTES:
            raise TooLarge(size)
        for info, folder, stem, ext in wanted:
            key = (folder.casefold(), stem.casefold())
            stems.setdefault(key, stem)
            found.setdefault(key, {})[ext] = archive.read(info)
    layers = {key: parts for key, parts in found.items() if "shp" in parts or "dbf" in parts}
    counts: dict[str, int] = {}
    for _, stem in layers:
        counts[stem] = counts.get(stem, 0) + 1
    out: dict[str, dict[str, bytes]] = {}
    for (folder, stem_key), parts in sorted(layers.items()):
        stem = stems[(folder, stem_key)]
        out[stem if counts[stem_key] == 1 else f"{folder}/{stem}"] = parts
    return out


def entries(archive: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, str]]:
    """The files of ``archive`` with their real names, without folders and macOS junk."""
    out = []
    for info in archive.infolist():
        name = _entry_name(info).replace("\\", "/")
        folder, base = posixpath.split(name)
        if info.is_dir() or base.startswith("._") or "__MACOSX" in folder.split("/"):
            continue
        out.append((info, name))
    return out


def tables_in_zip(data: bytes) -> dict[str, bytes]:
    """The CSV files of a zip, keyed by their path in the zip, in zip order.

    Raises like ``layers_in_zip``."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        wanted = [(info, name) for info, name in entries(archive)
                  if name.rpartition(".")[2].lower() in TABLES]
        size = sum(info.file_size for info, _ in wanted)
        if size > MAX_UNCOMPRESSED_BYTES:
            raise TooLarge(size)
        return {name: archive.read(info) for info, name in wanted}
