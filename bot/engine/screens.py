"""What the engine hands to a shell: plain values (text, buttons, attachments). Pure.

Screen text is Telegram's HTML subset (``<b>``, ``<i>``, ``<a href>``); everything that came
from content or the user is escaped on the way in, so a shell can send it as it is.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from enum import StrEnum

_TAG = re.compile(r"<[^>]+>")
_STARS = re.compile(r"\*([^*\n]+)\*")


@dataclass(frozen=True)
class Button:
    """An inline button: a payload the engine understands, or a web link."""

    label: str
    payload: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Contact:
    """A contact card: tap to call or to save the number."""

    phone: str
    name: str


@dataclass(frozen=True)
class Venue:
    """A map pin with a title and an address."""

    lat: float
    lon: float
    title: str
    address: str


Attachment = Contact | Venue
Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Screen:
    """One message as the user sees it."""

    text: str
    buttons: Keyboard = ()
    attachments: tuple[Attachment, ...] = ()
    place: str | None = None
    lang: str = "de"
    rtl: bool = False


# What a Reply asks to be recorded: Rating, Need and Comment are the engine's values, plain
# and anonymous; bot.storage keeps them as rows of its own.


@dataclass(frozen=True)
class Rating:
    """An anonymous "did this help?" answer about a node or a service card."""

    node: str
    service: str | None
    topic: str
    town: str | None
    helpful: bool


class NeedKind(StrEnum):
    """How a need showed itself as unmet."""

    NONE_FITS = "none_fits"  # "none of these fits" on a question screen
    NO_RESULT = "no_result"  # a search that found nothing


@dataclass(frozen=True)
class Need:
    """An unmet need: "none of these fits" on a node, or a search that found nothing."""

    kind: NeedKind
    node: str | None
    topic: str | None
    town: str | None
    query: str | None = None


@dataclass(frozen=True)
class Comment:
    """A short note after "this did not help" (the store scrubs it before writing)."""

    about: Rating
    text: str


@dataclass(frozen=True)
class Reply:
    """The engine's answer: a screen, and what the shell should record or do.

    The engine decides; the shell carries out: it writes ratings, needs and comments before
    it sends the screen, remembers a language choice, waits for a comment, or erases the chat.
    """

    screen: Screen
    set_lang: str | None = None
    rating: Rating | None = None
    need: Need | None = None
    comment: Comment | None = None
    awaits_comment: Rating | None = None
    erase: bool = False
    # What typed text was answered with, for the anonymous usage totals: "results",
    # "nothing_found", or "emergency:<kind>" (bot/conversation/usage.py).
    shown: str | None = None
    # The typed text whose results the screen shows, when it signalled no danger: a later 👎
    # or "none fits" on one of those results is a weak answer to it (bot/conversation/weak.py).
    query: str | None = None
    # False when the crisis detector reads the typed words as danger, even without a signal
    # shown (``CrisisChecker.judge``): the shell then stores none of them (need, search).
    keep: bool = True


def escape(text: str) -> str:
    """Escape text for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def rich(text: str) -> str:
    """Escape content text and turn its light markup (``*bold*``, ``- `` lists) into HTML."""
    lines = []
    for line in escape(text).splitlines():
        stripped = line.lstrip()
        if stripped.startswith("- "):
            line = "• " + stripped[2:]
        lines.append(line)
    return _STARS.sub(r"<b>\1</b>", "\n".join(lines))


def bold(text: str) -> str:
    """Escaped text in bold."""
    return f"<b>{escape(text)}</b>"


def link(url: str, label: str) -> str:
    """A link in HTML."""
    return f'<a href="{html.escape(url, quote=True)}">{escape(label)}</a>'


def plain(markup: str) -> str:
    """The text a person reads: tags removed, entities decoded (for the terminal)."""
    return html.unescape(_TAG.sub("", markup))
