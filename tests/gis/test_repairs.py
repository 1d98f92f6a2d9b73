"""gis.repairs and gis.budgets on real stores (GeoPackage and PostGIS): repairs move one step
at a time and the history keeps who moved them; a refused step names both statuses in Thai and
English and writes nothing; no repair passes a programme cap unless its warning is
acknowledged, and the acknowledgement is kept; budget money follows its written definitions."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from gis.budgets import budget_status, budget_statuses, check_caps
from gis.errors import ConflictError, InputError
from gis.repairs import (
    CapsNotAcknowledged,
    approve_repair,
    create_repair,
    find_repair,
    finish_repair,
    reopen_repair,
    set_amounts,
    start_repair,
    verify_repair,
)
from gis.store import Store

VILLAGE = "27040101"
DAY = dt.date(2026, 3, 2)


def seed(store: Store, *, allocation: float = 100_000.0) -> list[str]:
    """Three households in one village and a Baan Por Piang budget for its tambon (cap per
    house from the programme: 19,000 baht); returns the households' uids."""
    households = gpd.GeoDataFrame(
        {"household_id": [f"{VILLAGE}-H{i}" for i in range(1, 4)],
         "village_code": VILLAGE, "head_name": ["นางสมศรี ใจดี", "นายสมชาย รักดี",
                                               "นางบุญมา ศรีสุข"],
         "consent": True, "survey_date": dt.date(2026, 1, 10)},
        geometry=[Point(102.52 + i * 1e-4, 13.87) for i in range(3)], crs=4326)
    result = store.write("households", households, user="seed")
    budgets = pd.DataFrame([
        {"budget_id": "BPP-T", "programme": "baan_por_piang", "area_code": "270401",
         "allocation": allocation, "fiscal_year": 2569,
         "tranches": [{"no": 1, "percent": 70, "due_on": "2026-01-15",
                       "transferred_on": "2026-01-20"},
                      {"no": 2, "percent": 30, "due_on": "2026-05-15", "transferred_on": None}]},
        {"budget_id": "CTF-A", "programme": "city_fund", "area_code": "2704",
         "allocation": 500_000.0},
    ])
    store.write("budgets", budgets, user="seed")
    return result.uids


def proposed(store: Store, household: str, estimate: float = 15_000.0) -> str:
    repair = create_repair(store, household_uid=household, items="เปลี่ยนหลังคาสังกะสี",
                           estimate=estimate, programme="baan_por_piang", budget_id="BPP-T",
                           user="surveyor1", today=DAY)
    return str(repair["uid"])


def approved(store: Store, household: str, amount: float, **kw: object) -> str:
    uid = proposed(store, household)
    approve_repair(store, uid, decision="มติครั้งที่ 1/2569", approved_amount=amount,
                   user="planner1", today=DAY + dt.timedelta(days=10), **kw)
    return uid


# -------------------------------------------------------------------------- creation
def test_a_repair_is_proposed_in_the_households_village_with_the_next_id(store: Store) -> None:
    homes = seed(store)
    first = create_repair(store, household_uid=homes[0], items="ซ่อมฝาผนัง", estimate=9_000,
                          programme="baan_por_piang", budget_id="BPP-T", user="s", today=DAY)
    second = create_repair(store, household_uid=homes[1], items="ซ่อมห้องน้ำ", estimate=8_000,
                           programme="baan_por_piang", user="s", today=DAY)
    assert (first["repair_id"], second["repair_id"]) == ("R-0001", "R-0002")
    assert first["village_code"] == VILLAGE and first["status"] == "proposed"
    assert first["proposed_on"] == DAY and first["version"] == 1
    assert find_repair(store, "R-0002")["uid"] == second["uid"]


@pytest.mark.parametrize(("change", "words"), [
    ({"household_uid": "no-such-household"}, "no household"),
    ({"items": "  "}, "items"),
    ({"estimate": 0}, "positive number"),
    ({"programme": "lottery"}, "unknown programme"),
    ({"budget_id": "CTF-A"}, "belongs to"),
    ({"budget_id": "NONE"}, "no budget"),
])
def test_a_bad_proposal_is_refused_in_both_languages(store: Store, change: dict[str, object],
                                                      words: str) -> None:
    homes = seed(store)
    args: dict[str, object] = {"household_uid": homes[0], "items": "ซ่อมฝาผนัง",
                               "estimate": 9_000.0, "programme": "baan_por_piang",
                               "budget_id": "BPP-T", **change}
    with pytest.raises(InputError) as caught:
        create_repair(store, user="s", today=DAY, **args)
    assert words in caught.value.message_en and caught.value.message_th
    assert store.counts()["repairs"] == 0


