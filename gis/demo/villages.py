"""The demo's administrative frame: Wang Nam Yen's real tambons and synthetic villages in them."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import geothai
import shapely
from shapely.geometry import MultiPolygon, Polygon

from gis.demo import names
from gis.demo.parcels import FARM_STYLE, STYLES, mean_plot_area
from gis.demo.places import (
    TAMBON_CENTRES,
    VillageShape,
    amphoe_outline,
    east_region,
    lonlat_to_work,
    place_village,
    tambon_cells,
)

PROVINCE_CODE = "27"
AMPHOE_CODE = "2704"
TOWN_TAMBON = "270401"  # Wang Nam Yen town (เทศบาลเมืองวังน้ำเย็น) lies in this tambon
# The demo's "today": every survey, transfer and repair date is on or before it.
DEMO_TODAY = dt.date(2026, 6, 30)

# Villages per tambon as (fixed, optional extra): the town tambon has an urban and a crowded
# community besides its rural village; the zone plan (zones.py) needs three villages in
# 270405 and two in 270403.
_VILLAGES_PER_TAMBON: dict[str, tuple[int, int]] = {
    "270401": (3, 0), "270403": (2, 1), "270405": (3, 0), "270406": (2, 1),
}


@dataclass(frozen=True)
class Tambon:
    """A real tambon (code and names from geothai) with its synthetic outline in metres."""

    code: str
    name_th: str
    name_en: str
    polygon: MultiPolygon


@dataclass(frozen=True)
class Village:
    """A synthetic village: DOPA code, names, type, survey progress and outline in metres."""

    code: str
    tambon_code: str
    village_no: int
    name_th: str
    name_en: str
    community_type: str
    survey_status: str
    survey_window: tuple[dt.date, dt.date]
    shape: VillageShape
    n_plots: int
    n_farm: int


@dataclass(frozen=True)
class Frame:
    """Province and amphoe names, the amphoe outline and its tambons, in working metres."""

    province_name: tuple[str, str]
    amphoe_name: tuple[str, str]
    outline: Polygon
    tambons: list[Tambon]
    # Where surveyed features may go: inside the outline and east of the UTM zone edge.
    usable: shapely.Geometry


def admin_frame(rng: random.Random) -> Frame:
    """Wang Nam Yen with its real tambon codes and names and a synthetic outline.

    Raises
    ------
    RuntimeError
        If geothai lacks the province or amphoe, or lists other tambons of 2704 than the ones
        the demo has centres for (a new data release).
    """
    province = geothai.province(PROVINCE_CODE)
    amphoe = geothai.district(AMPHOE_CODE)
    if province is None or amphoe is None:
        raise RuntimeError(f"geothai lacks province {PROVINCE_CODE} or amphoe {AMPHOE_CODE}")
    subdistricts = geothai.subdistricts(AMPHOE_CODE)
    missing = {s.code for s in subdistricts} ^ set(TAMBON_CENTRES)
    if missing:
        raise RuntimeError(f"geothai's tambons of {AMPHOE_CODE} differ from the demo's: {missing}")
    centres = {s.code: lonlat_to_work(*TAMBON_CENTRES[s.code]) for s in subdistricts}
    outline = amphoe_outline(rng, list(centres.values()))
    cells = tambon_cells(outline, centres)
    tambons = [Tambon(s.code, s.name_th, s.name_en, cells[s.code]) for s in subdistricts]
    return Frame(
        province_name=(province.name_th, province.name_en),
        amphoe_name=(amphoe.name_th, amphoe.name_en),
        outline=outline,
        tambons=tambons,
        usable=outline.intersection(east_region()),
    )


def _split(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, largest remainders first; sums exactly."""
    raw = [total * w / sum(weights) for w in weights]
    counts = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], rng.random()))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def plan_villages(rng: random.Random, frame: Frame, *, n_plots: int) -> list[Village]:
    """Ten-odd villages, 2–3 per tambon, holding ``n_plots`` plots between them.

    The town tambon gets an urban community at the town centre, a crowded community beside it
    and a rural village; every other village is rural. Village numbers (หมู่ที่) are drawn
    without repetition within a tambon, and codes are CCAATTMM.
    """
    kinds: list[tuple[Tambon, str]] = []
    for tambon in frame.tambons:
        fixed, extra = _VILLAGES_PER_TAMBON[tambon.code]
        count = fixed + (rng.randint(0, extra) if extra else 0)
        if tambon.code == TOWN_TAMBON:
            types = ["urban_community", "crowded_community"] + ["rural_village"] * (count - 2)
        else:
            types = ["rural_village"] * count
        kinds.extend((tambon, t) for t in types)

    # Town communities hold more, smaller plots than rural villages.
    type_weight = {"urban_community": 1.5, "crowded_community": 1.3}
    weights = [type_weight.get(t, rng.uniform(0.75, 1.25)) for _, t in kinds]
    counts = _split(rng, n_plots, weights)
    rural_names = iter(names.village_names(rng, len(kinds)))
    town_names = iter(names.community_names(rng, 2))
    town_centre = lonlat_to_work(*TAMBON_CENTRES[TOWN_TAMBON])

    # Survey order is random; windows of 8–14 days from early January to early June, the last
    # one or two villages surveyed still in_progress (being checked) at DEMO_TODAY.
    order = list(range(len(kinds)))
    rng.shuffle(order)
    n_in_progress = rng.randint(1, 2)
    step = 150 // len(kinds)
    windows: dict[int, tuple[dt.date, dt.date]] = {}
    statuses: dict[int, str] = {}
    for rank, k in enumerate(order):
        start = dt.date(2026, 1, 5) + dt.timedelta(days=rank * step + rng.randint(0, 3))
        windows[k] = (start, start + dt.timedelta(days=rng.randint(8, 14)))
        if rank >= len(kinds) - n_in_progress:
            statuses[k] = "in_progress"
        else:
            statuses[k] = "verified" if rank < len(kinds) // 2 else "complete"

    villages: list[Village] = []
    placed: list[Polygon] = []
    moo_numbers: dict[str, list[int]] = {}
    for k, ((tambon, ctype), count) in enumerate(zip(kinds, counts, strict=True)):
        style = STYLES[ctype]
        n_farm = rng.randint(4, 8) if ctype == "rural_village" else 0
        # Room for the house plots with their roads, for the farm plots, and for what every
        # village also has (temple, school, ponds); rural villages spread out more than town
        # communities, and a crowded community is a long strip (along the canal, say).
        spread = {"rural_village": 2.4, "urban_community": 1.8}.get(ctype, 1.6)
        area = ((count - n_farm) * mean_plot_area(style) * spread
                + n_farm * mean_plot_area(FARM_STYLE) * 2.2)
        shape = place_village(
            rng,
            allowed=tambon.polygon.intersection(frame.usable),
            others=placed,
            area_m2=area,
            aspect=(2.0, 3.0) if ctype == "crowded_community" else (1.0, 1.5),
            near=None if ctype == "rural_village" else town_centre,
            near_radius=800.0 if ctype == "urban_community" else 3_000.0,
        )
        placed.append(shape.polygon)
        if tambon.code not in moo_numbers:
            n_here = sum(1 for t, _ in kinds if t.code == tambon.code)
            moo_numbers[tambon.code] = sorted(rng.sample(range(1, 16), n_here))
        moo = moo_numbers[tambon.code].pop(0)
        name_th, name_en = next(town_names) if ctype != "rural_village" else next(rural_names)
        villages.append(Village(
            code=f"{tambon.code}{moo:02d}",
            tambon_code=tambon.code,
            village_no=moo,
            name_th=name_th,
            name_en=name_en,
            community_type=ctype,
            survey_status=statuses[k],
            survey_window=windows[k],
            shape=shape,
            n_plots=count,
            n_farm=n_farm,
        ))
    return villages
