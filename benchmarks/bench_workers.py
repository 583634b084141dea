"""Benchmark: webhook workers as real processes, 1 on SQLite against 1 and 2 on PostgreSQL.

Run: ``.venv/bin/python -m benchmarks.bench_workers [--users 40] [--rounds 3]``.

Same load for each set-up, in one run: the fake Bot API (tests/fakes) and the simulated
users live in this process; each worker is ``python -m bot`` in webhook mode
(``LOTSE_WEBHOOK_URL``) behind the round-robin proxy of tests/workers.py, with the rate
limiter off (we measure our own cost, not Telegram's ceiling). PostgreSQL is a throwaway
cluster on 127.0.0.1 (tests/pgcluster.py; fsync off, as SQLite's WAL with synchronous=NORMAL
does not sync each commit either). Each user walks the relative's journey (/start, care,
Pflegegrad, a town, 👎, a note, /start) and waits for each answer (closed loop).

Reported: updates/s over the whole run; p50/p99 from handing the update to the proxy to the
bot's answer (sendMessage, editMessageText) reaching the fake; the database's share: wall time
inside the storage per update (measured in the workers) against the mean latency; and CPU
seconds used by the workers and by the PostgreSQL server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from tests.fakes import FakeBotApi, FakeUser
from tests.pgcluster import Cluster, running_cluster
from tests.workers import HEADER, SECRET, workers

REPLIES = frozenset({"sendMessage", "editMessageText"})
NOW = 1_795_000_000
TICKS = os.sysconf("SC_CLK_TCK")
DB_TIME = "LOTSE_BENCH_DB_TIME"


@dataclass(frozen=True)
class Result:
    name: str
    updates: int
    seconds: float
    latencies: list[float]
    db_seconds: float
    worker_cpu: float
    server_cpu: float

    def row(self) -> str:
        lat = sorted(self.latencies)
        p50 = statistics.median(lat) * 1000
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        mean = statistics.fmean(lat)
        db_per_update = self.db_seconds / self.updates
        return (
            f"| {self.name:<22} | {self.updates / self.seconds:8.1f} | {p50:6.1f} | {p99:7.1f} "
            f"| {db_per_update * 1000:6.2f} ms = {db_per_update / mean:4.0%} "
            f"| {self.worker_cpu:6.1f} | {self.server_cpu:6.1f} |"
        )


HEAD = (
    "| set-up                 | updates/s | p50 ms | p99 ms | DB time per update (share) "
    "| worker CPU s | PG CPU s |\n|---|---:|---:|---:|---:|---:|---:|"
)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def server_cpu(cluster: Cluster | None) -> float:
    """CPU of the postmaster and every backend it forked."""
    if cluster is None or cluster.process is None:
        return 0.0
    root = cluster.process.pid
    total = cpu_seconds(root)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == root:
            total += cpu_seconds(int(entry.name))
    return total


class Pump:
    """Hands every update the fake holds to the proxy, as Telegram pushes to a webhook."""

    def __init__(self, server: FakeBotApi, port: int) -> None:
        self.server = server
        self.url = f"http://127.0.0.1:{port}/tg/hook"

    async def run(self) -> None:
        async with aiohttp.ClientSession() as http:
            while True:
                batch = self.server.take_updates()
                for raw in batch:
                    async with http.post(self.url, json=raw, headers={HEADER: SECRET}) as r:
                        await r.read()
                if not batch:
                    await asyncio.sleep(0.001)


async def answered(server: FakeBotApi, chat_id: int, start: int) -> None:
    """Wait until the bot sent or edited a message in this chat after request ``start``."""
    seen = start
    while True:
        requests = server.requests
        for r in requests[seen:]:
            if r.method in REPLIES and str(r.params.get("chat_id")) == str(chat_id):
                return
        seen = len(requests)
        await asyncio.sleep(0.001)


async def journey(user: FakeUser, server: FakeBotApi, latencies: list[float]) -> int:
    """The relative's journey, each step waiting for its answer; how many updates."""
    steps: list[tuple[str, str]] = [
        ("send", "/start"),
        ("press", "🧓 Pflege für Angehörige"),
        ("press", "📋 Was ist ein Pflegegrad?"),
        ("press", "Herten"),
        ("press", "👎 Nein"),
        ("send", "Keine Termine frei in Herten"),
        ("send", "/start"),
    ]
    for kind, value in steps:
        start = len(server.requests)
        began = time.perf_counter()
        if kind == "send":
            await user.send(value, wait=False)
        else:
            await user.press(value, wait=False)
        await asyncio.wait_for(answered(server, user.chat.id, start), 60)
        latencies.append(time.perf_counter() - began)
    return len(steps)


