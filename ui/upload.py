"""What the upload page shows and does, kept out of the page script: one uploaded file read and
checked (``gis.io``), its CRS choice, preview map, issues table and field mapping, and the import
and its undo, each written to the audit log.

Nothing here writes to the store until the user presses Import (or Undo); the import itself is
``gis.io.importer.import_report``, one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import folium
import pandas as pd
import shapely
import streamlit as st
from streamlit_folium import st_folium

from gis.io.check import CheckReport, LayerCheck, check
from gis.io.importer import ImportOutcome, ImportPlan, import_report, plan_import
from gis.io.importer import undo_import as gis_undo_import
from gis.io.model import CrsCandidate, Issue, ReadResult, Severity
from gis.io.read import read_bytes
from gis.privacy import Audience
from gis.store.protocol import Store
from layers import LAYERS
from ui import mapview
from ui.i18n import N_
from ui.state import _

# Session keys of the upload page (page-local: nothing else reads them).
LAST_IMPORT = "upload_last_import"  # the last import of this session: a `LastImport`
UPLOADER_GENERATION = "upload_generation"  # bumped after an import to empty the uploader

TARGETS = ("households", "plots", "villages", "tenure_zones")
SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)
SEVERITY_LABELS = {Severity.ERROR: N_("Error"), Severity.WARNING: N_("Warning"),
                   Severity.INFO: N_("Note")}
CRS_SOURCES = {"declared": N_("declared by the file"), "guessed": N_("guessed"),
               "given": N_("given by you")}
PREVIEW_HEIGHT = 320


@dataclass(frozen=True)
class LastImport:
    """What the success summary and the undo button need about the last import."""

    file: str
    outcome: ImportOutcome
    undone: bool = False


# ------------------------------------------------------------------------------ reading
def read_file(data: bytes, filename: str) -> ReadResult:
    """Read ``data`` in whatever format it is in; bad files give issues, not exceptions."""
    return read_bytes(data, filename)


def check_and_plan(result: ReadResult, kind: str,
                   crs: int | None) -> tuple[CheckReport, ImportPlan]:
    """Check ``result`` for layer ``kind`` (with the user's CRS, if any) and plan the import;
    nothing is written."""
    report = check(result, kind=kind, crs=crs)
    return report, plan_import(report, kind)


def crs_options(result: ReadResult) -> list[CrsCandidate]:
    """The CRS candidates of every layer without a declared CRS, best first, without repeats."""
    seen: dict[int, CrsCandidate] = {}
    for layer in result.layers:
        if layer.crs_epsg is None:
            for candidate in layer.crs_candidates:
                seen.setdefault(candidate.epsg, candidate)
    return list(seen.values())


def crs_label(candidate: CrsCandidate, lang: str) -> str:
    reason = candidate.reason_th if lang == "th" else candidate.reason_en
    return f"EPSG:{candidate.epsg} — {reason}"


def choose_crs(result: ReadResult, lang: str, key: str) -> tuple[int | None, bool]:
    """The CRS radio for a file that declares none: (the EPSG to give ``check``, confirmed?).

    The best guess stays a guess (None: ``check`` warns about it) until the user confirms it or
    picks another candidate. A file with a declared CRS (or none to offer) gives (None, True):
    ``check`` uses what it says.
    """
    options = crs_options(result)
    if not options:
        return None, True
    st.markdown(_("**The file declares no coordinate system.** Landmap guessed from the "
                  "coordinates; the best guess comes first."))
    chosen = st.radio(_("Coordinate system (CRS)"), options=range(len(options)),
                      format_func=lambda i: crs_label(options[i], lang), key=f"{key}_crs")
    epsg = options[chosen].epsg
    confirmed = st.checkbox(
        _("The preview map shows the features in the right place: use EPSG:{epsg}").format(
            epsg=epsg),
        key=f"{key}_crs_ok_{epsg}")
    return (epsg if confirmed or chosen else None), confirmed


# ------------------------------------------------------------------------------ showing
def layer_summary(layer: LayerCheck) -> str:
    """One line: features kept of rows read, encoding, CRS and where it came from."""
    rows = len(layer.raw.frame) if layer.raw.geometry is None else len(layer.raw.geometry)
    crs = f"EPSG:{layer.epsg}" if layer.epsg is not None else _("unknown")
    source = _(CRS_SOURCES[layer.crs_source]) if layer.crs_source in CRS_SOURCES else ""
    return _("{features} of {rows} rows usable · encoding {encoding} · CRS {crs} {source}").format(
        features=f"{layer.features:,}", rows=f"{rows:,}",
        encoding=layer.raw.encoding or "—", crs=crs,
        source=f"({source})" if source else "")


def preview_map(layer: LayerCheck, key: str) -> None:
    """The features that would be imported, in EPSG:4326, on a small offline map (no data
    values: shapes only)."""
    kept = [g for g, ok in zip(layer.geometries, layer.keep, strict=True) if ok]
    bbox = layer.bbox()
    if not kept or bbox is None:
        st.caption(_("Nothing to show on a map: no row has a usable location."))
        return
    minx, miny, maxx, maxy = bbox
    m = mapview.base_map(location=((miny + maxy) / 2, (minx + maxx) / 2), zoom=14)
    points = [g for g in kept if g.geom_type in ("Point", "MultiPoint")]
    shapes = [g for g in kept if g.geom_type not in ("Point", "MultiPoint")]
    if shapes:
        folium.GeoJson(shapely.geometry.mapping(shapely.GeometryCollection(shapes)),
                       style_function=lambda _f: {"color": "#b45309", "weight": 2,
                                                  "fillOpacity": 0.2}).add_to(m)
    for point in points:
        for p in getattr(point, "geoms", [point]):
            folium.CircleMarker((p.y, p.x), radius=5, color="#b45309", fill=True,
                                fill_opacity=0.8).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(20, 20), max_zoom=17)
    st_folium(m, key=key, height=PREVIEW_HEIGHT, use_container_width=True,
              returned_objects=[])


def mapping_table(plan: ImportPlan, layer: LayerCheck, lang: str) -> pd.DataFrame:
    """Field label → source column, then the columns kept in ``extra``."""
    spec = LAYERS[plan.kind]
    mapping = plan.mappings.get(layer.raw.name)
    if mapping is None:
        return pd.DataFrame()
    rows = [{_("Field"): spec.field(name).label(lang), _("Column in the file"): column}
            for name, column in mapping.columns.items()]
    rows += [{_("Field"): _("(kept as other data)"), _("Column in the file"): column}
             for column in mapping.extra]
    return pd.DataFrame(rows)


def issues_table(issues: list[Issue], kind: str, lang: str, key: str) -> None:
    """Every issue, filterable by severity, in the user's language."""
    if not issues:
        st.success(_("No problems found."))
        return
    present = [s for s in SEVERITIES if any(i.severity is s for i in issues)]
    shown = st.pills(_("Show"), options=present, selection_mode="multi", default=present,
                     format_func=lambda s: _(SEVERITY_LABELS[s]), key=f"{key}_severity")
    spec = LAYERS[kind]
    names = set(spec.field_names)
    rows = [{
        _("Severity"): _(SEVERITY_LABELS[i.severity]),
        _("Layer"): i.layer or "",
        _("Row"): "" if i.row is None else str(i.row),
        _("Field"): spec.field(i.field).label(lang) if i.field in names else (i.field or ""),
        _("Problem"): i.message_th if lang == "th" else i.message_en,
        _("What to do"): i.fix_th if lang == "th" else i.fix_en,
    } for i in issues if i.severity in (shown or [])]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


# ------------------------------------------------------------------------------ writing
def run_import(store: Store, report: CheckReport, kind: str, *, audience: Audience,
               skip_errors: bool) -> ImportOutcome:
    """Import ``report`` into ``kind``: one transaction that also writes the ``import`` audit
    entry.

    A ``LandmapError`` (rejected file, error rows not skipped) goes to the page's catch point;
    nothing is written then.
    """
    user = audience.username
    outcome, _plan = import_report(store, report, kind, user=user, skip_errors=skip_errors,
                                   audience=audience)
    return outcome


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


def uploader_generation() -> int:
    value = st.session_state.get(UPLOADER_GENERATION, 0)
    return value if isinstance(value, int) else 0


def empty_uploader() -> None:
    st.session_state[UPLOADER_GENERATION] = uploader_generation() + 1


def plain(value: Any) -> Any:
    """A cell value safe for ``st.dataframe`` (bytes and odd objects as text)."""
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)
