"""Faults: a write that fails half-way, a writer killed mid-write, two writers on one feature.

Each test compares checksums read straight from SQLite/PostgreSQL (tests/gis/store/helpers.py),
not through the store under test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pytest

from gis.errors import ConflictError, StoreError
from gis.store import Store
from gis.store.base import SqlStore
from tests.gis.store.helpers import checksum, validate_gpkg
from tests.gis.store.test_contract import households, plots

ROWS = 10_000


def _seed(store: Store) -> list[str]:
    """A store with some history already in it, so 'as before' is not just 'empty'."""
    uids = store.write("plots", plots(300), user="seed").uids
    store.update("plots", {uids[0]: {"land_owner": "temple"}}, {uids[0]: 1}, user="seed")
    store.delete("plots", [uids[1]], {uids[1]: 1}, user="seed")
    return uids


def test_exception_half_way_through_a_10000_row_write_changes_nothing(
    store: Store, store_location: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(store)
    before = checksum(store_location)
    calls: list[int] = []
    real = SqlStore._executemany

    def failing(self: SqlStore, cur: Any, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        def rows_then_boom() -> Iterable[Sequence[Any]]:
            for i, row in enumerate(rows):
                if i == ROWS // 2:
                    raise RuntimeError("disk unplugged half-way")
                calls.append(i)
                yield row
        real(self, cur, sql, rows_then_boom())

    monkeypatch.setattr(SqlStore, "_executemany", failing)
    with pytest.raises(RuntimeError, match="half-way"):
        store.write("households", households(ROWS), user="importer")
    assert len(calls) == ROWS // 2, "the first half really reached the database"
    monkeypatch.undo()
    assert checksum(store_location) == before
    assert store.counts()["households"] == 0
    if store.backend == "gpkg":
        validate_gpkg(store_location)


def test_database_error_half_way_rolls_back_everything(store: Store, store_location: str) -> None:
    """A real error raised by the database itself (duplicate uid at row 5,001)."""
    _seed(store)
    before = checksum(store_location)
    frame = households(ROWS)
    frame["uid"] = [f"hh-{i}" for i in range(ROWS)]
    frame.loc[ROWS // 2, "uid"] = "hh-7"
    with pytest.raises(StoreError, match="uid"):
        store.write("households", frame, user="importer")
    assert checksum(store_location) == before


# The writer says when 5,000 of its rows have gone to the database inside its transaction
# (an observation hook around the executemany seam; the write itself is the real one).
_WRITER = textwrap.dedent(
    """
    import sys
    from gis.store import open_store
    from gis.store.base import SqlStore
    from tests.gis.store.test_contract import plots

    real = SqlStore._executemany

    def observed(self, cur, sql, rows):
        def announce():
            for i, row in enumerate(rows):
                if i == 5000 and sql.startswith("INSERT INTO") and "plots" in sql:
                    print("mid-write", flush=True)
                yield row
        real(self, cur, sql, announce())

    SqlStore._executemany = observed
    store = open_store(sys.argv[1])
    frame = plots(int(sys.argv[2]), seed=99)
    print("writing", flush=True)
    store.write("plots", frame, user="killed")
    print("finished", flush=True)
    """
)


def test_writer_killed_mid_write_leaves_the_previous_state(
    open_at: Callable[[], Store], store_location: str
) -> None:
    store = open_at()
    _seed(store)
    counts = store.counts()
    store.close()
    before = checksum(store_location)
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    with subprocess.Popen(
        [sys.executable, "-c", _WRITER, store_location, "40000"],
        cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().strip() == "writing", proc.stderr.read()
        assert proc.stdout.readline().strip() == "mid-write", proc.stderr.read()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        rest = proc.stdout.read()
    assert proc.returncode == -signal.SIGKILL
    assert "finished" not in rest
    if store.backend == "gpkg":
        assert os.path.exists(store_location + "-journal"), "the kill left a hot journal"
    reopened = open_at()  # opening rolls a hot journal back (SQLite) / the server already did
    assert reopened.counts() == counts
    reopened.close()
    assert checksum(store_location) == before
    if store.backend == "gpkg":
        validate_gpkg(store_location)


def test_two_writers_on_one_feature_exactly_one_wins(
    open_at: Callable[[], Store], store_location: str
) -> None:
    first, second = open_at(), open_at()
    uid = first.write("households", households(1), user="seed").uids[0]
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def edit(store: Store, who: str, members: int) -> None:
        barrier.wait()
        try:
            outcomes[who] = store.update("households", {uid: {"members": members}}, {uid: 1},
                                         user=who)
        except ConflictError as exc:
            outcomes[who] = exc

    threads = [threading.Thread(target=edit, args=(s, w, m))
               for s, w, m in ((first, "alice", 11), (second, "bob", 22))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    conflicts = {w: o for w, o in outcomes.items() if isinstance(o, ConflictError)}
    winners = {w: o for w, o in outcomes.items() if not isinstance(o, ConflictError)}
    assert len(winners) == 1 and len(conflicts) == 1, outcomes
    (winner,), (loser,) = winners, conflicts
    (conflict,) = conflicts[loser].conflicts
    assert conflict.current_version == 2 and conflict.expected_version == 1
    assert conflict.mine == {"members": 11 if loser == "alice" else 22}
    assert conflict.theirs is not None and conflict.theirs["updated_by"] == winner
    history = first.history("households", uid)
    assert [(h.version, h.changed_by) for h in history] == [(1, "seed"), (2, winner)]
    assert first.get("households", uid)["members"] == (11 if winner == "alice" else 22)  # type: ignore[index]
