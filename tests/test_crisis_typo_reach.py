"""Typos of danger words that the list of everyday words (``not_typos:`` in
knowledge/crisis.yaml) must not hide. A second reader tried one-key slips and dropped letters
on every danger term and found the list swallowing real emergencies: "er schiesst mich ein"
(schliesst, locked in), "vrea sa ma onoare" (omoare, kill), "болка в гърците" (гърдите,
chest pain). Each must still get the emergency screen; a negation must still hold in
Bulgarian, where "те" is "you", not a new subject."""

from __future__ import annotations

import pytest

from bot.crisis import CrisisDetector

SCREEN = [
    ("de", "er schläft mich jeden abend"),
    ("de", "das überlebt du nicht hat er gesagt"),
    ("de", "er schiesst mich ein wenn er arbeiten geht"),
    ("en", "he keeps bearing me"),
    ("en", "he tried to strange me"),
    ("ru", "он делает мне больно"),
    ("uk", "мене робили вчора"),
    ("pl", "chciałbym umrzeć"),
    ("ro", "vrea sa ma onoare"),
    ("ro", "ma inchise in casa"),
    ("bg", "болка в гърците"),
]


@pytest.mark.parametrize(("lang", "text"), SCREEN)
def test_a_typo_of_a_danger_word_still_gets_the_screen(
    detector: CrisisDetector, lang: str, text: str
) -> None:
    signal = detector.detect(text, lang)
    assert signal is not None, detector.assess(text, lang)
    assert signal.sure, detector.assess(text, lang)


def test_you_does_not_end_a_bulgarian_negation(detector: CrisisDetector) -> None:
    # "той не те бие": he does not hit you.
    signal = detector.detect("той не те бие", "bg")
    assert signal is None or not signal.sure, detector.assess("той не те бие", "bg")
