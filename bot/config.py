"""Settings, read from an injectable mapping (the environment, a ``.env`` file, a test dict).

Nothing is read at import time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv.parser import parse_stream

from bot.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# The limits that keep a protection switched on (DESIGN.md §7, README "Settings").
RETENTION_DAYS = (1, 3650)
MIN_GROUP_FLOOR = 3
PORTS = (1, 65535)
SALT_MIN = 16
# What @BotFather hands out: the bot's numeric id, a colon, then 35 URL-safe characters.
TOKEN_FORM = re.compile(r"[0-9]{3,20}:[A-Za-z0-9_-]{30,64}")


@dataclass(frozen=True)
class Reviewer:
    """A Lotsin who reviews translations in Telegram (LOTSE_REVIEWERS)."""

    name: str  # the short name written into the catalogs ("reviewed: Aylin, 2026-11-30")
    languages: tuple[str, ...]


@dataclass(frozen=True)
class Settings:
    """Everything the bot can be configured with."""

    token: str | None = field(default=None, repr=False)
    api_base_url: str = TELEGRAM_BASE_URL
    db_path: Path = PROJECT_ROOT / "var" / "lotse.sqlite3"
    # LOTSE_DB as a postgresql:// URL (several workers); None: the SQLite file db_path.
    db_url: str | None = field(default=None, repr=False)
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    locales_dir: Path = PROJECT_ROOT / "locales"
    log_level: str = "INFO"
    salt: str | None = field(default=None, repr=False)
    # None: next to the database (lotse.sqlite3 -> lotse.salt)
    salt_file: Path | None = None
    retention_days: int = 365
    min_group: int = 5
    staff_ids: frozenset[int] = frozenset()
    # Short names for the audit trail (LOTSE_STAFF_IDS=111:Maria,222); id -> name.
    staff_names: Mapping[int, str] = field(default_factory=dict)
    reviewers: Mapping[int, Reviewer] = field(default_factory=dict)
    staff_chat: int | None = None
    rate_limit: bool = True
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    bot_username: str | None = None

    @property
    def database(self) -> Path | str:
        """What Storage.open takes: the PostgreSQL URL, else the SQLite file."""
        return self.db_url or self.db_path


def read_dotenv(path: Path) -> dict[str, str]:
    """The settings in a ``.env`` file (missing file: nothing); a malformed line is an error.

    python-dotenv reads quoting, escapes, ``export`` and comments the way shells and Docker
    do; it only warns about a line it cannot read, and a setting that silently does not apply
    (a token, a retention period) is worse than refusing to start.
    """
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    with path.open(encoding="utf-8") as stream:
        for binding in parse_stream(stream):
            if binding.error:
                raise ConfigError(f"{path}:{binding.original.line}: expected KEY=value")
            if binding.key is not None:
                values[binding.key] = binding.value or ""
    return values


def _int(
    environ: Mapping[str, str],
    name: str,
    default: int,
    low: int | None = None,
    high: int | None = None,
) -> int:
    """A whole number setting, within ``low``..``high`` when they are given."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw[:20]!r}") from None
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"at least {low}" if high is None else f"from {low} to {high}"
        raise ConfigError(f"{name} must be {bounds}, got {raw[:20]}")
    return value


def _token(raw: str | None) -> str | None:
    """The bot token, trimmed; never quoted back in a message (it is a password)."""
    token = (raw or "").strip()
    if not token:
        return None
    if not TOKEN_FORM.fullmatch(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token: expected the form "
            "123456789:ABC… (digits, a colon, then 35 letters, digits, - or _), as @BotFather "
            "shows it, without quotes or spaces inside"
        )
    return token


def _webhook_url(raw: str | None) -> str | None:
    url = (raw or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise ConfigError("LOTSE_WEBHOOK_URL must be an https:// address (Telegram requires it)")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise ConfigError("LOTSE_WEBHOOK_URL has a port that is not a number 1-65535") from None
    if not host or port == 0:
        raise ConfigError(
            "LOTSE_WEBHOOK_URL needs a host name, e.g. https://lotse.example.org/telegram"
        )
    return url


def _salt(raw: str | None) -> str | None:
    salt = (raw or "").strip()
    if salt and len(salt) < SALT_MIN:
        raise ConfigError(
            f"LOTSE_SALT must be at least {SALT_MIN} random characters (or leave it empty: a "
            "salt file is then created)"
        )
    return salt or None


def _path(environ: Mapping[str, str], name: str, default: Path) -> Path:
    raw = environ.get(name, "").strip()
    return Path(raw).expanduser() if raw else default


def bot_username(raw: str) -> str | None:
    """The bot's Telegram username without '@' (None when empty); flyers link to it."""
    name = raw.strip().removeprefix("@")
    if name and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]", name):
        raise ConfigError(
            "LOTSE_BOT_USERNAME must be the bot's Telegram username: 5-32 letters, digits or _, "
            f"ending in 'bot', got {raw!r}"
        )
    return name or None


_PERSON = re.compile(r"^(\d{1,20})(?::([^:;,]{1,30}))?$")
_REVIEWER = re.compile(r"^(\d{1,20}):([a-z]{2,3}(?:,[a-z]{2,3})*)(?::([^:;,]{1,30}))?$")


