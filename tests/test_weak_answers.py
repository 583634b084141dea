"""Weak answers: a search followed by 👎 or "none fits" on what it offered, as the staff see
it. Through the conversation layer over a real database, the fake Bot API (restarts, two
workers) and the terminal; the rule itself is in bot/conversation/weak.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import sqlite3
from pathlib import Path

import pytest

from bot.config import Settings
from bot.console import run_console
from bot.conversation import Conversation, Turn, Who
from bot.conversation.weak import SEARCH_KEPT
from bot.engine.flow import Engine
from bot.engine.screens import Reply, plain
from bot.knowledge.model import Knowledge
from bot.runtime import Core
from bot.staff.model import Filters
from bot.staff.report import load_report
from bot.storage import Storage
from bot.storage.state import SEARCH_PROMISED
from bot.storage.usage import WeakVia, week_of
from bot.tg.app import HOUSEKEEPING_EVERY
from bot.tg.handlers import SPAN_KEPT
from tests.conftest import Clock
from tests.fakes.harness import lotse, telegram
from tests.fakes.user import FakeUser

CHAT = 424242
WHO = Who(CHAT, CHAT, "de")
# A search that finds "Pflegegrad" (a by-town answer), with a phone number and an e-mail.
PRIVATE = "Pflegegrad beantragen 0171 2345678 anna.k@example.org"
SCRUBBED = "Pflegegrad beantragen [Telefon] [E-Mail]"
LEAKS = (b"2345678", b"anna.k", b"example.org")


@pytest.fixture
def conversation(engine: Engine, storage: Storage, clock: Clock) -> Conversation:
    return Conversation(engine, storage, clock)


async def update(conversation: Conversation, act: str, arg: str = "") -> Reply:
    """One update, as a shell carries it out: open, act, close."""
    turn: Turn = await conversation.open(WHO)
    try:
        if act == "press":
            return await turn.press(arg)
        if act == "text":
            return await turn.text(arg)
        return await turn.command(act, arg or None)
    finally:
        await turn.close()


async def weak(storage: Storage) -> list[tuple[object, ...]]:
    return sorted(
        tuple(r)
        for r in await storage._fetchall("SELECT query, topic, node_id, via FROM weak_answers")
    )


async def search_then_thumbs_down(conversation: Conversation, query: str = PRIVATE) -> None:
    """Search, open the result, choose Herten, 👎."""
    found = await update(conversation, "text", query)
    assert found.shown == "results"
    await update(conversation, "press", "n:pflegegrad")
    await update(conversation, "press", "n:pflegegrad:herten")
    asked = await update(conversation, "press", "-:n:pflegegrad:herten")
    assert asked.awaits_comment is not None


async def test_thumbs_down_on_a_result_is_a_weak_answer(
    conversation: Conversation, storage: Storage
) -> None:
    await search_then_thumbs_down(conversation)
    assert await weak(storage) == [(SCRUBBED, "pflege", "pflegegrad", "unhelpful")]
    # Used: the 👎 is one weak answer, not one per press that follows.
    await update(conversation, "press", "n:pflegegrad:herten")
    await update(conversation, "press", "-:n:pflegegrad:herten")
    assert len(await weak(storage)) == 1


async def test_none_fits_after_a_search_is_a_weak_answer(
    conversation: Conversation, storage: Storage
) -> None:
    await update(conversation, "text", "Pflege")
    await update(conversation, "press", "n:pflege")
    await update(conversation, "press", "?:pflege")
    assert await weak(storage) == [("Pflege", "pflege", "pflege", "none_fits")]


async def test_a_service_card_opened_on_a_result_counts(
    conversation: Conversation, storage: Storage
) -> None:
    await update(conversation, "text", "Pflegegrad beantragen")
    await update(conversation, "press", "n:pflegegrad:herten")
    await update(conversation, "press", "s:bip_herten:pflegegrad:herten")
    await update(conversation, "press", "-:s:bip_herten:pflegegrad:herten")
    assert await weak(storage) == [("Pflegegrad beantragen", "pflege", "pflegegrad", "unhelpful")]


async def test_thumbs_down_without_a_search_is_no_weak_answer(
    conversation: Conversation, storage: Storage
) -> None:
    await update(conversation, "start")
    await update(conversation, "press", "n:pflegegrad:herten")
    await update(conversation, "press", "-:n:pflegegrad:herten")
    assert len(await storage.ratings()) == 1
    assert await weak(storage) == []


@pytest.mark.parametrize(
    "detour",
    [
        ("press", "n:pflege"),  # up to the topic: not what the search offered
        ("press", "m"),  # the main menu
        ("menu", ""),
        ("start", ""),
        ("text", "qwrtzpl xyvbn"),  # another search, that found nothing
    ],
)
async def test_a_detour_ends_what_the_search_is_about(
    conversation: Conversation, storage: Storage, detour: tuple[str, str]
) -> None:
    await update(conversation, "text", "Pflegegrad beantragen")
    await update(conversation, "press", "n:pflegegrad:herten")
    await update(conversation, detour[0], detour[1])
    await update(conversation, "press", "n:pflegegrad:herten")
    await update(conversation, "press", "-:n:pflegegrad:herten")
    assert await weak(storage) == []


async def test_the_language_picker_keeps_the_search(
    conversation: Conversation, storage: Storage
) -> None:
    await update(conversation, "text", "Pflegegrad beantragen")
    await update(conversation, "press", "n:pflegegrad:herten")
    await update(conversation, "language")
    await update(conversation, "press", "L:en:n:pflegegrad:herten")
    await update(conversation, "press", "-:n:pflegegrad:herten")
    assert len(await weak(storage)) == 1


async def test_a_search_is_kept_two_hours(
    conversation: Conversation, storage: Storage, clock: Clock
) -> None:
    await update(conversation, "text", "Pflegegrad beantragen")
    await update(conversation, "press", "n:pflegegrad:herten")
    clock.now += SEARCH_KEPT + dt.timedelta(seconds=1)
    await update(conversation, "press", "-:n:pflegegrad:herten")
    assert await weak(storage) == []


# Housekeeping runs every HOUSEKEEPING_EVERY seconds after the end of the run before; a slow
# run (the weekly digest) may take as long again. So one run always falls in this last stretch
# before the two hours /privacy promises: the words must be gone by its start.
LAST_RUN = SEARCH_PROMISED - 2 * dt.timedelta(seconds=HOUSEKEEPING_EVERY)


@pytest.mark.parametrize("after", [LAST_RUN + dt.timedelta(seconds=1), SEARCH_PROMISED])
async def test_housekeeping_deletes_the_words_within_the_two_hours_privacy_promises(
    conversation: Conversation, storage: Storage, clock: Clock, tmp_path: Path, after: object
) -> None:
    start = clock.now
    await update(conversation, "text", PRIVATE)
    await update(conversation, "press", "n:pflegegrad")
    assert SCRUBBED.encode() in every_byte(tmp_path)  # kept: the test can see it
    assert isinstance(after, dt.timedelta)
    clock.now = start + after
    await storage.purge_chats(clock.now, SPAN_KEPT)  # what Lotse.housekeeping runs
    assert b"Pflegegrad beantragen" not in every_byte(tmp_path)
    [(place, search)] = await storage._fetchall("SELECT place, search FROM chat_state")
    assert (place, search) == ("n:pflegegrad", None)  # only the search is over


async def test_housekeeping_leaves_a_search_still_in_use(
    conversation: Conversation, storage: Storage, clock: Clock
) -> None:
    await update(conversation, "text", "Pflegegrad beantragen")
    await update(conversation, "press", "n:pflegegrad:herten")
    clock.now += SEARCH_KEPT - dt.timedelta(seconds=1)
    await storage.purge_chats(clock.now, SPAN_KEPT)
    await update(conversation, "press", "-:n:pflegegrad:herten")
    assert len(await weak(storage)) == 1


async def test_housekeeping_ends_the_expected_note_on_time(
    conversation: Conversation, storage: Storage, clock: Clock
) -> None:
    await search_then_thumbs_down(conversation)
    [(pending,)] = await storage._fetchall("SELECT pending FROM chat_state")
    assert pending is not None
    clock.now += dt.timedelta(minutes=15)
    await storage.purge_chats(clock.now, SPAN_KEPT)
    [(pending,)] = await storage._fetchall("SELECT pending FROM chat_state")
    assert pending is None


@pytest.mark.parametrize("day", [dt.date(2026, 12, 2), dt.date(2026, 12, 6)])
async def test_a_weak_answer_is_dated_to_its_week_only(storage: Storage, day: dt.date) -> None:
    # A 👎 is also a rating with its day, town and language: a weak answer dated to the day
    # could be matched to it on a quiet day. Stored under its week's Monday, it cannot.
    await storage.add_weak_answer("Pflegegrad", "pflege", "pflegegrad", WeakVia.UNHELPFUL, day=day)
    assert await storage._fetchall("SELECT day FROM weak_answers") == [("2026-11-30",)]
    assert week_of(day) == dt.date(2026, 11, 30)


@pytest.mark.parametrize("command", ["erase", "erase refused by Telegram", "forget"])
async def test_erase_and_forget_drop_the_search(
    conversation: Conversation, storage: Storage, command: str
) -> None:
    await update(conversation, "text", "Pflegegrad beantragen")
    await update(conversation, "press", "n:pflegegrad:herten")
    turn = await conversation.open(WHO)
    try:
        if command.startswith("erase"):

            async def delete(span: tuple[int, int] | None) -> bool:
                del span
                return command == "erase"

            await turn.erase(delete)
        else:
            await turn.forget()
    finally:
        await turn.close()
    [(search,)] = await storage._fetchall("SELECT search FROM chat_state") or [(None,)]
    assert search is None
    await update(conversation, "press", "n:pflegegrad:herten")
    await update(conversation, "press", "-:n:pflegegrad:herten")
    assert await weak(storage) == []


async def test_a_restart_still_counts_the_search(
    engine: Engine, tmp_path: Path, clock: Clock
) -> None:
    path = tmp_path / "lotse.sqlite3"
    store = await Storage.open(path, "test-salt-test-salt")
    try:
        first = Conversation(engine, store, clock)
        await update(first, "text", "Pflegegrad beantragen")
        await update(first, "press", "n:pflegegrad:herten")
    finally:
        await store.close()
    store = await Storage.open(path, "test-salt-test-salt")
    try:
        await update(Conversation(engine, store, clock), "press", "-:n:pflegegrad:herten")
        assert len(await weak(store)) == 1
    finally:
        await store.close()


def every_byte(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.glob("lotse.sqlite3*")))


async def test_the_search_is_kept_scrubbed(
    conversation: Conversation, storage: Storage, tmp_path: Path
) -> None:
    await update(conversation, "text", PRIVATE)
    await update(conversation, "press", "n:pflegegrad")
    [(search,)] = await storage._fetchall("SELECT search FROM chat_state")
    assert SCRUBBED in str(search)
    await update(conversation, "press", "n:pflegegrad:herten")
    await update(conversation, "press", "-:n:pflegegrad:herten")
    await update(conversation, "text", "Infos fehlen, ruf an: 0171 2345678")  # the note
    assert await weak(storage) == [(SCRUBBED, "pflege", "pflegegrad", "unhelpful")]
    raw = every_byte(tmp_path)
    assert not [leak for leak in LEAKS if leak in raw]


async def test_a_search_with_a_danger_signal_is_not_kept(
    mini_engine: Engine, storage: Storage, clock: Clock
) -> None:
    """Like an unmet need: results under the numbers on top, but the text is not kept."""
    conversation = Conversation(mini_engine, storage, clock)
    unsure = await update(conversation, "text", "er schlägt")
    assert unsure.shown == "results"
    assert unsure.query is None
    calm = await update(conversation, "text", "gewalt")
    assert calm.query == "gewalt"
    [(search,)] = await storage._fetchall("SELECT search FROM chat_state")
    assert "gewalt" in str(search)
    await update(conversation, "text", "er schlägt")
    assert await storage._fetchall("SELECT search FROM chat_state") == [(None,)]


# -- the staff report ----------------------------------------------------------------------


async def weak_rows(
    db: Path, knowledge: Knowledge, today: dt.date
) -> list[tuple[str, str | None]]:
    """The staff report's weak answers this week: (search text, topic), sorted."""
    store = await Storage.open(db, keys=False)
    try:
        report = await load_report(
            store, Filters.last_days(today), knowledge=knowledge, min_group=3
        )
    finally:
        await store.close()
    return sorted((row.label, row.place) for row in report.weak)


