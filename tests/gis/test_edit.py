"""gis.edit, the checks on save, on real shapes in real stores (GeoPackage and PostGIS): a
bow-tie refused in Thai and English and repaired only when accepted, overlaps and houses
outside their plot or village warned, fields beyond a role refused, corners snapped within
half a metre only, stale versions refused — and, every time a save is refused, not one byte of
the store changed."""

from __future__ import annotations

from collections.abc import Iterator

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer
from shapely import affinity
from shapely.geometry import MultiPolygon, Point, Polygon

from gis.edit import (
    EditRefused,
    check_edit,
    create_feature,
    delete_feature,
    editable_fields,
    form_choices,
    save_edit,
)
from gis.errors import ConflictError, InputError
from gis.privacy import Audience, Role
from gis.store import Store, open_store
from gis.validate import METRIC
from layers import LAYERS
from tests.gis.store.helpers import checksum

VILLAGE = "27040103"  # ชุมชนหน้าโรงพยาบาล: 214 plots, 168 households in the demo
ADMIN = Audience("admin1", Role.ADMIN)
SURVEYOR = Audience("som", Role.SURVEYOR, frozenset({VILLAGE}))
PLANNER = Audience("plan", Role.PLANNER, frozenset({"270401"}))
NEGOTIATOR = Audience("nego", Role.NEGOTIATOR, frozenset({"270401"}))
TO_UTM = Transformer.from_crs(4326, METRIC, always_xy=True)
TO_DEG = Transformer.from_crs(METRIC, 4326, always_xy=True)


@pytest.fixture(scope="module")
def demo(demo_gpkg: str) -> Iterator[Store]:
    store = open_store(demo_gpkg, create=False)
    yield store
    store.close()


def load_village(store: Store, demo: Store, village: str = VILLAGE) -> None:
    """The demo's villages, and the plots and households of one village, into ``store``."""
    store.write("villages", demo.read("villages"), user="seed")
    for layer in ("plots", "households"):
        store.write(layer, demo.read(layer, where={"village_code": village}), user="seed")


@pytest.fixture
def seeded(store: Store, demo: Store) -> Store:
    load_village(store, demo)
    return store


def plot(store: Store, plot_id: str) -> dict:  # type: ignore[type-arg]
    found = store.read("plots", where={"plot_id": plot_id})
    feature = store.get("plots", found["uid"].iloc[0])
    assert feature is not None
    return feature


def ring(geom: MultiPolygon) -> list[tuple[float, float]]:
    return list(geom.geoms[0].exterior.coords)


def metres(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.column_stack(TO_UTM.transform(*xy.T)))


def degrees(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.column_stack(TO_DEG.transform(*xy.T)))


def nudge(lon: float, lat: float, east_m: float, north_m: float = 0.0) -> tuple[float, float]:
    x, y = TO_UTM.transform(lon, lat)
    out = TO_DEG.transform(x + east_m, y + north_m)
    return float(out[0]), float(out[1])


# ---------------------------------------------------------------------- invalid shapes
def test_bow_tie_is_refused_in_both_languages_and_nothing_is_written(
        seeded: Store, store_location: str) -> None:
    target = plot(seeded, f"{VILLAGE}-P0001")
    a, b, c, d, _ = ring(target["geometry"])
    bow_tie = Polygon([a, b, d, c, a])  # two corners swapped: the boundary crosses itself
    before = checksum(store_location)

    check = check_edit(seeded, "plots", target["uid"], {}, bow_tie, audience=SURVEYOR)
    assert not check.ok and [i.code for i in check.errors] == ["invalid_geometry"]
    error = check.errors[0]
    assert "ตัดไขว้กันเอง" in error.message_th and "crosses itself" in error.message_en
    assert "make_valid" in error.fix_en and "make_valid" in error.fix_th
    assert error.uid == target["uid"] and error.field == "geometry"
    assert check.repair is not None and check.repair.parts == 2
    assert "geometry" not in check.changes  # a preview only

    with pytest.raises(EditRefused) as refused:
        save_edit(seeded, "plots", target["uid"], {}, bow_tie, expected_version=1,
                  audience=SURVEYOR, accept_warnings=True)
    assert "ตัดไขว้กันเอง" in refused.value.message_th
    assert "crosses itself" in refused.value.message_en
    assert "บันทึกไม่ได้" in refused.value.message_th and "nothing was saved" in \
        refused.value.message_en
    assert checksum(store_location) == before  # not one row, not one history entry
    assert seeded.get("plots", target["uid"])["version"] == 1  # type: ignore[index]
    assert len(seeded.history("plots", target["uid"])) == 1


