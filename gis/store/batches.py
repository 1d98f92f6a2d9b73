"""Undoing a whole change set (an import batch) at once: every feature it touched goes back to
the state before it, as new versions, in one transaction per layer — or nothing happens when any
of them has been changed since (then ``ConflictError`` names them)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from gis.errors import StoreError
from gis.store.protocol import AuditEvent, ChangeResult

if TYPE_CHECKING:
    from gis.store.base import SqlStore


def undo_change_set(store: SqlStore, change_set: str, *, user: str,
                    audit: AuditEvent | None = None) -> list[ChangeResult]:
    """Undo every change of ``change_set``; returns one result per layer it touched. ``audit``
    (its subject defaults to ``change_set``) is written with the last layer's transaction."""
    from gis.store.base import _Change
    from gis.store.states import HISTORY_TABLE

    with store._reading() as cur:
        cur.execute(
            f"SELECT DISTINCT layer FROM {store._table(HISTORY_TABLE)} "
            f"WHERE change_set = {store.placeholder}", [change_set])
        layers = sorted(r[0] for r in cur.fetchall())
    if not layers:
        raise StoreError(f"ไม่พบชุดการเปลี่ยนแปลง {change_set}",
                         f"no change set {change_set}")
    results = []
    if audit is not None:
        audit = dataclasses.replace(audit, subject=audit.subject or change_set)
    for n, layer in enumerate(layers, start=1):
        spec = store.spec(layer)
        entries = [e for e in store.history_of_change_set(layer, change_set)]
        changes = [
            _Change("undo", e.uid, e.version,
                    replace=dict(e.after, deleted=True) if e.before is None else e.before)
            for e in entries
        ]
        results.append(store._apply(spec, changes, user=user,
                                    audit=audit if n == len(layers) else None))
    return results