# -- Telegram ------------------------------------------------------------------------------


async def tg_thumbs_down(user: FakeUser, query: str = PRIVATE) -> None:
    await user.send(query)
    await user.press_data(user.last_bot_message, "n:pflegegrad")
    await user.press_data(user.last_bot_message, "n:pflegegrad:herten")
    await user.press_data(user.last_bot_message, "-:n:pflegegrad:herten")


async def test_telegram_thumbs_down_and_none_fits_reach_the_report(
    tmp_path: Path, core: Core, today: dt.date
) -> None:
    async with lotse(tmp_path, core) as tg:
        user = tg.user(7001)
        await tg_thumbs_down(user)
        await user.send("/menu")  # else the next text is the note about the 👎
        await user.send("Pflege")
        await user.press_data(user.last_bot_message, "n:pflege")
        await user.press_data(user.last_bot_message, "?:pflege")
        # 👎 with no search before it: a rating, no weak answer.
        await user.send("/start")
        await user.press_data(user.last_bot_message, "n:pflegegrad:herten")
        await user.press_data(user.last_bot_message, "-:n:pflegegrad:herten")
        rows = tg.rows("SELECT query, topic, node_id, via FROM weak_answers ORDER BY via")
    assert rows == [
        ("Pflege", "pflege", "pflege", "none_fits"),
        (SCRUBBED, "pflege", "pflegegrad", "unhelpful"),
    ]
    assert not [leak for leak in LEAKS if leak in every_byte(tmp_path)]
    assert await weak_rows(tmp_path / "lotse.sqlite3", core.knowledge, today) == [
        ("Pflege", "Pflege für Angehörige"),
        (SCRUBBED, "Pflege für Angehörige"),
    ]


