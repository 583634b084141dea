"""Storage: the bot's database, SQLite (one file, the default) or PostgreSQL (several workers).

It never stores a Telegram user id: callers pass ``user_key``s, HMACs of the id under a
secret salt that lives outside the database (``bot.salts``), and the only per-user record
is the chosen language, deleted when unused for the retention period. Feedback (ratings,
comments, unmet needs) is anonymous by construction: no user, chat or message id, no name,
dates only to the day, free text scrubbed before it is stored. Nothing here logs.

The package::

    schema.py       MIGRATIONS: one ordered list, SQL that runs on SQLite and PostgreSQL
    backend.py      the Backend protocol (execute / fetchall / transaction / migrate)
    sqlite.py       aiosqlite; the only module importing aiosqlite or sqlite3
    postgres.py     asyncpg with a pool; the only module importing asyncpg
    base.py         StoreBase: the backend, the salts, the ``?`` helpers, user/chat keys
    <topic>.py      one mixin per topic: settings, preferences, feedback, state, ...
    store.py        Storage = all the mixins; Storage.open(LOTSE_DB); preflight

How to add your own tables and methods (the pattern every topic module follows):

1. Append a migration to ``MIGRATIONS`` in schema.py (portable SQL: TEXT, INTEGER, BIGINT;
   no AUTOINCREMENT; upserts as ``INSERT ... ON CONFLICT (...) DO UPDATE``; no SQLite-only
   functions; qualify the table's own columns in an upsert's SET, as ``t.col``).
2. Write ``bot/storage/<topic>.py`` with ``class <Topic>Store(StoreBase)`` whose async
   methods run SQL only through ``self._execute`` (one statement, committed, returns the
   rows changed), ``self._fetchall`` / ``self._fetchone``, or, for several statements that
   commit together, ``async with self._transaction() as tx: await tx.execute(...)``.
   Always ``?`` placeholders (the PostgreSQL backend turns them into ``$n``). Row records
   are frozen dataclasses named ``<Thing>Row``. Call ``await self.backend.after_delete()``
   after deleting anything about a person.
3. Add the mixin to ``Storage``'s bases in store.py and export public names here.
4. Test it on both databases: take the ``store`` fixture of tests/conftest.py (it runs each
   test on SQLite and on a fresh PostgreSQL database).

Errors: a database that cannot be opened at all is ``bot.errors.StorageError`` (names the
file or server); any fault during use (locked, disk full, server restarted) is
``bot.errors.DatabaseFault``, whichever backend: shells catch that one, apologise, and the
next statement reconnects.
"""

from __future__ import annotations

from bot.storage.base import today
from bot.storage.feedback import (
    COMMENT_LIMIT,
    FEEDBACK_TABLES,
    NEED_KINDS,
    NO_RESULT,
    NONE_FITS,
    QUERY_LIMIT,
    CommentRow,
    NeedRow,
    RatingRow,
)
from bot.storage.schema import MIGRATIONS, SCHEMA_VERSION
from bot.storage.store import Storage, is_postgres, preflight

__all__ = [
    "COMMENT_LIMIT",
    "FEEDBACK_TABLES",
    "MIGRATIONS",
    "NEED_KINDS",
    "NONE_FITS",
    "NO_RESULT",
    "QUERY_LIMIT",
    "SCHEMA_VERSION",
    "CommentRow",
    "NeedRow",
    "RatingRow",
    "Storage",
    "is_postgres",
    "preflight",
    "today",
]
