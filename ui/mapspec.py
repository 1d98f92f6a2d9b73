"""What the map sends to the browser besides the features: one dictionary per layer (field
labels, vocabulary labels, colours, the words of popups) and the legend, in the user's language.

Pure functions of a `gis.viewport.MapView` and the layer declarations: no folium, no Streamlit.
``static/landmap/map.js`` turns these dictionaries into styles, popups and the legend, so labels
travel once per layer, never once per feature.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from gis.viewport import LayerView, MapView
from layers import LAYERS
from layers.schema import DType, LayerSpec, Style
from ui.i18n import DEFAULT_LANG, LANGS, ngettext, translator

SUMMARY_KEY: Final = "village_summary"
COUNTED: Final = ("households", "plots")  # counts shown per village in summary mode

# The map's own words, from the gettext catalogs (field, layer and vocabulary labels come from
# layers/). The count phrases are plural forms: "{n}" is the number, or "< 3" when suppressed.
def words(lang: str) -> dict[str, Any]:
    """The map's words in ``lang`` (Thai when ``lang`` is unknown)."""
    _ = translator(lang)
    return {
        "yes": _("Yes"), "no": _("No"), "none": "–", "other": _("other / not recorded"),
        "summary": _("Village summary"), "suppressed": "< 3",
        "zoom": _("Zoom in to see {layers}."),
        "cap": _("Too many {layer} in view ({n}): zoom in to see them."),
        "privacy": _("{layers}: shown only as counts per village for your role."),
        "join": _("{first} and {last}"),
    }


def _counted(layer: str, n: int, lang: str) -> str:
    if layer == "households":
        return ngettext("{n} household", "{n} households", n, lang)
    return ngettext("{n} land plot", "{n} land plots", n, lang)


LOCALES: Final = {"th": "th-TH", "en": "en-GB"}


def layer_spec(lv: LayerView, lang: str) -> dict[str, Any]:
    """The one dictionary a layer sends with its features: labels, vocabularies, style."""
    lang = _lang(lang)
    spec = LAYERS[lv.layer]
    style = spec.style or Style(color="#3388ff")
    names = [name for name in lv.fields if _has_field(spec, name)]
    fields = [[name, spec.field(name).label(lang), _kind(spec, name)] for name in names]
    vocab = {}
    for name in names:
        vocabulary = spec.field(name).vocabulary
        if vocabulary is not None:
            vocab[name] = {t.code: vocabulary.label(t.code, lang) for t in vocabulary}
    by = style.by_field if style.by_field in names else None
    said = words(lang)
    return {
        "key": lv.layer,
        "title": spec.label(lang),
        "point": spec.geometry == "Point",
        "keyField": spec.key if spec.key in names else None,
        "style": {
            "color": style.color, "by": by, "colors": dict(style.colors) if by else {},
            "fillOpacity": style.fill_opacity, "weight": style.weight, "radius": style.radius,
        },
        "fields": fields,
        "vocab": vocab,
        "words": {"yes": said["yes"], "no": said["no"], "none": said["none"]},
        "locale": LOCALES[lang],
    }


def summary_spec(lang: str) -> dict[str, Any]:
    """How village outlines are drawn in summary mode (the villages layer's colour, light)."""
    villages = LAYERS["villages"].style or Style(color="#1f4e79")
    return {
        "key": SUMMARY_KEY,
        "title": words(_lang(lang))["summary"],
        "point": False,
        "style": {"color": villages.color, "by": None, "colors": {}, "fillOpacity": 0.12,
                  "weight": 1.5, "radius": 0},
    }


