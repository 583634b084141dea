"""Where a conversation stands between two updates. Storage module.

One row per chat, keyed by an HMAC of the chat id (never the id), so that any worker and any
restart continues a conversation (DESIGN.md §3): the span of message ids "erase this chat"
deletes (bot/tg/erase.py), the place /language and "continue where I was" return to, the
note expected after a 👎, the search a later 👎 or "none fits" may be about (its scrubbed
text and result nodes: bot/conversation/weak.py), and the chat's feedback count this hour.
``seen`` is the hour of the chat's last activity, nothing finer. The place is kept for
``PLACE_KEPT`` after that hour, the span for as long as Telegram lets a bot delete (48
hours); the expected note and the search until their own ``*_until`` second. Housekeeping
(``purge_chats``, every ``CLEAR_EVERY``) deletes each of them once it is over; /erase
deletes the row at once.

/privacy and the README promise that the words of a search stay in the database for at most
``SEARCH_PROMISED``. So a search is in use for ``SEARCH_KEPT`` only: the next housekeeping
comes at most ``CLEAR_EVERY`` later, and a slow run (the weekly digest) may take as long
again before the next one starts.

The language choice lives in ``preferences`` (per user, not per chat); ``open_chat`` reads
it together with the row, so that an update costs one query.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bot.errors import DatabaseFault
from bot.storage.base import today
from bot.storage.preferences import PreferenceStore

# The place is kept this long after the hour of the chat's last activity.
PLACE_KEPT = dt.timedelta(hours=2)
HOUR = 3600
# What /privacy promises for the words of a search, and how often housekeeping runs.
SEARCH_PROMISED = dt.timedelta(hours=2)
CLEAR_EVERY = dt.timedelta(minutes=10)
# How long a search is in use (100 minutes): its words are gone from the database before
# SEARCH_PROMISED while the bot runs, even when one housekeeping run is slow.
SEARCH_KEPT = SEARCH_PROMISED - 2 * CLEAR_EVERY

_COLUMNS = (
    "low, high, seen, place, pending, pending_until, feedback_hour, feedback_count, "
    "search, search_until"
)
_VALUES = ", ".join(["?"] * (1 + len(_COLUMNS.split(", "))))  # chat_key, then the columns


@dataclass(frozen=True)
class ChatRow:
    """One chat's row (all None for a chat without one)."""

    low: int | None = None
    high: int | None = None
    seen: int | None = None
    place: str | None = None
    pending: str | None = None
    pending_until: int | None = None
    feedback_hour: int | None = None
    feedback_count: int = 0
    search: str | None = None
    search_until: int | None = None

    @property
    def span(self) -> tuple[int, int] | None:
        """The lowest and highest message id noted, if any."""
        if self.low is None or self.high is None:
            return None
        return self.low, self.high


def hour_of(at: dt.datetime) -> int:
    """Seconds since 1970 at the start of the hour: how finely activity is stored."""
    return int(at.timestamp()) // HOUR * HOUR


