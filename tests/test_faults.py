"""Faults the bot must survive, through the fake Bot API server and real SQLite files.

Telegram throttling (429), 5xx answers, timeouts and dropped connections, a locked or full
database, SIGKILL while feedback is written, and a flood of random and malformed updates.
What is checked is what a user or the office would notice: the reply arrives (or, where
Telegram itself failed, the bot runs on), every update is handled exactly once, and every
rating the user was thanked for is in the database.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.errors import DatabaseFault
from bot.runtime import Core
from bot.storage.backend import Backend
from tests.fakes import FakeUser
from tests.fakes.harness import Telegram, last, lotse
from tests.fuzzing import FuzzRun, run_fuzz

THANKS = "Danke für Ihre Rückmeldung!"
APOLOGY = "Entschuldigung, Ihre Antwort konnte gerade nicht gespeichert werden."
WELCOME = "Willkommen bei Lotse!"
TOWNS = ("herten", "marl", "datteln", "dorsten", "gladbeck", "waltrop")
# Update counts for the fuzz test; the full 100,000 run is `python -m benchmarks.bench_fuzz`.
FUZZ_UPDATES = int(os.environ.get("LOTSE_FUZZ_UPDATES", "1000"))
FUZZ_VIA_POLLING = FUZZ_UPDATES // 10


def text_of(user: FakeUser, message_id: int) -> str:
    """The current text of one message in the user's chat."""
    return next((m.text or "" for m in user.messages if m.message_id == message_id), "")


# -- 429: throttled by Telegram ------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "label"),
    [("sendMessage", "/start"), ("editMessageText", "🧓 Pflege für Angehörige")],
)
async def test_a_429_with_retry_after_still_delivers_the_reply(
    tmp_path: Path, core: Core, method: str, label: str
) -> None:
    async with lotse(tmp_path, core, rate_limit=True) as bot:
        user = bot.user(4001)
        if label != "/start":
            await user.send("/start")
        bot.server.inject_fault(method, retry_after=1)
        started = time.monotonic()
        if label == "/start":
            await user.send("/start")
            expected = WELCOME
        else:
            await user.press(label)
            expected = "Pflege für Angehörige"
        assert bot.server.faults_applied, "the fault was not triggered"
        assert expected in last(user)
        # Telegram's wait was respected: the retry came after retry_after seconds.
        assert time.monotonic() - started >= 1.0
        assert bot.crashes() == []


# -- 5xx, timeouts, dropped connections ------------------------------------------------------


