"""Files attached to plots and households: scanned land documents, letters, photos.

They are kept in the store (``landmap_attachments``; GeoPackage ``BLOB``, PostGIS ``bytea``), so a
store file or database holds the evidence with the map, and every addition and removal is in the
audit log (same transaction). What a file *is* is decided by its first bytes, never by its name:
only PDF, JPEG and PNG are accepted, up to ``MAX_BYTES``. A name whose extension contradicts the
content is refused; a name without a known extension gets the right one.

Attachments are personal data (``ATTACHMENT_PRIVACY``): a land document names its holder, a
photo shows a family's house. They never go into exports, and ``may_see_attachments`` is what
a page asks before listing them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Final

from gis.errors import InputError, StoreError
from gis.privacy import Audience, scope_of
from gis.store.protocol import Attachment, AuditEvent, Store
from layers import LAYERS
from layers.schema import PrivacyClass

MAX_BYTES: Final = 20 * 1024 * 1024  # a phone photo or a scanned deed; not a video
MAX_NOTE: Final = 2000
MAX_FILENAME: Final = 200
ATTACHABLE_LAYERS: Final = ("plots", "households")
ATTACHMENT_PRIVACY: Final = PrivacyClass.PERSONAL
# media type → (magic bytes at the start, extensions in order of preference)
MEDIA_TYPES: Final[dict[str, tuple[bytes, tuple[str, ...]]]] = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg", ".jpe")),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def media_type_of(data: bytes) -> str | None:
    """The media type of ``data`` from its first bytes: PDF, JPEG or PNG, else None."""
    for media_type, (magic, _) in MEDIA_TYPES.items():
        if data.startswith(magic):
            return media_type
    return None


def add_attachment(store: Store, *, layer: str, uid: str, filename: str, data: bytes,
                   note: str = "", user: str) -> Attachment:
    """Attach a PDF, JPEG or PNG file to feature ``uid`` of ``layer`` (plots or households).

    Parameters
    ----------
    store
        Where the feature and the file are kept.
    layer, uid
        The feature; it must exist and not be deleted.
    filename
        The name the file came with; folders and control characters are dropped.
    data
        The file's bytes, at most ``MAX_BYTES``.
    note
        What the file is (e.g. "โฉนดหน้า 1"), at most ``MAX_NOTE`` characters.
    user
        Who attaches it, for the audit log.

    Returns
    -------
    Attachment
        Its description (id, media type, size, SHA-256 …), written with its audit entry in
        one transaction.

    Raises
    ------
    InputError
        Another layer, an empty, too large or unrecognised file (not PDF/JPEG/PNG), a name
        whose extension contradicts the content, or an unknown or deleted feature — in Thai
        and English, and nothing is written.
    """
    _check_layer(layer)
    name = clean_filename(filename)
    if not data:
        raise InputError("ไฟล์ว่างเปล่า", "the file is empty", file=name)
    if len(data) > MAX_BYTES:
        raise InputError(
            f"ไฟล์ใหญ่เกินไป ({_mb(len(data))} MB; รับได้ไม่เกิน {_mb(MAX_BYTES)} MB)",
            f"the file is too large ({_mb(len(data))} MB; at most {_mb(MAX_BYTES)} MB)",
            file=name, fix_th="ลดขนาดภาพหรือสแกนใหม่ที่ความละเอียดต่ำลง",
            fix_en="shrink the photo, or scan at a lower resolution")
    media_type = media_type_of(bytes(data[:16]))
    if media_type is None:
        raise InputError(
            "ไฟล์นี้ไม่ใช่ PDF, JPEG หรือ PNG (ดูจากเนื้อไฟล์ ไม่ใช่จากชื่อ)",
            "this file is not a PDF, JPEG or PNG (judged by its content, not its name)",
            file=name, fix_th="บันทึกเป็น PDF, JPEG หรือ PNG แล้วแนบใหม่",
            fix_en="save it as PDF, JPEG or PNG and attach it again")
    name = _with_extension(name, media_type)
    if len(note) > MAX_NOTE:
        raise InputError(f"หมายเหตุยาวเกิน {MAX_NOTE:,} ตัวอักษร",
                         f"the note is longer than {MAX_NOTE:,} characters", field="note")
    try:
        return store.add_attachment(layer, uid, filename=name, media_type=media_type,
                                    data=bytes(data), note=note.strip(), user=user)
    except StoreError as exc:
        raise InputError(exc.message_th, exc.message_en, file=name, field="uid") from exc


def list_attachments(store: Store, *, layer: str | None = None,
                     uids: Iterable[str] | None = None) -> list[Attachment]:
    """The attachments of ``layer`` and/or the features ``uids`` (every one when both are None),
    oldest first, without their bytes."""
    if layer is not None:
        _check_layer(layer)
    return store.list_attachments(layer=layer, uids=uids)


def read_attachment(store: Store, attachment_id: int) -> bytes:
    """The bytes of one attachment, checked against the SHA-256 recorded when it was added.

    Raises ``StoreError`` when there is no such attachment or its bytes have changed.
    """
    attachment = store.get_attachment(attachment_id)
    if attachment is None:
        raise StoreError(f"ไม่พบไฟล์แนบหมายเลข {attachment_id}",
                         f"no attachment with id {attachment_id}")
    data = store.read_attachment(attachment_id)
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise StoreError(f"ไฟล์แนบหมายเลข {attachment_id} เสียหาย (ค่าตรวจสอบไม่ตรง)",
                         f"attachment {attachment_id} is damaged (its checksum differs)")
    return data


def download_attachment(store: Store, attachment_id: int, *, audience: Audience) -> bytes:
    """The bytes of one attachment for ``audience``, and the download in the audit log.

    Raises ``InputError`` when the audience may not see the attachments of its feature
    (``may_see_attachments``) and ``StoreError`` when there is no such attachment.
    """
    attachment = store.get_attachment(attachment_id)
    if attachment is None:
        raise StoreError(f"ไม่พบไฟล์แนบหมายเลข {attachment_id}",
                         f"no attachment with id {attachment_id}")
    if not may_see_attachments(store, audience, layer=attachment.layer,
                               uid=attachment.feature_uid):
        raise InputError("บทบาทหรือพื้นที่ของคุณไม่ครอบคลุมไฟล์แนบนี้ (ข้อมูลส่วนบุคคล)",
                         "your role or areas do not include this attached file (personal data)",
                         field="attachment")
    data = read_attachment(store, attachment_id)
    store.append_audit(AuditEvent(audience.username, "download",
                                  f"{attachment.layer}/{attachment.feature_uid}", {
        "what": "attachment", "attachment": attachment.id, "filename": attachment.filename,
        "media_type": attachment.media_type, "size": attachment.size,
        "role": audience.role.value, "areas": sorted(audience.areas)}))
    return data


def remove_attachment(store: Store, attachment_id: int, *, user: str) -> Attachment:
    """Delete one attachment, bytes and all (the audit entry keeps its name, size and SHA-256);
    returns what was removed. ``StoreError`` when there is no such attachment."""
    return store.remove_attachment(int(attachment_id), user=user)


def may_see_attachments(store: Store, audience: Audience, *, layer: str, uid: str) -> bool:
    """Whether ``audience`` may list and open the attachments of ``layer/uid``: a role that
    sees personal data, and the feature inside its areas."""
    if layer not in ATTACHABLE_LAYERS or not audience.may_see(ATTACHMENT_PRIVACY):
        return False
    if audience.everywhere:
        return True
    feature = store.get(layer, uid)
    area = LAYERS[layer].area_field
    if feature is None or area is None:
        return False
    return scope_of(store, audience).contains(feature.get(area))


def clean_filename(filename: str) -> str:
    """The last part of a path, NFC, without control characters, at most ``MAX_FILENAME``
    characters (keeping the extension); ``attachment`` when nothing is left."""
    text = unicodedata.normalize("NFC", str(filename)).replace("\\", "/")
    text = _CONTROL.sub("", text.rsplit("/", 1)[-1]).strip().strip(".")
    if len(text) > MAX_FILENAME:
        suffix = PurePosixPath(text).suffix[:10]
        text = text[:MAX_FILENAME - len(suffix)] + suffix
    return text or "attachment"


def _with_extension(name: str, media_type: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    wanted = MEDIA_TYPES[media_type][1]
    if suffix in wanted:
        return name
    if suffix in {ext for _, exts in MEDIA_TYPES.values() for ext in exts}:
        kind = media_type.split("/")[1].upper()
        raise InputError(
            f"ชื่อไฟล์ลงท้ายด้วย {suffix} แต่เนื้อไฟล์เป็น {kind}",
            f"the name ends in {suffix} but the content is {kind}", file=name,
            fix_th=f"เปลี่ยนชื่อไฟล์ให้ลงท้ายด้วย {wanted[0]}",
            fix_en=f"rename the file to end in {wanted[0]}")
    return name + wanted[0]


def _check_layer(layer: str) -> None:
    if layer not in ATTACHABLE_LAYERS:
        allowed = ", ".join(ATTACHABLE_LAYERS)
        raise InputError(f"แนบไฟล์ได้เฉพาะชั้นข้อมูล {allowed} (ได้รับ {layer!r})",
                         f"files can only be attached to {allowed} (got {layer!r})",
                         field="layer")


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f}"


__all__ = [
    "ATTACHABLE_LAYERS", "ATTACHMENT_PRIVACY", "MAX_BYTES", "MEDIA_TYPES", "Attachment",
    "add_attachment", "clean_filename", "download_attachment", "list_attachments",
    "may_see_attachments",
    "media_type_of", "read_attachment", "remove_attachment",
]
