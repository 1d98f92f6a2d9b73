"""Upload: survey files read and checked before anything is written (gis.io), a CRS the user
confirms on a preview map, the issues, the field mapping, then one import the user can undo."""

from __future__ import annotations

import streamlit as st

from layers import LAYERS
from ui import state, upload
from ui.resources import get_store, store_location
from ui.state import _

lang = state.lang()
account = state.account()
user = account.username
store = get_store(store_location())

st.title(_("Upload survey files"))

# ------------------------------------------------------------- the last import and its undo
last = upload.last_import()
if last is not None:
    if last.undone:
        st.info(_("The import of {file} was undone.").format(file=last.file))
    else:
        st.success(_("Imported {n} features from {file} into {layer}; {held} rows held back. "
                     "Batch {batch}.").format(
            n=f"{last.outcome.imported:,}", file=last.file,
            layer=LAYERS[last.outcome.layer].label(lang), held=f"{last.outcome.held_back:,}",
            batch=last.outcome.batch))
        if st.button(_("Undo this import"), key="upload_undo", icon=":material/undo:"):
            upload.undo_import(store, last, user=user)
            upload.set_last_import(upload.LastImport(last.file, last.outcome, undone=True))
            st.rerun()

# ------------------------------------------------------------------------------- widgets
kind = st.selectbox(_("Import into layer"), options=upload.TARGETS,
                    format_func=lambda name: LAYERS[name].label(lang), key="upload_kind")
files = st.file_uploader(
    _("Survey files: zipped shapefile, KML/KMZ, GPX, GeoJSON, GeoPackage, CSV or XLSX"),
    accept_multiple_files=True, key=f"upload_files_{upload.uploader_generation()}")
if not files:
    st.caption(_("Nothing is written until you press Import."))
    st.stop()

for f in files:
    key = f"upload_{f.file_id}"
    with st.container(border=True):
        st.subheader(f.name)
        result = upload.read_file(f.getvalue(), f.name)
        epsg, confirmed = upload.choose_crs(result, lang, key)  # None: as the file declares
        report, plan = upload.check_and_plan(result, kind, epsg)
        st.caption(_("Format: {format}").format(format=report.format))

        for layer in report.layers:
            st.markdown(f"**{layer.raw.name}** · {upload.layer_summary(layer)}")
            shown_map, rows = st.columns(2)
            with shown_map:
                upload.preview_map(layer, key=f"{key}_map_{layer.raw.name}")
            with rows:
                st.caption(_("Field mapping"))
                st.dataframe(upload.mapping_table(plan, layer, lang), hide_index=True,
                             width="stretch")
            st.caption(_("First rows as read"))
            st.dataframe(layer.raw.frame.head(10).map(upload.plain), hide_index=True,
                         width="stretch")

        st.markdown("**" + _("Problems found") + "**")
        upload.issues_table(plan.issues, kind, lang, key)

        if report.outcome == "reject":
            st.error(_("This file cannot be imported: see the problems above."))
            continue
        skip = False
        if plan.error_rows:
            skip = st.checkbox(
                _("Import only the rows without errors ({held} rows held back)").format(
                    held=f"{plan.error_rows:,}"), key=f"{key}_skip")
        if not confirmed:
            st.caption(_("Confirm the coordinate system above before importing."))
        if plan.error_rows and not skip:
            st.caption(_("Rows with errors are not imported unless you choose so above."))
        else:
            st.caption(_("{n} features will be imported into {layer}.").format(
                n=f"{len(plan.frame):,}", layer=LAYERS[kind].label(lang)))
        if st.button(_("Import"), key=f"{key}_import", type="primary",
                     icon=":material/upload_file:", disabled=not confirmed):
            outcome = upload.run_import(store, report, kind, audience=account.audience(),
                                        skip_errors=skip)
            upload.set_last_import(upload.LastImport(f.name, outcome))
            upload.empty_uploader()
            st.rerun()
