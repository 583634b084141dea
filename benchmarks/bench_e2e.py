"""Benchmark: Lotse end to end, side by side with a bare echo bot in the same run.

Run: ``.venv/bin/python -m benchmarks.bench_e2e [--users 100 1000] [--rate 50 100]
[--seconds 20] [--repeat 3] [--transport-echo] [--seed N] [--profile DIR]``.

The fake Bot API server (tests/fakes) and the simulated users run in this process; each bot
runs in a child process of its own (``--serve lotse|echo``), polling the fake over HTTP on
127.0.0.1 exactly as it polls Telegram, so the fake's own work does not count against the
bot and RSS is the bot's alone. Lotse is the production Application (``build_application``,
real knowledge and catalogs, a fresh SQLite file) with the rate limiter off
(``LOTSE_RATE_LIMIT=off``: the fake has no caps, and we measure our own cost, not Telegram's
ceiling). The echo bot is python-telegram-bot with one MessageHandler and one
CallbackQueryHandler that send or edit a fixed text, built with the same settings: updates of
different chats concurrently, each chat's in order (bot.tg.updates), the heap settled.

Each user walks a journey (``/start``, a topic, deeper menus and a town, a service card, a
typed search in their language, a result, a 👍 or 👎 and, after a 👎, a comment). Two loads
on one bot process each for Lotse and for the echo bot, which gets the very same updates:

- closed loop: every user waits for the bot to finish each step before the next (no think
  time: the load is as high as the bot can take): updates per second, and latency from the
  moment getUpdates hands an update out to the bot's first reply (sendMessage or
  editMessageText) arriving at the fake;
- open loop: updates arrive at ``--rate`` per second (Poisson), whatever the bot's pace, each
  from a user who is not waiting for an answer (a new user joins when all are): latency from
  the moment the user sends to the bot's first reply, as a person would feel it.

``--repeat N`` runs every bot N times, taking turns (Lotse, echo, Lotse, echo …), the order
rotated each round so that a change in the machine's load does not always fall on the same
bot, and ends with the median and spread of every figure; the load average is printed at the
start and before each bot. ``--transport-echo`` adds a third bot, the echo bot on Lotse's HTTP
client (bot/tg/transport.py), for insight: the echo bot of the ratios stays the bare
python-telegram-bot default (httpx) that issue 14 names.

Per load: the bot process's CPU time per update (all its threads: robust when other
processes share the cores, where wall-clock figures are not), and its peak RSS so far.
``--profile DIR`` writes a cProfile of each bot process (``DIR/lotse.prof``,
``DIR/echo.prof``; read them with ``python -m pstats``) and prints where each bot's time per
update went (benchmarks/profile_table.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import os
import random
import resource
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import PROJECT_ROOT, Settings

if TYPE_CHECKING:
    # The load side's modules (the fake server, the labelled queries: about 20 MiB) are
    # imported where they are used, so that the bot processes' RSS is the bot's alone.
    from tests.fakes import FakeBotApi, FakeUser

REPLIES = frozenset({"sendMessage", "editMessageText"})
LANGS = ("de", "de", "de", "tr", "tr", "ar", "ru", "uk", "pl", "fa", "en")
COMMENTS = ("Keine Termine frei", "Zu weit weg", "Nicht auf Türkisch", "Telefon geht nicht")
ECHO_TEXT = "Echo"
# The bots bench_e2e can run: Lotse, the bare echo bot (python-telegram-bot's defaults: the
# reference issue 14 names), and the echo bot on Lotse's HTTP client (for insight only).
TRANSPORT_ECHO = "echo+h11"
KINDS = ("lotse", "echo", TRANSPORT_ECHO)
Action = tuple[str, str]  # ("text", text) or ("press", callback_data)


# -- the bot side (child process) -------------------------------------------------------------


async def _report_handled(update: Update, context: object) -> None:
    """Tell the load generator that the bot is done with this update (a later group)."""
    del context
    sys.stdout.write(f"H {update.update_id}\n")
    sys.stdout.flush()


def serve(kind: str, base_url: str, db_path: Path) -> int:
    """Run Lotse or the echo bot, polling ``base_url``, until SIGTERM; print peak RSS."""
    token = os.environ["BENCH_TOKEN"]
    if kind == "lotse":
        from bot.runtime import build_core
        from bot.tg.app import build_application

        settings = Settings(
            token=token, api_base_url=base_url, db_path=db_path, salt="bench", rate_limit=False
        )
        app = build_application(settings, build_core(settings), settle=True)
    else:
        app = echo_application(token, base_url, lotse_transport=kind == TRANSPORT_ECHO)
    app.add_handler(TypeHandler(Update, _report_handled), group=1)
    print(f"C {app.update_processor.max_concurrent_updates}", flush=True)
    profile = os.environ.get("BENCH_PROFILE")
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    app.run_polling(poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES)
    if profiler is not None and profile:
        profiler.disable()
        profiler.dump_stats(profile)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(f"R {rss}", flush=True)
    return 0


def echo_application(token: str, base_url: str, *, lotse_transport: bool = False) -> Any:
    """The bare python-telegram-bot echo bot: a fixed text for every message and button.

    ``lotse_transport``: on Lotse's HTTP client (bot/tg/transport.py) instead of the library's
    default (httpx), with Lotse's pool sizes: the same bot, to see what the client costs.
    """

    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Send the fixed text."""
        if update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, ECHO_TEXT)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer the button and edit its message (the id keeps the edit a real change)."""
        del context
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(f"{ECHO_TEXT} {update.update_id}")

    # The same settings as build_application: updates of different chats concurrently, each
    # chat's in order, and the heap settled once started (bot/tg/updates.py imports nothing
    # else of Lotse, so the echo process's RSS stays its own).
    from bot.tg.updates import ChatOrder, settle_heap

    async def post_init(app: Any) -> None:
        del app
        settle_heap()

    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .concurrent_updates(ChatOrder())
        .post_init(post_init)
    )
    if lotse_transport:
        from bot.tg.api import POOL_SIZE
        from bot.tg.transport import H11Request

        builder = builder.request(H11Request(POOL_SIZE)).get_updates_request(H11Request(1))
    app = builder.build()
    app.add_handler(MessageHandler(filters.ALL, on_message))
    app.add_handler(CallbackQueryHandler(on_button))
    return app


# -- the load side (this process) ---------------------------------------------------------------


@dataclass
class Result:
    """Figures of one bot under one load."""

    bot: str
    load: str  # "closed, N users" or "open, R/s"
    updates: int
    seconds: float
    latencies: list[float]
    rss_kib: int  # the bot process's peak so far (VmHWM) when this load ended
    concurrency: str
    rejected: int
    cpu_seconds: float  # the bot process's CPU time (all its threads) during this load

    @property
    def cpu_ms(self) -> float:
        """CPU milliseconds the bot spent per update: its own work, whatever else runs."""
        return 1000 * self.cpu_seconds / max(self.updates, 1)

    @property
    def per_second(self) -> float:
        """Updates handled per second."""
        return self.updates / self.seconds

    def percentile(self, p: float) -> float:
        """Latency percentile in milliseconds."""
        if len(self.latencies) < 2:
            return float("nan")
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return 1000 * (cuts[int(p) - 1] if p < 100 else max(self.latencies))


@dataclass
class Load:
    """Book-keeping between the fake's hooks, the bot's reports and the users."""

    started: dict[int, float] = field(default_factory=dict)
    waiting: dict[int, int] = field(default_factory=dict)  # chat id -> update id
    latencies: list[float] = field(default_factory=list)
    handled: dict[int, asyncio.Future[None]] = field(default_factory=dict)
    polling: asyncio.Event = field(default_factory=asyncio.Event)
    # Open loop: latency counts from the moment the user sends, not from getUpdates.
    from_send: bool = False

    def on_delivered(self, batch: list[dict[str, Any]]) -> None:
        """getUpdates hands these out now."""
        if self.from_send:
            return
        now = time.perf_counter()
        for update in batch:
            self.started.setdefault(update["update_id"], now)

    def on_request(self, method: str, params: dict[str, Any]) -> None:
        """A request arrives: the first reply to a chat ends its update's latency."""
        if method == "getUpdates":
            self.polling.set()
        elif method in REPLIES:
            update_id = self.waiting.pop(params.get("chat_id", 0), None)
            if update_id is not None and update_id in self.started:
                self.latencies.append(time.perf_counter() - self.started[update_id])

    def sent(self, chat_id: int, update_id: int) -> asyncio.Future[None]:
        """An update was injected for ``chat_id``; the future resolves when it is handled."""
        if self.from_send:
            self.started[update_id] = time.perf_counter()
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.handled[update_id] = done
        self.waiting[chat_id] = update_id
        return done


