"""The PostgreSQL backend: asyncpg with a connection pool, for several workers on one
database. The only module that imports asyncpg.

Why asyncpg: an asyncio driver with its own pool and prepared-statement cache, wheels with
no libpq to install, well kept; psycopg 3 would need psycopg-pool and libpq besides. No ORM:
the bot's SQL is a few dozen portable statements (bot/storage/schema.py).

The storage's ``?`` placeholders become ``$1 .. $n`` here. A server that goes away (restart,
failover) makes the statements in flight fail as ``DatabaseFault``; the pool then drops every
old connection, and the next statement connects anew. Unlike SQLite, PostgreSQL does not
overwrite a deleted row at once: VACUUM (autovacuum) frees it later, so run it on an
encrypted disk (README, "Production").
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import asyncpg

from bot.errors import DatabaseFault, StorageError
from bot.storage.backend import Params, Row, Session

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    Conn = PoolConnectionProxy[Any]

# Both are what asyncpg raises when the connection or the server is gone.
_DRIVER_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    OSError,
    asyncio.TimeoutError,
)
_LOST = (
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.AdminShutdownError,
    asyncpg.CannotConnectNowError,
    asyncpg.ConnectionFailureError,
    OSError,
)
# Takes the schema lock while migrating, so that workers starting together migrate once.
MIGRATION_LOCK = 0x4C6F747365  # "Lotse"
POOL_SIZE = 10
CONNECT_TIMEOUT = 5.0
STATEMENT_TIMEOUT = 30.0
_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\?")


@functools.lru_cache(maxsize=512)
def dollar_params(sql: str) -> str:
    """``?`` placeholders (outside string literals) as PostgreSQL's ``$1 .. $n``."""
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        if match.group() != "?":
            return match.group()
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)


def _rowcount(status: str) -> int:
    """Rows changed, from a command tag such as ``INSERT 0 1`` or ``DELETE 3``."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


def redact(url: str) -> str:
    """The URL without its password, for error messages."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{user}{host}{port}{parts.path}"


class _Session:
    def __init__(self, backend: PostgresBackend, conn: Conn) -> None:
        self._backend = backend
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        try:
            status = await self._conn.execute(dollar_params(sql), *params)
        except _DRIVER_ERRORS as exc:
            raise await self._backend.fault(exc) from exc
        return _rowcount(status)

    async def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        try:
            await self._conn.executemany(dollar_params(sql), [tuple(row) for row in rows])
        except _DRIVER_ERRORS as exc:
            raise await self._backend.fault(exc) from exc

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        try:
            records = await self._conn.fetch(dollar_params(sql), *params)
        except _DRIVER_ERRORS as exc:
            raise await self._backend.fault(exc) from exc
        return [tuple(r) for r in records]


class PostgresBackend:
    """One PostgreSQL database through a pool of connections."""

    name = "postgresql"
    # No rowid: the physical position keeps the order of insert-only rows.
    insertion_order = "ctid"

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self.pool = pool
        self.url = url

    @classmethod
    async def open(cls, url: str, *, pool_size: int = POOL_SIZE) -> PostgresBackend:
        """Connect a pool; StorageError naming the server (never the password) if it fails."""
        try:
            pool = await asyncpg.create_pool(
                url,
                min_size=1,
                max_size=pool_size,
                timeout=CONNECT_TIMEOUT,
                command_timeout=STATEMENT_TIMEOUT,
            )
        except (*_DRIVER_ERRORS, ValueError) as exc:
            raise StorageError(_cannot_connect(url, exc)) from None
        return cls(pool, url)

    async def fault(self, exc: BaseException) -> DatabaseFault:
        """The DatabaseFault for a driver error; a lost server also empties the pool."""
        if isinstance(exc, _LOST):
            # Every other pooled connection died with it: reconnect them on next use rather
            # than let each fail one more user.
            await self.pool.expire_connections()
        return DatabaseFault(f"{type(exc).__name__}: {exc}")

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Conn]:
        try:
            conn = await self.pool.acquire()
        except _DRIVER_ERRORS as exc:
            raise await self.fault(exc) from exc
        try:
            yield conn
        finally:
            # A connection broken with the server is closed by the pool, which raises the
            # reason again; the statement's own error (or its result) is what counts.
            with suppress(*_DRIVER_ERRORS):
                await self.pool.release(conn)

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._connection() as conn:
            return await _Session(self, conn).execute(sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._connection() as conn:
            return await _Session(self, conn).fetchall(sql, params)

    async def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        async with self.transaction() as session:  # all rows or none, as on SQLite
            await session.executemany(sql, rows)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        async with self._connection() as conn:
            transaction = conn.transaction()
            try:
                await transaction.start()
            except _DRIVER_ERRORS as exc:
                raise await self.fault(exc) from exc
            try:
                yield _Session(self, conn)
            except BaseException:
                if not conn.is_closed():
                    with suppress(*_DRIVER_ERRORS):
                        await transaction.rollback()
                raise
            try:
                await transaction.commit()
            except _DRIVER_ERRORS as exc:
                raise await self.fault(exc) from exc

    async def migrate(self, migrations: Sequence[str]) -> int:
        try:
            async with self.pool.acquire() as conn:
                await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
                try:
                    return await _migrate(conn, migrations)
                finally:
                    await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
        except _DRIVER_ERRORS as exc:
            raise StorageError(_cannot_connect(self.url, exc)) from None

    async def after_delete(self) -> None:
        """Nothing to do at once: autovacuum frees deleted rows (see the module docstring)."""

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.pool.close(), CONNECT_TIMEOUT)
        except (*_DRIVER_ERRORS, TimeoutError):
            self.pool.terminate()


async def _migrate(conn: Conn, migrations: Sequence[str]) -> int:
    await conn.execute("CREATE TABLE IF NOT EXISTS lotse_schema (version INTEGER NOT NULL)")
    before = await conn.fetchval("SELECT version FROM lotse_schema")
    if before is None:
        await conn.execute("INSERT INTO lotse_schema (version) VALUES (0)")
        before = 0
    for version in range(int(before), len(migrations)):
        async with conn.transaction():
            # No arguments: the simple protocol runs the whole script.
            await conn.execute(migrations[version])
            await conn.execute("UPDATE lotse_schema SET version = $1", version + 1)
    return int(before)


def _cannot_connect(url: str, exc: BaseException) -> str:
    reason = str(exc) or type(exc).__name__
    return (
        f"{redact(url)}: cannot use the PostgreSQL database ({reason}); check that the server "
        "runs and LOTSE_DB (host, port, database, user, password)"
    )
