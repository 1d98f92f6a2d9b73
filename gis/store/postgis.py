"""The shared PostGIS store: the same protocol and the same write path as the GeoPackage.

Plain PostGIS SQL, keyed by area codes (``village_code`` indexed), so the same schema runs on a
distributed PostgreSQL (Citus sharded by province code) or behind read replicas later.
Optimistic locking is enforced with ``SELECT … FOR UPDATE`` inside the write transaction: of two
writers that read the same version, the second waits, then sees the new version and conflicts.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import psycopg
import shapely
from psycopg.types.json import Jsonb
from shapely.geometry.base import BaseGeometry

from gis.errors import StoreError
from gis.store import attachments_sql
from gis.store.accounts_sql import (
    ACCOUNT_COLUMNS,
    ACCOUNTS_TABLE,
    AUDIT_COLUMNS,
    AUDIT_TABLE,
    column_ddl,
)
from gis.store.attachments_sql import ATTACHMENT_INDEXES, ATTACHMENTS_TABLE
from gis.store.base import SqlStore
from gis.store.conflicts_sql import CONFLICT_COLUMNS, CONFLICT_INDEXES, CONFLICTS_TABLE
from gis.store.protocol import BBox
from gis.store.rules_sql import RULES_TABLE, rules_column_ddl
from gis.store.states import HISTORY_TABLE
from layers.schema import DType, LayerSpec

_SQL_TYPES = {
    DType.STR: "text", DType.INT: "bigint", DType.FLOAT: "double precision",
    DType.BOOL: "boolean", DType.DATE: "date", DType.DATETIME: "timestamptz",
    DType.JSON: "jsonb",
}
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def split_schema(url: str) -> tuple[str, str]:
    """Take Landmap's own ``schema=`` query parameter out of a libpq URL."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    schema = next((v for k, v in query if k == "schema"), "public")
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    return urlunsplit(parts._replace(query=rest)), schema


