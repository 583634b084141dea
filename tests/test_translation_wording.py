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
