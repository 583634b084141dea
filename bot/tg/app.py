"""Build and run the python-telegram-bot Application. Telegram shell only."""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.config import Settings
from bot.runtime import Core
from bot.storage import Storage
from bot.tg.handlers import Lotse

log = logging.getLogger(__name__)
# At DEBUG these libraries log whole updates (user ids, names, texts) and request URLs (the
# token). Whatever level the bot runs at, they never go below INFO / WARNING.
QUIET_LOGGERS = {"telegram": logging.INFO, "httpx": logging.WARNING, "httpcore": logging.WARNING}


def quiet_libraries() -> None:
    """Keep third-party loggers from recording personal data or the token."""
    for name, level in QUIET_LOGGERS.items():
        logger = logging.getLogger(name)
        logger.setLevel(max(level, logger.getEffectiveLevel()))


App = Application[Any, Any, Any, Any, Any, Any]


def build_application(settings: Settings, core: Core) -> App:
    """The Application with every handler, storage opened in post_init, closed on shutdown."""
    if not settings.token:
        raise ValueError("a Telegram token is needed")
    quiet_libraries()
    lotse = Lotse(core.engine)

    async def post_init(app: App) -> None:
        lotse.storage = await Storage.open(settings.db_path, settings.salt)
        await publish_commands(app, lotse)

    async def post_shutdown(app: App) -> None:
        del app
        if lotse.storage is not None:
            await lotse.storage.close()
            lotse.storage = None

    app = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_base_url.replace("/bot", "/file/bot"))
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
        code = lang or ""
        texts = engine.commands(lang or "de")
        commands = [BotCommand(name, description) for name, description in texts]
        description, short = engine.descriptions(lang or "de")
        try:
            await app.bot.set_my_commands(commands, language_code=code or None)
            await app.bot.set_my_description(description, language_code=code or None)
            await app.bot.set_my_short_description(short, language_code=code or None)
        except TelegramError as exc:
            # The menu is a convenience: a failure here must not keep the bot from starting.
            log.warning("could not publish the command menu for %r: %s", code, exc.message)


def run_polling(settings: Settings, core: Core) -> int:
    """Poll Telegram until interrupted."""
    app = build_application(settings, core)
    app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
