"""Villages (muban) and urban communities: the unit that surveys, maps and reports are made for."""

from __future__ import annotations

from layers.schema import DType, Field, LayerSpec, PrivacyClass, Style
from layers.vocab import COMMUNITY_TYPE, SURVEY_STATUS

P = PrivacyClass

VILLAGES = LayerSpec(
    name="villages",
    label_th="หมู่บ้าน / ชุมชน",
    label_en="Villages / communities",
    geometry="MultiPolygon",
    key="village_code",
    area_field="village_code",
    geometry_privacy=P.PUBLIC,
    fields=(
        Field("village_code", DType.STR, "รหัสหมู่บ้าน/ชุมชน", "Village / community code",
              P.PUBLIC, required=True, synonyms=("รหัสหมู่บ้าน", "village_id", "muban_code")),
        Field("name_th", DType.STR, "ชื่อหมู่บ้าน/ชุมชน", "Village name (Thai)", P.PUBLIC,
              required=True, synonyms=("ชื่อหมู่บ้าน", "ชื่อชุมชน", "village", "name")),
        Field("name_en", DType.STR, "ชื่อ (อังกฤษ)", "Village name (English)", P.PUBLIC),
        Field("village_no", DType.INT, "หมู่ที่", "Village number (moo)", P.PUBLIC,
              synonyms=("หมู่", "moo")),
        Field("tambon_code", DType.STR, "รหัสตำบล", "Tambon code", P.PUBLIC, required=True,
              synonyms=("ตำบล", "tambon")),
        Field("community_type", DType.STR, "ประเภทชุมชน", "Community type", P.PUBLIC,
              vocabulary=COMMUNITY_TYPE),
        Field("survey_status", DType.STR, "สถานะการสำรวจ", "Survey status", P.INTERNAL,
              vocabulary=SURVEY_STATUS),
        Field("extra", DType.JSON, "ข้อมูลอื่นจากไฟล์นำเข้า", "Other imported columns",
              P.INTERNAL),
    ),
    style=Style(color="#1f4e79", fill_opacity=0.05, weight=2.5),
)
