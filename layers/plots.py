"""Land plots: who owns the land, what document the occupant holds, how secure their tenure is."""

from __future__ import annotations

from types import MappingProxyType

from layers.schema import DType, Field, LayerSpec, PrivacyClass, Style
from layers.vocab import LAND_DOCUMENT, LAND_OWNER, OCCUPANT_TENURE

P = PrivacyClass

PLOTS = LayerSpec(
    name="plots",
    label_th="แปลงที่ดิน",
    label_en="Land plots",
    geometry="MultiPolygon",
    key="plot_id",
    area_field="village_code",
    geometry_privacy=P.INTERNAL,
    fields=(
        Field("plot_id", DType.STR, "รหัสแปลง", "Plot id", P.INTERNAL, required=True,
              synonyms=("เลขแปลง", "แปลง", "plot", "parcel_id")),
        Field("village_code", DType.STR, "รหัสหมู่บ้าน/ชุมชน", "Village / community code",
              P.PUBLIC, required=True, synonyms=("รหัสหมู่บ้าน", "village_id")),
        Field("land_document", DType.STR, "เอกสารสิทธิ์", "Land document", P.INTERNAL,
              vocabulary=LAND_DOCUMENT, synonyms=("เอกสารสิทธิ", "document", "doc_type")),
        Field("document_number", DType.STR, "เลขที่เอกสารสิทธิ์", "Document number",
              P.PERSONAL, synonyms=("เลขที่โฉนด", "deed_no")),
        Field("land_owner", DType.STR, "เจ้าของที่ดิน", "Land owner", P.INTERNAL,
              vocabulary=LAND_OWNER, synonyms=("ผู้ถือกรรมสิทธิ์", "owner")),
        Field("occupant_tenure", DType.STR, "สถานะการครอบครอง", "Occupant tenure", P.INTERNAL,
              vocabulary=OCCUPANT_TENURE, synonyms=("การครอบครอง", "tenure")),
        Field("official_area", DType.STR, "เนื้อที่ตามเอกสาร (ไร่-งาน-วา)",
              "Official area (rai-ngan-wa)", P.INTERNAL, synonyms=("เนื้อที่", "area_rnw")),
        Field("measured_area_m2", DType.FLOAT, "เนื้อที่วัดจากแผนที่ (ตร.ม.)",
              "Measured area (m²)", P.INTERNAL, derived=True),
        Field("notes", DType.STR, "หมายเหตุ", "Notes", P.INTERNAL, synonyms=("note",)),
        Field("extra", DType.JSON, "ข้อมูลอื่นจากไฟล์นำเข้า", "Other imported columns",
              P.INTERNAL),
    ),
    style=Style(
        color="#9e9e9e",
        by_field="land_owner",
        colors=MappingProxyType({
            "private": "#66bb6a",
            "occupant": "#2e7d32",
            "treasury": "#8d6e63",
            "state_railway": "#6d4c41",
            "alro": "#fbc02d",
            "royal_forest_dept": "#1b5e20",
            "national_park": "#00695c",
            "crown_property": "#7b1fa2",
            "municipality": "#1976d2",
            "temple": "#ff8f00",
            "public_land": "#90a4ae",
            "unknown": "#bdbdbd",
        }),
    ),
)
