"""The area a report is about: a DOPA code, its names, its villages and its outline.

Reports name places the way Thai documents do (อำเภอวังน้ำเย็น จังหวัดสระแก้ว; in Bangkok
เขต and แขวง), from the ``admin`` and ``villages`` layers, read through `gis.privacy`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from gis.errors import InputError
from gis.privacy import Audience, Role, read_visible, resolve_scope
from gis.store.protocol import Store

BANGKOK = "10"  # Bangkok's districts are เขต and แขวง, not อำเภอ and ตำบล
LEVELS = {2: "province", 4: "amphoe", 6: "tambon", 8: "village"}
_PREFIX_TH = {"province": "จังหวัด", "amphoe": "อำเภอ", "tambon": "ตำบล"}
_PREFIX_BKK = {"province": "", "amphoe": "เขต", "tambon": "แขวง"}
_SUFFIX_EN = {"province": " Province", "amphoe": " District", "tambon": " Subdistrict"}


@dataclass(frozen=True)
class Area:
    """A report's area: ``code`` None is everything the audience may see.

    ``names`` run from the area up (อำเภอวังน้ำเย็น, จังหวัดสระแก้ว); ``tambon_names`` name
    the tambons its villages lie in, by tambon code; ``villages`` are the visible villages
    inside it (with geometry); ``outline`` the admin polygon of the code, else the villages'
    union.
    """

    code: str | None
    level: str | None
    lang: str
    names: tuple[str, ...]
    tambon_names: Mapping[str, str]
    villages: pd.DataFrame
    outline: BaseGeometry | None

    @property
    def tambons(self) -> tuple[str, ...]:
        return tuple(self.tambon_names.values())

    @property
    def title(self) -> str:
        """อำเภอวังน้ำเย็น จังหวัดสระแก้ว / Wang Nam Yen District, Sa Kaeo Province."""
        return (" " if self.lang == "th" else ", ").join(self.names)

    @property
    def village_codes(self) -> list[str]:
        return [str(c) for c in self.villages["village_code"]]


def place_name(level: str, name_th: str, name_en: str | None, lang: str, *,
               code: str = "", village_no: Any = None) -> str:
    """A place's name as a Thai or English document writes it.

    Parameters
    ----------
    level : {"province", "amphoe", "tambon", "village"}
    name_th, name_en : str
        The bare names (``วังน้ำเย็น``, ``Wang Nam Yen``); English falls back to Thai.
    lang : {"th", "en"}
    code : str, optional
        The DOPA code (Bangkok's amphoe and tambon are เขต and แขวง).
    village_no : int, optional
        The village's number (หมู่ที่).

    Returns
    -------
    str
        ``อำเภอวังน้ำเย็น``, ``Wang Nam Yen District``, ``หมู่ที่ 3 ชุมชนหน้าโรงพยาบาล``.
    """
    if level == "village":
        moo = "" if pd.isna(village_no) else (
            f"หมู่ที่ {int(village_no)} " if lang == "th" else f"Moo {int(village_no)} ")
        return f"{moo}{name_th if lang == 'th' or not name_en else name_en}"
    if lang == "th" or not name_en or pd.isna(name_en):
        prefixes = _PREFIX_BKK if code.startswith(BANGKOK) else _PREFIX_TH
        return f"{prefixes.get(level, '')}{name_th}"
    return f"{name_en}{_SUFFIX_EN.get(level, '')}"


def find_area(store: Store, code: str | None, *, audience: Audience, lang: str) -> Area:
    """Resolve a report's area against the store, through the privacy gate.

    Parameters
    ----------
    store : Store
    code : str or None
        A DOPA code (province 2 digits, amphoe 4, tambon 6, village 8) or a village code of the
        villages layer; None: every village the audience may see.
    audience : gis.privacy.Audience
    lang : {"th", "en"}

    Returns
    -------
    Area

    Raises
    ------
    gis.errors.InputError
        If the code is neither an area of the ``admin`` layer nor a village, in Thai and
        English, with examples of known codes.
    """
    admin = read_visible(store, "admin", audience)
    villages = read_visible(store, "villages", audience)
    if code is None:
        return Area(None, None, lang, (), _tambon_names(admin, villages, lang), villages,
                    _union(villages))
    code = code.strip()
    in_admin = admin.loc[admin["code"].astype("string") == code]
    known_village = code in set(store.read("villages", where={"village_code": code})
                                ["village_code"].astype(str))
    if in_admin.empty and not known_village:
        raise _unknown_area(code, admin)
    # The same rule as a user's areas (gis.privacy): by code prefix or by the village's tambon.
    scope = resolve_scope(Audience("", Role.AGENCY_VIEWER, frozenset({code})), villages)
    inside = villages.loc[scope.mask(villages["village_code"])].reset_index(drop=True)
    level = (str(in_admin["level"].iloc[0]) if not in_admin.empty
             else LEVELS.get(len(code), "village"))
    names = _chain(code, admin, inside, lang)
    drawn = in_admin.geometry.iloc[0] if not in_admin.empty and "geometry" in in_admin else None
    outline = drawn if drawn is not None and not drawn.is_empty else _union(inside)
    return Area(code, level, lang, names, _tambon_names(admin, inside, lang), inside, outline)


def _chain(code: str, admin: pd.DataFrame, villages: pd.DataFrame, lang: str) -> tuple[str, ...]:
    by_code = {str(r["code"]): r for _, r in admin.iterrows()}
    names: list[str] = []
    current: str | None = code
    if code not in by_code and not villages.empty:  # a village not in the admin layer
        row = villages.loc[villages["village_code"].astype(str) == code]
        if not row.empty:
            v = row.iloc[0]
            names.append(place_name("village", v["name_th"], v.get("name_en"), lang,
                                    village_no=v.get("village_no")))
            current = str(v["tambon_code"])
    seen: set[str] = set()
    while current and current in by_code and current not in seen:
        seen.add(current)
        r = by_code[current]
        number = None
        if r["level"] == "village" and not villages.empty:
            match = villages.loc[villages["village_code"].astype(str) == current]
            number = match["village_no"].iloc[0] if not match.empty else None
        names.append(place_name(str(r["level"]), r["name_th"], r.get("name_en"), lang,
                                code=current, village_no=number))
        parent = r.get("parent_code")
        current = None if parent is None or pd.isna(parent) else str(parent)
    return tuple(names)


def _tambon_names(admin: pd.DataFrame, villages: pd.DataFrame, lang: str) -> dict[str, str]:
    codes = sorted(set(villages["tambon_code"].dropna().astype(str))) if len(villages) else []
    rows = {str(r["code"]): r for _, r in admin.iterrows()}
    return {
        c: place_name("tambon", rows[c]["name_th"], rows[c].get("name_en"), lang, code=c)
        if c in rows else c
        for c in codes
    }


def _union(frame: pd.DataFrame) -> BaseGeometry | None:
    if "geometry" not in frame or frame.empty:
        return None
    shapes = [g for g in frame.geometry if g is not None and not g.is_empty]
    return shapely.union_all(shapes) if shapes else None


def _unknown_area(code: str, admin: pd.DataFrame) -> InputError:
    examples = ", ".join(
        f"{r['code']} ({r['name_th']})" for _, r in admin.sort_values("code").head(4).iterrows()
    ) or "-"
    return InputError(
        f"ไม่รู้จักรหัสพื้นที่ {code!r}", f"unknown area code {code!r}", field="area",
        fix_th=f"ใช้รหัสพื้นที่ของกรมการปกครอง (จังหวัด 2 หลัก อำเภอ 4 ตำบล 6 หมู่บ้าน 8) "
        f"ที่มีในข้อมูล เช่น {examples}",
        fix_en=f"use a DOPA area code (province 2 digits, amphoe 4, tambon 6, village 8) "
        f"held by the store, e.g. {examples}",
    )
