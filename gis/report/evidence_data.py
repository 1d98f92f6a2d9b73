"""What the evidence pack shows, gathered through the privacy gate.

The numbers come from `gis.overlay` (households and plots × tenure zones, already suppressed
for outside audiences); the shapes from the store through `gis.privacy.read_visible`; the
attachments annex from `gis.attachments`, only for audiences that may see personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from gis import dates
from gis.area import geodesic_area_m2, rai_ngan_wa_text
from gis.attachments import ATTACHMENT_PRIVACY, list_attachments
from gis.errors import InputError
from gis.overlay import By, overlay_records, overlay_store
from gis.privacy import Audience, read_visible, shows_geometry
from gis.report.areas import Area
from gis.report.evidence_maps import Detail
from gis.report.labels import TEXT
from gis.report.templating import count_text
from gis.store.protocol import Store
from layers import LAYERS
from layers.vocab import AGENCY

Record = dict[str, Any]


@dataclass(frozen=True)
class Figures:
    """The overlay's numbers for one agency: its total, per zone, per zone and village."""

    total: Record | None
    by_zone: Mapping[str, Record]
    by_village: Mapping[str, list[Record]] = field(default_factory=dict)  # zone id → rows

    def village_notes(self, lang: str, zone_id: str | None = None) -> dict[str, str]:
        """The count written under each village's name on a map: its households in one zone,
        or (``zone_id`` None) in each of the agency's zones it has households in.

        Counts of several zones are listed, never added: a house inside two of the agency's
        zones is in both rows, and a suppressed count added to visible ones could be
        subtracted back out.
        """
        unit = TEXT[lang]["households_unit"]
        rows = (self.by_village.get(zone_id, []) if zone_id is not None
                else [r for rows in self.by_village.values() for r in rows])
        parts: dict[str, list[tuple[str, Any]]] = {}
        for r in sorted(rows, key=lambda r: str(r["zone"])):
            parts.setdefault(str(r["village"]), []).append((str(r["zone"]), r["households"]))
        return {
            code: f"{count_text(found[0][1])} {unit}" if len(found) == 1
            else " · ".join(f"{zone}: {count_text(n)}" for zone, n in found) + f" {unit}"
            for code, found in parts.items()
        }


def check_agency(agency: str) -> str:
    """The agency code, or a bilingual error listing the known ones.

    Parameters
    ----------
    agency : str
        A code of the ``agency`` vocabulary (``alro``, ``royal_forest_dept`` …).

    Returns
    -------
    str

    Raises
    ------
    gis.errors.InputError
    """
    if agency in AGENCY.codes():
        return agency
    known = ", ".join(f"{t.code} ({t.label_th})" for t in AGENCY)
    raise InputError(f"ไม่รู้จักรหัสหน่วยงาน {agency!r}", f"unknown agency code {agency!r}",
                     field="agency", fix_th=f"ใช้รหัสใดรหัสหนึ่ง: {known}",
                     fix_en=f"use one of: {known}")


def agency_zones(store: Store, agency: str, area: Area, audience: Audience) -> pd.DataFrame:
    """The agency's tenure zones that touch the area (all of them for no area), by zone id,
    with their geodesic area (``zone_area_m2``, ``zone_area_rnw``)."""
    zones = read_visible(store, "tenure_zones", audience, where={"agency": agency})
    if area.outline is not None and len(zones):
        zones = zones.loc[zones.geometry.intersects(area.outline).to_numpy(dtype=bool)]
    zones = zones.sort_values("zone_id").reset_index(drop=True)
    m2 = [geodesic_area_m2(g) for g in zones.geometry] if len(zones) else []
    zones["zone_area_m2"] = m2
    zones["zone_area_rnw"] = [rai_ngan_wa_text(a) for a in m2]
    return zones


def figures(store: Store, agency: str, area: Area, audience: Audience, lang: str) -> Figures:
    """The overlay's tables for the agency and the area, as plain records."""
    code = area.code

    def records(by: By) -> list[Record]:
        frame = overlay_store(store, by=by, audience=audience, agency=agency, area=code)
        return [r for r in overlay_records(frame, lang=lang) if r.get("agency") == agency]

    totals = records("agency")
    by_zone = {str(r["zone"]): r for r in records("zone")}
    by_village: dict[str, list[Record]] = {}
    for r in records("village"):
        by_village.setdefault(str(r["zone"]), []).append(r)
    return Figures(totals[0] if totals else None, by_zone, by_village)


def detail(store: Store, area: Area, audience: Audience) -> Detail:
    """Plots and household points of the area, each only if the audience may see its shapes
    (`gis.privacy.shows_geometry`); an agency sees neither."""
    where = {"village_code": area.village_codes}

    def shapes(layer: str) -> pd.DataFrame | None:
        if not shows_geometry(LAYERS[layer], audience) or not area.village_codes:
            return None
        frame = read_visible(store, layer, audience, where=where)
        return frame if "geometry" in frame else None

    return Detail(plots=shapes("plots"), households=shapes("households"))


def annex(store: Store, area: Area, audience: Audience, lang: str,
          era: dates.Era) -> dict[str, Any] | None:
    """The attachments annex of an internal pack; None for an outside audience (never
    printed for an agency).

    Returns ``{"visible": False}`` for an internal audience below the attachments' privacy
    class, else ``{"visible": True, "rows": [...]}`` with one row per attachment of the
    area's plots and households (ids only when the audience may see them).
    """
    if audience.outside:
        return None
    if not audience.may_see(ATTACHMENT_PRIVACY) or not area.village_codes:
        return {"visible": audience.may_see(ATTACHMENT_PRIVACY), "rows": []}
    rows: list[dict[str, Any]] = []
    where = {"village_code": area.village_codes}
    for layer in ("plots", "households"):
        spec = LAYERS[layer]
        frame = read_visible(store, layer, audience, where=where)
        if frame.empty:
            continue
        ids = dict(zip(frame["uid"], frame[spec.key], strict=True)) if spec.key in frame \
            else {}
        for item in list_attachments(store, layer=layer, uids=list(frame["uid"])):
            rows.append({
                "layer": spec.label(lang), "feature": ids.get(item.feature_uid, "–"),
                "filename": item.filename, "media_type": item.media_type,
                "size": size_text(item.size), "note": item.note, "added_by": item.added_by,
                "added_at": dates.format_datetime(item.added_at, lang, era),
            })
    return {"visible": True, "rows": rows}


def size_text(size: int) -> str:
    """A file size for people: ``512 B``, ``12.3 kB``, ``4.5 MB``."""
    if size < 1024:
        return f"{size:,} B"
    if size < 1024 * 1024:
        return f"{size / 1024:,.1f} kB"
    return f"{size / 1024 / 1024:,.1f} MB"
