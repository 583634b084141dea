"""``python -m bot``: run the bot (Telegram with a token, else the terminal) or a staff command."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from bot.config import PROJECT_ROOT, Settings, load_settings
from bot.errors import LotseError

STAFF_COMMANDS = frozenset({"validate", "translations", "feedback", "flyer"})


def setup_logging(settings: Settings) -> None:
    """Log to stderr; libraries that log personal data or the token are kept quiet."""
    from bot.logs import setup_logging as setup

    setup(settings.log_level, (settings.token, settings.salt, settings.webhook_secret))


def main(argv: Sequence[str], environ: Mapping[str, str]) -> int:
    """Entry point; returns the exit code."""
    try:
        settings = load_settings(environ, PROJECT_ROOT / ".env")
    except LotseError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if argv and argv[0] in STAFF_COMMANDS:
        from bot.staff.cli import main as staff_main

        return staff_main(
            argv,
            {
                "knowledge": str(settings.knowledge_dir),
                "locales": str(settings.locales_dir),
                "db": str(settings.db_path),
                "min_group": str(settings.min_group),
                "retention_days": str(settings.retention_days),
                "bot_username": settings.bot_username or "",
            },
        )
    setup_logging(settings)
    from bot.runtime import build_core

    try:
        core = build_core(settings)
    except LotseError as exc:
        print(f"Lotse cannot start:\n{exc}", file=sys.stderr)
        return 1
    if settings.token:
        from bot.storage import preflight
        from bot.tg.app import run_polling, run_webhook

        try:
            preflight(settings.db_path, settings.salt, settings.salt_file)
        except LotseError as exc:
            print(f"Lotse cannot start:\n{exc}", file=sys.stderr)
            return 1

        if settings.webhook_url:
            return run_webhook(settings, core)
        return run_polling(settings, core)
    from bot.console import run_console

    return run_console(core.engine, sys.stdin, sys.stdout)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], os.environ))
