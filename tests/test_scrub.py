"""Scrubbing personal data out of comments, in many languages and scripts."""

from __future__ import annotations

import pytest

from bot.text.scrub import scrub

CASES = [
    # German
    ("Rufen Sie mich an: 0171 1234567", "Rufen Sie mich an: [Telefon]"),
    ("Tel. +49 (0) 2361 / 12 34 56, danke!", "Tel. [Telefon], danke!"),
    ("Festnetz 02366-987654.", "Festnetz [Telefon]."),
    ("Meine Mail: ayse.yilmaz+pflege@gmx.de bitte", "Meine Mail: [E-Mail] bitte"),
    ("IBAN DE89 3704 0044 0532 0130 00 für die Rechnung", "IBAN [IBAN] für die Rechnung"),
    ("iban de89370400440532013000", "iban [IBAN]"),
    ("geboren am 01.02.1960 in Izmir", "geboren am [Datum] in Izmir"),
    ("Wir wohnen in 45699 Herten", "Wir wohnen in [Zahl] Herten"),
    (
        "Formular unter https://www.pflege.de/antrag?name=Ayse&id=4711.",
        "Formular unter [Link: www.pflege.de].",
    ),
    ("siehe www.caritas-herten.de/beratung", "siehe [Link: www.caritas-herten.de]"),
    # Turkish
    (
        "Babam için yardım lazım, numaram 0532 123 45 67",
        "Babam için yardım lazım, numaram [Telefon]",
    ),
    ("E-postam: mehmet.oz@hotmail.com.tr", "E-postam: [E-Mail]"),
    # Arabic, with Arabic-Indic digits
    ("رقم هاتفي ٠١٧١٢٣٤٥٦٧٨ من فضلكم", "رقم هاتفي [Telefon] من فضلكم"),
    ("تاريخ الميلاد ٠١/٠٢/١٩٦٠", "تاريخ الميلاد [Datum]"),
    ("+٤٩ ١٧١ ١٢٣٤٥٦٧ اتصلوا بي", "[Telefon] اتصلوا بي"),
    # Persian, with Persian digits and a zero-width non-joiner that belongs to the word
    ("شماره من ۰۹۱۲۳۴۵۶۷۸۹ است", "شماره من [Telefon] است"),
    ("کد ملی ۱۲۳۴۵۶۷۸۹۰ را نمی‌دانم", "کد ملی [Zahl] را نمی‌دانم"),
    # Russian and Ukrainian
    (
        "Мой телефон +7 912 345-67-89, пишите на ivan@mail.ru",
        "Мой телефон [Telefon], пишите на [E-Mail]",
    ),
    ("Рахунок UA21 3223 1300 0002 6007 2335 6600 1", "Рахунок [IBAN]"),
    # Polish, with a foreign IBAN that has letters
    ("Konto GB29 NWBK 6016 1331 9268 19 prosze", "Konto [IBAN] prosze"),
    # control characters, direction overrides, whitespace
    ("a\u202eb\x00c\t\nd", "abc d"),
    ("  viel    Platz \n\n hier ", "viel Platz hier"),
]

