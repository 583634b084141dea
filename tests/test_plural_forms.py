"""Languages: plural forms follow CLDR for every count, whatever Babel version builds catalogs.

The expected categories are written out here from CLDR's plural rules (plurals.xml, integers
only), so neither the code nor the test takes them from one library's table.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, PLURAL_FORMS, Catalogs, plural_header
from bot.staff.translations import Source
from tests.conftest import REAL_LOCALES

CODE = Path(__file__).resolve().parent.parent / "bot"
COUNTS = range(201)


def _ru_uk(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "one"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "few"
    return "many"


def _pl(n: int) -> str:
    if n == 1:
        return "one"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "few"
    return "many"


def _ar(n: int) -> str:
    if n in (0, 1, 2):
        return ("zero", "one", "two")[n]
    if 3 <= n % 100 <= 10:
        return "few"
    if 11 <= n % 100 <= 99:
        return "many"
    return "other"


def _ro(n: int) -> str:
    if n == 1:
        return "one"
    if n == 0 or 1 <= n % 100 <= 19:
        return "few"
    return "other"


def _one(n: int) -> str:
    return "one" if n == 1 else "other"


def _fa(n: int) -> str:
    return "one" if n in (0, 1) else "other"  # CLDR: i = 0 or n = 1


# CLDR category of an integer, and which msgstr index each category uses in our catalogs.
CLDR: dict[str, tuple[Callable[[int], str], dict[str, int]]] = {
    "de": (_one, {"one": 0, "other": 1}),
    "en": (_one, {"one": 0, "other": 1}),
    "tr": (_one, {"one": 0, "other": 0}),  # one form: see PLURAL_FORMS
    "ar": (_ar, {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 4, "other": 5}),
    "ru": (_ru_uk, {"one": 0, "few": 1, "many": 2}),
    "uk": (_ru_uk, {"one": 0, "few": 1, "many": 2}),
    "pl": (_pl, {"one": 0, "few": 1, "many": 2}),
    "fa": (_fa, {"one": 0, "other": 0}),  # one form: see PLURAL_FORMS
    "ku": (_one, {"one": 0, "other": 1}),
    "ro": (_ro, {"one": 0, "few": 1, "other": 2}),
    "bg": (_one, {"one": 0, "other": 1}),
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_pinned_formula_gives_the_cldr_form_for_0_to_200(lang: str) -> None:
    category, index = CLDR[lang]
    count, expr = PLURAL_FORMS[lang]
    rule = gettext.c2py(expr)
    wrong = [n for n in COUNTS if rule(n) != index[category(n)]]
    assert wrong == [], f"{lang}: {expr} gives the wrong form for {wrong[:10]}"
    assert {rule(n) for n in COUNTS} == set(range(count))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_expected_categories_are_cldrs(lang: str) -> None:
    """Our written-out rules agree with the CLDR data Babel ships (not its gettext table)."""
    category, _ = CLDR[lang]
    cldr = Locale.parse(lang).plural_form
    assert [category(n) for n in COUNTS] == [cldr(n) for n in COUNTS]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_headers_carry_the_pinned_formula(lang: str) -> None:
    paths = sorted((REAL_LOCALES / lang / "LC_MESSAGES").glob("*.po"))
    assert paths
    for path in paths:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        assert catalog.plural_forms == plural_header(lang), path
        for message in catalog:
            if message.id and isinstance(message.string, tuple) and any(message.string):
                assert len(message.string) == PLURAL_FORMS[lang][0], (path, message.id)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_bot_counts_with_the_pinned_formula(catalogs: Catalogs, lang: str) -> None:
    rule = gettext.c2py(PLURAL_FORMS[lang][1])
    loaded = catalogs.languages[lang].plural
    assert [loaded(n) for n in COUNTS] == [rule(n) for n in COUNTS]


@pytest.mark.parametrize(
    ("n", "days"),
    [
        (2, "يومين (2)"),  # two: the dual
        (3, "3 أيام"),  # few: plural
        (10, "10 أيام"),
        (11, "11 يومًا"),  # many: singular, accusative
        (99, "99 يومًا"),
        (100, "100 يوم"),  # other: singular, genitive
        (102, "102 يوم"),
        (103, "103 أيام"),
        (111, "111 يومًا"),
    ],
)
def test_arabic_reader_sees_the_right_form(
    catalogs: Catalogs, interface_texts: list[Source], n: int, days: str
) -> None:
    """The retention notice counts days; 11 and 100 days take different Arabic forms."""
    counted = [s for s in interface_texts if s.plural is not None and "{n} days" in s.plural]
    assert counted, "no interface text counts days any more: pick another plural here"
    t = catalogs.translator("ar")
    text = t.plural(counted[0].text, str(counted[0].plural), n)
    assert days in text
    assert not t.fell_back


def test_every_plural_message_shows_its_number(interface_texts: list[Source]) -> None:
    """Turkish and Persian have one form: right only when the number itself is shown."""
    for source in interface_texts:
        if source.plural is not None:
            assert "{n}" in source.text, source.key
            assert "{n}" in source.plural, source.key
