"""The terminal shell: input lines into conversation calls, screens into text. No Telegram.

Anyone can try the bot without a Telegram token. A number presses that button, a /command
works as in Telegram, other text is sent as a message; the end of input (Ctrl-D) ends. What
happens then is the conversation layer's, exactly as in Telegram: ratings, notes and unmet
needs go into the same database (LOTSE_DB), and ``python -m bot feedback report`` finds them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable, Mapping
from typing import TextIO

from bot.config import Settings
from bot.console.render import render
from bot.conversation import Conversation, Turn, Who
from bot.engine.flow import Engine
from bot.engine.screens import Reply, Screen
from bot.errors import DatabaseFault
from bot.i18n import negotiate
from bot.storage import Storage

# The terminal's one user. Telegram's ids are never 0, and it is stored only as an HMAC.
CONSOLE_ID = 0
# Clears the terminal and its scrollback: the nearest the terminal has to erasing a chat.
CLEAR = "\033[2J\033[3J\033[H"
BANNER = "Lotse (terminal). Zahl = Knopf drücken · number = press a button · Ctrl-D = Ende\n"

Act = Callable[[Turn], Awaitable[Reply]]


def console_language(environ: Mapping[str, str]) -> str:
    """The language for the terminal: LOTSE_LANG, else the system's LANG, else German."""
    for name in ("LOTSE_LANG", "LANG"):
        found = negotiate(environ.get(name, "").split(".")[0])
        if found:
            return found
    return "de"


class Console:
    """One terminal conversation over the shared conversation layer."""

    def __init__(self, conversation: Conversation, lang: str, out: TextIO) -> None:
        self.conversation = conversation
        self.who = Who(CONSOLE_ID, CONSOLE_ID, lang)
        self.out = out
        self.screen: Screen | None = None

    def show(self, screen: Screen) -> None:
        """Print a screen and remember its buttons."""
        self.screen = screen
        self.out.write("\n" + render(screen) + "\n> ")
        self.out.flush()

    async def act(self, act: Act) -> None:
        """One turn: open, carry out ``act``, show the screen, close."""
        turn = await self.conversation.open(self.who)
        try:
            reply = await act(turn)
            if reply.erase:
                await turn.erase(self.clear)
            self.show(reply.screen)
        finally:
            await turn.close()

    async def clear(self, span: tuple[int, int] | None) -> bool:
        """Erase: the terminal keeps no message ids; clear the screen and its scrollback."""
        del span
        self.out.write(CLEAR)
        return True

    async def handle(self, line: str) -> None:
        """React to one line of input."""
        text = line.strip()
        if not text:
            self.out.write("> ")
        elif text.isdigit() and self.screen is not None:
            await self.press(int(text))
        elif text.startswith("/"):
            name, _, arg = text[1:].partition(" ")
            await self.command(name.lower(), arg.strip() or None)
        else:
            await self.act(lambda turn: turn.text(text))

    async def press(self, number: int) -> None:
        """Press the button with this number."""
        buttons = [b for row in self.screen.buttons for b in row] if self.screen else []
        if not 1 <= number <= len(buttons):
            self.out.write(f"1–{len(buttons)}?\n> ")
            return
        button = buttons[number - 1]
        if button.url:
            self.out.write(f"{button.url}\n> ")
            return
        await self.act(lambda turn: turn.press(button.payload))

    async def command(self, name: str, arg: str | None) -> None:
        """Run a /command, as in Telegram."""
        if name == "erase":

            async def erase(turn: Turn) -> Reply:
                return turn.engine.erase(turn.ctx)

            await self.act(erase)
            return
        await self.act(lambda turn: turn.command(name, arg))


async def converse(
    engine: Engine, stdin: TextIO, stdout: TextIO, settings: Settings, lang: str | None
) -> int:
    """Open the database, run the conversation until the end of input, close it."""
    storage = await Storage.open(settings.database, settings.salt, salt_file=settings.salt_file)
    conversation = Conversation(engine, storage)
    try:
        console = Console(conversation, lang or console_language(os.environ), stdout)
        stdout.write(BANNER)
        await console.command("start", None)
        for line in stdin:
            await console.handle(line)
        stdout.write("\n")
    finally:
        await conversation.flush()  # the counts since the last minute's flush
        # No housekeeping runs after the terminal: its search ends with it (/privacy).
        with contextlib.suppress(DatabaseFault):
            await storage.drop_search(storage.chat_key(CONSOLE_ID))
        await storage.close()
    return 0


def run_console(
    engine: Engine,
    stdin: TextIO,
    stdout: TextIO,
    settings: Settings,
    lang: str | None = None,
) -> int:
    """Run a terminal conversation until the end of input; the exit code."""
    return asyncio.run(converse(engine, stdin, stdout, settings, lang))
