"""Screens to Bot API calls: inline keyboards and the HTML message. Telegram shell only."""

from __future__ import annotations

import functools

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode

from bot.engine.screens import Keyboard, Screen

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
PARSE_MODE = ParseMode.HTML


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
