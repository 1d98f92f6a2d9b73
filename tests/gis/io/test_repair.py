"""Invalid plot shapes through check and import: a bow-tie is explained and its make_valid repair
offered (an error until the user accepts it), then imported as a valid MultiPolygon with a
``geometry_repaired`` warning; a shape nothing can be made of stays an error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest
import shapely
from shapely import affinity, wkt

from gis.cli import main
from gis.io.check import check
from gis.io.read import read_path
from gis.store import open_store
from tests.gis.io.corpus import entries, make_zip

# Three plots drawn in metres in UTM 47N, near Sa Kaeo: a good rectangle, a bow-tie whose
# boundary crosses itself at (120, 15), and a "plot" collapsed to a line.
SHAPES = [
    "POLYGON ((0 0, 40 0, 40 30, 0 30, 0 0))",
    "POLYGON ((100 0, 140 30, 140 0, 100 30, 100 0))",
    "POLYGON ((200 0, 230 30, 200 0, 200 0))",
]
GOOD, BOW_TIE, COLLAPSED = 1, 2, 3  # source rows


@pytest.fixture
def plots_zip(tmp_path: Path) -> Path:
    """A zipped shapefile (UTM 47N, cp874 DBF, with .prj) as a Thai office sends it."""
    folder = tmp_path / "shp"
    folder.mkdir()
    frame = gpd.GeoDataFrame(
        {"plot_id": ["P-1", "P-2", "P-3"], "village_id": ["27040103"] * 3,
         "notes": ["ดี", "เส้นตัดกัน", "เส้นเดียว"]},
        geometry=[affinity.translate(wkt.loads(s), 800_000, 1_500_000) for s in SHAPES],
        crs=32647)
    pyogrio.write_dataframe(frame, folder / "plots.shp", encoding="cp874")
    parts = {ext: (folder / f"plots.{ext}").read_bytes() for ext in ("shp", "shx", "dbf", "prj")}
    path = tmp_path / "plots.zip"
    path.write_bytes(make_zip(entries(parts, "plots")))
    return path


def found(issues: list[Any], *codes: str) -> list[tuple[str, int | None, str]]:
    return [(i.code, i.row, i.severity.value) for i in issues if i.code in codes]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main([*args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def test_without_repair_the_bow_tie_is_an_error_with_the_repair_on_offer(plots_zip: Path) -> None:
    report = check(read_path(plots_zip), kind="plots")
    (layer,) = report.layers
    assert found(report.issues, "invalid_geometry", "geometry_repaired") == [
        ("invalid_geometry", BOW_TIE, "error"), ("invalid_geometry", COLLAPSED, "error")]
    bow_tie, collapsed = (i for i in report.issues if i.code == "invalid_geometry")
    assert "crosses itself" in bow_tie.message_en and "ตัดไขว้กันเอง" in bow_tie.message_th
    assert "--repair-geometry" in bow_tie.fix_en and "--repair-geometry" in bow_tie.fix_th
    assert "split into 2 parts at the crossing point" in bow_tie.fix_en
    assert "too few corners" in collapsed.message_en and "nothing usable" in collapsed.fix_en
    assert layer.features == 1 and report.outcome == "import-with-issues"

    assert list(layer.repairs) == [BOW_TIE - 1]  # 0-based, for a before/after preview
    proposal = layer.repairs[BOW_TIE - 1]
    assert proposal.geometry.geom_type == "MultiPolygon" and proposal.parts == 2
    assert proposal.area_before_m2 == pytest.approx(0.0, abs=0.01)  # the halves cancel out
    assert proposal.area_after_m2 == pytest.approx(600.0, rel=5e-3)  # two 300 m² triangles
    assert not shapely.is_valid(layer.geometries[BOW_TIE - 1])  # not used until accepted
    assert report.as_json()["layers"][0]["repairable"] == 1


def test_with_repair_the_bow_tie_is_imported_and_flagged(plots_zip: Path) -> None:
    report = check(read_path(plots_zip), kind="plots", repair=True)
    (layer,) = report.layers
    assert found(report.issues, "invalid_geometry", "geometry_repaired") == [
        ("geometry_repaired", BOW_TIE, "warning"), ("invalid_geometry", COLLAPSED, "error")]
    repaired = next(i for i in report.issues if i.code == "geometry_repaired")
    assert "split into 2 parts at the crossing point" in repaired.message_en
    assert "แยกเป็น 2 ส่วน" in repaired.message_th
    assert layer.features == 2 and layer.keep.tolist() == [True, True, False]
    fixed = layer.geometries[BOW_TIE - 1]
    assert fixed.geom_type == "MultiPolygon" and fixed.is_valid
    assert shapely.get_num_geometries(fixed) == 2


def test_landmap_check_repair_geometry_reports_the_warning(
    plots_zip: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, plain = run(capsys, "check", str(plots_zip), "--layer", "plots")
    assert code == 0 and plain["layers"][0]["features"] == 1
    assert plain["layers"][0]["repairable"] == 1

    code, report = run(capsys, "check", str(plots_zip), "--layer", "plots", "--repair-geometry")
    assert code == 0 and report["outcome"] == "import-with-issues"
    assert report["layers"][0]["features"] == 2
    rows = [(i["code"], i["row"], i["severity"]) for i in report["issues"]
            if i["code"] in ("invalid_geometry", "geometry_repaired")]
    assert rows == [("geometry_repaired", BOW_TIE, "warning"),
                    ("invalid_geometry", COLLAPSED, "error")]
    repaired = next(i for i in report["issues"] if i["code"] == "geometry_repaired")
    assert repaired["layer"] == "plots" and repaired["message_th"] and repaired["fix_en"]


def test_landmap_import_repair_geometry_stores_a_valid_multipolygon(
    plots_zip: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_path = str(tmp_path / "store.gpkg")
    open_store(store_path, create=True).close()
    code, result = run(capsys, "import", str(plots_zip), "--layer", "plots", "--store",
                       store_path, "--repair-geometry", "--skip-errors")
    assert code == 0, result
    assert result["imported"] == 2 and result["held_back"] == 0  # row 3 never qualified
    assert [i["code"] for i in result["issues"] if i["row"] == BOW_TIE] == ["geometry_repaired"]

    store = open_store(store_path, create=False)
    try:
        plots = store.read("plots").set_index("plot_id")
    finally:
        store.close()
    assert sorted(plots.index) == ["P-1", "P-2"]
    bow_tie = plots.geometry["P-2"]
    assert bow_tie.geom_type == "MultiPolygon" and bow_tie.is_valid
    assert shapely.get_num_geometries(bow_tie) == 2
    assert plots.loc["P-2", "village_code"] == "27040103"
