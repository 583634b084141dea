"""The terminal shell: a scripted session reaches a service card, ends cleanly, and what it
stores (LOTSE_DB, as Telegram) is what the staff report reads."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT, Settings
from bot.console import console_language, run_console
from bot.engine.flow import Engine


def settings(tmp_path: Path) -> Settings:
    return Settings(db_path=tmp_path / "lotse.sqlite3", salt_file=tmp_path / "lotse.salt")


def test_scripted_session_reaches_a_service_card(mini_engine: Engine, tmp_path: Path) -> None:
    # 1 = "Hilfe für Frauen", 1 = "Gewalt und Bedrohung", 2 = Herten (1 is the national
    # hotline, shown before the town), 2 = Beratungsstelle Herten
    stdin = io.StringIO("1\n1\n2\n2\n")
    out = io.StringIO()
    assert run_console(mini_engine, stdin, out, settings(tmp_path), lang="de") == 0
    text = out.getvalue()
    assert "Beratungsstelle Herten" in text
    assert "Telefon: 02366 99999" in text
    assert "📇 Lotse: 02366 99999" in text  # a women's topic: the card names no service
    assert "[1] 🗺 Karte  → https://www.openstreetmap.org/" in text


def test_commands_and_bad_numbers(mini_engine: Engine, tmp_path: Path) -> None:
    stdin = io.StringIO("/language\n2\n99\n/privacy\n/nonsense\n")
    out = io.StringIO()
    run_console(mini_engine, stdin, out, settings(tmp_path), lang="de")
    text = out.getvalue()
    assert "[3] 🌐 Language" in text  # the menu, in English after pressing "English"
    assert "1–" in text  # 99 is not a button
    assert "Your privacy" in text
    assert "I do not know this command" in text


def test_language_from_environment() -> None:
    assert console_language({"LANG": "tr_TR.UTF-8"}) == "tr"
    assert console_language({"LOTSE_LANG": "ar", "LANG": "en_US.UTF-8"}) == "ar"
    assert console_language({"LANG": "C.UTF-8"}) == "de"


def run_bot(args: list[str], stdin: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=60,
        check=False,
    )


def test_python_m_bot_without_token_stores_feedback_the_report_finds(tmp_path: Path) -> None:
    """`make run` without a token: 👍 and searches that find nothing go into LOTSE_DB."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "TELEGRAM_BOT_TOKEN" and not k.startswith("LOTSE")
    }
    env.update(
        {"LOTSE_DB": str(tmp_path / "db.sqlite3"), "LANG": "de_DE.UTF-8", "LOTSE_MIN_GROUP": "3"}
    )
    # A service card, 👍 (button 2); three times, so the report may show the group.
    rate = "/start pflegegrad\n1\n2\n"
    result = run_bot([], rate * 3 + "Wo gibt es einen Hundefriseur für meinen Pudel\n" * 3, env)
    assert result.returncode == 0, result.stderr
    assert "Willkommen bei Lotse!" in result.stdout
    assert result.stdout.count("Danke für Ihre Rückmeldung!") == 3
    report = run_bot(["feedback", "report"], "", env)
    assert report.returncode == 0, report.stderr
    assert re.search(r"\n  Bewertungen +3 ", report.stdout)
    assert re.search(r"\n  davon nicht hilfreich \(👎\) +0 ", report.stdout)
    assert re.search(r"\n  Wo gibt es einen Hundefriseur für meinen Pudel +3 ", report.stdout)
