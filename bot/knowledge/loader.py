"""Read ``knowledge/*.yaml`` into the model, remembering file and line of everything.

Pure apart from reading the files. This module reads towns, services and the tree and puts
everything together (read_knowledge); bot.knowledge.yaml_lines parses a file with line
numbers, bot.knowledge.fields turns its fields into typed values, and
bot.knowledge.read_safety reads emergency.yaml and crisis.yaml.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from bot.knowledge.fields import Fields
from bot.knowledge.model import (
    Address,
    Area,
    Geo,
    Knowledge,
    Node,
    Problem,
    Service,
    Status,
    Town,
    VerifiedHow,
    Where,
    first_parents,
)
from bot.knowledge.read_safety import read_crisis, read_emergency
from bot.knowledge.yaml_lines import (
    FILE,
    LINE,
    MAX_FILE_BYTES,
    Entry,
    Unreadable,
    display,
    parse,
    read_text,
)

__all__ = ["MAX_FILE_BYTES", "Unchecked", "read_knowledge"]

FILES = ("towns.yaml", "services.yaml", "tree.yaml", "emergency.yaml", "crisis.yaml")
TOWN_FIELDS = frozenset({"id", "name"})
SERVICE_FIELDS = frozenset(
    {
        "id", "name", "offers", "for_whom", "cost", "hours", "phone", "email", "website",
        "address", "geo", "languages", "area", "towns", "hide_address", "status", "verified",
        "verified_how", "sources", "unverified", "note", "reported",
    }
)  # fmt: skip
NODE_FIELDS = frozenset(
    {
        "id", "title", "text", "children", "services", "by_town", "by_language", "keywords",
        "icon", "visible_until", "women", "emergency", "contact", "fallback", "sources",
    }
)  # fmt: skip


class _Entity(Protocol):
    """A town, service or node: something with an id, written somewhere."""

    @property
    def id(self) -> str: ...

    @property
    def where(self) -> Where: ...


E = TypeVar("E", bound=_Entity)


@dataclass
class Unchecked:
    """What the files said, before cross-checks: the model plus the problems met reading it."""

    knowledge: Knowledge
    problems: list[Problem] = field(default_factory=list)


class Reader(Fields):
    """Turns the knowledge files into model values, collecting problems instead of stopping."""

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.directory = directory

    def parse(self, name: str, what: str, *, required: bool = True) -> Entry | None:
        """The top-level mapping of ``name``, or None (with a problem) if unreadable."""
        path = self.directory / name
        rel = display(path)
        if not path.is_file():
            if required:
                self.problem(rel, 0, "-", f"file is missing (expected {what})")
            return None
        try:
            data, duplicates = parse(read_text(path))
        except Unreadable as exc:
            self.problem(rel, exc.line, "-", exc.message)
            return None
        for line, message in duplicates:
            self.problem(rel, line, "-", message)
        if not isinstance(data, dict):
            self.problem(rel, 1, "-", f"expected {what}")
            return None
        data[FILE] = rel
        return data

    def read_file(self, name: str, key: str) -> list[Entry]:
        """The list under ``key`` in ``name``, or nothing (with a problem) if unreadable."""
        data = self.parse(name, f"a list under '{key}:'")
        return [] if data is None else self.entries(data, key)

    def entries(self, data: Entry, key: str) -> list[Entry]:
        """The mappings listed under ``key`` of a parsed file (problems for anything else)."""
        rel = data[FILE]
        if not isinstance(data.get(key), list):
            self.problem(rel, 1, "-", f"expected a list under '{key}:'")
            return []
        entries: list[Entry] = []
        for index, entry in enumerate(data[key], start=1):
            if not isinstance(entry, dict):
                self.problem(rel, data.get(LINE, 1), "-", f"entry {index} is not a mapping")
                continue
            entry[FILE] = rel
            entries.append(entry)
        return entries

    def town(self, entry: Entry) -> Town | None:
        """One town (None when its id or name is missing)."""
        self.check_fields(entry, TOWN_FIELDS, "a town")
        ident = self.text(entry, "id", required=True)
        name = self.text(entry, "name", required=True)
        if not ident or not name:
            return None
        return Town(ident, name, self.where(entry))

    def service(self, entry: Entry) -> Service | None:
        """One service (None when its id, name or offer is missing)."""
        self.check_fields(entry, SERVICE_FIELDS, "a service")
        ident = self.text(entry, "id", required=True)
        name = self.text(entry, "name", required=True)
        offers = self.text(entry, "offers", required=True)
        if not ident or not name or not offers:
            return None
        phone = self.scalar(entry, "phone")
        verified = self.date(entry, "verified", required=True)
        return Service(
            id=ident,
            name=name,
            offers=offers,
            where=self.where(entry),
            for_whom=self.text(entry, "for_whom"),
            cost=self.text(entry, "cost"),
            hours=self.text(entry, "hours"),
            phone=phone,
            email=self.text(entry, "email"),
            website=self.text(entry, "website"),
            address=self.address(entry),
            geo=self.geo(entry),
            languages=self.strings(entry, "languages"),
            area=self.choice(entry, "area", Area, Area.TOWN),
            towns=self.strings(entry, "towns"),
            hide_address=self.flag(entry, "hide_address"),
            status=self.choice(entry, "status", Status, Status.PARTIAL, required=True),
            verified=verified,
            verified_how=self.choice(entry, "verified_how", VerifiedHow, VerifiedHow.SOURCE),
            sources=self.strings(entry, "sources"),
            unverified=self.strings(entry, "unverified"),
            note=self.text(entry, "note"),
            reported=self.strings(entry, "reported"),
        )

    def address(self, entry: Entry) -> Address | None:
        """A service's postal address (None when absent or incomplete)."""
        raw = self.mapping(entry, "address")
        if raw is None:
            return None
        raw.setdefault("id", entry.get("id"))
        street, postcode, town = (
            self.scalar(raw, k, required=True) for k in ("street", "postcode", "town")
        )
        if not (street and postcode and town):
            return None
        return Address(street, postcode, town)

    def geo(self, entry: Entry) -> Geo | None:
        """A service's coordinates (None when absent or incomplete)."""
        raw = self.mapping(entry, "geo")
        if raw is None:
            return None
        raw.setdefault("id", entry.get("id"))
        lat = self.number(raw, "lat", required=True)
        lon = self.number(raw, "lon", required=True)
        if lat is None or lon is None:
            return None
        return Geo(lat, lon)

    def node(self, entry: Entry) -> Node | None:
        """One node of the tree (None when its id, title or text is missing)."""
        self.check_fields(entry, NODE_FIELDS, "a node")
        ident = self.text(entry, "id", required=True)
        title = self.text(entry, "title", required=True)
        text = self.text(entry, "text", required=True)
        if not ident or not title or not text:
            return None
        return Node(
            id=ident,
            title=title,
            text=text,
            where=self.where(entry),
            children=self.strings(entry, "children"),
            services=self.strings(entry, "services"),
            by_town=self.flag(entry, "by_town"),
            by_language=self.flag(entry, "by_language"),
            keywords=self.text(entry, "keywords"),
            icon=self.text(entry, "icon"),
            visible_until=self.date(entry, "visible_until"),
            women=self.flag(entry, "women"),
            emergency=self.flag(entry, "emergency"),
            contact=self.flag(entry, "contact"),
            fallback=self.strings(entry, "fallback"),
            sources=self.strings(entry, "sources"),
        )

    def collect(self, name: str, key: str, build: Callable[[Entry], E | None]) -> dict[str, E]:
        """Build every entry of a file, reporting duplicate ids."""
        found: dict[str, E] = {}
        for entry in self.read_file(name, key):
            item = build(entry)
            if item is None:
                continue
            if item.id in found:
                first = found[item.id].where
                self.problem(
                    item.where.file, item.where.line, item.id, f"duplicate id (first at {first})"
                )
                continue
            found[item.id] = item
        return found


def read_knowledge(directory: Path) -> Unchecked:
    """Read every knowledge file; problems met while reading are returned, not raised."""
    reader = Reader(directory)
    towns = reader.collect("towns.yaml", "towns", reader.town)
    services = reader.collect("services.yaml", "services", reader.service)
    nodes = reader.collect("tree.yaml", "nodes", reader.node)
    knowledge = Knowledge(
        towns=towns,
        services=services,
        nodes=nodes,
        emergency=read_emergency(reader),
        crisis=read_crisis(reader),
        parents=first_parents(nodes),
    )
    return Unchecked(knowledge, reader.problems)
