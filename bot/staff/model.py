"""The staff report as plain values: period, rows, trends, notes. Staff layer; pure.

A ``Report`` is built already suppressed (``bot.staff.report`` with ``bot.staff.privacy``);
every output (text, HTML page, chart, export, quarter workbook, digest) only renders one.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.i18n import language_name
from bot.knowledge.model import Knowledge

DEFAULT_DAYS = 7
NO_TOWN = "ohne Ort"
_QUARTER = re.compile(r"(\d{4})-?Q([1-4])", re.IGNORECASE)


def german_date(day: dt.date) -> str:
    """A date as German staff write it: 24.11.2026."""
    return day.strftime("%d.%m.%Y")


@dataclass(frozen=True)
class Filters:
    """Which feedback a report covers: a period of days (inclusive), a town, a language."""

    since: dt.date | None = None
    until: dt.date | None = None
    town: str | None = None
    lang: str | None = None

    @classmethod
    def last_days(cls, today: dt.date, days: int = DEFAULT_DAYS) -> Filters:
        """The ``days`` days up to and including ``today``."""
        return cls(since=today - dt.timedelta(days=days - 1), until=today)

    @classmethod
    def quarter(cls, text: str) -> Filters:
        """A calendar quarter such as ``2026Q4``; ValueError for anything else."""
        match = _QUARTER.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"not a quarter: {text!r} (expected e.g. 2026Q4)")
        year, q = int(match[1]), int(match[2])
        since = dt.date(year, 3 * q - 2, 1)
        until = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
        return cls(since=since, until=until)

    @property
    def narrowed(self) -> bool:
        """Whether the report is limited to a town or a language."""
        return self.town is not None or self.lang is not None

    def previous(self) -> Filters | None:
        """The period of the same length just before this one (None without a start)."""
        if self.since is None or self.until is None:
            return None
        length = (self.until - self.since).days + 1
        until = self.since - dt.timedelta(days=1)
        return Filters(until - dt.timedelta(days=length - 1), until, self.town, self.lang)

    def bounds(self) -> tuple[str, str]:
        """The first and last day as ISO text, open ends as the widest strings."""
        return (
            self.since.isoformat() if self.since else "",
            self.until.isoformat() if self.until else "9999",
        )

    def describe(self) -> str:
        """The period in German, for headings."""
        since = german_date(self.since) if self.since else "Beginn"
        until = german_date(self.until) if self.until else "heute"
        return f"{since} bis {until}"


@dataclass(frozen=True)
class Trend:
    """A figure against the same figure in the previous period."""

    delta: int
    percent: float | None  # None when the previous figure was 0

    @classmethod
    def between(cls, current: int, previous: int) -> Trend:
        """The change from ``previous`` to ``current``."""
        delta = current - previous
        return cls(delta, delta / previous * 100 if previous else None)

    def text(self) -> str:
        """How staff read it: "+3 (+25 %)", "−2 (−40 %)", "±0", "neu"."""
        if self.delta == 0:
            return "±0"
        if self.percent is None:
            return "neu"
        sign = "+" if self.delta > 0 else "−"
        return f"{sign}{abs(self.delta)} ({sign}{abs(round(self.percent))} %)"


@dataclass(frozen=True)
class Row:
    """One line of a table. ``count`` is None when the group is too small to show."""

    key: str
    label: str
    count: int | None
    share: float | None = None  # the helpful share, only for groups shown with their count
    needs: int | None = None  # a second figure: unmet needs, or "none fits"
    masked: bool = False  # hidden although not small, so that totals do not give others away
    needs_masked: bool = False
    previous: int | None = None  # the figure in the previous period, when shown
    trend: Trend | None = None  # only between two shown figures (privacy rule 7)
    at_least: int | None = None  # a masked row's lower bound from its shown sub-rows
    place: str = ""  # where (gaps: the town)
    detail: str = ""  # what (gaps: what is missing)


@dataclass(frozen=True)
class Note:
    """One scrubbed note, with its language named: never its day, town or service."""

    lang: str
    text: str


@dataclass(frozen=True)
class NoteGroup:
    """The notes on one answer, under its topic."""

    topic: str
    node_id: str
    label: str
    notes: tuple[Note, ...]
    more: bool = False  # more notes exist than are listed


@dataclass(frozen=True)
class Report:
    """Everything a staff report shows, already suppressed."""

    filters: Filters
    min_group: int
    previous: Filters | None
    rated: Row
    overview: tuple[Row, ...]
    by_topic: tuple[Row, ...]
    by_node: tuple[Row, ...]
    by_service: tuple[Row, ...]
    least_helpful: tuple[Row, ...]
    none_fits: tuple[Row, ...]
    no_result: Row
    queries: tuple[Row, ...]
    weak: tuple[Row, ...]
    by_lang: tuple[Row, ...]
    by_town: tuple[Row, ...]
    screens: tuple[Row, ...] = ()
    cards: tuple[Row, ...] = ()
    emergencies: tuple[Row, ...] = ()
    languages: tuple[Row, ...] = ()
    gaps: tuple[Row, ...] = ()
    lacking_topics: tuple[Row, ...] = ()
    lacking_towns: tuple[Row, ...] = ()
    translations: tuple[Row, ...] = ()  # bot.staff.upkeep: the office's work, not users
    service_checks: tuple[Row, ...] = ()
    notes: tuple[NoteGroup, ...] = ()
    remarks: tuple[str, ...] = field(default=())

    def small(self) -> str:
        """How a suppressed count reads."""
        return f"< {self.min_group}"

    def count_text(self, row: Row) -> str:
        """A row's count as shown: the number, "< 5", "≥ 7" (a masked roll-up), "verdeckt"."""
        if row.count is not None:
            return str(row.count)
        if row.at_least:
            return f"≥ {row.at_least}"
        return "verdeckt" if row.masked else self.small()

    def need_text(self, row: Row) -> str:
        """A row's second figure as shown."""
        if row.needs is not None:
            return str(row.needs)
        return "verdeckt" if row.needs_masked else self.small()

    def notes_by_topic(self) -> Iterator[tuple[str, list[NoteGroup]]]:
        """The note groups under their topics, in the report's order."""
        for topic, groups in itertools.groupby(self.notes, key=lambda g: g.topic):
            yield topic, list(groups)

    @property
    def n_notes(self) -> int:
        """How many notes the report lists."""
        return sum(len(group.notes) for group in self.notes)


