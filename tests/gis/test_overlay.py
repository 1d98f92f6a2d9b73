"""gis.overlay on shapes whose answers are worked out by hand, and on the demo against a plain
``geopandas.sjoin``.

The hand-made site lies in Sa Kaeo near 102.3°E 13.9°N, drawn in UTM 48N metres from a corner
(X0, Y0). Three zones: A (ALRO, x 0–400), B (Royal Forest Dept, x 300–700, overlapping A over
x 300–400) and C (ALRO, x −200–50, overlapping A over x 0–50), all y 0–400::

      y 400 ┌──C──┬──────A──────┬──┬─────B─────┐          P7 sits on A's top edge
            │     │  P1   H1    │H2│H3     P3 H6 (half out of B)
            │ H5  │       P2 ═══╪══╪═══       │                 P4 H4 far east
      y 0   └─────┴─────────────┴──┴──────────┘
           −200   0  50        300 400       700              1000–1100

Areas below are planar UTM m²; the geodesic figure is that divided by the projection's areal
scale at each part (about 1.0013 here), checked to 1e-6.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod, Proj, Transformer
from shapely.geometry import MultiPolygon, Point

from gis.errors import InputError
from gis.overlay import (
    INSECURE_DWELLING,
    INSECURE_TENURE,
    area_scope,
    insecure_tenure,
    overlaps,
    overlay,
    overlay_records,
    overlay_store,
    vulnerable,
)
from gis.privacy import Audience, Role, Scope, public_audience
from gis.store import Store, open_store
from layers.vocab import DWELLING_STATUS, OCCUPANT_TENURE

UTM = 32648
X0, Y0 = 208_200.0, 1_538_300.0  # ≈ 102.3°E 13.9°N
V1, V2 = "27010101", "27010102"
GEOD = Geod(ellps="WGS84")
Box = tuple[float, float, float, float]

ZONES: list[tuple[str, str, str, Box]] = [
    ("TZ-A", "alro", "alro_land_reform", (0, 0, 400, 400)),
    ("TZ-B", "royal_forest_dept", "reserved_forest", (300, 0, 700, 400)),
    ("TZ-C", "alro", "alro_land_reform", (-200, 0, 50, 400)),
]
PLOTS: list[tuple[str, str, str, Box]] = [
    ("P1", V1, "owner", (100, 100, 200, 200)),  # 10,000 inside A
    ("P2", V1, "no_permission", (350, 100, 450, 150)),  # 5,000: 2,500 in A, all in B
    ("P3", V2, "permission", (650, 300, 750, 340)),  # 4,000: 2,000 in B, 2,000 outside
    ("P4", V2, "owner", (1000, 0, 1100, 100)),  # 10,000 outside
    ("P5", V1, "unknown", (20, 10, 30, 20)),  # 100 in A and in C
    ("P7", V1, "owner", (100, 400, 150, 450)),  # 2,500 on A's edge: outside
]
# id, plot, village, point, members, elderly, disabled, bedridden, children, income/month,
# dwelling
HOUSEHOLDS: list[tuple[Any, ...]] = [
    ("H1", "P1", V1, (150, 150), 2, 0, 0, 0, 0, 20_000.0, "own_house"),  # 120k/person
    ("H2", "P2", V1, (375, 125), 3, 1, 0, 0, 0, 30_000.0, "own_house"),  # A and B; elderly
    ("H3", "P2", V1, (425, 125), 1, 0, 0, 0, 0, 8_000.0, "own_house"),  # 96k/person: poor
    ("H4", "P4", V2, (1050, 50), 4, 0, 0, 0, 0, 40_000.0, "rented"),  # no zone; renter
    ("H5", "P5", V1, (25, 15), 4, 0, 0, 0, 1, 50_000.0, "own_house"),  # A and C; child
    ("H6", "P3", V2, (680, 320), None, None, None, None, None, None, "own_house"),  # B
    ("H7", "P7", V1, (125, 425), 3, 0, 0, 0, 0, 25_000.0, "own_house"),  # 100,000 exactly
]


def _box(b: Box) -> shapely.Geometry:
    # Corners every 5 m, so that edges straight in UTM stay straight enough in lon/lat.
    return shapely.segmentize(shapely.box(X0 + b[0], Y0 + b[1], X0 + b[2], Y0 + b[3]), 5.0)


def site(crs: int = 4326) -> dict[str, gpd.GeoDataFrame]:
    """The hand-made site as the store's layers, in ``crs``."""
    frames = {
        "villages": gpd.GeoDataFrame({
            "village_code": [V1, V2], "name_th": ["บ้านหนองบัว", "บ้านโคกสูง"],
            "name_en": ["Ban Nong Bua", "Ban Khok Sung"], "tambon_code": ["270101"] * 2,
        }, geometry=[MultiPolygon([_box((-300, -100, 600, 500))]),
                     MultiPolygon([_box((600, -100, 1200, 500))])], crs=UTM),
        "tenure_zones": gpd.GeoDataFrame({
            "zone_id": [z[0] for z in ZONES], "agency": [z[1] for z in ZONES],
            "tenure_class": [z[2] for z in ZONES],
            "official_name": ["เขตปฏิรูปที่ดิน ก", "ป่าสงวนแห่งชาติ ข", "เขตปฏิรูปที่ดิน ค"],
        }, geometry=[MultiPolygon([_box(z[3])]) for z in ZONES], crs=UTM),
        "plots": gpd.GeoDataFrame({
            "plot_id": [p[0] for p in PLOTS], "village_code": [p[1] for p in PLOTS],
            "occupant_tenure": [p[2] for p in PLOTS],
        }, geometry=[MultiPolygon([_box(p[3])]) for p in PLOTS], crs=UTM),
    }
    columns = ["household_id", "plot_id", "village_code", "xy", "members", "elderly",
               "disabled", "bedridden", "children", "monthly_income", "dwelling_status"]
    homes = pd.DataFrame(HOUSEHOLDS, columns=columns)
    for name in ("members", "elderly", "disabled", "bedridden", "children"):
        homes[name] = homes[name].astype("Int64")
    homes["monthly_income"] = homes["monthly_income"].astype("float64")
    homes["head_name"] = [f"ผู้ทดสอบ {i}" for i in range(len(homes))]
    homes["consent"] = True
    frames["households"] = gpd.GeoDataFrame(
        homes.drop(columns="xy"), crs=UTM,
        geometry=[Point(X0 + x, Y0 + y) for x, y in homes["xy"]])
    return {k: v.to_crs(crs) for k, v in frames.items()}


