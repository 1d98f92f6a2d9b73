"""Reading one coordinate cell: decimal degrees (also with a decimal comma), degrees-minutes-
seconds, metres with thousands separators, Kobo/ODK geopoints and UTM zones.

Each function returns None for text it cannot read; the caller reports the row."""

from __future__ import annotations

import math
import re

_PLAIN = re.compile(r"^[+-]?\d+(?:\.\d*)?$|^[+-]?\.\d+$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# What may stand between the numbers of a DMS value: degree, minute and second marks as people
# type them (13°45'30.5", 13d45m30s, 13 45 30, 13:45:30).
_DMS_MARKS = set("°º˚d'′’\"″”ms: \t")
_HEMISPHERE = re.compile(r"^\s*([NSEWnew])\s*|\s*([NSEWnew])\.?\s*$")
_ZONE = re.compile(r"^\s*(?:utm\s*)?(?:zone\s*|โซน\s*)?(\d{1,2})\s*([C-HJ-NP-Xc-hj-np-x])?\s*$")


def parse_number(text: str, *, metres: bool = False) -> float | None:
    """A plain number. ``13,75`` is a decimal comma; in ``metres`` mode ``1,520,345.5`` has
    thousands separators (an easting never needs a decimal comma with three decimals)."""
    value = text.strip().replace("\u2212", "-")
    if _PLAIN.match(value):
        return _finite(float(value))
    if metres and _THOUSANDS.match(value):
        return _finite(float(value.replace(",", "")))
    if _DECIMAL_COMMA.match(value):
        return _finite(float(value.replace(",", ".")))
    return None


def parse_degrees(text: str) -> float | None:
    """Decimal degrees from ``13.7563``, ``13,7563``, ``13°45'30.5"N``, ``100 30 15 E``,
    ``13d45m30s``, ``N13 45.5``; south and west are negative."""
    plain = parse_number(text)
    if plain is not None:
        return plain
    value = text.strip().replace("\u2212", "-")
    sign = 1.0
    hemisphere = _HEMISPHERE.search(value)
    if hemisphere:
        letter = (hemisphere.group(1) or hemisphere.group(2)).upper()
        sign = -1.0 if letter in "SW" else 1.0
        value = value[:hemisphere.start()] + value[hemisphere.end():]
    value = value.strip()
    if value.startswith("-"):
        sign, value = -sign, value[1:]
    numbers = _NUMBER.findall(value)
    rest = _NUMBER.sub("", value)
    if not 1 <= len(numbers) <= 3 or not set(rest) <= _DMS_MARKS:
        return None
    parts = [float(n.replace(",", ".")) for n in numbers]
    if any(p >= 60 for p in parts[1:]):
        return None
    degrees = parts[0] + sum(p / 60 ** i for i, p in enumerate(parts[1:], start=1))
    return _finite(sign * degrees)


def parse_geopoint(text: str) -> tuple[float, float, float | None] | None:
    """``lat lon [alt [accuracy]]`` as Kobo and ODK export a geopoint (also ``lat,lon``):
    latitude, longitude and the accuracy in metres when given."""
    value = text.strip()
    parts = value.split()
    if len(parts) == 1 and value.count(",") == 1:
        parts = value.split(",")
    elif len(parts) == 2 and parts[0].endswith(","):
        parts = [parts[0][:-1], parts[1]]
    if not 2 <= len(parts) <= 4:
        return None
    numbers = [parse_number(p) for p in parts]
    if any(n is None for n in numbers):
        return _dms_pair(value)
    lat, lon = numbers[0], numbers[1]
    assert lat is not None and lon is not None  # checked above; for mypy
    accuracy = numbers[3] if len(numbers) == 4 else None
    return lat, lon, accuracy


_DMS_PAIR = re.compile(r"^\s*(.+?[NSns])[\s,;]+(.+?[EWew])\s*$")


def _dms_pair(value: str) -> tuple[float, float, float | None] | None:
    """Latitude and longitude in one cell with their hemisphere letters, as Google Maps shows
    a place: ``13°31'12.0"N 102°09'36.0"E``."""
    match = _DMS_PAIR.match(value)
    if not match:
        return None
    lat, lon = parse_degrees(match.group(1)), parse_degrees(match.group(2))
    if lat is None or lon is None:
        return None
    return lat, lon, None


def parse_zone(text: str) -> int | None:
    """The EPSG code of the WGS 84 UTM zone in ``47``, ``48``, ``47N``, ``48P``, ``48Q``, ``zone
    47``: a latitude band C–M is the southern hemisphere, N–X (and a bare zone) the northern."""
    match = _ZONE.match(text)
    if not match:
        return None
    zone = int(match.group(1))
    if not 1 <= zone <= 60:
        return None
    band = (match.group(2) or "N").upper()
    return (32700 if band < "N" else 32600) + zone


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
