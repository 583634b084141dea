"""Storage against real databases: SQLite files in a temporary folder and a throwaway
PostgreSQL cluster (``db_target`` runs a test on each)."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path

from bot.storage import SCHEMA_VERSION, Storage
from bot.storage.state import PLACE_KEPT, ChatRow, hour_of
from tests.storage_helpers import open_store


async def test_language_choice_is_remembered_and_forgotten(db_target: Path | str) -> None:
    store = await open_store(db_target)
    key = store.user_key(424242)
    assert await store.language(key) is None
    await store.set_language(key, "tr")
    await store.set_language(key, "ar")
    await store.close()

    store = await open_store(db_target)
    try:
        assert await store.language(store.user_key(424242)) == "ar"
        assert await store.forget(store.user_key(424242)) is True
        assert await store.language(store.user_key(424242)) is None
        assert await store.forget(store.user_key(424242)) is False
    finally:
        await store.close()


async def test_the_user_id_is_never_stored(tmp_path: Path) -> None:
    path = tmp_path / "lotse.sqlite3"
    store = await Storage.open(path)
    await store.set_language(store.user_key(987654321), "uk")
    await store.close()
    files = sorted(tmp_path.iterdir())  # noqa: ASYNC240 - reading a finished test's files
    assert b"987654321" not in b"".join(p.read_bytes() for p in files)


async def test_keys_differ_between_salts_and_users_and_agree_between_workers(
    tmp_path: Path,
) -> None:
    a = await Storage.open(tmp_path / "a.sqlite3")
    b = await Storage.open(tmp_path / "b.sqlite3", salt="configured")
    # Another worker (another process, another connection) with the same configured salt.
    c = await Storage.open(tmp_path / "c.sqlite3", salt="configured")
    try:
        assert a.user_key(1) != b.user_key(1)
        assert b.user_key(1) == c.user_key(1)
        assert b.user_key(1) != b.user_key(2)
    finally:
        await a.close()
        await b.close()
        await c.close()


async def test_schema_version_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "lotse.sqlite3"
    store = await Storage.open(path)
    await store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


async def test_chat_state_holds_no_chat_id_and_expires(db_target: Path | str) -> None:
    store = await open_store(db_target)
    noon = dt.datetime(2026, 11, 18, 12, 30, 17, tzinfo=dt.UTC)
    hour = hour_of(noon)
    try:
        key = store.chat_key(987654321)
        assert key != store.user_key(987654321)  # not linkable to the language choice
        await store.save_chat(key, ChatRow(40, 45, hour, place="n:pflege"))
        await store.save_chat(key, ChatRow(41, 44, hour))  # another worker noted less
        assert await store.message_span(key) == (40, 45)  # the span only widens
        await store.save_chat(key, ChatRow(12, 12, hour))
        assert await store.message_span(key) == (12, 45)
        other = store.chat_key(5)
        await store.save_chat(other, ChatRow(3, 3, hour_of(noon - dt.timedelta(hours=50))))
        assert await store.purge_chats(noon, dt.timedelta(hours=49)) == 1
        assert await store.message_span(other) is None
        await store.drop_chat(key)
        assert await store.message_span(key) is None
        await store.save_chat(key, ChatRow(46, 46, hour))
        ((seen,),) = await store.backend.fetchall("SELECT seen FROM chat_state")
        assert seen % 3600 == 0  # to the hour, no finer trace of activity
    finally:
        await store.close()
    if isinstance(db_target, Path):
        raw = db_target.read_bytes()  # noqa: ASYNC240 - closed: the WAL is in the file
        assert b"987654321" not in raw


async def test_two_workers_see_each_others_writes_at_once(db_target: Path | str) -> None:
    first, second = await open_store(db_target), await open_store(db_target)
    try:
        assert first.user_key(7) == second.user_key(7)  # one salt for every worker
        await first.set_language(first.user_key(7), "fa")
        assert await second.language(second.user_key(7)) == "fa"
        hour = hour_of(dt.datetime.now(dt.UTC))
        await second.save_chat(second.chat_key(7), ChatRow(10, 12, hour))
        await first.save_chat(first.chat_key(7), ChatRow(13, 14, hour))
        assert await second.message_span(second.chat_key(7)) == (10, 14)
        assert await second.forget(second.user_key(7)) is True
        assert await first.language(first.user_key(7)) is None
    finally:
        await first.close()
        await second.close()


async def test_a_transaction_is_all_or_nothing_and_a_statement_alone_commits(
    db_target: Path | str,
) -> None:
    """What a language choice, /forget, purge and the usage flush rely on; SQLite runs in
    autocommit mode, so only ``transaction`` holds statements together."""
    first, second = await open_store(db_target), await open_store(db_target)
    try:
        await first.set_setting("alone", "1")  # no transaction: another worker sees it now
        assert await second.setting("alone") == "1"
        try:
            async with first.backend.transaction() as tx:
                await tx.execute("INSERT INTO settings (key, value) VALUES (?, ?)", ("a", "1"))
                assert await second.setting("a") is None  # not before the end
                raise RuntimeError("the second statement fails")
        except RuntimeError:
            pass
        assert await first.setting("a") is None
        assert await second.setting("a") is None
        async with first.backend.transaction() as tx:
            await tx.execute("INSERT INTO settings (key, value) VALUES (?, ?)", ("a", "1"))
            await tx.execute("INSERT INTO settings (key, value) VALUES (?, ?)", ("b", "2"))
        assert (await second.setting("a"), await second.setting("b")) == ("1", "2")
    finally:
        await first.close()
        await second.close()


async def test_workers_starting_together_migrate_once(db_target: Path | str) -> None:
    stores = await asyncio.gather(*(open_store(db_target) for _ in range(3)))
    try:
        await stores[0].add_rating("ki", "migration", True, "de")
        assert [len(await s.ratings()) for s in stores] == [1, 1, 1]
        assert await stores[1].setting("missing") is None
        await stores[2].set_setting("k", "v")
        await stores[2].set_setting("k", "w")
        assert await stores[0].setting("k") == "w"
        # The weekly digest: of workers claiming the same week together, exactly one posts.
        claims = [s.claim_setting("digest_week", "2026-W48") for s in stores for _ in range(3)]
        assert sorted(await asyncio.gather(*claims)) == [False] * 8 + [True]
        assert await stores[1].claim_setting("digest_week", "2026-W49") is True
    finally:
        for store in stores:
            await store.close()


async def test_a_place_is_kept_for_a_while_and_read_with_the_language(
    db_target: Path | str,
) -> None:
    store = await open_store(db_target)
    noon = dt.datetime(2026, 11, 18, 12, 30, tzinfo=dt.UTC)
    try:
        key, users = store.chat_key(7), store.user_keys(7)
        await store.set_language(users[0], "uk")
        await store.save_chat(key, ChatRow(1, 2, hour_of(noon), "n:pflege", "[]", 99))
        row, lang = await store.open_chat(key, users, noon + dt.timedelta(minutes=50))
        assert (row.place, row.pending, lang) == ("n:pflege", "[]", "uk")
        later = noon + PLACE_KEPT + dt.timedelta(hours=1)
        row, lang = await store.open_chat(key, users, later)
        assert (row.place, row.pending, row.low, lang) == (None, None, 1, "uk")
        await store.purge_chats(later, dt.timedelta(hours=49))
        row, _ = await store.open_chat(key, users, noon)  # gone from the file, not only hidden
        assert (row.place, row.pending, row.low) == (None, None, 1)
    finally:
        await store.close()
