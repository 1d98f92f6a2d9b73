"""Tenure zones: ALRO land, reserved forests, public land, Treasury land and a concession.

Each zone is drawn over part of one host village, so that a known share of its plots (and so of
its households) falls inside, and reaches away from the other villages into the countryside,
the way a forest or land-reform boundary runs through the edge of a settlement. One public-land
zone is drawn across the edge of a reserved forest on purpose: overlapping claims are what the
negotiators' overlay has to show. All outlines are synthetic.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Point, Polygon

from gis.demo.names import forest_names
from gis.demo.places import as_multipolygon, blob
from gis.demo.villages import Frame, Village

SOURCE = "ข้อมูลสาธิต Landmap: แนวเขตสังเคราะห์ ไม่ใช่แนวเขตจริง"


@dataclass(frozen=True)
class Zone:
    """One tenure zone's attributes and outline in working metres."""

    zone_id: str
    agency: str
    tenure_class: str
    official_name: str
    legal_basis: str
    source_date: dt.date
    polygon: MultiPolygon


@dataclass(frozen=True)
class _Plan:
    zone_id: str
    agency: str
    tenure_class: str
    tambon: str
    host: int  # index among that tambon's villages of ``kind``
    kind: str  # community type of the host
    reach: float  # metres from the host centre to the zone centre; < 0: × host radius
    share: float  # share of the host's plots inside


# Built in this order; each zone is cut by the ones before it except the planned overlap.
_PLANS: tuple[_Plan, ...] = (
    _Plan("TZ-TRE-01", "treasury", "treasury_land", "270401", 0, "crowded_community", -0.5, 0.5),
    _Plan("TZ-PUB-02", "public_land", "public_land", "270403", 1, "rural_village", -0.6, 0.4),
    _Plan("TZ-CON-01", "private_concession", "concession", "270405", 2, "rural_village",
          1_200.0, 0.45),
    _Plan("TZ-ALRO-01", "alro", "alro_land_reform", "270405", 0, "rural_village", 2_500.0, 0.6),
    _Plan("TZ-ALRO-02", "alro", "alro_land_reform", "270403", 0, "rural_village", 2_500.0, 0.5),
    _Plan("TZ-RFD-02", "royal_forest_dept", "reserved_forest", "270405", 1, "rural_village",
          3_000.0, 0.5),
    _Plan("TZ-RFD-01", "royal_forest_dept", "reserved_forest", "270406", 0, "rural_village",
          3_000.0, 0.5),
)
_OVERLAP_HOST_ZONE = "TZ-RFD-01"  # TZ-PUB-01 is drawn across this forest's edge
_MIN_PLOTS = 45  # ≥ 45 plots at ~80 % occupancy gives every zone well over 20 households


def _direction(host: Village, others: Sequence[Village], usable: shapely.Geometry,
               reach: float) -> float:
    """The direction (radians) in which to put a zone centre ``reach`` metres out.

    Away from the other villages (a forest lies beyond the fields, not in the next village) and
    towards the usable area, so that the zone is not cut square by the amphoe outline or the
    zone-edge meridian.
    """
    best, best_score = 0.0, -math.inf
    for k in range(16):
        t = 2 * math.pi * k / 16
        c = Point(host.shape.centre[0] + reach * math.cos(t),
                  host.shape.centre[1] + reach * math.sin(t))
        distance = min((o.shape.polygon.distance(c) for o in others), default=3_000.0)
        disc = c.buffer(reach, quad_segs=8)
        inside = usable.intersection(disc).area / disc.area
        score = min(distance, 3_000.0) + 3_000.0 * inside
        if score > best_score:
            best, best_score = t, score
    return best


def _fit(unit: Polygon, centre: tuple[float, float], points: npt.NDArray[np.float64],
         count: int) -> Polygon:
    """``unit`` scaled about ``centre`` until it holds at least ``count`` of ``points``.

    Scaling a star-shaped outline about its centre nests the results, so the number of points
    inside grows with the scale and a bisection finds the smallest scale that holds ``count``.
    """
    pts = shapely.points(points)

    def scaled(s: float) -> Polygon:
        return shapely.affinity.translate(
            shapely.affinity.scale(unit, s, s, origin=(0.0, 0.0)), *centre)

    lo, hi = 0.0, 100_000.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if int(shapely.contains(scaled(mid), pts).sum()) >= count:
            hi = mid
        else:
            lo = mid
    return scaled(hi)


