"""The salt lives apart from the data; files are private; deleted rows stay deleted (issue 11).

Real SQLite files in a temporary folder, read back byte for byte where it matters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.errors import ConfigError, StorageError
from bot.salts import read_salt_file
from bot.storage import Storage

DAY = dt.date(2026, 3, 2)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _raw(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file())


async def test_the_salt_is_not_in_the_database_but_in_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "lotse.sqlite3"
    store = await Storage.open(path)
    try:
        await store.set_language(store.user_key(4711), "tr")
    finally:
        await store.close()
    found = read_salt_file(tmp_path / "lotse.salt")
    assert found is not None
    salt, earlier = found
    assert salt
    assert earlier == ()
    assert _mode(tmp_path / "lotse.salt") == 0o600
    assert salt.encode() not in path.read_bytes()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM settings WHERE key = 'salt'").fetchall() == []
    db.close()
    # The same salt next time: the choice is found again.
    store = await Storage.open(path)
    try:
        assert await store.language(*store.user_keys(4711)) == "tr"
    finally:
        await store.close()


async def test_a_configured_salt_writes_no_file(tmp_path: Path) -> None:
    store = await Storage.open(tmp_path / "lotse.sqlite3", "configured-salt-0123")
    await store.close()
    assert not (tmp_path / "lotse.salt").exists()
    assert b"configured-salt-0123" not in _raw(tmp_path)


async def test_database_and_wal_are_private(tmp_path: Path) -> None:
    path = tmp_path / "var" / "lotse.sqlite3"
    store = await Storage.open(path, "s" * 20)
    try:
        await store.add_rating("ki", "migration", True, "de")
        wal = path.with_name(path.name + "-wal")
        assert wal.exists()
        assert _mode(path) == 0o600
        assert _mode(wal) == 0o600
        assert _mode(path.parent) == 0o700
    finally:
        await store.close()


async def test_an_old_world_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "lotse.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o644)
    store = await Storage.open(path, "s" * 20)
    await store.close()
    assert _mode(path) == 0o600


async def test_a_salt_an_older_version_kept_in_the_database_moves_out(tmp_path: Path) -> None:
    path = tmp_path / "lotse.sqlite3"
    store = await Storage.open(path, "x" * 20)
    key = hmac.new(b"legacy-salt-0123456", b"5", hashlib.sha256).hexdigest()
    await store.set_setting("salt", "legacy-salt-0123456")
    await store.set_language(key, "fa")
    await store.close()
    (tmp_path / "lotse.salt").unlink(missing_ok=True)

    store = await Storage.open(path)
    try:
        assert store.user_key(5) == key
        assert await store.setting("salt") is None
    finally:
        await store.close()
    assert b"legacy-salt-0123456" not in path.read_bytes()
    assert read_salt_file(tmp_path / "lotse.salt") == ("legacy-salt-0123456", ())


async def test_forget_deletes_under_the_current_and_the_previous_salt(tmp_path: Path) -> None:
    path = tmp_path / "lotse.sqlite3"
    store = await Storage.open(path)
    await store.set_language(store.user_key(77), "ar")
    await store.close()
    old, _ = read_salt_file(tmp_path / "lotse.salt") or (None, ())
    # The admin sets LOTSE_SALT later: the file's salt becomes the previous one.
    store = await Storage.open(path, "a-new-configured-salt")
    try:
        assert len(store.user_keys(77)) == 2
        assert await store.forget(*store.user_keys(77)) is True
        assert await store.language(*store.user_keys(77)) is None
        assert await store.forget(*store.user_keys(77)) is False
    finally:
        await store.close()
    assert old


async def test_a_choice_under_the_previous_salt_moves_to_the_current_key(tmp_path: Path) -> None:
    path = tmp_path / "lotse.sqlite3"
    store = await Storage.open(path)
    await store.set_language(store.user_key(78), "uk")
    await store.close()
    store = await Storage.open(path, "a-new-configured-salt")
    try:
        keys = store.user_keys(78)
        assert await store.language(*keys) == "uk"
        assert await store.language(keys[0]) == "uk"
        assert await store.forget(keys[1]) is False
    finally:
        await store.close()


async def test_deleted_rows_leave_no_copy_in_the_files(tmp_path: Path) -> None:
    path = tmp_path / "lotse.sqlite3"
    store = await Storage.open(path, "s" * 20)
    try:
        old = DAY - dt.timedelta(days=400)
        await store.add_comment("ki", "migration", "Geheimwort Zwiebelkuchen", "de", day=old)
        # A recent note on the same page keeps the page in use after the purge.
        await store.add_comment("ki", "migration", "Eine neuere Notiz, die bleibt", "de")
        await store.set_language("key-to-forget-0123", "ru")
        assert b"Zwiebelkuchen" in _raw(tmp_path)
        await store.purge(365, today=DAY)
        await store.forget("key-to-forget-0123")
        # While the bot still runs (connection open), nothing is left to read in any file.
        raw = _raw(tmp_path)
        assert b"Zwiebelkuchen" not in raw
        assert b"key-to-forget-0123" not in raw
    finally:
        await store.close()


async def test_unused_language_choices_expire_with_the_retention_period(
    tmp_path: Path, today: dt.date
) -> None:
    path = tmp_path / "lotse.sqlite3"
    store = await Storage.open(path, "s" * 20)
    try:
        await store.set_language("used-recently", "tr")
        await store.set_language("unused-long", "ar")
        await store.backend.execute(
            "UPDATE preferences SET updated_on = ? WHERE user_key = 'unused-long'",
            ((today - dt.timedelta(days=400)).isoformat(),),
        )
        assert await store.purge(365) == 1
        assert await store.language("unused-long") is None
        assert await store.language("used-recently") == "tr"
    finally:
        await store.close()


async def test_reading_a_choice_marks_it_used(tmp_path: Path, today: dt.date) -> None:
    path = tmp_path / "lotse.sqlite3"
    store = await Storage.open(path, "s" * 20)
    try:
        await store.set_language("k", "tr")
        long_ago = (today - dt.timedelta(days=400)).isoformat()
        await store.backend.execute("UPDATE preferences SET updated_on = ?", (long_ago,))
        assert await store.language("k") == "tr"  # used today …
        assert await store.purge(365) == 0  # … so it does not expire
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a database at all, just text" * 40, "not a readable Lotse database"),
        (b"SQLite format 3\x00" + b"\x10\x00" + b"\x00" * 30, "not a readable Lotse database"),
    ],
)
async def test_a_broken_database_file_gets_one_clear_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "lotse.sqlite3"
    path.write_bytes(content)
    with pytest.raises(StorageError, match=message) as caught:
        await Storage.open(path, "s" * 20)
    assert str(path) in str(caught.value)
    assert "restore it from the backup" in str(caught.value)


async def test_a_truncated_database_gets_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "lotse.sqlite3"
    store = await Storage.open(path, "s" * 20)
    for i in range(3000):
        await store.backend.execute(
            "INSERT INTO comments VALUES ('2026-01-01', 'ki', NULL, 'm', 'de', NULL, ?)",
            (f"Kommentar {i} " * 5,),
        )
    await store.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(StorageError, match="not a readable Lotse database"):
        await Storage.open(path, "s" * 20)


async def test_a_folder_as_database_path_gets_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="is a folder, not a database file"):
        await Storage.open(tmp_path, "s" * 20)


def test_a_broken_salt_file_names_itself(tmp_path: Path) -> None:
    salt = tmp_path / "lotse.salt"
    salt.write_text("one two three\n")
    with pytest.raises(ConfigError, match=r"lotse.salt:1"):
        read_salt_file(salt)