async def test_5xx_timeouts_and_resets_lose_no_update_and_no_feedback(
    tmp_path: Path, core: Core
) -> None:
    async with lotse(tmp_path, core, rate_limit=True, idle_timeout=30.0) as bot:
        users = [bot.user(5000 + i, f"U{i}") for i, _ in enumerate(TOWNS)]
        for user in users:
            await user.send("/start")
        menus = {user.id: user.last_bot_message.message_id for user in users}
        server = bot.server
        server.inject_fault("getUpdates", status=502)
        server.inject_fault("getUpdates", reset=True)
        server.inject_fault("sendMessage", status=500)
        server.inject_fault("sendMessage", reset=True)
        server.inject_fault("sendMessage", delay=0.3, times=2)
        # Longer than the bot's read timeout (5 s): the bot gives up, Telegram sends nothing.
        server.inject_fault("sendMessage", delay=5.5)
        server.inject_fault("editMessageText", delay=0.2, times=3)
        server.inject_fault("editMessageText", status=503)
        server.inject_fault("editMessageText", reset=True)
        server.inject_fault("editMessageText", status=500, times=2)
        server.inject_fault("answerCallbackQuery", status=502)
        thanked: set[str] = set()
        for step in range(7):
            if step == 2:
                # Two ratings are stored, but the edit that thanks for them fails.
                server.inject_fault("editMessageText", status=500, times=2)
            for user, town in zip(users, TOWNS, strict=True):
                menu = menus[user.id]
                if step == 0:
                    await user.press_data(menu, "n:pflege", wait=False)
                elif step == 1:
                    await user.press_data(menu, f"n:pflegegrad:{town}", wait=False)
                elif step in (2, 5):
                    # 👍 on a screen only this user opens: the row tells whose rating it was.
                    place = "pflegegrad" if step == 2 else "pflege_demenz"
                    await user.press_data(menu, f"+:n:{place}:{town}", wait=False)
                elif step == 3:
                    await user.send("/start", wait=False)
                elif step == 4:
                    await user.press_data(menu, f"n:pflege_demenz:{town}", wait=False)
                else:
                    await user.send("Pflegegrad beantragen", wait=False)
            await server.wait_idle()
            if step in (2, 5):
                place = "pflegegrad" if step == 2 else "pflege_demenz"
                for user, town in zip(users, TOWNS, strict=True):
                    if THANKS in text_of(user, menus[user.id]):
                        thanked.add(f"{place}:{town}")
        stored = {f"{node}:{town}" for node, town in bot.rows("SELECT node_id, town FROM ratings")}
        assert thanked, "no rating got through: the faults hit every one"
        assert thanked <= stored, f"thanked but not stored: {thanked - stored}"
        assert len(stored) >= len(thanked) + 2, "the two unthanked ratings were not stored"
        assert len(server.faults_applied) == 17, "not every scripted fault was triggered"
        # The bot gave up on the 5.5 s reply (its read timeout is 5 s) and hung up; the
        # shorter delays it waited out.
        assert server.abandoned == ["sendMessage"]
        bot.assert_each_update_handled_once()
        assert bot.crashes() == []
        # After it all, the bot answers everyone as before.
        for user in users:
            await user.send("/start")
            assert WELCOME in last(user)
        print(f"faults applied: {len(server.faults_applied)}; thanked and stored: {len(thanked)}")


async def test_a_failed_callback_answer_does_not_cost_the_next_screen(
    tmp_path: Path, core: Core
) -> None:
    async with lotse(tmp_path, core, rate_limit=True) as bot:
        user = bot.user(5101)
        await user.send("/start")
        bot.server.inject_fault("answerCallbackQuery", status=502)
        await user.press("🧓 Pflege für Angehörige")
        assert "Pflege für Angehörige" in last(user)


async def test_pressing_a_stale_button_twice_sends_no_request_telegram_refuses(
    tmp_path: Path, core: Core
) -> None:
    async with lotse(tmp_path, core, rate_limit=True, strict=False) as bot:
        user = bot.user(5201)
        await user.send("/start")
        menu = user.last_bot_message.message_id
        await user.press_data(menu, "n:removed_node")
        await user.press_data(menu, "n:removed_node")
        assert "geändert" in text_of(user, menu)
        assert bot.server.take_rejections() == []


# -- the database locked or full --------------------------------------------------------------


async def open_on_herten(bot: Telegram, user: FakeUser) -> int:
    """/start, then the Pflegegrad screen for Herten; returns the menu's message id."""
    await user.send("/start")
    menu = user.last_bot_message.message_id
    await user.press_data(menu, "n:pflegegrad:herten")
    return menu


async def test_a_locked_database_gets_an_apology_and_menus_keep_working(
    tmp_path: Path, core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with lotse(tmp_path, core, rate_limit=True) as bot:
        user = bot.user(6001, "Leyla")
        menu = await open_on_herten(bot, user)
        storage = bot.app.bot_data["lotse"].storage
        # The default 5 s busy timeout would only make this test slow.
        await storage.backend.execute("PRAGMA busy_timeout = 100")
        blocker = sqlite3.connect(bot.settings.db_path, timeout=0)
        try:
            blocker.execute("BEGIN EXCLUSIVE")
            await user.press_data(menu, "+:n:pflegegrad:herten")
            assert APOLOGY in text_of(user, menu)
            # Not stored, so not thanked: the answer is shown again to rate later.
            assert "Danke für Ihre Rückmeldung" not in text_of(user, menu)
            assert "Hat Ihnen das geholfen?" in text_of(user, menu)
            await user.press_data(menu, "-:n:pflegegrad:herten")
            assert APOLOGY in text_of(user, menu)
            assert "Was hat gefehlt?" not in text_of(user, menu)
            await user.press_data(menu, "n:frauen")
            assert "Hilfe für Frauen" in text_of(user, menu)
            await user.send("/start")
            assert WELCOME in last(user)
        finally:
            blocker.rollback()
            blocker.close()
        assert bot.rows("SELECT COUNT(*) FROM ratings") == [(0,)]
        assert bot.crashes() == []
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("bot.")]
    assert any("database is locked" in line for line in logged), logged
    for line in logged:
        for secret in ("6001", "Leyla"):
            assert secret not in line


