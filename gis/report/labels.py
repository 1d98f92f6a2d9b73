"""The fixed wording of the evidence pack, in Thai and English.

Field labels and vocabularies come from ``layers/``; this holds only the report's own sentences
(titles, column heads, method notes). Templates read them as ``t.<key>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from layers.schema import PrivacyClass

PRIVACY_TH = {
    PrivacyClass.PUBLIC: "ข้อมูลสาธารณะและตัวเลขสรุปเท่านั้น",
    PrivacyClass.INTERNAL: "ข้อมูลภายในของชุมชน",
    PrivacyClass.PERSONAL: "รวมข้อมูลส่วนบุคคล",
    PrivacyClass.SENSITIVE: "รวมข้อมูลส่วนบุคคลที่อ่อนไหว",
}
PRIVACY_EN = {
    PrivacyClass.PUBLIC: "public data and aggregates only",
    PrivacyClass.INTERNAL: "community internal data",
    PrivacyClass.PERSONAL: "includes personal data",
    PrivacyClass.SENSITIVE: "includes sensitive personal data",
}

_TH: dict[str, str] = {
    "title": "ชุดหลักฐานที่ดินและที่อยู่อาศัยชุมชน",
    "for_agency": "เสนอต่อ",
    "area": "พื้นที่",
    "all_areas": "ทุกพื้นที่ที่มีข้อมูล",
    "tambons": "ตำบล",
    "villages_count": "หมู่บ้าน/ชุมชนในพื้นที่",
    "prepared": "วันที่จัดทำ",
    "audience": "ผู้อ่าน",
    "privacy": "ระดับข้อมูล",
    "suppressed_note": "จำนวนที่น้อยกว่า 3 แสดงเป็น <3 เพื่อไม่ให้ระบุตัวครอบครัวได้",
    "no_personal": "ไม่มีชื่อ เลขประจำตัว เบอร์โทรศัพท์ รายได้ ตำแหน่งบ้าน หรือรหัสแปลงในเอกสารนี้",
    "internal_only": "เอกสารภายใน ห้ามส่งออกนอกชุมชนหรือหน่วยงานภาคี",
    "zones_count": "เขตที่ดินของหน่วยงานในพื้นที่",
    "households_on_land": "ครัวเรือนในเขตที่ดินของหน่วยงาน",
    "area_on_land": "เนื้อที่แปลงในเขต (ไร่-งาน-ตร.วา)",
    "overview": "ภาพรวม",
    "overview_map": "แผนที่ภาพรวม: เขตที่ดินของหน่วยงาน หมู่บ้าน/ชุมชน และจำนวนครัวเรือนในเขต",
    "summary_by_zone": "สรุปรายเขต",
    "by_village": "รายหมู่บ้าน/ชุมชน",
    "zone": "เขต",
    "zone_id": "รหัสเขต",
    "official_name": "ชื่อทางราชการ",
    "tenure_class": "ประเภทที่ดิน",
    "legal_basis": "ฐานทางกฎหมาย",
    "source": "แหล่งข้อมูล",
    "source_date": "วันที่ของข้อมูล",
    "zone_area": "เนื้อที่เขต",
    "village": "หมู่บ้าน/ชุมชน",
    "tambon": "ตำบล",
    "households": "ครัวเรือน",
    "plots": "แปลง",
    "area_rnw": "เนื้อที่ (ไร่-งาน-ตร.วา)",
    "area_m2": "เนื้อที่ (ตร.ม.)",
    "vulnerable": "ครัวเรือนเปราะบาง",
    "insecure": "ครัวเรือนที่ไม่มั่นคงในที่ดิน",
    "total": "รวม",
    "in_overlaps": "ครัวเรือนที่อยู่ในเขตอื่นด้วย (เขตทับซ้อน)",
    "no_rows": "ไม่มีครัวเรือนหรือแปลงที่ดินที่สำรวจแล้วในเขตนี้",
    "no_zones": "ไม่พบเขตที่ดินของหน่วยงานนี้ในพื้นที่ที่เลือก",
    "map_legend_zone": "เขตที่ดินของหน่วยงาน",
    "map_legend_village": "แนวเขตหมู่บ้าน/ชุมชน (ตัวเลข: ครัวเรือนในเขต)",
    "map_legend_area": "แนวเขตพื้นที่",
    "map_crs": "เส้นโครงแผนที่ UTM บน WGS84 · ทิศเหนือตามกริด",
    "zone_map": "แนวเขตทั้งเขต",
    "detail_map": "ขยาย: หมู่บ้าน/ชุมชนที่มีครัวเรือนในเขต",
    "map_note": "แผนที่ใช้เส้นโครง UTM บนพื้นหลักฐาน WGS84 โซนตามกึ่งกลางของแผนที่ ทิศเหนือตามกริด",
    "suppressed_short": "<3 = จำนวน 1–2 ที่ไม่แสดง",
    "households_unit": "ครัวเรือน",
    "method": "วิธีการและคำอธิบาย",
    "method_area": (
        "เนื้อที่ทั้งหมดคำนวณแบบจีโอเดสิก (geodesic) บนทรงรี WGS84 ไม่ใช่บนระนาบแผนที่ "
        "จึงถูกต้องแม้พื้นที่คร่อมโซน UTM 47 และ 48 แสดงเป็นไร่-งาน-ตารางวา "
        "(1 ไร่ = 4 งาน = 400 ตารางวา = 1,600 ตารางเมตร; 1 ตารางวา = 4 ตารางเมตร) "
        "เขียนแบบ 2-1-50 และเป็นตารางเมตร"
    ),
    "method_counts": (
        "ครัวเรือนนับเมื่อตำแหน่งบ้านที่สำรวจอยู่ภายในเขต แปลงนับเมื่อมีส่วนอยู่ในเขตอย่างน้อย "
        "1 ตารางเมตร และเนื้อที่คือเฉพาะส่วนของแปลงที่อยู่ในเขต ที่ดินที่หลายเขตอ้างทับกัน"
        "นับในทุกเขตที่อ้าง ไม่ซ่อนการทับซ้อน"
    ),
    "vulnerable_def": (
        "ครัวเรือนเปราะบาง (ตามเกณฑ์ สศช.): มีเด็กเล็ก ผู้สูงอายุ ผู้พิการ หรือผู้ป่วยติดเตียง "
        "และ/หรือรายได้ไม่เกิน 100,000 บาทต่อคนต่อปี"
    ),
    "insecure_def": (
        "ครัวเรือนที่ไม่มั่นคงในที่ดิน: แปลงที่อยู่มีสถานะการครอบครองที่ไม่มั่นคง (เช่า "
        "อยู่โดยได้รับอนุญาต อยู่โดยไม่ได้รับอนุญาต หรือถูกไล่ที่) หรือครัวเรือนเองเช่าบ้าน "
        "อาศัยผู้อื่น อยู่กับผู้จ้าง หรือไม่มีที่อยู่เป็นหลักแหล่ง สถานะที่ไม่ทราบไม่นับ"
    ),
    "sources": "แหล่งข้อมูลของแนวเขต",
    "sources_note": "แนวเขตที่ดินของรัฐเป็นข้อมูลจากแหล่งที่ระบุ ณ วันที่ของข้อมูล",
    "survey_note": "ข้อมูลครัวเรือนและแปลงที่ดินมาจากการสำรวจของชุมชน",
    "privacy_heading": "การคุ้มครองข้อมูล",
    "annex": "ภาคผนวก: เอกสารแนบของแปลงและครัวเรือนในพื้นที่",
    "annex_none": "ไม่มีเอกสารแนบในพื้นที่นี้",
    "annex_hidden": "เอกสารแนบเป็นข้อมูลส่วนบุคคล ผู้อ่านกลุ่มนี้ไม่มีสิทธิ์เห็นรายการ",
    "annex_layer": "ชั้นข้อมูล",
    "annex_feature": "รหัส",
    "annex_file": "ไฟล์",
    "annex_type": "ชนิด",
    "annex_size": "ขนาด",
    "annex_note": "หมายเหตุ",
    "annex_added": "แนบโดย / เมื่อ",
    "page": "หน้า",
    "state_land_none": "ครัวเรือนที่ไม่อยู่ในเขตที่ดินของรัฐ",
}

_EN: dict[str, str] = {
    "title": "Community land and housing evidence pack",
    "for_agency": "Prepared for",
    "area": "Area",
    "all_areas": "All areas with data",
    "tambons": "Subdistricts",
    "villages_count": "Villages / communities in the area",
    "prepared": "Prepared on",
    "audience": "Audience",
    "privacy": "Data level",
    "suppressed_note": "Counts below 3 are shown as <3 so that no family can be identified.",
    "no_personal": (
        "This document holds no names, ID numbers, phone numbers, incomes, house locations "
        "or plot ids."
    ),
    "internal_only": "Internal document: not to leave the community and its partners.",
    "zones_count": "Agency land zones in the area",
    "households_on_land": "Households on the agency's land",
    "area_on_land": "Plot area inside the zones (rai-ngan-sq. wa)",
    "overview": "Overview",
    "overview_map": (
        "Overview: the agency's land zones, villages and communities, households inside the "
        "zones"
    ),
    "summary_by_zone": "Summary by zone",
    "by_village": "By village / community",
    "zone": "Zone",
    "zone_id": "Zone id",
    "official_name": "Official name",
    "tenure_class": "Tenure class",
    "legal_basis": "Legal basis",
    "source": "Source",
    "source_date": "Source date",
    "zone_area": "Zone area",
    "village": "Village / community",
    "tambon": "Subdistrict",
    "households": "Households",
    "plots": "Plots",
    "area_rnw": "Area (rai-ngan-sq. wa)",
    "area_m2": "Area (m²)",
    "vulnerable": "Vulnerable households",
    "insecure": "Households with insecure tenure",
    "total": "Total",
    "in_overlaps": "Households also inside another zone (overlapping claims)",
    "no_rows": "No surveyed households or plots in this zone",
    "no_zones": "The agency has no land zones in the chosen area",
    "map_legend_zone": "Agency land zone",
    "map_legend_village": "Village / community outline (number: households in the zones)",
    "map_legend_area": "Area outline",
    "map_crs": "UTM projection on WGS84 · grid north",
    "zone_map": "The whole zone",
    "detail_map": "Closer: the villages and communities with households in the zone",
    "map_note": "Maps use the UTM zone of their centre on the WGS84 datum; north is grid north.",
    "suppressed_short": "<3 = 1–2, withheld",
    "households_unit": "households",
    "method": "Method and definitions",
    "method_area": (
        "Every area is geodesic, computed on the WGS84 ellipsoid rather than on a map plane, "
        "so it stays right where an area straddles UTM zones 47 and 48. Areas are given in "
        "rai-ngan-square wa (1 rai = 4 ngan = 400 sq. wa = 1,600 m²; 1 sq. wa = 4 m²), written "
        "2-1-50, and in square metres."
    ),
    "method_counts": (
        "A household counts in a zone when its surveyed house point lies inside it; a plot "
        "when at least 1 m² of it does, and its area is the part inside. Land claimed by "
        "several zones is counted in each of them: overlaps are shown, not hidden."
    ),
    "vulnerable_def": (
        "Vulnerable household (NESDC): young children, elderly, disabled or bedridden members, "
        "and/or an income of at most 100,000 baht per person per year."
    ),
    "insecure_def": (
        "Insecure tenure: the plot's occupant tenure is insecure (renter, permission, no "
        "permission, facing eviction), or the household rents, lives in someone else's house "
        "or the employer's, or has no fixed home. Unknown tenure is not counted."
    ),
    "sources": "Sources of the zone boundaries",
    "sources_note": "State land boundaries are as given by the source named, at its date.",
    "survey_note": "Household and plot data come from the community's own survey.",
    "privacy_heading": "Data protection",
    "annex": "Annex: attachments of the plots and households in the area",
    "annex_none": "No attachments in this area.",
    "annex_hidden": "Attachments are personal data; this audience may not see their list.",
    "annex_layer": "Layer",
    "annex_feature": "Id",
    "annex_file": "File",
    "annex_type": "Type",
    "annex_size": "Size",
    "annex_note": "Note",
    "annex_added": "Added by / on",
    "page": "Page",
    "state_land_none": "Households on no state land",
}

TEXT: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "th": MappingProxyType(_TH), "en": MappingProxyType(_EN),
})


def privacy_text(privacy: PrivacyClass, lang: str) -> str:
    """What a privacy ceiling means, in a sentence fragment for footers and covers."""
    return (PRIVACY_TH if lang == "th" else PRIVACY_EN)[privacy]
