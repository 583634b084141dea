"""One conversation, two shells: the terminal and Telegram store the same, and the state
between two updates lives in the database (a restart, two workers, /language's place).

Telegram runs as the real Application against the fake Bot API; the terminal is the real
console shell. Each writes its own database file, and the files must hold the same rows.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.console.shell import Console
from bot.conversation import Conversation
from bot.engine.screens import plain
from bot.runtime import Core
from bot.storage import Storage
from tests.fakes import FakeUser
from tests.fakes.harness import telegram

Step = tuple[str, str]
CARE = [
    ("send", "/start"),
    ("press", "🧓 Pflege für Angehörige"),
    ("press", "📋 Was ist ein Pflegegrad?"),
    ("press", "Herten"),
]
SCRIPT: list[Step] = [
    *CARE,
    ("press", "👍 Ja, hat geholfen"),
    ("press", "Beratungs- und Infocenter Pflege (BIP) Herten"),
    ("press", "👎 Nein"),
    ("send", "Ich brauche das auf Türkisch"),
    ("send", "Wo gibt es einen Hundefriseur für meinen Pudel"),
    ("send", "/language"),
    ("press", "English"),
]
NOTE = "Ich brauche das auf Türkisch, ruf mich an: 0171 2345678"
THANKS = "Danke! Ihre Notiz wurde ohne Ihren Namen gespeichert."


def stored(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """What a database file holds that a shell's conversation wrote."""
    with sqlite3.connect(path) as db:
        found = {
            table: sorted(db.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            for table in ("ratings", "comments", "needs")
        }
        found["languages"] = db.execute("SELECT lang FROM preferences").fetchall()
    db.close()
    return found


@asynccontextmanager
async def console(path: Path, core: Core) -> AsyncIterator[Console]:
    """The terminal shell over a database file, as ``make run`` without a token."""
    storage = await Storage.open(path, "test-salt")
    try:
        yield Console(Conversation(core.engine, storage), "de", io.StringIO())
    finally:
        await storage.close()


async def in_console(shell: Console, step: Step) -> str:
    """Carry out a step as a person at the terminal does; the screen shown after it."""
    kind, arg = step
    if kind == "press":
        assert shell.screen is not None
        labels = [b.label for row in shell.screen.buttons for b in row]
        assert arg in labels, labels
        await shell.handle(str(labels.index(arg) + 1))
    else:
        await shell.handle(arg)
    assert shell.screen is not None
    return plain(shell.screen.text).strip()


async def in_telegram(user: FakeUser, step: Step) -> str:
    """Carry out a step as a person in Telegram does; the screen shown after it."""
    kind, arg = step
    if kind == "press":
        await user.press(arg)
    else:
        await user.send(arg)
    return next(m.text or "" for m in reversed(user.bot_messages) if m.inline_keyboard)


async def test_both_shells_show_and_store_the_same(tmp_path: Path, core: Core) -> None:
    """👍, 👎 and a note, a search that finds nothing, a language change: same rows, same
    screens, whichever shell the person used."""
    shown_tg, shown_console = [], []
    async with telegram(tmp_path, core) as tg, tg.polling():
        user = tg.server.user(4001, "Ayşe", language_code="de")
        for step in SCRIPT:
            shown_tg.append(await in_telegram(user, step))
    async with console(tmp_path / "console.sqlite3", core) as shell:
        await shell.command("start", None)
        for step in SCRIPT:
            shown_console.append(await in_console(shell, step))
    assert shown_console == shown_tg
    assert THANKS in shown_tg[7]
    assert "(BIP) Herten" in shown_tg[-1].splitlines()[0]  # /language returned to the place
    assert "Phone: 02366 303-270" in shown_tg[-1]  # ... and speaks English there
    telegram_rows = stored(tg.settings.db_path)
    assert telegram_rows == stored(tmp_path / "console.sqlite3")
    assert telegram_rows["comments"] != []  # the note is stored ...
    assert [n[1] for n in telegram_rows["needs"]] == ["no_result"]  # ... and not searched
    assert sorted(int(str(r[4])) for r in telegram_rows["ratings"]) == [0, 1]
    assert telegram_rows["languages"] == [("en",)]


async def test_a_note_after_a_restart_is_stored_as_a_note(tmp_path: Path, core: Core) -> None:
    """👎, then a deploy: the note typed to the new process is a note, not a search."""
    async with telegram(tmp_path, core) as tg:
        async with tg.polling():
            user = tg.server.user(4002, "Ayşe", language_code="de")
            for step in [*CARE, ("press", "👎 Nein")]:
                await in_telegram(user, step)
            assert "Was hat gefehlt?" in (user.last_bot_message.text or "")
        async with tg.polling():
            await user.send(NOTE)
            assert THANKS in (user.last_bot_message.text or "")
    rows = stored(tg.settings.db_path)
    assert [c[1] for c in rows["comments"]] == ["pflegegrad"]
    assert "Türkisch" in str(rows["comments"][0])
    assert "2345678" not in str(rows["comments"])
    assert rows["needs"] == []


async def test_two_workers_answering_in_turn_keep_one_conversation(
    tmp_path: Path, core: Core
) -> None:
    """Every update goes to the other worker: the note still is a note, /language still
    returns to the place."""
    async with telegram(tmp_path, core) as tg, tg.workers(2) as workers:
        user = tg.server.user(4003, "Ayşe", language_code="de")
        for step in [*CARE, ("press", "👎 Nein"), ("send", NOTE)]:
            kind, arg = step
            await (user.press(arg, wait=False) if kind == "press" else user.send(arg, wait=False))
            await workers.deliver()
        assert THANKS in (user.last_bot_message.text or "")
        await user.send("/language", wait=False)
        await workers.deliver()
        await user.press("English", wait=False)
        await workers.deliver()
        assert workers.served_by == [0, 1, 0, 1, 0, 1, 0, 1]
        assert "What is a care grade?" in (user.last_bot_message.text or "").splitlines()[0]
    rows = stored(tg.settings.db_path)
    assert [c[1] for c in rows["comments"]] == ["pflegegrad"]
    assert rows["needs"] == []


async def test_language_returns_to_the_place_after_a_restart(tmp_path: Path, core: Core) -> None:
    async with telegram(tmp_path, core) as tg:
        async with tg.polling():
            user = tg.server.user(4004, "Ayşe", language_code="de")
            for step in CARE:
                await in_telegram(user, step)
        async with tg.polling():
            await user.send("/language")
            await user.press("English")
            title = (user.last_bot_message.text or "").splitlines()[0]
    assert "What is a care grade?" in title, title


async def test_the_terminal_continues_after_a_restart(tmp_path: Path, core: Core) -> None:
    """The terminal's state is in LOTSE_DB too: a note typed after restarting is a note."""
    path = tmp_path / "console.sqlite3"
    async with console(path, core) as shell:
        await shell.command("start", None)
        for step in [*CARE[1:], ("press", "👎 Nein")]:
            await in_console(shell, step)
    async with console(path, core) as shell:
        assert THANKS in await in_console(shell, ("send", NOTE))
    rows = stored(path)
    assert [c[1] for c in rows["comments"]] == ["pflegegrad"]
    assert rows["needs"] == []
