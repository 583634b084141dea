"""The staff command line: ``python -m bot validate`` (more commands join later). No Telegram."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.knowledge.model import ERROR, WARNING
from bot.knowledge.validate import validate
from bot.runtime import utc_today


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    """Check the knowledge files; print every problem; 1 when there are errors."""
    problems = validate(Path(args.knowledge), utc_today())
    for problem in problems:
        out.write(f"{problem}\n")
    n_errors = sum(p.severity == ERROR for p in problems)
    n_warnings = sum(p.severity == WARNING for p in problems)
    out.write(f"{n_errors} error(s), {n_warnings} warning(s) in {args.knowledge}\n")
    return 1 if n_errors else 0


def parser(defaults: dict[str, str]) -> argparse.ArgumentParser:
    """The command line, with defaults from the settings."""
    top = argparse.ArgumentParser(prog="python -m bot", description="Lotse staff tools")
    sub = top.add_subparsers(dest="command", required=True)
    validate_p = sub.add_parser("validate", help="check knowledge/ and print every problem")
    validate_p.add_argument("--knowledge", default=defaults["knowledge"])
    validate_p.set_defaults(run=cmd_validate)
    return top


def main(argv: Sequence[str], defaults: dict[str, str], out: TextIO | None = None) -> int:
    """Run a staff command; returns the exit code."""
    args = parser(defaults).parse_args(list(argv))
    result: int = args.run(args, out or sys.stdout)
    return result
