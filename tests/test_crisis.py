"""Crisis detection over knowledge/crisis.yaml: misses and false alarms in every language,
how sure it is, chat spellings, negation and exceptions, and the validator's rules for
crisis.yaml: the rules alone. The independently written evaluation sets:
tests/test_crisis_eval.py; the model next to the rules: tests/test_crisis_model.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.crisis import CrisisDetector
from bot.i18n import LANGUAGES
from bot.knowledge.model import ERROR, WARNING, CrisisKind, CrisisSignal, Knowledge
from bot.knowledge.validate import validate
from bot.text.norm import loose_keys as keys
from tests.conftest import MINI, TODAY

# What people type in panic: each must open the emergency screen with this kind.
MUST_DETECT = [
    ("de", "Hilfe mein Mann schlägt mich", "violence"),
    ("de", "er hat mich eingesperrt", "violence"),
    ("de", "ich will mich umbringen", "suicide"),
    ("de", "Mein Vater ist bewusstlos", "medical"),
    ("de", "ich will nicht mehr leben", "suicide"),
    ("de", "er droht mich umzubringen", "threat"),
    ("de", "mama atmet nicht", "medical"),
    ("de", "mein mann schlaegt mich", "violence"),
    ("de", "HERZINFARKT", "medical"),
    ("de", "er hat mich heute geschlagen", "violence"),
    ("en", "my husband hits me", "violence"),
    ("en", "he locked me in the flat", "violence"),
    ("en", "he threatened to kill me", "threat"),
    ("en", "i want to kill myself", "suicide"),
    ("en", "my dad is unconscious", "medical"),
    ("en", "she cant breathe", "medical"),
    ("en", "he says he will kill me if i go", "threat"),
    ("tr", "kocam beni dövüyor", "violence"),
    ("tr", "kocam beni dovuyor", "violence"),
    ("tr", "beni öldürecek", "threat"),
    ("tr", "intihar etmek istiyorum", "suicide"),
    ("tr", "olmek istiyorum", "suicide"),
    ("tr", "babam bayıldı", "medical"),
    ("tr", "annem nefes alamiyor", "medical"),
    ("tr", "beni eve kilitledi", "violence"),
    ("ar", "زوجي يضربني", "violence"),
    ("ar", "zawji yadrebni", "violence"),
    ("ar", "أريد أن أموت", "suicide"),
    ("ar", "badi mout", "suicide"),
    ("ar", "اريد اموت محد يعرف", "suicide"),  # Iraqi and Gulf: "I want to die"
    ("ar", "ابي اموت", "suicide"),
    ("ar", "أبي فاقد الوعي", "medical"),
    ("ar", "يهددني بالقتل", "threat"),
    ("ar", "زوجي يضربني كل يوم", "violence"),
    ("ru", "муж бьет меня", "violence"),
    ("ru", "он угрожает убить меня", "threat"),
    ("ru", "хочу умереть", "suicide"),
    ("ru", "не хочу жить", "suicide"),
    ("ru", "отец без сознания", "medical"),
    ("ru", "muzh byet menya", "violence"),
    ("ru", "вызовите скорую", "medical"),
    ("uk", "чоловік б'є мене", "violence"),
    ("uk", "не хочу жити", "suicide"),
    ("uk", "мама не дихає", "medical"),
    ("uk", "він погрожує вбити", "threat"),
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
    ("ku", "ez di xeterê de me", "threat"),
    ("ro", "soțul mă bate", "violence"),
    ("ro", "sotul ma bate", "violence"),
    ("ro", "vreau sa mor", "suicide"),
    ("ro", "tata nu respira", "medical"),
    ("ro", "m-a închis în casă", "violence"),
    ("bg", "мъжът ми ме бие", "violence"),
    ("bg", "искам да умра", "suicide"),
    ("bg", "баща ми не диша", "medical"),
    ("bg", "той заплашва да ме убие", "threat"),
    ("bg", "shte me ubie", "threat"),
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
    """The rules of the real knowledge/crisis.yaml, without the model that reads along
    (tests/test_crisis_model.py tests the two together)."""
    return CrisisDetector(real.crisis)


def kind_of(signal: CrisisSignal | None) -> str | None:
    return signal.kind.value if signal else None


@pytest.mark.parametrize(("lang", "text", "kind"), MUST_DETECT)
def test_acute_danger_is_recognised(
    detector: CrisisDetector, lang: str, text: str, kind: str
) -> None:
    assert kind_of(detector.detect(text, lang)) == kind, detector.concepts(text)


# People write as they can, not always in the language their phone is set to. Long words
# count whatever the language; short ones ("on", "ev", "man") only in their own language and
# its neighbours, since they are other words elsewhere (Polish "on" = he, Turkish "ev" = home).
MIXED = [
    ("tr", "mein mann schlägt mich, yardım edin", "violence"),
    ("de", "kocam beni dövüyor", "violence"),
    ("de", "زوجي يضربني", "violence"),
    ("en", "муж бьет меня", "violence"),
    ("de", "хочу умереть", "suicide"),
    ("ar", "ich will nicht mehr leben", "suicide"),
    ("ru", "my husband hits me", "violence"),
    ("ku", "kocam beni öldürecek dedi", "threat"),
    ("uk", "муж угрожает", "threat"),
    ("de", "شوهرم منو میزنه", "violence"),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "text", "kind"), MIXED)
def test_danger_is_recognised_whatever_language_the_user_chose(
    detector: CrisisDetector, lang: str, text: str, kind: str
) -> None:
    assert kind_of(detector.detect(text, lang)) == kind, detector.concepts(text, lang)


def test_a_short_word_of_another_language_is_not_read_as_this_one(
    detector: CrisisDetector,
) -> None:
    # Kurdish "ev" (this) is not "ew" (he); Polish "on" (he) is not English "on".
    assert detector.detect("ev li bende man min dikuje", "ku") != CrisisSignal(
        CrisisKind.THREAT, sure=True
    )
    assert detector.detect("the fees are murder on our budget", "en") is None


# Said outright: the emergency screen itself, not just a line on top of the answer.
SURE = [
    ("de", "mein mann schlägt mich", CrisisKind.VIOLENCE),
    ("de", "er sagt er bringt mich um wenn ich gehe", CrisisKind.THREAT),
    ("de", "ich will nicht mehr leben", CrisisKind.SUICIDE),
    ("de", "papa ist bewusstlos", CrisisKind.MEDICAL),
    ("de", "mein mann schlägt unsere tochter", CrisisKind.CHILD),
    ("en", "everyone is better off without me", CrisisKind.SUICIDE),
    ("tr", "bavulumu toplarsam sabahı göremezsin dedi", CrisisKind.THREAT),
    ("ar", "بدي موت", CrisisKind.SUICIDE),
    ("ru", "mama upala i ne otvechaet", CrisisKind.MEDICAL),
    ("pl", "nie moge oddychac", CrisisKind.MEDICAL),
    ("fa", "میخوام بمیرم", CrisisKind.SUICIDE),
    ("ro", "copilul a baut detergent", CrisisKind.MEDICAL),
    ("bg", "zaplashva 4e 6te me ubie", CrisisKind.THREAT),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "text", "kind"), SURE)
def test_danger_said_outright_gets_the_emergency_screen(
    detector: CrisisDetector, lang: str, text: str, kind: CrisisKind
) -> None:
    assert detector.detect(text, lang) == CrisisSignal(kind, sure=True)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("HERZINFARKT", CrisisKind.MEDICAL),  # now, or last year? Numbers on top, not the screen
        ("this waiting is killing me", CrisisKind.THREAT),  # "killing me" without anyone
        ("es gab wieder schläge", CrisisKind.VIOLENCE),  # hitting, but whom?
    ],
)
def test_a_hint_of_danger_is_unsure(detector: CrisisDetector, text: str, kind: CrisisKind) -> None:
    assert detector.detect(text, "en") == CrisisSignal(kind, sure=False)


@pytest.mark.parametrize(("lang", "text"), MUST_NOT_DETECT)
def test_harmless_messages_raise_no_alarm(detector: CrisisDetector, lang: str, text: str) -> None:
    assert detector.detect(text, lang) is None, detector.concepts(text)


def test_every_language_has_misses_and_false_alarms_tested() -> None:
    assert {lang for lang, _, _ in MUST_DETECT} == set(LANGUAGES)
    assert {lang for lang, _ in MUST_NOT_DETECT} == set(LANGUAGES)
    assert {kind for _, _, kind in MUST_DETECT} == {"violence", "threat", "suicide", "medical"}
    assert {kind for _, _, kind in SURE} == set(CrisisKind)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I am not in danger", None),
        ("I am in danger", "threat"),
        ("ich bin nicht in gefahr", None),
        ("Nein. Ich bin in Gefahr!", "threat"),  # negation does not reach across a sentence
        ("he never hit me", None),
        ("he hit me", "violence"),
        ("tehlikede değilim", None),  # Turkish negates after the word: an exception term
        ("tehlikedeyim", "threat"),
        ("kocam beni dövmüyor", None),
        ("kocam beni dövüyor", "violence"),
        ("ich schlage vor, wir treffen uns", None),  # an exception term
        ("was ist das gewaltschutzgesetz", None),
        ("suizidprävention flyer", None),  # a topic, not a crisis
        ("ich denke an suizid", "suicide"),
    ],
)
def test_negation_and_exceptions_cover_only_their_words(
    detector: CrisisDetector, text: str, kind: str | None
) -> None:
    assert kind_of(detector.detect(text, "en")) == kind


@pytest.mark.parametrize(
    ("lang", "text", "kind"),
    [
        ("en", "he shovef me", "violence"),  # a typo in a short word of the user's language
        ("de", "mein man schlägt mich", "violence"),
        ("tr", "kocam beni dövyor", "violence"),
        ("en", "feeling depressed", None),  # "feeling" is one letter from "fitting"
        ("fa", "motarjem", None),  # an interpreter, not "mitarsam" (I am afraid)
        ("ru", "кто поможет если я развожусь", None),  # "поможет" (helps), not "подожжет"
    ],
)
def test_a_typo_is_forgiven_in_the_users_language_only(
    detector: CrisisDetector, lang: str, text: str, kind: str | None
) -> None:
    assert kind_of(detector.detect(text, lang)) == kind


@pytest.mark.parametrize(
    ("lang", "text", "kind"),
    [
        # Kurdish "ne" (not) is colloquial German "eine" and an English typo: it hides nothing
        ("de", "er hat mich ne stunde lang geschlagen", "violence"),
        ("en", "ne he hit me again", "violence"),
        # ... but negates where the clause is written in a language that negates with it
        ("de", "sotul meu nu ma bate", None),  # Romanian typed by a German user
        ("ro", "nu ma mai bate", None),
        ("de", "ich bin nicht in gefahr", None),
        ("en", "он не бьет меня", None),  # Cyrillic "не" negates in any Cyrillic language
    ],
)
def test_negation_counts_only_in_the_language_it_belongs_to(
    detector: CrisisDetector, lang: str, text: str, kind: str | None
) -> None:
    assert kind_of(detector.detect(text, lang)) == kind


@pytest.mark.parametrize(
    ("lang", "text", "kind"),
    [
        ("de", "SCHLÄGT MICH", "violence"),  # case
        ("de", "schlaegt mich", "violence"),  # ae for ä
        ("de", "er schlagt mich", "violence"),  # umlaut dropped
        ("de", "papa ist bewustlos", "medical"),  # one letter missing in a long word
        ("de", "ich denke an selbstmordgedanken", "suicide"),  # selbstmord* as a stem
        ("tr", "kocam beni dovuyor", "violence"),  # Turkish without diacritics
        ("ar", "يَضْرِبُنِي زوجي", "violence"),  # Arabic with vowel marks, pronoun attached
        ("ar", "zawji bidrebni", "violence"),  # Arabizi
        ("ar", "bfakker ento7er", "suicide"),  # Arabizi with 7 for ح
        ("ru", "muzh menya izbil", "violence"),  # Russian in Latin letters
        ("ru", "ne hochu zhit", "suicide"),
        ("bg", "zakliu4i me v apartamenta", "violence"),  # Bulgarian chat: 4 for ч
        ("fa", "mikham bemiram", "suicide"),  # Finglish
        ("fa", "شوهرم منو می زنه", "violence"),  # Persian prefix written apart
        ("ar", "zawji bidrib", "violence"),  # Arabizi vowels: "bidreb" by its consonants
        ("de", "er sagt er bringt meine ganze familie um", "threat"),  # "bringt ... um"
    ],
)
def test_chat_spellings_are_understood(
    detector: CrisisDetector, lang: str, text: str, kind: str
) -> None:
    assert kind_of(detector.detect(text, lang)) == kind, detector.concepts(text, lang)


@pytest.mark.parametrize(
    ("word", "same"),
    [
        ("убьёт", "ubjet"),
        ("дочку", "dochku"),
        ("ще", "6te"),
        ("няма", "nqma"),
        ("schlägt", "schlaegt"),
        ("أبي", "ابي"),
    ],
)
def test_loose_keys_meet_chat_spellings(word: str, same: str) -> None:
    assert keys(word, term=True) & keys(same)


@pytest.mark.parametrize(
    "text",
    [
        "mein sohn hat blaue flecken vom fußball",  # bruises, but nobody hurt him
        "my son kicks the ball",
        "mein mann nimmt die kinder mit in den urlaub",  # taking the children, no threat
        "mama ist gestern gestürzt, welcher arzt macht hausbesuche",  # a routine question
    ],
)
def test_everyday_words_near_danger_words_do_not_raise_the_screen(
    detector: CrisisDetector, text: str
) -> None:
    signal = detector.detect(text, "en" if text.startswith("my") else "de")
    assert signal is None or not signal.sure, detector.concepts(text)


def test_a_child_in_danger_wins_over_violence(detector: CrisisDetector) -> None:
    signal = detector.detect("mein mann schlägt unseren sohn", "de")
    assert signal == CrisisSignal(CrisisKind.CHILD, sure=True)


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


def test_every_concept_a_rule_uses_has_terms_in_every_language(real: Knowledge) -> None:
    problems = [p for p in validate(Path("knowledge"), TODAY) if "crisis.yaml" in p.file]
    assert problems == []
    for concept in real.crisis.concepts.values():
        assert set(concept.terms) == set(LANGUAGES), concept.name


def broken(tmp_path: Path, old: str, new: str, severity: str = ERROR) -> list[str]:
    """Copy the test knowledge, replace one text in crisis.yaml, return the problems found."""
    folder = tmp_path / "knowledge"
    shutil.copytree(MINI, folder)
    path = folder / "crisis.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    prefix = str(folder) + "/"
    return [
        str(p).replace(prefix, "")
        for p in validate(folder, TODAY)
        if p.severity == severity and "crisis.yaml" in p.file
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "{kind: suicide,", "{kind: suicid,",
            ["crisis.yaml:23: rule: unknown kind 'suicid' (one of violence, threat, suicide, "
             "medical, child)"],
            id="unknown-kind",
        ),
        pytest.param(
            "all: [dying]", "all: [dyin]",
            ["crisis.yaml:23: rule 3 (suicide): unknown concept 'dyin'"],
            id="unknown-concept",
        ),
        pytest.param(
            "all: [dying]", "all: [dying], unless_order: [dying]",
            ["crisis.yaml:23: rule 3 (suicide): 'unless_order:' needs two concepts or more"],
            id="order-of-one",
        ),
        pytest.param(
            "all: [dying]", "all: [dying], unless_order: [dying, dyin]",
            ["crisis.yaml:23: rule 3 (suicide): unknown concept 'dyin'"],
            id="order-unknown-concept",
        ),
        pytest.param(
            "all: [dying]", "none: [topic]",
            ["crisis.yaml:23: rule 3 (suicide): needs concepts under 'all:' or 'any:'"],
            id="rule-without-concepts",
        ),
        pytest.param(
            "de: [bewusstlos]", "xx: [bewusstlos]",
            ["crisis.yaml:16: unconscious: unknown language 'xx'"],
            id="unknown-language",
        ),
        pytest.param(
            "de: [bewusstlos]", "de: [be*]",
            ["crisis.yaml:16: unconscious: de: 'be*' needs at least 3 letters before '*'"],
            id="short-stem",
        ),
        pytest.param(
            "de: [bewusstlos]", "de: [bew*los]",
            ["crisis.yaml:16: unconscious: de: 'bew*los': '*' goes at the end (stem*) or at "
             "both ends (*part*)"],
            id="misplaced-wildcard",
        ),
        pytest.param(
            "de: [bewusstlos]", 'de: ["*wusst*"]',
            ["crisis.yaml:16: unconscious: de: '*wusst*' is too short to look for inside words "
             "(at least 5 letters between the '*', 3 in Arabic script)"],
            id="short-part",
        ),
        pytest.param(
            "de: [bewusstlos]", "de: []",
            ["crisis.yaml:16: unconscious: de: no terms"],
            id="empty-terms",
        ),
        pytest.param(
            "    about: \"sterben wollen\"\n", "    about: \"sterben wollen\"\n    sure: 1\n",
            ["crisis.yaml:13: dying: unknown field 'sure' in a concept (allowed: about, "
             "negatable, and language codes)"],
            id="unknown-field",
        ),
    ],
)  # fmt: skip
def test_each_crisis_rule_reports_exactly_its_problem(
    tmp_path: Path, old: str, new: str, expected: list[str]
) -> None:
    assert broken(tmp_path, old, new) == expected


def test_a_concept_no_rule_uses_and_a_language_without_terms_are_warnings(tmp_path: Path) -> None:
    found = broken(tmp_path, "rules:\n", "rules:\n", severity=WARNING)
    assert (
        "crisis.yaml:14: unconscious: warning: no terms in en, tr, ar, ru, uk, pl, fa, ku, "
        "ro, bg: messages in these languages may miss it" in found
    )
    unused = broken(tmp_path / "b", "  - {kind: medical, sure: true, all: [unconscious]}\n", "",
                    severity=WARNING)  # fmt: skip
    assert "crisis.yaml:14: unconscious: warning: no rule uses this concept" in unused
    assert "crisis.yaml:20: rules: warning: no sure rule for 'medical'" in unused


def test_a_missing_crisis_file_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(MINI, folder)
    (folder / "crisis.yaml").unlink()
    errors = [str(p).replace(str(folder) + "/", "") for p in validate(folder, TODAY)]
    assert (
        "crisis.yaml:0: -: file is missing (expected 'negation:', 'concepts:' and 'rules:')"
        in errors
    )
