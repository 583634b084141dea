"""The crisis words of knowledge/crisis.yaml compiled for fast look-up. Pure; no I/O.

A term is a word (one typo forgiven from :data:`FUZZY_MIN` letters on), ``stem*`` (a word
starting with it), ``*part*`` (a word containing it, for Arabic and Persian words with
attached pronouns), several words in a row, or ``a ... b`` (b later in the sentence);
``!term`` is an exception. Everyday words one typo away from a danger word (``not_typos:``
in crisis.yaml: "schlafe", "keiner", "привет") are never read as that typo. Each distinct
word of a term becomes one *pattern*; a message's word is looked up once and yields every
pattern it matches (cached: words repeat).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.text.norm import (
    CYRILLIC_MARK,
    SKELETON_MARK,
    consonants,
    fold,
    loose_keys,
    part_min,
    prepare,
)

FUZZY_MIN = 7
# Shorter words forgive a typo too, but only against one-word terms of the message's own
# languages: across languages too many everyday words are one letter from a danger word.
FUZZY_OWN_MIN = 6
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
        # Words repeat across terms ("mich", "me"): each is compiled once.
        self._compiled: dict[tuple[str, bool, bool], tuple[str, frozenset[str]]] = {}
        self._exact: dict[str, tuple[int, ...]] = {}
        self._prefix: dict[str, tuple[int, ...]] = {}
        # Parts by their first three letters: one look-up per letter of a message's word.
        self._part: dict[str, list[tuple[str, int]]] = {}
        # Words that forgive one typo, by first letter and length (people rarely mistype the
        # first letter); rapidfuzz compares a message's word with those of its shape.
        self._fuzzy: dict[str, tuple[int, ...]] = {}
        self._shapes: dict[tuple[str, int], list[str]] = {}
        self._own: dict[tuple[str, str, int], dict[str, tuple[int, ...]]] = {}
        # Everyday words ("schlafe", "keiner", "привет") and stems ("schlaf*") that are never
        # read as a typo of a danger word, only matched exactly.
        self._not_typos: set[str] = set()
        self._not_typo_stems: set[str] = set()
        self.by_first: dict[int, list[Term]] = {}
        self._cache: dict[tuple[str, bool, frozenset[str]], frozenset[int]] = {}

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
                else self._patterns_for_word(
                    word, fuzzy=not exception, skeleton=skeleton, lang=lang, alone=len(words) == 1
                )
            )
        )
        if patterns:
            term = Term(concept, text, patterns, exception, lang, letters)
            self.by_first.setdefault(patterns[0], []).append(term)

    def add_not_typo(self, word: str) -> None:
        """A word people write every day (``stem*``: every word starting with it) that is
        one typo away from a danger word: it is never read as that typo."""
        stem = word.endswith(WILDCARD)
        for form in loose_keys(word.strip(WILDCARD), term=True):
            (self._not_typo_stems if stem else self._not_typos).add(form)

    def _everyday(self, forms: frozenset[str] | set[str]) -> bool:
        """Is a message's word (by its loose keys) one of the listed everyday words?"""
        for form in forms:
            if form in self._not_typos:
                return True
            if any(form[:end] in self._not_typo_stems for end in range(STEM_MIN, len(form) + 1)):
                return True
        return False

    def _patterns_for_word(
        self, word: str, *, fuzzy: bool, skeleton: bool, lang: str, alone: bool
    ) -> list[int]:
        """One pattern id per word of a term ("m-a" is written as one word, one pattern)."""
        compiled = self._compiled.get((word, fuzzy, skeleton))
        if compiled is None:
            compiled = self._compiled[(word, fuzzy, skeleton)] = _compile(word, fuzzy, skeleton)
        mode, forms = compiled
        if not forms:
            return []
        key = (mode, "|".join(sorted(forms)) if len(forms) > 1 else next(iter(forms)))
        if key in self._ids:
            ident = self._ids[key]
            if mode == "exact" and fuzzy and alone:
                self._add_own(forms, ident, lang)
            return [ident]
        ident = len(self._ids)
        self._ids[key] = ident
        if mode == "exact" and fuzzy and alone:
            self._add_own(forms, ident, lang)
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

    def _add_own(self, forms: frozenset[str], ident: int, lang: str) -> None:
        for form in forms:
            if form.startswith(SKELETON_MARK):  # consonants alone are too loose for a typo
                continue
            if FUZZY_OWN_MIN <= len(form.lstrip(CYRILLIC_MARK)) < FUZZY_MIN:
                shape = self._own.setdefault((lang, form[0], len(form)), {})
                if ident not in shape.get(form, ()):
                    shape[form] = (*shape.get(form, ()), ident)

    def done(self) -> None:
        """Drop what only compiling needed (the pattern keys)."""
        self._ids.clear()
        self._compiled.clear()

    def lookup(
        self, word: str, *, skeleton: bool = False, langs: frozenset[str] = frozenset()
    ) -> frozenset[int]:
        """Every pattern one word of a message (written in ``langs``) matches."""
        cached = self._cache.get((word, skeleton, langs))
        if cached is not None:
            return cached
        found: set[int] = set()
        forms = loose_keys(word)
        # An everyday word ("schlafe") is no typo of another word ("schläge"); only of its
        # own forms ("strange", Romanian "gathers", still finds "strâng").
        own_forms_only = self._everyday(forms)
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
                found |= self._near_patterns(form, own_forms_only)
            if len(form) - marked >= FUZZY_OWN_MIN:  # "nicht" is not "nichte" (niece)
                found |= self._near_own(form, langs, own_forms_only)
        result = frozenset(found)
        if len(self._cache) >= CACHE_MAX:
            self._cache.clear()
        self._cache[(word, skeleton, langs)] = result
        return result

    def _near_patterns(self, form: str, own_forms_only: bool = False) -> set[int]:
        """Patterns one typo away from ``form`` (a letter added, dropped, changed or two
        swapped), the first letter kept: people rarely mistype the first letter. With
        ``own_forms_only``, only a letter added or dropped at the end."""
        near: set[int] = set()
        for length in (len(form) - 1, len(form), len(form) + 1):
            shape = self._shapes.get((form[0], length))
            if not shape:
                continue
            for target, _, _ in process.extract_iter(
                form, shape, scorer=OSA.distance, score_cutoff=1
            ):
                if not own_forms_only or _same_stem(form, target):
                    near.update(self._fuzzy[target])
        return near

    def _near_own(
        self, form: str, langs: frozenset[str], own_forms_only: bool = False
    ) -> set[int]:
        """Patterns of the message's own languages one typo away from a shorter ``form``."""
        near: set[int] = set()
        for lang in langs:
            for length in (len(form) - 1, len(form), len(form) + 1):
                shape = self._own.get((lang, form[0], length))
                if not shape:
                    continue
                for target, _, _ in process.extract_iter(
                    form, shape.keys(), scorer=OSA.distance, score_cutoff=1
                ):
                    if not own_forms_only or _same_stem(form, target):
                        near.update(shape[target])
        return near