class PostgisStore(SqlStore):
    """Layers as tables of one PostgreSQL schema (``?schema=name`` in the URL, default public)."""

    backend = "postgis"
    placeholder = "%s"

    def __init__(self, url: str, *, schema: str | None = None, specs: Any = None) -> None:
        super().__init__(specs)
        conninfo, url_schema = split_schema(url)
        self.schema = schema or url_schema
        if not _SCHEMA_NAME.match(self.schema):
            raise StoreError(
                f"ชื่อ schema {self.schema!r} ใช้ไม่ได้",
                f"invalid schema name {self.schema!r}: use lower-case letters, digits, _",
            )
        try:
            self._conn = psycopg.connect(conninfo, autocommit=True, application_name="landmap")
        except psycopg.Error as exc:
            raise StoreError(
                "เชื่อมต่อฐานข้อมูล PostGIS ไม่ได้ — ตรวจที่อยู่ ผู้ใช้ และรหัสผ่าน",
                f"cannot connect to PostGIS ({exc.__class__.__name__}): check host, user, "
                "password and database in the URL",
            ) from exc
        self._lock = threading.RLock()
        self._ensure_schema()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # ------------------------------------------------------------------------ dialect
    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Cursor[Any]]:
        with self._lock, self._conn.transaction(), self._conn.cursor() as cur:
            yield cur

    @contextmanager
    def _reading(self) -> Iterator[psycopg.Cursor[Any]]:
        with self._lock, self._conn.cursor() as cur:
            yield cur

    def _table(self, name: str) -> str:
        return f'"{self.schema}"."{name}"'

    def _geom_param_sql(self) -> str:
        return "ST_GeomFromWKB(%s, 4326)"

    def _geom_to_db(self, geom: BaseGeometry | None) -> Any:
        return None if geom is None else shapely.to_wkb(geom, flavor="iso", output_dimension=2)

    def _geom_select_sql(self) -> str:
        return 'ST_AsBinary("geom")'

    def _geoms_from_db(self, values: Sequence[Any]) -> np.ndarray[Any, Any]:
        arr = np.array([None if v is None else bytes(v) for v in values], dtype=object)
        return shapely.from_wkb(arr)  # type: ignore[no-any-return]

    def _value_to_db(self, dtype: DType, value: Any) -> Any:
        if value is not None and dtype is DType.JSON:
            return Jsonb(value)
        return value

    def _value_from_db(self, dtype: DType, value: Any) -> Any:
        return value

    def _json_to_db(self, obj: Any) -> Any:
        return Jsonb(obj)

    def _json_text_to_db(self, text: str) -> Any:
        return Jsonb(text, dumps=_as_is)

    def _geoms_to_db(self, geoms: np.ndarray[Any, Any],
                     wkb: Sequence[bytes | None]) -> list[Any]:
        return list(wkb)

    def _json_from_db(self, value: Any) -> Any:
        return value

    def _bbox_sql(self, spec: LayerSpec, bbox: BBox) -> tuple[str, list[Any]]:
        return '"geom" && ST_MakeEnvelope(%s, %s, %s, %s, 4326)', list(bbox)

    def _lock_sql(self) -> str:
        return " FOR UPDATE"

    def _is_unique_violation(self, exc: BaseException) -> bool:
        return isinstance(exc, psycopg.errors.UniqueViolation)

    # ------------------------------------------------------------------------ schema
    def _ensure_schema(self) -> None:
        with self._transaction() as cur:
            # Serialise schema creation between processes opening the same database at once.
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"landmap:{self.schema}"])
            cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
            if cur.fetchone() is None:
                try:
                    cur.execute("CREATE EXTENSION postgis")
                except psycopg.Error as exc:
                    raise StoreError(
                        "ฐานข้อมูลนี้ยังไม่มี PostGIS และสร้างเองไม่ได้",
                        "this database has no PostGIS extension and it could not be created: "
                        "run CREATE EXTENSION postgis as a superuser",
                    ) from exc
            cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            for spec in self._specs.values():
                self._ensure_layer(cur, spec)
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self._table(HISTORY_TABLE)} ("
                "id bigserial PRIMARY KEY, layer text NOT NULL, uid text NOT NULL, "
                "version integer NOT NULL, op text NOT NULL, changed_at timestamptz NOT NULL, "
                "changed_by text NOT NULL, change_set text NOT NULL, before jsonb, "
                "after jsonb NOT NULL, UNIQUE (layer, uid, version))"
            )
            cur.execute(
                f'CREATE INDEX IF NOT EXISTS "{HISTORY_TABLE}_change_set" '
                f"ON {self._table(HISTORY_TABLE)} (change_set)"
            )
            self._ensure_accounts(cur)
            self._ensure_conflicts(cur)
            self._ensure_attachments(cur)
            self._ensure_priority_rules(cur)

    def _ensure_accounts(self, cur: psycopg.Cursor[Any]) -> None:
        """The account and audit tables; stores made before they existed get them on open."""
        accounts = ['"username" text PRIMARY KEY', *column_ddl(ACCOUNT_COLUMNS, _SQL_TYPES)]
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {self._table(ACCOUNTS_TABLE)} ({', '.join(accounts)})"
        )
        audit = ['"id" bigserial PRIMARY KEY', *column_ddl(AUDIT_COLUMNS, _SQL_TYPES)]
        cur.execute(f"CREATE TABLE IF NOT EXISTS {self._table(AUDIT_TABLE)} ({', '.join(audit)})")
        for column in ("username", "action"):
            cur.execute(
                f'CREATE INDEX IF NOT EXISTS "{AUDIT_TABLE}_{column}" '
                f'ON {self._table(AUDIT_TABLE)} ("{column}")'
            )

    def _ensure_conflicts(self, cur: psycopg.Cursor[Any]) -> None:
        """The conflict queue; stores made before it existed get it on open."""
        cols = ['"id" bigserial PRIMARY KEY', *column_ddl(CONFLICT_COLUMNS, _SQL_TYPES)]
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {self._table(CONFLICTS_TABLE)} ({', '.join(cols)})"
        )
        for suffix, columns in CONFLICT_INDEXES.items():
            names = ", ".join(f'"{c}"' for c in columns)
            cur.execute(f'CREATE INDEX IF NOT EXISTS "{CONFLICTS_TABLE}_{suffix}" '
                        f"ON {self._table(CONFLICTS_TABLE)} ({names})")

    def _ensure_attachments(self, cur: psycopg.Cursor[Any]) -> None:
        """Files attached to features; stores made before they existed get the table on open."""
        cols = ['"id" bigserial PRIMARY KEY', *attachments_sql.column_ddl(_SQL_TYPES, "bytea")]
        table = self._table(ATTACHMENTS_TABLE)
        cur.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(cols)})")
        for suffix, columns in ATTACHMENT_INDEXES.items():
            names = ", ".join(f'"{c}"' for c in columns)
            cur.execute(f'CREATE INDEX IF NOT EXISTS "{ATTACHMENTS_TABLE}_{suffix}" '
                        f"ON {table} ({names})")

    def _ensure_priority_rules(self, cur: psycopg.Cursor[Any]) -> None:
        """Every version of the priority rules; stores made before it get the table on open."""
        cols = ['"id" bigserial PRIMARY KEY', *rules_column_ddl(_SQL_TYPES)]
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {self._table(RULES_TABLE)} ({', '.join(cols)})"
        )

    def _ensure_layer(self, cur: psycopg.Cursor[Any], spec: LayerSpec) -> None:
        table = self._table(spec.name)
        geom = f', "geom" geometry({spec.geometry}, 4326)' if spec.geometry else ""
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {table} ("
            '"fid" bigserial PRIMARY KEY, "uid" text NOT NULL UNIQUE, '
            '"version" integer NOT NULL, "updated_at" timestamptz NOT NULL, '
            '"updated_by" text NOT NULL, "deleted" boolean NOT NULL DEFAULT false'
            f"{geom})"
        )
        for fld in spec.fields:
            cur.execute(
                f'ALTER TABLE {table} ADD COLUMN IF NOT EXISTS "{fld.name}" '
                f"{_SQL_TYPES[fld.dtype]}"
            )
        if spec.geometry:
            cur.execute(
                f'CREATE INDEX IF NOT EXISTS "{spec.name}_geom_gist" ON {table} USING gist (geom)'
            )
        if "village_code" in spec.field_names:
            cur.execute(
                f'CREATE INDEX IF NOT EXISTS "{spec.name}_village_code" '
                f'ON {table} ("village_code")'
            )


def _as_is(text: str) -> str:
    """Jsonb's serialiser for JSON text that is already serialised."""
    return text
