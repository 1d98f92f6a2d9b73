"""The agency evidence pack: one PDF per agency and area, for the negotiating table.

A cover (the agency, the area's names, the date), an overview map and one map per tenure
zone, the summary per zone and per village, method notes, and — for internal audiences only —
an annex listing the plots' and households' attachments. Every page says in its footer whom it
was made for and what that audience may see; every pack is recorded in the audit log.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal, get_args

import pandas as pd

from gis import dates
from gis.errors import InputError
from gis.privacy import Audience
from gis.report import evidence_data as data
from gis.report import evidence_maps as maps
from gis.report.areas import Area, find_area
from gis.report.engine import check_output, print_pdf
from gis.report.labels import TEXT, privacy_text
from gis.report.templating import render
from gis.store.protocol import AuditEvent, Store
from layers.vocab import AGENCY, TENURE_CLASS

Lang = Literal["th", "en"]
AUDIT_ACTION = "report_evidence"


def evidence_pack(
    store: Store,
    *,
    agency: str,
    area: str | None,
    audience: Audience,
    lang: Lang = "th",
    era: dates.Era = "be",
    out: Path,
    today: dt.date | None = None,
) -> Path:
    """Print the evidence pack of one agency for an area to a PDF.

    Parameters
    ----------
    store : Store
    agency : str
        A code of the ``agency`` vocabulary (``alro`` …).
    area : str or None
        A DOPA code (province, amphoe, tambon or village) or None for everything the audience
        may see.
    audience : gis.privacy.Audience
        Whom the pack is for. An outside audience (`gis.privacy.public_audience`, an agency)
        gets public data and aggregates only, small counts suppressed, and no annex; an
        internal one also gets plots and household points on the maps (as far as its role
        may see them) and the attachments annex.
    lang : {"th", "en"}, default "th"
    era : {"be", "ce"}, default "be"
        Years in the Buddhist Era or the Common Era.
    out : pathlib.Path
        The PDF to write (replaced if it exists).
    today : datetime.date, optional
        The date printed on the pack; default today in Bangkok.

    Returns
    -------
    pathlib.Path
        The PDF written.

    Raises
    ------
    gis.errors.InputError
        An unknown agency or area code, an unknown language or era, or an output that cannot
        be written — in Thai and English, before anything is printed.
    gis.report.engine.ReportError
        Chromium is missing or fails.
    gis.report.engine.OutsideRequestError
        The printed page asked for anything outside (a bug in a template, never data).
    """
    _check_choice("lang", lang, get_args(Lang))
    _check_choice("era", era, get_args(dates.Era))
    agency = data.check_agency(agency)
    out = check_output(out)
    when = today or dates.today()
    place = find_area(store, area, audience=audience, lang=lang)
    context = _context(store, agency=agency, place=place, audience=audience, lang=lang,
                       era=era, when=when)
    printed = print_pdf(render("evidence.html.j2", context), out=out,
                        footer_html=render("footer.html.j2", context))
    annex = context["annex"]
    store.append_audit(AuditEvent(audience.username, AUDIT_ACTION, agency, {
        "area": place.code, "audience_role": audience.role.value,
        "privacy": audience.ceiling.value, "lang": lang, "era": era, "date": when.isoformat(),
        "file": str(printed.path), "pages": printed.pages, "bytes": printed.size,
        "zones": [z["zone_id"] for z in context["zones"]],
        "annex_attachments": None if annex is None else len(annex["rows"]),
    }))
    return printed.path


def _context(store: Store, *, agency: str, place: Area, audience: Audience, lang: str,
             era: dates.Era, when: dt.date) -> dict[str, Any]:
    t = TEXT[lang]
    zones = data.agency_zones(store, agency, place, audience)
    numbers = data.figures(store, agency, place, audience, lang)
    detail = data.detail(store, place, audience)
    # Without an area the villages' union is no outline worth drawing: fit zones and villages.
    overview = maps.overview_map(zones=zones, villages=place.villages,
                                 outline=place.outline if place.code else None,
                                 notes=numbers.village_notes(lang), lang=lang)
    names = _village_names(place, lang)
    zone_pages = []
    for _, zone in zones.iterrows():
        zone_id = str(zone["zone_id"])
        drawn = maps.zone_maps(zone=zone, villages=place.villages,
                               notes=numbers.village_notes(lang, zone_id), lang=lang,
                               detail=detail)
        villages = sorted(numbers.by_village.get(zone_id, []),
                          key=lambda r: str(r["village"]))
        zone_pages.append({
            "zone_id": zone_id,
            "official_name": _text(zone.get("official_name")),
            "tenure_class": _label(TENURE_CLASS, zone.get("tenure_class"), lang),
            "legal_basis": _text(zone.get("legal_basis")),
            "source": _text(zone.get("source")),
            "source_date": _date(zone.get("source_date"), lang, era),
            "area_m2": zone["zone_area_m2"], "area_rnw": zone["zone_area_rnw"],
            "summary": numbers.by_zone.get(zone_id),
            "villages": [{**r, **names.get(str(r["village"]), _unknown(r, lang))}
                         for r in villages],
            "maps": drawn,
        })
    statement = f"{audience.role.label(lang)} · {privacy_text(audience.ceiling, lang)}"
    date_text = dates.format_date(when, lang, era)
    agency_name = AGENCY.label(agency, lang)
    return {
        "lang": lang, "t": t, "agency_code": agency, "agency_name": agency_name,
        "agency_other": AGENCY.label(agency, "en" if lang == "th" else "th"),
        "area_title": place.title or t["all_areas"], "area_code": place.code,
        "tambons": place.tambons, "villages_count": len(place.villages),
        "date_text": date_text, "audience_text": statement, "outside": audience.outside,
        "total": numbers.total, "zones": zone_pages, "overview": overview,
        "annex": data.annex(store, place, audience, lang, era),
        "page_word": t["page"], "stop": "" if lang == "th" else ".",
        "footer_left": f"{t['audience']}: {statement}"
        + (f" ({t['suppressed_short']})" if audience.outside else "")
        + f" · {agency_name} · {date_text}",
    }


def _village_names(place: Area, lang: str) -> dict[str, dict[str, str]]:
    tambons = place.tambon_names
    out = {}
    for _, v in place.villages.iterrows():
        name = v["name_th"] if lang == "th" or pd.isna(v.get("name_en")) else v["name_en"]
        out[str(v["village_code"])] = {
            "village_name": str(name), "tambon_name": tambons.get(str(v["tambon_code"]), ""),
        }
    return out


def _unknown(record: dict[str, Any], lang: str) -> dict[str, str]:
    # A village outside the area's villages frame (not drawn yet): the overlay's own name.
    name = record.get(f"village_name_{lang}") or record.get("village_name_th") \
        or record["village"]
    return {"village_name": str(name), "tambon_name": ""}


def _text(value: Any) -> str:
    return "–" if value is None or (not isinstance(value, str) and pd.isna(value)) \
        else str(value)


def _label(vocabulary: Any, code: Any, lang: str) -> str:
    try:
        return str(vocabulary.label(str(code), lang))
    except KeyError:
        return _text(code)


def _date(value: Any, lang: str, era: dates.Era) -> str:
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):
        return "–"
    day = value.date() if isinstance(value, dt.datetime) else value
    return dates.format_date(day, lang, era)


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InputError(f"ค่า {name} ต้องเป็น {' หรือ '.join(allowed)} (ได้รับ {value!r})",
                         f"{name} must be {' or '.join(allowed)} (got {value!r})", field=name)
