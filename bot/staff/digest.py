"""What /report and the Monday post send to staff: the digest text, its chart, the page.

Staff layer. The Telegram shell reaches it only through ``bot.runtime.staff_digest`` in a
worker thread (``weekly_digest``: reading, suppressing, drawing the PNG with Pillow, writing
the HTML page), never on the event loop; an async caller that has the storage open can use
``staff_digest``, which reads through it and draws in a thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.knowledge.conventions import utc_today
from bot.staff.model import DEFAULT_DAYS, Filters, Report
from bot.staff.report import build_report, load_report

if TYPE_CHECKING:
    from bot.knowledge.model import Knowledge
    from bot.storage import Storage


@dataclass(frozen=True)
class StaffDigest:
    """The digest (plain text, at most 4096 characters), its chart and the whole page."""

    text: str
    png: bytes
    page: bytes
    filename: str


def render_digest(report: Report) -> StaffDigest:
    """Draw the digest's parts from a built report (blocking: run it in a thread)."""
    from bot.staff.chart import chart_png
    from bot.staff.page import render_html
    from bot.staff.text import digest

    until = report.filters.until or utc_today()
    return StaffDigest(
        digest(report),
        chart_png(report),
        render_html(report).encode("utf-8"),
        f"lotse-bericht-{until.isoformat()}.html",
    )


def weekly_digest(
    db: Path | str,
    *,
    today: dt.date,
    knowledge: Knowledge | None = None,
    min_group: int = 5,
    days: int = DEFAULT_DAYS,
    locales: Path | None = None,
) -> StaffDigest:
    """The last ``days`` days up to ``today`` from the database at ``db``. Blocking: the
    Telegram shell runs it in a thread (through ``bot.runtime.staff_digest``). With the
    knowledge and ``locales``, the page also shows translations and service checks."""
    report = build_report(
        db, Filters.last_days(today, days), knowledge=knowledge, min_group=min_group, today=today
    )
    if knowledge is not None and locales is not None:
        from bot.staff.upkeep import with_upkeep

        report = with_upkeep(report, knowledge, locales, Path(__file__).parents[1], today)
    return render_digest(report)


async def staff_digest(
    store: Storage,
    *,
    today: dt.date,
    knowledge: Knowledge | None = None,
    min_group: int = 5,
    days: int = DEFAULT_DAYS,
) -> StaffDigest:
    """The last ``days`` days up to ``today`` as digest, chart and page."""
    report = await load_report(
        store,
        Filters.last_days(today, days),
        knowledge=knowledge,
        min_group=min_group,
        today=today,
    )
    return await asyncio.to_thread(render_digest, report)
