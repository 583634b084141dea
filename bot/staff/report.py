"""Staff reports over the anonymous feedback: figures, terminal text, Telegram digest.

Staff layer: reads the SQLite file read-only and takes titles from the knowledge; never
writes, never imports ``telegram``. Every figure and text goes through the rules of
``bot.staff.privacy`` here, when the report is built, so no renderer (text, export, page,
chart, digest) can show what they hide: small counts are ``None`` and read "< 5".
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError

from bot.knowledge.model import Knowledge
from bot.staff.privacy import Privacy

DEFAULT_DAYS = 7
DIGEST_LIMIT = 4096
LEAST_HELPFUL = 10
TOP_QUERIES = 30
COMMENTS_PER_NODE = 50
NO_TOWN = "ohne Ort"
TEXTS_FILTERED = (
    "Kommentare und Suchanfragen werden nur ohne Orts- und Sprachfilter gezeigt "
    "(sonst wären sie einem Ort oder einer Sprache zuzuordnen)."
)
TEXTS_WEEKS = (
    "Kommentare und Suchanfragen stammen aus ganzen Kalenderwochen ({period}), damit "
    "keiner einem einzelnen Tag zuzuordnen ist."
)


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

    @property
    def narrowed(self) -> bool:
        """Whether the report is limited to a town or a language."""
        return self.town is not None or self.lang is not None

    def where(self) -> tuple[str, list[str]]:
        """The SQL condition and its ``?`` parameters."""
        clauses = ["day >= ?", "day <= ?"]
        params = [
            self.since.isoformat() if self.since else "",
            self.until.isoformat() if self.until else "9999",
        ]
        if self.town is not None:
            clauses.append("town = ?")
            params.append(self.town)
        if self.lang is not None:
            clauses.append("lang = ?")
            params.append(self.lang)
        return " AND ".join(clauses), params

    def widened_to_weeks(self) -> Filters:
        """The same filters over whole calendar weeks (privacy rule 3, for free texts)."""
        since, until = Privacy.text_period(self.since, self.until)
        return Filters(since, until, self.town, self.lang)

    def describe(self) -> str:
        """The period and filters in German, for headings."""
        since = _german_date(self.since) if self.since else "Beginn"
        until = _german_date(self.until) if self.until else "heute"
        return f"{since} bis {until}"


@dataclass(frozen=True)
class Row:
    """One line of a table. ``count`` is None when the group is too small to show."""

    key: str
    label: str
    count: int | None
    share: float | None = None  # the helpful share, only for groups shown with their count
    needs: int | None = None  # unmet needs of this language or town
    masked: bool = False  # hidden although not small, so that totals do not give others away
    needs_masked: bool = False


@dataclass(frozen=True)
class NodeComments:
    """The comments on one answer, without day, town, language or service."""

    node_id: str
    label: str
    texts: tuple[str, ...]
    more: bool  # more comments exist than are listed


@dataclass(frozen=True)
class Report:
    """Everything a staff report shows, already suppressed."""

    filters: Filters
    min_group: int
    rated: Row
    by_topic: tuple[Row, ...]
    by_node: tuple[Row, ...]
    by_service: tuple[Row, ...]
    least_helpful: tuple[Row, ...]
    none_fits: tuple[Row, ...]
    no_result: Row
    queries: tuple[Row, ...]
    by_lang: tuple[Row, ...]
    by_town: tuple[Row, ...]
    comments: tuple[NodeComments, ...]
    notes: tuple[str, ...] = field(default=())

    def small(self) -> str:
        """How a suppressed count reads."""
        return f"< {self.min_group}"

    def count_text(self, row: Row) -> str:
        """A row's count as shown: the number, or "< 5", or "verdeckt"."""
        if row.count is not None:
            return str(row.count)
        return "verdeckt" if row.masked else self.small()

    def need_text(self, row: Row) -> str:
        """A row's count of unmet needs as shown."""
        if row.needs is not None:
            return str(row.needs)
        return "verdeckt" if row.needs_masked else self.small()


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
            try:
                name = Locale.parse(code.replace("-", "_")).get_display_name("de") or code
            except (UnknownLocaleError, ValueError, TypeError):
                name = code
            self._langs[code] = f"{name} ({code})" if name != code else code
        return self._langs[code]