class ChatStateStore(PreferenceStore):
    """The ``chat_state`` table."""

    async def open_chat(
        self, chat_key: str, user_keys: Sequence[str], now: dt.datetime
    ) -> tuple[ChatRow, str | None]:
        """The chat's state and the user's language choice (if any), in one query.

        A place or an expected note older than ``PLACE_KEPT`` is not returned. A language
        choice is marked as used today (once a day), so that it expires only when unused.
        """
        marks = ", ".join("?" for _ in user_keys) or "NULL"
        rows = await self._fetchall(
            f"SELECT {', '.join('c.' + c for c in _COLUMNS.split(', '))}, "
            "p.user_key, p.lang, p.updated_on FROM (SELECT 1 AS one) AS one "
            "LEFT JOIN chat_state AS c ON c.chat_key = ? "
            f"LEFT JOIN preferences AS p ON p.user_key IN ({marks})",
            (chat_key, *user_keys),
        )
        state = ChatRow()
        if rows and rows[0][2] is not None:
            r = rows[0]
            state = ChatRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], int(r[7] or 0), r[8], r[9])
            if state.seen is not None and state.seen < hour_of(now - PLACE_KEPT):
                state = dataclasses.replace(
                    state,
                    place=None,
                    pending=None,
                    pending_until=None,
                    search=None,
                    search_until=None,
                )
        found = {str(r[10]): (str(r[11]), str(r[12])) for r in rows if r[10] is not None}
        key = next((k for k in user_keys if k in found), None)
        if key is None:
            return state, None
        lang, used_on = found[key]
        if key != user_keys[0] or used_on != today():
            # Busy: the choice still counts; it is marked as used another day.
            with contextlib.suppress(DatabaseFault):
                await self.set_language(user_keys[0], lang, earlier=user_keys[1:])
        return state, lang

    async def save_chat(self, chat_key: str, state: ChatRow) -> None:
        """Write the chat's row; the span only widens (another worker may have noted more)."""
        await self._execute(
            f"INSERT INTO chat_state (chat_key, {_COLUMNS}) VALUES ({_VALUES}) "
            "ON CONFLICT (chat_key) DO UPDATE SET "
            "low = CASE WHEN chat_state.low IS NULL OR excluded.low < chat_state.low "
            "THEN excluded.low ELSE chat_state.low END, "
            "high = CASE WHEN chat_state.high IS NULL OR excluded.high > chat_state.high "
            "THEN excluded.high ELSE chat_state.high END, "
            "seen = excluded.seen, place = excluded.place, pending = excluded.pending, "
            "pending_until = excluded.pending_until, feedback_hour = excluded.feedback_hour, "
            "feedback_count = excluded.feedback_count, search = excluded.search, "
            "search_until = excluded.search_until",
            (chat_key, *dataclasses.astuple(state)),
        )

    async def drop_chat(self, chat_key: str, then: ChatRow | None = None) -> None:
        """Delete the chat's row (erased), and write ``then`` in its place if given."""
        async with self._transaction() as tx:
            await tx.execute("DELETE FROM chat_state WHERE chat_key = ?", (chat_key,))
            if then is not None:
                await tx.execute(
                    f"INSERT INTO chat_state (chat_key, {_COLUMNS}) VALUES ({_VALUES})",
                    (chat_key, *dataclasses.astuple(then)),
                )
        await self.backend.after_delete()

    async def message_span(self, chat_key: str) -> tuple[int, int] | None:
        """The lowest and highest message id noted for this chat, if it was active lately."""
        row = await self._fetchone(
            "SELECT low, high FROM chat_state WHERE chat_key = ?", (chat_key,)
        )
        if row is None or row[0] is None or row[1] is None:
            return None
        return int(row[0]), int(row[1])

    async def drop_search(self, chat_key: str) -> None:
        """Forget the chat's search now (a shell whose conversation has ended)."""
        async with self._transaction() as tx:
            cleared = await tx.execute(
                "UPDATE chat_state SET search = NULL, search_until = NULL "
                "WHERE chat_key = ? AND search IS NOT NULL",
                (chat_key,),
            )
        if cleared:
            await self.backend.after_delete()

    async def purge_chats(self, now: dt.datetime, quiet: dt.timedelta) -> int:
        """Delete rows quiet for longer than ``quiet``, places kept too long, and notes and
        searches past their own expiry (to the second); how many rows were deleted."""
        cutoff = int((now - quiet).timestamp())
        second = int(now.timestamp())
        async with self._transaction() as tx:
            deleted = await tx.execute("DELETE FROM chat_state WHERE seen < ?", (cutoff,))
            cleared = await tx.execute(
                "UPDATE chat_state SET search = NULL, search_until = NULL "
                "WHERE search IS NOT NULL AND (search_until IS NULL OR search_until <= ?)",
                (second,),
            )
            cleared += await tx.execute(
                "UPDATE chat_state SET pending = NULL, pending_until = NULL "
                "WHERE pending IS NOT NULL AND (pending_until IS NULL OR pending_until <= ?)",
                (second,),
            )
            cleared += await tx.execute(
                "UPDATE chat_state SET place = NULL, pending = NULL, pending_until = NULL, "
                "search = NULL, search_until = NULL WHERE seen < ? "
                "AND (place IS NOT NULL OR pending IS NOT NULL OR search IS NOT NULL)",
                (hour_of(now - PLACE_KEPT),),
            )
        if deleted or cleared:
            await self.backend.after_delete()
        return deleted
