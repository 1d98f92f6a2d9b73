"""The maps of the evidence pack: an overview of the area and one map per tenure zone.

What goes on them follows the audience (`gis.privacy`): zones, village outlines and
per-village counts for everyone; plots and household points only for an audience allowed to
see those shapes (never an agency).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import shapely
from markupsafe import Markup
from shapely.geometry.base import BaseGeometry

from gis.report.labels import TEXT
from gis.report.svgmap import MapLayer, layer_from_style, render_map
from layers import LAYERS
from layers.vocab import HOUSE_CONDITION, LAND_OWNER

CONTENT_WIDTH_MM = 182.0  # A4 (210 mm) less two 14 mm margins
OVERVIEW_HEIGHT_MM = 150.0
# Two maps of a zone and its facts fit on one A4 page; the tables follow.
ZONE_HEIGHT_MM = 80.0
DETAIL_HEIGHT_MM = 95.0
AREA_STROKE = "#424242"


@dataclass(frozen=True)
class LegendItem:
    """One legend line: a swatch (``kind`` "area" or "dot") in ``color`` and its text."""

    kind: str
    color: str
    text: str
    dashed: bool = False


@dataclass(frozen=True)
class DrawnMap:
    """A map ready for the template: the SVG, its legend and caption."""

    svg: Markup
    legend: tuple[LegendItem, ...]
    caption: str = ""


@dataclass(frozen=True)
class Detail:
    """The individual shapes an internal audience may see (None: not shown)."""

    plots: pd.DataFrame | None = None
    households: pd.DataFrame | None = None


def overview_map(*, zones: pd.DataFrame, villages: pd.DataFrame, outline: BaseGeometry | None,
                 notes: Mapping[str, str], lang: str) -> DrawnMap:
    """The area with the agency's zones, the villages and their households inside the zones.

    Parameters
    ----------
    zones : GeoDataFrame
        The agency's tenure zones (``agency``, ``zone_id``).
    villages : GeoDataFrame
        The visible villages of the area.
    outline : shapely geometry or None
        The area's outline (drawn dashed), None for no area.
    notes : Mapping
        The households in the agency's zones, as written under each village's name, by
        village code.
    lang : {"th", "en"}

    Returns
    -------
    DrawnMap
        No plots or house points: at the scale of an amphoe they would be specks.
    """
    t = TEXT[lang]
    layers: list[MapLayer] = []
    legend: list[LegendItem] = []
    if outline is not None:
        layers.append(MapLayer([outline], color=AREA_STROKE, fill_opacity=0.0,
                               stroke_width=1.2, dashed=True))
        legend.append(LegendItem("area", AREA_STROKE, t["map_legend_area"], dashed=True))
    layers.append(_zone_layer(zones, labels=list(zones["zone_id"].astype(str))))
    legend.append(_zone_legend(zones, t))
    layers.append(_village_layer(villages, notes, lang))
    legend.append(_village_legend(t))
    svg = render_map(layers, width_mm=CONTENT_WIDTH_MM, height_mm=OVERVIEW_HEIGHT_MM,
                     lang=lang, extent=outline, empty_text=t["no_zones"])
    return DrawnMap(svg, tuple(legend), t["overview_map"])


def zone_maps(*, zone: pd.Series, villages: pd.DataFrame, notes: Mapping[str, str],
              lang: str, detail: Detail) -> list[DrawnMap]:
    """One tenure zone: the whole zone, and a closer map of its villages when they are small
    beside it (a reserved forest holds villages of a few hundred metres).

    Parameters
    ----------
    zone : pandas.Series
        A row of the tenure zones frame, with ``geometry``.
    villages : GeoDataFrame
        The visible villages of the area (those near the zone are drawn).
    notes : Mapping
        The households inside this zone, as written under each village's name, by code; the
        villages named here are those the closer map frames.
    lang : {"th", "en"}
    detail : Detail
        Plots and household points, for audiences that may see them; drawn on the closer
        map, or on the zone's map when there is none.

    Returns
    -------
    list of DrawnMap
        One or two maps.
    """
    t = TEXT[lang]
    shape = zone.geometry
    frame = pd.DataFrame([zone])
    near = _near(villages, shape)
    focus = _focus(near, notes, shape)
    close = focus is not None and _span(focus) < 0.5 * _span(shape)
    main = _zone_drawing(frame, near, notes, lang, Detail() if close else _clip(detail, shape),
                         extent=shape, height=ZONE_HEIGHT_MM, caption=t["zone_map"])
    if not close or focus is None:
        return [main]
    closer = _zone_drawing(frame, _near(villages, focus), notes, lang, _clip(detail, focus),
                           extent=focus, height=DETAIL_HEIGHT_MM, caption=t["detail_map"])
    return [main, closer]


def _zone_drawing(zones: pd.DataFrame, villages: pd.DataFrame, notes: Mapping[str, str],
                  lang: str, detail: Detail, *, extent: BaseGeometry, height: float,
                  caption: str) -> DrawnMap:
    t = TEXT[lang]
    legend: list[LegendItem] = []
    layers = [_zone_layer(zones, labels=[None] * len(zones))]
    legend.append(_zone_legend(zones, t))
    layers += _detail_layers(detail, legend, lang)
    layers.append(_village_layer(villages, notes, lang))
    legend.append(_village_legend(t))
    svg = render_map(layers, width_mm=CONTENT_WIDTH_MM, height_mm=height, lang=lang,
                     extent=extent, margin=0.08)
    return DrawnMap(svg, tuple(legend), caption)


def _focus(villages: pd.DataFrame, notes: Mapping[str, str],
           zone: BaseGeometry) -> BaseGeometry | None:
    """The box around the villages with households in the zone, within the zone's box."""
    if villages is None or villages.empty or "geometry" not in villages:
        return None
    named = villages.loc[villages["village_code"].astype(str).isin(set(notes))]
    if named.empty:
        return None
    box = shapely.envelope(shapely.union_all(list(named.geometry)))
    return box.intersection(shapely.envelope(zone)) or box


