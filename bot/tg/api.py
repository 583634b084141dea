"""The Bot API client Lotse runs on: python-telegram-bot's, plus calls that skip building
objects from Telegram's answer, and requests sent as JSON. Telegram shell only.

After every sendMessage or editMessageText, python-telegram-bot turns Telegram's answer (the
whole message, with its text, entities and keyboard) into a ``Message``: about 0.2 ms each,
the largest single cost of a Lotse update after the HTTP round trips themselves. Showing a
screen needs at most the new message's id from that answer, so ``LotseBot.call`` hands back
Telegram's result as it came. Everything else is the library's own path (``Bot._post``): the
same request encoding, the same errors (``BadRequest``, ``Forbidden``, ``RetryAfter`` …) and
the same rate limiter.

``JsonRequest`` sends a call's parameters as one ``application/json`` body, which the Bot
API takes as well as a form: a form percent-encodes each byte of an Arabic or Cyrillic text
one by one in Python (about 0.1 ms a screen), where ``json.dumps`` is C. Uploads stay
multipart, exactly as python-telegram-bot sends them.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from telegram import Bot
from telegram.error import NetworkError, TimedOut
from telegram.ext import BaseRateLimiter, ExtBot
from telegram.request import BaseRequest, HTTPXRequest, RequestData

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


class JsonRequest(HTTPXRequest):
    """python-telegram-bot's HTTP client, with parameters sent as one JSON body."""

    __slots__ = ()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """As ``HTTPXRequest.do_request`` (same timeouts, same errors), the body as JSON."""
        timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        if request_data is None or request_data.contains_files:
            return await super().do_request(url, method, request_data, *timeouts)
        default = self._client.timeout
        read, write, connect, pool = (
            fallback if given is BaseRequest.DEFAULT_NONE else given
            for given, fallback in zip(
                timeouts, (default.read, default.write, default.connect, default.pool), strict=True
            )
        )
        try:
            response = await self._client.request(
                method=method,
                url=url,
                headers={"User-Agent": self.USER_AGENT, "Content-Type": "application/json"},
                timeout=httpx.Timeout(connect=connect, read=read, write=write, pool=pool),
                content=json.dumps(request_data.parameters).encode(),
            )
        except httpx.TimeoutException as err:
            if isinstance(err, httpx.PoolTimeout):
                raise TimedOut("Pool timeout: every connection is busy; not sent") from err
            raise TimedOut from err
        except httpx.HTTPError as err:
            raise NetworkError(f"httpx.{type(err).__name__}: {err}") from err
        return response.status_code, response.content


def make_bot(
    token: str, base_url: str, base_file_url: str, rate_limiter: BaseRateLimiter[Any] | None
) -> LotseBot:
    """The bot with the connection pools python-telegram-bot's ApplicationBuilder would make."""
    return LotseBot(
        token,
        base_url=base_url,
        base_file_url=base_file_url,
        request=JsonRequest(connection_pool_size=POOL_SIZE),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
        rate_limiter=rate_limiter,
    )


def lotse_bot(bot: Bot) -> LotseBot:
    """The Application's bot, as ``bot.tg.app.build_application`` makes it."""
    if not isinstance(bot, LotseBot):
        raise TypeError("Lotse runs on the bot build_application makes (bot.tg.api.LotseBot)")
    return bot
