"""``evidence_pack`` called as the app calls it: a given date, and an internal audience whose
role stops below personal data (a negotiator): plots on the maps, no house points, and an
annex that says the attachments' list is not theirs to see."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gis.errors import InputError
from gis.privacy import Audience, Role, public_audience
from gis.report.evidence import evidence_pack
from gis.report.labels import TEXT
from gis.store import open_store
from tests.gis.report.conftest import pdf_info, pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("needs_chromium")]


def test_a_negotiators_pack(report_store: Path, tmp_path: Path) -> None:
    store = open_store(str(report_store), create=False)
    try:
        negotiator = Audience("nok.negotiator", Role.NEGOTIATOR, frozenset({"2704"}))
        out = evidence_pack(store, agency="alro", area="270405", audience=negotiator,
                            lang="th", era="be", out=tmp_path / "pack.pdf",
                            today=dt.date(2026, 11, 24))
        audit = store.read_audit(action="report_evidence", username="nok.negotiator")
    finally:
        store.close()
    text = " ".join(pdf_text(out).split())
    assert "24 พฤศจิกายน 2569" in text
    assert "พื้นที่: ตำบลคลองหินปูน อำเภอวังน้ำเย็น จังหวัดสระแก้ว" in text
    assert "ผู้อ่าน: ผู้เจรจา · ข้อมูลภายในของชุมชน" in text
    assert "แปลง: " in text  # plots are internal: drawn
    assert "ครัวเรือน: " not in text  # house points are personal: not drawn
    assert TEXT["th"]["annex"] in text and TEXT["th"]["annex_hidden"] in text
    assert int(pdf_info(out)["Pages"]) >= 3
    assert audit and audit[0]["detail"]["area"] == "270405"
    assert audit[0]["detail"]["annex_attachments"] == 0


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"lang": "fr"}, "lang"), ({"era": "ah"}, "era"), ({"agency": "forest"}, "agency"),
])
def test_bad_choices_are_refused_before_printing(report_store: Path, tmp_path: Path,
                                                 kwargs: dict[str, str], field: str) -> None:
    store = open_store(str(report_store), create=False)
    try:
        args = {"agency": "alro", "lang": "th", "era": "be", **kwargs}
        with pytest.raises(InputError) as caught:
            evidence_pack(store, area=None, audience=public_audience(),
                          out=tmp_path / "x.pdf", **args)
    finally:
        store.close()
    assert caught.value.field == field
    assert list(tmp_path.iterdir()) == []
