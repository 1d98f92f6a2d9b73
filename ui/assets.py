"""Every browser asset of the map, served by the app itself (DESIGN.md §6): nothing from a CDN.

folium lists the scripts and stylesheets an element needs in the class attributes
``default_js``/``default_css``; a rendered map links them in its header and streamlit-folium's
frontend loads them one by one, stopping at the first that fails, so one blocked CDN script
leaves an empty map. `local_assets` points those lists at files under ``static/`` that Streamlit
serves at ``/app/static/`` (``[server] enableStaticServing = true``). folium's defaults also load
jQuery, Bootstrap, Font Awesome and Leaflet.awesome-markers; the map uses none of them (plain
Leaflet: GeoJSON, circle markers, layer control), so they are dropped, not vendored.

`asset_urls` lists every URL registered here so that a test can check each file exists;
`page_font_css` gives the page the same Thai web font the map uses.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar, Final

import folium
import folium.plugins
from folium.elements import JSCSSMixin
from folium.template import Template

STATIC_URL: Final = "/app/static"
STATIC_DIR: Final = Path(__file__).resolve().parents[1] / "static"

Link = tuple[str, str]  # (name folium dedupes on, URL)

LEAFLET_JS: Final[Link] = ("leaflet", f"{STATIC_URL}/vendor/leaflet/leaflet.js")
LEAFLET_CSS: Final[Link] = ("leaflet_css", f"{STATIC_URL}/vendor/leaflet/leaflet.css")
LEAFLET_IMAGES: Final = f"{STATIC_URL}/vendor/leaflet/images/"
DRAW_JS: Final[Link] = ("leaflet_draw_js", f"{STATIC_URL}/vendor/leaflet-draw/leaflet.draw.js")
DRAW_CSS: Final[Link] = ("leaflet_draw_css",
                         f"{STATIC_URL}/vendor/leaflet-draw/leaflet.draw.css")
FONTS_CSS: Final[Link] = ("landmap_fonts", f"{STATIC_URL}/fonts.css")
LANDMAP_JS: Final[Link] = ("landmap_js", f"{STATIC_URL}/landmap/map.js")
LANDMAP_CSS: Final[Link] = ("landmap_css", f"{STATIC_URL}/landmap/map.css")

FONT_FAMILY: Final = "Sarabun"
# Sarabun has Thai and Latin glyphs (digits included), so one family serves both languages.
FONT_STACK: Final = f'"{FONT_FAMILY}", sans-serif'


class MapAssets(JSCSSMixin):
    """Landmap's own map script and stylesheets plus the Thai font; added to every map.

    Its script also tells Leaflet where its default marker images are (Leaflet guesses the path
    from its stylesheet's URL, which fails for some ways of loading it).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.Icon.Default.imagePath = {{ this.image_path|tojson }};
        {% endmacro %}
        """
    )

    default_js: ClassVar[list[Link]] = [LANDMAP_JS]
    default_css: ClassVar[list[Link]] = [FONTS_CSS, LANDMAP_CSS]

    def __init__(self) -> None:
        super().__init__()
        self._name = "MapAssets"
        self.image_path = LEAFLET_IMAGES


# The folium classes the app uses that carry assets, and what each should load. A class whose
# MRO has no JSCSSMixin (GeoJson, FeatureGroup, CircleMarker, LayerControl, TileLayer) loads
# nothing of its own.
_ASSETS: Final[dict[type[JSCSSMixin], tuple[tuple[Link, ...], tuple[Link, ...]]]] = {
    folium.Map: ((LEAFLET_JS,), (LEAFLET_CSS,)),
    folium.plugins.Draw: ((DRAW_JS,), (DRAW_CSS,)),
    MapAssets: ((LANDMAP_JS,), (FONTS_CSS, LANDMAP_CSS)),
}


def local_assets() -> None:
    """Point ``default_js``/``default_css`` of every folium class the app uses at local files.

    Idempotent: it sets the lists (fresh copies) rather than appending to them, so calling it on
    every rerun changes nothing after the first call.
    """
    for cls, (js, css) in _ASSETS.items():
        cls.default_js = list(js)
        cls.default_css = list(css)


def asset_urls() -> list[str]:
    """Every URL `local_assets` registers, in registration order, without duplicates."""
    urls: list[str] = []
    for js, css in _ASSETS.values():
        urls.extend(url for _, url in (*js, *css))
    return list(dict.fromkeys(urls))


def registered_classes() -> tuple[type[JSCSSMixin], ...]:
    """The folium classes whose asset lists `local_assets` sets."""
    return tuple(_ASSETS)


def static_path(url: str) -> Path:
    """The file under ``static/`` that Streamlit serves at ``url`` (``/app/static/...``)."""
    prefix = STATIC_URL + "/"
    if not url.startswith(prefix):
        raise ValueError(f"{url!r} is not served from {prefix}")
    return STATIC_DIR / url.removeprefix(prefix)


_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""")


def css_urls(css: str) -> list[str]:
    """The ``url(...)`` references of a stylesheet, as written."""
    return [m.group(2) for m in _CSS_URL.finditer(css)]


def page_font_css() -> str:
    """A ``<style>`` element that gives the Streamlit page the Thai web font.

    The ``@font-face`` rules are those of ``static/fonts.css`` with absolute ``/app/static/``
    URLs (an inline style resolves relative URLs against the page, not the stylesheet). The
    font is set on the app's text elements but not on icons (Material Symbols), code or maths.
    Canvas-drawn widgets (``st.dataframe``) take their font from the theme, not from CSS.
    """
    faces = (STATIC_DIR / "fonts.css").read_text(encoding="utf-8")
    faces = re.sub(r"/\*.*?\*/\s*", "", faces, flags=re.DOTALL)
    faces = _CSS_URL.sub(lambda m: f'url("{STATIC_URL}/{m.group(2)}")', faces)
    not_text = (
        ':not([data-testid="stIconMaterial"]):not(code):not(pre):not(kbd)'
        ":not(pre *):not(code *):not(.katex *)"
    )
    rules = (
        f"html, body, .stApp {{ font-family: {FONT_STACK}; }}\n"
        f".stApp *{not_text} {{ font-family: {FONT_STACK}; }}\n"
    )
    return f"<style>\n{faces}\n{rules}</style>"