def test_accepted_repair_is_saved_valid_as_a_new_version(seeded: Store) -> None:
    target = plot(seeded, f"{VILLAGE}-P0001")
    a, b, c, d, _ = ring(target["geometry"])
    bow_tie = Polygon([a, b, d, c, a])
    offered = check_edit(seeded, "plots", target["uid"], {}, bow_tie, audience=SURVEYOR).repair
    assert offered is not None

    result = save_edit(seeded, "plots", target["uid"], {}, bow_tie, expected_version=1,
                       audience=SURVEYOR, accept_warnings=True, accept_repair=True)
    assert result.versions == {target["uid"]: 2}
    saved = seeded.get("plots", target["uid"])
    assert saved is not None and saved["geometry"].is_valid
    assert saved["geometry"].equals(offered.geometry) and len(saved["geometry"].geoms) == 2
    assert saved["updated_by"] == "som"
    assert seeded.history("plots", target["uid"])[-1].changed_fields() == ["geometry"]


def test_a_point_for_a_plot_is_the_wrong_type(seeded: Store) -> None:
    target = plot(seeded, f"{VILLAGE}-P0001")
    check = check_edit(seeded, "plots", target["uid"], {}, Point(102.2, 13.5), audience=ADMIN)
    assert [i.code for i in check.errors] == ["wrong_geometry_type"]
    assert "MultiPolygon" in check.errors[0].message_en


# ---------------------------------------------------------------------- overlaps
def next_door(store: Store, feature: dict) -> dict:  # type: ignore[type-arg]
    """The stored plot sharing the longest boundary with ``feature``."""
    minx, miny, maxx, maxy = feature["geometry"].bounds
    near = store.read("plots", bbox=(minx - 1e-4, miny - 1e-4, maxx + 1e-4, maxy + 1e-4))
    near = near.loc[near["uid"] != feature["uid"]]
    shared = shapely.length(shapely.intersection(near.geometry.to_numpy(),
                                                 feature["geometry"].boundary))
    found = store.get("plots", near["uid"].iloc[int(np.argmax(shared))])
    assert found is not None
    return found


def test_overlap_needs_confirmation_and_names_the_neighbour(
        seeded: Store, store_location: str) -> None:
    first = plot(seeded, f"{VILLAGE}-P0001")
    second = next_door(seeded, first)
    here, there = first["geometry"].centroid, second["geometry"].centroid
    moved = affinity.translate(first["geometry"], xoff=(there.x - here.x) * 0.4,
                               yoff=(there.y - here.y) * 0.4)  # 40% of the way onto it
    before = checksum(store_location)

    check = check_edit(seeded, "plots", first["uid"], {}, moved, audience=SURVEYOR)
    assert check.ok
    overlap = [i for i in check.warnings if i.code == "overlapping_plots"]
    assert overlap and all(i.uid == first["uid"] for i in overlap)
    named = next(i for i in overlap if second["plot_id"] in i.message_en)
    assert "m²" in named.message_en and "%" in named.message_en
    assert second["plot_id"] in named.message_th and "ตร.ม." in named.message_th

    with pytest.raises(EditRefused) as refused:
        save_edit(seeded, "plots", first["uid"], {}, moved, expected_version=1,
                  audience=SURVEYOR, accept_warnings=False)
    assert "ยืนยันคำเตือน" in refused.value.message_th
    assert "confirm the warnings" in refused.value.message_en
    assert checksum(store_location) == before

    save_edit(seeded, "plots", first["uid"], {}, moved, expected_version=1, audience=SURVEYOR,
              accept_warnings=True)
    saved = seeded.get("plots", first["uid"])
    assert saved is not None and saved["version"] == 2 and saved["geometry"].equals(moved)


def test_touching_neighbours_and_the_plot_itself_are_not_overlaps(seeded: Store) -> None:
    target = plot(seeded, f"{VILLAGE}-P0002")
    a = ring(target["geometry"])[0]
    moved = Polygon([nudge(*a, 0.05, 0.05), *ring(target["geometry"])[1:-1]])
    check = check_edit(seeded, "plots", target["uid"], {}, moved, audience=SURVEYOR)
    assert check.ok and check.warnings == []


