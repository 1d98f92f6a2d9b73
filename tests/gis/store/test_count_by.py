"""Store.count_by: counts in SQL with read()'s filters, the same over both backends."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from gis.errors import StoreError
from gis.store import Store


def _homes(store: Store) -> list[str]:
    frame = gpd.GeoDataFrame({
        "household_id": [f"h{i}" for i in range(6)],
        "village_code": ["27040103"] * 4 + ["27040105"] * 2,
        "head_name": [f"n{i}" for i in range(6)], "consent": [True] * 6,
        "house_condition": ["poor", "poor", "good", None, "good", "poor"],
    }, geometry=[Point(102.0 + i * 0.01, 13.5) for i in range(6)], crs=4326)
    return store.write("households", frame, user="t").uids


def test_count_by_matches_read(store: Store) -> None:
    uids = _homes(store)
    assert store.count_by("households") == {None: 6}
    assert store.count_by("households", "village_code") == {"27040103": 4, "27040105": 2}
    assert store.count_by("households", "house_condition",
                          where={"village_code": "27040103"}) == {"poor": 2, "good": 1, None: 1}
    bbox = (101.995, 13.49, 102.025, 13.51)
    assert store.count_by("households", bbox=bbox) == {None: len(store.read("households",
                                                                           bbox=bbox))} == {None: 3}
    store.delete("households", uids[:1], {uids[0]: 1}, user="t")
    assert store.count_by("households", "village_code") == {"27040103": 3, "27040105": 2}
    assert store.count_by("households", where={"village_code": []}) == {}


def test_count_by_refuses_unknown_names(store: Store) -> None:
    with pytest.raises(KeyError):
        store.count_by("households", "no_such_field")
    with pytest.raises(StoreError):
        store.count_by("no_such_layer")
