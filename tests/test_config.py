"""Settings come from an injectable mapping and a .env file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import TELEGRAM_BASE_URL, load_settings
from bot.errors import ConfigError

TOKEN = "123456789:AAF-fake-token-for-lotse-tests_0123456"


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
    s = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "LOTSE_DB": "/tmp/x.db"}, dotenv)
    assert s.token == TOKEN
    assert s.log_level == "DEBUG"
    assert s.db_path == Path("/tmp/x.db")
    assert s.staff_ids == frozenset({1, 2})


def test_dotenv_reads_comments_quotes_and_escapes_like_a_shell(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "LOTSE_LOG_LEVEL=warning  # quieter while testing\n"
        "LOTSE_SALT='a salt with # inside, kept whole'\n"
        'LOTSE_BOT_USERNAME="LotseRecklinghausenBot"\n'
        "LOTSE_STAFF_IDS=\n"
    )
    s = load_settings({}, dotenv)
    assert s.log_level == "WARNING"
    assert s.salt == "a salt with # inside, kept whole"
    assert s.bot_username == "LotseRecklinghausenBot"
    assert s.staff_ids == frozenset()


def test_token_is_not_in_repr() -> None:
    s = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert TOKEN.split(":")[1] not in repr(s)


def test_token_is_trimmed() -> None:
    assert load_settings({"TELEGRAM_BOT_TOKEN": f"  {TOKEN}\n"}).token == TOKEN


@pytest.mark.parametrize(
    "token",
    [
        "123:secret",
        TOKEN.replace(":", " "),
        TOKEN[:20] + " " + TOKEN[20:],
        f"'{TOKEN}",
        "bot" + TOKEN,
        TOKEN + "/getMe",
    ],
)
def test_a_token_of_the_wrong_form_is_refused_without_quoting_it(token: str) -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN") as caught:
        load_settings({"TELEGRAM_BOT_TOKEN": token})
    assert token.strip() not in str(caught.value)
    assert TOKEN[12:] not in str(caught.value)


SECRET = "s" * 20


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LOTSE_RETENTION_DAYS": "-1"}, "LOTSE_RETENTION_DAYS must be from 1 to 3650"),
        ({"LOTSE_RETENTION_DAYS": "0"}, "LOTSE_RETENTION_DAYS must be from 1 to 3650"),
        ({"LOTSE_RETENTION_DAYS": "3651"}, "LOTSE_RETENTION_DAYS must be from 1 to 3650"),
        ({"LOTSE_RETENTION_DAYS": "9" * 30}, "LOTSE_RETENTION_DAYS must be from 1 to 3650"),
        ({"LOTSE_RETENTION_DAYS": "9" * 5000}, "LOTSE_RETENTION_DAYS must be a whole number"),
        ({"LOTSE_MIN_GROUP": "0"}, "LOTSE_MIN_GROUP must be at least 3"),
        ({"LOTSE_MIN_GROUP": "-5"}, "LOTSE_MIN_GROUP must be at least 3"),
        ({"LOTSE_MIN_GROUP": "2"}, "LOTSE_MIN_GROUP must be at least 3"),
        ({"LOTSE_WEBHOOK_PORT": "99999"}, "LOTSE_WEBHOOK_PORT must be from 1 to 65535"),
        ({"LOTSE_WEBHOOK_PORT": "0"}, "LOTSE_WEBHOOK_PORT must be from 1 to 65535"),
        (
            {"LOTSE_WEBHOOK_URL": "https://", "LOTSE_WEBHOOK_SECRET": SECRET},
            "LOTSE_WEBHOOK_URL needs a host",
        ),
        (
            {"LOTSE_WEBHOOK_URL": "https:///hook", "LOTSE_WEBHOOK_SECRET": SECRET},
            "LOTSE_WEBHOOK_URL needs a host",
        ),
        (
            {"LOTSE_WEBHOOK_URL": "https://x.org:99999/h", "LOTSE_WEBHOOK_SECRET": SECRET},
            "LOTSE_WEBHOOK_URL has a port",
        ),
    ],
)
def test_settings_that_switch_a_protection_off_are_refused(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env)


def test_the_limits_themselves_are_accepted() -> None:
    s = load_settings(
        {"LOTSE_RETENTION_DAYS": "3650", "LOTSE_MIN_GROUP": "3", "LOTSE_WEBHOOK_PORT": "65535"}
    )
    assert (s.retention_days, s.min_group, s.webhook_port) == (3650, 3, 65535)
    assert load_settings({"LOTSE_RETENTION_DAYS": "1"}).retention_days == 1


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