async def read_reports(
    stream: asyncio.StreamReader, current: list[Load], info: dict[str, str]
) -> None:
    """Resolve each user's wait as the bot reports an update handled; keep other reports."""
    while line := await stream.readline():
        kind, _, value = line.decode().strip().partition(" ")
        if kind == "H":
            future = current[0].handled.pop(int(value), None)
            if future is not None and not future.done():
                future.set_result(None)
        elif kind in ("C", "R"):
            info[kind] = value


def choose(rnd: random.Random, data: Sequence[str], prefix: str, seen: set[str]) -> str | None:
    """A random payload with ``prefix`` not pressed yet."""
    fresh = [d for d in data if d.startswith(prefix) and d not in seen]
    return rnd.choice(fresh) if fresh else None


class Walker:
    """One simulated user on Lotse, choosing from the buttons the bot really shows.

    /start, a topic, deeper menus (and a town) until services are listed, a service card, a
    typed search in the user's language, a result, then 👍 (70 %) or 👎 and a comment.
    """

    def __init__(self, user: FakeUser, rnd: random.Random, queries: dict[str, list[str]]):
        """A user who will search with one of ``queries`` in their language."""
        self.user = user
        self.rnd = rnd
        self.queries = queries
        self.seen: set[str] = set()
        self.phase = "start"
        self.steps = 0

    def buttons(self) -> list[str]:
        """Callback payloads on the newest bot message with a keyboard."""
        with_keyboard = [m for m in self.user.bot_messages if m.inline_keyboard]
        if not with_keyboard:
            return []
        return [
            b["callback_data"]
            for row in with_keyboard[-1].inline_keyboard
            for b in row
            if "callback_data" in b
        ]

    def next(self) -> Action | None:
        """The next step of the journey, or None when it is over."""
        self.steps += 1
        data = self.buttons()
        phase = self.phase
        if phase == "start":
            self.phase = "browse"
            return ("text", "/start")
        if phase == "browse":
            service = choose(self.rnd, data, "s:", self.seen)
            if service is not None:
                self.phase = "search"
                return self.press(service)
            node = choose(self.rnd, data, "n:", self.seen)
            if node is not None and self.steps < 8:
                return self.press(node)
            self.phase = "search"
        if self.phase == "search":
            self.phase = "result"
            pool = self.queries.get(self.user.language_code or "de") or self.queries["de"]
            return ("text", self.rnd.choice(pool))
        if self.phase == "result":
            self.phase = "rate"
            node = choose(self.rnd, data, "n:", self.seen)
            if node is not None:
                return self.press(node)
        if self.phase == "rate":
            helpful = self.rnd.random() < 0.7
            rating = choose(self.rnd, data, "+:" if helpful else "-:", self.seen)
            if rating is not None:
                self.phase = "end" if helpful else "comment"
                return self.press(rating)
            # A question screen: go one level deeper (or pick a town) to reach an answer.
            node = choose(self.rnd, data, "n:", self.seen)
            if node is not None and self.steps < 14:
                return self.press(node)
            self.phase = "end"
        if self.phase == "comment":
            self.phase = "end"
            return ("text", self.rnd.choice(COMMENTS))
        return None

    def press(self, data: str) -> Action:
        """Press a button (remembered, so the walk goes forward)."""
        self.seen.add(data)
        return ("press", data)


