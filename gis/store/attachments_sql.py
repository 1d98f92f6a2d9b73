"""Files attached to features (land documents, letters, photos), kept in the store itself: the
SQL both backends share.

``landmap_attachments`` holds one row per file: the feature it belongs to (layer and uid), the
file name, media type, size and SHA-256 computed here from the bytes, a note, who added it and
when, and the bytes themselves (GeoPackage ``BLOB``, PostGIS ``bytea``) as the *last* column, so
that listing reads only the small columns before it. Adding and removing each write their audit
entry in the same transaction. Removal really deletes the bytes (they are personal data; the
audit entry keeps the name, size and checksum of what was removed), and in a GeoPackage the
freed pages are zeroed (``PRAGMA secure_delete``), since the file itself is what gets copied and
handed around.

What may be attached (media types, size, layers) is decided by ``gis.attachments``; this module
only checks that the feature exists and is not deleted, under the write lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any, cast

from gis.errors import InputError, StoreError
from gis.store import accounts_sql
from gis.store.codec import utc_now
from gis.store.protocol import Attachment, AuditEvent
from layers.schema import DType

if TYPE_CHECKING:
    from gis.store.base import SqlStore

ATTACHMENTS_TABLE = "landmap_attachments"
# (column, dtype, NOT NULL) after the autoincrement key ``id`` and before the bytes (``content``,
# whose SQL type each backend names); the order is the SELECT order.
ATTACHMENT_COLUMNS: tuple[tuple[str, DType, bool], ...] = (
    ("layer", DType.STR, True),
    ("feature_uid", DType.STR, True),
    ("filename", DType.STR, True),
    ("media_type", DType.STR, True),
    ("size", DType.INT, True),
    ("sha256", DType.STR, True),
    ("note", DType.STR, True),
    ("added_by", DType.STR, True),
    ("added_at", DType.DATETIME, True),
)
CONTENT_COLUMN = "content"
ATTACHMENT_INDEXES: Mapping[str, tuple[str, ...]] = {"feature": ("layer", "feature_uid")}
_NAMES = ("id", *(c for c, _, _ in ATTACHMENT_COLUMNS))
_CHUNK = 500


class AttachmentMethods:
    """The attachment part of the ``Store`` protocol, mixed into ``SqlStore``."""

    def add_attachment(self, layer: str, uid: str, *, filename: str, media_type: str,
                       data: bytes, note: str, user: str) -> Attachment:
        """Keep ``data`` attached to feature ``layer/uid``, with its audit entry, in one
        transaction; ``StoreError`` when the feature does not exist or is deleted."""
        return add(_sql(self), layer, uid, filename=filename, media_type=media_type,
                   data=data, note=note, user=user)

    def list_attachments(self, *, layer: str | None = None,
                         uids: Iterable[str] | None = None) -> list[Attachment]:
        """Attachments (without their bytes), oldest first; ``layer`` and ``uids`` narrow
        them down."""
        return list_(_sql(self), layer=layer, uids=uids)

    def get_attachment(self, attachment_id: int) -> Attachment | None:
        """One attachment's description by id, or None."""
        found = _select(_sql(self), "id", [int(attachment_id)])
        return found[0] if found else None

    def read_attachment(self, attachment_id: int) -> bytes:
        """The bytes of one attachment; ``StoreError`` when there is no such attachment."""
        store = _sql(self)
        with store._reading() as cur:
            cur.execute(f'SELECT "{CONTENT_COLUMN}" FROM {store._table(ATTACHMENTS_TABLE)} '
                        f'WHERE "id" = {store.placeholder}', [int(attachment_id)])
            row = cur.fetchone()
        if row is None:
            raise _no_such(attachment_id)
        return bytes(row[0])

    def remove_attachment(self, attachment_id: int, *, user: str) -> Attachment:
        """Delete one attachment, bytes and all, with its audit entry, in one transaction;
        returns what was removed."""
        return remove(_sql(self), attachment_id, user=user)

    def _erasing(self, cur: Any) -> AbstractContextManager[None]:
        """Backend hook around a removal: overwrite the space the bytes leave (GeoPackage)."""
        return nullcontext()


def _sql(store: AttachmentMethods) -> SqlStore:
    # The mixin only ever lives in SqlStore (base.py), whose dialect hooks the SQL below uses.
    return cast("SqlStore", store)


def column_ddl(types: Mapping[DType, str], content_type: str) -> list[str]:
    """Every column but the key, in a backend's SQL types, the bytes last."""
    return [*accounts_sql.column_ddl(ATTACHMENT_COLUMNS, types),
            f'"{CONTENT_COLUMN}" {content_type} NOT NULL']


