"""The quarter report as an XLSX workbook: one sheet per section, with its chart. Staff layer.

For the office's reporting to the Land (``feedback report --quarter 2026Q4 --format xlsx``).
Renders a built (already suppressed) Report by walking ``bot.staff.sections.SECTIONS``; the
charts are the bars of ``bot.staff.chart.chart_for`` written as a small table beside the
section and drawn by the spreadsheet (a native bar chart, so staff can restyle it).

openpyxl, not XlsxWriter: it is already the export's dependency, it also reads workbooks
(the tests open what we wrote), and its native charts cover bar charts. The workbook holds
aggregates only, a few hundred rows, so XlsxWriter's speed on large sheets buys nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, TYPE_CHECKING

from bot.staff.chart import Chart, chart_for
from bot.staff.export import neutralise
from bot.staff.model import Report
from bot.staff.sections import NOTES_TITLE, SECTIONS, ChartKind
from bot.staff.text import heading, preamble

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

SHEET_NAME = 31  # Excel's limit for a sheet's name
_NOT_IN_NAME = re.compile(r"[\[\]:*?/\\]")
_CHART_COLUMN = 8  # the chart's data starts in column H


def _name(title: str, used: set[str]) -> str:
    base = _NOT_IN_NAME.sub("", title.replace("„", "").replace("“", ""))[:SHEET_NAME].strip()
    name, n = base, 2
    while name in used:
        name = f"{base[: SHEET_NAME - 3]} {n}"
        n += 1
    used.add(name)
    return name


def _safe(value: object) -> object:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", neutralise(value))
    return value


def _add_chart(sheet: Worksheet, chart: Chart, top_left: str) -> None:
    """The bars as a table in columns H and I, and a native bar chart over them."""
    from openpyxl.chart import BarChart, Reference

    column = _CHART_COLUMN
    sheet.cell(1, column, _safe(chart.title))
    sheet.cell(1, column + 1, "Anteil" if chart.kind == ChartKind.SHARE else "Anzahl")
    for i, bar in enumerate(chart.bars, start=2):
        sheet.cell(i, column, _safe(bar.label))
        value: float | int = bar.value if chart.kind == ChartKind.SHARE else int(bar.text)
        cell = sheet.cell(i, column + 1, value)
        if chart.kind == ChartKind.SHARE:
            cell.number_format = "0%"
    if not chart.bars:
        return
    drawn = BarChart()
    drawn.type = "bar"
    drawn.title = chart.title
    drawn.legend = None
    drawn.height = max(6.0, 0.7 * len(chart.bars) + 2)
    drawn.width = 18
    last = len(chart.bars) + 1
    drawn.add_data(
        Reference(sheet, min_col=column + 1, min_row=1, max_row=last), titles_from_data=True
    )
    drawn.set_categories(Reference(sheet, min_col=column, min_row=2, max_row=last))
    drawn.y_axis.delete = False
    drawn.x_axis.delete = False
    sheet.add_chart(drawn, top_left)


def write_workbook(report: Report, out: Path | IO[bytes]) -> int:
    """Write the workbook; returns how many sheets it has."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    cover = book.active
    assert cover is not None  # a new workbook always has its first sheet
    cover.title = "Bericht"
    used = {"Bericht"}
    bold = Font(bold=True)
    cover.append([_safe(heading(report))])
    cover["A1"].font = Font(bold=True, size=14)
    for line in (*preamble(report), *report.remarks):
        cover.append([_safe(line)])
    cover.append([])
    cover.append(["Blatt", "Inhalt"])
    cover.column_dimensions["A"].width = 40
    for part in SECTIONS:
        sheet = book.create_sheet(_name(part.title, used))
        cover.append([sheet.title, _safe(part.about or part.title)])
        sheet.append([part.head, *(c.head for c in part.columns)])
        for cell in sheet[1]:
            cell.font = bold
        sheet.column_dimensions["A"].width = 44
        for row in part.rows(report):
            sheet.append([_safe(row.label), *(_safe(c.value(report, row)) for c in part.columns)])
            for column, cell in zip(part.columns, sheet[sheet.max_row][1:], strict=True):
                if column.head == "Hilfreich" and isinstance(cell.value, float):
                    cell.number_format = "0%"
        if part.about:
            sheet.append([])
            sheet.append([_safe(part.about)])
        chart = chart_for(report, part)
        if chart is not None:
            _add_chart(sheet, chart, f"H{len(chart.bars) + 4}")
    notes = book.create_sheet(_name(NOTES_TITLE, used))
    notes.append(["Thema", "Antwort", "Sprache", "Kommentar"])
    for cell in notes[1]:
        cell.font = bold
    for group in report.notes:
        for note in group.notes:
            notes.append(
                [_safe(group.topic), _safe(group.label), _safe(note.lang), _safe(note.text)]
            )
    notes.column_dimensions["D"].width = 80
    book.save(out)
    return len(book.sheetnames)
