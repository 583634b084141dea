"""Translation reviews and service checks done in Telegram, and the people's pending input.
Storage module: SQL only.

Reviewers and staff are not users: their Telegram ids are kept here for the audit trail
(who reviewed a translation, who checked a service), as README's privacy section says.
Every write also changes ``review_stamp``, so that each worker sees the change within a
second by reading one tiny row (``review_stamp``), not the tables.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.review.apply import Decision, ReportKind, ServiceReport, Verdict
from bot.storage.base import StoreBase

# A pending "your next message is the correction" expires after this long.
PENDING_FOR = dt.timedelta(hours=2)


class Awaiting(StrEnum):
    """What a reviewer's or staff member's next message is (stored as the value)."""

    CORRECTION = "correct"  # a translation's corrected text, after ✏️ under an entry
    NOTE = "wrong"  # what is wrong with a service, after ✏️ under it: a note for the editor


@dataclass(frozen=True)
class PendingRow:
    """What a reviewer's or staff member's next message will be."""

    kind: Awaiting
    lang: str
    domain: str
    key: str


class ReviewStore(StoreBase):
    """The ``reviews``, ``service_reports``, ``review_pending`` and ``review_stamp`` tables."""

    async def review_stamp(self) -> str:
        """A value that changes whenever a review or check is stored (one row, one read)."""
        row = await self._fetchone("SELECT stamp FROM review_stamp WHERE id = 1")
        return str(row[0]) if row else ""

    async def save_review(self, decision: Decision) -> None:
        """Store (or replace) a reviewer's verdict on one translation."""
        d = decision
        async with self._transaction() as tx:
            await tx.execute(
                "INSERT INTO reviews (lang, domain, entry, source, text, verdict, reviewer, "
                "day, applied) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL) "
                "ON CONFLICT (lang, domain, entry) DO UPDATE SET source = excluded.source, "
                "text = excluded.text, verdict = excluded.verdict, "
                "reviewer = excluded.reviewer, day = excluded.day, applied = NULL",
                (
                    d.lang,
                    d.domain,
                    d.key,
                    d.source,
                    d.text,
                    d.verdict,
                    d.reviewer,
                    d.day.isoformat(),
                ),
            )
            await tx.execute(*_stamp())

    async def reviews(self, *, unapplied: bool = False) -> list[Decision]:
        """Every stored verdict (only those not yet written into the catalogs), oldest first."""
        sql = "SELECT lang, domain, entry, source, text, verdict, reviewer, day FROM reviews"
        where = " WHERE applied IS NULL" if unapplied else ""
        rows = await self._fetchall(sql + where + " ORDER BY day, lang, entry")
        return [
            Decision(
                r[0], r[1], r[2], r[3], r[4], Verdict(r[5]), int(r[6]), dt.date.fromisoformat(r[7])
            )
            for r in rows
        ]

    async def mark_reviews_applied(self, decisions: Sequence[Decision], day: dt.date) -> None:
        """Note that these verdicts are written into the catalogs (a verdict stored since,
        with another text, stays to be applied)."""
        async with self._transaction() as tx:
            for d in decisions:
                await tx.execute(
                    "UPDATE reviews SET applied = ? WHERE lang = ? AND domain = ? "
                    "AND entry = ? AND text = ? AND applied IS NULL",
                    (day.isoformat(), d.lang, d.domain, d.key, d.text),
                )

    async def save_report(self, report: ServiceReport) -> None:
        """Store what staff said about a service (checked, something wrong, gone)."""
        r = report
        async with self._transaction() as tx:
            await tx.execute(
                "INSERT INTO service_reports (service_id, kind, note, staff, day, applied) "
                "VALUES (?, ?, ?, ?, ?, NULL)",
                (r.service, r.kind, r.note, r.staff, r.day.isoformat()),
            )
            await tx.execute(*_stamp())

    async def reports(self, *, unapplied: bool = False) -> list[ServiceReport]:
        """Every stored report (only those not yet written into the YAML), oldest first."""
        where = " WHERE applied IS NULL" if unapplied else ""
        rows = await self._fetchall(
            "SELECT service_id, kind, staff, day, note FROM service_reports"
            + where
            + " ORDER BY day, service_id",
        )
        return [
            ServiceReport(
                r[0], ReportKind(r[1]), int(r[2]), dt.date.fromisoformat(r[3]), r[4] or ""
            )
            for r in rows
        ]

    async def mark_reports_applied(self, reports: Sequence[ServiceReport], day: dt.date) -> None:
        """Note that these reports are written into services.yaml (later ones stay)."""
        async with self._transaction() as tx:
            for r in reports:
                await tx.execute(
                    "UPDATE service_reports SET applied = ? WHERE service_id = ? AND kind = ? "
                    "AND staff = ? AND day = ? AND COALESCE(note, '') = ? AND applied IS NULL",
                    (day.isoformat(), r.service, r.kind, r.staff, r.day.isoformat(), r.note),
                )
            await tx.execute(*_stamp())

    async def set_pending(self, person: int, pending: PendingRow, now: dt.datetime) -> None:
        """Take ``person``'s next message as the input ``pending`` describes."""
        await self._execute(
            "INSERT INTO review_pending (person, kind, lang, domain, entry, since) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (person) DO UPDATE SET "
            "kind = excluded.kind, lang = excluded.lang, domain = excluded.domain, "
            "entry = excluded.entry, since = excluded.since",
            (
                person,
                pending.kind,
                pending.lang,
                pending.domain,
                pending.key,
                int(now.timestamp()),
            ),
        )

    async def pending_input(self, person: int, now: dt.datetime) -> PendingRow | None:
        """What ``person``'s next message is for, if they were asked lately."""
        cutoff = int((now - PENDING_FOR).timestamp())
        row = await self._fetchone(
            "SELECT kind, lang, domain, entry FROM review_pending WHERE person = ? AND since >= ?",
            (person, cutoff),
        )
        return PendingRow(Awaiting(row[0]), row[1], row[2], row[3]) if row else None

    async def purge_pending(self, now: dt.datetime) -> int:
        """Delete what people were asked longer than ``PENDING_FOR`` ago (housekeeping)."""
        cutoff = int((now - PENDING_FOR).timestamp())
        deleted = await self._execute("DELETE FROM review_pending WHERE since < ?", (cutoff,))
        if deleted:
            await self.backend.after_delete()
        return deleted

    async def drop_pending(self, person: int) -> None:
        """Nothing pending for ``person`` any more."""
        await self._execute("DELETE FROM review_pending WHERE person = ?", (person,))


def _stamp() -> tuple[str, tuple[object, ...]]:
    """The statement that marks a change for every worker."""
    return (
        "INSERT INTO review_stamp (id, stamp) VALUES (1, ?) "
        "ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp",
        (secrets.token_hex(8),),
    )