async def test_feedback_is_stored_again_once_the_lock_is_gone(tmp_path: Path, core: Core) -> None:
    async with lotse(tmp_path, core, rate_limit=True) as bot:
        user = bot.user(6002)
        menu = await open_on_herten(bot, user)
        await bot.app.bot_data["lotse"].storage.backend.execute("PRAGMA busy_timeout = 100")
        # A failed write must not leave the connection in a transaction with an old snapshot.
        blocker = sqlite3.connect(bot.settings.db_path, timeout=0)
        try:
            # Another writer (say the staff CLI's purge) holds the lock, then commits.
            blocker.execute("BEGIN IMMEDIATE")
            await user.press_data(menu, "+:n:pflegegrad:herten")
            assert APOLOGY in text_of(user, menu)
            blocker.execute("INSERT INTO settings (key, value) VALUES ('other', 'writer')")
            blocker.commit()
        finally:
            blocker.close()
        await user.press_data(menu, "n:pflegegrad:marl")
        await user.press_data(menu, "+:n:pflegegrad:marl")
        assert THANKS in text_of(user, menu)
        assert APOLOGY not in text_of(user, menu)
        assert bot.rows("SELECT node_id, town FROM ratings") == [("pflegegrad", "marl")]


async def fill(db: Backend) -> int:
    """Insert rating rows until the database is full; how many fitted."""
    for filled in range(100_000):
        try:
            await db.execute(
                "INSERT INTO ratings (day, node_id, service_id, topic, helpful, lang, town) "
                "VALUES ('2026-11-18', 'pflegegrad', NULL, 'pflege', 1, 'de', 'herten')"
            )
        except DatabaseFault as exc:
            if "full" not in str(exc):
                raise
            return filled
    raise AssertionError("max_page_count did not stop the inserts")


async def test_a_full_disk_gets_an_apology_and_menus_keep_working(
    tmp_path: Path, core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with lotse(tmp_path, core, rate_limit=True) as bot:
        user = bot.user(6003, "Olena")
        menu = await open_on_herten(bot, user)
        db = bot.app.bot_data["lotse"].storage.backend
        # Cap the file at its current size, then fill the last free space with rows shaped
        # exactly like the rating to come: the next one needs a page the "disk" cannot give.
        (row,) = await db.fetchall("PRAGMA page_count")
        await db.fetchall(f"PRAGMA max_page_count = {int(row[0]) + 2}")
        filled = await fill(db)
        await user.press_data(menu, "+:n:pflegegrad:herten")
        assert APOLOGY in text_of(user, menu)
        assert bot.rows("SELECT COUNT(*) FROM ratings") == [(filled,)]
        await user.press_data(menu, "n:migration")
        assert "Migration" in text_of(user, menu)
        await user.send("/start")
        assert WELCOME in last(user)
        assert bot.crashes() == []
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("bot.")]
    assert any("full" in line for line in logged), logged
    for line in logged:
        for secret in ("6003", "Olena"):
            assert secret not in line


# -- SIGKILL while feedback is being written ---------------------------------------------------

