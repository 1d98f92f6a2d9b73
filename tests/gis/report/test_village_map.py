"""``landmap report village-map``, run as a real command on the Wang Nam Yen demo: the title
(village, tambon, amphoe, province, Buddhist-Era date), the numbered households on the map and
in the list against the store, A3 against A4, the footer on every page, the audit entry, and
the refusals — an outside audience, a role that may not see names, bad input — in Thai and
English without a traceback."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import shapely

from gis.errors import InputError
from gis.privacy import Audience, Role, public_audience
from gis.report.labels_village_map import TEXT
from gis.report.village_map import village_map
from gis.report.village_map_data import Entry
from gis.report.village_map_draw import village_svg
from gis.store import Store, open_store
from tests.gis.report.conftest import first_page_png, landmap, pdf_info, pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("needs_chromium")]

VILLAGE = "27040103"  # หมู่ที่ 3 ชุมชนหน้าโรงพยาบาล: repairs at every open stage
THAI_MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
               "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")


@dataclass(frozen=True)
class Printed:
    path: Path
    text: str
    layout: str
    pages: int
    size: tuple[float, float]  # points
    dates: tuple[dt.date, dt.date]


def bangkok_today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Bangkok")).date()


@pytest.fixture(scope="module")
def opened(report_store: Path) -> Iterator[Store]:
    store = open_store(str(report_store), create=False)
    yield store
    store.close()


@pytest.fixture(scope="module")
def printed(report_store: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Printed]:
    """Print with the real command, once per set of arguments."""
    folder = tmp_path_factory.mktemp("village-maps")
    made: dict[tuple[str, ...], Printed] = {}

    def make(*args: str) -> Printed:
        if args not in made:
            out = folder / f"{len(made)}.pdf"
            before = bangkok_today()
            proc = landmap("report", "village-map", "--store", str(report_store), *args,
                           "--out", str(out))
            assert proc.returncode == 0, proc.stderr
            assert "Traceback" not in proc.stderr
            info = pdf_info(out)
            width, height = re.findall(r"[\d.]+", info["Page size"])[:2]
            made[args] = Printed(out, pdf_text(out), pdf_text(out, layout=True),
                                 int(info["Pages"]), (float(width), float(height)),
                                 (before, bangkok_today()))
        return made[args]

    return make


def natural(house_no: object) -> list[object]:
    """House numbers as people sort them: 7, 7/1, 8, 10."""
    text = "" if house_no is None else str(house_no)
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", text) if p]


def expected_list(store: Store, village: str) -> list[tuple[int, str, str]]:
    """(number, house number, head's name) of the households the map should number, worked
    out from the store: an unverified repair, or marked as needing repair / priority without
    any repair."""
    households = store.read("households", where={"village_code": village})
    repairs = store.read("repairs", where={"village_code": village})
    open_ = set(repairs.loc[repairs["status"] != "verified", "household_uid"])
    any_ = set(repairs["household_uid"])
    flagged = (households["needs_repair"].fillna(False).astype(bool)
               | households["priority_flag"].fillna(False).astype(bool))
    chosen = households.loc[households["uid"].isin(open_)
                            | (flagged & ~households["uid"].isin(any_))]
    rows = sorted(zip(chosen["house_no"], chosen["head_name"], chosen["household_id"],
                      strict=True), key=lambda r: (natural(r[0]), r[2]))
    return [(n, str(house), str(name)) for n, (house, name, _) in enumerate(rows, start=1)]


def one_line(text: str) -> str:
    return " ".join(text.split())


def a4(printed: Callable[..., Printed]) -> Printed:
    return printed("--village", VILLAGE)


def a3(printed: Callable[..., Printed]) -> Printed:
    return printed("--village", VILLAGE, "--paper", "a3")


def test_the_map_names_the_village_its_area_and_the_buddhist_era_date(
        printed: Callable[..., Printed]) -> None:
    p = a4(printed)
    first = one_line(p.text.split("\f")[0])
    assert "แผนที่งานซ่อมบ้าน หมู่ที่ 3 ชุมชนหน้าโรงพยาบาล" in first
    assert "ตำบลวังน้ำเย็น อำเภอวังน้ำเย็น จังหวัดสระแก้ว" in first
    assert any(f"{d.day} {THAI_MONTHS[d.month - 1]} {d.year + 543}" in first for d in p.dates)
    # The legend, scale bar and north arrow are drawn on the map's page.
    for words in ("ผู้พิการ", "ผู้สูงอายุ", "ผู้ป่วยติดเตียง", "กำลังซ่อม", "ซ่อมเสร็จ"):
        assert words in first
    assert "เมตร" in first and re.search(r"\bN\b", first)
    first_page_png(p.path, "village-map-a4")


def test_the_list_and_the_map_number_the_households_still_to_visit(
        printed: Callable[..., Printed], opened: Store) -> None:
    p = a4(printed)
    expected = expected_list(opened, VILLAGE)
    assert len(expected) > 20  # open repairs and households waiting for a proposal
    found: dict[int, str] = {}
    listed = p.layout.split("\f", 1)[1]  # the list follows the map's page
    for line in listed.splitlines():
        match = re.match(r"^\s*(\d+)\s+(\S+)\s", line)
        if match:
            found.setdefault(int(match[1]), line)
    for number, house, name in expected:
        assert number in found, f"no list row {number}"
        row = found[number]
        assert re.match(rf"^\s*{number}\s+{re.escape(house)}\s", row), row
        assert "".join(name.split()) in "".join(row.split()), (name, row)
    # Every number is on the map's page too (each marker carries its number).
    on_map = {int(n) for n in re.findall(r"(?<![\d,./])\d+(?![\d,./])", p.text.split("\f")[0])}
    assert set(range(1, len(expected) + 1)) <= on_map


def test_a3_prints_a_bigger_page(printed: Callable[..., Printed]) -> None:
    small, big = a4(printed), a3(printed)
    assert big.size[0] * big.size[1] > 1.9 * small.size[0] * small.size[1]
    assert sorted(big.size) == pytest.approx([841.9, 1190.6], abs=1.0)  # A3 in points
    assert sorted(small.size) == pytest.approx([595.3, 841.9], abs=1.0)
    assert "หมู่ที่ 3 ชุมชนหน้าโรงพยาบาล" in one_line(big.text)
    first_page_png(big.path, "village-map-a3")


def test_every_page_carries_its_number_and_the_audience(printed: Callable[..., Printed]) -> None:
    for p in (a4(printed), a3(printed)):
        pages = [one_line(page) for page in p.text.split("\f")[:p.pages]]
        assert len(pages) == p.pages >= 2
        for number, page in enumerate(pages, start=1):
            assert f"หน้า {number} / {p.pages}" in page
            assert "ผู้อ่าน: ผู้ดูแลระบบ · รวมข้อมูลส่วนบุคคลที่อ่อนไหว" in page


def test_in_english_with_common_era_dates(printed: Callable[..., Printed]) -> None:
    p = printed("--village", VILLAGE, "--lang", "en", "--era", "ce")
    text = one_line(p.text)
    assert "House repair map Moo 3 Na Rongphayaban community" in text
    assert "Wang Nam Yen Subdistrict, Wang Nam Yen District, Sa Kaeo Province" in text
    assert any(f"{d:%-d %B %Y}" in text for d in p.dates)
    assert TEXT["en"]["list"] in text and "Page 1 / " in text


def test_each_print_is_in_the_audit_log(printed: Callable[..., Printed], opened: Store) -> None:
    p = a3(printed)
    entries = [e for e in opened.read_audit(action="report_village_map", limit=1000)
               if e["detail"]["file"] == str(p.path)]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["subject"] == VILLAGE and entry["username"].startswith("cli:")
    detail = entry["detail"]
    assert detail["paper"] == "a3" and detail["audience_role"] == "admin"
    assert detail["numbered"] == len(expected_list(opened, VILLAGE))
    assert detail["pages"] == p.pages


@pytest.mark.parametrize("audience", [
    dataclasses.replace(public_audience("agency"), areas=frozenset({VILLAGE})),
    Audience("negotiator", Role.NEGOTIATOR, frozenset({"2704"})),
])
def test_an_audience_that_may_not_see_names_is_refused(
        opened: Store, tmp_path: Path, audience: Audience) -> None:
    with pytest.raises(InputError) as caught:
        village_map(opened, village=VILLAGE, audience=audience, out=tmp_path / "map.pdf")
    if audience.outside:
        assert "ใช้ภายในชุมชนเท่านั้น" in caught.value.message_th
        assert "for the community's own use" in caught.value.message_en
    else:
        assert "ไม่มีสิทธิ์เห็นชื่อ" in caught.value.message_th
        assert "may not see names" in caught.value.message_en
    assert list(tmp_path.iterdir()) == []


def test_a_surveyor_gets_no_sensitive_symbols(opened: Store, tmp_path: Path) -> None:
    surveyor = Audience("surveyor", Role.SURVEYOR, frozenset({"270401"}))
    out = village_map(opened, village=VILLAGE, audience=surveyor, out=tmp_path / "map.pdf")
    text = one_line(pdf_text(out))
    assert TEXT["th"]["members_hidden"] in text
    assert "ผู้สูงอายุ" in text  # internal, shown
    assert "ผู้พิการ 1" not in text and "ผู้ป่วยติดเตียง 1" not in text
    assert "ผู้อ่าน: ทีมสำรวจ" in text
    with pytest.raises(InputError, match="outside this audience's areas"):
        village_map(opened, village="27040501", audience=surveyor, out=tmp_path / "x.pdf")


@pytest.mark.parametrize(("args", "th", "en"), [
    (["--village", "99999999"], "ไม่รู้จักรหัสพื้นที่ '99999999'",
     "unknown area code '99999999'"),
    (["--village", "270401"], "ไม่ใช่รหัสหมู่บ้าน/ชุมชน", "is not a village code"),
    (["--village", VILLAGE, "--paper", "a5"], "ข้อผิดพลาด", "invalid choice: 'a5'"),
    (["--village", VILLAGE, "--out", "/no/such/folder/map.pdf"], "ไม่มีโฟลเดอร์นี้",
     "the folder does not exist"),
])
def test_bad_input_is_refused_in_thai_and_english_without_a_traceback(
        report_store: Path, tmp_path: Path, args: list[str], th: str, en: str) -> None:
    if "--out" not in args:
        args = [*args, "--out", str(tmp_path / "map.pdf")]
    proc = landmap("report", "village-map", "--store", str(report_store), *args)
    assert proc.returncode == 2
    assert th in proc.stderr and en in proc.stderr
    assert "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_crowded_houses_keep_every_number_with_a_line_to_their_house() -> None:
    # Twelve houses a metre apart: each number moves out to a free spot, none is dropped and
    # none covers another; a line leads back to each moved number's house.
    houses = [shapely.Point(102.1 + i * 1e-5, 13.56) for i in range(12)]
    entries = [Entry(number=i + 1, uid=str(i), house_no=str(i + 1), head_name="", point=p,
                     status="proposed", priority=False, members={}, repairs=())
               for i, p in enumerate(houses)]
    svg = str(village_svg(outline=None, plots=[shapely.box(102.0995, 13.5595, 102.1015,
                                                           13.5605)],
                          entries=entries, others=[], width_mm=120, height_mm=80, lang="th"))
    markers = svg.split('<g class="markers">')[1]
    numbers = re.findall(r'font-weight="700"[^>]*>(\d+)</text>', markers)
    assert sorted(map(int, numbers)) == list(range(1, 13))
    centres = [(float(x), float(y)) for x, y in
               re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="6.0"', markers)]
    assert len(centres) == 12
    for i, (x1, y1) in enumerate(centres):
        for x2, y2 in centres[i + 1:]:
            assert abs(x1 - x2) >= 12 or abs(y1 - y2) >= 12  # 2 × the radius apart
    leaders = svg.split('<g class="leaders">')[1].split("</g>")[0]
    assert leaders.count("<line ") >= 10
