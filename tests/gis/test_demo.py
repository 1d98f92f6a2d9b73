"""The demo data set: deterministic, shaped like the declarations, plausible and consistent.

Geography is checked against the real Sa Kaeo boundary in ``../shared/data`` (never copied into
the project). The content checks are functions run on the default seed and on a few others, so
that no invariant holds for seed 42 by luck.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import geopandas as gpd
import geothai
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Geod

from gis.demo import DEMO_TODAY, LAYER_NAMES, build_demo
from gis.demo.land import rai_ngan_wa
from gis.demo.places import TAMBON_CENTRES
from gis.demo.thai_id import check_digit, is_valid_thai_id, random_thai_id
from layers import DType, get_layer

PROVINCES = Path(__file__).resolve().parents[3] / "shared" / "data" / "th_provinces.geojson"
GEOD = Geod(ellps="WGS84")
Demo = dict[str, pd.DataFrame]


@pytest.fixture(scope="module")
def demo() -> Demo:
    return build_demo()


@pytest.fixture(scope="module")
def sa_kaeo() -> shapely.Geometry:
    if not PROVINCES.exists():
        pytest.fail(f"the real province boundaries are needed at {PROVINCES}")
    provinces = gpd.read_file(PROVINCES)
    return provinces.loc[provinces["pro_code"] == "27", "geometry"].iloc[0]


def _utm(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    return frame.to_crs("EPSG:32648")


def _zone_hits(demo: Demo) -> pd.DataFrame:
    """One row per (household, zone) pair where the household point lies in the zone."""
    households = demo["households"][["uid", "plot_id", "geometry"]]
    zones = demo["tenure_zones"][["zone_id", "agency", "geometry"]]
    return gpd.sjoin(households, zones, predicate="within")


def _longest_extent(geometry: shapely.Geometry) -> float:
    """The largest distance between two vertices, in the geometry's units."""
    xy = shapely.get_coordinates(geometry)
    return float(np.max(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))))


def _rnw_to_m2(text: str) -> float:
    rai, ngan, wa = (int(x) for x in text.split("-"))
    return (rai * 400 + ngan * 100 + wa) * 4.0


# --- Thai ID checksum ------------------------------------------------------------------------


def test_check_digit_hand_computed() -> None:
    # 1·13 + 2·12 + 3·11 + 4·10 + 5·9 + 6·8 + 7·7 + 8·6 + 9·5 + 0·4 + 1·3 + 2·2 = 352;
    # 352 mod 11 = 0; (11 - 0) mod 10 = 1 — the case where 11 wraps to 1.
    assert check_digit("123456789012") == 1
    # 3·13 + 1·12 + 0 + 1·10 + 0 + 0 + 1·7 + 2·6 + 3·5 + 4·4 + 5·3 + 6·2 = 138;
    # 138 mod 11 = 6; (11 - 6) mod 10 = 5.
    assert check_digit("310100123456") == 5
    assert is_valid_thai_id("1234567890121")
    assert is_valid_thai_id("3101001234565")


@pytest.mark.parametrize("bad", [
    "1234567890122",  # wrong check digit
    "0234567890129",  # person type 0 does not exist …
    "9234567890128",  # … nor 9 (check digits here are right for the digits)
    "123456789012",  # 12 digits
    "12345678901210",  # 14 digits
    "1-2345-67890-12-1",  # dashes are for display only
    "๑๒๓๔๕๖๗๘๙๐๑๒๑",  # Thai digits are digits to str.isdigit, but not in an ID field
])
def test_invalid_ids_are_rejected(bad: str) -> None:
    assert not is_valid_thai_id(bad)


def test_check_digit_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="12 ASCII digits"):
        check_digit("12345")


@given(st.integers(min_value=0, max_value=2**64))
def test_random_ids_pass_the_checksum_and_no_other_last_digit_does(seed: int) -> None:
    national_id = random_thai_id(random.Random(seed), office_code="2704")
    assert is_valid_thai_id(national_id)
    assert national_id[1:5] == "2704"
    for digit in "0123456789":
        if digit != national_id[-1]:
            assert not is_valid_thai_id(national_id[:-1] + digit)


# --- rai-ngan-wa -----------------------------------------------------------------------------


def test_rai_ngan_wa_examples() -> None:
    assert rai_ngan_wa(500.0) == "0-1-25"  # 125 sq. wa
    assert rai_ngan_wa(1_600.0) == "1-0-0"  # 1 rai = 400 sq. wa = 1,600 m²
    assert rai_ngan_wa(3_800.0) == "2-1-50"  # DESIGN.md §7's example: 950 sq. wa
    assert rai_ngan_wa(0.0) == "0-0-0"


