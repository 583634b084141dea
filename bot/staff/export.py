"""Export the anonymous feedback, one row per record, as CSV, XLSX or JSONL.

Staff layer: reads the SQLite file read-only; never writes it, never imports ``telegram``.
Rows that carry free text (comments, search queries) never carry a day, a town or a
language, so they cannot be joined back to a rating; they are exported only where the
report would list them too. Spreadsheet cells that a spreadsheet would run as a formula are
neutralised with a leading apostrophe.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Generator, Iterable
from contextlib import closing
from pathlib import Path
from typing import IO, TextIO

from bot.knowledge.model import Knowledge
from bot.staff.report import Filters, Labels, connect_readonly

FORMATS = ("csv", "xlsx", "jsonl")
KEYS = (
    "kind", "day", "topic", "node_id", "node_title", "service_id", "helpful", "need",
    "lang", "town", "text",
)  # fmt: skip
HEADERS = (
    "Art", "Tag", "Thema", "Knoten", "Titel", "Angebot", "Hilfreich", "Bedarf",
    "Sprache", "Ort", "Text",
)  # fmt: skip
RATING, NEED, COMMENT, QUERY = "Bewertung", "Bedarf", "Kommentar", "Suchanfrage"
# Excel and LibreOffice start a formula with these (full-width forms included), and tab or
# carriage return at the start can shift what they parse.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
XLSX_MAX_ROWS = 1_048_576

Record = tuple[str, str, str, str, str, str, int | None, str, str, str, str]


def neutralise(value: str) -> str:
    """Prefix a cell that a spreadsheet would treat as a formula with an apostrophe."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def records(
    db_path: Path,
    filters: Filters,
    *,
    knowledge: Knowledge | None = None,
    min_group: int = 5,
) -> Generator[Record, None, None]:
    """Every record in ``filters``: ratings, needs, then comments and queries (see module)."""
    labels = Labels(knowledge)
    where, params = filters.where()
    with closing(connect_readonly(db_path)) as db:
        for day, topic, node, service, helpful, lang, town in db.execute(
            "SELECT day, topic, node_id, service_id, helpful, lang, town FROM ratings "
            f"WHERE {where} ORDER BY day",
            params,
        ):
            yield (
                RATING, day, topic, node, labels.node(node), service or "", int(helpful), "",
                lang, town or "", "",
            )  # fmt: skip
        no_result = 0
        for day, kind, topic, node, lang, town in db.execute(
            f"SELECT day, kind, topic, node_id, lang, town FROM needs WHERE {where} ORDER BY day",
            params,
        ):
            no_result += kind == "no_result"
            title = labels.node(node) if node else ""
            yield (
                NEED, day, topic or "", node or "", title, "", None, kind, lang, town or "", ""
            )  # fmt: skip
        if filters.narrowed:
            return
        unhelpful = dict(
            db.execute(
                f"SELECT node_id, COUNT(*) FROM ratings WHERE {where} AND helpful = 0 "
                "GROUP BY node_id",
                params,
            ).fetchall()
        )
        for topic, node, text in db.execute(
            f"SELECT topic, node_id, text FROM comments WHERE {where} ORDER BY node_id, text",
            params,
        ):
            if unhelpful.get(node, 0) >= min_group:
                yield (COMMENT, "", topic, node, labels.node(node), "", None, "", "", "", text)
        if no_result >= min_group:
            for (query,) in db.execute(
                f"SELECT query FROM needs WHERE {where} AND kind = 'no_result' "
                "AND query IS NOT NULL ORDER BY query",
                params,
            ):
                yield (QUERY, "", "", "", "", "", None, "no_result", "", "", query)


def _cells(record: Record) -> list[str | int]:
    return [neutralise(v) if isinstance(v, str) else ("" if v is None else v) for v in record]


def write_csv(rows: Iterable[Record], out: TextIO) -> int:
    """Write CSV for German spreadsheets (semicolons); returns the number of records."""
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    n = 0
    for n, record in enumerate(rows, start=1):  # noqa: B007 - n is the count afterwards
        writer.writerow(_cells(record))
    return n


def write_jsonl(rows: Iterable[Record], out: TextIO) -> int:
    """Write one JSON object per line, values as stored (not neutralised: not a sheet)."""
    n = 0
    for n, record in enumerate(rows, start=1):  # noqa: B007 - n is the count afterwards
        item: dict[str, object] = dict(zip(KEYS, record, strict=True))
        item["helpful"] = None if record[6] is None else bool(record[6])
        out.write(json.dumps(item, ensure_ascii=False) + "\n")
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
