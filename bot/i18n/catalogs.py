"""Gettext catalogs compiled in memory, locale negotiation and bidi isolation. Pure; no
Telegram, and nothing from the knowledge layer (the extractor is :mod:`bot.i18n.extract`).

Two domains per language under ``locales/<lang>/LC_MESSAGES/``:

- ``messages``: the interface, with English msgids written in the code;
- ``knowledge``: the content, with the German text as msgid and ``<kind>:<id>:<field>`` as
  msgctxt. Knowledge entries are looked up by msgctxt, so a translation whose German source
  changed since it was made is still found and shown, marked outdated.
"""

from __future__ import annotations

import functools
import gettext
import itertools
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.core import negotiate_locale as babel_negotiate
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.errors import CatalogError
from bot.i18n.languages import ALIASES, LANGUAGES, RTL, SOURCE

UI_DOMAIN = "messages"
KNOWLEDGE_DOMAIN = "knowledge"
DRAFT_MARK = "draft"
FSI, PDI = "\u2068", "\u2069"
# Plural formulas, pinned here and in each catalog's header (a test checks both agree and
# follow CLDR for n = 0..200) instead of taken from Babel's table: that table is one
# library version's choice, and Babel 2.18 numbers the Arabic forms "other" (100-102) 4 and
# "many" (11-99) 5, the reverse of CLDR's order that gettext, Weblate and Poedit use.
PLURAL_FORMS: dict[str, tuple[int, str]] = {
    "de": (2, "(n != 1)"),
    "en": (2, "(n != 1)"),
    # Turkish and Persian: a noun after a numeral stays singular for every n ("3 sonuç",
    # "3 نتیجه"), so one form is right wherever the number is shown, and every plural message
    # shows it (a test checks). CLDR's "one" only matters for a text without the number.
    "tr": (1, "0"),
    # CLDR order: zero 0, one 1, two 2, few 3 (3-10), many 4 (11-99), other 5 (100-102, ...).
    "ar": (6, "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5)"),
    "ru": (
        3,
        "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)",
    ),
    "uk": (
        3,
        "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)",
    ),
    "pl": (3, "(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)"),
    "fa": (1, "0"),
    # Kurmanji has two (CLDR one/other): after numbers above one the oblique case takes the
    # plural ending ("piştî 1 rojê", "piştî 3 rojan").
    "ku": (2, "(n != 1)"),
    "ro": (3, "(n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2)"),
    "bg": (2, "(n != 1)"),
}
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


@dataclass(frozen=True, slots=True)
class Entry:
    """One translated message.

    ``msgid`` is interned: the same English or German source in every language's catalog is
    one string (the catalogs live as long as the bot).
    """

    msgid: str
    strings: tuple[str, ...]
    fuzzy: bool
    draft: bool
    # A form whose {placeholders} differ from the source's would show "{days}" or fail to
    # format: such an entry is never shown (the source language is, with the usual note).
    broken: bool = False


@dataclass
class LanguageCatalog:
    """Both domains of one language, as lookup tables."""

    lang: str
    ui: dict[tuple[str | None, str], Entry] = field(default_factory=dict)
    knowledge: dict[str, Entry] = field(default_factory=dict)
    plural: Callable[[int], int] = field(default=lambda n: int(n != 1))
    draft: bool = False


# Called for every update with one of a few dozen Telegram language codes: Babel's
# negotiation is looked up once per code.
@functools.lru_cache(maxsize=512)
def negotiate(code: str | None, available: tuple[str, ...] = LANGUAGES) -> str | None:
    """The supported language for a Telegram ``language_code`` (``pt-br``, ``uk-UA``), or None."""
    if not code:
        return None
    tag = code.strip().replace("-", "_").lower()
    primary = tag.split("_")[0]
    for candidate in (tag, primary):
        if candidate in ALIASES and ALIASES[candidate] in available:
            return ALIASES[candidate]
    try:
        found = babel_negotiate([tag, primary], list(available), sep="_")
    except (ValueError, TypeError):
        return None
    return found


