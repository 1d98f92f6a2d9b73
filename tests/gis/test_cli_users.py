"""`landmap users …` and `landmap audit`, run as the real command against both backends."""

from __future__ import annotations

import getpass
import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from gis import accounts
from gis.accounts import SignInError
from gis.store import open_store
from tests.gis.test_accounts import with_areas
from tests.gis.test_cli import LANDMAP

PASSWORD = "ต้มยำกุ้ง-2569-secret"


def _prepared(location: str) -> str:
    store = open_store(location)
    try:
        with_areas(store)
    finally:
        store.close()
    return location


@pytest.fixture
def both(store_location: str) -> Iterator[str]:
    """A store (GeoPackage or PostGIS) holding Wang Nam Yen's areas, closed again for the CLI."""
    yield _prepared(store_location)


@pytest.fixture
def location(tmp_path: Path) -> str:
    """The same as a GeoPackage only: each command is a new process, so most tests use one
    backend and leave the backends' differences to the tests above and the store tests."""
    return _prepared(str(tmp_path / "store.gpkg"))


def _env(**extra: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k != "LANDMAP_STORE"}, **extra}


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    """``landmap ARGS`` with ``stdin`` piped in (not a terminal: one line is read)."""
    assert LANDMAP is not None
    return subprocess.run([LANDMAP, *args], capture_output=True, text=True, check=False,
                          input=stdin if stdin is not None else "", timeout=600,
                          env=env or _env())


def sign_in(location: str, username: str, password: str) -> accounts.Account:
    store = open_store(location)
    try:
        return accounts.sign_in(store, username, password)
    finally:
        store.close()


