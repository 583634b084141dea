"""The staff report shows how well the content is kept: translations reviewed, drafts and
outdated per language, services checked with the provider, due or reported (issue 13)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.knowledge.model import Knowledge
from bot.staff.model import Filters, Report, Row
from bot.staff.text import render_text
from bot.staff.upkeep import service_rows, translation_rows, with_upkeep

TODAY = dt.date(2026, 11, 30)


def _drop_first_draft_mark(po: Path) -> None:
    """As ``review apply`` does for an approved entry: the draft comment goes."""
    lines = po.read_text(encoding="utf-8").splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if line.startswith("# draft"))
    del lines[first]
    po.write_text("".join(lines), encoding="utf-8")


def test_an_approved_entry_counts_as_reviewed_and_no_longer_as_draft(
    real: Knowledge, tmp_path: Path
) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(PROJECT_ROOT / "locales", locales)
    code = PROJECT_ROOT / "bot"
    before = {row.key: row for row in translation_rows(real, locales, code)}
    _drop_first_draft_mark(locales / "tr" / "LC_MESSAGES" / "messages.po")
    after = {row.key: row for row in translation_rows(real, locales, code)}
    assert after["tr"].count == (before["tr"].count or 0) + 1
    assert after["tr"].needs == (before["tr"].needs or 0) - 1
    assert after["ar"] == before["ar"]
    assert set(before) >= {"tr", "ar", "fa", "ku", "ru", "uk", "pl", "ro", "bg", "en"}


def test_service_checks_follow_the_services_file(real: Knowledge) -> None:
    rows = {row.key: row.count for row in service_rows(real, TODAY)}
    assert rows["total"] == len(real.services)
    never = sum(1 for s in real.services.values() if s.verified_how != "provider")
    assert rows["never"] == never
    checked, due, total = rows["checked"] or 0, rows["due"] or 0, rows["total"] or 0
    assert checked + due <= total


def test_the_report_shows_both_sections_with_their_figures(real: Knowledge) -> None:
    empty = Report(
        filters=Filters(since=TODAY, until=TODAY),
        min_group=5,
        previous=None,
        rated=Row("rated", "Bewertungen", 0),
        overview=(),
        by_topic=(),
        by_node=(),
        by_service=(),
        least_helpful=(),
        none_fits=(),
        no_result=Row("no_result", "Suche ohne Ergebnis", 0),
        queries=(),
        weak=(),
        by_lang=(),
        by_town=(),
    )
    report = with_upkeep(empty, real, PROJECT_ROOT / "locales", PROJECT_ROOT / "bot", TODAY)
    text = render_text(report)
    assert "Übersetzungen: geprüft, Entwurf, veraltet" in text
    assert "Türkisch (tr)" in text
    assert "Angebote: Prüfstand" in text
    total = next(line for line in text.splitlines() if "Angebote insgesamt" in line)
    assert total.split()[-1] == str(len(real.services))
    assert "nie mit dem Anbieter geprüft" in text


async def test_the_page_sent_by_report_in_telegram_shows_them_too(
    real: Knowledge, tmp_path: Path
) -> None:
    import asyncio

    from bot.staff.digest import weekly_digest
    from bot.storage import Storage

    db = tmp_path / "lotse.sqlite3"
    store = await Storage.open(db, "test-salt")
    await store.close()
    sent = await asyncio.to_thread(
        weekly_digest, db, today=TODAY, knowledge=real, locales=PROJECT_ROOT / "locales"
    )
    page = sent.page.decode("utf-8")
    assert "Angebote: Prüfstand" in page
    assert "Türkisch (tr)" in page
