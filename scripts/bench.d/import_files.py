"""Importing files: Landmap's whole import path against a plain pyogrio read + write.

Two files are generated from the demo (``gis.demo.build_demo(seed=42)``) and each is imported
into a new GeoPackage, once per mode, each run in a fresh Python process:
    households  a UTF-8 CSV of N survey rows with Thai headers (รหัสบ้าน, รหัสหมู่บ้าน,
                ชื่อ-สกุล, ยินยอมให้ใช้ข้อมูล ใช่/ไม่ใช่, สภาพบ้าน as Thai labels, Buddhist-Era
                dates, ละติจูด/ลองจิจูด …): the demo's households resampled with new ids, each
                point about 1 km around a demo house
    plots       a zipped shapefile of N polygons in UTM 47N (EPSG:32647) with a cp874 DBF
                (Thai values, short Thai/English field names): copies of the demo's plots
                tiled side by side to the north-west, so they do not overlap each other
Modes (each timed from the file's bytes on disk to a committed GeoPackage; interpreter start-up
and module imports are not timed, in either mode):
    landmap    gis.io.read.read_bytes → gis.io.check.check(kind=…) → open_store(new .gpkg,
               create=True) → gis.io.importer.import_report: encoding and header detection,
               Thai digits and dates, coordinates and CRS, reprojection to EPSG:4326, geometry
               validity and "in Thailand", field mapping and value conversion, duplicate ids,
               plot overlaps, and the versioned write in one transaction
    baseline   pyogrio.read_dataframe(file) → pyogrio.write_dataframe(frame, new .gpkg): GDAL
               alone. The CSV is read by GDAL's CSV driver with X_POSSIBLE_NAMES=ลองจิจูด and
               Y_POSSIBLE_NAMES=ละติจูด (every field stays text; the points are tagged
               EPSG:4326); the shapefile is read from the zip (GDAL decodes cp874 from the .cpg)
               and written as it is, in UTM 47N, with no reprojection
Time is the median of --runs runs (wall clock inside the child); memory is the child's peak
resident set size (the largest over the runs): ``VmHWM`` from ``/proc/self/status`` at its end,
which includes the interpreter and the imported libraries ("at start" shows how much, "growth"
what the import itself added). Not ``getrusage(RUSAGE_SELF).ru_maxrss``: on Linux a child
started by fork + exec inherits its parent's high-water mark (here, the process that generated
the files), which would inflate both modes alike and shrink the ratio.
Both modes run in this run on the same files, taking turns run by run, so the ratios do not
depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_TIME, TARGET_RSS = 2.0, 3.0  # Landmap / baseline, at most
KINDS = ("households", "plots")
FILES = {"households": "households.csv", "plots": "plots.zip"}
X_NAME, Y_NAME = "ลองจิจูด", "ละติจูด"
METRIC = 32647  # UTM 47N

# Target field → header. Households: the survey's own Thai headers. Plots: a DBF field name is
# at most 10 bytes (cp874: one per Thai character, vowel and tone mark), so some are English.
HOUSEHOLD_HEADERS = {
    "household_id": "รหัสบ้าน", "house_no": "บ้านเลขที่", "plot_id": "รหัสแปลง",
    "village_code": "รหัสหมู่บ้าน", "head_name": "ชื่อ-สกุล",
    "national_id": "เลขประจำตัวประชาชน", "phone": "เบอร์โทร", "members": "จำนวนสมาชิก",
    "elderly": "ผู้สูงอายุ", "disabled": "ผู้พิการ", "bedridden": "ผู้ป่วยติดเตียง",
    "children": "เด็ก", "monthly_income": "รายได้", "dwelling_status": "สถานะการอยู่อาศัย",
    "house_condition": "สภาพบ้าน", "needs_repair": "ต้องซ่อมบ้าน",
    "priority_flag": "ครัวเรือนเร่งด่วน", "consent": "ยินยอมให้ใช้ข้อมูล",
    "survey_date": "วันที่สำรวจ", "surveyor": "ผู้สำรวจ",
}
PLOT_HEADERS = {
    "plot_id": "รหัสแปลง", "village_code": "village_id", "land_document": "doc_type",
    "document_number": "deed_no", "land_owner": "owner", "occupant_tenure": "tenure",
    "official_area": "เนื้อที่", "notes": "หมายเหตุ",
}


# ------------------------------------------------------------------------------ the files
def make_households_csv(path: Path, n: int, seed: int = 42) -> None:
    """``n`` households from the demo's, with new ids, as a survey CSV with Thai headers."""
    import shapely

    from gis.demo import build_demo
    from layers import LAYERS

    spec = LAYERS["households"]
    base = build_demo(seed=seed)["households"]
    rng = np.random.default_rng(seed)
    frame = base.iloc[rng.integers(0, len(base), n)].reset_index(drop=True)
    xy = shapely.get_coordinates(np.asarray(frame.geometry.array, dtype=object))
    xy = xy + rng.normal(0.0, 0.01, xy.shape)  # about 1 km around each demo house
    out = pd.DataFrame(index=frame.index)
    for name, header in HOUSEHOLD_HEADERS.items():
        f = spec.field(name)
        values = frame[name].astype(object).where(frame[name].notna(), None)
        if name == "household_id":
            values = pd.Series([f"B{i:06d}" for i in range(n)])
        elif f.vocabulary is not None:
            labels = {t.code: t.label_th for t in f.vocabulary}
            values = values.map(lambda v, labels=labels: labels.get(v) if v else None)
        elif f.dtype.name == "BOOL":
            values = values.map(lambda v: None if v is None else ("ใช่" if v else "ไม่ใช่"))
        elif f.dtype.name == "DATE":
            values = values.map(_buddhist_date)
        out[header] = values
    out[Y_NAME] = np.round(xy[:, 1], 7)
    out[X_NAME] = np.round(xy[:, 0], 7)
    out.to_csv(path, index=False, encoding="utf-8")


