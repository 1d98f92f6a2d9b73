"""The embedded GeoPackage store: one file that GDAL's validator accepts and QGIS opens.

Written with the standard ``sqlite3`` module rather than through OGR, so that a change is a real
SQLite transaction we control end to end (``BEGIN IMMEDIATE`` … ``COMMIT``), and a crash at any
point leaves the previous state (rollback journal, ``synchronous=FULL``). The GeoPackage R-tree
triggers call ``ST_IsEmpty``/``ST_MinX``…; plain SQLite lacks them, so each connection registers
them (SpatiaLite or GDAL provide the same functions to other programs opening the file).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from gis.errors import StoreError
from gis.store import attachments_sql, rtree_pack
from gis.store.accounts_sql import (
    ACCOUNT_COLUMNS,
    ACCOUNTS_TABLE,
    AUDIT_COLUMNS,
    AUDIT_TABLE,
    column_ddl,
)
from gis.store.attachments_sql import ATTACHMENT_INDEXES, ATTACHMENTS_TABLE
from gis.store.base import SqlStore
from gis.store.codec import (
    gpkg_blob,
    gpkg_blobs,
    gpkg_envelope,
    gpkg_geometries,
    gpkg_is_empty,
    iso_datetime,
    parse_datetime,
    utc_now,
)
from gis.store.conflicts_sql import CONFLICT_COLUMNS, CONFLICT_INDEXES, CONFLICTS_TABLE
from gis.store.protocol import BBox
from gis.store.rules_sql import RULES_TABLE, rules_column_ddl
from gis.store.states import HISTORY_TABLE, dumps
from layers.schema import DType, LayerSpec

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10400  # GeoPackage 1.4
SRS_ID = 4326

_SQL_TYPES = {
    DType.STR: "TEXT", DType.INT: "INTEGER", DType.FLOAT: "REAL", DType.BOOL: "BOOLEAN",
    DType.DATE: "DATE", DType.DATETIME: "DATETIME", DType.JSON: "TEXT",
}

_CORE_DDL = (
    """CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
        srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
        organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
        definition TEXT NOT NULL, description TEXT)""",
    """CREATE TABLE IF NOT EXISTS gpkg_contents (
        table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
        identifier TEXT UNIQUE, description TEXT DEFAULT '',
        last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""",
    """CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
        table_name TEXT NOT NULL, column_name TEXT NOT NULL,
        geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
        z TINYINT NOT NULL, m TINYINT NOT NULL,
        CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
        CONSTRAINT uk_gc_table_name UNIQUE (table_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))""",
    """CREATE TABLE IF NOT EXISTS gpkg_extensions (
        table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
        definition TEXT NOT NULL, scope TEXT NOT NULL,
        CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))""",
)

BULK_RTREE_MIN = 1000  # from this many new features on, the R-tree is filled in bulk
# The R-tree triggers of GeoPackage 1.4 (spec annex "RTree Spatial Indexes").
_RTREE_TRIGGERS = (
    """CREATE TRIGGER "{r}_insert" AFTER INSERT ON "{t}"
       WHEN (new."geom" NOT NULL AND NOT ST_IsEmpty(NEW."geom"))
       BEGIN INSERT OR REPLACE INTO "{r}" VALUES (NEW."fid",
         ST_MinX(NEW."geom"), ST_MaxX(NEW."geom"), ST_MinY(NEW."geom"), ST_MaxY(NEW."geom"));
       END""",
    """CREATE TRIGGER "{r}_update2" AFTER UPDATE OF "geom" ON "{t}"
       WHEN OLD."fid" = NEW."fid" AND (NEW."geom" IS NULL OR ST_IsEmpty(NEW."geom"))
       BEGIN DELETE FROM "{r}" WHERE id = OLD."fid"; END""",
    """CREATE TRIGGER "{r}_update4" AFTER UPDATE ON "{t}"
       WHEN OLD."fid" != NEW."fid" AND (NEW."geom" IS NULL OR ST_IsEmpty(NEW."geom"))
       BEGIN DELETE FROM "{r}" WHERE id IN (OLD."fid", NEW."fid"); END""",
    """CREATE TRIGGER "{r}_update5" AFTER UPDATE ON "{t}"
       WHEN OLD."fid" != NEW."fid" AND (NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom"))
       BEGIN DELETE FROM "{r}" WHERE id = OLD."fid";
         INSERT OR REPLACE INTO "{r}" VALUES (NEW."fid",
         ST_MinX(NEW."geom"), ST_MaxX(NEW."geom"), ST_MinY(NEW."geom"), ST_MaxY(NEW."geom"));
       END""",
    """CREATE TRIGGER "{r}_update6" AFTER UPDATE OF "geom" ON "{t}"
       WHEN OLD."fid" = NEW."fid" AND (NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom"))
         AND (OLD."geom" NOTNULL AND NOT ST_IsEmpty(OLD."geom"))
       BEGIN UPDATE "{r}" SET minx = ST_MinX(NEW."geom"), maxx = ST_MaxX(NEW."geom"),
         miny = ST_MinY(NEW."geom"), maxy = ST_MaxY(NEW."geom") WHERE id = NEW."fid"; END""",
    """CREATE TRIGGER "{r}_update7" AFTER UPDATE OF "geom" ON "{t}"
       WHEN OLD."fid" = NEW."fid" AND (NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom"))
         AND (OLD."geom" ISNULL OR ST_IsEmpty(OLD."geom"))
       BEGIN INSERT INTO "{r}" VALUES (NEW."fid",
         ST_MinX(NEW."geom"), ST_MaxX(NEW."geom"), ST_MinY(NEW."geom"), ST_MaxY(NEW."geom"));
       END""",
    """CREATE TRIGGER "{r}_delete" AFTER DELETE ON "{t}" WHEN old."geom" NOT NULL
       BEGIN DELETE FROM "{r}" WHERE id = OLD."fid"; END""",
)


def _envelope_part(index: int) -> Any:
    def part(blob: bytes | None) -> float | None:
        env = gpkg_envelope(blob)
        return None if env is None else env[index]
    return part


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions the GeoPackage R-tree triggers call."""
    conn.create_function("ST_IsEmpty", 1, gpkg_is_empty, deterministic=True)
    for i, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        conn.create_function(name, 1, _envelope_part(i), deterministic=True)


class GpkgStore(SqlStore):
    """A GeoPackage file; created with every layer's table on first open."""

    backend = "gpkg"
    placeholder = "?"

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True,
                 specs: Any = None) -> None:
        super().__init__(specs)
        self.path = Path(path)
        if not self.path.exists() and not create:
            raise StoreError(f"ไม่พบไฟล์ {self.path}", f"no GeoPackage at {self.path}")
        try:
            self._conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=60, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"เปิดไฟล์ {self.path} ไม่ได้", f"cannot open {self.path}: {exc}") \
                from exc
        self._lock = threading.RLock()
        register_functions(self._conn)
        try:
            self._conn.execute("PRAGMA journal_mode = DELETE")
            self._conn.execute("PRAGMA synchronous = FULL")
            self._ensure_schema()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(
                f"{self.path} ไม่ใช่ไฟล์ GeoPackage หรือไฟล์เสียหาย",
                f"{self.path} is not a GeoPackage or is damaged ({exc})",
            ) from exc
        except StoreError:
            self._conn.close()
            raise

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # ------------------------------------------------------------------------ dialect
    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")  # take the write lock before reading versions
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Cursor]:
        with self._lock:
            yield self._conn.cursor()

    def _table(self, name: str) -> str:
        return f'"{name}"'

    def _geom_param_sql(self) -> str:
        return "?"

    def _geom_to_db(self, geom: BaseGeometry | None) -> Any:
        return gpkg_blob(geom, SRS_ID)

    def _geom_select_sql(self) -> str:
        return '"geom"'

    def _geoms_from_db(self, values: Sequence[Any]) -> np.ndarray[Any, Any]:
        return gpkg_geometries(values)

    def _value_to_db(self, dtype: DType, value: Any) -> Any:
        if value is None:
            return None
        if dtype is DType.BOOL:
            return int(bool(value))
        if dtype is DType.DATE:
            return value.isoformat()
        if dtype is DType.DATETIME:
            return iso_datetime(value)
        if dtype is DType.JSON:
            return dumps(value)
        return value

    def _value_from_db(self, dtype: DType, value: Any) -> Any:
        if value is None:
            return None
        if dtype is DType.BOOL:
            return bool(value)
        if dtype is DType.DATE:
            return dt.date.fromisoformat(value)
        if dtype is DType.DATETIME:
            return parse_datetime(value)
        if dtype is DType.JSON:
            return json.loads(value)
        return value

    def _json_to_db(self, obj: Any) -> Any:
        return dumps(obj)

    def _json_text_to_db(self, text: str) -> Any:
        return text

    def _geoms_to_db(self, geoms: np.ndarray[Any, Any],
                     wkb: Sequence[bytes | None]) -> list[Any]:
        return gpkg_blobs(geoms, wkb, SRS_ID)

    def _json_from_db(self, value: Any) -> Any:
        return json.loads(value)

    def _bbox_sql(self, spec: LayerSpec, bbox: BBox) -> tuple[str, list[Any]]:
        minx, miny, maxx, maxy = bbox
        return (
            f'"fid" IN (SELECT id FROM "rtree_{spec.name}_geom" '
            "WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ?)",
            [minx, maxx, miny, maxy],
        )

    def _lock_sql(self) -> str:
        return ""  # BEGIN IMMEDIATE already holds the database's write lock

    def _is_unique_violation(self, exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)

    def _insert_new(self, cur: Any, spec: LayerSpec, rows: Sequence[Sequence[Any]],
                    geometries: np.ndarray[Any, Any] | None,
                    history: Sequence[Sequence[Any]]) -> None:
        """Many new features: the R-tree insert trigger (four Python envelope calls per row) is
        set aside for the statement and the index filled from the envelopes computed here —
        as GDAL does for bulk loads. Dropping and recreating the trigger happens inside the
        write transaction, so a failure anywhere leaves the trigger (and all else) as it was.
        An empty R-tree is packed in one go (``rtree_pack``); the history rows are copied from
        the inserted rows by SQL."""
        if not spec.geometry or geometries is None or len(rows) < BULK_RTREE_MIN:
            super()._insert_new(cur, spec, rows, geometries, history)
            return
        rtree = f"rtree_{spec.name}_geom"
        trigger = f"{rtree}_insert"
        found = cur.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                            [trigger]).fetchone()
        if found is None:  # not a file this store made: keep to the triggers it has
            super()._insert_new(cur, spec, rows, geometries, history)
            return
        cur.execute(f'DROP TRIGGER "{trigger}"')
        last = cur.execute(
            f'SELECT max(COALESCE((SELECT max("fid") FROM "{spec.name}"), 0), '
            "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0))",
            [spec.name]).fetchone()[0]
        fids = np.arange(last + 1, last + 1 + len(rows))
        sql = self._insert_sql(spec).replace(" (", ' ("fid", ', 1).replace(
            "VALUES (", "VALUES (?, ", 1)
        self._executemany(cur, sql, ((int(fid), *row) for fid, row in
                                     zip(fids, rows, strict=True)))
        # The history rows differ only in their uid, which the rows just inserted hold: one
        # INSERT … SELECT over their fids instead of binding nine values a row from Python.
        layer, _, version, op, when, user, change_set, before, after = history[0]
        self._executemany(
            cur,
            f'INSERT INTO "{HISTORY_TABLE}" (layer, uid, version, op, changed_at, changed_by, '
            f'change_set, before, after) SELECT ?, "uid", ?, ?, ?, ?, ?, ?, ? '
            f'FROM "{spec.name}" WHERE "fid" BETWEEN ? AND ? ORDER BY "fid"',
            [(layer, version, op, when, user, change_set, before, after, int(fids[0]),
              int(fids[-1]))])
        present = np.array([g is not None for g in geometries], dtype=bool)
        present[present] = ~shapely.is_empty(geometries[present])
        bounds = shapely.bounds(geometries[present])
        if rtree_pack.is_empty(cur, rtree):
            # A new layer (a first import): the whole tree packed at once, as GDAL does.
            rtree_pack.bulk_load(cur, rtree, fids[present], bounds)
        else:
            self._executemany(
                cur, f'INSERT INTO "{rtree}" VALUES (?, ?, ?, ?, ?)',
                zip(fids[present].tolist(), bounds[:, 0].tolist(), bounds[:, 2].tolist(),
                    bounds[:, 1].tolist(), bounds[:, 3].tolist(), strict=True))
        cur.execute(found[0])

    def _after_change(self, cur: Any, spec: LayerSpec) -> None:
        now = iso_datetime(utc_now())
        for table in (spec.name, HISTORY_TABLE):
            cur.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?",
                        [now, table])
        if spec.geometry:
            r = f'"rtree_{spec.name}_geom"'
            cur.execute(
                "UPDATE gpkg_contents SET (min_x, min_y, max_x, max_y) = "
                f"(SELECT min(minx), min(miny), max(maxx), max(maxy) FROM {r}) "
                "WHERE table_name = ?",
                [spec.name],
            )

    # ------------------------------------------------------------------------ schema
    def _ensure_schema(self) -> None:
        with self._transaction() as cur:
            app_id = cur.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in cur.execute("SELECT name FROM sqlite_master")}
            if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables):
                raise StoreError(
                    f"{self.path} ไม่ใช่ไฟล์ GeoPackage ของ Landmap",
                    f"{self.path} is not a GeoPackage",
                )
            cur.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            cur.execute(f"PRAGMA user_version = {USER_VERSION}")
            for ddl in _CORE_DDL:
                cur.execute(ddl)
            _ensure_srs(cur)
            for spec in self._specs.values():
                if spec.name in tables:
                    _add_missing_columns(cur, spec)
                else:
                    _create_layer(cur, spec)
            if HISTORY_TABLE not in tables:
                _create_history(cur)
            # Stores made before accounts existed get these tables on their next open.
            if ACCOUNTS_TABLE not in tables:
                _create_accounts(cur)
            if AUDIT_TABLE not in tables:
                _create_audit(cur)
            if CONFLICTS_TABLE not in tables:
                _create_conflicts(cur)
            if ATTACHMENTS_TABLE not in tables:
                _create_attachments(cur)
            if RULES_TABLE not in tables:
                _create_priority_rules(cur)

    @contextmanager
    def _erasing(self, cur: Any) -> Iterator[None]:
        # Removed attachments are personal data, and a GeoPackage is a file that gets copied:
        # zero the pages the bytes leave (many SQLite builds leave them readable by default).
        was = int(cur.execute("PRAGMA secure_delete").fetchone()[0])
        cur.execute("PRAGMA secure_delete = ON")
        try:
            yield
        finally:
            cur.execute(f"PRAGMA secure_delete = {was}")


