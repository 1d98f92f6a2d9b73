"""Jinja2 for reports: templates shipped in ``gis/report/templates``, autoescaped.

Every value put in a template is data (a village name, an official's note) and is escaped;
only the SVG maps, which `gis.report.svgmap` escapes itself, come in as ``Markup``. Undefined
names raise, so a misspelt key fails the first print instead of printing an empty cell.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from gis.report.fonts import FONT_STACK, font_faces_css

SUPPRESSED = "<3"  # how a count hidden from an outside audience is printed (gis.privacy)


def count_text(value: Any) -> str:
    """A count as printed: ``1,234``; a suppressed count (None) as ``<3``.

    Parameters
    ----------
    value : int or None

    Returns
    -------
    str
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return SUPPRESSED
    return f"{int(value):,}"


def number_text(value: Any, digits: int = 0) -> str:
    """A measured number with thousands separators (``12,345``); a missing one as ``–``.

    Parameters
    ----------
    value : float or None
    digits : int, default 0
        Decimal places.

    Returns
    -------
    str
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{float(value):,.{digits}f}"


@functools.cache
def environment() -> Environment:
    """The one Jinja2 environment of the reports (cached: templates compile once)."""
    env = Environment(
        loader=PackageLoader("gis.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["count"] = count_text
    env.filters["number"] = number_text
    # CSS goes inside <style>, where HTML escapes are not decoded: these two are our own
    # constant text, never data, so they are marked safe.
    env.globals["font_stack"] = Markup(FONT_STACK)
    env.globals["font_faces"] = lambda: Markup(font_faces_css())
    return env


def render(template: str, context: Mapping[str, Any]) -> str:
    """Render one of the report templates.

    Parameters
    ----------
    template : str
        File name under ``gis/report/templates`` (e.g. ``"evidence.html.j2"``).
    context : Mapping
        The values the template uses.

    Returns
    -------
    str
        The HTML text.
    """
    return environment().get_template(template).render(**context)
