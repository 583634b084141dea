"""A woman writing in Arabic that her husband hits her gets the emergency screen, however calm
the model reads a short message: Arabic puts "me" on the verb ("yadrebni", "بيضربني"), and a
sure rule about the writer herself is never turned into the one line (bot/crisis/detector.py,
``steady_rule``). Before the verb forms were in the ``me`` concept, "zawji yadrebni" got the
screen or only the line depending on the third decimal of the model's danger.
"""

from __future__ import annotations

import pytest

from bot.crisis import CrisisDetector
from bot.knowledge.model import CrisisKind

HIT_ME = [
    "zawji yadrebni",
    "jozi bidrebni",
    "جوزي ضربني",
    "zawji darabni embareh",
    "جوزي خنقني",
]


@pytest.mark.parametrize("text", HIT_ME)
def test_my_husband_hits_me_in_arabic_is_the_violence_screen(
    detector: CrisisDetector, text: str
) -> None:
    signal = detector.detect(text, "ar")
    assert signal is not None
    assert signal.kind is CrisisKind.VIOLENCE
    assert signal.sure
