"""The knowledge model: plain, frozen values. Pure; no I/O."""

from __future__ import annotations

import datetime as dt
import functools
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

# What is wrong in the knowledge files lives in its own module; the names stay importable here.
from bot.knowledge.problems import ERROR as ERROR
from bot.knowledge.problems import WARNING as WARNING
from bot.knowledge.problems import Problem as Problem
from bot.knowledge.problems import Severity as Severity

ROOT = "start"
EMERGENCY_LINES = 5  # the emergency screen shows at most this many lines


class Area(StrEnum):
    """Whom a service serves: people of the towns it names, the whole county, everyone."""

    TOWN = "town"
    COUNTY = "county"
    NATIONAL = "national"


class Status(StrEnum):
    """How complete a service's entry is: every fact confirmed, or some still open."""

    CONFIRMED = "confirmed"
    PARTIAL = "partial"


class VerifiedHow(StrEnum):
    """How a service's facts were last checked: from its public sources, or with the provider."""

    SOURCE = "source"
    PROVIDER = "provider"


class CrisisKind(StrEnum):
    """A kind of acute danger, in the order they win when a message signals more than one."""

    VIOLENCE = "violence"  # violence happening or just happened ("he is hitting me")
    THREAT = "threat"  # threats, stated or implied ("if I leave, he will ...")
    SUICIDE = "suicide"  # suicidal intent or signs (goodbye letters, pills put aside)
    MEDICAL = "medical"  # an acute medical emergency, often told by its symptoms
    CHILD = "child"  # a child in danger


@dataclass(frozen=True)
class CrisisSignal:
    """What the crisis detector recognised: the kind, and whether it is sure.

    Sure: the emergency screen for that kind. Unsure: the normal answer with one line on top
    giving that kind's numbers.
    """

    kind: CrisisKind
    sure: bool


@dataclass(frozen=True)
class Where:
    """Where a thing was written: file and line, for messages to staff."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Town:
    """One of the county's towns."""

    id: str
    name: str
    where: Where


@dataclass(frozen=True)
class Address:
    """A postal address, shown as written."""

    street: str
    postcode: str
    town: str

    def one_line(self) -> str:
        """The address on one line."""
        return f"{self.street}, {self.postcode} {self.town}"


@dataclass(frozen=True)
class Geo:
    """Coordinates for a map pin."""

    lat: float
    lon: float


@dataclass(frozen=True)
class Service:
    """One entry of the service directory."""

    id: str
    name: str
    offers: str
    where: Where
    for_whom: str = ""
    cost: str = ""
    hours: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    address: Address | None = None
    geo: Geo | None = None
    languages: tuple[str, ...] = ()
    area: Area = Area.TOWN
    towns: tuple[str, ...] = ()
    hide_address: bool = False
    status: Status = Status.PARTIAL
    verified: dt.date | None = None
    verified_how: VerifiedHow = VerifiedHow.SOURCE
    sources: tuple[str, ...] = ()
    unverified: tuple[str, ...] = ()
    note: str = ""
    # Problems staff reported in Telegram (/verify), for the content editor; never shown.
    reported: tuple[str, ...] = ()

    def serves(self, town: str | None) -> bool:
        """Whether this service is offered to people in ``town`` (None: any town)."""
        return self.area != Area.TOWN or town is None or town in self.towns


@dataclass(frozen=True)
class Node:
    """One screen of the decision tree."""

    id: str
    title: str
    text: str
    where: Where
    children: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    by_town: bool = False
    # Services that speak the reader's language come first (the "help in your language" node).
    by_language: bool = False
    keywords: str = ""
    icon: str = ""
    visible_until: dt.date | None = None
    women: bool = False
    emergency: bool = False
    contact: bool = False
    # Whom to call when nothing here fits or a search finds nothing (a topic's own lines);
    # nodes below inherit it (Knowledge.fallback).
    fallback: tuple[str, ...] = ()
    # Where the facts in the text come from (needed where the text states facts of its own).
    sources: tuple[str, ...] = ()

    def visible_on(self, day: dt.date) -> bool:
        """Whether the node is shown on ``day`` (past events disappear)."""
        return self.visible_until is None or day <= self.visible_until


