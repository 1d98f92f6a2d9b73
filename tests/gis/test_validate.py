"""gis.validate on real shapes: duplicates, overlapping plots, locations outside their village."""

from __future__ import annotations

from collections.abc import Iterator

import geopandas as gpd
import pytest
from shapely import affinity

from gis.store import Store, open_store
from gis.validate import validate
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


def test_households_outside_their_village_are_warned(demo: Store) -> None:
    homes = demo.read("households", where={"village_code": "27040103"}).head(3)
    homes = gpd.GeoDataFrame(homes.reset_index(drop=True), geometry="geometry", crs=4326)
    assert codes(validate(homes, LAYERS["households"], store=demo), "outside_village") == []
    homes.loc[1, "geometry"] = affinity.translate(homes.geometry.iloc[1], xoff=0.05)  # ~5 km
    assert codes(validate(homes, LAYERS["households"], store=demo),
                 "outside_village") == [(2, "warning")]