def true_m2(*boxes: Box) -> float:
    """Planar UTM areas of ``boxes`` divided by the areal scale at each box's centre."""
    back = Transformer.from_crs(UTM, 4326, always_xy=True)
    total = 0.0
    for x0, y0, x1, y1 in boxes:
        lon, lat = back.transform(X0 + (x0 + x1) / 2, Y0 + (y0 + y1) / 2)
        total += (x1 - x0) * (y1 - y0) / Proj(f"EPSG:{UTM}").get_factors(lon, lat).areal_scale
    return total


def rows(table: pd.DataFrame, *keys: str) -> dict[Any, dict[str, Any]]:
    out = {}
    for rec in table.to_dict("records"):
        key = tuple(rec[k] for k in keys)
        out[key[0] if len(key) == 1 else key] = rec
    return out


COUNT = ("households", "plots", "vulnerable_households", "insecure_tenure_households",
         "households_in_overlaps")


def counts(rec: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(rec[k] for k in COUNT)


# --- hand-computed ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    return site()


def test_by_agency(layers: dict[str, gpd.GeoDataFrame]) -> None:
    table = overlay(layers["households"], layers["plots"], layers["tenure_zones"], by="agency")
    assert list(table["agency"]) == ["alro", "royal_forest_dept", None]  # vocabulary order
    assert list(table["state_land"]) == [True, True, False]
    got = rows(table, "agency")
    # households, plots, vulnerable, insecure, in overlaps
    assert counts(got["alro"]) == (3, 3, 2, 1, 1)  # H1 H2 H5 (H5 once, in A and C); P1 P2 P5
    assert counts(got["royal_forest_dept"]) == (3, 2, 2, 3, 1)  # H2 H3 H6; P2 P3
    assert counts(got[None]) == (2, 3, 1, 1, 0)  # H4 H7; P3 (half) P4 P7 (only touches A)
    # P2 lies half in A; P5 in both A and C counts once for ALRO.
    assert got["alro"]["area_m2"] == pytest.approx(
        true_m2((100, 100, 200, 200), (350, 100, 400, 150), (20, 10, 30, 20)), rel=1e-6)
    assert got["royal_forest_dept"]["area_m2"] == pytest.approx(
        true_m2((350, 100, 450, 150), (650, 300, 700, 340)), rel=1e-6)
    assert got[None]["area_m2"] == pytest.approx(
        true_m2((700, 300, 750, 340), (1000, 0, 1100, 100), (100, 400, 150, 450)), rel=1e-6)
    # Geodesic, not planar UTM: here UTM 48 overstates areas by about 0.13 %.
    assert got["alro"]["area_m2"] < 12_600 * (1 - 0.001)
    # Every household once, but for those counted in two rows (H2).
    assert table["households"].sum() - table["households_in_overlaps"].sum() / 2 == 7


def test_by_zone_counts_a_household_in_each_of_its_zones(
        layers: dict[str, gpd.GeoDataFrame]) -> None:
    table = overlay(layers["households"], layers["plots"], layers["tenure_zones"], by="zone")
    assert list(table["zone"]) == ["TZ-A", "TZ-C", "TZ-B", None]
    got = rows(table, "zone")
    assert counts(got["TZ-A"]) == (3, 3, 2, 1, 2)  # H2 is also in B, H5 also in C
    assert counts(got["TZ-B"]) == (3, 2, 2, 3, 1)
    assert counts(got["TZ-C"]) == (1, 1, 1, 0, 1)  # H5; P5
    assert got["TZ-C"]["area_m2"] == pytest.approx(true_m2((20, 10, 30, 20)), rel=1e-6)
    assert got["TZ-A"]["zone_name"] == "เขตปฏิรูปที่ดิน ก" and got[None]["zone_name"] is None
    assert got[None]["agency"] is None and not got[None]["state_land"]


def test_by_village(layers: dict[str, gpd.GeoDataFrame]) -> None:
    table = overlay(layers["households"], layers["plots"], layers["tenure_zones"],
                    by="village")
    got = rows(table, "zone", "village")
    assert set(got) == {("TZ-A", V1), ("TZ-B", V1), ("TZ-B", V2), ("TZ-C", V1), (None, V1),
                        (None, V2)}
    assert counts(got["TZ-B", V1]) == (2, 1, 2, 2, 1)  # H2 H3; P2
    assert counts(got["TZ-B", V2]) == (1, 1, 0, 1, 0)  # H6 (nothing known: not vulnerable); P3
    assert counts(got[None, V1]) == (1, 1, 1, 0, 0)  # H7 (exactly 100,000 a year); P7
    assert counts(got[None, V2]) == (1, 2, 0, 1, 0)  # H4 rents; P3's outer half, P4
    assert got["TZ-B", V2]["area_m2"] == pytest.approx(true_m2((650, 300, 700, 340)), rel=1e-6)


def test_overlaps_list_the_pairs_with_land_and_households(
        layers: dict[str, gpd.GeoDataFrame]) -> None:
    pairs = overlaps(layers["households"], layers["tenure_zones"])
    assert pairs[["zone_a", "zone_b", "households"]].values.tolist() == [
        ["TZ-A", "TZ-B", 1], ["TZ-A", "TZ-C", 1]]
    assert pairs["area_m2"].tolist() == pytest.approx(
        [true_m2((300, 0, 400, 400)), true_m2((0, 0, 50, 400))], rel=1e-6)
    agencies = overlaps(layers["households"], layers["tenure_zones"], by="agency")
    assert agencies[["agency_a", "agency_b", "households"]].values.tolist() == [
        ["alro", "royal_forest_dept", 1]]
    assert overlaps(None, layers["tenure_zones"])["households"].tolist() == [0, 0]


def test_any_crs_and_one_agency(layers: dict[str, gpd.GeoDataFrame]) -> None:
    utm = site(UTM)
    same = overlay(utm["households"], utm["plots"], utm["tenure_zones"], by="zone")
    table = overlay(layers["households"], layers["plots"], layers["tenure_zones"], by="zone")
    pd.testing.assert_frame_equal(same.drop(columns="area_m2"), table.drop(columns="area_m2"))
    np.testing.assert_allclose(same["area_m2"], table["area_m2"], rtol=1e-9)
    forest = overlay(layers["households"], layers["plots"], layers["tenure_zones"],
                     agency="royal_forest_dept")
    assert list(forest["agency"]) == ["royal_forest_dept"]  # no no-state-land row
    # H2 is still counted as in an overlap: the other agency's zones are always considered.
    assert counts(forest.iloc[0]) == (3, 2, 2, 3, 1)


def test_rules_on_their_own(layers: dict[str, gpd.GeoDataFrame]) -> None:
    homes = layers["households"]
    assert vulnerable(homes).tolist() == [False, True, True, False, True, False, True]
    assert vulnerable(homes, vulnerable_income=99_999).tolist()[6] is False
    assert insecure_tenure(homes, layers["plots"]).tolist() == [
        False, True, True, True, False, True, False]
    assert insecure_tenure(homes).tolist() == [False, False, False, True, False, False, False]
    assert set(OCCUPANT_TENURE.codes()) >= INSECURE_TENURE
    assert set(DWELLING_STATUS.codes()) >= INSECURE_DWELLING


def test_bad_arguments_are_bilingual(layers: dict[str, gpd.GeoDataFrame]) -> None:
    with pytest.raises(InputError, match="agency") as caught:
        overlay(layers["households"], None, layers["tenure_zones"], agency="forest")
    assert "ไม่รู้จักหน่วยงาน" in caught.value.message_th
    with pytest.raises(InputError, match="cannot group by 'tambon'"):
        overlay(None, layers["plots"], layers["tenure_zones"], by="tambon")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="no area has the code '99'"):
        area_scope("99", layers["villages"])