def _same_stem(a: str, b: str) -> bool:
    """One word is the other with a letter more at the end ("strange", "strang")."""
    return a.startswith(b) or b.startswith(a)


def _compile(word: str, fuzzy: bool, skeleton: bool) -> tuple[str, frozenset[str]]:
    """How one word of a term matches (exact, prefix, part) and the keys it is found by."""
    part = word.startswith(WILDCARD) and word.endswith(WILDCARD) and len(word) > 2
    prefix = not part and word.endswith(WILDCARD)
    core = word.strip(WILDCARD)
    mode = "part" if part else "prefix" if prefix else "exact" if fuzzy else "exact, no typo"
    forms = loose_keys(core, term=True) if core else frozenset()
    if part:  # a short part would be found inside too many ordinary words
        forms = frozenset(f for f in forms if len(f) >= part_min(f))
    if skeleton and not part:  # Arabizi and Finglish vowels vary: "bidrebni", "bedrebni"
        forms |= {k for f in forms if (k := consonants(f))}
    return mode, forms


GAP_MAX = 8  # words a "..." may stand for
# Persian writes the present-tense prefix apart or with a ZWNJ: "می زنه" is one word.
_PERSIAN_PREFIXES = frozenset({"می", "مي", "نمی", "نمي"})


def match_rest(
    term: tuple[int, ...], patterns: list[frozenset[int]], start: int, negation: list[bool]
) -> int | None:
    """Where a term whose first word matched at ``start`` ends, or None if the rest does not
    follow (one other word may stand between two of its words, any after ``...``, but never
    a negation word: "I am not in danger" is not "I am in danger")."""
    at = start
    anywhere = False
    for ident in term[1:]:
        if ident == GAP_ID:
            anywhere = True
            continue
        steps = range(1, min(len(patterns) - at, GAP_MAX + 1)) if anywhere else (1, 2)
        for step in steps:
            if at + step >= len(patterns) or any(negation[at + 1 : at + step]):
                break
            if ident in patterns[at + step]:
                at += step
                break
        else:
            return None
        if ident not in patterns[at]:
            return None
        anywhere = False
    return at + 1


def join_persian_prefixes(words: Iterable[str]) -> list[str]:
    """Words with a Persian present-tense prefix written apart joined to it: \"می زنه\"."""
    joined: list[str] = []
    for word in words:
        if joined and joined[-1] in _PERSIAN_PREFIXES:
            joined[-1] += word
        else:
            joined.append(word)
    return joined
