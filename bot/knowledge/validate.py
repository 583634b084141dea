"""The knowledge validator: every problem at once, as ``file:line: id: message``. Pure.

Rules (DESIGN.md §4): unknown references, unreachable nodes, cycles, duplicate ids, the
64-byte button budget, message and label lengths, phone numbers that parse, URLs and
e-mail addresses, shelters without addresses, entries verified more than a year ago; no dead
ends (every answer screen and every topic's fallback, for every town, offers a service with a
phone number). The emergency screen and the crisis words are checked in
bot.knowledge.check_safety; kinds (area, status, verified_how) when they are read.
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
from bot.knowledge.check_safety import check_crisis, check_emergency, check_emergency_lines
from bot.knowledge.loader import read_knowledge
from bot.knowledge.model import (
    ERROR,
    ROOT,
    WARNING,
    Area,
    Knowledge,
    Node,
    Problem,
    Service,
    Severity,
    Where,
)

# Room left for the header, notes and longer translations within Telegram's 4096 characters.
TEXT_MAX = 3500
TITLE_MAX = 40
OFFERS_MAX = 600
STALE_AFTER = dt.timedelta(days=365)
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

    def add(
        self, where: Where | None, ident: str, message: str, severity: Severity = ERROR
    ) -> None:
        file, line = (where.file, where.line) if where is not None else ("?", 0)
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
        check_emergency(self.k, self.add)
        check_emergency_lines(self.k, self.add)
        check_crisis(self.k, self.add)
        return self.problems

    def slug(self, where: Where, ident: str, limit: int, what: str) -> None:
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
        if s.area == Area.TOWN and not s.towns:
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


def _first_where(k: Knowledge) -> Where | None:
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
    unchecked = read_knowledge(directory)
    problems = [*unchecked.problems, *check(unchecked.knowledge, today)]
    return sorted(problems, key=lambda p: (p.file, p.line, p.id, p.message))


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """Only the problems that stop the bot."""
    return [p for p in problems if p.severity == ERROR]
