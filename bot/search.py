"""Multilingual search over the tree and the service directory. Pure; no I/O, no Telegram.

:meth:`SearchIndex.build` indexes every node reachable from the main menu and every service
a node lists: titles, texts and keywords of nodes; name, offers and for_whom of services; in
German (the source) and in every language that has a knowledge catalog. A query in language
``L`` is looked up in German, English and ``L``, so a Turkish user who types
"pflegegrad nasıl" finds the German word as well as the Turkish one.

Words are stemmed with Snowball where it has the language (PyStemmer), folded (case,
diacritics, ä as a and ae, Arabic and Persian letter forms, Cyrillic as Latin: see
:mod:`bot.textnorm`), and looked up in an inverted index; a word that is not found exactly
is matched to the nearest indexed words by character trigrams (typos, missing letters,
transliterations, German compounds), above a similarity threshold so that gibberish finds
nothing. Scores are BM25F over the fields (titles and keywords count more than texts),
weighted by how much of the query a node covers.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import Stemmer
from babel import Locale, UnknownLocaleError

from bot.i18n import SOURCE, Catalogs
from bot.knowledge.model import ROOT, Knowledge
from bot.textnorm import fold, tokens, trigrams, umlaut_variant

NODE = "node"
SERVICE = "service"
ENGLISH = "en"

# Field weights: a word in a title or keyword says more about a node than one in its text.
NODE_FIELDS = {"title": 3.0, "keywords": 2.5, "text": 0.6}
SERVICE_FIELDS = {"name": 2.5, "offers": 1.0, "for_whom": 0.6}
# Nodes are where people find their way; a service ranks just below an equal node.
SERVICE_FACTOR = 0.85
# BM25 saturation and length normalisation, per field.
K1 = 1.2
B = 0.75
# Trigram matching: shorter words are matched exactly only; below the threshold a word is
# not similar; a query word that begins an indexed word (a German compound) counts this much.
FUZZY_MIN = 4
STEM_MIN = 4
FUZZY_THRESHOLD = 0.5
FUZZY_CANDIDATES = 4
# A near word counts similarity**FUZZY_POWER: one typo in ten letters keeps 73 %, two 51 %.
FUZZY_POWER = 3
# The trigram-nearest words that are checked for typos (edit distance); words of LONG_WORD
# letters or more may have two typos.
FUZZY_REFINE = 24
LONG_WORD = 8
# A German compound that is not indexed ("Kinderarzt") is split into indexed parts, each of
# at least COMPOUND_PART letters.
COMPOUND_MIN = 8
COMPOUND_PART = 3
PREFIX_MIN = 5
PREFIX_SIMILARITY = 0.7
# A keyword phrase of several words found whole in the query earns this share of its weight.
PHRASE_BONUS = 0.5
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


def stemmer_for(lang: str) -> Stemmer.Stemmer | None:
    """The Snowball stemmer for ``lang``, or None when Snowball has no such language."""
    try:
        name = Locale.parse(lang).english_name
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    algorithm = (name or "").lower()
    return Stemmer.Stemmer(algorithm) if algorithm in Stemmer.algorithms() else None


@dataclass
class _Language:
    """The inverted index of one language's texts."""

    lang: str
    stemmer: Stemmer.Stemmer | None
    # term -> (doc, score), best first (only the best MAX_POSTINGS are read per query)
    postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    grams: dict[str, list[str]] = field(default_factory=dict)
    gram_count: dict[str, int] = field(default_factory=dict)
    # keyword phrases of two or more words: first term -> (doc, all terms, weight)
    phrases: dict[str, list[tuple[int, frozenset[str], float]]] = field(default_factory=dict)
    _stems: dict[str, str] = field(default_factory=dict)
    _terms: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def stem(self, word: str) -> str:
        """The folded stem of a lowercase word (memoised: texts repeat their words)."""
        found = self._stems.get(word)
        if found is None:
            stemmed = self.stemmer.stemWord(word) if self.stemmer else word
            found = self._stems[word] = fold(stemmed)
        return found

    def terms(self, word: str) -> tuple[str, ...]:
        """The index terms of one word: its stem, the word itself, spellings without umlauts."""
        found = self._terms.get(word)
        if found is not None:
            return found
        forms = {self.stem(word), fold(word)}
        variant = umlaut_variant(word)
        if variant:
            forms.add(variant)
            if self.stemmer:
                stemmed = umlaut_variant(self.stemmer.stemWord(word))
                if stemmed:
                    forms.add(stemmed)
        found = self._terms[word] = tuple(forms)
        return found

    def exact(self, word: str) -> set[str]:
        """The index terms a query word matches as it is or by its stem."""
        folded, stem = fold(word), self.stem(word)
        # Snowball cuts hard ("demens" -> "dem"): a stem of a few letters says little.
        forms = (folded, stem) if len(stem) >= STEM_MIN else (folded,)
        return {t for t in forms if t in self.postings}

    def has(self, word: str) -> bool:
        """Whether a lowercase word is in the index as it is."""
        return bool(self.exact(word))

    def lookup(self, word: str) -> list[tuple[str, float]]:
        """Index terms for a query word with their similarity: exact, else nearest trigrams."""
        exact = self.exact(word)
        if exact:
            return [(t, 1.0) for t in exact]
        folded = fold(word)
        if len(folded) < FUZZY_MIN:
            return []
        grams = trigrams(folded)
        shared: Counter[str] = Counter()
        for gram in grams:
            shared.update(self.grams.get(gram, ()))
        least = FUZZY_THRESHOLD * len(grams) / 2
        near = [
            (2 * count / (len(grams) + self.gram_count[term]), term)
            for term, count in shared.items()
            if count >= least
        ]
        near.sort(reverse=True)
        candidates: list[tuple[float, str]] = []
        for dice, term in near[:FUZZY_REFINE]:
            similarity = max(dice, _edit_similarity(folded, term))
            if len(folded) >= PREFIX_MIN and term.startswith(folded):
                similarity = max(similarity, PREFIX_SIMILARITY)
            if similarity >= FUZZY_THRESHOLD:
                candidates.append((similarity, term))
        candidates.sort(reverse=True)
        return [(term, similarity) for similarity, term in candidates[:FUZZY_CANDIDATES]]


