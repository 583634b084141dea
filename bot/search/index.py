"""The inverted index of one language: terms, BM25F postings, fuzzy look-up. Pure; no I/O.

Words are stemmed with Snowball where it has the language (PyStemmer), folded (see
:mod:`bot.text.norm`) and looked up exactly; a word that is not found exactly is matched to the
nearest indexed words by character trigrams and edit distance (typos, missing letters,
transliterations, German compounds), above a similarity threshold so that gibberish finds
nothing.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from dataclasses import dataclass, field

import Stemmer
from rapidfuzz.distance import OSA

from bot.text.norm import fold, tokens, trigrams, umlaut_variant

# BM25 saturation and length normalisation, per field.
K1 = 1.2
B = 0.75
# Trigram matching: shorter words are matched exactly only (one letter in four makes another
# word too often across eleven languages: Bulgarian "наем" rent and "заем" loan, "kres"
# and "Kreis"); below the threshold a word is not similar; a query word that begins an
# indexed word (a German compound) counts this much.
FUZZY_MIN = 5
STEM_MIN = 4
FUZZY_THRESHOLD = 0.5
FUZZY_CANDIDATES = 4
# The trigram-nearest words that are checked for typos (edit distance); words of LONG_WORD
# letters or more may have two typos.
FUZZY_REFINE = 24
LONG_WORD = 8
PREFIX_MIN = 5
PREFIX_SIMILARITY = 0.7
# The fields that say what an entry is about (the others are running text).
ABOUT_FIELDS = frozenset({"title", "keywords", "name"})
# A keyword phrase of several words found whole in the query earns this share of its weight.
# A "keyword" of more than PHRASE_MAX words is a sentence: its words count one by one.
PHRASE_BONUS = 0.5
PHRASE_MAX = 6


def stemmer_for(lang: str) -> Stemmer.Stemmer | None:
    """The Snowball stemmer for ``lang``, or None when Snowball has no such language.

    Snowball knows its languages by their ISO 639 codes too ("de" is "german").
    """
    try:
        # No cache of its own (PyStemmer keeps 10,000 words per language by default, 4 MiB
        # over eleven languages for the bot's lifetime): the builder memoises the texts'
        # words, and a query's few words take 2 µs each.
        return Stemmer.Stemmer(lang, 0)
    except KeyError:
        return None


@dataclass(frozen=True, slots=True)
class Phrase:
    """A keyword of several words ("Essen auf Rädern"): each word's index terms, and a bonus.

    A word's terms are the tuple the builder made for that word, shared by every phrase and
    text that has the word (a frozenset each would cost four times as much).
    """

    words: tuple[tuple[str, ...], ...]
    bonus: float

    def words_in(self, terms: set[str]) -> int:
        """How many words of the phrase are among a query's matched index terms."""
        found = 0
        for word in self.words:
            if not terms.isdisjoint(word):
                found += 1
        return found

    def whole(self, found: int) -> bool:
        """Whether ``found`` words are the whole phrase (it earns its bonus)."""
        return found == len(self.words)

    def mostly(self, found: int) -> bool:
        """Whether ``found`` words are two or more, and at least half of the phrase."""
        return found >= 2 and 2 * found >= len(self.words)


def word_terms(word: str, stemmer: Stemmer.Stemmer | None) -> tuple[str, ...]:
    """The index terms of one word: its stem, the word itself, spellings without umlauts."""
    forms = {fold(stemmer.stemWord(word) if stemmer else word), fold(word)}
    variant = umlaut_variant(word)
    if variant:
        forms.add(variant)
        if stemmer:
            stemmed = umlaut_variant(stemmer.stemWord(word))
            if stemmed:
                forms.add(stemmed)
    return tuple(forms)