def percent(share: float | None) -> str:
    """A share as a whole percentage, or "–" when it is not shown."""
    return "–" if share is None else f"{round(share * 100)} %"


def trend_text(row: Row) -> str:
    """A row's trend as shown, or "–"."""
    return row.trend.text() if row.trend is not None else "–"


class Labels:
    """Names for ids, from the knowledge; an id stays as it is when nothing is known."""

    def __init__(self, knowledge: Knowledge | None = None) -> None:
        self.nodes = {k: n.title for k, n in knowledge.nodes.items()} if knowledge else {}
        self.services = {k: s.name for k, s in knowledge.services.items()} if knowledge else {}
        self.towns = {k: t.name for k, t in knowledge.towns.items()} if knowledge else {}
        self._langs: dict[str, str] = {}

    def node(self, node_id: str | None) -> str:
        """A node's title."""
        if not node_id:
            return "–"
        return self.nodes.get(node_id, node_id)

    def service(self, service_id: str | None) -> str:
        """A service's name."""
        if not service_id:
            return "–"
        return self.services.get(service_id, service_id)

    def town(self, town_id: str | None) -> str:
        """A town's name."""
        if not town_id:
            return NO_TOWN
        return self.towns.get(town_id, town_id)

    def lang(self, code: str) -> str:
        """A language's German name with its code, e.g. "Türkisch (tr)"."""
        if code not in self._langs:
            name = language_name(code, "de")
            self._langs[code] = f"{name} ({code})" if name != code else code
        return self._langs[code]
