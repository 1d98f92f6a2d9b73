"""The user's decisions on the upload page, one widget group each: the CRS of each source layer
that declares none, which column feeds which field, what unknown values mean, whether to repair
invalid shapes, and what to do with rows that have warnings. Each returns plain values for
``gis.io.check.check`` and ``gis.io.importer.Choices``; nothing here reads or writes the store.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping

import streamlit as st

from gis.io.check import CheckReport
from gis.io.fieldmap import match_columns, value_for
from gis.io.importer import ImportPlan, location_columns
from gis.io.model import CrsCandidate, RawLayer
from layers import LAYERS
from layers.schema import DType, Field
from ui.i18n import ngettext
from ui.state import _
from ui.upload import Flagged

BLANK = ""  # the value choice "leave blank" (no vocabulary code is empty)
MAX_VALUES = 30  # unknown values offered per field: more means the wrong column was chosen
# What would format text inside a label: emphasis, code, links, HTML, LaTeX, Streamlit's
# ":emoji:" and ":color[...]". (The screen-reader label shows the backslashes: escape no more.)
_MARKDOWN = re.compile(r"([\\`*_\[\]<>~$:])")


def md_escape(text: str) -> str:
    """``text`` shown as is in a widget label (labels are Markdown)."""
    return _MARKDOWN.sub(r"\\\1", text)


# ---------------------------------------------------------------------------------- CRS
def crs_options(raw: RawLayer) -> list[CrsCandidate]:
    """The CRS candidates of a layer that declares no CRS, best first, without repeats (none
    for a layer with a declared CRS or no geometry)."""
    if raw.geometry is None or raw.crs_epsg is not None:
        return []
    seen: dict[int, CrsCandidate] = {}
    for candidate in raw.crs_candidates:
        seen.setdefault(candidate.epsg, candidate)
    return list(seen.values())


def crs_label(candidate: CrsCandidate, lang: str) -> str:
    reason = candidate.reason_th if lang == "th" else candidate.reason_en
    return f"EPSG:{candidate.epsg} — {reason}"


def choose_crs(raw: RawLayer, lang: str, key: str, *, only_layer: bool) -> tuple[int | None, bool]:
    """The CRS radio of a source layer that declares none: (the EPSG to give ``check`` for it,
    confirmed?).

    The best guess stays a guess (None: ``check`` warns about it) until the user confirms it or
    picks another candidate. A layer with a declared CRS (or none to offer) gives (None, True):
    ``check`` uses what it says.
    """
    options = crs_options(raw)
    if not options:
        return None, True
    if only_layer:
        st.markdown(_("**The file declares no coordinate system.** Landmap guessed from the "
                      "coordinates; the best guess comes first."))
    else:
        st.markdown(_("**This layer declares no coordinate system.** Landmap guessed from the "
                      "coordinates; the best guess comes first."))
    chosen = st.radio(_("Coordinate system (CRS)"), options=range(len(options)),
                      format_func=lambda i: crs_label(options[i], lang), key=f"{key}_crs")
    epsg = options[chosen].epsg
    confirmed = st.checkbox(
        _("The preview map shows the features in the right place: use EPSG:{epsg}").format(
            epsg=epsg),
        key=f"{key}_crs_ok_{epsg}")
    return (epsg if confirmed or chosen else None), confirmed


# ------------------------------------------------------------------------- field mapping
def mapping_fields(kind: str) -> list[Field]:
    """The fields of ``kind`` a column can feed: declared, not derived, not ``extra``."""
    return [f for f in LAYERS[kind].fields if not f.derived and f.dtype is not DType.JSON]


def mappable_columns(raw: RawLayer) -> list[str]:
    """The layer's columns except those that became its location (lat/lon, UTM, geopoint and
    its parts), as ``gis.io.importer`` leaves them out."""
    columns = [str(c) for c in raw.frame.columns]
    used = location_columns(columns, [str(c) for c in raw.meta.get("coordinate_columns") or ()])
    return [c for c in columns if c not in used]


def auto_columns(raw: RawLayer, kind: str) -> dict[str, str]:
    """The automatic match of the layer's columns to ``kind``'s fields."""
    return dict(match_columns(LAYERS[kind], mappable_columns(raw)).columns)


def choose_columns(raw: RawLayer, kind: str, lang: str, key: str) -> dict[str, str | None]:
    """One selectbox per field (the file's columns, or "leave empty"), starting from the
    automatic match; returns every field's column, so the import uses exactly what is shown."""
    columns = mappable_columns(raw)
    if not columns:
        return {}
    auto = auto_columns(raw, kind)
    fields = mapping_fields(kind)
    missing = [f for f in fields if f.required and f.name not in auto]
    chosen: dict[str, str | None] = {}
    options: list[str | None] = [None, *columns]
    empty_label = _("— leave empty —")  # translated here: format_func may run outside the page
    with st.expander(_("Field mapping: which column of the file goes into which field"),
                     expanded=bool(missing)):
        st.caption(_("Fields marked * are required: a row without them is not imported. "
                     "Columns that go into no field are kept as other data."))
        halves = st.columns(2)
        for i, f in enumerate(fields):
            with halves[i % 2]:
                chosen[f.name] = st.selectbox(
                    f.label(lang) + (" *" if f.required else ""), options=options,
                    index=options.index(auto.get(f.name)),
                    format_func=lambda c: empty_label if c is None else c,
                    key=f"{key}_{kind}_col_{f.name}")
    used = Counter(c for c in chosen.values() if c is not None)
    twice = sorted(c for c, n in used.items() if n > 1)
    if twice:
        st.warning(_("These columns go into more than one field: {columns}").format(
            columns=", ".join(twice)), icon=":material/warning:")
    empty = [f.label(lang) for f in fields if f.required and chosen.get(f.name) is None]
    if empty:
        st.warning(_("No column for the required fields {fields}: no row can be imported "
                     "without them.").format(fields=", ".join(empty)), icon=":material/warning:")
    others = [c for c in columns if c not in used]
    if others:
        st.caption(_("Kept as other data: {columns}").format(columns=", ".join(others)))
    return chosen


# -------------------------------------------------------------------------- value mapping
def unknown_values(report: CheckReport, kind: str,
                   columns: Mapping[str, Mapping[str, str | None]]) -> dict[str, Counter[str]]:
    """Per vocabulary field, the source values (as text, stripped) that are none of its codes
    or labels, and how many rows hold each — over every source layer, through the chosen
    ``columns`` (source layer → field → column). Independent of the values already chosen, so
    a value stays on offer after the user chose what it means."""
    spec = LAYERS[kind]
    out: dict[str, Counter[str]] = {}
    for layer in report.layers:
        for name, column in columns.get(layer.raw.name, {}).items():
            f = spec.field(name)
            if f.vocabulary is None or column is None:
                continue
            texts = layer.raw.frame[column].dropna().map(lambda v: str(v).strip())
            for text, n in texts.value_counts(sort=False).items():
                try:
                    value_for(f, text)
                except ValueError:
                    out.setdefault(name, Counter())[str(text)] += int(n)
    return out


def choose_values(unknown: Mapping[str, Counter[str]], kind: str, lang: str,
                  key: str) -> dict[str, dict[str, str | None]]:
    """For each unknown value, a selectbox of the field's vocabulary (in the user's language)
    and "leave blank"; returns field → value → code (None: blank) for the values chosen."""
    chosen: dict[str, dict[str, str | None]] = {}
    if not unknown:
        return chosen
    spec = LAYERS[kind]
    st.markdown("**" + _("Values that are not in the list") + "**")
    st.caption(_("Choose what each value means. Rows whose value you leave unchosen are not "
                 "imported."))
    for name, counts in unknown.items():
        f = spec.field(name)
        vocabulary = f.vocabulary
        if vocabulary is None:
            continue
        labels = {t.code: (t.label_th if lang == "th" else t.label_en) for t in vocabulary}
        labels[BLANK] = _("— leave blank —")  # translated here: format_func may run elsewhere
        values = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        st.markdown(f"*{md_escape(f.label(lang))}*")
        thirds = st.columns(3)
        for i, (text, n) in enumerate(values[:MAX_VALUES]):
            with thirds[i % 3]:
                code = st.selectbox(
                    ngettext("“{value}” ({n} row)", "“{value}” ({n} rows)", n, lang).format(
                        value=md_escape(text), n=f"{n:,}"),
                    options=[BLANK, *vocabulary.codes()], index=None,
                    placeholder=_("Choose what it means"),
                    format_func=labels.__getitem__,
                    key=f"{key}_value_{name}_{hashlib.sha1(text.encode()).hexdigest()[:12]}")
            if code is not None:
                chosen.setdefault(name, {})[text] = None if code == BLANK else code
        if len(values) > MAX_VALUES:
            st.caption(_("… and {n} more values: check that the right column goes into this "
                         "field, or correct the file.").format(n=f"{len(values) - MAX_VALUES:,}"))
    return chosen


# ------------------------------------------------------------------- repairs and warnings
def choose_repair(report: CheckReport, lang: str, key: str) -> bool:
    """The checkbox "repair N invalid shapes" when ``make_valid`` can repair some (False when
    there is nothing to repair)."""
    n = sum(len(layer.repairs) for layer in report.layers)
    if not n:
        return False
    return st.checkbox(
        ngettext("Repair {n} invalid shape with make_valid",
                 "Repair {n} invalid shapes with make_valid", n, lang).format(n=f"{n:,}"),
        key=f"{key}_repair")


def choose_flagged(plan: ImportPlan, key: str) -> Flagged:
    """Rows with warnings only: imported and flagged, or held back. ``plan`` is planned with
    ``flagged="import"``, so its counts tell errors from warnings."""
    st.caption(_("Rows held back by errors: {errors} · rows with warnings only: {flagged}").format(
        errors=f"{plan.error_rows:,}", flagged=f"{plan.flagged_rows:,}"))
    if not plan.flagged_rows:
        return "import"
    labels = {"import": _("Import them and flag them (the warnings are kept with each row)"),
              "hold": _("Hold them back (do not import them)")}
    choice: Flagged = st.radio(
        _("Rows with warnings ({n})").format(n=f"{plan.flagged_rows:,}"),
        options=("import", "hold"), format_func=lambda o: labels[o], key=f"{key}_flagged")
    return choice
