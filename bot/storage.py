"""Storage over one SQLite file (aiosqlite, WAL), schema versioned with PRAGMA user_version.

It never stores a Telegram user id: callers pass ``user_key``s, HMACs of the id under a
secret salt that lives outside the database (``bot.salts``), and the only per-user record
is the chosen language, deleted when unused for the retention period. Feedback (ratings,
comments, unmet needs) is anonymous by construction: no user, chat or message id, no name,
dates only to the day, free text scrubbed here before it is stored. The files are created
0600, deleted rows are overwritten (``secure_delete``) and the WAL is emptied after a
deletion, so nothing deleted stays readable. Nothing here logs. sqlite3's errors during
use are not wrapped; a file that cannot be opened at all is a StorageError naming it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import os
import sqlite3
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from bot.errors import StorageError
from bot.salts import Salts, resolve
from bot.text.scrub import scrub

# Each entry moves the schema from version i to i + 1. Never edit a released entry: add one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE preferences (
        user_key TEXT PRIMARY KEY,
        lang TEXT NOT NULL,
        updated_on TEXT NOT NULL
    );
    """,
    # 2: anonymous feedback. No column may ever hold who said something (DESIGN.md §7).
    """
    CREATE TABLE ratings (
        day TEXT NOT NULL,
        node_id TEXT NOT NULL,
        service_id TEXT,
        topic TEXT NOT NULL,
        helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
        lang TEXT NOT NULL,
        town TEXT
    );
    CREATE INDEX ratings_day ON ratings (day);
    CREATE INDEX ratings_node_day ON ratings (node_id, day);
    CREATE TABLE comments (
        day TEXT NOT NULL,
        node_id TEXT NOT NULL,
        service_id TEXT,
        topic TEXT NOT NULL,
        lang TEXT NOT NULL,
        town TEXT,
        text TEXT NOT NULL
    );
    CREATE INDEX comments_day ON comments (day);
    CREATE TABLE needs (
        day TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('none_fits', 'no_result')),
        node_id TEXT,
        topic TEXT,
        query TEXT,
        lang TEXT NOT NULL,
        town TEXT
    );
    CREATE INDEX needs_day ON needs (day);
    """,
    # 3: the span of message ids "erase this chat" deletes (bot/tg/erase.py). Keyed by an HMAC
    # of the chat id, never the id; a row expires 48 hours after the chat was last active.
    """
    CREATE TABLE chat_spans (
        chat_key TEXT PRIMARY KEY,
        low INTEGER NOT NULL,
        high INTEGER NOT NULL,
        seen INTEGER NOT NULL
    );
    CREATE INDEX chat_spans_seen ON chat_spans (seen);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
PRIVATE = 0o600
SIDE_FILES = ("-wal", "-shm", "-journal")


FEEDBACK_TABLES = ("ratings", "comments", "needs")
NONE_FITS = "none_fits"
NO_RESULT = "no_result"
NEED_KINDS = (NONE_FITS, NO_RESULT)
COMMENT_LIMIT = 500
QUERY_LIMIT = 200


@dataclass(frozen=True)
class Rating:
    """One 👍 or 👎 on an answer (a node, or one service card on it)."""

    day: dt.date
    node_id: str
    topic: str
    helpful: bool
    lang: str
    service_id: str | None = None
    town: str | None = None


@dataclass(frozen=True)
class Comment:
    """What someone said was missing, scrubbed and capped."""

    day: dt.date
    node_id: str
    topic: str
    lang: str
    text: str
    service_id: str | None = None
    town: str | None = None


@dataclass(frozen=True)
class Need:
    """An unmet need: "none of these fits" on a node, or a search that found nothing."""

    day: dt.date
    kind: str
    lang: str
    node_id: str | None = None
    topic: str | None = None
    query: str | None = None
    town: str | None = None


def today() -> str:
    """Today's UTC date as text: the finest time resolution anything is stored with."""
    return dt.datetime.now(dt.UTC).date().isoformat()


async def migrate(db: aiosqlite.Connection) -> int:
    """Bring the schema up to date; return the version it was at before."""
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    before = int(row[0]) if row else 0
    for version in range(before, SCHEMA_VERSION):
        # executescript commits first, so each step is its own transaction with its version.
        await db.executescript(
            f"BEGIN;\n{MIGRATIONS[version]}\nPRAGMA user_version = {version + 1};\nCOMMIT;"
        )
    return before