@given(st.floats(min_value=0.0, max_value=1e7, allow_nan=False))
def test_rai_ngan_wa_round_trips_to_the_nearest_square_wa(area: float) -> None:
    text = rai_ngan_wa(area)
    assert re.fullmatch(r"\d+-[0-3]-\d{1,2}", text)
    assert abs(_rnw_to_m2(text) - area) <= 2.0 + 1e-9  # half a square wa


# --- determinism ---------------------------------------------------------------------------


def test_same_seed_gives_identical_frames(demo: Demo) -> None:
    again = build_demo(seed=42)
    assert list(again) == list(demo)
    for name in LAYER_NAMES:
        a, b = demo[name], again[name]
        if "geometry" in a:
            assert list(a.geometry.to_wkb()) == list(b.geometry.to_wkb()), name
            a, b = pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(
                b.drop(columns="geometry"))
        pd.testing.assert_frame_equal(a, b, obj=name)


def digest(frames: Demo) -> str:
    """A fingerprint of every value and vertex of the demo (run in a subprocess as well)."""
    h = hashlib.sha256()
    for name, frame in frames.items():
        plain = pd.DataFrame(frame)
        if "geometry" in plain:
            plain["geometry"] = [None if g is None else g.wkb_hex for g in plain["geometry"]]
        h.update(name.encode() + repr(plain.to_numpy().tolist()).encode())
    return h.hexdigest()


def test_same_seed_gives_identical_data_in_other_processes(demo: Demo) -> None:
    # String hashing is salted per process (PYTHONHASHSEED): set iteration order must not
    # leak into the data.
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            "from test_demo import digest; from gis.demo import build_demo; "
            "print(digest(build_demo(seed=42)))")
    for hash_seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": hash_seed}, check=True)
        assert done.stdout.strip() == digest(demo)


def test_default_seed_is_42(demo: Demo) -> None:
    assert list(build_demo()["plots"]["uid"]) == list(demo["plots"]["uid"])


def test_other_seed_gives_other_data(demo: Demo) -> None:
    other = build_demo(seed=7)
    for name in LAYER_NAMES:
        assert set(other[name]["uid"]).isdisjoint(demo[name]["uid"]), name
    assert set(other["households"]["head_name"]) != set(demo["households"]["head_name"])
    assert not other["plots"].geometry.iloc[0].equals(demo["plots"].geometry.iloc[0])


# --- shape of the frames -------------------------------------------------------------------


def test_layer_names() -> None:
    assert set(LAYER_NAMES) == {"admin", "villages", "plots", "households", "tenure_zones",
                                "repairs", "budgets"}


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_columns_are_uid_then_declared_fields(demo: Demo, name: str) -> None:
    spec = get_layer(name)
    expected = ["uid", *spec.field_names] + (["geometry"] if spec.geometry else [])
    assert list(demo[name].columns) == expected


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_geometry_type_and_crs(demo: Demo, name: str) -> None:
    frame = demo[name]
    spec = get_layer(name)
    if spec.geometry is None:
        assert type(frame) is pd.DataFrame
        return
    assert isinstance(frame, gpd.GeoDataFrame)
    assert frame.geometry.name == "geometry"
    assert frame.crs == "EPSG:4326"
    geoms = frame.geometry
    if name == "admin":  # the province row is documented to have no geometry
        assert geoms[frame["level"] == "province"].isna().all()
        geoms = geoms[frame["level"] != "province"]
    assert geoms.notna().all()
    assert (geoms.geom_type == spec.geometry).all()
    assert geoms.is_valid.all()


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_values_have_the_declared_types(demo: Demo, name: str) -> None:
    frame = demo[name]
    for f in get_layer(name).fields:
        column = frame[f.name]
        if f.dtype is DType.STR:
            # Python str or None, not pandas 3's own string dtype with NaN for missing.
            assert column.dtype == object, f.name
            assert all(v is None or type(v) is str for v in column), f.name
        elif f.dtype is DType.INT:
            assert column.dtype == "Int64", f.name
        elif f.dtype is DType.FLOAT:
            assert column.dtype == "float64", f.name
        elif f.dtype is DType.BOOL:
            assert column.dtype == "boolean", f.name
        elif f.dtype is DType.DATE:
            assert column.dtype == object, f.name
            assert all(v is None or type(v) is dt.date for v in column), f.name
        elif f.dtype is DType.JSON:
            assert all(v is None or isinstance(v, dict | list) for v in column), f.name


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_vocabulary_fields_hold_declared_codes(demo: Demo, name: str) -> None:
    for f in get_layer(name).fields:
        if f.vocabulary is not None:
            used = set(demo[name][f.name].dropna())
            assert used <= set(f.vocabulary.codes()), (f.name, used - set(f.vocabulary.codes()))


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_required_fields_are_filled(demo: Demo, name: str) -> None:
    frame = demo[name]
    for field_name in get_layer(name).required_fields:
        assert frame[field_name].notna().all(), field_name
    assert frame[get_layer(name).key].is_unique