# --- through the store and the privacy gate --------------------------------------------------
@pytest.fixture
def small(store: Store) -> Store:
    for name, frame in site().items():
        store.write(name, frame, user="test")
    return store


def test_agency_viewers_get_small_counts_suppressed(small: Store) -> None:
    agency = Audience("g", Role.AGENCY_VIEWER, frozenset({"2701"}))
    got = rows(overlay_store(small, by="zone", audience=agency), "zone")
    assert counts(got["TZ-A"]) == (3, 3, None, None, None)  # 2, 1, 2 hidden
    assert counts(got["TZ-B"]) == (3, None, None, 3, None)
    assert got["TZ-B"]["area_m2"] is None  # two plots: their area would tell one family's
    assert counts(got["TZ-C"]) == (None, None, None, 0, None)  # zeros say nothing of anyone
    assert got["TZ-C"]["area_m2"] is None
    assert got["TZ-A"]["area_m2"] == pytest.approx(
        true_m2((100, 100, 200, 200), (350, 100, 400, 150), (20, 10, 30, 20)), rel=1e-6)
    records = overlay_records(overlay_store(small, by="zone", audience=agency), lang="en")
    assert records[1]["zone"] == "TZ-C" and records[1]["area_rai_ngan_wa"] is None
    # Without areas an outside audience sees nothing, as everywhere in the app …
    assert overlay_store(small, audience=public_audience()).empty
    # … unless the caller (the command line) hands it the rows.
    public = overlay_store(small, audience=public_audience(), scope=Scope(None))
    assert counts(rows(public, "agency")[None]) == (None, 3, None, None, 0)


