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

EVERYDAY_FILE = Path(__file__).parent / "data" / "crisis_everyday.yaml"
EVERYDAY = [
    (str(e["lang"]), str(e["text"]))
    for e in yaml.safe_load(EVERYDAY_FILE.read_text(encoding="utf-8"))["everyday"]
]


@pytest.mark.parametrize(("lang", "text"), EVERYDAY)
def test_everyday_care_questions_keep_their_answer(
    detector: CrisisDetector, lang: str, text: str
) -> None:
    # The rules and the model together, as users get it.
    assessed = detector.assess(text, lang)
    assert assessed.signal is None or not assessed.signal.sure, assessed


# Care questions a second reader found raising the emergency screen through a word one typo
# from a danger word ("schlafe" read as "schlage", "keiner" as "kleiner", a child) or through
# "will nicht mehr" (a grandfather who no longer wants to eat is not suicidal). Kept here, not
# in the training data, so that the model does not learn them by heart.
CARE_QUESTIONS = [
    ("de", "ich schlafe kaum noch seit mama bei uns wohnt"),
    ("de", "oma schlaeft nachts nicht, was tun"),
    ("de", "mein mann schläft im wohnzimmer weil er schnarcht"),
    ("de", "er schläft schlecht"),
    ("de", "ich pflege meine mutter, ich schlafe kaum, dort geht keiner ans telefon"),
    ("de", "keiner ruft zurück"),
    ("de", "opa will nicht mehr essen"),
    ("de", "meine mutter will nicht mehr ins krankenhaus"),
    ("de", "oma will nicht mehr leben im heim, sie will nach hause"),
    ("de", "mama will nicht mehr duschen"),
    ("de", "papa will nicht mehr autofahren"),
    ("de", "er will nicht mehr zum arzt"),
    ("de", "sie will nicht mehr in die tagespflege"),
    ("de", "die beratungsstelle will nicht mehr zurückrufen"),
    ("en", "my dad is sleeping all day, is that normal with dementia?"),
    ("en", "grandpa doesnt want to eat anymore"),
    ("en", "are you kidding, nobody calls back"),
    ("tr", "annem geceleri uyumuyor, ne yapmalıyım"),
    ("tr", "dedem artık yemek yemek istemiyor"),
    ("ar", "امي ما عم تنام بالليل، شو بعمل"),
    ("ar", "جدي ما بدو ياكل"),
    ("ru", "бабушка плохо спит ночью, что делать"),
    ("ru", "дедушка больше не хочет есть"),
    ("ru", "бабушка больше не хочет жить в доме престарелых, хочет домой"),
    ("uk", "бабуся погано спить вночі, що робити"),
    ("uk", "дідусь більше не хоче їсти"),
    ("pl", "babcia nie śpi w nocy, co robić"),
    ("pl", "dziadek nie chce już jeść"),
    ("fa", "مادربزرگم شبها نمیخوابه، چیکار کنم"),
    ("fa", "پدربزرگم دیگه غذا نمیخوره"),
    ("ku", "dapîra min bi şev ranakeve, ez çi bikim"),
    ("ku", "bapîrê min êdî naxwaze bixwe"),
    ("ro", "bunica nu doarme noaptea, ce să fac"),
    ("ro", "bunicul nu mai vrea să mănânce"),
    ("bg", "баба не спи нощем, какво да правя"),
    ("bg", "дядо не иска да яде вече"),
]

# A greeting is never a danger ("привет" is not "прибьёт", he will kill): no screen, no line.
GREETINGS = [
    ("de", "Hallo, guten Tag"),
    ("en", "hello, good morning"),
    ("tr", "merhaba, iyi günler"),
    ("ar", "مرحبا، صباح الخير"),
    ("ru", "привет"),
    ("ru", "Привет! Маме 80 лет, нужен Pflegegrad"),
    ("ru", "privet"),
    ("ru", "Здравствуйте, добрый день"),
    ("uk", "привіт"),
    ("uk", "Привіт, добрий день"),
    ("pl", "cześć, dzień dobry"),
    ("fa", "سلام، روز بخیر"),
    ("ku", "silav, roj baş"),
    ("ro", "bună ziua"),
    ("bg", "привет"),
    ("bg", "здравейте, добър ден"),
]


@pytest.mark.parametrize(("lang", "text"), CARE_QUESTIONS)
def test_care_questions_never_get_the_emergency_screen(
    detector: CrisisDetector, lang: str, text: str
) -> None:
    assessed = detector.assess(text, lang)
    assert assessed.signal is None or not assessed.signal.sure, assessed


@pytest.mark.parametrize(("lang", "text"), GREETINGS)
def test_a_greeting_gets_no_numbers(detector: CrisisDetector, lang: str, text: str) -> None:
    assert detector.detect(text, lang) is None


def test_sleep_is_not_hitting_but_hitting_still_is(detector: CrisisDetector) -> None:
    # The same words a letter apart: the everyday one is no typo, the danger word still counts
    # (also typed without the umlaut, and with one typo).
    assert "hit" not in detector.concepts("er schläft schlecht", "de")
    assert "child" not in detector.concepts("keiner hilft", "de")
    for text in (
        "er schlägt mich",
        "er schlaegt mich",
        "er schlägst mich",
        "mama hat keine kinder",
    ):
        found = detector.concepts(text, "de")
        assert "hit" in found or "child" in found, text
    # A listed word is still a typo of its own forms: Romanian "strange" (gathers) is "strâng".
    assert "stash" in detector.concepts("mama strange pastile", "ro")
