"""Upload: survey files read and checked before anything is written (gis.io); for each file what
was understood (format, encoding, the CRS of each layer confirmed on a preview map, the field
mapping the user can change, the first rows), the issues (pick one to zoom to its row), the
user's choices (unknown values, make_valid repairs, rows with warnings), then one import the
user can undo.

The page is laid out top to bottom in that order, but runs in the order the answers need: the
CRS before the check, the mapping and values before the plan, the plan before the issues, the
picked issue before the maps — so each part is a container filled when its inputs are known.
"""

from __future__ import annotations

import streamlit as st

from gis.io.importer import Choices
from layers import LAYERS
from ui import state, upload
from ui import upload_choices as choose
from ui import upload_preview as show
from ui.resources import get_store, store_location
from ui.state import _

lang = state.lang()
account = state.account()
audience = account.audience()
store = get_store(store_location())

st.title(_("Upload survey files"))

# ------------------------------------------------------------- the last import and its undo
last = upload.last_import()
if last is not None:
    if last.undone:
        st.info(_("The import of {file} was undone.").format(file=last.file))
    else:
        st.success(_("Imported {n} features from {file} into {layer}; {held} rows held back, "
                     "{flagged} imported with warnings (flagged). Batch {batch}.").format(
            n=f"{last.outcome.imported:,}", file=last.file,
            layer=LAYERS[last.outcome.layer].label(lang), held=f"{last.outcome.held_back:,}",
            flagged=f"{last.flagged:,}", batch=last.outcome.batch))
        if st.button(_("Undo this import"), key="upload_undo", icon=":material/undo:"):
            upload.undo_import(store, last, user=account.username)
            upload.set_last_import(upload.LastImport(last.file, last.outcome, last.flagged,
                                                     undone=True))
            upload.forget_plans()
            st.rerun()

# ------------------------------------------------------------------------------- widgets
kind = st.selectbox(_("Import into layer"), options=upload.TARGETS,
                    format_func=lambda name: LAYERS[name].label(lang), key="upload_kind")
files = st.file_uploader(
    _("Survey files: zipped shapefile, KML/KMZ, GPX, GeoJSON, GeoPackage, CSV or XLSX"),
    accept_multiple_files=True, key=f"upload_files_{upload.uploader_generation()}")
contents = {f.file_id: f.getvalue() for f in files or []}
digests = {file_id: upload.digest(data) for file_id, data in contents.items()}
upload.forget_other_files(digests.values())
if not files:
    st.caption(_("Nothing is written until you press Import."))
    st.stop()

for f in files:
    key = f"upload_{f.file_id}"
    digest = digests[f.file_id]
    with st.container(border=True):
        st.subheader(f.name)
        result = upload.read_file(contents[f.file_id], f.name, key=digest)
        st.caption(_("Format: {format}").format(format=result.format))
        boxes = [st.container() for _layer in result.layers]
        issues_box, values_box, repair_box, decide_box = (st.container() for _i in range(4))

        # The CRS of each layer that declares none, then the check.
        crs: dict[str, int] = {}
        confirmed = True
        heads = []
        for i, (raw, box) in enumerate(zip(result.layers, boxes, strict=True)):
            with box:
                heads.append(st.empty())  # the layer's name and summary, once checked
                epsg, ok = choose.choose_crs(raw, lang, f"{key}_{i}",
                                             only_layer=len(result.layers) == 1)
            if epsg is not None:
                crs[raw.name] = epsg
            confirmed &= ok
        base = upload.check_file(result, key=digest, kind=kind, crs=crs, repair=False)
        with repair_box:
            repair = choose.choose_repair(base, lang, key)
            show.repair_preview(base, lang, key)
        report = (upload.check_file(result, key=digest, kind=kind, crs=crs, repair=True)
                  if repair else base)

        # What was understood of each layer, and the field mapping the user can change.
        columns: dict[str, dict[str, str | None]] = {}
        maps = []
        for i, (layer, box, head) in enumerate(zip(report.layers, boxes, heads, strict=True)):
            head.markdown(f"**{choose.md_escape(layer.raw.name)}** · {show.layer_summary(layer)}")
            with box:
                shown_map, mapping = st.columns(2)
                maps.append(shown_map)
                with mapping:
                    columns[layer.raw.name] = choose.choose_columns(layer.raw, kind, lang,
                                                                    f"{key}_{i}")
                st.caption(_("First rows as read"))
                st.dataframe(show.first_rows(layer.raw, columns[layer.raw.name],
                                             choose.mappable_columns(layer.raw), kind, lang),
                             hide_index=True, width="stretch")

        # Values the vocabularies do not know, then the plan with every choice so far. The plan
        # imports flagged rows, so that its counts tell rows with errors from rows with warnings.
        with values_box:
            values = choose.choose_values(choose.unknown_values(report, kind, columns), kind,
                                          lang, key)
        choices = Choices(columns=columns, values=values)
        plan = upload.plan(report, kind, key=digest, store=store, audience=audience,
                           choices=choices)

        with issues_box:
            st.markdown("**" + _("Problems found") + "**")
            picked = show.issues_table(plan.issues, kind, lang, key)
        for i, (layer, shown_map) in enumerate(zip(report.layers, maps, strict=True)):
            with shown_map:
                row = (picked.row - 1 if picked is not None and picked.row is not None
                       and picked.layer == layer.raw.name else None)
                show.preview_map(layer, key=f"{key}_map_{i}", picked=row)

        with decide_box:
            if report.outcome == "reject":
                st.error(_("This file cannot be imported: see the problems above."))
                continue
            flagged = choose.choose_flagged(plan, key)
            hold = flagged == "hold"
            importable = len(plan.frame) - (plan.flagged_rows if hold else 0)
            skip = False
            if plan.error_rows:
                skip = st.checkbox(
                    _("Import only the rows without errors ({held} rows held back)").format(
                        held=f"{plan.error_rows:,}"), key=f"{key}_skip")
            if importable:
                st.caption(_("First rows to import ({n} in all)").format(n=f"{importable:,}"))
                st.dataframe(show.rows_to_import(plan, hold=hold, lang=lang, era=state.era()),
                             hide_index=True, width="stretch")
            if not confirmed:
                st.caption(_("Confirm the coordinate system above before importing."))
            if plan.error_rows and not skip:
                st.caption(_("Rows with errors are not imported unless you choose so above."))
            elif importable:
                st.caption(_("{n} features will be imported into {layer}.").format(
                    n=f"{importable:,}", layer=LAYERS[kind].label(lang)))
            else:
                st.caption(_("No row can be imported."))
            ready = confirmed and importable > 0 and (skip or not plan.error_rows)
            if st.button(_("Import"), key=f"{key}_import", type="primary",
                         icon=":material/upload_file:", disabled=not ready):
                # Held-back rows with warnings are rows the import skips, as the user chose.
                outcome, flagged_rows = upload.run_import(
                    store, report, kind, audience=audience,
                    choices=Choices(columns=columns, values=values, flagged=flagged),
                    skip_errors=skip or hold)
                upload.set_last_import(upload.LastImport(f.name, outcome, flagged_rows))
                upload.empty_uploader()
                upload.forget_plans()
                st.rerun()
