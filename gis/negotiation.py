"""What the negotiation page shows for one agency (issue 7): its zones in an area, the
households and plots on them, the per-zone and per-village tables, and a static map — for the
signed-in user, or in *presentation mode* for the agency across the table.

Presentation mode is the agency's own view: the user's areas, but an outside audience
(`gis.privacy.Role.AGENCY_VIEWER`: public fields and aggregates, counts below three
suppressed), so what is projected in a meeting is what an evidence pack for the agency holds.
The numbers and maps come from the same functions as the evidence pack (`gis.overlay` through
`gis.report.evidence_data`, `gis.report.evidence_maps`), so the page and the PDF agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from markupsafe import Markup

from gis.privacy import Audience, Role, read_visible
from gis.report import evidence_data as data
from gis.report import evidence_maps as maps
from gis.report.areas import Area, find_area
from gis.store.protocol import Store
from layers.vocab import AGENCY

Record = dict[str, Any]


@dataclass(frozen=True)
class NegotiationView:
    """Everything the page draws for one agency, area and (optionally) zone."""

    agency: str
    agency_label: str
    area: Area
    audience: Audience
    total: Record | None
    zones: list[Record]  # one row per zone (the overlay by zone), chosen zone only if any
    villages: list[Record]  # one row per zone and village
    zone_ids: list[str]  # every zone of the agency in the area, for the zone choice
    maps: list[maps.DrawnMap] = field(default_factory=list)

    @property
    def presentation(self) -> bool:
        return self.audience.outside

    @property
    def svg(self) -> list[Markup]:
        return [m.svg for m in self.maps]


def presentation_audience(store: Store, audience: Audience) -> Audience:
    """The agency's view of the user's areas: an outside audience over the same areas (an
    administrator's "everywhere" becomes every province in the store, as an agency viewer
    with no areas would see nothing)."""
    areas = audience.areas
    if audience.everywhere:
        admin = store.read("admin")
        areas = frozenset(admin.loc[admin["level"] == "province", "code"].astype(str))
    return Audience(audience.username, Role.AGENCY_VIEWER, frozenset(areas))


def agencies(store: Store, audience: Audience) -> list[str]:
    """The agency codes with tenure zones in the store, in the vocabulary's order."""
    zones = read_visible(store, "tenure_zones", audience)
    present = set(zones["agency"].dropna().astype(str)) if len(zones) else set()
    return [code for code in AGENCY.codes() if code in present]


def negotiation_view(store: Store, *, agency: str, area: str | None, zone: str | None,
                     audience: Audience, lang: str, presentation: bool = False
                     ) -> NegotiationView:
    """The page's figures and maps for ``agency`` in ``area`` (a DOPA or village code; None
    for all the user's areas), one ``zone`` or all of them.

    Parameters
    ----------
    store : Store
    agency : str
        A code of the ``agency`` vocabulary.
    area : str or None
    zone : str or None
        A ``zone_id`` of the agency's zones, or None for all of them.
    audience : gis.privacy.Audience
        The signed-in user.
    lang : {"th", "en"}
    presentation : bool
        The agency's view (see the module docstring) instead of the user's own.

    Returns
    -------
    NegotiationView
    """
    agency = data.check_agency(agency)
    seen_by = presentation_audience(store, audience) if presentation or audience.outside \
        else audience
    place = find_area(store, area, audience=seen_by, lang=lang)
    zones = data.agency_zones(store, agency, place, seen_by)
    numbers = data.figures(store, agency, place, seen_by, lang)
    zone_ids = [str(z) for z in zones["zone_id"]]
    chosen = zones if zone is None else zones.loc[zones["zone_id"].astype(str) == zone]
    names = {str(v["village_code"]): v for _, v in place.villages.iterrows()}
    village_rows = []
    for zone_id in [str(z) for z in chosen["zone_id"]]:
        for r in sorted(numbers.by_village.get(zone_id, []), key=lambda r: str(r["village"])):
            known = names.get(str(r["village"]))
            name = None if known is None else known.get(f"name_{lang}") or known.get("name_th")
            village_rows.append({**r, "village_name": name})
    drawn: list[maps.DrawnMap]
    if zone is None:
        drawn = [maps.overview_map(zones=zones, villages=place.villages,
                                   outline=place.outline if place.code else None,
                                   notes=numbers.village_notes(lang), lang=lang)]
    else:
        detail = data.detail(store, place, seen_by)
        drawn = [m for _, row in chosen.iterrows()
                 for m in maps.zone_maps(zone=row, villages=place.villages,
                                         notes=numbers.village_notes(lang, zone), lang=lang,
                                         detail=detail)]
    return NegotiationView(
        agency=agency, agency_label=AGENCY.label(agency, lang), area=place, audience=seen_by,
        total=numbers.total if zone is None else numbers.by_zone.get(zone),
        zones=[numbers.by_zone[z] for z in [str(z) for z in chosen["zone_id"]]
               if z in numbers.by_zone],
        villages=village_rows, zone_ids=zone_ids, maps=drawn)


def table(records: list[Record], columns: dict[str, str]) -> pd.DataFrame:
    """``records`` as a table of ``columns`` (key → header), suppressed counts as ``<3``."""
    rows = [{header: _cell(r.get(key), key) for key, header in columns.items()}
            for r in records]
    return pd.DataFrame(rows, columns=list(columns.values()))


def _cell(value: Any, key: str) -> Any:
    if value is None and key in ("households", "plots", "vulnerable_households",
                                 "insecure_tenure_households", "households_in_overlaps"):
        return "<3"
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
