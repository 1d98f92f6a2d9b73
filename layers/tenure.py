"""Tenure zones: the state (or concession) land that negotiations are about."""

from __future__ import annotations

from types import MappingProxyType

from layers.schema import DType, Field, LayerSpec, PrivacyClass, Style
from layers.vocab import AGENCY, TENURE_CLASS

P = PrivacyClass

TENURE_ZONES = LayerSpec(
    name="tenure_zones",
    label_th="เขตที่ดินของรัฐ/สัมปทาน",
    label_en="Tenure zones",
    geometry="MultiPolygon",
    key="zone_id",
    geometry_privacy=P.PUBLIC,
    fields=(
        Field("zone_id", DType.STR, "รหัสเขต", "Zone id", P.PUBLIC, required=True,
              synonyms=("zone",)),
        Field("agency", DType.STR, "หน่วยงานที่ดูแล", "Agency", P.PUBLIC, required=True,
              vocabulary=AGENCY, synonyms=("หน่วยงาน",)),
        Field("tenure_class", DType.STR, "ประเภทที่ดิน", "Tenure class", P.PUBLIC,
              required=True, vocabulary=TENURE_CLASS, synonyms=("ประเภท", "class")),
        Field("official_name", DType.STR, "ชื่อทางราชการ", "Official name", P.PUBLIC,
              synonyms=("ชื่อ", "name")),
        Field("legal_basis", DType.STR, "ฐานทางกฎหมาย", "Legal basis", P.PUBLIC,
              synonyms=("กฎหมาย", "law")),
        Field("source", DType.STR, "แหล่งข้อมูล", "Source", P.PUBLIC),
        Field("source_date", DType.DATE, "วันที่ของข้อมูล", "Source date", P.PUBLIC),
        Field("extra", DType.JSON, "ข้อมูลอื่นจากไฟล์นำเข้า", "Other imported columns",
              P.INTERNAL),
    ),
    style=Style(
        color="#757575",
        by_field="agency",
        colors=MappingProxyType({
            "alro": "#f9a825",
            "royal_forest_dept": "#1b5e20",
            "national_park": "#004d40",
            "treasury": "#5d4037",
            "state_railway": "#37474f",
            "crown_property": "#6a1b9a",
            "municipality": "#1565c0",
            "public_land": "#78909c",
            "private_concession": "#ad1457",
            "other": "#9e9e9e",
        }),
        fill_opacity=0.2,
        weight=2.0,
    ),
)
