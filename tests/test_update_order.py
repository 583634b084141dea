"""Updates of different chats run at the same time; one chat's keep their order (bot/tg/updates).

No test here measures time: each holds one update back until another chat's update has
been handled, which only a processor that runs chats concurrently can do, and then checks
what a user would see in which order.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import random
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from telegram import Chat, Message, Update
from telegram.constants import ChatType

from bot.tg.updates import ChatOrder
from tests.fakes.harness import Telegram, last


def update(update_id: int, chat_id: int) -> Update:
    """A text message in a private chat."""
    chat = Chat(chat_id, ChatType.PRIVATE)
    sent = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    return Update(update_id, message=Message(update_id, sent, chat, text="x"))


async def run_in_order(order: ChatOrder, work: list[tuple[Update, Awaitable[None]]]) -> None:
    """Start one task per update in the order they came, as the Application does."""
    tasks = [asyncio.create_task(order.process_update(u, c)) for u, c in work]
    async with asyncio.timeout(10):  # a processor that deadlocks fails instead of hanging
        await asyncio.gather(*tasks)


async def test_a_chat_waits_for_its_own_earlier_update_while_other_chats_go_ahead() -> None:
    order = ChatOrder()
    done: list[str] = []
    other_chat_handled = asyncio.Event()

    async def rating() -> None:  # slow: it waits until the other chat was served
        await other_chat_handled.wait()
        done.append("A: 👎")

    async def note() -> None:
        done.append("A: note")

    async def other() -> None:
        done.append("B: /start")
        other_chat_handled.set()

    await run_in_order(
        order, [(update(1, 10), rating()), (update(2, 10), note()), (update(3, 20), other())]
    )
    assert done == ["B: /start", "A: 👎", "A: note"]
    assert order.chats_in_progress == 0  # nothing kept per chat once it is idle


@pytest.mark.parametrize("slots", [1, 3, 256])
async def test_each_chats_updates_finish_in_the_order_they_came(slots: int) -> None:
    # Slots 1 and 3: the semaphore is full, so waiting tasks must also be admitted in order.
    order = ChatOrder(slots)
    rnd = random.Random(slots)
    finished: dict[int, list[int]] = {}

    def step(chat: int, n: int, pauses: int) -> Callable[[], Awaitable[None]]:
        async def handle() -> None:
            for _ in range(pauses):
                await asyncio.sleep(0)
            finished.setdefault(chat, []).append(n)

        return handle

    work: list[tuple[Update, Awaitable[None]]] = []
    for n in range(200):
        chat = rnd.choice((1, 2, 3, 4))
        work.append((update(n, chat), step(chat, n, rnd.randrange(6))()))
    await run_in_order(order, work)
    for chat, ids in finished.items():
        assert ids == sorted(ids), f"chat {chat}: updates finished out of order"
    assert sum(len(ids) for ids in finished.values()) == 200


async def test_a_note_typed_right_after_thumbs_down_is_kept_as_that_answers_note(
    bot: Telegram,
) -> None:
    """The 👎 is stored slowly (held until another chat's /start was answered); the note sent
    right behind it must still wait for it, and be stored as the note on that answer."""
    ayse = bot.server.user(3101, "Ayşe", language_code="de")
    other = bot.server.user(3102, "Olga", language_code="de")
    await ayse.send("/start")
    await ayse.press("🧓 Pflege für Angehörige")
    await ayse.press("📋 Was ist ein Pflegegrad?")
    await ayse.press("Herten")

    other_answered = asyncio.Event()
    before = bot.server.on_request

    def on_request(method: str, params: dict[str, Any]) -> None:
        if before is not None:
            before(method, params)
        if method == "sendMessage" and params.get("chat_id") == other.chat.id:
            other_answered.set()

    bot.server.on_request = on_request
    storage = bot.app.bot_data["lotse"].storage
    add_rating = storage.add_rating

    held: list[bool] = []

    async def slow_rating(*args: Any, **kwargs: Any) -> None:
        # Bounded, so that a processor handling one update at a time fails here, not hangs.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(other_answered.wait(), 10)
        held.append(other_answered.is_set())
        await add_rating(*args, **kwargs)

    storage.add_rating = slow_rating
    await ayse.press("👎 Nein", wait=False)
    await ayse.send("Zu weit weg", wait=False)
    await other.send("/start", wait=False)
    await bot.server.wait_idle()

    assert held == [True], "the other chat had to wait for this chat's 👎"
    assert "Danke! Ihre Notiz wurde ohne Ihren Namen gespeichert." in last(ayse)
    assert bot.rows("SELECT node_id, helpful FROM ratings") == [("pflegegrad", 0)]
    assert bot.rows("SELECT node_id, text FROM comments") == [("pflegegrad", "Zu weit weg")]
    assert bot.crashes() == []