def _edit_similarity(a: str, b: str) -> float:
    """1 - edits/length when ``a`` and ``b`` are one typo apart (two for long words), else 0."""
    allowed = 1 if max(len(a), len(b)) < LONG_WORD else 2
    if abs(len(a) - len(b)) > allowed:
        return 0.0
    # Optimal string alignment distance (a swap of neighbours is one typo).
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > allowed:
            return 0.0
        previous2, previous = previous, current
    distance = previous[-1]
    return 1 - distance / max(len(a), len(b)) if distance <= allowed else 0.0


class _Builder:
    """Collects field texts per language, then turns them into BM25F postings."""

    def __init__(self, lang: str) -> None:
        self.index = _Language(lang, stemmer_for(lang))
        self.fields: list[tuple[int, str, float, dict[str, int], int]] = []
        self.keywords: list[tuple[int, list[frozenset[str]], float]] = []

    def add(self, doc: int, name: str, weight: float, text: str) -> None:
        words = tokens(text)
        terms = self.index.terms
        counts: dict[str, int] = {}
        for word, n in Counter(words).items():
            for term in terms(word):
                counts[term] = counts.get(term, 0) + n
        self.fields.append((doc, name, weight, counts, len(words)))
        if name == "keywords":
            phrases = [frozenset(self.index.stem(w) for w in tokens(p)) for p in text.split(",")]
            self.keywords.append((doc, [p for p in phrases if len(p) > 1], weight))

    def finish(self, total_docs: int) -> _Language:
        index = self.index
        lengths: dict[str, list[int]] = {}
        for _, name, _, _, length in self.fields:
            lengths.setdefault(name, []).append(length)
        average = {name: max(1.0, sum(v) / len(v)) for name, v in lengths.items()}
        # term -> doc -> weighted, length-normalised frequency summed over fields (BM25F)
        frequencies: dict[str, dict[int, float]] = {}
        for doc, name, weight, counts, length in self.fields:
            norm = K1 * (1 - B + B * length / average[name])
            for term, tf in counts.items():
                row = frequencies.get(term)
                if row is None:
                    row = frequencies[term] = {}
                # Saturated per field, then weighted: ten mentions in a long text do not
                # outweigh one in a title.
                row[doc] = row.get(doc, 0.0) + weight * tf * (K1 + 1) / (tf + norm)
        for term, row in frequencies.items():
            idf = index.idf[term] = math.log(1 + (total_docs - len(row) + 0.5) / (len(row) + 0.5))
            scored = [(doc, idf * tf) for doc, tf in row.items()]
            scored.sort(key=lambda item: -item[1])
            index.postings[term] = scored
            grams = trigrams(term)
            index.gram_count[term] = len(grams)
            for gram in grams:
                index.grams.setdefault(gram, []).append(term)
        for doc, phrases, weight in self.keywords:
            for terms in phrases:
                value = PHRASE_BONUS * weight * sum(index.idf.get(t, 0.0) for t in terms)
                index.phrases.setdefault(min(terms), []).append((doc, terms, value))
        self.fields.clear()
        return index


class SearchIndex:
    """Every visible node and service, searchable in German, English and the user's language."""

    def __init__(self, docs: list[_Doc], languages: dict[str, _Language]) -> None:
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
        builders = {SOURCE: _Builder(SOURCE)}
        translated = catalogs.languages if catalogs else {}
        for lang, catalog in translated.items():
            if lang != SOURCE and catalog.knowledge:
                builders[lang] = _Builder(lang)
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
    def _words(query: str, indexes: list[_Language]) -> list[str]:
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
    def _phrase_bonus(index: _Language, terms: set[str]) -> Iterator[tuple[int, float]]:
        for term in terms:
            for doc, phrase, value in index.phrases.get(term, ()):
                if phrase <= terms:
                    yield doc, value


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
