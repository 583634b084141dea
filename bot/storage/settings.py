"""Values the bot keeps for itself (never about a user). Storage module: SQL only."""

from __future__ import annotations

from bot.storage.base import StoreBase


class SettingsStore(StoreBase):
    """The ``settings`` table."""

    async def setting(self, key: str) -> str | None:
        """A value the bot keeps for itself (never about a user)."""
        row = await self._fetchone("SELECT value FROM settings WHERE key = ?", (key,))
        return str(row[0]) if row else None

    async def set_setting(self, key: str, value: str) -> None:
        """Keep a value for the bot itself."""
        await self._execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def claim_setting(self, key: str, value: str) -> bool:
        """Set ``key`` to ``value`` unless it is already; whether this call changed it.

        One statement, so of several workers claiming the same value only one gets True.
        """
        changed = await self._execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value "
            "WHERE settings.value <> excluded.value",
            (key, value),
        )
        return changed > 0
