"""Export a staff report's tables as CSV, XLSX or JSONL: aggregates, never one row per rating.

Staff layer: renders a built (already suppressed) Report, so an export shows exactly what
the report shows and nothing finer (``bot.staff.privacy``, rule 7): no day, no row per
person, counts below LOTSE_MIN_GROUP as "< 5", notes and search texts only as the report
lists them. Never imports ``telegram``.

Spreadsheet safety: a cell that starts with a formula character, or has one right after a
separator a spreadsheet might split on (``,`` ``;`` tab, line break), gets an apostrophe
in front of it; every CSV cell is quoted.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TextIO

from bot.staff.model import Report, percent, trend_text
from bot.staff.sections import NONE_FITS, PREVIOUS, SECTIONS, UNMET

FORMATS = ("csv", "xlsx", "jsonl")
KEYS = (
    "table", "key", "label", "count", "helpful", "unmet", "previous", "trend", "place",
    "language", "text",
)  # fmt: skip
HEADERS = (
    "Tabelle", "Schlüssel", "Bezeichnung", "Anzahl", "Hilfreich", "Unerfüllt", "Vorperiode",
    "Trend", "Ort/Thema", "Sprache", "Text",
)  # fmt: skip
COMMENT = "Kommentar"
# Excel and LibreOffice start a formula with these (full-width forms included); tab and
# carriage return at the start can shift what they parse.
_FORMULA = "=+\\-@＝＋－＠"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# A formula character after something a spreadsheet may treat as a cell boundary.
_INSIDE = re.compile(rf"([,;\t\r\n|]\s*)([{_FORMULA}])")
XLSX_MAX_ROWS = 1_048_576

Cell = str | int | None
Record = tuple[str, str, str, Cell, str, Cell, Cell, str, str, str, str]


def neutralise(value: str) -> str:
    """Make ``value`` inert in a spreadsheet, at its start and after every separator."""
    value = _INSIDE.sub(r"\1'\2", value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _plain(value: str | int | float | None) -> Cell:
    return None if isinstance(value, float) else value


def records(report: Report) -> Iterator[Record]:
    """Every section's rows (``bot.staff.sections``), then the notes with their language."""
    for part in SECTIONS:
        second = next((c for c in part.columns if c in (UNMET, NONE_FITS)), None)
        for row in part.rows(report):
            count = row.count if row.count is not None else report.count_text(row)
            share = percent(row.share) if row.share is not None else ""
            needs = _plain(second.value(report, row)) if second is not None else None
            has_previous = report.previous is not None and PREVIOUS in part.columns
            previous = _plain(PREVIOUS.value(report, row)) if has_previous else None
            yield (
                part.title, row.key, row.label, count, share, needs, previous,
                trend_text(row), row.place, "", row.detail,
            )  # fmt: skip
    for group in report.notes:
        for note in group.notes:
            yield (COMMENT, group.node_id, group.label, None, "", None, None, "", group.topic,
                   note.lang, note.text)  # fmt: skip


def _cells(record: Record) -> list[str | int]:
    return [neutralise(v) if isinstance(v, str) else ("" if v is None else v) for v in record]


def write_csv(rows: Iterable[Record], out: TextIO) -> int:
    """Write CSV for German spreadsheets (semicolons, every cell quoted); the records."""
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(HEADERS)
    n = 0
    for n, record in enumerate(rows, start=1):  # noqa: B007 - n is the count afterwards
        writer.writerow(_cells(record))
    return n


def write_jsonl(rows: Iterable[Record], out: TextIO) -> int:
    """Write one JSON object per line, values as in the report (not neutralised: no sheet)."""
    n = 0
    for n, record in enumerate(rows, start=1):  # noqa: B007 - n is the count afterwards
        out.write(json.dumps(dict(zip(KEYS, record, strict=True)), ensure_ascii=False) + "\n")
    return n


def write_xlsx(rows: Iterable[Record], out: Path | IO[bytes]) -> int:
    """Write an XLSX workbook (a new sheet each time one is full); returns the records."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Rückmeldungen")
    sheet.append(HEADERS)
    used, sheets, n = 1, 1, 0
    for n, record in enumerate(rows, start=1):  # noqa: B007 - n is the count afterwards
        if used == XLSX_MAX_ROWS:
            sheets += 1
            sheet = book.create_sheet(f"Rückmeldungen {sheets}")
            sheet.append(HEADERS)
            used = 1
        sheet.append(
            [ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in _cells(record)]
        )
        used += 1
    book.save(out)
    return n
