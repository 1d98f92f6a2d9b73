"""HTML → PDF, printed by Debian's Chromium through Playwright (DESIGN.md §8).

Chromium shapes Thai correctly and its PDFs give the Thai text back to ``pdftotext``; the other
engines tried did not. A report is printed offline: every request that is not ``data:`` or
``file:`` is aborted and makes the print fail (`OutsideRequestError`), so a template that links
a web font or a tile server is caught the first time it runs.

Playwright's sync API refuses to run inside a running asyncio loop (Streamlit may have one in
the script thread); the print then runs in a worker thread of its own.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

from gis.errors import InputError, LandmapError

CHROMIUM: Final = "/usr/bin/chromium"
CHROMIUM_ARGS: Final = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
)
ALLOWED_SCHEMES: Final = ("data:", "file:")

Paper = Literal["A4", "A3"]
PAPER_SIZES: Final[dict[str, tuple[int, int]]] = {"A4": (210, 297), "A3": (297, 420)}  # mm


@dataclass(frozen=True)
class Margins:
    """Page margins in millimetres; the footer is drawn inside the bottom margin."""

    top: float = 14.0
    right: float = 14.0
    bottom: float = 18.0
    left: float = 14.0

    def as_playwright(self) -> dict[str, str]:
        return {side: f"{getattr(self, side)}mm" for side in ("top", "right", "bottom", "left")}


class ReportError(LandmapError):
    """A report cannot be printed on this machine (no Chromium, a failed print)."""


class OutsideRequestError(RuntimeError):
    """A report tried to fetch something from outside: a bug in a template, never data."""

    def __init__(self, urls: list[str]) -> None:
        super().__init__(
            "the report tried to fetch from outside (reports are printed offline; embed the "
            f"resource as a data: URL): {', '.join(urls)}"
        )
        self.urls = urls


@dataclass(frozen=True)
class PrintedPdf:
    """What a print produced: the file, its page count and its size in bytes."""

    path: Path
    pages: int
    size: int


def check_output(out: Path) -> Path:
    """Refuse early, in Thai and English, an output path the PDF could not be written to.

    Parameters
    ----------
    out : pathlib.Path
        Where the PDF is to go.

    Returns
    -------
    pathlib.Path
        ``out``, absolute.

    Raises
    ------
    gis.errors.InputError
        If ``out`` is a folder, its folder does not exist or cannot be written to.
    """
    out = Path(out).expanduser().absolute()
    if out.is_dir():
        raise InputError("ที่หมายเป็นโฟลเดอร์ ไม่ใช่ไฟล์", "the output is a folder, not a file",
                         file=str(out), fix_th="ระบุชื่อไฟล์ เช่น รายงาน.pdf",
                         fix_en="give a file name, e.g. report.pdf")
    if not out.parent.is_dir():
        raise InputError("ไม่มีโฟลเดอร์นี้", "the folder does not exist", file=str(out.parent),
                         fix_th="สร้างโฟลเดอร์ก่อน หรือเลือกที่อื่น",
                         fix_en="create the folder first, or choose another place")
    if not os.access(out.parent, os.W_OK | os.X_OK) or (
        out.exists() and not os.access(out, os.W_OK)
    ):
        raise InputError("ไม่มีสิทธิ์เขียนไฟล์ที่นี่", "no permission to write here",
                         file=str(out), fix_th="เลือกโฟลเดอร์ที่เขียนได้",
                         fix_en="choose a folder you can write to")
    return out


def print_pdf(
    html: str,
    *,
    out: Path,
    footer_html: str,
    header_html: str = "<span></span>",
    paper: Paper = "A4",
    landscape: bool = False,
    margins: Margins | None = None,
    executable: str = CHROMIUM,
) -> PrintedPdf:
    """Print an HTML document to a PDF file with Chromium, offline.

    Parameters
    ----------
    html : str
        The whole document; fonts and images inline (``data:`` URLs) or ``file:`` URLs.
    out : pathlib.Path
        The PDF to write. It is written beside its final name and renamed into place, so a
        failed print never leaves half a file.
    footer_html, header_html : str
        Chromium's footer and header templates: drawn on every page, in their own document
        (so they carry their own inline styles and fonts); elements of class ``pageNumber``
        and ``totalPages`` receive the numbers.
    paper : {"A4", "A3"}, default "A4"
    landscape : bool, default False
    margins : Margins, optional
        Default: 14 mm, 18 mm at the bottom for the footer.
    executable : str, default "/usr/bin/chromium"
        The Chromium binary (Debian's; Playwright's own download is never used).

    Returns
    -------
    PrintedPdf

    Raises
    ------
    gis.errors.InputError
        If ``out`` cannot be written.
    ReportError
        If Chromium is missing or the print fails.
    OutsideRequestError
        If the document tried to fetch anything that is not ``data:`` or ``file:``.
    """
    out = check_output(out)
    if paper not in PAPER_SIZES:
        raise ValueError(f"paper must be one of {', '.join(PAPER_SIZES)}, got {paper!r}")
    if not os.access(executable, os.X_OK):
        raise ReportError(
            f"ไม่พบโปรแกรม Chromium ที่ {executable} จึงพิมพ์รายงานเป็น PDF ไม่ได้ "
            "— ติดตั้งแพ็กเกจ chromium ของ Debian",
            f"Chromium is not installed at {executable}, so reports cannot be printed "
            "— install Debian's chromium package",
        )
    width, height = PAPER_SIZES[paper]
    if landscape:
        width, height = height, width
    options: dict[str, Any] = {
        "width": f"{width}mm", "height": f"{height}mm",
        "print_background": True, "display_header_footer": True,
        "header_template": header_html, "footer_template": footer_html,
        "margin": (margins or Margins()).as_playwright(),
    }
    pdf = _off_the_loop(lambda: _print(html, options, executable))
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pdf)
        os.replace(tmp, out)
    except OSError as exc:
        raise InputError(f"เขียนไฟล์ไม่ได้: {exc.strerror}", f"cannot write the file: "
                         f"{exc.strerror}", file=str(out)) from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return PrintedPdf(out, pdf_page_count(pdf), len(pdf))


def _print(html: str, options: dict[str, Any], executable: str) -> bytes:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    outside: list[str] = []

    def guard(route: Any) -> None:
        url: str = route.request.url
        if url.startswith(ALLOWED_SCHEMES):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
            try:
                context = browser.new_context()
                context.route("**/*", guard)
                page = context.new_page()
                page.set_content(html, wait_until="load")
                # Web fonts load asynchronously; print only once every face is in and the
                # page's own finishing script (``window.landmapReady``, a promise) is done.
                page.evaluate("(window.landmapReady || document.fonts.ready).then(() => true)")
                pdf: bytes = page.pdf(**options)
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise ReportError(f"Chromium พิมพ์รายงานไม่สำเร็จ: {exc.message}",
                          f"Chromium failed to print the report: {exc.message}") from exc
    if outside:
        raise OutsideRequestError(outside)
    return pdf


T = TypeVar("T")


def _off_the_loop(work: Callable[[], T]) -> T:
    """Run ``work`` here, or in a worker thread when this thread runs an asyncio loop
    (Playwright's sync API cannot run inside one)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="landmap-pdf") as pool:
        return pool.submit(work).result()


# Chromium (Skia) writes each page object uncompressed with ``/Type /Page``; the page tree
# node is ``/Type /Pages``, which the lookahead leaves out.
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def pdf_page_count(pdf: bytes) -> int:
    """The number of pages of a PDF that Chromium wrote (for audit entries and messages).

    Parameters
    ----------
    pdf : bytes

    Returns
    -------
    int
    """
    return len(_PAGE.findall(pdf))
