"""The bot holds at most ``MAX_HELD`` updates taken from Telegram and not yet handled; the
rest wait at Telegram (bot/tg/updates.py). Memory stays flat however many people write at
once, and nobody's update is lost or answered out of turn for it."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from telegram import Chat, Message, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes, TypeHandler

from bot.runtime import Core
from bot.tg.updates import MAX_HELD, UpdateQueue
from tests.fakes.harness import lotse


def update(update_id: int) -> Update:
    chat = Chat(update_id, ChatType.PRIVATE)
    sent = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    return Update(update_id, message=Message(update_id, sent, chat, text="x"))


async def test_an_update_waits_for_room_and_a_signal_never_waits() -> None:
    queue = UpdateQueue(limit=2)
    await queue.put(update(1))
    await queue.put(update(2))
    third = asyncio.create_task(queue.put(update(3)))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not third.done()  # two taken and not yet handled: polling waits
    await queue.put(object())  # the Application's stop signal goes in all the same
    await queue.get()
    queue.task_done()  # update 1 handled; the signal holds its place until it is too
    for _ in range(5):
        await asyncio.sleep(0)
    assert not third.done()
    await queue.get()
    for _ in range(5):
        await asyncio.sleep(0)
    assert not third.done()  # taken off the queue is not yet handled
    queue.task_done()
    async with asyncio.timeout(5):
        await third
    assert queue.held == 2  # the signal and update 3


async def test_many_people_at_once_are_all_answered_with_few_updates_held(
    tmp_path: Path, core: Core
) -> None:
    people = 3 * MAX_HELD
    async with lotse(tmp_path, core) as tg:
        queue = tg.app.update_queue
        assert isinstance(queue, UpdateQueue)
        most = [0]

        async def count(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
            del update, context
            most[0] = max(most[0], queue.held)

        tg.app.add_handler(TypeHandler(Update, count), group=-2)
        users = [tg.user(9000 + i) for i in range(people)]
        for user in users:
            await user.send("/start", wait=False)
        await tg.server.wait_idle()
        assert all(user.bot_messages for user in users)
        assert 1 < most[0] <= MAX_HELD
        assert queue.held == 0
