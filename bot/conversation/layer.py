"""The conversation both shells drive: opens a Turn per update over the storage. No Telegram.

DESIGN.md §2: the engine decides, this layer carries out what a Reply asks for (ratings, the
note after 👎, unmet needs, the language choice, the place to return to, erasing) with the
storage, and the shells (bot.tg, bot.console) only translate input and render screens. So
the terminal and Telegram behave the same, and store into the same database.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.conversation.turn import Turn
from bot.conversation.usage import UsageCounter
from bot.engine.flow import Ctx, Engine
from bot.errors import DatabaseFault
from bot.i18n import negotiate
from bot.knowledge.conventions import utc_now
from bot.storage import Storage
from bot.storage.state import ChatRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Who:
    """Whom a shell is talking to: ids that are only ever stored as HMACs.

    ``hint`` is the language the platform reports (Telegram's language_code, the
    terminal's LANG), used when the user has not chosen one.
    """

    chat: int
    user: int | None = None
    hint: str | None = None


class Conversation:
    """The engine and the storage, shared by every update of every chat."""

    def __init__(
        self,
        engine: Engine,
        storage: Storage | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.engine = engine
        self.storage = storage
        self.clock = clock
        self.usage = UsageCounter(lambda: self.clock().date())

    async def flush(self) -> None:
        """Write the usage counted since the last flush. Every shell calls this when it stops
        cleanly (SIGTERM, Ctrl-D, a webhook worker's shutdown), so that no count is lost."""
        if self.storage is None:
            return
        try:
            await self.usage.flush(self.storage)
        except Exception as exc:  # stopping must go on: the database may be what failed
            log.warning("usage totals lost at shutdown: %s", type(exc).__name__)

    def guessed(self, who: Who) -> Ctx:
        """The context from the platform's language, else German."""
        return self.engine.ctx(negotiate(who.hint, self.engine.languages) or "de")

    async def context(self, who: Who) -> Ctx:
        """The user's language: their choice, else the platform's, else German (no state)."""
        store = self.storage
        if store is not None and who.user is not None:
            try:
                chosen = await store.language(*store.user_keys(who.user))
            except DatabaseFault as exc:
                log.warning("could not read a language choice: %s", type(exc).__name__)
                chosen = None
            if chosen:
                return self.engine.ctx(chosen, chosen=True)
        return self.guessed(who)

    async def open(self, who: Who, *message_ids: int) -> Turn:
        """A Turn for one update in a private chat; ``message_ids``: the user's message."""
        store = self.storage
        state, chosen, key = ChatRow(), None, None
        if store is not None:
            key = store.chat_key(who.chat)
            users = store.user_keys(who.user) if who.user is not None else ()
            try:
                state, chosen = await store.open_chat(key, users, self.clock())
            except DatabaseFault as exc:
                # Menus keep working: without the place, the note or the span for a moment.
                log.warning("could not read the chat's state: %s", type(exc).__name__)
        ctx = self.engine.ctx(chosen, chosen=True) if chosen else self.guessed(who)
        turn = Turn(self, who, ctx, state, key)
        turn.saw(*message_ids)
        return turn
