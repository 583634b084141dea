"""Everyday questions of relatives and carers that a second reader found raising the
emergency screen (a sure signal replaces the answer they asked for): "who looks after mum when
I'm away", a sore throat, a belt for school, hidden pills in dementia care. They may get the
one line of numbers on top (unsure), never the screen instead of the answer. The sentences
are in tests/data/crisis_everyday.yaml (the crisis model also learns from them)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.crisis import CrisisDetector
from bot.knowledge.model import Knowledge

EVERYDAY_FILE = Path(__file__).parent / "data" / "crisis_everyday.yaml"
EVERYDAY = [
    (str(e["lang"]), str(e["text"]))
    for e in yaml.safe_load(EVERYDAY_FILE.read_text(encoding="utf-8"))["everyday"]
]


@pytest.fixture(scope="module")
def detector(real: Knowledge) -> CrisisDetector:
    return CrisisDetector.build(real)


@pytest.mark.parametrize(("lang", "text"), EVERYDAY)
def test_everyday_care_questions_keep_their_answer(
    detector: CrisisDetector, lang: str, text: str
) -> None:
    # The rules and the model together, as users get it.
    assessed = detector.assess(text, lang)
    assert assessed.signal is None or not assessed.signal.sure, assessed
