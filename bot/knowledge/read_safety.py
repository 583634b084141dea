"""Read ``emergency.yaml`` (the emergency screen's lines) and ``crisis.yaml`` (what counts as
danger) into the model. Pure apart from reading the files; problems are collected by the
reader, never raised.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.knowledge.model import (
    Concept,
    Crisis,
    CrisisKind,
    CrisisModelFile,
    CrisisRule,
    Emergency,
    Where,
)
from bot.knowledge.yaml_lines import FILE, LINE, LINES, Entry

if TYPE_CHECKING:
    from bot.knowledge.loader import Reader

CONCEPT_FIELDS = frozenset({"about", "negatable"})
RULE_FIELDS = frozenset({"kind", "sure", "all", "any", "none", "unless_order"})
MODEL_FIELDS = frozenset({"file", "line", "sure", "calm", "quiet"})
LANG_CODE = re.compile(r"^[a-z]{2,3}$")
# kind -> town or language -> service ids
Table = dict[str, dict[str, tuple[str, ...]]]


def _own_keys(mapping: Entry) -> list[str]:
    """The keys written in the file (not the loader's __file__, __line__, nor an added id)."""
    return [key for key in mapping if not key.startswith("__") and key != "id"]


def read_emergency(reader: Reader) -> Emergency:
    """The emergency screen and the services that go first per kind."""
    data = reader.parse("emergency.yaml", "'screen:' and 'first:'")
    if data is None:
        return Emergency()
    data.setdefault("id", "emergency")
    rel = data[FILE]
    where = {"screen": Where(rel, data[LINES].get("screen", 1))}
    services = reader.strings(data, "screen")
    by_kind: dict[str, tuple[str, ...]] = {}
    first = reader.mapping(data, "first")
    if first:
        first["id"] = "emergency"
        for kind in _own_keys(first):
            by_kind[kind] = reader.strings(first, kind)
            where[kind] = Where(rel, first[LINES].get(kind, first[LINE]))
    by_town = _table(reader, data, "towns", where)
    by_language = _table(reader, data, "languages", where)
    nearby: dict[str, str] = {}
    table = reader.mapping(data, "nearby") or {LINES: {}, LINE: 1}
    for kind, node in table.items():
        if not kind.startswith("__"):
            nearby[kind] = str(node)
            where[f"nearby:{kind}"] = Where(rel, table[LINES].get(kind, table[LINE]))
    for key in ("all", "safety"):
        where[key] = Where(rel, data[LINES].get(key, 1))
    return Emergency(
        services=services,
        by_kind=by_kind,
        by_town=by_town,
        by_language=by_language,
        everything=reader.text(data, "all"),
        safety=reader.text(data, "safety"),
        nearby=nearby,
        where=where,
    )


def _table(reader: Reader, data: Entry, key: str, where: dict[str, Where]) -> Table:
    """The screen's lines per kind and town (``towns``) or language (``languages``)."""
    rel = data[FILE]
    table: Table = {}
    outer = reader.mapping(data, key)
    if outer is None:
        return table
    for kind, inner in outer.items():
        if kind.startswith("__"):
            continue
        line = Where(rel, outer[LINES].get(kind, outer[LINE]))
        where[f"{key}:{kind}"] = line
        if not isinstance(inner, dict):
            reader.problem(rel, line.line, "emergency", f"{key}: {kind}: expected a mapping")
            continue
        inner[FILE], inner["id"] = rel, "emergency"
        table[kind] = {k: reader.strings(inner, k) for k in _own_keys(inner)}
    return table


def read_crisis(reader: Reader) -> Crisis:
    """What counts as danger: concepts with every language's terms, negation, rules."""
    data = reader.parse("crisis.yaml", "'negation:', 'concepts:' and 'rules:'")
    if data is None:
        return Crisis()
    rel = data[FILE]
    where = {key: Where(rel, data[LINES].get(key, 1)) for key in ("concepts", "rules")}
    negation = _words_by_language(reader, data, "negation")
    negation_ends = _words_by_language(reader, data, "negation_ends")
    not_typos = _words_by_language(reader, data, "not_typos")
    concepts = _concepts(reader, reader.mapping({**data, "id": "concepts"}, "concepts"), rel)
    rules: list[CrisisRule] = []
    for entry in reader.entries(data, "rules") if "rules" in data else []:
        entry.setdefault("id", "rule")
        reader.check_fields(entry, RULE_FIELDS | {"id"}, "a rule")
        kind = reader.text(entry, "kind", required=True)
        if not kind:
            continue
        if kind not in tuple(CrisisKind):
            known = ", ".join(CrisisKind)
            reader.problem(rel, entry[LINE], "rule", f"unknown kind '{kind}' (one of {known})")
            continue
        rules.append(
            CrisisRule(
                kind=CrisisKind(kind),
                sure=reader.flag(entry, "sure"),
                all=reader.strings(entry, "all"),
                any=reader.strings(entry, "any"),
                none=reader.strings(entry, "none"),
                unless_order=reader.strings(entry, "unless_order"),
                where=reader.where(entry),
            )
        )
    if "rules" not in data:
        reader.problem(rel, 1, "-", "expected a list under 'rules:'")
    return Crisis(
        concepts=concepts,
        negation=negation,
        not_typos=not_typos,
        negation_ends=negation_ends,
        rules=tuple(rules),
        where=where,
        model=_model(reader, data),
    )


def _words_by_language(reader: Reader, data: Entry, key: str) -> dict[str, tuple[str, ...]]:
    """A table of words per language (``negation:``, ``not_typos:``)."""
    words: dict[str, tuple[str, ...]] = {}
    table = reader.mapping({**data, "id": key}, key)
    if table:
        table["id"] = key
        for lang in _own_keys(table):
            words[lang] = reader.strings(table, lang)
    return words


def _model(reader: Reader, data: Entry) -> CrisisModelFile | None:
    """The trained model's file and thresholds (``model:``), if crisis.yaml names one."""
    entry = reader.mapping({**data, "id": "model"}, "model")
    if entry is None:
        return None
    entry["id"] = "model"
    reader.check_fields(entry, MODEL_FIELDS | {"id"}, "the model")
    name = reader.text(entry, "file", required=True)
    line, sure = reader.number(entry, "line", required=True), reader.number(entry, "sure")
    if not name or line is None:
        return None
    return CrisisModelFile(
        path=reader.directory / name,
        where=reader.where(entry),
        line=line,
        sure=1.0 if sure is None else sure,
        calm=reader.number(entry, "calm") or 0.0,
        quiet=reader.number(entry, "quiet") or 0.0,
    )


def _concepts(reader: Reader, table: Entry | None, rel: str) -> dict[str, Concept]:
    """Each concept: its terms per language, and where each language's terms were written."""
    concepts: dict[str, Concept] = {}
    if table is None:
        return concepts
    for name, entry in table.items():
        if name.startswith("__"):
            continue
        line = Where(rel, table[LINES].get(name, table[LINE]))
        if not isinstance(entry, dict):
            reader.problem(rel, line.line, name, "a concept must be a mapping of languages")
            continue
        entry[FILE], entry["id"] = rel, name
        for key in entry:
            known = key.startswith("__") or key in (*CONCEPT_FIELDS, "id")
            if not known and not LANG_CODE.match(key):
                reader.problem(
                    rel,
                    entry[LINES].get(key, entry[LINE]),
                    name,
                    f"unknown field '{key}' in a concept (allowed: about, negatable, "
                    "and language codes)",
                )
        terms = {
            lang: reader.strings(entry, lang)
            for lang in _own_keys(entry)
            if lang not in CONCEPT_FIELDS and LANG_CODE.match(lang)
        }
        concepts[name] = Concept(
            name=name,
            about=reader.text(entry, "about"),
            terms=terms,
            where={lang: Where(rel, entry[LINES].get(lang, entry[LINE])) for lang in terms},
            negatable=reader.flag(entry, "negatable"),
            line=line,
        )
    return concepts
