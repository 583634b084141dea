"""Languages: wordings that once told a reader the wrong thing stay fixed in every catalog."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from tests.conftest import REAL_LOCALES


def _texts(lang: str) -> list[tuple[str, str, str]]:
    """(domain, key, text) of every translated entry of ``lang``."""
    found = []
    for path in sorted((REAL_LOCALES / lang / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as fh:
            for m in read_po(fh):
                strings = m.string if isinstance(m.string, tuple) else (m.string,)
                key = m.context or (m.id if isinstance(m.id, str) else m.id[0])
                found += [(path.stem, str(key), str(s)) for s in strings if m.id and s]
    return found


def test_kurmanji_says_call_a_number_not_search_for_it() -> None:
    """ "Li 112 bigerin" reads "look for 112"; a person in danger must read "call 112"."""
    searched = re.compile(r"(\d\*?|\)|TelefonSeelsorge|Hilfetelefon)\s+bigerin\b")
    wrong = [f"{d} {k}" for d, k, s in _texts("ku") if searched.search(s)]
    assert wrong == []


def test_arabic_as_of_dates_do_not_say_until() -> None:
    """ "(Stand 2020)" is "as of 2020"; "حتى 2020" (until 2020) makes open hours look expired."""
    with (REAL_LOCALES / "ar" / "LC_MESSAGES" / "knowledge.po").open("rb") as fh:
        entries = [m for m in read_po(fh) if m.id and m.string and "Stand" in m.id]
    wrong = [
        m.context
        for m in entries
        for bracket in re.findall(r"\(([^)]*)\)", str(m.string))
        if "حتى" in bracket and re.search(r"\d{4}", bracket)
    ]
    assert wrong == []


# Wordings found wrong in review (issue 12): a merge that takes an old catalog back must not
# bring them back. Each reads, back-translated, as the opposite or less than the German says.
KNOWN_WRONG = [
    ("ar", "الإجهاض لا يُعاقب عليه إلا بعد", "abortion 'is punished only after' counselling"),
    ("uk", "не карається лише після", "negation scope: 'is not punished only after'"),
    ("pl", "Także Twój mąż ani Twoja rodzina.", "reads 'your husband and family too (may)'"),
    ("ru", "Даже Ваш муж или Ваша семья.", "reads 'even your husband or family (may)'"),
    ("uk", "Навіть Ваш чоловік чи Ваша родина.", "reads 'even your husband or family (may)'"),
    ("fa", "حتی همسرتان یا خانواده‌تان.", "reads 'even your husband or family (may)'"),
    ("ru", "Вид на жительство и развод", "divorce for Trennung (separation)"),
    ("uk", "Право на перебування і розлучення", "divorce for Trennung (separation)"),
    ("fa", "پزشک در شب/آخر هفته", "night for Abend (evening)"),
    ("fa", "حداکثر 8 هفته پیش", "'at most 8 weeks before' for 'spätestens 8 Wochen vorher'"),
    ("ku", "Wê demê ew nikare vegere", "'he cannot come back' for 'he may not come back'"),
]


def test_wordings_found_wrong_in_review_stay_out() -> None:
    found = [
        f"{lang} {key}: {why}"
        for lang, phrase, why in KNOWN_WRONG
        for _domain, key, text in _texts(lang)
        if phrase in text
    ]
    assert found == []
