"""Ranking: the documents, the query's words and their scores. Pure; no I/O, no Telegram.

Scores are BM25F over the fields (titles and keywords count more than texts), weighted by how
much of the query an entry covers; a keyword phrase found whole earns a bonus. A town the
query names is not scored (see :mod:`bot.search.query`): it leaves out other towns' services
and is handed on with each hit. An entry is shown only when it is about enough of the query
(``MIN_CONFIDENCE``); otherwise the search finds nothing, which the engine answers with the
topic's own numbers and keeps as an unmet need.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from dataclasses import dataclass

from bot.i18n import SOURCE, Catalogs
from bot.knowledge.conventions import ContentKind, msgctxt
from bot.knowledge.model import ROOT, Area, Knowledge
from bot.search.index import Builder, LanguageIndex, Shared
from bot.search.query import TownNames, Word, analyse

NODE: ContentKind = "node"
SERVICE: ContentKind = "service"
ENGLISH = "en"

# Field weights: a word in a title or keyword says more about a node than one in its text.
NODE_FIELDS = {"title": 3.0, "keywords": 2.5, "text": 0.6}
SERVICE_FIELDS = {"name": 2.5, "offers": 1.0, "for_whom": 0.6}
# Nodes are where people find their way; a service ranks just below an equal node.
SERVICE_FACTOR = 0.85
# A near word counts similarity**FUZZY_POWER: one typo in ten letters keeps 73 %, two 51 %.
FUZZY_POWER = 3
# A word that no index knows ("Kita" in most languages, "Jobcenter") counts like a word found
# in one entry: it is part of what was asked, and no entry answers it.
UNKNOWN_SHARE = 1.0
# Results below this share of the best score are noise; below MIN_SCORE nothing is relevant.
RELATIVE_CUT = 0.25
MIN_SCORE = 1.0
# The confidence that an entry answers the query: the share of the query's weight (words
# nothing knows included) that the entry is about, by its title, name or keywords. Below it
# the entry answers only part of the question, or only mentions it ("Kita Platz": "Platz"
# of "Platz im Frauenhaus", "Kita" in a text): "nothing found" is the honest answer, and the
# query is kept as an unmet need. Set on the labelled queries (benchmarks/bench_search.py).
MIN_CONFIDENCE = 0.2
# The best entries (before phrases) whose keyword phrases are looked at: six times the
# results shown (on the labelled queries, 20 gave the same answers as all).
PHRASE_CANDIDATES = 30
# A word found in thousands of entries (a very common word in a large directory) adds its
# score to its best entries only: the rest would change the order little and cost time.
MAX_POSTINGS = 1000
FOREVER = dt.date.max


@dataclass(frozen=True)
class Hit:
    """One search result: a node, or a service to open from ``node_id``.

    ``town`` is the town the query named, if it named one: a node that lists services by
    town opens with that town's.
    """

    kind: ContentKind
    id: str
    node_id: str
    score: float
    town: str | None = None


@dataclass(frozen=True)
class Ranked:
    """An entry's score for a query, the share of the query's weight it covers, and the share
    it is about (the words in its title, name or keywords, or most of a keyword phrase)."""

    score: float
    coverage: float
    about: float
    doc: int


@dataclass
class _Doc:
    kind: ContentKind
    id: str
    # Nodes that list the service (breadth-first from the main menu) and until when each is
    # visible; for a node, the node itself.
    places: tuple[tuple[str, dt.date], ...]
    # For a service of some towns only, those towns (None: everywhere, or a node).
    towns: tuple[str, ...] | None = None

    def node_on(self, today: dt.date | None) -> str | None:
        """The first place visible on ``today`` (any place when None)."""
        for node_id, until in self.places:
            if today is None or today <= until:
                return node_id
        return None


class SearchIndex:
    """Every visible node and service, searchable in German, English and the user's language."""

    def __init__(
        self, docs: list[_Doc], languages: dict[str, LanguageIndex], towns: TownNames
    ) -> None:
        self._docs = docs
        self._languages = languages
        self._towns = towns
        # The weight of a word found in one entry only: what a word nothing knows counts.
        self._rare = math.log(1 + (len(docs) - 0.5) / 1.5) if docs else 1.0

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages that have indexed texts."""
        return tuple(self._languages)

    @classmethod
    def build(cls, knowledge: Knowledge, catalogs: Catalogs | None = None) -> SearchIndex:
        """Index ``knowledge`` with the translations in ``catalogs`` (German alone if None)."""
        docs: list[_Doc] = []
        texts: list[list[tuple[str, str, float, str]]] = []  # per doc: (ctx, field, weight, de)
        until = _visible_until(knowledge)
        listed: dict[str, list[tuple[str, dt.date]]] = {}
        for node in knowledge.walk():
            for sid in node.services:
                if sid in knowledge.services:
                    listed.setdefault(sid, []).append((node.id, until[node.id]))
            if node.id == ROOT:
                continue  # the main menu is always offered next to the results
            docs.append(_Doc(NODE, node.id, ((node.id, until[node.id]),)))
            texts.append(
                [
                    (msgctxt("node", node.id, name), name, weight, getattr(node, name))
                    for name, weight in NODE_FIELDS.items()
                ]
            )
        for sid, places in listed.items():
            service = knowledge.services[sid]
            local = tuple(service.towns) if service.area == Area.TOWN else None
            docs.append(_Doc(SERVICE, sid, tuple(places), local))
            texts.append(
                [
                    (
                        msgctxt("service", sid, name),
                        name,
                        SERVICE_FACTOR * weight,
                        getattr(service, name),
                    )
                    for name, weight in SERVICE_FIELDS.items()
                ]
            )
        translated = catalogs.languages if catalogs else {}
        langs = [SOURCE, *(x for x, c in translated.items() if x != SOURCE and c.knowledge)]
        # One language at a time (only one builder's texts in memory), over strings and
        # numbers that every index shares.
        shared = Shared()
        languages: dict[str, LanguageIndex] = {}
        for lang in langs:
            builder = Builder(lang, shared)
            catalog = translated[lang].knowledge if lang != SOURCE else None
            for i, fields in enumerate(texts):
                doc = shared.number(i)
                for context, name, weight, german in fields:
                    if not german:
                        continue
                    if catalog is None:
                        builder.add(doc, name, weight, german)
                        continue
                    entry = catalog.get(context)
                    if entry is not None and entry.strings and entry.strings[0]:
                        builder.add(doc, name, weight, entry.strings[0])
            languages[lang] = builder.finish(len(docs))
        return cls(docs, languages, TownNames(knowledge.towns))

    def search(
        self, query: str, lang: str, limit: int = 5, *, today: dt.date | None = None
    ) -> list[Hit]:
        """The best nodes and services for ``query``, best first; empty when nothing fits.

        Args:
            query: what the user typed, in any script, with typos.
            lang: the user's language; German and English are always searched too.
            limit: at most this many hits.
            today: hide events that ended before this day (None: hide nothing).
        """
        ranked, towns = self.rank(query, lang)
        town = towns[0] if len(towns) == 1 else None
        hits: list[Hit] = []
        top = ranked[0].score if ranked else 0.0
        for found in ranked:
            if len(hits) >= limit or found.score < RELATIVE_CUT * top:
                break
            if found.about < MIN_CONFIDENCE:
                continue
            doc = self._docs[found.doc]
            place = doc.node_on(today)
            if place is not None:
                hits.append(Hit(doc.kind, doc.id, place, round(found.score, 3), town))
        return hits

    def rank(self, query: str, lang: str) -> tuple[list[Ranked], tuple[str, ...]]:
        """Every entry scoring at least MIN_SCORE, best first, and the towns ``query`` names."""
        indexes = [
            self._languages[x]
            for x in dict.fromkeys((lang, SOURCE, ENGLISH))
            if x in self._languages
        ]
        analysed = analyse(query, lang, indexes, self._towns)
        scores: dict[int, float] = {}
        covered: dict[int, float] = {}
        about: dict[int, float] = {}
        total = 0.0
        found: list[_Match] = []  # the words that found something
        for word in analysed.words:
            match = self._match(word, indexes)
            total += match.weight
            if not match.best:
                continue
            found.append(match)
            weight, scale, topical = match.weight, match.scale, match.topical
            for doc, value in match.best.items():
                scores[doc] = scores.get(doc, 0.0) + value * scale
                covered[doc] = covered.get(doc, 0.0) + weight
                if doc in topical:
                    about[doc] = about.get(doc, 0.0) + weight
        self._phrases(indexes, found, scores, about)
        ranked: list[Ranked] = []
        towns = set(analysed.towns)
        for doc, score in scores.items():
            coverage = covered[doc] / total if total else 0.0
            local = self._docs[doc].towns
            if towns and local is not None and towns.isdisjoint(local):
                continue  # another town's service does not answer for a question about this one
            score *= 0.3 + 0.7 * coverage * coverage
            if score >= MIN_SCORE:
                ranked.append(Ranked(score, coverage, about.get(doc, 0.0) / total, doc))
        ranked.sort(key=lambda item: (-item.score, item.doc))
        return ranked, analysed.towns

    def _match(self, word: Word, indexes: list[LanguageIndex]) -> _Match:
        """What one query word finds, in every index searched."""
        parts = [_lookup(part, indexes) for part in word.parts]
        match = parts[-1]
        if len(parts) > 1:
            # A compound's parts answer it together, with the head in what an entry is about.
            docs = match.topical & match.best.keys()
            for part in parts[:-1]:
                docs &= part.best.keys()
            best = {doc: sum(part.best[doc] for part in parts) for doc in docs}
            terms = {lang: set().union(*(p.terms[lang] for p in parts)) for lang in match.terms}
            match = _Match(best, sum(p.weight for p in parts), docs, terms)
        if not match.best:
            # A word that nothing knows is part of what was asked all the same.
            return _Match({}, word.weight * UNKNOWN_SHARE * self._rare, set(), match.terms)
        return _Match(
            match.best, match.weight * word.weight, match.topical, match.terms, word.weight
        )

    @staticmethod
    def _phrases(
        indexes: list[LanguageIndex],
        found: list[_Match],
        scores: dict[int, float],
        about: dict[int, float],
    ) -> None:
        """Keyword phrases: a bonus when found whole; when mostly found, what the entry is about.

        A word of a longer keyword ("Platz" of "Platz im Frauenhaus") does not by itself say
        what an entry is about (see :class:`bot.search.index.Builder`): "Kita Platz" is not a
        question about shelters. Most of the phrase together is ("vergisst alles").
        """
        credited: dict[int, set[int]] = {}
        # Only the best entries so far can end near the top: in a directory of thousands,
        # checking every entry's phrases would cost more than all the rest.
        best = heapq.nlargest(PHRASE_CANDIDATES, scores, key=scores.__getitem__)
        for index in indexes:
            terms = set().union(*(match.terms[index.lang] for match in found))
            for doc in best:
                for phrase in index.phrases.get(doc, ()):
                    found_words = phrase.words_in(terms)
                    if phrase.whole(found_words):
                        scores[doc] += phrase.bonus
                    if phrase.mostly(found_words):
                        words = frozenset().union(*phrase.words)
                        credited.setdefault(doc, set()).update(
                            i for i, match in enumerate(found) if match.terms[index.lang] & words
                        )
        for doc, matches in credited.items():
            about[doc] = about.get(doc, 0.0) + sum(
                found[i].weight for i in matches if doc not in found[i].topical
            )


@dataclass(frozen=True)
class _Match:
    """What a query word found: entries and scores, its weight, entries about it, its terms."""

    best: dict[int, float]
    weight: float
    topical: set[int]
    terms: dict[str, set[str]]  # language -> index terms
    scale: float = 1.0  # the word's weight: what its scores in ``best`` count


def _lookup(word: str, indexes: list[LanguageIndex]) -> _Match:
    """The entries a word finds with their scores, its weight, and the entries about it."""
    best: dict[int, float] = {}
    weight = 0.0
    topical: set[int] = set()
    terms: dict[str, set[str]] = {}
    for index in indexes:
        mine = terms[index.lang] = set()
        for term, similarity in index.lookup(word):
            mine.add(term)
            topical.update(index.about.get(term, ()))
            weight = max(weight, index.weight(term) * similarity)
            factor = similarity**FUZZY_POWER
            for doc, value in index.postings(term, MAX_POSTINGS):
                if value * factor > best.get(doc, 0.0):
                    best[doc] = value * factor
    return _Match(best, weight, topical, terms)


def _visible_until(knowledge: Knowledge) -> dict[str, dt.date]:
    """Until when each reachable node can be seen: its own date, and a visible parent's."""
    parents: dict[str, list[str]] = {}
    order = [node.id for node in knowledge.walk()]
    for node_id in order:
        for child in knowledge.nodes[node_id].children:
            parents.setdefault(child, []).append(node_id)
    until: dict[str, dt.date] = {}

    def resolve(node_id: str) -> dt.date:
        if node_id not in until:
            own = knowledge.nodes[node_id].visible_until or FOREVER
            above = [resolve(p) for p in parents.get(node_id, ())]
            until[node_id] = min(own, max(above, default=FOREVER))
        return until[node_id]

    for node_id in order:  # parents before children mostly, so recursion stays shallow
        resolve(node_id)
    return until
