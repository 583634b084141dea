"""Where a negation stops, and notes after 👎 that only complain.

A second reader found "ich kann nicht mehr er schlägt mich und die kinder" getting only the
line: the "nicht" of the first clause (no comma) negated "schlägt" three words on. And the
commonest complaint after 👎, "nobody answers the phone", got a line of suicide numbers in
five languages, so the note the staff most need was never stored.
"""

from __future__ import annotations

import pytest

from bot.crisis import CrisisDetector
from bot.engine.flow import Ctx, Engine
from bot.engine.screens import plain
from bot.knowledge.model import CrisisKind, CrisisSignal
from tests.conftest import TODAY


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("de", "ich kann nicht mehr er schlägt mich und die kinder"),
        ("de", "die polizei kam nicht und er schlägt mich weiter"),
        ("de", "ich weiss nicht weiter er schlaegt mich jeden tag"),
        ("de", "die nummer ging nicht und er schlägt mich weiter"),
        ("en", "he doesnt stop hitting me"),
        ("en", "the police did not come and he hits me again"),
        ("pl", "policja nie przyjechała i on mnie bije dalej"),
        ("ro", "politia nu a venit si sotul ma bate iar"),
    ],
)
def test_a_negation_ends_at_and_or_a_new_subject(
    detector: CrisisDetector, lang: str, text: str
) -> None:
    signal = detector.detect(text, lang)
    assert signal is not None, detector.assess(text, lang)
    assert signal.sure, detector.assess(text, lang)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("de", "er hat mich nie geschlagen"),
        ("de", "mein mann hat mich nicht geschlagen und nicht bedroht"),
        ("de", "er hat mich nie und nimmer geschlagen"),
        ("en", "he never hit me"),
    ],
)
def test_a_negation_still_reaches_its_own_clause(
    detector: CrisisDetector, lang: str, text: str
) -> None:
    assert "hit" not in detector.concepts(text, lang)


COMPLAINTS = [
    ("de", "niemand geht ans telefon"),
    ("de", "die beratungsstelle will nicht mehr zurückrufen"),
    ("en", "nobody answers the phone"),
    ("tr", "kimse telefonu acmiyor"),
    ("ar", "ما حدا عم يرد"),
    ("ru", "никто не берёт трубку"),
    ("ru", "привет, номер не работает"),
    ("pl", "numer jest zly, nikt nie odbiera"),
]


@pytest.mark.parametrize(("lang", "text"), COMPLAINTS)
def test_a_complaint_after_thumbs_down_gets_no_line(
    engine: Engine, detector: CrisisDetector, lang: str, text: str
) -> None:
    """A complaint is answered as usual, without the line; it is stored unless the model
    reads it as danger from ``line`` on (red team 2, serious 7: the model cannot tell
    "nobody answers the phone" from "nobody would miss me", and a note is never stored
    where the same words as a message would get the line; tests/test_crisis_private.py)."""
    ctx = Ctx(lang, TODAY)
    about = engine.press(ctx, "-:n:sprachmittler").awaits_comment
    assert about is not None
    reply = engine.comment(ctx, about, text, "n:sprachmittler")
    assert reply.screen.place == "n:sprachmittler", text
    assert detector.detect(text, lang, note=True) is None, text
    if detector.keeps(text, lang, note=True):
        assert reply.comment is not None, text
        assert reply.comment.text == text
    else:
        assert reply.comment is None, text


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "nobody answered and he is still hitting me"),
        ("ru", "никто не ответил а он меня бьёт"),
        ("de", "die nummer ging nicht und er schlägt mich weiter"),
    ],
)
def test_a_note_that_signals_danger_still_gets_the_screen(
    engine: Engine, lang: str, text: str
) -> None:
    ctx = Ctx(lang, TODAY)
    about = engine.press(ctx, "-:n:sprachmittler").awaits_comment
    assert about is not None
    reply = engine.comment(ctx, about, text, "n:sprachmittler")
    assert reply.comment is None
    assert "110" in plain(reply.screen.text or "")


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("de", "der enkel schlägt oma wenn er geld will"),
        ("de", "mein erwachsener sohn schlägt meinen mann"),
        ("en", "my son is an adult and he hits me"),
        ("tr", "yetişkin oğlum beni dövüyor"),
        ("ru", "сын взрослый бьёт меня, мне 75"),
        ("uk", "син штовхає бабусю, в неї синці на руках"),
        ("pl", "mój dorosły syn mnie bije"),
        ("bg", "синът ми блъска баба си, има синини по ръцете"),
    ],
)
def test_a_grown_son_hitting_an_elder_gets_the_violence_screen(
    detector: CrisisDetector, lang: str, text: str
) -> None:
    # Not the child screen (Nummer gegen Kummer is for a child, not a 75-year-old mother).
    assert detector.detect(text, lang) == CrisisSignal(CrisisKind.VIOLENCE, sure=True)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("de", "opa schlägt den kleinen"),
        ("de", "oma schlägt das baby"),
        ("de", "opa schlägt mein kind"),
    ],
)
def test_a_small_child_hit_by_a_grandparent_is_still_a_child_in_danger(
    detector: CrisisDetector, lang: str, text: str
) -> None:
    assert detector.detect(text, lang) == CrisisSignal(CrisisKind.CHILD, sure=True)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("de", "mama will nicht mehr leben"),
        ("ru", "мама больше не хочет жить"),
        ("ru", "бабушка не хочет жить"),
    ],
)
def test_a_relative_who_no_longer_wants_to_live_gets_the_suicide_screen(
    detector: CrisisDetector, lang: str, text: str
) -> None:
    # Not the threat screen: "не жить" is also "тебе не жить" (you won't live), a threat.
    assert detector.detect(text, lang) == CrisisSignal(CrisisKind.SUICIDE, sure=True)
