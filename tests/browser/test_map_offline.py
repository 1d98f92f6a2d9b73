"""The map in a real browser with nothing from outside: Leaflet, its plugins and the Thai font come
from the app's static serving (the ``page`` fixture aborts and fails on any other request).

The app under test is a tiny Streamlit script written into ``tmp_path`` that draws a hand-made
MapView with `ui.mapview.render_map`, so this test does not depend on the app's pages or sign-in.
Streamlit serves the ``static/`` folder next to the main script, so ``tmp_path/static`` is a
symlink to the project's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ROOT, STREAMLIT, STREAMLIT_FLAGS, streamlit_server

pytestmark = pytest.mark.browser

APP = '''
import streamlit as st

from gis.viewport import LayerView, MapView
from ui import mapview, state
from ui.assets import page_font_css

st.html(page_font_css())
lang = st.radio("lang", ["th", "en"], horizontal=True)
st.markdown("แผนที่ชุมชนบ้านหนองผักแว่น")


def square(x, y, d):
    return {"type": "Polygon",
            "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


def fc(features):
    return {"type": "FeatureCollection", "features": features}


zone = {"type": "Feature", "id": "z1", "geometry": square(102.300, 13.900, 0.004),
        "properties": {"uid": "z1", "zone_id": "Z-1", "agency": "alro"}}
plots = [
    {"type": "Feature", "id": f"p{i}", "geometry": square(102.3005 + i * 0.001, 13.9005, 0.0008),
     "properties": {"uid": f"p{i}", "plot_id": name, "land_owner": owner}}
    for i, (name, owner) in enumerate(
        [("<b>P-1</b>", "treasury"), ("P-2", "private"), ("P-3", "alro")])
]
houses = [
    {"type": "Feature", "id": f"h{i}",
     "geometry": {"type": "Point", "coordinates": [102.3009 + i * 0.001, 13.9030]},
     "properties": {"uid": f"h{i}", "household_id": f"H-{i}", "house_condition": condition,
                    "needs_repair": i == 0}}
    for i, condition in enumerate(["good", "poor", "dilapidated", None])
]
view = MapView(
    bbox=(102.299, 13.899, 102.305, 13.905), zoom=17,
    layers=(
        LayerView("tenure_zones", "features", fc([zone]), ("zone_id", "agency"), 1),
        LayerView("plots", "features", fc(plots), ("plot_id", "land_owner"), 3),
        LayerView("households", "features", fc(houses),
                  ("household_id", "house_condition", "needs_repair"), 4),
    ),
    summary=fc([]),
)
position = state.map_state()
mapview.sync_state("map", position)
mapview.render_map(view, lang, key="map", state=position, height=520)
st.caption(f"bbox={position.bbox}")
'''
DRAWN = 1 + 3 + 4  # tenure zone, plots, households: one SVG path each
FRAME = "iframe[title='streamlit_folium.st_folium']"


@pytest.fixture(scope="module")
def map_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app_dir = tmp_path_factory.mktemp("mapapp")
    (app_dir / "app.py").write_text(APP, encoding="utf-8")
    (app_dir / "static").symlink_to(ROOT / "static", target_is_directory=True)
    pythonpath = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    with streamlit_server([*STREAMLIT, "app.py", *STREAMLIT_FLAGS,
                           "--server.enableStaticServing", "true"],
                          cwd=app_dir, log=app_dir / "streamlit.log",
                          env={"PYTHONPATH": pythonpath}) as url:
        yield url


def _map_frame(page: Any) -> Any:
    frame = page.wait_for_selector(FRAME, timeout=60_000).content_frame()
    frame.wait_for_function(
        f"document.querySelectorAll('path.leaflet-interactive').length === {DRAWN}",
        timeout=30_000)
    return frame


def test_map_draws_offline_in_the_thai_web_font(map_url: str, page: Any, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto(map_url)
    frame = _map_frame(page)

    # Leaflet drew every feature, and the legend names the categories in Thai.
    assert frame.locator("path.leaflet-interactive").count() == DRAWN
    legend = frame.locator(".landmap-legend").inner_text()
    for label in ("แปลงที่ดิน", "กรมธนารักษ์ (ที่ราชพัสดุ)", "ครัวเรือน", "ดี คงทนถาวร",
                  "อื่น ๆ / ไม่ระบุ"):
        assert label in legend

    # The page's own Thai text is set in the web font, and the font really loaded there…
    family = page.evaluate("""() => {
        const p = [...document.querySelectorAll('p')]
            .find(e => e.textContent.includes('หนองผักแว่น'));
        return getComputedStyle(p).fontFamily; }""")
    assert family.startswith("Sarabun"), family
    assert page.evaluate("document.fonts.load('16px Sarabun', 'ก').then(f => f.length > 0)")
    # …and inside the map's iframe (popups, legend).
    assert frame.evaluate("document.fonts.load('16px Sarabun', 'ก').then(f => f.length > 0)")
    assert frame.evaluate("document.fonts.check('16px Sarabun', 'ก')")
    assert frame.evaluate(
        "getComputedStyle(document.querySelector('.landmap-legend')).fontFamily"
    ).startswith("Sarabun")

    # A popup shows a value as text, even one that looks like HTML.
    box = frame.locator("path.leaflet-interactive").nth(1).bounding_box()
    assert box is not None  # page coordinates, the iframe's offset included
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    assert "<b>P-1</b>" in popup.inner_text()
    assert popup.locator("b").count() == 0
    assert "กรมธนารักษ์ (ที่ราชพัสดุ)" in popup.inner_text()

    page.wait_for_timeout(400)  # the popup fades in
    shot = tmp_path / "map_offline.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")


def test_map_survives_reruns_and_keeps_layer_toggles(map_url: str, page: Any) -> None:
    """The base map is not re-created by a rerun (a pan, a language switch): the layers, the
    layer control and the legend are swapped in place, and a layer switched off stays off."""
    page.goto(map_url)
    frame = _map_frame(page)
    frame.evaluate("window.__landmap_probe = 'the same map'")

    # A pan reports the new bounds (the page reruns with them) without re-creating the map.
    caption = page.get_by_text("bbox=(")
    caption.wait_for(timeout=30_000)
    before = caption.inner_text()
    box = page.locator(FRAME).bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 150, box["y"] + 150)
    page.mouse.down()
    page.mouse.move(box["x"] + 260, box["y"] + 210, steps=8)
    page.mouse.up()
    deadline = time.monotonic() + 30
    while page.get_by_text("bbox=(").inner_text() == before:
        assert time.monotonic() < deadline, "the pan did not reach the page"
        time.sleep(0.2)
    assert frame.evaluate("window.__landmap_probe") == "the same map"

    frame.hover(".leaflet-control-layers")
    frame.locator(".leaflet-control-layers-overlays label", has_text="ครัวเรือน").locator(
        "input").click()
    frame.wait_for_function(
        "document.querySelectorAll('path.leaflet-interactive').length === 4")

    page.get_by_text("en", exact=True).click()
    frame.locator(".landmap-legend", has_text="Households").wait_for(timeout=30_000)
    deadline = time.monotonic() + 10
    while "Households" not in (frame.locator(".leaflet-control-layers").text_content() or ""):
        assert time.monotonic() < deadline, "the layer control was not replaced"
        time.sleep(0.2)
    assert frame.evaluate("window.__landmap_probe") == "the same map"
    assert frame.locator(".landmap-legend").count() == 1
    assert frame.locator(".leaflet-control-layers").count() == 1
    assert frame.locator("path.leaflet-interactive").count() == 4  # households still off
    checked = frame.evaluate(
        "[...document.querySelectorAll('.leaflet-control-layers-overlays label')]"
        ".map(l => [l.textContent.trim(), l.querySelector('input').checked])")
    assert checked == [["Tenure zones", True], ["Land plots", True], ["Households", False]]
    assert "Good, durable" in frame.locator(".landmap-legend").inner_text()
