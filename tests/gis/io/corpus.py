"""Shapefiles and zips built in ``tmp_path`` from the shared data (nothing committed).

``provinces_parts`` writes the 77 Thai provinces as a shapefile the way Thai offices send them
(UTM 47N, cp874 DBF); ``make_zip`` packs parts the way zip tools do, including Windows tools that
store Thai entry names in cp874 without the UTF-8 flag.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pyogrio

DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
PROVINCES = DATA / "th_provinces.geojson"
NATURALEARTH = DATA / "third_party" / "pyogrio_naturalearth_lowres"
SHAPEFILE_PARTS = ("shp", "shx", "dbf", "prj", "cpg")
THAI_FIELD = "ภาค"  # a Thai field name (3 bytes in cp874, fits the DBF's 10)
# The mojibake GDAL shows for กรุงเทพมหานคร when a cp874 DBF is read as Latin-1.
BANGKOK_MOJIBAKE = "¡ÃØ§à·¾ÁËÒ¹¤Ã"
MACOSX_JUNK = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "


def naturalearth_parts() -> dict[str, bytes]:
    """The pyogrio Natural Earth shapefile, unchanged (its ``.cpg`` says ISO-8859-1)."""
    return {ext: NATURALEARTH.with_suffix(f".{ext}").read_bytes() for ext in SHAPEFILE_PARTS}


@lru_cache(maxsize=1)
def _provinces() -> gpd.GeoDataFrame:
    return pyogrio.read_dataframe(PROVINCES)


def provinces_frame() -> gpd.GeoDataFrame:
    """The 77 provinces (WGS84), with ``reg_royin`` renamed to a Thai field name."""
    return _provinces().rename(columns={"reg_royin": THAI_FIELD}).copy()


def provinces_parts(
    tmp_path: Path, *, epsg: int = 32647, encoding: str = "cp874",
    keep: Iterable[str] = ("shp", "shx", "dbf"),
) -> dict[str, bytes]:
    """The provinces written as a shapefile in ``epsg`` with a DBF in ``encoding``.

    Only the ``keep`` parts are returned: by default no ``.cpg`` and no ``.prj``, as Thai
    offices send them.
    """
    folder = tmp_path / f"provinces-{epsg}-{encoding}"
    folder.mkdir(exist_ok=True)
    path = folder / "provinces.shp"
    pyogrio.write_dataframe(provinces_frame().to_crs(epsg), path, encoding=encoding)
    return {ext: path.with_suffix(f".{ext}").read_bytes() for ext in keep}


def entries(parts: Mapping[str, bytes], stem: str) -> dict[str, bytes]:
    """Zip entries ``{stem}.{ext}`` for a layer's parts (``stem`` may hold folders)."""
    return {f"{stem}.{ext}": content for ext, content in parts.items()}


def macosx_junk(stem: str) -> dict[str, bytes]:
    """What macOS Finder adds to a zip: ``__MACOSX/…/._name`` resource forks."""
    folder, _, base = stem.rpartition("/")
    prefix = f"__MACOSX/{folder}/" if folder else "__MACOSX/"
    return {f"{prefix}._{base}.{ext}": MACOSX_JUNK for ext in ("shp", "dbf", "prj")}


def make_zip(
    files: Mapping[str, bytes], *, name_encoding: str = "utf-8", utf8_flag: bool = True,
) -> bytes:
    """A zip of ``files``. Non-ASCII names are stored as flagged UTF-8 (as zipfile does), or,
    with ``name_encoding="cp874"`` or ``utf8_flag=False``, as raw bytes in ``name_encoding``
    without the flag: Thai Windows zip tools write cp874, some others unflagged UTF-8.

    zipfile always writes non-ASCII names as flagged UTF-8, so cp874 names are written as ASCII
    placeholders of the same byte length and patched afterwards (offsets do not move; the CRC
    covers only the content).
    """
    patches: dict[bytes, bytes] = {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, (name, content) in enumerate(files.items()):
            stored = name
            if (name_encoding != "utf-8" or not utf8_flag) and not name.isascii():
                raw = name.encode(name_encoding)
                placeholder = f"~{number:04d}~".ljust(len(raw), "~").encode("ascii")
                assert len(placeholder) == len(raw), "name too short for a placeholder"
                patches[placeholder] = raw
                stored = placeholder.decode("ascii")
            archive.writestr(stored, content)
    data = buffer.getvalue()
    for placeholder, raw in patches.items():
        assert data.count(placeholder) == 2, "placeholder must occur in both headers only"
        data = data.replace(placeholder, raw)
    return data
