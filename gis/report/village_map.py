"""The village repair map: the page a survey team prints and takes to the village meeting.

Page one is the map — the village outline, its plots, every house, and the households the team
still has work at, numbered 1…n (which ones, and in what order: `gis.report.village_map_data`)
with symbols for disabled, elderly and bedridden members, a legend, a scale bar and a north
arrow — under a title with the village's Thai name, its tambon, amphoe and province and the
date in the Buddhist Era. The numbered list follows: number, house number, head of household,
vulnerable members, repair items, estimate and approved amount, status. Teams write on the
paper by these numbers (DESIGN.md §11), so a number is never left off the map.

The map names people and shows where they live: it is printed for internal audiences only,
and only for a role that may see personal data (surveyor, planner, admin); disabled and
bedridden members are sensitive and drawn only for roles that may see that. Every print is
recorded in the audit log.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, get_args

import pandas as pd
import shapely
from markupsafe import Markup
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from gis import dates
from gis.errors import InputError
from gis.privacy import Audience, read_visible
from gis.report import village_map_data as data
from gis.report.areas import Area, find_area
from gis.report.engine import PAPER_SIZES, Margins, check_output, print_pdf
from gis.report.labels import privacy_text
from gis.report.labels_village_map import TEXT
from gis.report.options import LANGS, check_choice, paper_size
from gis.report.templating import render
from gis.report.village_map_draw import swatch, village_svg
from gis.store.protocol import AuditEvent, Store
from layers import LAYERS
from layers.schema import PrivacyClass
from layers.vocab import REPAIR_STATUS

AUDIT_ACTION = "report_village_map"
# Room on the map's page for the title block above the map and the legend below it (mm): the
# legend takes three lines on a page under 300 mm wide, one line on a wider one.
TITLE_MM = 31.0
LEGEND_MM = {False: 25.0, True: 14.0}
_GEOD = Geod(ellps="WGS84")


def village_map(
    store: Store,
    *,
    village: str,
    audience: Audience,
    paper: str = "a4",
    lang: str = "th",
    era: dates.Era = "be",
    out: Path,
    today: dt.date | None = None,
) -> Path:
    """Print the repair map of one village, with its numbered list, to a PDF.

    Parameters
    ----------
    store : Store
    village : str
        The village's code (``village_code`` of the villages layer, e.g. ``27040103``).
    audience : gis.privacy.Audience
        Whom it is printed for: an internal role that may see personal data. Disabled and
        bedridden members are drawn only when the role may see sensitive data.
    paper : {"a4", "a3"}, default "a4"
        A3 gives the same map at a larger scale. The page is turned to landscape when that
        draws the village larger.
    lang : {"th", "en"}, default "th"
    era : {"be", "ce"}, default "be"
    out : pathlib.Path
        The PDF to write (replaced if it exists).
    today : datetime.date, optional
        The date printed (statuses are those stored now); default today in Bangkok.

    Returns
    -------
    pathlib.Path
        The PDF written.

    Raises
    ------
    gis.errors.InputError
        An outside audience (this map is for the community's own use) or a role that may not
        see names and house points; an unknown village or one outside the audience's areas;
        a bad language, era or paper; an output that cannot be written. Thai and English,
        before anything is printed.
    gis.report.engine.ReportError
        Chromium is missing or fails.
    """
    check_choice("lang", lang, LANGS)
    check_choice("era", era, get_args(dates.Era))
    engine_paper = paper_size(paper)
    check_audience(audience)
    out = check_output(out)
    when = today or dates.today()
    place = find_area(store, village, audience=audience, lang=lang)
    row = _village_row(place, village)
    where = {"village_code": [str(row["village_code"])]}
    households = read_visible(store, "households", audience, where=where)
    repairs = read_visible(store, "repairs", audience, where=where)
    plots = read_visible(store, "plots", audience, where=where)
    entries = data.numbered(households, repairs)
    outline = row.get("geometry")
    outline = outline if isinstance(outline, BaseGeometry) and not outline.is_empty else None
    # The same extent as the map's (village_map_draw): plots and houses, else the outline.
    extent = _bounds_of(plots, households)
    landscape, map_w, map_h = layout(engine_paper, extent if extent is not None else outline)
    t = TEXT[lang]
    svg = village_svg(outline=outline, plots=_shapes(plots), entries=entries,
                      others=data.others(households, entries), width_mm=map_w,
                      height_mm=map_h, lang=lang, empty_text=t["none"])
    context = _context(place=place, row=row, audience=audience, lang=lang, era=era, when=when,
                       entries=entries, households=households, svg=svg)
    printed = print_pdf(render("village_map.html.j2", context), out=out,
                        footer_html=render("footer.html.j2", context), paper=engine_paper,
                        landscape=landscape)
    store.append_audit(AuditEvent(audience.username, AUDIT_ACTION, str(row["village_code"]), {
        "audience_role": audience.role.value, "privacy": audience.ceiling.value,
        "paper": paper.lower(), "landscape": landscape, "lang": lang, "era": era,
        "date": when.isoformat(), "file": str(printed.path), "pages": printed.pages,
        "bytes": printed.size, "numbered": len(entries),
        "open_repairs": sum(len(e.repairs) for e in entries),
    }))
    return printed.path


def check_audience(audience: Audience) -> None:
    """Refuse, in Thai and English, an audience this map may not be printed for.

    Raises
    ------
    gis.errors.InputError
        For an outside audience (an agency: the map is for the community's own use), and for
        an internal role that may not see personal data (names and house points).
    """
    if audience.outside:
        raise InputError(
            "แผนที่งานซ่อมบ้านใช้ภายในชุมชนเท่านั้น: มีชื่อหัวหน้าครัวเรือนและตำแหน่งบ้าน "
            f"จึงพิมพ์ให้ผู้อ่านภายนอก ({audience.role.label('th')}) ไม่ได้",
            "the village repair map is for the community's own use: it shows heads of "
            "household by name and where they live, so it cannot be printed for an outside "
            f"audience ({audience.role.label('en')})",
            field="audience",
            fix_th="สำหรับหน่วยงาน ใช้รายงานประจำเดือนหรือชุดหลักฐาน ซึ่งมีแต่ตัวเลขสรุป",
            fix_en="for an agency, print the monthly report or the evidence pack, which hold "
            "aggregates only")
    if not audience.may_see(PrivacyClass.PERSONAL):
        raise InputError(
            f"บทบาท {audience.role.label('th')} ไม่มีสิทธิ์เห็นชื่อและตำแหน่งบ้านของครัวเรือน "
            "จึงพิมพ์แผนที่งานซ่อมบ้านไม่ได้",
            f"the {audience.role.label('en')} role may not see names and house locations, "
            "so it cannot print the village repair map",
            field="audience", fix_th="ให้ทีมสำรวจ ผู้วางแผน หรือผู้ดูแลระบบเป็นผู้พิมพ์",
            fix_en="ask a surveyor, a planner or an administrator to print it")


def layout(paper: str, extent: BaseGeometry | None) -> tuple[bool, float, float]:
    """The page's orientation and the map's size on it: the orientation that draws the
    village's extent at the larger scale (portrait when equal).

    Parameters
    ----------
    paper : {"A4", "A3"}
    extent : shapely geometry or None
        The village (EPSG:4326); None: portrait.

    Returns
    -------
    (landscape, width_mm, height_mm)
    """
    short, long = PAPER_SIZES[paper]
    m = Margins()
    frames = {}
    for landscape, (w, h) in ((False, (short, long)), (True, (long, short))):
        width = w - m.left - m.right
        frames[landscape] = (width, h - m.top - m.bottom - TITLE_MM - LEGEND_MM[w > 300])
    if extent is None or extent.is_empty:
        return (False, *frames[False])
    west, south, east, north = extent.bounds
    mid = (south + north) / 2
    across = max(_GEOD.inv(west, mid, east, mid)[2], 1.0)
    up = max(_GEOD.inv(west, south, west, north)[2], 1.0)
    scale = {k: min(w / across, h / up) for k, (w, h) in frames.items()}
    landscape = scale[True] > scale[False] * 1.02
    return (landscape, *frames[landscape])


def _village_row(place: Area, village: str) -> pd.Series:
    rows = place.villages.loc[place.villages["village_code"].astype(str) == village.strip()]
    if not rows.empty:
        return rows.iloc[0]
    if place.level == "village":  # known, but not among the villages this audience may see
        raise InputError(f"หมู่บ้าน/ชุมชน {village} อยู่นอกพื้นที่ที่ผู้อ่านนี้รับผิดชอบ",
                         f"village {village} is outside this audience's areas",
                         field="village")
    raise InputError(f"รหัส {village} ไม่ใช่รหัสหมู่บ้าน/ชุมชน", f"{village} is not a village "
                     "code", field="village",
                     fix_th="ใช้รหัสหมู่บ้าน 8 หลัก หรือรหัสชุมชนในชั้นข้อมูลหมู่บ้าน/ชุมชน",
                     fix_en="use an 8-digit village code or a community code of the "
                     "villages layer")


def _shapes(frame: pd.DataFrame) -> list[BaseGeometry]:
    if "geometry" not in frame:
        return []
    return [g for g in frame.geometry if g is not None and not g.is_empty]


def _bounds_of(*frames: pd.DataFrame) -> BaseGeometry | None:
    shapes = [g for frame in frames for g in _shapes(frame)]
    return shapely.envelope(shapely.union_all(shapes)) if shapes else None


def _context(*, place: Area, row: pd.Series, audience: Audience, lang: str, era: dates.Era,
             when: dt.date, entries: list[data.Entry], households: pd.DataFrame,
             svg: Markup) -> dict[str, Any]:
    t = TEXT[lang]
    fields = LAYERS["households"]
    repair_fields = LAYERS["repairs"]
    # Members whose field the audience may not see (disabled, bedridden: sensitive) are
    # neither drawn nor in the legend, and the page says so.
    kinds = [k for k in data.MEMBER_KINDS if audience.may_see(fields.field(k).privacy)]
    legend = [(swatch("status", s), REPAIR_STATUS.label(s, lang)) for s in data.OPEN_STATUSES]
    legend.append((swatch("status", data.WAITING), t["legend_waiting"]))
    legend.append((swatch("priority"), t["legend_priority"]))
    legend += [(swatch("member", k), t[f"member_{k}"]) for k in kinds]
    legend += [(swatch("other"), t["legend_other"]), (swatch("plot"), t["legend_plot"]),
               (swatch("village"), t["legend_village"]), (swatch("leader"), t["legend_leader"])]
    rows = [_row(e, lang) for e in entries]
    estimate = sum(r.estimate or 0.0 for e in entries for r in e.repairs)
    approved = sum(r.approved or 0.0 for e in entries for r in e.repairs)
    date_text = dates.format_date(when, lang, era)
    statement = f"{audience.role.label(lang)} · {privacy_text(audience.ceiling, lang)}"
    return {
        "lang": lang, "t": t, "village_name": place.names[0] if place.names else
        str(row["name_th"]), "village_code": str(row["village_code"]),
        "above": (" " if lang == "th" else ", ").join(place.names[1:]),
        "date_text": date_text, "audience_text": statement, "svg": svg, "legend": legend,
        "members_hidden": len(kinds) < len(data.MEMBER_KINDS),
        "counts": {"marked": len(entries),
                   "open": sum(len(e.repairs) for e in entries),
                   "waiting": sum(1 for e in entries if not e.repairs),
                   "all": len(households)},
        "heads": {"house_no": fields.field("house_no").label(lang),
                  "head_name": fields.field("head_name").label(lang),
                  "work": repair_fields.field("items").label(lang),
                  "status": repair_fields.field("status").label(lang)},
        "rows": rows, "estimate_total": estimate, "approved_total": approved,
        "page_word": t["page"],
        "footer_left": f"{t['audience']}: {statement} · {t['title']} "
        f"{place.names[0] if place.names else row['name_th']} · {date_text}",
    }


def _row(entry: data.Entry, lang: str) -> dict[str, Any]:
    t = TEXT[lang]
    return {
        "number": entry.number, "house_no": entry.house_no or "–",
        "head_name": entry.head_name or "–", "priority": entry.priority,
        "located": entry.point is not None,
        "members": [(swatch("member", k), t[f"member_{k}"], n)
                    for k, n in entry.members.items()],
        "repairs": [{"id": r.repair_id, "work": r.items or "–", "estimate": r.estimate,
                     "approved": r.approved, "status": REPAIR_STATUS.label(r.status, lang),
                     "swatch": swatch("status", r.status)} for r in entry.repairs],
        "waiting_swatch": swatch("status", data.WAITING),
    }