@dataclass
class LanguageIndex:
    """The inverted index of one language's texts.

    Kept compact, as it lives as long as the bot (eleven languages): a term's postings are a
    slice of two flat arrays, not a list of tuples; sets of docs and terms are tuples (a
    frozenset of a few items costs four times as much); strings and numbers are shared
    between the languages; and nothing memoises query words (they would grow without bound).
    """

    lang: str
    stemmer: Stemmer.Stemmer | None
    # term -> its row: idf[row], gram_count[row], postings starts[row]:starts[row + 1]
    rows: dict[str, int] = field(default_factory=dict)
    idf: array[float] = field(default_factory=lambda: array("d"))
    gram_count: array[int] = field(default_factory=lambda: array("H"))
    starts: array[int] = field(default_factory=lambda: array("I", [0]))
    # postings: (doc, score) of each term, best first (only the best few are read per query)
    docs: array[int] = field(default_factory=lambda: array("I"))
    scores: array[float] = field(default_factory=lambda: array("d"))
    # term -> the docs that have it in a title, keyword or name: what a doc is about, not
    # what its text mentions in passing
    about: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # row -> term
    terms: list[str] = field(default_factory=list)
    # trigram -> its number: the rows of the terms that have it are
    # gram_rows[gram_starts[number]:gram_starts[number + 1]]
    grams: dict[str, int] = field(default_factory=dict)
    gram_starts: array[int] = field(default_factory=lambda: array("I", [0]))
    gram_rows: array[int] = field(default_factory=lambda: array("I"))
    # each entry's keyword phrases of two to PHRASE_MAX words
    phrases: dict[int, tuple[Phrase, ...]] = field(default_factory=dict)

    def stem(self, word: str) -> str:
        """The folded stem of a lowercase word."""
        return fold(self.stemmer.stemWord(word) if self.stemmer else word)

    def postings(self, term: str, limit: int) -> zip[tuple[int, float]]:
        """The best ``limit`` (doc, score) pairs of an index term."""
        row = self.rows[term]
        start = self.starts[row]
        end = min(self.starts[row + 1], start + limit)
        return zip(self.docs[start:end], self.scores[start:end], strict=True)

    def weight(self, term: str) -> float:
        """The inverse document frequency of an index term."""
        return self.idf[self.rows[term]]

    def exact(self, word: str) -> set[str]:
        """The index terms a query word matches as it is or by its stem."""
        folded, stem = fold(word), self.stem(word)
        # Snowball cuts hard ("demens" -> "dem"): a stem of a few letters says little.
        forms = (folded, stem) if len(stem) >= STEM_MIN else (folded,)
        return {t for t in forms if t in self.rows}

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
        shared: Counter[int] = Counter()  # row -> trigrams shared with the word
        starts, rows = self.gram_starts, self.gram_rows
        for gram in grams:
            number = self.grams.get(gram)
            if number is not None:
                shared.update(rows[starts[number] : starts[number + 1]])
        least = FUZZY_THRESHOLD * len(grams) / 2
        near = [
            (2 * count / (len(grams) + self.gram_count[row]), self.terms[row])
            for row, count in shared.items()
            if count >= least
        ]
        near.sort(reverse=True)
        candidates: list[tuple[float, str]] = []
        for dice, term in near[:FUZZY_REFINE]:
            similarity = max(dice, edit_similarity(folded, term))
            if len(folded) >= PREFIX_MIN and term.startswith(folded):
                similarity = max(similarity, PREFIX_SIMILARITY)
            if similarity >= FUZZY_THRESHOLD:
                candidates.append((similarity, term))
        candidates.sort(reverse=True)
        return [(term, similarity) for similarity, term in candidates[:FUZZY_CANDIDATES]]


def edit_similarity(a: str, b: str) -> float:
    """1 - edits/length when ``a`` and ``b`` are one typo apart (two for long words), else 0.

    Optimal string alignment distance: a swap of neighbours is one typo.
    """
    allowed = 1 if max(len(a), len(b)) < LONG_WORD else 2
    distance = OSA.distance(a, b, score_cutoff=allowed)
    return 1 - distance / max(len(a), len(b)) if distance <= allowed else 0.0


@dataclass
class Shared:
    """What the indexes of one build share, one object each: strings (the same term in eleven
    languages: German names and words in every translation; a trigram in every index of a
    script) and numbers (rows, trigrams, docs). Let go after the build (``sys.intern`` would
    keep a table of them all for good)."""

    strings: dict[str, str] = field(default_factory=dict)
    numbers: list[int] = field(default_factory=list)

    def string(self, text: str) -> str:
        """The one copy of ``text``."""
        return self.strings.setdefault(text, text)

    def number(self, n: int) -> int:
        """The one int object for ``n``."""
        numbers = self.numbers
        if n >= len(numbers):
            numbers.extend(range(len(numbers), n + 1))
        return numbers[n]


