"""Benchmark: the staff report and its outputs over N synthetic feedback rows (default 1,000,000).

Run: ``.venv/bin/python -m benchmarks.bench_report [--rows N]``. Builds a temporary SQLite
file with the real schema (a realistic mix of topics, nodes, languages and towns over a
year, plus a year of daily usage totals), then times the report (with the previous period
for trends), its text, the HTML page, the quarter workbook (XLSX), the digest with its
chart, and the CSV and JSONL exports, printing seconds and peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import resource
import sqlite3
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO, TypeVar

from bot.config import PROJECT_ROOT
from bot.engine.screens import NeedKind
from bot.knowledge.loader import read_knowledge
from bot.knowledge.model import Knowledge
from bot.staff.chart import chart_png
from bot.staff.export import Record, records, write_csv, write_jsonl
from bot.staff.model import Filters
from bot.staff.page import render_html
from bot.staff.report import build_report
from bot.staff.text import digest, render_text
from bot.staff.workbook import write_workbook
from bot.storage import Storage

T = TypeVar("T")
TODAY = dt.date(2026, 11, 27)
LANGS = ("de", "tr", "ar", "ru", "uk", "pl", "fa", "ku", "ro", "bg", "en")
LANG_WEIGHTS = (30, 20, 15, 8, 8, 5, 6, 3, 2, 2, 1)
BATCH = 50_000
COMMENTS = ("Keine Termine frei", "Zu wenig auf Türkisch", "Telefon [Telefon] geht nicht")
QUERIES = ("Wohnung", "Schulden", "Kita Platz", "Jobcenter", "Führerschein", "Zahnarzt")


def _rows(knowledge: Knowledge, n: int, seed: int = 4) -> Iterator[tuple[str, ...]]:
    """Synthetic (table, *values) rows: ~85 % ratings, ~5 % comments, ~10 % needs."""
    rnd = random.Random(seed)
    nodes = [node.id for node in knowledge.walk() if node.id != "start"]
    topics = {node: knowledge.topic_of(node) for node in nodes}
    services = {node: knowledge.nodes[node].services for node in nodes}
    towns: list[str | None] = [*knowledge.towns, None]
    days = [(TODAY - dt.timedelta(days=d)).isoformat() for d in range(365)]
    for _ in range(n):
        node = nodes[int(rnd.paretovariate(1.2)) % len(nodes)]  # a few nodes are popular
        day = rnd.choice(days)
        lang = rnd.choices(LANGS, LANG_WEIGHTS)[0]
        town = rnd.choice(towns)
        roll = rnd.random()
        if roll < 0.85:
            service = rnd.choice(services[node]) if services[node] and roll < 0.5 else None
            helpful = "1" if rnd.random() < 0.75 else "0"
            yield ("ratings", day, node, service, topics[node], helpful, lang, town)  # type: ignore[misc]
        elif roll < 0.90:
            text = rnd.choice(COMMENTS)
            yield ("comments", day, node, None, topics[node], lang, town, text)  # type: ignore[misc]
        elif roll < 0.95:
            yield ("needs", day, NeedKind.NONE_FITS, node, topics[node], None, lang, town)  # type: ignore[misc]
        else:
            query = rnd.choice(QUERIES)
            yield ("needs", day, "no_result", None, None, query, lang, town)  # type: ignore[misc]


def _usage(knowledge: Knowledge) -> Iterator[tuple[str, str, str, int]]:
    """A year of daily totals: every screen and card some times a day, a few emergencies."""
    rnd = random.Random(5)
    for d in range(365):
        day = (TODAY - dt.timedelta(days=d)).isoformat()
        for node in knowledge.nodes:
            yield (day, "screen", node, rnd.randint(0, 40))
        for service in knowledge.services:
            yield (day, "card", service, rnd.randint(0, 12))
        for kind in ("violence", "threat", "suicide", "medical", "child"):
            yield (day, "emergency", kind, rnd.randint(0, 3))
        for lang in LANGS:
            yield (day, "language", lang, rnd.randint(0, 9))
        yield (day, "search_hit", "", rnd.randint(10, 90))
        yield (day, "search_miss", "", rnd.randint(0, 20))


def generate(path: Path, knowledge: Knowledge, n: int) -> None:
    """Create the database with the real schema and fill it in batches."""

    async def create() -> None:
        store = await Storage.open(path)
        await store.close()

    asyncio.run(create())
    sql = {
        "ratings": "INSERT INTO ratings (day, node_id, service_id, topic, helpful, lang, town) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        "comments": "INSERT INTO comments (day, node_id, service_id, topic, lang, town, text) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        "needs": "INSERT INTO needs (day, kind, node_id, topic, query, lang, town) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
    }
    db = sqlite3.connect(path)
    try:
        batches: dict[str, list[tuple[str, ...]]] = {t: [] for t in sql}
        for table, *values in _rows(knowledge, n):
            batch = batches[table]
            batch.append(tuple(values))
            if len(batch) >= BATCH:
                db.executemany(sql[table], batch)
                batch.clear()
        for table, batch in batches.items():
            db.executemany(sql[table], batch)
        db.executemany(
            "INSERT INTO usage_daily (day, kind, item, total) VALUES (?, ?, ?, ?)",
            _usage(knowledge),
        )
        db.commit()
        db.execute("ANALYZE")
    finally:
        db.close()


def measure(label: str, run: Callable[[], T]) -> T:
    """Run twice: timed untraced, then traced for the peak of Python allocations.

    Prints wall time and the CPU time of the whole process (every thread, so aiosqlite's
    too): on a shared machine the CPU time is what the step costs when the cores are free.
    """
    start, cpu = time.perf_counter(), time.process_time()
    result = run()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    tracemalloc.start()  # tracing slows allocation down, so it is not timed
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{label:<32} {seconds:6.2f} s wall {cpu:6.2f} s CPU   "
        f"peak {peak / 2**20:6.1f} MiB (Python heap)"
    )
    return result


def main(argv: list[str] | None = None) -> int:
    """Generate, then time each step; print the figures."""
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--rows", type=int, default=1_000_000)
    args.add_argument("--db", type=Path, help="keep the generated database here; reuse it")
    options = args.parse_args(argv)
    knowledge = read_knowledge(PROJECT_ROOT / "knowledge").knowledge
    with tempfile.TemporaryDirectory() as folder:
        path = options.db or Path(folder) / "bench.sqlite3"
        start = time.perf_counter()
        if not path.exists():
            generate(path, knowledge, options.rows)
        print(
            f"generated {options.rows:,} rows in {time.perf_counter() - start:.1f} s "
            f"({path.stat().st_size / 2**20:.0f} MiB file)"
        )
        year = Filters(since=TODAY - dt.timedelta(days=364), until=TODAY)

        async def open_close() -> None:
            store = await Storage.open(path, keys=False)
            await store.close()

        measure("open the database (quick_check)", lambda: asyncio.run(open_close()))
        week = Filters.last_days(TODAY)
        report = measure(
            "report, one year",
            lambda: build_report(path, year, knowledge=knowledge, min_group=5),
        )
        measure("report, one week", lambda: build_report(path, week, knowledge=knowledge))
        measure(
            "report, one year, one town",
            lambda: build_report(path, Filters(year.since, year.until, town="herten")),
        )
        out = Path(folder) / "export"
        measure("render text", lambda: render_text(report))
        measure("render HTML page", lambda: render_html(report))
        measure("render quarter workbook (XLSX)", lambda: write_workbook(report, out))
        measure("digest + chart PNG", lambda: (digest(report), chart_png(report)))

        def export(writer: Callable[[Iterator[Record], TextIO], int]) -> int:
            with out.open("w", encoding="utf-8", newline="") as file:
                everything = build_report(path, Filters(), knowledge=knowledge)
                return writer(records(everything), file)

        n_csv = measure("export CSV (the report's tables), everything", lambda: export(write_csv))
        n_jsonl = measure("export JSONL, everything", lambda: export(write_jsonl))
        print(f"exported {n_csv:,} CSV rows, {n_jsonl:,} JSONL rows (aggregates, to a file)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak resident memory of the whole run: {rss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