async def test_telegram_restart_keeps_the_search_and_erase_drops_it(
    tmp_path: Path, core: Core
) -> None:
    async with telegram(tmp_path, core) as tg:
        user = tg.user(7002)
        async with tg.polling():
            await user.send("Pflegegrad beantragen")
            await user.press_data(user.last_bot_message, "n:pflegegrad:herten")
        async with tg.polling():  # a new process on the same database
            await user.press_data(user.last_bot_message, "-:n:pflegegrad:herten")
            await user.send("/menu")
            await user.send("Pflegegrad beantragen")
            await user.press_data(user.last_bot_message, "n:pflegegrad:herten")
            await user.send("/erase")
            await user.send("/start")
            await user.press_data(user.last_bot_message, "n:pflegegrad:herten")
            await user.press_data(user.last_bot_message, "-:n:pflegegrad:herten")
        rows = tg.rows("SELECT query, via FROM weak_answers")
    assert rows == [("Pflegegrad beantragen", "unhelpful")]


async def test_two_workers_share_the_search(tmp_path: Path, core: Core) -> None:
    async with telegram(tmp_path, core) as tg, tg.workers(2) as workers:
        user = tg.user(7003)
        await user.send("Pflegegrad beantragen", wait=False)
        await workers.deliver()
        for data in ("n:pflegegrad:herten", "-:n:pflegegrad:herten"):
            await user.press_data(user.last_bot_message, data, wait=False)
            await workers.deliver()
        rows = tg.rows("SELECT query, via FROM weak_answers")
    assert workers.served_by == [0, 1, 0]
    assert rows == [("Pflegegrad beantragen", "unhelpful")]


