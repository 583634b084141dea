"""Danger inside a long message, and danger worded as a request for a service.

A second reader found a suicide sentence in a long care letter getting nothing, "my husband
beats me" after a question about counselling getting only the one line (the model read a
harmless request and its ``calm`` downgraded the rule), and a message of Telegram's full
length getting "too long" without any check.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.crisis import CrisisDetector
from bot.crisis.grade import steady_rule
from bot.knowledge.model import CrisisKind
from bot.runtime import Core
from tests.fakes.harness import telegram

# A relative's everyday letter (about 260 characters), as people paste it.
LETTER = (
    "Guten Tag, ich schreibe für meine Mutter, sie ist 82 Jahre alt und wohnt seit 1971 in "
    "Marl. Sie hat Pflegegrad 2 und wir überlegen, ob ein Pflegedienst oder eine Tagespflege "
    "besser ist. Die Krankenkasse hat uns einen Brief geschickt, den wir nicht ganz verstehen. "
)


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Ehrlich gesagt will ich selbst nicht mehr leben.", CrisisKind.SUICIDE),
        ("Mein Mann hat gesagt, er bringt mich um, wenn ich ausziehe.", CrisisKind.THREAT),
        ("Gerade ist sie gestürzt und antwortet nicht mehr.", CrisisKind.MEDICAL),
        ("Und mein Mann schlägt mich seit Wochen, gestern hat er mich gewürgt.", None),
    ],
)
@pytest.mark.parametrize("repeat", [1, 3, 6])
@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_danger_anywhere_in_a_long_letter_gets_the_screen(
    detector: CrisisDetector, sentence: str, kind: CrisisKind | None, repeat: int, where: str
) -> None:
    around = LETTER * repeat
    text = {
        "start": f"{sentence} {around}{around}",
        "middle": f"{around}{sentence} {around}",
        "end": f"{around}{around}{sentence}",
    }[where]
    signal = detector.detect(text, "de")
    assert signal is not None, (len(text), detector.assess(text, "de"))
    assert signal.sure, (len(text), detector.assess(text, "de"))
    if kind is not None:
        assert signal.kind is kind


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "is there counselling for women in marl, my husband beats me"),
        ("ru", "есть ли консультация для женщин в марле? муж бьёт меня"),
        ("uk", "є консультація для жінок у марлі? чоловік б'є мене"),
        ("ro", "exista consiliere pentru femei in marl? sotul ma bate"),
        ("de", "gibt es eine beratung in marl? mein mann schlägt mich"),
        ("pl", "jak zlozyc wniosek o Pflegegrad dla mamy? upadla i nie odpowiada"),
        ("tr", "pflegegrad nasil alinir? annem dustu cevap vermiyor"),
        ("en", "what are the opening hours of the integration office? he said he will kill me"),
    ],
)
def test_an_emergency_told_with_a_question_about_a_service_gets_the_screen(
    detector: CrisisDetector, lang: str, text: str
) -> None:
    signal = detector.detect(text, lang)
    assert signal is not None, detector.assess(text, lang)
    assert signal.sure, detector.assess(text, lang)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Is a forced marriage valid in Germany? asking in general for a school project"),
        ("de", "ist eine zwangsehe in deutschland gültig? das thema kam im integrationskurs"),
        ("ro", "asteptarea asta ma omoara, cand vine raspunsul la pflegegrad"),
    ],
)
def test_calm_still_quiets_a_question_about_a_subject(
    detector: CrisisDetector, lang: str, text: str
) -> None:
    # A sure rule on danger words used about a subject, or an idiom with no one threatening:
    # the model is calm, and such a message gets at most the line.
    signal = detector.detect(text, lang)
    assert signal is None or not signal.sure, detector.assess(text, lang)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("ru", "хочу умереть"),
        ("pl", "chciałbym umrzeć"),
        ("tr", "ölmek istiyorum"),
        ("de", "mama will nicht mehr leben"),
    ],
)
def test_a_wish_to_die_is_never_calmed(detector: CrisisDetector, lang: str, text: str) -> None:
    # Most languages say "I want to die" without a pronoun: however calm the model reads it,
    # the rule's screen stays.
    found = detector.explain(text, lang)
    assert found is not None, detector.concepts(text, lang)
    assert found.rule.sure, found
    assert steady_rule(found), found


def test_the_model_reads_a_long_message_in_windows(detector: CrisisDetector) -> None:
    # A paragraph of danger in the middle of a long letter: read by its first and last
    # characters, the model saw nothing; read in windows of its length, it sees it.
    model = detector.model
    assert model is not None
    account = (
        "Mein Mann schlägt mich seit Wochen jeden Abend. Gestern hat er mich gewürgt, bis "
        "ich keine Luft mehr bekam. Er sagt, wenn ich zur Polizei gehe, bringt er mich und die "
        "Kinder um. Ich habe blaue Flecken am Hals und an den Armen. Ich habe solche Angst, er "
        "kommt gleich nach Hause und ich weiss nicht wohin. "
    )
    text = LETTER * 6 + account + LETTER * 6
    assert 1 - model.probabilities(text)[0] < 0.1
    assert 1 - model.most_dangerous(text)[0] > 0.9
    calm = LETTER * 6 + "Mir geht es gut. " + LETTER * 6
    assert 1 - model.most_dangerous(calm)[0] < 0.2
    # A message up to the model's length is read whole, as before.
    assert model.most_dangerous(account) == model.probabilities(account)


async def test_a_message_of_telegrams_full_length_is_read_for_danger(
    tmp_path: Path, core: Core
) -> None:
    account = "Mein Mann schlägt mich jeden Tag, ich habe Angst um mein Leben. "
    long = (account + LETTER * 20)[:4096]
    harmless = (LETTER * 20)[:4096]
    async with telegram(tmp_path, core) as tg, tg.polling():
        user = tg.server.user(4021, "F", language_code="de")
        await user.send("/start")
        await user.send(long)
        screen = user.last_bot_message.text or ""
        assert "110" in screen, screen
        assert "116 016" in screen, screen
        assert "sehr lang" not in screen
        await user.send(harmless)
        assert "sehr lang" in (user.last_bot_message.text or "")
