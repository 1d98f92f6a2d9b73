"""The map page per rerun: viewport mode against the naive "whole layer into folium" mode.

What one rerun of the map page costs the server, measured the way the page does it:
    viewport  gis.viewport.map_view (SQL counts, one bbox read, privacy gate) → ui.mapview
              build_map → the HTML st_folium sends to the browser
    naive     store.read(whole layer) → folium.GeoJson of every household with a tooltip →
              the HTML, i.e. the widget-gallery way
Time is the median of --runs reruns (wall clock, this process); bytes are the UTF-8 size of
the map HTML, which is what travels over the websocket. Both are measured in this run on the
same store, so the ratios do not depend on the machine.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

# ui/ imports streamlit, which warns about running without a server: expected here.
logging.getLogger("streamlit").setLevel(logging.ERROR)

from gis.demo import build_demo  # noqa: E402
from gis.privacy import Audience, Role  # noqa: E402
from gis.store import Store, open_store  # noqa: E402
from gis.viewport import DETAIL_ZOOM, FEATURE_CAP, map_view  # noqa: E402
from ui.assets import local_assets  # noqa: E402
from ui.mapview import build_map  # noqa: E402

TARGET_TIME, TARGET_BYTES = 10.0, 20.0
VIEW_PX = (800, 600)  # a laptop map; a phone shows less
MODES: dict[int, str] = {}  # zoom → what the viewport did with households, for the report


def make_store(path: Path, households: int, seed: int = 42) -> None:
    """The demo's villages and zones, and ``households`` households spread around the demo's
    own house points (so density follows the villages, as in a real district)."""
    demo = build_demo(seed=seed)
    base = demo["households"]
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(base), households)
    frame = base.iloc[pick].reset_index(drop=True).copy()
    xy = shapely.get_coordinates(np.asarray(frame.geometry.array, dtype=object))
    xy = xy + rng.normal(0.0, 0.01, xy.shape)  # about 1 km around each demo house
    frame["geometry"] = shapely.points(xy)
    frame["uid"] = [str(uuid.UUID(int=int(rng.integers(0, 2**63)) << 64 | i))
                    for i in range(households)]
    frame["household_id"] = [f"B{i:06d}" for i in range(households)]
    store = open_store(str(path), create=True)
    try:
        for name in ("admin", "villages", "tenure_zones", "plots"):
            store.write(name, demo[name], user="bench")
        store.write("households", gpd.GeoDataFrame(frame, geometry="geometry", crs=4326),
                    user="bench")
    finally:
        store.close()


def view_bbox(lon: float, lat: float, zoom: int) -> tuple[float, float, float, float]:
    deg_per_px = 360.0 / (256 * 2**zoom)
    half_w = VIEW_PX[0] / 2 * deg_per_px
    half_h = VIEW_PX[1] / 2 * deg_per_px * np.cos(np.radians(lat))
    return (lon - half_w, lat - half_h, lon + half_w, lat + half_h)


def viewport_rerun(store: Store, audience: Audience, bbox: tuple[float, float, float, float],
                   zoom: int) -> tuple[str, int]:
    view = map_view(store, audience, bbox=bbox, zoom=zoom)
    centre = ((bbox[1] + bbox[3]) / 2, (bbox[0] + bbox[2]) / 2)
    html = build_map(view, "th", center=centre, zoom=zoom).get_root().render()
    sent = sum(v.count for v in view.layers if v.mode == "features")
    households = view.layer("households")
    MODES[zoom] = (f"households: {households.count:,} in view, "
                   f"{households.mode}{f' ({households.reason})' if households.reason else ''}")
    return html, sent


def naive_rerun(store: Store, centre: tuple[float, float], zoom: int) -> tuple[str, int]:
    frame = store.read("households")
    frame = frame.drop(columns=["extra"])
    for column in frame.columns:
        if column != "geometry" and not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].astype("string")
    m = folium.Map(location=centre, zoom_start=zoom, tiles=None)
    fields = ["household_id", "village_code", "house_condition"]
    folium.GeoJson(frame, tooltip=folium.GeoJsonTooltip(fields=fields)).add_to(m)
    return m.get_root().render(), len(frame)


def measure(run: Callable[[], tuple[str, int]], runs: int) -> tuple[float, int, int]:
    times, size, sent = [], 0, 0
    for _ in range(runs):
        start = time.perf_counter()
        html, sent = run()
        times.append(time.perf_counter() - start)
        size = len(html.encode("utf-8"))
    return statistics.median(times), size, sent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench map", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--store", type=Path, help="reuse (or create) this GeoPackage")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    local_assets()

    with tempfile.TemporaryDirectory(prefix="landmap-bench-") as tmp:
        path = args.store or Path(tmp) / "bench.gpkg"
        if not path.exists():
            print(f"making a store of {args.households:,} households: {path}", flush=True)
            start = time.perf_counter()
            make_store(path, args.households)
            print(f"  written in {time.perf_counter() - start:.1f} s", flush=True)
        store = open_store(str(path), create=False)
        try:
            total = store.counts()["households"]
            audience = Audience("bench", Role.ADMIN)  # sees everything: the heaviest payload
            villages = store.read("villages")
            # The map opened on the village with most households, zoomed in to see houses.
            per_village = store.count_by("households", "village_code")
            busiest = max(per_village, key=lambda k: per_village[k])
            centre_pt = villages.loc[villages["village_code"] == busiest].geometry.iloc[0]
            centre_pt = centre_pt.representative_point()
            lon, lat = centre_pt.x, centre_pt.y
            # The heaviest view the app draws house by house: the lowest zoom at which the
            # households in view are under the cap.
            zoom = next(z for z in range(DETAIL_ZOOM, 20) if sum(store.count_by(
                "households", bbox=view_bbox(lon, lat, z)).values()) <= FEATURE_CAP)
            bbox = view_bbox(lon, lat, zoom)
            wide = view_bbox(lon, lat, zoom - 1)
            overview = view_bbox(lon, lat, DETAIL_ZOOM - 3)

            rows = [
                (f"viewport, zoom {zoom - 1}",
                 measure(lambda: viewport_rerun(store, audience, wide, zoom - 1), args.runs)),
                (f"viewport, zoom {zoom}",
                 measure(lambda: viewport_rerun(store, audience, bbox, zoom), args.runs)),
                (f"viewport, zoom {DETAIL_ZOOM - 3}",
                 measure(lambda: viewport_rerun(store, audience, overview, DETAIL_ZOOM - 3),
                         args.runs)),
                ("naive: whole layer into folium",
                 measure(lambda: naive_rerun(store, (lat, lon), zoom), max(1, args.runs // 2))),
            ]
        finally:
            store.close()

    print(f"\nmap page per rerun, {total:,} households in the store, view {VIEW_PX[0]}x"
          f"{VIEW_PX[1]} px")
    print(f"{'mode':<38} {'median s':>9} {'bytes':>12} {'features':>9}")
    for name, (seconds, size, sent) in rows:
        print(f"{name:<38} {seconds:>9.3f} {size:>12,} {sent:>9,}")
    for zoom, note in sorted(MODES.items(), reverse=True):
        print(f"  zoom {zoom}: {note}")
    naive_s, naive_b, _ = rows[-1][1]
    ok = True
    print("\nratios against the naive mode (higher is better; targets: time >= "
          f"{TARGET_TIME:.0f}x, bytes >= {TARGET_BYTES:.0f}x)")
    for name, (seconds, size, _) in rows[:-1]:
        t_ratio, b_ratio = naive_s / seconds, naive_b / size
        met = t_ratio >= TARGET_TIME and b_ratio >= TARGET_BYTES
        ok &= met
        print(f"{name:<38} time {t_ratio:7.1f}x   bytes {b_ratio:8.1f}x   "
              f"{'target met' if met else 'TARGET MISSED'}")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
