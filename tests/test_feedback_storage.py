"""Anonymous feedback in the real store: schema, concurrency, retention, migrations."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import sqlite3
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest

from bot.storage import (
    MIGRATIONS,
    NO_RESULT,
    NONE_FITS,
    SCHEMA_VERSION,
    CommentRow,
    NeedRow,
    RatingRow,
    Storage,
)
from tests.storage_helpers import columns, count, open_store

DAY = dt.date(2026, 3, 2)
# Column names that would say who gave feedback, or when to the second.
IDENTIFYING = ("user", "chat", "message", "msg", "name", "username", "phone", "time", "ts")


async def test_no_table_has_an_identifying_column(db_target: Path | str) -> None:
    store = await open_store(db_target)
    try:
        tables = await columns(store)
    finally:
        await store.close()
    assert {"ratings", "comments", "needs"} <= set(tables)
    for table, names in tables.items():
        for column in names:
            if table == "preferences" and column == "user_key":
                continue  # the salted HMAC for the language choice, deleted by /forget
            if table == "chat_state" and column == "chat_key":
                continue  # the salted HMAC of a chat: erase span, place, note; kept 49 hours
            assert not any(word in column.lower() for word in IDENTIFYING), (table, column)
    for table in ("ratings", "comments", "needs"):
        assert tables[table][0] == "day"


async def test_feedback_is_stored_to_the_day_and_scrubbed(
    db_target: Path | str, today: dt.date
) -> None:
    store = await open_store(db_target)
    try:
        await store.add_rating("pflege_demenz", "pflege", True, "tr", town="herten", day=DAY)
        await store.add_rating("gewalt", "frauen", False, "ar", service_id="frauenhaus_re")
        stored = await store.add_comment(
            "gewalt", "frauen", "Bitte rufen Sie 0171 1234567 an, ayse@example.org", "ar"
        )
        await store.add_comment("gewalt", "frauen", "  \n ", "ar")  # nothing left: not stored
        await store.add_need(NONE_FITS, "fa", node_id="pflege", topic="pflege", day=DAY)
        await store.add_need(NO_RESULT, "ru", query="Schulden IBAN DE89370400440532013000")
        assert await store.ratings() == [
            RatingRow(DAY, "pflege_demenz", "pflege", True, "tr", None, "herten"),
            RatingRow(today, "gewalt", "frauen", False, "ar", "frauenhaus_re", None),
        ]
        assert stored == "Bitte rufen Sie [Telefon] an, [E-Mail]"
        assert await store.comments() == [CommentRow(today, "gewalt", "frauen", "ar", stored)]
        assert await store.needs() == [
            NeedRow(DAY, NONE_FITS, "fa", "pflege", "pflege"),
            NeedRow(today, NO_RESULT, "ru", query="Schulden IBAN [IBAN]"),
        ]
        assert await store.ratings(since=today) == [(await store.ratings())[1]]
        with pytest.raises(ValueError, match="unknown need kind"):
            await store.add_need("other", "de")
    finally:
        await store.close()
    if isinstance(db_target, Path):
        files = sorted(db_target.parent.iterdir())
        raw = b"".join(p.read_bytes() for p in files)
        assert b"1234567" not in raw
        assert b"ayse@example.org" not in raw


async def test_a_thousand_concurrent_writes_lose_nothing(db_target: Path | str) -> None:
    store = await open_store(db_target)
    try:
        writes: list[Coroutine[Any, Any, object]] = []
        for i in range(1000):
            if i % 3 == 0:
                writes.append(store.add_rating(f"node_{i % 7}", "pflege", i % 2 == 0, "de"))
            elif i % 3 == 1:
                writes.append(store.add_comment(f"node_{i % 7}", "pflege", f"Kommentar {i}", "tr"))
            else:
                writes.append(store.add_need(NO_RESULT, "ar", query=f"Suche {i}"))
        await asyncio.gather(*writes)
    finally:
        await store.close()
    # A second connection sees every write: each was committed before its call returned.
    counts = [await count(db_target, table) for table in ("ratings", "comments", "needs")]
    assert counts == [334, 333, 333]
    again = await open_store(db_target)
    try:
        texts = {c.text for c in await again.comments()}
    finally:
        await again.close()
    assert texts == {f"Kommentar {i}" for i in range(1, 1000, 3)}


async def test_retention_deletes_only_old_feedback(db_target: Path | str) -> None:
    store = await open_store(db_target)
    try:
        await store.set_language(store.user_key(1), "tr")
        for age in (0, 364, 365, 366, 900):
            day = DAY - dt.timedelta(days=age)
            await store.add_rating("ki", "migration", True, "de", day=day)
            await store.add_comment("ki", "migration", f"{age} Tage alt", "de", day=day)
            await store.add_need(NONE_FITS, "de", node_id="ki", day=day)
        assert await store.purge(365, today=DAY) == 6
        assert sorted((DAY - r.day).days for r in await store.ratings()) == [0, 364, 365]
        assert len(await store.comments()) == len(await store.needs()) == 3
        assert await store.purge(365, today=DAY) == 0
        assert await store.language(store.user_key(1)) == "tr"  # not feedback: kept
        with pytest.raises(ValueError, match="negative"):
            await store.purge(-1)
    finally:
        await store.close()


# Rows that each schema version can hold; later versions keep the earlier ones' rows.
SEEDS: dict[int, list[str]] = {
    1: [
        "INSERT INTO settings (key, value) VALUES ('salt', 'kept-salt')",
        "INSERT INTO preferences (user_key, lang, updated_on) VALUES ('k1', 'uk', '2026-01-02')",
    ],
    2: [
        "INSERT INTO ratings VALUES ('2026-03-01', 'ki', NULL, 'migration', 1, 'de', 'marl')",
        "INSERT INTO comments VALUES ('2026-03-01', 'ki', NULL, 'migration', 'de', NULL, 'gut')",
        "INSERT INTO needs VALUES ('2026-03-01', 'no_result', NULL, NULL, 'Kita', 'tr', NULL)",
    ],
    3: ["INSERT INTO chat_spans VALUES ('c1', 5, 9, 1795000000)"],
    4: ["INSERT INTO chat_state (chat_key, seen, place) VALUES ('c2', 1795000000, 'n:pflege')"],
    # Reviewers' and staff's ids are kept for the audit trail (README, privacy); no user's.
    5: [
        "INSERT INTO reviews VALUES ('tr', 'knowledge', 'node:ki:title', 'KI', 'KI', "
        "'approved', 111, '2026-03-01', NULL)",
        "INSERT INTO service_reports VALUES ('notruf_110', 'checked', NULL, 333, '2026-03-01', "
        "NULL)",
    ],
    6: [
        "INSERT INTO usage_daily VALUES ('2026-03-01', 'screen', 'ki', 3)",
        "INSERT INTO weak_answers VALUES "
        "('2026-03-01', 'Kita', 'andere_fragen', 'kita', 'unhelpful')",
    ],
    7: [
        "INSERT INTO chat_state (chat_key, seen, search, search_until) "
        "VALUES ('c3', 1795000000, '[\"Kita\", [\"kita\"]]', 1795007200)",
    ],
}


def test_every_schema_version_has_seed_rows() -> None:
    assert set(SEEDS) == set(range(1, SCHEMA_VERSION + 1))


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
async def test_migration_from_every_earlier_version_keeps_the_data(
    tmp_path: Path, version: int
) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        for v in range(version):
            db.executescript(MIGRATIONS[v])
            for statement in SEEDS[v + 1]:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {version}")
    db.close()

    store = await Storage.open(path)
    try:
        if version >= 1:
            assert await store.language("k1") == "uk"
            salted = hmac.new(b"kept-salt", b"1", hashlib.sha256).hexdigest()
            assert store.user_key(1) == salted  # the old salt is kept …
            assert await store.setting("salt") is None  # … but no longer in the database
        if version >= 2:
            assert await store.ratings() == [
                RatingRow(dt.date(2026, 3, 1), "ki", "migration", True, "de", None, "marl")
            ]
            assert len(await store.comments()) == len(await store.needs()) == 1
        if version >= 3:
            assert await store.message_span("c1") == (5, 9)  # erase still reaches them
        if version >= 4:
            [(place,)] = await store._fetchall("SELECT place FROM chat_state WHERE chat_key='c2'")
            assert place == "n:pflege"  # the place survives migration 7's new columns
        await store.add_rating("ki", "migration", False, "de")  # the new schema works
    finally:
        await store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()
