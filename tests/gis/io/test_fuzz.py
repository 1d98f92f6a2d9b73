"""Random and mutated files through `check` and `import`: never a traceback, and the store is
exactly as before after every rejected or failed import (DESIGN.md §10)."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from gis.errors import LandmapError
from gis.io.check import check
from gis.io.importer import import_report
from gis.io.read import read_bytes
from gis.store import open_store

CSV = ("รหัสบ้าน,รหัสหมู่บ้าน,ชื่อ-สกุล,ยินยอมให้ใช้ข้อมูล,ละติจูด,ลองจิจูด\n"
       "F-1,27040103,นางสาวสมศรี ใจดี,ใช่,13.5201,102.1672\n"
       "F-2,27040103,นายสมชาย มั่นคง,ใช่,13.5210,102.1680\n").encode("cp874")
KML = ("<?xml version='1.0' encoding='UTF-8'?><kml xmlns='http://www.opengis.net/kml/2.2'>"
       "<Document><Folder><name>บ้าน</name><Placemark><name>F-3</name><ExtendedData>"
       "<Data name='ชื่อ-สกุล'><value>นางมาลี</value></Data></ExtendedData>"
       "<Point><coordinates>102.167,13.520</coordinates></Point></Placemark></Folder>"
       "</Document></kml>").encode()
GEOJSON = json.dumps({"type": "FeatureCollection", "features": [{
    "type": "Feature", "properties": {"รหัสบ้าน": "F-4", "ชื่อ-สกุล": "นายดำ"},
    "geometry": {"type": "Point", "coordinates": [102.168, 13.521]}}]},
    ensure_ascii=False).encode()


def _shapefile_zip(tmp: Path) -> bytes:
    frame = gpd.GeoDataFrame({"รหัสบ้าน": ["F-5"], "ชื่อสกุล": ["นางแดง"]},
                             geometry=[Point(102.169, 13.522)], crs=4326).to_crs(32647)
    frame.to_file(tmp / "homes.shp", encoding="cp874")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for ext in ("shp", "shx", "dbf"):
            z.write(tmp / f"homes.{ext}", f"homes.{ext}")
    return buffer.getvalue()


NAMES = ("a.csv", "a.kml", "a.geojson", "a.zip", "a.kmz", "a.gpx", "a.gpkg", "a.xlsx", "a.txt",
         "a")


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[bytes, str]]:
    tmp = tmp_path_factory.mktemp("fuzz")
    return [(CSV, "homes.csv"), (KML, "homes.kml"), (GEOJSON, "homes.geojson"),
            (_shapefile_zip(tmp), "homes.zip")]


def _mutate(data: bytes, ops: list[tuple[int, int, int]]) -> bytes:
    out = bytearray(data)
    for kind, position, value in ops:
        if not out:
            break
        i = position % len(out)
        if kind == 0:
            out[i] = value
        elif kind == 1:
            del out[i:]
        elif kind == 2:
            out[i:i] = bytes([value]) * (value % 7 + 1)
        else:
            del out[i:i + value % 13 + 1]
    return bytes(out)


def _fingerprint(path: str) -> tuple[int, ...]:
    with sqlite3.connect(path) as conn:
        return tuple(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                     for t in ("households", "feature_history", "gpkg_contents"))


MUTATIONS = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10**6), st.integers(0, 255)),
                     min_size=1, max_size=6)


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 3), ops=MUTATIONS, name=st.sampled_from(NAMES))
def test_mutated_files_never_raise_and_never_half_write(
    seeds: list[tuple[bytes, str]], tmp_path: Path, seed: int,
    ops: list[tuple[int, int, int]], name: str,
) -> None:
    data, _ = seeds[seed]
    mutated = _mutate(data, ops)
    report = check(read_bytes(mutated, name, {}), kind="households")
    assert report.outcome in ("import", "import-with-issues", "reject")
    assert all(i.message_th and i.message_en for i in report.issues)
    _import_or_nothing(tmp_path, report)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2048), name=st.sampled_from(NAMES))
def test_random_bytes_are_reported_not_raised(tmp_path: Path, data: bytes, name: str) -> None:
    report = check(read_bytes(data, name, {}))
    assert report.outcome in ("import", "import-with-issues", "reject")
    _import_or_nothing(tmp_path, report)


def _import_or_nothing(tmp_path: Path, report: object) -> None:
    path = str(tmp_path / "store.gpkg")
    store = open_store(path, create=True)
    try:
        before = _fingerprint(path)
        try:
            outcome, _plan = import_report(store, report, "households",  # type: ignore[arg-type]
                                           user="fuzz", skip_errors=True)
        except LandmapError as exc:
            assert exc.message_th and exc.message_en
            assert _fingerprint(path) == before
        else:
            assert outcome.imported > 0
            store.undo_change_set(outcome.batch, user="fuzz")
    finally:
        store.close()


def test_the_seeds_import(seeds: list[tuple[bytes, str]], tmp_path: Path) -> None:
    """The property above also sees good files: the unmutated CSV imports."""
    data, name = seeds[0]
    report = check(read_bytes(data, name, {}), kind="households")
    assert report.features == 2
    store = open_store(str(tmp_path / "s.gpkg"), create=True)
    try:
        outcome, _ = import_report(store, report, "households", user="t")
        assert outcome.imported == 2
    finally:
        store.close()
