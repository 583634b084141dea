"""The crisis words of knowledge/crisis.yaml compiled for fast look-up. Pure; no I/O.

A term is a word (one typo forgiven from :data:`FUZZY_MIN` letters on), ``stem*`` (a word
starting with it), ``*part*`` (a word containing it, for Arabic and Persian words with
attached pronouns), several words in a row, or ``a ... b`` (b later in the sentence);
``!term`` is an exception. Each distinct word of a term becomes one *pattern*; a message's
word is looked up once and yields every pattern it matches (cached: words repeat).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.text.norm import CYRILLIC_MARK, consonants, fold, loose_keys, part_min, prepare

FUZZY_MIN = 8
STEM_MIN = 3
# Words longer than this are not searched for parts (a pasted link, a long number).
PART_MAX = 30
CACHE_MAX = 8_192
WILDCARD = "*"
EXCEPT = "!"
# "bringt ... um": the next word may follow anywhere later in the clause.
GAP = "..."
GAP_ID = -1
# Arabic and Persian in Latin letters are written with any vowels: their Latin terms are
# also compared by consonants ("bidrebni" = "bedrebni").
SKELETON_LANGS = frozenset({"ar", "fa"})
# A word of a term as a message would be split into words ("m-a" is two), wildcards kept.
_TERM_WORD = re.compile(r"\.\.\.|\*?\w+\*?")


@dataclass(frozen=True)
class Term:
    """One term of a concept, as the pattern ids of its words (:data:`GAP_ID` for "...")."""

    concept: str
    text: str
    patterns: tuple[int, ...]
    # "!harf mizane": words that look like the concept but are not ("speaks", not "hits").
    exception: bool = False
    lang: str = ""
    # A short term ("on", "ev", "ще") counts only in messages of its own language.
    letters: int = 0


class TermIndex:
    """Every term of every concept, looked up by the words of a message."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, str], int] = {}
        self._exact: dict[str, tuple[int, ...]] = {}
        self._prefix: dict[str, tuple[int, ...]] = {}
        # Parts by their first three letters: one look-up per letter of a message's word.
        self._part: dict[str, list[tuple[str, int]]] = {}
        # Words that forgive one typo, by first letter and length (people rarely mistype the
        # first letter); rapidfuzz compares a message's word with those of its shape.
        self._fuzzy: dict[str, tuple[int, ...]] = {}
        self._shapes: dict[tuple[str, int], list[str]] = {}
        self.by_first: dict[int, list[Term]] = {}
        self._cache: dict[tuple[str, bool], frozenset[int]] = {}

    def add(self, concept: str, lang: str, text: str) -> None:
        """Compile one term of ``concept`` written for ``lang``."""
        exception = text.startswith(EXCEPT)
        words = _TERM_WORD.findall(prepare(text.removeprefix(EXCEPT)).replace("…", GAP))
        letters = sum(len(fold(w.strip(WILDCARD))) for w in words if w != GAP)
        skeleton = lang in SKELETON_LANGS
        patterns = tuple(
            ident
            for word in words
            for ident in (
                [GAP_ID]
                if word == GAP
                else self._patterns_for_word(word, fuzzy=not exception, skeleton=skeleton)
            )
        )
        if patterns:
            term = Term(concept, text, patterns, exception, lang, letters)
            self.by_first.setdefault(patterns[0], []).append(term)

    def _patterns_for_word(self, word: str, *, fuzzy: bool, skeleton: bool) -> list[int]:
        """One pattern id per word of a term ("m-a" is written as one word, one pattern)."""
        part = word.startswith(WILDCARD) and word.endswith(WILDCARD) and len(word) > 2
        prefix = not part and word.endswith(WILDCARD)
        core = word.strip(WILDCARD)
        mode = "part" if part else "prefix" if prefix else "exact"
        forms = loose_keys(core, term=True) if core else frozenset()
        if part:  # a short part would be found inside too many ordinary words
            forms = frozenset(f for f in forms if len(f) >= part_min(f))
        if skeleton and not part:  # Arabizi and Finglish vowels vary: "bidrebni", "bedrebni"
            forms |= {k for f in forms if (k := consonants(f))}
        if not forms:
            return []
        if mode == "exact" and not fuzzy:
            mode = "exact, no typo"
        key = (mode, "|".join(sorted(forms)))
        if key in self._ids:
            return [self._ids[key]]
        ident = len(self._ids)
        self._ids[key] = ident
        for form in forms:
            if mode == "part":
                self._part.setdefault(form[:3], []).append((form, ident))
            elif mode == "prefix":
                self._prefix[form] = (*self._prefix.get(form, ()), ident)
            else:
                self._exact[form] = (*self._exact.get(form, ()), ident)
                if fuzzy and len(form.lstrip(CYRILLIC_MARK)) >= FUZZY_MIN:
                    if form not in self._fuzzy:
                        self._shapes.setdefault((form[0], len(form)), []).append(form)
                    self._fuzzy[form] = (*self._fuzzy.get(form, ()), ident)
        return [ident]

    def done(self) -> None:
        """Drop what only compiling needed (the pattern keys)."""
        self._ids.clear()

    def lookup(self, word: str, *, skeleton: bool = False) -> frozenset[int]:
        """Every pattern one word of a message matches."""
        cached = self._cache.get((word, skeleton))
        if cached is not None:
            return cached
        found: set[int] = set()
        forms = loose_keys(word)
        if skeleton:
            forms |= {k for f in forms if (k := consonants(f))}
        for form in forms:
            found.update(self._exact.get(form, ()))
            marked = form.startswith(CYRILLIC_MARK)
            for end in range(STEM_MIN + marked, len(form) + 1):
                found.update(self._prefix.get(form[:end], ()))
            if len(form) <= PART_MAX:
                for start in range(len(form) - 2):
                    for part, ident in self._part.get(form[start : start + 3], ()):
                        if form.startswith(part, start):
                            found.add(ident)
            if len(form) - marked >= FUZZY_MIN - 1:
                found |= self._near_patterns(form)
        result = frozenset(found)
        if len(self._cache) >= CACHE_MAX:
            self._cache.clear()
        self._cache[(word, skeleton)] = result
        return result

    def _near_patterns(self, form: str) -> set[int]:
        """Patterns one typo away from ``form`` (a letter added, dropped, changed or two
        swapped), the first letter kept: people rarely mistype the first letter."""
        near: set[int] = set()
        for length in (len(form) - 1, len(form), len(form) + 1):
            shape = self._shapes.get((form[0], length))
            if not shape:
                continue
            for target, _, _ in process.extract_iter(
                form, shape, scorer=OSA.distance, score_cutoff=1
            ):
                near.update(self._fuzzy[target])
        return near