def topic_of(knowledge: Knowledge, node_id: str) -> str:
    """The topic (main-menu entry) a node belongs to: its ancestor just below the root."""
    current = node_id
    seen = {current}
    while (parent := knowledge.parent_of(current)) is not None and parent != knowledge.root.id:
        if parent in seen:
            break
        seen.add(parent)
        current = parent
    return current


def _rows(
    groups: Mapping[str, tuple[int, int]],
    label: Mapping[str, str],
    privacy: Privacy,
    needs: Mapping[str, int] | None = None,
) -> tuple[Row, ...]:
    """Table rows from ``key -> (count, helpful)``, suppressed, largest first."""
    keys = sorted(set(groups) | set(needs or {}))
    counts = [groups.get(k, (0, 0))[0] for k in keys]
    shown, masked = privacy.suppress(counts)
    need_shown: list[int | None] = [None] * len(keys)
    need_masked: set[int] = set()
    if needs is not None:
        need_shown, need_masked = privacy.suppress([needs.get(k, 0) for k in keys])
    rows = []
    for i, key in enumerate(keys):
        count = shown[i]
        total, helpful = groups.get(key, (0, 0))
        share = helpful / total if count is not None and total else None
        rows.append(
            Row(key, label[key], count, share, need_shown[i], i in masked, i in need_masked)
        )
    # Shown groups by size; hidden ones after them by name, so their order tells nothing.
    return tuple(
        sorted(rows, key=lambda r: (r.count is None, -(r.count or 0), r.label.casefold()))
    )


def build_report(
    db_path: Path,
    filters: Filters,
    *,
    knowledge: Knowledge | None = None,
    min_group: int = 5,
) -> Report:
    """Read the feedback database at ``db_path`` and build the suppressed report.

    Raises ValueError for a ``min_group`` below the floor of ``bot.staff.privacy``.
    """
    privacy = Privacy(min_group)
    labels = Labels(knowledge)
    where, params = filters.where()
    topics: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    nodes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    services: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    langs: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    towns: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    none_fits: Counter[str] = Counter()
    needs_lang: Counter[str] = Counter()
    needs_town: Counter[str] = Counter()
    no_result = 0
    with closing(connect_readonly(db_path)) as db:
        # One pass over the ratings, grouped finely; the tables are sums of these groups.
        for topic, node, service, lang, town, count, helpful in db.execute(
            "SELECT topic, node_id, service_id, lang, town, COUNT(*), SUM(helpful) "
            f"FROM ratings WHERE {where} GROUP BY topic, node_id, service_id, lang, town",
            params,
        ):
            for table, key in (
                (topics, topic),
                (nodes, node),
                (langs, lang),
                (towns, town or ""),
            ):
                table[key][0] += count
                table[key][1] += helpful
            if service:
                services[service][0] += count
                services[service][1] += helpful
        for kind, node, lang, town, count in db.execute(
            "SELECT kind, node_id, lang, town, COUNT(*) "
            f"FROM needs WHERE {where} GROUP BY kind, node_id, lang, town",
            params,
        ):
            needs_lang[lang] += count
            needs_town[town or ""] += count
            if kind == "none_fits":
                none_fits[node or ""] += count
            else:
                no_result += count
        notes: list[str] = []
        queries: tuple[Row, ...] = ()
        comments: tuple[NodeComments, ...] = ()
        if not privacy.texts_allowed(town=filters.town, lang=filters.lang):
            notes.append(TEXTS_FILTERED)
        else:
            weeks = filters.widened_to_weeks()
            notes.append(TEXTS_WEEKS.format(period=weeks.describe()))
            texts_where, texts_params = weeks.where()
            queries = _queries(db, texts_where, texts_params, privacy)
            unhelpful_weeks = dict(
                db.execute(
                    f"SELECT node_id, COUNT(*) FROM ratings WHERE {texts_where} AND helpful = 0 "
                    "GROUP BY node_id",
                    texts_params,
                ).fetchall()
            )
            allowed = privacy.note_nodes(unhelpful_weeks)
            comments = _comments(db, texts_where, texts_params, allowed, labels)

    pair = {k: (v[0], v[1]) for k, v in nodes.items()}
    total = sum(v[0] for v in nodes.values())
    total_helpful = sum(v[1] for v in nodes.values())
    rated = _rows({"": (total, total_helpful)}, {"": "Alle"}, privacy)[0]
    by_node = _rows(pair, {k: labels.node(k) for k in pair}, privacy)
    least = tuple(
        sorted(
            (r for r in by_node if r.share is not None and r.share < 1),
            key=lambda r: (r.share, -(r.count or 0)),
        )[:LEAST_HELPFUL]
    )
    no_result_row = _rows({"": (no_result, 0)}, {"": "Suchen ohne Ergebnis"}, privacy)[0]
    return Report(
        filters=filters,
        min_group=min_group,
        rated=rated,
        by_topic=_rows(_pairs(topics), {k: labels.node(k) for k in topics}, privacy),
        by_node=by_node,
        by_service=_rows(_pairs(services), {k: labels.service(k) for k in services}, privacy),
        least_helpful=least,
        none_fits=_rows(
            {k: (n, 0) for k, n in none_fits.items()},
            {k: labels.node(k) for k in none_fits},
            privacy,
        ),
        no_result=no_result_row,
        queries=queries,
        by_lang=_rows(
            _pairs(langs),
            {k: labels.lang(k) for k in {*langs, *needs_lang}},
            privacy,
            needs_lang,
        ),
        by_town=_rows(
            _pairs(towns),
            {k: labels.town(k) for k in {*towns, *needs_town}},
            privacy,
            needs_town,
        ),
        comments=comments,
        notes=tuple(notes),
    )


