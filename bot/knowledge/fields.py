"""Typed fields out of parsed YAML: text, flags, dates, numbers, word lists, kinds. Pure.

Each getter returns a value of the type the model wants, or a default and a problem told
like a compiler message; nothing past here sees YAML's ``Any``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar

from bot.knowledge.model import Problem, Severity, Where
from bot.knowledge.yaml_lines import FILE, LINE, LINES, Entry

K = TypeVar("K", bound=StrEnum)
_NAMES = {"str": "text", "list": "a list", "dict": "a mapping", "date": "a date (YYYY-MM-DD)"}


class Fields:
    """Reads fields of parsed entries, collecting problems instead of stopping."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, file: str, line: int, ident: str, message: str) -> None:
        """Record an error at ``file:line`` about ``ident``."""
        self.problems.append(Problem(file, line, ident, message, Severity.ERROR))

    def where(self, entry: Mapping[str, Any]) -> Where:
        """Where an entry was written."""
        return Where(entry[FILE], entry[LINE])

    def check_fields(self, entry: Mapping[str, Any], allowed: frozenset[str], what: str) -> None:
        """A problem for each field that is not one of ``allowed`` (a typo, mostly)."""
        for key in entry:
            if key.startswith("__"):
                continue
            if key not in allowed:
                self.problem(
                    entry[FILE],
                    entry[LINES].get(key, entry[LINE]),
                    str(entry.get("id", "-")),
                    f"unknown field '{key}' in {what} (allowed: {', '.join(sorted(allowed))})",
                )

    def _value(
        self, entry: Mapping[str, Any], key: str, kinds: tuple[type, ...], *, required: bool
    ) -> object:
        """The field if it is one of ``kinds``, else None (with a problem when wrong)."""
        ident = str(entry.get("id", "-"))
        if key not in entry or entry[key] is None:
            if required:
                self.problem(entry[FILE], entry[LINE], ident, f"'{key}' is required")
            return None
        value = entry[key]
        # YAML's true/false are ints to Python: never a number here.
        numeric = (int in kinds or float in kinds) and bool not in kinds
        if (numeric and isinstance(value, bool)) or not isinstance(value, kinds):
            names = " or ".join(_NAMES.get(k.__name__, f"a {k.__name__}") for k in kinds)
            line = entry[LINES].get(key, entry[LINE])
            self.problem(entry[FILE], line, ident, f"'{key}' must be {names}")
            return None
        return value.strip() if isinstance(value, str) else value

    def text(self, entry: Mapping[str, Any], key: str, *, required: bool = False) -> str:
        """A text field ("" when absent or wrong)."""
        value = self._value(entry, key, (str,), required=required)
        return value if isinstance(value, str) else ""

    def scalar(self, entry: Mapping[str, Any], key: str, *, required: bool = False) -> str:
        """A field written as text or as a number (a phone number, a postcode)."""
        value = self._value(entry, key, (str, int), required=required)
        return str(value).strip() if value is not None else ""

    def flag(self, entry: Mapping[str, Any], key: str) -> bool:
        """A true/false field (false when absent or wrong)."""
        return self._value(entry, key, (bool,), required=False) is True

    def date(
        self, entry: Mapping[str, Any], key: str, *, required: bool = False
    ) -> dt.date | None:
        """A date field (YYYY-MM-DD)."""
        value = self._value(entry, key, (dt.date,), required=required)
        return value if isinstance(value, dt.date) else None

    def number(
        self, entry: Mapping[str, Any], key: str, *, required: bool = False
    ) -> float | None:
        """A number field (coordinates)."""
        value = self._value(entry, key, (int, float), required=required)
        return float(value) if isinstance(value, int | float) else None

    def mapping(self, entry: Mapping[str, Any], key: str) -> Entry | None:
        """A nested mapping, marked with its file so its own problems say where."""
        value = self._value(entry, key, (dict,), required=False)
        if not isinstance(value, dict):
            return None
        value[FILE] = entry[FILE]
        return value

    def strings(self, entry: Mapping[str, Any], key: str) -> tuple[str, ...]:
        """A list of strings (a single string counts as a list of one)."""
        value = self._value(entry, key, (list, str), required=False)
        items: list[object] = [value] if isinstance(value, str) else []
        if isinstance(value, list):
            items = list(value)
        ok = tuple(str(v).strip() for v in items if isinstance(v, str | int) and str(v).strip())
        if len(ok) != len(items):
            ident = str(entry.get("id", "-"))
            line = entry[LINES].get(key, entry[LINE])
            self.problem(entry[FILE], line, ident, f"'{key}' must be a list of words")
        return ok

    def choice(
        self,
        entry: Mapping[str, Any],
        key: str,
        kind: type[K],
        default: K,
        *,
        required: bool = False,
    ) -> K:
        """A field that names one of a fixed set of kinds (an area, a status)."""
        value = self.text(entry, key, required=required)
        if not value:
            return default
        try:
            return kind(value)
        except ValueError:
            known = ", ".join(kind)
            self.problem(
                entry[FILE], entry[LINE], str(entry.get("id", "-")),
                f"{key} must be one of {known}, not '{value}'",
            )  # fmt: skip
            return default
