"""How well the content is kept: translations reviewed, services checked. Staff layer.

These figures describe the office's own work (catalogs and ``knowledge/services.yaml``),
not users, so no group is too small to show: the privacy rules of ``bot.staff.privacy``
concern feedback and usage, and these rows never come from either.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from bot.knowledge.model import Knowledge
from bot.review.queue import summary
from bot.staff.model import Labels, Report, Row
from bot.staff.translations import coverage


def translation_rows(knowledge: Knowledge, locales: Path, code_dir: Path) -> tuple[Row, ...]:
    """Per language: entries reviewed (count), drafts (needs) and outdated (detail)."""
    labels = Labels(knowledge)
    totals: dict[str, tuple[int, int, int]] = {}
    for c in coverage(knowledge, locales, code_dir):
        reviewed, draft, outdated = totals.get(c.lang, (0, 0, 0))
        totals[c.lang] = (reviewed + c.translated, draft + c.draft, outdated + len(c.outdated))
    return tuple(
        Row(lang, labels.lang(lang), reviewed, needs=draft, detail=str(outdated))
        for lang, (reviewed, draft, outdated) in sorted(totals.items())
    )


def service_rows(knowledge: Knowledge, today: dt.date) -> tuple[Row, ...]:
    """Services checked with the provider, due for a check, reported, never checked."""
    s = summary(knowledge, {}, today)
    return (
        Row("total", "Angebote insgesamt", s.total),
        Row("checked", "mit dem Anbieter geprüft (in den letzten 12 Monaten)", s.checked),
        Row("due", "Prüfung fällig (älter als 12 Monate oder nie)", s.due),
        Row("reported", "als fehlerhaft gemeldet", s.reported),
        Row("never", "nie mit dem Anbieter geprüft", s.never),
    )


def with_upkeep(
    report: Report, knowledge: Knowledge, locales: Path, code_dir: Path, today: dt.date
) -> Report:
    """The report with the translation and service-check sections filled in."""
    return dataclasses.replace(
        report,
        translations=translation_rows(knowledge, locales, code_dir),
        service_checks=service_rows(knowledge, today),
    )
