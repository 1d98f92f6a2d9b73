"""What the upload page does with the files, kept out of the page script: each uploaded file read
and checked (``gis.io``) once and kept in the session while it stays uploaded, the import planned
with the user's choices, and the import and its undo, each written to the audit log.

The widgets for the user's choices are in ``ui/upload_choices.py``, what is shown (preview maps,
issues, first rows) in ``ui/upload_preview.py``. Nothing here writes to the store until the user
presses Import (or Undo); the import itself is ``gis.io.importer.import_report``, one
transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import streamlit as st

from gis.io.check import CheckReport, check
from gis.io.importer import Choices, ImportOutcome, ImportPlan, import_report, plan_import
from gis.io.importer import undo_import as gis_undo_import
from gis.io.model import ReadResult
from gis.io.read import read_bytes
from gis.privacy import Audience
from gis.store.protocol import Store

# Session keys of the upload page (page-local: nothing else reads them).
LAST_IMPORT = "upload_last_import"  # the last import of this session: a `LastImport`
UPLOADER_GENERATION = "upload_generation"  # bumped after an import to empty the uploader
READS = "upload_reads"  # file digest → ReadResult
CHECKS = "upload_checks"  # (file digest, kind, CRS choice, repair) → CheckReport
PLANS = "upload_plans"  # file digest → (check key, choices key, ImportPlan): the latest plan

TARGETS = ("households", "plots", "villages", "tenure_zones")
# A file's checks kept per session: enough to go back and forth between two CRS candidates or
# the repair on and off without reading again, few enough that a big file is not held N times.
CHECKS_PER_FILE = 3

Flagged = Literal["import", "hold"]


@dataclass(frozen=True)
class LastImport:
    """What the success summary and the undo button need about the last import."""

    file: str
    outcome: ImportOutcome
    flagged: int = 0  # rows imported with warnings (``extra["import_flags"]``)
    undone: bool = False


# ------------------------------------------------------------------------------ caching
# Reading (GDAL, encoding detection) and checking (reprojection, validity) a file are the slow
# steps, and every click reruns the page. The results hold the user's data, so they live in the
# user's session only (never a global cache), and only while the file is uploaded.
def digest(data: bytes) -> str:
    """The key of an uploaded file's content (the same file uploaded twice is read once)."""
    return hashlib.sha256(data).hexdigest()


def _cache(name: str) -> dict[Any, Any]:
    value = st.session_state.get(name)
    if not isinstance(value, dict):
        value = {}
        st.session_state[name] = value
    return value


def forget_other_files(keep: Iterable[str]) -> None:
    """Drop what the session holds about files no longer uploaded (digests not in ``keep``)."""
    wanted = set(keep)
    for name in (READS, PLANS):
        cache = _cache(name)
        for k in [k for k in cache if k not in wanted]:
            del cache[k]
    checks = _cache(CHECKS)
    for k in [k for k in checks if k[0] not in wanted]:
        del checks[k]


def read_file(data: bytes, filename: str, *, key: str) -> ReadResult:
    """Read ``data`` (whose digest is ``key``) in whatever format it is in, once per session;
    bad files give issues, not exceptions."""
    reads = _cache(READS)
    if key not in reads:
        reads[key] = read_bytes(data, filename)
    result: ReadResult = reads[key]
    return result


def check_file(result: ReadResult, *, key: str, kind: str, crs: Mapping[str, int],
               repair: bool) -> CheckReport:
    """``gis.io.check.check`` of ``result`` for layer ``kind`` with the user's CRS per source
    layer and repair choice, kept for the next reruns (the last few per file)."""
    checks = _cache(CHECKS)
    cache_key = (key, kind, tuple(sorted(crs.items())), repair)
    report = checks.pop(cache_key, None)
    if report is None:
        report = check(result, kind=kind, crs=dict(crs) or None, repair=repair)
        mine = [k for k in checks if k[0] == key]
        for old in mine[:max(0, len(mine) - CHECKS_PER_FILE + 1)]:
            del checks[old]
    checks[cache_key] = report  # last in the dict: the most recently used
    out: CheckReport = report
    return out


def choices_key(choices: Choices) -> Hashable:
    """``choices`` as a hashable value (its mappings sorted), to key a cached plan."""
    return (
        tuple(sorted((layer, tuple(sorted(m.items()))) for layer, m in choices.columns.items())),
        tuple(sorted((name, tuple(sorted(m.items()))) for name, m in choices.values.items())),
        choices.flagged,
    )


def plan(report: CheckReport, kind: str, *, key: str, store: Store, audience: Audience,
         choices: Choices) -> ImportPlan:
    """The import plan of ``report`` with the user's choices, checked against the store as the
    import will be (villages, the user's areas); the latest plan of each file is kept."""
    plans = _cache(PLANS)
    wanted = (id(report), kind, audience.username, choices_key(choices))
    cached = plans.get(key)
    if cached is not None and cached[0] == wanted and cached[1] is report:
        out: ImportPlan = cached[2]
        return out
    planned = plan_import(report, kind, store=store, audience=audience, choices=choices)
    plans[key] = (wanted, report, planned)
    return planned


# ------------------------------------------------------------------------------ writing
def run_import(store: Store, report: CheckReport, kind: str, *, audience: Audience,
               choices: Choices, skip_errors: bool) -> tuple[ImportOutcome, int]:
    """Import ``report`` into ``kind`` with the user's ``choices``: one transaction that also
    writes the ``import`` audit entry. Returns the outcome and how many rows went in flagged.

    A ``LandmapError`` (rejected file, error rows not skipped) goes to the page's catch point;
    nothing is written then.
    """
    outcome, planned = import_report(store, report, kind, user=audience.username,
                                     skip_errors=skip_errors, audience=audience,
                                     choices=choices)
    return outcome, planned.flagged_rows


def undo_import(store: Store, last: LastImport, *, user: str) -> int:
    """Undo the whole batch of ``last`` (audited as ``undo_import`` in the same transaction);
    returns the features taken back. Refused (``ConflictError``) when one of them changed
    since."""
    return gis_undo_import(store, last.outcome.batch, user=user, file=last.file)


def last_import() -> LastImport | None:
    value = st.session_state.get(LAST_IMPORT)
    return value if isinstance(value, LastImport) else None


def set_last_import(value: LastImport) -> None:
    st.session_state[LAST_IMPORT] = value


def forget_plans() -> None:
    """Plan again on the next run: the store changed (an import or an undo), and plans check
    against it."""
    _cache(PLANS).clear()


def uploader_generation() -> int:
    value = st.session_state.get(UPLOADER_GENERATION, 0)
    return value if isinstance(value, int) else 0


def empty_uploader() -> None:
    st.session_state[UPLOADER_GENERATION] = uploader_generation() + 1
