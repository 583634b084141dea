"""Who is in danger: a grandparent who hits a child, a grown-up son or daughter (by a word or
an age), words that mean an old person only sometimes, and everyday words of one language
that are danger words of another.

A second reader found "opa schlägt meinen sohn" getting the violence screen (the elder rule
took the grandfather for the one hit), "mein erwachsenes kind schlägt mich" and "mein sohn
ist 40 und schlägt mich" getting the child screen, Polish "starsza córka" (the elder
daughter) and Ukrainian "літній табір" (summer camp) read as old people, and English "since"
read as Polish "sińce" (bruises).
"""

from __future__ import annotations

import pytest

from bot.crisis import CrisisDetector
from bot.knowledge.model import CrisisKind


def kind_of(detector: CrisisDetector, text: str, lang: str) -> CrisisKind | None:
    """The kind of the signal a user of ``lang`` gets for ``text`` (None: no signal)."""
    signal = detector.detect(text, lang)
    return signal.kind if signal else None


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("de", "opa schlägt meinen sohn"),
        ("de", "oma schlägt meine tochter"),
        ("en", "grandpa hits my son"),
        ("ru", "дедушка бьёт моего сына"),
        ("pl", "dziadek bije mojego syna"),
    ],
)
def test_a_child_hit_by_a_grandparent_gets_the_child_screen(
    detector: CrisisDetector, lang: str, text: str
) -> None:
    assert kind_of(detector, text, lang) is CrisisKind.CHILD, detector.concepts(text, lang)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("de", "der enkel schlägt oma"),
        ("de", "oma wird von meinem sohn geschlagen"),
        ("uk", "літню жінку б'є її син"),
        ("pl", "opiekuję się starszą panią, jej syn ją bije"),
    ],
)
def test_an_old_person_hit_by_a_grandchild_or_son_is_still_violence(
    detector: CrisisDetector, lang: str, text: str
) -> None:
    assert kind_of(detector, text, lang) is CrisisKind.VIOLENCE, detector.concepts(text, lang)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("de", "mein erwachsenes kind schlägt mich"),
        ("en", "my adult child hits me"),
        ("de", "mein sohn ist 40 und schlägt mich"),
        ("de", "mein 40-jähriger sohn schlägt mich"),
        ("en", "my daughter (35) hits me"),
        ("en", "my 35 year old daughter hits me"),
        ("tr", "oğlum 40 yaşında ve beni dövüyor"),
        ("ar", "ابني عمره ٣٥ و يضربني"),
    ],
)
def test_a_grown_up_son_or_daughter_who_hits_is_violence(
    detector: CrisisDetector, lang: str, text: str
) -> None:
    # The violence screen (110, the Hilfetelefon), not Nummer gegen Kummer for a child.
    assert kind_of(detector, text, lang) is CrisisKind.VIOLENCE, detector.concepts(text, lang)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("de", "mein sohn ist 14 und wird geschlagen"),
        ("en", "my son (8) was hit 20 times by his father"),  # 20 is no age
        ("pl", "moja starsza córka bije młodszego syna"),  # the elder daughter, a child
        ("uk", "у літньому таборі сина побили"),  # summer camp, no old person
        ("tr", "babaannem çocuğu dövüyor"),
    ],
)
def test_a_child_with_a_number_or_an_older_sister_is_still_a_child(
    detector: CrisisDetector, lang: str, text: str
) -> None:
    assert kind_of(detector, text, lang) is CrisisKind.CHILD, detector.concepts(text, lang)


@pytest.mark.parametrize(
    ("lang", "text", "concept"),
    [
        ("en", "since monday i feel dizzy", "injury"),  # Polish "sińce", bruises
        ("en", "i have been scared since he moved in", "injury"),
        ("tr", "kocam beni hiç dövmedi", "hit"),  # Turkish "hiç" (never), English "hits"
        ("tr", "hiç uyuyamıyorum", "hit"),
        ("pl", "mam dziś czasami mdłości", "days_crying"),  # "sometimes", Russian "часами"
    ],
)
def test_an_everyday_word_of_the_message_is_no_danger_word_of_another_language(
    detector: CrisisDetector, lang: str, text: str, concept: str
) -> None:
    assert concept not in detector.concepts(text, lang)


@pytest.mark.parametrize(
    ("lang", "text", "concept"),
    [
        ("pl", "mam sińce na rękach", "injury"),  # a Polish user's bruises
        ("de", "sie hat sińce am arm", "injury"),  # Polish typed by a German user
        ("en", "i have bruises since he hit me", "injury"),  # English's own word
    ],
)
def test_the_word_still_counts_in_its_own_language(
    detector: CrisisDetector, lang: str, text: str, concept: str
) -> None:
    assert concept in detector.concepts(text, lang)
