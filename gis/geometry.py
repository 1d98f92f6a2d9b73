"""Invalid shapes explained and repaired: why GEOS rejects a geometry, in words a community
volunteer understands, and the ``make_valid`` repair on offer (DESIGN.md §5: bad rows are
reported, never silently "fixed"; the user chooses).

Repairs use ``shapely.make_valid`` — never ``buffer(0)``, which drops half of a bow-tie without a
word. Areas are geodesic on the CRS's ellipsoid (pyproj ``Geod``) for geographic CRSs, planar
for projected ones (metres in every CRS used in Thailand), as DESIGN.md §7 asks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any, Literal

import numpy as np
import shapely
from pyproj import CRS, Geod
from shapely.errors import GEOSException
from shapely.geometry import Point

WGS84 = 4326
KEEP_SHARE = 0.5  # "structure" must keep half the area "linework" finds, or it lost the shape
_MULTI = (4, 5, 6, 7)  # shapely type ids of MultiPoint … GeometryCollection
_REASON = re.compile(r"^(?P<reason>[^\[]*?)\s*(?:\[(?P<x>\S+)\s+(?P<y>\S+)(?:\s+\S+)?\])?$")


@dataclass(frozen=True)
class Repair:
    """A repair on offer for one invalid geometry: the new shape and what changed.

    ``geometry`` holds only parts of the wanted dimension (a Polygon, or a MultiPolygon when
    there are several parts); ``method`` is the ``make_valid`` method that made it.
    """

    geometry: Any
    area_before_m2: float
    area_after_m2: float
    parts: int
    method: Literal["structure", "linework"]
    description_th: str
    description_en: str


# ------------------------------------------------------------------------------ explain
# GEOS reason → (Thai, English); "{at}" is replaced by where it happens, or dropped.
_EXPLAIN: dict[str, tuple[str, str]] = {
    "Self-intersection": (
        "เส้นขอบตัดไขว้กันเอง (เป็นรูปโบว์){at} โปรแกรมจึงบอกไม่ได้ว่าด้านไหนอยู่ในแปลง",
        "the boundary crosses itself (a 'bow-tie'){at}, so no program can tell which side is "
        "inside"),
    "Ring Self-intersection": (
        "เส้นขอบวนกลับมาแตะตัวเองที่จุดเดียว (เหมือนเลข 8){at}",
        "the boundary comes back and touches itself at one point (like a figure 8){at}"),
    "Too few points in geometry component": (
        "บางส่วนมีจุดมุมน้อยเกินไปจนไม่เป็นรูปร่าง (รูปแปลงต้องมีมุมที่ต่างกันอย่างน้อย 3 จุด){at}",
        "a part has too few corners to make a shape (an area needs at least 3 different "
        "corners){at}"),
    "Hole lies outside shell": (
        "รู (ส่วนที่เว้นไว้ในรูปร่าง) อยู่นอกเส้นขอบด้านนอก{at}",
        "a hole (an area cut out of the shape) lies outside the outer boundary{at}"),
    "Holes are nested": (
        "มีรูซ้อนอยู่ในรูอีกรูหนึ่ง{at}", "a hole lies inside another hole{at}"),
    "Interior is disconnected": (
        "รูในรูปร่างแบ่งพื้นที่ออกเป็นหลายชิ้นที่ไม่ต่อกัน{at}",
        "holes cut the shape into pieces that do not connect{at}"),
    "Nested shells": (
        "ส่วนหนึ่งของรูปร่างซ้อนอยู่ในอีกส่วนหนึ่ง{at}",
        "one part of the shape lies inside another part{at}"),
    "Duplicate Rings": (
        "เส้นขอบเดียวกันถูกวาดซ้ำสองครั้ง{at}", "the same boundary is drawn twice{at}"),
    "Invalid Coordinate": (
        "มีจุดที่พิกัดไม่ใช่ตัวเลข (ว่างหรือผิดรูปแบบ)", "a corner has no usable coordinate "
        "(empty or not a number)"),
    "Ring is not closed": (
        "เส้นขอบไม่ปิด (จุดสุดท้ายไม่ตรงกับจุดแรก){at}",
        "the boundary is not closed (its last corner is not its first){at}"),
    "Repeated Point": ("มีจุดซ้ำกัน{at}", "a corner is repeated{at}"),
}
_CROSSING = frozenset({"Self-intersection", "Ring Self-intersection"})


def explain(geom: Any, *, epsg: int | None = None) -> tuple[str, str, Point | None]:
    """Why ``geom`` is invalid, in Thai and English, and where.

    Parameters
    ----------
    geom
        A shapely geometry.
    epsg
        Its CRS, to write the location in degrees or metres; guessed from the coordinates
        (degrees when they fit longitude and latitude) when None.

    Returns
    -------
    tuple
        ``(message_th, message_en, location)``: the explanation of the reason
        ``shapely.is_valid_reason`` gives, and the point it names (rounded to 6 decimals in
        degrees, about 0.1 m, or to 0.1 in metres), or None when it names none or the geometry
        is valid.
    """
    geographic = _geographic(geom) if epsg is None else _geod(epsg) is not None
    reason, where = _reason(geom, geographic=geographic)
    if reason == "Valid Geometry":
        return "รูปร่างถูกต้อง", "the shape is valid", None
    th, en = _EXPLAIN.get(reason, (
        f"รูปร่างไม่ถูกต้อง ({reason}){{at}}", f"the shape is not valid ({reason}){{at}}"))
    at_th = at_en = ""
    if where is not None:
        if geographic:
            at_th = f" ที่ละติจูด {where.y:.6f} ลองจิจูด {where.x:.6f}"
            at_en = f" at latitude {where.y:.6f}, longitude {where.x:.6f}"
        else:
            at_th = f" ที่พิกัด x {where.x:.1f}, y {where.y:.1f}"
            at_en = f" at x {where.x:.1f}, y {where.y:.1f}"
    return th.replace("{at}", at_th), en.replace("{at}", at_en), where


def _reason(geom: Any, *, geographic: bool = False) -> tuple[str, Point | None]:
    """GEOS's reason without its location, and the location rounded (None if not finite)."""
    text = shapely.is_valid_reason(geom) if geom is not None else None
    if text is None:
        return "Invalid Coordinate", None
    found = _REASON.match(text)
    if found is None or found["x"] is None:
        return text, None
    x, y = float(found["x"]), float(found["y"])
    if not (math.isfinite(x) and math.isfinite(y)):
        return found["reason"], None
    digits = 6 if geographic else 1
    return found["reason"], Point(round(x, digits), round(y, digits))


