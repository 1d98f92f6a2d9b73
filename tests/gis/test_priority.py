"""gis.priority: scores and reasons for hand-built households (each factor alone, together,
missing values, the income line), the ranking change between two sets of rules, the demo's
households against the NESDC rule of gis.overlay — and, over both stores, the planner's marks
kept in the feature history with who made them, and the derived scores written once."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

from gis.errors import ConflictError, InputError
from gis.overlay import vulnerable
from gis.priority import (
    FACTORS,
    Rules,
    changed_rules,
    mark_priority,
    ranking_change,
    score_households,
    score_store,
    store_scores,
)
from gis.privacy import Audience, Role
from gis.store import Store, open_store
from tests.gis.store.helpers import checksum

VILLAGE = "27040103"
OTHER_VILLAGE = "27040105"
PLANNER = Audience("plan_a", Role.PLANNER, frozenset({"270401"}))
ADMIN = Audience("admin1", Role.ADMIN)


# ------------------------------------------------------------------------- hand-built
def household(n: int = 0, **values: Any) -> dict[str, Any]:
    """A household that meets no factor: 4 members, 50,000 baht a month (150,000 a person a
    year), a good house of its own, no elderly, disabled, bedridden or young children."""
    return {"uid": f"u{n:03d}", "household_id": f"{VILLAGE}-H{n:04d}", "village_code": VILLAGE,
            "plot_id": None, "members": 4, "elderly": 0, "disabled": 0, "bedridden": 0,
            "children": 0, "monthly_income": 50_000.0, "house_condition": "good",
            "dwelling_status": "own_house", "priority_flag": False, **values}


def frame(*rows: dict[str, Any]) -> pd.DataFrame:
    """Rows typed as the store reads them (Int64 counts, nullable booleans)."""
    out = pd.DataFrame(list(rows))
    for name in ("members", "elderly", "disabled", "bedridden", "children"):
        if name in out.columns:
            out[name] = out[name].astype("Int64")
    if "priority_flag" in out.columns:
        out["priority_flag"] = out["priority_flag"].astype("boolean")
    return out


def plots(*pairs: tuple[str, str | None]) -> pd.DataFrame:
    return pd.DataFrame({"plot_id": [p for p, _ in pairs],
                         "occupant_tenure": [t for _, t in pairs]})


def only(scored: pd.DataFrame) -> dict[str, Any]:
    assert len(scored) == 1
    row: dict[str, Any] = scored.iloc[0].to_dict()
    return row


def test_a_household_meeting_no_factor_scores_nothing() -> None:
    row = only(score_households(frame(household()), None))
    assert row["score"] == 0 and row["reasons"] == [] and not row["suggested"]
    assert (row["uid"], row["household_id"], row["rank"]) == ("u000", f"{VILLAGE}-H0000", 1)


@pytest.mark.parametrize(("values", "factor", "points", "th", "en"), [
    ({"elderly": 2}, "elderly", 2.0, "ผู้สูงอายุ 2 คน", "2 elderly members"),
    ({"elderly": 1}, "elderly", 2.0, "ผู้สูงอายุ 1 คน", "1 elderly member"),
    ({"disabled": 1}, "disabled", 3.0, "ผู้พิการ 1 คน", "1 disabled member"),
    ({"bedridden": 1}, "bedridden", 3.0, "ผู้ป่วยติดเตียง 1 คน", "1 bedridden member"),
    ({"children": 3}, "children", 1.0, "เด็กเล็ก 3 คน", "3 young children"),
    ({"children": 1}, "children", 1.0, "เด็กเล็ก 1 คน", "1 young child"),
    # 8,000 baht a month for 4 people: 24,000 a person a year.
    ({"monthly_income": 8_000.0}, "low_income", 2.0,
     "รายได้ 24,000 บาท/คน/ปี ต่ำกว่าเกณฑ์ 100,000",
     "income 24,000 baht per person per year, below 100,000"),
    ({"monthly_income": 0.0}, "low_income", 2.0, "รายได้ 0 บาท/คน/ปี ต่ำกว่าเกณฑ์ 100,000",
     "income 0 baht per person per year, below 100,000"),
    ({"house_condition": "dilapidated"}, "house_condition", 3.0, "สภาพบ้าน: ทรุดโทรมมาก",
     "house condition: dilapidated"),
    ({"house_condition": "poor"}, "house_condition", 1.0, "สภาพบ้าน: ชำรุด",
     "house condition: poor, damaged"),
    ({"dwelling_status": "rented"}, "insecure_tenure", 2.0,
     "ถือครองไม่มั่นคง — ที่อยู่: บ้านเช่า", "insecure tenure — dwelling: rented house"),
    ({"dwelling_status": "no_fixed_home"}, "insecure_tenure", 2.0,
     "ถือครองไม่มั่นคง — ที่อยู่: ไม่มีที่อยู่เป็นหลักแหล่ง",
     "insecure tenure — dwelling: no fixed home"),
    ({"plot_id": "P-evict"}, "insecure_tenure", 2.0, "ถือครองไม่มั่นคง — ที่ดิน: ถูกไล่ที่",
     "insecure tenure — land: facing eviction"),
    ({"plot_id": "P-squat"}, "insecure_tenure", 2.0,
     "ถือครองไม่มั่นคง — ที่ดิน: อาศัยโดยไม่ได้รับอนุญาต (บุกรุก)",
     "insecure tenure — land: occupies without permission"),
])
def test_each_factor_alone_scores_its_points_with_a_concrete_reason(
        values: dict[str, Any], factor: str, points: float, th: str, en: str) -> None:
    land = plots(("P-evict", "facing_eviction"), ("P-squat", "no_permission"),
                 ("P-own", "owner"))
    row = only(score_households(frame(household(**values)), land))
    assert row["reasons"] == [{"factor": factor, "points": points, "reason_th": th,
                               "reason_en": en}]
    assert row["score"] == points and not row["suggested"]


def test_factors_add_up_and_reasons_come_in_a_fixed_order() -> None:
    hh = household(elderly=2, bedridden=1, monthly_income=8_000.0,
                   house_condition="dilapidated", dwelling_status="rented", plot_id="P1")
    row = only(score_households(frame(hh), plots(("P1", "renter"))))
    assert [r["factor"] for r in row["reasons"]] == \
        ["bedridden", "elderly", "low_income", "house_condition", "insecure_tenure"]
    assert [r["factor"] for r in row["reasons"]] == [f for f in FACTORS if f in
                                                     {r["factor"] for r in row["reasons"]}]
    assert row["score"] == 3 + 2 + 2 + 3 + 2 and row["suggested"]
    # Land and dwelling both insecure: one factor, both named, points once.
    assert row["reasons"][-1] == {
        "factor": "insecure_tenure", "points": 2.0,
        "reason_th": "ถือครองไม่มั่นคง — ที่ดิน: เช่า; ที่อยู่: บ้านเช่า",
        "reason_en": "insecure tenure — land: renter; dwelling: rented house"}


def test_secure_and_unknown_tenure_are_not_evidence() -> None:
    land = plots(("P-own", "owner"), ("P-lease", "collective_lease"), ("P-unk", "unknown"),
                 ("P-none", None))
    rows = frame(*(household(i, plot_id=p) for i, p in
                   enumerate(["P-own", "P-lease", "P-unk", "P-none", "P-not-mapped", None])))
    scored = score_households(rows, land)
    assert (scored["score"] == 0).all()
    # Without any plots, only the dwelling status can tell.
    assert score_households(frame(household(plot_id="P-own", dwelling_status="rented")),
                            None)["score"].tolist() == [2.0]


def test_a_plot_id_entered_twice_never_hides_insecure_tenure() -> None:
    land = plots(("P1", "owner"), ("P1", "facing_eviction"), ("P1", "owner"))
    row = only(score_households(frame(household(plot_id="P1")), land))
    assert row["reasons"][0]["reason_en"] == "insecure tenure — land: facing eviction"


def test_missing_or_unreadable_values_never_raise_and_never_score() -> None:
    blank = {k: None for k in household() if k not in ("uid", "household_id")}
    rows = frame(
        household(0, **blank),
        household(1, members=0, monthly_income=1_000.0),  # no income per person
        household(2, members=None, monthly_income=1_000.0),
        household(3, monthly_income=None),
        household(4, monthly_income=-5.0, elderly=-1, house_condition="unheard-of"),
        household(5, elderly=None, disabled=None, bedridden=None, children=None),
        household(6, dwelling_status=None, plot_id="P1"),
    )
    scored = score_households(rows, plots(("P1", None)))
    assert (scored["score"] == 0).all() and scored["reasons"].map(len).eq(0).all()
    # Text where a number belongs, and columns left out entirely.
    odd = pd.DataFrame({"uid": ["a", "b"], "members": ["สี่", "4"],
                        "monthly_income": ["ไม่ทราบ", "1000"], "elderly": ["x", None]})
    assert score_households(odd, None)["score"].tolist() == [2.0, 0.0]
    bare = score_households(pd.DataFrame({"uid": ["a"]}), pd.DataFrame())
    assert bare["score"].tolist() == [0.0] and bare["household_id"].isna().all()
    assert len(score_households(frame(household()).iloc[:0], None)) == 0


def test_the_income_line_is_at_or_below_nesdc_100000() -> None:
    # Members 3: monthly 25,000 is exactly 100,000 a person a year.
    rows = frame(household(0, members=3, monthly_income=25_000.0),
                 household(1, members=3, monthly_income=25_000.01),
                 household(2, members=3, monthly_income=24_999.99))
    by_uid = score_households(rows, None).set_index("uid")
    assert by_uid.loc["u000", "reasons"] == [{
        "factor": "low_income", "points": 2.0,
        "reason_th": "รายได้ 100,000 บาท/คน/ปี เท่ากับเกณฑ์ 100,000",
        "reason_en": "income 100,000 baht per person per year, at 100,000"}]
    assert by_uid.loc["u001", "reasons"] == []
    # 99,999.96 is shown rounded down: never "100,000, below 100,000".
    assert by_uid.loc["u002", "reasons"][0]["reason_en"] == \
        "income 99,999 baht per person per year, below 100,000"


def test_rules_set_the_points_thresholds_and_the_suggested_line() -> None:
    rows = frame(household(0, elderly=1), household(1, elderly=2),
                 household(2, children=2, house_condition="poor"))
    rules = Rules(elderly_min=2, elderly_points=5.5, children_points=0.0,
                  income_per_person_year=200_000.0, suggest_at=5.5)
    by_uid = score_households(rows, None, rules).set_index("uid")
    # One elderly member is under the threshold of 2; 150,000 a person is now under the line.
    assert [r["factor"] for r in by_uid.loc["u000", "reasons"]] == ["low_income"]
    assert by_uid.loc["u001", "score"] == 5.5 + 2.0 and by_uid.loc["u001", "suggested"]
    assert not by_uid.loc["u000", "suggested"]
    # A factor worth no points is no reason.
    assert [r["factor"] for r in by_uid.loc["u002", "reasons"]] == \
        ["low_income", "house_condition"]
    assert by_uid.loc["u002", "reasons"][0]["reason_en"].endswith("below 200,000")
    tenure = Rules(insecure_occupant_tenure=frozenset({"facing_eviction"}),
                   insecure_dwelling=frozenset())
    land = plots(("P1", "renter"), ("P2", "facing_eviction"))
    rows = frame(household(0, plot_id="P1", dwelling_status="rented"),
                 household(1, plot_id="P2"))
    assert score_households(rows, land, tenure).set_index("uid")["score"].to_dict() == \
        {"u000": 0.0, "u001": 2.0}


def test_order_is_by_score_then_household_id_and_the_mark_passes_through() -> None:
    rows = frame(household(3, elderly=1), household(1, disabled=1),
                 household(2, elderly=1, priority_flag=True), household(0),
                 household(4, disabled=1, dwelling_status="rented", house_condition="poor",
                           monthly_income=1_000.0, priority_flag=None))
    scored = score_households(rows, None)
    assert scored["uid"].tolist() == ["u004", "u001", "u002", "u003", "u000"]
    assert scored["rank"].tolist() == [1, 2, 3, 4, 5]
    assert scored["score"].tolist() == [8.0, 3.0, 2.0, 2.0, 0.0]
    assert scored["suggested"].tolist() == [True, False, False, False, False]
    assert scored["priority_flag"].tolist() == [False, False, True, False, False]


def test_rules_are_checked_and_round_trip_through_json() -> None:
    rules = Rules(elderly_points=2.5, insecure_dwelling=frozenset({"rented"}))
    data = rules.to_json()
    assert data["insecure_dwelling"] == ["rented"]
    assert data["insecure_occupant_tenure"] == sorted(Rules().insecure_occupant_tenure)
    assert Rules.from_json(data) == rules
    assert Rules.from_json({}) == Rules()  # a version saved before a factor existed
    assert changed_rules(Rules(), rules) == {
        "elderly_points": (2.0, 2.5),
        "insecure_dwelling": (sorted(Rules().insecure_dwelling), ["rented"])}
    with pytest.raises(InputError) as caught:
        Rules(elderly_points=-1, disabled_min=0, suggest_at=0,
              insecure_occupant_tenure=frozenset({"owner", "landlord"}))
    for name in ("elderly_points", "disabled_min", "suggest_at", "landlord"):
        assert name in caught.value.message_en and name in caught.value.message_th
    with pytest.raises(InputError, match="must be a number"):
        Rules(low_income_points=math.nan)
    with pytest.raises(InputError, match="whole number"):
        Rules(children_min=True)
    with pytest.raises(InputError, match="unknown rule"):
        Rules.from_json({"elderly_pts": 3})
    assert Rules.from_json({"elderly_pts": 3}, strict=False) == Rules()
    with pytest.raises(InputError, match="list of codes"):
        Rules.from_json({"insecure_dwelling": "rented"})
    with pytest.raises(InputError, match="no uid"):
        score_households(pd.DataFrame({"members": [1]}), None)


def test_ranking_change_shows_moves_and_the_suggested_list_before_saving() -> None:
    rows = frame(household(0, elderly=2, monthly_income=8_000.0, house_condition="poor"),
                 household(1, house_condition="dilapidated", dwelling_status="rented",
                           monthly_income=8_000.0),
                 household(2, children=3, monthly_income=8_000.0),
                 household(3))
    old = Rules()  # u001: 3+2+2 = 7 suggested; u000: 2+2+1 = 5; u002: 1+2 = 3
    new = Rules(elderly_points=5.0, dilapidated_points=1.0, suggest_at=8.0)
    change = ranking_change(rows, None, old, new).set_index("uid")
    assert change.loc["u000", ["old_score", "new_score", "old_rank", "new_rank"]].tolist() == \
        [5.0, 8.0, 2, 1]
    assert change.loc["u000", "moved"] == 1 and change.loc["u000", "direction"] == "up"
    assert change.loc["u000", "entering"] and not change.loc["u000", "leaving"]
    assert change.loc["u001", ["old_rank", "new_rank", "moved"]].tolist() == [1, 2, -1]
    assert change.loc["u001", "direction"] == "down" and change.loc["u001", "leaving"]
    assert change.loc["u002", "direction"] == "same" and change.loc["u002", "moved"] == 0
    assert not change["entering"].drop("u000").any()
    assert not change["leaving"].drop("u001").any()
    assert list(change.index) == ["u000", "u001", "u002", "u003"]  # the new order
    assert change.loc["u000", "reasons"][0]["points"] == 5.0


def test_the_demo_agrees_with_the_nesdc_rule_of_the_overlay(demo: Store) -> None:
    households, land = demo.read("households"), demo.read("plots")
    scored = score_households(households, land).set_index("uid")
    nesdc = {"elderly", "disabled", "bedridden", "children", "low_income"}
    by_score = scored["reasons"].map(lambda rs: bool(nesdc & {r["factor"] for r in rs}))
    flags = pd.Series(vulnerable(households), index=households["uid"].astype("string"))
    assert by_score.reindex(flags.index).tolist() == flags.tolist()
    # Vectorised over real data: every point is accounted for by a reason.
    totals = scored["reasons"].map(lambda rs: sum(r["points"] for r in rs))
    assert np.allclose(totals, scored["score"])
    assert 0.1 < scored["suggested"].mean() < 0.35


# ---------------------------------------------------------------------- in the stores
@pytest.fixture(scope="module")
def demo(demo_gpkg: str) -> Iterator[Store]:
    store = open_store(demo_gpkg, create=False)
    yield store
    store.close()


@pytest.fixture
def seeded(store: Store, demo: Store) -> Store:
    """Two villages of the demo (villages, plots, households) in a fresh store."""
    store.write("villages", demo.read("villages"), user="seed")
    for layer in ("plots", "households"):
        store.write(layer, demo.read(layer, where={"village_code": [VILLAGE, OTHER_VILLAGE]}),
                    user="seed")
    return store


def first_uid(store: Store, village: str = VILLAGE) -> str:
    return str(store.read("households", where={"village_code": village})["uid"].iloc[0])


def test_a_planners_mark_is_a_version_with_who_and_when(seeded: Store,
                                                        store_location: str) -> None:
    uid = first_uid(seeded)
    result = mark_priority(seeded, uid=uid, flag=True, note="  ผู้ป่วยติดเตียง หลังคารั่ว ",
                           user=PLANNER, version=1)
    assert result.versions == {uid: 2}
    stored = seeded.get("households", uid)
    assert stored is not None
    assert (stored["priority_flag"], stored["priority_note"], stored["updated_by"]) == \
        (True, "ผู้ป่วยติดเตียง หลังคารั่ว", "plan_a")
    mark_priority(seeded, uid=uid, flag=False, note="", user=ADMIN, version=2)
    history = seeded.history("households", uid)
    assert [(h.version, h.changed_by) for h in history] == \
        [(1, "seed"), (2, "plan_a"), (3, "admin1")]
    assert history[1].changed_fields() == ["priority_flag", "priority_note"]
    assert history[2].after["priority_flag"] is False and history[2].after["priority_note"] is None
    assert history[1].changed_at.tzinfo is not None
    # Two planners at once: the one who read version 2 is refused, nothing written.
    before = checksum(store_location)
    with pytest.raises(ConflictError):
        mark_priority(seeded, uid=uid, flag=True, note="", user=PLANNER, version=2)
    assert checksum(store_location) == before


@pytest.mark.parametrize("who", [
    Audience("som", Role.SURVEYOR, frozenset({VILLAGE})),
    Audience("nego", Role.NEGOTIATOR, frozenset({"270401"})),
    Audience("agency", Role.AGENCY_VIEWER),
])
def test_only_planners_and_admins_may_mark(seeded: Store, store_location: str,
                                           who: Audience) -> None:
    uid = first_uid(seeded)
    before = checksum(store_location)
    with pytest.raises(InputError) as caught:
        mark_priority(seeded, uid=uid, flag=True, note="", user=who, version=1)
    assert "planners and administrators only" in caught.value.message_en
    assert "เฉพาะผู้วางแผนและผู้ดูแลระบบ" in caught.value.message_th
    assert checksum(store_location) == before


def test_a_planner_marks_only_inside_their_areas(seeded: Store) -> None:
    elsewhere = Audience("plan_b", Role.PLANNER, frozenset({OTHER_VILLAGE}))
    with pytest.raises(InputError, match="outside your areas"):
        mark_priority(seeded, uid=first_uid(seeded), flag=True, note="", user=elsewhere,
                      version=1)
    mark_priority(seeded, uid=first_uid(seeded, OTHER_VILLAGE), flag=True, note="",
                  user=elsewhere, version=1)
    with pytest.raises(InputError, match="true or false"):
        mark_priority(seeded, uid=first_uid(seeded), flag="yes", note="",  # type: ignore[arg-type]
                      user=PLANNER, version=1)


def test_scores_are_written_once_and_again_only_where_they_change(seeded: Store) -> None:
    first = store_scores(seeded, Rules(), user="plan_a")
    assert first is not None
    households = seeded.read("households")
    assert len(first.versions) == len(households)
    expected = score_households(households, seeded.read("plots")).set_index("uid")["score"]
    stored = households.set_index(households["uid"].astype("string"))["priority_score"]
    assert stored.reindex(expected.index).tolist() == expected.tolist()
    assert (households["updated_by"] == "plan_a").all() and (households["version"] == 2).all()
    assert store_scores(seeded, Rules(), user="plan_a") is None  # nothing changed
    # Only elderly households change when the elderly weigh more.
    second = store_scores(seeded, Rules(elderly_points=4.0), user="plan_b")
    assert second is not None
    elderly = set(households.loc[households["elderly"].fillna(0) >= 1, "uid"])
    assert set(second.versions) == elderly and set(second.versions.values()) == {3}
    [entry] = [h for h in seeded.history("households", next(iter(elderly))) if h.version == 3]
    assert entry.changed_by == "plan_b" and entry.changed_fields() == ["priority_score"]


def test_scoring_from_a_store_goes_through_the_privacy_gate(seeded: Store) -> None:
    table = score_store(seeded, audience=PLANNER, village=VILLAGE)
    assert set(table["village_code"]) == {VILLAGE}
    assert len(table) == len(seeded.read("households", where={"village_code": VILLAGE}))
    # A planner of one village does not see the other's households at all.
    narrow = score_store(seeded, audience=Audience("p", Role.PLANNER,
                                                   frozenset({OTHER_VILLAGE})))
    assert set(narrow["village_code"]) == {OTHER_VILLAGE}
    with pytest.raises(InputError, match="reveal income and disability"):
        score_store(seeded, audience=Audience("som", Role.SURVEYOR, frozenset({VILLAGE})))
    with pytest.raises(InputError, match="no village with code 99999999"):
        score_store(seeded, audience=ADMIN, village="99999999")
