"""Scrub personal data out of free text before it is stored. Pure; no I/O, never logs.

Phone numbers, e-mail addresses, IBANs, dates, long digit runs and links are replaced by
placeholders a German-speaking member of staff understands; the text is then cleaned of
control characters, its whitespace collapsed, and its length capped. ``\\d`` in Python's
``re`` matches every Unicode decimal digit, so Arabic-Indic (٠-٩) and Persian (۰-۹) digits
are caught like 0-9.
"""

from __future__ import annotations

import re
import unicodedata

PHONE = "[Telefon]"
EMAIL = "[E-Mail]"
IBAN = "[IBAN]"
NUMBER = "[Zahl]"
DATE = "[Datum]"
LINK = "[Link: {host}]"
ELLIPSIS = "…"
DEFAULT_LIMIT = 500

# Invisible characters that belong to words (Persian ZWNJ, emoji ZWJ, variation selectors).
_KEEP_FORMAT = frozenset("\u200c\u200d\ufe0e\ufe0f")
_SPACES = re.compile(r"\s+")

_URL = re.compile(
    r"(?<!\[Link: )\b(?:(?:https?|ftp)://(?:[^\s/@?#]*@)?|(?=www\.))"
    r"(?P<host>[\w.-]+)"  # user:password@ before the host is dropped with the rest
    r"(?::\d+)?"
    r"(?:[/?#][^\s]*)?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
# Two letters, two check digits, then groups of up to four (DE: 18 digits; up to 30 chars).
_IBAN = re.compile(
    r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,3})?\b", re.IGNORECASE
)
_DATE = re.compile(
    r"(?<!\d)(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}[./-]\d{1,2}[./-]\d{1,2})(?!\d)"
)
# A run of digits, possibly with + or 00 in front, spaces, dashes, slashes or
# brackets between: the shape of phone numbers everywhere.
_DIGITS = re.compile(r"(?<![\d+])\+?\(?\d(?:[ \-/()]{0,3}\d)*")
# Numbers that are public services, not persons: 110, 112, 115, EU 116 xxx hotlines.
_SERVICE_NUMBER = re.compile(r"11[025]|116[ ]?\d{3}")
_MIN_PHONE_DIGITS = 7
_MIN_RUN = 5


def _clean(text: str) -> str:
    """Drop control, surrogate and direction characters; whitespace controls become spaces."""
    kept: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if char.isspace():
            kept.append(" ")
        elif category in ("Cc", "Cs") or (category == "Cf" and char not in _KEEP_FORMAT):
            # Format characters include direction overrides, which make a stored text read
            # differently than it is.
            continue
        else:
            kept.append(char)
    return _SPACES.sub(" ", "".join(kept)).strip()


def _link(match: re.Match[str]) -> str:
    found = match.group(0)
    # A full stop or bracket after a link ends the sentence, not the link.
    tail = found[len(found.rstrip(".,;:!?)]'\"")) :]
    host = match.group("host").rstrip(".-").lower()
    return LINK.format(host=host) + tail


def _digits(match: re.Match[str]) -> str:
    found = match.group(0)
    # Trailing separators (a full stop, a closing bracket) belong to the sentence.
    stripped = found.rstrip(" -/.(")
    tail = found[len(stripped) :]
    digits = sum(c.isdigit() for c in stripped)
    if _SERVICE_NUMBER.fullmatch(stripped):
        return found
    # A leading 0 (in any script) or +, or separators: dialled, not counted.
    first = stripped[0]
    shaped_like_phone = (
        first in "+(" or unicodedata.digit(first, -1) == 0 or not stripped.isdigit()
    )
    if digits >= _MIN_PHONE_DIGITS and shaped_like_phone:
        return PHONE + tail
    if any(len(run) >= _MIN_RUN for run in re.findall(r"\d+", stripped)):
        return NUMBER + tail
    return found


def _cap(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters with an ellipsis, never inside a mark or a tag."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit]
    cut = limit - len(ELLIPSIS)
    # Step back over combining marks and joiners so no letter loses its accent or half.
    while cut > 0 and (
        unicodedata.combining(text[cut]) or text[cut] in _KEEP_FORMAT or text[cut - 1] == "\u200d"
    ):
        cut -= 1
    head = text[:cut]
    bracket = head.rfind("[")
    if bracket > head.rfind("]") and text.find("]", bracket) != -1:
        head = head[:bracket]  # do not leave half a placeholder
    return head.rstrip() + ELLIPSIS


def scrub(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """Return ``text`` with personal data replaced, cleaned, and at most ``limit`` characters."""
    cleaned = _clean(text)
    cleaned = _URL.sub(_link, cleaned)
    cleaned = _EMAIL.sub(EMAIL, cleaned)
    cleaned = _IBAN.sub(lambda m: IBAN if _enough_digits(m.group(0)) else m.group(0), cleaned)
    cleaned = _DATE.sub(DATE, cleaned)
    cleaned = _DIGITS.sub(_digits, cleaned)
    return _cap(_SPACES.sub(" ", cleaned).strip(), limit)


def _enough_digits(candidate: str) -> bool:
    """Whether an IBAN-shaped word has the digits of an account number (not just a code)."""
    return sum(c.isdigit() for c in candidate) >= 10
