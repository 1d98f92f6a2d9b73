"""Households and plots × tenure zones: the tables negotiators take to agencies (issue 7).

One row per agency, per zone, or per zone and village (``by``), plus rows for what lies on no
state land (``state_land`` False, agency None). Every rule here is a choice; they are:

**Inside a zone.** A household is in a zone when its point lies in the zone's interior
(``within``; a point exactly on the line is in neither zone). A plot is in a zone when at least
``min_part_m2`` (1 m²) of it lies inside: a shared edge or a digitising sliver is not a claim.
``area_m2`` is the geodesic area (``gis.area``) of the plots' parts *inside* the zones of the
row, intersected with the union of those zones, so land under two zones of one agency is counted
once for that agency. The no-state-land rows hold every household in no zone at all, and the
plots with at least ``min_part_m2`` outside every zone, with the area of those parts.

**Overlaps are shown, never hidden.** Zones of different agencies may claim the same land. A
household inside two zones is counted in both rows (each row answers "who lives on this
agency's / zone's land"), once per agency however many of that agency's zones hold it, and
``households_in_overlaps`` says how many of a row's households are also counted in another row
(another agency for ``by="agency"``, another zone otherwise); so the rows' sum exceeds the number
of households by exactly those. ``overlaps`` lists the pairs: shared land and shared households.

**Vulnerable** (NESDC): any elderly, disabled, bedridden or young-children member, or a yearly
income per person (``monthly_income`` × 12 / ``members``) at or below ``vulnerable_income``
(100,000 baht). Missing values are not evidence: an unknown count or income does not make a
household vulnerable.

**Insecure tenure**: the household's plot (by ``plot_id``) has an ``occupant_tenure`` that is
neither secure (``layers.vocab.SECURE_TENURE``: owner, collective long-term lease) nor unknown —
renter, permission, no permission, facing eviction — or the household itself rents, lives in
someone else's house or the employer's, or has no fixed home (``dwelling_status``). Permission
and individual rent can be withdrawn at the owner's will, which is what secure tenure is not; a
household renting a room on an owner's plot is as insecure as its landlord is secure. Unknown
tenure is not counted: a table for an agency states what was found.

**Privacy.** The tables are aggregates: ``overlay_store`` reads the rows inside the audience's
areas (``gis.privacy`` scope, pushed into the store query as ``read_visible`` does; an audience
without areas reads nothing unless the caller, like the command line, passes a scope), keeps
only the columns it counts, and returns counts only — as the map's village counts do for house
points an audience may not see. For outside audiences every count from 1 to 2 becomes None
(``gis.privacy.suppress``), and so does the area of a row whose plot count is suppressed (it
would be one family's plot). Audiences that may not see sensitive fields also get
``vulnerable_households`` suppressed below 3, since it is derived from disability and income.
"""

from __future__ import annotations

from typing import Any, Literal, cast, get_args

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from gis.area import geodesic_area, rai_ngan_wa_text
from gis.errors import InputError
from gis.privacy import Audience, Role, Scope, resolve_scope, scope_where, suppress
from gis.store.protocol import Store
from layers import LAYERS
from layers.schema import PrivacyClass
from layers.vocab import AGENCY, OCCUPANT_TENURE, SECURE_TENURE

By = Literal["agency", "zone", "village"]
BY: tuple[str, ...] = get_args(By)
VULNERABLE_INCOME = 100_000.0  # baht per person per year, NESDC
MIN_PART_M2 = 1.0  # less of a plot than this inside a zone is a sliver, not a claim
INSECURE_TENURE = frozenset(OCCUPANT_TENURE.codes()) - SECURE_TENURE - {"unknown"}
INSECURE_DWELLING = frozenset({"rented", "living_with_others", "with_employer", "no_fixed_home"})
COUNTS = ("households", "plots", "vulnerable_households", "insecure_tenure_households",
          "households_in_overlaps")
HOUSEHOLD_COLUMNS = ("plot_id", "village_code", "members", "elderly", "disabled", "bedridden",
                     "children", "monthly_income", "dwelling_status", "geometry")
