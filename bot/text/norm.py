"""Text normalisation shared by search and crisis detection. Pure; no I/O, no Telegram.

People type without diacritics, in Latin letters, with Arabic or Persian keyboards: both the
knowledge and the query go through the same steps, so that ``bakim`` meets ``bakım``,
``schlaegt`` meets ``schlägt``, ``مي`` meets ``می`` and ``demenciya`` meets ``деменция``.

- :func:`clauses` and :func:`tokens` split text into lowercase words (apostrophes dropped,
  so ``don't`` is ``dont``), after removing Arabic vowel marks, tatweel and ZWNJ;
- :func:`fold` maps one word to its folded form: Cyrillic transliterated to Latin, Latin
  diacritics removed (ß → ss, ł → l, ı → i), Arabic and Persian letters unified, Eastern
  digits made ASCII;
- :func:`umlaut_variant` gives the spelling with ``ae``/``oe``/``ue`` that people use
  on keyboards without umlauts;
- :func:`trigrams` gives the padded character trigrams of a folded word;
- :func:`loose_keys` gives the keys crisis detection compares words by: chat spellings
  (Arabizi and Bulgarian digits, Cyrillic in Latin letters, j/y/i, w/v, doubled letters)
  meet the written word.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_APOSTROPHES = re.compile(r"['’`´ʼ‘]")
_ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c\u200d]")
_WORD = re.compile(r"\w+")
# Punctuation that ends a clause: negation never reaches across it.
_CLAUSE = re.compile(r"[.!?;:,\n\r()\[\]…؟،؛]+")

# Letters that Unicode decomposition does not reduce to a base letter.
_LATIN = {"ß": "ss", "ł": "l", "ı": "i", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ħ": "h"}
# One scheme for Russian, Ukrainian and Bulgarian, close to what people type in chats (ъ is a
# vowel in Bulgarian, rare in Russian);
# trigram similarity absorbs the rest (ya/ja, kh/h, shch/sch).
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e",
    "є": "ye", "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "a",
    "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
# Arabic and Persian forms of the same letter; Eastern Arabic and Persian digits.
_ARABIC = {
    "ٱ": "ا", "ى": "ي", "ی": "ي", "ئ": "ي", "ک": "ك", "ة": "ه", "ۀ": "ه", "ؤ": "و",
    "أ": "ا", "إ": "ا", "آ": "ا",
}  # fmt: skip
_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {
    chr(0x06F0 + i): str(i) for i in range(10)
}
_TABLE = str.maketrans(_LATIN | _CYRILLIC | _ARABIC | _DIGITS)
_TABLE_KEEP_SCRIPT = str.maketrans(_LATIN | _ARABIC | _DIGITS)
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def prepare(text: str) -> str:
    """Lowercase ``text`` and remove what never separates words (marks, apostrophes)."""
    text = unicodedata.normalize("NFC", text).replace("İ", "i").lower()
    text = _APOSTROPHES.sub("", text)
    return _ARABIC_MARKS.sub("", text)


def tokens(text: str) -> list[str]:
    """The lowercase words of ``text``, diacritics kept (stemmers need them)."""
    return [w for w in _WORD.findall(prepare(text)) if w != "_"]


def clauses(text: str) -> list[list[str]]:
    """The words of each clause of ``text`` (split at sentence and comma punctuation)."""
    found = (tokens(part) for part in _CLAUSE.split(text))
    return [words for words in found if words]


def fold(word: str, *, translit: bool = True) -> str:
    """A word without case, diacritics or script differences, for comparing.

    With ``translit`` Cyrillic becomes Latin, so that "demenciya" is near "деменция"; crisis
    detection keeps the script, so that Russian "бьет" never meets English "bet".
    """
    table = _TABLE if translit else _TABLE_KEEP_SCRIPT
    word = word.lower().translate(table)
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).translate(table)


def umlaut_variant(word: str, *, translit: bool = True) -> str | None:
    """The folded spelling with ``ae``/``oe``/``ue`` for ä/ö/ü, when the word has umlauts."""
    lowered = word.lower()
    if not any(c in lowered for c in "äöü"):
        return None
    return fold(lowered.translate(_UMLAUTS), translit=translit)


def trigrams(folded: str) -> set[str]:
    """The character trigrams of a folded word, padded at both ends."""
    padded = f"${folded}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


# -- loose keys for crisis detection ------------------------------------------------------

_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")
_CYRILLIC_SCRIPT = re.compile(r"[\u0400-\u04ff]")
CYRILLIC_MARK = "¦"
_LETTER = re.compile(r"[a-z]")
# Chat spellings, applied in this order to Latin-letter words (both terms and messages).
_DIGRAPHS = (
    ("shch", "sh"), ("sht", "sh"), ("sch", "sh"), ("sz", "sh"), ("cz", "ch"), ("kh", "h"),
    ("gh", "g"), ("zh", "z"), ("ph", "f"), ("tz", "c"), ("ts", "c"), ("ou", "u"), ("ee", "i"),
    ("oo", "u"),
)  # fmt: skip
_LETTERS = str.maketrans({"w": "v", "j": "i", "y": "i", "q": "k", "x": "h"})
# Digits inside words: Arabizi (3 ع, 2 ء, 7 ح, 5 خ, 9 ص, 8 ق) and Bulgarian (4 ч, 6 ш).
_CHAT_DIGITS = {"3": "", "2": "", "7": "h", "5": "h", "9": "s", "8": "k", "4": "ch", "6": "sh"}
_DOUBLE = re.compile(r"(.)\1+")
_ARABIC_PROCLITICS = ("وال", "بال", "فال", "لل", "ال", "و", "ف", "ب")


_DIGRAPH = re.compile("|".join(old for old, _ in _DIGRAPHS))
_DIGRAPH_TO = dict(_DIGRAPHS)


def _latin_key(word: str) -> str:
    word = _DIGRAPH.sub(lambda m: _DIGRAPH_TO[m.group()], word)
    return _DOUBLE.sub(r"\1", word.translate(_LETTERS))


@functools.lru_cache(maxsize=8_192)
def loose_keys(word: str, *, term: bool = False) -> frozenset[str]:
    """The loose keys of one word: how it and its chat spellings are compared.

    A message's word with digits also gets its spelling with the digits read as letters
    ("6te" is also "shte"); a ``term`` written with digits is kept as it was written, so that
    Arabizi such as "we2e3" is not reduced to two letters.
    """
    folded = fold(word)
    if not folded:
        return frozenset()
    if _CYRILLIC_SCRIPT.search(word):
        # A Cyrillic word meets only Cyrillic terms (Bulgarian "ще" is not English "she");
        # a Cyrillic term also meets the same word typed in Latin letters ("ubju").
        found = _latin_keys(word, folded, term=term)
        marked = {CYRILLIC_MARK + k for k in found}
        return frozenset(found | marked) if term else frozenset(marked)
    if _ARABIC_SCRIPT.search(folded):
        found = {folded}
        for clitic in _ARABIC_PROCLITICS:
            if folded.startswith(clitic) and len(folded) - len(clitic) >= 3:
                found.add(folded[len(clitic) :])
        return frozenset(found)
    return frozenset(_latin_keys(word, folded, term=term))


def _latin_keys(word: str, folded: str, *, term: bool) -> set[str]:
    spellings = {folded}
    if "ь" in word:  # the soft sign written as j/y in Latin letters ("ubjet" for "убьёт")
        spellings.add(fold(word.replace("ь", "й")))
    variant = umlaut_variant(word)
    if variant:
        spellings.add(variant)
    if not term and _LETTER.search(folded) and any(d in folded for d in _CHAT_DIGITS):
        spellings.add("".join(_CHAT_DIGITS.get(c, c) for c in folded))
    if "q" in folded:  # Bulgarian chat "q" for я ("nqma", "stoq")
        spellings |= {s.replace("q", "ya") for s in spellings}
    return {_latin_key(s) for s in spellings}


def part_min(form: str) -> int:
    """The shortest ``*part*`` worth searching for (Arabic roots have three letters)."""
    if _ARABIC_SCRIPT.search(form):
        return 3
    return 4 if any(c.isdigit() for c in form) else 5  # Arabizi digits are rare elsewhere


SKELETON_MARK = "~"
_VOWELS = re.compile(r"[aeiouy]")


def consonants(key: str) -> str:
    """The consonant skeleton of a Latin loose key ("bidrebni" → "~bdrbn"), or "" when too
    short to tell words apart (fewer than three consonants) or not in Latin letters."""
    if not key or not key.isascii():
        return ""
    skeleton = key[0] + _VOWELS.sub("", key[1:])
    return SKELETON_MARK + skeleton if len(skeleton) >= 3 else ""
