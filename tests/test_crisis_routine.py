"""A calm question about chest pain gets the line, not the screen (red team 2, serious 5): a
sure medical rule held back by a routine frame in its own sentence (a duration, a doctor to
find) gives the one line with 112 and 116 117 instead of the screen or nothing; an acute word
(now, at once, not responding) keeps the screen."""

from __future__ import annotations

import pytest

from bot.crisis import CrisisDetector
from bot.knowledge.model import CrisisKind, CrisisSignal

LINE = CrisisSignal(CrisisKind.MEDICAL, sure=False)
SCREEN = CrisisSignal(CrisisKind.MEDICAL, sure=True)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("dad has chest pain when he climbs stairs, which cardiologist in recklinghausen?", "en"),
        ("Opa hat Schmerzen in der Brust beim Treppensteigen, welcher Kardiologe in Marl?", "de"),
        ("my dad has had chest pain for weeks when he climbs stairs", "en"),
        ("Opa hat seit Wochen Schmerzen in der Brust beim Treppensteigen", "de"),
    ],
)
def test_chest_pain_with_a_doctor_to_find_or_for_weeks_gets_the_line(
    detector: CrisisDetector, text: str, lang: str
) -> None:
    assert detector.detect(text, lang) == LINE


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("my dad has chest pain right now and is sweating, which cardiologist?", "en"),
        ("Opa hat jetzt Schmerzen in der Brust, welcher Kardiologe?", "de"),
        ("Papa hat seit Wochen Schmerzen in der Brust und jetzt ist er zusammengebrochen", "de"),
    ],
)
def test_an_acute_word_keeps_the_screen(detector: CrisisDetector, text: str, lang: str) -> None:
    assert detector.detect(text, lang) == SCREEN
