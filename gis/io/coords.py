"""Finding the coordinate columns of a table and building points from them.

Survey tables give positions in many ways: lat/lon under Thai or English headers, Kobo
(``_gps_latitude``) and ODK Central (``gps-Latitude``) exports, a geopoint column
(``lat lon alt accuracy``), DMS text, UTM easting/northing with or without a zone column, or —
in headerless government lists — two unnamed numeric columns. ``locate`` tries these in that
order of certainty and reports every row it cannot place, every swap it makes and every point
outside Thailand as an ``Issue`` (DESIGN.md §5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Point, Polygon

from gis.io import thailand
from gis.io.coord_values import parse_degrees, parse_geopoint, parse_number
from gis.io.coords_utm import from_utm
from gis.io.model import CrsCandidate, CrsSource, Issue, Severity, issue

_PLAIN_DECIMAL = r"[+-]?\d+(?:\.\d*)?|[+-]?\.\d+"  # what parse_number reads as it is
LOW_ACCURACY_M = 50.0  # a phone GPS fix worse than this cannot place a house on a plot
LOOKED_FOR = ("ละติจูด/ลองจิจูด", "lat/lon", "latitude/longitude", "x/y", "E/N", "easting/northing",
              "ค่าพิกัดตะวันออก/เหนือ", "_<name>_latitude", "<name>-Latitude", "geopoint")


@dataclass
class Located:
    """Points for each row (None where a row has none) in ``crs_epsg``, or ``geometry`` None
    when the table has no coordinates; the columns used and the issues found."""

    geometry: list[Any] | None  # points; polygons or lines from geoshape/geotrace cells
    crs_epsg: int | None = None
    crs_source: CrsSource | None = None
    crs_candidates: list[CrsCandidate] = field(default_factory=list)
    columns: tuple[str, ...] = ()
    issues: list[Issue] = field(default_factory=list)


def column_role(name: str) -> str | None:
    """What a header names: ``lat``, ``lon``, ``x`` (easting or X), ``y`` (northing or Y),
    ``zone``, ``accuracy`` or None. ``x``/``y`` may hold degrees or metres: values decide."""
    key = name.strip().lower()
    # "พิกัดX", "ค่าพิกัด N": the Thai word for coordinate glued to the axis letter.
    tokens = set(re.split(r"[\s_\-.()/:\[\]]+", re.sub(r"^(ค่า)?พิกัด", "", key))) - {""}
    if "ละติจูด" in key or "ละติจุด" in key or tokens & {"lat", "latitude"}:
        return "lat"
    if "ลองจิจูด" in key or "ลองติจูด" in key or tokens & {"lon", "lng", "long", "longitude"}:
        return "lon"
    if "โซน" in key or "zone" in tokens:
        return "zone"
    if "ตะวันออก" in key or tokens & {"easting", "east", "e", "x"}:
        return "x"
    if "เหนือ" in key or tokens & {"northing", "north", "n", "y"}:
        return "y"
    if "ความแม่นยำ" in key or tokens & {"accuracy", "precision"}:
        return "accuracy"
    return None


def locate(frame: pd.DataFrame, *, headerless: bool = False, file: str | None = None,
           layer: str | None = None, sheet: str | None = None) -> Located:
    """Find the coordinate columns of ``frame`` (text cells) and build one point per row.

    Parameters
    ----------
    frame
        The table as read, one row per feature; cells are text or None.
    headerless
        The table had no header row: skip header names and look for a lat/lon pair by values.
    file, layer, sheet
        Where the table came from, for the issues.
    """
    where: dict[str, Any] = {"file": file, "layer": layer, "sheet": sheet}
    cells = _Cells(frame)
    roles: dict[str, str] = {}
    if not headerless:
        for name in cells:
            role = column_role(name)
            if role is not None and role not in roles:
                roles[role] = name
    accuracy = _numbers(cells[roles["accuracy"]]) if "accuracy" in roles else None
    if "lat" in roles and "lon" in roles and not _metres(cells[roles["lat"]]):
        lat, lon = roles["lat"], roles["lon"]
        return _degrees(_parse(cells[lat]), _parse(cells[lon]), (lat, lon), "declared",
                        accuracy, where)
    if not headerless:
        for name, values in cells.items():
            shapes = _geoshapes(values)
            if shapes is not None:
                return _shaped(shapes, name, where)
        for name, values in cells.items():
            points = _geopoints(values)
            if points is not None:
                return _degrees(points[0], points[1], (name,), "declared", points[2], where)
    if "lat" in roles and "lon" in roles:  # metres under lat/lon headers: read as UTM
        roles["x"], roles["y"] = roles["lon"], roles["lat"]
    if "x" in roles and "y" in roles:
        x, y = roles["x"], roles["y"]
        xs = np.array(_numbers(cells[x], metres=True), dtype=float)
        ys = np.array(_numbers(cells[y], metres=True), dtype=float)
        if np.nanmedian(np.abs(np.concatenate([xs, ys, [np.nan]]))) <= 180:
            return _degrees(_parse(cells[y]), _parse(cells[x]), (y, x), "guessed",
                            accuracy, where)
        zone = roles.get("zone")
        found = from_utm(xs, ys, cells[zone] if zone else None, (x, y, zone), where)
        return Located(found.geometry, found.epsg, found.source, found.candidates,
                       (x, y) + ((zone,) if zone else ()), found.issues)
    pair = _scan_pairs(cells)
    if pair is not None:
        lat, lon = pair
        located = _degrees(_parse(cells[lat]), _parse(cells[lon]), (lat, lon), "guessed",
                           None, where)
        located.issues.insert(0, issue(
            "coordinates_guessed", Severity.INFO,
            f"ไม่พบหัวคอลัมน์พิกัด จึงใช้คอลัมน์ {lat} เป็นละติจูดและ {lon} เป็นลองจิจูด "
            "เพราะค่าตกอยู่ในประเทศไทย",
            f"no coordinate headers; using {lat} as latitude and {lon} as longitude because "
            "their values fall in Thailand",
            fix_th="ตรวจบนแผนที่ตัวอย่าง", fix_en="check the preview map", **where))
        return located
    return Located(None, issues=[issue(
        "no_coordinates", Severity.ERROR,
        "ไม่พบคอลัมน์พิกัด (มองหา: " + ", ".join(LOOKED_FOR) + ")",
        "no coordinate columns found (looked for: " + ", ".join(LOOKED_FOR) + ")",
        fix_th="ตั้งชื่อหัวคอลัมน์เป็น ละติจูด และ ลองจิจูด (หรือ E, N และโซน UTM)",
        fix_en="name the columns latitude and longitude (or E, N and a UTM zone)", **where)])


def _geoshapes(values: list[str | None]) -> list[Any] | None:
    """Kobo/ODK geoshape or geotrace cells (``lat lon alt acc;lat lon alt acc;…``) as polygons
    (closed rings) or lines, when most filled cells are such sequences; None otherwise."""
    filled = [v for v in values if v is not None]
    if not filled or sum(";" in v for v in filled) < 0.8 * len(filled):
        return None
    out: list[Any] = []
    for value in values:
        parts = [parse_geopoint(p) for p in (value or "").split(";") if p.strip()]
        if value is None or len(parts) < 2 or any(p is None for p in parts):
            out.append(None)
            continue
        xy = [(p[1], p[0]) for p in parts if p is not None]  # (lon, lat)
        if len(xy) >= 4 and xy[0] == xy[-1]:
            out.append(Polygon(xy))
        else:
            out.append(LineString(xy))
    good = [g for g in out if g is not None]
    if len(good) < 0.8 * len(filled):
        return None
    return out


def _shaped(shapes: list[Any], column: str, where: dict[str, Any]) -> Located:
    found = [issue(
        "bad_coordinates", Severity.ERROR,
        f"อ่านรูปร่างในคอลัมน์ {column} ไม่ได้", f"cannot read the shape in column {column}",
        fix_th="วาดรูปร่างใหม่ในแบบฟอร์ม", fix_en="draw the shape again in the form",
        row=i + 1, field=column, **where) for i, g in enumerate(shapes) if g is None]
    return Located(shapes, 4326, "declared", [], (column,), found)


class _Cells(dict[str, list[str | None]]):
    """Column name → its cells as stripped text (None for blank), made when first asked for:
    a table with lat/lon headers never needs its other columns as text."""

    def __init__(self, frame: pd.DataFrame) -> None:
        super().__init__()
        self._frame = frame
        self._names = {str(c): c for c in frame.columns}

    def __missing__(self, name: str) -> list[str | None]:
        column = self._frame[self._names[name]].to_numpy(dtype=object)
        try:
            codes, uniques = pd.factorize(column, use_na_sentinel=True)
        except TypeError:
            texts = [_text(v) for v in column]
        else:
            table = np.array([*(_text(u) for u in uniques), None], dtype=object)
            texts = table[codes].tolist()  # code -1 (missing) → the last slot, None
        self[name] = texts
        return texts

    def __iter__(self) -> Any:
        return iter(self._names)

    def items(self) -> Any:
        return ((name, self[name]) for name in self._names)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _parse(values: list[str | None]) -> list[float | None]:
    """Degrees for each cell; plain decimals (nearly every cell) in one vectorised pass."""
    cells = pd.Series(values, dtype=object)
    text = cells.where(cells.notna(), "")
    plain = text.str.fullmatch(_PLAIN_DECIMAL).fillna(False).to_numpy(dtype=bool)
    out = np.full(len(values), np.nan)
    if plain.any():
        out[plain] = text[plain].astype(float).to_numpy()
    parsed: list[float | None] = [None if not np.isfinite(v) else float(v) for v in out]
    for i in np.flatnonzero(~plain):
        value = values[i]
        parsed[i] = parse_degrees(value) if value is not None else None
    return parsed


def _numbers(values: list[str | None], *, metres: bool = False) -> list[float]:
    out = [parse_number(v, metres=metres) if v is not None else None for v in values]
    return [np.nan if v is None else v for v in out]


def _metres(values: list[str | None]) -> bool:
    """Whether most values are numbers too large for degrees (UTM metres)."""
    numbers = np.array(_numbers(values, metres=True), dtype=float)
    numbers = numbers[np.isfinite(numbers)]
    return bool(numbers.size) and bool(np.median(np.abs(numbers)) > 1000)


def _geopoints(values: list[str | None]
               ) -> tuple[list[float | None], list[float | None], list[float]] | None:
    """Latitudes, longitudes and accuracies when most filled cells are geopoints."""
    parsed = [parse_geopoint(v) if v is not None else None for v in values]
    filled = sum(v is not None for v in values)
    good = [p for p in parsed if p is not None and abs(p[0]) <= 90 and abs(p[1]) <= 180]
    if not filled or len(good) < 0.8 * filled:
        return None
    # "12 3" (house number, moo) also reads as two numbers: most geopoints must be in Thailand.
    lat, lon = np.array([p[0] for p in good]), np.array([p[1] for p in good])
    if (thailand.inside(lon, lat) | thailand.inside(lat, lon)).sum() < 0.5 * len(good):
        return None
    lats = [p[0] if p else None for p in parsed]
    lons = [p[1] if p else None for p in parsed]
    acc = [p[2] if p and p[2] is not None else np.nan for p in parsed]
    return lats, lons, acc


def _scan_pairs(cells: dict[str, list[str | None]]) -> tuple[str, str] | None:
    """The (latitude, longitude) columns whose values put the most rows in Thailand."""
    numeric: dict[str, np.ndarray] = {}
    for name, values in cells.items():
        numbers = np.array(_numbers(values), dtype=float)
        filled = sum(v is not None for v in values)
        if filled and np.isfinite(numbers).sum() >= 0.8 * filled:
            numeric[name] = numbers
    best: tuple[int, str, str] | None = None
    for lat_name, lat in numeric.items():
        for lon_name, lon in numeric.items():
            if lat_name == lon_name:
                continue
            score = int(thailand.inside(lon, lat).sum())
            if score and (best is None or score > best[0]):
                best = (score, lat_name, lon_name)
    if best is None or best[0] < 0.5 * max(np.isfinite(numeric[best[1]]).sum(), 1):
        return None
    return best[1], best[2]


def _degrees(lats: list[float | None], lons: list[float | None], columns: tuple[str, ...],
             source: CrsSource, accuracy: list[float] | None, where: dict[str, Any]) -> Located:
    """Points in EPSG:4326 from parsed degrees, swapping lat/lon where that is what puts a
    point in Thailand, and the issues: bad, swapped, outside, low accuracy."""
    lat = np.array([np.nan if v is None else v for v in lats], dtype=float)
    lon = np.array([np.nan if v is None else v for v in lons], dtype=float)
    found: list[Issue] = []
    fields = "/".join(columns)
    bad = ~(np.isfinite(lat) & np.isfinite(lon)) | ((np.abs(lat) > 90) & (np.abs(lon) > 90))
    for i in np.flatnonzero(bad):
        found.append(issue(
            "bad_coordinates", Severity.ERROR,
            f"แถวนี้ไม่มีพิกัด หรืออ่านพิกัดไม่ได้ ({fields})",
            f"this row's coordinates are missing or unreadable ({fields})",
            fix_th="ใส่ละติจูดและลองจิจูดเป็นองศาทศนิยม เช่น 13.7563, 100.5018",
            fix_en="enter latitude and longitude in decimal degrees, e.g. 13.7563, 100.5018",
            row=int(i) + 1, field=fields, **where))
    ok = thailand.inside(lon, lat)
    swapped = ~bad & ~ok & thailand.inside(lat, lon)
    if swapped.any() and not ok.any():
        found.append(issue(
            "swapped_latlon_file", Severity.INFO,
            "ละติจูดและลองจิจูดสลับกันทั้งไฟล์ จึงสลับกลับให้",
            "latitude and longitude are swapped in the whole file; swapped them back",
            fix_th="ตรวจว่าคอลัมน์ใดเป็นละติจูด", fix_en="check which column is latitude",
            field=fields, **where))
    else:
        for i in np.flatnonzero(swapped):
            found.append(issue(
                "swapped_latlon_row", Severity.INFO,
                "ละติจูดและลองจิจูดของแถวนี้สลับกัน จึงสลับกลับให้",
                "this row's latitude and longitude are swapped; swapped them back",
                fix_th="แก้ค่าในไฟล์ต้นทาง", fix_en="correct the source file",
                row=int(i) + 1, field=fields, **where))
    lat[swapped], lon[swapped] = lon[swapped], lat[swapped]
    # Rows outside Thailand are judged (and reported) by gis.io.check, for every format.
    if accuracy is not None:
        for i in np.flatnonzero(np.array(accuracy, dtype=float) > LOW_ACCURACY_M):
            found.append(issue(
                "low_accuracy", Severity.WARNING,
                f"ความแม่นยำของ GPS {accuracy[i]:g} ม. (เกิน {LOW_ACCURACY_M:g} ม.)",
                f"GPS accuracy {accuracy[i]:g} m (worse than {LOW_ACCURACY_M:g} m)",
                fix_th="เก็บพิกัดใหม่ในที่โล่ง", fix_en="take the position again in the open",
                row=int(i) + 1, field=fields, **where))
    points = shapely.points(lon, lat)
    points[bad] = None
    geometry: list[Point | None] = points.tolist()
    found.sort(key=lambda f: (f.row or 0))
    return Located(geometry, 4326, source, [], columns, found)
