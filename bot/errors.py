"""The exception tree of Lotse. Every error the bot raises on purpose is one of these.

::

    LotseError                 base of everything below
    ├── ConfigError            a setting is missing or malformed (names the variable)
    ├── KnowledgeError         knowledge/ has errors; carries every Problem found
    ├── StorageError           the database cannot be opened at all (names file or server)
    ├── DatabaseFault          the database failed during use (locked, full, server gone);
    │                          the driver's error is the cause; the next statement retries
    ├── CatalogError           a gettext catalog cannot be read (names file and line)
    └── FlyerError             a flyer cannot be made as asked (unknown topic, too many …)

The storage backends turn their driver's errors during use (sqlite3, asyncpg) into
``DatabaseFault``, so a shell catches one thing whichever database runs; telegram's errors
stay inside ``bot.tg``.
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
    """The database cannot be opened: a folder, an unreadable file, an unreachable server."""


class DatabaseFault(LotseError):
    """A statement failed during use (locked, disk full, server restarted); nothing committed."""


class CatalogError(LotseError):
    """A translation catalog cannot be read."""


class FlyerError(LotseError):
    """A flyer cannot be made as asked; the message says why."""
