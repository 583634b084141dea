"""Webhook workers as real processes on one PostgreSQL database, behind a round-robin proxy
that the test runs: what a production set-up with two workers looks like to Telegram.

Used by tests/test_workers.py and benchmarks/bench_workers.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.config import PROJECT_ROOT
from tests.fakes import FakeBotApi
from tests.pgcluster import free_port

SECRET = "worker-test-secret-token"
HOOK = "https://lotse.example.org/tg/hook"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
START_TIMEOUT = 60.0
# Requests that show the chat an answer (an update's handling ends with one of these).
SHOWN = frozenset({"sendMessage", "editMessageText", "sendContact", "sendVenue"})


def worker_environment(server: FakeBotApi, database: str, port: int, salt: str) -> dict[str, str]:
    """One worker's settings: the same database and salt, a port of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOTSE_", "TELEGRAM_"))}
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": server.token,
            "TELEGRAM_API_BASE_URL": server.base_url,
            "LOTSE_DB": database,
            "LOTSE_SALT": salt,
            "LOTSE_WEBHOOK_URL": HOOK,
            "LOTSE_WEBHOOK_SECRET": SECRET,
            "LOTSE_WEBHOOK_LISTEN": "127.0.0.1",
            "LOTSE_WEBHOOK_PORT": str(port),
            "LOTSE_RATE_LIMIT": "off",
            "LOTSE_LOG_LEVEL": "WARNING",
            "PTB_TIMEDELTA": "1",
            "PYTHONPATH": str(PROJECT_ROOT),
        }
    )
    return env


@dataclass
class Proxy:
    """Round robin: each update goes to the next worker, so never twice in a row to one."""

    ports: list[int]
    port: int = field(default_factory=free_port)
    served_by: list[int] = field(default_factory=list)
    _session: aiohttp.ClientSession | None = None

    async def handle(self, request: web.Request) -> web.Response:
        """Forward one webhook call to the next worker, with Telegram's secret header."""
        index = len(self.served_by) % len(self.ports)
        self.served_by.append(index)
        assert self._session is not None
        url = f"http://127.0.0.1:{self.ports[index]}{request.path}"
        headers = {HEADER: request.headers.get(HEADER, ""), "Content-Type": "application/json"}
        async with self._session.post(url, data=await request.read(), headers=headers) as answer:
            return web.Response(status=answer.status, body=await answer.read())

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Proxy]:
        """Serve on 127.0.0.1:port until the block ends."""
        app = web.Application()
        app.router.add_post("/{path:.*}", self.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", self.port)
        await site.start()
        async with aiohttp.ClientSession() as session:
            self._session = session
            try:
                yield self
            finally:
                self._session = None
                await runner.cleanup()


@dataclass
class Workers:
    """The worker processes, the proxy in front of them, and delivery of the fake's updates."""

    server: FakeBotApi
    proxy: Proxy
    processes: list[subprocess.Popen[bytes]]
    logs: list[Path]
    quiet: float = 0.1

    async def deliver(self) -> None:
        """Post every pending update through the proxy, one by one, each answered in full."""
        async with aiohttp.ClientSession() as http:
            for raw in self.server.take_updates():
                before = len(self.server.requests)
                chat = str(_chat_id(raw))
                await self.post(http, raw)
                # A worker answers the webhook call at once and handles the update after:
                # done when it has shown the chat something and then been quiet.

                def answered(before: int = before, chat: str = chat) -> bool:
                    return any(
                        r.method in SHOWN and str(r.params.get("chat_id")) == chat
                        for r in self.server.requests[before:]
                    )

                self.server.idle_checks.append(answered)
                try:
                    await self.server.wait_idle(max_wait=30, quiet=self.quiet)
                finally:
                    self.server.idle_checks.remove(answered)

    async def post(self, http: aiohttp.ClientSession, raw: Mapping[str, Any]) -> None:
        """Hand one update to the proxy as Telegram would."""
        url = f"http://127.0.0.1:{self.proxy.port}/tg/hook"
        async with http.post(url, json=raw, headers={HEADER: SECRET}) as answer:
            assert answer.status == 200, await answer.text()

    def output(self) -> str:
        """What the workers printed (for a failing test's message)."""
        return "\n".join(
            f"--- worker {i}\n{p.read_text()[-3000:]}" for i, p in enumerate(self.logs)
        )


@contextlib.asynccontextmanager
async def workers(
    server: FakeBotApi,
    database: str,
    folder: Path,
    count: int = 2,
    salt: str = "w" * 24,
    *,
    serve: bool = False,
) -> AsyncIterator[Workers]:
    """``count`` worker processes (``python -m bot`` in webhook mode) behind the proxy.

    ``serve``: run the benchmark's worker instead, which times the storage.
    """
    command = (
        [sys.executable, "-m", "benchmarks.bench_workers", "--serve"]
        if serve
        else [sys.executable, "-m", "bot"]
    )
    ports = [free_port() for _ in range(count)]
    logs = [folder / f"worker{i}.log" for i in range(count)]
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for port, log in zip(ports, logs, strict=True):
            with log.open("wb") as out:
                processes.append(
                    subprocess.Popen(  # noqa: ASYNC220 - started once, not awaited
                        command,
                        env=worker_environment(server, database, port, salt),
                        cwd=PROJECT_ROOT,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        for process, port, log in zip(processes, ports, logs, strict=True):
            await _listening(process, port, log)
        async with Proxy(ports).running() as proxy:
            yield Workers(server, proxy, processes, logs)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                await asyncio.to_thread(process.wait, 20)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait)


async def _listening(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    while loop.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"a worker stopped at start:\n{_tail(log)}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise RuntimeError(f"a worker did not listen within {START_TIMEOUT} s")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


def _chat_id(raw: Mapping[str, Any]) -> object:
    """The chat an update comes from (a message, or the message a button was on)."""
    if "callback_query" in raw:
        return raw["callback_query"]["message"]["chat"]["id"]
    return raw["message"]["chat"]["id"]
