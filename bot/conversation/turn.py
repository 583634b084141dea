"""One update of one conversation: carries out what the engine's Reply asks for. No Telegram.

A shell opens a Turn for each update (one query: the chat's state and the language choice),
calls one entry point (a command, typed text, a button) and renders the Reply it returns,
tells the Turn the ids of the messages it sent, and closes it (at most one write, and none
when nothing changed). Everything between two updates lives in the database
(bot.storage.state), so any worker and any restart continues the conversation.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.conversation.weak import SEARCH_KEPT, Search, kept
from bot.engine.flow import Ctx, Engine
from bot.engine.screens import NeedKind, Rating, Reply, escape
from bot.errors import DatabaseFault
from bot.i18n import negotiate
from bot.storage.state import ChatRow, hour_of
from bot.storage.usage import WeakVia

if TYPE_CHECKING:
    from bot.conversation.layer import Conversation, Who

log = logging.getLogger(__name__)

# A text this long is no question (Telegram's own limit is 4096 characters).
TOO_LONG = 4096
# The note after 👎 is expected for this long; then typed text is a search again.
NOTE_WAIT = dt.timedelta(minutes=15)
# One chat may leave this much feedback per hour; more is not recorded.
FEEDBACK_PER_HOUR = 30

Delete = Callable[[tuple[int, int] | None], Awaitable[bool]]


def encode_pending(about: Rating, place: str | None) -> str:
    """The rating a note will be about, and where to return, as stored."""
    return json.dumps(
        [about.node, about.service, about.topic, about.town, about.helpful, place],
        separators=(",", ":"),
    )


def decode_pending(text: str) -> tuple[Rating, str | None] | None:
    """The stored rating and place again; None for anything else."""
    try:
        node, service, topic, town, helpful, place = json.loads(text)
        return Rating(str(node), service, str(topic), town, bool(helpful)), place
    except (ValueError, TypeError):
        return None


class Turn:
    """One update: its context, the chat's state as read, and what changed."""

    def __init__(
        self,
        conversation: Conversation,
        who: Who,
        ctx: Ctx,
        row: ChatRow,
        key: str | None,
    ) -> None:
        self.conversation = conversation
        self.who = who
        self.ctx = ctx
        self.state = row
        self._loaded = row
        self._key = key
        self._erased = False
        self._now = conversation.clock()
        # The search a 👎 or "none fits" in this update answers (bot/conversation/weak.py).
        self._answers: Search | None = None

    @property
    def engine(self) -> Engine:
        """The engine of the moment (a reload may replace it between updates)."""
        return self.conversation.engine

    @property
    def place(self) -> str | None:
        """Where the user was last (for /language and "continue where I was")."""
        return self.state.place

    # -- entry points ---------------------------------------------------------------------

    async def command(self, name: str, arg: str | None = None) -> Reply:
        """A /command (without the slash); unknown ones get a kind note."""
        e, ctx = self.engine, self.ctx
        self._no_note()
        name = name.lower()
        if name != "language":  # the picker returns to the same screen
            self._no_search()
        if name == "start":
            reply = e.start(ctx, arg or None)
        elif name == "menu":
            reply = e.menu(ctx)
        elif name == "help":
            reply = e.help(ctx)
        elif name == "privacy":
            reply = e.privacy(ctx)
        elif name == "language":
            reply = e.language(ctx, self.state.place)
        elif name == "forget":
            return await self.forget()
        else:
            reply = e.unknown_command(ctx)
        self.conversation.usage.seen(
            reply, reply.screen.place if name in ("start", "menu") else None
        )
        return await self.carry_out(reply)

    async def text(self, text: str) -> Reply:
        """Typed text: the note after 👎 if one is expected, else a question to search."""
        expected = self._take_pending()
        self._no_search()
        if len(text) >= TOO_LONG:
            return await self.carry_out(self.engine.too_long(self.ctx, text, self.state.place))
        if expected is not None:
            about, place = expected
            reply = self.engine.comment(self.ctx, about, text, place)
        else:
            reply = self.engine.text(self.ctx, text, self.state.place)
            # Nor are the words of a search the detector reads as danger kept to rate.
            search = kept(reply.query, reply.screen) if reply.query and reply.keep else None
            if search is not None:
                self.state = replace(
                    self.state,
                    search=search.encode(),
                    search_until=int((self._now + SEARCH_KEPT).timestamp()),
                )
        self.conversation.usage.seen(reply)
        return await self.carry_out(reply)

    async def press(self, data: str | None) -> Reply:
        """A button. A reply that asks to erase is left to the shell (``erase``)."""
        reply = self.engine.press(self.ctx, data)
        self.conversation.usage.seen(reply, data)
        self._no_note()
        search = self._live_search()
        if search is None or not search.offers(data):
            self._no_search()
        elif reply.rating is not None or reply.need is not None:
            self._no_search()  # used: one answer per search
            self._answers = search
        if reply.erase:
            return reply
        return await self.carry_out(reply)

    async def other(self) -> Reply:
        """A sticker, photo, voice message or anything else that is not text."""
        self._no_note()
        self._no_search()
        return await self.carry_out(self.engine.unsupported(self.ctx))

    async def forget(self) -> Reply:
        """/forget: delete the language choice and where the user was."""
        store = self.conversation.storage
        had: bool | None
        try:
            if store is None or self.who.user is None:
                raise DatabaseFault("the database is not open")
            # Under every salt the choice may have been stored with (current and previous).
            had = await store.forget(*store.user_keys(self.who.user))
        except DatabaseFault as exc:
            log.error("could not delete a language choice: %s", type(exc).__name__)
            had = None  # said as it is: nothing was deleted, try again
        ctx = self.ctx
        self._no_search()  # whatever the database said: it is not kept in this chat
        if had is not None:
            self.state = replace(self.state, place=None)
            ctx = self.engine.ctx(negotiate(self.who.hint, self.engine.languages) or "de")
        return self.engine.forget(ctx, had_data=had)

    async def erase(self, delete: Delete) -> bool:
        """Erase this chat: ``delete`` gets the span of message ids noted for it.

        Whatever ``delete`` achieves, nothing of the chat's place or note stays; the span is
        forgotten only when everything was deleted. True only if ``delete`` said so.
        """
        ok = await delete(self.state.span)
        self.state = replace(
            self.state,
            place=None,
            pending=None,
            pending_until=None,
            search=None,
            search_until=None,
        )
        if ok:
            self._erased = True
            self.state = ChatRow()
            self.conversation.usage.erase()
        return ok

    def saw(self, *message_ids: int) -> None:
        """Messages of this chat (the user's and the bot's) that "erase" must reach."""
        for mid in message_ids:
            low, high = self.state.low, self.state.high
            self.state = replace(
                self.state,
                low=mid if low is None else min(low, mid),
                high=mid if high is None else max(high, mid),
            )

    async def close(self) -> None:
        """Write what changed (one statement; none when nothing did)."""
        store, key = self.conversation.storage, self._key
        await self.conversation.usage.maybe_flush(store)
        if store is None or key is None:
            return
        row = self.state = replace(self.state, seen=hour_of(self._now))
        try:
            if self._erased:
                changed = row != ChatRow(seen=row.seen)
                await store.drop_chat(key, row if changed else None)
            elif row != self._loaded:
                await store.save_chat(key, row)
        except DatabaseFault as exc:
            # Erase still reaches the messages: it looks beyond the noted span (bot/tg/erase).
            log.warning("could not keep the chat's state: %s", type(exc).__name__)

    # -- carrying out a reply -------------------------------------------------------------

    async def carry_out(self, reply: Reply) -> Reply:
        """Store what the reply asks to store, expect a note, remember the place."""
        reply = await self._record(reply)
        if reply.awaits_comment is not None:
            self.state = replace(
                self.state,
                pending=encode_pending(reply.awaits_comment, reply.screen.place),
                pending_until=int((self._now + NOTE_WAIT).timestamp()),
            )
        if reply.screen.place:
            self.state = replace(self.state, place=reply.screen.place)
        return reply

    async def _record(self, reply: Reply) -> Reply:
        """Write the language choice and feedback before the user is thanked."""
        store = self.conversation.storage
        if store is None:
            return reply
        try:
            if reply.set_lang and self.who.user is not None:
                current, *earlier = store.user_keys(self.who.user)
                await store.set_language(current, reply.set_lang, earlier=earlier)
            if (reply.rating or reply.need or reply.comment) and self._allow():
                await self._store_feedback(reply)
        except DatabaseFault as exc:
            # The database is locked or the disk is full: apologise, keep serving menus.
            log.error("could not store feedback or a choice: %s: %s", type(exc).__name__, exc)
            screen = reply.screen
            if (reply.rating or reply.comment) and screen.place:
                # Not stored, so no thanks and no "what was missing?": the answer again.
                screen = self.engine.press(self.ctx, screen.place).screen
            apology = escape(self.engine.apology(self.ctx))
            screen = replace(screen, text=f"<i>{apology}</i>\n\n{screen.text}")
            return replace(reply, screen=screen, awaits_comment=None)
        return reply

    async def _store_feedback(self, reply: Reply) -> None:
        store, lang = self.conversation.storage, self.ctx.lang
        assert store is not None
        if reply.rating is not None:
            r = reply.rating
            await store.add_rating(
                r.node, r.topic, r.helpful, lang, service_id=r.service, town=r.town
            )
        if reply.comment is not None:
            about = reply.comment.about
            await store.add_comment(
                about.node,
                about.topic,
                reply.comment.text,
                lang,
                service_id=about.service,
                town=about.town,
            )
        if reply.need is not None and reply.keep:
            n = reply.need
            await store.add_need(
                n.kind, lang, node_id=n.node, topic=n.topic, query=n.query, town=n.town
            )
        await self._store_weak_answer(reply)

    async def _store_weak_answer(self, reply: Reply) -> None:
        """A 👎 or "none fits" on what a search offered: a weak answer to that search."""
        store, search = self.conversation.storage, self._answers
        if store is None or search is None:
            return
        found: tuple[str, str, WeakVia] | None = None
        if reply.rating is not None and not reply.rating.helpful:
            found = (reply.rating.topic, reply.rating.node, WeakVia.UNHELPFUL)
        elif reply.need is not None and reply.need.kind is NeedKind.NONE_FITS:
            found = (reply.need.topic or "", reply.need.node or "", WeakVia.NONE_FITS)
        if found is None or not all(found):
            return
        topic, node, via = found
        try:
            await store.add_weak_answer(search.query, topic, node, via)
        except DatabaseFault as exc:
            # The rating itself is stored; the person is thanked as usual.
            log.warning("could not record a weak answer: %s", type(exc).__name__)

    def _allow(self) -> bool:
        """Whether this chat may leave one more piece of feedback this hour (and count it)."""
        hour = hour_of(self._now)
        count = self.state.feedback_count if self.state.feedback_hour == hour else 0
        if count >= FEEDBACK_PER_HOUR:
            return False
        self.state = replace(self.state, feedback_hour=hour, feedback_count=count + 1)
        return True

    def _no_note(self) -> None:
        """No note is expected any more."""
        self.state = replace(self.state, pending=None, pending_until=None)

    def _no_search(self) -> None:
        """No later 👎 or "none fits" is about the last search any more."""
        self.state = replace(self.state, search=None, search_until=None)

    def _live_search(self) -> Search | None:
        """The search kept for this chat, if it has not expired."""
        until = self.state.search_until
        if until is None or until < self._now.timestamp():
            return None
        return Search.decode(self.state.search)

    def _take_pending(self) -> tuple[Rating, str | None] | None:
        """The note expected after a 👎, if one still is (and expect it no more)."""
        text, until = self.state.pending, self.state.pending_until
        self._no_note()
        if text is None or until is None or until < self._now.timestamp():
            return None
        return decode_pending(text)