def test_uids_are_unique_uuid4_strings(demo: Demo) -> None:
    every = [u for name in LAYER_NAMES for u in demo[name]["uid"]]
    assert len(every) == len(set(every))
    assert all(uuid.UUID(u).version == 4 and str(uuid.UUID(u)) == u for u in every)


# --- content checks, run on seed 42 and on other seeds ---------------------------------------


def check_admin(demo: Demo) -> None:
    admin = demo["admin"].set_index("code")
    tambons = geothai.subdistricts("2704")
    assert {t.code for t in tambons} == {"270401", "270403", "270405", "270406"}
    for t in tambons:
        row = admin.loc[t.code]
        assert (row["level"], row["name_th"], row["name_en"], row["parent_code"]) == (
            "tambon", t.name_th, t.name_en, "2704")
        # The tambon lies where the real one does: its approximate real centre is inside.
        assert row["geometry"].contains(shapely.Point(TAMBON_CENTRES[t.code]))
    province, amphoe = admin.loc["27"], admin.loc["2704"]
    assert (province["level"], province["name_th"], province["parent_code"]) == (
        "province", "สระแก้ว", None)
    assert (amphoe["level"], amphoe["name_th"], amphoe["name_en"], amphoe["parent_code"]) == (
        "amphoe", "วังน้ำเย็น", "Wang Nam Yen", "27")
    union = shapely.union_all(list(admin.loc[[t.code for t in tambons], "geometry"]))
    assert amphoe["geometry"].symmetric_difference(union).area < 1e-9 * union.area
    area_km2 = abs(GEOD.geometry_area_perimeter(amphoe["geometry"])[0]) / 1e6
    assert 300 < area_km2 < 600  # like a circle of ~12 km radius
    villages = demo["villages"]
    v_admin = admin[admin["level"] == "village"]
    assert set(v_admin.index) == set(villages["village_code"])
    for v in villages.itertuples():
        assert v_admin.loc[v.village_code, "parent_code"] == v.tambon_code
        assert v_admin.loc[v.village_code, "name_th"] == v.name_th
        assert v_admin.loc[v.village_code, "geometry"].equals(v.geometry)


def check_villages(demo: Demo) -> None:
    villages = demo["villages"]
    admin = demo["admin"].set_index("code")
    assert len(villages) >= 8
    assert villages.groupby("tambon_code").size().between(2, 3).all()
    assert set(villages["tambon_code"]) == {"270401", "270403", "270405", "270406"}
    for v in villages.itertuples():
        assert re.fullmatch(r"2704\d{4}", v.village_code)
        assert v.tambon_code == v.village_code[:6]
        assert v.village_no == int(v.village_code[6:]) and 1 <= v.village_no <= 30
        prefix = "บ้าน" if v.community_type == "rural_village" else "ชุมชน"
        assert v.name_th.startswith(prefix), v.name_th
        assert v.geometry.within(admin.loc[v.tambon_code, "geometry"])
    types = villages["community_type"].value_counts()
    assert types["rural_village"] >= len(villages) - 2
    town = villages[villages["community_type"] != "rural_village"]
    assert 1 <= len(town) <= 2 and (town["tambon_code"] == "270401").all()
    # Irregular polygons 0.5–1.5 km across that do not overlap.
    across = pd.Series([_longest_extent(g) for g in _utm(villages).geometry])
    assert across.between(500, 1_500).all(), list(across)
    left, right = villages.sindex.query(villages.geometry, predicate="intersects")
    assert (left == right).all()


