"""Review state in the database: every worker sees a verdict within a second, and the
pending "your next message is the correction" survives a restart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.engine.flow import Engine
from bot.i18n import Catalogs
from bot.knowledge.conventions import msgctxt
from bot.review.apply import Decision, ReportKind, ServiceReport, Verdict
from bot.review.live import CHECK_EVERY, LiveReviews
from bot.storage import Storage
from bot.storage.review import PENDING_FOR, Awaiting, PendingRow

KEY = msgctxt("node", "notfall", "title")
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_another_worker_sees_a_correction_within_a_second(
    tmp_path: Path, catalogs: Catalogs, engine: Engine
) -> None:
    path = tmp_path / "lotse.sqlite3"
    writer = await Storage.open(path, "s" * 16)
    reader = await Storage.open(path, "s" * 16)
    clock = Clock()
    worker = LiveReviews(clock)
    try:
        await worker.refresh(reader)
        worker.install(catalogs, engine.checks)
        german = engine.knowledge.nodes["notfall"].title
        before = catalogs.translator("tr").content(KEY, german)
        decision = Decision(
            "tr", "knowledge", KEY, german, "Acil – hemen", Verdict.CORRECTED, 111, NOW.date()
        )
        await writer.save_review(decision)
        await writer.save_report(ServiceReport("notruf_110", ReportKind.CHECKED, 333, NOW.date()))
        # Within the second: no read at all (the per-update cost is a clock call).
        assert await worker.refresh(reader) is False
        clock.now += CHECK_EVERY
        assert await worker.refresh(reader) is True
        worker.install(catalogs, engine.checks)
        assert catalogs.translator("tr").content(KEY, german) == "Acil – hemen" != before
        assert engine.checks == {"notruf_110": NOW.date()}
        # Nothing new: one read of the stamp, nothing reloaded.
        clock.now += CHECK_EVERY
        assert await worker.refresh(reader) is False
    finally:
        catalogs.overrides = {}
        engine.checks.clear()
        await writer.close()
        await reader.close()


async def test_a_pending_correction_survives_a_restart_and_expires(tmp_path: Path) -> None:
    path = tmp_path / "lotse.sqlite3"
    store = await Storage.open(path, "s" * 16)
    await store.set_pending(111, PendingRow(Awaiting.CORRECTION, "tr", "knowledge", KEY), NOW)
    await store.close()
    store = await Storage.open(path, "s" * 16)
    try:
        assert await store.pending_input(111, NOW + dt.timedelta(minutes=5)) == PendingRow(
            Awaiting.CORRECTION, "tr", "knowledge", KEY
        )
        assert await store.pending_input(222, NOW) is None
        assert await store.pending_input(111, NOW + dt.timedelta(hours=3)) is None
        await store.drop_pending(111)
        assert await store.pending_input(111, NOW) is None
    finally:
        await store.close()


async def test_housekeeping_deletes_a_reviewers_pending_input_after_two_hours(
    tmp_path: Path,
) -> None:
    # README: a reviewer's id and what it is for wait in review_pending for two hours, even
    # when the reviewer never answers (nothing else would delete the row).
    store = await Storage.open(tmp_path / "lotse.sqlite3", "s" * 16)
    try:
        await store.set_pending(111, PendingRow(Awaiting.CORRECTION, "tr", "knowledge", KEY), NOW)
        assert await store.purge_pending(NOW + PENDING_FOR - dt.timedelta(seconds=1)) == 0
        assert await store.purge_pending(NOW + PENDING_FOR + dt.timedelta(seconds=1)) == 1
        assert await store._fetchall("SELECT person FROM review_pending") == []
    finally:
        await store.close()
