"""The fixed wording of the monthly report, in Thai and English.

Figure names follow the roll-up's definitions (`gis.rollup`, `gis.budgets`); the method notes
say the same in the reader's words. Templates read them as ``t.<key>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_TH: dict[str, str] = {
    "title": "รายงานผลการดำเนินงานประจำเดือน",
    "kicker": "สรุปการสำรวจ งานซ่อมบ้าน และงบประมาณ",
    "area": "พื้นที่",
    "as_at": "ข้อมูล ณ สิ้นวันที่",
    "prepared": "วันที่จัดทำ",
    "audience": "ผู้อ่าน",
    "summary": "ภาพรวมของพื้นที่",
    "change_note": "ตัวเลขในวงเล็บคือการเปลี่ยนแปลงจากสิ้นเดือนก่อน",
    "households_surveyed": "ครัวเรือนที่สำรวจแล้ว",
    "priority_households": "ครัวเรือนเร่งด่วน",
    "repairs": "งานซ่อมบ้านตามสถานะ",
    "money": "งบประมาณ (บาท)",
    "allocated": "จัดสรร",
    "transferred": "โอนแล้ว",
    "committed": "ผูกพันแล้ว",
    "spent": "ใช้จ่ายแล้ว",
    "chart_households": "ครัวเรือนที่สำรวจแล้ว (สีเข้ม: ครัวเรือนเร่งด่วน) รายพื้นที่ย่อย",
    "chart_repairs": "งานซ่อมบ้านตามสถานะ ณ สิ้นเดือน",
    "chart_money": "งบประมาณ ณ สิ้นเดือน (บาท)",
    "by_sub": "รายพื้นที่ย่อย",
    "table_work": "การสำรวจและงานซ่อมบ้าน",
    "table_money": "งบประมาณ (บาท)",
    "sub_area": "พื้นที่",
    "total": "รวมทั้งพื้นที่",
    "held_above": "งบที่ถือไว้ระดับ{level}",
    "unplaced": "ไม่ทราบพื้นที่",
    "no_sub": "รายงานระดับหมู่บ้าน/ชุมชนไม่มีพื้นที่ย่อย",
    "method": "วิธีการและความหมายของตัวเลข",
    "m_as_at": (
        "ทุกตัวเลขเป็นยอดสะสม ณ สิ้นวันสุดท้ายของเดือนตามเวลากรุงเทพฯ ไม่ใช่เฉพาะที่เกิดขึ้น"
        "ในเดือน การเปลี่ยนแปลงคือผลต่างจากสิ้นเดือนก่อน"
    ),
    "m_households": (
        "ครัวเรือนที่สำรวจแล้ว: ครัวเรือนที่มีวันที่สำรวจไม่เกินสิ้นเดือน ครัวเรือนที่ไม่มีวันที่"
        "สำรวจไม่นับ ครัวเรือนเร่งด่วน: ในจำนวนนั้น ครัวเรือนที่ถูกระบุว่าเร่งด่วน ณ สิ้นเดือน "
        "ตามประวัติการแก้ไขข้อมูล"
    ),
    "m_repairs": (
        "งานซ่อมบ้านนับตามขั้นที่ถึงแล้ว ณ สิ้นเดือน จากวันที่ของแต่ละขั้น (เสนอ → อนุมัติแล้ว "
        "→ กำลังซ่อม → ซ่อมเสร็จ → ตรวจรับแล้ว) แต่ละงานนับในขั้นเดียว งานที่เสนอหลังสิ้นเดือน"
        "ยังไม่นับ"
    ),
    "m_money": (
        "จัดสรร: งบที่ได้รับจัดสรร นับตั้งแต่วันเริ่มปีงบประมาณ (1 ตุลาคม) โอนแล้ว: งวดเงินที่"
        "โอนแล้วภายในสิ้นเดือน ผูกพันแล้ว: วงเงินอนุมัติของงานซ่อมที่อนุมัติแล้ว (หรือที่ใช้จริง"
        "ถ้ามากกว่า) งานที่ตรวจรับแล้วนับเท่าที่ใช้จริง ใช้จ่ายแล้ว: เงินที่ใช้ไปของงานซ่อมที่เริ่ม"
        "แล้วภายในสิ้นเดือน (ตัวเลขล่าสุดของแต่ละงาน)"
    ),
    "m_where": (
        "ครัวเรือนและงานซ่อมนับในหมู่บ้าน/ชุมชนของตน เงินนับในพื้นที่ที่ถืองบนั้น งบที่ถือไว้"
        "ในระดับที่สูงกว่าพื้นที่ย่อยแสดงเป็นแถวของตนเอง ผลรวมของทุกแถวจึงเท่ากับยอดรวมของ"
        "พื้นที่"
    ),
    "suppressed_note": (
        "จำนวน 1–2 แสดงเป็น <3 เพื่อไม่ให้ระบุตัวครอบครัวได้ รวมถึงเงินที่ผูกพันหรือใช้จ่ายโดยงาน"
        "ซ่อมเพียง 1–2 งาน การเปลี่ยนแปลงที่คำนวณจากตัวเลขที่ไม่แสดงแสดงเป็น – "
        "ยอดรวมคำนวณจากตัวเลขจริงก่อนซ่อน"
    ),
    "no_personal": "ไม่มีชื่อ เลขประจำตัว เบอร์โทรศัพท์ รายได้ หรือตำแหน่งบ้านในเอกสารนี้",
    "internal_only": "เอกสารภายใน ตัวเลขทุกตัวแสดงเต็ม ห้ามส่งออกนอกชุมชนหรือหน่วยงานภาคี",
    "privacy_heading": "การคุ้มครองข้อมูล",
    "suppressed_short": "<3 = 1–2 ที่ไม่แสดง",
    "page": "หน้า",
}

_EN: dict[str, str] = {
    "title": "Monthly progress report",
    "kicker": "Survey, house repairs and budgets",
    "area": "Area",
    "as_at": "Figures as at",
    "prepared": "Prepared on",
    "audience": "Audience",
    "summary": "The area at a glance",
    "change_note": "Figures in brackets are the change since the end of the previous month.",
    "households_surveyed": "Households surveyed",
    "priority_households": "Priority households",
    "repairs": "House repairs by status",
    "money": "Budget (baht)",
    "allocated": "Allocated",
    "transferred": "Transferred",
    "committed": "Committed",
    "spent": "Spent",
    "chart_households": "Households surveyed (dark: priority households) by sub-area",
    "chart_repairs": "House repairs by status at the month's end",
    "chart_money": "Budget at the month's end (baht)",
    "by_sub": "By sub-area",
    "table_work": "Survey and house repairs",
    "table_money": "Budget (baht)",
    "sub_area": "Area",
    "total": "Whole area",
    "held_above": "Money held at {level} level",
    "unplaced": "Area not known",
    "no_sub": "A village or community report has no sub-areas.",
    "method": "Method and what the figures mean",
    "m_as_at": (
        "Every figure is cumulative, as at the end of the month's last day in Bangkok — not "
        "only what happened during the month. A change is the difference from the end of the "
        "previous month."
    ),
    "m_households": (
        "Households surveyed: households with a survey date on or before the month's end; "
        "households without a survey date are not counted. Priority households: those of them "
        "marked as priority at the month's end, from the edit history."
    ),
    "m_repairs": (
        "House repairs by the stage reached at the month's end, from each stage's date "
        "(proposed → approved → in progress → done → verified); each repair counts in one "
        "stage only. Repairs proposed after the month's end are not counted."
    ),
    "m_money": (
        "Allocated: budgets allocated, counted from the first day of their fiscal year "
        "(1 October). Transferred: tranches transferred by the month's end. Committed: the "
        "approved amounts of approved repairs (or what they spent, if more); verified repairs "
        "count what they spent. Spent: what repairs started by the month's end have spent "
        "(each repair's latest figure)."
    ),
    "m_where": (
        "Households and repairs count in their village or community; money in the area that "
        "holds the budget. Money held above the sub-areas is shown in a row of its own, so the "
        "rows add up to the area's total."
    ),
    "suppressed_note": (
        "Counts of 1–2 are shown as <3 so that no family can be identified, and so is money "
        "committed or spent by only 1–2 repairs; a change worked out from a hidden figure is "
        "shown as –. Totals are summed from the true figures before hiding."
    ),
    "no_personal": (
        "This document holds no names, ID numbers, phone numbers, incomes or house locations."
    ),
    "internal_only": (
        "Internal document with every figure in full: not to leave the community and its "
        "partners."
    ),
    "privacy_heading": "Data protection",
    "suppressed_short": "<3 = 1–2, withheld",
    "page": "Page",
}

TEXT: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "th": MappingProxyType(_TH), "en": MappingProxyType(_EN),
})
