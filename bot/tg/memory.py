"""What the Telegram shell remembers about open chats, in memory only and never on disk.

- the place the user is at, so /language and "continue where I was" return there;
- a pending "what was missing?" question after a 👎;
- per-user counters that keep one person from flooding the feedback tables.

Everything here is lost on restart, by design: it holds chat ids, and chat ids are never stored.
Nothing a promise depends on lives here: "erase this chat" works from the database and
Telegram's own message numbering (bot/tg/erase.py).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.engine.screens import Rating

COMMENT_WAIT = 15 * 60
IDLE_FORGET = 48 * 3600
PRUNE_EVERY = 3600


@dataclass
class ChatState:
    """One chat's short-lived state."""

    place: str | None = None
    pending: tuple[Rating, str | None, float] | None = None
    events: deque[float] = field(default_factory=lambda: deque(maxlen=64))
    seen: float = 0.0


class ChatMemory:
    """The in-memory state of all open chats."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._chats: dict[int, ChatState] = {}
        self._pruned = 0.0

    def _state(self, chat_id: int) -> ChatState:
        now = self._clock()
        state = self._chats.get(chat_id)
        if state is None:
            self._prune(now)
            state = self._chats[chat_id] = ChatState()
        state.seen = now
        return state

    def _prune(self, now: float) -> None:
        """Drop chats that have been quiet for longer than messages can be deleted.

        At most once an hour, so a new chat does not cost a scan of all chats.
        """
        if now - self._pruned < PRUNE_EVERY:
            return
        self._pruned = now
        stale = [cid for cid, s in self._chats.items() if now - s.seen > IDLE_FORGET]
        for cid in stale:
            del self._chats[cid]

    def clear(self, chat_id: int) -> None:
        """Forget this chat (after it was erased: not even the place where the user was)."""
        self._chats.pop(chat_id, None)

    def set_place(self, chat_id: int, place: str | None) -> None:
        """Remember where the user is now."""
        if place:
            self._state(chat_id).place = place

    def place(self, chat_id: int) -> str | None:
        """Where the user was last."""
        state = self._chats.get(chat_id)
        return state.place if state else None

    def await_comment(self, chat_id: int, about: Rating, place: str | None) -> None:
        """The next text in this chat is the answer to "what was missing?"."""
        self._state(chat_id).pending = (about, place, self._clock() + COMMENT_WAIT)

    def take_comment(self, chat_id: int) -> tuple[Rating, str | None] | None:
        """The pending question, if one is open (and close it)."""
        state = self._chats.get(chat_id)
        if state is None or state.pending is None:
            return None
        about, place, until = state.pending
        state.pending = None
        return (about, place) if self._clock() <= until else None

    def cancel_comment(self, chat_id: int) -> None:
        """The user moved on: no comment is expected any more."""
        state = self._chats.get(chat_id)
        if state is not None:
            state.pending = None

    def allow(self, chat_id: int, limit: int, per: float) -> bool:
        """Whether this chat may record one more piece of feedback (``limit`` per ``per`` s)."""
        state = self._state(chat_id)
        now = self._clock()
        while state.events and now - state.events[0] > per:
            state.events.popleft()
        if len(state.events) >= limit:
            return False
        state.events.append(now)
        return True
