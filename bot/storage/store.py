"""The Storage class: every topic module's methods over one backend, opened from LOTSE_DB.

Wiring only: no SQL of a topic here (that lives in the topic modules).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.errors import ConfigError
from bot.salts import Salts, resolve
from bot.storage.backend import Backend
from bot.storage.feedback import FeedbackStore
from bot.storage.preferences import PreferenceStore
from bot.storage.reports import ReportStore
from bot.storage.review import ReviewStore
from bot.storage.schema import MIGRATIONS
from bot.storage.settings import SettingsStore
from bot.storage.state import ChatStateStore
from bot.storage.usage import UsageStore

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
Target = Path | str


def is_postgres(target: Target) -> bool:
    """Whether LOTSE_DB names a PostgreSQL database (a URL) rather than a SQLite file."""
    return isinstance(target, str) and target.startswith(POSTGRES_SCHEMES)


class Storage(
    SettingsStore,
    ChatStateStore,
    PreferenceStore,
    FeedbackStore,
    ReviewStore,
    UsageStore,
    ReportStore,
):
    """The bot's database: settings, language preferences, anonymous feedback, chats' state,
    translation reviews and service checks, usage totals, and the staff report's reads."""

    @classmethod
    async def open(
        cls,
        target: Target,
        salt: str | None = None,
        *,
        salt_file: Path | None = None,
        keys: bool = True,
    ) -> Storage:
        """Open (and create or migrate) the database: a SQLite path or a postgresql:// URL.

        The salt is ``salt`` (LOTSE_SALT), else the one in ``salt_file`` (default for
        SQLite: next to the database, ``<name>.salt``), created on first start. With
        PostgreSQL the salt must be configured, the same for every worker. ``keys=False``
        (staff tools) leaves the salt alone: such a Storage cannot make user keys.
        """
        backend = await open_backend(target)
        try:
            await backend.migrate(MIGRATIONS)
            salts = None
            if keys:
                store = cls(backend, None)
                legacy = await store.setting("salt")
                salts = _salts(target, salt, salt_file, legacy)
                if legacy is not None:
                    # Moved into the salt file: the database alone no longer opens the keys.
                    await store._execute("DELETE FROM settings WHERE key = 'salt'")
                    await backend.after_delete()
        except BaseException:
            await backend.close()
            raise
        return cls(backend, salts)

    async def close(self) -> None:
        """Close the database."""
        await self.backend.close()


async def open_backend(target: Target) -> Backend:
    """The backend for LOTSE_DB, connected and checked (not yet migrated)."""
    if is_postgres(target):
        from bot.storage.postgres import PostgresBackend

        return await PostgresBackend.open(str(target))
    from bot.storage.sqlite import SQLiteBackend

    return await SQLiteBackend.open(Path(target))


def _salts(target: Target, salt: str | None, salt_file: Path | None, legacy: str | None) -> Salts:
    if salt_file is not None:
        return resolve(salt, salt_file, legacy)
    if not is_postgres(target):
        return resolve(salt, Path(target).with_suffix(".salt"), legacy)
    if salt:
        return Salts(salt)
    raise ConfigError(
        "with a PostgreSQL database (LOTSE_DB), set LOTSE_SALT or LOTSE_SALT_FILE: every "
        "worker must make the same user keys, and the salt never lives in the database"
    )


def preflight(target: Target, salt: str | None, salt_file: Path | None) -> None:
    """Open and close the database once before the bot starts: a broken one stops it here."""

    async def check() -> None:
        store = await Storage.open(target, salt, salt_file=salt_file)
        await store.close()

    asyncio.run(check())


__all__ = ["Storage", "is_postgres", "open_backend", "preflight"]
