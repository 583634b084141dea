"""Running it for real: webhook mode, the staff report, retention and the weekly digest."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import PROJECT_ROOT, Settings, load_settings
from bot.errors import ConfigError
from bot.runtime import Core, build_core
from bot.storage.review import Awaiting, PendingRow
from bot.tg.app import webhook_options
from bot.tg.handlers import Lotse
from tests.conftest import REAL_KNOWLEDGE
from tests.fakes.harness import NOW, Telegram, last, lotse, telegram

SECRET = "s3cret-token-for-the-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def update(update_id: int, user_id: int, text: str) -> dict[str, object]:
    user = {"id": user_id, "is_bot": False, "first_name": "W", "language_code": "de"}
    entities = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": NOW,
            "chat": {"id": user_id, "type": "private", "first_name": "W"},
            "from": user,
            "text": text,
            "entities": entities if text.startswith("/") else [],
        },
    }


async def test_webhook_mode_checks_the_secret_token(tmp_path: Path, core: Core) -> None:
    port = free_port()
    webhook: dict[str, Any] = {
        "webhook_url": "https://lotse.example.org/tg/hook",
        "webhook_secret": SECRET,
        "webhook_listen": "127.0.0.1",
        "webhook_port": port,
    }
    async with telegram(tmp_path, core, **webhook) as tg:
        server = tg.server
        app = tg.build()
        assert app.updater is not None
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        await app.updater.start_webhook(**webhook_options(tg.settings))
        await app.start()
        try:
            assert server.webhook is not None
            assert server.webhook["url"] == "https://lotse.example.org/tg/hook"
            assert server.webhook["secret_token"] == SECRET
            url = f"http://127.0.0.1:{port}/tg/hook"
            server.chat(5001, chat_type="private")
            async with aiohttp.ClientSession() as http:
                wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
                async with http.post(url, json=update(1, 5001, "/start"), headers=wrong) as r:
                    assert r.status == 403
                right = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                async with http.post(url, json=update(2, 5001, "/start"), headers=right) as r:
                    assert r.status == 200
            await tg.wait_handled(2)
            assert list(tg.handled) == [2]  # the update with the wrong secret never came in
            sent = server.calls("sendMessage")
            assert len(sent) == 1
            assert "Willkommen bei Lotse!" in str(sent[0]["text"])
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
            assert app.post_shutdown is not None
            await app.post_shutdown(app)


def test_webhook_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match="https"):
        load_settings({"LOTSE_WEBHOOK_URL": "http://x.org/h", "LOTSE_WEBHOOK_SECRET": SECRET})
    with pytest.raises(ConfigError, match="LOTSE_WEBHOOK_SECRET"):
        load_settings({"LOTSE_WEBHOOK_URL": "https://x.org/h"})


async def test_report_is_for_staff_only(tmp_path: Path, core: Core) -> None:
    async with lotse(tmp_path, core, staff_ids=frozenset({4242})) as r:
        member = r.server.user(4242, "Staff", language_code="de")
        await member.send("/report")
        assert [m.kind for m in member.bot_messages] == ["text", "photo", "document"]
        assert member.bot_messages[0].text
        page = member.bot_messages[2].payload["document"]
        assert page["file_name"].startswith("lotse-bericht-")
        data = r.server.files[page["file_id"]]["data"]
        assert data.startswith(b"<!DOCTYPE html>")
        assert b"<script" not in data
        stranger = r.server.user(4243, "Other", language_code="de")
        await stranger.send("/report")
        assert "Diesen Befehl kenne ich nicht" in last(stranger)
        assert [m.kind for m in stranger.bot_messages] == ["text"]
        assert r.server.get_commands(language_code="")[-1]["command"] != "report"


async def test_housekeeping_purges_old_feedback_and_posts_the_digest_once(
    tmp_path: Path, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def by_hand(app: object, lotse: Lotse) -> None:
        del app, lotse

    # The hourly task runs on the real clock: on a Monday morning it would post this week's
    # digest too. Here the test is the clock.
    monkeypatch.setattr("bot.tg.app.housekeeping", by_hand)
    async with lotse(tmp_path, core, staff_chat=-100777, retention_days=30) as r:
        r.server.chat(-100777, chat_type="group", title="KI Team")
        app_lotse = _lotse(r)
        assert app_lotse.storage is not None
        old = dt.date(2026, 9, 1)
        await app_lotse.storage.add_rating("pflege", "pflege", True, "de", day=old)
        await app_lotse.storage.add_rating("pflege", "pflege", True, "de")
        monday = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
        # A reviewer asked for a correction three hours ago who never answered.
        asked = PendingRow(Awaiting.CORRECTION, "tr", "knowledge", "node:ki:title")
        await app_lotse.storage.set_pending(111, asked, monday - dt.timedelta(hours=3))
        bot = r.app.bot
        await app_lotse.housekeeping(bot, monday)
        assert r.rows("SELECT person FROM review_pending") == []
        await app_lotse.housekeeping(bot, monday + dt.timedelta(hours=1))
        assert [c["chat_id"] for c in r.server.calls("sendMessage")] == [-100777]
        assert len(r.server.calls("sendPhoto")) == 1
        assert len(r.server.calls("sendDocument")) == 1
        remaining = r.rows("SELECT day FROM ratings")
        assert len(remaining) == 1
        assert remaining[0][0] != old.isoformat()


def _lotse(r: Telegram) -> Lotse:
    lotse = r.app.bot_data["lotse"]
    assert isinstance(lotse, Lotse)
    return lotse


async def test_reload_keeps_the_last_good_knowledge(tmp_path: Path, core: Core) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(REAL_KNOWLEDGE, knowledge)
    async with lotse(tmp_path, core, knowledge_dir=knowledge) as r:
        app_lotse = _lotse(r)
        user = r.server.user(5301, "R", language_code="de")
        tree = knowledge / "tree.yaml"
        tree.write_text(tree.read_text().replace("children: [notfall,", "children: [notfal,"))
        assert await app_lotse.reload() is False  # broken: the bot keeps serving the old tree
        await user.send("/start")
        assert "🆘 Notfall – schnelle Hilfe" in str(user.last_bot_message.buttons)
        tree.write_text(
            tree.read_text()
            .replace("children: [notfal,", "children: [notfall,")
            .replace("title: Notfall – schnelle Hilfe", "title: Notfall – sofort Hilfe")
        )
        assert await app_lotse.reload() is True
        await user.send("/start")
        assert "🆘 Notfall – sofort Hilfe" in str(user.last_bot_message.buttons)


async def test_sighup_reloads_while_the_bot_goes_on_answering(
    tmp_path: Path, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(REAL_KNOWLEDGE, knowledge)
    reading = threading.Event()
    answered = threading.Event()

    def slow_build(settings: Settings) -> Core:
        # Holds the reload until the bot has answered; on the event loop it could not.
        reading.set()
        answered.wait(timeout=5)
        return build_core(settings)

    monkeypatch.setattr("bot.tg.handlers.build_core", slow_build)
    async with lotse(tmp_path, core, knowledge_dir=knowledge) as r:
        app_lotse = _lotse(r)
        user = r.server.user(5302, "R", language_code="de")
        tree = knowledge / "tree.yaml"
        title = "title: Notfall – schnelle Hilfe"
        tree.write_text(tree.read_text().replace(title, "title: Notfall – sofort Hilfe"))
        os.kill(os.getpid(), signal.SIGHUP)
        assert await asyncio.to_thread(reading.wait, 10)
        await user.send("/start")  # answered during the reload, from the last good tree
        assert "🆘 Notfall – schnelle Hilfe" in str(user.last_bot_message.buttons)
        answered.set()
        for _ in range(1000):
            if app_lotse.engine is not core.engine:
                break
            await asyncio.sleep(0.01)
        await user.send("/start")
        assert "🆘 Notfall – sofort Hilfe" in str(user.last_bot_message.buttons)


@pytest.mark.parametrize("broken", ["knowledge", "database"])
def test_python_m_bot_refuses_to_start_with_one_clear_message(tmp_path: Path, broken: str) -> None:
    """Broken knowledge or a broken database file: exit 1, a message that names what is
    broken, no traceback. (Which database faults give which message: test_storage_privacy.)"""
    knowledge = tmp_path / "knowledge"
    db = tmp_path / "lotse.sqlite3"
    if broken == "knowledge":
        shutil.copytree(REAL_KNOWLEDGE, knowledge)
        tree = knowledge / "tree.yaml"
        tree.write_text(tree.read_text().replace("children: [notfall,", "children: [notfal,"))
    else:
        knowledge = REAL_KNOWLEDGE
        db.write_bytes(b"this is no database " * 100)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOTSE", "TELEGRAM"))}
    env.update(
        {
            "LOTSE_KNOWLEDGE_DIR": str(knowledge),
            "LOTSE_DB": str(db),
            "TELEGRAM_BOT_TOKEN": "123456789:" + "A" * 35,
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    if broken == "knowledge":
        assert "Lotse cannot start" in result.stderr
        assert "start: child 1 points to unknown node 'notfal'" in result.stderr
    else:
        assert str(db) in result.stderr
        assert "restore it from the backup" in result.stderr