# Tags and entities of Telegram HTML are left alone; the text between them is isolated.
_MARKUP = re.compile(r"(<[^>]+>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);)")
# A left-to-right run: Latin letters or digits, with the punctuation of names, numbers,
# addresses and URLs inside it. Arabic and Persian letters end a run.
_LTR_RUN = re.compile(
    r"[A-Za-z0-9\u00C0-\u024F+@](?:[A-Za-z0-9\u00C0-\u024F .,:;/@+()\-\u2013_'’?=#%*]*"
    r"[A-Za-z0-9\u00C0-\u024F)])?"
)


def isolate_ltr(markup: str) -> str:
    """Wrap every left-to-right run (German names, phone numbers, URLs) in Unicode isolates.

    So that "Telefon 02366 303-270" inside Arabic text is not reordered to "303-270 02366".
    """
    parts = _MARKUP.split(markup)
    for i in range(0, len(parts), 2):
        parts[i] = _LTR_RUN.sub(_isolate_run, parts[i])
    return "".join(parts)


def _isolate_run(match: re.Match[str]) -> str:
    run = match.group(0)
    # "(Rückkehrverbot)" inside Arabic: the "(" belongs to the Arabic text, so the ")" must
    # stay outside the isolate too, or the brackets point the wrong way.
    tail = ""
    while run.endswith(")") and run.count(")") > run.count("("):
        run, tail = run[:-1], ")" + tail
    return f"{FSI}{run}{PDI}{tail}" if run else tail


def placeholders(text: str) -> set[str]:
    """The named ``{placeholders}`` in a message."""
    return set(_PLACEHOLDER.findall(text))


def plural_header(lang: str) -> str | None:
    """The ``Plural-Forms`` header a catalog of ``lang`` must carry (None: not pinned)."""
    if lang not in PLURAL_FORMS:
        return None
    count, expr = PLURAL_FORMS[lang]
    return f"nplurals={count}; plural={expr};"


def plural_rule(lang: str, fallback: str) -> Callable[[int], int]:
    """Which plural form ``n`` takes in ``lang``: the pinned formula, else ``fallback``."""
    return gettext.c2py(PLURAL_FORMS[lang][1] if lang in PLURAL_FORMS else fallback)


def _is_draft(message: Any) -> bool:
    return any(c.strip().lower().startswith(DRAFT_MARK) for c in message.user_comments)


def _header_says_draft(path: Path) -> bool:
    """Whether the catalog's header comment (the ``#`` lines it opens with) marks it a draft.

    Read from the file: Babel's ``Catalog.header_comment`` names the language in English,
    which loads Babel's whole English locale data for good.
    """
    with path.open(encoding="utf-8") as fh:
        head = itertools.takewhile(lambda line: line.startswith("#"), fh)
        return any(DRAFT_MARK in line.lower() for line in head)


def read_catalog(path: Path, lang: str) -> Catalog:
    """Parse one .po file; errors name the file and line."""
    try:
        with path.open("rb") as fh:
            return read_po(fh, locale=lang, abort_invalid=True)
    except Exception as exc:
        raise CatalogError(f"{path}: {exc}") from exc


def _entries(catalog: Catalog) -> Iterator[tuple[Any, Entry]]:
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not any(strings):
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = tuple(str(s or "") for s in strings)
        wanted = set().union(*(placeholders(str(i)) for i in ids))
        broken = any(placeholders(text) - wanted for text in texts if text)
        msgid = sys.intern(str(ids[0]))
        yield message, Entry(msgid, texts, message.fuzzy, _is_draft(message), broken)


def load_language(directory: Path, lang: str) -> LanguageCatalog:
    """Read both domains of ``lang`` (absent files: an empty catalog)."""
    result = LanguageCatalog(lang)
    base = directory / lang / "LC_MESSAGES"
    ui_path = base / f"{UI_DOMAIN}.po"
    if ui_path.is_file():
        catalog = read_catalog(ui_path, lang)
        result.plural = plural_rule(lang, catalog.plural_expr)
        result.draft = _header_says_draft(ui_path)
        for message, entry in _entries(catalog):
            context = sys.intern(message.context) if message.context else None
            result.ui[(context, entry.msgid)] = entry
    else:
        result.plural = plural_rule(lang, Catalog(locale=lang).plural_expr)
    k_path = base / f"{KNOWLEDGE_DOMAIN}.po"
    if k_path.is_file():
        for message, entry in _entries(read_catalog(k_path, lang)):
            if message.context:
                result.knowledge[sys.intern(message.context)] = entry
    return result


