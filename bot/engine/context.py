"""Who is asking, as the engine sees it: language and today's date. Pure; no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.knowledge.model import CrisisKind


@dataclass(frozen=True)
class Ctx:
    """Who is asking: their language, and today's date (events expire).

    ``today`` is the engine's one clock: every screen built for this context decides what is
    visible by it, so a menu and the node it opens never disagree about an event's last day.
    """

    lang: str
    today: dt.date
    # True when the user picked the language; otherwise it was guessed from Telegram's
    # setting (or is the German default) and the greeting says how to change it.
    chosen: bool = False


# An unsure crisis signal: its kind, and the user's town where known (for the line on top).
Unsure = tuple[CrisisKind, str | None]
