"""The span of message ids "erase this chat" deletes (bot/tg/erase.py). Storage module.

Keyed by an HMAC of the chat id, never the id; stored to the hour; a span expires when the
chat has been quiet for 48 hours (Telegram lets a bot delete its messages for that long).
"""

from __future__ import annotations

import datetime as dt

from bot.storage.base import StoreBase


class SpanStore(StoreBase):
    """The ``chat_spans`` table."""

    async def note_messages(self, chat_key: str, low: int, high: int, at: dt.datetime) -> None:
        """Widen this chat's span of message ids to include ``low``..``high``, seen ``at``."""
        # Stored to the hour: enough for the 48-hour expiry, no finer trace of activity.
        hour = int(at.timestamp()) // 3600 * 3600
        await self._execute(
            "INSERT INTO chat_spans (chat_key, low, high, seen) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (chat_key) DO UPDATE SET "
            "low = CASE WHEN excluded.low < chat_spans.low "
            "THEN excluded.low ELSE chat_spans.low END, "
            "high = CASE WHEN excluded.high > chat_spans.high "
            "THEN excluded.high ELSE chat_spans.high END, "
            "seen = CASE WHEN excluded.seen > chat_spans.seen "
            "THEN excluded.seen ELSE chat_spans.seen END",
            (chat_key, low, high, hour),
        )

    async def message_span(self, chat_key: str) -> tuple[int, int] | None:
        """The lowest and highest message id noted for this chat, if it was active lately."""
        row = await self._fetchone(
            "SELECT low, high FROM chat_spans WHERE chat_key = ?", (chat_key,)
        )
        return (int(row[0]), int(row[1])) if row else None

    async def drop_span(self, chat_key: str) -> None:
        """Forget this chat's span (after its messages were deleted)."""
        await self._execute("DELETE FROM chat_spans WHERE chat_key = ?", (chat_key,))

    async def purge_spans(self, now: dt.datetime, quiet: dt.timedelta) -> int:
        """Delete the spans of chats quiet for longer than ``quiet``; how many."""
        cutoff = int((now - quiet).timestamp())
        return await self._execute("DELETE FROM chat_spans WHERE seen < ?", (cutoff,))
