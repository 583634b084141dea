"""Languages' names in other languages, from the Unicode CLDR as Babel ships it. Pure; no I/O
beyond Babel's own data files.

A Babel ``Locale`` keeps the whole of a locale's data once any of it is read (about 1 MiB
each: currencies, time zones, date formats …), for the life of the process; eleven languages
cost the bot some 10 MiB for a few dozen names. Here a language's table of names is read
from the same file Babel reads, the names asked for are kept, and the rest is let go.
``remember`` reads them all at start-up, so that no user's tap waits for a file.
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Iterable, Mapping
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.localedata import resolve_locale_filename

# (code, language it is named in) -> name, e.g. ("tr", "de") -> "Türkisch"
_names: dict[tuple[str, str], str] = {}


@functools.lru_cache(maxsize=1)  # the last table read: lookups come in runs of one language
def _table(in_lang: str) -> Mapping[str, str]:
    """Every language's name in ``in_lang`` (empty when Babel has no such locale).

    A base language's own file holds its whole table (the root locale has none), so the file
    alone gives what ``Locale.parse(code).get_display_name(in_lang)`` gives.
    """
    try:
        # Babel's own data file, read as Babel reads it (babel.localedata.load).
        with Path(resolve_locale_filename(in_lang)).open("rb") as fh:
            data = pickle.load(fh)
    except (OSError, ValueError):
        return {}
    names = data.get("languages", {})
    return dict(names) if isinstance(names, dict) else {}


def _lookup(table: Mapping[str, str], code: str) -> str:
    found = table.get(code)
    if found:
        return found
    try:  # an alias or a regional code ("iw", "pt-BR"): the language's name
        language = Locale.parse(code.replace("-", "_")).language
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    return table.get(language) or code


def remember(codes: Iterable[str], in_langs: Iterable[str]) -> None:
    """Read the names of ``codes`` in each of ``in_langs`` now (each table once)."""
    wanted = tuple(dict.fromkeys(codes))
    for in_lang in dict.fromkeys(in_langs):
        missing = [code for code in wanted if (code, in_lang) not in _names]
        if missing:
            table = _table(in_lang)
            for code in missing:
                _names[(code, in_lang)] = _lookup(table, code)


def language_name(code: str, in_lang: str) -> str:
    """The name of language ``code`` in language ``in_lang`` ("Türkisch" for tr in de); the
    code itself when CLDR has no name for it."""
    name = _names.get((code, in_lang))
    if name is None:
        name = _names[(code, in_lang)] = _lookup(_table(in_lang), code)
    return name


def native_name(lang: str) -> str:
    """The language's name in its own language and script (``Türkçe``, ``العربية``)."""
    # CLDR calls Kurmanji "kurdî (kurmancî)"; people look for "Kurdî".
    name = language_name(lang, lang).split(" (")[0]
    return name[:1].upper() + name[1:]
