"""What to review or check next, most important first. Pure; no I/O.

Translations: emergency texts first (the emergency screens, their lines, the interface texts
about danger and erasing), then the texts of sensitive topics (women, violence, pregnancy),
then the rest; within each, what users see most (usage counts when there are any, else how
near the main menu a text appears; interface texts appear on every screen). Search keywords,
never shown, come last. Services: never checked with the provider first, then the oldest
``verified``, then the most viewed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.engine.cards import checked
from bot.i18n import KNOWLEDGE_DOMAIN, SOURCE, UI_DOMAIN, Catalogs
from bot.i18n.extract import knowledge_messages
from bot.knowledge.model import Area, Knowledge, Node, Service, VerifiedHow

EMERGENCY, SENSITIVE, OTHER, UNSEEN = range(4)
# Interface texts that a frightened person reads: the emergency and erase screens.
SAFETY_WORDS = re.compile(
    r"emergenc|danger|erase|delet|violen|112|110|116 016|safe", re.IGNORECASE
)
DUE_AFTER = dt.timedelta(days=365)
REF_LEN = 10


def ref(domain: str, key: str) -> str:
    """A short, stable reference to an entry, small enough for a button's payload."""
    return hashlib.sha256(f"{domain}\0{key}".encode()).hexdigest()[:REF_LEN]


@dataclass(frozen=True)
class Entry:
    """One text of one language to review."""

    lang: str
    domain: str
    key: str  # msgctxt (knowledge) or the English msgid (interface)
    source: str  # the German text (knowledge) or the English msgid (interface)
    current: str  # the translation users see now ("" when there is none)
    where: str  # id of the node the text appears on ("" for the interface)
    tier: int
    rank: int
    reviewed: bool  # reviewed in the catalog: no draft mark, not outdated

    @property
    def ref(self) -> str:
        """The entry's short reference."""
        return ref(self.domain, self.key)

    @property
    def source_lang(self) -> str:
        """The language the source is written in."""
        return SOURCE if self.domain == KNOWLEDGE_DOMAIN else "en"


def _positions(knowledge: Knowledge) -> tuple[dict[str, int], dict[str, str]]:
    """Each node's breadth-first position, and the first node listing each service."""
    order: dict[str, int] = {}
    shown_on: dict[str, str] = {}
    for i, node in enumerate(knowledge.walk()):
        order[node.id] = i
        for sid in node.services:
            shown_on.setdefault(sid, node.id)
    for node in knowledge.nodes.values():
        order.setdefault(node.id, len(order))
        for sid in node.services:
            shown_on.setdefault(sid, node.id)
    return order, shown_on


def shown_on(knowledge: Knowledge) -> dict[str, str]:
    """The first node (breadth-first) whose screen lists each service."""
    return _positions(knowledge)[1]


def emergency_ids(knowledge: Knowledge) -> tuple[frozenset[str], frozenset[str]]:
    """The nodes and services of the emergency screens."""
    e = knowledge.emergency
    services = {*e.services, *(s for ids in e.by_kind.values() for s in ids)}
    for table in (e.by_town, e.by_language):
        services.update(s for by in table.values() for ids in by.values() for s in ids)
    nodes = {n.id for n in knowledge.nodes.values() if n.emergency}
    nodes.update(x for x in (e.everything, e.safety, *e.nearby.values()) if x)
    return frozenset(nodes), frozenset(services)


def _tier(knowledge: Knowledge, key: str, node: Node | None, service: Service | None) -> int:
    if key.endswith(":keywords"):
        return UNSEEN
    nodes, services = emergency_ids(knowledge)
    if (node is not None and node.id in nodes) or (service is not None and service.id in services):
        return EMERGENCY
    if knowledge.sensitive(node, service):
        return SENSITIVE
    return OTHER


