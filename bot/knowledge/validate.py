"""The knowledge validator: every problem at once, as ``file:line: id: message``. Pure.

Rules (DESIGN.md §4): unknown references, unreachable nodes, cycles, duplicate ids, the
64-byte button budget, message and label lengths, phone numbers that parse, URLs and
e-mail addresses, shelters without addresses, entries verified more than a year ago; no dead
ends (every answer screen and every topic's fallback, for every town, offers a service with a
phone number); for ``emergency.yaml``: unknown services, kinds, towns, languages and nodes,
lines without a phone or for a town they do not serve, screens of more than five lines; for
``crisis.yaml``: unknown languages, kinds and concepts, terms too short or with a misplaced
'*', rules without concepts, concepts no rule uses, and (warnings) concepts without terms in
some language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers
from babel import Locale, UnknownLocaleError

from bot.engine import payloads
from bot.i18n.languages import LANGUAGES
from bot.knowledge.loader import read_knowledge
from bot.knowledge.model import (
    AREAS,
    EMERGENCY_LINES,
    ERROR,
    ROOT,
    WARNING,
    CrisisKind,
    Knowledge,
    Node,
    Problem,
    Service,
    Where,
)
from bot.text.norm import fold, loose_keys, part_min, tokens

# Room left for the header, notes and longer translations within Telegram's 4096 characters.
TEXT_MAX = 3500
TITLE_MAX = 40
OFFERS_MAX = 600
STALE_AFTER = dt.timedelta(days=365)
# A stem or part shorter than this would match ordinary words of some other language.
STEM_MIN = 3
STATUSES = ("confirmed", "partial")
VERIFIED_HOW = ("source", "provider")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
# EU-harmonised numbers of social value (116 016, 116 006, 116 117 …): dialled as they are,
# but not all of them are in libphonenumber's short-number metadata.
HARMONISED = re.compile(r"^116\d{3}$")


def phone_ok(phone: str) -> bool:
    """Whether ``phone`` is a valid German number, emergency or harmonised short number."""
    digits = re.sub(r"[\s/()-]", "", phone)
    if HARMONISED.match(digits):
        return True
    try:
        number = phonenumbers.parse(phone, "DE")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) or phonenumbers.is_valid_short_number_for_region(
        number, "DE"
    )


def url_ok(url: str, *, https: bool = True) -> bool:
    """Whether ``url`` is an absolute web address (https when asked)."""
    parts = urlsplit(url)
    schemes = ("https",) if https else ("https", "http")
    return parts.scheme in schemes and bool(parts.netloc) and " " not in url


def language_ok(code: str) -> bool:
    """Whether Babel knows the language code."""
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True


class _Checker:
    def __init__(self, knowledge: Knowledge, today: dt.date) -> None:
        self.k = knowledge
        self.today = today
        self.problems: list[Problem] = []

    def add(self, where: object, ident: str, message: str, severity: str = ERROR) -> None:
        file, line = getattr(where, "file", "?"), getattr(where, "line", 0)
        self.problems.append(Problem(file, line, ident, message, severity))

    def run(self) -> list[Problem]:
        for town in self.k.towns.values():
            self.slug(town.where, town.id, payloads.TOWN_ID_MAX, "town")
        for service in self.k.services.values():
            self.service(service)
        for node in self.k.nodes.values():
            self.node(node)
        self.tree()
        self.reach()
        self.budget()
        self.emergency()
        self.emergency_lines()
        self.crisis()
        return self.problems

    def slug(self, where: object, ident: str, limit: int, what: str) -> None:
        if not payloads.SLUG.match(ident) or len(ident) > limit:
            self.add(
                where,
                ident,
                f"{what} id must be a lowercase slug of [a-z0-9_], at most {limit} characters",
            )

    def service(self, s: Service) -> None:
        self.slug(s.where, s.id, payloads.SERVICE_ID_MAX, "service")
        if len(s.offers) > OFFERS_MAX:
            self.add(
                s.where, s.id, f"'offers' has {len(s.offers)} characters (at most {OFFERS_MAX})"
            )
        if s.phone and not phone_ok(s.phone):
            self.add(s.where, s.id, f"phone number '{s.phone}' does not parse as a German number")
        if not (s.phone or s.website or s.email or s.address):
            self.add(
                s.where,
                s.id,
                "no way to reach it: give a phone, website, e-mail or address",
                WARNING,
            )
        if s.website and not url_ok(s.website, https=False):
            self.add(s.where, s.id, f"website '{s.website}' is not an http(s) address")
        if s.email and not EMAIL.match(s.email):
            self.add(s.where, s.id, f"e-mail '{s.email}' is not an e-mail address")
        if s.area not in AREAS:
            self.add(s.where, s.id, f"area must be one of {', '.join(AREAS)}, not '{s.area}'")
        if s.area == "town" and not s.towns:
            self.add(s.where, s.id, "a service with area 'town' must name its towns")
        for town in s.towns:
            if town not in self.k.towns:
                self.add(s.where, s.id, f"unknown town '{town}'")
        if s.hide_address and (s.address or s.geo):
            self.add(s.where, s.id, "hide_address is set: remove the address and coordinates")
        if s.geo and not (-90 <= s.geo.lat <= 90 and -180 <= s.geo.lon <= 180):
            self.add(s.where, s.id, "coordinates out of range")
        for code in s.languages:
            if not language_ok(code):
                self.add(s.where, s.id, f"unknown language code '{code}'")
        if s.status not in STATUSES:
            self.add(s.where, s.id, f"status must be one of {', '.join(STATUSES)}")
        if s.verified_how not in VERIFIED_HOW:
            self.add(s.where, s.id, f"verified_how must be one of {', '.join(VERIFIED_HOW)}")
        if not s.sources:
            self.add(s.where, s.id, "no sources: every fact needs the URL it comes from")
        for url in s.sources:
            if not url_ok(url, https=False):
                self.add(s.where, s.id, f"source '{url}' is not an http(s) address")
        if s.verified and s.verified > self.today:
            self.add(s.where, s.id, f"verified date {s.verified} is in the future")
        elif s.verified and self.today - s.verified > STALE_AFTER:
            self.add(
                s.where,
                s.id,
                f"last verified {s.verified}, more than a year ago: check it with the provider",
                WARNING,
            )

    def node(self, n: Node) -> None:
        self.slug(n.where, n.id, payloads.NODE_ID_MAX, "node")
        if len(n.text) > TEXT_MAX:
            self.add(n.where, n.id, f"text has {len(n.text)} characters (at most {TEXT_MAX})")
        if len(n.title) > TITLE_MAX:
            self.add(n.where, n.id, f"title has {len(n.title)} characters (at most {TITLE_MAX})")
        for index, child in enumerate(n.children, start=1):
            if child not in self.k.nodes:
                self.add(n.where, n.id, f"child {index} points to unknown node '{child}'")
            if child == ROOT:
                self.add(n.where, n.id, f"child {index} points back to the main menu")
        for index, sid in enumerate(n.services, start=1):
            if sid not in self.k.services:
                self.add(n.where, n.id, f"service {index} points to unknown service '{sid}'")
        if len(set(n.children)) != len(n.children) or len(set(n.services)) != len(n.services):
            self.add(n.where, n.id, "the same child or service is listed twice")
        for index, sid in enumerate(n.fallback, start=1):
            if sid not in self.k.services:
                self.add(n.where, n.id, f"fallback {index} points to unknown service '{sid}'")
        if n.by_town and not n.services:
            self.add(n.where, n.id, "by_town is set but the node lists no services")
        for url in n.sources:
            if not url_ok(url, https=False):
                self.add(n.where, n.id, f"source '{url}' is not an http(s) address")
        if n.visible_until and n.visible_until < self.today:
            self.add(n.where, n.id, f"event ended on {n.visible_until}: it is hidden", WARNING)

    def tree(self) -> None:
        if not self.k.nodes:
            return  # the file is missing or unreadable, and that was reported already
        if ROOT not in self.k.nodes:
            self.add(_first_where(self.k), ROOT, f"the tree has no root node '{ROOT}'")
            return
        reachable = {ROOT, *self.k.parents}
        for n in self.k.nodes.values():
            if n.id not in reachable:
                self.add(n.where, n.id, f"unreachable: no path from '{ROOT}' leads here")
        for cycle in _cycles(self.k):
            first = self.k.nodes[cycle[0]]
            self.add(first.where, first.id, "cycle: " + " -> ".join([*cycle, cycle[0]]))

    def reach(self) -> None:
        """No dead ends: every answer screen and fallback offers a phone, for every town."""
        if ROOT not in self.k.nodes:
            return
        towns = list(self.k.towns.values())
        for n in self.k.nodes.values():
            if n.id != ROOT and not n.children and not n.services:
                self.add(n.where, n.id, "a dead end: no children and no services")
            if n.services:
                places = towns if n.by_town else [None]
                missing = [
                    town.name if town else "any town"
                    for town in places
                    if not any(s.phone for s in self.k.services_for(n, town.id if town else None))
                ]
                if missing:
                    self.add(
                        n.where,
                        n.id,
                        f"nothing to call for {', '.join(missing)}: list a service with a phone "
                        "that serves this town (local, county or national)",
                    )
        for n in self.k.nodes.values():
            if not n.fallback and n.id != ROOT:
                continue
            missing = [
                town.name if town else "people whose town is unknown"
                for town in [None, *towns]
                if not any(s.phone for s in self.k.fallback_for(n.id, town.id if town else None))
            ]
            if missing:
                self.add(
                    n.where,
                    n.id,
                    f"fallback: nothing to call for {', '.join(missing)}: name a service with a "
                    "phone (county-wide or national, and local ones per town)",
                )

    def budget(self) -> None:
        longest_town = max((t for t in self.k.towns), key=len, default="")
        for n in self.k.nodes.values():
            town = longest_town if n.by_town else None
            for sid in dict.fromkeys((*n.services, *self.k.fallback(n.id))):
                place = payloads.service(sid, n.id, town)
                # A rating button carries a place behind a two-byte prefix (DESIGN.md §3).
                if not payloads.fits(place + "::"):
                    size = len(place.encode()) + 2
                    self.add(
                        n.where,
                        n.id,
                        f"button for service '{sid}' needs {size} bytes (Telegram allows "
                        f"{payloads.MAX_BYTES}): shorten the node, service or town id",
                    )

    def emergency(self) -> None:
        e = self.k.emergency
        if "screen" not in e.where:
            return  # the file is missing or unreadable, and that was reported already
        screen = e.where["screen"]
        if not e.services:
            self.add(screen, "emergency", "the emergency screen lists no services")
        for index, sid in enumerate(e.services, start=1):
            if sid not in self.k.services:
                self.add(screen, "emergency", f"screen: service {index} is unknown: '{sid}'")
        if len(set(e.services)) != len(e.services):
            self.add(screen, "emergency", "screen: the same service is listed twice")
        for kind, sids in e.by_kind.items():
            where = e.where.get(kind, screen)
            if kind not in tuple(CrisisKind):
                known = _one_of(CrisisKind)
                self.add(where, "emergency", f"first: unknown kind '{kind}' ({known})")
            for sid in sids:
                if sid not in self.k.services:
                    self.add(where, "emergency", f"first: {kind}: unknown service '{sid}'")

    def emergency_lines(self) -> None:
        """Each screen the emergency data can make: known lines with a phone, at most five."""
        e = self.k.emergency
        if "screen" not in e.where:
            return
        screen = e.where["screen"]
        kinds = tuple(CrisisKind)

        def line(sid: str, where: Where, what: str, town: str | None = None) -> None:
            service = self.k.services.get(sid)
            if service is None:
                if what not in ("screen", "first"):  # those two are reported above
                    self.add(where, "emergency", f"{what}: unknown service '{sid}'")
            elif not service.phone:
                self.add(where, "emergency", f"{what}: '{sid}' has no phone: it cannot be a line")
            elif town and not service.serves(town):
                self.add(where, "emergency", f"{what}: '{sid}' does not serve {town}")

        def count(ids: list[str], where: Where, what: str) -> None:
            if len(dict.fromkeys(ids)) > EMERGENCY_LINES:
                self.add(
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
                    self.add(
                        where, "emergency", f"{key}: unknown kind '{kind}' ({_one_of(kinds)})"
                    )
                for value, ids in by.items():
                    known = self.k.towns if key == "towns" else LANGUAGES
                    if value not in known:
                        self.add(
                            where, "emergency", f"{key}: {kind}: unknown {key[:-1]} '{value}'"
                        )
                    for sid in ids:
                        town = value if key == "towns" else None
                        line(sid, where, f"{key}: {kind}: {value}", town)
        for kind, ids in e.by_kind.items():
            where = e.where.get(kind, screen)
            for sid in ids:
                line(sid, where, "first")
            for town in (None, *self.k.towns):
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
            if node and node not in self.k.nodes:
                where = e.where.get(key, e.where.get(f"nearby:{key}", screen))
                self.add(where, "emergency", f"{key}: unknown node '{node}'")

    def crisis(self) -> None:
        c = self.k.crisis
        if "rules" not in c.where:
            return  # the file is missing or unreadable, and that was reported already
        rules_at = c.where["rules"]
        for lang, words in c.negation.items():
            if lang not in LANGUAGES:
                self.add(rules_at, lang, f"negation: unknown language ({_one_of(LANGUAGES)})")
            for word in words:
                self.term(rules_at, "negation", lang, word)
        used = {name for rule in c.rules for name in (*rule.all, *rule.any, *rule.none)}
        for concept in c.concepts.values():
            if not concept.terms:
                self.add(concept.line, concept.name, "the concept lists no terms")
            for lang, terms in concept.terms.items():
                where = concept.where[lang]
                if lang not in LANGUAGES:
                    self.add(where, concept.name, f"unknown language '{lang}'")
                if not terms:
                    self.add(where, concept.name, f"{lang}: no terms")
                for term in terms:
                    self.term(where, concept.name, lang, term)
            if concept.name not in used:
                self.add(concept.line, concept.name, "no rule uses this concept", WARNING)
            if concept.name in used and concept.terms:
                missing = [lang for lang in LANGUAGES if lang not in concept.terms]
                if missing:
                    self.add(
                        concept.line,
                        concept.name,
                        f"no terms in {', '.join(missing)}: messages in "
                        f"{'this language' if len(missing) == 1 else 'these languages'} "
                        "may miss it",
                        WARNING,
                    )
        if not c.rules:
            self.add(rules_at, "rules", "no rules: no message would open the emergency screen")
        for index, rule in enumerate(c.rules, start=1):
            ident = f"rule {index} ({rule.kind})"
            if not rule.all and not rule.any:
                self.add(rule.where, ident, "needs concepts under 'all:' or 'any:'")
            for name in (*rule.all, *rule.any, *rule.none):
                if name not in c.concepts:
                    self.add(rule.where, ident, f"unknown concept '{name}'")
        kinds = {rule.kind for rule in c.rules if rule.sure}
        for kind in CrisisKind:
            if c.rules and kind not in kinds:
                self.add(rules_at, "rules", f"no sure rule for '{kind}'", WARNING)

    def term(self, where: Where, concept: str, lang: str, term: str) -> None:
        """One term: letters enough, and '*' only at a word's start and end."""
        for word in term.split():
            if word in ("...", "…"):  # "bringt ... um": any words between
                continue
            core = word.strip("*")
            letters = sum(len(fold(w)) for w in tokens(core))
            part = word.startswith("*")
            if "*" in core or (part and not word.endswith("*")):
                self.add(
                    where,
                    concept,
                    f"{lang}: '{word}': '*' goes at the end (stem*) or at both ends (*part*)",
                )
            elif part and all(len(k) < part_min(k) for k in loose_keys(core, term=True)):
                self.add(
                    where,
                    concept,
                    f"{lang}: '{word}' is too short to look for inside words (at least 5 "
                    "letters between the '*', 3 in Arabic script)",
                )
            elif word.endswith("*") and letters < STEM_MIN:
                self.add(
                    where,
                    concept,
                    f"{lang}: '{word}' needs at least {STEM_MIN} letters before '*'",
                )
            elif not letters:
                self.add(where, concept, f"{lang}: '{word}' has no letters")


