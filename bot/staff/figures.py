"""The raw, unsuppressed figures of one period, as the database's grouped rows. Staff layer.

``read_figures`` asks the storage (``bot.storage.reports``, SQL that runs on SQLite and
PostgreSQL) for grouped totals only: never one row per rating, and for notes only the
columns privacy rule 4 allows. Nothing here is shown to anyone before
``bot.staff.report.assemble`` has suppressed it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.staff.model import Filters
from bot.staff.privacy import Privacy

if TYPE_CHECKING:
    from bot.storage import Storage


@dataclass(frozen=True)
class RatingGroup:
    """Ratings of one answer, service, language, town and stored topic."""

    node_id: str
    service_id: str | None
    lang: str
    town: str | None
    topic: str
    count: int
    helpful: int


@dataclass(frozen=True)
class NeedGroup:
    """Unmet needs of one kind, answer, topic, language and town."""

    kind: str
    node_id: str | None
    topic: str | None
    lang: str
    town: str | None
    count: int


@dataclass(frozen=True)
class Figures:
    """One period's grouped totals; texts only when privacy rules 2 and 3 allow them."""

    ratings: tuple[RatingGroup, ...] = ()
    needs: tuple[NeedGroup, ...] = ()
    usage: tuple[tuple[str, str, int], ...] = ()  # (kind, item, count)
    notes: tuple[tuple[str, str, str, str], ...] = ()  # privacy.NOTE_FIELDS
    searches: tuple[tuple[str, int], ...] = ()  # failed search text, count
    weak: tuple[tuple[str, str, int], ...] = ()  # search text, topic, count
    text_period: Filters | None = None  # the whole weeks texts come from; None: no texts


async def read_figures(store: Storage, filters: Filters) -> tuple[Figures, Figures | None]:
    """This period's grouped totals and texts, and the previous period's totals (None
    without a start day). One scan of each table serves both periods."""
    previous = filters.previous()
    since, until = filters.bounds()
    low = previous.bounds()[0] if previous is not None else since
    args = (filters.town, filters.lang)
    ratings = await store.rating_groups(low, since, until, *args)
    needs = await store.need_groups(low, since, until, *args)
    now = Figures(
        tuple(
            RatingGroup(r[0], r[1], r[2], r[3], r[4], int(r[5]), int(r[6]))
            for r in ratings
            if r[5]
        ),
        tuple(NeedGroup(n[0], n[1], n[2], n[3], n[4], int(n[5])) for n in needs if n[5]),
        tuple(await store.usage_totals(since, until)),
    )
    before = None
    if previous is not None:
        p_since, p_until = previous.bounds()
        before = Figures(
            tuple(
                RatingGroup(r[0], r[1], r[2], r[3], r[4], int(r[7]), int(r[8]))
                for r in ratings
                if r[7]
            ),
            tuple(NeedGroup(n[0], n[1], n[2], n[3], n[4], int(n[6])) for n in needs if n[6]),
            tuple(await store.usage_totals(p_since, p_until)),
        )
    if not Privacy.texts_allowed(town=filters.town, lang=filters.lang):
        return now, before
    weeks = Filters(*Privacy.text_period(filters.since, filters.until))
    w_since, w_until = weeks.bounds()
    p_weeks = Filters(*Privacy.text_period(previous.since, previous.until)) if previous else weeks
    searches = await store.failed_searches(p_weeks.bounds()[0], w_since, w_until)
    now = replace(
        now,
        notes=tuple(await store.note_texts(w_since, w_until)),
        searches=tuple((str(q), int(n)) for q, n, _ in searches if n),
        weak=tuple(await store.weak_searches(w_since, w_until)),
        text_period=weeks,
    )
    if before is not None:
        before = replace(before, searches=tuple((str(q), int(b)) for q, _, b in searches if b))
    return now, before
