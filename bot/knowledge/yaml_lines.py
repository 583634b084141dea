"""Read one knowledge file as plain YAML data that remembers the line of every mapping and key.

Pure apart from reading the file; YAML is parsed with a subclass of ``yaml.SafeLoader``
(safe_load's loader, plus line numbers), never with a loader that builds Python objects.
Whatever goes wrong comes back as (line, message), never as an exception.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# Knowledge files are hand-written: the real ones are under 100 KB. Anything bigger than
# this is refused before parsing (a 50 MB file took 97 s and 3.7 GB to read), and so is
# bracket nesting deeper than MAX_DEPTH (libyaml overflows its stack on very deep nesting).
MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 100
# Keys the loader adds to every mapping: its file, its line, and the line of each key.
FILE = "__file__"
LINE = "__line__"
LINES = "__lines__"

# A parsed YAML mapping, with FILE, LINE and LINES added. YAML gives any shape, so values
# stay ``Any`` here; bot.knowledge.fields turns them into typed values (or problems).
Entry = dict[str, Any]
# A problem met reading a file: its line (0: the whole file) and the message.
Trouble = tuple[int, str]


# libyaml's parser (bundled with PyYAML's wheels) is ~10x faster than the pure-Python one;
# both build only plain data with the SafeConstructor, and both keep line numbers.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeBase):  # type: ignore[valid-type,misc]
    """Safe loader that records the line of every mapping and of each of its keys."""

    duplicates: list[Trouble]


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Entry:
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
    mapping: Entry = {str(k): v for k, v in loader.construct_mapping(node, deep=True).items()}
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


def nesting_problem(text: str) -> Trouble | None:
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


def display(path: Path) -> str:
    """A short path for messages: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class Unreadable(Exception):
    """Why a file cannot be read, with the line to point at (0: the whole file)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def read_text(path: Path) -> str:
    """The file's text; Unreadable when it is too big, unreadable, not UTF-8 or too deep."""
    try:
        size = path.stat().st_size
        raw = path.read_bytes() if size <= MAX_FILE_BYTES else b""
    except OSError as exc:
        raise Unreadable(0, f"cannot be read ({exc.strerror}); check its permissions") from None
    if size > MAX_FILE_BYTES:
        raise Unreadable(
            0,
            f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,} "
            "(README.md, Editing the content); split it or remove what does not belong there",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        raise Unreadable(line, message) from None
    if (deep := nesting_problem(text)) is not None:
        raise Unreadable(*deep)
    return text


def parse(text: str) -> tuple[object, list[Trouble]]:
    """The YAML data of ``text`` and the duplicate keys met; Unreadable when it is not YAML."""
    loader = _LineLoader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise Unreadable(line, f"not valid YAML: {exc.problem or exc}") from None
    except (yaml.YAMLError, RecursionError, TypeError, ValueError) as exc:
        # Whatever else the parser meets: one line naming the file, never a traceback.
        message = f"cannot be read as YAML ({type(exc).__name__}: {exc})"
        raise Unreadable(0, message) from None
    finally:
        loader.dispose()
    return data, list(loader.duplicates)
