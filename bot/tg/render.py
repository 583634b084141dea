"""Screens to Bot API calls: inline keyboards and the HTML message. Telegram shell only."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode

from bot.engine.screens import Screen

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
PARSE_MODE = ParseMode.HTML


def keyboard(screen: Screen) -> InlineKeyboardMarkup | None:
    """The screen's buttons as an inline keyboard (None when it has none)."""
    rows = [
        [
            InlineKeyboardButton(b.label, url=b.url)
            if b.url
            else InlineKeyboardButton(b.label, callback_data=b.payload)
            for b in row
        ]
        for row in screen.buttons
        if row
    ]
    return InlineKeyboardMarkup(rows) if rows else None
