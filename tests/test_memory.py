"""The Telegram shell's in-memory chat state: place, pending comments, limits."""

from __future__ import annotations

from bot.engine.screens import Rating
from bot.tg.memory import IDLE_FORGET, ChatMemory


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_comment_is_expected_only_for_a_while() -> None:
    clock = Clock()
    memory = ChatMemory(clock)
    about = Rating("pflege", None, "pflege", None, False)
    memory.await_comment(1, about, "n:pflege")
    assert memory.take_comment(1) == (about, "n:pflege")
    assert memory.take_comment(1) is None
    memory.await_comment(1, about, "n:pflege")
    clock.now += 3600
    assert memory.take_comment(1) is None


def test_feedback_limit_per_chat() -> None:
    clock = Clock()
    memory = ChatMemory(clock)
    assert [memory.allow(1, 3, 60) for _ in range(4)] == [True, True, True, False]
    assert memory.allow(2, 3, 60)  # another chat has its own count
    clock.now += 61
    assert memory.allow(1, 3, 60)


def test_quiet_chats_are_forgotten() -> None:
    clock = Clock()
    memory = ChatMemory(clock)
    memory.set_place(1, "n:pflege")
    clock.now += IDLE_FORGET + 3601
    memory.set_place(2, "m")  # a new chat triggers the hourly clean-up
    assert memory.place(1) is None
    assert memory.place(2) == "m"


def test_an_erased_chat_is_forgotten() -> None:
    memory = ChatMemory(Clock())
    memory.set_place(1, "n:gewalt")
    memory.await_comment(1, Rating("gewalt", None, "frauen", None, False), "n:gewalt")
    memory.clear(1)
    assert memory.place(1) is None
    assert memory.take_comment(1) is None
