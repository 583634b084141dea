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
from collections.abc import AsyncIterator, Awaitable
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
DB_TIME = "BENCH_DB_TIME"  # not LOTSE_*: the workers get only their own settings


@dataclass(frozen=True)
class Result:
    name: str
    updates: int
    seconds: float
    latencies: list[float]
    db_seconds: float
    worker_cpu: float
    server_cpu: float
    load_cpu: float
    worker_rss: float

    def row(self) -> str:
        lat = sorted(self.latencies)
        p50 = statistics.median(lat) * 1000
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        mean = statistics.fmean(lat)
        db_per_update = self.db_seconds / self.updates
        return (
            f"| {self.name:<22} | {self.updates / self.seconds:8.1f} | {p50:6.1f} | {p99:7.1f} "
            f"| {db_per_update * 1000:6.2f} ms = {db_per_update / mean:4.0%} "
            f"| {self.per_update(self.worker_cpu)} | {self.per_update(self.server_cpu)} "
            f"| {self.per_update(self.load_cpu)} | {self.worker_rss:5.0f} |"
        )

    def per_update(self, seconds: float) -> str:
        return f"{seconds / self.updates * 1000:6.2f}"


HEAD = (
    "| set-up | updates/s | p50 ms | p99 ms | storage time per update (share of latency) "
    "| CPU ms per update: workers | PostgreSQL | load + fake Telegram | RSS MB per worker |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int) -> float:
    """Resident memory of one process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


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
    """Hands the fake's updates to the proxy as Telegram pushes to a webhook, and wakes the
    user whose chat got an answer (no polling: the benchmark must not eat the bot's CPU)."""

    def __init__(self, server: FakeBotApi, port: int) -> None:
        self.server = server
        self.url = f"http://127.0.0.1:{port}/tg/hook"
        self.waiting: dict[str, asyncio.Future[None]] = {}
        self.http: aiohttp.ClientSession | None = None
        pump = self

        class Watched(list[Any]):
            def append(self, item: Any) -> None:
                super().append(item)
                if item.method in REPLIES:
                    waiter = pump.waiting.pop(str(item.params.get("chat_id")), None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(None)

        server.requests = Watched(server.requests)

    async def flush(self) -> None:
        """Post every pending update to the proxy."""
        assert self.http is not None
        for raw in self.server.take_updates():
            async with self.http.post(self.url, json=raw, headers={HEADER: SECRET}) as r:
                await r.read()

    async def step(self, chat_id: int, action: Awaitable[object]) -> float:
        """Do one user action, hand it over, wait for the answer; seconds it took."""
        waiter = asyncio.get_running_loop().create_future()
        self.waiting[str(chat_id)] = waiter
        began = time.perf_counter()
        await action
        await self.flush()
        await asyncio.wait_for(waiter, 60)
        return time.perf_counter() - began


async def journey(user: FakeUser, pump: Pump, latencies: list[float]) -> int:
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
        action = user.send(value, wait=False) if kind == "send" else user.press(value, wait=False)
        latencies.append(await pump.step(user.chat.id, action))
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
                pump = Pump(server, run.proxy.port)
                pump.http = aiohttp.ClientSession()
                latencies: list[float] = []
                server_before = server_cpu(cluster)
                workers_before = sum(cpu_seconds(p.pid) for p in run.processes)
                load_before = cpu_seconds(os.getpid())
                began = time.perf_counter()
                done = 0
                for r in range(rounds):
                    people = [
                        server.user(100_000 + r * users + i, "U", language_code="de")
                        for i in range(users)
                    ]
                    counts = await asyncio.gather(*(journey(p, pump, latencies) for p in people))
                    done += sum(counts)
                seconds = time.perf_counter() - began
                worker_cpu = sum(cpu_seconds(p.pid) for p in run.processes) - workers_before
                pg_cpu = server_cpu(cluster) - server_before
                load_cpu = cpu_seconds(os.getpid()) - load_before
                rss = max(rss_mb(p.pid) for p in run.processes)
                await pump.http.close()
        finally:
            del os.environ[DB_TIME]
        db_seconds = read_db_time(folder)
    return Result(name, done, seconds, latencies, db_seconds, worker_cpu, pg_cpu, load_cpu, rss)


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
