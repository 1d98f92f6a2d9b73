"""ui.mapview: what a MapView becomes in the browser — labels once per layer, no value the user
may not see, every value escaped, legend and summaries in the user's language."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import pytest
from streamlit_folium import _get_map_string, generate_js_hash

from gis.privacy import Audience, Role
from gis.store import open_store
from gis.viewport import DETAIL_ZOOM, LayerView, MapView, map_view
from layers import LAYERS
from ui import mapspec, mapview

HOUSEHOLD_FIELDS = ("household_id", "house_no", "village_code", "members", "dwelling_status",
                    "house_condition", "needs_repair", "survey_date")


def fc(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def square(x: float, y: float, d: float = 0.001) -> dict[str, Any]:
    return {"type": "Polygon",
            "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


def household(i: int, **props: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "uid": f"h{i}", "household_id": f"H{i:03d}", "house_no": f"{i}/1",
        "village_code": "27040101", "members": 3 + i, "dwelling_status": "own_house",
        "house_condition": ("good", "poor", None)[i % 3], "needs_repair": i % 2 == 0,
        "survey_date": "2025-03-01",
    }
    values.update(props)
    return {"type": "Feature", "id": f"h{i}",
            "geometry": {"type": "Point", "coordinates": [102.0 + i * 1e-4, 14.0]},
            "properties": values}


def plot(i: int, **props: Any) -> dict[str, Any]:
    values = {"uid": f"p{i}", "plot_id": f"P{i}", "land_owner": "treasury", **props}
    return {"type": "Feature", "id": f"p{i}", "geometry": square(102.0 + i * 0.002, 14.0),
            "properties": values}


def village(code: str, households: int | None, plots: int | None) -> dict[str, Any]:
    return {"type": "Feature", "id": code, "geometry": square(102.0, 14.0, 0.02),
            "properties": {"village_code": code, "name_th": "บ้านหนองผักแว่น",
                           "name_en": "Ban Nong Phak Waen", "households": households,
                           "plots": plots}}


def features_view(households: list[dict[str, Any]],
                  fields: tuple[str, ...] = HOUSEHOLD_FIELDS) -> MapView:
    return MapView(
        bbox=(101.99, 13.99, 102.01, 14.01), zoom=17,
        layers=(
            LayerView("plots", "features", fc([plot(1), plot(2)]),
                      ("plot_id", "land_owner"), 2),
            LayerView("households", "features", fc(households), fields, len(households)),
        ),
        summary=fc([village("27040101", 3, 2)]),
    )


def summary_view(reason: str = "zoom", households: int | None = 168) -> MapView:
    return MapView(
        bbox=(101.9, 13.9, 102.1, 14.1), zoom=12,
        layers=(
            LayerView("villages", "features", fc([]), ("village_code", "name_th"), 0),
            LayerView("plots", "summary", fc([]), ("plot_id",), 500, "zoom"),
            LayerView("households", "hidden" if reason == "privacy" else "summary", fc([]),
                      (), 0 if reason == "privacy" else 4000, reason),
        ),
        summary=fc([village("27040101", households, None), village("27040102", 1, 2)]),
    )


def render(view: MapView, lang: str = "th") -> str:
    m = mapview.build_map(view, lang, center=(14.0, 102.0), zoom=view.zoom)
    return str(m.get_root().render())


def test_field_and_vocabulary_labels_are_sent_once_per_layer() -> None:
    html = render(features_view([household(i) for i in range(3)]))
    spec = LAYERS["households"]
    for name in ("house_no", "members", "dwelling_status", "needs_repair"):
        assert html.count(spec.field(name).label("th")) == 1, name
    own_house = spec.field("dwelling_status").vocabulary.label("own_house", "th")
    assert html.count(own_house) == 1
    # Per feature only codes travel: each feature says "own_house", none says its label.
    assert html.count('"dwelling_status":"own_house"') == 3


def test_a_field_the_user_may_not_see_is_nowhere_in_the_map() -> None:
    # The viewport query left head_name out of the fields and the properties (privacy).
    hidden = [household(i) for i in range(3)]
    html = render(features_view(hidden))
    assert LAYERS["households"].field("head_name").label("th") not in html
    assert "head_name" not in html
    # …whereas when the audience may see it, it is there, labelled once.
    shown = [household(i, head_name=f"นางสมศรี {i}") for i in range(3)]
    html = render(features_view(shown, (*HOUSEHOLD_FIELDS, "head_name")))
    assert html.count(LAYERS["households"].field("head_name").label("th")) == 1
    assert "นางสมศรี 2" in html


def test_values_cannot_break_out_of_the_script() -> None:
    evil = "</script><script>alert('x')</script><img src=x onerror=alert(1)>"
    view = features_view([household(1, house_no=evil)])
    html = render(view)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert('x')" in html
    # The escaped text is still the same string once parsed as JSON.
    assert json.loads(mapspec.to_js(evil)) == evil


def test_popups_are_built_as_text_in_the_browser() -> None:
    script = (Path(mapview.__file__).parents[1] / "static" / "landmap" / "map.js").read_text()
    assert "innerHTML" not in script
    assert "textContent" in script


def test_layer_spec_labels_in_the_users_language() -> None:
    lv = features_view([household(1)]).layer("households")
    th, en = mapspec.layer_spec(lv, "th"), mapspec.layer_spec(lv, "en")
    assert th["title"] == "ครัวเรือน" and en["title"] == "Households"
    assert dict((f[0], f[1]) for f in en["fields"])["needs_repair"] == "Needs repair"
    assert dict((f[0], f[2]) for f in th["fields"]) == {
        "household_id": "s", "house_no": "s", "village_code": "s", "members": "n",
        "dwelling_status": "v", "house_condition": "v", "needs_repair": "b", "survey_date": "s"}
    assert th["words"] == {"yes": "ใช่", "no": "ไม่ใช่", "none": "–"}
    assert en["words"] == {"yes": "Yes", "no": "No", "none": "–"}
    assert th["style"]["by"] == "house_condition"
    assert th["style"]["colors"]["poor"] == LAYERS["households"].style.colors["poor"]


def test_not_colouring_by_a_field_the_user_may_not_see() -> None:
    lv = LayerView("households", "features", fc([household(1)]), ("household_id",), 1)
    spec = mapspec.layer_spec(lv, "th")
    assert spec["style"]["by"] is None and spec["style"]["colors"] == {}
    legend = mapspec.legend(MapView((0, 0, 1, 1), 17, (lv,), fc([])), "th")
    assert legend["sections"] == [
        {"title": None, "point": True, "items": [["#616161", "ครัวเรือน"]]}]


@pytest.mark.parametrize(("lang", "title", "good", "other"), [
    ("th", "ครัวเรือน", "ดี คงทนถาวร", "อื่น ๆ / ไม่ระบุ"),
    ("en", "Households", "Good, durable", "other / not recorded"),
])
def test_legend_lists_the_categories_in_view_in_the_users_language(
    lang: str, title: str, good: str, other: str
) -> None:
    view = features_view([household(i) for i in range(3)])  # good, poor, None
    legend = mapspec.legend(view, lang)
    households = next(s for s in legend["sections"] if s["title"] == title)
    labels = [label for _, label in households["items"]]
    poor = LAYERS["households"].field("house_condition").vocabulary.label("poor", lang)
    assert labels == [good, poor, other]  # vocabulary order; "fair" is not in view
    assert households["point"] is True
    assert legend["notes"] == []
    html = render(view, lang)
    assert good in html and title in html


def test_summary_counts_read_naturally_and_suppressed_counts_read_less_than_three() -> None:
    th = mapspec.summary_geojson(summary_view(households=None).summary, "th")
    en = mapspec.summary_geojson(summary_view(households=168).summary, "en")
    assert th["features"][0]["properties"] == {
        "label": "บ้านหนองผักแว่น", "lines": ["ครัวเรือน < 3", "แปลงที่ดิน < 3"]}
    assert en["features"][0]["properties"] == {
        "label": "Ban Nong Phak Waen", "lines": ["168 households", "< 3 land plots"]}
    assert en["features"][1]["properties"]["lines"] == ["1 household", "2 land plots"]
    assert mapspec.count_text("households", 1234, "th") == "ครัวเรือน 1,234"
    html = render(summary_view(households=None))
    assert "ครัวเรือน < 3".replace("<", "\\u003c") in html


def test_summary_mode_draws_village_outlines_and_explains_why() -> None:
    view = summary_view("zoom")
    groups = mapview.layer_groups(view, "th")
    names = [g.layer_name for g in groups]
    assert names == ["หมู่บ้าน / ชุมชน", "สรุปรายหมู่บ้าน", "legend"]
    assert mapspec.legend(view, "th")["notes"] == ["ซูมเข้าเพื่อดูแปลงที่ดินและครัวเรือน"]
    assert mapspec.legend(view, "en")["notes"] == ["Zoom in to see land plots and households."]


def test_privacy_and_cap_notes() -> None:
    notes = mapspec.legend(summary_view("privacy"), "en")["notes"]
    assert notes == ["Zoom in to see land plots.",
                     "Households: shown only as counts per village for your role."]
    cap = MapView((0, 0, 1, 1), 16, (
        LayerView("households", "summary", fc([]), (), 4000, "cap"),), fc([]))
    assert mapspec.legend(cap, "th")["notes"] == [
        "ครัวเรือนในมุมมองนี้มีมากเกินไป (4,000) ซูมเข้าเพื่อดูรายละเอียด"]


def test_groups_keep_drawing_order_and_the_legend_group_is_not_toggled() -> None:
    view = features_view([household(1)])
    groups = mapview.layer_groups(view, "en")
    assert [g.layer_name for g in groups] == ["Land plots", "Households", "legend"]
    assert [g.control for g in groups] == [True, True, False]


def test_hidden_layer_draws_nothing() -> None:
    html = render(summary_view("privacy"), "th")
    assert "household_id" not in html
    assert '"key":"households"' not in html


def test_map_has_no_tiles_by_default_and_the_basemap_when_asked() -> None:
    view = features_view([household(1)])
    plain = mapview.build_map(view, "th", center=(14.0, 102.0), zoom=16)
    assert not any(isinstance(c, folium.TileLayer) for c in plain._children.values())
    assert '"maxZoom": 20' in plain.get_root().render()  # no tiles to bound the zoom
    tiles = mapview.build_map(view, "th", center=(14.0, 102.0), zoom=16,
                              basemap="/tiles/{z}/{x}/{y}.png", attribution="© local")
    layer = next(c for c in tiles._children.values() if isinstance(c, folium.TileLayer))
    assert layer.tiles == "/tiles/{z}/{x}/{y}.png"


def test_the_map_is_kept_across_reruns_until_the_page_moves_it() -> None:
    """st_folium re-creates the map when the hash of its script changes; the view (in the
    header) and the data (feature groups) are not in that script, the generation is."""
    def script_hash(view: MapView, state: Position) -> str:
        m = mapview.page_base_map(view, state)
        m.get_root().render()
        return str(generate_js_hash(_get_map_string(m), "k"))

    here, there = features_view([household(1)]), summary_view()
    first = script_hash(here, Position(center=(14.0, 102.0), zoom=17))
    assert script_hash(there, Position(center=(15.0, 103.0), zoom=11)) == first
    assert script_hash(here, Position(center=(14.0, 102.0), zoom=17, generation=1)) != first


def test_the_map_opens_where_the_state_says_or_on_the_view() -> None:
    view = features_view([household(1)])
    m = mapview.page_base_map(view, Position(center=(14.5, 102.5), zoom=13))
    assert mapview.view_meta((14.5, 102.5), 13) in m.get_root().header.render()
    m = mapview.page_base_map(view, Position())
    assert mapview.view_meta((14.0, 102.0), 17) in m.get_root().header.render()


def test_view_meta_is_escaped_json() -> None:
    meta = mapview.view_meta((14.123456789, 102.5), 15)
    assert meta == ('<meta name="landmap-view" content="{&quot;lat&quot;: 14.1234568, '
                    '&quot;lon&quot;: 102.5, &quot;zoom&quot;: 15}">')


def test_bbox_of_bounds() -> None:
    bounds = {"_southWest": {"lat": 13.9, "lng": 102.1}, "_northEast": {"lat": 14.2, "lng": 102.4}}
    assert mapview.bbox_of_bounds(bounds) == (102.1, 13.9, 102.4, 14.2)
    wide = {"_southWest": {"lat": -95, "lng": -200}, "_northEast": {"lat": 95, "lng": 200}}
    assert mapview.bbox_of_bounds(wide) == (-180.0, -90.0, 180.0, 90.0)
    first_run = {"_southWest": {"lat": None, "lng": None},
                 "_northEast": {"lat": None, "lng": None}}
    assert mapview.bbox_of_bounds(first_run) is None
    assert mapview.bbox_of_bounds(None) is None
    assert mapview.bbox_of_bounds({}) is None


@dataclass
class Position:
    center: tuple[float, float] | None = None
    zoom: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    generation: int = 0


def test_update_state_takes_what_the_browser_reported() -> None:
    state = Position(center=(1.0, 2.0), zoom=9, bbox=(0, 0, 1, 1))
    mapview.update_state(state, {
        "bounds": {"_southWest": {"lat": 13.9, "lng": 102.1},
                   "_northEast": {"lat": 14.2, "lng": 102.4}},
        "zoom": 15, "center": {"lat": 14.05, "lng": 102.25}})
    assert state == Position(center=(14.05, 102.25), zoom=15, bbox=(102.1, 13.9, 102.4, 14.2))
    # st_folium's first-run defaults: empty bounds and the base map's zoom. They change nothing.
    mapview.update_state(state, {"bounds": {"_southWest": {"lat": None, "lng": None},
                                            "_northEast": {"lat": None, "lng": None}},
                                 "zoom": 6})
    assert state == Position(center=(14.05, 102.25), zoom=15, bbox=(102.1, 13.9, 102.4, 14.2))


def test_move_to_bumps_the_generation_and_centres_on_the_bbox() -> None:
    state = Position(center=(1.0, 2.0), zoom=9, bbox=(0, 0, 1, 1))
    mapview.move_to("map-under-test", state, (102.0, 14.0, 102.01, 14.01))
    assert state.generation == 1
    assert state.center == pytest.approx((14.005, 102.005))
    assert state.zoom == 16
    assert state.bbox == (102.0, 14.0, 102.01, 14.01)


def test_three_thousand_households_cost_little_more_than_their_data() -> None:
    rnd = random.Random(42)
    houses = [household(i, members=rnd.randint(1, 9), head_name="นางสมศรี ใจดี",
                        house_condition=rnd.choice(["good", "fair", "poor", "dilapidated"]))
              for i in range(3000)]
    view = features_view(houses, (*HOUSEHOLD_FIELDS, "head_name"))
    html = render(view).encode()
    data = mapspec.to_js(view.layer("households").geojson).encode()
    assert len(html) < len(data) + 40_000, (len(html), len(data))


def test_a_real_viewport_draws_offline(demo_gpkg: str) -> None:
    store = open_store(demo_gpkg, create=False)
    try:
        villages = store.read("villages")
        minx, miny, maxx, maxy = villages.iloc[0].geometry.bounds
        view = map_view(store, Audience("a", Role.ADMIN), bbox=(minx, miny, maxx, maxy),
                        zoom=DETAIL_ZOOM + 1)
    finally:
        store.close()
    assert any(lv.mode == "features" and lv.geojson["features"] for lv in view.layers)
    html = render(view)
    assert "https://" not in html and "http://" not in html
    for lv in view.layers:
        if lv.mode == "features" and lv.layer != "villages":
            assert f'"key":"{lv.layer}"' in html
