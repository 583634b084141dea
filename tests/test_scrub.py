"""Scrubbing personal data out of comments, in many languages and scripts."""

from __future__ import annotations

import pytest

from bot.scrub import scrub

CASES = [
    # German
    ("Rufen Sie mich an: 0171 1234567", "Rufen Sie mich an: [Telefon]"),
    ("Tel. +49 (0) 2361 / 12 34 56, danke!", "Tel. [Telefon], danke!"),
    ("Festnetz 02366-987654.", "Festnetz [Telefon]."),
    ("Meine Mail: ayse.yilmaz+pflege@gmx.de bitte", "Meine Mail: [E-Mail] bitte"),
    ("IBAN DE89 3704 0044 0532 0130 00 für die Rechnung", "IBAN [IBAN] für die Rechnung"),
    ("iban de89370400440532013000", "iban [IBAN]"),
    ("geboren am 01.02.1960 in Izmir", "geboren am [Datum] in Izmir"),
    ("Versichertennummer A123456789", "Versichertennummer A[Zahl]"),
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


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_personal_data_is_replaced(text: str, expected: str) -> None:
    assert scrub(text) == expected


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_stays_as_it_is(text: str) -> None:
    assert scrub(text) == text


@pytest.mark.parametrize("text", [t for t, _ in CASES] + HARMLESS)
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
