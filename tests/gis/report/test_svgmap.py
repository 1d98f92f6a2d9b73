"""Print maps: UTM zone from the data, holes kept, labels escaped, a true scale bar."""

from __future__ import annotations

import re

import pytest
import shapely
from pyproj import Geod

from gis.report.svgmap import (
    PX_PER_MM,
    MapLayer,
    layer_from_style,
    nice_length,
    render_map,
    scale_text,
    utm_epsg,
)
from layers import LAYERS


@pytest.mark.parametrize(("lon", "lat", "epsg"), [
    (100.5, 13.75, 32647),  # Bangkok
    (102.2, 13.5, 32648),  # Wang Nam Yen, Sa Kaeo: east of 102°E
    (101.99, 13.5, 32647),
    (-70.0, -33.0, 32719),
])
def test_utm_zone_of_the_map_centre(lon: float, lat: float, epsg: int) -> None:
    assert utm_epsg(lon, lat) == epsg


def test_polygon_with_a_hole_is_one_evenodd_path_with_two_rings() -> None:
    shell = [(102.1, 13.5), (102.2, 13.5), (102.2, 13.6), (102.1, 13.6)]
    hole = [(102.13, 13.53), (102.16, 13.53), (102.16, 13.56), (102.13, 13.56)]
    svg = str(render_map([MapLayer([shapely.Polygon(shell, [hole])], color="#f9a825")],
                         width_mm=100, height_mm=80))
    assert 'fill-rule="evenodd"' in svg
    paths = re.findall(r'<path d="([^"]+)" fill="#f9a825"', svg)
    assert len(paths) == 1 and paths[0].count("M") == 2 and paths[0].count("Z") == 2


def test_labels_are_text_escaped_and_multi_line() -> None:
    svg = str(render_map(
        [MapLayer([shapely.box(102.1, 13.5, 102.2, 13.6)],
                  labels=['บ้าน <script>alert("x")</script>\n12 ครัวเรือน'])],
        width_mm=100, height_mm=80))
    assert "<script>" not in svg
    assert "บ้าน &lt;script&gt;" in svg and ">12 ครัวเรือน</tspan>" in svg


def test_the_scale_bar_measures_what_it_says() -> None:
    # A box 10 km wide (geodesic, along its middle) fills the frame less the margins: the bar
    # must be as long on paper as its label says, at the map's scale.
    west, east, lat = 102.0, 102.0 + 10_000 / 108_000, 13.5
    width_m = Geod(ellps="WGS84").line_length([west, east], [lat, lat])
    svg = str(render_map([MapLayer([shapely.box(west, lat - 0.01, east, lat + 0.01)])],
                         width_mm=200, height_mm=50, lang="en", margin=0.0))
    px_per_m = 200 * PX_PER_MM / width_m
    label = re.search(r">(\d+(?:\.\d+)?) (k?m)</tspan>", svg)
    assert label is not None
    metres = float(label[1]) * (1000 if label[2] == "km" else 1)
    halves = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="4"', svg)
    drawn_m = sum(float(w) for w in halves) / px_per_m
    assert drawn_m == pytest.approx(metres, rel=0.01)


def test_scale_lengths_and_words() -> None:
    assert [nice_length(x) for x in (0.9, 7.0, 180.0, 2600.0)] == [0.5, 5.0, 100.0, 2000.0]
    assert scale_text(500, "th") == "500 เมตร" and scale_text(2000, "th") == "2 กิโลเมตร"
    assert scale_text(500, "en") == "500 m" and scale_text(2500, "en") == "2.5 km"


def test_colours_come_from_the_layer_style() -> None:
    style = LAYERS["tenure_zones"].style
    assert style is not None
    layer = layer_from_style([shapely.box(0, 0, 1, 1)] * 2, style,
                             codes=["alro", "royal_forest_dept"])
    assert list(layer.fills) == [style.colors["alro"], style.colors["royal_forest_dept"]]
    svg = str(render_map([layer], width_mm=50, height_mm=50))
    assert style.colors["alro"] in svg and style.colors["royal_forest_dept"] in svg


def test_points_and_an_empty_map() -> None:
    svg = str(render_map([MapLayer([shapely.Point(102.15, 13.55)], color="#c62828")],
                         width_mm=60, height_mm=40))
    assert '<circle cx="' in svg and 'fill="#c62828"' in svg
    empty = str(render_map([MapLayer([])], width_mm=60, height_mm=40, empty_text="ไม่มีข้อมูล"))
    assert "ไม่มีข้อมูล" in empty and "<path" not in empty