# ---------------------------------------------------------------------- places
def test_house_moved_outside_its_plot_is_warned_with_gps_slack(seeded: Store) -> None:
    homes = seeded.read("households", where={"village_code": VILLAGE}).head(1)
    home = seeded.get("households", homes["uid"].iloc[0])
    assert home is not None
    outline = metres(plot(seeded, home["plot_id"])["geometry"])
    east = max(outline.geoms[0].exterior.coords, key=lambda xy: xy[0])

    def at(metres_east: float) -> Point:
        return Point(TO_DEG.transform(east[0] + metres_east, east[1]))

    near = check_edit(seeded, "households", home["uid"], {}, at(3), audience=SURVEYOR)
    assert near.ok and [i.code for i in near.warnings] == []  # GPS error, not a move
    far = check_edit(seeded, "households", home["uid"], {}, at(15), audience=SURVEYOR)
    assert [i.code for i in far.warnings] == ["outside_plot"]
    warning = far.warnings[0]
    assert home["plot_id"] in warning.message_en and "5 m" in warning.message_en
    assert "นอกแปลง" in warning.message_th and warning.uid == home["uid"]
    assert warning.fix_th and warning.fix_en


def test_house_and_plot_outside_the_village_are_warned(seeded: Store) -> None:
    home = seeded.get("households",
                      seeded.read("households", where={"village_code": VILLAGE})["uid"].iloc[0])
    assert home is not None
    away = affinity.translate(home["geometry"], xoff=0.05)  # about 5 km east
    codes = [i.code for i in check_edit(seeded, "households", home["uid"], {}, away,
                                        audience=SURVEYOR).warnings]
    assert codes == ["outside_village", "outside_plot"]

    target = plot(seeded, f"{VILLAGE}-P0001")
    moved = affinity.translate(target["geometry"], xoff=0.05)
    check = check_edit(seeded, "plots", target["uid"], {}, moved, audience=SURVEYOR)
    assert [i.code for i in check.warnings] == ["outside_village"]
    assert "นอกเขตหมู่บ้าน 27040103" in check.warnings[0].message_th
    assert "outside village 27040103" in check.warnings[0].message_en


def test_attribute_edits_alone_do_not_repeat_place_checks(seeded: Store) -> None:
    target = plot(seeded, f"{VILLAGE}-P0001")
    check = check_edit(seeded, "plots", target["uid"], {"notes": "รั้วใหม่"}, None,
                       audience=SURVEYOR)
    assert check.ok and check.warnings == [] and check.changes == {"notes": "รั้วใหม่"}


# ---------------------------------------------------------------------- fields and roles
def test_surveyor_editing_a_sensitive_field_is_refused(
        seeded: Store, store_location: str) -> None:
    home = seeded.read("households", where={"village_code": VILLAGE})["uid"].iloc[0]
    before = checksum(store_location)
    for field in ("national_id", "monthly_income"):
        check = check_edit(seeded, "households", home, {field: "1"}, None, audience=SURVEYOR)
        assert [i.code for i in check.errors] == ["field_not_allowed"]
        assert check.errors[0].field == field
        with pytest.raises(EditRefused) as refused:
            save_edit(seeded, "households", home, {field: "1", "house_condition": "poor"}, None,
                      expected_version=1, audience=SURVEYOR, accept_warnings=True)
        assert "แก้ช่อง" in refused.value.message_th and "may not edit" in \
            refused.value.message_en
    assert checksum(store_location) == before

    # The same surveyor may change what their role sees; a planner may change the income.
    save_edit(seeded, "households", home, {"house_condition": "dilapidated"}, None,
              expected_version=1, audience=SURVEYOR, accept_warnings=False)
    save_edit(seeded, "households", home, {"monthly_income": 4200}, None, expected_version=2,
              audience=PLANNER, accept_warnings=False)
    saved = seeded.get("households", home)
    assert saved is not None and saved["house_condition"] == "dilapidated"
    assert saved["monthly_income"] == 4200.0 and saved["version"] == 3


def test_roles_and_areas_that_may_not_edit(seeded: Store) -> None:
    home = seeded.read("households", where={"village_code": VILLAGE})["uid"].iloc[0]
    check = check_edit(seeded, "households", home, {"notes": "x"}, None, audience=NEGOTIATOR)
    assert [i.code for i in check.errors] == ["role_may_not_edit"]
    elsewhere = Audience("other", Role.SURVEYOR, frozenset({"27040501"}))
    check = check_edit(seeded, "households", home, {"house_condition": "poor"}, None,
                       audience=elsewhere)
    assert [i.code for i in check.errors] == ["outside_your_areas"]
    # nor may a feature be moved out of one's own areas
    check = check_edit(seeded, "households", home, {"village_code": "27040501"}, None,
                       audience=SURVEYOR)
    assert [i.code for i in check.errors] == ["outside_your_areas"]