def _staff(raw: str) -> dict[int, str]:
    """LOTSE_STAFF_IDS: ``111:Maria,222``; the name is optional (default ``staff <id>``)."""
    found: dict[int, str] = {}
    for part in raw.replace(";", ",").split(","):
        m = _PERSON.match(part.strip())
        if part.strip() and m is None:
            raise ConfigError(
                "LOTSE_STAFF_IDS must be comma-separated Telegram user ids, each optionally "
                "with a short name: 111:Maria,222"
            )
        if m:
            found[int(m.group(1))] = (m.group(2) or "").strip() or f"staff {m.group(1)}"
    return found


def _reviewers(raw: str) -> dict[int, Reviewer]:
    """LOTSE_REVIEWERS: ``111:tr,ku:Aylin;222:ar,fa`` (id, languages, optional short name)."""
    found: dict[int, Reviewer] = {}
    for part in raw.split(";"):
        text = part.strip()
        if not text:
            continue
        m = _REVIEWER.match(text)
        if m is None or "de" in m.group(2).split(","):
            raise ConfigError(
                "LOTSE_REVIEWERS must look like 111:tr,ku:Aylin;222:ar,fa (Telegram user id, "
                "the languages they review, other than de, optionally a short name); "
                f"got {text[:40]!r}"
            )
        name = (m.group(3) or "").strip() or f"reviewer {m.group(1)}"
        found[int(m.group(1))] = Reviewer(name, tuple(m.group(2).split(",")))
    return found


def load_settings(environ: Mapping[str, str], dotenv: Path | None = None) -> Settings:
    """Build Settings from ``environ``, with values from ``dotenv`` filling the gaps."""
    merged: dict[str, str] = dict(read_dotenv(dotenv)) if dotenv else {}
    merged.update({k: v for k, v in environ.items() if v != ""})
    level = merged.get("LOTSE_LOG_LEVEL", "INFO").strip().upper()
    if level not in _LOG_LEVELS:
        raise ConfigError(f"LOTSE_LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}")
    staff = _staff(merged.get("LOTSE_STAFF_IDS", ""))
    staff_chat_raw = merged.get("LOTSE_STAFF_CHAT", "").strip()
    webhook_url = _webhook_url(merged.get("LOTSE_WEBHOOK_URL"))
    secret = merged.get("LOTSE_WEBHOOK_SECRET") or None
    if webhook_url and (not secret or not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret)):
        raise ConfigError(
            "LOTSE_WEBHOOK_SECRET must be set with LOTSE_WEBHOOK_URL: 16-256 characters of "
            "A-Z, a-z, 0-9, _ and -"
        )
    rate_raw = merged.get("LOTSE_RATE_LIMIT", "on").strip().lower()
    if rate_raw not in ("on", "off"):
        raise ConfigError("LOTSE_RATE_LIMIT must be 'on' or 'off'")
    defaults = Settings()
    db_raw = merged.get("LOTSE_DB", "").strip()
    db_url = db_raw if db_raw.startswith(("postgresql://", "postgres://")) else None
    # A PostgreSQL URL needs LOTSE_SALT for the bot (Storage.open says so), not for the
    # staff commands, which make no user keys.
    return Settings(
        token=_token(merged.get("TELEGRAM_BOT_TOKEN")),
        api_base_url=merged.get("TELEGRAM_API_BASE_URL") or TELEGRAM_BASE_URL,
        db_path=defaults.db_path if db_url else _path(merged, "LOTSE_DB", defaults.db_path),
        db_url=db_url,
        knowledge_dir=_path(merged, "LOTSE_KNOWLEDGE_DIR", defaults.knowledge_dir),
        locales_dir=_path(merged, "LOTSE_LOCALES_DIR", defaults.locales_dir),
        log_level=level,
        salt=_salt(merged.get("LOTSE_SALT")),
        salt_file=(
            _path(merged, "LOTSE_SALT_FILE", PROJECT_ROOT)
            if merged.get("LOTSE_SALT_FILE", "").strip()
            else None
        ),
        retention_days=_int(
            merged, "LOTSE_RETENTION_DAYS", defaults.retention_days, *RETENTION_DAYS
        ),
        min_group=_int(merged, "LOTSE_MIN_GROUP", defaults.min_group, MIN_GROUP_FLOOR),
        staff_ids=frozenset(staff),
        staff_names=staff,
        reviewers=_reviewers(merged.get("LOTSE_REVIEWERS", "")),
        staff_chat=_int(merged, "LOTSE_STAFF_CHAT", 0) if staff_chat_raw else None,
        rate_limit=rate_raw == "on",
        webhook_url=webhook_url,
        webhook_secret=secret,
        webhook_listen=merged.get("LOTSE_WEBHOOK_LISTEN") or defaults.webhook_listen,
        webhook_port=_int(merged, "LOTSE_WEBHOOK_PORT", defaults.webhook_port, *PORTS),
        bot_username=bot_username(merged.get("LOTSE_BOT_USERNAME", "")),
    )