# One process imports the storage once; each round it forks a writer that the test kills with
# SIGKILL while it writes. A fork is a new process like any other for SQLite and the kernel (its
# own connection, opened after the fork; no cleanup, no final commit when killed), and it starts
# in milliseconds where a new interpreter importing the storage takes a third of a second.
WRITERS = """
import asyncio, os, sys
from pathlib import Path
from bot.storage import Storage

async def write(path, round_no):
    store = await Storage.open(Path(path), "kill-test")
    print("ready", os.getpid(), flush=True)
    i = 0
    while True:
        node = f"r{round_no}_{i}"
        if i % 7 == 6:
            await store.add_need("no_result", "de", query=f"suche {node}", node_id=node)
        else:
            await store.add_rating(node, "pflege", i % 2 == 0, "de", town="herten")
        # Committed when add_* returns: only now may the user be thanked.
        print(node, flush=True)
        i += 1

for line in sys.stdin:
    path, round_no = line.split()
    pid = os.fork()
    if pid == 0:
        try:
            asyncio.run(write(path, round_no))
        finally:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    # After a NUL, so that a line the kill cut short stays on a line of its own.
    print(f"\\0ended by signal {os.WTERMSIG(status) if os.WIFSIGNALED(status) else None}",
          flush=True)
"""
KILL_ROUNDS = 24


def test_sigkill_while_writing_keeps_every_thanked_row(tmp_path: Path) -> None:
    path = tmp_path / "killed.sqlite3"
    rnd = random.Random(6)
    reported: set[str] = set()
    started = time.monotonic()
    writers = subprocess.Popen(
        [sys.executable, "-c", WRITERS],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert writers.stdin is not None
    assert writers.stdout is not None
    writer = 0
    try:
        for round_no in range(KILL_ROUNDS):
            writers.stdin.write(f"{path} {round_no}\n")
            writers.stdin.flush()
            ready = writers.stdout.readline()
            assert ready.startswith("ready "), ready
            writer = int(ready.split()[1])
            time.sleep(rnd.uniform(0.0, 0.1))
            os.kill(writer, signal.SIGKILL)  # no cleanup, no final commit
            lines = []
            while "\0" not in (line := writers.stdout.readline()):
                assert line, "the writers' process ended"
                lines.append(line)
            # Only whole lines were reported: the end of a line cut by the kill is the NUL.
            assert line.split("\0")[1] == f"ended by signal {int(signal.SIGKILL)}\n", line
            writer = 0
            reported.update(line.strip() for line in lines)
    finally:
        if writer:  # a round that failed before its kill
            with contextlib.suppress(ProcessLookupError):
                os.kill(writer, signal.SIGKILL)
        writers.kill()
        writers.communicate()
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = {r[0] for r in db.execute("SELECT node_id FROM ratings")}
        stored |= {r[0] for r in db.execute("SELECT node_id FROM needs")}
    finally:
        db.close()
    assert len(reported) > KILL_ROUNDS, "the writer hardly wrote anything before each kill"
    assert reported <= stored, f"reported but lost: {sorted(reported - stored)[:10]}"
    print(
        f"SIGKILL: {KILL_ROUNDS} rounds, {len(reported)} rows reported, "
        f"{len(stored)} stored, {time.monotonic() - started:.1f} s"
    )


# -- fuzzing ----------------------------------------------------------------------------------


async def test_random_and_malformed_updates_crash_nothing_and_are_never_rejected(
    tmp_path: Path, core: Core
) -> None:
    started = time.monotonic()
    # Not strict: "message is not modified" is sorted out below instead of failing at once.
    async with lotse(tmp_path, core, rate_limit=False, idle_timeout=60.0, strict=False) as bot:
        run: FuzzRun = await run_fuzz(
            bot.server,
            bot.app,
            in_process=FUZZ_UPDATES - FUZZ_VIA_POLLING,
            via_polling=FUZZ_VIA_POLLING,
            seed=20261118,
        )
        bot.assert_each_update_handled_once(also=run.in_process_ids)
        errors = [*bot.crashes(), *run.crashes]
        assert errors == [], f"{len(errors)} crashes, first: {errors[0]!r}"
        # Telegram too answers "message is not modified" when a button shows the screen that
        # is already there; the bot expects and ignores it. Anything else is a defect.
        rejections = bot.server.take_rejections()
        rejected = [r for r in rejections if "not modified" not in r.description]
        assert rejected == [], f"{len(rejected)} rejected, first: {rejected[0]}"
    assert run.updates == FUZZ_UPDATES
    print(
        f"fuzz: {run.updates} updates ({FUZZ_VIA_POLLING} via getUpdates), "
        f"{run.requests} requests, {len(rejections)} 'not modified', "
        f"{time.monotonic() - started:.1f} s"
    )
