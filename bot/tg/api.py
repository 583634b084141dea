"""The Bot API client Lotse runs on: python-telegram-bot's, plus calls that skip building
objects from Telegram's answer, and requests sent as JSON. Telegram shell only.

After every sendMessage or editMessageText, python-telegram-bot turns Telegram's answer (the
whole message, with its text, entities and keyboard) into a ``Message``: about 0.2 ms each,
the largest single cost of a Lotse update after the HTTP round trips themselves. Showing a
screen needs at most the new message's id from that answer, so ``LotseBot.call`` hands back
Telegram's result as it came. Everything else is the library's own path (``Bot._post``): the
same request encoding, the same errors (``BadRequest``, ``Forbidden``, ``RetryAfter`` …) and
the same rate limiter.

Requests go through ``bot.tg.transport.H11Request`` (HTTP/1.1 on asyncio streams, parameters
as one JSON body) rather than python-telegram-bot's httpx client: a tenth of its CPU per
request. Uploads go as multipart, as python-telegram-bot sends them.
"""

from __future__ import annotations

from typing import Any

from telegram import Bot
from telegram.ext import BaseRateLimiter, ExtBot

from bot.tg.transport import H11Request
from bot.tg.updates import MAX_CONCURRENT

# One connection for getUpdates, as python-telegram-bot's ApplicationBuilder makes it; for the
# rest, two per update in progress (a button's answer and its next screen go out together,
# bot/tg/handlers.py) and a few for housekeeping and the digest, so that no call ever waits
# for a free connection (python-telegram-bot gives up after a second).
POOL_SIZE = 2 * MAX_CONCURRENT + 4


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
    """The bot on Lotse's HTTP client, with the pools python-telegram-bot's builder would make."""
    return LotseBot(
        token,
        base_url=base_url,
        base_file_url=base_file_url,
        request=H11Request(POOL_SIZE),
        get_updates_request=H11Request(1),
        rate_limiter=rate_limiter,
    )


def lotse_bot(bot: Bot) -> LotseBot:
    """The Application's bot, as ``bot.tg.app.build_application`` makes it."""
    if not isinstance(bot, LotseBot):
        raise TypeError("Lotse runs on the bot build_application makes (bot.tg.api.LotseBot)")
    return bot