def check_plots(demo: Demo) -> None:
    plots = demo["plots"]
    villages = demo["villages"].set_index("village_code")
    assert 1_400 <= len(plots) <= 1_600
    assert plots["plot_id"].str.fullmatch(r"2704\d{4}-P\d{4}").all()
    assert (plots["plot_id"].str[:8] == plots["village_code"]).all()
    # Inside their village, quadrilaterals, not overlapping one another.
    for code, group in plots.groupby("village_code"):
        assert group.within(villages.loc[code, "geometry"]).all(), code
    assert all(len(g.geoms) == 1 and len(g.geoms[0].exterior.coords) == 5
               for g in plots.geometry)
    utm = _utm(plots).geometry.values
    left, right = shapely.STRtree(utm).query(utm, predicate="intersects")
    pairs = left < right
    shared = shapely.area(shapely.intersection(utm[left[pairs]], utm[right[pairs]]))
    assert shared.max(initial=0.0) < 0.01  # m²: neighbours share edges, never area
    # Areas: geodesic, mostly house-plot sized, a few farm plots.
    area = plots["measured_area_m2"]
    geodesic = [abs(GEOD.geometry_area_perimeter(g)[0]) for g in plots.geometry]
    np.testing.assert_allclose(area, geodesic, rtol=1e-9)
    assert area.between(200, 1_600).mean() > 0.8
    assert 300 < area.median() < 1_200
    assert (area > 3_200).sum() >= 10
    # Official areas in rai-ngan-wa for plots with a document, near the measured area.
    documented = ~plots["land_document"].isin(["none", "unknown"])
    assert plots.loc[documented, "official_area"].notna().all()
    assert plots.loc[~documented, "official_area"].isna().all()
    official = plots.loc[documented, "official_area"]
    assert official.str.fullmatch(r"\d+-[0-3]-\d{1,2}").all()
    ratio = official.map(_rnw_to_m2) / area[documented]
    assert ratio.between(0.8, 1.2).all()
    # Plausible land: private titles dominate; state land goes with its documents.
    owner = plots["land_owner"]
    assert owner.isin(["occupant", "private"]).mean() > 0.5
    assert plots.loc[owner == "alro", "land_document"].isin(
        ["sor_por_kor_4_01", "chanote_agri", "por_bor_tor_5", "none"]).all()
    assert plots.loc[owner == "royal_forest_dept", "land_document"].isin(
        ["none", "por_bor_tor_5", "kor_tor_chor_permit"]).all()
    private = plots[owner.isin(["occupant", "private"])
                    & (plots["land_document"] != "lease_contract")]
    assert private["land_document"].isin(["chanote", "nor_sor_3k"]).mean() > 0.6


def check_households(demo: Demo) -> None:
    hh = demo["households"]
    plots = demo["plots"].set_index("plot_id")
    assert 1_150 <= len(hh) <= 1_250
    assert hh["household_id"].str.fullmatch(r"2704\d{4}-H\d{4}").all()
    assert (hh["household_id"].str[:8] == hh["village_code"]).all()
    # One point inside most plots, never two; the plot's village.
    assert hh["plot_id"].is_unique and hh["plot_id"].notna().all()
    assert 0.7 < len(hh) / len(plots) < 0.9
    home = plots.loc[hh["plot_id"]]
    assert (home["village_code"].to_numpy() == hh["village_code"].to_numpy()).all()
    assert all(p.within(g) for p, g in zip(hh.geometry, home.geometry, strict=True))
    for _, group in hh.groupby("village_code"):
        assert group["house_no"].is_unique
    assert hh["house_no"].str.fullmatch(r"\d+(/\d+)?").all()
    assert hh["house_no"].str.contains("/").any()
    # People: synthetic names with titles, valid unique IDs, mobile numbers.
    assert hh["head_name"].str.fullmatch(r"(นาย|นางสาว|นาง)\S+ \S+").all()
    assert hh["national_id"].map(is_valid_thai_id).all() and hh["national_id"].is_unique
    phones = hh["phone"].dropna()
    assert phones.str.fullmatch(r"0[89]\d{8}").all()
    assert 0.85 < len(phones) / len(hh) < 1.0
    # Members and vulnerable members: plausible counts and rates.
    members = hh["members"]
    assert members.between(1, 9).all() and members.mode().iloc[0] in (3, 4)
    for column in ("elderly", "disabled", "bedridden", "children"):
        assert (hh[column] >= 0).all() and (hh[column] <= members).all(), column
    assert (hh["elderly"] + hh["children"] <= members).all()
    share = (hh[["elderly", "disabled", "bedridden", "children"]] > 0).mean()
    assert 0.29 < share["elderly"] < 0.41
    assert 0.05 < share["disabled"] < 0.11
    assert 0.01 < share["bedridden"] < 0.05
    assert 0.24 < share["children"] < 0.36
    income = hh["monthly_income"]
    assert 7_500 < income.median() < 10_500 and (income < 3_000).mean() > 0.02
    assert (income > 0).all()
    # Housing.
    assert (hh["dwelling_status"] == "own_house").mean() > 0.6
    condition = hh["house_condition"].value_counts(normalize=True)
    for code, expected in {"good": 0.4, "fair": 0.3, "poor": 0.2, "dilapidated": 0.1}.items():
        assert abs(condition[code] - expected) < 0.06, code
    assert (hh["needs_repair"] == hh["house_condition"].isin(["poor", "dilapidated"])).all()
    # Derived and planner fields left for Landmap and the planner to fill.
    assert hh["priority_score"].isna().all()
    assert not hh["priority_flag"].any()
    assert hh["priority_note"].isna().all() and hh["extra"].isna().all()
    assert 0.93 < hh["consent"].mean() < 1.0
    dates = hh["survey_date"]
    assert all(d.year == 2026 and d <= DEMO_TODAY for d in dates)
    assert hh["surveyor"].notna().all() and hh["surveyor"].nunique() >= 4