# -- the terminal --------------------------------------------------------------------------


def number(screen_buttons: list[str], payload: str) -> str:
    """The number the terminal shows for the button with this payload."""
    return str(screen_buttons.index(payload) + 1)


def flat(reply: Reply) -> list[str]:
    return [b.payload or "" for row in reply.screen.buttons for b in row]


def test_terminal_search_and_none_fits_reach_the_report(
    engine: Engine, tmp_path: Path, today: dt.date
) -> None:
    ctx = engine.ctx("de")
    found = flat(engine.text(ctx, PRIVATE))
    town = flat(engine.press(ctx, "n:pflegegrad"))
    answer = flat(engine.press(ctx, "n:pflegegrad:herten"))
    thumbs_down = [
        PRIVATE,
        number(found, "n:pflegegrad"),
        number(town, "n:pflegegrad:herten"),
        number(answer, "-:n:pflegegrad:herten"),
        "1",  # Skip the note
    ]
    care = flat(engine.press(ctx, "n:pflege"))
    none_fits = ["Pflege", number(flat(engine.text(ctx, "Pflege")), "n:pflege")]
    none_fits.append(number(care, "?:pflege"))
    stdin = io.StringIO("\n".join([*thumbs_down, *none_fits, "/erase", PRIVATE, "/erase"]) + "\n")
    settings = Settings(db_path=tmp_path / "lotse.sqlite3", salt_file=tmp_path / "lotse.salt")
    assert run_console(engine, stdin, io.StringIO(), settings, lang="de") == 0
    with sqlite3.connect(settings.db_path) as db:
        rows = sorted(db.execute("SELECT query, topic, via FROM weak_answers").fetchall())
        [(kept,)] = db.execute("SELECT COUNT(*) FROM chat_state WHERE search IS NOT NULL")
    db.close()
    assert rows == [("Pflege", "pflege", "none_fits"), (SCRUBBED, "pflege", "unhelpful")]
    assert kept == 0  # the last search was erased with the chat
    assert not [leak for leak in LEAKS if leak in every_byte(tmp_path)]
    assert asyncio.run(weak_rows(settings.db_path, engine.knowledge, today)) == [
        ("Pflege", "Pflege für Angehörige"),
        (SCRUBBED, "Pflege für Angehörige"),
    ]


