"""The one table of the report's sections: every output (terminal text, HTML page, digest,
chart, export, quarter workbook) walks ``SECTIONS`` and nothing else. Staff layer; pure.

To add a section, add one ``Section`` here: its rows, its columns, whether it has a chart
and how many rows the Telegram digest shows. The notes are the one section with free
text; they follow the tables in every output (``NOTES_TITLE``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.staff.model import Report, Row, percent, trend_text

Cell = str | int | float | None
NOTES_TITLE = "Kommentare"
NOTES_EMPTY = "(keine Kommentare in diesem Zeitraum)"


class ChartKind(StrEnum):
    """What a section's bar chart shows."""

    SHARE = "share"  # the helpful share of each shown row
    COUNT = "count"  # each shown row's count, against the largest


@dataclass(frozen=True)
class Column:
    """One column after the label: its heading, its cell as text and as a spreadsheet value."""

    head: str
    text: Callable[[Report, Row], str]
    value: Callable[[Report, Row], Cell]
    numeric: bool = True


def _count_value(report: Report, row: Row) -> Cell:
    return row.count if row.count is not None else report.count_text(row)


def _need_value(report: Report, row: Row) -> Cell:
    return row.needs if row.needs is not None else report.need_text(row)


def _previous_text(report: Report, row: Row) -> str:
    if report.previous is None:
        return "–"
    return str(row.previous) if row.previous is not None else report.small()


def _previous_value(report: Report, row: Row) -> Cell:
    return row.previous if row.previous is not None else _previous_text(report, row)


COUNT = Column("Anzahl", lambda r, row: r.count_text(row), _count_value)
RATED = Column("Bewertet", lambda r, row: r.count_text(row), _count_value)
HELPFUL = Column("Hilfreich", lambda r, row: percent(row.share), lambda r, row: row.share)
PREVIOUS = Column("Vorperiode", _previous_text, _previous_value)
TREND = Column("Trend", lambda r, row: trend_text(row), lambda r, row: trend_text(row))
UNMET = Column("Unerfüllt", lambda r, row: r.need_text(row), _need_value)
THUMBS_DOWN = Column("Nicht hilfreich", lambda r, row: r.count_text(row), _count_value)
NONE_FITS = Column("Nichts passt", lambda r, row: r.need_text(row), _need_value)
OPENED = Column("Geöffnet", lambda r, row: r.count_text(row), _count_value)
PLACE = Column("Ort", lambda r, row: row.place, lambda r, row: row.place, numeric=False)
TOPIC = Column("Thema", lambda r, row: row.place, lambda r, row: row.place, numeric=False)
MISSING = Column("Was fehlt", lambda r, row: row.detail, lambda r, row: row.detail, numeric=False)

REVIEWED = Column("Geprüft", lambda r, row: str(row.count), lambda r, row: row.count)
DRAFTS = Column("Entwurf", lambda r, row: str(row.needs), lambda r, row: row.needs)
OUTDATED = Column("Veraltet", lambda r, row: row.detail, lambda r, row: int(row.detail or 0))
NUMBER = Column("Anzahl", lambda r, row: str(row.count), lambda r, row: row.count)

RATED_COLUMNS = (RATED, HELPFUL, PREVIOUS, TREND)
COUNT_COLUMNS = (COUNT, PREVIOUS, TREND)


@dataclass(frozen=True)
class Section:
    """One part of the report, as every output shows it."""

    key: str
    title: str
    head: str  # the label column's heading
    rows: Callable[[Report], Sequence[Row]]
    columns: tuple[Column, ...]
    chart: ChartKind | None = None
    chart_title: str = ""
    digest: int = 0  # rows shown in the Telegram digest (0: not there)
    digest_chart: bool = False  # drawn in the digest's picture too
    about: str = ""  # one line under the title