def _geographic(geom: Any) -> bool:
    """Whether the coordinates read as degrees (they fit longitude/latitude ranges)."""
    with np.errstate(invalid="ignore"):
        xy = shapely.get_coordinates(geom)
    xy = xy[np.isfinite(xy).all(axis=1)]
    return bool(len(xy)) and bool((np.abs(xy[:, 0]) <= 180).all() and
                                  (np.abs(xy[:, 1]) <= 90).all())


# ------------------------------------------------------------------------------ repair
def repair(geom: Any, *, polygonal: bool, epsg: int = WGS84) -> Repair | None:
    """The ``make_valid`` repair of an invalid ``geom``, keeping parts of the wanted dimension.

    Parameters
    ----------
    geom
        A shapely geometry in ``epsg``.
    polygonal
        Keep only areas (for polygon layers: polygons are taken out of a GeometryCollection,
        lines and points left over by the repair are dropped). Otherwise keep the parts of the
        dimension ``geom`` has.
    epsg
        The CRS of ``geom``, for the areas (geodesic in a geographic CRS, planar in metres).

    Returns
    -------
    Repair or None
        None when ``geom`` is valid (nothing to repair) or nothing of the wanted dimension
        remains. The ``"structure"`` method is tried first (it keeps rings as the user drew
        them: shells minus holes); ``"linework"`` is used instead when ``"structure"`` keeps
        nothing or less than half of the area ``"linework"`` finds (a hole drawn around its
        shell, for instance).
    """
    if geom is None or geom.is_empty or shapely.is_valid(geom):
        return None
    dimension = 2 if polygonal else int(shapely.get_dimensions(geom))
    method: Literal["structure", "linework"] = "structure"
    raw = _make_valid(geom, "structure")
    fixed = _only(raw, dimension)
    if dimension == 2:
        other_raw = _make_valid(geom, "linework")
        other = _only(other_raw, dimension)
        kept = 0.0 if fixed is None else area_m2(fixed, epsg=epsg)
        if other is not None and kept < KEEP_SHARE * area_m2(other, epsg=epsg):
            raw, fixed, method = other_raw, other, "linework"
    if fixed is None:
        return None
    before, after = area_m2(geom, epsg=epsg), area_m2(fixed, epsg=epsg)
    parts = int(shapely.get_num_geometries(fixed))
    th, en = _describe(geom, raw, fixed, before, after, dimension)
    return Repair(fixed, before, after, parts, method, th, en)


