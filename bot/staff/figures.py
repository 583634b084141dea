"""The raw, unsuppressed figures of one period, as the database's grouped rows. Staff layer.

``read_figures`` asks the storage (``bot.storage.reports``, SQL that runs on SQLite and
PostgreSQL) for grouped totals only: never one row per rating, and for notes only the
columns privacy rule 4 allows. Nothing here is shown to anyone before
``bot.staff.report.assemble`` has suppressed it.
"""

from __future__ import annotations

from dataclasses import dataclass
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


async def read_figures(store: Storage, filters: Filters, *, texts: bool = True) -> Figures:
    """Read one period's grouped totals (and, unless ``texts`` is False, its free texts)."""
    since, until = filters.bounds()
    ratings = await store.rating_groups(since, until, filters.town, filters.lang)
    needs = await store.need_groups(since, until, filters.town, filters.lang)
    usage = await store.usage_totals(since, until)
    if not texts or not Privacy.texts_allowed(town=filters.town, lang=filters.lang):
        return Figures(
            tuple(RatingGroup(*r) for r in ratings),
            tuple(NeedGroup(*n) for n in needs),
            tuple(usage),
        )
    weeks = Filters(*Privacy.text_period(filters.since, filters.until))
    w_since, w_until = weeks.bounds()
    return Figures(
        tuple(RatingGroup(*r) for r in ratings),
        tuple(NeedGroup(*n) for n in needs),
        tuple(usage),
        tuple(await store.note_texts(w_since, w_until)),
        tuple(await store.failed_searches(w_since, w_until)),
        tuple(await store.weak_searches(w_since, w_until)),
        weeks,
    )
