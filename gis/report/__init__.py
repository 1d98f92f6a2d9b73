"""Printed reports: Jinja2 templates → HTML → PDF printed by Chromium (DESIGN.md §8).

The engine (`gis.report.engine`: offline printing, page numbers and an audience footer on every
page), the print maps (`gis.report.svgmap`), report areas (`gis.report.areas`) and the reports
built on them: the agency evidence pack (`gis.report.evidence`), the village repair map
(`gis.report.village_map`) and the monthly report (`gis.report.monthly`).
"""

from __future__ import annotations

from gis.report.engine import (
    CHROMIUM,
    Margins,
    OutsideRequestError,
    Paper,
    PrintedPdf,
    ReportError,
    check_output,
    print_pdf,
)
from gis.report.svgmap import MapLayer, layer_from_style, render_map, utm_epsg

__all__ = [
    "CHROMIUM", "MapLayer", "Margins", "OutsideRequestError", "Paper", "PrintedPdf",
    "ReportError", "check_output", "layer_from_style", "print_pdf", "render_map", "utm_epsg",
]
