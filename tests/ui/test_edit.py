"""The Edit page's parts (``ui.edit``, ``ui.editmap``) on the demo store, and the page itself run
with Streamlit's AppTest: which layers a role edits on the map, what the map is sent (uid and
code only, only inside the user's areas, nothing past the cap), what the browser may send back,
and the form a surveyor gets (no field above their role). The mouse work on the map is tested
in a real browser (``tests/browser/test_edit_browser.py``)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon
from streamlit.testing.v1 import AppTest

from gis import accounts
from gis.errors import InputError
from gis.privacy import Audience, Role, scope_of
from gis.store import Store, open_store
from layers import LAYERS
from tests.ui.test_pages import texts
from ui import edit, editmap, resources

ROOT = Path(__file__).resolve().parents[2]
VILLAGE = "27040103"  # the surveyor's village
OTHER = "27040105"  # a village outside the surveyor's areas
SURVEYOR = Audience("edit.surveyor", Role.SURVEYOR, frozenset({VILLAGE}))
PASSWORD = "edit-test-pass-1"


@pytest.fixture(scope="module")
def demo(demo_gpkg: str) -> Iterator[Store]:
    store = open_store(demo_gpkg, create=False)
    yield store
    store.close()


@pytest.fixture
def demo_copy(demo_gpkg: str, tmp_path: Path) -> Iterator[tuple[str, Store]]:
    path = tmp_path / "demo.gpkg"
    path.write_bytes(Path(demo_gpkg).read_bytes())
    store = open_store(str(path), create=False)
    accounts.add_user(store, SURVEYOR.username, PASSWORD, SURVEYOR.role, sorted(SURVEYOR.areas),
                      actor="test", must_change_password=False)
    resources.settings.clear()
    yield str(path), store
    store.close()
    resources.settings.clear()


def bounds(frame: Any) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = (float(v) for v in frame.total_bounds)
    return (minx, miny, maxx, maxy)


def test_the_map_edits_the_layers_a_role_may_see_and_edit() -> None:
    assert edit.map_layers(SURVEYOR) == ["plots", "households", "villages", "tenure_zones"]
    for role in (Role.NEGOTIATOR, Role.AGENCY_VIEWER):
        assert edit.map_layers(Audience("someone", role, frozenset({VILLAGE}))) == []


def test_the_map_gets_uid_and_code_only_and_only_inside_the_users_areas(demo: Store) -> None:
    scope = scope_of(demo, SURVEYOR)
    both = demo.read("villages", where={"village_code": [VILLAGE, OTHER]})
    bbox = bounds(both)
    sent, count = edit.area_features(demo, SURVEYOR, scope, "households", bbox)
    houses = demo.read("households", where={"village_code": [VILLAGE]})
    assert count == len(houses) == len(sent["features"])
    assert {f["properties"]["code"] for f in sent["features"]} == set(houses["household_id"])
    assert all(set(f["properties"]) == {"uid", "code"} for f in sent["features"])
    text = json.dumps(sent, ensure_ascii=False)
    for name in houses["head_name"].dropna().head(20):
        assert name not in text

    left_out = houses["uid"].iloc[0]
    fewer, _count = edit.area_features(demo, SURVEYOR, scope, "households", bbox,
                                       leave_out=left_out)
    assert left_out not in {f["properties"]["uid"] for f in fewer["features"]}
    assert len(fewer["features"]) == count - 1


def test_nothing_is_sent_past_the_cap(demo: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(edit, "FEATURE_CAP", 5)
    scope = scope_of(demo, SURVEYOR)
    outline = demo.read("villages", where={"village_code": [VILLAGE]})
    sent, count = edit.area_features(demo, SURVEYOR, scope, "plots", bounds(outline))
    assert count > 5 and sent["features"] == []


def test_a_feature_outside_the_users_areas_does_not_open(demo: Store) -> None:
    scope = scope_of(demo, SURVEYOR)
    theirs = demo.read("households", where={"village_code": [OTHER]})["uid"].iloc[0]
    assert edit.open_feature(demo, SURVEYOR, scope, "households", theirs) is None
    mine = demo.read("households", where={"village_code": [VILLAGE]})["uid"].iloc[0]
    opened = edit.open_feature(demo, SURVEYOR, scope, "households", mine)
    assert opened is not None and opened.version == 1 and opened.shape is None
    # The form's values: the fields a surveyor edits, nothing sensitive.
    assert "head_name" in opened.values and "phone" in opened.values
    assert not {"national_id", "monthly_income", "disabled"} & set(opened.values)
    found = edit.find_by_code(demo, SURVEYOR, scope, "households", f" {opened.code} ")
    assert found is not None and found[0] == mine
    other_code = demo.get("households", theirs)["household_id"]  # type: ignore[index]
    assert edit.find_by_code(demo, SURVEYOR, scope, "households", other_code) is None


def test_what_the_browser_sends_back_is_checked() -> None:
    view = {"center": [13.5, 102.1], "zoom": 19, "bounds": [102.0, 13.4, 102.2, 13.6]}
    assert editmap.parse_event(None) is None
    assert editmap.parse_event({"event": "explode", "seq": "1"}) is None
    picked = editmap.parse_event({"event": "select", "seq": "1-1", "session": "3", "uid": "u1",
                                  "view": view})
    assert picked is not None and picked.uid == "u1" and picked.session == "3"
    assert picked.view == editmap.View((13.5, 102.1), 19, (102.0, 13.4, 102.2, 13.6))
    square = {"type": "Polygon",
              "coordinates": [[[102, 13], [102.001, 13], [102.001, 13.001], [102, 13]]]}
    edited = editmap.parse_event({"event": "edited", "seq": "2", "view": {"zoom": True},
                                  "features": [{"uid": "u1", "geometry": square}]})
    assert edited is not None and edited.shapes is not None
    assert edited.shapes["u1"].geom_type == "Polygon" and edited.view == editmap.View()
    with pytest.raises(InputError):
        editmap.parse_event({"event": "drawn", "seq": "3", "geometry": {"type": "Polygon",
                                                                         "coordinates": 7}})
    with pytest.raises(InputError):
        editmap.parse_event({"event": "drawn", "seq": "4", "geometry": "POINT (1 2)"})


def test_a_corner_not_moved_comes_back_exactly() -> None:
    """The selected shape is sent unrounded, so after a JSON round trip (what the browser does
    with numbers) every corner the user did not touch is the stored one, bit for bit."""
    shape = MultiPolygon([
        Polygon([(102.16760498744495, 13.523735939248425), (102.1674595387851, 13.52373684633),
                 (102.16743760018541, 13.52349319533227), (102.16760498744495, 13.52373593924)],
                [[(102.1675, 13.5236), (102.16752, 13.52362), (102.16751, 13.52361)]]),
        Polygon([(102.168, 13.523), (102.1681, 13.523), (102.1681, 13.5231)])])
    sent = json.loads(json.dumps(editmap.feature("u1", shape, "P-1")))
    assert sent["properties"] == {"uid": "u1", "code": "P-1"}
    assert editmap.to_shape(sent["geometry"]).equals_exact(shape, 0.0)
    assert editmap.revision(sent) == editmap.revision(json.loads(json.dumps(sent)))


def run_page(path: str, monkeypatch: pytest.MonkeyPatch, lang: str,
             state: edit.EditState | None = None, layer: str | None = None,
             params: dict[str, str] | None = None) -> AppTest:
    monkeypatch.setenv("LANDMAP_STORE", path)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.session_state["lang"] = lang
    now = dt.datetime.now(dt.UTC)
    at.session_state["user"] = SURVEYOR.username
    at.session_state["signed_in_at"] = now
    at.session_state["last_seen"] = now
    if state is not None:
        at.session_state[edit.STATE] = state
    if layer is not None:
        at.session_state["edit_layer"] = layer
    at.run()
    at.query_params.update(params or {})  # as st.switch_page(..., query_params=...) sends
    at.switch_page("ui/pages/edit.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == []
    return at


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_edit_page_opens_a_household_in_a_form_without_sensitive_fields(
    demo_copy: tuple[str, Store], monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    path, store = demo_copy
    at = run_page(path, monkeypatch, lang)
    shown = "\n".join(texts(at))
    assert LAYERS["plots"].label(lang) in shown

    # A household opened (as a click on the map would): its form, in the user's language.
    uid = str(store.read("households", where={"village_code": [VILLAGE]})["uid"].iloc[0])
    opened = edit.open_feature(store, SURVEYOR, scope_of(store, SURVEYOR), "households", uid)
    state = edit.EditState(layer="households", area=VILLAGE, opened=opened, mode="view")
    at = run_page(path, monkeypatch, lang, state, layer="households")
    labels = [w.label for w in [*at.text_input, *at.selectbox, *at.number_input]]
    spec = LAYERS["households"]
    assert spec.field("head_name").label(lang) + " *" in labels
    for hidden in ("national_id", "monthly_income", "disabled", "priority_score"):
        assert not any(label.startswith(spec.field(hidden).label(lang)) for label in labels)
    assert shapely.get_num_geometries(opened.stored) == 1  # type: ignore[union-attr]


def test_a_link_opens_its_feature_once(demo_copy: tuple[str, Store],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """``/edit?layer=households&uid=…`` (the quality page's editor link) opens the household
    in its village, and the link is read once: it is cleared, later runs leave the page be."""
    path, store = demo_copy
    homes = store.read("households", where={"village_code": [VILLAGE]})
    uid, code = str(homes["uid"].iloc[3]), str(homes["household_id"].iloc[3])
    at = run_page(path, monkeypatch, "en", params={"layer": "households", "uid": uid})
    es = at.session_state[edit.STATE]
    assert es.opened is not None and (es.opened.layer, es.opened.uid) == ("households", uid)
    assert (es.layer, es.area, es.mode) == ("households", VILLAGE, "view")
    assert at.session_state["edit_layer"] == "households"
    assert any(code in h.value for h in at.subheader)
    assert at.query_params == {}
    session = es.session
    at.run()
    es = at.session_state[edit.STATE]
    assert es.opened is not None and es.opened.uid == uid and es.session == session


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_link_to_a_feature_the_user_may_not_edit_opens_nothing(
    demo_copy: tuple[str, Store], monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    path, store = demo_copy
    theirs = str(store.read("households", where={"village_code": [OTHER]})["uid"].iloc[0])
    said = {"th": "เปิดข้อมูลที่ลิงก์นี้ชี้ไปที่หน้านี้ไม่ได้",
            "en": "The feature this link points to cannot be opened here"}[lang]
    for params in ({"layer": "households", "uid": theirs},  # outside the surveyor's areas
                   {"layer": "settlements", "uid": theirs},  # not a layer edited on the map
                   {"layer": "plots", "uid": "no-such-uid"}):
        at = run_page(path, monkeypatch, lang, params=params)
        assert at.session_state[edit.STATE].opened is None
        assert any(said in w.value for w in at.warning), [w.value for w in at.warning]
        assert at.query_params == {}