async def act(user: FakeUser, action: Action, message_id: int | None) -> int:
    """Inject one action as an update; return its update id."""
    kind, value = action
    if kind == "text":
        await user.send(value, wait=False)
    else:
        assert message_id is not None
        await user.press_data(message_id, value, wait=False)
    return user.server.injected_update_ids[-1]


def target(user: FakeUser, echo: bool) -> int | None:
    """The message a button press goes to: the newest with a keyboard (echo: the newest)."""
    messages = user.bot_messages if echo else [m for m in user.bot_messages if m.inline_keyboard]
    return messages[-1].message_id if messages else None


async def drive(
    server: FakeBotApi,
    load: Load,
    users: int,
    seed: int,
    script: dict[int, list[Action]] | None,
) -> tuple[int, float, dict[int, list[Action]]]:
    """Run every user's journey; return (updates, seconds, the journeys taken)."""
    queries: dict[str, list[str]] = {}
    from benchmarks.bench_search import load_queries

    for query in load_queries():
        queries.setdefault(query.lang, []).append(query.text)
    journeys: dict[int, list[Action]] = {}

    async def one(index: int) -> int:
        rnd = random.Random(seed * 100_003 + index)
        user = server.user(900_000 + index, f"U{index}", language_code=rnd.choice(LANGS))
        walker = Walker(user, rnd, queries)
        taken: list[Action] = []
        replay = iter(script[index]) if script is not None else None
        while True:
            action = next(replay, None) if replay is not None else walker.next()
            if action is None:
                break
            taken.append(action)
            update_id = await act(user, action, target(user, echo=script is not None))
            await load.sent(user.chat.id, update_id)
        journeys[index] = taken
        return len(taken)

    started = time.perf_counter()
    counts = await asyncio.gather(*(one(i) for i in range(users)))
    return sum(counts), time.perf_counter() - started, journeys


