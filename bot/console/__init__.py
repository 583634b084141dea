"""The terminal shell: the same conversation as in Telegram, rendered as numbered choices."""

from bot.console.render import render
from bot.console.shell import Console, console_language, run_console

__all__ = ["Console", "console_language", "render", "run_console"]
