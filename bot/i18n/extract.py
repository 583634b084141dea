"""The Babel extractor that pulls the German texts out of the knowledge YAML. Reads the
knowledge files; no Telegram. Kept apart from the catalogs so that the core's i18n never
imports the knowledge layer (which imports :mod:`bot.i18n.languages`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from bot.knowledge.conventions import msgctxt
from bot.knowledge.loader import read_knowledge
from bot.knowledge.model import Knowledge


def knowledge_messages(knowledge: Knowledge) -> Iterator[tuple[str, str, str, int]]:
    """Every translatable text of the knowledge: (msgctxt, German text, file, line)."""
    for node in knowledge.nodes.values():
        for name in ("title", "text", "keywords"):
            value = getattr(node, name)
            if value:
                yield msgctxt("node", node.id, name), value, node.where.file, node.where.line
    for service in knowledge.services.values():
        for name in ("offers", "for_whom", "cost", "hours"):
            value = getattr(service, name)
            if value:
                where = service.where
                yield msgctxt("service", service.id, name), value, where.file, where.line


def extract_knowledge(
    fileobj: IO[bytes],
    keywords: object,
    comment_tags: object,
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Babel extraction method for ``knowledge/*.yaml`` (see ``babel.cfg``)."""
    path = Path(getattr(fileobj, "name", "")).resolve()
    unchecked = read_knowledge(path.parent)
    for context, text, file, line in knowledge_messages(unchecked.knowledge):
        if Path(file).name == path.name:
            # No line numbers in the catalogs: they would change all of them on every edit.
            yield line, "pgettext", (context, text), [f"{context} ({Path(file).name})"]
