"""Write reviewed translations into the catalogs and service checks into services.yaml.

Staff layer: files only, no database, no Telegram. Both writers are idempotent and change
nothing but the entries concerned: a catalog is read and written with Babel at the width
``make catalogs`` uses (a round trip leaves it byte for byte the same), and services.yaml
is edited line by line, so its comments, order and formatting stay as they are.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import write_po

from bot.i18n import DRAFT_MARK, KNOWLEDGE_DOMAIN, read_catalog

PO_WIDTH = 99  # as `make catalogs` writes them
REVIEWED_MARK = "reviewed:"
NOTE_MAX = 500


class Verdict(StrEnum):
    """What a reviewer said of a translation (stored as the value)."""

    APPROVED = "approved"
    CORRECTED = "corrected"


class ReportKind(StrEnum):
    """What staff said of a service (stored as the value)."""

    CHECKED = "checked"  # checked with the provider today
    WRONG = "wrong"  # something is wrong: a note for the editor
    GONE = "gone"  # the service no longer exists


@dataclass(frozen=True)
class Decision:
    """A reviewer's verdict on one translation."""

    lang: str
    domain: str
    key: str
    source: str
    text: str
    verdict: Verdict
    reviewer: int
    day: dt.date


@dataclass(frozen=True)
class ServiceReport:
    """What staff said about one service."""

    service: str
    kind: ReportKind
    staff: int
    day: dt.date
    note: str = ""


@dataclass
class Outcome:
    """What an apply run changed, and what it left alone and why."""

    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _find(catalog: Catalog, domain: str, key: str) -> Message | None:
    if domain != KNOWLEDGE_DOMAIN:
        found = catalog.get(key)
        return found if found is not None and not isinstance(found.id, tuple) else None
    return next((m for m in catalog if m.context == key), None)


def _apply_one(message: Message, decision: Decision, name: str) -> bool:
    """Set the reviewed text and its marks; whether anything changed."""
    comments = list(message.user_comments)
    is_draft = any(c.strip().lower().startswith(DRAFT_MARK) for c in comments)
    if message.string == decision.text and not is_draft and not message.fuzzy:
        return False
    message.string = decision.text
    kept = [c for c in comments if not c.strip().lower().startswith((DRAFT_MARK, REVIEWED_MARK))]
    message.user_comments = [*kept, f"{REVIEWED_MARK} {name}, {decision.day.isoformat()}"]
    message.flags.discard("fuzzy")
    message.previous_id = []
    return True


def apply_reviews(
    locales: Path, decisions: Iterable[Decision], names: Mapping[int, str]
) -> Outcome:
    """Write approved and corrected translations into ``locales/<lang>/LC_MESSAGES``."""
    outcome = Outcome()
    by_file: dict[tuple[str, str], list[Decision]] = {}
    for d in decisions:
        by_file.setdefault((d.lang, d.domain), []).append(d)
    for (lang, domain), items in sorted(by_file.items()):
        path = locales / lang / "LC_MESSAGES" / f"{domain}.po"
        if not path.is_file():
            outcome.skipped.extend(f"{lang}/{domain}: {d.key}: no catalog" for d in items)
            continue
        catalog = read_catalog(path, lang)
        changed = False
        # The latest decision about an entry wins.
        for d in sorted(items, key=lambda d: d.day):
            label = f"{lang}/{domain}: {d.key[:60]}"
            message = _find(catalog, domain, d.key)
            if message is None:
                outcome.skipped.append(f"{label}: not in the catalog any more")
            elif str(message.id) != d.source:
                outcome.skipped.append(f"{label}: the source changed since the review")
            elif _apply_one(message, d, names.get(d.reviewer, f"reviewer {d.reviewer}")):
                outcome.changed.append(f"{label} ({d.verdict})")
                changed = True
            else:
                outcome.unchanged.append(label)
        if changed:
            buffer = io.BytesIO()
            write_po(buffer, catalog, width=PO_WIDTH, include_previous=True)
            path.write_bytes(buffer.getvalue())
    return outcome


# -- services.yaml ------------------------------------------------------------------------

