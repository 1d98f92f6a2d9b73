"""The app's own words in Thai (default) and English, from gettext catalogs.

Field, layer and vocabulary labels come from ``layers/``, not from here; this package holds the
words of the app shell and pages (buttons, headings, messages).

How strings are written
-----------------------
* The msgid is the natural English text: ``_("Sign in")``.
* Values go in named ``str.format`` fields, and are filled in *after* translation, so the
  translator can move them: ``_("{n} households").format(n=n)``. Literal braces are doubled
  (``{{``). Never pass an f-string (it cannot be extracted) or a variable holding user data to
  ``_``.
* Plurals: ``ngettext("{n} household", "{n} households", n, lang).format(n=n)``.
* A string defined at module level, before a language is known, is marked with ``N_("...")``
  (returns it unchanged, so extraction finds it) and translated where it is shown.
* ``# Translators:`` comments on the line before a call reach the translator.

The catalogs are ``<lang>/LC_MESSAGES/landmap.po``, kept in step with the code by
``scripts/i18n extract`` and checked by ``scripts/i18n check`` and ``tests/ui/test_catalogs.py``.
They are compiled in memory with Babel on first use, so no ``.mo`` file exists to go stale.

This module imports no streamlit: ``ui/state.py`` binds ``_`` to the session's language.
"""

from __future__ import annotations

import functools
import io
import logging
import os
from collections.abc import Callable
from gettext import GNUTranslations, NullTranslations
from pathlib import Path
from typing import Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGS: Final = ("th", "en")
DEFAULT_LANG: Final = "th"
DOMAIN: Final = "landmap"
CATALOG_DIR: Final = Path(__file__).resolve().parent
STRICT_ENV: Final = "LANDMAP_I18N_STRICT"

# Recorded untranslated (lang, msgid) pairs. Capped, so that a bug that passes user data to `_`
# cannot grow this process-wide set without bound.
_MISSING_LIMIT: Final = 1000
_missing: set[tuple[str, str]] = set()

log = logging.getLogger(__name__)


def N_(msgid: str) -> str:
    """Mark a string for extraction without translating it yet; returns it unchanged."""
    return msgid


def normalise_lang(lang: str | None) -> str:
    """One of `LANGS`: ``"en-GB"`` and ``"en_US"`` give ``"en"``; anything unknown gives Thai."""
    base = (lang or "").replace("-", "_").split("_", 1)[0].lower()
    return base if base in LANGS else DEFAULT_LANG


def catalog_path(lang: str) -> Path:
    """The ``.po`` file of a language in `LANGS`."""
    return CATALOG_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def gettext(msgid: str, lang: str) -> str:
    """Translate `msgid` into `lang`; an untranslated msgid comes back as is and is recorded.

    Parameters
    ----------
    msgid : str
        The English source text, as written in the code.
    lang : str
        ``"th"`` or ``"en"``; anything else is treated as `DEFAULT_LANG`.

    Returns
    -------
    str
        The translation, or `msgid` itself when the catalog has no translation for it.

    Raises
    ------
    KeyError
        If the translation is missing and ``LANDMAP_I18N_STRICT=1``.
    """
    return _translations(normalise_lang(lang)).gettext(msgid)


def ngettext(singular: str, plural: str, n: int, lang: str) -> str:
    """Translate a message with a count, using the plural rule of `lang` (Thai has one form).

    Parameters
    ----------
    singular, plural : str
        English source texts for one and for several, e.g. ``"{n} household"``,
        ``"{n} households"``.
    n : int
        The count that chooses the form; format it in afterwards with ``.format(n=n)``.
    lang : str
        ``"th"`` or ``"en"``; anything else is treated as `DEFAULT_LANG`.

    Returns
    -------
    str
        The translated form, or the English one when the catalog has no translation.

    Raises
    ------
    KeyError
        If the translation is missing and ``LANDMAP_I18N_STRICT=1``.
    """
    return _translations(normalise_lang(lang)).ngettext(singular, plural, n)


def translator(lang: str) -> Callable[[str], str]:
    """A ``_`` function bound to one language: ``_ = translator("th"); _("Map")``."""
    lang = normalise_lang(lang)

    def _(msgid: str) -> str:
        return gettext(msgid, lang)

    return _


def missing() -> set[tuple[str, str]]:
    """The ``(lang, msgid)`` pairs looked up without a translation since the last reset."""
    return set(_missing)


def reset_missing() -> None:
    """Forget the recorded missing translations."""
    _missing.clear()


class _Untranslated(NullTranslations):
    """Fallback of a catalog: reached only for a msgid without a (non-fuzzy) translation."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def _report(self, msgid: str) -> None:
        if os.environ.get(STRICT_ENV) == "1":
            raise KeyError(
                f"no {self.lang!r} translation for {msgid!r} in {catalog_path(self.lang)}: "
                "run scripts/i18n extract, then translate"
            )
        if (self.lang, msgid) not in _missing and len(_missing) < _MISSING_LIMIT:
            _missing.add((self.lang, msgid))
            log.warning("untranslated (%s): %r", self.lang, msgid)

    def gettext(self, message: str) -> str:
        self._report(message)
        return message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        self._report(msgid1)
        return msgid1 if n == 1 else msgid2


@functools.cache
def _translations(lang: str) -> GNUTranslations:
    """Compile one language's ``.po`` file in memory, once per process."""
    with catalog_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    # write_mo already leaves out fuzzy and empty entries, but keeps a plural entry whose
    # msgstr[i] are only partly filled; drop those too, so they fall back like the rest.
    for message in list(catalog):
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and not all(forms):
            catalog.delete(message.id, context=message.context)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    translations = GNUTranslations(buffer)
    translations.add_fallback(_Untranslated(lang))
    return translations
