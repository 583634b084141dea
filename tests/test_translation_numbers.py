"""Languages: every number of a source text reaches the reader of each translation, as a number.

A care amount of "1.497 €" copied into English reads as one euro fifty; copied into Arabic or
Persian, where "." is the decimal point, the same. A phone number with a digit lost, an hour
or a week count changed: the reader cannot notice. So every number in a German knowledge text
(and in an English interface text) must appear in each translation *as that language writes
numbers*: thousands may be grouped with the language's own separator (en "1,497", ru
"1 497", ar "1٬497" or "١٬٤٩٧"), but a separator the reader takes for a decimal point does
not count as grouping (en "1.497" holds the numbers 1 and 497, not 1497).
"""

from __future__ import annotations

from functools import partial

import pytest
from babel.messages.pofile import read_po

from bot.i18n import KNOWLEDGE_DOMAIN, LANGUAGES, SOURCE, UI_DOMAIN
from bot.knowledge.model import Knowledge
from bot.review.checks import missing_numbers, numbers, source_numbers
from bot.staff.translations import Source, content_sources
from tests.conftest import REAL_LOCALES

# Search keywords are not shown to anyone and differ per language by design.
NOT_SHOWN = (":keywords",)


german_numbers = partial(source_numbers, source_lang="de")


def _catalog(lang: str, domain: str) -> dict[str, tuple[str, ...]]:
    path = REAL_LOCALES / lang / "LC_MESSAGES" / f"{domain}.po"
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        catalog = read_po(fh)
    result: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        key = message.context if domain == KNOWLEDGE_DOMAIN else ids[0]
        result[str(key)] = tuple(str(s) for s in strings if s)
    return result


def knowledge_mismatches(lang: str, knowledge: Knowledge) -> list[str]:
    """Each (msgctxt, missing numbers) of ``lang``'s content against the current German."""
    catalog = _catalog(lang, KNOWLEDGE_DOMAIN)
    problems = []
    for source in content_sources(knowledge):
        if source.key.endswith(NOT_SHOWN):
            continue
        for text in catalog.get(source.key, ()):
            lost = missing_numbers(german_numbers(source.text), numbers(text, lang))
            if lost:
                problems.append(f"{lang} {source.key}: {', '.join(lost)}")
    return problems


def ui_mismatches(lang: str, interface: list[Source]) -> list[str]:
    """Each (English msgid, missing numbers) of ``lang``'s interface texts (``interface``: the
    texts in the code)."""
    catalog = _catalog(lang, UI_DOMAIN)
    problems = []
    for source in interface:
        english = numbers(source.text, "en")
        if not english:
            continue
        for text in catalog.get(source.key, ()):
            lost = missing_numbers(english, numbers(text, lang))
            if lost:
                problems.append(f"{lang} {source.key[:50]!r}: {', '.join(lost)}")
    return problems


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Pflegegeld 1.497 € ab 1.1.2025", "de", ["1497", "1", "1", "2025"]),
        ("Mo 9–12.30 Uhr, Tel. 02361 53-2020", "de", ["9", "12", "30", "02361", "53", "2020"]),
    ],
)
def test_german_numbers_join_thousands_only(text: str, lang: str, expected: list[str]) -> None:
    assert sorted(german_numbers(text).elements()) == sorted(expected)


@pytest.mark.parametrize(
    ("lang", "text", "found"),
    [
        ("en", "€1,497 a month", True),
        ("en", "1.497 € a month", False),  # one euro and a half to an English reader
        ("ar", "1٬497 €", True),
        ("ar", "١٬٤٩٧ يورو", True),
        ("ar", "1,497 €", True),
        ("ar", "1.497 €", False),
        ("fa", "۱٬۴۹۷ یورو", True),
        ("fa", "1.497 یورو", False),
        ("ru", "1 497 €", True),
        ("ru", "1\u00a0497 €", True),
        ("tr", "1.497 €", True),
        ("en", "1497 €", True),
    ],
)
def test_an_amount_counts_only_as_the_language_writes_it(
    lang: str, text: str, found: bool
) -> None:
    assert ("1497" in numbers(text, lang)) is found


def test_a_lost_or_changed_digit_is_found() -> None:
    source = german_numbers("Hilfetelefon 116 016, bis zu 3.539 € im Jahr, 10 Tage")
    assert (
        missing_numbers(source, numbers("Hilfetelefon 116 016, up to €3,539, 10 days", "en")) == []
    )
    assert missing_numbers(
        source, numbers("Hilfetelefon 116 061, up to €3,539, 10 days", "en")
    ) == ["016"]
    assert missing_numbers(source, numbers("up to 3.539 €", "en")) == ["016", "10", "116", "3539"]


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != SOURCE])
def test_every_number_of_the_german_content_is_in_the_translation(
    lang: str, real: Knowledge
) -> None:
    assert knowledge_mismatches(lang, real) == []


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_number_of_an_interface_text_is_in_the_translation(
    lang: str, interface_texts: list[Source]
) -> None:
    assert ui_mismatches(lang, interface_texts) == []
