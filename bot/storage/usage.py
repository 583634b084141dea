"""Usage as daily totals, and searches that led to a weak answer. Storage module.

``usage_daily`` holds one number per (day, kind, item): screens viewed per node, service
cards opened, emergency screens by kind, searches with and without a result, erases,
languages chosen. No user key and no time finer than the day, never one row per event:
each worker counts in memory (``bot.conversation.usage``) and adds its totals with an
upsert, so several workers add up instead of overwriting each other.

``weak_answers`` holds a scrubbed search text with the topic where the person then said 👎
or "none of these fits": no language, no town, no user, and only the week (its Monday), not
the day. A 👎 is also a row in ``ratings`` with its day, town and language: with the day, a
quiet day's one weak answer and one 👎 on the same answer would tie the words to a town.
The staff outputs read weak answers by whole weeks only (bot/staff/privacy.py, rule 3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from bot.engine.screens import NeedKind
from bot.storage.backend import Row
from bot.storage.base import StoreBase, day_text
from bot.text.scrub import scrub

USAGE_TABLES: Final = ("usage_daily", "weak_answers")


class WeakVia(StrEnum):
    """What the person did after a search's answer (stored as the value)."""

    UNHELPFUL = "unhelpful"  # 👎 on an answer it offered
    NONE_FITS = NeedKind.NONE_FITS.value  # "none of these fits" on a question it offered


WEAK_VIA: Final = tuple(WeakVia)
_QUERY_LIMIT: Final = 200
_ADD = (
    "INSERT INTO usage_daily (day, kind, item, total) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (day, kind, item) DO UPDATE SET total = usage_daily.total + excluded.total"
)

# (day as ISO text, kind, item) -> how many
UsageTotals = Mapping[tuple[str, str, str], int]


def week_of(day: dt.date) -> dt.date:
    """The Monday of the week ``day`` is in: how finely a weak answer is dated."""
    return day - dt.timedelta(days=day.weekday())


def _week_text(day: dt.date | None) -> str:
    """The week a weak answer of ``day`` (None: today) is stored under, as ISO text."""
    return week_of(dt.date.fromisoformat(day_text(day))).isoformat()


class UsageStore(StoreBase):
    """The ``usage_daily`` and ``weak_answers`` tables."""

    async def add_usage(self, totals: UsageTotals) -> None:
        """Add these totals to the stored ones, all or none (a worker's flush)."""
        if not totals:
            return
        async with self._transaction() as tx:
            # In key order, so two workers flushing at once lock rows in the same order; in
            # one trip, so that the updates waiting for the database wait once, not per row.
            rows = [(day, kind, item, n) for (day, kind, item), n in sorted(totals.items())]
            await tx.executemany(_ADD, rows)

    async def usage_totals(self, since: str, until: str) -> list[Row]:
        """(kind, item, total) summed over the days ``since``..``until`` (ISO text)."""
        return await self._fetchall(
            "SELECT kind, item, SUM(total) FROM usage_daily WHERE day >= ? AND day <= ? "
            "GROUP BY kind, item",
            (since, until),
        )

    async def add_weak_answer(
        self, query: str, topic: str, node_id: str, via: WeakVia, *, day: dt.date | None = None
    ) -> None:
        """Record that a search for ``query`` ended in 👎 or "none fits" under ``topic``,
        in the week of ``day`` (stored as its Monday)."""
        if via not in WEAK_VIA:
            raise ValueError(f"unknown weak answer {via!r}; expected one of {WEAK_VIA}")
        clean = scrub(query, _QUERY_LIMIT)
        if clean:
            await self._execute(
                "INSERT INTO weak_answers (day, query, topic, node_id, via) "
                "VALUES (?, ?, ?, ?, ?)",
                (_week_text(day), clean, topic, node_id, via),
            )