def test_insiders_see_counts_but_not_small_sensitive_ones(small: Store) -> None:
    planner = Audience("p", Role.PLANNER, frozenset({"270101"}))
    negotiator = Audience("n", Role.NEGOTIATOR, frozenset({"270101"}))
    full = rows(overlay_store(small, by="zone", audience=planner), "zone")
    assert counts(full["TZ-C"]) == (1, 1, 1, 0, 1)
    partial = rows(overlay_store(small, by="zone", audience=negotiator), "zone")
    # vulnerable is derived from disability and income, which negotiators may not see
    assert counts(partial["TZ-C"]) == (1, 1, None, 0, 1)
    assert counts(partial["TZ-A"]) == (3, 3, None, 1, 2)


def test_area_and_village_names(small: Store) -> None:
    admin = Audience("a", Role.ADMIN)
    table = overlay_store(small, by="village", audience=admin, area=V2)
    got = rows(table, "zone", "village")
    assert set(got) == {("TZ-B", V2), (None, V2)}  # zones with nothing in V2 are left out
    assert got["TZ-B", V2]["village_name_th"] == "บ้านโคกสูง"
    assert counts(got[None, V2]) == (1, 2, 0, 1, 0)
    tambon = overlay_store(small, by="agency", audience=admin, area="270101")
    assert tambon["households"].sum() == 8  # all 7, H2 twice
    with pytest.raises(InputError, match="no area has the code '2799'"):
        overlay_store(small, audience=admin, area="2799")