class Builder:
    """Collects field texts per language, then turns them into BM25F postings."""

    def __init__(self, lang: str, shared: Shared | None = None) -> None:
        self.index = LanguageIndex(lang, stemmer_for(lang))
        self.shared = shared or Shared()
        self.fields: list[tuple[int, str, float, dict[str, int], int]] = []
        self.keywords: list[tuple[int, list[tuple[tuple[str, ...], ...]], float]] = []
        self.about: dict[str, set[int]] = {}
        self._terms: dict[str, tuple[str, ...]] = {}  # texts repeat their words

    def terms(self, word: str) -> tuple[str, ...]:
        """The index terms of one word of a text (memoised while building)."""
        found = self._terms.get(word)
        if found is None:
            forms = word_terms(word, self.index.stemmer)
            found = self._terms[word] = tuple([self.shared.string(t) for t in forms])
        return found

    def add(self, doc: int, name: str, weight: float, text: str) -> None:
        words = tokens(text)
        terms = self.terms
        counts: dict[str, int] = {}
        for word, n in Counter(words).items():
            for term in terms(word):
                counts[term] = counts.get(term, 0) + n
        self.fields.append((doc, name, weight, counts, len(words)))
        if name == "keywords":
            # A phrase word is matched by the same index terms as the word alone (its stem,
            # itself, its umlaut spellings), so the query finds the phrase as it finds words.
            phrases = [tuple(terms(w) for w in tokens(p)) for p in text.split(",")]
            longer = [p for p in phrases if 1 < len(p) <= PHRASE_MAX]
            self.keywords.append((doc, longer, weight))
            # What an entry is about: its one-word keywords; a word of a longer keyword
            # ("Platz" of "Platz im Frauenhaus") only together with the rest of it.
            for phrase in phrases:
                if len(phrase) == 1:
                    for term in phrase[0]:
                        self.about.setdefault(term, set()).add(doc)
        elif name in ABOUT_FIELDS:
            for term in counts:
                self.about.setdefault(term, set()).add(doc)

    def finish(self, total_docs: int) -> LanguageIndex:
        index = self.index
        lengths: dict[str, list[int]] = {}
        for _, name, _, _, length in self.fields:
            lengths.setdefault(name, []).append(length)
        average = {name: max(1.0, sum(v) / len(v)) for name, v in lengths.items()}
        # term -> doc -> weighted, length-normalised frequency summed over fields (BM25F)
        frequencies: dict[str, dict[int, float]] = {}
        gram_rows: dict[str, list[int]] = {}
        for doc, name, weight, counts, length in self.fields:
            norm = K1 * (1 - B + B * length / average[name])
            for term, tf in counts.items():
                per_doc = frequencies.get(term)
                if per_doc is None:
                    per_doc = frequencies[term] = {}
                # Saturated per field, then weighted: ten mentions in a long text do not
                # outweigh one in a title.
                per_doc[doc] = per_doc.get(doc, 0.0) + weight * tf * (K1 + 1) / (tf + norm)
        shared = self.shared
        for term, per_doc in frequencies.items():
            idf = math.log(1 + (total_docs - len(per_doc) + 0.5) / (len(per_doc) + 0.5))
            scored = sorted(((doc, idf * tf) for doc, tf in per_doc.items()), key=lambda d: -d[1])
            row = shared.number(len(index.idf))
            index.rows[term] = row
            index.terms.append(term)
            index.idf.append(idf)
            index.docs.extend(doc for doc, _ in scored)
            index.scores.extend(score for _, score in scored)
            index.starts.append(len(index.docs))
            grams = trigrams(term)
            index.gram_count.append(len(grams))
            for gram in grams:
                gram_rows.setdefault(shared.string(gram), []).append(row)
        if len(frequencies) < 2**16:
            index.gram_rows = array("H")
        for gram, found in gram_rows.items():
            index.grams[gram] = shared.number(len(index.grams))
            index.gram_rows.extend(found)
            index.gram_starts.append(len(index.gram_rows))
        index.about = {term: tuple(sorted(docs)) for term, docs in self.about.items()}
        phrases: dict[int, list[Phrase]] = {}
        for doc, longer, weight in self.keywords:
            for words in longer:
                idf = sum(
                    max(index.weight(t) if t in index.rows else 0.0 for t in word)
                    for word in words
                )
                phrases.setdefault(doc, []).append(Phrase(words, PHRASE_BONUS * weight * idf))
        index.phrases = {doc: tuple(found) for doc, found in phrases.items()}
        self.fields.clear()
        self._terms.clear()
        return index
