"""``landmap report evidence``, run as a real command on the Wang Nam Yen demo: what the PDF
says (agency, area names, Buddhist-Era date, footer on every page), that an agency's pack holds
nothing personal and no annex, that an internal one lists the attachments, the audit entry,
and bilingual errors instead of tracebacks."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from gis.attachments import add_attachment
from gis.report.labels import TEXT
from gis.store import Store, open_store
from tests.gis.report.conftest import first_page_png, landmap, pdf_info, pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("needs_chromium")]

THAI_MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
               "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")
ATTACHMENT = "deed-scan-27040501.pdf"
ATTACHMENT_NOTE = "โฉนดหน้า 1 สำเนา"


def bangkok_today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Bangkok")).date()


@dataclass(frozen=True)
class Pack:
    path: Path
    text: str
    pages: int
    stdout: str
    dates: tuple[dt.date, dt.date]  # Bangkok's date before and after the command ran


@pytest.fixture(scope="session")
def opened(report_store: Path) -> Iterator[Store]:
    store = open_store(str(report_store), create=False)
    yield store
    store.close()


@pytest.fixture(scope="session")
def attached(opened: Store) -> str:
    """One scanned deed attached to a plot in Wang Nam Yen, before any pack is printed."""
    plot = opened.read("plots", where={"village_code": "27040501"}).iloc[0]
    add_attachment(opened, layer="plots", uid=plot["uid"], filename=ATTACHMENT,
                   data=b"%PDF-1.4\n% scanned deed\n", note=ATTACHMENT_NOTE, user="tester")
    return str(plot["plot_id"])


@pytest.fixture(scope="session")
def pack(report_store: Path, attached: str,
         tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Pack]:
    """Print a pack with the real command (once per set of arguments)."""
    folder = tmp_path_factory.mktemp("packs")
    made: dict[tuple[str, ...], Pack] = {}

    def make(*args: str) -> Pack:
        if args not in made:
            out = folder / f"{len(made)}.pdf"
            before = bangkok_today()
            proc = landmap("report", "evidence", "--store", str(report_store), *args,
                           "--out", str(out))
            assert proc.returncode == 0, proc.stderr
            assert "Traceback" not in proc.stderr
            made[args] = Pack(out, pdf_text(out), int(pdf_info(out)["Pages"]), proc.stdout,
                              (before, bangkok_today()))
        return made[args]

    return make


def agency_th(pack: Callable[..., Pack]) -> Pack:
    return pack("--agency", "alro", "--area", "2704", "--audience", "agency")


def agency_en(pack: Callable[..., Pack]) -> Pack:
    return pack("--agency", "alro", "--area", "2704", "--audience", "agency", "--lang", "en",
                "--era", "ce")


def agency_all(pack: Callable[..., Pack]) -> Pack:
    return pack("--agency", "alro", "--audience", "agency")


def internal_th(pack: Callable[..., Pack]) -> Pack:
    return pack("--agency", "alro", "--area", "2704", "--audience", "internal")


def zone_ids(store: Store, agency: str = "alro") -> list[str]:
    return sorted(store.read("tenure_zones", where={"agency": agency})["zone_id"])


def tambons_of(store: Store, amphoe: str) -> list[tuple[str, str]]:
    admin = store.read("admin")
    rows = admin.loc[(admin["level"] == "tambon") & (admin["parent_code"] == amphoe)]
    return list(zip(rows["name_th"], rows["name_en"], strict=True))


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_agency_pack_in_thai_names_the_agency_the_area_and_the_buddhist_era_date(
        pack: Callable[..., Pack], opened: Store) -> None:
    p = agency_th(pack)
    text = one_line(p.text)
    assert "ส.ป.ก." in text
    assert "พื้นที่: อำเภอวังน้ำเย็น จังหวัดสระแก้ว" in text
    tambons = tambons_of(opened, "2704")
    assert len(tambons) == 4
    for name_th, _ in tambons:
        assert f"ตำบล{name_th}" in text
    assert any(f"{d.day} {THAI_MONTHS[d.month - 1]} {d.year + 543}" in text for d in p.dates)
    assert all(f"{d.year + 543}" in text for d in p.dates)
    zones = zone_ids(opened)
    assert p.pages >= 2 + len(zones)
    for zone in zones:
        assert f"เขต {zone}:" in text
    first_page_png(p.path, "evidence-alro-2704-agency-th")


def test_every_page_carries_its_number_and_the_audience(pack: Callable[..., Pack]) -> None:
    for p, page_word, who in ((agency_th(pack), "หน้า", "ผู้อ่าน: ผู้ชมจากหน่วยงาน · "
                               "ข้อมูลสาธารณะและตัวเลขสรุปเท่านั้น"),
                              (agency_en(pack), "Page", "Audience: Agency viewer · public "
                               "data and aggregates only")):
        pages = [one_line(page) for page in p.text.split("\f")[:p.pages]]
        assert len(pages) == p.pages
        for number, page in enumerate(pages, start=1):
            assert f"{page_word} {number} / {p.pages}" in page
            assert who in page


def test_agency_pack_in_english_with_common_era_dates(pack: Callable[..., Pack],
                                                       opened: Store) -> None:
    p = agency_en(pack)
    text = one_line(p.text)
    assert "ALRO (Agricultural Land Reform Office)" in text
    assert "Area: Wang Nam Yen District, Sa Kaeo Province" in text
    for _, name_en in tambons_of(opened, "2704"):
        assert f"{name_en} Subdistrict" in text
    assert any(f"{d.day} {ENGLISH_MONTHS[d.month - 1]} {d.year}" in text for d in p.dates)
    assert not re.search(r"\b25\d\d BE\b", text)  # no Buddhist-Era year anywhere
    assert p.pages >= 2 + len(zone_ids(opened))
    first_page_png(p.path, "evidence-alro-2704-agency-en")


def test_agency_pack_of_every_area(pack: Callable[..., Pack], opened: Store) -> None:
    p = agency_all(pack)
    assert "ทุกพื้นที่ที่มีข้อมูล" in one_line(p.text)
    assert p.pages >= 2 + len(zone_ids(opened))


def personal_values(store: Store) -> dict[str, set[str]]:
    h = store.read("households")
    plots = store.read("plots")
    incomes = set()
    for v in h["monthly_income"].dropna():
        incomes |= {f"{v:.0f}", f"{v:,.0f}", f"{v:.1f}", f"{v:,.2f}"}
    return {
        "head_name": {"".join(str(n).split()) for n in h["head_name"].dropna()},
        "national_id": set(h["national_id"].dropna().astype(str)),
        "phone": set(h["phone"].dropna().astype(str)),
        "monthly_income": incomes,
        "household_id": set(h["household_id"].dropna().astype(str)),
        "plot_id": set(plots["plot_id"].dropna().astype(str)),
    }


# Numbers of the pack's fixed wording (1,600 m² to a rai …) that may equal an income.
FIXED_NUMBERS = {n for lang in TEXT.values() for s in lang.values()
                 for n in re.findall(r"\d[\d,.]*\d|\d", s)}


def leaks(text: str, values: dict[str, set[str]]) -> dict[str, list[str]]:
    squeezed = "".join(text.split())
    digits = re.sub(r"\D", "", text)
    numbers = set(re.findall(r"(?<![\d,.])\d[\d,.]*\d(?![\d,])|(?<![\d,.])\d(?![\d,.])", text))
    found = {
        "head_name": [v for v in values["head_name"] if v in squeezed],
        "national_id": [v for v in values["national_id"] if v in digits],
        "phone": [v for v in values["phone"] if v in digits],
        "monthly_income": sorted((numbers & values["monthly_income"]) - FIXED_NUMBERS),
        "household_id": [v for v in values["household_id"] if v in text],
        "plot_id": [v for v in values["plot_id"] if v in text],
    }
    return {k: v for k, v in found.items() if v}


def test_an_agency_pack_holds_nothing_personal_and_no_annex(
        pack: Callable[..., Pack], opened: Store, attached: str) -> None:
    values = personal_values(opened)
    assert all(values.values())
    for p in (agency_th(pack), agency_en(pack), agency_all(pack)):
        assert leaks(p.text, values) == {}
        squeezed = "".join(p.text.split())
        assert ATTACHMENT not in squeezed and "".join(ATTACHMENT_NOTE.split()) not in squeezed
        assert TEXT["th"]["annex"] not in one_line(p.text)
        assert TEXT["en"]["annex"] not in one_line(p.text)
        # The maps show zones and villages only: no plot or house legend.
        assert "แปลง: " not in p.text and "Plots: " not in p.text


def test_the_leak_check_sees_a_leak(pack: Callable[..., Pack], opened: Store) -> None:
    # The check above would notice each kind of value, were it printed.
    values = personal_values(opened)
    h = opened.read("households").dropna(subset=["phone", "monthly_income"]).iloc[0]
    leaked = (f"{h['head_name']} {h['national_id'][:1]}-{h['national_id'][1:5]}-"
              f"{h['national_id'][5:10]}-{h['national_id'][10:12]}-{h['national_id'][12:]} "
              f"{h['phone']} {h['monthly_income']:,.0f} {h['household_id']} {h['plot_id']}")
    assert set(leaks(agency_th(pack).text + "\n" + leaked, values)) == set(values)


def test_an_internal_pack_ends_with_the_attachments_annex(
        pack: Callable[..., Pack], attached: str) -> None:
    p = internal_th(pack)
    text = one_line(p.text)
    assert TEXT["th"]["annex"] in text
    squeezed = "".join(p.text.split())  # table cells wrap long names
    assert ATTACHMENT in squeezed and "".join(ATTACHMENT_NOTE.split()) in squeezed
    assert attached in squeezed
    assert "ผู้อ่าน: ผู้ดูแลระบบ" in text
    # Plots and house points are drawn for this audience (their legends say so).
    assert "แปลง: " in p.text and "ครัวเรือน: " in p.text
    first_page_png(p.path, "evidence-alro-2704-internal-th")


def test_each_pack_is_in_the_audit_log(pack: Callable[..., Pack], opened: Store) -> None:
    p = agency_th(pack)
    entries = [e for e in opened.read_audit(action="report_evidence", limit=1000)
               if e["detail"]["file"] == str(p.path)]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["subject"] == "alro" and entry["username"].startswith("cli:")
    detail = entry["detail"]
    assert detail["area"] == "2704" and detail["audience_role"] == "agency_viewer"
    assert detail["privacy"] == "public" and detail["pages"] == p.pages
    assert detail["annex_attachments"] is None
    assert detail["zones"] == zone_ids(opened)


def test_json_output(report_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    proc = landmap("report", "evidence", "--store", str(report_store), "--agency", "treasury",
                   "--area", "270406", "--audience", "agency", "--lang", "en", "--out",
                   str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["out"] == str(out) and payload["agency"] == "treasury"
    assert payload["area"] == "270406" and payload["audience"] == "agency"
    assert payload["role"] == "agency_viewer" and payload["pages"] >= 2
    assert payload["pages"] == int(pdf_info(out)["Pages"])


@pytest.mark.parametrize(("args", "th", "en"), [
    (["--agency", "alr0"], "ไม่รู้จักรหัสหน่วยงาน 'alr0'", "unknown agency code 'alr0'"),
    (["--agency", "alro", "--area", "9999"], "ไม่รู้จักรหัสพื้นที่ '9999'",
     "unknown area code '9999'"),
    (["--agency", "alro", "--out", "/no/such/folder/pack.pdf"], "ไม่มีโฟลเดอร์นี้",
     "the folder does not exist"),
    (["--agency", "alro", "--out", "{tmp}"], "ที่หมายเป็นโฟลเดอร์", "the output is a folder"),
])
def test_bad_input_is_refused_in_thai_and_english_without_a_traceback(
        report_store: Path, tmp_path: Path, args: list[str], th: str, en: str) -> None:
    if "--out" not in args:
        args = [*args, "--out", str(tmp_path / "pack.pdf")]
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    proc = landmap("report", "evidence", "--store", str(report_store), "--audience", "agency",
                   *args)
    assert proc.returncode == 2
    assert th in proc.stderr and en in proc.stderr
    assert "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_missing_store_is_bad_input(tmp_path: Path) -> None:
    proc = landmap("report", "evidence", "--store", str(tmp_path / "none.gpkg"), "--agency",
                   "alro", "--audience", "agency", "--out", str(tmp_path / "x.pdf"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "ไม่พบไฟล์" in proc.stderr and "no GeoPackage" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_usage_errors_are_bilingual(report_store: Path, tmp_path: Path) -> None:
    proc = landmap("report", "evidence", "--store", str(report_store), "--agency", "alro",
                   "--audience", "everyone", "--out", str(tmp_path / "x.pdf"))
    assert proc.returncode == 2 and "ข้อผิดพลาด" in proc.stderr and "error:" in proc.stderr
    assert "invalid choice: 'everyone'" in proc.stderr
    group = landmap("report")
    assert group.returncode == 2 and "evidence" in landmap("report", "--help").stdout
