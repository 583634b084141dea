"""The SQLite backend: one file, one aiosqlite connection, WAL. The only module that
imports aiosqlite or sqlite3.

The file and its side files are created 0600, deleted rows are overwritten
(``secure_delete``) and the WAL is emptied after a deletion, so nothing deleted stays
readable. sqlite3's errors during use leave as ``DatabaseFault`` with the original as the
cause; a file that cannot be opened at all is a ``StorageError`` naming it.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import sqlite3
import stat
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.errors import DatabaseFault, StorageError
from bot.storage.backend import Params, Row, Session

log = logging.getLogger(__name__)
PRIVATE = 0o600
SIDE_FILES = ("-wal", "-shm", "-journal")
# Commits only append to the WAL; copying it into the file (a checkpoint, with an fsync) took
# 15-20 ms on the development machine, and SQLite does it every 1,000 pages on the connection
# that commits, so every statement queued behind that commit waited too: at 100 updates/s a
# stall every few seconds, the slowest 1 % of answers. So commits never checkpoint here
# (wal_autocheckpoint=0); after every CHECKPOINT_EVERY statements a connection of its own
# does it in another thread, PASSIVE (it waits for no reader or writer, and none waits for
# it). Deletions still empty the WAL at once (``after_delete``).
CHECKPOINT_EVERY = 200


class _Session:
    """Statements on the connection while the backend's lock is held."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db

    async def execute(self, sql: str, params: Params = ()) -> int:
        try:
            cursor = await self._db.execute(sql, tuple(params))
        except sqlite3.Error as exc:
            raise DatabaseFault(str(exc)) from exc
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        try:
            await self._db.executemany(sql, [tuple(row) for row in rows])
        except sqlite3.Error as exc:
            raise DatabaseFault(str(exc)) from exc

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        try:
            # One trip to aiosqlite's thread, not three (execute, fetch, close): every update
            # reads the chat's state, and each trip costs about 0.2 ms on a busy machine.
            return [tuple(r) for r in await self._db.execute_fetchall(sql, tuple(params))]
        except sqlite3.Error as exc:
            raise DatabaseFault(str(exc)) from exc


async def _wal(db: aiosqlite.Connection, tries: int = 100) -> None:
    """Switch to WAL. Workers opening a new file together race for this switch, and SQLite
    answers "locked" at once instead of waiting (to avoid a deadlock): try again shortly."""
    for attempt in range(tries):
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == tries - 1:
                raise
            await asyncio.sleep(0.05)


