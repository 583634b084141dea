"""Storage over one SQLite file (aiosqlite, WAL), schema versioned with PRAGMA user_version.

It never sees a Telegram user id: callers pass a ``user_key``, an HMAC of the id under a
secret salt, and the only per-user record is the chosen language. sqlite3's errors are not
wrapped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from pathlib import Path

import aiosqlite

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
)
SCHEMA_VERSION = len(MIGRATIONS)


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
    """The bot's database: settings and language preferences (later: feedback)."""

    def __init__(self, db: aiosqlite.Connection, salt: bytes) -> None:
        self.db = db
        self._salt = salt

    @classmethod
    async def open(cls, path: Path, salt: str | None = None) -> Storage:
        """Open (and create or migrate) the database at ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(path)
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=NORMAL")
            await db.execute("PRAGMA busy_timeout=5000")
            await migrate(db)
            secret = salt or await _stored_salt(db)
        except BaseException:
            await db.close()
            raise
        return cls(db, secret.encode())

    async def close(self) -> None:
        """Close the connection."""
        await self.db.close()

    def user_key(self, user_id: int) -> str:
        """The pseudonymous key for a Telegram user id (HMAC-SHA256 under the salt)."""
        return hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()

    async def language(self, user_key: str) -> str | None:
        """The language this user chose, if any."""
        async with self.db.execute(
            "SELECT lang FROM preferences WHERE user_key = ?", (user_key,)
        ) as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else None

    async def set_language(self, user_key: str, lang: str) -> None:
        """Remember the user's language choice."""
        await self.db.execute(
            "INSERT INTO preferences (user_key, lang, updated_on) VALUES (?, ?, ?) "
            "ON CONFLICT (user_key) DO UPDATE SET lang = excluded.lang, "
            "updated_on = excluded.updated_on",
            (user_key, lang, today()),
        )
        await self.db.commit()

    async def forget(self, user_key: str) -> bool:
        """Delete everything stored for this user; whether there was anything."""
        cursor = await self.db.execute("DELETE FROM preferences WHERE user_key = ?", (user_key,))
        await self.db.commit()
        return cursor.rowcount > 0


async def _stored_salt(db: aiosqlite.Connection) -> str:
    """The salt kept in the database, created on first use."""
    async with db.execute("SELECT value FROM settings WHERE key = 'salt'") as cursor:
        row = await cursor.fetchone()
    if row:
        return str(row[0])
    salt = secrets.token_hex(32)
    await db.execute("INSERT INTO settings (key, value) VALUES ('salt', ?)", (salt,))
    await db.commit()
    return salt