def _make_valid(geom: Any, method: Literal["structure", "linework"]) -> Any:
    try:
        if method == "structure":
            return shapely.make_valid(geom, method="structure", keep_collapsed=False)
        return shapely.make_valid(geom, method="linework")
    except GEOSException:  # "linework" refuses NaN coordinates; "structure" drops them
        return None


def _flat(geom: Any) -> np.ndarray[Any, Any]:
    """Every single part of ``geom`` (Multi* and GeometryCollections opened, nested too)."""
    parts: np.ndarray[Any, Any] = shapely.get_parts(np.asarray([geom], dtype=object))
    while len(parts) and np.isin(shapely.get_type_id(parts), _MULTI).any():
        parts = shapely.get_parts(parts)
    single: np.ndarray[Any, Any] = parts[~shapely.is_empty(parts)]
    return single


def _only(geom: Any, dimension: int) -> Any:
    """The parts of ``geom`` of ``dimension`` as one geometry (single or Multi*), or None."""
    if geom is None or geom.is_empty:
        return None
    parts = _flat(geom)
    parts = parts[shapely.get_dimensions(parts) == dimension]
    if not len(parts):
        return None
    if len(parts) == 1:
        return parts[0]
    build = {0: shapely.multipoints, 1: shapely.multilinestrings, 2: shapely.multipolygons}
    out = build[dimension](parts)
    # make_valid's parts never overlap; union (not buffer) if a collection ever says otherwise
    return out if shapely.is_valid(out) else shapely.union_all(parts)


def area_m2(geom: Any, *, epsg: int = WGS84) -> float:
    """The area of ``geom`` in m²: geodesic on the ellipsoid of a geographic ``epsg``, planar
    in a projected one. Each ring counts as drawn (shoelace), so the two halves of a bow-tie
    cancel out, as in other GIS programs."""
    if geom is None or geom.is_empty:
        return 0.0
    geod = _geod(epsg)
    measure: Callable[[np.ndarray[Any, Any]], float] = (
        _shoelace if geod is None else partial(_geodesic, geod))
    total = 0.0
    for polygon in _polygons(geom):
        total += abs(measure(np.asarray(polygon.exterior.coords)))
        total -= sum(abs(measure(np.asarray(hole.coords))) for hole in polygon.interiors)
    return max(total, 0.0)  # holes drawn larger than their shell would make it negative


@lru_cache(maxsize=8)
def _geod(epsg: int) -> Geod | None:
    crs = CRS.from_epsg(epsg)
    return crs.get_geod() if crs.is_geographic else None


def _polygons(geom: Any) -> list[Any]:
    parts = _flat(geom)
    return list(parts[shapely.get_type_id(parts) == 3])


def _shoelace(xy: np.ndarray[Any, Any]) -> float:
    xy = xy[np.isfinite(xy[:, :2]).all(axis=1)]
    if len(xy) < 3:
        return 0.0
    x, y = xy[:, 0], xy[:, 1]
    return float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)) / 2.0


def _geodesic(geod: Geod, xy: np.ndarray[Any, Any]) -> float:
    xy = xy[np.isfinite(xy[:, :2]).all(axis=1)]
    if len(xy) < 3:
        return 0.0
    area, _ = geod.polygon_area_perimeter(xy[:, 0], xy[:, 1])
    return float(area)


