"""Privacy promises seen from the chat: /forget tells the truth, staff commands stay private,
forged presses change nothing (issue 11, items 3, 5, 6 and 12)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.errors import DatabaseFault
from bot.runtime import Core
from bot.storage import Storage
from tests.fakes.harness import last, lotse


def preferences(path: Path) -> list[tuple[str, ...]]:
    with sqlite3.connect(path) as db:
        found = [tuple(r) for r in db.execute("SELECT user_key, lang FROM preferences")]
    db.close()
    return found


async def test_forget_on_a_locked_database_says_nothing_was_deleted(
    tmp_path: Path, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lotse(tmp_path, core) as r:
        user = r.server.user(3101, "F", language_code="de")
        await user.send("/language")
        await user.press("English")

        async def locked(self: Storage, *keys: str) -> bool:
            del self, keys
            raise DatabaseFault("database is locked")

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
    async with lotse(tmp_path, core, salt=None) as r:
        user = r.server.user(3102, "F", language_code="de")
        await user.send("/language")
        await user.press("English")
    assert (tmp_path / "lotse.salt").exists()
    # … then the admin set LOTSE_SALT: the file's salt is now the previous one.
    async with lotse(tmp_path, core, salt="a-new-salt-set-by-the-admin") as r:
        user = r.server.user(3102, "F", language_code="de")
        await user.send("/forget")
        assert "Ihre Sprachwahl ist gelöscht" in last(user)
        assert preferences(r.settings.db_path) == []


def ratings(path: Path) -> int:
    with sqlite3.connect(path) as db:
        n = int(db.execute("SELECT COUNT(*) FROM ratings").fetchone()[0])
    db.close()
    return n


STALE = "Dieses Menü hat sich inzwischen geändert"


@pytest.mark.parametrize(
    "data", ["\udcff", "n:\udcff", "-:n:start", "+:n:start", "+:m", "-:t:pflege"]
)
async def test_a_forged_press_gets_the_menu_changed_screen_and_records_nothing(
    tmp_path: Path, core: Core, data: str
) -> None:
    async with lotse(tmp_path, core) as r:
        user = r.server.user(3201, "F", language_code="de")
        await user.send("/start")
        menu = user.last_bot_message
        await user.press_data(menu, data)
        shown = next(m for m in user.messages if m.message_id == menu.message_id)
        assert STALE in (shown.text or "")
        assert ratings(r.settings.db_path) == 0


@pytest.mark.parametrize("data", ["n:frauen", "+:n:gewalt", "-:s:frauenhaus_re:gewalt", "x"])
async def test_a_forged_press_in_a_group_gets_only_the_group_note(
    tmp_path: Path, core: Core, data: str
) -> None:
    async with lotse(tmp_path, core) as r:
        group = r.server.user(3202, "G", language_code="de", chat_type="group")
        await group.send("/start")
        note = group.last_bot_message
        before = len(group.bot_messages)
        await group.press_data(note, data)
        assert len(group.bot_messages) == before + 1
        answer = group.last_bot_message.text or ""
        assert "privaten Chat" in answer
        assert "Frau" not in answer
        assert ratings(r.settings.db_path) == 0


async def test_report_in_a_group_is_refused_even_for_staff(tmp_path: Path, core: Core) -> None:
    async with lotse(tmp_path, core, staff_ids=frozenset({3203})) as r:
        group = r.server.user(3203, "Staff", language_code="de", chat_type="group")
        await group.send("/report")
        assert all(m.kind != "photo" for m in group.bot_messages)
        assert "Rückmeldungen" not in (group.last_bot_message.text or "")
        assert "privaten Chat" in (group.last_bot_message.text or "")
        private = r.server.user(3203, "Staff", language_code="de")
        await private.send("/report")
        assert "Rückmeldungen" in (private.bot_messages[0].text or "")
