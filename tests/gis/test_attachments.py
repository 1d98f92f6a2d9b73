"""Files attached to plots and households, kept in the store: over GeoPackage and PostGIS."""

from __future__ import annotations

import hashlib
import io
import random
import uuid

import geopandas as gpd
import pytest
from PIL import Image
from shapely.geometry import Point, box

from gis.attachments import (
    MAX_BYTES,
    add_attachment,
    download_attachment,
    list_attachments,
    may_see_attachments,
    media_type_of,
    read_attachment,
    remove_attachment,
)
from gis.errors import InputError, StoreError
from gis.privacy import Audience, Role
from gis.store import Store, open_store
from gis.store.gpkg import GpkgStore
from tests.gis.store.helpers import validate_gpkg

USER = "surveyor_a"
VILLAGE = "27040103"


def png(seed: int = 42) -> bytes:
    """A real 24×16 PNG with noisy pixels (so its bytes are found nowhere else)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (24, 16))
    image.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256))
                   for _ in range(24 * 16)])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def pdf(marker: str = "deed") -> bytes:
    """A real one-page PDF (Pillow's writer) with ``marker`` in a comment line at its end."""
    out = io.BytesIO()
    Image.new("RGB", (40, 60), (255, 255, 255)).save(out, format="PDF")
    return out.getvalue() + f"%{marker}\n".encode()


@pytest.fixture
def features(store: Store) -> dict[str, str]:
    """One household and one plot in village 27040103; returns their uids by layer."""
    house = store.write("households", gpd.GeoDataFrame(
        {"household_id": ["27040103-H9001"], "village_code": [VILLAGE],
         "head_name": ["นางทดสอบ แนบไฟล์"], "consent": [True]},
        geometry=[Point(102.16, 13.52)], crs="EPSG:4326"), user=USER)
    plot = store.write("plots", gpd.GeoDataFrame(
        {"plot_id": ["27040103-P9001"], "village_code": [VILLAGE]},
        geometry=[box(102.159, 13.519, 102.161, 13.521)], crs="EPSG:4326"), user=USER)
    return {"households": house.uids[0], "plots": plot.uids[0]}


def test_files_are_sniffed_by_content() -> None:
    assert media_type_of(png()) == "image/png"
    assert media_type_of(jpeg()) == "image/jpeg"
    assert media_type_of(pdf()) == "application/pdf"
    assert media_type_of(b"GIF89a....") is None


def test_add_list_read_remove_round_trip(store: Store, store_location: str,
                                         features: dict[str, str]) -> None:
    photo, deed, snap = png(), pdf(), jpeg()
    a = add_attachment(store, layer="households", uid=features["households"],
                       filename="C:\\Users\\field\\บ้านหลังที่ 1", data=photo,
                       note="ภาพหน้าบ้าน", user=USER)
    b = add_attachment(store, layer="plots", uid=features["plots"], filename="deed.PDF",
                       data=deed, user=USER)
    c = add_attachment(store, layer="households", uid=features["households"],
                       filename="IMG_0001.jpeg", data=snap, user="planner_b")
    # the name loses its folders and gets the extension the content calls for
    assert (a.filename, a.media_type, a.size) == ("บ้านหลังที่ 1.png", "image/png", len(photo))
    assert a.sha256 == hashlib.sha256(photo).hexdigest() and a.note == "ภาพหน้าบ้าน"
    assert (b.filename, b.media_type) == ("deed.PDF", "application/pdf")
    assert (c.media_type, c.added_by) == ("image/jpeg", "planner_b")
    assert a.added_at.tzinfo is not None and a.feature_uid == features["households"]

    assert [x.id for x in list_attachments(store)] == [a.id, b.id, c.id]
    assert list_attachments(store, layer="households") == [a, c]
    assert list_attachments(store, uids=[features["plots"]]) == [b]
    assert list_attachments(store, layer="plots", uids=[features["households"]]) == []
    assert list_attachments(store, uids=[]) == []
    assert store.get_attachment(b.id) == b
    assert read_attachment(store, a.id) == photo
    assert read_attachment(store, b.id) == deed
    assert read_attachment(store, c.id) == snap

    removed = remove_attachment(store, a.id, user=USER)
    assert removed == a
    assert list_attachments(store, layer="households") == [c]
    with pytest.raises(StoreError):
        read_attachment(store, a.id)
    with pytest.raises(StoreError):
        remove_attachment(store, a.id, user=USER)

    events = store.read_audit(limit=20)
    kinds = [(e["action"], e["username"], e["detail"].get("attachment")) for e in events]
    assert kinds[:4] == [("attachment_removed", USER, a.id),
                         ("attachment_added", "planner_b", c.id),
                         ("attachment_added", USER, b.id), ("attachment_added", USER, a.id)]
    assert events[0]["subject"] == f"households/{features['households']}"
    assert events[0]["detail"] == {"attachment": a.id, "filename": a.filename,
                                   "media_type": "image/png", "size": len(photo),
                                   "sha256": a.sha256}
    if store.backend == "gpkg":
        store.close()
        validate_gpkg(store_location)
        reopened = open_store(store_location)
        try:
            assert [x.id for x in list_attachments(reopened)] == [b.id, c.id]
        finally:
            reopened.close()


@pytest.mark.parametrize(("filename", "data", "why"), [
    ("notes.txt", "บันทึกการประชุม".encode(), "not a PDF"),
    ("photo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "not a PDF"),
    ("scan.pdf", png(), "the name ends in .pdf but the content is PNG"),
    ("empty.pdf", b"", "the file is empty"),
])
def test_other_files_are_refused(store: Store, features: dict[str, str], filename: str,
                                 data: bytes, why: str) -> None:
    with pytest.raises(InputError) as caught:
        add_attachment(store, layer="plots", uid=features["plots"], filename=filename,
                       data=data, user=USER)
    assert why in caught.value.message_en and caught.value.message_th
    assert list_attachments(store) == []
    assert not [e for e in store.read_audit() if e["action"].startswith("attachment")]


def test_too_large_an_unknown_feature_and_other_layers_are_refused(
        store: Store, features: dict[str, str]) -> None:
    big = b"%PDF-1.4\n" + bytes(MAX_BYTES)
    with pytest.raises(InputError, match="too large"):
        add_attachment(store, layer="plots", uid=features["plots"], filename="big.pdf",
                       data=big, user=USER)
    with pytest.raises(InputError, match=f"no plots feature {'x' * 8}") as caught:
        add_attachment(store, layer="plots", uid="x" * 8, filename="deed.pdf", data=pdf(),
                       user=USER)
    assert "ไม่พบข้อมูล" in caught.value.message_th
    with pytest.raises(InputError, match="can only be attached to plots, households"):
        add_attachment(store, layer="villages", uid=features["plots"], filename="a.pdf",
                       data=pdf(), user=USER)
    # a deleted feature takes no new files
    store.delete("plots", [features["plots"]], {features["plots"]: 1}, user=USER)
    with pytest.raises(InputError, match="no plots feature"):
        add_attachment(store, layer="plots", uid=features["plots"], filename="deed.pdf",
                       data=pdf(), user=USER)
    assert list_attachments(store) == []


def test_only_roles_that_see_personal_data_in_their_areas_see_files(
        store: Store, features: dict[str, str]) -> None:
    uid = features["households"]
    a = add_attachment(store, layer="households", uid=uid, filename="id.jpg", data=jpeg(),
                       user=USER)
    surveyor = Audience("surveyor_a", Role.SURVEYOR, frozenset({"270401"}))
    elsewhere = Audience("surveyor_b", Role.SURVEYOR, frozenset({"270405"}))
    negotiator = Audience("negotiator_c", Role.NEGOTIATOR, frozenset({"270401"}))
    agency = Audience("agency_d", Role.AGENCY_VIEWER, frozenset({"270401"}))
    assert may_see_attachments(store, surveyor, layer="households", uid=uid)
    assert may_see_attachments(store, Audience("root", Role.ADMIN), layer="households", uid=uid)
    for audience in (elsewhere, negotiator, agency):
        assert not may_see_attachments(store, audience, layer="households", uid=uid)
        with pytest.raises(InputError, match="personal data"):
            download_attachment(store, a.id, audience=audience)
    assert download_attachment(store, a.id, audience=surveyor) == jpeg()
    event = store.read_audit(limit=1)[0]
    assert (event["action"], event["username"], event["subject"]) == (
        "download", "surveyor_a", f"households/{uid}")
    assert event["detail"]["what"] == "attachment" and event["detail"]["attachment"] == a.id


def test_removed_bytes_do_not_stay_in_the_geopackage_file(tmp_path: pytest.TempPathFactory
                                                          ) -> None:
    path = str(tmp_path / "store.gpkg")  # type: ignore[operator]
    store = GpkgStore(path)
    # As SQLite is built by default (Debian turns it on): freed pages keep their old bytes.
    store._conn.execute("PRAGMA secure_delete = OFF")
    try:
        plot = store.write("plots", gpd.GeoDataFrame(
            {"plot_id": ["P1"], "village_code": [VILLAGE]},
            geometry=[box(102.159, 13.519, 102.161, 13.521)], crs="EPSG:4326"), user=USER)
        marker = f"LANDMAP-{uuid.uuid4().hex}"
        added = add_attachment(store, layer="plots", uid=plot.uids[0], filename="deed.pdf",
                               data=pdf(marker), user=USER)
        with open(path, "rb") as f:
            assert marker.encode() in f.read()
        remove_attachment(store, added.id, user=USER)
        # the connection's own setting is back as it was
        assert store._conn.execute("PRAGMA secure_delete").fetchone()[0] == 0
    finally:
        store.close()
    with open(path, "rb") as f:
        assert marker.encode() not in f.read()
    validate_gpkg(path)
