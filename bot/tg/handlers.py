"""Telegram updates → engine calls → Bot API calls. Thin: the engine decides everything.

The shell carries out what a Reply asks for (store a rating, wait for a comment, erase the
chat) and renders its screen. Nothing here logs a user id, chat id, name or message text.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field, replace

from telegram import Bot, Message, Update
from telegram.constants import ChatType, MessageLimit
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.engine.flow import Ctx, Engine
from bot.engine.screens import Contact, Reply, Venue, escape, plain
from bot.errors import DatabaseFault, LotseError
from bot.i18n import negotiate
from bot.knowledge.model import Knowledge
from bot.runtime import build_core, staff_digest
from bot.storage import Storage
from bot.tg.erase import delete_range, id_batches
from bot.tg.memory import ChatMemory
from bot.tg.render import NO_PREVIEW, PARSE_MODE, keyboard

log = logging.getLogger(__name__)
CONTACT_NAME_MAX = 64
# Telegram lets a bot delete messages for 48 hours; the hour covers rounding and clock skew.
SPAN_KEPT = dt.timedelta(hours=49)
# One person may leave this much feedback per hour; more is not recorded (in-memory count).
FEEDBACK_PER_HOUR = 30
DIGEST_WEEKDAY = 0  # Monday
DIGEST_HOUR = 7  # UTC, before the office opens


@dataclass
class Lotse:
    """The bot's callbacks, bound to the engine, the storage and the chats' short memory."""

    engine: Engine
    storage: Storage | None = None
    memory: ChatMemory = field(default_factory=ChatMemory)
    settings: Settings = field(default_factory=Settings)
    knowledge: Knowledge | None = None

    async def reload(self) -> bool:
        """Read the knowledge and catalogs again; on any error keep the last good ones."""
        try:
            # Half a second of YAML, catalogs and indexes: in a thread, so updates go on.
            core = await asyncio.to_thread(build_core, self.settings)
        except LotseError as exc:
            log.error("reload failed, keeping the last good knowledge:\n%s", exc)
            return False
        self.engine, self.knowledge = core.engine, core.knowledge
        log.info("knowledge and translations reloaded")
        return True

    @property
    def staff_ids(self) -> frozenset[int]:
        """Telegram user ids of the office's staff (LOTSE_STAFF_IDS)."""
        return self.settings.staff_ids

    # -- staff and housekeeping -------------------------------------------------------------

    async def staff_digest(self, today: dt.date) -> tuple[str, bytes]:
        """The last week's digest text and chart (read in a thread: it is blocking SQLite)."""
        return await asyncio.to_thread(staff_digest, self.settings, self.knowledge, today)

    async def send_digest(self, bot: Bot, chat_id: int, today: dt.date) -> None:
        """Send the digest text and its chart to one chat."""
        text, png = await self.staff_digest(today)
        await bot.send_message(chat_id, text[: MessageLimit.MAX_TEXT_LENGTH])
        await bot.send_photo(chat_id, png)

    async def cmd_report(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/report for staff: the week's digest and chart. Others see an unknown command."""
        user = update.effective_user
        chat = update.effective_chat
        # Only in a private chat with a staff member: never into a group, even a staff one.
        private = chat is not None and chat.type == ChatType.PRIVATE
        if user is None or chat is None or user.id not in self.staff_ids or not private:
            await self.on_unknown_command(update, context)
            return
        await self.send_digest(context.bot, chat.id, dt.datetime.now(dt.UTC).date())

    async def housekeeping(self, bot: Bot, now: dt.datetime) -> None:
        """Delete feedback past the retention period and stale erase spans; Monday: the digest."""
        store = self.storage
        if store is None:
            return
        today = now.date()
        # Message spans of chats quiet for 48 hours: nothing in them can be deleted any more.
        await store.purge_spans(now, SPAN_KEPT)
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

    # -- context ------------------------------------------------------------------------

    async def context_for(self, update: Update) -> Ctx:
        """The user's language: their choice, else Telegram's language, else German."""
        user = update.effective_user
        if user is not None and self.storage is not None:
            try:
                chosen = await self.storage.language(*self.storage.user_keys(user.id))
            except DatabaseFault as exc:
                log.warning("could not read a language choice: %s", type(exc).__name__)
                chosen = None
            if chosen:
                return self.engine.ctx(chosen, chosen=True)
        code = negotiate(user.language_code if user else None, self.engine.languages)
        return self.engine.ctx(code or "de")

    async def private(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> Ctx | None:
        """The context in a private chat; in a group, a short note (if addressed) and None."""
        ctx = await self.context_for(update)
        chat = update.effective_chat
        message = update.effective_message
        if chat is None or chat.type == ChatType.PRIVATE:
            if chat is not None and message is not None:
                await self.note(chat.id, message)
            return ctx
        text = (message.text or "") if message else ""
        # Answer only when spoken to, so the bot never chatters in a group.
        if message is not None and (text.startswith("/") or f"@{context.bot.username}" in text):
            await self.group_note(message.chat_id, ctx, context)
        return None

    async def group_note(self, chat_id: int, ctx: Ctx, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The short note that Lotse works only in a private chat, with a link there."""
        note = self.engine.group_note(ctx, context.bot.username)
        await context.bot.send_message(
            chat_id, note.screen.text, parse_mode=PARSE_MODE, reply_markup=keyboard(note.screen)
        )

    # -- carrying out a reply -------------------------------------------------------------

    async def record(self, update: Update, chat_id: int, ctx: Ctx, reply: Reply) -> Reply:
        """Write what the reply asks to store, before the user is thanked."""
        user = update.effective_user
        store = self.storage
        if store is None:
            return reply
        try:
            if reply.set_lang and user is not None:
                current, *earlier = store.user_keys(user.id)
                await store.set_language(current, reply.set_lang, earlier=earlier)
            feedback = reply.rating or reply.need or reply.comment
            if feedback and self.memory.allow(chat_id, FEEDBACK_PER_HOUR, 3600):
                await self._store_feedback(store, ctx, reply)
        except DatabaseFault as exc:
            # The database is locked or the disk is full: apologise, keep serving menus.
            log.error("could not store feedback or a choice: %s: %s", type(exc).__name__, exc)
            screen = reply.screen
            if (reply.rating or reply.comment) and screen.place:
                # Not stored, so no thanks and no "what was missing?": the answer again.
                screen = self.engine.press(ctx, screen.place).screen
            apology = escape(self.engine.apology(ctx))
            screen = replace(screen, text=f"<i>{apology}</i>\n\n{screen.text}")
            return replace(reply, screen=screen, awaits_comment=None)
        return reply

    async def _store_feedback(self, store: Storage, ctx: Ctx, reply: Reply) -> None:
        if reply.rating is not None:
            r = reply.rating
            await store.add_rating(
                r.node, r.topic, r.helpful, ctx.lang, service_id=r.service, town=r.town
            )
        if reply.comment is not None:
            about = reply.comment.about
            await store.add_comment(
                about.node,
                about.topic,
                reply.comment.text,
                ctx.lang,
                service_id=about.service,
                town=about.town,
            )
        if reply.need is not None:
            n = reply.need
            await store.add_need(
                n.kind, ctx.lang, node_id=n.node, topic=n.topic, query=n.query, town=n.town
            )

    async def answer(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, ctx: Ctx, reply: Reply
    ) -> None:
        """Carry out a reply to a message or command: record, then send a new message."""
        chat = update.effective_chat
        if chat is None:
            return
        reply = await self.carry_out(update, context, ctx, chat.id, reply)
        await self.send(chat.id, reply, context)

    async def carry_out(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        ctx: Ctx,
        chat_id: int,
        reply: Reply,
    ) -> Reply:
        """Everything a reply asks for except showing its screen."""
        reply = await self.record(update, chat_id, ctx, reply)
        if reply.awaits_comment is not None:
            self.memory.await_comment(chat_id, reply.awaits_comment, reply.screen.place)
        self.memory.set_place(chat_id, reply.screen.place)
        return reply

    async def send(
        self, chat_id: int, reply: Reply, context: ContextTypes.DEFAULT_TYPE
    ) -> Message:
        """Send a screen as a new message, then its contact card and map pin."""
        screen = reply.screen
        message = await context.bot.send_message(
            chat_id,
            screen.text,
            parse_mode=PARSE_MODE,
            reply_markup=keyboard(screen),
            link_preview_options=NO_PREVIEW,
        )
        await self.note(chat_id, message)
        await self.attachments(chat_id, reply, context)
        return message

    async def attachments(
        self, chat_id: int, reply: Reply, context: ContextTypes.DEFAULT_TYPE
    ) -> None:
        """Send the screen's contact cards and map pins."""
        for item in reply.screen.attachments:
            if isinstance(item, Contact):
                sent = await context.bot.send_contact(
                    chat_id,
                    phone_number=item.phone,
                    first_name=item.name[:CONTACT_NAME_MAX],
                )
            elif isinstance(item, Venue):
                sent = await context.bot.send_venue(
                    chat_id,
                    latitude=item.lat,
                    longitude=item.lon,
                    title=item.title,
                    address=item.address,
                )
            await self.note(chat_id, sent)

    # -- erase this chat ------------------------------------------------------------------

    async def note(self, chat_id: int, message: Message) -> None:
        """Note a message id of a private chat for "erase this chat" (in the database)."""
        store = self.storage
        if store is None:
            return
        try:
            key = store.chat_key(chat_id)
            now = dt.datetime.now(dt.UTC)
            await store.note_messages(key, message.message_id, message.message_id, now)
        except DatabaseFault as exc:
            # Erase still reaches this message: it looks beyond the noted span (bot/tg/erase).
            log.warning("could not note a message for erasing: %s", type(exc).__name__)

    async def erase(self, chat_id: int, current: int, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """Delete every message of this chat Telegram still lets the bot delete (48 hours).

        Works after a restart and on any worker: the ids come from the database and from
        Telegram's numbering, never from this process. True only if Telegram accepted all.
        """
        self.memory.clear(chat_id)
        store = self.storage
        span = None
        if store is not None:
            try:
                span = await store.message_span(store.chat_key(chat_id))
            except DatabaseFault as exc:
                log.warning("could not read the span to erase: %s", type(exc).__name__)
        ok = await delete_range(context.bot, chat_id, id_batches(current, span))
        if ok and store is not None:
            try:
                await store.drop_span(store.chat_key(chat_id))
            except DatabaseFault as exc:
                log.warning("could not forget an erased span: %s", type(exc).__name__)
        return ok

    async def on_erase_button(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, ctx: Ctx
    ) -> None:
        """🧹: delete the chat; confirm in a pop-up, which is never kept in the chat."""
        query = update.callback_query
        chat = update.effective_chat
        if query is None:
            return
        notice = None
        if chat is not None and chat.type == ChatType.PRIVATE and query.message is not None:
            ok = await self.erase(chat.id, query.message.message_id, context)
            notice = self.engine.erase_notice(ctx, ok=ok)
        try:
            await query.answer(notice, show_alert=notice is not None)
        except TelegramError as exc:
            log.warning("could not confirm an erase: %s", type(exc).__name__)

    # -- commands ---------------------------------------------------------------------------

    async def cmd_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start, and deep links /start <topic>."""
        ctx = await self.private(update, context)
        if ctx is not None:
            arg = context.args[0] if context.args else None
            await self.answer(update, context, ctx, self.engine.start(ctx, arg))

    async def cmd_menu(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/menu: the main menu."""
        ctx = await self.private(update, context)
        if ctx is not None:
            await self.answer(update, context, ctx, self.engine.menu(ctx))

    async def cmd_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/help: how the bot works."""
        ctx = await self.private(update, context)
        if ctx is not None:
            await self.answer(update, context, ctx, self.engine.help(ctx))

    async def cmd_privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/privacy: what is stored."""
        ctx = await self.private(update, context)
        if ctx is not None:
            await self.answer(update, context, ctx, self.engine.privacy(ctx))

    async def cmd_language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/language: the language picker, returning to where the user was."""
        ctx = await self.private(update, context)
        chat = update.effective_chat
        if ctx is not None and chat is not None:
            place = self.memory.place(chat.id)
            await self.answer(update, context, ctx, self.engine.language(ctx, place))

    async def cmd_erase(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/erase: delete this conversation (quick exit); only a neutral screen stays."""
        ctx = await self.private(update, context)
        chat = update.effective_chat
        message = update.effective_message
        if ctx is None or chat is None or message is None:
            return
        reply = self.engine.erase(ctx)
        if not await self.erase(chat.id, message.message_id, context):
            reply = self.engine.erase_failed(ctx)
        await self.send(chat.id, reply, context)

    async def cmd_forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/forget: delete the stored language choice, the only per-user record."""
        ctx = await self.private(update, context)
        user = update.effective_user
        if ctx is None or user is None:
            return
        try:
            if self.storage is None:
                raise DatabaseFault("the database is not open yet")
            # Under every salt the choice may have been stored with (current and previous).
            had: bool | None = await self.storage.forget(*self.storage.user_keys(user.id))
        except DatabaseFault as exc:
            log.error("could not delete a language choice: %s", type(exc).__name__)
            had = None  # said as it is: nothing was deleted, try again
        if had is not None:
            negotiated = negotiate(user.language_code, self.engine.languages) or "de"
            ctx = self.engine.ctx(negotiated)
        await self.answer(update, context, ctx, self.engine.forget(ctx, had_data=had))

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A /command the bot does not have."""
        ctx = await self.private(update, context)
        if ctx is not None:
            await self.answer(update, context, ctx, self.engine.unknown_command(ctx))

    # -- messages and buttons -------------------------------------------------------------

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Typed text: the answer to "what was missing?", or a question to search."""
        ctx = await self.private(update, context)
        message = update.effective_message
        if ctx is None or message is None or message.text is None:
            return
        chat_id = message.chat_id
        if len(message.text) >= MessageLimit.MAX_TEXT_LENGTH:
            self.memory.cancel_comment(chat_id)
            await self.answer(update, context, ctx, self.engine.too_long(ctx))
            return
        pending = self.memory.take_comment(chat_id)
        if pending is not None:
            about, place = pending
            reply = self.engine.comment(ctx, about, message.text, place)
        else:
            reply = self.engine.text(ctx, message.text, self.memory.place(chat_id))
        await self.answer(update, context, ctx, reply)

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice messages and everything else that is not text."""
        ctx = await self.private(update, context)
        if ctx is not None:
            await self.answer(update, context, ctx, self.engine.unsupported(ctx))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: edit the message in place to the next screen."""
        query = update.callback_query
        if query is None:
            return
        ctx = await self.context_for(update)
        if query.message is not None and query.message.chat.type != ChatType.PRIVATE:
            # The bot shows no topic buttons in groups: a press there is forged or stale.
            # Nothing is recorded or erased, and no topic screen is shown to the group.
            try:
                await query.answer()
            except TelegramError as exc:
                log.warning("could not answer a button press: %s", type(exc).__name__)
            await self.group_note(query.message.chat.id, ctx, context)
            return
        reply = self.engine.press(ctx, query.data)
        if reply.erase:
            await self.on_erase_button(update, context, ctx)
            return
        try:
            await query.answer()
        except TelegramError as exc:
            # Only the spinner on the button is affected; the next screen still matters.
            log.warning("could not answer a button press: %s", type(exc).__name__)
        message = query.message
        if message is None:
            return
        chat_id = message.chat.id
        self.memory.cancel_comment(chat_id)
        reply = await self.carry_out(update, context, ctx, chat_id, reply)
        if not isinstance(message, Message):
            await self.send(chat_id, reply, context)
            return
        screen = reply.screen
        markup = keyboard(screen)
        if message.text == plain(screen.text).strip() and message.reply_markup == markup:
            # The same screen again (a double tap, a stale button twice): Telegram would
            # refuse the edit with "message is not modified".
            await self.attachments(chat_id, reply, context)
            return
        try:
            await message.edit_text(
                screen.text,
                parse_mode=PARSE_MODE,
                reply_markup=markup,
                link_preview_options=NO_PREVIEW,
            )
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                # Too old to edit, or gone: send the screen as a new message instead.
                await self.send(chat_id, reply, context)
                return
        await self.attachments(chat_id, reply, context)

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
