"""The Edit page in a real browser: shapes edited with the mouse on the map (Leaflet-Geoman in
the ``ui.editmap`` component), saved through ``gis.edit``'s checks, and read back from the store.

* A surveyor zooms in on a demo plot with the mouse wheel and clicks it, enters edit mode, drags
  one corner, presses Done and Save: the store holds the new shape with every other corner
  exactly as it was, the version went up by one, the history keeps the old shape, and the map
  stayed where it was.
* A planner edits a plot with a hole (a corner of the hole) and a two-part plot (a corner of the
  second part): both changes land and the outer ring, the other corners and the first part are
  exactly as they were.
* A surveyor moves a household's point inside its plot.

The app runs on its own copy of the demo store (made with SQLite's backup), with the two test
plots written into a free corner of the planner's village, so other browser tests see the demo
as they expect. The page works in English (the sidebar switch) so that the test finds buttons
by their English names whatever the Thai catalog says. The ``page`` fixture fails a test whose
page fetched anything outside localhost. A failing test leaves a screenshot in test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from gis.store import open_store
from tests.browser.conftest import (
    ROOT,
    STREAMLIT,
    STREAMLIT_FLAGS,
    USERS,
    copy_store,
    streamlit_server,
)
from tests.browser.test_app_browser import ARTIFACTS, T

pytestmark = pytest.mark.browser

IFRAME = "iframe[title='ui.editmap.landmap_editmap']"
VERTEX = ".marker-icon:not(.marker-icon-middle)"
DEMO_PLOT = "27040103-P0001"  # in the surveyor's village
DEMO_HOUSE, ITS_PLOT = "27040103-H0005", "27040103-P0005"  # 7 m from the plot's middle
PLANNER_VILLAGE = "27040501"  # the first village in the planner's tambon
HOLE, TWO = "TEST-HOLE", "TEST-TWO"
D = 0.00004  # degrees, about 4.3 m


def hole_and_two_parts(x: float, y: float) -> tuple[MultiPolygon, MultiPolygon]:
    """A plot with a hole and a plot in two parts, side by side around (x, y)."""
    def box(x0: float, y0: float, x1: float, y1: float) -> list[tuple[float, float]]:
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]

    hole = MultiPolygon([Polygon(box(x - 5 * D, y - 2 * D, x - D, y + 2 * D),
                                 [box(x - 4 * D, y - D, x - 2 * D, y + D)[::-1]])])
    two = MultiPolygon([Polygon(box(x + 0.5 * D, y - D, x + 2 * D, y + D)),
                        Polygon(box(x + 3 * D, y - D, x + 4.5 * D, y + D))])
    return hole, two


def free_spot(store: Any, village: str) -> tuple[float, float]:
    """The centre of the widest empty place inside ``village``, away from its plots."""
    outline = store.read("villages", where={"village_code": [village]}).geometry.iloc[0]
    plots = store.read("plots", where={"village_code": [village]})
    empty = outline.buffer(-D).difference(shapely.union_all(plots.geometry.values).buffer(D))
    centre = shapely.get_point(shapely.maximum_inscribed_circle(empty), 0)
    assert centre.distance(empty.boundary) > 6 * D, "no room for the test plots"
    return centre.x, centre.y


@pytest.fixture(scope="module")
def edit_store(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo store (users included) with the hole plot and the two-part plot."""
    out = copy_store(demo_store, tmp_path_factory.mktemp("edit") / "edit.gpkg")
    store = open_store(str(out), create=False)
    try:
        hole, two = hole_and_two_parts(*free_spot(store, PLANNER_VILLAGE))
        frame = gpd.GeoDataFrame({"plot_id": [HOLE, TWO],
                                  "village_code": [PLANNER_VILLAGE] * 2},
                                 geometry=[hole, two], crs=4326)
        store.write("plots", frame, user="test")
    finally:
        store.close()
    return out


