"""Ranking: the documents, the query's words and their scores. Pure; no I/O, no Telegram.

Scores are BM25F over the fields (titles and keywords count more than texts), weighted by how
much of the query a node covers; a keyword phrase found whole earns a bonus.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from bot.i18n import SOURCE, Catalogs
from bot.knowledge.model import ROOT, Knowledge
from bot.search.index import Builder, LanguageIndex
from bot.textnorm import tokens

NODE = "node"
SERVICE = "service"
ENGLISH = "en"

# Field weights: a word in a title or keyword says more about a node than one in its text.
NODE_FIELDS = {"title": 3.0, "keywords": 2.5, "text": 0.6}
SERVICE_FIELDS = {"name": 2.5, "offers": 1.0, "for_whom": 0.6}
# Nodes are where people find their way; a service ranks just below an equal node.
SERVICE_FACTOR = 0.85
# A near word counts similarity**FUZZY_POWER: one typo in ten letters keeps 73 %, two 51 %.
FUZZY_POWER = 3
# A German compound that is not indexed ("Kinderarzt") is split into indexed parts, each of
# at least COMPOUND_PART letters.
COMPOUND_MIN = 8
COMPOUND_PART = 3
# Results below this share of the best score are noise; below MIN_SCORE nothing is relevant.
RELATIVE_CUT = 0.25
MIN_SCORE = 1.0
# A word found in thousands of entries (a very common word in a large directory) adds its
# score to its best entries only: the rest would change the order little and cost time.
MAX_POSTINGS = 1000
# Longer messages are cut: a query is a few words, not a letter.
MAX_WORDS = 16
FOREVER = dt.date.max


@dataclass(frozen=True)
class Hit:
    """One search result: a node, or a service to open from ``node_id``."""

    kind: str
    id: str
    node_id: str
    score: float


@dataclass
class _Doc:
    kind: str
    id: str
    # Nodes that list the service (breadth-first from the main menu) and until when each is
    # visible; for a node, the node itself.
    places: tuple[tuple[str, dt.date], ...]

    def node_on(self, today: dt.date | None) -> str | None:
        """The first place visible on ``today`` (any place when None)."""
        for node_id, until in self.places:
            if today is None or today <= until:
                return node_id
        return None


class SearchIndex:
    """Every visible node and service, searchable in German, English and the user's language."""

    def __init__(self, docs: list[_Doc], languages: dict[str, LanguageIndex]) -> None:
        self._docs = docs
        self._languages = languages

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
                    (f"node:{node.id}:{name}", name, weight, getattr(node, name))
                    for name, weight in NODE_FIELDS.items()
                ]
            )
        for sid, places in listed.items():
            service = knowledge.services[sid]
            docs.append(_Doc(SERVICE, sid, tuple(places)))
            texts.append(
                [
                    (
                        f"service:{sid}:{name}",
                        name,
                        SERVICE_FACTOR * weight,
                        getattr(service, name),
                    )
                    for name, weight in SERVICE_FIELDS.items()
                ]
            )
        builders = {SOURCE: Builder(SOURCE)}
        translated = catalogs.languages if catalogs else {}
        for lang, catalog in translated.items():
            if lang != SOURCE and catalog.knowledge:
                builders[lang] = Builder(lang)
        for doc, fields in enumerate(texts):
            for context, name, weight, german in fields:
                if not german:
                    continue
                builders[SOURCE].add(doc, name, weight, german)
                for lang, builder in builders.items():
                    entry = translated[lang].knowledge.get(context) if lang != SOURCE else None
                    if entry is not None and entry.strings and entry.strings[0]:
                        builder.add(doc, name, weight, entry.strings[0])
        languages = {lang: b.finish(len(docs)) for lang, b in builders.items()}
        return cls(docs, languages)

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
        indexes = [
            self._languages[x]
            for x in dict.fromkeys((lang, SOURCE, ENGLISH))
            if x in self._languages
        ]
        words = self._words(query, indexes)
        scores: dict[int, float] = {}
        covered: dict[int, float] = {}
        total = 0.0
        query_terms: dict[str, set[str]] = {index.lang: set() for index in indexes}
        for word in words:
            best: dict[int, float] = {}
            weight = 0.0
            for index in indexes:
                for term, similarity in index.lookup(word):
                    query_terms[index.lang].add(term)
                    weight = max(weight, index.idf[term] * similarity)
                    factor = similarity**FUZZY_POWER
                    for doc, value in index.postings[term][:MAX_POSTINGS]:
                        if value * factor > best.get(doc, 0.0):
                            best[doc] = value * factor
            if not best:
                continue
            total += weight
            for doc, value in best.items():
                scores[doc] = scores.get(doc, 0.0) + value
                covered[doc] = covered.get(doc, 0.0) + weight
        if not scores:
            return []
        for index in indexes:
            for doc, value in self._phrase_bonus(index, query_terms[index.lang]):
                if doc in scores:
                    scores[doc] += value
        ranked: list[tuple[float, int]] = []
        for doc, score in scores.items():
            coverage = covered[doc] / total if total else 0.0
            ranked.append((score * (0.3 + 0.7 * coverage * coverage), doc))
        ranked.sort(key=lambda item: (-item[0], item[1]))
        hits: list[Hit] = []
        top = ranked[0][0]
        for score, doc in ranked:
            if len(hits) >= limit or score < MIN_SCORE or score < RELATIVE_CUT * top:
                break
            place = self._docs[doc].node_on(today)
            if place is not None:
                hits.append(Hit(self._docs[doc].kind, self._docs[doc].id, place, round(score, 3)))
        return hits

    @staticmethod
    def _words(query: str, indexes: list[LanguageIndex]) -> list[str]:
        """The query's words, compounds that no index knows split into parts that one knows."""
        words: list[str] = []
        for word in dict.fromkeys(tokens(query)):
            if len(word) < COMPOUND_MIN or any(index.has(word) for index in indexes):
                words.append(word)
                continue
            splits = [
                (min(cut, len(word) - cut), word[:cut], word[cut:])
                for cut in range(COMPOUND_PART, len(word) - COMPOUND_PART + 1)
                for index in indexes
                if index.has(word[:cut]) and index.has(word[cut:])
            ]
            if splits:
                _, left, right = max(splits)
                words.extend((left, right))
            else:
                words.append(word)
        return words[:MAX_WORDS]

    @staticmethod
    def _phrase_bonus(index: LanguageIndex, terms: set[str]) -> Iterator[tuple[int, float]]:
        """The bonus of each keyword phrase whose words are all in the query, once each."""
        seen: set[int] = set()
        for term in terms:
            for phrase in index.phrases.get(term, ()):
                if id(phrase) not in seen and phrase.found_in(terms):
                    seen.add(id(phrase))
                    yield phrase.doc, phrase.bonus


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