def read_db_time(folder: Path) -> float:
    """The storage time the workers wrote at exit, added up."""
    return sum(float(p.read_text() or 0) for p in folder.glob("db-time*") if p.is_file())


async def measure(
    name: str, database: str, count: int, users: int, rounds: int, cluster: Cluster | None
) -> Result:
    with tempfile.TemporaryDirectory() as raw_folder:
        folder = Path(raw_folder)
        os.environ[DB_TIME] = str(folder / "db-time")
        try:
            async with (
                FakeBotApi(now=NOW, idle_quiet=0.05, idle_timeout=120) as server,
                workers(server, database, folder, count, serve=True) as run,
            ):
                pump = asyncio.create_task(Pump(server, run.proxy.port).run())
                latencies: list[float] = []
                server_before = server_cpu(cluster)
                began = time.perf_counter()
                done = 0
                for r in range(rounds):
                    people = [
                        server.user(100_000 + r * users + i, "U", language_code="de")
                        for i in range(users)
                    ]
                    counts = await asyncio.gather(*(journey(p, server, latencies) for p in people))
                    done += sum(counts)
                seconds = time.perf_counter() - began
                worker_cpu = sum(cpu_seconds(p.pid) for p in run.processes)
                pg_cpu = server_cpu(cluster) - server_before
                pump.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pump
        finally:
            del os.environ[DB_TIME]
        db_seconds = read_db_time(folder)
    return Result(name, done, seconds, latencies, db_seconds, worker_cpu, pg_cpu)


@contextlib.asynccontextmanager
async def maybe_cluster(needed: bool) -> AsyncIterator[Cluster | None]:
    if not needed:
        yield None
        return
    with running_cluster() as cluster:
        yield cluster


async def compare(users: int, rounds: int) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite = str(Path(folder) / "bench.sqlite3")
        results.append(await measure("1 worker, SQLite", sqlite, 1, users, rounds, None))
    async with maybe_cluster(True) as cluster:
        assert cluster is not None
        for count in (1, 2):
            url = cluster.url(cluster.database("bench"))
            label = f"{count} worker{'s' if count > 1 else ''}, PostgreSQL"
            results.append(await measure(label, url, count, users, rounds, cluster))
    return results


def serve() -> int:
    """A worker that adds up the wall time spent in the storage, written at exit."""
    from bot.__main__ import main
    from bot.storage import base

    spent = [0.0]
    execute, fetchall = base.StoreBase._execute, base.StoreBase._fetchall
    transaction = base.StoreBase._transaction

    async def timed_execute(self: Any, *args: Any) -> Any:
        began = time.perf_counter()
        try:
            return await execute(self, *args)
        finally:
            spent[0] += time.perf_counter() - began

    async def timed_fetchall(self: Any, *args: Any) -> Any:
        began = time.perf_counter()
        try:
            return await fetchall(self, *args)
        finally:
            spent[0] += time.perf_counter() - began

    @contextlib.asynccontextmanager
    async def timed_transaction(self: Any) -> AsyncIterator[Any]:
        began = time.perf_counter()
        try:
            async with transaction(self) as tx:
                yield tx
        finally:
            spent[0] += time.perf_counter() - began

    setattr(base.StoreBase, "_execute", timed_execute)  # noqa: B010 - patched for timing
    setattr(base.StoreBase, "_fetchall", timed_fetchall)  # noqa: B010
    setattr(base.StoreBase, "_transaction", timed_transaction)  # noqa: B010
    try:
        return main([], os.environ)
    finally:
        target = os.environ.get(DB_TIME)
        if target:
            Path(f"{target}-{os.getpid()}").write_text(f"{spent[0]:.6f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40, help="users walking at once")
    parser.add_argument("--rounds", type=int, default=3, help="how many times they start anew")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.serve:
        return serve()
    results = asyncio.run(compare(options.users, options.rounds))
    print(f"{options.users} users x {options.rounds} rounds x 7 updates, {os.cpu_count()} cores")
    print(HEAD)
    for result in results:
        print(result.row())
    return 0


if __name__ == "__main__":
    sys.exit(main())
