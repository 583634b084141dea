"""The conversation layer over a real database file: what it keeps between updates, for how
long, and what an update costs. No Telegram: the shells are tested in test_conversation.py.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from bot.conversation import Conversation, Turn, Who
from bot.conversation.turn import FEEDBACK_PER_HOUR, NOTE_WAIT
from bot.engine.flow import Engine
from bot.engine.screens import Reply
from bot.storage import Storage
from bot.storage.state import PLACE_KEPT
from tests.conftest import Clock

CHAT = 987654321
WHO = Who(CHAT, CHAT, "de")


@pytest.fixture
def conversation(mini_engine: Engine, storage: Storage, clock: Clock) -> Conversation:
    return Conversation(mini_engine, storage, clock)


def button(reply: Reply, start: str) -> str:
    """The payload of the button whose label starts with ``start``."""
    for row in reply.screen.buttons:
        for b in row:
            if b.label.startswith(start) and b.payload:
                return b.payload
    raise AssertionError([b.label for row in reply.screen.buttons for b in row])


async def update(conversation: Conversation, act: str, arg: str, *ids: int) -> Reply:
    """One update, as a shell carries it out: open, act, close."""
    turn: Turn = await conversation.open(WHO, *ids)
    try:
        if act == "press":
            return await turn.press(arg)
        if act == "text":
            return await turn.text(arg)
        return await turn.command(act)
    finally:
        await turn.close()


async def thumbs_down(conversation: Conversation) -> Reply:
    """/start, "Pflege", 👎: the bot asks what was missing."""
    menu = await update(conversation, "start", "", 1)
    care = await update(conversation, "press", button(menu, "Pflege"))
    asked = await update(conversation, "press", button(care, "👎"))
    assert asked.awaits_comment is not None
    return care


async def stored(storage: Storage) -> tuple[int, int, int]:
    return len(await storage.ratings()), len(await storage.comments()), len(await storage.needs())


async def test_the_note_is_expected_for_a_while_then_text_is_searched_again(
    conversation: Conversation, storage: Storage, clock: Clock
) -> None:
    await thumbs_down(conversation)
    await update(conversation, "text", "Termine nur vormittags")
    assert await stored(storage) == (1, 1, 0)
    await thumbs_down(conversation)
    clock.now += NOTE_WAIT + dt.timedelta(seconds=1)
    await update(conversation, "text", "qwrtzpl xyvbn")
    assert await stored(storage) == (2, 1, 1)  # too late for a note: an unmet need


async def test_any_button_or_command_ends_the_wait_for_a_note(
    conversation: Conversation, storage: Storage
) -> None:
    care = await thumbs_down(conversation)
    await update(conversation, "press", button(care, "🏠"))
    await update(conversation, "text", "qwrtzpl xyvbn")
    await thumbs_down(conversation)
    await update(conversation, "menu", "")
    await update(conversation, "text", "qwrtzpl xyvbn")
    assert await stored(storage) == (2, 0, 2)


async def test_feedback_is_limited_per_chat_and_hour(
    conversation: Conversation, storage: Storage, clock: Clock
) -> None:
    for _ in range(FEEDBACK_PER_HOUR + 1):
        await update(conversation, "text", "qwrtzpl xyvbn")
    assert await stored(storage) == (0, 0, FEEDBACK_PER_HOUR)
    clock.now += dt.timedelta(hours=1)
    await update(conversation, "text", "qwrtzpl xyvbn")
    assert await stored(storage) == (0, 0, FEEDBACK_PER_HOUR + 1)


async def test_language_returns_to_the_place_for_a_while_only(
    conversation: Conversation, clock: Clock
) -> None:
    menu = await update(conversation, "start", "")
    care = await update(conversation, "press", button(menu, "Pflege"))
    picker = await update(conversation, "language", "")
    assert button(picker, "English").endswith(care.screen.place or "?")
    clock.now += PLACE_KEPT + dt.timedelta(hours=1)
    picker = await update(conversation, "language", "")
    assert not button(picker, "English").endswith(care.screen.place or "?")


async def test_erase_gets_the_span_and_forgets_the_chat(
    conversation: Conversation, storage: Storage
) -> None:
    await update(conversation, "start", "", 40)
    await thumbs_down(conversation)
    turn = await conversation.open(WHO, 45)
    asked: list[tuple[int, int] | None] = []

    async def refuse(span: tuple[int, int] | None) -> bool:
        asked.append(span)
        return False

    assert await turn.erase(refuse) is False
    await turn.close()
    turn = await conversation.open(WHO)
    assert turn.place is None  # not even where she was, though Telegram refused
    assert turn.state.span == (1, 45)  # the span stays, to try again

    async def accept(span: tuple[int, int] | None) -> bool:
        asked.append(span)
        return True

    assert await turn.erase(accept)
    await turn.close()
    assert asked == [(1, 45), (1, 45)]
    assert await storage.message_span(storage.chat_key(CHAT)) is None
    await update(conversation, "text", "Termine nur vormittags")
    assert await stored(storage) == (1, 0, 1)  # the note was forgotten too


def read_database(folder: Path) -> tuple[bytes, list[tuple[object, ...]]]:
    raw = b"".join(p.read_bytes() for p in folder.glob("lotse.sqlite3*"))
    with sqlite3.connect(folder / "lotse.sqlite3") as db:
        rows = db.execute("SELECT chat_key, place, pending FROM chat_state").fetchall()
    db.close()
    return raw, rows


async def test_the_database_holds_no_chat_id(conversation: Conversation, tmp_path: Path) -> None:
    await thumbs_down(conversation)
    raw, rows = read_database(tmp_path)
    assert str(CHAT).encode() not in raw
    [(key, place, pending)] = rows
    assert place
    assert pending
    assert len(str(key)) == 64  # an HMAC-SHA256 in hex


class Counting:
    """Counts the statements a backend runs."""

    def __init__(self, storage: Storage) -> None:
        self.reads = self.writes = 0
        backend = storage.backend
        fetchall, execute = backend.fetchall, backend.execute

        async def counted_fetchall(sql: str, params: object = ()) -> object:
            self.reads += 1
            return await fetchall(sql, params)  # type: ignore[arg-type]

        async def counted_execute(sql: str, params: object = ()) -> object:
            self.writes += 1
            return await execute(sql, params)  # type: ignore[arg-type]

        backend.fetchall = counted_fetchall  # type: ignore[method-assign,assignment]
        backend.execute = counted_execute  # type: ignore[method-assign,assignment]


async def test_a_tap_costs_one_read_and_at_most_one_write(
    conversation: Conversation, storage: Storage
) -> None:
    menu = await update(conversation, "start", "", 1)
    count = Counting(storage)
    care = await update(conversation, "press", button(menu, "Pflege"), 1)
    assert (count.reads, count.writes) == (1, 1)  # the place changed
    await update(conversation, "press", button(care, "🏠"), 1)
    await update(conversation, "press", button(menu, "Pflege"), 1)
    count.reads = count.writes = 0
    await update(conversation, "press", button(menu, "Pflege"), 1)
    assert (count.reads, count.writes) == (1, 0)  # the same screen again: nothing to write
