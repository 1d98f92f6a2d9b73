"""`landmap check --json` on the acceptance corpus (12a–12f in ../shared/data/SOURCES.md), built in
tmp_path from the shared files: outcome, format, counts, CRS, bbox and issues — the public
contract other tools call."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from gis.cli import main

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data"
THIRD = SHARED / "third_party"
TH_BBOX = (97.3, 5.6, 105.7, 20.5)


def run_check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["check", *args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def within(bbox: list[float], outer: tuple[float, float, float, float]) -> bool:
    return (bbox[0] >= outer[0] and bbox[1] >= outer[1] and bbox[2] <= outer[2]
            and bbox[3] <= outer[3])


def test_12a_natural_earth_zip_keeps_only_thailand(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "naturalearth_lowres.zip"
    with zipfile.ZipFile(path, "w") as z:
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            z.write(THIRD / f"pyogrio_naturalearth_lowres.{ext}", f"naturalearth_lowres.{ext}")
    code, report = run_check(capsys, str(path))
    assert code == 0
    assert report["format"] == "zip-shapefile"
    assert report["outcome"] == "import-with-issues"
    (layer,) = report["layers"]
    assert layer["features"] == 1  # Thailand; its neighbours lie outside
    assert layer["crs"]["epsg"] == 4326 and layer["crs"]["source"] == "declared"
    assert within(layer["bbox_wgs84"], TH_BBOX)
    outside = [i for i in report["issues"] if i["code"] == "outside_thailand"]
    assert len(outside) == 176 and all(i["row"] and i["message_th"] for i in outside)


def test_12b_curvepolygon_in_canada_is_rejected(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_check(capsys, str(THIRD / "pyogrio_curvepolygon.gpkg"))
    assert code == 2
    assert report["format"] == "gpkg" and report["outcome"] == "reject"
    assert report["layers"][0]["features"] == 0
    assert {"outside_thailand", "no_features"} <= {i["code"] for i in report["issues"]}


def test_12c_gpx_in_croatia_is_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_check(capsys, str(THIRD / "gpxpy_around-visnjan-with-car.gpx"))
    assert code == 2
    assert report["format"] == "gpx" and report["outcome"] == "reject"
    assert sum(layer["features"] for layer in report["layers"]) == 0


def _pramote(tmp_path: Path) -> tuple[Path, list[list[str]]]:
    text = (THIRD / "pramotesupnoi_Thailand-subdistrict.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    # Sa Kaeo (27), then 10 Bueng Kan lines, which this list has without coordinates.
    kept = [r for r in rows if r[9] == "27"] + [r for r in rows if r[11] == "Bueng Kan"][:10]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(kept)
    path = tmp_path / "subdistricts.csv"
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    return path, kept


def test_12d_headerless_tambon_list_with_bom(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path, kept = _pramote(tmp_path)
    geojson = tmp_path / "out.geojson"
    code, report = run_check(capsys, str(path), "--geojson", str(geojson))
    assert code == 0 and report["format"] == "csv"
    assert report["outcome"] == "import-with-issues"
    (layer,) = report["layers"]
    located = [r for r in kept if r[3] and r[4]]
    assert layer["features"] == len(located) == 59 and len(kept) == 69
    missing = sorted(i["row"] for i in report["issues"]
                     if i["severity"] == "error" and i["row"] is not None)
    assert missing == list(range(60, 70))  # the Bueng Kan rows, numbered from the first row
    lats = [float(r[3]) for r in located]
    lons = [float(r[4]) for r in located]
    bbox = layer["bbox_wgs84"]
    assert bbox == pytest.approx([min(lons), min(lats), max(lons), max(lats)], abs=1e-6)
    written = json.loads(geojson.read_text(encoding="utf-8"))
    assert len(written["features"]) == 59
    first = written["features"][0]["properties"]
    assert first["source_row"] == 1 and "ศรีภูมิ" not in json.dumps(written, ensure_ascii=False)
    assert kept[0][1] in json.dumps(first, ensure_ascii=False)  # Thai tambon name decoded


def _dhanabhon(tmp_path: Path) -> tuple[Path, int]:
    def rows(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(
            (THIRD / name).read_text(encoding="utf-8-sig"))))

    province = next(p["PROVINCE_ID"] for p in rows("dhanabhon_provinces.csv")
                    if "Chiang Rai" in p.values())
    districts = {d["DISTRICT_ID"] for d in rows("dhanabhon_districts.csv")
                 if d["PROVINCE_ID"] == province}
    lines = (THIRD / "dhanabhon_sub_districts.csv").read_text(encoding="utf-8-sig").splitlines()
    header, body = lines[0], lines[1:]
    kept = [line for line, row in zip(body, csv.DictReader(io.StringIO("\n".join(lines))),
                                      strict=True) if row["DISTRICT_ID"] in districts]
    path = tmp_path / "chiang_rai.csv"
    path.write_text("\n".join([header, *kept]) + "\n", encoding="utf-8")
    return path, len(kept)


def test_12e_chiang_rai_tambons_with_headers(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path, n = _dhanabhon(tmp_path)
    code, report = run_check(capsys, str(path))
    assert code == 0
    (layer,) = report["layers"]
    bad = [i["row"] for i in report["issues"] if i["code"] == "bad_coordinates"]
    assert bad == [16]  # Tha Sut: the source has "None" for its coordinates
    assert layer["features"] == n - 1 > 100
    assert within(layer["bbox_wgs84"], (99.0, 19.0, 101.0, 20.6))  # Chiang Rai


def test_12f_truncated_kml_is_rejected_with_a_reason(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_check(capsys, str(THIRD / "gdal_truncated.kml"))
    assert code == 2
    assert report["format"] == "kml" and report["outcome"] == "reject"
    errors = [i for i in report["issues"] if i["severity"] == "error"]
    assert errors and all(i["message_th"] and i["message_en"] for i in errors)


def test_unknown_bytes_are_rejected_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    code, report = run_check(capsys, str(path))
    assert code == 2 and report["outcome"] == "reject"
    assert report["issues"][0]["code"] == "unknown_format"


def test_swapped_axes_in_a_geojson_without_crs_are_read_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Points written as (lat, lon) in a file that declares nothing: the guess swaps them."""
    provinces = json.loads((SHARED / "th_provinces.geojson").read_text(encoding="utf-8"))
    import shapely
    from shapely.geometry import mapping, shape

    points = []
    for feature in provinces["features"][:10]:
        centre = shape(feature["geometry"]).representative_point()
        points.append({"type": "Feature", "properties": {"name": feature["properties"]["pro_th"]},
                       "geometry": mapping(shapely.Point(centre.y, centre.x))})
    path = tmp_path / "swapped.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": points,
                                "crs": {"type": "name", "properties": {"name": "EPSG:9999999"}}},
                               ensure_ascii=False), encoding="utf-8")
    code, report = run_check(capsys, str(path))
    assert code == 0
    (layer,) = report["layers"]
    assert layer["features"] == 10 and within(layer["bbox_wgs84"], TH_BBOX)


