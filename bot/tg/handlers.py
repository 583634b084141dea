"""Telegram updates → engine calls → Bot API calls. Thin: the engine decides everything.

Nothing here logs a user id, chat id, name or message text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Message, Update
from telegram.constants import ChatType, MessageLimit
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.engine.flow import Ctx, Engine
from bot.engine.screens import Contact, Reply, Venue
from bot.i18n import negotiate
from bot.storage import Storage
from bot.tg.render import NO_PREVIEW, PARSE_MODE, keyboard

log = logging.getLogger(__name__)
CONTACT_NAME_MAX = 64


@dataclass
class Lotse:
    """The bot's callbacks, bound to the engine and the storage."""

    engine: Engine
    storage: Storage | None = None

    async def context_for(self, update: Update) -> Ctx:
        """The user's language: their choice, else Telegram's language, else German."""
        user = update.effective_user
        if user is not None and self.storage is not None:
            chosen = await self.storage.language(self.storage.user_key(user.id))
            if chosen:
                return self.engine.ctx(chosen)
        code = negotiate(user.language_code if user else None, self.engine.languages)
        return self.engine.ctx(code or "de", from_telegram=code is not None)

    async def private(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> Ctx | None:
        """The context in a private chat; in a group, a short note (if addressed) and None."""
        ctx = await self.context_for(update)
        chat = update.effective_chat
        if chat is None or chat.type == ChatType.PRIVATE:
            return ctx
        message = update.effective_message
        text = (message.text or "") if message else ""
        # Answer only when spoken to, so the bot never chatters in a group.
        if message is not None and (text.startswith("/") or f"@{context.bot.username}" in text):
            await self.send(
                message.chat_id, self.engine.group_note(ctx, context.bot.username), context
            )
        return None

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
        await self.attachments(chat_id, reply, context)
        return message

    async def attachments(
        self, chat_id: int, reply: Reply, context: ContextTypes.DEFAULT_TYPE
    ) -> None:
        """Send the screen's contact cards and map pins."""
        for item in reply.screen.attachments:
            if isinstance(item, Contact):
                await context.bot.send_contact(
                    chat_id,
                    phone_number=item.phone,
                    first_name=item.name[:CONTACT_NAME_MAX],
                )
            elif isinstance(item, Venue):
                await context.bot.send_venue(
                    chat_id,
                    latitude=item.lat,
                    longitude=item.lon,
                    title=item.title,
                    address=item.address,
                )

    async def remember(self, update: Update, reply: Reply) -> None:
        """Store a language the user chose (the only per-user record)."""
        user = update.effective_user
        if reply.set_lang and user is not None and self.storage is not None:
            await self.storage.set_language(self.storage.user_key(user.id), reply.set_lang)

    async def answer(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply
    ) -> None:
        """Send a reply to a message or command."""
        await self.remember(update, reply)
        if update.effective_chat is not None:
            await self.send(update.effective_chat.id, reply, context)

    async def cmd_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start, and deep links /start <topic>."""
        ctx = await self.private(update, context)
        if ctx is not None:
            arg = context.args[0] if context.args else None
            await self.answer(update, context, self.engine.start(ctx, arg))

    async def cmd_menu(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/menu: the main menu."""
        ctx = await self.private(update, context)
        if ctx is not None:
            await self.answer(update, context, self.engine.menu(ctx))

    async def cmd_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/help: how the bot works."""
        ctx = await self.private(update, context)
        if ctx is not None:
            await self.answer(update, context, self.engine.help(ctx))

    async def cmd_privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/privacy: what is stored."""
        ctx = await self.private(update, context)
        if ctx is not None:
            await self.answer(update, context, self.engine.privacy(ctx))

    async def cmd_language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/language: the language picker."""
        ctx = await self.private(update, context)
        if ctx is not None:
            await self.answer(update, context, self.engine.language(ctx))

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A /command the bot does not have."""
        ctx = await self.private(update, context)
        if ctx is not None:
            await self.answer(update, context, self.engine.unknown_command(ctx))

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Typed text."""
        ctx = await self.private(update, context)
        message = update.effective_message
        if ctx is None or message is None or message.text is None:
            return
        if len(message.text) >= MessageLimit.MAX_TEXT_LENGTH:
            await self.answer(update, context, self.engine.too_long(ctx))
            return
        await self.answer(update, context, self.engine.text(ctx, message.text))

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice messages and everything else that is not text."""
        ctx = await self.private(update, context)
        if ctx is not None:
            await self.answer(update, context, self.engine.unsupported(ctx))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: edit the message in place to the next screen."""
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        ctx = await self.context_for(update)
        reply = self.engine.press(ctx, query.data)
        await self.remember(update, reply)
        message = query.message
        screen = reply.screen
        if isinstance(message, Message):
            try:
                await message.edit_text(
                    screen.text,
                    parse_mode=PARSE_MODE,
                    reply_markup=keyboard(screen),
                    link_preview_options=NO_PREVIEW,
                )
            except BadRequest as exc:
                if "not modified" not in exc.message.lower():
                    # Too old to edit, or gone: send the screen as a new message instead.
                    await self.send(message.chat_id, reply, context)
                    return
            await self.attachments(message.chat_id, reply, context)
        elif message is not None:
            await self.send(message.chat.id, reply, context)

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
