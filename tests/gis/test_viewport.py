"""gis.viewport: only what is in view, capped, scoped and redacted, goes to the browser."""

from __future__ import annotations

import json
from collections.abc import Iterator

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, box

from gis.privacy import Audience, Role, scope_of
from gis.store import Store, open_store
from gis.viewport import (
    DETAIL_ZOOM,
    find_places,
    home_bbox,
    map_view,
    to_geojson,
    village_summary,
    zoom_for,
)

VILLAGE = "27040103"
ADMIN = Audience("a", Role.ADMIN)
SURVEYOR = Audience("s", Role.SURVEYOR, frozenset({VILLAGE}))
AGENCY = Audience("g", Role.AGENCY_VIEWER, frozenset({"2704"}))


@pytest.fixture(scope="module")
def demo(demo_gpkg: str) -> Iterator[Store]:
    store = open_store(demo_gpkg, create=False)
    yield store
    store.close()


def _village_bbox(store: Store, code: str) -> tuple[float, float, float, float]:
    v = store.read("villages", where={"village_code": code})
    minx, miny, maxx, maxy = v.total_bounds
    return (float(minx), float(miny), float(maxx), float(maxy))


def test_zoomed_out_sends_summaries_not_households(demo: Store) -> None:
    bbox = home_bbox(demo, ADMIN)
    assert bbox is not None
    view = map_view(demo, ADMIN, bbox=bbox, zoom=DETAIL_ZOOM - 3)
    households = view.layer("households")
    assert households.mode == "summary" and households.reason == "zoom"
    assert households.geojson["features"] == []
    assert households.count == demo.counts()["households"]
    totals = {f["properties"]["village_code"]: f["properties"]["households"]
              for f in view.summary["features"]}
    assert sum(totals.values()) == demo.counts()["households"]


def test_zoomed_in_sends_features_in_view_only(demo: Store) -> None:
    bbox = _village_bbox(demo, VILLAGE)
    view = map_view(demo, ADMIN, bbox=bbox, zoom=DETAIL_ZOOM + 1)
    households = view.layer("households")
    assert households.mode == "features"
    box = shapely.box(*bbox)
    points = [shapely.geometry.shape(f["geometry"]) for f in households.geojson["features"]]
    assert points and all(box.buffer(1e-6).intersects(p) for p in points)
    assert len(points) < demo.counts()["households"]
    assert households.count == len(points)
    first = households.geojson["features"][0]
    assert first["id"] == first["properties"]["uid"]


def test_cap_turns_a_crowded_view_into_a_summary(demo: Store) -> None:
    bbox = home_bbox(demo, ADMIN)
    assert bbox is not None
    view = map_view(demo, ADMIN, bbox=bbox, zoom=DETAIL_ZOOM, cap=100)
    assert view.layer("households").mode == "summary"
    assert view.layer("households").reason == "cap"
    assert view.layer("villages").mode == "features"  # 11 villages: under the cap


def test_surveyor_gets_only_their_village_and_no_sensitive_values(demo: Store) -> None:
    bbox = home_bbox(demo, ADMIN)
    assert bbox is not None
    view = map_view(demo, SURVEYOR, bbox=bbox, zoom=DETAIL_ZOOM + 1)
    households = view.layer("households")
    codes = {f["properties"]["village_code"] for f in households.geojson["features"]}
    assert codes == {VILLAGE}
    assert "national_id" not in households.fields
    payload = json.dumps(households.geojson, ensure_ascii=False)
    ids = demo.read("households", where={"village_code": VILLAGE})["national_id"].dropna()
    assert not any(i in payload for i in ids)
    assert [f["properties"]["village_code"] for f in view.summary["features"]] == [VILLAGE]


def test_agency_viewer_payload_has_no_personal_value(demo: Store) -> None:
    bbox = home_bbox(demo, AGENCY)
    assert bbox is not None
    view = map_view(demo, AGENCY, bbox=bbox, zoom=18)
    assert view.layer("households").mode == "hidden"
    assert view.layer("households").reason == "privacy"
    payload = json.dumps([v.geojson for v in view.layers] + [view.summary], ensure_ascii=False)
    people = demo.read("households")
    for column in ("head_name", "national_id", "phone", "household_id"):
        values = [v for v in people[column].dropna().astype(str) if len(v) > 3]
        assert not any(v in payload for v in values), column


def test_summary_counts_below_three_are_suppressed_for_outsiders(tmp_path: object) -> None:
    # A real store with one village of 2 households and one of 5.
    path = f"{tmp_path}/small.gpkg"
    store = open_store(path, create=True)
    try:
        villages = gpd.GeoDataFrame({
            "village_code": ["27040103", "27040105"], "name_th": ["ก", "ข"],
            "tambon_code": ["270401", "270401"],
        }, geometry=[MultiPolygon([box(0, 0, 1, 1)]), MultiPolygon([box(1, 0, 2, 1)])],
            crs=4326)
        store.write("villages", villages, user="t")
        homes = gpd.GeoDataFrame({
            "household_id": [f"h{i}" for i in range(7)],
            "village_code": ["27040103"] * 2 + ["27040105"] * 5,
            "head_name": [f"n{i}" for i in range(7)], "consent": [True] * 7,
        }, geometry=[Point(0.5, 0.5)] * 2 + [Point(1.5, 0.5)] * 5, crs=4326)
        store.write("households", homes, user="t")
        outside = village_summary(store, AGENCY, scope_of(store, AGENCY))
        inside = village_summary(store, ADMIN, scope_of(store, ADMIN))
    finally:
        store.close()
    counts = {f["properties"]["village_code"]: f["properties"]["households"]
              for f in outside["features"]}
    assert counts == {"27040103": None, "27040105": 5}
    assert {f["properties"]["village_code"]: f["properties"]["households"]
            for f in inside["features"]} == {"27040103": 2, "27040105": 5}


def test_search_finds_villages_and_households_in_scope(demo: Store) -> None:
    hits = find_places(demo, ADMIN, "บ้านดง")
    assert hits and all(h.layer == "villages" for h in hits)
    assert all("ดง" in h.label("th") for h in hits)
    hid = demo.read("households", where={"village_code": VILLAGE})["household_id"].iloc[0]
    assert [h.code for h in find_places(demo, SURVEYOR, hid)] == [hid]
    other = demo.read("households", where={"village_code": "27040501"})["household_id"].iloc[0]
    assert find_places(demo, SURVEYOR, other) == []
    assert all(h.layer == "villages" for h in find_places(demo, AGENCY, other[:8]))


def test_geojson_rounds_coordinates_and_drops_other_fields(demo: Store) -> None:
    frame = demo.read("households", where={"village_code": VILLAGE}).head(3)
    out = to_geojson(frame, ("house_condition",))
    text = json.dumps(out)
    assert "head_name" not in text
    for feature in out["features"]:
        x, y = feature["geometry"]["coordinates"]
        assert round(x, 6) == x and round(y, 6) == y
        assert set(feature["properties"]) == {"uid", "house_condition"}


def test_zoom_for_fits_boxes() -> None:
    assert zoom_for((100.0, 13.0, 101.0, 14.0)) in (8, 9)
    assert zoom_for((102.16, 13.52, 102.17, 13.524)) >= 15
