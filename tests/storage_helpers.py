"""Looking into a test's database from outside the Storage, on either backend."""

from __future__ import annotations

from pathlib import Path

from bot.storage import Storage

SALT = "test-salt-0123456789"


async def open_store(target: Path | str, salt: str | None = SALT) -> Storage:
    """The Storage for a test database (PostgreSQL needs a configured salt)."""
    return await Storage.open(target, salt)


async def columns(store: Storage) -> dict[str, list[str]]:
    """Every table's columns, in order."""
    if store.backend.name == "sqlite":
        names = [
            str(r[0])
            for r in await store.backend.fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
            if not str(r[0]).startswith("sqlite_")
        ]
        return {
            n: [str(r[1]) for r in await store.backend.fetchall(f"PRAGMA table_info({n})")]
            for n in names
        }
    tables: dict[str, list[str]] = {}
    for table, column in await store.backend.fetchall(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name <> 'lotse_schema' "
        "ORDER BY table_name, ordinal_position"
    ):
        tables.setdefault(str(table), []).append(str(column))
    return tables


async def count(target: Path | str, table: str) -> int:
    """Rows in a table, read through a connection of its own (what another worker sees)."""
    store = await Storage.open(target, keys=False)
    try:
        rows = await store.backend.fetchall(f"SELECT COUNT(*) FROM {table}")
    finally:
        await store.close()
    return int(rows[0][0])