def _span(shape: BaseGeometry) -> float:
    west, south, east, north = shape.bounds
    return float(max(east - west, north - south))


def _zone_layer(zones: pd.DataFrame, *, labels: Sequence[str | None]) -> MapLayer:
    style = LAYERS["tenure_zones"].style
    assert style is not None  # declared in layers/tenure.py
    return layer_from_style(list(zones.geometry), style, codes=list(zones["agency"]),
                            labels=labels, fill_opacity=0.3, stroke_width=1.4, label_size=9.0)


def _zone_legend(zones: pd.DataFrame, t: Mapping[str, str]) -> LegendItem:
    style = LAYERS["tenure_zones"].style
    assert style is not None
    agency = str(zones["agency"].iloc[0]) if len(zones) else None
    return LegendItem("area", style.color_for(agency), t["map_legend_zone"])


def _village_layer(villages: pd.DataFrame, notes: Mapping[str, str], lang: str) -> MapLayer:
    style = LAYERS["villages"].style
    assert style is not None
    labels = []
    for _, v in villages.iterrows():
        name = v["name_th"] if lang == "th" or pd.isna(v.get("name_en")) else v["name_en"]
        note = notes.get(str(v["village_code"]))
        labels.append(f"{name}\n{note}" if note else str(name))
    return layer_from_style(list(villages.geometry), style, labels=labels, fill_opacity=0.0,
                            stroke_width=1.0, label_size=7.5)


def _village_legend(t: Mapping[str, str]) -> LegendItem:
    style = LAYERS["villages"].style
    assert style is not None
    return LegendItem("area", style.color, t["map_legend_village"])


def _detail_layers(detail: Detail, legend: list[LegendItem], lang: str) -> list[MapLayer]:
    t = TEXT[lang]
    layers = []
    plots_style, houses_style = LAYERS["plots"].style, LAYERS["households"].style
    assert plots_style is not None and houses_style is not None
    if detail.plots is not None and len(detail.plots):
        codes = _codes(detail.plots, "land_owner")
        layers.append(layer_from_style(list(detail.plots.geometry), plots_style, codes=codes,
                                       stroke="#757575", stroke_width=0.3, fill_opacity=0.45))
        legend += [LegendItem("area", plots_style.color_for(c),
                              f"{t['plots']}: {LAND_OWNER.label(c, lang)}")
                   for c in LAND_OWNER.codes() if c in set(codes)]
    if detail.households is not None and len(detail.households):
        codes = _codes(detail.households, "house_condition")
        layers.append(layer_from_style(list(detail.households.geometry), houses_style,
                                       codes=codes))
        legend += [LegendItem("dot", houses_style.color_for(c),
                              f"{t['households']}: {HOUSE_CONDITION.label(c, lang)}")
                   for c in HOUSE_CONDITION.codes() if c in set(codes)]
    return layers


def _codes(frame: pd.DataFrame, column: str) -> list[str | None]:
    # A column the audience may not see is absent: every shape then takes the default colour.
    if column not in frame:
        return [None] * len(frame)
    return [None if pd.isna(c) else str(c) for c in frame[column]]


def _near(frame: pd.DataFrame, shape: BaseGeometry) -> pd.DataFrame:
    if frame is None or frame.empty or "geometry" not in frame:
        return frame
    west, south, east, north = shape.bounds
    pad_x, pad_y = (east - west) * 0.1, (north - south) * 0.1
    hits = frame.geometry.intersects(
        shapely.box(west - pad_x, south - pad_y, east + pad_x, north + pad_y))
    near: pd.DataFrame = frame.loc[hits.to_numpy(dtype=bool)]
    return near


def _clip(detail: Detail, shape: BaseGeometry) -> Detail:
    return Detail(
        plots=None if detail.plots is None else _near(detail.plots, shape),
        households=None if detail.households is None else _near(detail.households, shape),
    )
