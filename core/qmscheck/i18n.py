"""Reports in the organisation's language, with the standard gettext machinery.

The words a report shows around the evidence (headings, verdicts, grade names, column headers) are
English message ids in the ``qmscheck`` domain, translated by the catalogs of
``qmscheck/locale/<language>/LC_MESSAGES/qmscheck.mo``. What a rule says (its title, requirement and
fix, and its standard's clause headings) is translated by its pack's own catalog, in the domain named
after the pack, from the folder its manifest names (``[pack] translations``): a rule's texts have the
rule id as their context (``msgctxt``), a standard's headings the standard id, so that two packs never
take each other's words. Evidence (titles, quotes, locators) is never translated.

English is the source language: with it every lookup returns its message id, so an English report is
the same, byte for byte, as one written without catalogs. The ``.mo`` files are compiled from the
``.po`` files beside them and committed with them (docs/i18n.md says how to add a language).
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from qmscheck.errors import QmscheckError

__all__ = [
    "DOMAIN",
    "ENGLISH",
    "LOCALE_DIR",
    "N_",
    "SOURCE_LANGUAGE",
    "N_plural",
    "Translator",
    "available_languages",
    "checked_language",
    "translator",
    "use_pack_catalogs",
]

#: The gettext domain of qmscheck's own words.
DOMAIN: Final = "qmscheck"
#: The language the message ids are written in.
SOURCE_LANGUAGE: Final = "en"
LOCALE_DIR: Final = Path(__file__).resolve().parent / "locale"


def N_(message: str) -> str:
    """Marks a constant for extraction (``pybabel extract -k N_``); it is translated where it is shown."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Marks a constant pair of forms for extraction as one plural message (``-k N_plural:1,2``)."""
    return singular, plural


def available_languages() -> tuple[str, ...]:
    """English and every language qmscheck's own catalogs are compiled for, sorted."""
    compiled = {path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")}
    return tuple(sorted(compiled | {SOURCE_LANGUAGE}))


def checked_language(name: str, where: str | None = None) -> str:
    """``name`` as a language qmscheck has catalogs for ('DE' and 'de-DE' are 'de'), or a usage error
    that lists the available ones (``where``: the option that gave it)."""
    wanted = name.strip().replace("-", "_").lower()
    languages = available_languages()
    for candidate in (wanted, wanted.partition("_")[0]):
        if candidate in languages:
            return candidate
    problem = f"no report language {name!r} (available: {', '.join(languages)})"
    raise QmscheckError(f"{where}: {problem}" if where else problem)


#: Pack name -> the folder of its catalogs (``<language>/LC_MESSAGES/<pack>.mo``).
_pack_catalogs: dict[str, Path] = {}


def use_pack_catalogs(catalogs: Mapping[str, Path]) -> None:
    """The installed packs' catalogs, from the plugins that registered them; replaces any before."""
    _pack_catalogs.clear()
    _pack_catalogs.update(catalogs)
    translator.cache_clear()


class Translator:
    """One language's words: qmscheck's own (:meth:`gettext`, :meth:`ngettext`) and the packs'
    (:meth:`rule`, :meth:`heading`)."""

    def __init__(
        self, language: str, own: gettext.NullTranslations, packs: Mapping[str, gettext.NullTranslations]
    ) -> None:
        self.language = language
        self._own = own
        self._packs = dict(sorted(packs.items()))

    def gettext(self, message: str) -> str:
        return self._own.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The form for ``count``, with ``{n}`` replaced by it."""
        return self._own.ngettext(singular, plural, count).replace("{n}", str(count))

    def npgettext(self, context: str, singular: str, plural: str, count: int) -> str:
        """:meth:`ngettext` for a message whose words mean something else elsewhere (``context``)."""
        return self._own.npgettext(context, singular, plural, count).replace("{n}", str(count))

    def _pack_text(self, context: str, text: str, first: str | None) -> str:
        order = sorted(self._packs, key=lambda name: name != first)
        for name in order:
            found = self._packs[name].pgettext(context, text)
            if found != text:
                return found
        return text

    def rule(self, pack: str, rule_id: str, text: str) -> str:
        """A rule's own words (title, requirement, fix, a condition's label), from its pack's catalog
        first: the rule id is their context."""
        return self._pack_text(rule_id, text, pack) if text else text

    def heading(self, standard: str, text: str) -> str:
        """A standard's title or a clause heading, from whichever pack's catalog translates it: the
        standard id is their context."""
        return self._pack_text(standard, text, None) if text else text


@functools.lru_cache(maxsize=16)
def translator(language: str) -> Translator:
    """The words of ``language`` (one :func:`available_languages` lists; any other reads as English)."""
    own = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
    packs = {
        name: gettext.translation(name, folder, languages=[language], fallback=True)
        for name, folder in _pack_catalogs.items()
    }
    return Translator(language, own, packs)


#: The source language's translator: every message as written.
ENGLISH: Final = Translator(SOURCE_LANGUAGE, gettext.NullTranslations(), {})
