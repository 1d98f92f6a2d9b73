"""The `landmap` CLI contracts, run as a real command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from gis.store import open_store
from layers import LAYERS
from tests.gis.store.helpers import validate_gpkg

LANDMAP = shutil.which("landmap", path=os.path.dirname(sys.executable))
assert LANDMAP, "the landmap console script is not installed in this environment"


def landmap(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "LANDMAP_STORE"}
    return subprocess.run([LANDMAP, *args], capture_output=True, text=True, check=False,
                          env={**base, **(env or {})}, timeout=600)


@pytest.fixture(scope="session")
def demo_gpkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "wang_nam_yen.gpkg"
    proc = landmap("demo", "--out", str(out), "--seed", "42", "--json")
    assert proc.returncode == 0, proc.stderr
    return out


def test_layers_json_is_the_declared_contract() -> None:
    proc = landmap("layers", "--json")
    assert proc.returncode == 0, proc.stderr
    layers = json.loads(proc.stdout)
    assert [item["name"] for item in layers] == list(LAYERS)
    for item in layers:
        assert {"name", "geometry", "fields"} <= set(item)
        assert item["geometry"] in ("MultiPolygon", "Point", None)
        for f in item["fields"]:
            assert {"name", "dtype", "label_th", "label_en", "privacy", "required",
                    "vocabulary"} <= set(f)
            assert f["privacy"] in ("public", "internal", "personal", "sensitive")
            assert f["vocabulary"] is None or all(
                set(term) >= {"code", "label_th", "label_en"} for term in f["vocabulary"])
    households = next(i for i in layers if i["name"] == "households")
    condition = next(f for f in households["fields"] if f["name"] == "house_condition")
    assert {"code": "dilapidated", "label_th": "ทรุดโทรมมาก", "label_en": "Dilapidated"} in \
        condition["vocabulary"]
    assert households["geometry"] == "Point"


def test_demo_then_info_report_live_counts(demo_gpkg: Path) -> None:
    proc = landmap("info", "--store", str(demo_gpkg), "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["backend"] == "gpkg"
    assert set(info["layers"]) == set(LAYERS)
    n = info["layers"]
    assert n["villages"] >= 8 and 1400 <= n["plots"] <= 1600 and 1150 <= n["households"] <= 1250
    assert n["tenure_zones"] >= 4 and n["repairs"] > 0 and n["budgets"] >= 1
    # LANDMAP_STORE is the default store
    again = landmap("info", "--json", env={"LANDMAP_STORE": str(demo_gpkg)})
    assert json.loads(again.stdout) == info


def test_demo_geopackage_is_valid_and_gdal_reads_every_layer(demo_gpkg: Path) -> None:
    validate_gpkg(str(demo_gpkg))
    listed = {name for name, _ in pyogrio.list_layers(demo_gpkg)}
    assert set(LAYERS) <= listed
    for name, spec in LAYERS.items():
        frame = pyogrio.read_dataframe(demo_gpkg, layer=name, read_geometry=spec.geometry
                                       is not None)
        assert len(frame) > 0, name
        if spec.geometry:
            assert frame.crs.to_epsg() == 4326
            assert set(frame.geometry.dropna().geom_type) == {spec.geometry}


def test_demo_is_deterministic_for_a_seed(demo_gpkg: Path, tmp_path: Path) -> None:
    same, other = tmp_path / "same.gpkg", tmp_path / "other.gpkg"
    assert landmap("demo", "--out", str(same), "--seed", "42").returncode == 0
    assert landmap("demo", "--out", str(other), "--seed", "7").returncode == 0
    a, b, c = (open_store(p, create=False) for p in (demo_gpkg, same, other))
    try:
        for name in LAYERS:
            fa, fb = (s.read(name).drop(columns=["updated_at"]) for s in (a, b))
            pd.testing.assert_frame_equal(fa, fb, check_like=False)
        assert not a.read("households")["head_name"].equals(c.read("households")["head_name"])
    finally:
        for s in (a, b, c):
            s.close()


def test_demo_into_postgis_matches_the_file(demo_gpkg: Path, postgis_location: str) -> None:
    store_location = postgis_location
    proc = landmap("demo", "--out", store_location, "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(landmap("info", "--store", store_location, "--json").stdout)
    assert info["backend"] == "postgis"
    file_info = json.loads(landmap("info", "--store", str(demo_gpkg), "--json").stdout)
    assert info["layers"] == file_info["layers"]
    refused = landmap("demo", "--out", store_location)
    assert refused.returncode != 0 and "already holds data" in refused.stderr


@pytest.mark.parametrize(
    ("args", "code", "english"),
    [
        (("info", "--store", "/nonexistent/landmap.gpkg"), 1, "no GeoPackage"),
        (("info",), 1, "no store given"),
        (("demo", "--out", "x.gpkg", "--seed", "abc"), 2, "seed must be a whole number"),
        (("demo", "--out", "/nonexistent/dir/x.gpkg"), 1, "folder does not exist"),
        (("frobnicate",), 2, "invalid choice"),
    ],
)
def test_bad_input_exits_nonzero_with_thai_and_english(
    args: tuple[str, ...], code: int, english: str
) -> None:
    proc = landmap(*args)
    assert proc.returncode == code, proc.stderr
    assert english in proc.stderr
    assert "ข้อผิดพลาด" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_demo_refuses_to_overwrite_without_force(demo_gpkg: Path, tmp_path: Path) -> None:
    target = tmp_path / "exists.gpkg"
    target.write_bytes(b"precious")
    proc = landmap("demo", "--out", str(target))
    assert proc.returncode == 1 and "already exists" in proc.stderr
    assert target.read_bytes() == b"precious"


def test_a_file_that_is_not_a_geopackage_is_refused_cleanly(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.gpkg"
    bogus.write_text("not a database at all\n" * 100)
    proc = landmap("info", "--store", str(bogus), "--json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"]["message_en"]
    assert "not a GeoPackage" in proc.stderr and "Traceback" not in proc.stderr
