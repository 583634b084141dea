"""How a screen reaches the chat: send anew, or edit in place. Telegram shell only.

One place decides (STYLE.md, "learned from the first build"): a new message for commands and
typed text, an edit of the tapped message for buttons, nothing when the screen is the same
(Telegram would refuse the edit as "not modified"), a new message when the old one can no
longer be edited. Every message sent is told to the Turn, so that "erase this chat" reaches
it; the contact cards and map pins follow the screen.
"""

from __future__ import annotations

from telegram import Bot, Message
from telegram.error import BadRequest

from bot.conversation import Turn
from bot.engine.screens import Contact, Reply, Venue, plain
from bot.tg.api import lotse_bot
from bot.tg.render import NO_PREVIEW_DATA, PARSE_MODE, keyboard, keyboard_data

CONTACT_NAME_MAX = 64


async def send(bot: Bot, chat_id: int, reply: Reply, turn: Turn | None) -> int:
    """Send a screen as a new message, then its contact cards and map pins; the message id."""
    screen = reply.screen
    sent = await lotse_bot(bot).call(
        "sendMessage",
        chat_id=chat_id,
        text=screen.text,
        parse_mode=PARSE_MODE,
        reply_markup=keyboard_data(screen),
        link_preview_options=NO_PREVIEW_DATA,
    )
    message_id = int(sent["message_id"])
    if turn is not None:
        turn.saw(message_id)
    await attachments(bot, chat_id, reply, turn)
    return message_id


async def show(bot: Bot, message: Message, reply: Reply, turn: Turn) -> None:
    """Show a screen in place of ``message`` (the one whose button was tapped)."""
    screen = reply.screen
    if message.text == plain(screen.text).strip() and message.reply_markup == keyboard(screen):
        # The same screen again (a double tap, a stale button twice).
        await attachments(bot, message.chat.id, reply, turn)
        return
    try:
        await lotse_bot(bot).call(
            "editMessageText",
            chat_id=message.chat.id,
            message_id=message.message_id,
            text=screen.text,
            parse_mode=PARSE_MODE,
            reply_markup=keyboard_data(screen),
            link_preview_options=NO_PREVIEW_DATA,
        )
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            # Too old to edit, or gone: send the screen as a new message instead.
            await send(bot, message.chat.id, reply, turn)
            return
    await attachments(bot, message.chat.id, reply, turn)


async def attachments(bot: Bot, chat_id: int, reply: Reply, turn: Turn | None) -> None:
    """Send the screen's contact cards and map pins."""
    api = lotse_bot(bot)
    for item in reply.screen.attachments:
        if isinstance(item, Contact):
            sent = await api.call(
                "sendContact",
                chat_id=chat_id,
                phone_number=item.phone,
                first_name=item.name[:CONTACT_NAME_MAX],
            )
        elif isinstance(item, Venue):
            sent = await api.call(
                "sendVenue",
                chat_id=chat_id,
                latitude=item.lat,
                longitude=item.lon,
                title=item.title,
                address=item.address,
            )
        if turn is not None:
            turn.saw(int(sent["message_id"]))
