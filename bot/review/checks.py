"""Whether a reviewer's correction may replace a translation. Pure; no I/O.

A correction is shown to every user of its language at once, so it must keep what the
reader cannot check: every number of the source (as the language writes numbers), every
``{placeholder}``, and the light markup (``*bold*`` spans, ``- `` list lines). It may not
bring in a link, an e-mail address or an @name the source does not have (Telegram would
make them tappable), and it stays within the length the screen allows. HTML needs no rule:
the engine escapes every translated text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bot.i18n import placeholders

# Arabic-Indic and Extended (Persian) digits read as ASCII digits.
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_SPACES = " \u00a0\u202f"
# Characters that group thousands in each language (CLDR, plus the plain space where CLDR has
# a no-break space, since people type a space). A character a reader of the language takes
# for the decimal point is never in its set: "." in en, ar, fa.
GROUPING = {
    "de": ".",
    "en": ",",
    "tr": ".",
    "ar": "٬,",
    "ru": _SPACES,
    "uk": _SPACES,
    "pl": _SPACES,
    "fa": "٬,",
    "ku": ".",
    "ro": ".",
    "bg": _SPACES,
}
_STARS = re.compile(r"\*([^*\n]+)\*")
_LINKISH = re.compile(
    r"(?:https?://|www\.|t\.me/|tg://)\S+|[\w.+-]+@[\w-]+\.[\w.-]+|(?<![\w@])@\w{4,}",
    re.IGNORECASE,
)
# The longest text a field may become (Telegram: 4096 characters for the whole message).
LIMITS = {"title": 60, "text": 3500, "offers": 900, "keywords": 1000}
DEFAULT_LIMIT = 600


@dataclass(frozen=True)
class Refusal:
    """Why a correction is refused: a message id for the reviewer and its values."""

    reason: str
    values: tuple[tuple[str, str], ...] = ()


def numbers(text: str, lang: str) -> Counter[str]:
    """The numbers a reader of ``lang`` sees in ``text``: digit runs, and grouped thousands.

    "116 016" in Russian counts as 116016, 116 and 016, so a phone number that a language
    groups like thousands is still found digit by digit.
    """
    text = text.translate(DIGITS)
    found: Counter[str] = Counter(re.findall(r"\d+", text))
    seps = re.escape(GROUPING.get(lang, "."))
    grouped = re.compile(rf"(?<!\d)(?<!\d[{seps}])\d{{1,3}}(?:[{seps}]\d{{3}})+(?!\d)")
    for match in grouped.finditer(text):
        found[re.sub(r"\D", "", match.group(0))] += 1
    return found


def source_numbers(text: str, source_lang: str) -> Counter[str]:
    """The numbers of a source text: German joins thousands ("1.497" is only 1497)."""
    if source_lang != "de":
        return Counter(re.findall(r"\d+", text.translate(DIGITS)))
    text = text.translate(DIGITS)
    grouped = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{3})+(?![\d])")
    joined = Counter(re.sub(r"\D", "", m.group(0)) for m in grouped.finditer(text))
    return joined + Counter(re.findall(r"\d+", grouped.sub(" ", text)))


def missing_numbers(source: Counter[str], translation: Counter[str]) -> list[str]:
    """Numbers of the source the translation lacks (a number used twice must appear twice)."""
    return sorted((source - translation).elements())


def _digit_runs(text: str) -> Counter[str]:
    return Counter(re.findall(r"\d+", text.translate(DIGITS)))


def _list_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.lstrip().startswith("- "))


def limit_for(key: str) -> int:
    """The most characters the text of ``key`` (msgctxt or msgid) may have."""
    field = key.rsplit(":", 1)[-1] if key.count(":") >= 2 else ""
    return LIMITS.get(field, DEFAULT_LIMIT)


def check_correction(
    source: str, correction: str, lang: str, *, key: str = "", source_lang: str = "de"
) -> Refusal | None:
    """None when ``correction`` may replace the translation of ``source``; else why not."""
    text = correction.strip()
    if not text:
        return Refusal("empty")
    limit = max(limit_for(key), len(source) * 2)
    if len(text) > limit:
        return Refusal("too_long", (("n", str(limit)),))
    braces = (text.count("{"), text.count("}")) != (source.count("{"), source.count("}"))
    if braces or placeholders(text) != placeholders(source):
        differ = sorted(placeholders(source) ^ placeholders(text)) or sorted(placeholders(source))
        return Refusal("placeholder", (("name", "{" + (differ or [""])[0] + "}"),))
    lost = missing_numbers(source_numbers(source, source_lang), numbers(text, lang))
    if lost:
        return Refusal("number_lost", (("number", lost[0]),))
    added = _digit_runs(text) - _digit_runs(source)
    if added:
        return Refusal("number_added", (("number", sorted(added)[0]),))
    if len(_STARS.findall(text)) != len(_STARS.findall(source)) or text.count("*") != source.count(
        "*"
    ):
        return Refusal("bold")
    if _list_lines(text) != _list_lines(source):
        return Refusal("list")
    new_links = set(_LINKISH.findall(text)) - set(_LINKISH.findall(source))
    if new_links:
        return Refusal("link")
    return None