@pytest.fixture(scope="module")
def edit_url(edit_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("editlog") / "streamlit.log"
    with streamlit_server([*STREAMLIT, "streamlit_app.py", *STREAMLIT_FLAGS], cwd=ROOT,
                          log=log, env={"LANDMAP_STORE": str(edit_store)}) as url:
        yield url


def stored(store_path: Path, code: str, layer: str = "plots"
           ) -> tuple[dict[str, Any], list[Any]]:
    """The feature whose id is ``code`` as stored now, and its history (oldest first)."""
    store = open_store(str(store_path), create=False)
    try:
        key = {"plots": "plot_id", "households": "household_id"}[layer]
        uid = store.read(layer, where={key: [code]})["uid"].iloc[0]
        feature = store.get(layer, uid)
        assert feature is not None
        return feature, list(store.history(layer, uid))
    finally:
        store.close()


@contextmanager
def screenshot_on_failure(page: Any, name: str) -> Iterator[None]:
    try:
        yield
    except BaseException:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        raise


# ---------------------------------------------------------------------------------- steps
def open_edit_page(page: Any, url: str, who: str) -> None:
    name, password, _role, _areas = USERS[who]
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(url)
    page.get_by_label("ชื่อผู้ใช้").fill(name, timeout=T)
    page.get_by_label("รหัสผ่าน").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    # (a user's language is kept with their account: it may be English already)
    page.get_by_role("button", name=re.compile("^(ออกจากระบบ|Sign out)$")).wait_for(timeout=T)
    page.get_by_text("English", exact=True).click()
    page.get_by_role("button", name="Sign out").wait_for(timeout=T)
    page.get_by_role("link", name="Edit").first.click(timeout=T)
    page.frame_locator(IFRAME).locator("path.leaflet-interactive").first.wait_for(timeout=T)


def open_by_id(page: Any, code: str) -> None:
    search = page.get_by_label("Find by id")
    search.fill(code)
    search.press("Enter")
    page.get_by_role("heading", name=re.compile(re.escape(code))).wait_for(timeout=T)


def page_point(page: Any, frame: Any, lon: float, lat: float) -> tuple[float, float]:
    """Where (lon, lat) is on the page, in pixels, through the component's iframe."""
    box = page.locator(IFRAME).bounding_box()
    at = frame.evaluate(f"window.landmapEditMap.pointOf({lat}, {lon})")
    return box["x"] + at["x"], box["y"] + at["y"]


def click_on_map(page: Any, code: str, where: Any, zoom: int = 20) -> None:
    """Zoom in on ``where`` (a shapely Point) with the mouse wheel, as a user does, and click
    the feature there: it opens."""
    frame = page.locator(IFRAME).element_handle().content_frame()
    for _step in range(10):
        if frame.evaluate("window.landmapEditMap.view().zoom") >= zoom:
            break
        page.mouse.move(*page_point(page, frame, where.x, where.y))
        page.mouse.wheel(0, -60)  # one zoom level (Leaflet's wheelPxPerZoomLevel)
        page.wait_for_timeout(500)
    assert frame.evaluate("window.landmapEditMap.view().zoom") == zoom
    page.mouse.click(*page_point(page, frame, where.x, where.y))
    page.get_by_role("heading", name=re.compile(re.escape(code))).wait_for(timeout=T)


def enter_edit_mode(page: Any, vertices: int | None) -> Any:
    """Press "Edit the shape" and wait until Geoman shows a handle on every corner (or, for a
    point, until its marker can be dragged)."""
    page.get_by_role("button", name="Edit the shape").click(timeout=T)
    frame = page.locator(IFRAME).element_handle().content_frame()
    ready = (f"document.querySelectorAll('{VERTEX}').length === {vertices}" if vertices
             else "document.querySelectorAll('.leaflet-pm-draggable').length === 1")
    frame.wait_for_function(f"window.landmapEditMap.mode() === 'edit' && {ready}", timeout=T)
    page.wait_for_timeout(300)  # let the map settle where the page sent it
    return frame


def drag_toward(page: Any, frame: Any, corner: np.ndarray, towards: Any,
                share: float = 0.3, grab: tuple[float, float] = (0, 0)) -> None:
    """Drag the handle on ``corner`` (lon, lat) with the mouse, ``share`` of the way to the
    point ``towards`` (a shapely Point), in page pixels through the component's iframe;
    ``grab`` is where to take hold of it, in pixels from the corner (a pin's tip is its
    point)."""
    box = page.locator(IFRAME).bounding_box()
    start = frame.evaluate(f"window.landmapEditMap.pointOf({corner[1]}, {corner[0]})")
    end = frame.evaluate(f"window.landmapEditMap.pointOf({towards.y}, {towards.x})")
    x, y = box["x"] + start["x"] + grab[0], box["y"] + start["y"] + grab[1]
    dx, dy = share * (end["x"] - start["x"]), share * (end["y"] - start["y"])
    assert abs(dx) + abs(dy) > 8, "the drag is too short to tell from a click"
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y + dy, steps=10)
    page.mouse.up()
    page.wait_for_timeout(200)


