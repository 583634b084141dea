"""No log level writes a salt, a user key, a token or a text a user typed (issue 11, 1 and 9).

The whole Telegram journey runs at DEBUG, with feedback, a note, a failed search, a language
choice and /forget, and the log is searched for each secret. A rejected token is run through
``python -m bot`` against a server that answers 401, and the process's output is searched.
"""

from __future__ import annotations

import http.server
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.logs import HIDDEN, Redactor, setup_logging
from bot.runtime import Core
from tests.fakes.harness import lotse

NOTE = "Меня зовут Ольга Петрова, телеграм @olga_p, пишите olga.p@example.org"
SEARCH = "Fatima Yilmaz Hochstraße Herten qwrtzplk"
# The fake server's own access log is not the bot's log.
NOT_THE_BOT = ("aiohttp", "tests.")


def bot_log(caplog: pytest.LogCaptureFixture) -> str:
    """Everything the bot and its libraries logged, tracebacks included."""
    lines = []
    for record in caplog.records:
        if record.name.startswith(NOT_THE_BOT):
            continue
        lines.append(record.getMessage())
        if record.exc_info:
            lines.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(lines)


async def test_debug_log_of_a_whole_journey_holds_no_secret(
    tmp_path: Path, core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with lotse(tmp_path, core, log_level="DEBUG") as r:
        user = r.server.user(987654321, "Olga", language_code="de", username="olga_p")
        await user.send("/start")
        await user.press("🧓 Pflege für Angehörige")
        await user.press("📋 Was ist ein Pflegegrad?")
        await user.press("Herten")
        await user.press("👎 Nein")
        await user.send(NOTE)
        await user.send(SEARCH)
        await user.send("/language")
        await user.press("English")
        await user.send("/menu")
        await user.send("/forget")
        store = r.app.bot_data["lotse"].storage
        keys = store.user_keys(987654321)
        salt = r.settings.salt
        assert salt
    with_rows = tmp_path / "lotse.sqlite3"
    assert with_rows.exists()
    logged = bot_log(caplog)
    assert caplog.records, "the journey logged nothing at all: the test would prove nothing"
    secrets = [
        salt, *keys, r.server.token, "987654321", "Olga", "olga_p", "Петрова",
        "olga.p@example.org", "Fatima", "Hochstraße", "qwrtzplk", NOTE[:20],
    ]  # fmt: skip
    for secret in secrets:
        assert secret not in logged, f"{secret!r} is in the log"


def test_the_redactor_blanks_a_token_in_a_traceback() -> None:
    token = "123456789:AAF-fake-token-for-lotse-tests_0123456"
    redactor = Redactor(["the-salt-0123"])
    try:
        raise RuntimeError(f"The token `{token}` was rejected; salt the-salt-0123")
    except RuntimeError:
        record = logging.LogRecord("telegram", logging.ERROR, "x", 1, "%s", (token,), None)
        record.exc_info = sys.exc_info()
    redactor.filter(record)
    text = logging.Formatter().format(record)
    assert token not in text
    assert "the-salt-0123" not in text
    assert HIDDEN in text


def test_setup_keeps_aiosqlite_quiet_at_debug() -> None:
    root = logging.getLogger()
    before = (root.level, list(root.handlers), logging.getLogger("aiosqlite").level)
    handler = setup_logging("DEBUG", ["x" * 8])
    try:
        assert logging.getLogger("aiosqlite").getEffectiveLevel() >= logging.WARNING
        assert logging.getLogger("telegram").getEffectiveLevel() >= logging.INFO
        assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)
    finally:
        root.removeHandler(handler)
        for each in root.handlers:
            each.filters.clear()
        root.setLevel(before[0])
        logging.getLogger("aiosqlite").setLevel(before[2])


class _Unauthorized(http.server.BaseHTTPRequestHandler):
    """Answers every Bot API call as Telegram does for a revoked token."""

    def _answer(self) -> None:
        body = json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"})
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        del format, args


@pytest.fixture
def unauthorized() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Unauthorized)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/bot"
    finally:
        server.shutdown()
        server.server_close()


def test_a_rejected_token_is_never_logged(tmp_path: Path, unauthorized: str) -> None:
    token = "123456789:AAF-rejected-token-never-logged_012"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": unauthorized,
        "LOTSE_DB": str(tmp_path / "lotse.sqlite3"),
        "LOTSE_SALT_FILE": str(tmp_path / "lotse.salt"),
        "LOTSE_LOG_LEVEL": "DEBUG",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output[-2000:]
    assert "Telegram rejected the bot token (TELEGRAM_BOT_TOKEN)" in output
    assert token not in output
    assert token.split(":")[1] not in output