def process_figures(pid: int) -> tuple[float, int]:
    """CPU seconds used so far (user + system, all threads) and peak RSS in KiB of ``pid``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    status = Path(f"/proc/{pid}/status").read_text()
    peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    return cpu, peak


Step = tuple[float, int, Action]  # (seconds after the start, user index, action)
OPEN_USERS = 500_000  # chat ids of the open loop's users start here


async def drive_open(
    server: FakeBotApi,
    load: Load,
    rate: float,
    seconds: float,
    seed: int,
    script: list[Step] | None,
    first_user: int = OPEN_USERS,
) -> tuple[int, float, list[Step]]:
    """Offer ``rate`` updates a second for ``seconds``, whatever the bot's pace.

    Lotse (``script`` None): each arrival goes to a user who is not waiting for an answer, a
    new one when all are; the steps are recorded. The echo bot replays them at the same times.
    Users' chat ids start at ``first_user`` (each open load has users of its own).
    """
    load.from_send = True
    queries: dict[str, list[str]] = {}
    from benchmarks.bench_search import load_queries

    for query in load_queries():
        queries.setdefault(query.lang, []).append(query.text)
    rnd = random.Random(seed)
    walkers: list[Walker] = []
    busy: dict[int, asyncio.Future[None]] = {}
    steps: list[Step] = []
    pending: list[asyncio.Future[None]] = []

    def walker(index: int) -> Walker:
        while len(walkers) <= index:
            n = len(walkers)
            user_rnd = random.Random(seed * 100_003 + OPEN_USERS + n)
            language = user_rnd.choice(LANGS)
            user = server.user(first_user + n, f"O{n}", language_code=language)
            walkers.append(Walker(user, user_rnd, queries))
        return walkers[index]

    def next_step() -> tuple[int, Action]:
        """The first user who is not waiting and has a step left, else a new user."""
        for i, w in enumerate(walkers):
            done = busy.get(i)
            if (done is None or done.done()) and w.phase != "end":
                step = w.next()
                if step is not None:
                    return i, step
        while True:
            index = len(walkers)
            step = walker(index).next()
            if step is not None:
                return index, step

    if script is None:
        times, at = [], 0.0
        while (at := at + rnd.expovariate(rate)) < seconds:
            times.append(at)
        planned: list[tuple[float, int | None, Action | None]] = [(t, None, None) for t in times]
    else:
        planned = [(at, index, action) for at, index, action in script]
    started = time.perf_counter()
    for at, known, action in planned:
        delay = started + at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        index, step = (known, action) if known is not None and action else next_step()
        user = walker(index).user
        previous = busy.get(index)
        if step[0] == "press" and previous is not None and not previous.done():
            # Replayed: this user's last answer is late, and a button needs its message.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(previous), 30)
        update_id = await act(user, step, target(user, echo=script is not None))
        busy[index] = load.sent(user.chat.id, update_id)
        pending.append(busy[index])
        steps.append((at, index, step))
    # The last answers still count: wait for them (bounded).
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*pending), 60)
    return len(steps), time.perf_counter() - started, steps


@dataclass
class Scripts:
    """What Lotse's users did, for the echo bot to do the same."""

    closed: dict[int, dict[int, list[Action]]] = field(default_factory=dict)
    open: dict[float, list[Step]] = field(default_factory=dict)  # by rate


