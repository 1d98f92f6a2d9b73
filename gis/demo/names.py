"""Synthetic Thai names for the demo: people, villages, communities and forests.

People are random combinations of common given names and common surnames, so that the demo
looks like a real survey sheet while naming nobody; no list of real people is used. Village and
forest names are built the way rural Thai place names are (a landform or water word and a plant,
animal or quality), each with an RTGS romanisation for the English label.
"""

from __future__ import annotations

import random
from typing import Literal

Sex = Literal["male", "female"]

MALE_GIVEN: tuple[str, ...] = (
    "สมชาย", "สมศักดิ์", "สมพงษ์", "สมบัติ", "สมหมาย", "ประเสริฐ", "ประสิทธิ์", "บุญมี",
    "บุญชู", "บุญเลิศ", "สุชาติ", "สุรชัย", "วิชัย", "วิรัตน์", "ชัยวัฒน์", "ทองดี", "ทองใบ",
    "มานพ", "มงคล", "สุวิทย์", "อุดม", "เกษม", "ไพโรจน์", "ณรงค์", "ธนากร", "อนุชา", "จักรพันธ์",
    "สายัณห์", "เสถียร", "คำปั่น", "บุญส่ง", "สังวาล", "ประยูร", "ถนอม", "พิชิต", "วีระ",
    "อำนาจ", "นิพนธ์", "สุนทร", "กิตติ", "ธีรวัฒน์", "ศักดิ์ชัย", "เอกชัย", "ภานุวัฒน์",
)

FEMALE_GIVEN: tuple[str, ...] = (
    "สมศรี", "สมพร", "สมจิตร", "มาลี", "บุญเรือน", "บุญมา", "สุนีย์", "วันเพ็ญ", "ทองพูน",
    "ประไพ", "ประนอม", "บัวผัน", "บัวลอย", "คำแพง", "สายทอง", "จันทร์เพ็ญ", "นงลักษณ์",
    "นวลจันทร์", "ละเอียด", "ลำดวน", "อำไพ", "อรุณี", "สุภาพ", "สุดารัตน์", "กาญจนา",
    "พรทิพย์", "ศิริพร", "รัตนา", "วิไล", "เพ็ญศรี", "ยุพิน", "ชนิดา", "จิราพร", "ปราณี",
    "ทองสุข", "สำราญ", "หนูพิน", "บุญยืน", "อัมพร", "เยาวลักษณ์", "กัลยา", "พิมพ์ใจ",
)

SURNAMES: tuple[str, ...] = (
    "ศรีสุข", "แสงทอง", "ใจดี", "บุญมา", "สุขสวัสดิ์", "ทองดี", "มีสุข", "พรหมมา", "ศรีวงศ์",
    "จันทร์หอม", "แก้วมณี", "บุญยืน", "สีดา", "ทองคำ", "ชัยมงคล", "ประเสริฐสุข", "เพชรรัตน์",
    "วงศ์สวัสดิ์", "สมบูรณ์ชัย", "บุญประเสริฐ", "กองแก้ว", "คำภา", "ทองมา", "พันธ์ดี",
    "ภูมิสุข", "รักษาศรี", "ศรีทอง", "สายบุญ", "หอมจันทร์", "อินทร์แก้ว", "แก้วประเสริฐ",
    "ดวงแก้ว", "นาคสุข", "บุญช่วย", "ปัญญาดี", "มั่นคง", "ยิ้มแย้ม", "รุ่งเรือง", "วงษ์ทอง",
    "สุขเจริญ", "เหมือนแก้ว", "อ่อนศรี", "ขำคม", "จันทร์แก้ว", "ชูศรี", "ทองสุข", "นิลวงศ์",
    "บัวแก้ว", "พลายงาม", "มณีวงศ์", "ศรีประเสริฐ", "สังข์ทอง", "หงษ์ทอง", "โพธิ์ศรี",
    "คงสวัสดิ์", "เจริญสุข", "ด้วงทอง", "ทับทิมทอง", "บุญเกิด", "ผิวผ่อง", "พึ่งบุญ",
)

# The first half of a village name (landform, water body) and the second (plant, animal,
# quality), Thai with RTGS romanisation. Real villages with some of these names exist all over
# Thailand, as they do for any common pattern; the combinations here are drawn at random.
_PLACE_HEADS: tuple[tuple[str, str], ...] = (
    ("หนอง", "Nong"), ("โคก", "Khok"), ("ห้วย", "Huai"), ("คลอง", "Khlong"), ("วัง", "Wang"),
    ("ทุ่ง", "Thung"), ("โนน", "Non"), ("ซับ", "Sap"), ("เขา", "Khao"), ("ดง", "Dong"),
)
_PLACE_TAILS: tuple[tuple[str, str], ...] = (
    ("บัว", "Bua"), ("ไผ่", "Phai"), ("สะแก", "Sakae"), ("ตะเคียน", "Takhian"),
    ("มะค่า", "Makha"), ("ยาง", "Yang"), ("กระทุ่ม", "Krathum"), ("จาน", "Chan"),
    ("แก", "Kae"), ("ตาเสือ", "Ta Suea"), ("สมบูรณ์", "Sombun"), ("ใหม่พัฒนา", "Mai Phatthana"),
    ("ทองหลาง", "Thonglang"), ("มะกอก", "Makok"), ("ปรือ", "Prue"), ("นกยูง", "Nok Yung"),
    ("หินลาด", "Hin Lat"), ("เจริญ", "Charoen"), ("สามัคคี", "Samakkhi"), ("กุ่ม", "Kum"),
)

