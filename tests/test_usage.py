"""Usage counted without any user key: daily totals, added up across workers."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from collections.abc import Mapping
from pathlib import Path

import pytest

from bot.config import Settings
from bot.console import run_console
from bot.conversation.usage import UsageCounter, UsageKind
from bot.engine.flow import Engine
from bot.runtime import Core
from bot.storage import Storage
from tests.fakes.harness import lotse, telegram

MONDAY = dt.date(2026, 11, 23)


async def _totals(store: Storage) -> dict[tuple[str, str, str], int]:
    rows = await store._fetchall("SELECT day, kind, item, total FROM usage_daily")
    return {(str(d), str(k), str(i)): int(n) for d, k, i, n in rows}


async def test_two_workers_add_up_their_daily_totals(tmp_path: Path) -> None:
    store = await Storage.open(tmp_path / "lotse.sqlite3")
    try:
        day = [MONDAY]
        first, second = UsageCounter(lambda: day[0]), UsageCounter(lambda: day[0])
        for _ in range(3):
            first.screen("pflege")
        second.screen("pflege")
        second.card("pflegestuetzpunkt_herten")
        first.emergency("violence")
        second.search(found=False)
        first.search(found=True)
        first.language("tr")
        second.erase()
        assert await first.flush(store) == 6
        assert await second.flush(store) == 4
        day[0] = MONDAY + dt.timedelta(days=1)
        first.screen("pflege")
        await first.flush(store)
        await second.flush(store)  # nothing new: nothing written
        totals = await _totals(store)
    finally:
        await store.close()
    monday, tuesday = MONDAY.isoformat(), (MONDAY + dt.timedelta(days=1)).isoformat()
    assert totals == {
        (monday, "screen", "pflege"): 4,
        (monday, "card", "pflegestuetzpunkt_herten"): 1,
        (monday, "emergency", "violence"): 1,
        (monday, "search_miss", ""): 1,
        (monday, "search_hit", ""): 1,
        (monday, "language", "tr"): 1,
        (monday, "erase", ""): 1,
        (tuesday, "screen", "pflege"): 1,
    }


async def test_the_usage_table_has_no_user_key_and_no_time(tmp_path: Path) -> None:
    store = await Storage.open(tmp_path / "lotse.sqlite3")
    try:
        rows = await store._fetchall("SELECT name FROM pragma_table_info('usage_daily')")
    finally:
        await store.close()
    assert sorted(str(r[0]) for r in rows) == ["day", "item", "kind", "total"]


class _Broken:
    async def add_usage(self, totals: Mapping[tuple[str, str, str], int]) -> None:
        del totals
        raise OSError("disk full")


async def test_a_failed_write_keeps_the_counts_for_the_next_try(tmp_path: Path) -> None:
    counter = UsageCounter(lambda: MONDAY, every=0)
    counter.screen("start")
    with pytest.raises(OSError, match="disk full"):
        await counter.flush(_Broken())
    await counter.maybe_flush(_Broken())  # never raises into a conversation
    counter.screen("start")
    assert counter.pending == {(MONDAY.isoformat(), UsageKind.SCREEN.value, "start"): 2}
    store = await Storage.open(tmp_path / "lotse.sqlite3")
    try:
        await counter.maybe_flush(store)
        assert await _totals(store) == {(MONDAY.isoformat(), "screen", "start"): 2}
    finally:
        await store.close()
    assert counter.pending == {}


async def test_flushes_at_most_every_interval(tmp_path: Path) -> None:
    now = [100.0]
    counter = UsageCounter(lambda: MONDAY, every=60, clock=lambda: now[0])
    store = await Storage.open(tmp_path / "lotse.sqlite3")
    try:
        counter.card("a")
        await counter.maybe_flush(store)
        assert await _totals(store) == {}
        now[0] += 61
        await counter.maybe_flush(store)
        assert await _totals(store) == {(MONDAY.isoformat(), "card", "a"): 1}
    finally:
        await store.close()


async def test_a_session_through_telegram_counts_daily_totals(
    tmp_path: Path, core: Core, today: dt.date
) -> None:
    """Screens, a card, a search with and without a result, the emergency screen, a language."""
    async with lotse(tmp_path, core) as r:
        user = r.server.user(5150, "Ayşe", language_code="de")
        await user.send("/start")
        newest = user.bot_messages[-1]
        await user.press_data(newest, "n:pflege")
        await user.press_data(user.bot_messages[-1], "n:pflegegrad:herten")
        await user.press_data(user.bot_messages[-1], "s:bip_herten:pflegegrad:herten")
        await user.send("Pflegegrad beantragen")
        await user.send("qwrtzpl xyvbn")
        await user.send("mein Mann schlägt mich")
        await user.press_data(user.bot_messages[-1], "L:tr:m")
        lotse_app = r.app.bot_data["lotse"]
        await lotse_app.conversation.usage.flush(lotse_app.storage)
        rows = r.rows("SELECT day, kind, item, total FROM usage_daily")
    day = today.isoformat()
    totals = {(str(k), str(i)): int(str(n)) for d, k, i, n in rows if d == day}
    assert {d for d, *_ in rows} == {day}  # one day, no time of day anywhere
    assert totals == {
        ("screen", "start"): 1,
        ("screen", "pflege"): 1,
        ("screen", "pflegegrad"): 1,
        ("card", "bip_herten"): 1,
        ("search_hit", ""): 1,
        ("search_miss", ""): 1,
        ("emergency", "violence"): 1,
        ("language", "tr"): 1,
    }


# -- nothing counted is lost when the bot stops cleanly --------------------------------------


def _by_kind(rows: list[tuple[object, ...]]) -> dict[tuple[str, str], int]:
    totals: dict[tuple[str, str], int] = {}
    for kind, item, total in rows:
        key = (str(kind), str(item))
        totals[key] = totals.get(key, 0) + int(str(total))
    return totals


async def test_stopping_the_bot_writes_what_it_counted(tmp_path: Path, core: Core) -> None:
    """No flush by hand: the shutdown (SIGTERM, as for polling and webhook) writes the totals."""
    async with telegram(tmp_path, core) as tg:
        user = tg.user(5152)
        async with tg.polling():
            await user.send("/start")
            await user.press_data(user.last_bot_message, "n:pflege")
            await user.send("Pflegegrad beantragen")
            assert tg.rows("SELECT * FROM usage_daily") == []  # the minute is not over yet
        rows = tg.rows("SELECT kind, item, total FROM usage_daily")
    assert _by_kind(rows) == {
        ("screen", "start"): 1,
        ("screen", "pflege"): 1,
        ("search_hit", ""): 1,
    }


async def test_two_webhook_workers_write_their_counts_when_they_stop(
    tmp_path: Path, core: Core
) -> None:
    async with telegram(tmp_path, core) as tg:
        async with tg.workers(2) as workers:
            user = tg.user(5153)
            for _ in range(2):
                await user.send("/start", wait=False)
                await workers.deliver()
        rows = tg.rows("SELECT kind, item, total FROM usage_daily")
    assert workers.served_by == [0, 1]
    assert _by_kind(rows) == {("screen", "start"): 2}


def test_the_terminal_writes_its_counts_at_the_end_of_input(
    mini_engine: Engine, tmp_path: Path
) -> None:
    settings = Settings(db_path=tmp_path / "lotse.sqlite3", salt_file=tmp_path / "lotse.salt")
    # Ctrl-D after "Hilfe für Frauen" and a search that finds nothing
    run_console(mini_engine, io.StringIO("1\nqwrtzpl xyvbn\n"), io.StringIO(), settings, "de")
    with sqlite3.connect(settings.db_path) as db:
        rows = db.execute("SELECT kind, item, total FROM usage_daily").fetchall()
    db.close()
    assert _by_kind(rows) == {
        ("screen", "start"): 1,
        ("screen", "frauen"): 1,
        ("search_miss", ""): 1,
    }
