"""DOPA administrative units: province (2 digits), amphoe (4), tambon (6), village (8, CCAATTMM)."""

from __future__ import annotations

from layers.schema import DType, Field, LayerSpec, PrivacyClass, Style
from layers.vocab import ADMIN_LEVEL

P = PrivacyClass

ADMIN = LayerSpec(
    name="admin",
    label_th="เขตการปกครอง",
    label_en="Administrative areas",
    geometry="MultiPolygon",
    key="code",
    geometry_privacy=P.PUBLIC,
    fields=(
        Field("code", DType.STR, "รหัสพื้นที่ (มหาดไทย)", "DOPA area code", P.PUBLIC,
              required=True, synonyms=("รหัส", "admin_code", "geocode")),
        Field("level", DType.STR, "ระดับ", "Level", P.PUBLIC, required=True,
              vocabulary=ADMIN_LEVEL),
        Field("name_th", DType.STR, "ชื่อ (ไทย)", "Name (Thai)", P.PUBLIC, required=True,
              synonyms=("ชื่อ", "name")),
        Field("name_en", DType.STR, "ชื่อ (อังกฤษ)", "Name (English)", P.PUBLIC),
        Field("parent_code", DType.STR, "รหัสพื้นที่ระดับบน", "Parent area code", P.PUBLIC),
    ),
    style=Style(color="#555555", fill_opacity=0.0, weight=2.0),
)
