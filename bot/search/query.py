"""What a query's words are: topic words, filler words, town names, compounds. Pure; no I/O
beyond reading a stop word list once per language.

A search must not mislead: "BIP Marl" is about care counselling in Marl, not about whatever
entry carries Marl in its name. So a town named in a query is taken out of the words that are
scored and kept as a qualifier; filler words ("I", "am", "my", "für") count little, so that
"я вагітна" (I am pregnant) is about being pregnant; and a compound that no index knows
("Wohngeld") is split into parts that one knows, but the parts are weaker evidence than a
word found whole.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import stop_words

from bot.knowledge.model import Town
from bot.search.index import LanguageIndex, edit_similarity
from bot.text.norm import fold, tokens

# A German compound that is not indexed ("Kinderarzt") is split into indexed parts, each of
# at least COMPOUND_PART letters.
COMPOUND_MIN = 8
COMPOUND_PART = 3
# Longer messages are cut: a query is a few words, not a letter.
MAX_WORDS = 16
# Words that only carry grammar ("ich", "my", "я") and words of one or two letters count
# this much of a topic word, in the score and in how much of the query an entry covers.
FILLER_WEIGHT = 0.2
SHORT_WORD = 2
# Town names: the parts of at least TOWN_PART letters ("Castrop", "Rauxel", "Haltern", not
# "am", "See", "Oer"). A word may carry an ending ("Marle", "Dorstene", "Marlê") of up to
# TOWN_ENDING letters, or a typo.
TOWN_PART = 4
TOWN_ENDING = 2
# Arabic and Persian letters as Latin consonants, enough to know a town's name ("مارل" is
# Marl, "هرتن" Herten, "غلادبيك" Gladbeck): both sides are reduced to consonants, spelled
# alike (c and k, p and b, z and s), once each.
_ARABIC_LATIN = str.maketrans(
    {
        "ا": "", "ب": "b", "پ": "b", "ت": "t", "ث": "s", "ج": "j", "چ": "ch", "ح": "h",
        "خ": "kh", "د": "d", "ذ": "s", "ر": "r", "ز": "s", "ژ": "j", "س": "s", "ش": "sh",
        "ص": "s", "ض": "d", "ط": "t", "ظ": "s", "ع": "", "غ": "g", "ف": "f", "ق": "k",
        "ك": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "", "ي": "",
    }
)  # fmt: skip
_LATIN_ALIKE = str.maketrans({"c": "k", "p": "b", "z": "s", "v": "f", "q": "k"})
_VOWELS = str.maketrans("", "", "aeiouwy")
SKELETON_MIN = 3


@dataclass(frozen=True)
class Word:
    """A query word to score, and how much it counts (filler words count little).

    ``parts`` is the word itself, or the parts of a compound that no index knows whole
    ("wohn", "geld" for "wohngeld"): an entry answers it only if it has every part, and the
    last one (the head: "Wohngeld" is money, "Kinderarzt" a doctor) in what it is about.
    """

    parts: tuple[str, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class Query:
    """A query taken apart: the words to score, and the towns it names."""

    words: tuple[Word, ...]
    towns: tuple[str, ...]


@functools.cache
def stopwords(lang: str) -> frozenset[str]:
    """The folded filler words of ``lang`` (empty when no list is known)."""
    try:
        words = stop_words.get_stop_words(lang)
    except stop_words.StopWordError:
        return frozenset()
    return frozenset(fold(w) for word in words for w in tokens(word))


def _skeleton(folded: str) -> str:
    """A word's consonants in Latin letters: how a town name typed in Arabic letters meets it."""
    latin = folded.translate(_ARABIC_LATIN).replace("sch", "sh").translate(_LATIN_ALIKE)
    consonants = latin.translate(_VOWELS)
    return "".join(c for i, c in enumerate(consonants) if i == 0 or consonants[i - 1] != c)


class TownNames:
    """Recognises the county's towns in a query, in Latin, Cyrillic or Arabic letters."""

    def __init__(self, towns: Mapping[str, Town]) -> None:
        self._parts: dict[str, str] = {}
        self._skeletons: dict[str, str] = {}
        for town in towns.values():
            for part in tokens(town.name):
                folded = fold(part)
                if len(folded) >= TOWN_PART:
                    self._parts[folded] = town.id
                    self._skeletons[_skeleton(folded)] = town.id

    def town(self, word: str, known: bool = False) -> str | None:
        """The id of the town ``word`` names, or None.

        Args:
            word: a word of the query.
            known: whether the word is a word of the knowledge (then only a town's exact
                name counts: "Herren" is not a typo of Herten).
        """
        folded = fold(word)
        found = self._parts.get(folded)
        if found is not None or known or len(folded) < TOWN_PART:
            return found
        if not folded.isascii():
            skeleton = _skeleton(folded)
            return self._skeletons.get(skeleton) if len(skeleton) >= SKELETON_MIN else None
        for part, town in self._parts.items():
            ending = len(folded) - len(part)
            if 0 < ending <= TOWN_ENDING and folded.startswith(part):
                return town
            if len(part) > TOWN_PART and edit_similarity(folded, part):
                return town
        return None


def analyse(text: str, lang: str, indexes: Sequence[LanguageIndex], towns: TownNames) -> Query:
    """Take a query apart: town names out, filler words light, unknown compounds split."""
    filler = stopwords(lang)
    words: list[Word] = []
    named: list[str] = []
    for word in dict.fromkeys(tokens(text)):
        town = towns.town(word, known=any(index.has(word) for index in indexes))
        if town is not None:
            named.append(town)
            continue
        folded = fold(word)
        if folded in filler or len(folded) <= SHORT_WORD:
            words.append(Word((word,), FILLER_WEIGHT))
            continue
        words.append(_split(word, indexes))
    return Query(tuple(words[:MAX_WORDS]), tuple(dict.fromkeys(named)))


def _split(word: str, indexes: Sequence[LanguageIndex]) -> Word:
    """The word, or the parts of a compound that no index knows but each part is in one."""
    if len(word) < COMPOUND_MIN or any(index.has(word) for index in indexes):
        return Word((word,))
    splits = [
        (min(cut, len(word) - cut), word[:cut], word[cut:])
        for cut in range(COMPOUND_PART, len(word) - COMPOUND_PART + 1)
        for index in indexes
        if index.has(word[:cut]) and index.has(word[cut:])
    ]
    if not splits:
        return Word((word,))
    _, left, right = max(splits)
    return Word((left, right))
