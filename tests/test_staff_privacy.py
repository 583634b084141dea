"""One rule per test: every staff output goes through bot.staff.privacy (issue 11, item 4).

Each test sets up the smallest database where the rule matters and looks at what a member
of staff would see: the report text, the export, the HTML page, the digest. Removing the
rule's line in ``bot/staff/privacy.py`` turns the test red.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.i18n import Catalogs
from bot.knowledge.model import Knowledge
from bot.staff.cli import main as staff_main
from bot.staff.export import neutralise, records, write_csv, write_jsonl
from bot.staff.model import Filters, Report, Row
from bot.staff.page import render_html
from bot.staff.privacy import Privacy
from bot.staff.report import build_report
from bot.staff.sections import SECTIONS
from bot.staff.text import digest, render_text
from bot.staff.workbook import write_workbook
from bot.storage import NO_RESULT, Storage
from bot.storage.usage import WeakVia
from tests.conftest import MINI

MONDAY = dt.date(2026, 11, 16)
TUESDAY = MONDAY + dt.timedelta(days=1)
SUNDAY = MONDAY + dt.timedelta(days=6)
RARE_NOTE = "Niemand dort spricht meine Sprache"
RARE_SEARCH = "Fatima Yilmaz Hochstrasse Herten"
RARE_WEAK = "Frauenhaus Adresse Aylin"


async def _seed(path: Path) -> None:
    store = await Storage.open(path, "s" * 20)
    try:
        # 6 × 👎 on gewalt spread over the week; one note, from Arabic/Waltrop on Tuesday.
        for offset in range(6):
            day = MONDAY + dt.timedelta(days=offset)
            await store.add_rating("gewalt", "frauen", False, "de", town="herten", day=day)
        await store.add_rating("gewalt", "frauen", False, "ar", town="waltrop", day=TUESDAY)
        await store.add_comment("gewalt", "frauen", RARE_NOTE, "ar", town="waltrop", day=TUESDAY)
        # The same person's search before that 👎: a weak answer, once.
        await store.add_weak_answer(RARE_WEAK, "frauen", "gewalt", WeakVia.UNHELPFUL, day=TUESDAY)
        # Searches: one typed once, one typed five times, with different case.
        await store.add_need(NO_RESULT, "de", query=RARE_SEARCH, day=TUESDAY)
        for i in range(5):
            query = "Wohnung" if i % 2 else "wohnung"
            await store.add_need(NO_RESULT, "de", query=query, day=MONDAY)
        # Pflege: 5 ratings in Herten, 1 in Waltrop (a group of one).
        for _ in range(5):
            await store.add_rating("pflege", "pflege", True, "de", town="herten", day=MONDAY)
        await store.add_rating("pflege", "pflege", True, "tr", town="waltrop", day=MONDAY)
    finally:
        await store.close()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("privacy") / "lotse.sqlite3"
    asyncio.run(_seed(path))
    return path


WEEK = Filters(since=MONDAY, until=SUNDAY)
ONE_DAY = Filters(since=TUESDAY, until=TUESDAY)


def _export_text(db: Path, filters: Filters) -> str:
    out = io.StringIO()
    write_csv(records(build_report(db, filters, min_group=5)), out)
    return out.getvalue()


def _tables(report: Report) -> list[tuple[Row, ...]]:
    """Every table of the report, by the one table of sections."""
    return [tuple(part.rows(report)) for part in SECTIONS] + [(report.rated,)]


def _outputs(report: Report, tmp_path: Path) -> dict[str, str]:
    """Everything staff may see of a report, as text: terminal, page, digest, CSV, workbook."""
    out = io.StringIO()
    write_csv(records(report), out)
    book_path = tmp_path / "q.xlsx"
    write_workbook(report, book_path)
    book = load_workbook(book_path)
    try:
        cells = "\n".join(
            ";".join("" if c is None else str(c) for c in row)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
        )
    finally:
        book.close()
    return {
        "text": render_text(report),
        "html": render_html(report),
        "digest": digest(report),
        "csv": out.getvalue(),
        "xlsx": cells,
    }


# Rule 1: no group below min_group with its count, in any output.
@pytest.mark.parametrize("filters", [WEEK, ONE_DAY, Filters(town="waltrop"), Filters(lang="tr")])
def test_rule_1_small_groups_stay_hidden_in_every_output(db: Path, filters: Filters) -> None:
    report = build_report(db, filters, min_group=5)
    for rows in _tables(report):
        for row in rows:
            assert row.count is None or row.count >= 5 or row.count == 0, row
            assert row.needs is None or row.needs >= 5 or row.needs == 0, row
    waltrop = [r for r in report.by_town if r.key == "waltrop"]
    assert all(r.count is None for r in waltrop)
    assert "waltrop  2" not in render_text(report).casefold()
    lines = list(csv.reader(io.StringIO(_export_text(db, filters)), delimiter=";"))
    for line in lines[1:]:
        for cell in line[3:6]:
            if cell.isdigit():
                assert int(cell) >= 5 or int(cell) == 0, line


def test_rule_1_the_floor_is_three() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        Privacy(2)
    assert Privacy(3).suppress([1, 1, 3, 10]) == ([None, None, None, 10], {2})


def test_rule_1_staff_cli_refuses_a_threshold_below_three(db: Path) -> None:
    out = io.StringIO()
    code = staff_main(
        ["feedback", "report", "--min-group", "1"], {"knowledge": str(MINI), "db": str(db)}, out
    )
    assert code == 2


# Rule 2: no free text in an output narrowed to a town or a language.
@pytest.mark.parametrize("filters", [Filters(town="herten"), Filters(lang="de")])
def test_rule_2_no_texts_when_narrowed(db: Path, filters: Filters) -> None:
    report = build_report(db, filters, min_group=5)
    assert report.queries == ()
    assert report.notes == ()
    assert "wohnung" not in _export_text(db, filters).casefold()
    assert RARE_NOTE not in _export_text(db, filters)


# Rule 3: notes are never dated finer than their calendar week.
def test_rule_3_a_one_day_window_does_not_date_a_note(db: Path) -> None:
    day = build_report(db, ONE_DAY, min_group=5)
    week = build_report(db, WEEK, min_group=5)
    # Notes follow the calendar week, never the day asked for: a one-day window would
    # otherwise date the note to that day.
    assert day.notes == week.notes
    assert [n.text for g in day.notes for n in g.notes] == [RARE_NOTE]
    assert "ganzen Kalenderwochen" in render_text(day)
    assert "16.11.2026 bis 22.11.2026" in render_text(day)


def test_rule_3_the_text_period_is_whole_weeks() -> None:
    assert Privacy.text_period(TUESDAY, TUESDAY) == (MONDAY, SUNDAY)
    assert Privacy.text_period(None, None) == (None, None)


# Weak answers (a search, then 👎 or "none fits"): a 👎 is stored with its day, town and
# language, so a weak answer must never come with its day or narrowed to a town or language.
# Outputs show it only by whole weeks, as a group, its count only from min_group on; the
# database holds only its week (the Monday), so not even a join on the day finds its 👎.
@pytest.mark.parametrize(
    "filters", [ONE_DAY, WEEK, Filters(town="waltrop"), Filters(lang="ar")], ids=str
)
def test_weak_answers_only_by_whole_weeks_never_with_day_town_or_language(
    db: Path, filters: Filters, tmp_path: Path
) -> None:
    report = build_report(db, filters, min_group=5)
    outputs = _outputs(report, tmp_path)
    if filters.town or filters.lang:
        assert report.weak == ()
        assert not [name for name, text in outputs.items() if RARE_WEAK in text]
    else:
        [row] = report.weak
        assert (row.label, row.count) == (RARE_WEAK, None)
        assert report.weak == build_report(db, WEEK, min_group=5).weak
    for name, text in outputs.items():
        for line in text.splitlines():
            if RARE_WEAK in line:
                told = [d for d in ("2026-11-17", "17.11.", "Waltrop", "Arab") if d in line]
                assert not told, (name, line)
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT day FROM weak_answers").fetchall() == [("2026-11-16",)]
    raw.close()


# Rule 4: every note, with its language, never with its day or town (so never all three).
def test_rule_4_every_note_with_its_language_never_day_and_town(db: Path, tmp_path: Path) -> None:
    report = build_report(db, WEEK, min_group=5)
    [group] = report.notes
    assert [(n.lang, n.text) for n in group.notes] == [("Arabisch (ar)", RARE_NOTE)]
    for name, output in _outputs(report, tmp_path).items():
        lines = [line for line in output.splitlines() if RARE_NOTE in line]
        assert bool(lines) == (name != "digest"), name  # the digest only counts notes
        for line in lines:
            assert "waltrop" not in line.casefold(), (name, line)
            assert "17.11" not in line, (name, line)
            assert "2026-11-17" not in line, (name, line)
        # The week is named for the whole report, never the note's own day.
        assert "17.11.2026" not in output, name


def test_rule_4_notes_are_read_without_day_town_or_service() -> None:
    import inspect

    from bot.storage.reports import ReportStore

    sql = inspect.getsource(ReportStore.note_texts)
    assert "SELECT topic, node_id, lang, text FROM comments" in sql


# Rule 5: search texts grouped after normalisation; a rare one listed, never counted.
def test_rule_5_a_search_typed_once_is_listed_without_a_number(db: Path, tmp_path: Path) -> None:
    report = build_report(db, WEEK, min_group=5)
    assert [(r.key, r.count) for r in report.queries] == [
        ("wohnung", 5),
        ("fatimayilmazhochstrasseherten", None),
    ]
    for name, output in _outputs(report, tmp_path).items():
        for line in output.splitlines():
            if "Fatima" in line:
                assert "< 5" in line or "&lt; 5" in line, (name, line)
                assert " 1 " not in f" {line} ".replace(";", " "), (name, line)
    assert "Fatima" not in digest(report)  # the digest names only shown groups


def test_rule_5_spellings_count_together() -> None:
    groups = Privacy(3).search_groups({"Kita Platz": 1, "kitaplatz": 1, "Kita-Platz": 1})
    assert groups == [("kitaplatz", "Kita Platz", 3)]


# Rule 6: a single figure about texts only when it is a large enough group.
def test_rule_6_the_digest_does_not_count_a_single_note(db: Path) -> None:
    report = build_report(db, WEEK, min_group=5)
    assert "Kommentare: 1" not in digest(report)
    assert Privacy(5).count(1) is None
    assert Privacy(5).count(0) == 0
    assert Privacy(5).count(5) == 5


# Rule 7: exports are aggregates: no day, no row per rating.
def test_rule_7_the_export_has_no_day_and_no_row_per_rating(db: Path) -> None:
    out = io.StringIO()
    n = write_jsonl(records(build_report(db, Filters(), min_group=5)), out)
    items = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(items) == n
    assert all("day" not in item for item in items)
    assert all("2026-11" not in json.dumps(item) for item in items)
    # 13 ratings, but no table has 13 rows of one kind
    assert sum(item["table"] == "Nach Antwort" for item in items) == 2


def test_rule_7_cli_export_follows_the_report(db: Path) -> None:
    out = io.StringIO()
    code = staff_main(
        ["feedback", "export", "--format", "jsonl", "--since", "2026-11-17", "--until",
         "2026-11-17"],
        {"knowledge": str(MINI), "db": str(db), "min_group": "5"},
        out,
    )  # fmt: skip
    assert code == 0
    assert "2026-11-17" not in out.getvalue()
    [fatima] = [json.loads(line) for line in out.getvalue().splitlines() if "Fatima" in line]
    assert (fatima["count"], fatima["place"], fatima["language"]) == ("< 5", "", "")


# CSV: formula characters anywhere a spreadsheet could start a cell, and proper quoting.
@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        (",=1+1,@SUM(A1)", ",'=1+1,'@SUM(A1)"),
        ("ok; =HYPERLINK(1)", "ok; '=HYPERLINK(1)"),
        ("a\n-2+3", "a\n'-2+3"),
        ("a\t+1", "a\t'+1"),
        ("=1", "'=1"),
        ("Mo-Fr 9-12", "Mo-Fr 9-12"),
        ("a=b", "a=b"),
    ],
)
def test_formula_characters_are_neutralised_inside_a_cell(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe


def test_every_csv_cell_is_quoted_and_inert_whatever_the_delimiter() -> None:
    out = io.StringIO()
    write_csv(
        [("Kommentar", "k", "L", None, "", None, None, "", "", "", ',=1+1,@SUM(A1);"x"')], out
    )
    text = out.getvalue()
    assert text.splitlines()[1].startswith('"Kommentar";')
    for delimiter in (",", ";", "\t"):
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            for cell in row:
                assert not cell.strip().startswith(("=", "+", "@")), (delimiter, cell)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("de", "Ihre Sprachwahl wird gelöscht, wenn Sie Lotse 30 Tage nicht benutzt haben"),
        ("en", "Your language choice is deleted when you have not used Lotse for 30 days"),
        ("ru", "Выбранный язык удаляется, если вы не пользовались Lotse 30 дней"),
    ],
)
def test_privacy_says_how_long_the_language_choice_is_kept(
    lang: str, expected: str, mini: Knowledge, catalogs: Catalogs
) -> None:
    from bot.runtime import make_engine
    from tests.conftest import TODAY

    engine = make_engine(mini, catalogs, lambda: TODAY, retention_days=30)
    assert expected in engine.privacy(engine.ctx(lang)).screen.text


def test_staff_cli_names_a_broken_database(tmp_path: Path) -> None:
    broken = tmp_path / "lotse.sqlite3"
    broken.write_bytes(b"no database here " * 100)
    out = io.StringIO()
    code = staff_main(
        ["feedback", "report"], {"knowledge": str(MINI), "db": str(broken), "min_group": "5"}, out
    )
    assert code == 1
    assert str(broken) in out.getvalue()
    assert "restore it from the backup" in out.getvalue()