def test_a_budget_of_another_area_is_refused(store: Store) -> None:
    homes = seed(store)
    store.write("budgets", pd.DataFrame([{"budget_id": "BPP-X", "programme": "baan_por_piang",
                                          "area_code": "270406", "allocation": 1.0}]), user="s")
    with pytest.raises(InputError, match="does not cover village 27040101"):
        create_repair(store, household_uid=homes[0], items="x", estimate=1_000,
                      programme="baan_por_piang", budget_id="BPP-X", user="s", today=DAY)


# ------------------------------------------------------------------------ transitions
def test_each_step_is_a_version_that_keeps_who_and_when(store: Store) -> None:
    homes = seed(store)
    uid = proposed(store, homes[0])
    approve_repair(store, uid, decision="มติครั้งที่ 2/2569 อนุมัติ", approved_amount=14_500,
                   user="planner1", today=dt.date(2026, 3, 10), expected_version=1)
    start_repair(store, uid, builder="ช่างสมปอง", user="planner2", today=dt.date(2026, 3, 15))
    finish_repair(store, uid, spent=14_000, user="planner2", today=dt.date(2026, 4, 2))
    done = verify_repair(store, uid, inspection="หลังคาไม่รั่ว ผ่าน", user="inspector",
                         today=dt.date(2026, 4, 9))
    assert done["status"] == "verified" and done["version"] == 5
    assert (done["approved_on"], done["started_on"], done["done_on"], done["verified_on"]) == (
        dt.date(2026, 3, 10), dt.date(2026, 3, 15), dt.date(2026, 4, 2), dt.date(2026, 4, 9))
    assert "หลังคาไม่รั่ว ผ่าน" in done["committee_decision"]
    history = store.history("repairs", uid)
    assert [(e.version, e.changed_by, e.after["status"]) for e in history] == [
        (1, "surveyor1", "proposed"), (2, "planner1", "approved"),
        (3, "planner2", "in_progress"), (4, "planner2", "done"), (5, "inspector", "verified")]
    assert history[1].before is not None and history[1].before["status"] == "proposed"
    assert all(e.changed_at.tzinfo is not None for e in history)


@pytest.mark.parametrize(("step", "wanted"), [
    (lambda s, u: start_repair(s, u, user="x", today=DAY), "in_progress"),
    (lambda s, u: verify_repair(s, u, inspection="ok", user="x", today=DAY), "verified"),
])
def test_a_skipped_step_is_refused_naming_both_statuses(store: Store, step: object,
                                                         wanted: str) -> None:
    homes = seed(store)
    uid = proposed(store, homes[0])
    with pytest.raises(InputError) as caught:
        step(store, uid)
    error = caught.value
    assert "'proposed'" in error.message_en and f"'{wanted}'" in error.message_en
    assert "เสนอ" in error.message_th and "approved" in error.message_en  # the next step
    feature = store.get("repairs", uid)
    assert feature is not None and feature["version"] == 1 and feature["status"] == "proposed"


def test_no_going_back_except_by_reopening_with_a_reason(store: Store) -> None:
    homes = seed(store)
    uid = approved(store, homes[0], 12_000)
    start_repair(store, uid, user="p", today=dt.date(2026, 3, 20))
    finish_repair(store, uid, spent=11_000, user="p", today=dt.date(2026, 4, 1))
    with pytest.raises(InputError, match="'done'; it cannot go to 'approved'"):
        approve_repair(store, uid, decision="again", approved_amount=1, user="p", today=DAY)
    with pytest.raises(InputError, match="needs a reason"):
        reopen_repair(store, uid, to="in_progress", reason=" ", user="p")
    with pytest.raises(InputError, match="only be reopened to a status before"):
        reopen_repair(store, uid, to="verified", reason="x", user="p")
    back = reopen_repair(store, uid, to="in_progress", reason="ผู้ตรวจพบหลังคายังรั่ว",
                         user="inspector", today=dt.date(2026, 4, 5))
    assert back["status"] == "in_progress" and back["done_on"] is None
    assert back["started_on"] == dt.date(2026, 3, 20) and back["spent"] == 11_000
    assert "ผู้ตรวจพบหลังคายังรั่ว" in back["committee_decision"]
    audit = store.read_audit(action="repair_reopened")
    assert audit[0]["username"] == "inspector" and audit[0]["detail"]["reason"] == \
        "ผู้ตรวจพบหลังคายังรั่ว"
    again = finish_repair(store, uid, user="p", today=dt.date(2026, 4, 20))
    assert again["done_on"] == dt.date(2026, 4, 20)


def test_a_date_before_the_previous_step_is_refused(store: Store) -> None:
    homes = seed(store)
    uid = proposed(store, homes[0])
    with pytest.raises(InputError, match="before the previous step"):
        approve_repair(store, uid, decision="x", approved_amount=1_000, user="p",
                       today=DAY - dt.timedelta(days=1))


