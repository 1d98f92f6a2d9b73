"""Domain vocabularies (DESIGN.md §3 and §11). Codes are stable identifiers: transliterated Thai
terms where Thai is the domain's word (``nor_sor_3k``), plain English otherwise. Never reuse or
rename a code once data carries it; add a new one."""

from __future__ import annotations

from layers.schema import Term, Vocabulary


def _v(name: str, *terms: tuple[str, str, str]) -> Vocabulary:
    return Vocabulary(name, tuple(Term(code, th, en) for code, th, en in terms))


ADMIN_LEVEL = _v(
    "admin_level",
    ("province", "จังหวัด", "Province"),
    ("amphoe", "อำเภอ", "District (amphoe)"),
    ("tambon", "ตำบล", "Subdistrict (tambon)"),
    ("village", "หมู่บ้าน", "Village (muban)"),
)

COMMUNITY_TYPE = _v(
    "community_type",
    ("rural_village", "หมู่บ้านชนบท", "Rural village"),
    ("urban_community", "ชุมชนเมือง", "Urban community"),
    ("crowded_community", "ชุมชนแออัด", "Crowded (slum) community"),
    ("suburban_community", "ชุมชนชานเมือง", "Suburban community"),
    ("nha_housing", "เคหะชุมชน", "National Housing Authority estate"),
    ("housing_estate", "หมู่บ้านจัดสรร", "Private housing estate"),
)

SURVEY_STATUS = _v(
    "survey_status",
    ("not_started", "ยังไม่สำรวจ", "Not started"),
    ("in_progress", "กำลังสำรวจ", "In progress"),
    ("complete", "สำรวจครบแล้ว", "Complete"),
    ("verified", "ตรวจสอบแล้ว", "Verified"),
)

LAND_DOCUMENT = _v(
    "land_document",
    ("chanote", "โฉนดที่ดิน (น.ส.4 จ)", "Title deed (chanote, Nor Sor 4 Jor)"),
    ("nor_sor_3k", "น.ส.3 ก", "Use certificate Nor Sor 3 Kor"),
    ("nor_sor_3", "น.ส.3", "Use certificate Nor Sor 3"),
    ("nor_sor_3kh", "น.ส.3 ข", "Use certificate Nor Sor 3 Khor"),
    ("sor_kor_1", "ส.ค.1", "Notice of possession (Sor Kor 1)"),
    ("sor_por_kor_4_01", "ส.ป.ก.4-01", "Land reform permit (Sor Por Kor 4-01)"),
    ("chanote_agri", "โฉนดเพื่อการเกษตร", "Agricultural title deed (from Sor Por Kor)"),
    ("por_bor_tor_5", "ภ.บ.ท.5", "Local tax receipt (Por Bor Tor 5)"),
    ("nor_sor_lor", "น.ส.ล.", "Public land certificate (Nor Sor Lor)"),
    ("kor_tor_chor_permit", "หนังสืออนุญาต คทช.", "Community land permit (KorTorChor)"),
    ("lease_contract", "สัญญาเช่า", "Lease contract"),
    ("none", "ไม่มีเอกสาร", "No document"),
    ("unknown", "ไม่ทราบ", "Unknown"),
)

LAND_OWNER = _v(
    "land_owner",
    ("private", "เอกชน", "Private owner"),
    ("occupant", "ผู้อยู่อาศัยเอง", "The occupant"),
    ("treasury", "กรมธนารักษ์ (ที่ราชพัสดุ)", "Treasury Department (state property)"),
    ("state_railway", "การรถไฟแห่งประเทศไทย", "State Railway of Thailand"),
    ("alro", "ส.ป.ก.", "Agricultural Land Reform Office (ALRO)"),
    ("royal_forest_dept", "กรมป่าไม้", "Royal Forest Department"),
    ("national_park", "กรมอุทยานแห่งชาติฯ", "Dept. of National Parks"),
    ("crown_property", "สำนักงานทรัพย์สินพระมหากษัตริย์", "Crown Property Bureau"),
    ("municipality", "เทศบาล / อปท.", "Municipality / local government"),
    ("temple", "วัด", "Temple"),
    ("public_land", "ที่สาธารณประโยชน์", "Public land"),
    ("unknown", "ไม่ทราบ", "Unknown"),
)

OCCUPANT_TENURE = _v(
    "occupant_tenure",
    ("owner", "เป็นเจ้าของ", "Owner"),
    ("renter", "เช่า", "Renter"),
    ("collective_lease", "เช่าระยะยาวร่วมกัน (ชุมชน/สหกรณ์)", "Collective long-term lease"),
    ("permission", "อาศัยโดยได้รับอนุญาต", "Occupies with permission"),
    ("no_permission", "อาศัยโดยไม่ได้รับอนุญาต (บุกรุก)", "Occupies without permission"),
    ("facing_eviction", "ถูกไล่ที่", "Facing eviction"),
    ("unknown", "ไม่ทราบ", "Unknown"),
)

