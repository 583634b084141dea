"""Scrub personal data out of free text before it is stored. Pure; no I/O, never logs.

Phone numbers, e-mail addresses, IBANs, dates (also with the month in words, in every bot
language), long digit runs, links, Telegram handles and t.me links, street and house
number, passport and ID numbers, number plates and the name after a self-introduction
("ich heiße …", "my name is …", "меня зовут …", "اسمي …") are replaced by placeholders a
German-speaking member of staff understands; the text is then cleaned of control
characters, its whitespace collapsed, and its length capped. ``\\d`` in Python's
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
HANDLE = "[Telegram-Name]"
ADDRESS = "[Adresse]"
ID_NUMBER = "[Ausweisnummer]"
PLATE = "[Kennzeichen]"
NAME = "[Name]"
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
# Anchored at the start of the address: unanchored, a long word costs quadratic time.
_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
# t.me/name and telegram.me/name without a scheme (with one, _URL catches them).
_TME = re.compile(r"(?<![\w./])(?:t|telegram)\.me/[\w+/-]*", re.IGNORECASE)
# @name: Telegram usernames are 5-32 letters, digits and underscores (be generous: 3+).
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z][A-Za-z0-9_]{2,31}\b")

# Months in every bot language (stems: Slavic and Romanian forms decline).
_MONTHS = "|".join(
    [
        # de, en
        r"jan(?:uar|uary)?", r"j[äa]nner", r"feb(?:ruar|ruary)?", r"m[äa]r(?:z|ch)?",
        r"apr(?:il)?", r"mai|may", r"jun[ie]?|june", r"jul[iy]?|july", r"aug(?:ust)?",
        r"sep(?:t(?:ember)?)?", r"o[ck]t(?:ober)?", r"nov(?:ember)?", r"de[cz](?:ember)?",
        # tr
        r"ocak", r"şubat", r"mart", r"nisan", r"mayıs", r"haziran", r"temmuz", r"ağustos",
        r"eylül", r"ekim", r"kasım", r"aralık",
        # ru, uk, bg (stems)
        r"январ\w*", r"феврал\w*", r"март\w*", r"апрел\w*", r"ма[йя]\w*", r"июн\w*",
        r"июл\w*", r"август\w*", r"сентябр\w*", r"октябр\w*", r"ноябр\w*", r"декабр\w*",
        r"січ\w*", r"лют\w*", r"берез\w*", r"квіт\w*", r"травн\w*", r"черв\w*",
        r"лип\w*", r"серп\w*", r"верес\w*", r"жовт\w*", r"листопад\w*", r"груд\w*",
        r"яну[аа]ри", r"февруари", r"април", r"юни", r"юли", r"септември",
        r"октомври", r"ноември", r"декември",
        # pl (nominative and genitive)
        r"stycz\w*", r"lut\w*", r"marz\w*", r"kwie\w*", r"maj\w*", r"czerw\w*",
        r"lip\w*", r"sierp\w*", r"wrze\w*", r"paździer\w*", r"listopad\w*", r"grud\w*",
        # ro
        r"ianuarie", r"februarie", r"martie", r"aprilie", r"iunie", r"iulie",
        r"septembrie", r"octombrie", r"noiembrie", r"decembrie",
        # ku (Kurmanji)
        r"rêbendan", r"reşemî", r"adar", r"avrêl", r"gulan", r"pûşper", r"tîrmeh",
        r"gelawêj", r"rezber", r"kewçêr", r"sermawez", r"berfanbar",
        # ar (Gregorian and Levantine names), fa
        r"يناير", r"فبراير", r"مارس", r"أبريل", r"ابريل", r"مايو", r"يونيو", r"يوليو",
        r"أغسطس", r"اغسطس", r"سبتمبر", r"أكتوبر", r"اكتوبر", r"نوفمبر", r"ديسمبر",
        r"كانون\s+(?:الثاني|الأول)", r"شباط", r"آذار", r"نيسان", r"أيار", r"حزيران", r"تموز",
        r"آب", r"أيلول", r"تشرين\s+(?:الأول|الثاني)",
        r"ژانویه", r"فوریه", r"مارس", r"آوریل", r"مه", r"ژوئن", r"ژوئیه", r"اوت", r"سپتامبر",
        r"اکتبر", r"نوامبر", r"دسامبر", r"فروردین", r"اردیبهشت", r"خرداد", r"تیر", r"مرداد",
        r"شهریور", r"مهر", r"آبان", r"آذر", r"دی", r"بهمن", r"اسفند",
    ]
)  # fmt: skip
_DAY = r"\d{1,2}(?:\.|st|nd|rd|th|-?го|-?ого)?"
_YEAR = r"(?:\d{4}|'\d{2})"
# "3. April 1988", "3 апреля 1988", "April 3, 1988", "Nisan 1988", "3 أبريل 1988":
# a day or a year must stand next to the month, so "im Mai" alone stays.
_WORD_DATE = re.compile(
    rf"(?<!\w)(?:{_DAY}\s*(?:{_MONTHS})\.?(?:,?\s*{_YEAR})?"
    rf"|(?:{_MONTHS})\.?\s*{_DAY},?\s*{_YEAR}"
    rf"|(?:{_MONTHS})\.?\s*{_YEAR})(?!\w)",
    re.IGNORECASE,
)
# A street name (one word ending like a German street, or "Am/An der/Auf dem …") and a
# house number: "Hochstraße 12", "Kurt-Schumacher-Str. 2a", "Am Markt 5".
_STREET = re.compile(
    r"(?<!\w)(?:(?i:[\w-]*(?:stra(?:ß|ss)e|str\.|weg|allee|platz|gasse|ring|damm|ufer|pfad"
    r"|chaussee|steig|wall))|(?:Am|An der|Auf der|Auf dem|Zum|Zur)\s+[A-ZÄÖÜ][\w-]+)"
    r"\s*[1-9]\d{0,2}\s?[a-zA-Z]?(?:\s?[-/]\s?\d{1,3}[a-zA-Z]?)?(?![\d\w])"
)
# Words that introduce an ID: the number after them goes, whatever its shape.
_ID_WORDS = (
    r"(?:reise)?pass(?:nummer|nr\.?)?|personalausweis(?:nummer)?|ausweis(?:nummer|nr\.?)?"
    r"|passport(?:\s+(?:number|no\.?))?|id(?:\s+(?:card|number|no\.?))?"
    r"|kimlik(?:\s+no\.?)?|pasaport(?:\s+no\.?)?|паспорт\w*|посвідк\w*|paszport\w*"
    r"|dowód(?:\s+osobisty)?|pașaport|buletin|carte\s+de\s+identitate|паспорт"
    r"|جواز(?:\s+السفر)?|گذرنامه|پاسپورت|کارت\s+ملی|aufenthaltstitel|aufenthaltserlaubnis"
)
_ID_AFTER_WORD = re.compile(
    rf"(?<!\w)({_ID_WORDS})(\s*(?:nr\.?|no\.?|№|:|#|-)?\s*)"
    r"((?=[A-Z0-9 -]*\d)[A-Z0-9][A-Z0-9 -]{3,14}[A-Z0-9])(?!\w)",
    re.IGNORECASE,
)
# Shaped like an ID, passport or insurance number: 6-12 capitals and digits, a letter and
# at least two digits ("C01X00T47", "A123456789"); plain words and numbers do not match.
_ID_SHAPE = re.compile(r"(?<![\w-])(?=[A-Z0-9]*[A-Z])(?=(?:[A-Z]*\d){2})[A-Z0-9]{6,12}(?![\w-])")
# German number plates: district (1-3 letters), 1-2 letters, 1-4 digits, E or H: "RE-AB 123".
_PLATE = re.compile(r"(?<![\w-])[A-ZÄÖÜ]{1,3}[- ][A-Z]{1,2}[- ]?[1-9]\d{0,3}[EH]?(?![\w-])")

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
# Self-introductions in every bot language; the name after them goes.
_INTRO = re.compile(
    r"(?<!\w)(?:ich\s+hei(?:ß|ss)e|mein\s+name\s+ist|my\s+name\s+is|my\s+name's"
    r"|i\s+am\s+called|benim\s+ad[ıi]m|ad[ıi]m|benim\s+ismim|ismim"
    r"|меня\s+зовут|мо[её]\s+имя|мене\s+звати|моє\s+ім['ʼ’]?я|nazywam\s+si[ęe]"
    r"|mam\s+na\s+imi[ęe]|moje\s+imi[ęe]\s+to|m[ăa]\s+numesc|numele\s+meu\s+(?:este|e)"
    r"|казвам\s+се|името\s+ми\s+е|navê\s+min|(?:أنا\s+|انا\s+)?اسمي|اسم\s+من|نام\s+من|اسمم)"
    r"(?:\s*(?:ist|is|:|,|-|—))?\s+",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# Words that end a name: "and", "is", "from", verbs of being, in the bot languages.
_AFTER_NAME = frozenset(
    {
        "und", "and", "ve", "и", "і", "та", "i", "oraz", "și", "si", "û", "w", "e", "ye", "im",
        "ist", "is", "am", "bin", "aus", "from", "den", "der", "die", "ich", "ben", "ez", "sunt",
        "съм", "a", "من", "است", "هستم", "هست", "و", "وأنا", "وانا", "أنا", "انا",
    }
)  # fmt: skip
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


def _names(text: str) -> str:
    """Replace the name after each self-introduction (the first word, and up to two more
    that look like a name: capitalised, or in a script without capitals)."""
    parts: list[str] = []
    pos = 0
    for match in _INTRO.finditer(text):
        if match.start() < pos:
            continue
        end = match.end()
        first = _NAME_WORD.match(text, end)
        if first is None:
            continue
        stop = first.end()
        initial = first.group(0)[0]
        lowercase = initial.islower()
        # Two more words in scripts with capitals, one more in those without (Arabic).
        for _ in range(2 if initial.isupper() or lowercase else 1):
            gap = re.match(r"\s+", text[stop:])
            word = _NAME_WORD.match(text, stop + len(gap.group(0))) if gap else None
            if word is None or word.group(0).casefold() in _AFTER_NAME:
                break
            if word.group(0)[0].islower() and not lowercase:
                break
            stop = word.end()
        parts += [text[pos:end], NAME]
        pos = stop
    return "".join(parts) + text[pos:]


def _id_after_word(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2) + ID_NUMBER


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
    cleaned = _TME.sub(LINK.format(host="t.me"), cleaned)
    cleaned = _EMAIL.sub(EMAIL, cleaned)
    cleaned = _HANDLE.sub(HANDLE, cleaned)
    cleaned = _IBAN.sub(lambda m: IBAN if _enough_digits(m.group(0)) else m.group(0), cleaned)
    cleaned = _WORD_DATE.sub(DATE, cleaned)
    cleaned = _DATE.sub(DATE, cleaned)
    cleaned = _ID_AFTER_WORD.sub(_id_after_word, cleaned)
    cleaned = _PLATE.sub(PLATE, cleaned)
    cleaned = _ID_SHAPE.sub(ID_NUMBER, cleaned)
    cleaned = _STREET.sub(ADDRESS, cleaned)
    cleaned = _DIGITS.sub(_digits, cleaned)
    cleaned = _names(cleaned)
    return _cap(_SPACES.sub(" ", cleaned).strip(), limit)


def _enough_digits(candidate: str) -> bool:
    """Whether an IBAN-shaped word has the digits of an account number (not just a code)."""
    return sum(c.isdigit() for c in candidate) >= 10