PLOT_COLUMNS = ("plot_id", "village_code", "occupant_tenure", "geometry")

Indices = npt.NDArray[np.intp]
Flags = npt.NDArray[np.bool_]


# ------------------------------------------------------------------------------ households
def vulnerable(households: pd.DataFrame, *,
               vulnerable_income: float = VULNERABLE_INCOME) -> Flags:
    """Whether each household is vulnerable by the NESDC rule (see the module docstring)."""
    def number(name: str) -> npt.NDArray[np.float64]:
        if name not in households.columns:
            return np.full(len(households), np.nan)
        values = pd.to_numeric(households[name], errors="coerce")
        return np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan))

    members = number("members")
    flags = np.zeros(len(households), dtype=bool)
    for name in ("elderly", "disabled", "bedridden", "children"):
        flags |= number(name) > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        yearly = number("monthly_income") * 12.0 / np.where(members > 0, members, np.nan)
    return flags | (yearly <= vulnerable_income)


def insecure_tenure(households: pd.DataFrame, plots: pd.DataFrame | None = None) -> Flags:
    """Whether each household's tenure is insecure (see the module docstring)."""
    flags = np.zeros(len(households), dtype=bool)
    if "dwelling_status" in households.columns:
        flags |= households["dwelling_status"].isin(INSECURE_DWELLING).to_numpy(dtype=bool)
    if plots is not None and "plot_id" in households.columns and \
            {"plot_id", "occupant_tenure"} <= set(plots.columns):
        insecure_plots = plots.loc[plots["occupant_tenure"].isin(INSECURE_TENURE), "plot_id"]
        flags |= households["plot_id"].isin(insecure_plots.dropna()).to_numpy(dtype=bool)
    return flags


def zone_hits(points: npt.NDArray[Any], zones: npt.NDArray[Any]) -> tuple[Indices, Indices]:
    """(point, zone) index pairs, one for each point inside a zone's interior.

    The tree holds the few zones and each point asks it for the zones whose box holds it;
    candidates are then tested with ``contains_xy`` against prepared zones, without building
    a tree over (possibly millions of) points as ``geopandas.sjoin`` does.
    """
    tree = shapely.STRtree(zones)
    point, zone = tree.query(points)
    shapely.prepare(zones[np.bincount(zone, minlength=len(zones)) > 0])
    x, y = shapely.get_x(points[point]), shapely.get_y(points[point])
    inside = shapely.contains_xy(zones[zone], x, y)
    return point[inside], zone[inside]


# ------------------------------------------------------------------------------ groups
def _units(zones: gpd.GeoDataFrame, by: str) -> tuple[Indices, pd.DataFrame]:
    """Which unit (agency, or zone) each zone row belongs to, and the units' key columns."""
    agency = zones["agency"].astype(object).where(zones["agency"].notna(), "other")
    if by == "agency":
        codes, uniques = pd.factorize(agency)
        return codes, pd.DataFrame({"agency": np.asarray(uniques, dtype=object)})
    codes, uniques = pd.factorize(zones["zone_id"].astype(object))
    first = pd.Series(np.asarray(agency, dtype=object)).groupby(codes).first()
    return codes, pd.DataFrame({"agency": first.to_numpy(dtype=object),
                                "zone": np.asarray(uniques, dtype=object)})


def _keys(by: str) -> list[str]:
    return {"agency": ["agency"], "zone": ["agency", "zone"],
            "village": ["agency", "zone", "village"]}[by]


