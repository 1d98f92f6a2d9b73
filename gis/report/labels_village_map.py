"""The fixed wording of the village repair map, in Thai and English.

Column heads that are fields (house number, head of household, repair items …) come from
``layers/``; this holds only the map's own sentences. Templates read them as ``t.<key>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_TH: dict[str, str] = {
    "title": "แผนที่งานซ่อมบ้าน",
    "kicker": "เอกสารภายในชุมชน สำหรับทีมสำรวจและที่ประชุม",
    "prepared": "วันที่จัดทำ",
    "village_code": "รหัสหมู่บ้าน/ชุมชน",
    "audience": "ผู้อ่าน",
    "marked": "ครัวเรือนที่มีหมายเลข",
    "open_repairs": "งานซ่อมที่ยังไม่ตรวจรับ",
    "waiting": "ต้องซ่อม/เร่งด่วน แต่ยังไม่มีการเสนอซ่อม",
    "households_all": "ครัวเรือนทั้งหมดในแผนที่",
    "legend": "คำอธิบายสัญลักษณ์",
    "legend_status": "วงกลมมีหมายเลข สีตามสถานะ",
    "legend_waiting": "ต้องซ่อม ยังไม่เสนอ",
    "legend_priority": "ครัวเรือนเร่งด่วน (วงนอกสีดำ)",
    "legend_other": "ครัวเรือนอื่น",
    "legend_plot": "แปลงที่ดิน",
    "legend_village": "แนวเขตหมู่บ้าน/ชุมชน",
    "legend_leader": "เส้นชี้ไปที่ตั้งบ้าน (หมายเลขถูกเลื่อนออกเพื่อไม่ให้ทับกัน)",
    "members_hidden": "ผู้พิการและผู้ป่วยติดเตียงเป็นข้อมูลอ่อนไหว ไม่แสดงสำหรับผู้อ่านกลุ่มนี้",
    "map_crs": "เส้นโครงแผนที่ UTM บน WGS84 · ทิศเหนือตามกริด",
    "list": "รายชื่อครัวเรือนตามหมายเลขในแผนที่",
    "no": "ลำดับ",
    "members": "สมาชิกกลุ่มเปราะบาง",
    "status_waiting": "ต้องซ่อม ยังไม่มีการเสนอซ่อม",
    "priority": "เร่งด่วน",
    "member_disabled": "ผู้พิการ",
    "member_elderly": "ผู้สูงอายุ",
    "member_bedridden": "ผู้ป่วยติดเตียง",
    "no_point": "ไม่มีพิกัดบ้าน ไม่อยู่ในแผนที่",
    "estimate": "ประมาณการ (บาท)",
    "approved": "อนุมัติ (บาท)",
    "total": "รวม",
    "none": "ไม่มีครัวเรือนที่มีงานซ่อมค้างหรือรอการเสนอซ่อมในหมู่บ้าน/ชุมชนนี้",
    "rule": (
        "ครัวเรือนที่มีหมายเลข: มีงานซ่อมที่ยังไม่ผ่านการตรวจรับ (เสนอ อนุมัติแล้ว กำลังซ่อม "
        "หรือซ่อมเสร็จรอตรวจรับ) หรือถูกระบุว่าต้องซ่อมบ้านหรือเป็นครัวเรือนเร่งด่วนแต่ยังไม่มี"
        "งานซ่อม ครัวเรือนที่งานซ่อมตรวจรับครบแล้วไม่มีหมายเลข หมายเลขเรียงตามบ้านเลขที่"
    ),
    "status_note": "สถานะงานซ่อม ณ วันที่จัดทำ",
    "internal_only": (
        "เอกสารภายใน มีชื่อและตำแหน่งบ้านของครัวเรือน ใช้ในชุมชนเท่านั้น "
        "ห้ามส่งต่อหรือเผยแพร่นอกชุมชน"
    ),
    "page": "หน้า",
}

_EN: dict[str, str] = {
    "title": "House repair map",
    "kicker": "Community internal document, for the survey team and meetings",
    "prepared": "Prepared on",
    "village_code": "Village / community code",
    "audience": "Audience",
    "marked": "Numbered households",
    "open_repairs": "Repairs not yet verified",
    "waiting": "Needing repair or priority, no repair proposed yet",
    "households_all": "All households on the map",
    "legend": "Legend",
    "legend_status": "Numbered circle, coloured by status",
    "legend_waiting": "Needs repair, not proposed",
    "legend_priority": "Priority household (black outer ring)",
    "legend_other": "Other households",
    "legend_plot": "Land plot",
    "legend_village": "Village / community outline",
    "legend_leader": "Line to the house (the number was moved so as not to cover another)",
    "members_hidden": (
        "Disabled and bedridden members are sensitive data and are not shown to this audience."
    ),
    "map_crs": "UTM projection on WGS84 · grid north",
    "list": "Households by their number on the map",
    "no": "No.",
    "members": "Vulnerable members",
    "status_waiting": "Needs repair, no repair proposed yet",
    "priority": "priority",
    "member_disabled": "disabled",
    "member_elderly": "elderly",
    "member_bedridden": "bedridden",
    "no_point": "no house location: not on the map",
    "estimate": "Estimate (baht)",
    "approved": "Approved (baht)",
    "total": "Total",
    "none": "No household of this village or community has a repair open or waiting.",
    "rule": (
        "Numbered households: those with a repair not yet verified (proposed, approved, in "
        "progress, or done and awaiting inspection), and those marked as needing repair or as "
        "priority that have no repair yet. Households whose repairs are all verified are not "
        "numbered. Numbers follow the house numbers."
    ),
    "status_note": "Repair status as on the date prepared",
    "internal_only": (
        "Internal document with the names and house locations of households: for the "
        "community's own use, not to be passed on or published outside it."
    ),
    "page": "Page",
}

TEXT: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "th": MappingProxyType(_TH), "en": MappingProxyType(_EN),
})
