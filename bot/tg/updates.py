"""How updates are scheduled: other chats' at the same time, one chat's never; no more held
in memory than a few rounds' worth; and no long garbage-collector pauses. Telegram shell
only (imports nothing else of Lotse).

python-telegram-bot handles one update at a time by default, so every chat waits for every
Bot API round trip and database write of the chats before it. ``ChatOrder`` lets updates of
different chats run concurrently (up to ``MAX_CONCURRENT``), while the updates of one chat
still run one after another in the order Telegram sent them: a 👎 and the note typed after
it, or two taps on the same menu, never overtake each other, and a Turn (read the chat's
state, carry out, write it back) never overlaps another Turn of the same chat.

Why the order holds: the Application starts one task per update in the order they arrive,
python-telegram-bot's semaphore admits waiting tasks first come first served, and each task
then queues for its chat's lock without yielding first; ``asyncio.Lock`` wakes its waiters
first come first served and lets no newcomer jump the queue. Several workers (webhook
processes) each see different updates; the database is what they share (DESIGN.md §8).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Updates in progress at once. Against Telegram (30-100 ms a round trip, two or three per
# update) 8 at once make 25-50 updates/s per worker; more workers make more. What held it at
# 8 was httpx, which looked at every pooled connection on every request (32 at once cost
# 10-40 % more CPU per update); Lotse's own client (bot/tg/transport.py) has no such cost,
# so one worker could take more at once: not measured yet.
MAX_CONCURRENT = 8
# Updates taken from Telegram and not yet handled, at most: beyond it polling waits (and a
# webhook answers later), and Telegram keeps the rest. Each held update is a whole
# Message with its keyboard, some 20 KB: 1,000 users at once held 1,000 of them (+20 MiB).
MAX_HELD = 4 * MAX_CONCURRENT
Key = tuple[str, int]


def order_key(update: object) -> Key | None:
    """What must stay in order: the chat (or, for a chat-less update, the user)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return None


class ChatOrder(BaseUpdateProcessor):
    """Updates of different chats concurrently, each chat's one at a time, in order."""

    __slots__ = ("_locks", "_queued")

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[Key, asyncio.Lock] = {}
        self._queued: dict[Key, int] = {}  # updates holding or waiting for each lock

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run ``coroutine`` once every earlier update of the same chat is done."""
        key = order_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        self._queued[key] = self._queued.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            # A chat with nothing queued keeps no lock: memory stays flat however many chats.
            self._queued[key] -= 1
            if not self._queued[key]:
                del self._queued[key], self._locks[key]

    @property
    def chats_in_progress(self) -> int:
        """How many chats have an update running or waiting (for tests and figures)."""
        return len(self._locks)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


class UpdateQueue(asyncio.Queue[object]):
    """The Application's update queue, holding back polling (and webhook answers) while
    ``limit`` updates are taken and not yet handled; the rest wait at Telegram.

    The Application takes each update off the queue at once and starts a task for it, so a
    bound on the queue's length would bound nothing: what counts is ``task_done``, which it
    calls when an update has been handled. Its own signals (the stop) never wait.
    """

    def __init__(self, limit: int = MAX_HELD) -> None:
        super().__init__()
        self._limit = limit
        self._held = 0  # put, and not yet done
        self._room = asyncio.Event()
        self._room.set()

    async def put(self, item: object) -> None:
        """Queue ``item``; an update waits while ``limit`` are held."""
        while isinstance(item, Update) and self._held >= self._limit:
            self._room.clear()
            await self._room.wait()
        self._held += 1
        await super().put(item)

    def task_done(self) -> None:
        """One item handled: room for the next update."""
        super().task_done()
        self._held -= 1
        if self._held < self._limit:
            self._room.set()

    @property
    def held(self) -> int:
        """Updates taken and not yet handled (for tests and figures)."""
        return self._held


def settle_heap() -> None:
    """Hide everything alive now from the cyclic garbage collector's passes.

    The knowledge, catalogs, search index and crisis terms are some 100,000 long-lived
    objects, and every full collection walked them all: about 40 ms during which no update
    moves, the largest single pause in the open-loop benchmark's p99. Frozen objects are
    still freed by reference counting; the ones a reload replaced are collected here once
    (unfreeze, collect) before the new ones are frozen.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
