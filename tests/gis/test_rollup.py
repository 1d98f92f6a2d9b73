"""gis.rollup: figures as at a month's end that add up from village to tambon to amphoe, in the
demo and on hand-built data; priority flags as they were at the month's end (from the feature
history); small counts suppressed for outside audiences without the totals changing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import load_workbook
from shapely.geometry import Point

from gis.dates import today
from gis.errors import InputError
from gis.privacy import Audience, Role
from gis.rollup import COUNTS, FIGURES, parse_month, rollup, rollup_frames, rollup_xlsx
from gis.store import Store, open_store

ADMIN = Audience("admin", Role.ADMIN)
AGENCY = Audience("agency", Role.AGENCY_VIEWER, frozenset({"27"}))
ADDITIVE = [*FIGURES, *(f"{f}_change" for f in FIGURES)]
D = dt.date


@pytest.fixture(scope="module")
def demo(demo_gpkg: str) -> Iterator[Store]:
    store = open_store(demo_gpkg, create=False)
    yield store
    store.close()


# ------------------------------------------------------------------------ the demo adds up
@pytest.mark.parametrize("month", ["2026-03", "2026-06"])
def test_the_amphoe_is_the_sum_of_its_tambons_and_of_its_villages(demo: Store,
                                                                   month: str) -> None:
    amphoe = rollup(demo, month=month, level="amphoe", code="2704", audience=ADMIN)
    tambons = rollup(demo, month=month, level="tambon", code="2704", audience=ADMIN)
    villages = rollup(demo, month=month, level="village", code="2704", audience=ADMIN)
    assert list(amphoe["code"]) == ["2704"]
    assert set(tambons.loc[tambons["kind"] == "area", "code"]) == {
        "270401", "270403", "270405", "270406"}
    assert (villages["kind"] == "area").sum() >= 10
    # Budget money held above a level is a row of its own, so every level sums up exactly.
    assert set(tambons.loc[tambons["kind"] == "held_above", "code"]) == {"2704"}
    for name in ADDITIVE:
        total = amphoe[name].iloc[0]
        assert tambons[name].sum() == pytest.approx(total), name
        assert villages[name].sum() == pytest.approx(total), name
    province = rollup(demo, month=month, level="province", audience=ADMIN)
    assert province[ADDITIVE].iloc[0].tolist() == pytest.approx(amphoe[ADDITIVE].iloc[0].tolist())
    assert amphoe["households_surveyed"].iloc[0] > 0 and amphoe["committed"].iloc[0] > 0


def test_demo_money_matches_the_budgets_at_the_month_end(demo: Store) -> None:
    june = rollup(demo, month="2026-06", level="amphoe", audience=ADMIN).iloc[0]
    march = rollup(demo, month="2026-03", level="amphoe", audience=ADMIN).iloc[0]
    assert june["allocated"] == 3_400_000  # four FY2569 budgets
    # tranches transferred by 31 March: 70 % of each of the four budgets
    assert march["transferred"] == pytest.approx(0.7 * 3_400_000)
    assert june["transferred"] == pytest.approx(3_100_000)  # two 30 % tranches came later
    assert march["spent"] <= march["committed"] <= march["allocated"]
    repairs = [f"repairs_{s}" for s in ("proposed", "approved", "in_progress", "done",
                                        "verified")]
    assert june[repairs].sum() == len(demo.read("repairs"))
    assert june["households_surveyed"] == len(demo.read("households"))


# -------------------------------------------------------------------- month-end semantics
def _frames(**override: pd.DataFrame) -> dict[str, pd.DataFrame]:
    admin = pd.DataFrame([
        {"code": "27", "level": "province", "name_th": "สระแก้ว", "name_en": "Sa Kaeo",
         "parent_code": None},
        {"code": "2704", "level": "amphoe", "name_th": "วังน้ำเย็น", "name_en": "Wang Nam Yen",
         "parent_code": "27"},
        {"code": "270401", "level": "tambon", "name_th": "วังน้ำเย็น", "name_en": "Wang Nam Yen",
         "parent_code": "2704"},
        {"code": "270402", "level": "tambon", "name_th": "ตาหลังใน", "name_en": "Ta Lang Nai",
         "parent_code": "2704"},
    ])
    villages = pd.DataFrame([
        {"village_code": "27040101", "name_th": "บ้านหนึ่ง", "name_en": "Ban Nueng",
         "tambon_code": "270401"},
        {"village_code": "27040201", "name_th": "บ้านสอง", "name_en": "Ban Song",
         "tambon_code": "270402"},
        # A municipal community: its code shares no prefix, its tambon comes from the layer.
        {"village_code": "TM-0007", "name_th": "ชุมชนตลาด", "name_en": "Talat community",
         "tambon_code": "270401"},
    ])
    households = pd.DataFrame([
        {"village_code": "27040101", "survey_date": D(2026, 6, 30), "plot_id": "P1",
         "priority_flag": True},
        {"village_code": "27040101", "survey_date": D(2026, 7, 1), "plot_id": "P2",
         "priority_flag": False},
        {"village_code": "TM-0007", "survey_date": D(2026, 5, 15), "plot_id": None,
         "priority_flag": False},
        {"village_code": "27040201", "survey_date": None, "plot_id": "P1",
         "priority_flag": True},
    ])
    plots = pd.DataFrame([{"plot_id": "P1", "occupant_tenure": "renter"},
                          {"plot_id": "P2", "occupant_tenure": "owner"}])
    repairs = pd.DataFrame([
        {"village_code": "27040101", "status": "done", "budget_id": "B",
         "approved_amount": 10_000.0, "spent": 9_500.0, "proposed_on": D(2026, 5, 1),
         "approved_on": D(2026, 5, 20), "started_on": D(2026, 6, 10),
         "done_on": D(2026, 7, 1), "verified_on": None},
        {"village_code": "27040201", "status": "verified", "budget_id": "B",
         "approved_amount": 8_000.0, "spent": 7_000.0, "proposed_on": D(2026, 6, 1),
         "approved_on": D(2026, 6, 10), "started_on": D(2026, 6, 20),
         "done_on": D(2026, 6, 30), "verified_on": D(2026, 7, 1)},
    ])
    budgets = pd.DataFrame([{
        "budget_id": "B", "area_code": "270401", "allocation": 100_000.0, "fiscal_year": 2569,
        "transferred": None,
        "tranches": [{"no": 1, "percent": 70, "transferred_on": "2026-06-30"},
                     {"no": 2, "percent": 30, "transferred_on": "2026-07-01"}]}])
    frames = {"admin": admin, "villages": villages, "households": households, "plots": plots,
              "repairs": repairs, "budgets": budgets}
    frames.update(override)
    return frames


def _row(frame: pd.DataFrame, code: str) -> pd.Series:
    return frame.set_index("code").loc[code]


def test_a_month_ends_on_its_last_day() -> None:
    june = rollup_frames(**_frames(), month="2026-06", level="village")
    july = rollup_frames(**_frames(), month="2026-07", level="village")
    one, one_july = _row(june, "27040101"), _row(july, "27040101")
    # surveyed on 30 June counts in June; on 1 July only in July
    assert (one["households_surveyed"], one_july["households_surveyed"]) == (1, 2)
    assert one_july["households_surveyed_change"] == 1
    # done on 1 July: still in progress at the end of June
    assert (one["repairs_in_progress"], one["repairs_done"]) == (1, 0)
    assert (one_july["repairs_in_progress"], one_july["repairs_done"]) == (0, 1)
    assert one["spent"] == 9_500 and one["committed"] == 10_000
    # done on 30 June: done in June; verified on 1 July: verified (closed) only in July
    two, two_july = _row(june, "27040201"), _row(july, "27040201")
    assert (two["repairs_done"], two["repairs_verified"], two["committed"]) == (1, 0, 8_000)
    assert (two_july["repairs_done"], two_july["repairs_verified"]) == (0, 1)
    assert two_july["committed"] == 7_000 and two_july["committed_change"] == -1_000
    assert (one["tenure_renter"], one_july["tenure_owner"]) == (1, 1)
    held = _row(june, "270401")
    assert held["kind"] == "held_above" and held["level"] == "tambon"
    assert (held["allocated"], held["transferred"]) == (100_000, 70_000)
    assert _row(july, "270401")["transferred"] == 100_000
    assert _row(july, "270401")["transferred_change"] == 30_000
    # a household without a survey date is never counted; the municipal community is
    assert _row(june, "27040201")["households_surveyed"] == 0
    assert _row(june, "TM-0007")["households_surveyed"] == 1
    tambon = _row(rollup_frames(**_frames(), month="2026-06", level="tambon"), "270401")
    assert tambon["households_surveyed"] == 2 and tambon["transferred"] == 70_000
    assert tambon["committed"] == 10_000  # the village's repair; the tambon holds the budget
    may = rollup_frames(**_frames(), month="2026-05", level="village")
    assert _row(may, "27040101")["repairs_approved"] == 1
    assert _row(may, "27040101")["households_surveyed"] == 0


def test_code_limits_rows_to_the_area_and_inside_it() -> None:
    tambons = rollup_frames(**_frames(), month="2026-06", level="tambon", code="2704")
    assert set(tambons["code"]) == {"270401", "270402"}
    villages = rollup_frames(**_frames(), month="2026-06", level="village", code="270401")
    assert set(villages["code"]) == {"27040101", "TM-0007", "270401"}
    assert set(villages["kind"]) == {"area", "held_above"}


@pytest.mark.parametrize(("args", "field"), [
    ({"month": "2026-13"}, "month"), ({"month": "June"}, "month"),
    ({"level": "district"}, "level"), ({"code": "99"}, "code"),
    ({"level": "amphoe", "code": "270401"}, "code"),
])
def test_bad_arguments_are_bilingual_input_errors(args: dict[str, str], field: str) -> None:
    call = {"month": "2026-06", "level": "village", **args}
    with pytest.raises(InputError) as caught:
        rollup_frames(**_frames(), **call)
    assert caught.value.field == field and caught.value.message_th and caught.value.message_en


def test_months_in_the_buddhist_era_are_understood() -> None:
    assert parse_month("2569-02") == (D(2026, 2, 1), D(2026, 2, 28))
    assert parse_month("2024-02") == (D(2024, 2, 1), D(2024, 2, 29))
    assert parse_month("2026-12")[1] == D(2026, 12, 31)


# ------------------------------------------------------------------------- suppression
def test_outside_audiences_see_no_count_below_three_but_true_totals() -> None:
    households = pd.DataFrame(
        [{"village_code": "27040101", "survey_date": D(2026, 6, 1), "plot_id": None,
          "priority_flag": False}] * 2
        + [{"village_code": "27040201", "survey_date": D(2026, 5, 1), "plot_id": None,
            "priority_flag": False}] * 5)
    repair = {"status": "approved", "budget_id": None, "approved_amount": 10_000.0,
              "spent": None, "proposed_on": D(2026, 4, 1), "approved_on": D(2026, 4, 20),
              "started_on": None, "done_on": None, "verified_on": None}
    repairs = pd.DataFrame([{**repair, "village_code": "27040101"}]
                           + [{**repair, "village_code": "27040201"}] * 3)
    frames = _frames(households=households, repairs=repairs)
    inside = rollup_frames(**frames, month="2026-06", level="village", code="2704")
    outside = rollup_frames(**frames, month="2026-06", level="village", code="2704",
                            outside=True)
    a, b = _row(outside, "27040101"), _row(outside, "27040201")
    assert _row(inside, "27040101")["households_surveyed"] == 2
    assert pd.isna(a["households_surveyed"]) and b["households_surveyed"] == 5
    assert pd.isna(a["households_surveyed_change"])  # 0 → 2 would reveal the 2
    assert pd.isna(a["repairs_approved"]) and pd.isna(a["committed"])
    assert b["repairs_approved"] == 3 and b["committed"] == 30_000
    assert a["tenure_unknown"] is pd.NA and b["tenure_unknown"] == 5
    assert _row(outside, "270401")["allocated"] == 100_000  # budgets are not families
    amphoe = rollup_frames(**frames, month="2026-06", level="amphoe", outside=True)
    assert amphoe["households_surveyed"].iloc[0] == 7  # the sum of true counts
    assert amphoe["committed"].iloc[0] == 40_000


def test_the_demo_for_an_agency_suppresses_small_counts(demo: Store) -> None:
    inside = rollup(demo, month="2026-03", level="village", audience=ADMIN)
    outside = rollup(demo, month="2026-03", level="village", audience=AGENCY)
    assert list(inside["code"]) == list(outside["code"])
    values = outside[list(COUNTS)].stack()
    assert not values.dropna().between(1, 2).any()
    raw = inside[list(COUNTS)].stack()
    assert raw.between(1, 2).any()  # there was something to hide
    assert values.isna().sum() == raw.between(1, 2).sum()
    for level in ("amphoe", "province"):
        assert (rollup(demo, month="2026-03", level=level, audience=AGENCY)[list(FIGURES)]
                .iloc[0].tolist()
                == rollup(demo, month="2026-03", level=level, audience=ADMIN)[list(FIGURES)]
                .iloc[0].tolist())


def test_a_planner_sees_only_their_areas(demo: Store) -> None:
    planner = Audience("plan", Role.PLANNER, frozenset({"270405"}))
    villages = rollup(demo, month="2026-06", level="village", audience=planner)
    assert all(c.startswith("270405") for c in villages["code"])
    assert "270405" in set(villages["code"])  # its rural Baan Mankong budget
    amphoe = rollup(demo, month="2026-06", level="amphoe", audience=planner)
    assert amphoe["households_surveyed"].iloc[0] == villages["households_surveyed"].sum()
    with pytest.raises(InputError, match="outside your areas"):
        rollup(demo, month="2026-06", level="village", code="270401", audience=planner)


# ------------------------------------------------------------- priority as at a month end
def test_priority_is_read_as_it_was_at_the_month_end(store: Store) -> None:
    households = gpd.GeoDataFrame(
        {"household_id": ["H1", "H2"], "village_code": "27040101", "head_name": ["ก", "ข"],
         "consent": True, "survey_date": D(2020, 1, 10), "priority_flag": [False, True]},
        geometry=[Point(102.52, 13.87), Point(102.5201, 13.87)], crs=4326)
    uids = store.write("households", households, user="seed").uids
    store.update("households", {uids[0]: {"priority_flag": True}}, {uids[0]: 1}, user="plan")
    this_month = today().strftime("%Y-%m")
    last_month = (today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    now = _row(rollup(store, month=this_month, level="village", audience=ADMIN), "27040101")
    before = _row(rollup(store, month=last_month, level="village", audience=ADMIN), "27040101")
    # H1 was marked today; H2 was stored already marked (entered late: as stored).
    assert (now["priority_households"], before["priority_households"]) == (2, 1)
    assert now["priority_households_change"] == 1
    assert now["households_surveyed"] == before["households_surveyed"] == 2


# -------------------------------------------------------------------------------- XLSX
@pytest.mark.parametrize(("lang", "month_text", "header"), [
    ("th", "มิถุนายน 2569", "ครัวเรือนที่สำรวจแล้ว"),
    ("en", "June 2569 BE", "Households surveyed"),
])
def test_the_workbook_has_headers_and_the_month_in_the_buddhist_era(
        demo: Store, tmp_path: Path, lang: str, month_text: str, header: str) -> None:
    frame = rollup(demo, month="2026-06", level="tambon", audience=AGENCY)
    out = rollup_xlsx(frame, tmp_path / "rollup.xlsx", lang)
    sheet = load_workbook(out).active
    assert month_text in sheet["A1"].value
    headers = [c.value for c in sheet[3]]
    assert header in headers and headers[0] in ("รหัสพื้นที่", "Area code")
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=4)]
    assert [r[0] for r in rows] == list(frame["code"])
    held = next(r for r in rows if r[0] == "2704")
    assert ("งบที่ถือไว้ระดับ" if lang == "th" else "money held at") in held[1]
    surveyed = headers.index(header)
    assert [r[surveyed] for r in rows] == [
        "< 3" if pd.isna(v) else v for v in frame["households_surveyed"]]