def test_values_are_converted_and_checked_against_the_declarations(seeded: Store) -> None:
    home = seeded.read("households", where={"village_code": VILLAGE})["uid"].iloc[0]
    check = check_edit(seeded, "households", home, {
        "members": "many", "house_condition": "bad", "head_name": None, "priority_score": 9.5,
        "colour": "red", "elderly": "2"}, None, audience=ADMIN)
    assert {i.field: i.code for i in check.errors} == {
        "members": "bad_value", "house_condition": "not_in_vocabulary",
        "head_name": "required_missing", "priority_score": "field_not_editable",
        "colour": "unknown_field"}
    vocabulary = next(i for i in check.errors if i.code == "not_in_vocabulary")
    assert "ทรุดโทรม" in vocabulary.fix_th and "dilapidated" in vocabulary.fix_en.lower()
    assert check.changes == {"elderly": 2}  # converted; the refused values are not here
    taken = seeded.read("households").head(2)["household_id"].tolist()
    check = check_edit(seeded, "households", home, {"household_id": taken[1]}, None,
                       audience=ADMIN)
    assert [i.code for i in check.errors] == ["duplicate_id"]


def test_editable_fields_follow_the_role_and_the_declarations() -> None:
    names = [f.name for f in editable_fields("households", SURVEYOR)]
    assert "national_id" not in names and "monthly_income" not in names  # sensitive
    assert "priority_score" not in names and "extra" not in names  # derived, imported
    assert "head_name" in names and "house_condition" in names
    declared = [f.name for f in LAYERS["households"].fields]
    assert names == [n for n in declared if n in names]  # declaration order
    assert "monthly_income" in [f.name for f in editable_fields("households", PLANNER)]
    assert editable_fields("households", NEGOTIATOR) == []
    condition = LAYERS["households"].field("house_condition")
    assert ("dilapidated", "ทรุดโทรมมาก") in form_choices(condition, "th")
    assert ("dilapidated", "Dilapidated") in form_choices(condition, "en")
    assert form_choices(LAYERS["households"].field("head_name"), "th") == []


def test_unchanged_values_are_not_written_and_nothing_changed_is_said(seeded: Store) -> None:
    target = plot(seeded, f"{VILLAGE}-P0001")
    same = {"plot_id": target["plot_id"], "land_owner": target["land_owner"]}
    with pytest.raises(InputError, match="nothing changed"):
        save_edit(seeded, "plots", target["uid"], same, target["geometry"], expected_version=1,
                  audience=SURVEYOR, accept_warnings=True)
    result = save_edit(seeded, "plots", target["uid"], {**same, "notes": "ok"},
                       target["geometry"], expected_version=1, audience=SURVEYOR,
                       accept_warnings=True)
    entry = seeded.history("plots", target["uid"])[-1]
    assert result.versions[target["uid"]] == 2 and entry.changed_fields() == ["notes"]


# ---------------------------------------------------------------------- snapping
def _two_squares(store: Store) -> tuple[str, Polygon]:
    """Plot A, a 20 m square, stored; returns the uid of plot B (east of A, stored) and a
    redrawn B whose west corners and a new corner sit 0.4, 0.6 and 0.3 m from A."""
    x0, y0 = TO_UTM.transform(102.17, 13.52)
    a = Polygon([(x0, y0), (x0 + 20, y0), (x0 + 20, y0 + 20), (x0, y0 + 20)])
    b = Polygon([(x0 + 20, y0), (x0 + 40, y0), (x0 + 40, y0 + 20), (x0 + 20, y0 + 20)])
    frame = gpd.GeoDataFrame({"plot_id": ["SNAP-A", "SNAP-B"], "village_code": [VILLAGE] * 2},
                             geometry=[degrees(a), degrees(b)], crs=4326)
    written = store.write("plots", frame, user="seed")
    redrawn = Polygon([(x0 + 20.4, y0), (x0 + 40, y0), (x0 + 40, y0 + 20),
                       (x0 + 20.6, y0 + 20), (x0 + 20.3, y0 + 10)])
    return written.uids[1], degrees(redrawn)