# Urban communities (ชุมชน) near the district town are named after a landmark.
_COMMUNITY_NAMES: tuple[tuple[str, str], ...] = (
    ("ชุมชนตลาดเก่า", "Talat Kao community"),
    ("ชุมชนหลังสถานีขนส่ง", "Lang Sathani Khonsong community"),
    ("ชุมชนริมคลองวังน้ำเย็น", "Rim Khlong Wang Nam Yen community"),
    ("ชุมชนหลังวัด", "Lang Wat community"),
    ("ชุมชนหน้าโรงพยาบาล", "Na Rongphayaban community"),
)

_FOREST_NAMES: tuple[str, ...] = (
    "เขาหินซ้อน", "ห้วยไม้เต็ง", "โคกกระบก", "ดงยางแดง", "คลองตะเคียนทอง", "เขาสะแกกรัง",
)


def person_name(rng: random.Random, *, sex: Sex, married: bool = True) -> str:
    """A synthetic full name with its title, written the Thai way: ``นายสมชาย ใจดี``.

    Parameters
    ----------
    rng
        The source of randomness.
    sex
        ``"male"`` gives นาย; ``"female"`` gives นาง or นางสาว.
    married
        For women only: นาง when true, นางสาว when false.

    Returns
    -------
    str
        Title and given name joined (as on Thai forms), a space, then the surname.
    """
    if sex == "male":
        title, given = "นาย", rng.choice(MALE_GIVEN)
    else:
        title, given = ("นาง" if married else "นางสาว"), rng.choice(FEMALE_GIVEN)
    return f"{title}{given} {rng.choice(SURNAMES)}"


def random_head_name(rng: random.Random) -> str:
    """A household head's name: about 60 % men, and most women heads married (นาง)."""
    if rng.random() < 0.6:
        return person_name(rng, sex="male")
    return person_name(rng, sex="female", married=rng.random() < 0.75)


def village_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """``count`` distinct rural village names ``("บ้านหนองบัว", "Ban Nong Bua")``.

    Parameters
    ----------
    rng
        The source of randomness.
    count
        How many names; at most the number of head × tail combinations (200).

    Returns
    -------
    list of (str, str)
        Thai and English names, in the order drawn.
    """
    pairs = [(h, t) for h in _PLACE_HEADS for t in _PLACE_TAILS]
    if count > len(pairs):
        raise ValueError(f"count must be at most {len(pairs)}, received {count}")
    chosen = rng.sample(pairs, count)
    return [(f"บ้าน{h[0]}{t[0]}", f"Ban {h[1]} {t[1]}") for h, t in chosen]


def community_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """``count`` distinct urban community names (ชุมชน…), Thai and English."""
    if count > len(_COMMUNITY_NAMES):
        raise ValueError(f"count must be at most {len(_COMMUNITY_NAMES)}, received {count}")
    return rng.sample(list(_COMMUNITY_NAMES), count)


def forest_names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct synthetic reserved-forest names: ``ป่าสงวนแห่งชาติป่า…``."""
    if count > len(_FOREST_NAMES):
        raise ValueError(f"count must be at most {len(_FOREST_NAMES)}, received {count}")
    return [f"ป่าสงวนแห่งชาติป่า{name}" for name in rng.sample(list(_FOREST_NAMES), count)]


def volunteer_names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct surveyor names: village health volunteers (อสม.), mostly women."""
    names: list[str] = []
    while len(names) < count:
        name = person_name(rng, sex="female" if rng.random() < 0.75 else "male")
        if name not in names:
            names.append(name)
    return names


def builder_name(rng: random.Random, village_name_th: str) -> str:
    """A local builder: a named craftsman (ช่าง…) or the village's builders' group."""
    if rng.random() < 0.35:
        # "กลุ่มช่างชุมชนบ้านหนองบัว", but not "ชุมชนชุมชน…" for an urban community.
        group = village_name_th if village_name_th.startswith("ชุมชน") else f"ชุมชน{village_name_th}"
        return f"กลุ่มช่าง{group}"
    return f"ช่าง{rng.choice(MALE_GIVEN)} {rng.choice(SURNAMES)}"
