"""Households × tenure zones: the overlay's household part against a plain sjoin + groupby.

N household points are generated over the demo's eight tenure zones
(``gis.demo.build_demo(seed=42)``; numpy ``default_rng(42)``): each point falls in the bounding
box of a zone drawn at random, widened by 30 % on every side, so that most points are inside a
zone, some in two (the demo draws a public-land zone across a forest's edge) and the rest on no
state land. Each point takes the attributes of a demo household drawn at random (members, elderly,
disabled, bedridden, children, income, dwelling status, plot id), so the overlay has its real
work to do. Modes, each timed on the same frames in memory (generation is not timed):
    landmap    gis.overlay.household_table(households, zones, by=…, plots=demo plots): the
               function ``landmap overlay`` calls for its household columns — zone membership,
               one count per household and agency, vulnerable and insecure-tenure households,
               households in overlaps, the no-state-land row
    baseline   geopandas.sjoin(households, zones[zone_id, agency, geometry], predicate="within")
               then .groupby(agency or zone_id).size(): the household count alone
Each run is a fresh Python process. Time is the median of --runs runs; memory is the child's peak
resident set size (``VmHWM``, largest over the runs), reset after the frames were made (Linux
``/proc/self/clear_refs``), so "at start" is the RSS holding the frames and "growth" is what the
measured step added at its peak. Both modes run in this run on the same data, so the
ratios do not depend on the machine. Target: time <= 1.3x the baseline.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_files import peak_rss_kib  # noqa: E402  (same measurement as the import bench)

TARGET_TIME = 1.3  # landmap / baseline, at most
MODES = ("baseline", "landmap")
PAD = 0.3  # each zone's box is widened by this share on every side


def make_frames(n: int, seed: int = 42) -> tuple[Any, Any, Any]:
    """(households, zones, plots): ``n`` generated households and the demo's zones and plots."""
    import geopandas as gpd
    import numpy as np
    import shapely

    from gis.demo import build_demo

    demo = build_demo(seed=seed)
    zones, plots, base = demo["tenure_zones"], demo["plots"], demo["households"]
    rng = np.random.default_rng(seed)
    boxes = shapely.bounds(np.asarray(zones.geometry.array, dtype=object))
    pick = boxes[rng.integers(0, len(boxes), n)]
    width, height = pick[:, 2] - pick[:, 0], pick[:, 3] - pick[:, 1]
    x = pick[:, 0] - PAD * width + rng.random(n) * (1 + 2 * PAD) * width
    y = pick[:, 1] - PAD * height + rng.random(n) * (1 + 2 * PAD) * height
    columns = ["plot_id", "village_code", "members", "elderly", "disabled", "bedridden",
               "children", "monthly_income", "dwelling_status"]
    attrs = base[columns].iloc[rng.integers(0, len(base), n)].reset_index(drop=True)
    households = gpd.GeoDataFrame(attrs, geometry=shapely.points(x, y), crs=4326)
    return households, zones, plots


def reset_peak_rss() -> None:
    """Start the peak RSS over from the current RSS (Linux ≥ 4.0), so that the peak measures
    the timed step and not the generation of the frames before it."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass  # elsewhere the peak includes the generation in both modes alike


def child(mode: str, n: int, by: str) -> dict[str, Any]:
    """One measured run in this (fresh) process."""
    import geopandas as gpd

    from gis.overlay import household_table

    households, zones, plots = make_frames(n)
    reset_peak_rss()
    start_rss = peak_rss_kib()
    start = time.perf_counter()
    if mode == "landmap":
        table = household_table(households, zones, by=by, plots=plots)  # type: ignore[arg-type]
        seconds = time.perf_counter() - start
        key = "agency" if by == "agency" else "zone"
        inside = table.loc[table["state_land"]]
        counts = {str(k): int(v) for k, v in zip(inside[key], inside["households"],
                                                   strict=True)}
        outside = int(table.loc[~table["state_land"], "households"].sum())
    else:
        key = "agency" if by == "agency" else "zone_id"
        joined = gpd.sjoin(households, zones[["zone_id", "agency", "geometry"]],
                           predicate="within")
        size = joined.groupby(key).size()
        seconds = time.perf_counter() - start
        counts = {str(k): int(v) for k, v in size.items()}
        outside = n - joined.index.nunique()
    return {"seconds": seconds, "rss_kib": peak_rss_kib(), "start_rss_kib": start_rss,
            "counts": counts, "outside": outside}


def run_child(mode: str, n: int, by: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", mode, str(n), by],
                          check=False, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"error: the {mode} run failed")
    measured: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench overlay", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=1_000_000,
                        help="household points (default 1000000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--by", choices=("agency", "zone"), default="agency")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "N", "BY"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, n, by = args.child
        print(json.dumps(child(mode, int(n), by)))
        return 0

    rows: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
    for run in range(args.runs):
        for mode in MODES:  # interleaved, so that a busy moment hurts both alike
            print(f"  {mode} run {run + 1}/{args.runs}: ", end="", flush=True)
            rows[mode].append(run_child(mode, args.households, args.by))
            print(f"{rows[mode][-1]['seconds']:.2f} s", flush=True)

    base, mine = rows["baseline"][0], rows["landmap"][0]
    # The baseline counts (household, zone) pairs; by agency that equals households per agency
    # as long as no two zones of one agency overlap, which holds for the demo.
    same = base["counts"] == mine["counts"] and base["outside"] == mine["outside"]
    print(f"\nhouseholds × tenure zones by {args.by}, {args.households:,} households, "
          f"{args.runs} run(s) per mode, each in a fresh process")
    zoned = args.households - mine["outside"]
    print(f"same household counts in both modes: {'yes' if same else 'NO'} ({zoned:,} in a "
          f"zone, {sum(mine['counts'].values()) - zoned:,} of them counted in two rows; "
          f"{mine['outside']:,} on no state land)")
    print(f"{'mode':<9} {'median s':>9} {'rss MiB':>8} {'at start':>9} {'growth':>7}")
    for mode in MODES:
        runs = rows[mode]
        print(f"{mode:<9} {statistics.median(r['seconds'] for r in runs):>9.3f} "
              f"{max(r['rss_kib'] for r in runs) / 1024:>8.0f} "
              f"{max(r['start_rss_kib'] for r in runs) / 1024:>9.0f} "
              f"{max(r['rss_kib'] - r['start_rss_kib'] for r in runs) / 1024:>7.0f}")
    t_ratio = (statistics.median(r["seconds"] for r in rows["landmap"])
               / statistics.median(r["seconds"] for r in rows["baseline"]))
    m_ratio = max(r["rss_kib"] for r in rows["landmap"]) / max(
        r["rss_kib"] for r in rows["baseline"])
    growth = max(r["rss_kib"] - r["start_rss_kib"] for r in rows["landmap"]) / max(
        max(r["rss_kib"] - r["start_rss_kib"] for r in rows["baseline"]), 1)
    met = t_ratio <= TARGET_TIME and same
    print(f"\nratios landmap / baseline (lower is better; target: time <= {TARGET_TIME}x)")
    print(f"time {t_ratio:5.2f}x   peak rss {m_ratio:5.2f}x   rss growth {growth:5.2f}x   "
          f"{'target met' if met else 'TARGET MISSED'}")
    return 0 if met or not args.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