def test_a_stale_version_is_a_conflict_and_nothing_is_written(store: Store) -> None:
    homes = seed(store)
    uid = approved(store, homes[0], 10_000)
    with pytest.raises(ConflictError):
        start_repair(store, uid, user="late", today=dt.date(2026, 4, 1), expected_version=1)
    feature = store.get("repairs", uid)
    assert feature is not None and feature["status"] == "approved"


# ------------------------------------------------------------------------------ caps
def test_a_repair_cannot_pass_the_cap_per_house_unless_acknowledged(store: Store) -> None:
    homes = seed(store)
    uid = proposed(store, homes[0], estimate=21_000)
    with pytest.raises(CapsNotAcknowledged) as caught:
        approve_repair(store, uid, decision="มติ 3/2569", approved_amount=21_000, user="p",
                       today=dt.date(2026, 3, 12))
    warning, = caught.value.warnings
    assert warning.code == "cap_per_house_exceeded"
    assert (warning.limit, warning.amount, warning.over) == (19_000, 21_000, 2_000)
    assert "19,000" in warning.message_th and "2,000" in warning.message_th
    assert "19,000" in warning.message_en and "21,000" in warning.message_en
    for wrong in (["allocation_near"], ["cap_per_house_exceeded", "allocation_near"]):
        with pytest.raises(CapsNotAcknowledged):
            approve_repair(store, uid, decision="มติ 3/2569", approved_amount=21_000,
                           user="p", today=dt.date(2026, 3, 12), acknowledged=wrong)
    assert store.get("repairs", uid)["version"] == 1

    ok = approve_repair(store, uid, decision="มติ 3/2569", approved_amount=21_000,
                        user="planner1", today=dt.date(2026, 3, 12),
                        acknowledged=["cap_per_house_exceeded"])
    assert ok["status"] == "approved" and ok["approved_amount"] == 21_000
    assert "cap_per_house_exceeded" in ok["committee_decision"]
    assert ok["committee_decision"].startswith("มติ 3/2569")
    entry = store.read_audit(action="repair_status")[0]
    assert entry["username"] == "planner1" and entry["subject"] == ok["repair_id"]
    assert [w["code"] for w in entry["detail"]["acknowledged"]] == ["cap_per_house_exceeded"]


def test_the_cap_per_house_counts_the_households_other_repairs(store: Store) -> None:
    homes = seed(store)
    approved(store, homes[0], 12_000)
    uid = proposed(store, homes[0], estimate=8_000)
    warnings = check_caps(store, store.get("repairs", uid),
                          status="approved", approved_amount=8_000)
    assert [(w.code, w.amount, w.over) for w in warnings] == [
        ("cap_per_house_exceeded", 20_000, 1_000)]
    other_house = proposed(store, homes[1], estimate=8_000)
    assert check_caps(store, store.get("repairs", other_house),
                      status="approved", approved_amount=8_000) == []


def test_budget_wide_caps_warn_at_90_percent_and_when_passed(store: Store) -> None:
    homes = seed(store, allocation=40_000)
    approved(store, homes[0], 18_000)
    with pytest.raises(CapsNotAcknowledged) as caught:
        approved(store, homes[1], 18_000)
    assert [w.code for w in caught.value.warnings] == ["allocation_near"]
    assert "36,000" in caught.value.message_en and "90 %" in caught.value.message_en
    second = str(find_repair(store, "R-0002")["uid"])
    approve_repair(store, second, decision="x", approved_amount=18_000, user="p",
                   today=DAY + dt.timedelta(days=10), acknowledged=["allocation_near"])
    third = proposed(store, homes[2])
    with pytest.raises(CapsNotAcknowledged) as caught:
        approve_repair(store, third, decision="x", approved_amount=5_000, user="p",
                       today=DAY + dt.timedelta(days=10))
    warning, = caught.value.warnings
    assert (warning.code, warning.limit, warning.amount, warning.over) == (
        "allocation_exceeded", 40_000, 41_000, 1_000)


def test_spending_beyond_the_approved_amount_needs_acknowledging(store: Store) -> None:
    homes = seed(store)
    uid = approved(store, homes[0], 15_000)
    start_repair(store, uid, user="p", today=dt.date(2026, 3, 20))
    with pytest.raises(CapsNotAcknowledged) as caught:
        set_amounts(store, uid, spent=20_000, user="p")
    assert {w.code for w in caught.value.warnings} == {"approved_exceeded",
                                                       "cap_per_house_exceeded"}
    with pytest.raises(InputError, match="'proposed'; it cannot go to 'in_progress'"):
        set_amounts(store, proposed(store, homes[1]), spent=1, user="p")
    after = set_amounts(store, uid, spent=20_000, note="ค่าวัสดุขึ้นราคา", user="p",
                        acknowledged=["approved_exceeded", "cap_per_house_exceeded"])
    assert after["spent"] == 20_000 and "ค่าวัสดุขึ้นราคา" in after["committee_decision"]
    lower = set_amounts(store, uid, spent=16_000, user="p")  # less money: never a warning
    assert lower["spent"] == 16_000