def _ensure_srs(cur: sqlite3.Cursor) -> None:
    rows = [
        ("Undefined cartesian SRS", -1, "NONE", -1, "undefined",
         "undefined cartesian coordinate reference system"),
        ("Undefined geographic SRS", 0, "NONE", 0, "undefined",
         "undefined geographic coordinate reference system"),
        ("WGS 84 geodetic", SRS_ID, "EPSG", 4326, CRS.from_epsg(4326).to_wkt("WKT1_GDAL"),
         "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"),
    ]
    cur.executemany(
        "INSERT OR IGNORE INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, "
        "organization_coordsys_id, definition, description) VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )


def _field_columns(spec: LayerSpec) -> list[str]:
    return [f'"{f.name}" {_SQL_TYPES[f.dtype]}' for f in spec.fields]


def _create_layer(cur: sqlite3.Cursor, spec: LayerSpec) -> None:
    cols = [
        '"fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL',
        '"uid" TEXT NOT NULL UNIQUE',
        '"version" INTEGER NOT NULL',
        '"updated_at" DATETIME NOT NULL',
        '"updated_by" TEXT NOT NULL',
        '"deleted" BOOLEAN NOT NULL DEFAULT 0',
        *_field_columns(spec),
    ]
    geom_type = spec.geometry.upper() if spec.geometry else None
    if geom_type:
        cols.append(f'"geom" {geom_type}')
    cur.execute(f'CREATE TABLE "{spec.name}" ({", ".join(cols)})')
    if "village_code" in spec.field_names:
        cur.execute(f'CREATE INDEX "{spec.name}_village_code" ON "{spec.name}" ("village_code")')
    cur.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
        "VALUES (?, ?, ?, ?, ?)",
        [spec.name, "features" if geom_type else "attributes", spec.name,
         f"{spec.label_th} / {spec.label_en}", SRS_ID if geom_type else None],
    )
    if not geom_type:
        return
    cur.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)",
        [spec.name, geom_type, SRS_ID],
    )
    rtree = f"rtree_{spec.name}_geom"
    cur.execute(f'CREATE VIRTUAL TABLE "{rtree}" USING rtree(id, minx, maxx, miny, maxy)')
    for trigger in _RTREE_TRIGGERS:
        cur.execute(trigger.format(r=rtree, t=spec.name))
    cur.execute(
        "INSERT INTO gpkg_extensions VALUES (?, 'geom', 'gpkg_rtree_index', "
        "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
        [spec.name],
    )