def _buddhist_date(value: Any) -> str | None:
    if value is None or value != value:
        return None
    day = pd.Timestamp(value)
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


def make_plots_zip(path: Path, n: int, seed: int = 42) -> None:
    """``n`` plots: copies of the demo's plots, each copy moved one demo-extent further along a
    grid (west and north of the demo, inside Thailand), as a zipped cp874 shapefile in UTM 47N."""
    import geopandas as gpd
    import pyogrio
    import shapely

    from gis.demo import build_demo
    from layers import LAYERS

    spec = LAYERS["plots"]
    base = build_demo(seed=seed)["plots"]
    copies = -(-n // len(base))
    frame = pd.concat([base] * copies, ignore_index=True).iloc[:n].reset_index(drop=True)
    tile = np.arange(n) // len(base)
    minx, miny, maxx, maxy = base.total_bounds
    step_x, step_y = (maxx - minx) * 1.02, (maxy - miny) * 1.02
    columns = 6  # 6 × 11 tiles of ~0.17° cover 100k plots: lon 101.1–102.2, lat 13.4–15.6
    dx, dy = -step_x * (tile % columns), step_y * (tile // columns)
    geoms = np.asarray(frame.geometry.array, dtype=object)
    per = shapely.get_num_coordinates(geoms)
    coords = shapely.get_coordinates(geoms)
    coords[:, 0] += np.repeat(dx, per)
    coords[:, 1] += np.repeat(dy, per)
    geoms = shapely.set_coordinates(geoms.copy(), coords)
    out = pd.DataFrame(index=frame.index)
    for name, header in PLOT_HEADERS.items():
        f = spec.field(name)
        values = frame[name].astype(object).where(frame[name].notna(), None)
        if name == "plot_id":
            values = pd.Series([f"P{i:06d}" for i in range(n)])
        elif f.vocabulary is not None:
            labels = {t.code: t.label_th for t in f.vocabulary}
            values = values.map(lambda v, labels=labels: labels.get(v) if v else None)
        out[header] = values
    del seed  # the tiling is deterministic; the demo itself is seeded
    shp = gpd.GeoDataFrame(out, geometry=list(geoms), crs=4326).to_crs(METRIC)
    with tempfile.TemporaryDirectory(prefix="landmap-bench-shp-") as folder:
        pyogrio.write_dataframe(shp, Path(folder) / "plots.shp", encoding="cp874")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for part in sorted(Path(folder).iterdir()):
                zf.write(part, part.name)


# ------------------------------------------------------------------------------ one run
def peak_rss_kib() -> int:
    """This process's peak resident set size in KiB (``VmHWM``; ``ru_maxrss`` where there is no
    /proc, which may include the parent's peak)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(mode: str, kind: str, file: Path, out: Path) -> dict[str, Any]:
    """One import in this (fresh) process: what it took, and what it wrote."""
    import pyogrio

    if mode == "landmap":
        import gis.io.crs
        import gis.io.shapefile
        import gis.io.tabular  # noqa: F401  (imported lazily by read_bytes; not timed)
        from gis.io.check import check
        from gis.io.importer import import_report
        from gis.io.read import read_bytes
        from gis.store import open_store
    start_rss = peak_rss_kib()
    phases: dict[str, float] = {}
    start = time.perf_counter()
    if mode == "landmap":
        result = read_bytes(file.read_bytes(), file.name)
        phases["read"] = time.perf_counter() - start
        report = check(result, kind=kind)
        phases["check"] = time.perf_counter() - start - sum(phases.values())
        store = open_store(str(out), create=True)
        try:
            outcome, plan = import_report(store, report, kind, user="bench")
        finally:
            store.close()
        phases["import"] = time.perf_counter() - start - sum(phases.values())
        written, held = outcome.imported, outcome.held_back
        issues = Counter(f"{i.severity.value}:{i.code}" for i in plan.issues)
        checked = report.features
    else:
        if kind == "households":
            frame = pyogrio.read_dataframe(file, X_POSSIBLE_NAMES=X_NAME,
                                           Y_POSSIBLE_NAMES=Y_NAME)
            frame = frame.set_crs(4326)
        else:
            frame = pyogrio.read_dataframe(file)
        phases["read"] = time.perf_counter() - start
        pyogrio.write_dataframe(frame, out, layer=kind)
        phases["write"] = time.perf_counter() - start - phases["read"]
        written, held, issues, checked = len(frame), 0, Counter(), len(frame)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "phases": phases, "rss_kib": peak_rss_kib(),
        "start_rss_kib": start_rss, "features": checked,
        "written": written, "held_back": held, "issues": dict(issues)}


def run_child(mode: str, kind: str, file: Path, out: Path) -> dict[str, Any]:
    out.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, __file__, "--child", mode, kind, str(file), str(out)],
                          check=False, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"error: the {mode} import of {file.name} failed")
    measured: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    out.unlink(missing_ok=True)
    return measured


# ------------------------------------------------------------------------------ the report
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench import", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=100_000,
                        help="rows in the CSV (default 100000)")
    parser.add_argument("--plots", type=int, help="polygons in the shapefile (default: as many "
                        "as --households)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, help="keep the generated files in this folder and "
                        "reuse them when they are there")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--child", nargs=4, metavar=("MODE", "KIND", "FILE", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, kind, file, out = args.child
        print(json.dumps(child(mode, kind, Path(file), Path(out))))
        return 0
    sizes = {"households": args.households, "plots": args.plots or args.households}

    with tempfile.TemporaryDirectory(prefix="landmap-bench-") as tmp:
        data = args.data or Path(tmp)
        data.mkdir(parents=True, exist_ok=True)
        makers = {"households": make_households_csv, "plots": make_plots_zip}
        files = {}
        for kind in KINDS:
            stem, ext = FILES[kind].split(".")
            files[kind] = data / f"{stem}-{sizes[kind]}.{ext}"
            if not files[kind].exists():
                print(f"making {files[kind].name} ({sizes[kind]:,} {kind})", flush=True)
                start = time.perf_counter()
                makers[kind](files[kind], sizes[kind])
                print(f"  written in {time.perf_counter() - start:.1f} s, "
                      f"{files[kind].stat().st_size / 2**20:.1f} MiB", flush=True)
        rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for kind in KINDS:
            # The modes take turns, run by run: a slow spell of the machine (a neighbour, page
            # reclaim) then falls on both alike instead of on one mode's block of runs.
            for run in range(args.runs):
                for mode in ("baseline", "landmap"):
                    print(f"  {kind} {mode} run {run + 1}/{args.runs}: ", end="", flush=True)
                    rows.setdefault((kind, mode), []).append(run_child(
                        mode, kind, files[kind], Path(tmp) / f"{kind}-{mode}.gpkg"))
                    print(f"{rows[kind, mode][-1]['seconds']:.1f} s", flush=True)

    ok = True
    for kind in KINDS:
        first = rows[kind, "landmap"][0]
        if first["features"] != sizes[kind] or first["written"] != sizes[kind]:
            ok = False
            print(f"\nWARNING: {kind}: {sizes[kind]:,} generated, check found "
                  f"{first['features']:,}, {first['written']:,} written, "
                  f"{first['held_back']:,} held back: the data is not what the bench means")
    print(f"\nimporting files into a new GeoPackage, {args.runs} run(s) each in a fresh "
          "process (time: median; rss: peak of the child process, largest run)")
    print(f"{'file':<30} {'mode':<9} {'median s':>9} {'rss MiB':>8} {'at start':>9} "
          f"{'growth':>7}  phases (median s)")
    for kind in KINDS:
        for mode in ("baseline", "landmap"):
            runs = rows[kind, mode]
            phases = ", ".join(f"{name} {statistics.median(r['phases'][name] for r in runs):.2f}"
                               for name in runs[0]["phases"])
            print(f"{FILES[kind] + f' ({sizes[kind]:,})':<30} {mode:<9} "
                  f"{statistics.median(r['seconds'] for r in runs):>9.2f} "
                  f"{max(r['rss_kib'] for r in runs) / 1024:>8.0f} "
                  f"{max(r['start_rss_kib'] for r in runs) / 1024:>9.0f} "
                  f"{max(r['rss_kib'] - r['start_rss_kib'] for r in runs) / 1024:>7.0f}  {phases}")
        found = rows[kind, "landmap"][0]["issues"]
        if found:
            print(f"  {kind} issues found by Landmap (none holds a row back): "
                  + ", ".join(f"{code} {count:,}" for code, count in sorted(found.items())))
    print(f"\nratios Landmap / baseline (lower is better; targets: time <= {TARGET_TIME:.0f}x, "
          f"peak rss <= {TARGET_RSS:.0f}x)")
    for kind in KINDS:
        base, mine = rows[kind, "baseline"], rows[kind, "landmap"]
        t_ratio = (statistics.median(r["seconds"] for r in mine)
                   / statistics.median(r["seconds"] for r in base))
        m_ratio = max(r["rss_kib"] for r in mine) / max(r["rss_kib"] for r in base)
        met = t_ratio <= TARGET_TIME and m_ratio <= TARGET_RSS
        ok &= met
        print(f"{FILES[kind]:<30} time {t_ratio:6.1f}x   peak rss {m_ratio:5.1f}x   "
              f"{'target met' if met else 'TARGET MISSED'}")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
