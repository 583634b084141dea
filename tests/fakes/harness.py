"""The one harness for Telegram tests: the real Lotse Application against the fake Bot API.

Use it as ``async with lotse(tmp_path, core) as bot`` (one bot process, polling), or, where a
test needs restarts or several workers, ``async with telegram(tmp_path, core) as tg`` and then
``tg.polling()`` (a new process each time) or ``tg.workers(2)``. The ``bot`` fixture in
``tests/conftest.py`` is ``lotse`` with the defaults.

Every bot process gets a probe in a later handler group: it runs after Lotse's handler is
done with an update (even when that handler failed), so the fake's waits end when the bot
has finished, not when it fell quiet for a while, and slow machines only make tests slower.
Each server listens on a free port of its own and the database lives in the test's
``tmp_path``, so tests may run in parallel workers.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes, TypeHandler

from bot.config import Settings
from bot.runtime import Core
from bot.tg.app import App, build_application

from .bot_api import FakeBotApi
from .user import FakeUser

NOW = 1_795_000_000  # 2026-11-18, the fake's clock in every Telegram test


def watch(
    server: FakeBotApi,
    app: App,
    handled: Counter[int] | None = None,
    on_handled: Callable[[int], None] | None = None,
) -> Counter[int]:
    """Count every update ``app`` has finished with; the fake's waits then wait for that.

    Without it, a wait may end between two requests of one update, and the next step would
    press a button on a message the bot is about to edit or delete. Call before the app runs.
    ``handled`` lets several processes (restarts, workers) share one count.
    """
    counts: Counter[int] = Counter() if handled is None else handled

    async def probe(update: Update, context: object) -> None:
        del context
        counts[update.update_id] += 1
        if on_handled is not None:
            on_handled(update.update_id)

    app.add_handler(TypeHandler(Update, probe), group=1)
    if handled is None:
        wait_for_handled(server, counts)
    return counts


def wait_for_handled(server: FakeBotApi, handled: Counter[int]) -> None:
    """Make the fake's waits last until every update it handed out is in ``handled``."""
    server.idle_checks.append(lambda: all(u in handled for u in server.injected_update_ids))


class Telegram:
    """One fake Telegram and one database that outlive the bot processes talking to them."""

    def __init__(self, server: FakeBotApi, settings: Settings, core: Core) -> None:
        self.server = server
        self.settings = settings
        self.core = core
        self.handled: Counter[int] = Counter()
        self.errors: list[BaseException] = []
        self._app: App | None = None
        self._news: asyncio.Event | None = None
        wait_for_handled(server, self.handled)

    @property
    def app(self) -> App:
        """The latest bot process (the running one inside ``polling``)."""
        assert self._app is not None, "no bot process has been built yet"
        return self._app

    def build(self) -> App:
        """A new Application on the same database (a new process, as after a restart)."""
        app = build_application(self.settings, self.core)
        watch(self.server, app, self.handled, self._on_handled)

        async def collect(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
            del update
            if context.error is not None:
                self.errors.append(context.error)

        app.add_error_handler(collect)
        self._app = app
        return app

    @asynccontextmanager
    async def polling(self) -> AsyncIterator[App]:
        """One bot process polling Telegram, from start to shutdown."""
        app = self.build()
        async with self.server.running(app, allowed_updates=Update.ALL_TYPES):
            yield app

    @asynccontextmanager
    async def workers(self, count: int = 2) -> AsyncIterator[Workers]:
        """``count`` webhook workers behind a load balancer, sharing only the database."""
        apps = [self.build() for _ in range(count)]
        async with AsyncExitStack() as stack:
            for app in apps:
                await app.initialize()
                stack.push_async_callback(app.shutdown)
                assert app.post_init is not None
                assert app.post_shutdown is not None
                await app.post_init(app)
                stack.push_async_callback(app.post_shutdown, app)
            yield Workers(self.server, apps)

    def _on_handled(self, update_id: int) -> None:
        del update_id
        if self._news is not None:
            self._news.set()

    async def wait_handled(self, update_id: int) -> None:
        """Wait until the bot has finished with an update that did not come via getUpdates."""
        async with asyncio.timeout(self.server.idle_timeout):
            while update_id not in self.handled:
                self._news = asyncio.Event()
                await self._news.wait()

    def user(self, user_id: int, name: str = "Nutzerin", **options: Any) -> FakeUser:
        """A user in a private chat; German-speaking unless ``language_code`` says otherwise."""
        options.setdefault("language_code", "de")
        return self.server.user(user_id, name, **options)

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        """Read the bot's database file with a connection of our own."""
        db = sqlite3.connect(self.settings.db_path)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()

    def crashes(self) -> list[BaseException]:
        """Errors other than Telegram's own (those are faults a test injected)."""
        return [e for e in self.errors if not isinstance(e, TelegramError)]

    def assert_each_update_handled_once(self, also: set[int] | None = None) -> None:
        """Nothing skipped, nothing repeated.

        ``also``: ids of updates handed to ``process_update`` directly, not via getUpdates.
        """
        injected = [*self.server.injected_update_ids, *sorted(also or ())]
        repeated = {u: n for u, n in self.handled.items() if n != 1}
        missing = [u for u in injected if u not in self.handled]
        assert not repeated, f"updates handled more than once: {repeated}"
        assert not missing, f"updates never handled: {missing}"
        assert set(self.handled) == set(injected)


class Workers:
    """Hands each update to the next worker in turn (round robin)."""

    def __init__(self, server: FakeBotApi, apps: list[App]) -> None:
        self.server = server
        self.apps = apps
        self.turn = 0
        self.served_by: list[int] = []

    async def deliver(self) -> None:
        """Give every pending update to a worker, then wait until the bot is idle."""
        for raw in self.server.take_updates():
            index = self.turn % len(self.apps)
            self.turn += 1
            app = self.apps[index]
            self.served_by.append(index)
            await app.process_update(Update.de_json(raw, app.bot))
        await self.server.wait_idle()


@asynccontextmanager
async def telegram(
    tmp_path: Path,
    core: Core,
    *,
    idle_quiet: float = 0.0,
    idle_timeout: float = 20.0,
    strict: bool = True,
    **settings: Any,
) -> AsyncIterator[Telegram]:
    """A fake Telegram and the settings of the bot processes a test starts against it.

    The rate limiter is off (the fake has no sending caps) unless a test is about it:
    ``rate_limit=True``; other keywords override ``Settings`` too. ``strict``: any request
    the fake rejects fails the test at once, and at the end every button press must have
    been answered.
    """
    async with FakeBotApi(
        now=NOW, idle_quiet=idle_quiet, idle_timeout=idle_timeout, strict=strict
    ) as server:
        base = Settings(
            token=server.token,
            api_base_url=server.base_url,
            db_path=tmp_path / "lotse.sqlite3",
            salt="test-salt",
            rate_limit=False,
        )
        tg = Telegram(server, replace(base, **settings), core)
        yield tg
        if strict:
            assert server.rejected == []
            # Unless a test made Telegram fail an answer, every button press was answered.
            if not any(method == "answerCallbackQuery" for method, _ in server.faults_applied):
                assert server.unanswered_callback_queries() == []


@asynccontextmanager
async def lotse(tmp_path: Path, core: Core, **options: Any) -> AsyncIterator[Telegram]:
    """One bot process polling a fake Telegram (options as for ``telegram``)."""
    async with telegram(tmp_path, core, **options) as tg, tg.polling():
        yield tg


def last(user: FakeUser) -> str:
    """The text of the bot's latest message to this user."""
    return user.last_bot_message.text or ""