def _valid(geoms: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Shapes GEOS can intersect: ``make_valid`` on the invalid ones only."""
    bad = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    if bad.any():
        geoms = geoms.copy()
        geoms[bad] = shapely.make_valid(geoms[bad])
    return geoms


def _lonlat(frame: gpd.GeoDataFrame) -> npt.NDArray[Any]:
    series = frame.geometry
    if series.crs is not None and not series.crs.equals("EPSG:4326"):
        series = series.to_crs(4326)
    return np.asarray(series.array, dtype=object)


def _table(member: pd.DataFrame, units: pd.DataFrame, by: str,
           outside: pd.DataFrame | None) -> pd.DataFrame:
    """Sum ``member`` rows (one per household or plot part, with a ``unit``) per row key, with
    a row for every unit (by village: every pair found); ``outside`` rows (no unit) become the
    no-state-land rows."""
    group = ["unit", "village"] if by == "village" else ["unit"]
    summed = member.groupby(group, sort=False, dropna=False).sum().reset_index()
    if by != "village":
        summed = summed.set_index("unit").reindex(range(len(units)), fill_value=0)
        summed = summed.rename_axis("unit").reset_index()
    table = pd.concat([units.iloc[summed["unit"]].reset_index(drop=True),
                       summed.drop(columns="unit")], axis=1)
    table["state_land"] = True
    if outside is not None and len(outside):
        rest = outside.groupby("village", sort=False, dropna=False).sum().reset_index() \
            if by == "village" else outside.sum().to_frame().T
        rest["agency"] = None
        if by != "agency":
            rest["zone"] = None
        rest["state_land"] = False
        table = pd.concat([table, rest], ignore_index=True)
    return table


def household_table(households: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, *,
                    by: By = "agency", plots: pd.DataFrame | None = None,
                    vulnerable_income: float = VULNERABLE_INCOME,
                    no_state_land: bool = True) -> pd.DataFrame:
    """Households per row key (see ``overlay``): ``households``, ``vulnerable_households``,
    ``insecure_tenure_households``, ``households_in_overlaps``; ``plots`` only lends each
    household its plot's ``occupant_tenure``."""
    unit_of_zone, units = _units(zones, by)
    points = _lonlat(households)
    h, z = zone_hits(points, _lonlat(zones))
    # One membership per household and unit: a house in two ALRO zones is one ALRO house.
    pair = np.sort(h.astype(np.int64) * len(units) + unit_of_zone[z])
    pair = pair[np.r_[True, pair[1:] != pair[:-1]]] if len(pair) else pair
    h, u = pair // max(len(units), 1), pair % max(len(units), 1)
    rows_of = np.bincount(h, minlength=len(points))
    counts = pd.DataFrame({
        "households": np.ones(len(points), dtype=np.int64),
        "vulnerable_households": vulnerable(households, vulnerable_income=vulnerable_income),
        "insecure_tenure_households": insecure_tenure(households, plots),
    })
    if by == "village":
        counts["village"] = households["village_code"].astype(object).to_numpy()
    member = counts.iloc[h].reset_index(drop=True)
    member["households_in_overlaps"] = rows_of[h] > 1
    member["unit"] = u
    outside = None
    if no_state_land:
        outside = counts.loc[rows_of == 0].reset_index(drop=True)
        outside["households_in_overlaps"] = False
    return _table(member, units, by, outside)


def _unit_shapes(zones: gpd.GeoDataFrame, unit_of_zone: Indices,
                 n_units: int) -> npt.NDArray[Any]:
    """Each unit's land: its zone, or the union of its zones (counted once where they
    overlap)."""
    geoms = _valid(_lonlat(zones))
    shapes = np.empty(n_units, dtype=object)
    sizes = np.bincount(unit_of_zone, minlength=n_units)
    single = sizes[unit_of_zone] == 1
    shapes[unit_of_zone[single]] = geoms[single]
    for unit in np.flatnonzero(sizes > 1):  # one union per agency (or repeated zone id)
        shapes[unit] = shapely.union_all(geoms[unit_of_zone == unit])
    return shapes


def plot_table(plots: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, *, by: By = "agency",
               agency: str | None = None, min_part_m2: float = MIN_PART_M2,
               no_state_land: bool = True) -> pd.DataFrame:
    """Plots per row key (see ``overlay``): ``plots`` with at least ``min_part_m2`` inside the
    row's zones and ``area_m2``, the geodesic area of those parts (only ``agency``'s zones
    when given)."""
    unit_of_zone, units = _units(zones, by)
    shapes = _unit_shapes(zones, unit_of_zone, len(units))
    geoms = _valid(_lonlat(plots))
    wanted = np.flatnonzero(units["agency"].to_numpy() == agency) if agency is not None \
        else np.arange(len(units))
    p, k = shapely.STRtree(shapes[wanted]).query(geoms, predicate="intersects")
    u = wanted[k]
    part = geodesic_area(shapely.intersection(geoms[p], shapes[u]))
    keep = part >= min_part_m2
    member = pd.DataFrame({"unit": u[keep], "plots": 1, "area_m2": part[keep]})
    village = plots["village_code"].astype(object).to_numpy() if by == "village" else None
    if village is not None:
        member["village"] = village[p[keep]]
    outside = None
    if no_state_land:
        touched = np.unique(p if agency is None else shapely.STRtree(shapes).query(
            geoms, predicate="intersects")[0])
        inside = np.zeros(len(geoms))
        inside[touched] = geodesic_area(shapely.intersection(
            geoms[touched], shapely.union_all(shapes)))
        rest = geodesic_area(geoms) - inside
        counted = rest >= min_part_m2
        outside = pd.DataFrame({"plots": np.ones(int(counted.sum()), dtype=np.int64),
                                "area_m2": rest[counted]})
        if village is not None:
            outside["village"] = village[counted]
    return _table(member, units, by, outside)


# ------------------------------------------------------------------------------ overlay
def check_by(by: str) -> By:
    """``by`` if it is one of ``BY``, else a bilingual ``InputError``."""
    if by not in BY:
        raise InputError(f"จัดกลุ่มตาม {by!r} ไม่ได้", f"cannot group by {by!r}", field="by",
                         fix_th=f"ใช้ {', '.join(BY)}", fix_en=f"use {', '.join(BY)}")
    return cast(By, by)


def check_agency(agency: str | None) -> str | None:
    """``agency`` if it is a code of the AGENCY vocabulary (or None), else an ``InputError``."""
    if agency is None or agency in AGENCY.codes():
        return agency
    codes = ", ".join(AGENCY.codes())
    raise InputError(f"ไม่รู้จักหน่วยงาน {agency!r}", f"unknown agency {agency!r}",
                     field="agency", fix_th=f"ใช้รหัส: {codes}", fix_en=f"use a code: {codes}")


def overlay(households: gpd.GeoDataFrame | None, plots: gpd.GeoDataFrame | None,
            zones: gpd.GeoDataFrame, *, by: By = "agency", agency: str | None = None,
            vulnerable_income: float = VULNERABLE_INCOME,
            min_part_m2: float = MIN_PART_M2) -> pd.DataFrame:
    """Households and plots × tenure zones, one row per agency, zone or zone × village.

    Parameters
    ----------
    households, plots
        Point and polygon layers (any CRS; fields as declared in ``layers/``), or None.
    zones
        The ``tenure_zones`` layer. Always all of it: a household in a zone of another agency
        is neither "on no state land" nor outside an overlap.
    by
        ``"agency"``, ``"zone"`` or ``"village"`` (zone × the households' and plots' village).
    agency
        Keep only this agency's rows (and no no-state-land row).
    vulnerable_income
        Yearly income per person (baht) at or below which a household is vulnerable.
    min_part_m2
        Least part of a plot inside a zone (m²) for the plot to count in it.

    Returns
    -------
    pandas.DataFrame
        Key columns ``agency`` (None on the no-state-land rows), ``zone`` and ``zone_name``
        (by zone or village), ``village`` (by village), ``state_land``; then ``COUNTS`` and
        ``area_m2``. Every zone (or agency) has a row, with zeros when nothing is in it; by
        village only the pairs that hold something.
    """
    by = check_by(by)
    agency = check_agency(agency)
    keys = [*_keys(by), "state_land"]
    parts = []
    if households is not None:
        parts.append(household_table(households, zones, by=by, plots=plots,
                                     vulnerable_income=vulnerable_income,
                                     no_state_land=agency is None))
    if plots is not None:
        parts.append(plot_table(plots, zones, by=by, agency=agency, min_part_m2=min_part_m2,
                                no_state_land=agency is None))
    columns = [*keys, *COUNTS, "area_m2"]
    table = pd.concat([p for p in parts if len(p)] or [pd.DataFrame(columns=columns)],
                      ignore_index=True)
    table = table.groupby(keys, dropna=False, sort=False).sum(min_count=0).reset_index()
    table = table.reindex(columns=columns)
    table[list(COUNTS)] = table[list(COUNTS)].fillna(0).astype(np.int64)
    table["area_m2"] = table["area_m2"].fillna(0.0).astype(np.float64)
    table["state_land"] = table["state_land"].astype(bool)
    for key in keys[:-1]:  # groupby turned the None keys of no-state-land rows into NaN
        table[key] = table[key].astype(object).where(table[key].notna(), None)
    table["agency"] = table["agency"].where(table["state_land"], None)
    if agency is not None:
        table = table.loc[table["agency"] == agency]
    if by != "agency":
        official = zones["official_name"] if "official_name" in zones.columns else None
        names = {} if official is None else dict(zip(zones["zone_id"], official, strict=True))
        zone_name = table["zone"].map(names).astype(object)
        table.insert(2, "zone_name", zone_name.where(zone_name.notna(), None))
    position = {code: i for i, code in enumerate(AGENCY.codes())}
    rank = table["agency"].map(position).fillna(len(position))
    sort = pd.DataFrame({"land": ~table["state_land"], "rank": rank})
    for key in keys[1:-1]:
        sort[key] = table[key].astype("string")
    order = sort.sort_values(list(sort.columns), kind="stable", na_position="first").index
    ordered: pd.DataFrame = table.loc[order].reset_index(drop=True)
    return ordered


def overlaps(households: gpd.GeoDataFrame | None, zones: gpd.GeoDataFrame, *,
             by: Literal["zone", "agency"] = "zone",
             min_part_m2: float = MIN_PART_M2) -> pd.DataFrame:
    """Pairs of zones (or of agencies) that claim the same land, with what they share.

    Returns
    -------
    pandas.DataFrame
        ``agency_a``, ``agency_b`` (and ``zone_a``, ``zone_b`` by zone), ``area_m2`` (geodesic
        area of the shared land) and ``households`` (inside both); pairs sharing at least
        ``min_part_m2`` or at least one household.
    """
    if by not in ("zone", "agency"):
        check_by("-")  # the same bilingual message
    unit_of_zone, units = _units(zones, by)
    shapes = _unit_shapes(zones, unit_of_zone, len(units))
    a, b = shapely.STRtree(shapes).query(shapes, predicate="intersects")
    a, b = a[a < b], b[a < b]
    shared = geodesic_area(shapely.intersection(shapes[a], shapes[b]))
    land = pd.DataFrame({"a": a, "b": b, "area_m2": shared})
    land = land.loc[land["area_m2"] >= min_part_m2]
    people = pd.DataFrame({"a": [], "b": [], "households": []}, dtype=np.int64)
    if households is not None:
        h, z = zone_hits(_lonlat(households), _lonlat(zones))
        member = pd.DataFrame({"h": h, "u": unit_of_zone[z]}).drop_duplicates()
        member = member.loc[member["h"].duplicated(keep=False)]
        pairs = member.merge(member, on="h")
        pairs = pairs.loc[pairs["u_x"] < pairs["u_y"]]
        people = pairs.groupby(["u_x", "u_y"]).size().rename("households").reset_index() \
            .rename(columns={"u_x": "a", "u_y": "b"})
    found = land.merge(people, on=["a", "b"], how="outer")
    found["households"] = found["households"].fillna(0).astype(np.int64)
    found["area_m2"] = found["area_m2"].fillna(0.0)
    out = pd.DataFrame({"agency_a": units["agency"].to_numpy()[found["a"].astype(int)],
                        "agency_b": units["agency"].to_numpy()[found["b"].astype(int)]})
    if by == "zone":
        out["zone_a"] = units["zone"].to_numpy()[found["a"].astype(int)]
        out["zone_b"] = units["zone"].to_numpy()[found["b"].astype(int)]
    out["area_m2"] = found["area_m2"].to_numpy()
    out["households"] = found["households"].to_numpy()
    order = ["zone_a", "zone_b"] if by == "zone" else ["agency_a", "agency_b"]
    return out.sort_values(order).reset_index(drop=True)


# ------------------------------------------------------------------------------ the store
def area_scope(area: str, villages: pd.DataFrame, admin: pd.DataFrame | None = None) -> Scope:
    """The villages an ``area`` code covers: a DOPA code (province 2 digits, amphoe 4, tambon
    6, village 8) by prefix or by the village's tambon, or a village (community) code — the
    same resolution as a user's assigned areas (``gis.privacy.resolve_scope``)."""
    code = str(area).strip()
    scope = resolve_scope(Audience("area", Role.NEGOTIATOR, frozenset({code})), villages)
    known = bool(code) and (
        bool(scope.villages - {code})
        or code in set(villages["village_code"].astype(str))
        or (admin is not None and code in set(admin["code"].astype(str)))
        or (code.isdigit() and len(code) >= 8))  # a village not drawn yet
    if not known:
        raise InputError(
            f"ไม่พบพื้นที่รหัส {area!r}", f"no area has the code {area!r}", field="area",
            fix_th="ใช้รหัสจังหวัด 2 หลัก อำเภอ 4 หลัก ตำบล 6 หลัก หมู่บ้าน 8 หลัก หรือรหัสชุมชน",
            fix_en="use a DOPA code (province 2 digits, amphoe 4, tambon 6, village 8) or a "
            "community code")
    return scope


def _read(store: Store, layer: str, columns: tuple[str, ...], scopes: list[Scope]
          ) -> gpd.GeoDataFrame:
    """The rows of ``layer`` inside every scope, with only ``columns``."""
    spec = LAYERS[layer]
    frame = store.read(layer, where=scope_where(spec, scopes[0]))
    keep = np.ones(len(frame), dtype=bool)
    for scope in scopes:
        keep &= scope.mask(frame[spec.area_field or "village_code"])
    picked = frame.loc[keep, [c for c in columns if c in frame.columns]]
    return gpd.GeoDataFrame(picked.reset_index(drop=True), geometry="geometry", crs=4326)


def overlay_store(store: Store, *, by: By = "agency", audience: Audience,
                  agency: str | None = None, area: str | None = None,
                  scope: Scope | None = None, vulnerable_income: float = VULNERABLE_INCOME,
                  min_part_m2: float = MIN_PART_M2) -> pd.DataFrame:
    """``overlay`` of the stored layers as ``audience`` may see it.

    Parameters
    ----------
    store
        The store to read.
    by, agency, vulnerable_income, min_part_m2
        As for ``overlay``.
    audience
        Who the table is for: its areas limit the rows read (unless ``scope`` is given);
        outside audiences get counts below ``SMALL_COUNT`` as None.
    area
        Only households and plots of this area (DOPA code prefix or village code).
    scope
        The rows to read, when the caller has resolved it (the command line reads everything).

    Returns
    -------
    pandas.DataFrame
        As ``overlay``, counts as objects (None where suppressed); by village also
        ``village_name_th``/``village_name_en``. When rows are limited to some areas, zones
        with no household and no plot there are left out.
    """
    by = check_by(by)
    agency = check_agency(agency)
    villages = store.read("villages")
    scopes = [scope if scope is not None else resolve_scope(audience, villages)]
    if area is not None:
        scopes.append(area_scope(area, villages, store.read("admin")))
    households = _read(store, "households", HOUSEHOLD_COLUMNS, scopes)
    plots = _read(store, "plots", PLOT_COLUMNS, scopes)
    table = overlay(households, plots, store.read("tenure_zones"), by=by, agency=agency,
                    vulnerable_income=vulnerable_income, min_part_m2=min_part_m2)
    if area is not None or not scopes[0].everywhere:
        table = table.loc[(table["households"] > 0) | (table["plots"] > 0)]
    if by == "village":
        for lang in ("th", "en"):
            names = dict(zip(villages["village_code"], villages[f"name_{lang}"], strict=True))
            name = table["village"].map(names).astype(object)
            table[f"village_name_{lang}"] = name.where(name.notna(), None)
    return protect(table.reset_index(drop=True), audience)


def protect(table: pd.DataFrame, audience: Audience) -> pd.DataFrame:
    """Counts as ``audience`` may see them (see the module docstring), as objects with None."""
    out = table.copy()
    for name in (*COUNTS, "area_m2"):
        out[name] = out[name].astype(object)

    def small_to_none(name: str, outside: Audience) -> None:
        seen = suppress({str(i): int(v) for i, v in enumerate(out[name])}, outside)
        out[name] = pd.Series([seen[str(i)] for i in range(len(out))], index=out.index,
                              dtype=object)

    if audience.outside:
        for name in COUNTS:
            small_to_none(name, audience)
        out.loc[out["plots"].isna(), "area_m2"] = None
    elif not audience.may_see(PrivacyClass.SENSITIVE):
        small_to_none("vulnerable_households", Audience("aggregate", Role.AGENCY_VIEWER))
    return out


# ------------------------------------------------------------------------------ JSON
def overlay_records(table: pd.DataFrame, *, lang: str = "th") -> list[dict[str, Any]]:
    """The rows of ``overlay``/``overlay_store`` in the ``landmap overlay --json`` shape.

    Always ``agency``, (``zone`` by zone or village), (``village`` by village),
    ``households``, ``plots``, ``area_m2``, ``area_rai_ngan_wa``, ``vulnerable_households``,
    ``insecure_tenure_households``; then ``state_land``, ``households_in_overlaps``,
    ``agency_th``, ``agency_en``, ``label`` (the row's name in ``lang``), ``zone_name``,
    ``village_name_th``/``village_name_en`` where known. Suppressed values are None.
    """
    def value(v: Any) -> Any:
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            return None
        return v.item() if isinstance(v, np.generic) else v

    records = []
    for row in table.to_dict("records"):
        code = value(row["agency"])
        area = value(row["area_m2"])
        rec: dict[str, Any] = {"agency": code}
        for key in ("zone", "village"):
            if key in table.columns:
                rec[key] = value(row[key])
        rec.update({
            "households": value(row["households"]), "plots": value(row["plots"]),
            "area_m2": None if area is None else round(float(area), 2),
            "area_rai_ngan_wa": None if area is None else rai_ngan_wa_text(float(area)),
            "vulnerable_households": value(row["vulnerable_households"]),
            "insecure_tenure_households": value(row["insecure_tenure_households"]),
            "state_land": bool(row["state_land"]),
            "households_in_overlaps": value(row["households_in_overlaps"]),
            "agency_th": None if code is None else AGENCY.label(code, "th"),
            "agency_en": None if code is None else AGENCY.label(code, "en"),
        })
        for key in ("zone_name", "village_name_th", "village_name_en"):
            if key in table.columns:
                rec[key] = value(row[key])
        rec["label"] = _label(rec, lang)
        records.append(rec)
    return records


def _label(rec: dict[str, Any], lang: str) -> str:
    if rec["agency"] is None:
        land = "ไม่อยู่ในที่ดินของรัฐ" if lang == "th" else "not on state land"
    else:
        land = rec["agency_th"] if lang == "th" else rec["agency_en"]
    zone = rec.get("zone_name") or rec.get("zone")
    village = rec.get("village_name_th" if lang == "th" else "village_name_en") \
        or rec.get("village_name_th") or rec.get("village")
    return " · ".join(str(part) for part in (land, zone, village) if part)
