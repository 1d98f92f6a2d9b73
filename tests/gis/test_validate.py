"""gis.validate on real shapes: duplicates, overlapping plots, locations outside their village or
plot (with metres of GPS slack), plot ids missing from the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer
from shapely import affinity

from gis.store import Store, open_store
from gis.validate import METRIC, validate
from layers import LAYERS


@pytest.fixture(scope="module")
def demo(demo_gpkg: str) -> Iterator[Store]:
    store = open_store(demo_gpkg, create=False)
    yield store
    store.close()


def codes(issues: list, code: str) -> list[tuple[int | None, str]]:  # type: ignore[type-arg]
    return [(i.row, i.severity.value) for i in issues if i.code == code]


def test_duplicate_ids_are_errors_on_the_repeats(demo: Store) -> None:
    homes = demo.read("households").head(4).copy()
    homes.loc[homes.index[2], "household_id"] = homes["household_id"].iloc[0]
    found = validate(homes, LAYERS["households"], rows=[10, 11, 12, 13])
    assert codes(found, "duplicate_id") == [(12, "error")]
    assert found[0].message_th and homes["household_id"].iloc[0] in found[0].message_en


def test_overlapping_plots_are_flagged_but_neighbours_are_not(demo: Store) -> None:
    plots = demo.read("plots", where={"village_code": "27040103"}).head(6).reset_index(drop=True)
    assert codes(validate(plots, LAYERS["plots"]), "overlapping_plots") == []  # real neighbours
    moved = plots.copy()
    first = moved.geometry.iloc[0]
    width = first.bounds[2] - first.bounds[0]
    moved.loc[5, "geometry"] = affinity.translate(first, xoff=width * 0.3)  # 70% on plot 1
    found = codes(validate(moved, LAYERS["plots"]), "overlapping_plots")
    assert (6, "warning") in found


def test_overlaps_found_on_two_threads_are_those_found_on_one(
        demo: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every demo plot, a tenth of them shifted onto a neighbour: the pairs found with the
    DE-9IM test split over threads are exactly those found in one call."""
    from gis import validate as module

    plots = demo.read("plots").reset_index(drop=True)
    metric = module.to_metric(plots.geometry.to_numpy())
    rng = np.random.default_rng(42)
    for i in rng.choice(len(metric), len(metric) // 10, replace=False):
        metric[i] = affinity.translate(metric[i], xoff=float(rng.uniform(-15, 15)))
    monkeypatch.setattr(module, "THREAD_MIN_PAIRS", 10**9)
    one = module.overlap_pairs(metric)
    monkeypatch.setattr(module, "THREAD_MIN_PAIRS", 1)
    monkeypatch.setattr(module, "THREADS", 3)
    monkeypatch.setattr(module.os, "cpu_count", lambda: 3)
    split = module.overlap_pairs(metric)
    assert len(one[0]) > 20  # the shifted plots do overlap their neighbours
    for a, b in zip(one, split, strict=True):
        np.testing.assert_array_equal(a, b)


def test_households_outside_their_village_are_warned(demo: Store) -> None:
    homes = demo.read("households", where={"village_code": "27040103"}).head(3)
    homes = gpd.GeoDataFrame(homes.reset_index(drop=True), geometry="geometry", crs=4326)
    assert codes(validate(homes, LAYERS["households"], store=demo), "outside_village") == []
    homes.loc[1, "geometry"] = affinity.translate(homes.geometry.iloc[1], xoff=0.05)  # ~5 km
    assert codes(validate(homes, LAYERS["households"], store=demo),
                 "outside_village") == [(2, "warning")]


def _east_of(plot: shapely.Geometry, metres: float) -> shapely.Point:
    """A point ``metres`` east of the easternmost corner of ``plot`` (measured in UTM 47N)."""
    to_utm = Transformer.from_crs(4326, METRIC, always_xy=True)
    back = Transformer.from_crs(METRIC, 4326, always_xy=True)
    xs, ys = to_utm.transform(*np.asarray(plot.exterior.coords if plot.geom_type == "Polygon"
                                          else plot.geoms[0].exterior.coords).T)
    east = int(np.argmax(xs))
    return shapely.Point(back.transform(xs[east] + metres, ys[east]))


def test_households_outside_their_plot_are_warned_with_gps_slack(demo: Store) -> None:
    homes = gpd.GeoDataFrame(
        demo.read("households", where={"village_code": "27040103"}).head(4)
        .reset_index(drop=True), geometry="geometry", crs=4326)
    assert codes(validate(homes, LAYERS["households"], store=demo), "outside_plot") == []
    plots = demo.read("plots", where={"plot_id": homes["plot_id"].tolist()})
    outline = dict(zip(plots["plot_id"], plots.geometry, strict=True))
    homes.loc[0, "geometry"] = _east_of(outline[homes["plot_id"].iloc[0]], 3)  # GPS error
    homes.loc[2, "geometry"] = _east_of(outline[homes["plot_id"].iloc[2]], 12)  # next door
    found = validate(homes, LAYERS["households"], store=demo, rows=[5, 6, 7, 8])
    assert codes(found, "outside_plot") == [(7, "warning")]
    (outside,) = [i for i in found if i.code == "outside_plot"]
    assert homes["plot_id"].iloc[2] in outside.message_en
    assert homes["plot_id"].iloc[2] in outside.message_th
    assert outside.field == "plot_id" and outside.fix_en == "check the plot id or the location"


def test_a_plot_id_not_in_the_store_is_warned(demo: Store) -> None:
    homes = gpd.GeoDataFrame(
        demo.read("households", where={"village_code": "27040103"}).head(3)
        .reset_index(drop=True), geometry="geometry", crs=4326)
    homes.loc[1, "plot_id"] = "27040103-P9999"
    homes.loc[2, "plot_id"] = None  # no plot given: nothing to check
    found = validate(homes, LAYERS["households"], store=demo)
    assert codes(found, "unknown_plot") == [(2, "warning")]
    assert codes(found, "outside_plot") == []
    (unknown,) = [i for i in found if i.code == "unknown_plot"]
    assert "27040103-P9999" in unknown.message_en and unknown.message_th and unknown.fix_th


def test_plots_outside_their_village_are_warned(demo: Store) -> None:
    plots = gpd.GeoDataFrame(
        demo.read("plots", where={"village_code": "27040103"}).head(3).reset_index(drop=True),
        geometry="geometry", crs=4326)
    assert codes(validate(plots, LAYERS["plots"], store=demo), "outside_village") == []
    plots.loc[2, "geometry"] = affinity.translate(plots.geometry.iloc[2], yoff=0.05)  # ~5 km
    assert codes(validate(plots, LAYERS["plots"], store=demo),
                 "outside_village") == [(3, "warning")]


def test_no_unknown_plot_where_the_village_has_no_plots_yet(demo: Store, tmp_path: Path) -> None:
    from gis.store import open_store

    homes = gpd.GeoDataFrame(
        demo.read("households", where={"village_code": "27040103"}).head(3)
        .reset_index(drop=True), geometry="geometry", crs=4326)
    homes.loc[1, "village_code"] = "27040199"  # a village with no plots mapped
    homes.loc[1, "plot_id"] = "27040199-P0001"
    homes.loc[0, "plot_id"] = "27040103-P9999"  # its village has plots: this one is unknown
    found = validate(homes, LAYERS["households"], store=demo)
    assert codes(found, "unknown_plot") == [(1, "warning")]
    empty = open_store(str(tmp_path / "empty.gpkg"), create=True)
    try:  # households surveyed before any plot was mapped: nothing to say about plot ids
        assert codes(validate(homes, LAYERS["households"], store=empty), "unknown_plot") == []
    finally:
        empty.close()


def test_official_areas_not_in_rai_ngan_wa_are_warned(demo: Store) -> None:
    plots = demo.read("plots", where={"village_code": "27040103"}).head(7).reset_index(drop=True)
    plots["official_area"] = ["2-1-50", "๒-๑-๕๐.๕", "2 ไร่ 1 งาน 50 ตร.ว.", None, "  ",
                              "2-4-10", "ประมาณ 2 ไร่"]
    found = validate(plots, LAYERS["plots"], rows=range(21, 28), file="plots.csv")
    assert codes(found, "bad_official_area") == [(26, "warning"), (27, "warning")]
    bad = [i for i in found if i.code == "bad_official_area"]
    assert {i.field for i in bad} == {"official_area"}
    assert "'2-4-10'" in bad[0].message_th and "'2-4-10'" in bad[0].message_en
    assert "ไร่-งาน-ตารางวา" in bad[0].message_th and "rai-ngan-wa" in bad[0].message_en
    assert "2-1-50" in bad[0].fix_th and "2-1-50" in bad[0].fix_en
    assert bad[1].as_json()["row"] == 27 and "ประมาณ 2 ไร่" in bad[1].message_en
