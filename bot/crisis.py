"""Crisis detection: does a message signal acute danger, and how sure are we? Pure; no I/O.

What counts lives in ``knowledge/crisis.yaml`` (schema and examples: knowledge/README.md):
*concepts* (words of one meaning in every language: "hit", "child", "kill", "goodbye"),
and *rules* that combine them ("child" and "hit" → a child in danger, sure). Every
language's terms are checked whatever language the user chose: people in panic write as
they can, and mix languages.

Words are compared by loose keys (:func:`bot.text.norm.loose_keys`) that forgive how people
type on a phone: no case or diacritics, Cyrillic in Latin letters ("ubyu" is "убью"),
Arabizi digits ("3" for ع, "7" for ح, "5" for خ), Bulgarian chat digits ("4" for ч, "6" for
ш, "q" for я), German umlauts as ae/oe/ue, w/v, j/y/i, doubled letters.

A term is a word (one typo forgiven from :data:`FUZZY_MIN` letters on), ``stem*`` (a word
starting with it), ``*part*`` (a word containing it, for Arabic and Persian words with
attached pronouns), several words in a row (one other word may stand between them) or
``a ... b`` (b anywhere later in the sentence, for German separable verbs: "bringt ... um");
``!term`` is an exception ("schlage vor" is not hitting). A short term counts only in
messages of its own language (Polish "on" is not English "on"); Arabizi and Finglish terms
are also compared by their consonants. A negatable concept does not count when a negation
word stands up to :data:`NEGATION_WINDOW` words before it in the same clause.

A false alarm costs one extra screen; a miss can cost a life: where unsure, the rules give
the one line of numbers on top of the normal answer rather than nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.knowledge.model import Crisis, CrisisRule, CrisisSignal, Knowledge
from bot.text.norm import CYRILLIC_MARK, clauses, consonants, fold, loose_keys, part_min, prepare

FUZZY_MIN = 8
STEM_MIN = 3
NEGATION_WINDOW = 3
# Words longer than this are not searched for parts (a pasted link, a long number).
PART_MAX = 30
CACHE_MAX = 8_192
WILDCARD = "*"
EXCEPT = "!"
# Terms of fewer letters ("on", "ev", "man") count only in messages of their own language
# and its neighbours (people often write one with the other's keyboard or words).
SHORT_MIN = 4
NEIGHBOURS = {"ku": {"tr"}, "tr": {"ku"}, "ru": {"uk", "bg"}, "uk": {"ru"}, "bg": {"ru"}}
# A short term in another script than the user's language counts all the same: "زوج" in a
# message of a German user is Arabic, but "من" in a Persian user's message may be Persian.
# Arabizi and Finglish are written with any vowels: their Latin terms are also compared by
# consonants, in messages of users of these languages.
SKELETON_LANGS = frozenset({"ar", "fa"})
SCRIPTS = {"ar": "arab", "fa": "arab", "ru": "cyrl", "uk": "cyrl", "bg": "cyrl"}
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")

# A word of a term as a message would be split into words ("m-a" is two), wildcards kept.
_TERM_WORD = re.compile(r"\.\.\.|\*?\w+\*?")
# "bringt ... um": the next word may follow anywhere later in the clause (German separable
# verbs: "bringt er meine Familie um").
GAP = "..."
GAP_MAX = 8  # words a "..." may stand for
_GAP_ID = -1
# Persian writes the present-tense prefix apart or with a ZWNJ: "می زنه" is one word.
_PERSIAN_PREFIXES = frozenset({"می", "مي", "نمی", "نمي"})


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _within_one(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by at most one edit (insert, delete, replace, swap)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    if a[i + 1 :] == b[i + 1 :]:
        return True
    return a[i : i + 2] == b[i : i + 2][::-1] and a[i + 2 :] == b[i + 2 :]


@dataclass(frozen=True)
class Found:
    """Why a message got a signal: the rule that held and the concepts it saw (with words)."""

    rule: CrisisRule
    concepts: dict[str, str]


@dataclass(frozen=True)
class _Term:
    concept: str
    text: str
    patterns: tuple[int, ...]
    # "!harf mizane": words that look like the concept but are not ("speaks", not "hits").
    exception: bool = False
    lang: str = ""
    # A short term ("on", "ev", "ще") is a different word in some other language: it counts
    # only in messages of its own language and its neighbours (see :func:`scope`).
    letters: int = 0


class CrisisDetector:
    """Recognises messages that signal acute danger, in any of the knowledge's languages."""

    def __init__(self, crisis: Crisis) -> None:
        self.crisis = crisis
        self._ids: dict[tuple[str, str], int] = {}
        self._exact: dict[str, set[int]] = {}
        self._prefix: dict[str, set[int]] = {}
        # Parts by their first three letters: one look-up per letter of a message's word.
        self._part: dict[str, list[tuple[str, int]]] = {}
        # One typo: every form with one letter deleted → (pattern, form) pairs.
        self._near: dict[str, list[tuple[int, str]]] = {}
        self._by_first: dict[int, list[_Term]] = {}
        self._negatable = {c.name for c in crisis.concepts.values() if c.negatable}
        self._cache: dict[tuple[str, bool], frozenset[int]] = {}
        self._rules = [
            (rule, frozenset(rule.all), frozenset(rule.any), frozenset(rule.none))
            for rule in crisis.rules
        ]
        # Negation words as typed (lowercase, without diacritics): a short closed list.
        self._negation_words: set[str] = set()
        for words in crisis.negation.values():
            for word in words:
                self._negation_words |= {fold(w, translit=False) for w in _words(word)}
                self._negation_words |= {prepare(w) for w in _words(word)}
        for concept in crisis.concepts.values():
            for lang, terms in concept.terms.items():
                for text in terms:
                    self._add_term(concept.name, lang, text)

    @classmethod
    def build(cls, knowledge: Knowledge) -> CrisisDetector:
        """Compile the concepts and rules of ``knowledge`` (knowledge/crisis.yaml)."""
        return cls(knowledge.crisis)

    def _add_term(self, concept: str, lang: str, text: str) -> None:
        exception = text.startswith(EXCEPT)
        words = _TERM_WORD.findall(prepare(text.removeprefix(EXCEPT)).replace("…", GAP))
        letters = sum(len(fold(w.strip(WILDCARD))) for w in words if w != GAP)
        skeleton = lang in SKELETON_LANGS
        patterns = tuple(
            ident
            for word in words
            for ident in (
                [_GAP_ID]
                if word == GAP
                else self._patterns_for_word(word, fuzzy=not exception, skeleton=skeleton)
            )
        )
        if patterns:
            term = _Term(concept, text, patterns, exception, lang, letters)
            self._by_first.setdefault(patterns[0], []).append(term)

    def _patterns_for_word(
        self, word: str, *, fuzzy: bool = True, skeleton: bool = False
    ) -> list[int]:
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
                self._prefix.setdefault(form, set()).add(ident)
            else:
                self._exact.setdefault(form, set()).add(ident)
                if fuzzy and len(form.lstrip(CYRILLIC_MARK)) >= FUZZY_MIN:
                    for near in {form} | _deletions(form):
                        self._near.setdefault(near, []).append((ident, form))
        return [ident]

    def _word_patterns(self, word: str, *, skeleton: bool = False) -> frozenset[int]:
        """Every pattern one word of a message matches (cached: words repeat)."""
        cached = self._cache.get((word, skeleton))
        if cached is not None:
            return cached
        found: set[int] = set()
        forms = loose_keys(word)
        if skeleton:
            forms |= {k for f in forms if (k := consonants(f))}
        for form in forms:
            found |= self._exact.get(form, set())
            marked = form.startswith(CYRILLIC_MARK)
            for end in range(STEM_MIN + marked, len(form) + 1):
                found |= self._prefix.get(form[:end], set())
            if len(form) <= PART_MAX:
                for start in range(len(form) - 2):
                    for part, ident in self._part.get(form[start : start + 3], ()):
                        if form.startswith(part, start):
                            found.add(ident)
            if len(form) - marked >= FUZZY_MIN - 1:
                for near in {form} | _deletions(form):
                    for ident, target in self._near.get(near, ()):
                        if (
                            ident not in found
                            and target[0] == form[0]
                            and _within_one(target, form)
                        ):
                            found.add(ident)
        result = frozenset(found)
        if len(self._cache) >= CACHE_MAX:
            self._cache.clear()
        self._cache[(word, skeleton)] = result
        return result

    def concepts(self, text: str, lang: str = "de") -> dict[str, str]:
        """The concepts ``text`` (written by a user of ``lang``) mentions, with their words."""
        seen: dict[str, str] = {}
        near = scope(lang)
        script = SCRIPTS.get(lang, "latn")
        for clause in clauses(text):
            words = _join_persian_prefixes(clause)
            skeleton = lang in SKELETON_LANGS
            patterns = [self._word_patterns(w, skeleton=skeleton) for w in words]
            scripts = [
                "arab" if _ARABIC.search(w) else "cyrl" if _CYRILLIC.search(w) else "latn"
                for w in words
            ]
            negation = [w in self._negation_words for w in words]
            negated = [any(negation[max(0, i - NEGATION_WINDOW) : i]) for i in range(len(words))]
            found: list[tuple[_Term, int, int]] = []
            for start, ids in enumerate(patterns):
                for ident in ids:
                    for term in self._by_first.get(ident, ()):
                        end = _match_rest(term.patterns, patterns, start, negation)
                        if end is not None:
                            found.append((term, start, end))
            excepted = {
                (term.concept, at)
                for term, start, end in found
                if term.exception
                for at in range(start, end)
            }
            for term, start, end in found:
                if term.exception or term.concept in seen:
                    continue
                if (
                    term.letters < SHORT_MIN
                    and term.lang not in near
                    and scripts[start] in ("latn", script)
                ):
                    continue
                if any((term.concept, at) in excepted for at in range(start, end)):
                    continue
                if term.concept in self._negatable and negated[start]:
                    continue
                seen[term.concept] = " ".join(words[start:end])
        return seen

    def explain(self, text: str, lang: str = "de") -> Found | None:
        """The rule that decides ``text`` and the concepts it saw, or None."""
        seen = self.concepts(text, lang)
        if not seen:
            return None
        present = seen.keys()
        first: CrisisRule | None = None
        for rule, needed, one_of, none_of in self._rules:
            if (
                needed <= present
                and (not one_of or not one_of.isdisjoint(present))
                and none_of.isdisjoint(present)
            ):
                if rule.sure:
                    return Found(rule, seen)
                first = first or rule
        return Found(first, seen) if first else None

    def detect(self, text: str, lang: str) -> CrisisSignal | None:
        """The kind of acute danger ``text`` signals and whether it is sure, or None.

        Args:
            text: the user's message, in any language and script.
            lang: the user's language: every language's terms count, short ones only in
                their own language and its neighbours (:func:`scope`).
        """
        found = self.explain(text, lang)
        return CrisisSignal(found.rule.kind, found.rule.sure) if found else None


def scope(lang: str) -> frozenset[str]:
    """The languages whose short terms count in a message of a ``lang`` user."""
    return frozenset({lang, *NEIGHBOURS.get(lang, set())})


def _match_rest(
    term: tuple[int, ...], patterns: list[frozenset[int]], start: int, negation: list[bool]
) -> int | None:
    """Where a term whose first word matched at ``start`` ends, or None if the rest does not
    follow (one other word may stand between two of its words, any after ``...``, but never
    a negation word: "I am not in danger" is not "I am in danger")."""
    at = start
    anywhere = False
    for ident in term[1:]:
        if ident == _GAP_ID:
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


def _words(text: str) -> list[str]:
    return [w for clause in clauses(text) for w in clause]


def _join_persian_prefixes(words: Iterable[str]) -> list[str]:
    joined: list[str] = []
    for word in words:
        if joined and joined[-1] in _PERSIAN_PREFIXES:
            joined[-1] += word
        else:
            joined.append(word)
    return joined
