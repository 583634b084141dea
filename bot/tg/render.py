"""Screens to Bot API calls: inline keyboards and the HTML message. Telegram shell only."""

from __future__ import annotations

import functools
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode

from bot.engine.screens import Keyboard, Screen

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
PARSE_MODE = ParseMode.HTML
# The same as Bot API JSON, for LotseBot.call.
NO_PREVIEW_DATA: Final = NO_PREVIEW.to_dict()


def keyboard(screen: Screen) -> InlineKeyboardMarkup | None:
    """The screen's buttons as an inline keyboard (None when it has none)."""
    return _markup(screen.buttons)


# Most screens are a few menus shown again and again (each language's main menu, the topics):
# their keyboards are built once. Bot API objects are immutable, so sharing one is safe.
@functools.lru_cache(maxsize=256)
def _markup(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    rows = [
        [
            InlineKeyboardButton(b.label, url=b.url)
            if b.url
            else InlineKeyboardButton(b.label, callback_data=b.payload)
            for b in row
        ]
        for row in buttons
        if row
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def keyboard_data(screen: Screen) -> dict[str, object] | None:
    """The screen's buttons as the Bot API's ``reply_markup`` JSON (None when it has none).

    What python-telegram-bot would send for ``keyboard(screen)``, made without building its
    objects and turning them into JSON again on every call (for ``LotseBot.call``). Shared
    between calls: read only.
    """
    return _markup_data(screen.buttons)


@functools.lru_cache(maxsize=512)
def _markup_data(buttons: Keyboard) -> dict[str, object] | None:
    rows = [
        [
            {"text": b.label, "url": b.url}
            if b.url
            else {"text": b.label, "callback_data": b.payload}
            for b in row
        ]
        for row in buttons
        if row
    ]
    return {"inline_keyboard": rows} if rows else None