class Catalogs:
    """Every language's catalogs, compiled in memory once at start-up."""

    def __init__(self, languages: Mapping[str, LanguageCatalog]) -> None:
        self.languages = dict(languages)
        self.source_ui = self.languages.get(SOURCE, LanguageCatalog(SOURCE))
        # Reviewed in Telegram, not yet in the .po files (bot.review.live installs them):
        # lang -> (domain, msgctxt or msgid) -> (the source reviewed, the reviewed text).
        self.overrides: dict[str, dict[tuple[str, str], tuple[str, str]]] = {}

    @classmethod
    def load(cls, directory: Path, languages: tuple[str, ...] = LANGUAGES) -> Catalogs:
        """Read every language's catalogs from ``directory``."""
        return cls({lang: load_language(directory, lang) for lang in languages})

    @functools.cached_property
    def codes(self) -> tuple[str, ...]:
        """The languages the bot offers, in picker order."""
        return tuple(code for code in LANGUAGES if code in self.languages)

    def translator(self, lang: str) -> Translator:
        """A fresh translator for one screen in ``lang``."""
        if lang not in self.languages:
            lang = SOURCE
        return Translator(lang, self.languages[lang], self.source_ui, self.overrides.get(lang, {}))


class Translator:
    """Looks texts up for one screen and remembers whether any fell back or is outdated."""

    def __init__(
        self,
        lang: str,
        catalog: LanguageCatalog,
        source: LanguageCatalog,
        reviewed: Mapping[tuple[str, str], tuple[str, str]] | None = None,
    ) -> None:
        self.lang = lang
        self.catalog = catalog
        self.source = source
        self.reviewed = reviewed or {}
        self.fell_back = False
        self.outdated = False

    @property
    def rtl(self) -> bool:
        """Whether the language is written right to left."""
        return self.lang in RTL

    def _ui_entry(self, msgid: str, context: str | None) -> tuple[Entry, LanguageCatalog] | None:
        """The entry and the catalog it came from (German when the language lacks it)."""
        if self.lang == "en":
            return None
        entry = self.catalog.ui.get((context, msgid))
        if entry is not None and not entry.broken:
            self.outdated = self.outdated or entry.fuzzy
            return entry, self.catalog
        if self.lang == SOURCE:
            return None
        entry = self.source.ui.get((context, msgid))
        self.fell_back = True
        return (entry, self.source) if entry is not None and not entry.broken else None

    def _review(self, domain: str, key: str, source: str) -> str | None:
        """The text a reviewer approved or corrected for this source, if any."""
        found = self.reviewed.get((domain, key))
        return found[1] if found is not None and found[0] == source else None

    def __call__(self, msgid: str, context: str | None = None, **values: object) -> str:
        """Translate an interface text and fill its named placeholders."""
        reviewed = self._review(UI_DOMAIN, msgid, msgid) if context is None else None
        found = None if reviewed is not None else self._ui_entry(msgid, context)
        text = reviewed or (found[0].strings[0] if found else msgid)
        return text.format(**values) if values else text

    def plural(self, singular: str, plural: str, n: int, **values: object) -> str:
        """Translate an interface text with a number, using the language's plural rules."""
        found = self._ui_entry(singular, None)
        if found is None:
            text = singular if n == 1 else plural
        else:
            entry, catalog = found
            text = entry.strings[min(catalog.plural(n), len(entry.strings) - 1)]
        return text.format(n=n, **values)

    def content(self, context: str, german: str) -> str:
        """Translate a content text of the knowledge (German source) by its msgctxt."""
        if not german or self.lang == SOURCE:
            return german
        reviewed = self._review(KNOWLEDGE_DOMAIN, context, german)
        if reviewed is not None:
            return reviewed
        entry = self.catalog.knowledge.get(context)
        if entry is None:
            self.fell_back = True
            return german
        if entry.fuzzy or entry.msgid != german:
            self.outdated = True
        return entry.strings[0]