@dataclass(frozen=True)
class Emergency:
    """The emergency screen's services, and which go first for each kind of crisis."""

    services: tuple[str, ...] = ()
    by_kind: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # kind -> town -> the town's lines for that kind (after the kind's own lines)
    by_town: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    # kind -> language -> lines only for people who use Lotse in that language
    by_language: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    everything: str = ""  # the node with every emergency number
    safety: str = ""  # the node "using Lotse safely"
    nearby: Mapping[str, str] = field(default_factory=dict)  # kind -> node with a town picker
    # Where "screen" and each kind under "first" were written, for messages to staff.
    where: Mapping[str, Where] = field(default_factory=dict)

    def screen(self, kind: str | None = None) -> tuple[str, ...]:
        """The emergency screen's services in order, those that go first for ``kind`` first."""
        first = self.by_kind.get(kind, ()) if kind else ()
        return (*first, *(s for s in self.services if s not in first))

    def lines(
        self, kind: str | None, town: str | None = None, lang: str | None = None
    ) -> list[str]:
        """The emergency screen's lines (service ids) for a kind of danger, at most five.

        The kind's own lines, then the town's, then those for the user's language; without a
        known kind, the general screen. Staff keep each list short (the validator checks);
        more than five are cut, since a frightened person reads only the first few.
        """
        if kind is None or kind not in self.by_kind:
            found = list(self.services)
        else:
            found = [
                *self.by_kind[kind],
                *(self.by_town.get(kind, {}).get(town, ()) if town else ()),
                *(self.by_language.get(kind, {}).get(lang, ()) if lang else ()),
            ]
        return list(dict.fromkeys(found))[:EMERGENCY_LINES]


@dataclass(frozen=True)
class Concept:
    """Words of one meaning in every language ("hit": schlägt, dövüyor, бьёт …).

    ``terms`` maps a language to its terms; ``where`` maps it to the line it was written on.
    A ``negatable`` concept does not count right after a negation word ("never hit me").
    """

    name: str
    about: str
    terms: Mapping[str, tuple[str, ...]]
    where: Mapping[str, Where]
    negatable: bool = False
    line: Where = Where("", 0)


@dataclass(frozen=True)
class CrisisRule:
    """When a message signals danger: every concept of ``all``, one of ``any``, none of
    ``none``, and not the concepts of ``unless_order`` in that order in one clause. The first
    rule that holds decides the kind (sure rules before unsure ones)."""

    kind: CrisisKind
    sure: bool
    all: tuple[str, ...]
    where: Where
    any: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    unless_order: tuple[str, ...] = ()


@dataclass(frozen=True)
class CrisisModelFile:
    """The trained model next to the rules (crisis.yaml ``model:``): its file and thresholds.

    ``line``: the model alone, this sure of danger → the one line of numbers on top of the
    answer. ``sure``: the model this sure and a rule unsure → the emergency screen. ``calm``:
    the model's probability of danger below this turns a sure rule into the one line (0:
    never); ``quiet``: below this, an unsure rule gives nothing (0: never).
    """

    path: Path
    where: Where
    line: float
    sure: float
    calm: float = 0.0
    quiet: float = 0.0


@dataclass(frozen=True)
class Crisis:
    """What counts as danger (knowledge/crisis.yaml): concepts, negation words, rules, and
    the trained model that reads along."""

    concepts: Mapping[str, Concept] = field(default_factory=dict)
    negation: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Everyday words one typo away from a danger word ("schlafe", "keiner", "привет"): never
    # read as that typo; they still match a term written exactly like them.
    not_typos: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Words where a negation's reach ends: "und", a new subject ("er"), or the verb it belongs
    # to ("не перестаёт", does not stop).
    negation_ends: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rules: tuple[CrisisRule, ...] = ()
    where: Mapping[str, Where] = field(default_factory=dict)
    model: CrisisModelFile | None = None


