"""How the bot is used, counted without any user key: daily totals. Conversation layer.

One ``UsageCounter`` per worker counts in memory what happens (a screen viewed, a service
card opened, an emergency screen shown, a search with or without a result, an erase, a
language chosen) under today's UTC day, and ``flush`` adds the totals to the database
(``bot.storage.usage``: an upsert that adds, so several workers never overwrite each
other). Items are ids from the knowledge (node, service, crisis kind, language code), never
text a person typed. No Telegram here; both shells count through the conversation layer.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Protocol

from bot.engine import payloads as pl
from bot.engine.screens import Reply
from bot.knowledge.conventions import utc_today

log = logging.getLogger(__name__)
# Seconds: how often each worker writes, and what a crash can lose (a clean stop loses
# nothing: the shells call Conversation.flush when they stop).
FLUSH_EVERY = 60.0


class UsageKind(StrEnum):
    """What is counted."""

    SCREEN = "screen"  # item: node id
    CARD = "card"  # item: service id
    EMERGENCY = "emergency"  # item: crisis kind
    SEARCH_HIT = "search_hit"
    SEARCH_MISS = "search_miss"
    ERASE = "erase"
    LANGUAGE = "language"  # item: language code


class UsageSink(Protocol):
    """Where totals go (``bot.storage.Storage``)."""

    async def add_usage(self, totals: Mapping[tuple[str, str, str], int]) -> None:
        """Add the totals, all or none."""
        ...


class UsageCounter:
    """Counts in memory, by day; written as daily totals by ``flush``."""

    def __init__(
        self,
        today: Callable[[], dt.date] = utc_today,
        *,
        every: float = FLUSH_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._today = today
        self._every = every
        self._clock = clock
        self._counts: Counter[tuple[str, str, str]] = Counter()
        self._flushed = clock()

    def count(self, kind: UsageKind, item: str = "") -> None:
        """One more of ``kind`` (for ``item``) today."""
        self._counts[(self._today().isoformat(), kind.value, item)] += 1

    def screen(self, node_id: str) -> None:
        """A screen of the tree was shown."""
        self.count(UsageKind.SCREEN, node_id)

    def card(self, service_id: str) -> None:
        """A service card was opened."""
        self.count(UsageKind.CARD, service_id)

    def emergency(self, kind: str) -> None:
        """The emergency screen was shown, for this kind of danger ("" when general)."""
        self.count(UsageKind.EMERGENCY, kind)

    def search(self, *, found: bool) -> None:
        """A search was answered, with results or without."""
        self.count(UsageKind.SEARCH_HIT if found else UsageKind.SEARCH_MISS)

    def erase(self) -> None:
        """Someone used "erase this chat"."""
        self.count(UsageKind.ERASE)

    def language(self, lang: str) -> None:
        """Someone chose a language."""
        self.count(UsageKind.LANGUAGE, lang)

    def seen(self, reply: Reply, opened: str | None = None) -> None:
        """Count what a reply shows; ``opened``: the payload pressed (or the screen's place
        after /start and /menu), which names the screen or service card opened."""
        action = pl.parse(opened) if opened else None
        if action is not None and action.kind == pl.NODE:
            self.screen(action.args[0])
        elif action is not None and action.kind == pl.SERVICE:
            self.card(action.args[0])
        elif action is not None and action.kind == pl.MAIN:
            self.screen("start")
        if reply.shown == "results":
            self.search(found=True)
        elif reply.shown == "nothing_found":
            self.search(found=False)
        elif reply.shown and reply.shown.startswith("emergency:"):
            self.emergency(reply.shown.partition(":")[2])
        if reply.set_lang:
            self.language(reply.set_lang)

    @property
    def pending(self) -> Mapping[tuple[str, str, str], int]:
        """What is counted and not yet written."""
        return dict(self._counts)

    async def flush(self, sink: UsageSink) -> int:
        """Write the totals; how many events. On failure they stay for the next flush."""
        self._flushed = self._clock()
        if not self._counts:
            return 0
        totals, self._counts = self._counts, Counter()
        try:
            await sink.add_usage(totals)
        except BaseException:
            self._counts.update(totals)
            raise
        return sum(totals.values())

    async def maybe_flush(self, sink: UsageSink | None) -> None:
        """Flush when the last one is ``every`` seconds ago; a failed write never reaches
        the person using the bot (the totals wait for the next try)."""
        if sink is None or self._clock() - self._flushed < self._every:
            return
        try:
            await self.flush(sink)
        except Exception as exc:  # usage figures must never break a conversation
            log.warning("usage totals not written yet (%s); kept for the next try", type(exc))
