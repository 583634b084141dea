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

from bot.staff.report import Report, Row, percent

FORMATS = ("csv", "xlsx", "jsonl")
KEYS = ("table", "key", "label", "count", "helpful", "unmet", "text")
HEADERS = ("Tabelle", "Schlüssel", "Bezeichnung", "Anzahl", "Hilfreich", "Unerfüllt", "Text")
TOTAL, COMMENT, QUERY = "Gesamt", "Kommentar", "Suchanfrage"
# Excel and LibreOffice start a formula with these (full-width forms included); tab and
# carriage return at the start can shift what they parse.
_FORMULA = "=+\\-@＝＋－＠"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# A formula character after something a spreadsheet may treat as a cell boundary.
_INSIDE = re.compile(rf"([,;\t\r\n|]\s*)([{_FORMULA}])")
XLSX_MAX_ROWS = 1_048_576

Cell = str | int | None
Record = tuple[str, str, str, Cell, str, Cell, str]


def neutralise(value: str) -> str:
    """Make ``value`` inert in a spreadsheet, at its start and after every separator."""
    value = _INSIDE.sub(r"\1'\2", value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _count(report: Report, row: Row) -> Cell:
    return row.count if row.count is not None else report.count_text(row)


def _needs(report: Report, row: Row) -> Cell:
    return row.needs if row.needs is not None else report.need_text(row)


def records(report: Report) -> Iterator[Record]:
    """The report's tables, row by row, then its notes and search texts."""
    yield (TOTAL, "", "Bewertete Antworten", _count(report, report.rated),
           percent(report.rated.share), None, "")  # fmt: skip
    yield (TOTAL, "", "Suchen ohne Ergebnis", _count(report, report.no_result), "", None, "")
    tables: tuple[tuple[str, tuple[Row, ...], bool], ...] = (
        ("Thema", report.by_topic, False),
        ("Antwort", report.by_node, False),
        ("Angebot", report.by_service, False),
        ("Nichts davon passt", report.none_fits, False),
        ("Sprache", report.by_lang, True),
        ("Ort", report.by_town, True),
    )
    for table, rows, with_needs in tables:
        for row in rows:
            share = percent(row.share) if row.share is not None else ""
            needs = _needs(report, row) if with_needs else None
            yield (table, row.key, row.label, _count(report, row), share, needs, "")
    for row in report.queries:
        yield (QUERY, "", "", _count(report, row), "", None, row.label)
    for group in report.comments:
        for text in group.texts:
            yield (COMMENT, group.node_id, group.label, None, "", None, text)


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
