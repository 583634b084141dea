"""The staff report reads the same from SQLite and from PostgreSQL: the same feedback in both
databases gives the same text, cell for cell (issue: both backends, same staff queries)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from bot.staff.model import Filters
from bot.staff.report import load_report
from bot.staff.text import render_text
from bot.storage import NO_RESULT, NONE_FITS, Storage
from tests.pgcluster import Cluster
from tests.storage_helpers import open_store
from tests.test_console import run_bot

TODAY = dt.date(2026, 11, 18)
TOWNS = ("herten", "marl", "datteln", None)
LANGS = ("de", "tr", "ar", "uk")


async def fill(store: Storage) -> None:
    """Four weeks of feedback, usage and notes, the same every time."""
    for i in range(240):
        day = TODAY - dt.timedelta(days=i % 28)
        node = ("pflegegrad", "pflege_demenz", "gewalt", "ki")[i % 4]
        topic = ("pflege", "pflege", "frauen", "migration")[i % 4]
        town, lang = TOWNS[i % 4], LANGS[i // 4 % 4]
        await store.add_rating(node, topic, i % 3 != 0, lang, town=town, day=day)
        if i % 5 == 0:
            await store.add_need(NO_RESULT, lang, query=f"Kita Platz {i % 3}", day=day)
        if i % 7 == 0:
            await store.add_need(NONE_FITS, lang, node_id=node, topic=topic, town=town, day=day)
        if i % 3 == 0:
            await store.add_comment(node, topic, f"Keine Termine frei ({i % 2})", lang, day=day)
    await store.add_usage(
        {(TODAY.isoformat(), "screen", "pflegegrad"): 12, (TODAY.isoformat(), "search", ""): 7}
    )


async def report_text(target: Path | str) -> str:
    store = await open_store(target)
    try:
        await fill(store)
        report = await load_report(store, Filters.last_days(TODAY, 28), min_group=3, today=TODAY)
    finally:
        await store.close()
    return render_text(report)


async def test_the_staff_report_is_the_same_on_both_databases(
    tmp_path: Path, pg_cluster: Cluster
) -> None:
    on_sqlite = await report_text(tmp_path / "lotse.sqlite3")
    on_postgres = await report_text(pg_cluster.url(pg_cluster.database()))
    assert "Keine Termine frei" in on_sqlite  # the notes section is there, not empty
    assert "Kita Platz" in on_sqlite  # and the searches that found nothing
    assert on_postgres == on_sqlite


async def test_the_staff_command_line_reads_and_purges_a_postgresql_database(
    pg_cluster: Cluster,
) -> None:
    name = pg_cluster.database()
    url = pg_cluster.url(name)
    store = await open_store(url)
    try:
        await fill(store)
    finally:
        await store.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOTSE", "TELEGRAM"))}
    env.update({"LOTSE_DB": url, "LOTSE_MIN_GROUP": "3"})
    report = run_bot(
        ["feedback", "report", "--since", "2026-10-22", "--until", "2026-11-18"], "", env
    )
    assert report.returncode == 0, report.stdout + report.stderr
    assert "Keine Termine frei" in report.stdout
    purged = run_bot(["feedback", "purge", "--retention-days", "7"], "", env)
    assert purged.returncode == 0, purged.stdout + purged.stderr
    assert int(pg_cluster.psql("SELECT COUNT(*) FROM ratings", name)) < 240
