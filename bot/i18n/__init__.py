"""Languages: the language list, gettext catalogs compiled in memory, locale negotiation and
bidi isolation. Pure; no Telegram.

- :mod:`bot.i18n.languages`: the languages and their order (a leaf: imports nothing from bot);
- :mod:`bot.i18n.catalogs`: catalogs, translators, negotiation, bidi isolation;
- :mod:`bot.i18n.names`: languages' names (CLDR), without keeping Babel's locale data;
- :mod:`bot.i18n.extract`: the Babel extractor for the knowledge YAML (not imported here, so
  that the knowledge layer can use the language list without a cycle).
"""

from __future__ import annotations

from bot.i18n.catalogs import (
    DRAFT_MARK,
    FSI,
    KNOWLEDGE_DOMAIN,
    PDI,
    PLURAL_FORMS,
    UI_DOMAIN,
    Catalogs,
    Entry,
    LanguageCatalog,
    Translator,
    isolate_ltr,
    load_language,
    negotiate,
    placeholders,
    plural_header,
    plural_rule,
    read_catalog,
)
from bot.i18n.languages import ALIASES, LANGUAGES, RTL, SOURCE
from bot.i18n.names import language_name, native_name, remember

__all__ = [
    "ALIASES",
    "DRAFT_MARK",
    "FSI",
    "KNOWLEDGE_DOMAIN",
    "LANGUAGES",
    "PDI",
    "PLURAL_FORMS",
    "RTL",
    "SOURCE",
    "UI_DOMAIN",
    "Catalogs",
    "Entry",
    "LanguageCatalog",
    "Translator",
    "isolate_ltr",
    "language_name",
    "load_language",
    "native_name",
    "negotiate",
    "placeholders",
    "plural_header",
    "plural_rule",
    "read_catalog",
    "remember",
]