def _names(rng: random.Random, plan: _Plan, frame: Frame, host: Village,
           forests: list[str]) -> tuple[str, str]:
    """Official name and legal basis in Thai, synthetic numbers and years."""
    if plan.agency == "treasury":
        return (f"ที่ราชพัสดุแปลงหมายเลขทะเบียนที่ สก.{rng.randint(100, 999)}",
                "พระราชบัญญัติที่ราชพัสดุ พ.ศ. 2562")
    if plan.agency == "public_land":
        kind = rng.choice(("ทุ่งเลี้ยงสัตว์สาธารณะ", "หนองน้ำสาธารณะ", "โคกสาธารณะ"))
        return (f"ที่สาธารณประโยชน์ {kind}{host.name_th}",
                f"หนังสือสำคัญสำหรับที่หลวง (น.ส.ล.) เลขที่ {rng.randint(1000, 9999)}/"
                f"{rng.randint(2520, 2545)}")
    if plan.agency == "private_concession":
        return (f"ประทานบัตรทำเหมืองแร่หินปูน ที่ {rng.randint(20000, 29999)}/"
                f"{rng.randint(15000, 16999)}", "พระราชบัญญัติแร่ พ.ศ. 2560")
    if plan.agency == "alro":
        tambon = next(t for t in frame.tambons if t.code == host.tambon_code)
        return (f"เขตปฏิรูปที่ดิน ตำบล{tambon.name_th}",
                "พระราชกฤษฎีกากำหนดเขตที่ดินในท้องที่ที่จะทำการปฏิรูปที่ดิน พ.ศ. "
                f"{rng.randint(2530, 2540)}")
    return (forests.pop(),
            f"กฎกระทรวง ฉบับที่ {rng.randint(300, 1200)} (พ.ศ. {rng.randint(2510, 2535)}) "
            "ออกตามความในพระราชบัญญัติป่าสงวนแห่งชาติ พ.ศ. 2507")


def tenure_zones(
    rng: random.Random,
    frame: Frame,
    villages: Sequence[Village],
    plot_centroids: Mapping[str, npt.NDArray[np.float64]],
) -> list[Zone]:
    """The demo's eight tenure zones, sorted by ``zone_id``.

    Parameters
    ----------
    rng
        The source of randomness.
    frame
        The amphoe; zones are clipped to its usable part (inside, east of the zone edge).
    villages
        All villages; hosts are picked by tambon and community type.
    plot_centroids
        Village code → (n, 2) array of plot centroids in working metres.

    Returns
    -------
    list of Zone
        Zones whose outlines overlap only where planned (public land across a forest edge).
    """
    forests = forest_names(rng, 2)
    drawn: dict[str, shapely.Geometry] = {}
    meta: dict[str, tuple[_Plan, Village]] = {}
    for plan in _PLANS:
        hosts = [v for v in villages if v.tambon_code == plan.tambon and v.community_type ==
                 plan.kind]
        host = hosts[plan.host]
        others = [v for v in villages if v.code != host.code]
        points = plot_centroids[host.code]
        reach = -plan.reach * host.shape.radius if plan.reach < 0 else plan.reach
        t = _direction(host, others, frame.usable, reach)
        centre = (host.shape.centre[0] + reach * math.cos(t),
                  host.shape.centre[1] + reach * math.sin(t))
        unit = blob(rng, (0.0, 0.0), a=1.0, b=rng.uniform(0.7, 1.0), angle=rng.uniform(0, math.pi),
                    roughness=0.06, vertices=64)
        count = max(math.ceil(plan.share * len(points)), _MIN_PLOTS)
        outline = _fit(unit, centre, points, count)
        for earlier in drawn.values():
            outline = outline.difference(earlier)
        drawn[plan.zone_id] = outline.intersection(frame.usable)
        meta[plan.zone_id] = (plan, host)

    # Public land across the forest edge: centred on the host's plot nearest the edge inside.
    forest = drawn[_OVERLAP_HOST_ZONE]
    host = meta[_OVERLAP_HOST_ZONE][1]
    points = plot_centroids[host.code]
    inside = points[shapely.contains(forest, shapely.points(points))]
    if len(inside) == 0:
        raise RuntimeError(f"{_OVERLAP_HOST_ZONE} holds none of its host's plots")
    edge = forest.boundary
    anchor = min(inside, key=lambda p: edge.distance(Point(p)))
    unit = blob(rng, (0.0, 0.0), a=1.0, b=0.8, angle=rng.uniform(0, math.pi), roughness=0.05)
    outline = _fit(unit, (float(anchor[0]), float(anchor[1])), points, _MIN_PLOTS + 5)
    for zone_id, earlier in drawn.items():
        if zone_id != _OVERLAP_HOST_ZONE:
            outline = outline.difference(earlier)
    drawn["TZ-PUB-01"] = outline.intersection(frame.usable)
    meta["TZ-PUB-01"] = (
        _Plan("TZ-PUB-01", "public_land", "public_land", host.tambon_code, 0,
              host.community_type, 0.0, 0.0), host)

    zones: list[Zone] = []
    for zone_id in sorted(drawn):
        plan, host = meta[zone_id]
        official_name, legal_basis = _names(rng, plan, frame, host, forests)
        zones.append(Zone(
            zone_id=zone_id,
            agency=plan.agency,
            tenure_class=plan.tenure_class,
            official_name=official_name,
            legal_basis=legal_basis,
            source_date=dt.date(2025, rng.randint(1, 12), rng.randint(1, 28)),
            polygon=as_multipolygon(drawn[zone_id]),
        ))
    return zones
