"""The files attached to one plot or household (issue 7): land documents, letters, photos kept in
the store (``gis.attachments``). A list with a download button for each, an upload of a PDF,
JPEG or PNG with a note, and removing a file for good.

Attachments are personal data: the panel shows them only to roles that see personal data and
only for a feature inside the user's areas (``gis.attachments.may_see_attachments``); adding and
removing are for the roles that edit. Bytes are read only when a download is asked for (a
deferred ``st.download_button``), and each download goes to the audit log, as adding and
removing do (in the store's own transaction).
"""

from __future__ import annotations

import functools
from typing import Final

import streamlit as st

from gis.attachments import (
    MAX_BYTES,
    MEDIA_TYPES,
    Attachment,
    add_attachment,
    download_attachment,
    list_attachments,
    may_see_attachments,
    remove_attachment,
)
from gis.dates import format_datetime
from gis.edit import EDIT_ROLES
from gis.errors import LandmapError
from gis.privacy import Audience
from gis.store.protocol import Store
from ui import state
from ui.i18n import ngettext, translator

KINDS: Final = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
UPLOAD_TYPES: Final = [ext.lstrip(".") for _magic, exts in MEDIA_TYPES.values() for ext in exts]


def _key(layer: str, uid: str, part: str) -> str:
    return f"attachments_{layer}_{uid}_{part}"


def size_text(size: int, lang: str) -> str:
    """A file size as people read it: KB below a megabyte, MB above."""
    _ = translator(lang)
    if size < 1024 * 1024:
        return _("{n} KB").format(n=f"{max(size / 1024, 0.1):,.1f}")
    return _("{n} MB").format(n=f"{size / 1024 / 1024:,.1f}")


def render_attachments(store: Store, *, layer: str, uid: str, user: Audience,
                       lang: str) -> None:
    """The attachments panel of feature ``uid`` of ``layer`` (plots or households).

    ``user`` is the signed-in user as an audience (``state.account().audience()``): their
    name goes into the audit log, their role and areas decide whether they see the files at
    all and whether they may add or remove them.
    """
    _ = translator(lang)
    if not may_see_attachments(store, user, layer=layer, uid=uid):
        st.caption(_("Attached files are personal data; your role or areas do not include "
                     "them."))
        return
    notice = st.session_state.pop(_key(layer, uid, "notice"), None)
    if notice is not None and notice[0] == "failed":
        raise notice[1]  # from a callback: shown by the one catch point
    if notice is not None and notice[0] == "added":
        st.success(_("{file} was attached.").format(file=notice[1]))
    elif notice is not None and notice[0] == "removed":
        st.success(_("{file} was removed.").format(file=notice[1]))

    files = list_attachments(store, layer=layer, uids=[uid])
    editor = user.role in EDIT_ROLES
    if not files:
        st.caption(_("No files are attached yet."))
    else:
        st.caption(ngettext("{n} attached file", "{n} attached files", len(files),
                            lang).format(n=len(files)))
    for attachment in files:
        _show(store, attachment, user, lang, editor=editor)
    if editor:
        _upload_form(store, layer, uid, user, lang)


def _show(store: Store, a: Attachment, user: Audience, lang: str, *, editor: bool) -> None:
    _ = translator(lang)
    with st.container(border=True):
        text, download, remove = st.columns([5, 1, 1], vertical_alignment="center")
        with text:
            st.markdown(f"**{_plain(a.filename)}**")
            st.caption(_("{kind}, {size} · added by {who}, {when}").format(
                kind=KINDS.get(a.media_type, a.media_type), size=size_text(a.size, lang),
                who=a.added_by, when=format_datetime(a.added_at, lang, state.era())))
            if a.note:
                st.text(a.note)
        with download:
            st.download_button(
                _("Download"), data=functools.partial(_download, store, a, user),
                file_name=a.filename, mime=a.media_type, on_click="ignore",
                key=_key(a.layer, a.feature_uid, f"download_{a.id}"),
                icon=":material/download:")
        if editor:
            with remove, st.popover(_("Remove"), icon=":material/delete:"):
                st.caption(_("The file is deleted for good; the audit log keeps its name."))
                st.button(_("Remove {file}").format(file=_plain(a.filename)), type="primary",
                          key=_key(a.layer, a.feature_uid, f"remove_{a.id}"),
                          on_click=_remove, args=(store, a, user))


def _upload_form(store: Store, layer: str, uid: str, user: Audience, lang: str) -> None:
    _ = translator(lang)
    with st.form(_key(layer, uid, "form"), clear_on_submit=True):
        st.file_uploader(
            _("Attach a land document, letter or photo (PDF, JPEG or PNG, at most {mb} MB)")
            .format(mb=MAX_BYTES // (1024 * 1024)),
            type=UPLOAD_TYPES, key=_key(layer, uid, "file"))
        st.text_input(_("Note (what the file is)"), key=_key(layer, uid, "note"),
                      max_chars=500)
        st.form_submit_button(_("Attach"), icon=":material/attach_file:", on_click=_add,
                              args=(store, layer, uid, user))


# ----------------------------------------------------------------------------- callbacks
def _add(store: Store, layer: str, uid: str, user: Audience) -> None:
    """The upload form's callback: attach the file, or remember why not for the panel."""
    upload = st.session_state.get(_key(layer, uid, "file"))
    if upload is None:
        return
    note = str(st.session_state.get(_key(layer, uid, "note")) or "")
    try:
        added = add_attachment(store, layer=layer, uid=uid, filename=upload.name,
                               data=upload.getvalue(), note=note, user=user.username)
    except LandmapError as exc:
        st.session_state[_key(layer, uid, "notice")] = ("failed", exc)
    else:
        st.session_state[_key(layer, uid, "notice")] = ("added", added.filename)


def _remove(store: Store, a: Attachment, user: Audience) -> None:
    try:
        remove_attachment(store, a.id, user=user.username)
    except LandmapError as exc:
        st.session_state[_key(a.layer, a.feature_uid, "notice")] = ("failed", exc)
    else:
        st.session_state[_key(a.layer, a.feature_uid, "notice")] = ("removed", a.filename)


def _download(store: Store, a: Attachment, user: Audience) -> bytes:
    """The bytes of a download, read when the user asks for them (on Streamlit's download
    thread) through ``download_attachment``, which checks the user again and audits it."""
    return download_attachment(store, a.id, audience=user)


def _plain(text: str) -> str:
    """A file name shown as text, not as Markdown."""
    return "".join(f"\\{c}" if c in "\\`*_{}[]()#+-.!|<>~" else c for c in text)
