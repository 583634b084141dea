"""PostgreSQL faults handled like SQLite's: a server restart under load, a refused connection
at start. Runs against the session's throwaway cluster (tests/pgcluster.py)."""

from __future__ import annotations

import asyncio
import io
import os
from contextlib import redirect_stderr
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.errors import DatabaseFault, StorageError
from bot.runtime import Core
from bot.storage.postgres import dollar_params
from tests.fakes.harness import last, lotse
from tests.pgcluster import Cluster, free_port
from tests.storage_helpers import open_store
from tests.test_console import run_bot
from tests.test_faults import APOLOGY, THANKS, WELCOME, open_on_herten, text_of

TOKEN = "123456789:AAH2jH4Y6Cm9gQ-ExampleTokenWithEnough"


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "SELECT a FROM t WHERE b = ? AND c IN (?, ?)",
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)",
        ),
        ("SELECT '?', ? FROM t WHERE x = 'it''s ?'", "SELECT '?', $1 FROM t WHERE x = 'it''s ?'"),
        ("DELETE FROM t", "DELETE FROM t"),
    ],
)
def test_question_marks_become_numbered_parameters_outside_quotes(sql: str, expected: str) -> None:
    assert dollar_params(sql) == expected


async def test_a_server_restart_under_load_loses_no_committed_row(pg_cluster: Cluster) -> None:
    url = pg_cluster.url(pg_cluster.database())
    store = await open_store(url)
    thanked: set[str] = set()
    apologised: set[str] = set()
    after_restart: list[str] = []
    restarted = asyncio.Event()
    stop = asyncio.Event()

    async def writer(number: int) -> None:
        for i in range(100_000):
            if stop.is_set():
                return
            node = f"w{number}_{i}"
            try:
                await store.add_rating(node, "pflege", True, "de")
            except DatabaseFault:
                apologised.add(node)
                await asyncio.sleep(0.01)
                continue
            thanked.add(node)  # committed when add_rating returns: the user is thanked
            if restarted.is_set():
                after_restart.append(node)

    try:
        writers = [asyncio.create_task(writer(n)) for n in range(8)]
        await asyncio.sleep(0.3)
        await asyncio.to_thread(pg_cluster.restart)
        restarted.set()
        for _ in range(200):
            if len(after_restart) >= 50:
                break
            await asyncio.sleep(0.02)
        stop.set()
        await asyncio.gather(*writers)
        stored = {r.node_id for r in await store.ratings()}
    finally:
        await store.close()
    assert apologised, "the restart was never noticed: nothing was in flight"
    assert len(after_restart) >= 50, "the pool did not reconnect after the restart"
    assert thanked <= stored, f"committed rows lost: {sorted(thanked - stored)[:5]}"
    # A row can be stored although its user got the apology (the answer was lost on the
    # way back), never stored without having been written at all.
    assert stored - thanked <= apologised


async def test_the_bot_apologises_while_the_server_is_down_and_carries_on(
    tmp_path: Path, core: Core, pg_cluster: Cluster
) -> None:
    name = pg_cluster.database()
    async with lotse(tmp_path, core, rate_limit=True, db_url=pg_cluster.url(name)) as bot:
        user = bot.user(6101, "Ayşe")
        menu = await open_on_herten(bot, user)
        await user.press_data(menu, "+:n:pflegegrad:herten")
        assert THANKS in text_of(user, menu)
        await asyncio.to_thread(pg_cluster.stop)
        try:
            await user.press_data(menu, "n:pflegegrad:marl")
            await user.press_data(menu, "+:n:pflegegrad:marl")
            assert APOLOGY in text_of(user, menu)
            await user.send("/start")
            assert WELCOME in last(user)
        finally:
            await asyncio.to_thread(pg_cluster.start)
        await user.press_data(menu, "n:pflegegrad:datteln")
        await user.press_data(menu, "+:n:pflegegrad:datteln")
        assert THANKS in text_of(user, menu)
    towns = pg_cluster.psql("SELECT town FROM ratings ORDER BY town", name).split()
    assert towns == ["datteln", "herten"]


def test_a_refused_connection_at_start_is_one_clear_error() -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql://lotse:hunter2secret@127.0.0.1:{port}/lotse"
    err = io.StringIO()
    with redirect_stderr(err):
        code = main([], {"TELEGRAM_BOT_TOKEN": TOKEN, "LOTSE_DB": url, "LOTSE_SALT": "s" * 20})
    assert code == 1
    text = err.getvalue()
    assert "Lotse cannot start" in text
    assert f"postgresql://lotse@127.0.0.1:{port}/lotse: cannot use the PostgreSQL database" in text
    assert "hunter2secret" not in text


async def test_a_refused_connection_is_a_storage_error_naming_the_server() -> None:
    port = free_port()
    with pytest.raises(StorageError, match=f"127.0.0.1:{port}/x: cannot use the PostgreSQL"):
        await open_store(f"postgresql://u:pw@127.0.0.1:{port}/x")


def test_the_terminal_stores_into_a_postgresql_database(pg_cluster: Cluster) -> None:
    """`make run` without a token and LOTSE_DB a URL: the 👍 lands in PostgreSQL."""
    name = pg_cluster.database()
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "TELEGRAM_BOT_TOKEN" and not k.startswith("LOTSE")
    }
    env.update({"LOTSE_DB": pg_cluster.url(name), "LOTSE_SALT": "s" * 20, "LANG": "de_DE.UTF-8"})
    result = run_bot([], "/start pflegegrad\n1\n2\n", env)
    assert result.returncode == 0, result.stderr
    assert "Danke für Ihre Rückmeldung!" in result.stdout
    assert pg_cluster.psql("SELECT node_id, helpful FROM ratings", name) == "pflegegrad|1"
