"""The quality page with Streamlit's AppTest on a copy of the demo with defects planted in two
villages: counts by kind of problem and the problems in the user's language, only in the user's
areas, one village at a time; a picked problem zooms the map to its feature; the report is kept
for the session until "Run again"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.json_format import MessageToDict
from shapely.geometry import Polygon
from streamlit.testing.v1 import AppTest

from gis import accounts
from gis.privacy import Audience, Role
from gis.store import Store, open_store
from ui import resources

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "ui/pages/quality.py")
VILLAGE = "27040103"
OTHER = "27040105"
ADMIN = Audience("q.admin", Role.ADMIN)
SURVEYOR = Audience("q.surveyor", Role.SURVEYOR, frozenset({VILLAGE}))


def bow_tie(store: Store, uid: str, geometry: Any) -> None:
    """A self-crossing shape from before the editor checked shapes."""
    a, b, c, d, _ = geometry.geoms[0].exterior.coords
    store.update("plots", {uid: {"geometry": Polygon([a, b, d, c, a])}}, {uid: 1}, user="old")


@pytest.fixture
def flawed(demo_gpkg: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[tuple[Store, dict[str, Any]]]:
    """A copy of the demo with, in the surveyor's village, a plot id used twice and a bow-tie;
    in another village a second bow-tie. Returns the store and what was planted."""
    path = tmp_path / "demo.gpkg"
    path.write_bytes(Path(demo_gpkg).read_bytes())
    store = open_store(str(path), create=False)
    plots = store.read("plots", where={"village_code": VILLAGE})
    first, second, third = (plots.iloc[i] for i in range(3))
    store.update("plots", {second.uid: {"plot_id": first.plot_id}}, {second.uid: 1}, user="old")
    bow_tie(store, third.uid, third.geometry)
    other = store.read("plots", where={"village_code": OTHER}).iloc[0]
    bow_tie(store, other.uid, other.geometry)
    for who in (ADMIN, SURVEYOR):
        accounts.add_user(store, who.username, "quality-pass-123", who.role, sorted(who.areas),
                          actor="test", must_change_password=False)
    monkeypatch.setenv("LANDMAP_STORE", str(path))
    resources.settings.clear()
    yield store, {"repeated": first.plot_id, "bow_tie": third.uid, "other": other.uid}
    store.close()
    resources.settings.clear()


def page(store: Store, who: Audience, lang: str = "en", layer: str = "plots") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = lang
    at.session_state["account"] = accounts.get_account(store, who.username)
    ran(at)
    at.selectbox(key="quality_layer").set_value(layer)
    return ran(at)


def ran(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == []
    return at


def counts(at: AppTest) -> dict[str, str]:
    return {str(k): str(v) for k, v in at.table[0].value["Count"].items()}


def issues(at: AppTest) -> Any:
    return at.dataframe[0].value


def pick(at: AppTest, row: int) -> AppTest:
    """Select a row of the problems table, as a click would."""
    key = at.dataframe[0].proto.id.rsplit("-", 1)[1]
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return ran(at)


def test_counts_and_problems_of_every_area_for_an_admin(
        flawed: tuple[Store, dict[str, Any]]) -> None:
    store, planted = flawed
    at = page(store, ADMIN)
    assert counts(at) == {"Repeated id": "2", "Invalid shape": "2"}
    table = issues(at)
    assert table["Problem type"].tolist() == ["Repeated id"] * 2 + ["Invalid shape"] * 2
    assert table["Feature"].tolist()[:2] == [planted["repeated"]] * 2
    assert table["Severity"].unique().tolist() == ["Error"]
    assert all(table["What to do"].str.len() > 0)


def test_a_surveyor_sees_only_their_village_and_one_village_at_a_time(
        flawed: tuple[Store, dict[str, Any]]) -> None:
    store, _planted = flawed
    at = page(store, SURVEYOR)
    assert counts(at) == {"Repeated id": "2", "Invalid shape": "1"}
    [village] = at.selectbox(key="quality_village").options
    assert VILLAGE in village

    admin = page(store, ADMIN)
    admin.selectbox(key="quality_village").set_value(OTHER)
    ran(admin)
    assert counts(admin) == {"Invalid shape": "1"}


def test_messages_follow_the_users_language(flawed: tuple[Store, dict[str, Any]]) -> None:
    store, _planted = flawed
    table = issues(page(store, ADMIN, lang="th"))
    problems = " ".join(table.iloc[:, 3].tolist())
    assert "รูปร่างไม่ถูกต้อง" in problems and "invalid shape" not in problems


def test_a_picked_problem_zooms_the_map_to_its_feature(
        flawed: tuple[Store, dict[str, Any]]) -> None:
    store, planted = flawed
    at = page(store, ADMIN)
    assert at.get("component_instance") == []  # no map before a pick
    table = issues(at)
    row = table["Problem type"].tolist().index("Invalid shape")
    at = pick(at, row)
    [component] = at.get("component_instance")
    script = json.loads(MessageToDict(component.proto)["jsonArgs"])["script"]
    uid = next(u for u in (planted["bow_tie"], planted["other"])
               if store.get("plots", u)["plot_id"] == table["Feature"].iloc[row])  # type: ignore[index]
    minx, miny, maxx, maxy = store.get("plots", uid)["geometry"].bounds  # type: ignore[index]
    assert f"[[{miny}, {minx}], [{maxy}, {maxx}]]" in script  # fitted to the feature
    assert at.markdown[-1].value == f"**{table['Feature'].iloc[row]}**"
    edit = ROOT / "ui/pages/edit.py"
    if edit.exists():
        assert at.button(key="quality_edit").label == "Open in the editor"
    else:
        assert any("Open it on the Edit page" in c.value for c in at.caption)


def test_the_report_is_kept_until_run_again(flawed: tuple[Store, dict[str, Any]]) -> None:
    store, planted = flawed
    at = page(store, ADMIN)
    fixed = store.get("plots", planted["other"])
    assert fixed is not None
    store.update("plots", {planted["other"]: {"geometry": fixed["geometry"].buffer(0)}},
                 {planted["other"]: fixed["version"]}, user="fixer")
    ran(at)
    assert counts(at)["Invalid shape"] == "2"  # the session's report
    at.button(key="quality_again").click()
    ran(at)
    assert counts(at)["Invalid shape"] == "1"