# --- the demo against a plain sjoin ------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(demo_gpkg: str) -> Iterator[dict[str, gpd.GeoDataFrame]]:
    store = open_store(demo_gpkg, create=False)
    try:
        yield {name: store.read(name) for name in ("households", "plots", "tenure_zones")}
    finally:
        store.close()


def _plain(demo: dict[str, gpd.GeoDataFrame], key: str) -> pd.DataFrame:
    """The same numbers with nothing but geopandas, pandas and pyproj."""
    homes, plots, zones = demo["households"], demo["plots"], demo["tenure_zones"]
    hits = gpd.sjoin(homes, zones[["zone_id", "agency", "geometry"]], predicate="within")
    hits = hits.reset_index().drop_duplicates(["index", key])
    per_home = hits.groupby("index")[key].nunique()
    hits["in_overlap"] = hits["index"].map(per_home) > 1
    yearly = homes["monthly_income"] * 12 / homes["members"].astype("float64")
    weak = ((homes[["elderly", "disabled", "bedridden", "children"]].fillna(0) > 0).any(axis=1)
            | (yearly <= 100_000).fillna(False))
    tenure = homes["plot_id"].map(plots.set_index("plot_id")["occupant_tenure"])
    unsure = (tenure.isin(["renter", "permission", "no_permission", "facing_eviction"])
              | homes["dwelling_status"].isin(
                  ["rented", "living_with_others", "with_employer", "no_fixed_home"]))
    hits["weak"] = hits["index"].map(weak)
    hits["unsure"] = hits["index"].map(unsure)
    table = hits.groupby(key).agg(households=("index", "size"), vulnerable=("weak", "sum"),
                                  insecure=("unsure", "sum"), overlaps=("in_overlap", "sum"))
    land = zones.dissolve(key)[["geometry"]].reset_index()
    parts = gpd.overlay(plots[["plot_id", "geometry"]], land, how="intersection",
                        keep_geom_type=True)
    parts["m2"] = [abs(GEOD.geometry_area_perimeter(g)[0])
                   for g in shapely.orient_polygons(parts.geometry.to_numpy())]
    parts = parts.loc[parts["m2"] >= 1.0]
    table["plots"] = parts.groupby(key)["plot_id"].nunique()
    table["area_m2"] = parts.groupby(key)["m2"].sum()
    outside = ~homes.index.isin(hits["index"])
    table.loc["-"] = [outside.sum(), weak[outside].sum(), unsure[outside].sum(), 0, 0, 0.0]
    return table


@pytest.mark.parametrize("by", ["agency", "zone"])
def test_demo_matches_a_plain_sjoin(demo: dict[str, gpd.GeoDataFrame], by: str) -> None:
    key = "agency" if by == "agency" else "zone_id"
    table = overlay(demo["households"], demo["plots"], demo["tenure_zones"], by=by)  # type: ignore[arg-type]
    mine = table.assign(k=table["agency" if by == "agency" else "zone"].fillna("-")) \
        .set_index("k")
    plain = _plain(demo, key)
    assert set(mine.index) == set(plain.index)
    for column, theirs in (("households", "households"), ("vulnerable_households", "vulnerable"),
                           ("insecure_tenure_households", "insecure"),
                           ("households_in_overlaps", "overlaps")):
        assert mine[column].to_dict() == plain[theirs].astype(int).to_dict(), column
    zoned = plain.index != "-"
    assert mine.loc[plain.index[zoned], "plots"].tolist() == \
        plain.loc[zoned, "plots"].astype(int).tolist()
    np.testing.assert_allclose(mine.loc[plain.index[zoned], "area_m2"],
                               plain.loc[zoned, "area_m2"], rtol=1e-9)
    # The demo draws one public-land zone across a forest's edge on purpose.
    assert mine["households_in_overlaps"].sum() > 0
    assert mine["households"].sum() - mine["households_in_overlaps"].sum() / 2 == \
        len(demo["households"])
    # Land: every plot's area is in the no-state-land row or in the zones' rows (which overlap
    # on the land the public-land zone and the forest share).
    total = float(np.sum([abs(GEOD.geometry_area_perimeter(g)[0]) for g in demo["plots"].geometry]))
    assert mine["area_m2"].sum() >= total * (1 - 1e-9)
