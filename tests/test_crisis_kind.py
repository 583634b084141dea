"""When the model makes an unsure rule sure, the screen is of the kind the model reads where
the model is clear about it (red team 2, serious 3): the rule only guessed ("balcon" read as
a fall from a height, so TelefonSeelsorge), the model read the whole message (a burned child
locked out on the balcony: the child screen, with 110 and Nummer gegen Kummer)."""

from __future__ import annotations

import pytest

from bot.crisis import CrisisDetector
from bot.crisis.grade import MODEL_KIND_SURE, combine
from bot.knowledge.model import CrisisKind, CrisisSignal

SUICIDE, CHILD, MEDICAL = CrisisKind.SUICIDE, CrisisKind.CHILD, CrisisKind.MEDICAL


def test_a_promoted_rule_takes_the_kind_the_model_is_clear_about(
    detector: CrisisDetector,
) -> None:
    at = detector.settings
    assert at is not None
    unsure = CrisisSignal(SUICIDE, sure=False)
    clear, unclear = MODEL_KIND_SURE, MODEL_KIND_SURE - 0.2
    assert combine(unsure, at.sure, CHILD, at, kind_share=clear) == CrisisSignal(CHILD, True)
    assert combine(unsure, at.sure, CHILD, at, kind_share=unclear) == CrisisSignal(SUICIDE, True)
    # Below 'sure' the rule's line stays the rule's: the model has not decided.
    below = at.sure - 0.01
    assert combine(unsure, below, CHILD, at, kind_share=1.0) == unsure
    # A sure rule keeps its kind: a child screen has no 112 for a scald, a medical one no 110.
    sure = CrisisSignal(MEDICAL, sure=True)
    assert combine(sure, 0.99, CHILD, at, kind_share=1.0) == sure


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # The neighbours' little boy has burns on his hands, they lock him out on the balcony.
        ("baietelul vecinilor are arsuri pe maini il incuie pe balcon", "ro"),
        ("synek sąsiadów ma oparzenia na rękach, zamykają go na balkonie", "pl"),
    ],
)
def test_a_burned_child_locked_out_gets_the_child_screen(
    detector: CrisisDetector, text: str, lang: str
) -> None:
    assert detector.detect(text, lang) == CrisisSignal(CHILD, sure=True)