def _pairs(table: Mapping[str, list[int]]) -> dict[str, tuple[int, int]]:
    return {k: (v[0], v[1]) for k, v in table.items()}


def connect_readonly(db_path: Path) -> sqlite3.Connection:
    """Open the database read-only; a missing file is an error, not a new empty database."""
    return sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)


def _queries(
    db: sqlite3.Connection, where: str, params: list[str], privacy: Privacy
) -> tuple[Row, ...]:
    """The searches that found nothing, merged case-insensitively; only frequent ones."""
    merged: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for query, count in db.execute(
        f"SELECT query, COUNT(*) FROM needs WHERE kind = 'no_result' AND query IS NOT NULL "
        f"AND {where} GROUP BY query ORDER BY query",
        params,
    ):
        key = str(query).casefold()
        merged[key] += count
        spelling.setdefault(key, str(query))
    return tuple(
        Row(key, spelling[key], n) for key, n in privacy.frequent_texts(merged, TOP_QUERIES)
    )


def _comments(
    db: sqlite3.Connection,
    where: str,
    params: list[str],
    allowed: set[str],
    labels: Labels,
) -> tuple[NodeComments, ...]:
    """Comments on the allowed nodes, in text order (never by day: that would date them)."""
    if not allowed:
        return ()
    by_node: dict[str, list[str]] = defaultdict(list)
    more: set[str] = set()
    for node, text in db.execute(
        f"SELECT node_id, text FROM comments WHERE {where} ORDER BY node_id, text", params
    ):
        if node not in allowed:
            continue
        if len(by_node[node]) < COMMENTS_PER_NODE:
            by_node[node].append(str(text))
        else:
            more.add(node)
    groups = (
        NodeComments(node, labels.node(node), tuple(texts), node in more)
        for node, texts in by_node.items()
    )
    return tuple(sorted(groups, key=lambda g: g.label.casefold()))


def _german_date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def percent(share: float | None) -> str:
    """A share as a whole percentage, or "–" when it is not shown."""
    return "–" if share is None else f"{round(share * 100)} %"


def _table(
    report: Report, title: str, rows: Sequence[Row], head: str, needs: bool = False
) -> Iterator[str]:
    yield ""
    yield title
    yield "-" * len(title)
    if not rows:
        yield "  (keine)"
        return
    width = min(max(len(head), *(len(r.label) for r in rows)), 48)
    header = f"  {head:<{width}}  {'Bewertet':>9}  {'Hilfreich':>9}"
    yield header + (f"  {'Unerfüllt':>9}" if needs else "")
    for row in rows:
        label = row.label if len(row.label) <= width else row.label[: width - 1] + "…"
        line = f"  {label:<{width}}  {report.count_text(row):>9}  {percent(row.share):>9}"
        if needs:
            line += f"  {report.need_text(row):>9}"
        yield line


