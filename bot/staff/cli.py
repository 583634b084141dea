"""The staff command line: ``python -m bot validate``, ``feedback ...``, ``flyer ...``.

Staff layer: reads knowledge and the feedback database; no Telegram. ``main`` returns the
exit code (0 fine, 1 a problem found or no database, 2 a usage error) and is called by tests.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.knowledge.conventions import utc_today
from bot.knowledge.loader import read_knowledge
from bot.knowledge.model import ERROR, WARNING, Knowledge
from bot.knowledge.validate import validate
from bot.staff.model import DEFAULT_DAYS, Filters, Report


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    """Check the knowledge files (and that the crisis model was trained on the data in the
    checkout); print every problem; 1 when there are errors."""
    from bot.crisis.data import stale_model

    problems = validate(Path(args.knowledge), utc_today())
    problems += stale_model(Path(args.knowledge))
    for problem in problems:
        out.write(f"{problem}\n")
    n_errors = sum(p.severity == ERROR for p in problems)
    n_warnings = sum(p.severity == WARNING for p in problems)
    out.write(f"{n_errors} error(s), {n_warnings} warning(s) in {args.knowledge}\n")
    return 1 if n_errors else 0


def cmd_translations(args: argparse.Namespace, out: TextIO) -> int:
    """Coverage per language and domain; 1 on a broken placeholder or a missing UI text."""
    from bot.config import PROJECT_ROOT
    from bot.staff.translations import as_json, coverage, failed, render, summary

    knowledge = read_knowledge(Path(args.knowledge)).knowledge
    results = coverage(knowledge, Path(args.locales), PROJECT_ROOT / "bot")
    if args.json:
        out.write(as_json(results) + "\n")
    else:
        render(results, out, details=not args.summary)
        for line in summary(results):
            out.write(line + "\n")
        out.write(services_line(knowledge) + "\n")
    return 1 if failed(results) else 0


def services_line(knowledge: Knowledge) -> str:
    """How many services are checked with the provider, due for a check, or reported."""
    from bot.review.queue import summary as service_summary

    s = service_summary(knowledge, {}, utc_today())
    return (
        f"services: {s.total}; checked with the provider: {s.checked}; due (older than 12 "
        f"months): {s.due}; reported: {s.reported}; never checked with the provider: {s.never}"
    )


def _knowledge(args: argparse.Namespace) -> Knowledge | None:
    """The knowledge for titles; the report still works (with ids) when it cannot be read."""
    try:
        return read_knowledge(Path(args.knowledge)).knowledge
    except (OSError, ValueError):
        return None


def _open_db(args: argparse.Namespace, out: TextIO) -> Path | str | None:
    """The database, migrated to the current schema; None (and a message) when missing.

    ``--db`` (LOTSE_DB) is a SQLite file or a postgresql:// URL.
    """
    from bot.errors import StorageError
    from bot.storage import Storage, is_postgres

    target: Path | str = args.db if is_postgres(args.db) else Path(args.db)
    if isinstance(target, Path) and not target.is_file():
        out.write(f"{target}: keine Datenbank gefunden (LOTSE_DB)\n")
        return None

    async def touch() -> None:
        store = await Storage.open(target, keys=False)
        await store.close()

    try:
        asyncio.run(touch())
    except StorageError as exc:
        out.write(f"{exc}\n")
        return None
    return target


def _filters(args: argparse.Namespace, default_days: int | None) -> Filters:
    """The period and filters from the options; without --since, the last days."""
    quarter = getattr(args, "quarter", None)
    if quarter is not None:
        q = Filters.quarter(quarter)
        return Filters(since=q.since, until=q.until, town=args.town, lang=args.lang)
    until = args.until
    since = args.since
    if default_days is not None:
        until = until or utc_today()
        since = since or until - dt.timedelta(days=default_days - 1)
    return Filters(since=since, until=until, town=args.town, lang=args.lang)


def _report(
    args: argparse.Namespace, out: TextIO, default_days: int | None = DEFAULT_DAYS
) -> Report | None:
    """The report the options ask for; None (and a message) when there is no database."""
    from bot.staff.report import build_report

    path = _open_db(args, out)
    if path is None:
        return None
    knowledge = _knowledge(args)
    report = build_report(
        path,
        _filters(args, default_days),
        knowledge=knowledge,
        min_group=args.min_group,
        today=utc_today(),
    )
    if knowledge is None:
        return report
    from bot.config import PROJECT_ROOT
    from bot.staff.upkeep import with_upkeep

    locales = Path(getattr(args, "locales", None) or PROJECT_ROOT / "locales")
    return with_upkeep(report, knowledge, locales, PROJECT_ROOT / "bot", utc_today())


def cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    """Print the report for a period, or write it as an HTML page or an XLSX workbook."""
    if args.format != "text" and not args.out:
        out.write(f"feedback report --format {args.format} braucht --out DATEI\n")
        return 2
    report = _report(args, out)
    if report is None:
        return 1
    if args.format == "xlsx":
        from bot.staff.workbook import write_workbook

        sheets = write_workbook(report, Path(args.out))
        out.write(f"Bericht geschrieben: {args.out} ({sheets} Blätter)\n")
        return 0
    if args.format == "html":
        return cmd_html(args, out, report)
    from bot.staff.text import render_text

    text = render_text(report)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        out.write(f"Bericht geschrieben: {args.out}\n")
    else:
        out.write(text)
    return 0


def cmd_html(args: argparse.Namespace, out: TextIO, report: Report | None = None) -> int:
    """Write the report as one self-contained HTML page (to --out, else standard output)."""
    from bot.staff.page import render_html

    report = report or _report(args, out)
    if report is None:
        return 1
    page = render_html(report)
    if not args.out:
        out.write(page)
        return 0
    Path(args.out).write_text(page, encoding="utf-8")
    out.write(f"Bericht geschrieben: {args.out}\n")
    return 0


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    """Export the report's tables (aggregates, as suppressed as the report) as CSV/XLSX/JSONL."""
    from bot.staff.export import records, write_csv, write_jsonl, write_xlsx

    if args.format == "xlsx" and not args.out:
        out.write("feedback export --format xlsx braucht --out DATEI.xlsx\n")
        return 2
    report = _report(args, out, default_days=None)
    if report is None:
        return 1
    rows = records(report)
    if args.format == "xlsx":
        n = write_xlsx(rows, Path(args.out))
    elif not args.out:
        (write_csv if args.format == "csv" else write_jsonl)(rows, out)
        return 0
    else:
        # The byte-order mark makes Excel read the CSV as UTF-8.
        encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
        with Path(args.out).open("w", encoding=encoding, newline="") as file:
            n = (write_csv if args.format == "csv" else write_jsonl)(rows, file)
    out.write(f"{n} Zeilen geschrieben: {args.out}\n")
    return 0


