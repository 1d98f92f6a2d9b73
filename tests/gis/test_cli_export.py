"""`landmap export` run as a real command on a copy of the demo (exports write audit entries)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest

from gis.store import open_store

LANDMAP = shutil.which("landmap", path=os.path.dirname(sys.executable)) or ""
assert LANDMAP, "the landmap console script is not installed in this environment"
CONTRACT = {"out", "layer", "name", "format", "role", "username", "areas", "rows", "fields",
            "location", "aggregated", "suppressed", "lang", "exported_at"}


def landmap(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LANDMAP_STORE"}
    return subprocess.run([LANDMAP, *args], capture_output=True, text=True, check=False,
                          env=env, timeout=600)


@pytest.fixture
def survey(tmp_path: Path, demo_gpkg: str) -> Path:
    path = tmp_path / "survey.gpkg"
    shutil.copy(demo_gpkg, path)
    return path


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def test_agency_export_prints_the_json_contract_and_is_audited(survey: Path,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "households.geojson"
    proc = landmap("export", "--store", str(survey), "--layer", "households", "--audience",
                   "agency", "--format", "geojson", "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert set(summary) == CONTRACT
    assert (summary["role"], summary["aggregated"], summary["rows"]) == ("agency_viewer", True,
                                                                         11)
    assert summary["fields"] == ["village_code", "name_th", "name_en", "count", "suppressed"]
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert sum(f["properties"]["count"] for f in features) == 1187
    store = open_store(str(survey), create=False)
    try:
        event = store.read_audit(action="export", limit=1)[0]
    finally:
        store.close()
    assert event["username"] == summary["username"] and event["username"].startswith("cli:")
    assert event["detail"]["format"] == "geojson" and event["detail"]["rows"] == 11


def test_internal_audience_roles_and_areas(survey: Path, tmp_path: Path) -> None:
    internal = tmp_path / "internal.csv"
    proc = landmap("export", "--store", str(survey), "--layer", "households", "--audience",
                   "internal", "--format", "csv", "--out", str(internal), "--area", "270405")
    assert proc.returncode == 0, proc.stderr
    assert "exported 283 rows of Households for Negotiator" in proc.stdout
    rows = csv_rows(internal)
    assert len(rows) == 283 and all(r["village_code"].startswith("270405") for r in rows)
    assert "head_name" not in rows[0] and "lon" not in rows[0]

    surveyor = tmp_path / "surveyor.xlsx"
    proc = landmap("export", "--store", str(survey), "--layer", "households", "--audience",
                   "surveyor", "--format", "xlsx", "--out", str(surveyor), "--area", "27040103",
                   "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    book = openpyxl.load_workbook(surveyor, read_only=True)
    header, *rows_written = book["households"].iter_rows(values_only=True)
    book.close()
    assert "head_name" in header and "national_id" not in header and len(rows_written) == 168

    planner = tmp_path / "planner.csv"
    proc = landmap("export", "--store", str(survey), "--layer", "plots", "--audience",
                   "planner", "--format", "csv", "--out", str(planner), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["rows"] == len(csv_rows(planner)) == 1524


def test_bad_input_exits_2_in_thai_and_english(survey: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    base = ("export", "--store", str(survey), "--format", "csv", "--out", str(out))
    proc = landmap(*base, "--layer", "parcels", "--audience", "agency", "--json")
    assert proc.returncode == 2
    assert "ไม่มีชั้นข้อมูลชื่อ 'parcels'" in proc.stderr and "no layer named 'parcels'" in \
        proc.stderr
    assert set(json.loads(proc.stdout)["error"]) == {"message_th", "message_en"}
    proc = landmap(*base, "--layer", "plots", "--audience", "public")
    assert proc.returncode == 2 and "invalid choice: 'public'" in proc.stderr
    assert "ข้อผิดพลาด" in proc.stderr
    out.write_text("keep", encoding="utf-8")
    proc = landmap(*base, "--layer", "plots", "--audience", "agency")
    assert proc.returncode == 2 and "the file already exists" in proc.stderr
    assert out.read_text(encoding="utf-8") == "keep"
    proc = landmap(*base, "--layer", "plots", "--audience", "agency", "--force")
    assert proc.returncode == 0, proc.stderr
    assert len(csv_rows(out)) == 11
    assert not list(tmp_path.glob(".x.csv*"))
