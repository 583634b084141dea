"""Languages: the real catalogs, the coverage report, negotiation, right to left, plurals."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.config import PROJECT_ROOT
from bot.engine.flow import Ctx, Engine
from bot.engine.screens import plain
from bot.i18n import FSI, LANGUAGES, PDI, RTL, Catalogs, isolate_ltr, negotiate
from bot.knowledge.model import Knowledge
from bot.staff.cli import main as staff_main
from bot.staff.translations import Source, content_sources, coverage, failed
from tests.conftest import REAL_KNOWLEDGE, REAL_LOCALES, TODAY
from tests.fakes.formatting import parse_html

CODE = PROJECT_ROOT / "bot"


def test_every_language_has_both_catalogs(catalogs: Catalogs) -> None:
    assert catalogs.codes == LANGUAGES
    for lang in LANGUAGES:
        catalog = catalogs.languages[lang]
        if lang != "en":
            assert catalog.ui, f"{lang}: no interface texts"
        if lang != "de":
            assert catalog.knowledge, f"{lang}: no content texts"


def test_everything_is_translated_and_placeholders_match(real: Knowledge) -> None:
    results = coverage(real, REAL_LOCALES, CODE)
    problems = [
        f"{r.lang}/{r.domain}: {r.missing[:3]} {r.outdated[:3]} {r.placeholder_errors[:3]}"
        for r in results
        if r.missing or r.outdated or r.placeholder_errors
    ]
    assert problems == []
    assert not failed(results)


def test_drafts_are_marked_for_review() -> None:
    for lang in LANGUAGES:
        for path in sorted((REAL_LOCALES / lang / "LC_MESSAGES").glob("*.po")):
            if lang == "de" and path.stem == "messages":
                continue  # German is the office's own language, reviewed by its staff
            with path.open("rb") as fh:
                catalog = read_po(fh)
            assert "DRAFT" in (catalog.header_comment or ""), path
            unmarked = [m.id for m in catalog if m.id and m.string and not m.user_comments]
            assert unmarked == [], f"{path}: entries without a draft comment: {unmarked[:3]}"


def test_templates_are_up_to_date(real: Knowledge, interface_texts: list[Source]) -> None:
    """Translators work from the .pot files: they must hold every text of code and YAML."""
    with (REAL_LOCALES / "messages.pot").open("rb") as fh:
        pot = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    assert {s.key for s in interface_texts} == pot, "run `make catalogs`"
    with (REAL_LOCALES / "knowledge.pot").open("rb") as fh:
        kpot = {(m.context, m.id) for m in read_po(fh) if m.id}
    assert {(s.key, s.text) for s in content_sources(real)} == kpot, "run `make catalogs`"


def _copy(tmp_path: Path) -> Path:
    locales = tmp_path / "locales"
    shutil.copytree(REAL_LOCALES, locales)
    return locales


def _edit(lang_dir: Path, domain: str, pattern: str, replacement: str) -> None:
    """Change one entry of a copied catalog (the pattern must match exactly once)."""
    po = lang_dir / "LC_MESSAGES" / f"{domain}.po"
    text, count = re.subn(pattern, replacement, po.read_text(encoding="utf-8"))
    assert count == 1, f"{pattern!r} matched {count} times in {po}"
    po.write_text(text, encoding="utf-8")


def _run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = staff_main(["translations", *args], {"knowledge": str(REAL_KNOWLEDGE)}, out)
    return code, out.getvalue()


def test_report_counts_missing_outdated_and_broken_entries(tmp_path: Path) -> None:
    locales = _copy(tmp_path)
    # An outdated entry: the German source it was made from is no longer the current one.
    _edit(
        locales / "tr",
        "knowledge",
        r'(msgctxt "node:pflegegrad:title"\nmsgid ")([^"]*)(")',
        r"\1Altes Deutsch\3",
    )
    _edit(
        locales / "pl",
        "messages",
        r'(msgid "Your town: \{town\}"\nmsgstr ")[^"]*(")',
        r"\1Miasto\2",
    )
    code, output = _run("--locales", str(locales))
    assert code == 1
    assert "tr/knowledge: outdated: node:pflegegrad:title" in output
    assert "pl/messages: PLACEHOLDER: Your town: {town}: [] instead of ['town']" in output
    code, output = _run("--locales", str(locales), "--json")
    data = json.loads(output)
    assert data["failed"] is True
    tr = next(r for r in data["languages"] if r["lang"] == "tr" and r["domain"] == "knowledge")
    assert tr["outdated"] == ["node:pflegegrad:title"]


def test_report_fails_when_an_interface_text_is_missing(tmp_path: Path) -> None:
    locales = _copy(tmp_path)
    _edit(locales / "bg", "messages", r'(msgid "Skip"\nmsgstr ")[^"]*(")', r"\1\2")
    code, output = _run("--locales", str(locales), "--summary")
    assert code == 1
    row = re.search(r"^bg\s+messages\s+(\d+)\s+0\s+(\d+)\s+0\s+1\s+\d+%$", output, re.M)
    assert row, output
    assert int(row.group(2)) == int(row.group(1)) - 1


def test_real_report_passes() -> None:
    code, output = _run("--summary")
    assert code == 0
    assert "0 placeholder mismatch(es), 0 interface text(s) missing" in output


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("de", "de"),
        ("de-AT", "de"),
        ("en", "en"),
        ("en-GB", "en"),
        ("tr", "tr"),
        ("ar", "ar"),
        ("ar-SA", "ar"),
        ("ru", "ru"),
        ("uk", "uk"),
        ("uk-UA", "uk"),
        ("pl", "pl"),
        ("fa", "fa"),
        ("fa-IR", "fa"),
        ("prs", "fa"),  # Dari
        ("ku", "ku"),
        ("kmr", "ku"),  # Kurmanji's own code
        ("ro", "ro"),
        ("ro-MD", "ro"),
        ("bg", "bg"),
        ("pt-br", None),  # not offered: German, with a pointer to /language
        ("ckb", None),  # Sorani (Arabic script) is not Kurmanji: not guessed
        ("zz", None),
        ("", None),
        (None, None),
    ],
)
def test_negotiation(code: str | None, expected: str | None) -> None:
    assert negotiate(code) == expected


def test_isolation_wraps_names_and_numbers_but_not_markup() -> None:
    markup = (
        '<b>الهاتف</b>: 02366 303-270 — <a href="https://x.de/a?b=1">Caritas Herten</a> &amp; ok'
    )
    result = isolate_ltr(markup)
    assert f"{FSI}02366 303-270{PDI}" in result
    assert f"{FSI}Caritas Herten{PDI}" in result
    assert '<a href="https://x.de/a?b=1">' in result
    assert "<b>الهاتف</b>" in result
    assert "&amp;" in result


@pytest.mark.parametrize("lang", sorted(RTL))
def test_rtl_cards_and_buttons_are_isolated(engine: Engine, lang: str) -> None:
    ctx = Ctx(lang, TODAY, chosen=True)
    screen = engine.press(ctx, "s:bip_herten:pflege_demenz:herten").screen
    assert f"{FSI}02366 303-270{PDI}" in screen.text
    assert f"{FSI}Kurt-Schumacher-Straße 2, 45699 Herten{PDI}" in screen.text
    parse_html(screen.text)  # still HTML that Telegram accepts
    towns = engine.press(ctx, "n:pflege_demenz").screen
    labels = [b.label for row in towns.buttons for b in row]
    assert f"{FSI}Herten{PDI}" in labels


@pytest.mark.parametrize(
    ("lang", "n", "word"),
    [
        ("ar", 2, "نتيجتين"),  # dual
        ("ar", 3, "نتائج"),  # few: 3-10 take the plural
        ("ar", 11, "نتيجة"),  # many: 11-99 take the singular
        ("ar", 100, "نتيجة"),
        ("ru", 1, "результат:"),
        ("ru", 2, "результата"),
        ("ru", 5, "результатов"),
        ("ru", 21, "результат:"),
        ("uk", 3, "результати"),
        ("uk", 11, "результатів"),
        ("pl", 1, "wynik:"),
        ("pl", 2, "wyniki"),
        ("pl", 5, "wyników"),
        ("pl", 22, "wyniki"),
    ],
)
def test_plural_forms_follow_the_language(
    catalogs: Catalogs, lang: str, n: int, word: str
) -> None:
    t = catalogs.translator(lang)
    text = t.plural("I found {n} match for you:", "I found {n} matches for you:", n)
    assert f"{n} {word}" in text
    assert not t.fell_back


def test_arabic_has_six_plural_forms(catalogs: Catalogs) -> None:
    entry = catalogs.languages["ar"].ui[(None, "I found {n} match for you:")]
    assert len(entry.strings) == 6
    rule = catalogs.languages["ar"].plural
    assert len({rule(n) for n in (0, 1, 2, 3, 11, 100)}) == 6


def test_missing_text_falls_back_to_german_with_a_kind_note(
    tmp_path: Path, real: Knowledge, catalogs: Catalogs
) -> None:
    locales = _copy(tmp_path)
    _edit(
        locales / "tr",
        "knowledge",
        r'(msgctxt "node:pflegegrad:title"\nmsgid "[^"]*"\nmsgstr ")[^"]*(")',
        r"\1\2",
    )
    engine = Engine(real, Catalogs.load(locales), lambda: TODAY)
    screen = engine.press(Ctx("tr", TODAY, chosen=True), "n:pflegegrad").screen
    shown = plain(screen.text)
    assert "Was ist ein Pflegegrad?" in shown
    tr = catalogs.translator("tr")
    assert tr("Some parts are only available in German so far. Sorry!") in shown
    other = engine.press(Ctx("tr", TODAY, chosen=True), "n:gesundheit").screen
    assert tr("Some parts are only available in German so far. Sorry!") not in plain(other.text)


OUTDATED = "Some parts of this translation may be out of date; the German text changed."


def test_a_translation_of_an_older_german_text_is_shown_with_a_note(
    real: Knowledge, catalogs: Catalogs
) -> None:
    # Staff changed the German title in tree.yaml; the catalog still has the old one.
    node = real.nodes["pflegegrad"]
    changed = dataclasses.replace(node, title="Was ist ein Pflegegrad und wer bekommt ihn?")
    knowledge = dataclasses.replace(real, nodes={**real.nodes, "pflegegrad": changed})
    tr = catalogs.translator("tr")
    ctx = Ctx("tr", TODAY, chosen=True)
    now = plain(Engine(knowledge, catalogs, lambda: TODAY).press(ctx, "n:pflegegrad").screen.text)
    assert "Bakım derecesi nedir?" in now  # the translation, better than German for her
    assert tr(OUTDATED) in now
    before = plain(Engine(real, catalogs, lambda: TODAY).press(ctx, "n:pflegegrad").screen.text)
    assert "Bakım derecesi nedir?" in before
    assert tr(OUTDATED) not in before


@pytest.mark.parametrize(
    ("lang", "domain", "entry", "place", "translated"),
    [
        ("tr", "knowledge", 'msgctxt "node:pflegegrad:title"', "n:pflegegrad", "Bakım derecesi"),
        ("pl", "messages", 'msgid "Your town: {town}"', "n:pflege_demenz:herten", "Twoje miasto"),
    ],
)
def test_a_translation_marked_fuzzy_is_shown_with_a_note(
    tmp_path: Path,
    real: Knowledge,
    lang: str,
    domain: str,
    entry: str,
    place: str,
    translated: str,
) -> None:
    # What `pybabel update` does when the German source of an entry changed.
    locales = _copy(tmp_path)
    _edit(locales / lang, domain, f"\\n{re.escape(entry)}\\n", f"\\n#, fuzzy\\n{entry}\\n")
    fuzzy = Catalogs.load(locales)
    t = fuzzy.translator(lang)
    ctx = Ctx(lang, TODAY, chosen=True)
    shown = plain(Engine(real, fuzzy, lambda: TODAY).press(ctx, place).screen.text)
    assert translated in shown
    assert t(OUTDATED) in shown


def test_a_translation_with_a_broken_placeholder_is_never_shown(
    tmp_path: Path, real: Knowledge, catalogs: Catalogs
) -> None:
    locales = _copy(tmp_path)
    _edit(
        locales / "pl",
        "messages",
        r'(msgid "Your town: \{town\}"\nmsgstr ")[^"]*(")',
        r"\1Miasto: {miasto}\2",
    )
    engine = Engine(real, Catalogs.load(locales), lambda: TODAY)
    shown = plain(
        engine.press(Ctx("pl", TODAY, chosen=True), "n:pflege_demenz:herten").screen.text
    )
    assert "{miasto}" not in shown
    assert "Ihre Stadt: Herten" in shown  # the German source, with the note below
    pl = catalogs.translator("pl")
    assert pl("Some parts are only available in German so far. Sorry!") in shown


def test_brackets_around_a_german_word_stay_paired() -> None:
    assert isolate_ltr("حظر العودة (Rückkehrverbot).") == f"حظر العودة ({FSI}Rückkehrverbot{PDI})."
    assert isolate_ltr("Notruf 112 (Rettungsdienst)") == f"{FSI}Notruf 112 (Rettungsdienst){PDI}"