def done_and_save(page: Any, frame: Any) -> dict[str, Any]:
    """Done on the map, Save in the form; returns the map's view just before saving."""
    page.frame_locator(IFRAME).locator("button[data-action=done]").click()
    page.get_by_text("The shape was changed on the map and is not saved yet.").wait_for(
        timeout=T)
    frame.wait_for_function("window.landmapEditMap.mode() === 'view'", timeout=T)
    view = frame.evaluate("window.landmapEditMap.view()")
    frame.evaluate("window.__landmap_probe = 'the same map'")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text(re.compile(r"^Saved: ")).wait_for(timeout=T)
    return dict(view)


def rings(geom: Any) -> list[np.ndarray]:
    """Every ring's coordinates, part by part (exterior, then holes)."""
    out = []
    for part in geom.geoms:
        out.append(shapely.get_coordinates(part.exterior))
        out.extend(shapely.get_coordinates(hole) for hole in part.interiors)
    return out


def assert_only_corner_moved(before: Any, after: Any, ring: int, corner: int) -> None:
    """``after`` has the rings of ``before``, every coordinate identical except ``corner`` of
    ``ring`` (and the ring's closing copy of it), which moved."""
    old, new = rings(before), rings(after)
    assert [len(r) for r in new] == [len(r) for r in old]
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        moved = {corner, len(a) - 1} if i == ring and corner == 0 else {corner}
        for j in range(len(a)):
            if i == ring and j in moved:
                assert not np.array_equal(a[j], b[j]), f"ring {i} corner {j} did not move"
            else:
                assert np.array_equal(a[j], b[j]), f"ring {i} corner {j} changed"


def assert_saved_once(before: dict[str, Any], after: dict[str, Any], history: list[Any]
                      ) -> None:
    """One new version whose history entry holds the old shape before and the new after."""
    assert after["version"] == before["version"] + 1
    last = history[-1]
    assert last.version == after["version"] and last.op == "update"
    assert last.changed_fields() == ["geometry"]
    assert last.before is not None
    assert last.before["geometry"].equals_exact(before["geometry"], 0.0)
    assert last.after["geometry"].equals_exact(after["geometry"], 0.0)