# Tenure that Landmap counts as secure in overlays and priority rules.
SECURE_TENURE: frozenset[str] = frozenset({"owner", "collective_lease"})

DWELLING_STATUS = _v(
    "dwelling_status",
    ("own_house", "บ้านตนเอง", "Own house"),
    ("living_with_others", "อาศัยผู้อื่นอยู่", "Living in someone else's house"),
    ("rented", "บ้านเช่า", "Rented house"),
    ("with_employer", "อยู่กับผู้จ้าง", "Living with the employer"),
    ("no_fixed_home", "ไม่มีที่อยู่เป็นหลักแหล่ง", "No fixed home"),
)

HOUSE_CONDITION = _v(
    "house_condition",
    ("good", "ดี คงทนถาวร", "Good, durable"),
    ("fair", "พอใช้", "Fair"),
    ("poor", "ชำรุด", "Poor, damaged"),
    ("dilapidated", "ทรุดโทรมมาก", "Dilapidated"),
)

REPAIR_STATUS = _v(
    "repair_status",
    ("proposed", "เสนอ", "Proposed"),
    ("approved", "อนุมัติแล้ว", "Approved"),
    ("in_progress", "กำลังซ่อม", "In progress"),
    ("done", "ซ่อมเสร็จ", "Done"),
    ("verified", "ตรวจรับแล้ว", "Verified by inspection"),
)

PROGRAMME = _v(
    "programme",
    ("baan_mankong_urban", "บ้านมั่นคงเมือง", "Baan Mankong (urban)"),
    ("baan_mankong_rural", "บ้านมั่นคงชนบท", "Baan Mankong (rural)"),
    ("baan_por_piang", "บ้านพอเพียง", "Baan Por Piang"),
    ("city_fund", "กองทุนพัฒนาคุณภาพชีวิตระดับเมือง", "City quality-of-life fund"),
    ("local_government", "งบท้องถิ่น", "Local government budget"),
    ("other", "อื่น ๆ", "Other"),
)

AGENCY = _v(
    "agency",
    ("alro", "ส.ป.ก.", "ALRO (Agricultural Land Reform Office)"),
    ("royal_forest_dept", "กรมป่าไม้", "Royal Forest Department"),
    ("national_park", "กรมอุทยานแห่งชาติ สัตว์ป่า และพันธุ์พืช", "Dept. of National Parks"),
    ("treasury", "กรมธนารักษ์", "Treasury Department"),
    ("state_railway", "การรถไฟแห่งประเทศไทย", "State Railway of Thailand"),
    ("crown_property", "สำนักงานทรัพย์สินพระมหากษัตริย์", "Crown Property Bureau"),
    ("municipality", "เทศบาล / อปท.", "Municipality / local government"),
    ("public_land", "ที่สาธารณประโยชน์ (อำเภอ/อปท.)", "Public land (district / local)"),
    ("private_concession", "ผู้รับสัมปทานเอกชน", "Private concession holder"),
    ("other", "อื่น ๆ", "Other"),
)

TENURE_CLASS = _v(
    "tenure_class",
    ("alro_land_reform", "เขตปฏิรูปที่ดิน", "Land reform area"),
    ("reserved_forest", "ป่าสงวนแห่งชาติ", "National reserved forest"),
    ("national_park", "อุทยานแห่งชาติ", "National park"),
    ("treasury_land", "ที่ราชพัสดุ", "Treasury (state) land"),
    ("railway_land", "ที่ดินการรถไฟ", "Railway land"),
    ("public_land", "ที่สาธารณประโยชน์", "Public land"),
    ("municipal_land", "ที่ดินเทศบาล", "Municipal land"),
    ("concession", "พื้นที่สัมปทาน", "Concession area"),
    ("other", "อื่น ๆ", "Other"),
)

# Who a user is in Landmap; gis.privacy decides what each role may see (DESIGN.md §3).
ROLE = _v(
    "role",
    ("admin", "ผู้ดูแลระบบ", "Administrator"),
    ("planner", "ผู้วางแผน", "Planner"),
    ("surveyor", "ทีมสำรวจ", "Surveyor"),
    ("negotiator", "ผู้เจรจา", "Negotiator"),
    ("agency_viewer", "ผู้ชมจากหน่วยงาน", "Agency viewer"),
)

ALL_VOCABULARIES: tuple[Vocabulary, ...] = (
    ADMIN_LEVEL, COMMUNITY_TYPE, SURVEY_STATUS, LAND_DOCUMENT, LAND_OWNER, OCCUPANT_TENURE,
    DWELLING_STATUS, HOUSE_CONDITION, REPAIR_STATUS, PROGRAMME, AGENCY, TENURE_CLASS,
    ROLE,
)
