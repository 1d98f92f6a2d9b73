"""House repairs, one row per repair job of a household (no geometry: it is the household's)."""

from __future__ import annotations

from layers.schema import DType, Field, LayerSpec, PrivacyClass
from layers.vocab import PROGRAMME, REPAIR_STATUS

P = PrivacyClass

REPAIRS = LayerSpec(
    name="repairs",
    label_th="การซ่อมบ้าน",
    label_en="House repairs",
    geometry=None,
    key="repair_id",
    area_field="village_code",
    fields=(
        Field("repair_id", DType.STR, "รหัสงานซ่อม", "Repair id", P.INTERNAL, required=True),
        Field("household_uid", DType.STR, "ครัวเรือน (รหัสถาวร)", "Household (stable id)",
              P.INTERNAL, required=True),
        Field("village_code", DType.STR, "รหัสหมู่บ้าน/ชุมชน", "Village / community code",
              P.PUBLIC, required=True),
        Field("items", DType.STR, "รายการซ่อม", "Repair items", P.INTERNAL,
              synonyms=("รายการ",)),
        Field("estimate", DType.FLOAT, "ประมาณการ (บาท)", "Estimate (baht)", P.INTERNAL),
        Field("approved_amount", DType.FLOAT, "วงเงินอนุมัติ (บาท)", "Approved amount (baht)",
              P.INTERNAL),
        Field("spent", DType.FLOAT, "ใช้จ่ายแล้ว (บาท)", "Spent (baht)", P.INTERNAL),
        Field("status", DType.STR, "สถานะ", "Status", P.INTERNAL, required=True,
              vocabulary=REPAIR_STATUS),
        Field("programme", DType.STR, "โครงการ", "Programme", P.PUBLIC, vocabulary=PROGRAMME),
        Field("budget_id", DType.STR, "งบประมาณ", "Budget", P.INTERNAL),
        Field("tranche", DType.INT, "งวดที่", "Tranche", P.INTERNAL),
        Field("builder", DType.STR, "ผู้ซ่อม/ช่าง", "Builder", P.INTERNAL),
        Field("committee_decision", DType.STR, "มติคณะกรรมการ", "Committee decision",
              P.INTERNAL),
        Field("proposed_on", DType.DATE, "วันที่เสนอ", "Proposed on", P.INTERNAL),
        Field("approved_on", DType.DATE, "วันที่อนุมัติ", "Approved on", P.INTERNAL),
        Field("started_on", DType.DATE, "วันที่เริ่มซ่อม", "Started on", P.INTERNAL),
        Field("done_on", DType.DATE, "วันที่ซ่อมเสร็จ", "Done on", P.INTERNAL),
        Field("verified_on", DType.DATE, "วันที่ตรวจรับ", "Verified on", P.INTERNAL),
    ),
)
