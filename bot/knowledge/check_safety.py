"""Checks of the safety-critical knowledge: the emergency screen (emergency.yaml) and what
counts as danger (crisis.yaml). Pure; called by bot.knowledge.validate.

For ``emergency.yaml``: unknown services, kinds, towns, languages and nodes, lines without a
phone or for a town they do not serve, screens of more than five lines; for ``crisis.yaml``:
unknown languages, kinds and concepts, terms too short or with a misplaced '*', rules without
concepts, concepts no rule uses, and (warnings) concepts without terms in some language.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from bot.i18n.languages import LANGUAGES
from bot.knowledge.model import (
    EMERGENCY_LINES,
    CrisisKind,
    CrisisModelFile,
    Knowledge,
    Severity,
    Where,
)
from bot.knowledge.yaml_lines import display
from bot.text.norm import fold, loose_keys, part_min, tokens

# A stem or part shorter than this would match ordinary words of some other language.
STEM_MIN = 3
WARNING = Severity.WARNING


class Add(Protocol):
    """Records one problem (bot.knowledge.validate's checker)."""

    def __call__(
        self, where: Where, ident: str, message: str, severity: Severity = Severity.ERROR
    ) -> None: ...


def one_of(names: Iterable[str]) -> str:
    """ "one of a, b, c" for a message."""
    return "one of " + ", ".join(names)


def check_emergency(k: Knowledge, add: Add) -> None:
    """The emergency screen: known services, known kinds, each listed once."""
    e = k.emergency
    if "screen" not in e.where:
        return  # the file is missing or unreadable, and that was reported already
    screen = e.where["screen"]
    if not e.services:
        add(screen, "emergency", "the emergency screen lists no services")
    for index, sid in enumerate(e.services, start=1):
        if sid not in k.services:
            add(screen, "emergency", f"screen: service {index} is unknown: '{sid}'")
    if len(set(e.services)) != len(e.services):
        add(screen, "emergency", "screen: the same service is listed twice")
    for kind, sids in e.by_kind.items():
        where = e.where.get(kind, screen)
        if kind not in tuple(CrisisKind):
            known = one_of(CrisisKind)
            add(where, "emergency", f"first: unknown kind '{kind}' ({known})")
        for sid in sids:
            if sid not in k.services:
                add(where, "emergency", f"first: {kind}: unknown service '{sid}'")


def check_emergency_lines(k: Knowledge, add: Add) -> None:
    """Each screen the emergency data can make: known lines with a phone, at most five."""
    e = k.emergency
    if "screen" not in e.where:
        return
    screen = e.where["screen"]
    kinds = tuple(CrisisKind)

    def line(sid: str, where: Where, what: str, town: str | None = None) -> None:
        service = k.services.get(sid)
        if service is None:
            if what not in ("screen", "first"):  # those two are reported above
                add(where, "emergency", f"{what}: unknown service '{sid}'")
        elif not service.phone:
            add(where, "emergency", f"{what}: '{sid}' has no phone: it cannot be a line")
        elif town and not service.serves(town):
            add(where, "emergency", f"{what}: '{sid}' does not serve {town}")

    def count(ids: list[str], where: Where, what: str) -> None:
        if len(dict.fromkeys(ids)) > EMERGENCY_LINES:
            add(
                where,
                "emergency",
                f"{what}: {len(ids)} lines, at most {EMERGENCY_LINES} fit on the screen",
            )

    for sid in e.services:
        line(sid, screen, "screen")
    count(list(e.services), screen, "screen")
    for table, key in ((e.by_town, "towns"), (e.by_language, "languages")):
        for kind, by in table.items():
            where = e.where.get(f"{key}:{kind}", screen)
            if kind not in kinds:
                add(where, "emergency", f"{key}: unknown kind '{kind}' ({one_of(kinds)})")
            for value, ids in by.items():
                known = k.towns if key == "towns" else LANGUAGES
                if value not in known:
                    add(where, "emergency", f"{key}: {kind}: unknown {key[:-1]} '{value}'")
                for sid in ids:
                    town = value if key == "towns" else None
                    line(sid, where, f"{key}: {kind}: {value}", town)
    for kind, ids in e.by_kind.items():
        where = e.where.get(kind, screen)
        for sid in ids:
            line(sid, where, "first")
        for town in (None, *k.towns):
            longest = max(
                (
                    [
                        *ids,
                        *(e.by_town.get(kind, {}).get(town, ()) if town else ()),
                        *(e.by_language.get(kind, {}).get(lang, ()) if lang else ()),
                    ]
                    for lang in (None, *LANGUAGES)
                ),
                key=lambda found: len(dict.fromkeys(found)),
            )
            count(longest, where, f"{kind} in {town or 'no town'}")
    for key, node in (("all", e.everything), ("safety", e.safety), *e.nearby.items()):
        if node and node not in k.nodes:
            where = e.where.get(key, e.where.get(f"nearby:{key}", screen))
            add(where, "emergency", f"{key}: unknown node '{node}'")


def check_crisis(k: Knowledge, add: Add) -> None:
    """crisis.yaml: languages, concepts, terms and rules."""
    c = k.crisis
    if "rules" not in c.where:
        return  # the file is missing or unreadable, and that was reported already
    rules_at = c.where["rules"]
    for lang, words in c.negation.items():
        if lang not in LANGUAGES:
            add(rules_at, lang, f"negation: unknown language ({one_of(LANGUAGES)})")
        for word in words:
            _term(add, rules_at, "negation", lang, word)
    for key, table in (("not_typos", c.not_typos), ("negation_ends", c.negation_ends)):
        for lang, words in table.items():
            if lang not in LANGUAGES:
                add(rules_at, lang, f"{key}: unknown language ({one_of(LANGUAGES)})")
            for word in words:
                _term(add, rules_at, key, lang, word)
    used = {
        name for rule in c.rules for name in (*rule.all, *rule.any, *rule.none, *rule.unless_order)
    }
    for concept in c.concepts.values():
        if not concept.terms:
            add(concept.line, concept.name, "the concept lists no terms")
        for lang, terms in concept.terms.items():
            where = concept.where[lang]
            if lang not in LANGUAGES:
                add(where, concept.name, f"unknown language '{lang}'")
            if not terms:
                add(where, concept.name, f"{lang}: no terms")
            for term in terms:
                _term(add, where, concept.name, lang, term)
        if concept.name not in used:
            add(concept.line, concept.name, "no rule uses this concept", WARNING)
        if concept.name in used and concept.terms:
            missing = [lang for lang in LANGUAGES if lang not in concept.terms]
            if missing:
                add(
                    concept.line,
                    concept.name,
                    f"no terms in {', '.join(missing)}: messages in "
                    f"{'this language' if len(missing) == 1 else 'these languages'} "
                    "may miss it",
                    WARNING,
                )
    if not c.rules:
        add(rules_at, "rules", "no rules: no message would open the emergency screen")
    for index, rule in enumerate(c.rules, start=1):
        ident = f"rule {index} ({rule.kind})"
        if not rule.all and not rule.any:
            add(rule.where, ident, "needs concepts under 'all:' or 'any:'")
        if len(rule.unless_order) == 1:
            add(rule.where, ident, "'unless_order:' needs two concepts or more")
        for name in (*rule.all, *rule.any, *rule.none, *rule.unless_order):
            if name not in c.concepts:
                add(rule.where, ident, f"unknown concept '{name}'")
    kinds = {rule.kind for rule in c.rules if rule.sure}
    for kind in CrisisKind:
        if c.rules and kind not in kinds:
            add(rules_at, "rules", f"no sure rule for '{kind}'", WARNING)
    if c.model is not None:
        check_crisis_model(c.model, add)


def check_crisis_model(model: CrisisModelFile, add: Add) -> None:
    """crisis.yaml ``model:``: thresholds in order, and a model file that loads."""
    # The model is crisis detection's own code; imported here, when a file names one.
    from bot.crisis.model import CrisisModel, ModelError

    if not 0 < model.line <= model.sure <= 1:
        add(model.where, "model", "expected 0 < line <= sure <= 1")
    if not 0 <= model.calm < model.line:
        add(model.where, "model", "expected 0 <= calm < line")
    if not 0 <= model.quiet < model.line:
        add(model.where, "model", "expected 0 <= quiet < line")
    try:
        CrisisModel.load(model.path)
    except ModelError as exc:
        add(
            Where(display(model.path), 0),
            "model",
            f"{exc}: retrain it with `python -m bot.crisis.train`",
        )


def _term(add: Add, where: Where, concept: str, lang: str, term: str) -> None:
    """One term: letters enough, and '*' only at a word's start and end."""
    for word in term.split():
        if word in ("...", "…"):  # "bringt ... um": any words between
            continue
        core = word.strip("*")
        letters = sum(len(fold(w)) for w in tokens(core))
        part = word.startswith("*")
        if "*" in core or (part and not word.endswith("*")):
            add(
                where,
                concept,
                f"{lang}: '{word}': '*' goes at the end (stem*) or at both ends (*part*)",
            )
        elif part and all(len(k) < part_min(k) for k in loose_keys(core, term=True)):
            add(
                where,
                concept,
                f"{lang}: '{word}' is too short to look for inside words (at least 5 "
                "letters between the '*', 3 in Arabic script)",
            )
        elif word.endswith("*") and letters < STEM_MIN:
            add(
                where,
                concept,
                f"{lang}: '{word}' needs at least {STEM_MIN} letters before '*'",
            )
        elif not letters:
            add(where, concept, f"{lang}: '{word}' has no letters")
