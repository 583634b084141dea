"""Crisis detection: misses and false alarms in every language, negation, harmless uses,
the emergency screen's order, and the validator's rules for emergency.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.crisis import CrisisDetector
from bot.i18n import LANGUAGES
from bot.knowledge.model import ERROR, CrisisKind, CrisisSignal, Knowledge
from bot.knowledge.validate import validate
from tests.conftest import MINI, TODAY

# What people type in panic: each must open the emergency screen with this kind.
MUST_DETECT = [
    ("de", "Hilfe mein Mann schlägt mich", "violence"),
    ("de", "er hat mich eingesperrt", "violence"),
    ("de", "ich will mich umbringen", "suicide"),
    ("de", "Mein Vater ist bewusstlos", "medical"),
    ("de", "ich will nicht mehr leben", "suicide"),
    ("de", "er droht mich umzubringen", "violence"),
    ("de", "mama atmet nicht", "medical"),
    ("de", "mein mann schlaegt mich", "violence"),
    ("de", "HERZINFARKT", "medical"),
    ("de", "er hat mich heute geschlagen", "violence"),
    ("en", "my husband hits me", "violence"),
    ("en", "he locked me in the flat", "violence"),
    ("en", "he threatened to kill me", "violence"),
    ("en", "i want to kill myself", "suicide"),
    ("en", "my dad is unconscious", "medical"),
    ("en", "she cant breathe", "medical"),
    ("en", "he threatened to kill me", "violence"),
    ("tr", "kocam beni dövüyor", "violence"),
    ("tr", "kocam beni dovuyor", "violence"),
    ("tr", "beni öldürecek", "violence"),
    ("tr", "intihar etmek istiyorum", "suicide"),
    ("tr", "olmek istiyorum", "suicide"),
    ("tr", "babam bayıldı", "medical"),
    ("tr", "annem nefes alamiyor", "medical"),
    ("tr", "beni eve kilitledi", "violence"),
    ("ar", "زوجي يضربني", "violence"),
    ("ar", "zawji yadrebni", "violence"),
    ("ar", "أريد أن أموت", "suicide"),
    ("ar", "badi mout", "suicide"),
    ("ar", "أبي فاقد الوعي", "medical"),
    ("ar", "يهددني بالقتل", "violence"),
    ("ar", "زوجي يضربني كل يوم", "violence"),
    ("ru", "муж бьет меня", "violence"),
    ("ru", "он угрожает убить меня", "violence"),
    ("ru", "хочу умереть", "suicide"),
    ("ru", "не хочу жить", "suicide"),
    ("ru", "отец без сознания", "medical"),
    ("ru", "muzh byet menya", "violence"),
    ("ru", "вызовите скорую", "medical"),
    ("uk", "чоловік б'є мене", "violence"),
    ("uk", "не хочу жити", "suicide"),
    ("uk", "мама не дихає", "medical"),
    ("uk", "він погрожує вбити", "violence"),
    ("pl", "muj bije mnie", "violence"),
    ("pl", "mąż mnie bije", "violence"),
    ("pl", "chcę umrzeć", "suicide"),
    ("pl", "tata nie oddycha", "medical"),
    ("pl", "zamknął mnie w domu", "violence"),
    ("fa", "شوهرم مرا میزند", "violence"),
    ("fa", "shoharam mano mizane", "violence"),
    ("fa", "میخواهم خودکشی کنم", "suicide"),
    ("fa", "پدرم بیهوش شده", "medical"),
    ("fa", "khodkoshi", "suicide"),
    ("ku", "mêrê min li min dixe", "violence"),
    ("ku", "ez dixwazim xwe bikujim", "suicide"),
    ("ku", "bavê min bêhiş e", "medical"),
    ("ku", "ez di xeterê de me", "violence"),
    ("ro", "soțul mă bate", "violence"),
    ("ro", "sotul ma bate", "violence"),
    ("ro", "vreau sa mor", "suicide"),
    ("ro", "tata nu respira", "medical"),
    ("ro", "m-a închis în casă", "violence"),
    ("bg", "мъжът ми ме бие", "violence"),
    ("bg", "искам да умра", "suicide"),
    ("bg", "баща ми не диша", "medical"),
    ("bg", "той заплашва да ме убие", "violence"),
    ("bg", "shte me ubie", "violence"),
]  # fmt: skip

# Harmless uses, negation and ordinary requests: none may raise the alarm.
MUST_NOT_DETECT = [
    ("de", "Gewaltschutzgesetz Information"),
    ("de", "Kurs Selbstverteidigung"),
    ("de", "Notfallmappe für Oma"),
    ("de", "Erste-Hilfe-Kurs"),
    ("de", "ich bin nicht in Gefahr"),
    ("de", "Pflegegrad beantragen"),
    ("de", "Mama hatte einen Schlaganfall, jetzt Pflege"),
    ("de", "ich schlage vor wir treffen uns"),
    ("de", "notfalls rufe ich an"),
    ("de", "Papa kann nicht mehr allein leben"),
    ("de", "die Pflegekasse reagiert nicht"),
    ("de", "kein Notfall, nur eine Frage"),
    ("de", "ambulante Pflege"),
    ("de", "ich habe schlecht geschlafen"),
    ("de", "er hat mich nie geschlagen"),
    ("en", "violence prevention course"),
    ("en", "I am not in danger"),
    ("en", "first aid course"),
    ("en", "care after a stroke"),
    ("en", "I bet she knows"),
    ("en", "he never hit me"),
    ("tr", "kocam beni dövmüyor"),
    ("tr", "tehlikede değilim"),
    ("tr", "ilk yardım kursu"),
    ("tr", "şiddetli baş ağrısı"),
    ("tr", "bakım parası"),
    ("ar", "دورة إسعافات أولية"),
    ("ar", "ana mish fi khatar"),
    ("ar", "رعاية أبي"),
    ("ar", "الوقاية من العنف"),
    ("ru", "я не в опасности"),
    ("ru", "курсы первой помощи"),
    ("ru", "уход за мамой после инсульта"),
    ("ru", "он меня не бьет"),
    ("uk", "я не в небезпеці"),
    ("uk", "перша допомога курс"),
    ("uk", "догляд за батьком"),
    ("pl", "nie jestem w niebezpieczeństwie"),
    ("pl", "kurs pierwszej pomocy"),
    ("pl", "apteka zamknięta"),
    ("pl", "on mnie nie bije"),
    ("pl", "opieka po udarze"),
    ("fa", "در خطر نیستم"),
    ("fa", "دوره کمک های اولیه"),
    ("fa", "مراقبت از مادرم"),
    ("fa", "منو نمیزنه"),
    ("ku", "ez ne di xeterê de me"),
    ("ku", "lênêrîna bavê min"),
    ("ku", "alîkariya yekem"),
    ("ro", "nu sunt în pericol"),
    ("ro", "curs de prim ajutor"),
    ("ro", "mă bate gândul să plec"),
    ("ro", "ingrijire dupa avc"),
    ("bg", "не съм в опасност"),
    ("bg", "курс по първа помощ"),
    ("bg", "грижа след инсулт"),
    ("bg", "той не ме бие"),
]  # fmt: skip


@pytest.fixture(scope="module")
def detector(real: Knowledge) -> CrisisDetector:
    """The detector over the real knowledge/emergency.yaml."""
    return CrisisDetector.build(real)


@pytest.mark.parametrize(("lang", "text", "kind"), MUST_DETECT)
def test_acute_danger_is_recognised(
    detector: CrisisDetector, lang: str, text: str, kind: str
) -> None:
    assert detector.detect(text, lang) == CrisisSignal(CrisisKind(kind), sure=True)


@pytest.mark.parametrize(("lang", "text", "kind"), MUST_DETECT)
def test_danger_is_recognised_whatever_language_the_user_chose(
    detector: CrisisDetector, lang: str, text: str, kind: str
) -> None:
    other = "de" if lang != "de" else "ar"
    signal = detector.detect(text, other)
    assert signal is not None
    assert signal.kind == kind


@pytest.mark.parametrize(("lang", "text"), MUST_NOT_DETECT)
def test_harmless_messages_raise_no_alarm(detector: CrisisDetector, lang: str, text: str) -> None:
    assert detector.matches(text, lang) == []
    assert detector.detect(text, lang) is None


def test_every_language_has_misses_and_false_alarms_tested() -> None:
    assert {lang for lang, _, _ in MUST_DETECT} == set(LANGUAGES)
    assert {lang for lang, _ in MUST_NOT_DETECT} == set(LANGUAGES)
    for kind in ("violence", "suicide", "medical"):
        assert any(k == kind for _, _, k in MUST_DETECT)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I am not in danger", None),
        ("I am in danger", "violence"),
        ("ich bin nicht in gefahr", None),
        ("Nein. Ich bin in Gefahr!", "violence"),  # negation does not reach across a sentence
        ("violence prevention course", None),
        ("violence prevention course, but my husband hits me", "violence"),
        ("tehlikede değilim", None),  # Turkish negates after the phrase
        ("tehlikedeyim", "violence"),
    ],
)
def test_negation_and_harmless_uses_cover_only_their_words(
    detector: CrisisDetector, text: str, kind: str | None
) -> None:
    signal = detector.detect(text, "en")
    assert (signal.kind if signal else None) == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("SCHLÄGT MICH", "violence"),  # case
        ("schlaegt mich", "violence"),  # ae for ä
        ("schlagt mich", "violence"),  # umlaut dropped
        ("bewustlos", "medical"),  # one letter missing
        ("bewusstlso", "medical"),  # two letters swapped
        ("selbstmordgedanken", "suicide"),  # selbstmord* as a prefix
        ("kocam beni dövüyo", "violence"),  # Turkish chat spelling, one letter short
        ("يَضْرِبُنِي", "violence"),  # Arabic with vowel marks
    ],
)
def test_spelling_is_forgiven(detector: CrisisDetector, text: str, kind: str) -> None:
    signal = detector.detect(text, "de")
    assert (signal.kind if signal else None) == kind


def test_violence_wins_when_a_message_signals_more_than_one_kind(
    detector: CrisisDetector,
) -> None:
    signal = detector.detect("er hat mich geschlagen, ich bin bewusstlos", "de")
    assert signal == CrisisSignal(CrisisKind.VIOLENCE, sure=True)


@pytest.mark.parametrize(
    ("kind", "first"),
    [
        ("violence", ("notruf_110", "hilfetelefon_frauen")),
        ("suicide", ("telefonseelsorge", "notruf_112")),
        ("medical", ("notruf_112", "bereitschaft_116117")),
        (None, ("notruf_110", "notruf_112", "hilfetelefon_frauen", "telefonseelsorge")),
    ],
)
def test_the_emergency_screen_puts_the_right_numbers_first(
    real: Knowledge, kind: str | None, first: tuple[str, ...]
) -> None:
    screen = real.emergency.screen(kind)
    assert screen[: len(first)] == first
    assert sorted(screen) == sorted(real.emergency.services)


def test_every_language_has_phrases_for_every_kind(real: Knowledge) -> None:
    have = {(r.lang, r.kind) for r in real.emergency.rules if r.phrases}
    kinds = ("violence", "suicide", "medical")
    assert {(lang, kind) for lang in LANGUAGES for kind in kinds} <= have


def broken(tmp_path: Path, old: str, new: str) -> list[str]:
    """Copy the test knowledge, replace one text in emergency.yaml, return the errors found."""
    folder = tmp_path / "knowledge"
    shutil.copytree(MINI, folder)
    path = folder / "emergency.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    prefix = str(folder) + "/"
    return [str(p).replace(prefix, "") for p in validate(folder, TODAY) if p.severity == ERROR]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "screen: [hilfetelefon]", "screen: [hilfetelefon, notruf_999]",
            ["emergency.yaml:1: emergency: screen: service 2 is unknown: 'notruf_999'"],
            id="unknown-screen-service",
        ),
        pytest.param(
            "violence: [hilfetelefon]", "violance: [hilfetelefon]",
            [
                "emergency.yaml:3: emergency: first: unknown kind 'violance' "
                "(one of violence, threat, suicide, medical, child)"
            ],
            id="unknown-kind-first",
        ),
        pytest.param(
            "medical: [bewusstlos]", "medicall: [bewusstlos]",
            [
                "emergency.yaml:8: de: unknown kind 'medicall' (one of violence, threat, "
                "suicide, medical, child, harmless, negation, negation_after)"
            ],
            id="unknown-kind-phrases",
        ),
        pytest.param(
            "lang: de", "lang: xx",
            [
                "emergency.yaml:6: xx: unknown language (one of de, en, tr, ar, ru, uk, pl, "
                "fa, ku, ro, bg)"
            ],
            id="unknown-language",
        ),
        pytest.param(
            "suicide: [will sterben]", "suicide: []",
            ["emergency.yaml:7: de: 'suicide' lists no phrases"],
            id="empty-phrases",
        ),
        pytest.param(
            "medical: [bewusstlos]", "medical: [bewusstlos, au]",
            ["emergency.yaml:8: de: medical: phrase 'au' is too short (at least 3 letters)"],
            id="short-phrase",
        ),
        pytest.param(
            "harmless: [gewaltschutz*]", "harmless: [gew*]",
            ["emergency.yaml:9: de: harmless: 'gew*' needs at least 4 letters before '*'"],
            id="short-wildcard",
        ),
        pytest.param(
            "    negation: [nicht, kein]\n", "    negation: [nicht, kein]\n    medical: [koma]\n",
            [
                "emergency.yaml:11: -: key 'medical' appears twice (first on line 8)",
            ],
            id="duplicate-kind",
        ),
    ],
)  # fmt: skip
def test_each_emergency_rule_reports_exactly_its_problem(
    tmp_path: Path, old: str, new: str, expected: list[str]
) -> None:
    assert broken(tmp_path, old, new) == expected


def test_a_missing_emergency_file_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(MINI, folder)
    (folder / "emergency.yaml").unlink()
    errors = [str(p).replace(str(folder) + "/", "") for p in validate(folder, TODAY)]
    assert (
        "emergency.yaml:0: -: file is missing (expected 'screen:', 'first:' and 'phrases:')"
        in errors
    )


def test_a_language_without_phrases_is_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(MINI, folder)
    warnings = [p for p in validate(folder, TODAY) if "no crisis phrases" in p.message]
    assert {p.id for p in warnings} == set(LANGUAGES) - {"de"}
    assert all(p.severity == "warning" for p in warnings)
