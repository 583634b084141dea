"""``python -m bot review apply`` and ``python -m bot verify apply``. Staff layer: reads the
database and writes locales/ and knowledge/services.yaml; no Telegram.

Each ends with the same checks as ``validate`` and ``translations``: exit 0 only when the
files it wrote still pass them.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from bot.knowledge.conventions import utc_today
from bot.review.apply import Decision, Outcome, ServiceReport, apply_checks, apply_reviews

SERVICES_FILE = "services.yaml"


def _names(args: argparse.Namespace) -> dict[int, str]:
    raw: Mapping[str, str] = json.loads(args.people or "{}")
    return {int(k): v for k, v in raw.items()}


async def _read(db: str, what: str) -> list[Decision] | list[ServiceReport]:
    from bot.storage import Storage

    store = await Storage.open(_target(db), keys=False)
    try:
        # Only what is not yet in the files: an entry an editor changed since stays changed.
        if what == "reviews":
            return await store.reviews(unapplied=True)
        return await store.reports(unapplied=True)
    finally:
        await store.close()


async def _mark(db: str, done: list[Decision] | list[ServiceReport]) -> None:
    from bot.storage import Storage

    store = await Storage.open(_target(db), keys=False)
    try:
        decisions = [d for d in done if isinstance(d, Decision)]
        reports = [r for r in done if isinstance(r, ServiceReport)]
        if decisions:
            await store.mark_reviews_applied(decisions, utc_today())
        if reports:
            await store.mark_reports_applied(reports, utc_today())
    finally:
        await store.close()


def _target(db: str) -> Path | str:
    return db if db.startswith(("postgresql://", "postgres://")) else Path(db)


def _has_db(args: argparse.Namespace, out: TextIO) -> bool:
    if _target(args.db) == Path(args.db) and not Path(args.db).is_file():
        out.write(f"{args.db}: keine Datenbank gefunden (LOTSE_DB)\n")
        return False
    return True


def _checks(args: argparse.Namespace, out: TextIO) -> int:
    """The same checks as ``validate`` and ``translations`` (the table only)."""
    from bot.staff.cli import cmd_translations, cmd_validate

    out.write("\n$ python -m bot validate\n")
    failed = cmd_validate(argparse.Namespace(knowledge=args.knowledge), out)
    out.write("\n$ python -m bot translations --summary\n")
    trans = argparse.Namespace(
        knowledge=args.knowledge, locales=args.locales, json=False, summary=True
    )
    return max(failed, cmd_translations(trans, out))


def cmd_review_apply(args: argparse.Namespace, out: TextIO) -> int:
    """Write approved and corrected translations into the catalogs."""
    if not _has_db(args, out):
        return 1
    chosen = [d for d in asyncio.run(_read(args.db, "reviews")) if isinstance(d, Decision)]
    outcome = apply_reviews(Path(args.locales), chosen, _names(args))
    for line in outcome.changed:
        out.write(f"written: {line}\n")
    _tell(outcome, "translation(s) written", "in the catalogs", out)
    asyncio.run(_mark(args.db, chosen))
    return _checks(args, out)


def _tell(outcome: Outcome, done: str, where: str, out: TextIO) -> None:
    for line in outcome.skipped:
        out.write(f"skipped: {line}\n")
    out.write(
        f"{len(outcome.changed)} {done}, {len(outcome.unchanged)} already {where}, "
        f"{len(outcome.skipped)} skipped\n"
    )


def cmd_verify_apply(args: argparse.Namespace, out: TextIO) -> int:
    """Write provider checks and reported problems into services.yaml."""
    if not _has_db(args, out):
        return 1
    reports = [r for r in asyncio.run(_read(args.db, "reports")) if isinstance(r, ServiceReport)]
    path = Path(args.knowledge) / SERVICES_FILE
    before = path.read_text(encoding="utf-8")
    after, outcome = apply_checks(before, reports, _names(args))
    if after != before:
        path.write_text(after, encoding="utf-8")
        diff = difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            f"a/{path.name}",
            f"b/{path.name}",
        )
        out.writelines(diff)
    _tell(outcome, f"change(s) written to {path}", "there", out)
    asyncio.run(_mark(args.db, reports))
    return _checks(args, out)


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], defaults: dict[str, str]
) -> None:
    """``review apply`` and ``verify apply``."""
    for name, run, what in (
        ("review", cmd_review_apply, "reviewed translations into locales/"),
        ("verify", cmd_verify_apply, "service checks into knowledge/services.yaml"),
    ):
        top = sub.add_parser(name, help=f"write {what}")
        actions = top.add_subparsers(dest="action", required=True)
        apply = actions.add_parser("apply", help=f"write {what} (idempotent)")
        apply.add_argument("--db", default=defaults.get("db", "var/lotse.sqlite3"))
        apply.add_argument("--knowledge", default=defaults["knowledge"])
        apply.add_argument("--locales", default=defaults.get("locales", "locales"))
        apply.add_argument(
            "--people", default=defaults.get("people", "{}"), help=argparse.SUPPRESS
        )
        apply.set_defaults(run=run)
