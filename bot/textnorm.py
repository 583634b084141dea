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
- :func:`trigrams` gives the padded character trigrams of a folded word.
"""

from __future__ import annotations

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