_ITEM = re.compile(r"^(?P<indent> *)- id: *(?P<id>[\w-]+) *$")
_FIELD = re.compile(r"^(?P<indent> +)(?P<name>\w+):(?P<rest>.*)$")


def _blocks(lines: list[str]) -> dict[str, tuple[int, int, int]]:
    """Each service's first line, end (exclusive, trailing blanks left out) and field indent."""
    found: dict[str, tuple[int, int, int]] = {}
    starts = [(i, m) for i, line in enumerate(lines) if (m := _ITEM.match(line.rstrip("\n")))]
    for n, (i, m) in enumerate(starts):
        dash = len(m.group("indent"))
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        j = i + 1
        while j < end:
            text = lines[j].rstrip("\n")
            if text.strip() and len(text) - len(text.lstrip()) <= dash:
                break
            j += 1
        while j > i + 1 and not lines[j - 1].strip():
            j -= 1
        found[m.group("id")] = (i, j, dash + 2)
    return found


def _field_line(lines: list[str], start: int, end: int, indent: int, name: str) -> int | None:
    for i in range(start + 1, end):
        m = _FIELD.match(lines[i].rstrip("\n"))
        if m and len(m.group("indent")) == indent and m.group("name") == name:
            return i
    return None


def _set(lines: list[str], block: tuple[int, int, int], name: str, value: str, after: str) -> int:
    """Set ``name: value`` in a block (inserted after the field ``after``); lines added."""
    start, end, indent = block
    line = f"{' ' * indent}{name}: {value}\n"
    at = _field_line(lines, start, end, indent, name)
    if at is not None:
        lines[at] = line
        return 0
    anchor = _field_line(lines, start, end, indent, after)
    lines.insert((anchor if anchor is not None else end - 1) + 1, line)
    return 1


def _report_line(report: ServiceReport, name: str) -> str:
    if report.kind == ReportKind.GONE:
        what = "this service no longer exists"
    else:
        what = " ".join(report.note.split())[:NOTE_MAX]
    return f"{report.day.isoformat()}, {name}: {what}"


def _add_reported(lines: list[str], block: tuple[int, int, int], item: str) -> bool:
    """Add ``item`` under the block's ``reported:`` list (made if missing); whether added."""
    start, end, indent = block
    quoted = json.dumps(item, ensure_ascii=False)  # a JSON string is a YAML scalar
    entry = f"{' ' * (indent + 2)}- {quoted}\n"
    at = _field_line(lines, start, end, indent, "reported")
    if at is None:
        lines[end:end] = [f"{' ' * indent}reported:\n", entry]
        return True
    j = at + 1
    while j < end and lines[j].startswith(" " * (indent + 2)) and lines[j].strip():
        if lines[j] == entry:
            return False
        j += 1
    lines.insert(j, entry)
    return True


def apply_checks(
    text: str, reports: Iterable[ServiceReport], names: Mapping[int, str]
) -> tuple[str, Outcome]:
    """services.yaml's text with the checks and reports written in; what changed."""
    lines = text.splitlines(keepends=True)
    outcome = Outcome()
    for report in sorted(reports, key=lambda r: (r.day, r.service, r.kind)):
        blocks = _blocks(lines)
        block = blocks.get(report.service)
        label = f"{report.service}: {report.kind}"
        if block is None:
            outcome.skipped.append(f"{label}: not in services.yaml any more")
            continue
        before = list(lines)
        name = names.get(report.staff, f"staff {report.staff}")
        if report.kind == ReportKind.CHECKED:
            at = _field_line(lines, *block, "verified")
            current = lines[at].split(":", 1)[1].strip() if at is not None else ""
            if current < report.day.isoformat():
                _set(lines, block, "verified", report.day.isoformat(), "status")
            block = _blocks(lines)[report.service]
            _set(lines, block, "verified_how", "provider", "verified")
            block = _blocks(lines)[report.service]
            _set(lines, block, "status", "confirmed", "towns")
        else:
            _add_reported(lines, block, _report_line(report, name))
        (outcome.changed if lines != before else outcome.unchanged).append(label)
    return "".join(lines), outcome