def test_add_reads_the_password_from_stdin_and_list_never_shows_a_hash(both: str) -> None:
    location = both
    proc = run("users", "add", "somchai", "--role", "surveyor", "--area", "270401",
               "--area", "27040101", "--store", location, stdin=PASSWORD + "\n")
    assert proc.returncode == 0, proc.stderr
    assert "somchai" in proc.stdout and "ทีมสำรวจ" in proc.stdout and "Surveyor" in proc.stdout
    assert PASSWORD not in proc.stdout + proc.stderr

    listed = run("users", "list", "--store", location, "--json")
    assert listed.returncode == 0, listed.stderr
    payload = json.loads(listed.stdout)
    assert list(payload) == ["users"]
    [user] = payload["users"]
    assert set(user) == {"username", "role", "areas", "disabled", "must_change_password",
                         "created_at", "last_sign_in"}
    assert user["username"] == "somchai" and user["role"] == "surveyor"
    assert user["areas"] == ["270401", "27040101"] and user["disabled"] is False
    assert user["must_change_password"] is True and user["last_sign_in"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", user["created_at"])
    assert "argon2" not in listed.stdout and "hash" not in listed.stdout

    account = sign_in(location, "somchai", PASSWORD)
    assert account.audience().areas == frozenset({"270401", "27040101"})
    again = json.loads(run("users", "list", "--store", location, "--json").stdout)
    assert again["users"][0]["last_sign_in"] is not None

    human = run("users", "list", "--store", location)
    assert human.returncode == 0 and "ผู้ใช้ 1 คน / 1 users" in human.stdout
    actor = f"cli:{getpass.getuser()}"
    audit = json.loads(run("audit", "--store", location, "--json").stdout)
    assert [(e["username"], e["action"]) for e in audit["events"]] == \
        [("somchai", "sign_in"), (actor, "user_added")]
    assert PASSWORD not in json.dumps(audit, ensure_ascii=False)


def test_set_role_and_disable_change_what_sign_in_allows(both: str) -> None:
    location = both
    assert run("users", "add", "anong", "--role", "surveyor", "--area", "270401",
               "--store", location, stdin=PASSWORD).returncode == 0
    proc = run("users", "set-role", "anong", "--role", "planner", "--area", "2704",
               "--store", location, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["user"]["role"] == "planner"
    account = sign_in(location, "anong", PASSWORD)
    assert account.audience().role.value == "planner"
    assert account.audience().areas == frozenset({"2704"})

    proc = run("users", "disable", "anong", "--store", location)
    assert proc.returncode == 0, proc.stderr
    assert "anong" in proc.stdout and "disabled" in proc.stdout
    with pytest.raises(SignInError):
        sign_in(location, "anong", PASSWORD)
    assert run("users", "enable", "anong", "--store", location).returncode == 0
    assert sign_in(location, "anong", PASSWORD).username == "anong"

    actions = json.loads(run("audit", "--store", location, "--action", "role_changed",
                             "--json").stdout)["events"]
    assert [e["detail"]["new"] for e in actions] == [{"role": "planner", "areas": ["2704"]}]


def test_store_falls_back_to_landmap_store(location: str) -> None:
    proc = run("users", "list", "--json", env=_env(LANDMAP_STORE=location))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"users": []}


def test_bad_role_exits_1_in_both_languages_and_adds_nobody(location: str) -> None:
    proc = run("users", "add", "somchai", "--role", "boss", "--area", "270401",
               "--store", location, stdin=PASSWORD)
    assert proc.returncode == 1
    assert "ไม่รู้จักบทบาท 'boss'" in proc.stderr and "unknown role 'boss'" in proc.stderr
    assert json.loads(run("users", "list", "--store", location, "--json").stdout)["users"] == []


def test_a_password_on_the_command_line_is_refused_and_not_echoed(location: str) -> None:
    for extra in (["hunter2-hunter2"], ["--password", "hunter2-hunter2"],
                  ["--password=hunter2-hunter2"]):
        proc = run("users", "add", "somchai", "--role", "admin", *extra, "--store", location,
                   stdin=PASSWORD)
        assert proc.returncode == 2, proc.stderr
        assert "hunter2" not in proc.stdout + proc.stderr
        assert "รหัสผ่าน" in proc.stderr and "standard input" in proc.stderr
    assert json.loads(run("users", "list", "--store", location, "--json").stdout)["users"] == []


def test_empty_stdin_and_short_password_are_refused(location: str) -> None:
    proc = run("users", "add", "somchai", "--role", "admin", "--store", location, stdin="")
    assert proc.returncode == 1
    assert "ไม่ได้รับรหัสผ่าน" in proc.stderr and "no password on standard input" in proc.stderr
    proc = run("users", "add", "somchai", "--role", "admin", "--store", location,
               stdin="short\n")
    assert proc.returncode == 1 and "too short" in proc.stderr and "short\n" not in proc.stderr
    proc = run("users", "add", "somchai", "--role", "admin", "--store", location, "--json",
               stdin="short\n")
    assert proc.returncode == 1 and "รหัสผ่านสั้นเกินไป" in json.loads(proc.stdout)["error"][
        "message_th"]


def test_first_admin_once_then_reset_password(location: str) -> None:
    first = run("users", "first-admin", "--store", location, "--json")
    assert first.returncode == 0, first.stderr
    made = json.loads(first.stdout)
    assert made["created"] is True and made["username"] == "admin"
    assert len(made["password"]) >= 16
    assert sign_in(location, "admin", made["password"]).must_change_password

    second = run("users", "first-admin", "--store", location, "--json")
    assert json.loads(second.stdout) == {"created": False, "username": None, "password": None}
    human = run("users", "first-admin", "--store", location)
    assert "มีผู้ดูแลระบบ" in human.stdout and "admin already exists" in human.stdout

    reset = run("users", "reset-password", "admin", "--store", location, "--json")
    assert reset.returncode == 0, reset.stderr
    new = json.loads(reset.stdout)["password"]
    assert new != made["password"]
    with pytest.raises(SignInError):
        sign_in(location, "admin", made["password"])
    assert sign_in(location, "admin", new).username == "admin"


def test_first_admin_prints_the_password_in_thai_and_english(location: str) -> None:
    proc = run("users", "first-admin", "--store", location)
    assert proc.returncode == 0, proc.stderr
    th, en = proc.stdout.strip().splitlines()
    password = en.split("one-time password ")[1].split(" ")[0]
    assert password in th and "รหัสผ่านใช้ครั้งเดียว" in th and "ชื่อผู้ใช้ admin" in th
    assert sign_in(location, "admin", password).username == "admin"


def test_disabling_an_unknown_user_or_a_missing_store_fails_cleanly(location: str) -> None:
    proc = run("users", "disable", "nobody", "--store", location)
    assert proc.returncode == 1
    assert "ไม่มีผู้ใช้ชื่อ 'nobody'" in proc.stderr and "no user named 'nobody'" in proc.stderr
    proc = run("users", "list", "--json")
    assert proc.returncode == 1 and "no store given" in proc.stderr


def test_audit_limit_and_bad_limit(location: str) -> None:
    for name in ("user-a", "user-b", "user-c"):
        assert run("users", "add", name, "--role", "surveyor", "--area", "270401",
                   "--store", location, stdin=PASSWORD).returncode == 0
    events = json.loads(run("audit", "--store", location, "--limit", "2", "--json").stdout)
    assert [e["subject"] for e in events["events"]] == ["user-c", "user-b"]
    assert set(events["events"][0]) == {"id", "at", "username", "action", "subject", "detail"}
    proc = run("audit", "--store", location, "--limit", "0")
    assert proc.returncode == 2 and "limit" in proc.stderr
