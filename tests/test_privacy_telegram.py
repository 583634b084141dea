"""Privacy promises seen from the chat: /forget tells the truth, staff commands stay private,
forged presses change nothing (issue 11, items 3, 5, 6 and 12)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.runtime import Core
from bot.storage import Storage
from tests.test_telegram import core, last, running

__all__ = ["core"]


def preferences(path: Path) -> list[tuple[str, ...]]:
    with sqlite3.connect(path) as db:
        found = [tuple(r) for r in db.execute("SELECT user_key, lang FROM preferences")]
    db.close()
    return found


async def test_forget_on_a_locked_database_says_nothing_was_deleted(
    tmp_path: Path, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(tmp_path, core) as r:
        user = r.server.user(3101, "F", language_code="de")
        await user.send("/language")
        await user.press("English")

        async def locked(self: Storage, *keys: str) -> bool:
            del self, keys
            raise sqlite3.OperationalError("database is locked")

        monkeypatch.setattr(Storage, "forget", locked)
        await user.send("/forget")
        answer = last(user)
        assert "could not be deleted" in answer
        assert "/forget again" in answer
        assert "Nothing is stored" not in answer
        assert len(preferences(r.settings.db_path)) == 1
        monkeypatch.undo()
        await user.send("/forget")
        assert "Ihre Sprachwahl ist gelöscht" in last(user)
        assert preferences(r.settings.db_path) == []


async def test_forget_finds_a_choice_stored_under_the_previous_salt(
    tmp_path: Path, core: Core
) -> None:
    # First the bot ran with a salt file of its own …
    async with running(tmp_path, core, salt=None) as r:
        user = r.server.user(3102, "F", language_code="de")
        await user.send("/language")
        await user.press("English")
    assert (tmp_path / "lotse.salt").exists()
    # … then the admin set LOTSE_SALT: the file's salt is now the previous one.
    async with running(tmp_path, core, salt="a-new-salt-set-by-the-admin") as r:
        user = r.server.user(3102, "F", language_code="de")
        await user.send("/forget")
        assert "Ihre Sprachwahl ist gelöscht" in last(user)
        assert preferences(r.settings.db_path) == []
