"""A deterministic, synthetic demo data set: Amphoe Wang Nam Yen, Sa Kaeo, in every layer.

``build_demo(seed=42)`` returns one frame per layer, typed from the declarations in ``layers/``:
the real province, amphoe and tambons (codes and names from ``geothai``, tambons near their
real centres) with synthetic outlines, about ten synthetic villages, ~1,500 plots, ~1,200
households, eight tenure zones, ~150 house repairs and the budgets paying for them. Every name,
ID number, phone number and boundary is made up; the same seed gives the same data.

Besides its declared fields every frame has a ``uid`` column (UUID strings drawn from the seed)
so that repairs can point at households (``repairs.household_uid``); the system fields
``version``, ``updated_at`` and ``updated_by`` are left to the store.

The province row has no geometry (``None``): the demo draws no synthetic province outline,
which would contradict the real one shown beside it; the amphoe row carries the union of the
tambon outlines.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon

from gis.demo.frames import layer_frame, new_uid
from gis.demo.land import geodesic_area_m2, land_record
from gis.demo.names import volunteer_names
from gis.demo.parcels import village_plots
from gis.demo.people import house_numbers, household
from gis.demo.places import as_multipolygon, to_wgs84
from gis.demo.repairs import Applicant, demo_budgets, demo_repairs
from gis.demo.villages import (
    AMPHOE_CODE,
    DEMO_TODAY,
    PROVINCE_CODE,
    Frame,
    Village,
    admin_frame,
    plan_villages,
)
from gis.demo.zones import SOURCE, Zone, tenure_zones
from layers import LAYERS

__all__ = ["DEMO_TODAY", "LAYER_NAMES", "build_demo"]

# The declared layers, in declaration order (the order uid streams are drawn in).
LAYER_NAMES: tuple[str, ...] = tuple(LAYERS)


def _wgs84(geometries: Sequence[shapely.Geometry | None]) -> np.ndarray[Any, np.dtype[Any]]:
    array = np.empty(len(geometries), dtype=object)
    array[:] = list(geometries)
    return to_wgs84(array)


def _weighted_order(rng: random.Random, weights: Sequence[float]) -> list[int]:
    """Indices in a random order where heavier ones tend to come first (Efraimidis–Spirakis);
    the first ``k`` are a weighted sample of ``k`` without replacement."""
    keys = [rng.random() ** (1.0 / w) for w in weights]
    return sorted(range(len(weights)), key=lambda i: -keys[i])


def _point_in(rng: random.Random, polygon: Polygon) -> Point:
    """A random point at least 2 m inside ``polygon``: the house on its plot."""
    inner = polygon.buffer(-2.0)
    minx, miny, maxx, maxy = inner.bounds
    while True:
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if inner.contains(p):
            return p


def _admin_records(frame: Frame, villages: Sequence[Village]) -> tuple[
        list[dict[str, Any]], list[shapely.Geometry | None]]:
    tambon_union = as_multipolygon(shapely.union_all([t.polygon for t in frame.tambons]))
    records: list[dict[str, Any]] = [
        {"code": PROVINCE_CODE, "level": "province", "name_th": frame.province_name[0],
         "name_en": frame.province_name[1], "parent_code": None},
        {"code": AMPHOE_CODE, "level": "amphoe", "name_th": frame.amphoe_name[0],
         "name_en": frame.amphoe_name[1], "parent_code": PROVINCE_CODE},
    ]
    geometries: list[shapely.Geometry | None] = [None, tambon_union]
    for t in frame.tambons:
        records.append({"code": t.code, "level": "tambon", "name_th": t.name_th,
                        "name_en": t.name_en, "parent_code": AMPHOE_CODE})
        geometries.append(t.polygon)
    for v in villages:
        records.append({"code": v.code, "level": "village", "name_th": v.name_th,
                        "name_en": v.name_en, "parent_code": v.tambon_code})
        geometries.append(MultiPolygon([v.shape.polygon]))
    return records, geometries


def _zone_of(point: Point, zones: Sequence[Zone]) -> Zone | None:
    """The zone holding ``point``; where two overlap, the smaller (more specific) one."""
    holding = [z for z in zones if z.polygon.contains(point)]
    return min(holding, key=lambda z: z.polygon.area) if holding else None


def build_demo(*, seed: int = 42) -> dict[str, pd.DataFrame]:
    """Build the synthetic Wang Nam Yen demo data set, one frame per layer.

    Parameters
    ----------
    seed
        Seeds the only sources of randomness (``random.Random`` and a numpy ``Generator``
        seeded from it); the same seed gives identical frames, another seed other data.

    Returns
    -------
    dict of str to DataFrame
        Keyed by layer name (:data:`LAYER_NAMES`). Each frame has a ``uid`` column and exactly
        the layer's declared fields; geometry layers are GeoDataFrames in EPSG:4326 with a
        ``geometry`` column (MultiPolygon, or Point for households). ``repairs`` and
        ``budgets`` are plain DataFrames.
    """
    master = random.Random(seed)
    # One stream per stage, drawn in a fixed order: a change in how one stage draws leaves the
    # other stages' output as it was.
    (r_frame, r_villages, r_plots, r_zones, r_land, r_people, r_money,
     r_uid) = (random.Random(master.getrandbits(64)) for _ in range(8))
    gen = np.random.default_rng(r_plots.getrandbits(64))
    uid_streams = {name: random.Random(r_uid.getrandbits(64)) for name in LAYER_NAMES}

    def uids(layer: str, count: int) -> list[str]:
        return [new_uid(uid_streams[layer].getrandbits(128)) for _ in range(count)]

    frame = admin_frame(r_frame)
    villages = plan_villages(r_villages, frame, n_plots=r_villages.randint(1460, 1540))
    by_code = {v.code: v for v in villages}

    # Plots, village by village, in working metres.
    plot_polys: list[Polygon] = []
    plot_farm: list[bool] = []
    plot_village: list[str] = []
    centroids: dict[str, np.ndarray[Any, np.dtype[np.float64]]] = {}
    for v in villages:
        vp = village_plots(r_plots, gen, v.shape, community_type=v.community_type,
                           n_plots=v.n_plots, n_farm=v.n_farm)
        plot_polys += vp.polygons
        plot_farm += vp.is_farm
        plot_village += [v.code] * len(vp.polygons)
        centroids[v.code] = shapely.get_coordinates(shapely.centroid(np.asarray(vp.polygons)))
    zones = tenure_zones(r_zones, frame, villages, centroids)

    plot_wgs = _wgs84([MultiPolygon([p]) for p in plot_polys])
    counters: dict[str, int] = {}
    plot_records: list[dict[str, Any]] = []
    for poly, geom, farm, code in zip(plot_polys, plot_wgs, plot_farm, plot_village,
                                      strict=True):
        counters[code] = counters.get(code, 0) + 1
        zone = _zone_of(poly.centroid, zones)
        area = geodesic_area_m2(geom)
        land = land_record(r_land, agency=zone.agency if zone else None, area_m2=area,
                           is_farm=farm, community_type=by_code[code].community_type)
        plot_records.append({
            "plot_id": f"{code}-P{counters[code]:04d}", "village_code": code,
            "land_document": land.land_document, "document_number": land.document_number,
            "land_owner": land.land_owner, "occupant_tenure": land.occupant_tenure,
            "official_area": land.official_area, "measured_area_m2": area,
            "notes": land.notes, "extra": None,
        })

    # Households: one in most house plots, in few farm plots.
    n_households = r_people.randint(1170, 1230)
    order = _weighted_order(r_people, [0.15 if f else 1.0 for f in plot_farm])
    occupied = sorted(order[:n_households])
    volunteers = volunteer_names(r_people, 8)
    teams = {v.code: tuple(r_people.sample(volunteers, 2)) for v in villages}
    numbering = {v.code: house_numbers(r_people) for v in villages}
    used_ids: set[str] = set()
    hh_records: list[dict[str, Any]] = []
    hh_points: list[Point] = []
    counters = {}
    for k in occupied:
        code = plot_village[k]
        v = by_code[code]
        counters[code] = counters.get(code, 0) + 1
        h = household(r_people, house_no=next(numbering[code]),
                      tenure=plot_records[k]["occupant_tenure"], survey_window=v.survey_window,
                      surveyors=teams[code], used_ids=used_ids)
        hh_points.append(_point_in(r_people, plot_polys[k]))
        hh_records.append({
            "household_id": f"{code}-H{counters[code]:04d}", "house_no": h.house_no,
            "plot_id": plot_records[k]["plot_id"], "village_code": code,
            "head_name": h.head_name, "national_id": h.national_id, "phone": h.phone,
            "members": h.members, "elderly": h.elderly, "disabled": h.disabled,
            "bedridden": h.bedridden, "children": h.children,
            "monthly_income": h.monthly_income, "dwelling_status": h.dwelling_status,
            "house_condition": h.house_condition, "needs_repair": h.needs_repair,
            "priority_score": None, "priority_flag": False, "priority_note": None,
            "consent": h.consent, "survey_date": h.survey_date, "surveyor": h.surveyor,
            "extra": None,
        })
    hh_uids = uids("households", len(hh_records))

    # Repairs for consenting households with poor or dilapidated houses, surveyed at least a
    # week before "today"; the most vulnerable tend to come first.
    candidates = [
        i for i, r in enumerate(hh_records)
        if r["needs_repair"] and r["consent"]
        and (DEMO_TODAY - r["survey_date"]).days >= 7
    ]
    weights = [
        (2.0 if hh_records[i]["house_condition"] == "dilapidated" else 1.0)
        + (1.0 if hh_records[i]["elderly"] or hh_records[i]["disabled"]
           or hh_records[i]["bedridden"] else 0.0)
        for i in candidates
    ]
    chosen = [candidates[j] for j in _weighted_order(r_money, weights)]
    chosen = chosen[: r_money.randint(145, 155)]
    applicants = [
        Applicant(
            uid=hh_uids[i], village_code=hh_records[i]["village_code"],
            village_name=by_code[hh_records[i]["village_code"]].name_th,
            tambon_code=by_code[hh_records[i]["village_code"]].tambon_code,
            survey_date=hh_records[i]["survey_date"],
            dilapidated=hh_records[i]["house_condition"] == "dilapidated",
            needs_ramp=bool(hh_records[i]["elderly"] or hh_records[i]["disabled"]),
        )
        for i in chosen
    ]
    budgets = demo_budgets(r_money)
    repair_records = demo_repairs(r_money, applicants, budgets)

    admin_records, admin_geoms = _admin_records(frame, villages)
    zone_records = [
        {"zone_id": z.zone_id, "agency": z.agency, "tenure_class": z.tenure_class,
         "official_name": z.official_name, "legal_basis": z.legal_basis, "source": SOURCE,
         "source_date": z.source_date, "extra": None}
        for z in zones
    ]
    village_records = [
        {"village_code": v.code, "name_th": v.name_th, "name_en": v.name_en,
         "village_no": v.village_no, "tambon_code": v.tambon_code,
         "community_type": v.community_type, "survey_status": v.survey_status, "extra": None}
        for v in villages
    ]
    return {
        "admin": layer_frame("admin", admin_records, uids("admin", len(admin_records)),
                             _wgs84(admin_geoms)),
        "villages": layer_frame(
            "villages", village_records, uids("villages", len(villages)),
            _wgs84([MultiPolygon([v.shape.polygon]) for v in villages])),
        "plots": layer_frame("plots", plot_records, uids("plots", len(plot_records)), plot_wgs),
        "households": layer_frame("households", hh_records, hh_uids, _wgs84(hh_points)),
        "tenure_zones": layer_frame("tenure_zones", zone_records,
                                    uids("tenure_zones", len(zones)),
                                    _wgs84([z.polygon for z in zones])),
        "repairs": layer_frame("repairs", repair_records, uids("repairs", len(repair_records))),
        "budgets": layer_frame("budgets", [b.record() for b in budgets],
                               uids("budgets", len(budgets))),
    }
