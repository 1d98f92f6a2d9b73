"""The ``Store`` protocol (DESIGN.md §4) and the values it returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

import pandas as pd

# A feature as the store hands it out: declared fields, "geometry" (shapely or None),
# "deleted", and the system fields uid, version, updated_at, updated_by.
Feature = dict[str, Any]
BBox = tuple[float, float, float, float]
Op = Literal["insert", "update", "delete", "restore", "undo"]


@dataclass(frozen=True)
class ChangeResult:
    """What one write did: its change-set id (one transaction) and each feature's new version."""

    change_set: str
    layer: str
    versions: Mapping[str, int]

    @property
    def uids(self) -> list[str]:
        return list(self.versions)


@dataclass(frozen=True)
class HistoryEntry:
    """One version of one feature: who made it, when, how, and the state before and after."""

    layer: str
    uid: str
    version: int
    op: Op
    changed_at: dt.datetime
    changed_by: str
    change_set: str
    before: Feature | None
    after: Feature

    def changed_fields(self) -> list[str]:
        """Names of the fields (and ``geometry``/``deleted``) that differ between before/after."""
        if self.before is None:
            return [
                k for k, v in self.after.items()
                if v is not None and k not in _SYSTEM and not (k == "deleted" and v is False)
            ]
        keys = (set(self.before) | set(self.after)) - _SYSTEM
        return sorted(k for k in keys if not _same(self.before.get(k), self.after.get(k)))


@dataclass(frozen=True)
class AuditEvent:
    """One entry for the audit log: who (``username``, the actor) did what to whom, and details.

    ``detail`` must be plain JSON and never holds a password. ``at`` defaults to the store's
    clock (UTC) when the entry is written.
    """

    username: str
    action: str
    subject: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)
    at: dt.datetime | None = None


ConflictChoice = Literal["mine", "theirs", "merge"]
ConflictStatus = Literal["open", "resolved"]


@dataclass(frozen=True)
class Proposal:
    """A change to one existing feature, made from the version someone read (``base_version``):
    new values for fields and/or ``geometry``, or ``{"deleted": True}`` to soft-delete it."""

    uid: str
    base_version: int
    values: Mapping[str, Any]

    @property
    def is_delete(self) -> bool:
        return dict(self.values) == {"deleted": True}


@dataclass(frozen=True)
class LayerChanges:
    """What ``Store.apply_changes`` does to one layer: new features (field values, optional
    ``uid`` and ``geometry``) and proposals against the versions they were based on."""

    layer: str
    added: Sequence[Mapping[str, Any]] = ()
    proposals: Sequence[Proposal] = ()


@dataclass(frozen=True)
class AppliedChanges:
    """What ``Store.apply_changes`` did, in one transaction and one change set: the new version
    of every feature written (``layer → uid → version``) and the conflict id of every proposal
    queued because its base version was no longer current (``layer → uid → id``)."""

    change_set: str
    versions: Mapping[str, Mapping[str, int]]
    queued: Mapping[str, Mapping[str, int]]


@dataclass(frozen=True)
class ConflictRecord:
    """One entry of the conflict queue: a proposal that was not applied because the feature had
    changed since the proposer read it. Nothing is lost: ``proposed`` keeps the state they
    wanted (the base version with their changes), ``current_version`` names the stored version
    it collided with (its state is in the feature's history).

    ``fields`` are the names the proposal set (field names, ``geometry``, or ``deleted`` for a
    deletion); choosing ``mine`` writes those over the stored state. ``choice``,
    ``resolved_version``, ``resolved_by`` and ``resolved_at`` are set once it is resolved.
    """

    id: int
    layer: str
    uid: str
    base_version: int
    current_version: int
    proposed: Feature
    fields: tuple[str, ...]
    proposed_by: str
    proposed_at: dt.datetime
    source: str
    status: ConflictStatus
    choice: ConflictChoice | None = None
    resolved_version: int | None = None
    resolved_by: str | None = None
    resolved_at: dt.datetime | None = None

    @property
    def mine(self) -> dict[str, Any]:
        """The values the proposal set (what ``mine`` writes)."""
        return {name: self.proposed.get(name) for name in self.fields}

    @property
    def is_delete(self) -> bool:
        return self.fields == ("deleted",)


@dataclass(frozen=True)
class Attachment:
    """A file (land document, letter, photo) attached to a plot or household, without its
    bytes: those are read on request (``Store.read_attachment``) because they are personal data
    and can be large. ``size`` and ``sha256`` are computed by the store from the bytes kept."""

    id: int
    layer: str
    feature_uid: str
    filename: str
    media_type: str
    size: int
    sha256: str
    note: str
    added_by: str
    added_at: dt.datetime


@dataclass(frozen=True)
class PriorityRulesRecord:
    """One saved version of the priority scoring rules (``gis.priority.Rules`` as JSON), who
    saved it, when and why. Versions count from 1; every one is kept."""

    version: int
    rules: Mapping[str, Any]
    saved_by: str
    saved_at: dt.datetime
    note: str


