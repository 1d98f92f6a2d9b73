"""Households: the people the whole programme is for. Names, IDs, phones, income and health
details are personal or sensitive and pass through ``gis.privacy`` before anyone sees them."""

from __future__ import annotations

from types import MappingProxyType

from layers.schema import DType, Field, LayerSpec, PrivacyClass, Style
from layers.vocab import DWELLING_STATUS, HOUSE_CONDITION

P = PrivacyClass

HOUSEHOLDS = LayerSpec(
    name="households",
    label_th="ครัวเรือน",
    label_en="Households",
    geometry="Point",
    key="household_id",
    area_field="village_code",
    # An exact house point of a named person is personal data (DESIGN.md §3).
    geometry_privacy=P.PERSONAL,
    fields=(
        Field("household_id", DType.STR, "รหัสครัวเรือน", "Household id", P.INTERNAL,
              required=True, synonyms=("รหัสบ้าน", "hh_id", "household")),
        Field("house_no", DType.STR, "บ้านเลขที่", "House number", P.PERSONAL,
              synonyms=("เลขที่", "house_number")),
        Field("plot_id", DType.STR, "รหัสแปลง", "Plot id", P.INTERNAL,
              synonyms=("เลขแปลง", "plot")),
        Field("village_code", DType.STR, "รหัสหมู่บ้าน/ชุมชน", "Village / community code",
              P.PUBLIC, required=True, synonyms=("รหัสหมู่บ้าน", "village_id")),
        Field("head_name", DType.STR, "ชื่อหัวหน้าครัวเรือน", "Head of household", P.PERSONAL,
              required=True, synonyms=("ชื่อ-สกุล", "ชื่อสกุล", "ชื่อ", "name", "head")),
        Field("national_id", DType.STR, "เลขประจำตัวประชาชน", "National ID number",
              P.SENSITIVE, synonyms=("เลขบัตรประชาชน", "id_card", "citizen_id")),
        Field("phone", DType.STR, "โทรศัพท์", "Phone", P.PERSONAL,
              synonyms=("เบอร์โทร", "tel", "mobile")),
        Field("members", DType.INT, "จำนวนสมาชิก", "Members", P.INTERNAL,
              synonyms=("สมาชิก", "จำนวนคน", "persons")),
        Field("elderly", DType.INT, "ผู้สูงอายุ (คน)", "Elderly members", P.INTERNAL,
              synonyms=("ผู้สูงอายุ", "elders")),
        Field("disabled", DType.INT, "ผู้พิการ (คน)", "Disabled members", P.SENSITIVE,
              synonyms=("ผู้พิการ", "disability")),
        Field("bedridden", DType.INT, "ผู้ป่วยติดเตียง (คน)", "Bedridden members", P.SENSITIVE,
              synonyms=("ติดเตียง", "ผู้ป่วยติดเตียง")),
        Field("children", DType.INT, "เด็กเล็ก (คน)", "Young children", P.INTERNAL,
              synonyms=("เด็ก", "kids")),
        Field("monthly_income", DType.FLOAT, "รายได้ครัวเรือนต่อเดือน (บาท)",
              "Household income per month (baht)", P.SENSITIVE,
              synonyms=("รายได้", "income")),
        Field("dwelling_status", DType.STR, "สถานะการอยู่อาศัย", "Dwelling status", P.INTERNAL,
              vocabulary=DWELLING_STATUS, synonyms=("สถานะบ้าน", "dwelling")),
        Field("house_condition", DType.STR, "สภาพบ้าน", "House condition", P.INTERNAL,
              vocabulary=HOUSE_CONDITION, synonyms=("สภาพที่อยู่อาศัย", "condition")),
        Field("needs_repair", DType.BOOL, "ต้องซ่อมบ้าน", "Needs repair", P.INTERNAL),
        Field("priority_score", DType.FLOAT, "คะแนนความจำเป็น", "Priority score", P.SENSITIVE,
              derived=True),
        Field("priority_flag", DType.BOOL, "ครัวเรือนเร่งด่วน", "Marked as priority",
              P.INTERNAL),
        Field("priority_note", DType.STR, "เหตุผลที่จัดเป็นครัวเรือนเร่งด่วน", "Priority note",
              P.SENSITIVE),
        Field("consent", DType.BOOL, "ยินยอมให้ใช้ข้อมูล", "Consent to use data", P.INTERNAL,
              required=True, synonyms=("ความยินยอม",)),
        Field("survey_date", DType.DATE, "วันที่สำรวจ", "Survey date", P.INTERNAL,
              synonyms=("วันที่", "date")),
        Field("surveyor", DType.STR, "ผู้สำรวจ", "Surveyor", P.INTERNAL,
              synonyms=("ผู้เก็บข้อมูล", "enumerator")),
        Field("extra", DType.JSON, "ข้อมูลอื่นจากไฟล์นำเข้า", "Other imported columns",
              P.INTERNAL),
    ),
    style=Style(
        color="#616161",
        by_field="house_condition",
        colors=MappingProxyType({
            "good": "#2e7d32",
            "fair": "#f9a825",
            "poor": "#ef6c00",
            "dilapidated": "#c62828",
        }),
        fill_opacity=0.9,
        radius=5.0,
    ),
)
