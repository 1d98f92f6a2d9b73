"""ui.assets: every script, stylesheet, image and font of the map is a file the app serves itself.

A rendered map must not name any outside URL (the optional basemap aside): streamlit-folium's
frontend stops at the first asset that fails to load, so one CDN link is an empty map offline.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import folium
import folium.plugins
from branca.element import Element
from folium.elements import JSCSSMixin

from gis.viewport import LayerView, MapView
from ui import assets, mapview

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
VENDOR = STATIC / "vendor"

# Anything that looks like a URL with a scheme or a protocol-relative one (//host/...).
OUTSIDE = re.compile(r"""(?:\b[a-z][a-z0-9+.-]*:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}""")


def _walk(element: Element) -> list[Element]:
    found = [element]
    for child in element._children.values():
        found.extend(_walk(child))
    return found


def _square(x: float, y: float, d: float = 0.001) -> dict[str, object]:
    ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def _view() -> MapView:
    """Every kind of content the map draws: polygons, points, a summarised layer, summary."""
    def fc(features: list[dict[str, object]]) -> dict[str, object]:
        return {"type": "FeatureCollection", "features": features}

    zone = {"type": "Feature", "id": "z1", "geometry": _square(102.0, 14.0, 0.01),
            "properties": {"uid": "z1", "zone_id": "Z1", "agency": "alro"}}
    house = {"type": "Feature", "id": "h1",
             "geometry": {"type": "Point", "coordinates": [102.0005, 14.0005]},
             "properties": {"uid": "h1", "household_id": "H1", "house_condition": "poor"}}
    village = {"type": "Feature", "id": "v1", "geometry": _square(102.0, 14.0, 0.02),
               "properties": {"village_code": "27040101", "name_th": "บ้านทดสอบ",
                              "name_en": "Ban Thotsop", "households": 12, "plots": None}}
    return MapView(
        bbox=(101.99, 13.99, 102.03, 14.03), zoom=16,
        layers=(
            LayerView("tenure_zones", "features", fc([zone]), ("zone_id", "agency"), 1),
            LayerView("plots", "summary", fc([]), ("plot_id",), 40, "cap"),
            LayerView("households", "features", fc([house]),
                      ("household_id", "house_condition"), 1),
        ),
        summary=fc([village]),
    )


def _full_map(basemap: str | None = None) -> folium.Map:
    m = mapview.build_map(_view(), "th", center=(14.0, 102.0), zoom=15, basemap=basemap,
                          attribution="tiles")
    folium.plugins.Draw().add_to(m)  # the editing issue's plugin: local too
    return m


def test_every_registered_url_is_a_served_file() -> None:
    urls = assets.asset_urls()
    assert urls, "ui.assets registers no asset"
    for url in urls:
        assert url.startswith("/app/static/"), url
        path = assets.static_path(url)
        assert path.is_file(), f"{url} is registered but {path} does not exist"


def test_local_assets_is_idempotent_and_drops_unused_cdn_libraries() -> None:
    assets.local_assets()
    first = {cls: (list(cls.default_js), list(cls.default_css))
             for cls in assets.registered_classes()}
    assets.local_assets()
    again = {cls: (list(cls.default_js), list(cls.default_css))
             for cls in assets.registered_classes()}
    assert first == again
    assert folium.Map.default_js == [assets.LEAFLET_JS]
    assert folium.Map.default_css == [assets.LEAFLET_CSS]
    names = {name for name, _ in folium.Map.default_js + folium.Map.default_css}
    assert not names & {"jquery", "bootstrap", "awesome_markers", "bootstrap_css"}


def test_rendered_map_names_no_outside_url() -> None:
    html = _full_map().get_root().render()
    assert OUTSIDE.findall(html) == []
    for attr in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert attr.startswith("/app/static/"), attr
        assert assets.static_path(attr).is_file(), attr


def test_only_the_configured_basemap_is_outside() -> None:
    basemap = "https://tiles.example.org/{z}/{x}/{y}.png"
    html = _full_map(basemap).get_root().render()
    assert {u.split("//", 1)[1] for u in OUTSIDE.findall(html)} == {"tiles.example.org"}


def test_every_asset_carrying_element_of_the_map_is_local() -> None:
    elements = [e for e in _walk(_full_map()) if isinstance(e, JSCSSMixin)]
    assert {type(e) for e in elements} >= {folium.Map, folium.plugins.Draw, assets.MapAssets}
    for element in elements:
        for name, url in [*element.default_js, *element.default_css]:
            assert url.startswith("/app/static/"), f"{type(element).__name__}.{name}: {url}"
            assert assets.static_path(url).is_file(), url
        assert type(element) in assets.registered_classes(), (
            f"{type(element).__name__} loads assets but ui.assets does not register it")


def test_the_map_header_links_the_thai_font() -> None:
    html = _full_map().get_root().render()
    assert '<link rel="stylesheet" href="/app/static/fonts.css"/>' in html


def test_stylesheets_reference_only_files_that_exist() -> None:
    sheets = sorted(STATIC.rglob("*.css"))
    assert STATIC / "fonts.css" in sheets
    for sheet in sheets:
        for url in assets.css_urls(sheet.read_text(encoding="utf-8")):
            if url.startswith(("data:", "#", "%23")):  # "%23…": an id inside an inline SVG
                continue
            assert "//" not in url, f"{sheet}: outside URL {url}"
            assert (sheet.parent / url).resolve().is_file(), f"{sheet}: {url} is missing"


def test_fonts_css_declares_thai_and_latin_sarabun_in_two_weights() -> None:
    css = (STATIC / "fonts.css").read_text(encoding="utf-8")
    urls = assets.css_urls(css)
    assert sorted(Path(u).name for u in urls) == sorted(
        f"sarabun-{subset}-{weight}-normal.woff2"
        for subset in ("thai", "latin") for weight in (400, 700))
    assert css.count('font-family: "Sarabun"') == 4
    assert "U+0E01-0E5B" in css  # the Thai block


def test_page_font_css_uses_absolute_local_urls() -> None:
    css = assets.page_font_css()
    assert css.startswith("<style>") and css.endswith("</style>")
    urls = assets.css_urls(css)
    assert len(urls) == 4
    for url in urls:
        assert assets.static_path(url).is_file(), url
    assert 'font-family: "Sarabun", sans-serif' in css
    assert 'stIconMaterial' in css  # icons keep their own font


def test_every_vendored_package_has_its_licence_and_is_listed() -> None:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    packages = [p for p in VENDOR.iterdir() if p.is_dir()]
    assert {p.name for p in packages} == {"leaflet", "leaflet-draw", "leaflet-geoman",
                                                "fontsource-sarabun"}
    for package in packages:
        licence = package / "LICENSE"
        assert licence.is_file() and licence.stat().st_size > 200, f"{package} has no licence"
        assert f"`{package.name}/`" in readme, f"static/vendor/README.md does not list {package}"


def test_vendor_script_and_readme_pin_the_same_versions() -> None:
    script = (ROOT / "scripts" / "vendor").read_text(encoding="utf-8")
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    pins = re.findall(r'^\s+"([^|"]+)\|([^|]+)\|(sha512-[^|]+)\|([^|]+)\|([^"]+)"$', script,
                      flags=re.MULTILINE)
    assert len(pins) == 4
    for name, version, integrity, licence, directory in pins:
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{directory}/`"))
        assert f"`{name}`" in row and f"| {version} |" in row and f"| {licence} |" in row
        assert integrity in row


def test_streamlit_serves_the_static_folder() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableStaticServing"] is True
    assert (ROOT / "streamlit_app.py").parent / "static" == STATIC