async def run(
    kind: str,
    users: Sequence[int],
    rates: Sequence[float],
    seconds: float,
    seed: int,
    scripts: Scripts,
    profile: Path | None,
) -> list[Result]:
    """Start the fake and one bot process, run every load on it, stop it; the figures."""
    replay = kind != "lotse"  # the echo bots replay what Lotse's users did
    from tests.fakes import FakeBotApi

    async with FakeBotApi(strict=False, idle_timeout=600.0) as server:
        info: dict[str, str] = {}
        env = {**os.environ, "BENCH_TOKEN": server.token, "PTB_TIMEDELTA": "1"}
        if profile is not None:
            env["BENCH_PROFILE"] = str(profile)
        loads: list[tuple[str, Load, int, float, float, int]] = []
        current = [Load()]
        server.on_request = lambda method, params: current[0].on_request(method, params)
        server.on_delivered = lambda batch: current[0].on_delivered(batch)
        with tempfile.TemporaryDirectory() as folder:
            child = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "benchmarks.bench_e2e",
                "--serve",
                kind,
                "--base-url",
                server.base_url,
                "--db",
                str(Path(folder) / "bench.sqlite3"),
                stdout=asyncio.subprocess.PIPE,
                cwd=PROJECT_ROOT,
                env=env,
            )
            assert child.stdout is not None
            reader = asyncio.create_task(read_reports(child.stdout, current, info))
            try:
                await asyncio.wait_for(current[0].polling.wait(), 120)
                for n in users:
                    current[0] = load = Load()
                    script = scripts.closed.get(n) if replay else None
                    cpu, _ = process_figures(child.pid)
                    count, took, journeys = await drive(server, load, n, seed, script)
                    used, peak = process_figures(child.pid)
                    scripts.closed.setdefault(n, journeys)
                    loads.append((f"closed, {n} users", load, count, took, used - cpu, peak))
                for number, rate in enumerate(r for r in rates if r > 0):
                    current[0] = load = Load()
                    script_open = scripts.open.get(rate) if replay else None
                    cpu, _ = process_figures(child.pid)
                    first_user = OPEN_USERS + 100_000 * number
                    count, took, steps = await drive_open(
                        server, load, rate, seconds, seed, script_open, first_user
                    )
                    used, peak = process_figures(child.pid)
                    scripts.open.setdefault(rate, steps)
                    loads.append((f"open, {rate:g}/s", load, count, took, used - cpu, peak))
            finally:
                if child.returncode is None:
                    child.send_signal(signal.SIGTERM)
                await asyncio.wait_for(child.wait(), 120)
                await reader
        concurrency = info.get("C", "?")
        return [
            Result(
                kind,
                name,
                count,
                took,
                done.latencies,
                peak,
                "sequential" if concurrency == "1" else f"{concurrency}, chat order",
                len(server.rejected),
                cpu,
            )
            for name, done, count, took, cpu, peak in loads
        ]


Round = dict[str, list[Result]]  # bot -> its figures, one per load


async def compare(
    users: Sequence[int],
    rates: Sequence[float],
    seconds: float,
    seed: int,
    repeat: int = 1,
    kinds: Sequence[str] = KINDS[:2],
    profile: Path | None = None,
) -> list[Round]:
    """Run every bot ``repeat`` times, taking turns, the order rotated each round.

    Lotse goes first in the first round: the echo bots replay its users' steps (recorded
    then). After that each round starts with the next bot, so that a change in the machine's
    load does not always fall on the same bot.
    """
    scripts = Scripts()
    rounds: list[Round] = []
    for number in range(repeat):
        order = list(kinds[number % len(kinds) :]) + list(kinds[: number % len(kinds)])
        figures: Round = {}
        for kind in order:
            suffix = f"-{number + 1}" if repeat > 1 else ""
            path = profile / f"{kind}{suffix}.prof" if profile is not None else None
            load = os.getloadavg()[0]
            print(f"round {number + 1}, {kind}: load average {load:.2f}", file=sys.stderr)
            figures[kind] = await run(kind, users, rates, seconds, seed, scripts, path)
        rounds.append(figures)
    return rounds


def table(pairs: Sequence[tuple[Result, ...]]) -> list[str]:
    """The figures as text lines: each load, Lotse beside the echo bot(s), and the ratio."""
    lines = [
        f"{'load':17} {'bot':8} {'updates':>7} {'upd/s':>6} {'CPU ms/upd':>10} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'RSS MiB':>7}  concurrency",
    ]
    for pair in pairs:
        for r in pair:
            lines.append(
                f"{r.load:17} {r.bot:8} {r.updates:7} {r.per_second:6.0f} {r.cpu_ms:10.2f} "
                f"{r.percentile(50):8.1f} {r.percentile(99):8.1f} {r.rss_kib / 1024:7.0f}  "
                f"{r.concurrency}" + (f"  ({r.rejected} requests rejected!)" if r.rejected else "")
            )
        lotse, echo = pair[0], pair[1]
        lines.append(
            f"{lotse.load:17} {'ratio':8} {'':7} {lotse.per_second / echo.per_second:6.2f} "
            f"{lotse.cpu_ms / max(echo.cpu_ms, 1e-9):10.2f} "
            f"{lotse.percentile(50) / echo.percentile(50):8.2f} "
            f"{lotse.percentile(99) / echo.percentile(99):8.2f} "
            f"{lotse.rss_kib / max(echo.rss_kib, 1):7.2f}  (Lotse / echo)"
        )
    return lines


