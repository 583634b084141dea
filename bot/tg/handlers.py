"""Telegram updates → conversation calls → Bot API calls. Telegram shell only, and thin.

The engine decides; the conversation layer (bot.conversation) carries out what a Reply asks
for, the same as for the terminal; this module translates updates into Turn calls and hands
the screens to bot.tg.send. Nothing here logs a user id, chat id, name or message text.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, CallbackQuery, Message, Update
from telegram.constants import ChatType, MessageLimit
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.conversation import Conversation, Turn, Who
from bot.engine.flow import Ctx, Engine
from bot.engine.screens import Reply
from bot.errors import LotseError
from bot.knowledge.conventions import utc_today
from bot.knowledge.model import Knowledge
from bot.runtime import build_core, staff_digest
from bot.storage import Storage
from bot.tg.erase import delete_range, id_batches
from bot.tg.render import PARSE_MODE, keyboard
from bot.tg.send import send, show

log = logging.getLogger(__name__)
# Telegram lets a bot delete messages for 48 hours; the hour covers rounding and clock skew.
SPAN_KEPT = dt.timedelta(hours=49)
DIGEST_WEEKDAY = 0  # Monday
DIGEST_HOUR = 7  # UTC, before the office opens


class Lotse:
    """The bot's callbacks, bound to the conversation (engine and storage) and settings."""

    def __init__(
        self,
        engine: Engine,
        storage: Storage | None = None,
        settings: Settings | None = None,
        knowledge: Knowledge | None = None,
    ) -> None:
        self.conversation = Conversation(engine, storage)
        self.settings = settings or Settings()
        self.knowledge = knowledge

    @property
    def engine(self) -> Engine:
        """The engine of the moment (replaced by a reload)."""
        return self.conversation.engine

    @property
    def storage(self) -> Storage | None:
        """The database, opened in post_init."""
        return self.conversation.storage

    @storage.setter
    def storage(self, storage: Storage | None) -> None:
        self.conversation.storage = storage

    async def reload(self) -> bool:
        """Read the knowledge and catalogs again; on any error keep the last good ones."""
        try:
            # Half a second of YAML, catalogs and indexes: in a thread, so updates go on.
            core = await asyncio.to_thread(build_core, self.settings)
        except LotseError as exc:
            log.error("reload failed, keeping the last good knowledge:\n%s", exc)
            return False
        self.conversation.engine, self.knowledge = core.engine, core.knowledge
        log.info("knowledge and translations reloaded")
        return True

    @property
    def staff_ids(self) -> frozenset[int]:
        """Telegram user ids of the office's staff (LOTSE_STAFF_IDS)."""
        return self.settings.staff_ids

    # -- staff and housekeeping -------------------------------------------------------------

    async def send_digest(self, bot: Bot, chat_id: int, today: dt.date) -> None:
        """Send the digest text, its chart, and the whole report as a page to open.

        Made in a thread (it reads the database and draws): never on the event loop.
        """
        found = await asyncio.to_thread(staff_digest, self.settings, self.knowledge, today)
        await bot.send_message(chat_id, found.text[: MessageLimit.MAX_TEXT_LENGTH])
        await bot.send_photo(chat_id, found.png)
        await bot.send_document(
            chat_id,
            found.page,
            filename=found.filename,
            caption="Der ganze Bericht als Seite: im Browser öffnen.",
        )

    async def cmd_report(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/report for staff: the week's digest and chart. Others see an unknown command."""
        user = update.effective_user
        chat = update.effective_chat
        # Only in a private chat with a staff member: never into a group, even a staff one.
        private = chat is not None and chat.type == ChatType.PRIVATE
        if user is None or chat is None or user.id not in self.staff_ids or not private:
            await self.on_unknown_command(update, context)
            return
        await self.send_digest(context.bot, chat.id, utc_today())

    async def housekeeping(self, bot: Bot, now: dt.datetime) -> None:
        """Delete feedback past the retention period and chats gone quiet; Monday: the digest."""
        store = self.storage
        if store is None:
            return
        today = now.date()
        # Chats quiet for 49 hours: nothing in them can be deleted any more (and places expire).
        await store.purge_chats(now, SPAN_KEPT)
        await store.purge_pending(now)  # a reviewer's id waits two hours at most (README)
        if await store.setting("purged_on") != today.isoformat():
            deleted = await store.purge(self.settings.retention_days, today)
            await store.set_setting("purged_on", today.isoformat())
            log.info(
                "retention: deleted %d rows (feedback, unused language choices) "
                "older than %d days",
                deleted,
                self.settings.retention_days,
            )
        week = f"{now.isocalendar().year}-W{now.isocalendar().week:02d}"
        due = now.weekday() == DIGEST_WEEKDAY and now.hour >= DIGEST_HOUR
        chat = self.settings.staff_chat
        if chat is not None and due and await store.claim_setting("digest_week", week):
            # Claimed first: of several workers, only one posts this week's digest.
            try:
                await self.send_digest(bot, chat, today)
            except BaseException:
                await store.set_setting("digest_week", "")  # not posted: due again
                raise
            log.info("weekly digest posted to the staff chat")

    # -- a turn per update ------------------------------------------------------------------

    def who(self, update: Update) -> Who | None:
        """Whom this update is from (ids the conversation only ever stores as HMACs)."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None:
            return None
        return Who(chat.id, user.id if user else None, user.language_code if user else None)

    async def turn(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> Turn | None:
        """A Turn in a private chat; in a group, a short note (if addressed) and None."""
        who, chat, message = self.who(update), update.effective_chat, update.effective_message
        if who is None or chat is None:
            return None
        if chat.type == ChatType.PRIVATE:
            return await self.conversation.open(who, *([message.message_id] if message else []))
        text = (message.text or "") if message else ""
        # Answer only when spoken to, so the bot never chatters in a group.
        if message is not None and (text.startswith("/") or f"@{context.bot.username}" in text):
            await self.group_note(chat.id, await self.conversation.context(who), context)
        return None

    async def group_note(self, chat_id: int, ctx: Ctx, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The short note that Lotse works only in a private chat, with a link there."""
        note = self.engine.group_note(ctx, context.bot.username)
        await context.bot.send_message(
            chat_id, note.screen.text, parse_mode=PARSE_MODE, reply_markup=keyboard(note.screen)
        )

    async def answer(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        act: Callable[[Turn], Awaitable[Reply]],
    ) -> None:
        """Open a turn, let ``act`` carry out the update, send its screen, close the turn."""
        turn = await self.turn(update, context)
        if turn is None:
            return
        try:
            await send(context.bot, turn.who.chat, await act(turn), turn)
        finally:
            await turn.close()

    # -- erase this chat ------------------------------------------------------------------

    async def erase(self, turn: Turn, current: int, bot: Bot) -> bool:
        """Delete every message of this chat Telegram still lets the bot delete (48 hours).

        Works after a restart and on any worker: the ids come from the database and from
        Telegram's numbering, never from this process. True only if Telegram accepted all.
        """
        chat_id = turn.who.chat

        async def delete(span: tuple[int, int] | None) -> bool:
            return await delete_range(bot, chat_id, id_batches(current, span))

        return await turn.erase(delete)

    # -- commands ---------------------------------------------------------------------------

    async def cmd_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start, and deep links /start <topic>."""
        arg = context.args[0] if context.args else None
        await self.answer(update, context, lambda turn: turn.command("start", arg))

    async def cmd_menu(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/menu: the main menu."""
        await self.answer(update, context, lambda turn: turn.command("menu"))

    async def cmd_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/help: how the bot works."""
        await self.answer(update, context, lambda turn: turn.command("help"))

    async def cmd_privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/privacy: what is stored."""
        await self.answer(update, context, lambda turn: turn.command("privacy"))

    async def cmd_language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/language: the language picker, returning to where the user was."""
        await self.answer(update, context, lambda turn: turn.command("language"))

    async def cmd_forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/forget: delete the stored language choice and where the user was."""
        await self.answer(update, context, lambda turn: turn.command("forget"))

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A /command the bot does not have."""
        await self.answer(update, context, lambda turn: turn.command("unknown"))

    async def cmd_erase(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/erase: delete this conversation (quick exit); only a neutral screen stays."""
        turn = await self.turn(update, context)
        message = update.effective_message
        if turn is None or message is None:
            return
        try:
            reply = self.engine.erase(turn.ctx)
            if not await self.erase(turn, message.message_id, context.bot):
                reply = self.engine.erase_failed(turn.ctx)
            await send(context.bot, turn.who.chat, reply, turn)
        finally:
            await turn.close()

    # -- messages and buttons -------------------------------------------------------------

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Typed text: the answer to "what was missing?", or a question to search."""
        message = update.effective_message
        if message is not None and message.text is not None:
            text = message.text
            await self.answer(update, context, lambda turn: turn.text(text))

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice messages and everything else that is not text."""
        await self.answer(update, context, lambda turn: turn.other())

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: edit the message in place to the next screen."""
        query, who = update.callback_query, self.who(update)
        if query is None or who is None:
            return
        message = query.message
        if message is None or message.chat.type != ChatType.PRIVATE:
            # The bot shows no topic buttons in groups: a press there is forged or stale.
            # Nothing is recorded or erased, and no topic screen is shown to the group.
            await self.answer_query(query)
            if message is not None:
                ctx = await self.conversation.context(who)
                await self.group_note(message.chat.id, ctx, context)
            return
        turn = await self.conversation.open(who, message.message_id)
        try:
            reply = await turn.press(query.data)
            if reply.erase:
                ok = await self.erase(turn, message.message_id, context.bot)
                # Confirmed in a pop-up, which is never kept in the chat.
                await self.answer_query(query, self.engine.erase_notice(turn.ctx, ok=ok))
                return
            # The spinner and the next screen at once: one round trip less before the user
            # sees it. Only the spinner depends on the answer, which never raises.
            shown: Awaitable[object]
            if isinstance(message, Message):
                shown = show(context.bot, message, reply, turn)
            else:
                shown = send(context.bot, who.chat, reply, turn)
            await asyncio.gather(self.answer_query(query), shown)
        finally:
            await turn.close()

    async def answer_query(self, query: CallbackQuery, notice: str | None = None) -> None:
        """Answer a button press (the spinner; a pop-up when there is a notice)."""
        try:
            await query.answer(notice, show_alert=notice is not None)
        except TelegramError as exc:
            log.warning("could not answer a button press: %s", type(exc).__name__)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the error without any personal data; the bot keeps running."""
        error = context.error
        if isinstance(error, Forbidden):
            log.info("a user has blocked the bot; message not delivered")
            return
        kind = type(update).__name__ if update is not None else "none"
        if isinstance(error, TelegramError):
            log.warning("Telegram error while handling an update (%s): %s", kind, error.message)
            return
        log.error(
            "error while handling an update (%s)",
            kind,
            exc_info=(type(error), error, error.__traceback__) if error else None,
        )
