"""What the upload page shows about a checked file: one line per source layer, the preview map
(zoomed to the row picked in the issues table), the make_valid repairs before and after, the
issues table, and the first rows as read and as they would be imported. Shapes only on the maps:
no data values leave for the browser there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import folium
import pandas as pd
import shapely
import streamlit as st
from streamlit_folium import st_folium

from gis.dates import Era
from gis.io.check import CheckReport, LayerCheck
from gis.io.importer import FLAGS_KEY, ImportPlan
from gis.io.model import Issue, RawLayer, Severity
from layers import LAYERS
from ui import mapview
from ui.i18n import N_
from ui.state import _
from ui.tables import labelled

SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)
SEVERITY_LABELS = {Severity.ERROR: N_("Error"), Severity.WARNING: N_("Warning"),
                   Severity.INFO: N_("Note")}
CRS_SOURCES = {"declared": N_("declared by the file"), "guessed": N_("guessed"),
               "given": N_("given by you")}
PREVIEW_HEIGHT = 320
SHAPE = "#b45309"  # the features that would be imported
PICKED = "#0369a1"  # the row picked in the issues table
BEFORE = "#dc2626"  # a shape before its make_valid repair
AFTER = "#15803d"  # the same shape after it
FIRST_ROWS = 10


def layer_summary(layer: LayerCheck) -> str:
    """One line: features kept of rows read, encoding, CRS and where it came from."""
    rows = len(layer.raw.frame) if layer.raw.geometry is None else len(layer.raw.geometry)
    crs = f"EPSG:{layer.epsg}" if layer.epsg is not None else _("unknown")
    source = _(CRS_SOURCES[layer.crs_source]) if layer.crs_source in CRS_SOURCES else ""
    return _("{features} of {rows} rows usable · encoding {encoding} · CRS {crs} {source}").format(
        features=f"{layer.features:,}", rows=f"{rows:,}",
        encoding=layer.raw.encoding or "—", crs=crs,
        source=f"({source})" if source else "")


# ---------------------------------------------------------------------------------- maps
def _draw(m: folium.Map, geoms: list[Any], color: str, *, weight: float = 2,
          fill_opacity: float = 0.2, radius: float = 5, tooltip: str | None = None) -> None:
    points = [g for g in geoms if g.geom_type in ("Point", "MultiPoint")]
    shapes = [g for g in geoms if g.geom_type not in ("Point", "MultiPoint")]
    if shapes:
        # A FeatureCollection: folium cannot take the bounds of a GeometryCollection.
        collection = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(g)}
            for g in shapes]}
        folium.GeoJson(collection, style_function=lambda _f: {"color": color, "weight": weight,
                                                  "fillOpacity": fill_opacity},
                       tooltip=tooltip).add_to(m)
    for point in points:
        for p in getattr(point, "geoms", [point]):
            folium.CircleMarker((p.y, p.x), radius=radius, color=color, weight=weight,
                                fill=fill_opacity > 0, fill_opacity=fill_opacity,
                                tooltip=tooltip).add_to(m)


def _show(m: folium.Map, bounds: Sequence[float], key: str,
          max_zoom: int = 17) -> None:
    minx, miny, maxx, maxy = bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(20, 20), max_zoom=max_zoom)
    st_folium(m, key=key, height=PREVIEW_HEIGHT, use_container_width=True, returned_objects=[])


def preview_map(layer: LayerCheck, key: str, *, picked: int | None = None) -> None:
    """The features that would be imported, in EPSG:4326, on a small offline map; with
    ``picked`` (a 0-based row) the map zooms to that row's shape, outlined in blue."""
    kept = [g for g, ok in zip(layer.geometries, layer.keep, strict=True) if ok]
    target = None
    if picked is not None:
        if 0 <= picked < len(layer.geometries):
            target = layer.geometries[picked]
        if target is None or target.is_empty:
            target = None
            st.caption(_("Row {row} has no location to show on the map.").format(
                row=picked + 1))
    bbox = layer.bbox()
    bounds = target.bounds if target is not None else (tuple(bbox) if bbox else None)
    if bounds is None:
        st.caption(_("Nothing to show on a map: no row has a usable location."))
        return
    minx, miny, maxx, maxy = bounds
    m = mapview.base_map(location=((miny + maxy) / 2, (minx + maxx) / 2), zoom=14)
    _draw(m, kept, SHAPE)
    if target is not None and picked is not None:
        _draw(m, [target], PICKED, weight=4, fill_opacity=0, radius=12,
              tooltip=_("Row {row}").format(row=picked + 1))
        # Another key for each row: the map is drawn again around it.
        _show(m, bounds, f"{key}_row{picked}", max_zoom=18)
    else:
        _show(m, bounds, key)