def _counts(report: Report, title: str, rows: Sequence[Row], head: str) -> Iterator[str]:
    yield ""
    yield title
    yield "-" * len(title)
    if not rows:
        yield "  (keine)"
        return
    width = min(max(len(head), *(len(r.label) for r in rows)), 60)
    yield f"  {head:<{width}}  {'Anzahl':>9}"
    for row in rows:
        label = row.label if len(row.label) <= width else row.label[: width - 1] + "…"
        yield f"  {label:<{width}}  {report.count_text(row):>9}"


def render_text(report: Report) -> str:
    """The report as terminal text, with German headings."""
    f = report.filters
    lines = [f"Lotse – Rückmeldungen {f.describe()}"]
    if f.town:
        lines.append(f"Ort: {f.town}")
    if f.lang:
        lines.append(f"Sprache: {f.lang}")
    lines.append(
        f"Gruppen mit weniger als {report.min_group} Einträgen stehen als "
        f'"{report.small()}" da; "verdeckt" schützt kleine Gruppen vor Rückrechnung.'
    )
    lines.append("")
    lines.append(
        f"Bewertete Antworten: {report.count_text(report.rated)}, "
        f"Hilfreich: {percent(report.rated.share)}"
    )
    lines.append(
        f"Unerfüllte Bedarfe – Suchen ohne Ergebnis: {report.count_text(report.no_result)}"
    )
    lines += _table(report, "Nach Thema", report.by_topic, "Thema")
    lines += _table(report, "Nach Antwort", report.by_node, "Antwort")
    lines += _table(report, "Nach Angebot", report.by_service, "Angebot")
    lines += _table(report, "Am wenigsten hilfreich", report.least_helpful, "Antwort")
    lines += _counts(
        report, 'Unerfüllte Bedarfe: "Nichts davon passt"', report.none_fits, "Antwort"
    )
    lines += _counts(
        report, "Unerfüllte Bedarfe: Suchen ohne Ergebnis", report.queries, "Suchanfrage"
    )
    lines += _table(report, "Nach Sprache", report.by_lang, "Sprache", needs=True)
    lines += _table(report, "Nach Ort", report.by_town, "Ort", needs=True)
    lines += ["", "Kommentare", "----------"]
    if not report.comments:
        lines.append(
            f"  (keine, oder zu wenige 👎 je Antwort: Kommentare stehen erst ab "
            f"{report.min_group} 👎)"
        )
    for group in report.comments:
        lines.append(f"  {group.label}")
        lines += (f"    – {text}" for text in group.texts)
        if group.more:
            lines.append("    … weitere im Export")
    lines += ("", *report.notes) if report.notes else ()
    return "\n".join(lines) + "\n"


def digest(report: Report, limit: int = DIGEST_LIMIT) -> str:
    """A short plain-text digest for a Telegram chat (no markup), at most ``limit`` chars."""
    lines = [
        f"Lotse – Rückmeldungen {report.filters.describe()}",
        f"Bewertete Antworten: {report.count_text(report.rated)}, "
        f"hilfreich: {percent(report.rated.share)}",
        f"Suchen ohne Ergebnis: {report.count_text(report.no_result)}",
    ]

    def section(title: str, rows: Sequence[Row], show_share: bool, n: int = 5) -> None:
        shown = [r for r in rows if r.count is not None][:n]
        if not shown:
            return
        lines.append("")
        lines.append(title)
        for r in shown:
            extra = f", {percent(r.share)} hilfreich" if show_share else ""
            lines.append(f"• {r.label}: {r.count}{extra}")

    section("Themen", report.by_topic, True)
    section("Am wenigsten hilfreich", report.least_helpful, True, 3)
    section("„Nichts davon passt“", report.none_fits, False, 3)
    section("Gesucht, nicht gefunden", report.queries, False, 3)
    section("Sprachen", report.by_lang, False)
    n_comments = Privacy(report.min_group).count(sum(len(g.texts) for g in report.comments))
    if n_comments:
        lines.append("")
        lines.append(f"Kommentare: {n_comments} – im Bericht (python -m bot feedback report).")
    text = "\n".join(lines)
    return text if len(text) <= limit else text[: limit - 1] + "…"