def review_entries(
    knowledge: Knowledge,
    catalogs: Catalogs,
    lang: str,
    views: Mapping[str, int] | None = None,
) -> list[Entry]:
    """Every reviewable text of ``lang``, most important first (reviewed ones included)."""
    catalog = catalogs.languages.get(lang)
    if catalog is None or lang == SOURCE:
        return []
    order, shown_on = _positions(knowledge)
    seen = views or {}
    entries: list[Entry] = []
    for key, german, _file, _line in knowledge_messages(knowledge):
        kind, ident = key.split(":")[:2]
        node = knowledge.nodes.get(ident) if kind == "node" else None
        service = knowledge.services.get(ident) if kind == "service" else None
        where = node.id if node else shown_on.get(ident, "")
        if node is None and where:
            node = knowledge.nodes.get(where)
        rank = -seen.get(ident, 0) * 10_000 + order.get(where, len(order))
        found = catalog.knowledge.get(key)
        reviewed = found is not None and not (found.draft or found.fuzzy or found.msgid != german)
        entries.append(
            Entry(
                lang,
                KNOWLEDGE_DOMAIN,
                key,
                german,
                found.strings[0] if found else "",
                where,
                _tier(knowledge, key, node, service),
                rank,
                reviewed,
            )
        )
    if lang != "en":
        for (context, msgid), found in catalog.ui.items():
            if context is not None or len(found.strings) != 1:
                continue  # plural forms are edited in the catalog, form by form
            tier = EMERGENCY if SAFETY_WORDS.search(msgid) else OTHER
            # Seen on every screen; in the emergency tier after the emergency screens' own texts.
            rank = len(order) if tier == EMERGENCY else -1
            entries.append(
                Entry(
                    lang,
                    UI_DOMAIN,
                    msgid,
                    msgid,
                    found.strings[0],
                    "",
                    tier,
                    rank,
                    not (found.draft or found.fuzzy),
                )
            )
    return sorted(entries, key=lambda e: (e.tier, e.rank, e.domain, e.key))


def pending(entries: Iterable[Entry], decided: Mapping[tuple[str, str], str]) -> list[Entry]:
    """The entries still to review: not reviewed in the catalog, not decided since.

    ``decided`` maps (domain, key) to the source text a reviewer saw; a decision about an
    older source does not count.
    """
    return [e for e in entries if not e.reviewed and decided.get((e.domain, e.key)) != e.source]


# -- services ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """What staff said about a service and when (still to be applied to the YAML)."""

    verified: dt.date | None = None
    reported: int = 0


def effective(service: Service, check: Check | None) -> Service:
    """The service as users see it, with a check done in Telegram applied."""
    return checked(service, check.verified if check else None)


def serves_town(service: Service, town: str | None) -> bool:
    """Whether a service belongs to ``town``'s list (None: every service)."""
    return town is None or (service.area == Area.TOWN and town in service.towns)


def services_to_check(
    knowledge: Knowledge,
    checks: Mapping[str, Check],
    town: str | None = None,
    views: Mapping[str, int] | None = None,
) -> list[Service]:
    """The services most in need of a check first; reported ones wait for the editor."""
    order, shown_on = _positions(knowledge)
    seen = views or {}
    found = []
    for service in knowledge.services.values():
        check = checks.get(service.id)
        if not serves_town(service, town) or service.reported or (check and check.reported):
            continue
        found.append(effective(service, check))

    def key(s: Service) -> tuple[bool, dt.date, int, int]:
        return (
            s.verified_how == VerifiedHow.PROVIDER,
            s.verified or dt.date.min,
            -seen.get(s.id, 0),
            order.get(shown_on.get(s.id, ""), len(order)),
        )

    return sorted(found, key=key)


@dataclass(frozen=True)
class Summary:
    """How many services are checked with the provider, due for a check, or reported."""

    total: int
    checked: int
    due: int
    reported: int
    never: int


def summary(
    knowledge: Knowledge, checks: Mapping[str, Check], today: dt.date, town: str | None = None
) -> Summary:
    """The counts for ``/verify`` (one town, or all)."""
    total = checked = due = reported = never = 0
    for service in knowledge.services.values():
        if not serves_town(service, town):
            continue
        check = checks.get(service.id)
        s = effective(service, check)
        total += 1
        if s.reported or (check and check.reported):
            reported += 1
        if s.verified_how != VerifiedHow.PROVIDER:
            never += 1
        if s.verified is None or today - s.verified > DUE_AFTER:
            due += 1
        elif s.verified_how == VerifiedHow.PROVIDER:
            checked += 1
    return Summary(total, checked, due, reported, never)


# How far back "most viewed" looks, in days of usage totals.
VIEWS_DAYS = 90


def view_counts(rows: Iterable[Sequence[object]], kinds: Iterable[str]) -> dict[str, int]:
    """Views per node or service id from usage totals rows (kind, item, total)."""
    wanted = set(kinds)
    counts: dict[str, int] = {}
    for kind, item, total in rows:
        if kind in wanted and isinstance(item, str) and isinstance(total, int):
            counts[item] = counts.get(item, 0) + total
    return counts