def cmd_purge(args: argparse.Namespace, out: TextIO) -> int:
    """Delete feedback older than the retention period now."""
    from bot.storage import Storage

    path = _open_db(args, out)
    if path is None:
        return 1

    async def purge() -> int:
        store = await Storage.open(path, keys=False)
        try:
            return await store.purge(args.retention_days, utc_today())
        finally:
            await store.close()

    deleted = asyncio.run(purge())
    out.write(
        f"{deleted} Einträge älter als {args.retention_days} Tage gelöscht "
        "(Rückmeldungen und unbenutzte Sprachwahlen)\n"
    )
    return 0


def cmd_flyer(args: argparse.Namespace, out: TextIO) -> int:
    """Write a printable flyer (PDF) with a QR code per topic; 2 when it cannot be made."""
    from bot.config import bot_username
    from bot.errors import LotseError
    from bot.i18n import Catalogs
    from bot.knowledge import load_knowledge
    from bot.staff.flyer import plan_flyer
    from bot.staff.flyer_pdf import render_pdf

    try:
        username = bot_username(args.bot_username or "")
        if username is None:
            out.write(
                "flyer: the bot's Telegram username is not set: put LOTSE_BOT_USERNAME=... "
                "in .env (see .env.example) or pass --bot-username\n"
            )
            return 2
        today = utc_today()
        knowledge, _ = load_knowledge(Path(args.knowledge), today)
        flyer = plan_flyer(
            knowledge,
            Catalogs.load(Path(args.locales)),
            lang=args.lang,
            topics=[part for part in args.topics.split(",") if part.strip()],
            username=username,
            size=args.size,
            today=today,
        )
        data = render_pdf(flyer)
    except LotseError as exc:
        out.write(f"flyer: {exc}\n")
        return 2
    Path(args.out).write_bytes(data)
    for note in flyer.notes:
        out.write(f"note: {note}\n")
    codes = ", ".join(topic.link for topic in flyer.topics)
    out.write(f"{args.out}: {args.size.upper()}, {flyer.lang}, {len(data) // 1024} KB; {codes}\n")
    return 0


def _flyer_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], defaults: dict[str, str]
) -> None:
    """``flyer --lang tr --topics pflege,frauen --out flyer.pdf [--size a6]``."""
    flyer = sub.add_parser("flyer", help="a printable A4 page or A6 card with a QR code per topic")
    flyer.add_argument("--lang", required=True, help="language code, e.g. tr")
    flyer.add_argument("--topics", required=True, help="topic ids, comma-separated: pflege,frauen")
    flyer.add_argument("--out", required=True, help="the PDF file to write")
    flyer.add_argument("--size", choices=("a4", "a6"), default="a4")
    flyer.add_argument(
        "--bot-username",
        default=defaults.get("bot_username", ""),
        help="the bot's Telegram username (default: LOTSE_BOT_USERNAME)",
    )
    flyer.add_argument("--knowledge", default=defaults["knowledge"])
    flyer.add_argument("--locales", default=defaults.get("locales", "locales"))
    flyer.set_defaults(run=cmd_flyer)


