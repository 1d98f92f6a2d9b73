"""Zipped shapefiles as survey teams upload them, built in tmp_path from the shared data."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import shapely

from gis.io import encoding, shapezip
from gis.io.model import RawLayer, ReadResult, Severity
from gis.io.shapefile import read_shapefile, read_zip, rebuild_shx
from tests.gis.io import corpus

THAI_STEM = "ข้อมูล/จังหวัด"


def codes(layer: RawLayer | ReadResult, severity: Severity | None = None) -> set[str]:
    found = layer.issues if isinstance(layer, RawLayer) else layer.all_issues()
    return {i.code for i in found if severity is None or i.severity == severity}


def only_layer(result: ReadResult) -> RawLayer:
    assert result.format == "zip-shapefile"
    assert len(result.layers) == 1, [layer.name for layer in result.layers]
    return result.layers[0]


@pytest.fixture()
def thai_zip(tmp_path: Path) -> bytes:
    """Provinces in UTM 47N, cp874 DBF, no .cpg or .prj, a Thai path, macOS junk, and the
    entry names in cp874 without the UTF-8 flag."""
    files = {**corpus.entries(corpus.provinces_parts(tmp_path), THAI_STEM),
             **corpus.macosx_junk(THAI_STEM)}
    return corpus.make_zip(files, name_encoding="cp874")


def test_naturalearth_zipped_unchanged_is_read_as_declared() -> None:
    data = corpus.make_zip(corpus.entries(corpus.naturalearth_parts(), "naturalearth"))
    layer = only_layer(read_zip(data, "world.zip", {}))
    assert layer.name == "naturalearth"
    assert len(layer.frame) == len(layer.geometry or []) == 177
    assert (layer.crs_epsg, layer.crs_source, layer.crs_candidates) == (4326, "declared", [])
    assert layer.encoding == "iso8859-1"  # as its .cpg says; the bytes do not contradict it
    assert codes(layer) == {"encoding_detected"}
    assert "Fiji" in set(layer.frame["name"])
    assert layer.frame["pop_est"].dtype.kind in "if"  # numbers stay numbers


def test_cp874_without_cpg_is_detected_in_a_nested_thai_folder(thai_zip: bytes) -> None:
    # First, what GDAL (and every tool without detection) shows for this file: Latin-1.
    latin1 = only_layer(read_zip(thai_zip, "provinces.zip", {"encoding": "latin1"}))
    assert corpus.BANGKOK_MOJIBAKE in set(latin1.frame["pro_th"])
    assert all(encoding.mojibake(n) for n in latin1.frame["pro_th"])
    assert "กรุงเทพมหานคร" not in set(latin1.frame["pro_th"])
    assert "encoding_detected" not in codes(latin1)  # given, not detected
    # Then detection: the same bytes read as Thai.
    result = read_zip(thai_zip, "provinces.zip", {})
    layer = only_layer(result)  # the __MACOSX/._* entries are not layers
    assert layer.name == "จังหวัด"  # cp874 entry name decoded, not cp437 mojibake
    assert layer.encoding == "cp874"
    assert {"กรุงเทพมหานคร", "เชียงใหม่", "พะเยา"} <= set(layer.frame["pro_th"])
    assert corpus.THAI_FIELD in layer.frame.columns  # a cp874 field name, decoded
    assert len(layer.frame) == len(layer.geometry or []) == 77
    detected = [i for i in layer.issues if i.code == "encoding_detected"]
    assert detected[0].severity == Severity.INFO and "cp874" in detected[0].message_en
    assert (detected[0].file, detected[0].layer) == ("provinces.zip", "จังหวัด")
    # No .prj: no CRS, but ranked candidates, and the geometry stays in metres (source CRS).
    assert (layer.crs_epsg, layer.crs_source) == (None, None)
    assert "no_prj" in codes(layer, Severity.INFO)
    ranked = [c.epsg for c in layer.crs_candidates]
    assert ranked[0] == 32647 and 24047 in ranked and 32648 not in ranked
    minx, _, maxx, _ = shapely.total_bounds(layer.geometry)
    assert 100_000 < minx < maxx < 1_500_000
    assert not codes(layer, Severity.ERROR)


@pytest.mark.parametrize(("name_encoding", "utf8_flag"), [
    ("utf-8", True), ("utf-8", False), ("cp874", False)])
def test_thai_entry_names_in_every_zip_flavour(
    tmp_path: Path, name_encoding: str, utf8_flag: bool,
) -> None:
    files = corpus.entries(corpus.provinces_parts(tmp_path, keep=("shp", "shx", "dbf", "prj")),
                           THAI_STEM)
    data = corpus.make_zip(files, name_encoding=name_encoding, utf8_flag=utf8_flag)
    layer = only_layer(read_zip(data, "p.zip", {}))
    assert layer.name == "จังหวัด"
    assert (layer.crs_epsg, layer.crs_source) == (32647, "declared")


def test_a_western_cp437_entry_name_stays_cp437(tmp_path: Path) -> None:
    files = corpus.entries(corpus.provinces_parts(tmp_path), "Café")
    data = corpus.make_zip(files, name_encoding="cp437", utf8_flag=False)
    assert only_layer(read_zip(data, "p.zip", {})).name == "Café"


def test_windows_paths_and_upper_case_extensions(tmp_path: Path) -> None:
    parts = corpus.provinces_parts(tmp_path)
    files = {f"DATA\\Province.{ext.upper()}": content for ext, content in parts.items()}
    layer = only_layer(read_zip(corpus.make_zip(files), "p.zip", {}))
    assert layer.name == "Province" and len(layer.frame) == 77


def test_a_zip_too_large_to_unpack_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shapezip, "MAX_UNCOMPRESSED_BYTES", 1000)
    data = corpus.make_zip(corpus.entries(corpus.provinces_parts(tmp_path), "p"))
    result = read_zip(data, "big.zip", {})
    assert result.layers == [] and codes(result, Severity.ERROR) == {"zip_too_large"}


@pytest.mark.parametrize("cpg", [b"UTF-8", b"ISO-8859-1"])
def test_a_cpg_that_contradicts_the_bytes_is_overruled(tmp_path: Path, cpg: bytes) -> None:
    parts = {**corpus.provinces_parts(tmp_path), "cpg": cpg}
    layer = read_shapefile(parts, "provinces", "p.zip", {})
    assert layer.encoding == "cp874"
    assert "กรุงเทพมหานคร" in set(layer.frame["pro_th"])
    mismatch = [i for i in layer.issues if i.code == "encoding_mismatch"]
    assert len(mismatch) == 1 and mismatch[0].severity == Severity.WARNING


def test_a_true_cpg_is_followed(tmp_path: Path) -> None:
    parts = corpus.provinces_parts(tmp_path, encoding="utf-8", keep=("shp", "shx", "dbf", "cpg"))
    layer = read_shapefile(parts, "provinces", "p.zip", {})
    assert layer.encoding == "utf-8"
    assert "กรุงเทพมหานคร" in set(layer.frame["pro_th"])
    assert "encoding_mismatch" not in codes(layer)


def test_the_dbf_language_driver_byte_declares_cp874(tmp_path: Path) -> None:
    parts = corpus.provinces_parts(tmp_path)
    dbf = bytearray(parts["dbf"])
    dbf[29] = 0x7C  # LDID for Thai (cp874)
    layer = read_shapefile({**parts, "dbf": bytes(dbf)}, "provinces", "p.zip", {})
    assert layer.encoding == "cp874"
    assert "LDID 0x7C" in next(i.message_en for i in layer.issues
                               if i.code == "encoding_detected")


def test_a_prj_that_contradicts_the_coordinates_is_flagged(tmp_path: Path) -> None:
    parts = corpus.provinces_parts(tmp_path)  # UTM 47N metres…
    prj = corpus.naturalearth_parts()["prj"]  # …with a WGS84 degrees .prj copied in
    layer = read_shapefile({**parts, "prj": prj}, "p", "p.zip", {})
    assert (layer.crs_epsg, layer.crs_source) == (4326, "declared")
    assert "prj_mismatch" in codes(layer, Severity.WARNING)
    assert layer.crs_candidates[0].epsg == 32647


def test_given_crs_wins(tmp_path: Path) -> None:
    parts = corpus.provinces_parts(tmp_path)
    layer = read_shapefile(parts, "provinces", "p.zip", {"crs": "EPSG:32647"})
    assert (layer.crs_epsg, layer.crs_source, layer.crs_candidates) == (32647, "given", [])


def test_two_layers_in_one_zip(tmp_path: Path) -> None:
    files = {**corpus.entries(corpus.naturalearth_parts(), "a/world"),
             **corpus.entries(corpus.provinces_parts(tmp_path), "b/จังหวัด")}
    result = read_zip(corpus.make_zip(files), "two.zip", {})
    assert [(layer.name, len(layer.frame)) for layer in result.layers] == [
        ("world", 177), ("จังหวัด", 77)]


def test_a_missing_shx_is_rebuilt_with_a_warning(tmp_path: Path) -> None:
    parts = corpus.provinces_parts(tmp_path)
    whole = read_shapefile(parts, "p", "p.zip", {})
    del parts["shx"]
    rebuilt = read_shapefile(parts, "p", "p.zip", {})
    assert "shx_rebuilt" in codes(rebuilt, Severity.WARNING)
    assert "shp_truncated" not in codes(rebuilt)
    assert rebuilt.frame.equals(whole.frame)
    assert all(a.equals(b) for a, b in zip(rebuilt.geometry or [], whole.geometry or [],
                                           strict=True))


def test_the_rebuilt_index_matches_the_one_gdal_wrote(tmp_path: Path) -> None:
    parts = corpus.provinces_parts(tmp_path)
    assert rebuild_shx(parts["shp"]) == (parts["shx"], True)
    assert rebuild_shx(b"not a shapefile") is None


def test_a_truncated_shp_without_shx_keeps_the_whole_shapes(tmp_path: Path) -> None:
    shp = corpus.provinces_parts(tmp_path)["shp"]
    layer = read_shapefile({"shp": shp[: len(shp) // 2]}, "p", "p.zip", {})
    assert {"shx_rebuilt", "shp_truncated", "missing_dbf"} <= codes(layer, Severity.WARNING)
    assert 0 < len(layer.geometry or []) < 77


@pytest.mark.parametrize("damage", ["cut", "stale", "garbage"])
def test_a_damaged_shx_is_rebuilt(tmp_path: Path, damage: str) -> None:
    parts = corpus.provinces_parts(tmp_path)
    shx = parts["shx"]
    parts["shx"] = {"cut": shx[:420],  # whole entries, but fewer than the header says
                    "stale": corpus.naturalearth_parts()["shx"],  # another layer's index
                    "garbage": shx[:100] + bytes(len(shx) - 100)}[damage]
    layer = read_shapefile(parts, "p", "p.zip", {})
    rebuilt = next(i for i in layer.issues if i.code == "shx_rebuilt")
    assert "damaged" in rebuilt.message_en and rebuilt.severity == Severity.WARNING
    assert len(layer.geometry or []) == 77 and all(layer.geometry or [])


def test_a_broken_dbf_still_gives_the_shapes(tmp_path: Path) -> None:
    parts = corpus.provinces_parts(tmp_path)
    parts["dbf"] = parts["dbf"][:200]  # the header cut inside the field descriptors
    layer = read_shapefile(parts, "p", "p.zip", {})
    assert "bad_dbf" in codes(layer, Severity.WARNING)
    assert len(layer.geometry or []) == 77 and layer.frame.shape == (77, 0)


def test_a_dbf_cut_inside_its_records_is_flagged(tmp_path: Path) -> None:
    parts = corpus.provinces_parts(tmp_path)
    parts["dbf"] = parts["dbf"][: len(parts["dbf"]) // 2]
    layer = read_shapefile(parts, "p", "p.zip", {})
    bad = next(i for i in layer.issues if i.code == "bad_dbf")
    assert "of 77 records" in bad.message_en
    assert len(layer.geometry or []) == 77


def test_a_shape_that_cannot_be_decoded_is_an_error_for_its_row(tmp_path: Path) -> None:
    parts = corpus.provinces_parts(tmp_path)
    shp = bytearray(parts["shp"])
    first_point = 100 + 8 + 44 + 4 * 1  # record header, box and counts, one part index
    shp[first_point:first_point + 16] = bytes(range(16))  # the first ring no longer closes
    layer = read_shapefile({**parts, "shp": bytes(shp)}, "p", "p.zip", {})
    bad = [i for i in layer.issues if i.code == "bad_shape"]
    assert [(i.row, i.severity) for i in bad] == [(1, Severity.ERROR)]
    assert (layer.geometry or [])[0] is None and all((layer.geometry or [])[1:])
    assert len(layer.frame) == 77  # the row's attributes are kept for the report


def test_damaged_parts_never_raise(tmp_path: Path) -> None:
    """Deterministic mutations of every part: the reader reports, it never raises (warnings
    are errors here too)."""
    base = corpus.provinces_parts(tmp_path)
    rng = random.Random(42)
    for _ in range(60):
        parts = dict(base)
        victim = rng.choice(sorted(parts))
        data = bytearray(parts[victim])
        if rng.random() < 0.5:
            data = data[: rng.randrange(len(data))]
        else:
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        layer = read_shapefile({**parts, victim: bytes(data)}, "p", "p.zip", {})
        assert layer.issues, victim


def test_a_missing_dbf_gives_geometry_only(tmp_path: Path) -> None:
    parts = corpus.provinces_parts(tmp_path)
    del parts["dbf"]
    layer = read_shapefile(parts, "p", "p.zip", {})
    assert "missing_dbf" in codes(layer, Severity.WARNING)
    assert len(layer.geometry or []) == 77 and list(layer.frame.columns) == []
    assert layer.encoding is None


def test_a_dbf_without_shp_is_an_error_for_that_layer_only(tmp_path: Path) -> None:
    files = {**corpus.entries(corpus.naturalearth_parts(), "world"),
             "orphan.dbf": corpus.provinces_parts(tmp_path)["dbf"]}
    result = read_zip(corpus.make_zip(files), "z.zip", {})
    by_name = {layer.name: layer for layer in result.layers}
    assert codes(by_name["orphan"], Severity.ERROR) == {"missing_shp"}
    assert by_name["orphan"].geometry is None and by_name["orphan"].frame.empty
    assert not codes(by_name["world"], Severity.ERROR)


def test_a_truncated_zip_is_a_file_level_error(tmp_path: Path) -> None:
    data = corpus.make_zip(corpus.entries(corpus.provinces_parts(tmp_path), "p"))
    result = read_zip(data[: len(data) // 2], "half.zip", {})
    assert result.layers == []
    assert [(i.code, i.severity, i.file) for i in result.issues] == [
        ("bad_zip", Severity.ERROR, "half.zip")]


def test_random_bytes_named_zip_are_a_file_level_error() -> None:
    noise = random.Random(42).randbytes(4096)
    result = read_zip(noise, "survey.zip", {})
    assert result.layers == [] and codes(result) == {"bad_zip"}
    assert result.issues[0].message_th and result.issues[0].fix_en


def test_a_zip_without_shapefiles_says_so() -> None:
    result = read_zip(corpus.make_zip({"readme.txt": b"hello"}), "empty.zip", {})
    assert result.layers == [] and codes(result, Severity.ERROR) == {"no_shapefile"}


def test_a_wrong_given_encoding_reports_each_undecodable_value(tmp_path: Path) -> None:
    layer = read_shapefile(corpus.provinces_parts(tmp_path), "p", "p.zip", {"encoding": "utf-8"})
    bad = [i for i in layer.issues if i.code == "undecodable_text"]
    assert layer.encoding == "utf-8"  # given wins, even when wrong: the user sees why
    assert [(i.row, i.field) for i in bad[:2]] == [(1, "pro_th"), (2, "pro_th")]
    assert len(bad) == 21 and bad[-1].row is None and "more values" in bad[-1].message_en


def test_an_unknown_given_encoding_falls_back_to_detection(tmp_path: Path) -> None:
    layer = read_shapefile(corpus.provinces_parts(tmp_path), "p", "p.zip", {"encoding": "klingon"})
    assert layer.encoding == "cp874"
    assert {"unknown_encoding", "encoding_detected"} <= codes(layer)


def test_a_cpg_naming_the_system_code_page_falls_back_to_detection(tmp_path: Path) -> None:
    parts = {**corpus.provinces_parts(tmp_path), "cpg": b"ANSI\r\n"}
    layer = read_shapefile(parts, "p", "p.zip", {})
    assert layer.encoding == "cp874" and "unknown_cpg" in codes(layer, Severity.INFO)


def test_utf8_text_under_a_cp874_cpg_is_read_as_utf8(tmp_path: Path) -> None:
    parts = corpus.provinces_parts(tmp_path, encoding="utf-8")
    layer = read_shapefile({**parts, "cpg": b"874"}, "p", "p.zip", {})
    assert layer.encoding == "utf-8" and "encoding_mismatch" in codes(layer, Severity.WARNING)
    assert "กรุงเทพมหานคร" in set(layer.frame["pro_th"])
