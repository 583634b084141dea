"""Settings come from an injectable mapping and a .env file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import TELEGRAM_BASE_URL, load_settings
from bot.errors import ConfigError


def test_defaults() -> None:
    s = load_settings({})
    assert s.token is None
    assert s.api_base_url == TELEGRAM_BASE_URL
    assert s.db_path.name == "lotse.sqlite3"
    assert s.retention_days == 365
    assert s.min_group == 5


def test_environment_overrides_dotenv(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# comment\nTELEGRAM_BOT_TOKEN=from-file\nexport LOTSE_LOG_LEVEL=debug\n"
        "LOTSE_STAFF_IDS=1, 2\n"
    )
    s = load_settings({"TELEGRAM_BOT_TOKEN": "from-env", "LOTSE_DB": "/tmp/x.db"}, dotenv)
    assert s.token == "from-env"
    assert s.log_level == "DEBUG"
    assert s.db_path == Path("/tmp/x.db")
    assert s.staff_ids == frozenset({1, 2})


def test_token_is_not_in_repr() -> None:
    s = load_settings({"TELEGRAM_BOT_TOKEN": "123:secret"})
    assert "secret" not in repr(s)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LOTSE_LOG_LEVEL": "loud"}, "LOTSE_LOG_LEVEL"),
        ({"LOTSE_RETENTION_DAYS": "a year"}, "LOTSE_RETENTION_DAYS"),
        ({"LOTSE_STAFF_IDS": "anna"}, "LOTSE_STAFF_IDS"),
        ({"LOTSE_RATE_LIMIT": "maybe"}, "LOTSE_RATE_LIMIT"),
    ],
)
def test_bad_values_name_the_setting(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env)


def test_malformed_dotenv_names_file_and_line(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("A=1\nthis is not a setting\n")
    with pytest.raises(ConfigError, match=r"\.env:2"):
        load_settings({}, dotenv)