def _min_group(raw: str) -> int:
    """--min-group: a whole number of at least the privacy floor."""
    from bot.staff.privacy import MIN_GROUP_FLOOR

    value = int(raw)
    if value < MIN_GROUP_FLOOR:
        raise argparse.ArgumentTypeError(f"must be at least {MIN_GROUP_FLOOR}, got {value}")
    return value


def _quarter(raw: str) -> str:
    """--quarter: 2026Q4 and the like."""
    try:
        Filters.quarter(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return raw


def _retention(raw: str) -> int:
    """--retention-days: 1 to 3650, like LOTSE_RETENTION_DAYS."""
    from bot.config import RETENTION_DAYS

    value = int(raw)
    if not RETENTION_DAYS[0] <= value <= RETENTION_DAYS[1]:
        raise argparse.ArgumentTypeError(
            f"must be from {RETENTION_DAYS[0]} to {RETENTION_DAYS[1]}, got {value}"
        )
    return value


def _feedback_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], defaults: dict[str, str]
) -> None:
    """``feedback report|export|html|purge``."""
    feedback = sub.add_parser("feedback", help="read, export or purge the anonymous feedback")
    actions = feedback.add_subparsers(dest="action", required=True)

    def common(p: argparse.ArgumentParser, period: str) -> None:
        p.add_argument("--db", default=defaults.get("db", "var/lotse.sqlite3"))
        p.add_argument("--knowledge", default=defaults["knowledge"])
        p.add_argument("--min-group", type=_min_group, default=int(defaults.get("min_group", "5")))
        p.add_argument("--since", type=dt.date.fromisoformat, help=f"YYYY-MM-DD ({period})")
        p.add_argument("--until", type=dt.date.fromisoformat, help="YYYY-MM-DD (default: today)")
        p.add_argument("--town", help="town id, e.g. herten")
        p.add_argument("--lang", help="language code, e.g. tr")

    last = f"default: the last {DEFAULT_DAYS} days"
    report = actions.add_parser(
        "report", help="the report: in the terminal, or as an HTML page or XLSX workbook"
    )
    common(report, last)
    report.add_argument("--quarter", type=_quarter, help="a calendar quarter, e.g. 2026Q4")
    report.add_argument("--format", choices=("text", "html", "xlsx"), default="text")
    report.add_argument("--out", help="file to write (needed for html and xlsx)")
    report.set_defaults(run=cmd_report)
    export = actions.add_parser(
        "export", help="the report's tables, as suppressed as the report: csv (;), xlsx, jsonl"
    )
    common(export, "default: everything")
    export.add_argument("--format", choices=("csv", "xlsx", "jsonl"), default="csv")
    export.add_argument("--out", help="file to write (default: standard output)")
    export.set_defaults(run=cmd_export)
    html = actions.add_parser("html", help="the report as one self-contained HTML page")
    common(html, last)
    html.add_argument("--out", help="file to write (default: standard output)")
    html.set_defaults(run=cmd_html)
    purge = actions.add_parser("purge", help="delete feedback older than the retention now")
    purge.add_argument("--db", default=defaults.get("db", "var/lotse.sqlite3"))
    purge.add_argument(
        "--retention-days", type=_retention, default=int(defaults.get("retention_days", "365"))
    )
    purge.set_defaults(run=cmd_purge)


def parser(defaults: dict[str, str]) -> argparse.ArgumentParser:
    """The command line, with defaults from the settings."""
    top = argparse.ArgumentParser(prog="python -m bot", description="Lotse staff tools")
    add_commands(top.add_subparsers(dest="command", required=True), defaults)
    return top


def add_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], defaults: dict[str, str]
) -> None:
    """Add the staff subcommands (``python -m bot`` adds them beside ``run``)."""
    validate_p = sub.add_parser("validate", help="check knowledge/ and print every problem")
    validate_p.add_argument("--knowledge", default=defaults["knowledge"])
    validate_p.set_defaults(run=cmd_validate)
    trans = sub.add_parser("translations", help="coverage, drafts and outdated texts per language")
    trans.add_argument("--knowledge", default=defaults["knowledge"])
    trans.add_argument("--locales", default=defaults.get("locales", "locales"))
    trans.add_argument("--json", action="store_true", help="machine-readable output")
    trans.add_argument("--summary", action="store_true", help="the table only")
    trans.set_defaults(run=cmd_translations)
    _feedback_parser(sub, defaults)
    _flyer_parser(sub, defaults)
    from bot.review.cli import add_parsers as review_parsers

    review_parsers(sub, defaults)


def main(argv: Sequence[str], defaults: dict[str, str], out: TextIO | None = None) -> int:
    """Run a staff command; returns the exit code."""
    try:
        args = parser(defaults).parse_args(list(argv))
    except SystemExit as exc:  # argparse exits on --help and on usage errors
        return exc.code if isinstance(exc.code, int) else 2
    result: int = args.run(args, out or sys.stdout)
    return result
