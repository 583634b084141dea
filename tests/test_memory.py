"""The Telegram shell's in-memory chat state: 48-hour window, pending comments, limits."""

from __future__ import annotations

from bot.engine.screens import Rating
from bot.tg.memory import DELETE_WINDOW, IDLE_FORGET, ChatMemory


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_only_messages_of_the_last_48_hours_are_deleted() -> None:
    clock = Clock()
    memory = ChatMemory(clock)
    memory.track(1, 10)
    clock.now += DELETE_WINDOW + 1
    memory.track(1, 11)
    memory.track(1, 12)
    assert memory.deletable(1) == [11, 12]
    assert memory.deletable(1) == []


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