# Issue 11: handles, t.me links, dates in words, street and number, ID numbers, plates,
# names after a self-introduction, in every bot language.
CASES_11 = [
    # Telegram handles and links
    ("schreib mir @fatima_y", "schreib mir [Telegram-Name]"),
    ("телеграм @olga_p, спасибо", "телеграм [Telegram-Name], спасибо"),
    ("schreib mir auf t.me/fatima_y", "schreib mir auf [Link: t.me]"),
    ("https://t.me/olga_p bitte", "[Link: t.me] bitte"),
    # dates of birth in words
    ("geb. 3. April 1988 in Izmir", "geb. [Datum] in Izmir"),
    ("born April 3, 1988", "born [Datum]"),
    ("3 Nisan 1988 doğumlu", "[Datum] doğumlu"),
    ("родилась 3 апреля 1988", "родилась [Datum]"),
    ("народилася 3 квітня 1988 року", "народилася [Datum] року"),
    ("urodzona 3 kwietnia 1988", "urodzona [Datum]"),
    ("născută pe 3 aprilie 1988", "născută pe [Datum]"),
    ("родена на 3 април 1988", "родена на [Datum]"),
    ("ولدت في 3 أبريل 1988", "ولدت في [Datum]"),
    ("متولد ۳ فروردین ۱۳۶۷", "متولد [Datum]"),
    ("di 3 avrêl 1988 de hatim dinê", "di [Datum] de hatim dinê"),
    # street and house number
    ("Ich wohne Hochstraße 12 in Herten", "Ich wohne [Adresse] in Herten"),
    ("Kurt-Schumacher-Str. 2a, 45699 Herten", "[Adresse], [Zahl] Herten"),
    ("Am Markt 5 im zweiten Stock", "[Adresse] im zweiten Stock"),
    ("адрес: Hochstrasse 7", "адрес: [Adresse]"),
    # passport and ID numbers
    ("Reisepass C01X00T47", "Reisepass [Ausweisnummer]"),
    ("Ausweisnummer: L01X00T47", "Ausweisnummer: [Ausweisnummer]"),
    ("passport no. 12ab34cd5", "passport no. [Ausweisnummer]"),
    ("kimlik no 12345678950", "kimlik no [Ausweisnummer]"),
    ("паспорт 4510 123456", "паспорт [Ausweisnummer]"),
    ("Versichertennummer A123456789", "Versichertennummer [Ausweisnummer]"),
    # number plates
    ("mein Auto RE-AB 123", "mein Auto [Kennzeichen]"),
    (
        "das Auto mit RE AB 1234 steht vor dem Haus",
        "das Auto mit [Kennzeichen] steht vor dem Haus",
    ),
    # self-introductions with a name
    ("Ich heiße Fatima Yilmaz und brauche Hilfe", "Ich heiße [Name] und brauche Hilfe"),
    ("ich heiße olga petrova und brauche Hilfe", "ich heiße [Name] und brauche Hilfe"),
    ("Mein Name ist Ayşe.", "Mein Name ist [Name]."),
    ("my name is Anna Smith and I need help", "my name is [Name] and I need help"),
    ("Меня зовут Ольга Петрова, телеграм @olga_p", "Меня зовут [Name], телеграм [Telegram-Name]"),
    ("Мене звати Олена Коваль", "Мене звати [Name]"),
    ("اسمي فاطمة يلماز وأحتاج مساعدة", "اسمي [Name] وأحتاج مساعدة"),
    ("نام من مریم است", "نام من [Name] است"),
    ("Benim adım Ayşe Yılmaz, babam için", "Benim adım [Name], babam için"),
    ("Nazywam się Anna Kowalska", "Nazywam się [Name]"),
    ("Mă numesc Ioana Popescu", "Mă numesc [Name]"),
    ("Казвам се Мария Иванова", "Казвам се [Name]"),
    ("Navê min Rojda ye", "Navê min [Name] ye"),
]

HARMLESS_11 = [
    "Im Mai war ich beim Arzt",
    "Ich bin am Montag umgezogen",
    "Mein Name steht nicht auf der Liste",
    "Die Beratung in der Hochstraße war gut",
    "SGB XI regelt die Pflege",
    "Wir brauchen Hilfe im Alter",
    "Termin im April, bitte",
]


HARMLESS = [
    "Pflegegrad 3 ist beantragt",
    "Ich habe 116 016 angerufen, nicht 110 oder 112.",
    "116117 war besetzt",
    "Der Entlastungsbetrag ist 131 Euro, Pflegegeld 1.685 Euro",
    "Mein Vater ist 79 und kam 1971 aus der Türkei",
    "Öffnungszeiten Mo-Fr 9-12 Uhr",
    "Babam 79 yaşında, Pflegegrad 2",
    "أبي عمره ٧٩ سنة",
    "Слишком мало информации на русском",
    "اطلاعات به فارسی کم است",
    "Danke! 👍🏽 👨‍👩‍👧",
]


@pytest.mark.parametrize(("text", "expected"), CASES + CASES_11)
def test_personal_data_is_replaced(text: str, expected: str) -> None:
    assert scrub(text) == expected


@pytest.mark.parametrize("text", HARMLESS + HARMLESS_11)
def test_harmless_text_stays_as_it_is(text: str) -> None:
    assert scrub(text) == text


@pytest.mark.parametrize("text", [t for t, _ in CASES + CASES_11] + HARMLESS + HARMLESS_11)
def test_scrubbing_twice_changes_nothing(text: str) -> None:
    assert scrub(scrub(text)) == scrub(text)


def test_long_text_is_capped_with_an_ellipsis() -> None:
    text = scrub("Wort " * 300)
    assert len(text) <= 500
    assert text.endswith("…")


def test_the_cap_never_splits_a_placeholder_or_a_letter() -> None:
    assert scrub("Hallo 0171 1234567", limit=10) == "Hallo…"
    # "é" written as e + combining accent: the cut keeps both or neither
    assert scrub("Cafe\u0301 Cafe\u0301", limit=5) == "Caf…"


def test_lone_surrogates_are_dropped_so_sqlite_can_store_the_text() -> None:
    assert scrub("ok \ud800 ok") == "ok ok"
    scrub("ok \ud800 ok").encode("utf-8")


def test_empty_and_blank_text() -> None:
    assert scrub("") == ""
    assert scrub(" \n\t ") == ""