@dataclass(frozen=True)
class Knowledge:
    """Everything Lotse knows: towns, services, the tree, emergencies."""

    towns: Mapping[str, Town]
    services: Mapping[str, Service]
    nodes: Mapping[str, Node]
    emergency: Emergency = field(default_factory=Emergency)
    crisis: Crisis = field(default_factory=Crisis)
    parents: Mapping[str, str] = field(default_factory=dict)

    @property
    def root(self) -> Node:
        """The main menu."""
        return self.nodes[ROOT]

    @property
    def contact(self) -> str | None:
        """The node of the office that advises in person (``contact: true``), if any."""
        return next((n.id for n in self.nodes.values() if n.contact), None)

    def parent_of(self, node_id: str) -> str | None:
        """The node that "back" leads to (the first parent in the tree's order)."""
        return self.parents.get(node_id)

    def topic_of(self, node_id: str) -> str:
        """The topic (main-menu entry) a node belongs to: its ancestor just below the root.

        Feedback and needs are counted by topic; a node outside the tree is its own topic.
        """
        current = node_id
        seen = {current}
        while (parent := self.parents.get(current)) is not None and parent != ROOT:
            if parent in seen:
                break
            seen.add(parent)
            current = parent
        return current

    def fallback(self, node_id: str | None) -> tuple[str, ...]:
        """The fallback services of a node: its own, else the nearest parent's, else the root's."""
        current = node_id
        seen: set[str] = set()
        while current is not None and current not in seen:
            seen.add(current)
            node = self.nodes.get(current)
            if node is not None and node.fallback:
                return node.fallback
            current = self.parents.get(current)
        root = self.nodes.get(ROOT)
        return root.fallback if root is not None else ()

    def fallback_for(self, node_id: str | None, town: str | None) -> list[Service]:
        """The fallback services for someone in ``town`` (None: only county-wide and national)."""
        found = (self.services[s] for s in self.fallback(node_id) if s in self.services)
        return [s for s in found if s.area != Area.TOWN or (town is not None and town in s.towns)]

    @functools.cached_property
    def sensitive_services(self) -> frozenset[str]:
        """Services whatever the bot leaves behind about must not name: every emergency line,
        and services listed only on women's, violence, pregnancy and emergency topics.

        A service also listed on a neutral topic (the immigration office, say) keeps its
        name there; on a sensitive topic every screen is neutral anyway (``sensitive``).
        """
        on_sensitive = {
            s for n in self.nodes.values() if n.women or n.emergency for s in n.services
        }
        on_neutral = {
            s for n in self.nodes.values() if not (n.women or n.emergency) for s in n.services
        }
        e = self.emergency
        lines = {*e.services, *(s for ids in e.by_kind.values() for s in ids)}
        for table in (e.by_town, e.by_language):
            lines.update(s for by in table.values() for ids in by.values() for s in ids)
        return frozenset((on_sensitive - on_neutral) | lines)

    def sensitive(self, node: Node | None, service: Service | None = None) -> bool:
        """Whether a screen about this node (and service) is on a sensitive topic."""
        on_node = node is not None and (node.women or node.emergency)
        return on_node or (service is not None and service.id in self.sensitive_services)

    def services_for(self, node: Node, town: str | None) -> list[Service]:
        """The node's services that serve ``town``, in the order the node lists them."""
        found = (self.services[s] for s in node.services if s in self.services)
        return [s for s in found if s.serves(town)]

    def walk(self) -> Iterator[Node]:
        """Every node reachable from the root, each once, in breadth-first order."""
        return (node for node, _ in breadth_first(self.nodes))


def breadth_first(nodes: Mapping[str, Node]) -> Iterator[tuple[Node, str | None]]:
    """Every node reachable from the root, each once, breadth-first, with the parent that
    first reaches it (None for the root): the order of the menus, and "back"."""
    if ROOT not in nodes:
        return
    seen = {ROOT}
    queue: deque[tuple[str, str | None]] = deque([(ROOT, None)])
    while queue:
        current, parent = queue.popleft()
        yield nodes[current], parent
        for child in nodes[current].children:
            if child in nodes and child not in seen:
                seen.add(child)
                queue.append((child, current))


def first_parents(nodes: Mapping[str, Node]) -> dict[str, str]:
    """Map each reachable node to the parent that first reaches it breadth-first."""
    return {node.id: parent for node, parent in breadth_first(nodes) if parent is not None}
