"""The staff report: one period's figures against the previous one, suppressed. Staff layer.

``load_report`` reads grouped totals through the storage (``bot.staff.figures``) and
``assemble`` turns them into a ``Report`` with every rule of ``bot.staff.privacy`` applied,
so no output (text, page, chart, export, workbook, digest) can show what they hide.
Never imports ``telegram``; the sync ``build_report`` is for the command line only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from bot.conversation.usage import UsageKind
from bot.engine.screens import NeedKind
from bot.knowledge.conventions import utc_today
from bot.knowledge.model import CrisisKind, Knowledge
from bot.review.live import checks_for
from bot.staff.figures import Figures, read_figures
from bot.staff.gaps import rank_gaps
from bot.staff.model import Filters, Labels, Note, NoteGroup, Report, Row
from bot.staff.privacy import Privacy
from bot.staff.tables import Pair, Sums, Tables, ordered, sum_figures

if TYPE_CHECKING:
    from bot.storage import Storage

LEAST_HELPFUL = 10
NOTES_PER_ANSWER = 50
TEXTS_FILTERED = (
    "Kommentare und Suchanfragen werden nur ohne Orts- und Sprachfilter gezeigt "
    "(sonst wären sie einem Ort oder einer Sprache zuzuordnen)."
)
TEXTS_WEEKS = (
    "Kommentare und Suchanfragen stammen aus ganzen Kalenderwochen ({period}), damit "
    "keiner einem einzelnen Tag zuzuordnen ist; sie stehen ohne Tag und Ort."
)
USAGE_ALL = (
    "Nutzungszahlen (Bildschirme, Karten, Notfälle, Suchen) gelten für alle Orte und Sprachen."
)
CHECKS_PENDING = (
    "In Telegram beim Anbieter geprüft, noch nicht in knowledge/services.yaml: {n}. "
    "Die Datenlücken zählen sie schon als geprüft; `python -m bot verify apply` schreibt sie "
    "in die Datei."
)
# The overview's usage lines: (row key, label, what is counted).
USAGE_FIGURES = (
    ("screens", "Bildschirme angesehen", UsageKind.SCREEN),
    ("cards", "Angebotskarten geöffnet", UsageKind.CARD),
    ("emergency", "Notfall-Bildschirme", UsageKind.EMERGENCY),
    ("search_hit", "Suchen (Nutzung): mit Ergebnis", UsageKind.SEARCH_HIT),
    ("search_miss", "Suchen (Nutzung): ohne Ergebnis", UsageKind.SEARCH_MISS),
    ("erase", "„Chat löschen“ benutzt", UsageKind.ERASE),
)
EMERGENCY_KINDS: Mapping[str, str] = {
    CrisisKind.VIOLENCE: "Gewalt",
    CrisisKind.THREAT: "Bedrohung",
    CrisisKind.SUICIDE: "Suizidgefahr",
    CrisisKind.MEDICAL: "Medizinischer Notfall",
    CrisisKind.CHILD: "Kind in Gefahr",
}


def assemble(
    now: Figures,
    before: Figures | None,
    filters: Filters,
    *,
    knowledge: Knowledge | None = None,
    min_group: int = 5,
    today: dt.date | None = None,
    checks: Mapping[str, dt.date] | None = None,
) -> Report:
    """The suppressed report from this period's figures and the previous period's.

    ``checks``: services checked with the provider in Telegram, not yet in the YAML, by day.
    Raises ValueError for a ``min_group`` below the floor of ``bot.staff.privacy``.
    """
    privacy = Privacy(min_group)
    labels = Labels(knowledge)
    tables = Tables(privacy)

    topics: dict[str, str] = {}

    def topic(node_id: str, stored: str) -> str:
        # Rolled up by the tree, so a topic always holds its sub-topics' ratings.
        if knowledge is not None and node_id in knowledge.nodes:
            if node_id not in topics:
                topics[node_id] = knowledge.topic_of(node_id)
            return topics[node_id]
        return stored or node_id

    cur = sum_figures(now, topic)
    old = sum_figures(before, topic) if before is not None else None

    def prev(pick: Callable[[Sums], Mapping[str, Pair]]) -> Mapping[str, Pair] | None:
        return pick(old) if old is not None else None

    def prev_n(pick: Callable[[Sums], Mapping[str, int]]) -> Mapping[str, int] | None:
        return pick(old) if old is not None else None

    by_node = tables.rows(cur.nodes, labels.node, previous=prev(lambda s: s.nodes))
    pinned: Counter[str] = Counter()
    for row in by_node:
        if row.count is not None:
            pinned[cur.node_topics.get(row.key, row.key)] += row.count
    total = sum(v[0] for v in cur.nodes.values())
    helpful = sum(v[1] for v in cur.nodes.values())
    before_total = sum(v[0] for v in old.nodes.values()) if old else None
    before_helpful = sum(v[1] for v in old.nodes.values()) if old else None
    rated_count = privacy.count(total)
    rated_before = privacy.count(before_total) if before_total is not None else None
    rated = Row(
        "rated",
        "Bewertungen",
        rated_count,
        helpful / total if rated_count and total else None,
        previous=rated_before,
        trend=privacy.trend(rated_count, rated_before),
    )
    usage, usage_old = cur.usage, (old.usage if old else None)

    def used(kind: str, mapping: Mapping[str, Mapping[str, int]] | None) -> int | None:
        return None if mapping is None else sum(mapping.get(kind, {}).values())

    unhelpful_now = total - helpful
    unhelpful_old = (
        before_total - before_helpful
        if before_total is not None and before_helpful is not None
        else None
    )
    overview = (
        rated,
        tables.figure("unhelpful", "davon nicht hilfreich (👎)", unhelpful_now, unhelpful_old),
        tables.figure(
            NeedKind.NONE_FITS,
            "„Nichts davon passt“",
            sum(cur.none_fits.values()),
            sum(old.none_fits.values()) if old else None,
        ),
        tables.figure(
            NeedKind.NO_RESULT,
            "Unerfüllter Bedarf: Suche ohne Ergebnis",
            cur.no_result,
            old.no_result if old else None,
        ),
        *(
            tables.figure(key, label, used(kind, usage) or 0, used(kind, usage_old))
            for key, label, kind in USAGE_FIGURES
        ),
    )

    def usage_rows(kind: str, label: Callable[[str], str]) -> tuple[Row, ...]:
        return tables.counts(
            usage.get(kind, {}), label, None if usage_old is None else usage_old.get(kind, {})
        )

    opens = usage.get(UsageKind.CARD, {})
    gaps = []
    if knowledge is not None:
        for gap in rank_gaps(knowledge, opens, today or utc_today(), checks):
            count = privacy.count(gap.opens)
            detail = ", ".join(gap.reasons)
            gaps.append(Row(gap.service_id, gap.name, count, place=gap.town, detail=detail))
    remarks = []
    if knowledge is not None and checks:
        remarks.append(CHECKS_PENDING.format(n=len(checks)))
    if filters.narrowed:
        remarks.append(USAGE_ALL)
    if now.text_period is None:
        remarks.append(TEXTS_FILTERED)
    else:
        remarks.append(TEXTS_WEEKS.format(period=now.text_period.describe()))
    least = sorted(
        (r for r in by_node if r.share is not None and r.share < 1),
        key=lambda r: (r.share, -(r.count or 0)),
    )[:LEAST_HELPFUL]
    return Report(
        filters=filters,
        min_group=min_group,
        previous=filters.previous() if before is not None else None,
        rated=rated,
        overview=overview,
        by_topic=tables.rows(
            cur.topics, labels.node, previous=prev(lambda s: s.topics), pinned=pinned
        ),
        by_node=by_node,
        by_service=tables.rows(cur.services, labels.service, previous=prev(lambda s: s.services)),
        least_helpful=tuple(least),
        none_fits=tables.counts(cur.none_fits, labels.node, prev_n(lambda s: s.none_fits)),
        no_result=overview[3],
        queries=_searches(privacy, now.searches, before.searches if before else None),
        weak=_weak(privacy, now.weak, labels),
        by_lang=tables.rows(
            cur.langs, labels.lang, previous=prev(lambda s: s.langs), needs=cur.needs_lang
        ),
        by_town=tables.rows(
            cur.towns, labels.town, previous=prev(lambda s: s.towns), needs=cur.needs_town
        ),
        screens=usage_rows(UsageKind.SCREEN, labels.node),
        cards=usage_rows(UsageKind.CARD, labels.service),
        emergencies=usage_rows(UsageKind.EMERGENCY, lambda k: EMERGENCY_KINDS.get(k, k)),
        languages=usage_rows(UsageKind.LANGUAGE, labels.lang),
        gaps=_gap_order(gaps),
        lacking_topics=_lacking(tables, cur.unhelpful_topic, cur.none_fits_topic, labels.node),
        lacking_towns=_lacking(tables, cur.unhelpful_town, cur.none_fits_town, labels.town),
        notes=_notes(now.notes, labels, topic),
        remarks=tuple(remarks),
    )


def _gap_order(rows: list[Row]) -> tuple[Row, ...]:
    """Per town (in rank_gaps' order of towns): shown opens first, hidden by name."""
    towns: dict[str, list[Row]] = {}
    for row in rows:
        towns.setdefault(row.place, []).append(row)
    return tuple(row for group in towns.values() for row in ordered(group))


def _lacking(
    tables: Tables,
    unhelpful: Mapping[str, int],
    none_fits: Mapping[str, int],
    label: Callable[[str], str],
) -> tuple[Row, ...]:
    """Topics or towns by 👎 and "none fits" (both suppressed), most first."""
    rows = tables.rows(
        {k: (n, 0) for k, n in unhelpful.items()}, label, needs=none_fits, shares=False
    )
    return tuple(
        sorted(
            rows,
            key=lambda r: (
                r.count is None and r.needs is None,
                -((r.count or 0) + (r.needs or 0)),
                r.label.casefold(),
            ),
        )
    )


def _searches(
    privacy: Privacy, now: Iterable[tuple[str, int]], before: Iterable[tuple[str, int]] | None
) -> tuple[Row, ...]:
    """Failed searches grouped after normalisation (privacy rule 5), with their trend."""
    before_groups = {k: n for k, _, n in privacy.search_groups(dict(before))} if before else {}
    rows = []
    for key, spelling, count in privacy.search_groups(_merge(now)):
        prev = before_groups.get(key, 0) if before is not None else None
        rows.append(Row(key, spelling, count, previous=prev, trend=privacy.trend(count, prev)))
    return tuple(rows)


def _merge(pairs: Iterable[tuple[str, int]]) -> dict[str, int]:
    merged: Counter[str] = Counter()
    for text, n in pairs:
        merged[text] += n
    return dict(merged)


def _weak(
    privacy: Privacy, weak: Iterable[tuple[str, str, int]], labels: Labels
) -> tuple[Row, ...]:
    """Searches followed by 👎 or "none fits", per normalised query and topic."""
    by_topic: dict[str, Counter[str]] = defaultdict(Counter)
    for query, topic, n in weak:
        by_topic[topic][query] += n
    rows = []
    for topic, queries in by_topic.items():
        for key, spelling, count in privacy.search_groups(queries):
            rows.append(Row(f"{key}|{topic}", spelling, count, place=labels.node(topic)))
    return ordered(rows)


def _notes(
    notes: Iterable[tuple[str, str, str, str]],
    labels: Labels,
    topic: Callable[[str, str], str],
) -> tuple[NoteGroup, ...]:
    """Every note, grouped by topic and answer, each with its language (privacy rule 4)."""
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for stored, node, lang, text in notes:
        groups[(topic(node, stored), node)].append((str(lang), str(text)))
    out = []
    for (top, node), items in groups.items():
        # By language and text, never by day: the order must not date a note.
        items.sort()
        listed = tuple(Note(labels.lang(lang), text) for lang, text in items[:NOTES_PER_ANSWER])
        more = len(items) > NOTES_PER_ANSWER
        out.append(NoteGroup(labels.node(top), node, labels.node(node), listed, more))
    return tuple(sorted(out, key=lambda g: (g.topic.casefold(), g.label.casefold())))


async def load_report(
    store: Storage,
    filters: Filters,
    *,
    knowledge: Knowledge | None = None,
    min_group: int = 5,
    today: dt.date | None = None,
) -> Report:
    """Read this period and the previous one from ``store`` and assemble the report."""
    Privacy(min_group)  # refuse a bad threshold before reading anything
    now, before = await read_figures(store, filters)
    pending = checks_for(await store.reports(unapplied=True))
    checks = {sid: c.verified for sid, c in pending.items() if c.verified}
    return await asyncio.to_thread(
        assemble,
        now,
        before,
        filters,
        knowledge=knowledge,
        min_group=min_group,
        today=today,
        checks=checks,
    )


def build_report(
    db: Path | str,
    filters: Filters,
    *,
    knowledge: Knowledge | None = None,
    min_group: int = 5,
    today: dt.date | None = None,
) -> Report:
    """The report from the database at ``db`` (a SQLite path or a PostgreSQL URL). Blocking."""
    from bot.storage import Storage

    async def run() -> Report:
        store = await Storage.open(db, keys=False)
        try:
            return await load_report(
                store, filters, knowledge=knowledge, min_group=min_group, today=today
            )
        finally:
            await store.close()

    return asyncio.run(run())
