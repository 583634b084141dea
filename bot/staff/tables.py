"""Sums and suppressed tables for the staff report. Staff layer; pure.

``sum_figures`` adds one period's grouped totals up by the keys the tables use (topics
rolled up by the tree); ``Tables`` turns sums into rows with privacy rules 1 and 7 applied.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from bot.engine.screens import NeedKind
from bot.staff.figures import Figures
from bot.staff.model import Row
from bot.staff.privacy import Privacy

Pair = tuple[int, int]  # (count, helpful)


@dataclass(frozen=True)
class Sums:
    """One period's figures summed up by the keys the tables use."""

    nodes: Mapping[str, Pair]
    topics: Mapping[str, Pair]
    services: Mapping[str, Pair]
    langs: Mapping[str, Pair]
    towns: Mapping[str, Pair]
    unhelpful_topic: Mapping[str, int]
    unhelpful_town: Mapping[str, int]
    none_fits: Mapping[str, int]
    none_fits_topic: Mapping[str, int]
    none_fits_town: Mapping[str, int]
    needs_lang: Mapping[str, int]
    needs_town: Mapping[str, int]
    no_result: int
    usage: Mapping[str, Mapping[str, int]]
    node_topics: Mapping[str, str]  # each rated answer's topic, rolled up the tree


def sum_figures(figures: Figures, topic: Callable[[str, str], str]) -> Sums:
    tables: dict[str, dict[str, list[int]]] = {
        name: defaultdict(lambda: [0, 0]) for name in ("nodes", "topics", "services", "l", "t")
    }
    unhelpful_topic: Counter[str] = Counter()
    unhelpful_town: Counter[str] = Counter()
    node_topics: dict[str, str] = {}
    for g in figures.ratings:
        top = topic(g.node_id, g.topic)
        node_topics[g.node_id] = top
        keys = (("nodes", g.node_id), ("topics", top), ("l", g.lang), ("t", g.town or ""))
        for name, key in (*keys, *((("services", g.service_id),) if g.service_id else ())):
            tables[name][key][0] += g.count
            tables[name][key][1] += g.helpful
        unhelpful_topic[top] += g.count - g.helpful
        unhelpful_town[g.town or ""] += g.count - g.helpful
    none_fits: Counter[str] = Counter()
    nf_topic: Counter[str] = Counter()
    nf_town: Counter[str] = Counter()
    needs_lang: Counter[str] = Counter()
    needs_town: Counter[str] = Counter()
    no_result = 0
    for n in figures.needs:
        needs_lang[n.lang] += n.count
        needs_town[n.town or ""] += n.count
        if n.kind == NeedKind.NONE_FITS:
            none_fits[n.node_id or ""] += n.count
            nf_topic[topic(n.node_id or "", n.topic or "")] += n.count
            nf_town[n.town or ""] += n.count
        else:
            no_result += n.count
    usage: dict[str, Counter[str]] = defaultdict(Counter)
    for kind, item, count in figures.usage:
        usage[kind][item] += count

    def pairs(name: str) -> dict[str, Pair]:
        return {k: (v[0], v[1]) for k, v in tables[name].items()}

    return Sums(
        pairs("nodes"), pairs("topics"), pairs("services"), pairs("l"), pairs("t"),
        unhelpful_topic, unhelpful_town, none_fits, nf_topic, nf_town,
        needs_lang, needs_town, no_result, usage, node_topics,
    )  # fmt: skip


class Tables:
    """Suppressed rows with their previous-period figures (privacy rules 1 and 7)."""

    def __init__(self, privacy: Privacy) -> None:
        self.privacy = privacy

    def shown_previous(self, previous: Mapping[str, int] | None) -> dict[str, int | None]:
        """The previous period's figures as they would be shown (suppressed as a table)."""
        if not previous:
            return {}
        keys = sorted(previous)
        shown, _ = self.privacy.suppress([previous[k] for k in keys])
        return dict(zip(keys, shown, strict=True))

    def rows(
        self,
        groups: Mapping[str, Pair],
        labels: Callable[[str], str],
        *,
        previous: Mapping[str, Pair] | None = None,
        needs: Mapping[str, int] | None = None,
        pinned: Mapping[str, int] | None = None,
        shares: bool = True,
    ) -> tuple[Row, ...]:
        """Table rows from ``key -> (count, helpful)``, suppressed, largest first.

        ``pinned``: keys with shown sub-rows, and the sum of those (the roll-up bound).
        """
        keys = sorted(
            {k for k, v in groups.items() if v[0]} | {k for k, v in (needs or {}).items() if v}
        )
        counts = [groups.get(k, (0, 0))[0] for k in keys]
        pin = pinned or {}
        shown, masked = self.privacy.suppress(counts, {i for i, k in enumerate(keys) if k in pin})
        need_shown: list[int | None] = [None] * len(keys)
        need_masked: set[int] = set()
        if needs is not None:
            need_shown, need_masked = self.privacy.suppress([needs.get(k, 0) for k in keys])
        before = self.shown_previous({k: v[0] for k, v in (previous or {}).items()})
        rows = []
        for i, key in enumerate(keys):
            total, helpful = groups.get(key, (0, 0))
            count = shown[i]
            share = helpful / total if shares and count is not None and total else None
            prev = before.get(key, 0 if previous is not None else None)
            rows.append(
                Row(
                    key,
                    labels(key),
                    count,
                    share,
                    need_shown[i],
                    i in masked,
                    i in need_masked,
                    prev,
                    self.privacy.trend(count, prev),
                    pin.get(key) if count is None else None,
                )
            )
        return ordered(rows)

    def counts(
        self,
        counts: Mapping[str, int],
        labels: Callable[[str], str],
        previous: Mapping[str, int] | None = None,
    ) -> tuple[Row, ...]:
        """Rows of plain counts (usage, needs) with their previous figures."""
        return self.rows(
            {k: (n, 0) for k, n in counts.items()},
            labels,
            previous=None if previous is None else {k: (n, 0) for k, n in previous.items()},
            shares=False,
        )

    def figure(self, key: str, label: str, now: int, before: int | None) -> Row:
        """One key figure with its trend (privacy rule 6 for single figures)."""
        count = self.privacy.count(now)
        prev = None if before is None else self.privacy.count(before)
        return Row(key, label, count, previous=prev, trend=self.privacy.trend(count, prev))


def ordered(rows: Iterable[Row]) -> tuple[Row, ...]:
    """Shown rows by size; hidden ones after them by name, so their order tells nothing."""
    return tuple(
        sorted(rows, key=lambda r: (r.count is None, -(r.count or 0), r.label.casefold()))
    )
