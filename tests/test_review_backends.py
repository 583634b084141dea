"""The review and service-check tables on both databases (tests/pgcluster.py's db_target):
what a reviewer or staff member stored is read back the same by any worker."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from bot.review.apply import Decision, ReportKind, ServiceReport, Verdict
from bot.storage.review import Awaiting, PendingRow
from tests.storage_helpers import open_store

TODAY = dt.date(2026, 11, 18)
NOON = dt.datetime(2026, 11, 18, 12, tzinfo=dt.UTC)


async def test_reviews_checks_and_pending_input_round_trip(db_target: Path | str) -> None:
    store, other = await open_store(db_target), await open_store(db_target)
    try:
        stamp = await other.review_stamp()
        first = Decision(
            "tr", "messages", "Care", "Pflege", "Bakım", Verdict.CORRECTED, 5551, TODAY
        )
        await store.save_review(first)
        again = dataclasses.replace(first, text="Bakım hizmeti", verdict=Verdict.APPROVED)
        await store.save_review(again)  # the same entry reviewed again: replaced
        assert await other.reviews() == [again]
        assert await other.review_stamp() != stamp  # another worker notices the change
        await other.mark_reviews_applied([again], TODAY)
        assert await store.reviews(unapplied=True) == []
        check = ServiceReport("bip_herten", ReportKind.CHECKED, 7771, TODAY)
        await store.save_report(check)
        assert await other.reports(unapplied=True) == [check]
        pending = PendingRow(Awaiting.CORRECTION, "tr", "messages", "Care")
        await store.set_pending(5551, pending, NOON)
        assert await other.pending_input(5551, NOON + dt.timedelta(hours=1)) == pending
        assert await other.pending_input(5551, NOON + dt.timedelta(hours=3)) is None
        await other.drop_pending(5551)
        assert await store.pending_input(5551, NOON) is None
    finally:
        await store.close()
        await other.close()
