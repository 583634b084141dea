"""Benchmark: the long fuzz run, 100,000 random and malformed updates through Lotse.

Run: ``.venv/bin/python -m benchmarks.bench_fuzz [--updates 100000] [--seed N]``.

The same generator as ``tests/test_faults.py`` (which feeds a 1,000-update sample on every
``make test``; ``tests/fuzzing.py`` describes the updates): the real Application against the
fake Bot API server on 127.0.0.1, most updates handed to ``process_update`` directly and 1 %
through getUpdates. Prints the count, the time, the requests the bot made and what the fake
rejected; exits 1 on any crash or rejection other than "message is not modified".
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.runtime import build_core
from bot.tg.app import build_application
from tests.fakes import FakeBotApi
from tests.fakes.harness import watch
from tests.fuzzing import run_fuzz


@dataclass(frozen=True)
class FuzzFigures:
    """What the run found."""

    updates: int
    seconds: float
    requests: int
    crashes: int
    rejected: int
    not_modified: int
    kinds: tuple[tuple[str, int], ...]


async def fuzz(updates: int, seed: int) -> FuzzFigures:
    """Run ``updates`` fuzzed updates through a fresh bot and database."""
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    # The fake logs each rejection; "not modified" ones are expected and only counted here.
    logging.getLogger("tests.fakes").setLevel(logging.ERROR)
    core = build_core(Settings())
    errors: list[BaseException] = []

    async def collect(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        del update
        if context.error is not None and not isinstance(context.error, TelegramError):
            errors.append(context.error)

    via_polling = max(updates // 100, 1)
    with tempfile.TemporaryDirectory() as folder:
        async with FakeBotApi(strict=False, idle_timeout=120.0) as server:
            settings = Settings(
                token=server.token,
                api_base_url=server.base_url,
                db_path=Path(folder) / "fuzz.sqlite3",
                salt="fuzz",
                rate_limit=False,
            )
            app = build_application(settings, core)
            app.add_error_handler(collect)
            watch(server, app)
            started = time.perf_counter()
            async with server.running(app, allowed_updates=Update.ALL_TYPES):
                run = await run_fuzz(
                    server,
                    app,
                    in_process=updates - via_polling,
                    via_polling=via_polling,
                    seed=seed,
                )
            seconds = time.perf_counter() - started
            rejections = server.take_rejections()
    modified = sum("not modified" in r.description for r in rejections)
    kinds = Counter(
        f"{r.method}: {r.description[:90]}"
        for r in rejections
        if "not modified" not in r.description
    )
    return FuzzFigures(
        run.updates,
        seconds,
        run.requests,
        len(errors) + len(run.crashes),
        len(rejections) - modified,
        modified,
        tuple(kinds.most_common()),
    )


def main(argv: list[str] | None = None) -> int:
    """Print the figures; 1 when something crashed or was rejected."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261118)
    options = parser.parse_args(argv)
    found = asyncio.run(fuzz(options.updates, options.seed))
    print(
        f"fuzz: {found.updates:,} updates in {found.seconds:.1f} s "
        f"({found.updates / found.seconds:.0f}/s), {found.requests:,} requests; "
        f"crashes {found.crashes}, rejected {found.rejected}, "
        f"'message is not modified' {found.not_modified}"
    )
    for kind, count in found.kinds:
        print(f"  rejected {count}x {kind}")
    return 1 if found.crashes or found.rejected else 0


if __name__ == "__main__":
    raise SystemExit(main())
