"""Crisis detection: does a message signal acute danger? Pure; no I/O, no Telegram.

The phrases live in ``knowledge/emergency.yaml`` per language and kind (violence, suicide,
medical), with harmless uses and negation words. Every language's phrases are checked,
whatever language the user chose: people in panic write as they can.

A phrase matches a run of words of one clause: compared folded (no case, no diacritics, ä
also as ae), words of at least :data:`FUZZY_MIN` letters with one typo, ``word*`` as a
prefix. A match does not count when a harmless phrase covers one of its words, or when a
negation word of its language (or of the user's) stands within :data:`NEGATION_WINDOW`
words before it (``negation``) or after it (``negation_after``). A false alarm costs one
extra screen; a miss can cost a life: the rules err on the side of the alarm.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.knowledge.model import (
    HARMLESS,
    NEGATION,
    NEGATION_AFTER,
    CrisisKind,
    CrisisSignal,
    Knowledge,
)
from bot.textnorm import clauses, fold, tokens, umlaut_variant

FUZZY_MIN = 7
PREFIX_MIN = 4
NEGATION_WINDOW = 2
WILDCARD = "*"


@dataclass(frozen=True)
class CrisisMatch:
    """One phrase found in a message: what kind, which language's phrase, which words."""

    kind: str
    lang: str
    phrase: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class _Phrase:
    kind: str
    lang: str
    text: str
    patterns: tuple[int, ...]


def _folded(word: str) -> str:
    return fold(word, translit=False)


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


class CrisisDetector:
    """Recognises messages that signal acute danger, in any of the knowledge's languages."""

    def __init__(self) -> None:
        self._pattern_ids: dict[tuple[frozenset[str], bool, bool], int] = {}
        self._pattern_forms: list[frozenset[str]] = []
        self._exact: dict[str, set[int]] = {}
        self._prefix: dict[str, set[int]] = {}
        self._near: dict[str, set[int]] = {}
        self._by_first: dict[int, list[_Phrase]] = {}
        self._negation: dict[str, frozenset[str]] = {}
        self._negation_after: dict[str, frozenset[str]] = {}

    @classmethod
    def build(cls, knowledge: Knowledge) -> CrisisDetector:
        """Compile every language's crisis, harmless and negation phrases of ``knowledge``."""
        detector = cls()
        for rule in knowledge.emergency.rules:
            if rule.kind in (NEGATION, NEGATION_AFTER):
                table = detector._negation if rule.kind == NEGATION else detector._negation_after
                words = {_folded(w) for phrase in rule.phrases for w in tokens(phrase)}
                table[rule.lang] = table.get(rule.lang, frozenset()) | words
            elif rule.kind in (*CrisisKind, HARMLESS):
                for text in rule.phrases:
                    detector._add_phrase(rule.kind, rule.lang, text)
        return detector

    def _add_phrase(self, kind: str, lang: str, text: str) -> None:
        # Split like a message ("m-a bătut" is three words), a trailing * on the last part.
        patterns: list[int] = []
        for word in text.split():
            parts = tokens(word.rstrip(WILDCARD))
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                prefix = last and word.endswith(WILDCARD)
                # Exceptions must be exact: a fuzzy "dövmüyor" would hide "dövüyor".
                patterns.append(self._pattern(part, prefix=prefix, fuzzy=kind != HARMLESS))
        if patterns:
            phrase = _Phrase(kind, lang, text, tuple(patterns))
            self._by_first.setdefault(patterns[0], []).append(phrase)

    def _pattern(self, word: str, *, prefix: bool, fuzzy: bool) -> int:
        forms = {_folded(word)}
        variant = umlaut_variant(word, translit=False)
        if variant:
            forms.add(variant)
        key = (frozenset(forms), prefix, fuzzy)
        if key in self._pattern_ids:
            return self._pattern_ids[key]
        ident = len(self._pattern_forms)
        self._pattern_ids[key] = ident
        self._pattern_forms.append(key[0])
        for form in forms:
            if prefix:
                self._prefix.setdefault(form, set()).add(ident)
                continue
            self._exact.setdefault(form, set()).add(ident)
            if fuzzy and len(form) >= FUZZY_MIN:
                for near in {form} | _deletions(form):
                    self._near.setdefault(near, set()).add(ident)
        return ident

    def _patterns_of(self, word: str) -> set[int]:
        """Every word pattern that ``word`` (folded) matches."""
        found = set(self._exact.get(word, ()))
        for end in range(PREFIX_MIN, len(word) + 1):
            found |= self._prefix.get(word[:end], set())
        if len(word) >= FUZZY_MIN - 1:
            for near in {word} | _deletions(word):
                for ident in self._near.get(near, ()):
                    if ident not in found and any(
                        form[0] == word[0] and _within_one(form, word)
                        for form in self._pattern_forms[ident]
                    ):
                        found.add(ident)
        return found

    def _runs(
        self, words: list[str], patterns: list[set[int]], kinds: Iterable[str]
    ) -> list[tuple[int, int, _Phrase]]:
        """Every (start, end, phrase) of the given kinds that matches a run of ``words``."""
        wanted = set(kinds)
        runs: list[tuple[int, int, _Phrase]] = []
        for start in range(len(words)):
            for ident in patterns[start]:
                for phrase in self._by_first.get(ident, ()):
                    if phrase.kind not in wanted:
                        continue
                    end = start + len(phrase.patterns)
                    if end <= len(words) and all(
                        p in patterns[start + offset]
                        for offset, p in enumerate(phrase.patterns[1:], start=1)
                    ):
                        runs.append((start, end, phrase))
        return runs

    def matches(self, text: str, lang: str) -> list[CrisisMatch]:
        """Every crisis phrase that counts in ``text`` (after harmless uses and negation)."""
        found: list[CrisisMatch] = []
        for clause in clauses(text):
            words = [_folded(w) for w in clause]
            patterns = [self._patterns_of(w) for w in words]
            masked: set[int] = set()
            for start, end, _ in self._runs(words, patterns, (HARMLESS,)):
                masked.update(range(start, end))
            for start, end, phrase in self._runs(words, patterns, CrisisKind):
                if masked.intersection(range(start, end)):
                    continue
                before = self._negation.get(phrase.lang, frozenset()) | self._negation.get(
                    lang, frozenset()
                )
                after = self._negation_after.get(
                    phrase.lang, frozenset()
                ) | self._negation_after.get(lang, frozenset())
                if before.intersection(words[max(0, start - NEGATION_WINDOW) : start]):
                    continue
                if after.intersection(words[end : end + NEGATION_WINDOW]):
                    continue
                found.append(
                    CrisisMatch(phrase.kind, phrase.lang, phrase.text, tuple(clause[start:end]))
                )
        return found

    def detect(self, text: str, lang: str) -> CrisisSignal | None:
        """The kind of acute danger ``text`` signals, or None; a phrase match is always sure.

        Args:
            text: the user's message, in any language and script.
            lang: the user's language; its negation words apply to every language's phrases.
        """
        kinds = {m.kind for m in self.matches(text, lang)}
        kind = next((kind for kind in CrisisKind if kind in kinds), None)
        return CrisisSignal(kind, sure=True) if kind is not None else None
