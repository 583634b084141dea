"""Search quality and speed: top-1/top-3 accuracy per language on the labelled queries, the
share of out-of-scope queries that wrongly find something, query latency on the real
knowledge, build time and latency on 10,000 synthetic entries.

Run: ``.venv/bin/python -m benchmarks.bench_search``. Reads the knowledge and catalogs; writes
nothing. Not part of ``make test`` (tests/test_search.py keeps the accuracy floor).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from bot.i18n import LANGUAGES, Catalogs, Entry, LanguageCatalog
from bot.knowledge import load_knowledge
from bot.knowledge.conventions import msgctxt
from bot.knowledge.model import ROOT, Knowledge, Node, Service, Where
from bot.search import Hit, SearchIndex

QUERIES = PROJECT_ROOT / "tests" / "data" / "search_queries.yaml"
# Written by people who did not write the search (see the file's head).
INDEPENDENT = PROJECT_ROOT / "tests" / "data" / "search_queries_independent.yaml"
QUERY_FILES = (QUERIES, INDEPENDENT)
TODAY = dt.date(2026, 11, 30)
SYNTHETIC_ENTRIES = 10_000
SYNTHETIC_LANGUAGES = ("de", "en", "tr", "ar", "ru")


@dataclass(frozen=True)
class Query:
    """A labelled query: what someone typed, and the ids that answer it (none: out of scope)."""

    lang: str
    text: str
    expect: frozenset[str]
    source: str = ""
    # For an out-of-scope query: "not here, ask …" entries that answer it honestly (labelled
    # explicitly; finding nothing is right too).
    honest: frozenset[str] = frozenset()

    def misleads(self, hits: Sequence[Hit]) -> bool:
        """Whether an out-of-scope query found something other than an honest "not here"."""
        return bool(hits) and hits[0].id not in self.honest


@dataclass(frozen=True)
class Score:
    """Accuracy of one language: on queries with an answer, and on those without."""

    total: int
    top1: int
    top3: int
    # out-of-scope queries (nothing should be found), and how many found something
    outside: int = 0
    false_hits: int = 0

    def share(self, hits: int) -> float:
        """``hits`` as a share of the total."""
        return hits / self.total if self.total else 0.0


def load_queries(paths: Sequence[Path] = QUERY_FILES) -> list[Query]:
    """Every labelled query of ``paths``, language by language."""
    queries: list[Query] = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        queries.extend(
            Query(
                lang,
                str(item["q"]),
                frozenset(item["expect"]),
                path.name,
                frozenset(item.get("honest", ())),
            )
            for lang, items in data["queries"].items()
            for item in items
        )
    return queries


def rank_of(hits: Sequence[Hit], expect: frozenset[str]) -> int | None:
    """The 1-based rank of the first hit that answers, or None."""
    for rank, hit in enumerate(hits, start=1):
        if hit.id in expect:
            return rank
    return None


def evaluate(index: SearchIndex, queries: Sequence[Query]) -> dict[str, Score]:
    """Accuracy and false hits per language, and over all (key ``all``)."""
    counts: dict[str, list[int]] = {}
    for query in queries:
        hits = index.search(query.text, query.lang, limit=5, today=TODAY)
        rank = rank_of(hits, query.expect)
        for key in (query.lang, "all"):
            row = counts.setdefault(key, [0, 0, 0, 0, 0])
            if query.expect:
                row[0] += 1
                row[1] += rank == 1
                row[2] += rank is not None and rank <= 3
            else:
                row[3] += 1
                row[4] += query.misleads(hits)
    return {key: Score(*row) for key, row in counts.items()}


def misses(index: SearchIndex, queries: Sequence[Query]) -> list[tuple[Query, list[str]]]:
    """The queries whose answer is not in the top three (or that should find nothing and
    find something), with what was found instead."""
    found = []
    for query in queries:
        hits = index.search(query.text, query.lang, limit=5, today=TODAY)
        rank = rank_of(hits, query.expect)
        if (rank is None or rank > 3) if query.expect else query.misleads(hits):
            found.append((query, [h.id for h in hits[:3]]))
    return found


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    """p50 and p99 of ``samples`` in milliseconds."""
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p99 * 1000


def latencies(index: SearchIndex, queries: Sequence[Query], rounds: int = 3) -> list[float]:
    """Seconds per query, every query ``rounds`` times."""
    samples = []
    for _ in range(rounds):
        for query in queries:
            start = time.perf_counter()
            index.search(query.text, query.lang, limit=5, today=TODAY)
            samples.append(time.perf_counter() - start)
    return samples


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def synthetic(real: Knowledge, catalogs: Catalogs, entries: int, seed: int = 5) -> tuple[
    Knowledge, Catalogs
]:  # fmt: skip
    """A knowledge of ``entries`` nodes and services made of the real texts, reshuffled.

    Half nodes, half services, under 100 topics; every text is a real text (German and its
    translations) with its words shuffled and a few made-up words added, so the vocabulary
    grows the way a larger directory's would.
    """
    rng = random.Random(seed)
    nodes_src = [n for n in real.nodes.values() if n.id != ROOT]
    services_src = list(real.services.values())
    syllables = ["ka", "lo", "mi", "ne", "ber", "stadt", "hof", "ung", "rat", "dienst", "zen"]

    def made_up() -> str:
        return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))

    def shuffle(text: str) -> str:
        words = text.split()
        rng.shuffle(words)
        return " ".join([*words, *(made_up() for _ in range(3))])

    where = Where("synthetic", 0)
    half = entries // 2
    topics = [f"t{i}" for i in range(100)]
    nodes: dict[str, Node] = {}
    services: dict[str, Service] = {}
    translated: dict[str, dict[str, Entry]] = {lang: {} for lang in SYNTHETIC_LANGUAGES}

    def copy(source_ctx: str, target_ctx: str, german: str) -> str:
        text = shuffle(german)
        for lang in SYNTHETIC_LANGUAGES[1:]:
            entry = (
                catalogs.languages[lang].knowledge.get(source_ctx)
                if lang in catalogs.languages
                else None
            )
            if entry is not None:
                translated[lang][target_ctx] = replace(entry, strings=(shuffle(entry.strings[0]),))
        return text

    for i in range(half):
        service = services_src[i % len(services_src)]
        sid = f"s{i}"
        services[sid] = replace(
            service,
            id=sid,
            offers=copy(
                msgctxt("service", service.id, "offers"),
                msgctxt("service", sid, "offers"),
                service.offers,
            ),
            for_whom=copy(
                msgctxt("service", service.id, "for_whom"),
                msgctxt("service", sid, "for_whom"),
                service.for_whom,
            ),
        )
    leaves = [f"n{i}" for i in range(half - len(topics) - 1)]
    for i, node_id in enumerate([*topics, *leaves]):
        src = nodes_src[i % len(nodes_src)]
        fields = {
            name: copy(
                msgctxt("node", src.id, name), msgctxt("node", node_id, name), getattr(src, name)
            )
            for name in ("title", "text", "keywords")
        }
        children = (
            tuple(leaves[j] for j in range(i, len(leaves), len(topics))) if i < len(topics) else ()
        )
        nodes[node_id] = Node(
            node_id, fields["title"][:60], fields["text"], where, children=children,
            services=(f"s{i}", f"s{(i * 7) % half}") if i >= len(topics) else (),
            keywords=fields["keywords"],
        )  # fmt: skip
    nodes[ROOT] = Node(ROOT, "Start", "Start", where, children=tuple(topics))
    languages = {
        lang: LanguageCatalog(lang, knowledge=translated[lang]) for lang in SYNTHETIC_LANGUAGES
    }
    return Knowledge(real.towns, services, nodes), Catalogs(languages)


def _timed(build: Callable[[], SearchIndex]) -> tuple[SearchIndex, float]:
    start = time.perf_counter()
    index = build()
    return index, time.perf_counter() - start


def main() -> int:
    """Print the figures."""
    real, _ = load_knowledge(PROJECT_ROOT / "knowledge", TODAY)
    catalogs = Catalogs.load(PROJECT_ROOT / "locales")
    queries = load_queries()
    index, seconds = _timed(lambda: SearchIndex.build(real, catalogs))
    print(f"Real knowledge: {len(real.nodes)} nodes, {len(real.services)} services, ")
    print(f"  languages indexed: {', '.join(index.languages)}; build {seconds * 1000:.0f} ms")
    scores = evaluate(index, queries)
    files = ", ".join(path.name for path in QUERY_FILES)
    print(f"\nAccuracy on {len(queries)} labelled queries ({files}):")
    print(f"  {'lang':5} {'n':>4} {'top-1':>7} {'top-3':>7} {'out of scope':>13} {'found':>7}")
    for lang in [*LANGUAGES, "all"]:
        if lang in scores:
            s = scores[lang]
            print(
                f"  {lang:5} {s.total:4} {s.share(s.top1):7.1%} {s.share(s.top3):7.1%} "
                f"{s.outside:13} {s.false_hits / s.outside if s.outside else 0:7.1%}"
            )
    for path in QUERY_FILES:
        part = evaluate(index, [q for q in queries if q.source == path.name])["all"]
        print(
            f"  {path.name}: top-1 {part.share(part.top1):.1%}, top-3 {part.share(part.top3):.1%}"
            f", out of scope found {part.false_hits} of {part.outside}"
        )
    p50, p99 = percentiles(latencies(index, queries))
    print(f"\nLatency, real knowledge: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    big, big_catalogs = synthetic(real, catalogs, SYNTHETIC_ENTRIES)
    entries = len(big.nodes) + len(big.services)
    big_index, seconds = _timed(lambda: SearchIndex.build(big, big_catalogs))
    print(
        f"\nSynthetic knowledge: {entries} entries in {len(SYNTHETIC_LANGUAGES)} languages; "
        f"build {seconds:.2f} s"
    )
    _, seconds = _timed(lambda: SearchIndex.build(big))
    print(f"  German only: build {seconds:.2f} s")
    rng = random.Random(7)
    typed = [
        replace(q, text=" ".join(_typo(w, rng) for w in q.text.split()))
        for q in queries
        if q.lang in SYNTHETIC_LANGUAGES
    ]
    p50, p99 = percentiles(latencies(big_index, [*queries, *typed]))
    print(f"Latency, synthetic knowledge: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    missed = misses(index, queries)
    if missed:
        print(f"\nNot in the top three, or found when out of scope ({len(missed)}):")
        for query, found in missed:
            expected = sorted(query.expect) or "nothing"
            print(f"  {query.lang} {query.text!r}: expected {expected}, got {found}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
