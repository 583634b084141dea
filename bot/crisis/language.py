"""Which languages a crisis message is read in: short terms and negation words. Pure; no I/O.

A word that is a negation or a danger word in one language is often an ordinary word in
another (Romanian "ne" is "us", Kurdish "ne" is "not"; Polish "on" is "he"). So short terms
and negation words count only in the languages a message is written in: the user's language
and its neighbours, the languages of the scripts the message uses (Cyrillic "не" negates in
every Cyrillic language), and a language whose everyday words (stop words) the clause uses.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

from stop_words import get_stop_words

from bot.text.norm import fold

# People often write one language with the other's keyboard or words.
NEIGHBOURS = {"ku": {"tr"}, "tr": {"ku"}, "ru": {"uk", "bg"}, "uk": {"ru"}, "bg": {"ru"}}
SCRIPTS = {"ar": "arab", "fa": "arab", "ru": "cyrl", "uk": "cyrl", "bg": "cyrl"}
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Everyday words that show a clause is written in a language (stop-words has no Kurdish).
_STOP_LISTS = {
    "de": "german", "en": "english", "tr": "turkish", "ar": "arabic", "ru": "russian",
    "uk": "ukrainian", "pl": "polish", "fa": "persian", "ro": "romanian", "bg": "bulgarian",
}  # fmt: skip
# "mala" (the house of) and "bila" (let) are Kurdish words before they are Polish "mała" (a
# little girl) or Russian "била" (she beat).
_KURDISH = (
    "ez", "min", "te", "wî", "wê", "ji", "bi", "jî", "ku", "ev", "di", "dixwazim", "mala",
    "malê", "male", "bila", "heye", "hene", "gelo", "çend", "cend", "xwe", "re", "ra",
)  # fmt: skip
# Languages whose negation follows the verb ("er schlägt mich nicht", "… nie"): there it also
# reaches this many words back, unless the next word makes it "not only" ("nicht nur").
AFTER = {"de": frozenset({"nur", "bloß", "bloss", "allein"})}
AFTER_WINDOW = 2
# A clause shows its language by this many of its everyday words that are not everyday words
# of the user's language (the negation word itself does not count).
EVIDENCE = 1


def script(word: str) -> str:
    """The script of a word: "arab", "cyrl" or "latn"."""
    return "arab" if _ARABIC.search(word) else "cyrl" if _CYRILLIC.search(word) else "latn"


def scope(lang: str) -> frozenset[str]:
    """The languages whose short terms count in a message of a ``lang`` user."""
    return frozenset({lang, *NEIGHBOURS.get(lang, set())})


@functools.cache
def _everyday(lang: str) -> frozenset[str]:
    words = _KURDISH if lang == "ku" else get_stop_words(_STOP_LISTS[lang])
    return frozenset(fold(w, translit=False) for w in words if len(w) > 1)


class Negation:
    """Negation words per language, counted only in clauses written in that language."""

    def __init__(
        self,
        words: Mapping[str, Iterable[str]],
        ends: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        # folded word → the languages it negates in
        self._langs: dict[str, set[str]] = {}
        for lang, items in words.items():
            for word in items:
                self._langs.setdefault(fold(word, translit=False), set()).add(lang)
        # folded word → the languages in which a negation's reach ends at it
        self._ends: dict[str, set[str]] = {}
        for lang, items in (ends or {}).items():
            for word in items:
                self._ends.setdefault(fold(word, translit=False), set()).add(lang)
        self._script_langs = {
            s: frozenset(lang for lang, sc in SCRIPTS.items() if sc == s) for s in ("arab", "cyrl")
        }
        self._everyday = {lang: _everyday(lang) for lang in words if lang in _STOP_LISTS}
        if "ku" in words:
            self._everyday["ku"] = _everyday("ku")

    def languages(self, words: list[str], lang: str) -> frozenset[str]:
        """The languages a clause of a ``lang`` user is read in, for negation."""
        found = set(scope(lang))
        scripts = {script(w) for w in words}
        for name in ("arab", "cyrl"):
            if name in scripts:
                found |= self._script_langs[name]
        if "latn" in scripts:
            folded = {fold(w, translit=False) for w in words} - self._langs.keys()
            folded -= self._everyday.get(lang, frozenset())
            for other, everyday in self._everyday.items():
                if other not in found and len(folded & everyday) >= EVIDENCE:
                    found.add(other)
        return frozenset(found)

    def everyday_in(self, word: str) -> frozenset[str]:
        """The languages of which ``word`` is an everyday word (English "since", Turkish
        "hiç", German "doch")."""
        folded = fold(word, translit=False)
        return frozenset(lang for lang, words in self._everyday.items() if folded in words)

    def reach(self, words: list[str], lang: str, window: int) -> tuple[list[bool], list[bool]]:
        """For each word of a clause: is it a negation word, and is it negated (a negation
        word up to ``window`` words before it, and no end of its reach between them: "und",
        a new subject, "ich weiss nicht weiter er schlägt mich")?"""
        marks = self.marks(words, lang)
        if not any(marks):
            return marks, marks
        langs = self.languages(words, lang)
        negated: list[bool] = []
        since = window + 1  # words since the last negation word still reaching
        for word, negation in zip(words, marks, strict=True):
            negated.append(since <= window)
            ends = self._ends.get(fold(word, translit=False))
            if negation:
                since = 1
            elif ends and not ends.isdisjoint(langs):
                since = window + 1
            else:
                since += 1
        self._reach_back(words, marks, negated, langs)
        return marks, negated

    def _reach_back(
        self, words: list[str], marks: list[bool], negated: list[bool], langs: frozenset[str]
    ) -> None:
        """A negation word of a language in :data:`AFTER` also negates up to
        :data:`AFTER_WINDOW` words before it ("er schlägt mich nicht, aber …"), up to an
        end of its reach or another negation word; not "nicht nur" (not only)."""
        folded = [fold(w, translit=False) for w in words]
        for at, negation in enumerate(marks):
            if not negation:
                continue
            negates = self._langs.get(folded[at], set()) & langs
            after = [AFTER[x] for x in negates if x in AFTER]
            if not after or (at + 1 < len(words) and any(folded[at + 1] in n for n in after)):
                continue
            for back in range(at - 1, max(at - 1 - AFTER_WINDOW, -1), -1):
                ends = self._ends.get(folded[back])
                if marks[back] or (ends and not ends.isdisjoint(langs)):
                    break
                negated[back] = True

    def marks(self, words: list[str], lang: str) -> list[bool]:
        """For each word of a clause: is it a negation word of the clause's language?"""
        langs: frozenset[str] | None = None
        marks = []
        for word in words:
            negates = self._langs.get(fold(word, translit=False))
            if negates and langs is None:
                langs = self.languages(words, lang)
            marks.append(bool(negates and langs and not negates.isdisjoint(langs)))
        return marks