def _add_missing_columns(cur: sqlite3.Cursor, spec: LayerSpec) -> None:
    """A layer that gained fields since the file was made gets the new columns (all nullable)."""
    have = {r[1] for r in cur.execute(f'PRAGMA table_info("{spec.name}")')}
    for fld, ddl in zip(spec.fields, _field_columns(spec), strict=True):
        if fld.name not in have:
            cur.execute(f'ALTER TABLE "{spec.name}" ADD COLUMN {ddl}')


def _create_history(cur: sqlite3.Cursor) -> None:
    cur.execute(
        f'CREATE TABLE "{HISTORY_TABLE}" ('
        '"id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "layer" TEXT NOT NULL, '
        '"uid" TEXT NOT NULL, "version" INTEGER NOT NULL, "op" TEXT NOT NULL, '
        '"changed_at" DATETIME NOT NULL, "changed_by" TEXT NOT NULL, '
        '"change_set" TEXT NOT NULL, "before" TEXT, "after" TEXT NOT NULL, '
        'UNIQUE ("layer", "uid", "version"))'
    )
    cur.execute(f'CREATE INDEX "{HISTORY_TABLE}_change_set" ON "{HISTORY_TABLE}" ("change_set")')
    cur.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
        "VALUES (?, 'attributes', ?, ?)",
        [HISTORY_TABLE, HISTORY_TABLE, "ประวัติการแก้ไขทุกฉบับ / Every version of every feature"],
    )


