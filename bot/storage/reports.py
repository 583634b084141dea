"""What the staff report reads: grouped totals, never one row per rating. Storage module.

Read-only; SQL that runs on SQLite and PostgreSQL. Each method takes the period as ISO
text (``""`` and ``"9999"`` for open ends). Notes are read without their day, town and
service (``bot.staff.privacy``, rule 4): what is not read cannot be shown.

Speed (1,000,000 rows): over a long period the grouped reads compare ``day || ''`` rather
than ``day``. That keeps SQLite off the day index (which would fetch every row of a year
from the table and sort them) and on the covering indexes ``ratings_report`` and
``needs_report``, read in group order with no table access and no sort: about 1 s instead
of 12 s for a year. A short period (a week) has few rows, and the day index finds them
fastest. PostgreSQL plans both forms alike.
"""

from __future__ import annotations

import datetime as dt

from bot.storage.backend import Params, Row
from bot.storage.base import StoreBase

_PERIOD = "day >= ? AND day <= ?"
_LONG_PERIOD = "day || '' >= ? AND day || '' <= ?"  # see the module docstring
LONG = 62  # days from which a period is read through the covering indexes


def _period(since: str, until: str) -> str:
    """The period's condition: by the day index when short, else the covering index."""
    try:
        days = (dt.date.fromisoformat(until) - dt.date.fromisoformat(since)).days
    except ValueError:  # an open end ("" or "9999")
        return _LONG_PERIOD
    return _PERIOD if days < LONG else _LONG_PERIOD


def _where(since: str, until: str, town: str | None, lang: str | None) -> tuple[str, Params]:
    clauses, params = [_period(since, until)], [since, until]
    if town is not None:
        clauses.append("town = ?")
        params.append(town)
    if lang is not None:
        clauses.append("lang = ?")
        params.append(lang)
    return " AND ".join(clauses), params


class ReportStore(StoreBase):
    """Grouped reads over ``ratings``, ``needs``, ``comments`` and ``weak_answers``.

    The rating and need groups come with two sets of figures, the period from ``split``
    to ``until`` and the one before it from ``since``: one scan serves a report and the
    previous period its trends compare with.
    """

    async def rating_groups(
        self, since: str, split: str, until: str, town: str | None = None, lang: str | None = None
    ) -> list[Row]:
        """(node, service, lang, town, topic, count, helpful, count before, helpful before).

        Both periods together, and the one before ``split`` on its own: the fewest
        expressions per row (the current period is the difference).
        """
        where, params = _where(since, until, town, lang)
        rows = await self._fetchall(
            "SELECT node_id, service_id, lang, town, topic, COUNT(*), SUM(helpful), "
            "SUM(CASE WHEN day < ? THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN day < ? THEN helpful ELSE 0 END) "
            f"FROM ratings WHERE {where} GROUP BY node_id, service_id, lang, town, topic",
            [split, split, *params],
        )
        return [(*r[:5], r[5] - r[7], r[6] - r[8], r[7], r[8]) for r in rows]

    async def need_groups(
        self, since: str, split: str, until: str, town: str | None = None, lang: str | None = None
    ) -> list[Row]:
        """(kind, node, topic, lang, town, count, count before) per group of unmet needs."""
        where, params = _where(since, until, town, lang)
        rows = await self._fetchall(
            "SELECT kind, node_id, topic, lang, town, COUNT(*), "
            "SUM(CASE WHEN day < ? THEN 1 ELSE 0 END) "
            f"FROM needs WHERE {where} GROUP BY kind, node_id, topic, lang, town",
            [split, *params],
        )
        return [(*r[:5], r[5] - r[6], r[6]) for r in rows]

    async def note_texts(self, since: str, until: str) -> list[Row]:
        """(topic, node, lang, text) of every note: never its day, town or service."""
        return await self._fetchall(
            "SELECT topic, node_id, lang, text FROM comments WHERE day >= ? AND day <= ?",
            (since, until),
        )

    async def failed_searches(self, since: str, split: str, until: str) -> list[Row]:
        """(text, count, count before) of the searches that found nothing."""
        return await self._fetchall(
            "SELECT query, SUM(CASE WHEN day >= ? THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN day < ? THEN 1 ELSE 0 END) FROM needs WHERE kind = 'no_result' "
            f"AND query IS NOT NULL AND {_period(since, until)} GROUP BY query",
            (split, split, since, until),
        )

    async def weak_searches(self, since: str, until: str) -> list[Row]:
        """(text, topic, count) of the searches that ended in 👎 or "none fits"."""
        return await self._fetchall(
            "SELECT query, topic, COUNT(*) FROM weak_answers WHERE day >= ? AND day <= ? "
            "GROUP BY query, topic",
            (since, until),
        )
