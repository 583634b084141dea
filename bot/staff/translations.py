"""Translation coverage for staff and translators: ``python -m bot translations``. No Telegram.

For every language and both domains it counts the entries that are translated (reviewed),
draft (written without a native speaker: a ``# draft`` translator comment), outdated (gettext
fuzzy, or the German source changed since: the msgid no longer matches) and missing, and
lists each missing or outdated entry by its id. Exit 1 when a placeholder in a translation
does not match its source or an interface text is missing in any language.

The interface texts are taken from the code itself (Babel's extractor), the content texts
from the knowledge files, so the report is right even before anyone ran ``make catalogs``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

from babel.messages.extract import extract_from_dir

from bot.i18n import (
    KNOWLEDGE_DOMAIN,
    LANGUAGES,
    SOURCE,
    UI_DOMAIN,
    LanguageCatalog,
    load_language,
    placeholders,
)
from bot.i18n.extract import knowledge_messages as content_messages
from bot.knowledge.model import Knowledge

KEYWORDS = {"t": None, "plural": (1, 2)}
UI_SOURCE = "en"


@dataclass(frozen=True)
class Source:
    """One text to translate: its key (msgctxt or English msgid) and its source text."""

    key: str
    text: str
    plural: str | None = None


@dataclass
class Coverage:
    """One language's coverage of one domain."""

    lang: str
    domain: str
    total: int = 0
    translated: int = 0
    draft: int = 0
    outdated: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    placeholder_errors: list[str] = field(default_factory=list)

    @property
    def done(self) -> float:
        """Share of entries shown in the language (reviewed or draft, not outdated)."""
        return (self.translated + self.draft) / self.total if self.total else 1.0


def ui_sources(code_dir: Path) -> list[Source]:
    """Every interface text in the code (English msgids), as pybabel extract finds them."""
    found: dict[str, Source] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(code_dir), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        if isinstance(message, tuple):
            singular, plural = str(message[0]), str(message[1])
            found[singular] = Source(singular, singular, plural)
        else:
            found[str(message)] = Source(str(message), str(message))
    return sorted(found.values(), key=lambda s: s.key)


def content_sources(knowledge: Knowledge) -> list[Source]:
    """Every content text of the knowledge (German), keyed by msgctxt."""
    return [Source(ctx, text) for ctx, text, _file, _line in content_messages(knowledge)]


def check(lang: str, domain: str, sources: list[Source], catalog: LanguageCatalog) -> Coverage:
    """Compare a language's catalog with the current sources."""
    result = Coverage(lang, domain, total=len(sources))
    for source in sources:
        if domain == UI_DOMAIN:
            entry = catalog.ui.get((None, source.key))
            current = entry is not None
        else:
            entry = catalog.knowledge.get(source.key)
            current = entry is not None and entry.msgid == source.text
        if entry is None or not any(entry.strings):
            result.missing.append(source.key)
            continue
        wanted = placeholders(source.text) | placeholders(source.plural or "")
        for text in entry.strings:
            if text and placeholders(text) != wanted:
                result.placeholder_errors.append(
                    f"{source.key}: {sorted(placeholders(text))} instead of {sorted(wanted)}"
                )
        if entry.fuzzy or not current:
            result.outdated.append(source.key)
        elif entry.draft:
            result.draft += 1
        else:
            result.translated += 1
    return result


def coverage(knowledge: Knowledge, locales: Path, code_dir: Path) -> list[Coverage]:
    """Every language's coverage of both domains (the source languages left out)."""
    ui = ui_sources(code_dir)
    content = content_sources(knowledge)
    results = []
    for lang in LANGUAGES:
        catalog = load_language(locales, lang)
        if lang != UI_SOURCE:
            results.append(check(lang, UI_DOMAIN, ui, catalog))
        if lang != SOURCE:
            results.append(check(lang, KNOWLEDGE_DOMAIN, content, catalog))
    return results


def failed(results: list[Coverage]) -> bool:
    """Whether the check fails: a placeholder mismatch, or an interface text missing."""
    return any(r.placeholder_errors or (r.domain == UI_DOMAIN and r.missing) for r in results)


def render(results: list[Coverage], out: TextIO, *, details: bool = True) -> None:
    """The coverage table, then the missing, outdated and broken entries."""
    out.write(
        f"{'lang':<5} {'domain':<10} {'total':>6} {'reviewed':>9} {'draft':>6} "
        f"{'outdated':>9} {'missing':>8} {'shown':>7}\n"
    )
    for r in results:
        out.write(
            f"{r.lang:<5} {r.domain:<10} {r.total:>6} {r.translated:>9} {r.draft:>6} "
            f"{len(r.outdated):>9} {len(r.missing):>8} {r.done:>7.0%}\n"
        )
    if not details:
        return
    for r in results:
        for label, keys in (
            ("missing", r.missing),
            ("outdated", r.outdated),
            ("PLACEHOLDER", r.placeholder_errors),
        ):
            for key in keys:
                out.write(f"{r.lang}/{r.domain}: {label}: {key}\n")


def as_json(results: list[Coverage]) -> str:
    """The results for machines."""
    rows = [{**asdict(r), "done": round(r.done, 4)} for r in results]
    return json.dumps({"languages": rows, "failed": failed(results)}, ensure_ascii=False)


def summary(results: list[Coverage]) -> Iterator[str]:
    """One line per problem kind, for the end of the output."""
    broken = sum(len(r.placeholder_errors) for r in results)
    missing_ui = sum(len(r.missing) for r in results if r.domain == UI_DOMAIN)
    yield f"{broken} placeholder mismatch(es), {missing_ui} interface text(s) missing"