def _two_zones(tmp_path: Path) -> Path:
    """One zip, two shapefiles without .prj: the provinces in UTM 47N and in UTM 48N."""
    from tests.gis.io.corpus import entries, make_zip, provinces_parts

    files = {**entries(provinces_parts(tmp_path, epsg=32647), "zone47"),
             **entries(provinces_parts(tmp_path, epsg=32648), "zone48")}
    path = tmp_path / "two_zones.zip"
    path.write_bytes(make_zip(files))
    return path


def test_crs_given_layer_by_layer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _two_zones(tmp_path)
    code, report = run_check(capsys, str(path), "--crs", "zone47=32647",
                             "--crs", "zone48=EPSG:32648")
    assert code == 0
    layers = {layer["name"]: layer for layer in report["layers"]}
    assert {name: (layer["crs"]["epsg"], layer["crs"]["source"])
            for name, layer in layers.items()} == {"zone47": (32647, "given"),
                                                   "zone48": (32648, "given")}
    assert layers["zone47"]["features"] == layers["zone48"]["features"] == 77
    assert layers["zone47"]["bbox_wgs84"] == pytest.approx(layers["zone48"]["bbox_wgs84"],
                                                           abs=1e-6)
    codes = {i["code"] for i in report["issues"]}
    assert not codes & {"crs_guessed", "no_prj"}  # the user's choice supersedes the guess

    code, report = run_check(capsys, str(path), "--crs", "zone48=32648")
    layers = {layer["name"]: layer for layer in report["layers"]}
    assert layers["zone48"]["crs"]["source"] == "given"
    assert layers["zone47"]["crs"]["source"] == "guessed"  # not named: guessed as before
    guessed = [i["layer"] for i in report["issues"] if i["code"] == "crs_guessed"]
    assert guessed == ["zone47"]


def test_crs_for_a_layer_the_file_lacks_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _two_zones(tmp_path)
    code, report = run_check(capsys, str(path), "--crs", "zone49=32647")
    assert code == 0
    (unknown,) = [i for i in report["issues"] if i["code"] == "unknown_layer"]
    assert unknown["severity"] == "warning" and unknown["layer"] == "zone49"
    assert "zone47, zone48" in unknown["fix_en"] and unknown["message_th"]

    code, report = run_check(capsys, str(path), "--crs", "32647", "--crs", "zone48=32648")
    assert code != 0 and report["error"]["message_th"] and "not both" in report[
        "error"]["message_en"]
