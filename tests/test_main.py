"""``python -m bot``: subcommands; a mistyped one is a usage error, never the bot."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.__main__ import main
from tests.conftest import REAL_KNOWLEDGE


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"LOTSE_DB": str(tmp_path / "db.sqlite3"), "LOTSE_KNOWLEDGE_DIR": str(REAL_KNOWLEDGE)}


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    # Were the terminal bot started, it would greet on stdout and read this to its end.
    text = io.StringIO("1\n")
    monkeypatch.setattr("sys.stdin", text)
    return text


@pytest.mark.parametrize("argv", [["valdiate"], ["no-such-command"], ["feedback", "reprot"]])
def test_an_unknown_command_is_a_usage_error_not_the_bot(
    argv: list[str], env: dict[str, str], stdin: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv, env) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "usage: python -m bot" in err
    assert "invalid choice" in err
    assert stdin.tell() == 0


def test_run_starts_the_bot(
    env: dict[str, str], stdin: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run"], env) == 0
    assert "Lotse (terminal)" in capsys.readouterr().out
    assert stdin.read() == ""  # the whole input went to the bot


def test_staff_commands_still_run(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"], env) == 0
    assert "0 error(s)" in capsys.readouterr().out
    assert main(["feedback", "report"], env) == 1  # no database yet: said, not a traceback
    assert "keine Datenbank gefunden" in capsys.readouterr().out


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"], {}) == 0
    out = capsys.readouterr().out
    for command in ("run", "validate", "translations", "feedback", "flyer"):
        assert command in out