# --------------------------------------------------------------------------- budgets
def _repairs(rows: list[dict[str, object]]) -> pd.DataFrame:
    base = {"budget_id": "B", "village_code": VILLAGE, "approved_amount": None, "spent": None,
            **dict.fromkeys(("proposed_on", "approved_on", "started_on", "done_on",
                             "verified_on"))}
    return pd.DataFrame([{**base, **r} for r in rows])


BUDGET = pd.DataFrame([{
    "budget_id": "B", "programme": "baan_por_piang", "area_code": "270401",
    "fiscal_year": 2569, "allocation": 100_000.0, "transferred": None, "committed": 1.0,
    "spent": 2.0, "cap_per_house": None, "cap_per_project": None, "cap_per_area": None,
    "tranches": [{"no": 1, "percent": 70, "transferred_on": "2026-01-20"},
                 {"no": 2, "percent": 30, "transferred_on": "2026-06-01"}],
}])
D = dt.date


def test_budget_money_follows_its_definitions() -> None:
    repairs = _repairs([
        {"status": "proposed", "proposed_on": D(2026, 2, 1)},
        {"status": "approved", "approved_amount": 15_000.0, "proposed_on": D(2026, 2, 1),
         "approved_on": D(2026, 2, 10)},
        {"status": "in_progress", "approved_amount": 10_000.0, "spent": 4_000.0,
         "proposed_on": D(2026, 2, 1), "approved_on": D(2026, 2, 10),
         "started_on": D(2026, 3, 1)},
        {"status": "done", "approved_amount": 12_000.0, "spent": 13_000.0,  # overspent
         "proposed_on": D(2026, 2, 1), "approved_on": D(2026, 2, 10),
         "started_on": D(2026, 3, 1), "done_on": D(2026, 3, 31)},
        {"status": "verified", "approved_amount": 19_000.0, "spent": 18_000.0,  # closed
         "proposed_on": D(2026, 2, 1), "approved_on": D(2026, 2, 10),
         "started_on": D(2026, 3, 1), "done_on": D(2026, 3, 20), "verified_on": D(2026, 4, 1)},
    ])
    now, = budget_statuses(BUDGET, repairs)
    assert now.committed == 15_000 + 10_000 + 13_000 + 18_000
    assert now.spent == 4_000 + 13_000 + 18_000
    assert now.transferred == 100_000 and now.allocation == 100_000
    assert now.remaining == 100_000 - 56_000 and now.cash_on_hand == 100_000 - 35_000
    assert dict(now.repairs) == dict.fromkeys(
        ("proposed", "approved", "in_progress", "done", "verified"), 1)
    assert now.recorded == {"transferred": None, "committed": 1.0, "spent": 2.0}
    march, = budget_statuses(BUDGET, repairs, as_of=D(2026, 3, 31))
    # the verified repair was only done on 31 March: it holds its approved amount, open
    assert march.committed == 15_000 + 10_000 + 13_000 + 19_000
    assert march.transferred == 70_000 and march.repairs["verified"] == 0
    assert march.repairs["done"] == 2
    february, = budget_statuses(BUDGET, repairs, as_of=D(2026, 2, 28))
    # all four approved by 10 February, none started: each holds its approved amount
    assert (february.committed, february.spent) == (15_000 + 10_000 + 12_000 + 19_000, 0)
    before, = budget_statuses(BUDGET, repairs, as_of=D(2025, 9, 30))
    assert (before.allocation, before.transferred, before.committed) == (0, 0, 0)


def test_budget_status_reads_the_store_and_warns(store: Store) -> None:
    homes = seed(store, allocation=20_000)
    approved(store, homes[0], 18_500, acknowledged=["allocation_near"])
    status, = budget_status(store, budget_id="BPP-T", as_of=None)
    assert (status.committed, status.transferred) == (18_500, 14_000)
    assert [w.code for w in status.warnings] == ["allocation_near"]
    assert {s.budget_id for s in budget_status(store, area="2704")} == {"BPP-T", "CTF-A"}
    assert [s.budget_id for s in budget_status(store, area="270401")] == ["BPP-T"]
    with pytest.raises(InputError):
        budget_status(store)
    with pytest.raises(InputError, match="no budget"):
        budget_status(store, budget_id="nope")


def test_malformed_tranches_name_the_budget() -> None:
    bad = BUDGET.assign(tranches=[[{"no": 1, "percent": "seventy"}]])
    with pytest.raises(InputError, match="budget B: its tranches cannot be read"):
        budget_statuses(bad, _repairs([{"status": "proposed"}]))
