"""The one per-user record: the chosen language, under a pseudonymous key. Storage module.

A choice is deleted when unused for the retention period (``FeedbackStore.purge``) or on
/forget.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from bot.errors import DatabaseFault
from bot.storage.base import StoreBase, today


class PreferenceStore(StoreBase):
    """The ``preferences`` table."""

    async def language(self, *user_keys: str) -> str | None:
        """The language this user chose, if any (looked up under every key given).

        A choice found is marked as used today, so that it expires only when unused.
        """
        if not user_keys:
            return None
        marks = ", ".join("?" for _ in user_keys)
        found_rows = await self._fetchall(
            f"SELECT user_key, lang, updated_on FROM preferences WHERE user_key IN ({marks})",
            user_keys,
        )
        rows = {str(r[0]): (str(r[1]), str(r[2])) for r in found_rows}
        found = next((k for k in user_keys if k in rows), None)
        if found is None:
            return None
        lang, used_on = rows[found]
        if found != user_keys[0] or used_on != today():
            # Busy: the choice still counts; it is marked as used another day.
            with contextlib.suppress(DatabaseFault):
                await self.set_language(user_keys[0], lang, earlier=user_keys[1:])
        return lang

    async def set_language(self, user_key: str, lang: str, *, earlier: Sequence[str] = ()) -> None:
        """Remember the user's language choice (and drop it under ``earlier`` keys)."""
        async with self._transaction() as tx:
            for old in earlier:
                await tx.execute("DELETE FROM preferences WHERE user_key = ?", (old,))
            await tx.execute(
                "INSERT INTO preferences (user_key, lang, updated_on) VALUES (?, ?, ?) "
                "ON CONFLICT (user_key) DO UPDATE SET lang = excluded.lang, "
                "updated_on = excluded.updated_on",
                (user_key, lang, today()),
            )

    async def forget(self, *user_keys: str) -> bool:
        """Delete everything stored under these keys; whether there was anything.

        Raises ``DatabaseFault`` when the database cannot be written (locked, full, gone):
        the caller must then say that nothing was deleted.
        """
        deleted = 0
        async with self._transaction() as tx:
            for key in user_keys:
                deleted += await tx.execute("DELETE FROM preferences WHERE user_key = ?", (key,))
        await self.backend.after_delete()
        return deleted > 0
