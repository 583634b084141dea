"""The Bot API client Lotse runs on: python-telegram-bot's, plus calls that skip building
objects from Telegram's answer. Telegram shell only.

After every sendMessage or editMessageText, python-telegram-bot turns Telegram's answer (the
whole message, with its text, entities and keyboard) into a ``Message``: about 0.2 ms each,
the largest single cost of a Lotse update after the HTTP round trips themselves. Showing a
screen needs at most the new message's id from that answer, so ``LotseBot.call`` hands back
Telegram's result as it came. Everything else is the library's own path (``Bot._post``): the
same request encoding, the same errors (``BadRequest``, ``Forbidden``, ``RetryAfter`` …) and
the same rate limiter.
"""

from __future__ import annotations

from typing import Any

from telegram import Bot
from telegram.ext import BaseRateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.tg.updates import MAX_CONCURRENT

# One connection for getUpdates, as python-telegram-bot's ApplicationBuilder makes it; for the
# rest, one per update in progress (bot/tg/updates.py) and a few for housekeeping and the
# digest, so that no call waits for a free connection.
POOL_SIZE = MAX_CONCURRENT + 4


class LotseBot(ExtBot[Any]):
    """``ExtBot`` with ``call``: a Bot API method whose answer is used as Telegram sent it."""

    __slots__ = ()

    async def call(self, method: str, **params: object) -> Any:
        """Call ``method`` (``sendMessage`` …); Telegram's ``result`` as JSON (dict or True).

        Parameters are what the library's own method would send (``None`` is left out,
        ``TelegramObject`` values are serialised); errors are raised as by that method.
        """
        return await self._post(method, dict(params))


def make_bot(
    token: str, base_url: str, base_file_url: str, rate_limiter: BaseRateLimiter[Any] | None
) -> LotseBot:
    """The bot with the connection pools python-telegram-bot's ApplicationBuilder would make."""
    return LotseBot(
        token,
        base_url=base_url,
        base_file_url=base_file_url,
        request=HTTPXRequest(connection_pool_size=POOL_SIZE),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
        rate_limiter=rate_limiter,
    )


def lotse_bot(bot: Bot) -> LotseBot:
    """The Application's bot, as ``bot.tg.app.build_application`` makes it."""
    if not isinstance(bot, LotseBot):
        raise TypeError("Lotse runs on the bot build_application makes (bot.tg.api.LotseBot)")
    return bot