# -- what /privacy says --------------------------------------------------------------------


def test_privacy_says_the_search_is_kept_two_hours_in_every_language(engine: Engine) -> None:
    german = plain(engine.privacy(engine.ctx("de")).screen.text)
    assert "behält Lotse Ihre Worte bis zu zwei Stunden" in german
    english = plain(engine.privacy(engine.ctx("en")).screen.text)
    assert "keeps your words for up to two hours" in english
    # The first paragraph no longer says questions are never stored (the third says when).
    assert "noch Ihre Fragen" not in german
    assert "Ihre Fragen werden nie mit Ihrem Namen oder Ihrem Chat gespeichert" in german
    # What /erase does not delete, said plainly; and the stored row is dated to the week.
    assert "bleiben gespeichert, aber ohne Verbindung zu Ihnen" in german
    assert "nur mit dem Thema und der Woche gespeichert" in german
    assert "stored with the topic and the week only" in english
    for lang in engine.languages:
        text = plain(engine.privacy(engine.ctx(lang)).screen.text)
        assert "forget" in text
        assert len(text) < 4096
        if lang != "en":
            assert "keeps your words" not in text, lang  # translated, not the English source


def test_the_terminal_takes_its_search_with_it(engine: Engine, tmp_path: Path) -> None:
    # No housekeeping runs after the terminal ends: the search must not wait for one.
    stdin = io.StringIO("Pflegegrad beantragen\n")
    settings = Settings(db_path=tmp_path / "lotse.sqlite3", salt_file=tmp_path / "lotse.salt")
    assert run_console(engine, stdin, io.StringIO(), settings, lang="de") == 0
    with sqlite3.connect(settings.db_path) as db:
        [(place, search)] = db.execute("SELECT place, search FROM chat_state").fetchall()
    db.close()
    assert place is not None  # the terminal remembered the chat
    assert search is None
    assert b"Pflegegrad beantragen" not in every_byte(tmp_path)