def check_zones(demo: Demo) -> None:
    zones = demo["tenure_zones"]
    assert 7 <= len(zones) <= 10
    assert zones["zone_id"].str.fullmatch(r"TZ-[A-Z]+-\d{2}").all()
    pairs = set(zip(zones["agency"], zones["tenure_class"], strict=True))
    assert {("alro", "alro_land_reform"), ("royal_forest_dept", "reserved_forest"),
            ("private_concession", "concession"), ("public_land", "public_land")} <= pairs
    forests = zones.loc[zones["tenure_class"] == "reserved_forest", "official_name"]
    assert forests.str.startswith("ป่าสงวนแห่งชาติป่า").all()
    assert zones["source"].str.contains("สังเคราะห์").all()
    hits = _zone_hits(demo)
    per_zone = hits.groupby("zone_id").size().reindex(zones["zone_id"], fill_value=0)
    assert (per_zone >= 20).all(), per_zone.to_dict()
    assert len(demo["households"]) - hits["uid"].nunique() >= 100
    assert (hits["uid"].value_counts() >= 2).any()  # the planned overlap holds people
    # State-owned plots are the ones in that state agency's zones.
    plots = demo["plots"]
    centroids = gpd.GeoDataFrame(plots[["land_owner"]], geometry=_utm(plots).centroid.to_crs(
        "EPSG:4326"))
    for agency in ("alro", "royal_forest_dept"):
        owned = centroids[centroids["land_owner"] == agency]
        assert len(owned) >= 20, agency
        area = shapely.union_all(list(zones.loc[zones["agency"] == agency, "geometry"]))
        assert owned.within(area).mean() > 0.9, agency


def check_location(demo: Demo, sa_kaeo: shapely.Geometry) -> None:
    for name in ("villages", "plots", "households", "tenure_zones"):
        frame = demo[name]
        assert frame.total_bounds[0] > 102.0, name  # UTM zone 48, east of 102°E
        assert frame.within(sa_kaeo).all(), name
    amphoe = demo["admin"].set_index("code").loc["2704", "geometry"]
    # The synthetic amphoe sits inside the real province too (it may cross 102°E).
    assert amphoe.within(sa_kaeo)


def _approved_or_later(status: pd.Series) -> pd.Series:
    return status.isin(["approved", "in_progress", "done", "verified"])