class SQLiteBackend:
    """One SQLite file. A lock keeps one coroutine's transaction apart from another's."""

    name = "sqlite"
    insertion_order = "rowid"

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self.connection = db
        self.path = path
        self._lock = asyncio.Lock()
        self._session = _Session(db)
        self._statements = 0
        self._checkpoint: asyncio.Future[None] | None = None
        self._checkpointer: sqlite3.Connection | None = None

    @classmethod
    async def open(cls, path: Path) -> SQLiteBackend:
        """Open (creating it 0600 if missing) and check the file; StorageError if unusable."""
        _prepare(path)
        try:
            # Autocommit: a statement on its own commits by itself, one trip to aiosqlite's
            # thread instead of two (execute, commit); ``transaction`` says BEGIN itself.
            db = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageError(_cannot_open(path, exc)) from None
        try:
            await db.execute("PRAGMA busy_timeout=5000")
            await _wal(db)
            await db.execute("PRAGMA synchronous=NORMAL")
            await db.execute("PRAGMA wal_autocheckpoint=0")  # see CHECKPOINT_EVERY
            # Deleted rows are overwritten with zeros, not just marked free.
            await db.execute("PRAGMA secure_delete=ON")
            await _check(db)
        except sqlite3.DatabaseError as exc:
            await db.close()
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise DatabaseFault(str(exc)) from exc
            raise StorageError(_cannot_open(path, exc)) from None
        except BaseException:
            await db.close()
            raise
        _tighten(path)
        return cls(db, path)

    async def execute(self, sql: str, params: Params = ()) -> int:
        self._count()
        async with self._lock:
            return await self._session.execute(sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        self._count()
        async with self._lock:
            return await self._session.fetchall(sql, params)

    async def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        async with self.transaction() as session:  # all rows or none
            await session.executemany(sql, rows)

    def _count(self) -> None:
        """Start a checkpoint in the background every CHECKPOINT_EVERY statements."""
        self._statements += 1
        if self._statements >= CHECKPOINT_EVERY and (
            self._checkpoint is None or self._checkpoint.done()
        ):
            self._statements = 0
            self._checkpoint = asyncio.ensure_future(asyncio.to_thread(self._copy_wal))

    def _copy_wal(self) -> None:
        """Checkpoint what the WAL holds (in a worker thread; see CHECKPOINT_EVERY)."""
        try:
            if self._checkpointer is None:
                self._checkpointer = sqlite3.connect(
                    self.path, isolation_level=None, check_same_thread=False
                )
            self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:
            # The next one copies it, or after_delete, or SQLite when the file is next opened.
            log.warning("a WAL checkpoint failed: %s", type(exc).__name__)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        self._count()
        async with self._lock:
            # IMMEDIATE: take the write lock now (waiting up to busy_timeout for another
            # worker's), never upgrade a read lock halfway, which SQLite would refuse at once.
            await self._session.execute("BEGIN IMMEDIATE")
            try:
                yield self._session
            except BaseException:
                await self.connection.rollback()
                raise
            try:
                await self.connection.commit()
            except sqlite3.Error as exc:
                await self.connection.rollback()
                raise DatabaseFault(str(exc)) from exc

    async def migrate(self, migrations: Sequence[str]) -> int:
        # Processes opening one file together migrate one after the other: the second then
        # finds the schema up to date. (flock does not touch SQLite's own fcntl locks.)
        with self.path.open("rb") as handle:
            await asyncio.to_thread(fcntl.flock, handle, fcntl.LOCK_EX)
            try:
                return await self._migrate(migrations)
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    async def _migrate(self, migrations: Sequence[str]) -> int:
        try:
            async with self.connection.execute("PRAGMA user_version") as cursor:
                row = await cursor.fetchone()
            before = int(row[0]) if row else 0
            for version in range(before, len(migrations)):
                # executescript commits first, so each step is one transaction with its version.
                await self.connection.executescript(
                    f"BEGIN;\n{migrations[version]}\nPRAGMA user_version = {version + 1};\nCOMMIT;"
                )
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise DatabaseFault(str(exc)) from exc
            raise StorageError(_cannot_open(self.path, exc)) from None
        except sqlite3.DatabaseError as exc:
            raise StorageError(_cannot_open(self.path, exc)) from None
        return before

    async def after_delete(self) -> None:
        """Copy the WAL into the database and empty it, so deleted rows leave no copy there."""
        async with self._lock:
            await self._session.fetchall("PRAGMA wal_checkpoint(TRUNCATE)")

    async def close(self) -> None:
        if self._checkpoint is not None:
            await self._checkpoint
        if self._checkpointer is not None:
            self._checkpointer.close()
        await self.connection.close()


async def _check(db: aiosqlite.Connection) -> None:
    """Read the whole file once, so a damaged one is refused at start, not mid-conversation."""
    async with db.execute("PRAGMA quick_check") as cursor:
        rows = [str(r[0]) for r in await cursor.fetchall()]
    if rows != ["ok"]:
        raise sqlite3.DatabaseError("; ".join(rows[:3]))


def _prepare(path: Path) -> None:
    """Create the folder (0700) and an empty database file (0600) if they are missing."""
    if path.is_dir():
        raise StorageError(
            f"{path}: is a folder, not a database file; set LOTSE_DB to a file path, "
            "e.g. var/lotse.sqlite3"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # SQLite gives the -wal and -shm files the mode of the database file.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
        os.close(descriptor)
    except FileExistsError:
        pass
    except OSError as exc:
        raise StorageError(
            f"{path}: cannot create the database ({exc.strerror}); check LOTSE_DB and the "
            "folder's permissions"
        ) from None


def _tighten(path: Path) -> None:
    """Make a database created by an older version readable by its owner only."""
    for each in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
        try:
            mode = stat.S_IMODE(each.stat().st_mode)
            if mode & 0o077:
                each.chmod(PRIVATE)
        except FileNotFoundError:
            continue


def _cannot_open(path: Path, exc: sqlite3.Error) -> str:
    return (
        f"{path}: not a readable Lotse database ({exc}); restore it from the backup, or move "
        "it aside to start with an empty one (feedback and language choices are then gone)"
    )