def spread(values: Sequence[float], digits: int) -> str:
    """Median (lowest-highest), or the one value."""
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{mid:.{digits}f} ({low:.{digits}f}-{high:.{digits}f})"


def summary(rounds: Sequence[Round]) -> list[str]:
    """Median and spread over the rounds of every figure, and of the ratio Lotse / echo."""
    kinds = list(rounds[0])
    lines = [
        f"{'load':17} {'bot':8} {'upd/s':>16} {'CPU ms/upd':>18} {'p50 ms':>20} "
        f"{'p99 ms':>22} {'RSS MiB':>14}"
    ]
    for index, first in enumerate(rounds[0][kinds[0]]):
        for kind in (k for k in KINDS if k in kinds):
            runs = [r[kind][index] for r in rounds]
            lines.append(
                f"{first.load:17} {kind:8} {spread([r.per_second for r in runs], 0):>16} "
                f"{spread([r.cpu_ms for r in runs], 2):>18} "
                f"{spread([r.percentile(50) for r in runs], 1):>20} "
                f"{spread([r.percentile(99) for r in runs], 1):>22} "
                f"{spread([r.rss_kib / 1024 for r in runs], 0):>14}"
            )
        pairs = [(r["lotse"][index], r["echo"][index]) for r in rounds]
        lines.append(
            f"{first.load:17} {'ratio':8} "
            f"{spread([a.per_second / b.per_second for a, b in pairs], 2):>16} "
            f"{spread([a.cpu_ms / max(b.cpu_ms, 1e-9) for a, b in pairs], 2):>18} "
            f"{spread([a.percentile(50) / b.percentile(50) for a, b in pairs], 2):>20} "
            f"{spread([a.percentile(99) / b.percentile(99) for a, b in pairs], 2):>22}   "
            "(Lotse / echo)"
        )
    return lines


def measure(
    users: Sequence[int],
    rate: float | Sequence[float] = 100.0,
    seconds: float = 20.0,
    seed: int = 1,
    profile: Path | None = None,
) -> list[tuple[Result, Result]]:
    """Run every load once on Lotse and on the echo bot; (Lotse, echo) per load."""
    rates = [rate] if isinstance(rate, int | float) else list(rate)
    (figures,) = asyncio.run(compare(users, rates, seconds, seed, profile=profile))
    return list(zip(figures["lotse"], figures["echo"], strict=True))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with --serve, be the bot process)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="*", default=[100, 1000])
    parser.add_argument(
        "--rate", type=float, nargs="*", default=[100.0], help="open loop: updates/s, each a load"
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="open loop: how long")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="rounds, the bots taking turns")
    parser.add_argument(
        "--transport-echo",
        action="store_true",
        help=f"a third bot: the echo bot on Lotse's HTTP client ({TRANSPORT_ECHO})",
    )
    parser.add_argument("--profile", type=Path, help="write DIR/<bot>.prof (cProfile) and a table")
    parser.add_argument("--serve", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.serve:
        return serve(options.serve, options.base_url, options.db)
    if options.profile is not None:
        options.profile = options.profile.resolve()
        options.profile.mkdir(parents=True, exist_ok=True)
    kinds = KINDS if options.transport_echo else KINDS[:2]
    started = os.getloadavg()
    rounds = asyncio.run(
        compare(
            options.users,
            options.rate,
            options.seconds,
            options.seed,
            options.repeat,
            kinds,
            options.profile,
        )
    )
    print(f"load average at the start: {started[0]:.2f} {started[1]:.2f} {started[2]:.2f}")
    for number, figures in enumerate(rounds, 1):
        print(f"\nround {number}")
        ordered = [figures[kind] for kind in KINDS if kind in figures]
        print("\n".join(table(list(zip(*ordered, strict=True)))))
    if len(rounds) > 1:
        print(f"\nmedian (lowest-highest) of {len(rounds)} rounds")
        print("\n".join(summary(rounds)))
    if options.profile is not None:
        from benchmarks.profile_table import profile_table

        print("\nprofiled wall ms per update (cProfile, main thread)")
        print("\n".join(profile_table(options.profile, rounds)))
    bad = sum(r.rejected for figures in rounds for runs in figures.values() for r in runs)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