def _create_accounts(cur: sqlite3.Cursor) -> None:
    # A GeoPackage attribute table needs an INTEGER PRIMARY KEY (requirement 119), so the
    # username is UNIQUE here rather than the key it is in PostGIS.
    cols = ['"id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL', '"username" TEXT NOT NULL UNIQUE',
            *column_ddl(ACCOUNT_COLUMNS, _SQL_TYPES)]
    cur.execute(f'CREATE TABLE "{ACCOUNTS_TABLE}" ({", ".join(cols)})')
    _register_attributes(cur, ACCOUNTS_TABLE,
                         "ผู้ใช้ระบบ (เก็บเฉพาะค่าแฮชของรหัสผ่าน) / "
                         "Users (password hashes only, never passwords)")


def _create_audit(cur: sqlite3.Cursor) -> None:
    cols = ['"id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL',
            *column_ddl(AUDIT_COLUMNS, _SQL_TYPES)]
    cur.execute(f'CREATE TABLE "{AUDIT_TABLE}" ({", ".join(cols)})')
    for column in ("username", "action"):
        cur.execute(f'CREATE INDEX "{AUDIT_TABLE}_{column}" ON "{AUDIT_TABLE}" ("{column}")')
    _register_attributes(cur, AUDIT_TABLE, "บันทึกการใช้งาน / Audit log")