# ---------------------------------------------------------------------------------- tests
def test_a_dragged_corner_of_a_demo_plot_is_saved_as_a_new_version(
    edit_url: str, edit_store: Path, page: Any
) -> None:
    before, _history = stored(edit_store, DEMO_PLOT)
    shape = before["geometry"]
    corners = shapely.get_coordinates(shape)
    with screenshot_on_failure(page, "edit-demo-plot"):
        open_edit_page(page, edit_url, "surveyor")
        click_on_map(page, DEMO_PLOT, shape.representative_point())
        frame = enter_edit_mode(page, vertices=len(corners) - 1)
        drag_toward(page, frame, corners[0], shape.centroid)
        view = done_and_save(page, frame)
        # The map was not re-created and did not move.
        assert frame.evaluate("window.__landmap_probe") == "the same map"
        assert frame.evaluate("window.landmapEditMap.view()") == view
        page.get_by_text("Version 2 when opened").wait_for(timeout=T)

    after, history = stored(edit_store, DEMO_PLOT)
    assert not after["geometry"].equals_exact(shape, 0.0)
    assert_only_corner_moved(shape, after["geometry"], ring=0, corner=0)
    assert after["geometry"].is_valid
    assert_saved_once(before, after, history)
    assert history[-1].changed_by == USERS["surveyor"][0]


def test_a_hole_and_a_second_part_are_edited_and_the_rest_stays(
    edit_url: str, edit_store: Path, page: Any
) -> None:
    hole_before, _ = stored(edit_store, HOLE)
    two_before, _ = stored(edit_store, TWO)
    with screenshot_on_failure(page, "edit-hole-and-parts"):
        open_edit_page(page, edit_url, "planner")

        # A corner of the hole, dragged towards the hole's middle (the hole gets smaller).
        open_by_id(page, HOLE)
        frame = enter_edit_mode(page, vertices=8)
        hole_ring = hole_before["geometry"].geoms[0].interiors[0]
        drag_toward(page, frame, shapely.get_coordinates(hole_ring)[1],
                    Polygon(hole_ring).centroid)
        done_and_save(page, frame)

        # A corner of the second part, dragged towards that part's middle.
        open_by_id(page, TWO)
        frame = enter_edit_mode(page, vertices=8)
        second = two_before["geometry"].geoms[1]
        drag_toward(page, frame, shapely.get_coordinates(second.exterior)[2], second.centroid)
        done_and_save(page, frame)

    hole_after, hole_history = stored(edit_store, HOLE)
    assert len(hole_after["geometry"].geoms[0].interiors) == 1
    assert_only_corner_moved(hole_before["geometry"], hole_after["geometry"], ring=1, corner=1)
    assert hole_after["geometry"].is_valid
    assert_saved_once(hole_before, hole_after, hole_history)

    two_after, two_history = stored(edit_store, TWO)
    assert len(two_after["geometry"].geoms) == 2
    assert_only_corner_moved(two_before["geometry"], two_after["geometry"], ring=1, corner=2)
    assert two_after["geometry"].is_valid
    assert_saved_once(two_before, two_after, two_history)
    assert two_history[-1].changed_by == USERS["planner"][0]


def test_a_household_point_is_moved_with_the_mouse(
    edit_url: str, edit_store: Path, page: Any
) -> None:
    before, _history = stored(edit_store, DEMO_HOUSE, "households")
    plot, _ = stored(edit_store, ITS_PLOT)
    point = before["geometry"]
    with screenshot_on_failure(page, "edit-household"):
        open_edit_page(page, edit_url, "surveyor")
        page.get_by_label("Layer").click()
        page.get_by_role("option", name="Households").click()
        page.get_by_label("Find by id").wait_for(timeout=T)
        open_by_id(page, DEMO_HOUSE)
        frame = enter_edit_mode(page, vertices=None)
        # Half way to the middle of its plot: it stays inside the plot (no warning to confirm).
        drag_toward(page, frame, np.array([point.x, point.y]), plot["geometry"].centroid,
                    share=0.5, grab=(0, -8))
        done_and_save(page, frame)

    after, history = stored(edit_store, DEMO_HOUSE, "households")
    moved = after["geometry"]
    assert moved.geom_type == "Point" and not moved.equals_exact(point, 0.0)
    assert moved.distance(plot["geometry"].centroid) < point.distance(plot["geometry"].centroid)
    assert plot["geometry"].contains(moved)
    assert_saved_once(before, after, history)
