"""Report tests print real PDFs with Debian's chromium and read them back with poppler
(``pdftotext``, ``pdfinfo``, ``pdftoppm``). Without chromium they skip, stating why — and fail
under ``scripts/test`` (``LANDMAP_REQUIRE_BROWSER=1``), like the browser tests."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gis.report.engine import CHROMIUM

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = Path(os.environ.get("LANDMAP_TEST_ARTIFACTS", ROOT / "test-artifacts"))
LANDMAP = shutil.which("landmap", path=os.path.dirname(sys.executable))


@pytest.fixture(scope="session")
def needs_chromium() -> None:
    """Skip (or, under scripts/test, fail) when chromium or poppler's tools are missing."""
    missing = [p for p in (CHROMIUM,) if not os.path.exists(p)]
    missing += [tool for tool in ("pdftotext", "pdfinfo", "pdftoppm") if not shutil.which(tool)]
    if missing:
        reason = f"{', '.join(missing)} missing: scripts/test installs chromium and poppler-utils"
        if os.environ.get("LANDMAP_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


def pdf_text(pdf: Path, *, layout: bool = False) -> str:
    """The text of a PDF as ``pdftotext`` extracts it (UTF-8)."""
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def pdf_info(pdf: Path) -> dict[str, str]:
    """``pdfinfo``'s fields (Pages, Page size …)."""
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return {k.strip(): v.strip() for k, _, v in
            (line.partition(":") for line in out.stdout.splitlines()) if v}


def first_page_png(pdf: Path, name: str) -> Path:
    """The first page at 60 dpi as ``test-artifacts/<name>.png`` (kept: a CI artifact)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    prefix = ARTIFACTS / name
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(prefix)], check=True)
    return prefix.with_suffix(".png")


def landmap(*args: str) -> subprocess.CompletedProcess[str]:
    """The real ``landmap`` command (not the in-process parser), as a user runs it."""
    assert LANDMAP, "the landmap console script is not installed in this environment"
    env = {k: v for k, v in os.environ.items() if k != "LANDMAP_STORE"}
    return subprocess.run([LANDMAP, *args], capture_output=True, text=True, check=False,
                          env=env, timeout=300)


@pytest.fixture(scope="session")
def report_store(demo_gpkg: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the demo store: every printed pack writes an audit entry, and the
    annex test attaches a file (the shared demo store is read-only)."""
    out = tmp_path_factory.mktemp("report") / "demo.gpkg"
    src, dst = sqlite3.connect(demo_gpkg), sqlite3.connect(out)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return out
