"""Read ``knowledge/*.yaml`` into the model, remembering file and line of everything.

Pure apart from reading the files; YAML is parsed with a subclass of ``yaml.SafeLoader``
(safe_load's loader, plus line numbers), never with a loader that builds Python objects.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.model import (
    ERROR,
    Address,
    Concept,
    Crisis,
    CrisisKind,
    CrisisRule,
    Emergency,
    Geo,
    Knowledge,
    Node,
    Problem,
    Service,
    Town,
    Where,
    first_parents,
)

# Knowledge files are hand-written: the real ones are under 100 KB. Anything bigger than
# this is refused before parsing (a 50 MB file took 97 s and 3.7 GB to read), and so is
# bracket nesting deeper than MAX_DEPTH (libyaml overflows its stack on very deep nesting).
MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 100
LINE = "__line__"
LINES = "__lines__"
FILES = ("towns.yaml", "services.yaml", "tree.yaml", "emergency.yaml", "crisis.yaml")

TOWN_FIELDS = frozenset({"id", "name"})
SERVICE_FIELDS = frozenset(
    {
        "id", "name", "offers", "for_whom", "cost", "hours", "phone", "email", "website",
        "address", "geo", "languages", "area", "towns", "hide_address", "status", "verified",
        "verified_how", "sources", "unverified", "note", "reported",
    }
)  # fmt: skip
CONCEPT_FIELDS = frozenset({"about", "negatable"})
LANG_CODE = re.compile(r"^[a-z]{2,3}$")
RULE_FIELDS = frozenset({"kind", "sure", "all", "any", "none"})
NODE_FIELDS = frozenset(
    {
        "id", "title", "text", "children", "services", "by_town", "by_language", "keywords",
        "icon", "visible_until", "women", "emergency", "contact", "fallback", "sources",
    }
)  # fmt: skip


# libyaml's parser (bundled with PyYAML's wheels) is ~10x faster than the pure-Python one;
# both build only plain data with the SafeConstructor, and both keep line numbers.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeBase):  # type: ignore[valid-type,misc]
    """Safe loader that records the line of every mapping and of each of its keys."""

    duplicates: list[tuple[int, str]]


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    seen: dict[Any, int] = {}
    lines: dict[str, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "a list or mapping cannot be a key: use a word", key_node.start_mark
            )
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in seen:
            loader.duplicates.append(
                (line, f"key {key!r} appears twice (first on line {seen[key]})")
            )
        seen[key] = line
        lines[str(key)] = line
    mapping: dict[str, Any] = {
        str(k): v for k, v in loader.construct_mapping(node, deep=True).items()
    }
    mapping[LINE] = node.start_mark.line + 1
    mapping[LINES] = lines
    return mapping


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"impossible date {node.value!r} ({exc}); write it as YYYY-MM-DD",
            node.start_mark,
        ) from None


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def nesting_problem(text: str) -> tuple[int, str] | None:
    """Line and message when brackets nest deeper than MAX_DEPTH (checked before parsing)."""
    depth, line, quote = 0, 1, ""
    previous = "\n"
    for char in text:
        if char == "\n":
            line += 1
            if quote == "#":
                quote = ""
        elif quote == "#":
            pass
        elif quote:
            if char == quote and previous != "\\":
                quote = ""
        elif char in "'\"" and previous in " \t\n[{,:":
            quote = char
        elif char == "#" and previous in " \t\n":
            quote = "#"
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line, f"nested more than {MAX_DEPTH} levels deep; flatten the structure"
        elif char in "]}":
            depth = max(0, depth - 1)
        previous = char
    return None


@dataclass
class Source:
    """What the files said, before cross-checks: the model plus the problems met reading it."""

    knowledge: Knowledge
    problems: list[Problem] = field(default_factory=list)


class _Reader:
    """Turns parsed YAML into model values, collecting problems instead of stopping."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.problems: list[Problem] = []

    def problem(self, file: str, line: int, ident: str, message: str) -> None:
        self.problems.append(Problem(file, line, ident, message, ERROR))

    def parse(self, name: str, what: str, *, required: bool = True) -> dict[str, Any] | None:
        """The top-level mapping of ``name``, or None (with a problem) if unreadable."""
        path = self.directory / name
        rel = _display(path)
        if not path.is_file():
            if required:
                self.problem(rel, 0, "-", f"file is missing (expected {what})")
            return None
        try:
            size = path.stat().st_size
            raw = path.read_bytes() if size <= MAX_FILE_BYTES else b""
        except OSError as exc:
            self.problem(rel, 0, "-", f"cannot be read ({exc.strerror}); check its permissions")
            return None
        if size > MAX_FILE_BYTES:
            self.problem(
                rel, 0, "-",
                f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,} "
                "(README.md, Editing the content); split it or remove what does not belong there",
            )  # fmt: skip
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.problem(
                rel, line, "-",
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            )  # fmt: skip
            return None
        if (deep := nesting_problem(text)) is not None:
            self.problem(rel, deep[0], "-", deep[1])
            return None
        loader = _LineLoader(text)
        loader.duplicates = []
        try:
            data = loader.get_single_data()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 0
            self.problem(rel, line, "-", f"not valid YAML: {exc.problem or exc}")
            return None
        except (yaml.YAMLError, RecursionError, TypeError, ValueError) as exc:
            # Whatever else the parser meets: one line naming the file, never a traceback.
            self.problem(rel, 0, "-", f"cannot be read as YAML ({type(exc).__name__}: {exc})")
            return None
        finally:
            loader.dispose()
        for line, message in loader.duplicates:
            self.problem(rel, line, "-", message)
        if not isinstance(data, dict):
            self.problem(rel, 1, "-", f"expected {what}")
            return None
        data["__file__"] = rel
        return data

    def read_file(self, name: str, key: str, *, required: bool = True) -> list[dict[str, Any]]:
        """The list under ``key`` in ``name``, or nothing (with a problem) if unreadable."""
        data = self.parse(name, f"a list under '{key}:'", required=required)
        return [] if data is None else self.entries(data, key)

    def entries(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        """The mappings listed under ``key`` of a parsed file (problems for anything else)."""
        rel = data["__file__"]
        if not isinstance(data.get(key), list):
            self.problem(rel, 1, "-", f"expected a list under '{key}:'")
            return []
        entries: list[dict[str, Any]] = []
        for index, entry in enumerate(data[key], start=1):
            if not isinstance(entry, dict):
                self.problem(rel, data.get(LINE, 1), "-", f"entry {index} is not a mapping")
                continue
            entry["__file__"] = rel
            entries.append(entry)
        return entries

    def check_fields(self, entry: Mapping[str, Any], allowed: frozenset[str], what: str) -> None:
        for key in entry:
            if key.startswith("__"):
                continue
            if key not in allowed:
                self.problem(
                    entry["__file__"],
                    entry[LINES].get(key, entry[LINE]),
                    str(entry.get("id", "-")),
                    f"unknown field '{key}' in {what} (allowed: {', '.join(sorted(allowed))})",
                )

    def get(
        self,
        entry: Mapping[str, Any],
        key: str,
        kind: type | tuple[type, ...],
        default: Any = None,
        *,
        required: bool = False,
    ) -> Any:
        """A field of the expected type, or ``default`` (with a problem when wrong)."""
        ident = str(entry.get("id", "-"))
        line = entry[LINES].get(key, entry[LINE])
        if key not in entry or entry[key] is None:
            if required:
                self.problem(entry["__file__"], entry[LINE], ident, f"'{key}' is required")
            return default
        value = entry[key]
        if isinstance(value, bool) and kind in (int, float):
            value = None
        if not isinstance(value, kind):
            names = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            self.problem(entry["__file__"], line, ident, f"'{key}' must be {_an(names)}")
            return default
        if isinstance(value, str):
            return value.strip()
        return value

    def strings(self, entry: Mapping[str, Any], key: str) -> tuple[str, ...]:
        """A list of strings (a single string counts as a list of one)."""
        value = self.get(entry, key, (list, str), [])
        items = [value] if isinstance(value, str) else value
        ok = tuple(str(v).strip() for v in items if isinstance(v, str | int) and str(v).strip())
        if len(ok) != len(items):
            ident = str(entry.get("id", "-"))
            line = entry[LINES].get(key, entry[LINE])
            self.problem(entry["__file__"], line, ident, f"'{key}' must be a list of words")
        return ok

    def where(self, entry: Mapping[str, Any]) -> Where:
        return Where(entry["__file__"], entry[LINE])

    def town(self, entry: dict[str, Any]) -> Town | None:
        self.check_fields(entry, TOWN_FIELDS, "a town")
        ident = self.get(entry, "id", str, required=True)
        name = self.get(entry, "name", str, required=True)
        if not ident or not name:
            return None
        return Town(ident, name, self.where(entry))

    def service(self, entry: dict[str, Any]) -> Service | None:
        self.check_fields(entry, SERVICE_FIELDS, "a service")
        ident = self.get(entry, "id", str, required=True)
        name = self.get(entry, "name", str, required=True)
        offers = self.get(entry, "offers", str, required=True)
        if not ident or not name or not offers:
            return None
        phone = self.get(entry, "phone", (str, int), "")
        verified = self.get(entry, "verified", dt.date, required=True)
        return Service(
            id=ident,
            name=name,
            offers=offers,
            where=self.where(entry),
            for_whom=self.get(entry, "for_whom", str, ""),
            cost=self.get(entry, "cost", str, ""),
            hours=self.get(entry, "hours", str, ""),
            phone=str(phone).strip(),
            email=self.get(entry, "email", str, ""),
            website=self.get(entry, "website", str, ""),
            address=self.address(entry),
            geo=self.geo(entry),
            languages=self.strings(entry, "languages"),
            area=self.get(entry, "area", str, "town"),
            towns=self.strings(entry, "towns"),
            hide_address=bool(self.get(entry, "hide_address", bool, False)),
            status=self.get(entry, "status", str, "", required=True),
            verified=verified,
            verified_how=self.get(entry, "verified_how", str, "source"),
            sources=self.strings(entry, "sources"),
            unverified=self.strings(entry, "unverified"),
            note=self.get(entry, "note", str, ""),
            reported=self.strings(entry, "reported"),
        )

    def address(self, entry: dict[str, Any]) -> Address | None:
        raw = self.get(entry, "address", dict)
        if raw is None:
            return None
        raw["__file__"] = entry["__file__"]
        raw.setdefault("id", entry.get("id"))
        parts = [
            self.get(raw, k, (str, int), required=True) for k in ("street", "postcode", "town")
        ]
        if not all(parts):
            return None
        street, postcode, town = (str(p).strip() for p in parts)
        return Address(street, postcode, town)

    def geo(self, entry: dict[str, Any]) -> Geo | None:
        raw = self.get(entry, "geo", dict)
        if raw is None:
            return None
        raw["__file__"] = entry["__file__"]
        raw.setdefault("id", entry.get("id"))
        lat = self.get(raw, "lat", (int, float), required=True)
        lon = self.get(raw, "lon", (int, float), required=True)
        if lat is None or lon is None:
            return None
        return Geo(float(lat), float(lon))

    def node(self, entry: dict[str, Any]) -> Node | None:
        self.check_fields(entry, NODE_FIELDS, "a node")
        ident = self.get(entry, "id", str, required=True)
        title = self.get(entry, "title", str, required=True)
        text = self.get(entry, "text", str, required=True)
        if not ident or not title or not text:
            return None
        return Node(
            id=ident,
            title=title,
            text=text,
            where=self.where(entry),
            children=self.strings(entry, "children"),
            services=self.strings(entry, "services"),
            by_town=bool(self.get(entry, "by_town", bool, False)),
            by_language=bool(self.get(entry, "by_language", bool, False)),
            keywords=self.get(entry, "keywords", str, ""),
            icon=self.get(entry, "icon", str, ""),
            visible_until=self.get(entry, "visible_until", dt.date),
            women=bool(self.get(entry, "women", bool, False)),
            emergency=bool(self.get(entry, "emergency", bool, False)),
            contact=bool(self.get(entry, "contact", bool, False)),
            fallback=self.strings(entry, "fallback"),
            sources=self.strings(entry, "sources"),
        )

    def emergency(self) -> Emergency:
        """The emergency screen and the services that go first per kind."""
        name = "emergency.yaml"
        data = self.parse(name, "'screen:' and 'first:'")
        if data is None:
            return Emergency()
        data.setdefault("id", "emergency")
        rel = data["__file__"]
        where = {"screen": Where(rel, data[LINES].get("screen", 1))}
        services = self.strings(data, "screen")
        by_kind: dict[str, tuple[str, ...]] = {}
        first = self.get(data, "first", dict, {})
        if first:
            first["__file__"], first["id"] = rel, "emergency"
            for kind in first:
                if not kind.startswith("__") and kind != "id":
                    by_kind[kind] = self.strings(first, kind)
                    where[kind] = Where(rel, first[LINES].get(kind, first[LINE]))
        lines = self.emergency_lines(data, where)
        return Emergency(services=services, by_kind=by_kind, where=where, **lines)

    def emergency_lines(self, data: dict[str, Any], where: dict[str, Where]) -> dict[str, Any]:
        """The screen's lines per kind and town or language, and the nodes one tap away."""
        rel = data["__file__"]
        tables: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {}
        for key in ("towns", "languages"):
            tables[key] = {}
            outer = self.get(data, key, dict, {})
            for kind, inner in (outer or {}).items():
                if kind.startswith("__"):
                    continue
                line = Where(rel, outer[LINES].get(kind, outer[LINE]))
                where[f"{key}:{kind}"] = line
                if not isinstance(inner, dict):
                    self.problem(rel, line.line, "emergency", f"{key}: {kind}: expected a mapping")
                    continue
                inner["__file__"], inner["id"] = rel, "emergency"
                tables[key][kind] = {
                    k: self.strings(inner, k)
                    for k in inner
                    if not k.startswith("__") and k != "id"
                }
        nearby: dict[str, str] = {}
        table = self.get(data, "nearby", dict, {})
        for kind, node in (table or {}).items():
            if not kind.startswith("__"):
                nearby[kind] = str(node)
                where[f"nearby:{kind}"] = Where(rel, table[LINES].get(kind, table[LINE]))
        for key in ("all", "safety"):
            where[key] = Where(rel, data[LINES].get(key, 1))
        return {
            "by_town": tables["towns"],
            "by_language": tables["languages"],
            "everything": self.get(data, "all", str, ""),
            "safety": self.get(data, "safety", str, ""),
            "nearby": nearby,
        }

    def crisis(self) -> Crisis:
        """What counts as danger: concepts with every language's terms, negation, rules."""
        data = self.parse("crisis.yaml", "'negation:', 'concepts:' and 'rules:'")
        if data is None:
            return Crisis()
        rel = data["__file__"]
        where = {key: Where(rel, data[LINES].get(key, 1)) for key in ("concepts", "rules")}
        negation: dict[str, tuple[str, ...]] = {}
        table = self.get({**data, "id": "negation"}, "negation", dict, {})
        if table:
            table["__file__"], table["id"] = rel, "negation"
            for lang in table:
                if not lang.startswith("__") and lang != "id":
                    negation[lang] = self.strings(table, lang)
        concepts: dict[str, Concept] = {}
        table = self.get({**data, "id": "concepts"}, "concepts", dict, {})
        for name, entry in (table or {}).items():
            if name.startswith("__"):
                continue
            line = Where(rel, table[LINES].get(name, table[LINE]))
            if not isinstance(entry, dict):
                self.problem(rel, line.line, name, "a concept must be a mapping of languages")
                continue
            entry["__file__"], entry["id"] = rel, name
            for key in entry:
                known = key.startswith("__") or key in (*CONCEPT_FIELDS, "id")
                if not known and not LANG_CODE.match(key):
                    self.problem(
                        rel,
                        entry[LINES].get(key, entry[LINE]),
                        name,
                        f"unknown field '{key}' in a concept (allowed: about, negatable, "
                        "and language codes)",
                    )
            terms = {
                lang: self.strings(entry, lang)
                for lang in entry
                if not lang.startswith("__")
                and lang not in (*CONCEPT_FIELDS, "id")
                and LANG_CODE.match(lang)
            }
            concepts[name] = Concept(
                name=name,
                about=self.get(entry, "about", str, ""),
                terms=terms,
                where={lang: Where(rel, entry[LINES].get(lang, entry[LINE])) for lang in terms},
                negatable=bool(self.get(entry, "negatable", bool, False)),
                line=line,
            )
        rules: list[CrisisRule] = []
        for entry in self.entries(data, "rules") if "rules" in data else []:
            entry.setdefault("id", "rule")
            self.check_fields(entry, RULE_FIELDS | {"id"}, "a rule")
            kind = self.get(entry, "kind", str, required=True)
            if not kind:
                continue
            if kind not in tuple(CrisisKind):
                known = ", ".join(CrisisKind)
                self.problem(rel, entry[LINE], "rule", f"unknown kind '{kind}' (one of {known})")
                continue
            rules.append(
                CrisisRule(
                    kind=CrisisKind(kind),
                    sure=bool(self.get(entry, "sure", bool, False)),
                    all=self.strings(entry, "all"),
                    any=self.strings(entry, "any"),
                    none=self.strings(entry, "none"),
                    where=self.where(entry),
                )
            )
        if "rules" not in data:
            self.problem(rel, 1, "-", "expected a list under 'rules:'")
        return Crisis(concepts=concepts, negation=negation, rules=tuple(rules), where=where)

    def collect(
        self, name: str, key: str, build: Callable[[dict[str, Any]], Any]
    ) -> dict[str, Any]:
        """Build every entry of a file, reporting duplicate ids."""
        found: dict[str, Any] = {}
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


def _an(noun: str) -> str:
    article = {"str": "text", "list": "a list", "dict": "a mapping", "date": "a date (YYYY-MM-DD)"}
    return " or ".join(article.get(n, f"a {n}") for n in noun.split(" or "))


def _display(path: Path) -> str:
    """A short path for messages: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_knowledge(directory: Path) -> Source:
    """Read every knowledge file; problems met while reading are returned, not raised."""
    reader = _Reader(directory)
    towns = reader.collect("towns.yaml", "towns", reader.town)
    services = reader.collect("services.yaml", "services", reader.service)
    nodes = reader.collect("tree.yaml", "nodes", reader.node)
    emergency = reader.emergency()
    crisis = reader.crisis()
    knowledge = Knowledge(
        towns=towns,
        services=services,
        nodes=nodes,
        emergency=emergency,
        crisis=crisis,
        parents=first_parents(nodes),
    )
    return Source(knowledge, reader.problems)