def repair_preview(base: CheckReport, lang: str, key: str) -> None:
    """Each shape ``make_valid`` would repair: the original in red, the repair in green, and a
    table of what changes (``base`` is checked without the repair, so it holds the originals)."""
    rows, before, after = [], [], []
    for layer in base.layers:
        for i, fix in sorted(layer.repairs.items()):
            original = layer.geometries[i]
            if original is not None:
                before.append(original)
            after.append(fix.geometry)
            rows.append({
                _("Layer"): layer.raw.name, _("Row"): str(i + 1),
                _("What the repair does"): fix.description_th if lang == "th"
                else fix.description_en,
                _("Area before (m²)"): round(fix.area_before_m2, 1),
                _("Area after (m²)"): round(fix.area_after_m2, 1),
            })
    if not rows:
        return
    table, shown = st.columns(2)
    with table:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        st.caption(_("On the map: red before the repair, green after."))
    with shown:
        everything = shapely.GeometryCollection([*before, *after])
        center = everything.envelope.centroid
        m = mapview.base_map(location=(center.y, center.x), zoom=14)
        _draw(m, before, BEFORE, fill_opacity=0.1)
        _draw(m, after, AFTER, weight=3, fill_opacity=0.3)
        _show(m, everything.bounds, f"{key}_repairs", max_zoom=19)


# -------------------------------------------------------------------------------- tables
def issues_table(issues: list[Issue], kind: str, lang: str, key: str) -> Issue | None:
    """Every issue, filterable by severity, in the user's language; returns the issue whose
    row the user picked (to show it on the preview map), or None."""
    if not issues:
        st.success(_("No problems found."))
        return None
    present = [s for s in SEVERITIES if any(i.severity == s for i in issues)]
    labels = {s: _(SEVERITY_LABELS[s]) for s in present}
    shown = st.pills(_("Show"), options=present, selection_mode="multi", default=present,
                     format_func=labels.__getitem__, key=f"{key}_severity")
    spec = LAYERS[kind]
    names = set(spec.field_names)
    visible = [i for i in issues if i.severity in (shown or [])]
    rows = [{
        _("Severity"): _(SEVERITY_LABELS[i.severity]),
        _("Layer"): i.layer or "",
        _("Row"): "" if i.row is None else str(i.row),
        _("Field"): spec.field(i.field).label(lang) if i.field in names else (i.field or ""),
        _("Problem"): i.message_th if lang == "th" else i.message_en,
        _("What to do"): i.fix_th if lang == "th" else i.fix_en,
    } for i in visible]
    if any(i.row is not None for i in visible):
        st.caption(_("Pick a row of the table to see it on the preview map."))
    # A new list of issues (another filter, mapping or value) is a new table: an old pick
    # would point at another row.
    content = repr([(i.severity, i.layer, i.row, i.field, i.code) for i in visible])
    event = st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                         on_select="rerun", selection_mode="single-row",
                         key=f"{key}_issues_{hashlib.sha1(content.encode()).hexdigest()[:12]}")
    picked = list(event.selection.rows) if event is not None else []
    return visible[picked[0]] if picked and 0 <= picked[0] < len(visible) else None


def first_rows(raw: RawLayer, columns: Mapping[str, str | None], mappable: list[str],
               kind: str, lang: str) -> pd.DataFrame:
    """The first rows as read (decoded), each header saying where its column goes: a field, the
    location, or the other data kept with the feature."""
    spec = LAYERS[kind]
    fields: dict[str, list[str]] = {}
    for name, column in columns.items():
        if column is not None:
            fields.setdefault(column, []).append(spec.field(name).label(lang))
    headers = {}
    for column in raw.frame.columns:
        text = str(column)
        where = (", ".join(fields[text]) if text in fields else
                 _("other data") if text in mappable else _("location"))
        headers[column] = f"{text} → {where}"
    return raw.frame.head(FIRST_ROWS).map(plain).rename(columns=headers)


def rows_to_import(plan: ImportPlan, *, hold: bool, lang: str, era: Era) -> pd.DataFrame:
    """The first rows as they would be stored: field labels, vocabulary labels, dates in the
    user's era (rows with warnings left out when they are held back)."""
    frame = plan.frame
    if hold and "extra" in frame.columns:
        flagged = frame["extra"].map(lambda e: isinstance(e, dict) and FLAGS_KEY in e)
        frame = frame.loc[~flagged.to_numpy(dtype=bool)]
    head = pd.DataFrame(frame.drop(columns="geometry").head(FIRST_ROWS))
    return labelled(head, plan.kind, lang, era).map(plain)


def plain(value: Any) -> Any:
    """A cell value safe for ``st.dataframe`` (bytes and odd objects as text)."""
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)