def _describe(before: Any, raw: Any, fixed: Any, area_before: float, area_after: float,
              dimension: int) -> tuple[str, str]:
    """What the repair changed, in Thai and English: parts, holes, dropped pieces, area."""
    th: list[str] = []
    en: list[str] = []
    parts_before = int((shapely.get_dimensions(_flat(before)) == dimension).sum())
    parts_after = int(shapely.get_num_geometries(fixed))
    crossing = _reason(before)[0] in _CROSSING
    if parts_after > parts_before:
        th.append(f"แยกเป็น {parts_after} ส่วน" + (" ที่จุดตัด" if crossing else ""))
        en.append(f"split into {parts_after} parts" + (" at the crossing point" if crossing
                                                       else ""))
    elif parts_after < parts_before:
        th.append(f"รวมเป็น {parts_after} ส่วน")
        en.append(f"joined into {parts_after} part" + ("s" if parts_after > 1 else ""))
    if dimension == 2:
        holes_before = _holes(before)
        holes_after = _holes(fixed)
        if holes_after != holes_before:
            th.append(f"จำนวนรูจาก {holes_before} เป็น {holes_after}")
            en.append(f"holes from {holes_before} to {holes_after}")
    with np.errstate(invalid="ignore"):
        unusable = int((~np.isfinite(shapely.get_coordinates(before))).any(axis=1).sum())
    if unusable:
        th.append(f"ตัดจุดที่ไม่มีพิกัดออก {unusable} จุด")
        en.append(f"removed {unusable} corner{'s' if unusable > 1 else ''} without a usable "
                  "coordinate")
    dropped = int((shapely.get_dimensions(_flat(raw)) < dimension).sum()) if raw is not None \
        else 0
    if dropped:
        th.append(f"ตัดเส้นหรือจุดที่ไม่มีพื้นที่ออก {dropped} ชิ้น")
        en.append(f"dropped {dropped} line or point piece{'s' if dropped > 1 else ''} "
                  "without area")
    if dimension == 2:
        a, b = _m2(area_before), _m2(area_after)
        if a == b:
            th.append(f"เนื้อที่เท่าเดิม ({b} ตร.ม.)")
            en.append(f"area unchanged ({b} m²)")
        else:
            th.append(f"เนื้อที่เปลี่ยนจาก {a} เป็น {b} ตร.ม.")
            en.append(f"area changed from {a} to {b} m²")
    if not en:
        th.append("แก้จุดที่ไม่ถูกต้อง รูปร่างเหมือนเดิม")
        en.append("fixed the invalid points; the shape is the same")
    return "; ".join(th), "; ".join(en)


def _holes(geom: Any) -> int:
    return sum(len(p.interiors) for p in _polygons(geom))