def _one_of(names: Iterable[str]) -> str:
    return "one of " + ", ".join(names)


def _first_where(k: Knowledge) -> object:
    items: list[Node | Service] = [*k.nodes.values(), *k.services.values()]
    return items[0].where if items else None


def _cycles(k: Knowledge) -> Iterable[list[str]]:
    """Each cycle once, found by depth-first search from every node."""
    state: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(ident: str) -> None:
        state[ident] = 1
        stack.append(ident)
        for child in k.nodes[ident].children:
            if child not in k.nodes:
                continue
            if state.get(child) == 1:
                found.append(stack[stack.index(child) :])
            elif child not in state:
                visit(child)
        stack.pop()
        state[ident] = 2

    for ident in k.nodes:
        if ident not in state:
            visit(ident)
    return found


def check(knowledge: Knowledge, today: dt.date) -> list[Problem]:
    """Cross-check a loaded knowledge; every problem, sorted by file and line."""
    return _Checker(knowledge, today).run()


def validate(directory: Path, today: dt.date) -> list[Problem]:
    """Read and check ``directory``; every problem found, errors and warnings."""
    source = read_knowledge(directory)
    problems = [*source.problems, *check(source.knowledge, today)]
    return sorted(problems, key=lambda p: (p.file, p.line, p.id, p.message))


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """Only the problems that stop the bot."""
    return [p for p in problems if p.severity == ERROR]