class Storage:
    """The bot's database: settings, language preferences and anonymous feedback."""

    def __init__(self, db: aiosqlite.Connection, salts: Salts | None) -> None:
        self.db = db
        self._salts = salts

    @classmethod
    async def open(
        cls,
        path: Path,
        salt: str | None = None,
        *,
        salt_file: Path | None = None,
        keys: bool = True,
    ) -> Storage:
        """Open (and create or migrate) the database at ``path``.

        The salt is ``salt`` (LOTSE_SALT), else the one in ``salt_file`` (default: next to
        the database, ``<name>.salt``), created on first start. ``keys=False`` (staff
        tools) leaves the salt alone: such a Storage cannot make user keys.
        """
        _prepare(path)
        try:
            db = await aiosqlite.connect(path)
        except sqlite3.Error as exc:
            raise StorageError(_cannot_open(path, exc)) from None
        try:
            try:
                await db.execute("PRAGMA journal_mode=WAL")
                await db.execute("PRAGMA synchronous=NORMAL")
                await db.execute("PRAGMA busy_timeout=5000")
                # Deleted rows are overwritten with zeros, not just marked free.
                await db.execute("PRAGMA secure_delete=ON")
                await _check(db)
                await migrate(db)
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                    raise
                raise StorageError(_cannot_open(path, exc)) from None
            _tighten(path)
            salts = None
            if keys:
                legacy = await _legacy_salt(db)
                where = salt_file or path.with_suffix(".salt")
                salts = resolve(salt, where, legacy)
                if legacy is not None:
                    # Moved into the salt file: the database alone no longer opens the keys.
                    await db.execute("DELETE FROM settings WHERE key = 'salt'")
                    await db.commit()
                    await _checkpoint(db)
        except BaseException:
            await db.close()
            raise
        return cls(db, salts)

    async def close(self) -> None:
        """Close the connection."""
        await self.db.close()

    def user_key(self, user_id: int) -> str:
        """The pseudonymous key for a Telegram user id (HMAC-SHA256 under the salt)."""
        return self.user_keys(user_id)[0]

    def user_keys(self, user_id: int) -> tuple[str, ...]:
        """Every key the user may have: under the current salt first, then earlier ones."""
        if self._salts is None:
            raise RuntimeError("this Storage was opened without salts (keys=False)")
        message = str(user_id).encode()
        return tuple(
            hmac.new(s.encode(), message, hashlib.sha256).hexdigest() for s in self._salts.all
        )

    async def language(self, *user_keys: str) -> str | None:
        """The language this user chose, if any (looked up under every key given).

        A choice found is marked as used today, so that it expires only when unused.
        """
        if not user_keys:
            return None
        marks = ", ".join("?" for _ in user_keys)
        async with self.db.execute(
            f"SELECT user_key, lang, updated_on FROM preferences WHERE user_key IN ({marks})",
            user_keys,
        ) as cursor:
            rows = {str(r[0]): (str(r[1]), str(r[2])) for r in await cursor.fetchall()}
        found = next((k for k in user_keys if k in rows), None)
        if found is None:
            return None
        lang, used_on = rows[found]
        if found != user_keys[0] or used_on != today():
            # Locked: the choice still counts; it is marked as used another day.
            with contextlib.suppress(sqlite3.OperationalError):
                await self.set_language(user_keys[0], lang, earlier=user_keys[1:])
        return lang

    async def set_language(self, user_key: str, lang: str, *, earlier: Sequence[str] = ()) -> None:
        """Remember the user's language choice (and drop it under ``earlier`` keys)."""
        for old in earlier:
            await self.db.execute("DELETE FROM preferences WHERE user_key = ?", (old,))
        await self.db.execute(
            "INSERT INTO preferences (user_key, lang, updated_on) VALUES (?, ?, ?) "
            "ON CONFLICT (user_key) DO UPDATE SET lang = excluded.lang, "
            "updated_on = excluded.updated_on",
            (user_key, lang, today()),
        )
        await self.db.commit()

    async def setting(self, key: str) -> str | None:
        """A value the bot keeps for itself (never about a user)."""
        async with self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)) as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else None

    async def set_setting(self, key: str, value: str) -> None:
        """Keep a value for the bot itself."""
        await self.db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
        await self.db.commit()

    async def forget(self, *user_keys: str) -> bool:
        """Delete everything stored under these keys; whether there was anything.

        Raises sqlite3's error when the database cannot be written (locked, full): the
        caller must then say that nothing was deleted.
        """
        deleted = 0
        for key in user_keys:
            cursor = await self.db.execute("DELETE FROM preferences WHERE user_key = ?", (key,))
            deleted += cursor.rowcount
        await self.db.commit()
        await _checkpoint(self.db)
        return deleted > 0

    async def add_rating(
        self,
        node_id: str,
        topic: str,
        helpful: bool,
        lang: str,
        *,
        service_id: str | None = None,
        town: str | None = None,
        day: dt.date | None = None,
    ) -> None:
        """Record a 👍 (``helpful``) or 👎; committed when this returns."""
        await self._insert(
            "INSERT INTO ratings (day, node_id, service_id, topic, helpful, lang, town) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (_day(day), node_id, service_id, topic, int(helpful), lang, town),
        )

    async def add_comment(
        self,
        node_id: str,
        topic: str,
        text: str,
        lang: str,
        *,
        service_id: str | None = None,
        town: str | None = None,
        day: dt.date | None = None,
    ) -> str:
        """Record a comment, scrubbed and capped first; returns the text as stored.

        An empty text after scrubbing is not stored (and ``""`` is returned).
        """
        clean = scrub(text, COMMENT_LIMIT)
        if clean:
            await self._insert(
                "INSERT INTO comments (day, node_id, service_id, topic, lang, town, text) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (_day(day), node_id, service_id, topic, lang, town, clean),
            )
        return clean

    async def add_need(
        self,
        kind: str,
        lang: str,
        *,
        node_id: str | None = None,
        topic: str | None = None,
        query: str | None = None,
        town: str | None = None,
        day: dt.date | None = None,
    ) -> None:
        """Record an unmet need (``NONE_FITS`` on a node, ``NO_RESULT`` for a search)."""
        if kind not in NEED_KINDS:
            raise ValueError(f"unknown need kind {kind!r}; expected one of {NEED_KINDS}")
        clean = (scrub(query, QUERY_LIMIT) or None) if query is not None else None
        await self._insert(
            "INSERT INTO needs (day, kind, node_id, topic, query, lang, town) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (_day(day), kind, node_id, topic, clean, lang, town),
        )

    async def purge(self, older_than_days: int, today: dt.date | None = None) -> int:
        """Delete feedback dated, and language choices unused, more than ``older_than_days``
        before today; how many rows."""
        if older_than_days < 0:
            raise ValueError("older_than_days must not be negative")
        cutoff = ((today or _utc_today()) - dt.timedelta(days=older_than_days)).isoformat()
        deleted = 0
        for table in FEEDBACK_TABLES:  # names from a constant, never from input
            cursor = await self.db.execute(f"DELETE FROM {table} WHERE day < ?", (cutoff,))
            deleted += cursor.rowcount
        cursor = await self.db.execute("DELETE FROM preferences WHERE updated_on < ?", (cutoff,))
        deleted += cursor.rowcount
        await self.db.commit()
        await _checkpoint(self.db)
        return deleted

    async def ratings(
        self, since: dt.date | None = None, until: dt.date | None = None
    ) -> list[Rating]:
        """Ratings between ``since`` and ``until`` (inclusive), oldest first."""
        rows = await self._select(
            "SELECT day, node_id, topic, helpful, lang, service_id, town FROM ratings",
            since,
            until,
        )
        return [
            Rating(dt.date.fromisoformat(r[0]), r[1], r[2], bool(r[3]), r[4], r[5], r[6])
            for r in rows
        ]

    async def comments(
        self, since: dt.date | None = None, until: dt.date | None = None
    ) -> list[Comment]:
        """Comments between ``since`` and ``until`` (inclusive), oldest first."""
        rows = await self._select(
            "SELECT day, node_id, topic, lang, text, service_id, town FROM comments",
            since,
            until,
        )
        return [Comment(dt.date.fromisoformat(r[0]), *r[1:]) for r in rows]

    async def needs(
        self, since: dt.date | None = None, until: dt.date | None = None
    ) -> list[Need]:
        """Unmet needs between ``since`` and ``until`` (inclusive), oldest first."""
        rows = await self._select(
            "SELECT day, kind, lang, node_id, topic, query, town FROM needs", since, until
        )
        return [Need(dt.date.fromisoformat(r[0]), *r[1:]) for r in rows]

    # -- the span of message ids "erase this chat" deletes ------------------------------------

    def chat_key(self, chat_id: int) -> str:
        """The pseudonymous key for a chat id (HMAC-SHA256 under the salt, apart from users')."""
        if self._salts is None:
            raise RuntimeError("this Storage was opened without salts (keys=False)")
        secret = self._salts.current.encode()
        return hmac.new(secret, f"chat:{chat_id}".encode(), hashlib.sha256).hexdigest()

    async def note_messages(self, chat_key: str, low: int, high: int, at: dt.datetime) -> None:
        """Widen this chat's span of message ids to include ``low``..``high``, seen ``at``."""
        # Stored to the hour: enough for the 48-hour expiry, no finer trace of activity.
        hour = int(at.timestamp()) // 3600 * 3600
        await self.db.execute(
            "INSERT INTO chat_spans (chat_key, low, high, seen) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (chat_key) DO UPDATE SET low = min(low, excluded.low), "
            "high = max(high, excluded.high), seen = max(seen, excluded.seen)",
            (chat_key, low, high, hour),
        )
        await self.db.commit()

    async def message_span(self, chat_key: str) -> tuple[int, int] | None:
        """The lowest and highest message id noted for this chat, if it was active lately."""
        async with self.db.execute(
            "SELECT low, high FROM chat_spans WHERE chat_key = ?", (chat_key,)
        ) as cursor:
            row = await cursor.fetchone()
        return (int(row[0]), int(row[1])) if row else None

    async def drop_span(self, chat_key: str) -> None:
        """Forget this chat's span (after its messages were deleted)."""
        await self.db.execute("DELETE FROM chat_spans WHERE chat_key = ?", (chat_key,))
        await self.db.commit()

    async def purge_spans(self, now: dt.datetime, quiet: dt.timedelta) -> int:
        """Delete the spans of chats quiet for longer than ``quiet``; how many."""
        cutoff = int((now - quiet).timestamp())
        cursor = await self.db.execute("DELETE FROM chat_spans WHERE seen < ?", (cutoff,))
        await self.db.commit()
        return cursor.rowcount

    async def _insert(self, sql: str, params: tuple[object, ...]) -> None:
        """Insert one row and commit, so the caller may thank the user afterwards."""
        await self.db.execute(sql, params)
        await self.db.commit()

    async def _select(
        self, sql: str, since: dt.date | None, until: dt.date | None
    ) -> list[tuple[Any, ...]]:
        """Run a feedback SELECT limited to a period of days."""
        query = f"{sql} WHERE day >= ? AND day <= ? ORDER BY day, rowid"
        bounds = (since.isoformat() if since else "", until.isoformat() if until else "9999")
        async with self.db.execute(query, bounds) as cursor:
            return [tuple(row) for row in await cursor.fetchall()]


def preflight(path: Path, salt: str | None, salt_file: Path | None) -> None:
    """Open and close the database once before the bot starts: a broken file stops it here."""

    async def check() -> None:
        store = await Storage.open(path, salt, salt_file=salt_file)
        await store.close()

    asyncio.run(check())


def _utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _day(day: dt.date | None) -> str:
    """The day a record is stored under: ISO date text, nothing finer."""
    return (day or _utc_today()).isoformat()


async def _legacy_salt(db: aiosqlite.Connection) -> str | None:
    """A salt that an older version kept in the database (it moves to the salt file)."""
    async with db.execute("SELECT value FROM settings WHERE key = 'salt'") as cursor:
        row = await cursor.fetchone()
    return str(row[0]) if row else None


async def _checkpoint(db: aiosqlite.Connection) -> None:
    """Copy the WAL into the database and empty it, so deleted rows leave no copy there."""
    async with db.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
        await cursor.fetchall()


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