def _m2(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == 0 else f"{value:,.1f}"


# ------------------------------------------------------------------------------ snapping
SNAP_M = 0.5  # a corner this close to a neighbour's boundary was meant to be on it


@dataclass(frozen=True)
class Snap:
    """A proposal to move corners of a shape onto its neighbours' boundaries.

    ``geometry`` is the shape with the corners moved (EPSG:4326, same type as the input);
    ``vertices`` how many corners moved (a ring's closing corner counts once) and
    ``max_shift_m`` the largest move in metres.
    """

    geometry: Any
    vertices: int
    max_shift_m: float
    description_th: str
    description_en: str


def snap_to_neighbours(geom: Any, neighbours: Any, *, tolerance_m: float = SNAP_M) -> Snap | None:
    """Corners of ``geom`` within ``tolerance_m`` metres of a neighbour moved onto it.

    Parameters
    ----------
    geom
        A polygonal or linear shape in EPSG:4326 (points are not snapped).
    neighbours
        The shapes around it in EPSG:4326 (a sequence or array; the shape itself left out).
    tolerance_m
        How far a corner may be from a neighbour's corner or edge to be moved onto it,
        measured in metres (in the UTM zone of ``geom``).

    Returns
    -------
    Snap or None
        None when no corner would move, or when moving them would make the shape invalid.
        A corner goes to the nearest neighbour corner within the tolerance, else to the
        nearest point of a neighbour edge within it; neighbours' corners are copied exactly, so
        snapped plots share their boundary without gaps or slivers.
    """
    if geom is None or geom.is_empty or int(shapely.get_dimensions(geom)) == 0:
        return None
    others = [g for g in np.asarray(neighbours, dtype=object).ravel()
              if g is not None and not g.is_empty]
    if not others:
        return None
    xy = shapely.get_coordinates(geom)
    segments = np.concatenate([_segments(g) for g in others])  # (n, 2 ends, xy) in degrees
    if not len(xy) or not len(segments):
        return None
    corners = segments[:, 0, :]
    forward = _utm_transformer(float(np.nanmean(xy[:, 0])), float(np.nanmean(xy[:, 1])))
    p = np.column_stack(forward.transform(xy[:, 0], xy[:, 1]))
    a = np.column_stack(forward.transform(segments[:, 0, 0], segments[:, 0, 1]))
    b = np.column_stack(forward.transform(segments[:, 1, 0], segments[:, 1, 1]))
    target = xy.copy()
    shift = np.zeros(len(xy))
    # Nearest neighbour corner (the start of each segment is every corner once per ring).
    to_corner = np.hypot(p[:, None, 0] - a[None, :, 0], p[:, None, 1] - a[None, :, 1])
    nearest = to_corner.argmin(axis=1)
    corner_d = to_corner[np.arange(len(p)), nearest]
    on_corner = corner_d <= tolerance_m
    target[on_corner] = corners[nearest[on_corner]]
    shift[on_corner] = corner_d[on_corner]
    # Otherwise the nearest point of a neighbour edge, at the same fraction along it in degrees.
    ab = b - a
    length2 = (ab ** 2).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = ((p[:, None, :] - a[None, :, :]) * ab[None, :, :]).sum(axis=2) / length2[None, :]
    t = np.clip(np.nan_to_num(t), 0.0, 1.0)
    foot = a[None, :, :] + t[:, :, None] * ab[None, :, :]
    to_edge = np.hypot(p[:, None, 0] - foot[:, :, 0], p[:, None, 1] - foot[:, :, 1])
    edge = to_edge.argmin(axis=1)
    edge_d = to_edge[np.arange(len(p)), edge]
    on_edge = ~on_corner & (edge_d <= tolerance_m)
    frac = t[np.arange(len(p)), edge][on_edge, None]
    start, end = segments[edge[on_edge], 0, :], segments[edge[on_edge], 1, :]
    target[on_edge] = start + frac * (end - start)
    shift[on_edge] = edge_d[on_edge]
    moved = (target != xy).any(axis=1) & _not_closing(geom, len(xy))
    if not moved.any():
        return None
    snapped = shapely.set_coordinates(shapely.from_wkb(shapely.to_wkb(geom)), target)
    if not shapely.is_valid(snapped) or (int(shapely.get_dimensions(geom)) == 2
                                         and area_m2(snapped) <= 0):
        return None
    count, most = int(moved.sum()), float(shift[moved].max())
    return Snap(
        snapped, count, most,
        f"ปรับ {count} จุดให้ตรงกับแนวเขตแปลงข้างเคียง (ขยับไม่เกิน {most:.2f} ม.)",
        f"moves {count} corner{'s' if count > 1 else ''} onto the neighbouring boundaries "
        f"(by at most {most:.2f} m)",
    )


def _segments(geom: Any) -> np.ndarray[Any, Any]:
    """Every edge of every ring or line of ``geom`` as (start, end) coordinate pairs."""
    out = []
    for part in _flat(geom):
        lines = [part.exterior, *part.interiors] if part.geom_type == "Polygon" else (
            [part] if part.geom_type == "LineString" else [])
        for line in lines:
            xy = np.asarray(line.coords)[:, :2]
            if len(xy) > 1:
                out.append(np.stack([xy[:-1], xy[1:]], axis=1))
    return np.concatenate(out) if out else np.empty((0, 2, 2))


def _not_closing(geom: Any, n: int) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """False at the closing corner of each ring (the repeat of its first), True elsewhere, in
    ``shapely.get_coordinates`` order."""
    keep = np.ones(n, dtype=bool)
    at = 0
    for part in _flat(geom):
        if part.geom_type == "Polygon":
            for ring in (part.exterior, *part.interiors):
                at += len(ring.coords)
                keep[at - 1] = False
        else:
            at += int(shapely.get_num_coordinates(part))
    return keep


@lru_cache(maxsize=4)
def _utm(zone: int) -> Any:
    from pyproj import Transformer

    return Transformer.from_crs(WGS84, 32600 + zone, always_xy=True)


def _utm_transformer(lon: float, lat: float) -> Any:
    """Degrees → metres in the (northern) UTM zone of ``lon`` (47 or 48 in Thailand)."""
    del lat  # Thailand is north of the equator
    zone = min(60, max(1, int((lon + 180.0) // 6.0) + 1)) if math.isfinite(lon) else 47
    return _utm(zone)
