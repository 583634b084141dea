"""Everyday questions of relatives and carers that a second reader found raising the
emergency screen (a sure signal replaces the answer they asked for): "who looks after mum when
I'm away", a sore throat, a belt for school, hidden pills in dementia care. They may get the
one line of numbers on top (unsure), never the screen instead of the answer."""

from __future__ import annotations

import pytest

from bot.crisis import CrisisDetector
from bot.knowledge.model import Knowledge

EVERYDAY = [
    # "when I'm away / without me": respite care, not a farewell
    ("de", "Wer kümmert sich um Mama, wenn ich weg bin? Ich fahre in den Urlaub"),
    ("de", "Wer pflegt meinen Vater, wenn ich nicht mehr da bin, ich muss ins Krankenhaus"),
    ("en", "who looks after my mum when im gone on holiday"),
    ("en", "who will care for my dad after im gone to the hospital"),
    ("ru", "кто будет ухаживать за мамой, когда меня не будет дома"),
    ("pl", "kto zajmie się mamą, jak mnie nie będzie w domu"),
    ("tr", "ben gidince annemle kim ilgilenecek"),
    ("bg", "мама не може без мен, търся болногледачка"),
    ("ro", "mama nu se descurcă fără mine, caut îngrijire"),
    ("fa", "مادرم بدون من نمیتونه، دنبال پرستار میگردم"),
    ("ku", "diya min bê min nikare, li alîkarê digerim"),
    ("ar", "امي ما بتقدر بدوني، بدي ممرضة"),
    # "you'll see / I'll show you / watch out": not threats
    ("en", "try it, the counselling is free"),
    ("en", "see what happens at the police station tomorrow"),
    ("en", "watch out for scams when you call the police number"),
    ("en", "today is the last day to sign up for counselling"),
    ("en", "my mother might end up in hospital, she needs a carer"),
    ("en", "I'm worried my mum will end up like her sister, she has dementia"),
    ("en", "my husband knows people at the council who can help"),
    ("en", "my daughter says you'll see, the school is nice"),
    ("de", "Meine Mutter liegt auf dem Friedhof in Herten, ich brauche Hilfe beim Grab"),
    ("de", "Die Pflegerin soll aufpassen, dass Oma nicht stürzt"),
    ("de", "Die Pflegerin sagt, sieh zu dass Oma genug trinkt"),
    ("de", "Mein Mann sagt, du wirst schon sehen, die Pflegekasse zahlt"),
    ("de", "Wirst schon sehen, die Beratung hilft, wenn ich gehe"),
    ("tr", "kızım görürsün diyor, okul güzel"),
    ("tr", "görürsün, polise gidersem yardım ederler"),
    ("ru", "я тебе покажу документы для развода"),
    ("ru", "дочь говорит, получишь ответ из Jobcenter через неделю"),
    ("ru", "ответишь мне, когда пойти в полицию?"),
    ("ru", "мама сказала: найду тебя у врача"),
    ("ru", "мне конец, забыла паспорт у врача"),
    ("uk", "я тобі покажу, де поліція"),
    ("uk", "мама каже знайду тебе біля лікаря"),
    ("uk", "мені кінець, забула паспорт"),
    ("pl", "córka mówi: jeszcze zobaczysz, szkoła jest fajna"),
    ("pl", "zobaczysz co będzie, jak pójdę na policję"),
    ("ar", "رح وريكي وين الشرطة"),
    ("fa", "بری دکتر، نشونت میدم کجاست"),
    ("fa", "اگه برم پلیس، میبینی چی میشه؟"),
    ("fa", "مادرم میگه پیدات میکنم تو مطب"),
    ("ku", "ez ê te sibê bibînim"),
    ("ku", "ez ê nîşanî te bidim ku polîs li ku ye"),
    ("ku", "diya min got tu yê bibînî, doktor baş e"),
    ("ro", "îți arăt eu drumul spre spital"),
    ("ro", "mama zice o sa vezi, doctorul e bun"),
    ("bg", "ще ти покажа къде е полицията"),
    ("bg", "мама каза ще видиш ти, лекарят е добър"),
    # a death word that is no threat: a widow, "how long does it take", a message
    ("de", "Mein Mann ist tot, ich brauche Beratung für die Rente"),
    ("de", "Mein Vater ist tot, was muss ich bei der Polizei melden"),
    ("fa", "اگه برم دکتر، چقدر طول میکشه؟"),
    ("en", "shoot me a message when the counselling opens"),
    # everyday objects and verbs that are no blows
    ("de", "Mein Sohn braucht einen neuen Gürtel"),
    ("de", "meine Tochter hat mit Gürtel und Schleife gespielt"),
    ("en", "my son needs a new belt for school"),
    ("tr", "oğlum kemerle oynuyor"),
    ("tr", "kızım derste el kaldırdı ama öğretmen görmedi"),
    ("ru", "сын поднял руку на уроке"),
    ("uk", "син підняв руку на уроці"),
    ("uk", "син копає город з дідом"),
    ("pl", "córka nie może wyjść, bo leje od rana"),
    ("pl", "syn lał wodę do wanny"),
    ("pl", "córka kopie dołek w ogrodzie"),
    ("ro", "copilul are durere de gât și febră"),
    ("ro", "fiul meu are dureri de gat"),
    ("ro", "fata mea are păr lung, caut coafor de păr"),
    ("ro", "copilul îți spune ce vrea"),
    ("bg", "дъщеря ми иска шампоан за косата"),
    ("bg", "детето има нужда от сироп за гърлото"),
    ("fa", "پرستار به مامانم آمپول میزنه"),
    ("fa", "همسرم سرم میزنه به مادرش"),
    ("fa", "شوهرم میگه هوا خفه است"),
    ("fa", "دخترم بچه ها رو میزنه به مدرسه"),
    ("ku", "kurê min xist xew"),
    ("ku", "keça min pirtûk xist çenteyê"),
    ("ku", "zarokê min dixe dibistanê"),
    ("de", "das Kind ist krank, wir müssen die Eier schlagen"),
    ("ar", "بنتي عم تضرب البيض"),
    ("ar", "بنتي عم تتعلم الضرب بالرياضيات"),
    # pills in dementia care, a platform, a balcony, a fall, a sore throat
    ("de", "Oma versteckt ihre Tabletten, sie hat Demenz"),
    ("en", "I collected my mother's medication from the pharmacy"),
    ("tr", "annem ilaçlarını sakladı, demans var"),
    ("de", "Ich stehe gerade am Bahnsteig, wie komme ich zur Beratung"),
    ("fa", "الان روی بالکن هستم، کمک میخوام برای مادرم"),
    ("ar", "انا هلق على البلكون"),
    ("ku", "zarokê min ket, niha baş e"),
    ("en", "my father is not breathing well at night, he has sleep apnea, need a doctor"),
    ("en", "my son has a sore throat and fever"),
]


@pytest.fixture(scope="module")
def detector(real: Knowledge) -> CrisisDetector:
    return CrisisDetector.build(real)


@pytest.mark.parametrize(("lang", "text"), EVERYDAY)
def test_everyday_care_questions_keep_their_answer(
    detector: CrisisDetector, lang: str, text: str
) -> None:
    found = detector.explain(text, lang)
    assert found is None or not found.rule.sure, (found.rule, found.concepts)
