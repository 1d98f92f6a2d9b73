"""Shared fixtures: real GeoPackage files, a real PostGIS server (started by scripts/test)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pyogrio
import pytest
import shapely
from pyproj import proj_version_str

from gis.store import Store, open_store

SHARED_DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
PG_URL_ENV = "LANDMAP_TEST_DATABASE_URL"


def _strict() -> bool:
    """In CI (scripts/test sets this) a skipped test is a failed run, never a silent pass."""
    return os.environ.get("LANDMAP_REQUIRE_POSTGIS") == "1"


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"GDAL {pyogrio.__gdal_version_string__}, PROJ {proj_version_str}, "
        f"GEOS {shapely.geos_version_string}",
        f"PostGIS: {os.environ.get(PG_URL_ENV, 'not configured')}; strict skips: {_strict()}",
    ]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if _strict() and skipped and exitstatus == 0:
        reporter.write_line(
            f"FAILED: {len(skipped)} test(s) skipped under scripts/test; every test must run",
            red=True,
        )
        session.exitstatus = 1


def _postgis_url() -> str:
    url = os.environ.get(PG_URL_ENV)
    if url:
        return url
    reason = f"{PG_URL_ENV} is not set: run the tests through scripts/test, which starts PostGIS"
    if _strict():
        pytest.fail(reason)
    pytest.skip(reason)


def _fresh_postgis_schema() -> Iterator[str]:
    import psycopg

    url = _postgis_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield f"{url}{'&' if '?' in url else '?'}schema={schema}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["gpkg", "postgis"])
def store_location(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    """Where a fresh, empty store lives: a new GeoPackage file or a new PostGIS schema."""
    if request.param == "gpkg":
        yield os.path.join(tmp_path, "store.gpkg")
    else:
        yield from _fresh_postgis_schema()


@pytest.fixture
def postgis_location() -> Iterator[str]:
    """A fresh, empty schema on the PostGIS server."""
    yield from _fresh_postgis_schema()


@pytest.fixture
def open_at(store_location: str) -> Iterator[Callable[[], Store]]:
    """Opens (more) connections to the same fresh store; closes them all afterwards."""
    opened: list[Store] = []

    def _open() -> Store:
        s = open_store(store_location)
        opened.append(s)
        return s

    yield _open
    for s in opened:
        s.close()


@pytest.fixture
def store(open_at: Callable[[], Store]) -> Store:
    return open_at()


@pytest.fixture(scope="session")
def demo_gpkg(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The Wang Nam Yen demo (seed 42) as a GeoPackage, made once per run. Read it, never write:
    tests that change data make their own store."""
    from gis.cli import main

    out = tmp_path_factory.mktemp("demo") / "demo.gpkg"
    assert main(["demo", "--out", str(out)]) == 0
    return str(out)