def test_snapping_proposes_only_corners_within_half_a_metre(store: Store, demo: Store) -> None:
    store.write("villages", demo.read("villages"), user="seed")
    uid, redrawn = _two_squares(store)
    a = store.read("plots", where={"plot_id": "SNAP-A"}).geometry.iloc[0]
    check = check_edit(store, "plots", uid, {}, redrawn, audience=ADMIN)
    snap = check.snapped
    assert check.ok and snap is not None
    assert snap.vertices == 2 and snap.max_shift_m == pytest.approx(0.4, abs=0.01)
    assert "2 corners" in snap.description_en and "2 จุด" in snap.description_th
    moved = ring(snap.geometry)  # a MultiPolygon, as the plots layer stores it
    corner = ring(a)[1]  # A's south-east corner, copied exactly
    assert moved[0] == corner
    assert metres(Point(moved[3])).distance(metres(Point(ring(a)[2]))) == \
        pytest.approx(0.6, abs=0.01)  # 0.6 m: beyond the tolerance, left where it was drawn
    assert metres(Point(moved[4])).distance(metres(a.boundary)) < 1e-3  # onto A's edge
    assert "geometry" in check.changes and check.changes["geometry"].equals(
        MultiPolygon([redrawn]))  # not accepted: the shape as drawn

    save_edit(store, "plots", uid, {}, redrawn, expected_version=1, audience=ADMIN,
              accept_warnings=True, accept_snap=True)
    saved = store.get("plots", uid)
    assert saved is not None and saved["geometry"].equals(snap.geometry)


# ---------------------------------------------------------------------- versions
def test_stale_version_is_a_conflict_and_nothing_is_written(
        seeded: Store, store_location: str) -> None:
    target = plot(seeded, f"{VILLAGE}-P0003")
    save_edit(seeded, "plots", target["uid"], {"notes": "first"}, None, expected_version=1,
              audience=PLANNER, accept_warnings=False)  # someone else saved meanwhile
    before = checksum(store_location)
    with pytest.raises(ConflictError) as conflict:
        save_edit(seeded, "plots", target["uid"], {"notes": "mine"}, None, expected_version=1,
                  audience=SURVEYOR, accept_warnings=False)
    assert conflict.value.conflicts[0].current_version == 2
    assert conflict.value.conflicts[0].theirs["notes"] == "first"
    assert "nothing was saved" in conflict.value.message_en
    assert checksum(store_location) == before


def test_theirs_in_a_conflict_holds_only_what_the_user_may_see(seeded: Store) -> None:
    home = seeded.read("households", where={"village_code": VILLAGE})["uid"].iloc[0]
    save_edit(seeded, "households", home, {"monthly_income": 9999}, None, expected_version=1,
              audience=PLANNER, accept_warnings=False)
    with pytest.raises(ConflictError) as conflict:
        save_edit(seeded, "households", home, {"phone": "0812345678"}, None,
                  expected_version=1, audience=SURVEYOR, accept_warnings=False)
    theirs = conflict.value.conflicts[0].theirs
    assert theirs is not None and "monthly_income" not in theirs and "phone" in theirs


# ---------------------------------------------------------------------- create, delete
def test_create_checks_required_fields_then_writes_version_one(seeded: Store) -> None:
    target = plot(seeded, f"{VILLAGE}-P0004")
    inside = target["geometry"].representative_point()
    values = {"household_id": f"{VILLAGE}-H9999", "village_code": VILLAGE,
              "plot_id": target["plot_id"], "consent": True}
    with pytest.raises(EditRefused) as refused:
        create_feature(seeded, "households", values, inside, audience=SURVEYOR,
                       accept_warnings=False)
    assert [i.field for i in refused.value.check.errors] == ["head_name"]
    assert "ชื่อหัวหน้าครัวเรือน" in refused.value.message_th
    result = create_feature(seeded, "households", {**values, "head_name": "นางใหม่ ใจดี"},
                            inside, audience=SURVEYOR, accept_warnings=False)
    created = seeded.get("households", result.uids[0])
    assert created is not None and created["version"] == 1 and created["updated_by"] == "som"


def test_deleting_a_plot_with_households_needs_confirmation(seeded: Store) -> None:
    home = seeded.read("households", where={"village_code": VILLAGE}).iloc[0]
    target = plot(seeded, home["plot_id"])
    with pytest.raises(EditRefused) as refused:
        delete_feature(seeded, "plots", target["uid"], expected_version=1, audience=SURVEYOR)
    assert [i.code for i in refused.value.check.warnings] == ["plot_has_households"]
    delete_feature(seeded, "plots", target["uid"], expected_version=1, audience=SURVEYOR,
                   accept_warnings=True)
    gone = seeded.get("plots", target["uid"])
    assert gone is not None and gone["deleted"] and gone["version"] == 2  # soft, kept
