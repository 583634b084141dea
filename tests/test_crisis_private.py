"""Words the crisis model reads as danger are never stored, even where the answer showed no
signal (red team 2, serious 7): a note after 👎 from the model's ``line`` on, an unmet need
and a search rated 👎 from ``quiet`` on. Through the conversation layer both shells share,
over a real SQLite file whose every byte is read.

Each message's premise (the model's danger between the thresholds, no signal) is checked
first: when a new model moves it, the message must be replaced, not the rule weakened."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.conversation import Conversation, Turn, Who
from bot.crisis import CrisisDetector
from bot.engine.flow import Engine
from bot.engine.screens import Reply, plain
from bot.storage import Storage
from tests.conftest import Clock

WHO = Who(515151, 515151, "de")
SAVED = "gespeichert"


@pytest.fixture
def conversation(engine: Engine, storage: Storage, clock: Clock) -> Conversation:
    return Conversation(engine, storage, clock)


async def update(conversation: Conversation, act: str, arg: str) -> Reply:
    turn: Turn = await conversation.open(WHO)
    try:
        return await (turn.press(arg) if act == "press" else turn.text(arg))
    finally:
        await turn.close()


def every_byte(folder: Path) -> bytes:
    """The database file and its journals, as a phone's or a server's disk holds them."""
    return b"".join(p.read_bytes() for p in sorted(folder.glob("lotse.sqlite3*")))


async def rows(storage: Storage, table: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in await storage._fetchall(f"SELECT * FROM {table}")]


async def thumbs_down(conversation: Conversation) -> None:
    await update(conversation, "press", "n:pflegegrad:herten")
    asked = await update(conversation, "press", "-:n:pflegegrad:herten")
    assert asked.awaits_comment is not None


# Farewells no rule knows: the model reads them from ``line`` on, below ``sure``.
NOTES = [
    "wrote letters for my kids today. they'll understand one day",
    "ich habe meinen kindern briefe geschrieben, eines tages verstehen sie es",
    "soon nobody will have to worry about me anymore",
]


@pytest.mark.parametrize("note", NOTES)
async def test_a_note_the_model_reads_as_danger_is_not_stored(
    conversation: Conversation,
    storage: Storage,
    detector: CrisisDetector,
    tmp_path: Path,
    note: str,
) -> None:
    at = detector.assess(note, "de")
    assert detector.settings is not None
    assert at.found is None
    assert detector.settings.line <= at.danger < detector.settings.sure
    await thumbs_down(conversation)
    reply = await update(conversation, "text", note)
    assert SAVED not in plain(reply.screen.text)  # no thanks for storing what was not stored
    assert reply.screen.place == "n:pflegegrad:herten"  # the answer goes on as usual
    assert await rows(storage, "comments") == []
    assert note.split()[1].encode() not in every_byte(tmp_path)


async def test_a_harmless_note_is_still_stored(
    conversation: Conversation, storage: Storage
) -> None:
    await thumbs_down(conversation)
    reply = await update(conversation, "text", "Ich brauche das auf Türkisch")
    assert SAVED in plain(reply.screen.text)
    assert len(await rows(storage, "comments")) == 1


# My ex-husband keeps asking where I am (Persian in Latin letters): no rule holds, the model
# reads danger. ("... found out where I live and sent a photo of my house" is a sure threat
# rule now, the concept found_me.)
STALKED = "shohare ghablim hamash mige koja hasti"


async def test_an_unmet_need_the_model_reads_as_danger_is_not_stored(
    conversation: Conversation, storage: Storage, detector: CrisisDetector, tmp_path: Path
) -> None:
    at = detector.assess(STALKED, "de")
    assert detector.settings is not None
    assert at.signal is None
    assert at.danger >= detector.settings.quiet
    reply = await update(conversation, "text", STALKED)
    assert reply.shown == "nothing_found"
    assert reply.need is not None
    assert await rows(storage, "needs") == []
    assert b"ghablim" not in every_byte(tmp_path)


async def test_a_harmless_unmet_need_is_still_stored(
    conversation: Conversation, storage: Storage
) -> None:
    await update(conversation, "text", "Wo gibt es einen Hundefriseur für meinen Pudel")
    assert len(await rows(storage, "needs")) == 1


# A search that finds the Pflegegrad answer, with words of leaving ("soon I am no longer there").
LEAVING = "Pflegegrad beantragen, bald bin ich nicht mehr da"


async def test_a_search_the_model_reads_as_danger_is_no_weak_answer(
    conversation: Conversation, storage: Storage, detector: CrisisDetector, tmp_path: Path
) -> None:
    at = detector.assess(LEAVING, "de")
    assert detector.settings is not None
    assert at.signal is None
    assert detector.settings.quiet <= at.danger < detector.settings.line
    found = await update(conversation, "text", LEAVING)
    assert found.shown == "results"
    await thumbs_down(conversation)
    assert len(await rows(storage, "ratings")) == 1  # the 👎 itself counts
    assert await rows(storage, "weak_answers") == []
    assert b"bald bin ich" not in every_byte(tmp_path)