SECTIONS: tuple[Section, ...] = (
    Section(
        "overview", "Überblick", "Kennzahl", lambda r: r.overview, COUNT_COLUMNS,
        digest=10, about="Jede Zahl gegen den gleich langen Zeitraum davor.",
    ),
    Section(
        "topics", "Nach Thema", "Thema", lambda r: r.by_topic, RATED_COLUMNS,
        ChartKind.SHARE, "Hilfreich je Thema", digest=5, digest_chart=True,
        about="Themen zählen die Bewertungen aller ihrer Unterpunkte mit.",
    ),
    Section("answers", "Nach Antwort", "Antwort", lambda r: r.by_node, RATED_COLUMNS),
    Section("services", "Nach Angebot", "Angebot", lambda r: r.by_service, RATED_COLUMNS),
    Section(
        "least", "Am wenigsten hilfreich", "Antwort", lambda r: r.least_helpful,
        RATED_COLUMNS, digest=3,
    ),
    Section(
        "lacking_topics", "Wo es fehlt: Themen", "Thema", lambda r: r.lacking_topics,
        (THUMBS_DOWN, NONE_FITS), digest=3,
        about="Themen mit den meisten „nicht hilfreich“ (👎) und „Nichts davon passt“.",
    ),
    Section(
        "lacking_towns", "Wo es fehlt: Orte", "Ort", lambda r: r.lacking_towns,
        (THUMBS_DOWN, NONE_FITS), digest=3,
    ),
    Section(
        "none_fits", "Unerfüllte Bedarfe: „Nichts davon passt“", "Antwort",
        lambda r: r.none_fits, COUNT_COLUMNS, ChartKind.COUNT, "„Nichts davon passt“",
        digest=3, digest_chart=True,
    ),
    Section(
        "searches", "Unerfüllte Bedarfe: Suchen ohne Ergebnis", "Suchanfrage",
        lambda r: r.queries, COUNT_COLUMNS, digest=3,
        about="Gleiche Suchen zusammengefasst („Kita Platz“ = „kitaplatz“).",
    ),
    Section(
        "weak", "Schwache Antworten auf Suchen", "Suchanfrage", lambda r: r.weak,
        (TOPIC, COUNT), digest=3,
        about="Suchen, nach denen jemand „nicht hilfreich“ (👎) oder „Nichts davon passt“ wählte.",
    ),
    Section(
        "gaps", "Datenlücken × Nachfrage", "Angebot", lambda r: r.gaps,
        (PLACE, OPENED, MISSING), digest=3,
        about="Angebote mit fehlenden oder alten Angaben, je Ort nach Aufrufen geordnet.",
    ),
    Section(
        "screens", "Nutzung: Bildschirme", "Bildschirm", lambda r: r.screens, COUNT_COLUMNS,
        ChartKind.COUNT, "Meistgesehene Bildschirme",
    ),
    Section("cards", "Nutzung: Angebotskarten", "Angebot", lambda r: r.cards, COUNT_COLUMNS),
    Section(
        "emergencies", "Nutzung: Notfall-Bildschirme", "Art", lambda r: r.emergencies,
        COUNT_COLUMNS, digest=5,
    ),
    Section(
        "languages", "Nutzung: gewählte Sprachen", "Sprache", lambda r: r.languages,
        COUNT_COLUMNS, ChartKind.COUNT, "Gewählte Sprachen",
    ),
    Section(
        "by_lang", "Bewertungen nach Sprache", "Sprache", lambda r: r.by_lang,
        (RATED, HELPFUL, UNMET, TREND), digest=5,
    ),
    Section(
        "by_town", "Bewertungen nach Ort", "Ort", lambda r: r.by_town,
        (RATED, HELPFUL, UNMET, TREND),
    ),
    Section(
        "translations", "Übersetzungen: geprüft, Entwurf, veraltet", "Sprache",
        lambda r: r.translations, (REVIEWED, DRAFTS, OUTDATED),
        about="Einträge je Sprache (Oberfläche und Inhalte); geprüft heißt: von einer "
        "Muttersprachlerin bestätigt (/review, review apply).",
    ),
    Section(
        "service_checks", "Angebote: Prüfstand", "Kennzahl", lambda r: r.service_checks,
        (NUMBER,), about="Stand von knowledge/services.yaml (/verify, verify apply).",
    ),
)  # fmt: skip


def section(key: str) -> Section:
    """The section with this key."""
    return next(s for s in SECTIONS if s.key == key)
