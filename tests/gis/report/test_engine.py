"""The print engine: Thai shaped and extractable, page numbers and the footer on every page,
the vendored font embedded, nothing fetched, and printing from inside an asyncio loop."""

from __future__ import annotations

import asyncio
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from gis.errors import InputError
from gis.report.engine import OutsideRequestError, check_output, print_pdf
from gis.report.templating import environment, render
from tests.gis.report.conftest import pdf_info, pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("needs_chromium")]

PAGE = environment().from_string(
    '{% extends "base.html.j2" %}{% block body %}'
    '<section class="page"><h1>ชุดหลักฐาน ส.ป.ก. อำเภอวังน้ำเย็น</h1>'
    "<p>{{ text }}</p>{{ extra }}</section>"
    '<section class="page"><p>หน้าที่สอง 0123456789</p></section>'
    "{% endblock %}"
)


def document(text: str = "วันที่ 24 พฤศจิกายน 2569 · 1,234 ครัวเรือน", extra: str = "") -> str:
    from markupsafe import Markup

    return PAGE.render(lang="th", text=text, extra=Markup(extra))


def footer(left: str = "ผู้อ่าน: ผู้ชมจากหน่วยงาน · ข้อมูลสาธารณะและตัวเลขสรุปเท่านั้น") -> str:
    return render("footer.html.j2", {"footer_left": left, "page_word": "หน้า"})


def test_thai_text_page_numbers_and_footer_on_every_page(tmp_path: Path) -> None:
    printed = print_pdf(document(), out=tmp_path / "a.pdf", footer_html=footer())
    assert printed.pages == 2 and pdf_info(printed.path)["Pages"] == "2"
    assert printed.size == printed.path.stat().st_size
    pages = pdf_text(printed.path).split("\f")
    assert "ชุดหลักฐาน ส.ป.ก. อำเภอวังน้ำเย็น" in pages[0]
    assert "วันที่ 24 พฤศจิกายน 2569 · 1,234 ครัวเรือน" in pages[0]
    assert "หน้าที่สอง 0123456789" in pages[1]
    for number, page in enumerate(pages[:2], start=1):
        assert f"หน้า {number} / 2" in page
        assert "ผู้อ่าน: ผู้ชมจากหน่วยงาน · ข้อมูลสาธารณะและตัวเลขสรุปเท่านั้น" in page
    assert pdf_info(printed.path)["Page size"].startswith("595.")  # A4: 595 × 842 pt


def test_the_vendored_sarabun_is_embedded_in_page_and_footer(tmp_path: Path) -> None:
    # The footer is its own document: only text in it (not the page) uses its font faces.
    printed = print_pdf(document(text="abc"), out=tmp_path / "f.pdf",
                        footer_html=footer("ภาษาไทยในส่วนท้าย"))
    fonts = subprocess.run(["pdffonts", str(printed.path)], capture_output=True, text=True,
                           check=True).stdout
    lines = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert lines and all("Sarabun" in line for line in lines), fonts


def test_a3_paper(tmp_path: Path) -> None:
    printed = print_pdf(document(), out=tmp_path / "a3.pdf", footer_html=footer(), paper="A3")
    assert pdf_info(printed.path)["Page size"].startswith("841.")  # A3: 842 × 1191 pt


@pytest.mark.parametrize("url", ["https://fonts.googleapis.com/css2?family=Sarabun",
                                 "http://127.0.0.1:9/tile.png"])
def test_a_request_outside_fails_the_print_and_writes_nothing(tmp_path: Path, url: str) -> None:
    out = tmp_path / "leaky.pdf"
    with pytest.raises(OutsideRequestError) as caught:
        print_pdf(document(extra=f'<img src="{url}">'), out=out, footer_html=footer())
    assert caught.value.urls == [url]
    assert list(tmp_path.iterdir()) == []


def test_printing_from_inside_a_running_asyncio_loop(tmp_path: Path) -> None:
    # Playwright's sync API refuses to run inside a loop (Streamlit may run one); the engine
    # then prints in a worker thread.
    async def inside() -> int:
        return print_pdf(document(), out=tmp_path / "loop.pdf", footer_html=footer()).pages

    # On a thread of its own: when the browser tests ran first in this session, Playwright's
    # session-wide sync API already holds a running loop on the main thread.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(lambda: asyncio.run(inside())).result() == 2


def test_output_paths_that_cannot_be_written_are_refused_in_both_languages(
        tmp_path: Path) -> None:
    with pytest.raises(InputError) as missing:
        check_output(tmp_path / "no-such-folder" / "x.pdf")
    assert "ไม่มีโฟลเดอร์นี้" in missing.value.message_th
    assert "the folder does not exist" in missing.value.message_en
    with pytest.raises(InputError) as folder:
        check_output(tmp_path)
    assert "โฟลเดอร์" in folder.value.message_th and "is a folder" in folder.value.message_en
