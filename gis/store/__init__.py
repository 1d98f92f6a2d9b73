"""Storage behind one ``Store`` protocol: a GeoPackage file or a PostGIS database."""

from __future__ import annotations

import os

from gis.errors import StoreError
from gis.store.protocol import BBox, ChangeResult, Feature, HistoryEntry, Store

STORE_ENV = "LANDMAP_STORE"


def open_store(location: str | os.PathLike[str] | None = None, *, create: bool = True) -> Store:
    """Open a store: a ``postgresql://`` URL or a GeoPackage path (``LANDMAP_STORE`` if None)."""
    target = os.fspath(location) if location is not None else os.environ.get(STORE_ENV)
    if not target:
        raise StoreError(
            "ไม่ได้ระบุที่เก็บข้อมูล: ใช้ --store หรือกำหนดตัวแปร LANDMAP_STORE",
            "no store given: pass --store or set LANDMAP_STORE",
        )
    if target.startswith(("postgresql://", "postgres://")):
        from gis.store.postgis import PostgisStore

        return PostgisStore(target)
    from gis.store.gpkg import GpkgStore

    return GpkgStore(target, create=create)


__all__ = ["BBox", "ChangeResult", "Feature", "HistoryEntry", "Store", "open_store"]