def summary_geojson(summary: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Village outlines carrying only their tooltip: the name and one line per count, e.g.
    "ครัวเรือน 168" / "168 households"; a suppressed count (None) reads "< 3"."""
    lang = _lang(lang)
    features = []
    for feature in summary.get("features", []):
        props = feature.get("properties") or {}
        name = props.get("name_th") if lang == "th" else props.get("name_en")
        label = name or props.get("name_th") or props.get("village_code") or ""
        lines = [count_text(layer, props.get(layer), lang) for layer in COUNTED if layer in props]
        out: dict[str, Any] = {"type": "Feature", "geometry": feature.get("geometry"),
                               "properties": {"label": str(label), "lines": lines}}
        if "id" in feature:
            out["id"] = feature["id"]
        features.append(out)
    return {"type": "FeatureCollection", "features": features}


def count_text(layer: str, n: int | None, lang: str) -> str:
    """ "ครัวเรือน 168" / "168 households"; None (suppressed, fewer than 3) reads "< 3"."""
    lang = _lang(lang)
    if n is None:
        return _counted(layer, 3, lang).format(n="< 3")
    return _counted(layer, n, lang).format(n=f"{n:,}")


def legend(view: MapView, lang: str) -> dict[str, Any]:
    """The legend: a section per drawn layer with the categories in view (colour, label in
    ``lang``), the village summary when shown, and a note per reason a layer is not drawn."""
    lang = _lang(lang)
    drawn = [lv for lv in view.layers if lv.mode == "features"]
    summarised = [lv for lv in view.layers if lv.mode != "features"]
    sections = [_legend_section(lv, lang) for lv in drawn if lv.geojson.get("features")]
    if summarised and view.summary.get("features"):
        sections.append({"title": None, "point": False,
                         "items": [[summary_spec(lang)["style"]["color"],
                                    words(lang)["summary"]]]})
    return {"sections": sections, "notes": legend_notes(summarised, lang)}


def _legend_section(lv: LayerView, lang: str) -> dict[str, Any]:
    spec = LAYERS[lv.layer]
    style = spec.style or Style(color="#3388ff")
    point = spec.geometry == "Point"
    by = style.by_field if style.by_field in lv.fields else None
    vocabulary = spec.field(by).vocabulary if by else None
    if by is None or vocabulary is None:
        return {"title": None, "point": point, "items": [[style.color, spec.label(lang)]]}
    present = {(f.get("properties") or {}).get(by) for f in lv.geojson.get("features", [])}
    items = [[style.color_for(code), vocabulary.label(code, lang)]
             for code in vocabulary.codes() if code in present]
    if present - set(vocabulary.codes()):
        items.append([style.color, words(lang)["other"]])
    return {"title": spec.label(lang), "point": point, "items": items}


def legend_notes(summarised: Iterable[LayerView], lang: str) -> list[str]:
    """Why layers are not drawn one by one: zoomed out, too many in view, or privacy."""
    lang = _lang(lang)
    said = words(lang)
    by_reason: dict[str, list[str]] = {}
    for lv in summarised:
        by_reason.setdefault(lv.reason or "zoom", []).append(lv.layer)
    notes = []
    if "zoom" in by_reason:
        notes.append(said["zoom"].format(layers=_join(by_reason["zoom"], lang)))
    for lv in summarised:
        if lv.reason == "cap":
            notes.append(said["cap"].format(layer=_label(lv.layer, lang), n=f"{lv.count:,}"))
    if "privacy" in by_reason:
        layers = _join(by_reason["privacy"], lang)
        notes.append(said["privacy"].format(layers=layers[:1].upper() + layers[1:]))
    return notes


def _join(layers: Sequence[str], lang: str) -> str:
    """Layer labels as a list inside a sentence: "land plots and households"."""
    labels = [_label(layer, lang) for layer in layers]
    if len(labels) == 1:
        return labels[0]
    return str(words(lang)["join"]).format(first=", ".join(labels[:-1]), last=labels[-1])


def _label(layer: str, lang: str) -> str:
    """A layer's label as written inside a sentence (English: small first letter)."""
    label = LAYERS[layer].label(lang)
    return label[:1].lower() + label[1:] if lang == "en" else label


def _has_field(spec: LayerSpec, name: str) -> bool:
    try:
        spec.field(name)
    except KeyError:
        return False
    return True


def _kind(spec: LayerSpec, name: str) -> str:
    field = spec.field(name)
    if field.vocabulary is not None:
        return "v"
    if field.dtype is DType.BOOL:
        return "b"
    if field.dtype in (DType.INT, DType.FLOAT):
        return "n"
    return "s"


def _lang(lang: str) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def to_js(value: Any) -> str:
    """``value`` as compact JSON that is safe inside ``<script>``: ``<``, ``>``, ``&`` and the
    line separators are escaped, so no value (a name from an upload) can end the script."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