def _create_conflicts(cur: sqlite3.Cursor) -> None:
    cols = ['"id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL',
            *column_ddl(CONFLICT_COLUMNS, _SQL_TYPES)]
    cur.execute(f'CREATE TABLE "{CONFLICTS_TABLE}" ({", ".join(cols)})')
    for suffix, columns in CONFLICT_INDEXES.items():
        names = ", ".join(f'"{c}"' for c in columns)
        cur.execute(f'CREATE INDEX "{CONFLICTS_TABLE}_{suffix}" ON "{CONFLICTS_TABLE}" ({names})')
    _register_attributes(cur, CONFLICTS_TABLE,
                         "การแก้ไขที่ชนกันรอการตัดสิน / Conflicting edits and how they were "
                         "resolved")


def _create_attachments(cur: sqlite3.Cursor) -> None:
    cols = ['"id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL',
            *attachments_sql.column_ddl(_SQL_TYPES, "BLOB")]
    cur.execute(f'CREATE TABLE "{ATTACHMENTS_TABLE}" ({", ".join(cols)})')
    for suffix, columns in ATTACHMENT_INDEXES.items():
        names = ", ".join(f'"{c}"' for c in columns)
        cur.execute(
            f'CREATE INDEX "{ATTACHMENTS_TABLE}_{suffix}" ON "{ATTACHMENTS_TABLE}" ({names})')
    _register_attributes(cur, ATTACHMENTS_TABLE,
                         "ไฟล์แนบ (เอกสารสิทธิ์ หนังสือ ภาพถ่าย) เป็นข้อมูลส่วนบุคคล / Attached files "
                         "(land documents, letters, photos): personal data")


def _create_priority_rules(cur: sqlite3.Cursor) -> None:
    cols = ['"id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL', *rules_column_ddl(_SQL_TYPES)]
    cur.execute(f'CREATE TABLE "{RULES_TABLE}" ({", ".join(cols)})')
    _register_attributes(cur, RULES_TABLE,
                         "เกณฑ์คะแนนความจำเป็นทุกฉบับ / Every version of the priority scoring "
                         "rules")


def _register_attributes(cur: sqlite3.Cursor, table: str, description: str) -> None:
    cur.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
        "VALUES (?, 'attributes', ?, ?)",
        [table, table, description],
    )