_SYSTEM = frozenset({"uid", "version", "updated_at", "updated_by"})


def _same(a: Any, b: Any) -> bool:
    if hasattr(a, "equals") and hasattr(b, "equals") and hasattr(a, "geom_type"):
        return bool(a.equals_exact(b, 0.0))
    return bool(a == b)


@runtime_checkable
class Store(Protocol):
    """Where layers live. Every change is one transaction; nothing is ever hard-deleted."""

    backend: str

    def layers(self) -> list[str]: ...

    def read(
        self,
        layer: str,
        *,
        bbox: BBox | None = None,
        where: Mapping[str, Any] | None = None,
        include_deleted: bool = False,
    ) -> pd.DataFrame: ...

    def count_by(
        self,
        layer: str,
        field: str | None = None,
        *,
        bbox: BBox | None = None,
        where: Mapping[str, Any] | None = None,
    ) -> dict[Any, int]: ...

    def get(self, layer: str, uid: str) -> Feature | None: ...

    def counts(self) -> dict[str, int]: ...

    def write(
        self, layer: str, frame: pd.DataFrame, *, user: str, audit: AuditEvent | None = None
    ) -> ChangeResult: ...

    def update(
        self,
        layer: str,
        changes: Mapping[str, Mapping[str, Any]],
        expected_versions: Mapping[str, int],
        *,
        user: str,
    ) -> ChangeResult: ...

    def delete(
        self, layer: str, uids: Iterable[str], expected_versions: Mapping[str, int], *, user: str
    ) -> ChangeResult: ...

    def history(self, layer: str, uid: str) -> Sequence[HistoryEntry]: ...

    def undo_change_set(
        self, change_set: str, *, user: str, audit: AuditEvent | None = None
    ) -> list[ChangeResult]: ...

    def restore(
        self, layer: str, uid: str, version: int, *, expected_version: int, user: str
    ) -> ChangeResult: ...

    def undo(
        self, layer: str, uid: str, *, user: str, expected_version: int | None = None
    ) -> ChangeResult: ...

    # Accounts and the audit log (gis/store/accounts_sql.py; the rules are gis.accounts).
    def get_account(self, username: str) -> dict[str, Any] | None: ...

    def list_accounts(self) -> list[dict[str, Any]]: ...

    def save_account(
        self,
        account: Mapping[str, Any],
        *,
        expected_version: int | None,
        audit: AuditEvent | None = None,
    ) -> int: ...

    def append_audit(self, event: AuditEvent) -> None: ...

    def read_audit(
        self, *, limit: int = 200, username: str | None = None, action: str | None = None
    ) -> list[dict[str, Any]]: ...

    # Edits that collide, and several layers changed at once (gis/store/conflicts_sql.py).
    def apply_changes(
        self,
        changes: Sequence[LayerChanges],
        *,
        user: str,
        source: str,
        audit: AuditEvent | None = None,
    ) -> AppliedChanges: ...

    def add_conflict(
        self,
        layer: str,
        uid: str,
        *,
        base_version: int,
        proposed: Mapping[str, Any],
        user: str,
        source: str,
    ) -> int: ...

    def list_conflicts(
        self,
        *,
        status: ConflictStatus | None = "open",
        layer: str | None = None,
        uids: Iterable[str] | None = None,
    ) -> list[ConflictRecord]: ...

    def get_conflict(self, conflict_id: int) -> ConflictRecord | None: ...

    def resolve_conflict(
        self,
        conflict_id: int,
        *,
        choice: ConflictChoice,
        merged_values: Mapping[str, Any] | None = None,
        user: str,
        expected_current_version: int,
    ) -> ConflictRecord: ...

    # Files attached to features, kept in the store (gis/store/attachments_sql.py; the rules
    # on what may be attached are gis.attachments).
    def add_attachment(
        self,
        layer: str,
        uid: str,
        *,
        filename: str,
        media_type: str,
        data: bytes,
        note: str,
        user: str,
    ) -> Attachment: ...

    def list_attachments(
        self, *, layer: str | None = None, uids: Iterable[str] | None = None
    ) -> list[Attachment]: ...

    def get_attachment(self, attachment_id: int) -> Attachment | None: ...

    def read_attachment(self, attachment_id: int) -> bytes: ...

    def remove_attachment(self, attachment_id: int, *, user: str) -> Attachment: ...

    # Versions of the priority scoring rules, append-only (gis/store/rules_sql.py; the rules
    # themselves are gis.priority).
    def priority_rules_history(self) -> list[PriorityRulesRecord]: ...

    def latest_priority_rules(self) -> PriorityRulesRecord | None: ...

    def save_priority_rules(
        self, rules: Mapping[str, Any], *, user: str, expected_version: int, note: str = ""
    ) -> PriorityRulesRecord: ...

    def close(self) -> None: ...
