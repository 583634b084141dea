"""The exception tree of Lotse. Every error the bot raises on purpose is one of these.

::

    LotseError                 base of everything below
    ├── ConfigError            a setting is missing or malformed (names the variable)
    ├── KnowledgeError         knowledge/ has errors; carries every Problem found
    ├── StorageError           the database file cannot be opened at all (names the file)
    ├── CatalogError           a gettext catalog cannot be read (names file and line)
    └── FlyerError             a flyer cannot be made as asked (unknown topic, too many …)

sqlite3's own errors during use are not wrapped (aiosqlite re-raises them as they are);
telegram's errors stay inside ``bot.tg``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.knowledge.model import Problem


class LotseError(Exception):
    """Base class of every error Lotse raises on purpose."""


class ConfigError(LotseError):
    """A setting is missing or malformed."""


class KnowledgeError(LotseError):
    """The knowledge files contain errors; ``problems`` lists all of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"knowledge has {len(self.problems)} problem(s):\n{lines}")


class StorageError(LotseError):
    """The database file is missing its folder, is a folder, or is not a readable database."""


class CatalogError(LotseError):
    """A translation catalog cannot be read."""


class FlyerError(LotseError):
    """A flyer cannot be made as asked; the message says why."""