# ------------------------------------------------------------------------------ writes
def add(store: SqlStore, layer: str, uid: str, *, filename: str, media_type: str, data: bytes,
        note: str, user: str) -> Attachment:
    if not user:
        raise InputError("ต้องระบุผู้เพิ่มไฟล์", "attaching a file needs the name of the user")
    spec = store.spec(layer)
    blob = bytes(data)
    now = utc_now()
    row: dict[str, Any] = {
        "layer": spec.name, "feature_uid": str(uid), "filename": filename,
        "media_type": media_type, "size": len(blob), "sha256": hashlib.sha256(blob).hexdigest(),
        "note": note, "added_by": user, "added_at": now,
    }
    names = ", ".join(f'"{c}"' for c in (*(c for c, _, _ in ATTACHMENT_COLUMNS), CONTENT_COLUMN))
    marks = ", ".join([store.placeholder] * (len(ATTACHMENT_COLUMNS) + 1))
    with store._transaction() as cur:
        # Locked, so that the feature cannot be deleted between this check and the commit.
        current = store._current(cur, spec, [str(uid)], lock=True).get(str(uid))
        if current is None or current["deleted"]:
            raise StoreError(f"ไม่พบข้อมูล {spec.name}/{uid} ที่จะแนบไฟล์",
                             f"no {spec.name} feature {uid} to attach the file to")
        cur.execute(
            f"INSERT INTO {store._table(ATTACHMENTS_TABLE)} ({names}) VALUES ({marks}) "
            'RETURNING "id"',
            [*(store._value_to_db(dtype, row[name]) for name, dtype, _ in ATTACHMENT_COLUMNS),
             blob])
        attachment = Attachment(id=int(cur.fetchone()[0]), **row)
        accounts_sql.insert_audit(store, cur, AuditEvent(
            user, "attachment_added", f"{spec.name}/{uid}", _detail(attachment)), now)
    return attachment


def remove(store: SqlStore, attachment_id: int, *, user: str) -> Attachment:
    if not user:
        raise InputError("ต้องระบุผู้ลบไฟล์", "removing a file needs the name of the user")
    p = store.placeholder
    with store._transaction() as cur:
        cur.execute(f"{_select_sql(store)} WHERE \"id\" = {p}{store._lock_sql()}",
                    [int(attachment_id)])
        row = cur.fetchone()
        if row is None:
            raise _no_such(attachment_id)
        attachment = _attachment_of(store, row)
        with store._erasing(cur):
            cur.execute(f'DELETE FROM {store._table(ATTACHMENTS_TABLE)} WHERE "id" = {p}',
                        [attachment.id])
        accounts_sql.insert_audit(store, cur, AuditEvent(
            user, "attachment_removed", f"{attachment.layer}/{attachment.feature_uid}",
            _detail(attachment)), utc_now())
    return attachment


# ------------------------------------------------------------------------------- reads
def list_(store: SqlStore, *, layer: str | None, uids: Iterable[str] | None
          ) -> list[Attachment]:
    if uids is None:
        if layer is None:
            return _select(store, None, [])
        return _select(store, "layer", [store.spec(layer).name])
    wanted = list(dict.fromkeys(str(u) for u in uids))
    found: list[Attachment] = []
    for start in range(0, len(wanted), _CHUNK):
        found += _select(store, "feature_uid", wanted[start:start + _CHUNK])
    if layer is not None:
        name = store.spec(layer).name
        found = [a for a in found if a.layer == name]
    return sorted(found, key=lambda a: a.id)


def _select(store: SqlStore, column: str | None, values: Sequence[Any]) -> list[Attachment]:
    sql = _select_sql(store)
    if column is not None:
        if not values:
            return []
        sql += f' WHERE "{column}" IN ({", ".join([store.placeholder] * len(values))})'
    with store._reading() as cur:
        cur.execute(sql + ' ORDER BY "id"', list(values))
        rows = cur.fetchall()
    return [_attachment_of(store, r) for r in rows]


def _select_sql(store: SqlStore) -> str:
    names = ", ".join(f'"{n}"' for n in _NAMES)
    return f"SELECT {names} FROM {store._table(ATTACHMENTS_TABLE)}"


def _attachment_of(store: SqlStore, row: Sequence[Any]) -> Attachment:
    values: dict[str, Any] = {"id": int(row[0])}
    for (name, dtype, _), raw in zip(ATTACHMENT_COLUMNS, row[1:], strict=True):
        value = store._value_from_db(dtype, raw)
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC)
        elif dtype is DType.INT:
            value = int(value)
        values[name] = value
    return Attachment(**values)


def _detail(attachment: Attachment) -> dict[str, Any]:
    """What the audit log keeps of an attachment: never its bytes."""
    return {"attachment": attachment.id, "filename": attachment.filename,
            "media_type": attachment.media_type, "size": attachment.size,
            "sha256": attachment.sha256}


def _no_such(attachment_id: int) -> StoreError:
    return StoreError(f"ไม่พบไฟล์แนบหมายเลข {attachment_id}",
                      f"no attachment with id {attachment_id}")
