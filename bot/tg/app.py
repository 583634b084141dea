"""Build and run the python-telegram-bot Application. Telegram shell only.

Long-lived services (the database, the housekeeping task) are created in ``post_init`` and
closed in ``post_shutdown``. Polling by default; webhook mode when LOTSE_WEBHOOK_URL is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.config import Settings
from bot.errors import LotseError
from bot.knowledge.conventions import utc_now
from bot.logs import quiet_libraries
from bot.runtime import Core
from bot.storage import Storage
from bot.storage.state import CLEAR_EVERY
from bot.tg.api import make_bot
from bot.tg.handlers import Lotse
from bot.tg.review import add_review_handlers
from bot.tg.updates import ChatOrder, UpdateQueue, settle_heap

log = logging.getLogger(__name__)
HOUSEKEEPING_EVERY = CLEAR_EVERY.total_seconds()  # a search's words: bot/storage/state.py
REJECTED = (
    "Telegram rejected the bot token (TELEGRAM_BOT_TOKEN): copy it again from @BotFather, "
    "or revoke it there and set the new one"
)
# A 429 is retried this often by the rate limiter, waiting as long as Telegram asks.
RETRIES = 3

App = Application[Any, Any, Any, Any, Any, Any]


def build_application(settings: Settings, core: Core, *, settle: bool = False) -> App:
    """The Application with every handler, storage opened in post_init, closed on shutdown.

    ``settle``: once started (and after each reload), keep what is loaded out of the garbage
    collector's full passes (``settle_heap``). The production entry points ask for it; tests,
    which build many Applications in one process, do not.
    """
    if not settings.token:
        raise ValueError("a Telegram token is needed")
    quiet_libraries()
    lotse = Lotse(core.engine, settings=settings, knowledge=core.knowledge)
    tasks: list[asyncio.Task[object]] = []

    async def post_init(app: App) -> None:
        lotse.storage = await Storage.open(
            settings.database, settings.salt, salt_file=settings.salt_file
        )
        await publish_commands(app, lotse)
        tasks.append(asyncio.create_task(housekeeping(app, lotse)))
        with contextlib.suppress(NotImplementedError, RuntimeError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, on_sighup)
        if settle:
            settle_heap()

    def on_sighup() -> None:
        """`systemctl reload lotse`: read knowledge/ and locales/ again, off the event loop."""
        tasks[:] = [task for task in tasks if not task.done()]
        tasks.append(asyncio.create_task(reload()))

    async def reload() -> None:
        if await lotse.reload() and settle:
            settle_heap()

    async def post_shutdown(app: App) -> None:
        del app
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if lotse.storage is not None:
            await lotse.conversation.flush()  # the counts since the last minute's flush
            await lotse.storage.close()
            lotse.storage = None

    # Telegram allows about 30 messages a second overall and 20 a minute per group.
    limiter = AIORateLimiter(max_retries=RETRIES) if settings.rate_limit else None
    bot = make_bot(
        settings.token,
        settings.api_base_url,
        settings.api_base_url.replace("/bot", "/file/bot"),
        limiter,
    )
    # Other chats' updates run while one waits for Telegram or the database; each chat's
    # own updates keep their order (bot/tg/updates.py).
    app = (
        ApplicationBuilder()
        .bot(bot)
        .concurrent_updates(ChatOrder())
        .update_queue(UpdateQueue())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    app.bot_data["lotse"] = lotse
    app.add_handler(CommandHandler("start", lotse.cmd_start))
    app.add_handler(CommandHandler("menu", lotse.cmd_menu))
    app.add_handler(CommandHandler("help", lotse.cmd_help))
    app.add_handler(CommandHandler("privacy", lotse.cmd_privacy))
    app.add_handler(CommandHandler("language", lotse.cmd_language))
    app.add_handler(CommandHandler("erase", lotse.cmd_erase))
    app.add_handler(CommandHandler("forget", lotse.cmd_forget))
    app.add_handler(CommandHandler("report", lotse.cmd_report))
    add_review_handlers(app, lotse)  # before the button and text handlers below
    app.add_handler(CallbackQueryHandler(lotse.on_button))
    app.add_handler(MessageHandler(filters.COMMAND, lotse.on_unknown_command))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, lotse.on_text))
    app.add_handler(MessageHandler(~filters.StatusUpdate.ALL, lotse.on_other))
    app.add_error_handler(lotse.on_error)
    return app


async def publish_commands(app: App, lotse: Lotse) -> None:
    """Set the command menu, description and short description for every language."""
    engine = lotse.engine
    for lang in (None, *engine.languages):
        texts = engine.commands(lang or "de")
        commands = [BotCommand(name, description) for name, description in texts]
        description, short = engine.descriptions(lang or "de")
        try:
            await app.bot.set_my_commands(commands, language_code=lang)
            await app.bot.set_my_description(description, language_code=lang)
            await app.bot.set_my_short_description(short, language_code=lang)
        except TelegramError as exc:
            # The menu is a convenience: a failure here must not keep the bot from starting.
            log.warning("could not publish the command menu for %r: %s", lang, exc.message)
    staff = [
        ("report", "Wochenbericht: Rückmeldungen und Bedarfe"),
        ("verify", "Dienste beim Anbieter prüfen"),
    ]
    reviewers = lotse.settings.reviewers
    for staff_id in sorted(lotse.staff_ids | set(reviewers)):
        extra = staff if staff_id in lotse.staff_ids else []
        if staff_id in reviewers:
            extra = [*extra, ("review", "Übersetzungen prüfen")]
        menu = [*engine.commands("de"), *extra]
        try:
            await app.bot.set_my_commands(
                [BotCommand(n, d) for n, d in menu], scope=BotCommandScopeChat(staff_id)
            )
        except TelegramError as exc:
            log.warning("could not publish the staff command menu: %s", exc.message)


async def housekeeping(app: App, lotse: Lotse) -> None:
    """Every ten minutes: expired searches and chats; daily: the retention period; on Monday
    mornings: the staff digest."""
    while True:
        try:
            await lotse.housekeeping(app.bot, utc_now())
        except Exception:
            log.exception("housekeeping failed; trying again in ten minutes")
        await asyncio.sleep(HOUSEKEEPING_EVERY)


def run_polling(settings: Settings, core: Core) -> int:
    """Poll Telegram until interrupted."""
    app = build_application(settings, core, settle=True)
    try:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        # python-telegram-bot's own message quotes the whole token: never pass it on.
        log.error(REJECTED)
        return 1
    except LotseError as exc:  # the database or the salt file, opened in post_init
        log.error("Lotse cannot start: %s", exc)
        return 1
    return 0


def run_webhook(settings: Settings, core: Core) -> int:
    """Serve Telegram's webhook calls (behind a reverse proxy) until interrupted."""
    app = build_application(settings, core, settle=True)
    try:
        app.run_webhook(**webhook_options(settings))
    except InvalidToken:
        log.error(REJECTED)
        return 1
    except LotseError as exc:
        log.error("Lotse cannot start: %s", exc)
        return 1
    return 0


def webhook_options(settings: Settings) -> dict[str, Any]:
    """Where and how the webhook server listens (the same for run_webhook and the tests)."""
    if not settings.webhook_url:
        raise ValueError("LOTSE_WEBHOOK_URL is not set")
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        # The reverse proxy forwards the public URL's path unchanged.
        "url_path": urlsplit(settings.webhook_url).path.strip("/"),
        "webhook_url": settings.webhook_url,
        # Telegram sends this in X-Telegram-Bot-Api-Secret-Token; other requests get 403.
        "secret_token": settings.webhook_secret,
        "allowed_updates": Update.ALL_TYPES,
    }
