"""Reviews and checks stored in the database, shown to users at once by every worker.

Core side: no Telegram. Each worker keeps the stored verdicts in memory and installs them into
its catalogs (``Catalogs.overrides``) and engine (``Engine.checks``). Whether anything changed
is one read of one tiny row (the stamp), at most once a second per worker; only a changed
stamp loads the tables again. A verdict overrides the catalog only while the catalog still
holds a draft, outdated or missing text for the same source: once ``review apply`` wrote it
and the bot reloaded, the catalog wins again, so a later edit of the .po is never masked.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Protocol

from bot.i18n import KNOWLEDGE_DOMAIN, Catalogs
from bot.review.apply import Decision, ReportKind, ServiceReport
from bot.review.queue import Check

CHECK_EVERY = 1.0  # seconds between two looks at the stamp


class ReviewSource(Protocol):
    """What the storage offers this module."""

    async def review_stamp(self) -> str:
        """A value that changes whenever a review or check is stored."""
        ...

    async def reviews(self, *, unapplied: bool = False) -> list[Decision]:
        """Every stored verdict."""
        ...

    async def reports(self, *, unapplied: bool = False) -> list[ServiceReport]:
        """Every stored report about a service."""
        ...


def overrides_for(
    catalogs: Catalogs, decisions: list[Decision]
) -> dict[str, dict[tuple[str, str], tuple[str, str]]]:
    """lang -> (domain, key) -> (source, text), for the entries the catalogs lack reviewed."""
    result: dict[str, dict[tuple[str, str], tuple[str, str]]] = {}
    for d in decisions:
        catalog = catalogs.languages.get(d.lang)
        if catalog is None:
            continue
        if d.domain == KNOWLEDGE_DOMAIN:
            entry = catalog.knowledge.get(d.key)
        else:
            entry = catalog.ui.get((None, d.key))
        reviewed = entry is not None and not (entry.draft or entry.fuzzy)
        if reviewed and entry is not None and entry.msgid == d.source:
            continue  # written into the catalog and loaded: the catalog wins
        result.setdefault(d.lang, {})[(d.domain, d.key)] = (d.source, d.text)
    return result


def checks_for(reports: list[ServiceReport]) -> dict[str, Check]:
    """service id -> the latest provider check and the reports not yet in the YAML."""
    latest: dict[str, dt.date] = {}
    reported: dict[str, int] = {}
    for r in reports:
        if r.kind == ReportKind.CHECKED:
            latest[r.service] = max(r.day, latest.get(r.service, r.day))
    for r in reports:
        if r.kind != ReportKind.CHECKED:
            reported[r.service] = reported.get(r.service, 0) + 1
    return {sid: Check(latest.get(sid), reported.get(sid, 0)) for sid in {*latest, *reported}}


class LiveReviews:
    """The verdicts and checks of the database, kept in step with it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.stamp: str | None = None
        self.looked = float("-inf")
        self.decisions: list[Decision] = []
        self.checks: dict[str, Check] = {}
        self.unapplied: dict[str, Check] = {}
        self._installed: tuple[int, int] | None = None

    async def refresh(self, store: ReviewSource, *, force: bool = False) -> bool:
        """Load the verdicts again if the stamp changed; whether it did."""
        now = self.clock()
        if not force and now - self.looked < CHECK_EVERY:
            return False
        self.looked = now
        stamp = await store.review_stamp()
        if stamp == self.stamp and not force:
            return False
        self.decisions = await store.reviews()
        reports = await store.reports()
        self.checks = checks_for(reports)
        self.unapplied = checks_for(await store.reports(unapplied=True))
        # Provider checks count whether applied or not; reports only until applied.
        for sid, check in self.checks.items():
            self.checks[sid] = Check(check.verified, self.unapplied.get(sid, Check()).reported)
        self.stamp = stamp
        self._installed = None
        return True

    def install(self, catalogs: Catalogs, checks: dict[str, dt.date]) -> None:
        """Put the verdicts into these catalogs and the engine's ``checks`` (once per change)."""
        mark = (id(catalogs), id(checks))
        if self._installed == mark:
            return
        catalogs.overrides = overrides_for(catalogs, self.decisions)
        checks.clear()
        checks.update({sid: c.verified for sid, c in self.checks.items() if c.verified})
        self._installed = mark