def check_repairs(demo: Demo) -> None:
    repairs = demo["repairs"]
    hh = demo["households"].set_index("uid")
    budgets = demo["budgets"].set_index("budget_id")
    assert 130 <= len(repairs) <= 170
    assert list(repairs["repair_id"]) == [f"R-{i:04d}" for i in range(1, len(repairs) + 1)]
    assert repairs["household_uid"].isin(hh.index).all() and repairs["household_uid"].is_unique
    home = hh.loc[repairs["household_uid"]]
    assert (home["village_code"].to_numpy() == repairs["village_code"].to_numpy()).all()
    assert home["house_condition"].isin(["poor", "dilapidated"]).all()
    assert home["consent"].all()
    assert repairs["items"].str.contains(r"[\u0E00-\u0E7F]").all()
    assert repairs["estimate"].between(8_000, 40_000).all()
    caps = repairs["programme"].map({"baan_por_piang": 19_000.0, "baan_mankong_rural": 40_000.0})
    assert caps.notna().all()
    later = _approved_or_later(repairs["status"])
    approved = repairs.loc[later, "approved_amount"]
    assert (approved <= caps[later]).all() and (approved <= repairs.loc[later, "estimate"]).all()
    assert (repairs.loc[later, "spent"] <= approved).all()
    assert repairs.loc[~later, ["approved_amount", "spent"]].isna().all().all()
    assert set(repairs["status"]) == {"proposed", "approved", "in_progress", "done", "verified"}
    # Dates in order, filled exactly up to the status reached, none after "today".
    stages = ["proposed_on", "approved_on", "started_on", "done_on", "verified_on"]
    reached = {"proposed": 1, "approved": 2, "in_progress": 3, "done": 4, "verified": 5}
    for r in repairs.itertuples():
        dates = [getattr(r, s) for s in stages]
        n = reached[r.status]
        assert all(d is not None and d <= DEMO_TODAY for d in dates[:n]), r.repair_id
        assert all(d is None for d in dates[n:]), r.repair_id
        assert dates[:n] == sorted(dates[:n]), r.repair_id
        assert r.proposed_on >= hh.loc[r.household_uid, "survey_date"]
        if n >= 2:
            assert r.tranche in (1, 2) and r.builder and r.committee_decision
        else:
            assert pd.isna(r.tranche) and r.builder is None and r.committee_decision is None
        budget = budgets.loc[r.budget_id]
        assert budget["programme"] == r.programme
        if n >= 3:  # work starts only once its tranche's money has arrived
            tranche = next(t for t in budget["tranches"] if t["no"] == r.tranche)
            assert tranche["transferred_on"] is not None
            assert r.started_on >= dt.date.fromisoformat(tranche["transferred_on"])


def check_budgets(demo: Demo) -> None:
    budgets = demo["budgets"]
    repairs = demo["repairs"]
    assert len(budgets) >= 2
    bpp = budgets[budgets["programme"] == "baan_por_piang"].iloc[0]
    assert (bpp["area_code"], bpp["fiscal_year"], bpp["cap_per_house"]) == ("2704", 2569, 19_000)
    rural = budgets[budgets["programme"] == "baan_mankong_rural"]
    assert len(rural) >= 1
    assert (rural["cap_per_house"] == 40_000).all() and (rural["cap_per_area"] == 500_000).all()
    assert (rural["allocation"] <= rural["cap_per_area"]).all()
    later = _approved_or_later(repairs["status"])
    for b in budgets.itertuples():
        tranches: list[dict[str, Any]] = b.tranches
        assert [t["no"] for t in tranches] == [1, 2]
        assert sum(t["percent"] for t in tranches) == 100
        assert sum(t["amount"] for t in tranches) == pytest.approx(b.allocation)
        for t in tranches:
            assert t["amount"] == pytest.approx(b.allocation * t["percent"] / 100)
            assert dt.date.fromisoformat(t["due_on"])
            mine = repairs[later & (repairs["budget_id"] == b.budget_id)
                           & (repairs["tranche"] == t["no"])]
            assert mine["approved_amount"].sum() <= t["amount"] + 1e-6
            if t["transferred_on"] is None:
                assert mine["spent"].sum() == 0
        transferred = sum(t["amount"] for t in tranches if t["transferred_on"] is not None)
        assert b.transferred == pytest.approx(transferred)
        own = repairs[repairs["budget_id"] == b.budget_id]
        assert b.committed == pytest.approx(own.loc[later, "approved_amount"].sum())
        assert b.spent == pytest.approx(own["spent"].sum())
        assert b.spent <= b.transferred <= b.allocation and b.committed <= b.allocation
    assert set(repairs["budget_id"]) <= set(budgets["budget_id"])
    assert {"baan_por_piang", "baan_mankong_rural"} <= set(repairs["programme"])
    assert bpp["committed"] > 0 and bpp["spent"] > 0


CHECKS = (check_admin, check_villages, check_plots, check_households, check_zones,
          check_repairs, check_budgets)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_content(demo: Demo, check: Any) -> None:
    check(demo)


def test_location_against_the_real_sa_kaeo_boundary(demo: Demo, sa_kaeo: Any) -> None:
    check_location(demo, sa_kaeo)


@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_content_holds_for_other_seeds(seed: int, sa_kaeo: Any) -> None:
    demo = build_demo(seed=seed)
    for check in CHECKS:
        check(demo)
    check_location(demo, sa_kaeo)
