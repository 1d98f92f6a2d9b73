"""UI strings in Thai (default) and English. Field and layer labels come from layers/, not here.

A placeholder until the gettext catalogs of the app-shell issue replace it.
"""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "title": ("Landmap — แผนที่ที่ดินและที่อยู่อาศัยชุมชน",
              "Landmap — community land and housing map"),
    "language": ("ภาษา", "Language"),
    "store": ("ที่เก็บข้อมูล", "Store"),
    "layer": ("ชั้นข้อมูล", "Layer"),
    "count": ("จำนวน", "Features"),
    "code": ("ชื่อในระบบ", "Name"),
    "total": ("รวมทั้งหมด", "Total"),
    "error": ("เกิดข้อผิดพลาด", "Something went wrong"),
}


def t(key: str, lang: str) -> str:
    th, en = STRINGS[key]
    return th if lang == "th" else en
