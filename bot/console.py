"""The terminal shell: the same engine and screens, rendered as text with numbered choices.

Anyone can try the bot without a Telegram token. Reads lines from ``stdin``; a number presses
that button, a /command works as in Telegram, other text is sent as a message. Ends cleanly
at the end of input (Ctrl-D).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

from bot.engine.flow import Ctx, Engine
from bot.engine.screens import Contact, Reply, Screen, Venue, plain
from bot.i18n import negotiate

MAX_TEXT = 4096


def render(screen: Screen) -> str:
    """A screen as terminal text: the message, attachments, then numbered buttons."""
    lines = [plain(screen.text), ""]
    for item in screen.attachments:
        if isinstance(item, Contact):
            lines.append(f"📇 {item.name}: {item.phone}")
        elif isinstance(item, Venue):
            lines.append(f"📍 {item.title}, {item.address} ({item.lat:.5f}, {item.lon:.5f})")
    number = 0
    for row in screen.buttons:
        for button in row:
            number += 1
            target = f"  → {button.url}" if button.url else ""
            lines.append(f"  [{number}] {button.label}{target}")
    return "\n".join(lines).rstrip() + "\n"


class Console:
    """One terminal conversation."""

    def __init__(self, engine: Engine, lang: str, out: TextIO) -> None:
        self.engine = engine
        self.ctx: Ctx = engine.ctx(lang)
        self.out = out
        self.screen: Screen | None = None

    def show(self, reply: Reply) -> None:
        """Print a reply and remember its buttons."""
        if reply.set_lang:
            self.ctx = self.engine.ctx(reply.set_lang)
        self.screen = reply.screen
        self.out.write("\n" + render(reply.screen) + "\n> ")
        self.out.flush()

    def handle(self, line: str) -> None:
        """React to one line of input."""
        text = line.strip()
        if not text:
            self.out.write("> ")
            return
        if text.isdigit() and self.screen is not None:
            self.press(int(text))
        elif text.startswith("/"):
            self.command(text)
        elif len(text) > MAX_TEXT:
            self.show(self.engine.too_long(self.ctx))
        else:
            self.show(self.engine.text(self.ctx, text))

    def press(self, number: int) -> None:
        """Press the button with this number."""
        buttons = [b for row in self.screen.buttons for b in row] if self.screen else []
        if not 1 <= number <= len(buttons):
            self.out.write(f"1–{len(buttons)}?\n> ")
            return
        button = buttons[number - 1]
        if button.url:
            self.out.write(f"{button.url}\n> ")
            return
        self.show(self.engine.press(self.ctx, button.payload))

    def command(self, text: str) -> None:
        """Run a /command."""
        name, _, arg = text[1:].partition(" ")
        e, ctx = self.engine, self.ctx
        handlers = {
            "start": lambda: e.start(ctx, arg.strip() or None),
            "menu": lambda: e.menu(ctx),
            "help": lambda: e.help(ctx),
            "privacy": lambda: e.privacy(ctx),
            "language": lambda: e.language(ctx, self.screen.place if self.screen else None),
        }
        action = handlers.get(name.lower())
        self.show(action() if action else e.unknown_command(ctx))


def console_language(environ: Mapping[str, str]) -> str:
    """The language for the terminal: LOTSE_LANG, else the system's LANG, else German."""
    for name in ("LOTSE_LANG", "LANG"):
        found = negotiate(environ.get(name, "").split(".")[0])
        if found:
            return found
    return "de"


def run_console(engine: Engine, stdin: TextIO, stdout: TextIO, lang: str | None = None) -> int:
    """Run a terminal conversation until the end of input."""
    console = Console(engine, lang or console_language(os.environ), stdout)
    stdout.write(
        "Lotse (terminal). Zahl = Knopf drücken · number = press a button · Ctrl-D = Ende\n"
    )
    console.show(engine.start(console.ctx))
    for line in stdin:
        console.handle(line)
    stdout.write("\n")
    return 0
