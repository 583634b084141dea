"""Anonymous feedback: ratings, comments, unmet needs, and their retention. Storage module.

Anonymous by construction (DESIGN.md §7): no user, chat or message id, no name, dates only
to the day, free text scrubbed here before it is stored. Nothing here logs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from bot.engine.screens import NeedKind
from bot.knowledge.conventions import utc_today
from bot.storage.backend import Row
from bot.storage.base import StoreBase, day_text
from bot.text.scrub import scrub

# Everything dated that retention deletes: the feedback, and the usage totals and weak
# searches (bot/storage/usage.py) with it.
FEEDBACK_TABLES: Final = ("ratings", "comments", "needs", "usage_daily", "weak_answers")
# The engine's kinds of unmet need, by the names storage callers know them by.
NONE_FITS: Final = NeedKind.NONE_FITS
NO_RESULT: Final = NeedKind.NO_RESULT
NEED_KINDS: Final = (NONE_FITS, NO_RESULT)
COMMENT_LIMIT: Final = 500
QUERY_LIMIT: Final = 200


@dataclass(frozen=True)
class RatingRow:
    """One stored 👍 or 👎 on an answer (a node, or one service card on it)."""

    day: dt.date
    node_id: str
    topic: str
    helpful: bool
    lang: str
    service_id: str | None = None
    town: str | None = None


@dataclass(frozen=True)
class CommentRow:
    """What someone said was missing, scrubbed and capped, as stored."""

    day: dt.date
    node_id: str
    topic: str
    lang: str
    text: str
    service_id: str | None = None
    town: str | None = None


@dataclass(frozen=True)
class NeedRow:
    """A stored unmet need: "none of these fits" on a node, or a search that found nothing."""

    day: dt.date
    kind: str
    lang: str
    node_id: str | None = None
    topic: str | None = None
    query: str | None = None
    town: str | None = None


class FeedbackStore(StoreBase):
    """The ``ratings``, ``comments`` and ``needs`` tables."""

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
        await self._add(
            "ratings",
            day,
            node_id=node_id,
            service_id=service_id,
            topic=topic,
            helpful=int(helpful),
            lang=lang,
            town=town,
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
            await self._add(
                "comments",
                day,
                node_id=node_id,
                service_id=service_id,
                topic=topic,
                lang=lang,
                town=town,
                text=clean,
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
            known = ", ".join(NEED_KINDS)
            raise ValueError(f"unknown need kind {kind!r}; expected one of {known}")
        clean = (scrub(query, QUERY_LIMIT) or None) if query is not None else None
        await self._add(
            "needs",
            day,
            kind=kind,
            node_id=node_id,
            topic=topic,
            query=clean,
            lang=lang,
            town=town,
        )

    async def _add(self, table: str, day: dt.date | None, **columns: object) -> None:
        """Insert one row dated to ``day`` (today): one statement, committed on return.

        ``table`` and the column names are this module's own, never input.
        """
        names = ("day", *columns)
        await self._execute(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            (day_text(day), *columns.values()),
        )

    async def purge(self, older_than_days: int, today: dt.date | None = None) -> int:
        """Delete feedback dated, and language choices unused, more than ``older_than_days``
        before today; how many rows."""
        if older_than_days < 0:
            raise ValueError("older_than_days must not be negative")
        cutoff = ((today or utc_today()) - dt.timedelta(days=older_than_days)).isoformat()
        deleted = 0
        async with self._transaction() as tx:
            for table in FEEDBACK_TABLES:  # names from a constant, never from input
                deleted += await tx.execute(f"DELETE FROM {table} WHERE day < ?", (cutoff,))
            deleted += await tx.execute("DELETE FROM preferences WHERE updated_on < ?", (cutoff,))
        await self.backend.after_delete()
        return deleted

    async def ratings(
        self, since: dt.date | None = None, until: dt.date | None = None
    ) -> list[RatingRow]:
        """Ratings between ``since`` and ``until`` (inclusive), oldest first."""
        rows = await self._period(
            "SELECT day, node_id, topic, helpful, lang, service_id, town FROM ratings",
            since,
            until,
        )
        return [
            RatingRow(dt.date.fromisoformat(r[0]), r[1], r[2], bool(r[3]), r[4], r[5], r[6])
            for r in rows
        ]

    async def comments(
        self, since: dt.date | None = None, until: dt.date | None = None
    ) -> list[CommentRow]:
        """Comments between ``since`` and ``until`` (inclusive), oldest first."""
        rows = await self._period(
            "SELECT day, node_id, topic, lang, text, service_id, town FROM comments",
            since,
            until,
        )
        return [CommentRow(dt.date.fromisoformat(r[0]), *r[1:]) for r in rows]

    async def needs(
        self, since: dt.date | None = None, until: dt.date | None = None
    ) -> list[NeedRow]:
        """Unmet needs between ``since`` and ``until`` (inclusive), oldest first."""
        rows = await self._period(
            "SELECT day, kind, lang, node_id, topic, query, town FROM needs", since, until
        )
        return [NeedRow(dt.date.fromisoformat(r[0]), *r[1:]) for r in rows]

    async def _period(self, sql: str, since: dt.date | None, until: dt.date | None) -> list[Row]:
        """Run a feedback SELECT limited to a period of days, in the order rows came."""
        order = self.backend.insertion_order
        query = f"{sql} WHERE day >= ? AND day <= ? ORDER BY day, {order}"
        bounds = (since.isoformat() if since else "", until.isoformat() if until else "9999")
        return await self._fetchall(query, bounds)
