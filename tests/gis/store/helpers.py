"""Independent views of a store's bytes: checksums and validation that do not use gis.store."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from urllib.parse import parse_qsl, urlsplit

import psycopg


def checksum(location: str) -> dict[str, str]:
    """SHA-256 of every table's rows (sorted), read directly through SQLite or PostgreSQL."""
    if location.startswith("postgresql://"):
        return _pg_checksum(location)
    conn = sqlite3.connect(f"file:{location}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        out = {}
        for t in tables:
            rows = sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{t}"'))
            out[t] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return out
    finally:
        conn.close()


def _pg_checksum(location: str) -> dict[str, str]:
    parts = urlsplit(location)
    schema = dict(parse_qsl(parts.query))["schema"]
    url = parts._replace(query="").geturl()
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "ORDER BY table_name", [schema])]
        out = {}
        for t in tables:
            rows = sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{schema}"."{t}"'))
            out[t] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return out


def validate_gpkg(path: str) -> None:
    """GDAL's own GeoPackage validator, strict: extra checks, warnings as errors."""
    proc = subprocess.run(
        [sys.executable, "-m", "osgeo_utils.samples.validate_gpkg", "--extra",
         "--warning-as-error", path],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, f"validate_gpkg rejected {path}:\n{proc.stdout}{proc.stderr}"
