"""Budgets per programme and area, with tranches (e.g. 70% first, 30% later) and caps."""

from __future__ import annotations

from layers.schema import DType, Field, LayerSpec, PrivacyClass
from layers.vocab import PROGRAMME

P = PrivacyClass

BUDGETS = LayerSpec(
    name="budgets",
    label_th="งบประมาณ",
    label_en="Budgets",
    geometry=None,
    key="budget_id",
    area_field="area_code",
    fields=(
        Field("budget_id", DType.STR, "รหัสงบประมาณ", "Budget id", P.INTERNAL, required=True),
        Field("programme", DType.STR, "โครงการ", "Programme", P.PUBLIC, required=True,
              vocabulary=PROGRAMME),
        Field("area_code", DType.STR, "รหัสพื้นที่", "Area code", P.PUBLIC, required=True),
        Field("fiscal_year", DType.INT, "ปีงบประมาณ (พ.ศ.)", "Fiscal year (B.E.)", P.PUBLIC),
        Field("allocation", DType.FLOAT, "งบที่ได้รับจัดสรร (บาท)", "Allocation (baht)",
              P.PUBLIC, required=True),
        # [{"no": 1, "percent": 70, "due_on": "2026-01-15", "transferred_on": ..., "amount": ...}]
        Field("tranches", DType.JSON, "งวดการโอนเงิน", "Tranches", P.INTERNAL),
        Field("transferred", DType.FLOAT, "โอนแล้ว (บาท)", "Transferred (baht)", P.INTERNAL),
        Field("committed", DType.FLOAT, "ผูกพันแล้ว (บาท)", "Committed (baht)", P.INTERNAL),
        Field("spent", DType.FLOAT, "ใช้จ่ายแล้ว (บาท)", "Spent (baht)", P.INTERNAL),
        Field("cap_per_house", DType.FLOAT, "เพดานต่อหลัง (บาท)", "Cap per house (baht)",
              P.PUBLIC),
        Field("cap_per_project", DType.FLOAT, "เพดานต่อโครงการ (บาท)",
              "Cap per project (baht)", P.PUBLIC),
        Field("cap_per_area", DType.FLOAT, "เพดานต่อพื้นที่ (บาท)", "Cap per area (baht)",
              P.PUBLIC),
        Field("notes", DType.STR, "หมายเหตุ", "Notes", P.INTERNAL),
    ),
)
