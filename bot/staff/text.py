"""The report as terminal text and as the short Telegram digest. Staff layer; pure.

Both walk ``bot.staff.sections.SECTIONS``; neither reads the database or knows a rule of
privacy: a ``Report`` is already suppressed.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.staff.model import Report, percent, trend_text
from bot.staff.privacy import Privacy
from bot.staff.sections import NOTES_EMPTY, NOTES_TITLE, SECTIONS, Section

DIGEST_LIMIT = 4096
LABEL_WIDTH = 48


def heading(report: Report) -> str:
    """The report's title line."""
    return f"Lotse – Rückmeldungen {report.filters.describe()}"


def preamble(report: Report) -> list[str]:
    """What the report covers and how hidden figures read."""
    f = report.filters
    lines = []
    if report.previous is not None:
        lines.append(f"Vergleich: {report.previous.describe()} (gleich lang, davor)")
    if f.town:
        lines.append(f"Ort: {f.town}")
    if f.lang:
        lines.append(f"Sprache: {f.lang}")
    lines.append(
        f"Gruppen mit weniger als {report.min_group} Einträgen stehen als "
        f'"{report.small()}" da; "verdeckt" schützt kleine Gruppen vor Rückrechnung; '
        '"≥ n": verdeckt, aber mindestens so viele wie die Unterpunkte zeigen.'
    )
    return lines


def _table(report: Report, part: Section) -> Iterator[str]:
    yield ""
    yield part.title
    yield "-" * len(part.title)
    if part.about:
        yield f"  {part.about}"
    rows = part.rows(report)
    if not rows:
        yield "  (keine)"
        return
    width = min(max(len(part.head), *(len(r.label) for r in rows)), LABEL_WIDTH)
    cells = [[c.text(report, r) for c in part.columns] for r in rows]
    widths = [
        max(len(c.head), *(len(line[i]) for line in cells)) for i, c in enumerate(part.columns)
    ]

    def line(label: str, values: list[str]) -> str:
        parts = [f"  {label:<{width}}"]
        for column, value, w in zip(part.columns, values, widths, strict=True):
            parts.append(f"{value:>{w}}" if column.numeric else f"{value:<{w}}")
        return "  ".join(parts).rstrip()

    yield line(part.head, [c.head for c in part.columns])
    for row, values in zip(rows, cells, strict=True):
        label = row.label if len(row.label) <= width else row.label[: width - 1] + "…"
        yield line(label, values)


def _notes(report: Report) -> Iterator[str]:
    yield ""
    yield NOTES_TITLE
    yield "-" * len(NOTES_TITLE)
    if not report.notes:
        yield f"  {NOTES_EMPTY}"
    for topic, groups in report.notes_by_topic():
        yield f"  {topic}"
        for group in groups:
            yield f"    {group.label}"
            for note in group.notes:
                yield f"      – [{note.lang}] {note.text}"
            if group.more:
                yield "      … weitere im Export"


def render_text(report: Report) -> str:
    """The whole report as terminal text, with German headings."""
    lines = [heading(report), *preamble(report)]
    for part in SECTIONS:
        lines += _table(report, part)
    lines += _notes(report)
    lines += ("", *report.remarks) if report.remarks else ()
    return "\n".join(lines) + "\n"


def digest(report: Report, limit: int = DIGEST_LIMIT) -> str:
    """A short plain-text digest for a Telegram chat (no markup), at most ``limit`` chars."""
    lines = [heading(report)]
    if report.previous is not None:
        lines.append(f"(Trend gegen {report.previous.describe()})")
    for part in SECTIONS:
        shown = [r for r in part.rows(report) if r.count][: part.digest]
        if not shown:
            continue
        lines += ["", part.title]
        for row in shown:
            extra = f", {percent(row.share)} hilfreich" if row.share is not None else ""
            trend = f" ({trend_text(row)})" if row.trend is not None else ""
            place = f" – {row.place}" if row.place else ""
            lines.append(f"• {row.label}{place}: {row.count}{extra}{trend}")
    n_notes = Privacy(report.min_group).count(report.n_notes)
    if n_notes:
        lines += ["", f"Kommentare: {n_notes} – auf der Seite im Anhang."]
    text = "\n".join(lines)
    return text if len(text) <= limit else text[: limit - 1] + "…"
