"""``python -m bot [run]``: the bot (Telegram with a token, else the terminal); or a staff command.

Wiring: argparse subcommands; an unknown one is a usage error (exit 2), never the bot.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence

from bot.config import PROJECT_ROOT, Settings, load_settings
from bot.errors import LotseError

RUN = "run"


def setup_logging(settings: Settings) -> None:
    """Log to stderr; libraries that log personal data or the token are kept quiet."""
    from bot.logs import setup_logging as setup

    setup(settings.log_level, (settings.token, settings.salt, settings.webhook_secret))


def parser(settings: Settings) -> argparse.ArgumentParser:
    """``run`` (the default) and the staff commands, with defaults from the settings."""
    from bot.staff.cli import add_commands

    top = argparse.ArgumentParser(
        prog="python -m bot",
        description="Lotse. Without a command: run the bot (Telegram with a token, else the "
        "terminal).",
    )
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser(
        RUN, help="the bot: Telegram when TELEGRAM_BOT_TOKEN is set, else the terminal (default)"
    )
    add_commands(
        sub,
        {
            "knowledge": str(settings.knowledge_dir),
            "locales": str(settings.locales_dir),
            "db": str(settings.database),
            "min_group": str(settings.min_group),
            "retention_days": str(settings.retention_days),
            "bot_username": settings.bot_username or "",
            # Short names for the audit trail in the catalogs and services.yaml.
            "people": json.dumps(
                {
                    **{str(k): v for k, v in settings.staff_names.items()},
                    **{str(k): r.name for k, r in settings.reviewers.items()},
                }
            ),
        },
    )
    return top


def main(argv: Sequence[str], environ: Mapping[str, str]) -> int:
    """Entry point; returns the exit code (2: a usage or configuration error)."""
    try:
        settings = load_settings(environ, PROJECT_ROOT / ".env")
    except LotseError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    try:
        args = parser(settings).parse_args(list(argv))
    except SystemExit as exc:  # --help, and a mistyped command: usage, never the bot
        return exc.code if isinstance(exc.code, int) else 2
    if args.command not in (None, RUN):
        result: int = args.run(args, sys.stdout)
        return result
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
            preflight(settings.database, settings.salt, settings.salt_file)
        except LotseError as exc:
            print(f"Lotse cannot start:\n{exc}", file=sys.stderr)
            return 1

        if settings.webhook_url:
            return run_webhook(settings, core)
        return run_polling(settings, core)
    from bot.console import run_console

    try:
        # Ratings, notes and needs go into LOTSE_DB, as from Telegram.
        return run_console(core.engine, sys.stdin, sys.stdout, settings)
    except LotseError as exc:
        print(f"Lotse cannot start:\n{exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], os.environ))
