"""What a database backend offers the storage: statements with ``?`` parameters, a
transaction, migrations. No SQL of the bot's own here.

Two backends implement it: ``bot.storage.sqlite`` (aiosqlite, the embedded default) and
``bot.storage.postgres`` (asyncpg with a pool, for several workers). Every driver error
during use leaves a backend as ``bot.errors.DatabaseFault`` (the cause attached), so the
shells catch one thing whichever database runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

Row = tuple[Any, ...]
Params = Sequence[object]


class Session(Protocol):
    """Statements inside one transaction (see ``Backend.transaction``)."""

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; how many rows it changed."""
        ...

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Run one query (or a statement with RETURNING); its rows."""
        ...

    async def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        """Run one statement once per row of parameters, in one trip to the database."""
        ...


class Backend(Session, Protocol):
    """One database. ``execute``/``fetchall`` outside a transaction commit at once."""

    name: str
    # What orders rows as they were inserted, where a table has no key of its own.
    insertion_order: str

    def transaction(self) -> AbstractAsyncContextManager[Session]:
        """Statements that commit together, or not at all."""
        ...

    async def migrate(self, migrations: Sequence[str]) -> int:
        """Bring the schema up to ``len(migrations)``; the version it was at before."""
        ...

    async def after_delete(self) -> None:
        """Leave no readable copy of rows just deleted (SQLite: empty the WAL)."""
        ...

    async def close(self) -> None:
        """Close every connection."""
        ...
