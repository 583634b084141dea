"""A danger sentence keeps its signal in a calm letter (red team 2, serious 6): a rule's
``none:`` concepts count only in the sentences of its own concepts ("Termin" in a sentence
about appointments does not calm a heart attack told in the next), and in a long letter the
model grades the rule by the rule's own sentences, not only by the letter's most dangerous
stretch around them."""

from __future__ import annotations

import pytest

from bot.crisis import CrisisDetector
from bot.knowledge.model import CrisisKind, CrisisSignal

# A calm care question of 398 characters (with "Termine"), as carers of seniors write.
CALM = (
    "Guten Tag, meine Mutter ist 84 und wohnt allein in Herten. Seit dem Frühjahr braucht sie "
    "Hilfe beim Einkaufen und beim Duschen, der Hausarzt meint, wir sollten einen Pflegegrad "
    "beantragen. Ich arbeite Vollzeit in Dortmund und schaffe es nur am Wochenende. Welche "
    "Unterlagen brauchen wir, wie lange dauert die Begutachtung und gibt es eine Pflegeberatung "
    "in der Nähe, die auch samstags Termine hat? "
)
DANGER = [
    "mein mann hat starke schmerzen in der brust und schwitzt total, linker arm kribbelt",
    "ich hab alle tabletten von meiner mutter gesammelt, heute abend ist schluss",
    "er hat gesagt wenn ich zur polizei geh dann war ich die längste zeit hier",
]


def letters(sentence: str) -> dict[str, str]:
    """The sentence at the start, in the middle and at the end of 1,250 to 3,700 characters."""
    found = {}
    for times in (3, 9):
        body = CALM * times
        half = CALM * (times // 2)
        found[f"start {times}"] = f"{sentence}. {body}"
        found[f"middle {times}"] = f"{half}{sentence}. {CALM * (times - times // 2)}"
        found[f"end {times}"] = body + sentence
    return found


@pytest.mark.parametrize("sentence", DANGER)
def test_a_danger_sentence_keeps_its_screen_in_a_calm_letter(
    detector: CrisisDetector, sentence: str
) -> None:
    alone = detector.detect(sentence, "de")
    assert alone is not None
    assert alone.sure
    got = {where: detector.detect(text, "de") for where, text in letters(sentence).items()}
    assert got == dict.fromkeys(got, alone)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("We have an appointment with the care service tomorrow. my dad fell and is not "
         "responding", "en"),
        ("Wir haben morgen einen Termin beim Pflegedienst. Papa redet komisch und sein "
         "mundwinkel hängt runter", "de"),
        ("Der Pflegedienst hat nur dienstags Termine. mein mann hat starke schmerzen in der "
         "brust und schwitzt total, linker arm kribbelt", "de"),
    ],
)  # fmt: skip
def test_an_appointment_in_another_sentence_does_not_calm_a_medical_emergency(
    detector: CrisisDetector, text: str, lang: str
) -> None:
    assert detector.detect(text, lang) == CrisisSignal(CrisisKind.MEDICAL, sure=True)


def test_an_appointment_in_the_same_sentence_still_counts(detector: CrisisDetector) -> None:
    """The rule the appointment belongs to is not the emergency screen."""
    found = detector.explain("Papa hat einen Termin beim Kardiologen wegen Schmerzen in der Brust")
    assert found is None or not found.rule.sure or found.rule.kind is not CrisisKind.MEDICAL


CALM_EN = (
    "Hello, my mother is 84 and lives alone in Herten. Since spring she needs help with "
    "shopping and showering, and her GP says we should apply for a care grade. I work full "
    "time in Dortmund and can only come at weekends. Which documents do we need, how long "
    "does the assessment take, and is there care counselling nearby with Saturday "
    "appointments? "
)


def test_the_most_dangerous_of_the_rules_sentences_decides(detector: CrisisDetector) -> None:
    """The rule's concepts stand in calm sentences too ("I ... can only come at weekends"):
    each of its sentences is read alone, and the most dangerous one grades the rule."""
    sentence = "he said if i leave he'll make sure nobody ever finds me"
    alone = detector.detect(sentence, "en")
    assert alone is not None
    assert alone.sure
    assert detector.detect(CALM_EN * 3 + sentence, "en") == alone
    assert detector.detect(f"{sentence}. {CALM_EN * 9}", "en") == alone
