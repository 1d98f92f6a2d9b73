"""gis.privacy, the one gate: roles × privacy classes, area scopes, suppression — on the demo."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pandas as pd
import pytest

from gis.errors import InputError
from gis.privacy import (
    CEILING,
    SMALL_COUNT,
    Audience,
    Role,
    count_by_area,
    parse_roles,
    read_visible,
    redact,
    resolve_scope,
    scope_of,
    shows_geometry,
    suppress,
    visible_fields,
)
from gis.store import Store, open_store
from layers import LAYERS, PrivacyClass
from layers.vocab import ROLE

VILLAGE = "27040103"  # ชุมชนหน้าโรงพยาบาล, tambon 270401
OTHER_TAMBON_VILLAGE = "27040501"


@pytest.fixture(scope="module")
def demo(demo_gpkg: str) -> Iterator[Store]:
    store = open_store(demo_gpkg, create=False)
    yield store
    store.close()


def test_roles_are_the_declared_vocabulary() -> None:
    assert [r.value for r in Role] == list(ROLE.codes())
    assert set(CEILING) == set(Role)
    assert Role.SURVEYOR.label("th") == "ทีมสำรวจ"


def test_ceilings_follow_design() -> None:
    # DESIGN.md §3: agency viewer → public; surveyor → personal; planner → sensitive; admin all.
    assert CEILING[Role.AGENCY_VIEWER] is PrivacyClass.PUBLIC
    assert CEILING[Role.SURVEYOR] is PrivacyClass.PERSONAL
    assert CEILING[Role.PLANNER] is PrivacyClass.SENSITIVE
    assert CEILING[Role.ADMIN] is PrivacyClass.SENSITIVE


@pytest.mark.parametrize("role", list(Role))
def test_visible_fields_never_exceed_the_ceiling(role: Role) -> None:
    audience = Audience("u", role, frozenset({VILLAGE}))
    for spec in LAYERS.values():
        shown = visible_fields(spec, audience)
        assert all(f.privacy.rank <= CEILING[role].rank for f in shown)
        hidden = set(spec.fields) - set(shown)
        assert all(f.privacy.rank > CEILING[role].rank for f in hidden)


def test_household_points_are_personal() -> None:
    spec = LAYERS["households"]
    assert not shows_geometry(spec, Audience("a", Role.AGENCY_VIEWER))
    assert not shows_geometry(spec, Audience("n", Role.NEGOTIATOR, frozenset({VILLAGE})))
    assert shows_geometry(spec, Audience("s", Role.SURVEYOR, frozenset({VILLAGE})))


def test_surveyor_reads_only_their_village_and_no_sensitive_field(demo: Store) -> None:
    audience = Audience("s", Role.SURVEYOR, frozenset({VILLAGE}))
    frame = read_visible(demo, "households", audience)
    assert len(frame) == demo.count_by("households", where={"village_code": VILLAGE})[None]
    assert set(frame["village_code"]) == {VILLAGE}
    sensitive = {f.name for f in LAYERS["households"].fields
                 if f.privacy is PrivacyClass.SENSITIVE}
    assert sensitive and not sensitive & set(frame.columns)
    assert "head_name" in frame.columns  # personal: a surveyor needs names


def test_tambon_assignment_covers_its_villages(demo: Store) -> None:
    audience = Audience("p", Role.PLANNER, frozenset({"270401"}))
    scope = scope_of(demo, audience)
    villages = demo.read("villages")
    expected = set(villages.loc[villages["tambon_code"] == "270401", "village_code"])
    assert scope.villages == expected
    frame = read_visible(demo, "households", audience, scope=scope)
    assert set(frame["village_code"]) == expected
    assert "national_id" in frame.columns  # a planner sees sensitive fields in their areas


def test_where_cannot_widen_the_scope(demo: Store) -> None:
    audience = Audience("s", Role.SURVEYOR, frozenset({VILLAGE}))
    frame = read_visible(demo, "households", audience,
                         where={"village_code": [VILLAGE, OTHER_TAMBON_VILLAGE]})
    assert set(frame["village_code"]) == {VILLAGE}


def test_filtering_by_a_hidden_field_is_refused(demo: Store) -> None:
    audience = Audience("s", Role.SURVEYOR, frozenset({VILLAGE}))
    with pytest.raises(InputError) as info:
        read_visible(demo, "households", audience, where={"monthly_income": 1000})
    assert "monthly_income" in info.value.message_en and info.value.message_th


def test_agency_viewer_gets_no_personal_columns_nor_points(demo: Store) -> None:
    audience = Audience("g", Role.AGENCY_VIEWER, frozenset({"2704"}))
    frame = read_visible(demo, "households", audience)
    assert "geometry" not in frame.columns
    assert set(frame.columns) <= {"uid", "version", "village_code"}
    names = set(demo.read("households")["head_name"])
    assert not names & {str(v) for v in frame.to_numpy().ravel()}


def test_user_without_areas_sees_nothing_scoped(demo: Store) -> None:
    audience = Audience("s", Role.SURVEYOR, frozenset())
    assert read_visible(demo, "households", audience).empty
    assert not read_visible(demo, "tenure_zones", audience).empty  # not tied to an area


def test_admin_sees_everything(demo: Store) -> None:
    frame = read_visible(demo, "households", Audience("a", Role.ADMIN))
    assert len(frame) == demo.counts()["households"]
    assert list(frame.columns) == ["uid", "version", "updated_at", "updated_by",
                                   *LAYERS["households"].field_names, "geometry"]


def test_redact_drops_rows_outside_scope_and_hidden_columns() -> None:
    spec = LAYERS["villages"]
    frame = pd.DataFrame({
        "uid": ["a", "b"], "version": [1, 1], "village_code": [VILLAGE, OTHER_TAMBON_VILLAGE],
        "name_th": ["x", "y"], "tambon_code": ["270401", "270405"],
        "survey_status": ["done", "done"],
    })
    audience = Audience("g", Role.AGENCY_VIEWER, frozenset({"270401"}))
    out = redact(frame, spec, audience, resolve_scope(audience, frame))
    assert out["village_code"].tolist() == [VILLAGE]
    assert "survey_status" not in out.columns  # internal


def test_small_counts_are_suppressed_for_outsiders_only() -> None:
    counts = {"a": 0, "b": 1, "c": SMALL_COUNT - 1, "d": SMALL_COUNT, "e": 40}
    outside = suppress(counts, Audience("g", Role.AGENCY_VIEWER))
    assert outside == {"a": 0, "b": None, "c": None, "d": SMALL_COUNT, "e": 40}
    assert suppress(counts, Audience("p", Role.PLANNER, frozenset({"27"}))) == counts


def test_count_by_area_respects_scope(demo: Store) -> None:
    audience = Audience("g", Role.AGENCY_VIEWER, frozenset({"270401"}))
    counts = count_by_area(demo.read("households"), "village_code", audience,
                           scope_of(demo, audience))
    assert set(counts) == set(scope_of(demo, audience).villages)


def test_parse_roles_is_bilingual() -> None:
    assert parse_roles(["admin", "surveyor"]) == [Role.ADMIN, Role.SURVEYOR]
    with pytest.raises(InputError) as info:
        parse_roles(["boss"])
    assert "boss" in info.value.message_en and "agency_viewer" in info.value.message_en
    assert "บทบาท" in info.value.message_th


@pytest.mark.parametrize("role", list(Role))
def test_the_thai_statement_names_the_privacy_class_in_thai(role: Role) -> None:
    from gis.privacy import describe

    thai = describe(Audience("x", role, frozenset({"2704"})), "th")
    assert role.label("th") in thai and "ข้อมูล" in thai
    assert not re.search("[a-z]", thai), thai  # no English class code left in the Thai line
    assert Audience("x", role).ceiling.value in describe(Audience("x", role), "en")
