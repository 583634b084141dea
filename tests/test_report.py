"""Staff reports over a real feedback database: figures, suppression, exports, HTML, CLI."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.knowledge.model import Knowledge
from bot.staff.chart import chart_png, digest_with_chart
from bot.staff.cli import main as staff_main
from bot.staff.export import neutralise, records, write_csv, write_jsonl, write_xlsx
from bot.staff.page import render_html
from bot.staff.report import Filters, Report, Row, build_report, digest, render_text, topic_of
from bot.storage import NO_RESULT, NONE_FITS, Storage
from tests.conftest import MINI, TODAY

WEEK = Filters(since=dt.date(2026, 11, 20), until=dt.date(2026, 11, 26))
DAY = dt.date(2026, 11, 24)
INJECTIONS = [
    '=HYPERLINK("evil","Klick")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "<script>alert(1)</script> <b>fett</b>",
]


async def _seed(path: Path) -> None:
    store = await Storage.open(path)
    try:
        # gewalt: 10 ratings, 4 helpful; 6 in Arabic from Herten, 4 in Turkish from Marl
        for i in range(10):
            lang, town = ("ar", "herten") if i < 6 else ("tr", "marl")
            service = "haus_marl" if i >= 7 else None
            await store.add_rating(
                "gewalt", "frauen", i < 4, lang, town=town, service_id=service, day=DAY
            )
        for _ in range(8):
            await store.add_rating("pflege", "pflege", True, "de", town="herten", day=DAY)
        for _ in range(3):
            await store.add_rating("event_alt", "feste", True, "de", day=DAY)
        await store.add_rating("gewalt", "frauen", True, "de", day=dt.date(2026, 10, 1))
        for text in ["Keine Termine frei, Tel 0171 1234567", *INJECTIONS]:
            await store.add_comment("gewalt", "frauen", text, "ar", town="herten", day=DAY)
        await store.add_comment("pflege", "pflege", "Nur ein einzelner Kommentar", "de", day=DAY)
        for _ in range(6):
            await store.add_need(NONE_FITS, "ar", node_id="gewalt", topic="frauen", day=DAY)
        for _ in range(2):
            await store.add_need(NONE_FITS, "de", node_id="pflege", topic="pflege", day=DAY)
        for _ in range(3):
            await store.add_need(NONE_FITS, "de", node_id="event_alt", topic="feste", day=DAY)
        for _ in range(4):
            await store.add_need(NO_RESULT, "fa", query="Kita Platz", day=DAY)
        for _ in range(5):
            await store.add_need(NO_RESULT, "fa", query="Wohnung", day=DAY)
        await store.add_need(NO_RESULT, "fa", query="Schulden", day=DAY)
    finally:
        await store.close()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A feedback database with a known week of feedback."""
    path = tmp_path_factory.mktemp("report") / "lotse.sqlite3"
    asyncio.run(_seed(path))
    return path


@pytest.fixture
def report(db: Path, mini: Knowledge) -> Report:
    """The week's report with titles from the test knowledge."""
    return build_report(db, WEEK, knowledge=mini, min_group=5)


def _row(rows: tuple[Row, ...], key: str) -> Row:
    return next(r for r in rows if r.key == key)


def test_figures_per_topic_and_node(report: Report) -> None:
    assert report.rated.count == 21  # the October rating is outside the week
    assert report.rated.share == pytest.approx(15 / 21)
    gewalt = _row(report.by_node, "gewalt")
    assert (gewalt.label, gewalt.count, gewalt.share) == ("Gewalt und Bedrohung", 10, 0.4)
    assert _row(report.by_topic, "frauen").label == "Hilfe für Frauen"
    assert [r.key for r in report.least_helpful] == ["gewalt"]
    assert _row(report.by_service, "haus_marl").count is None  # 3 ratings


def test_small_groups_are_never_shown_exactly(report: Report) -> None:
    fest = _row(report.by_node, "event_alt")
    assert (fest.count, fest.share, fest.masked) == (None, None, False)
    # 21 - 10 - 8 would give the 3 away: the next smallest group is masked too
    pflege = _row(report.by_node, "pflege")
    assert (pflege.count, pflege.masked) == (None, True)
    assert _row(report.by_lang, "tr").count is None  # 4 ratings
    text = render_text(report)
    assert "< 5" in text
    assert "verdeckt" in text
    # 2 × "none fits" on pflege: shown as "< 5"
    assert _row(report.none_fits, "pflege").count is None
    assert _row(report.none_fits, "gewalt").count == 6


def test_shown_rows_come_first_and_hidden_rows_by_name(report: Report) -> None:
    counts = [r.count for r in report.by_node]
    assert counts[0] == 10
    assert all(c is None for c in counts[1:])
    assert [r.label for r in report.by_node[1:]] == ["Altes Fest", "Pflege"]


def test_comments_only_where_enough_people_said_no(report: Report) -> None:
    [group] = report.comments
    assert group.node_id == "gewalt"
    assert "Keine Termine frei, Tel [Telefon]" in group.texts
    assert "Nur ein einzelner Kommentar" not in render_text(report)


def test_comments_need_min_group_unhelpful_ratings(db: Path) -> None:
    strict = build_report(db, WEEK, min_group=7)
    assert strict.comments == ()
    assert "Keine Termine" not in render_text(strict)


def test_comments_never_stand_next_to_town_or_language(db: Path, report: Report) -> None:
    text = render_text(report)
    comment_part = text[text.index("\nKommentare\n") :]
    assert "Herten" not in comment_part
    assert "Arabisch" not in comment_part
    for town_or_lang in (Filters(WEEK.since, WEEK.until, town="herten"), Filters(lang="ar")):
        narrowed = build_report(db, town_or_lang, min_group=5)
        assert narrowed.comments == ()
        assert narrowed.queries == ()
        assert "nur ohne Orts- und Sprachfilter" in render_text(narrowed)


def test_unmet_needs_ranked_with_their_queries(report: Report) -> None:
    assert report.no_result.count == 10
    # Only texts that at least min_group searches used; rarer ones are not named at all.
    assert [(r.label, r.count) for r in report.queries] == [("Wohnung", 5)]
    assert [r.key for r in report.none_fits] == ["gewalt", "event_alt", "pflege"]


def test_filters_by_town_and_language(db: Path) -> None:
    marl = build_report(db, Filters(WEEK.since, WEEK.until, town="marl"), min_group=3)
    assert marl.rated.count == 4
    turkish = build_report(db, Filters(lang="tr"), min_group=3)
    assert turkish.rated.count == 4
    assert turkish.rated.share == 0


def test_topic_of_a_node(mini: Knowledge) -> None:
    assert topic_of(mini, "gewalt") == "frauen"
    assert topic_of(mini, "frauen") == "frauen"


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+49 171", "'+49 171"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t'=1"),
        ("\r=1", "'\r'=1"),
        ("＝1+1", "'＝1+1"),
        ("Keine Termine", "Keine Termine"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_cells_that_start_a_formula_are_neutralised(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe


def test_csv_export_is_safe_and_complete(db: Path, mini: Knowledge) -> None:
    out = io.StringIO()
    report = build_report(db, Filters(), knowledge=mini, min_group=5)
    n = write_csv(records(report), out)
    rows = list(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))
    assert rows[0][0] == "Tabelle"
    assert len(rows) == n + 1
    tables = [r[0] for r in rows[1:]]
    assert tables.count("Kommentar") == 6  # gewalt's; the single pflege comment is not there
    assert tables.count("Suchanfrage") == 1  # "Wohnung", used five times
    assert ["Antwort", "gewalt", "Gewalt und Bedrohung", "11", "45 %", "", ""] in rows
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    comments = [r for r in rows if r[0] == "Kommentar"]
    assert '\'=HYPERLINK("evil","Klick")' in [r[-1] for r in comments]
    # free text never carries a day, a town or a language
    assert all(r[3] == r[4] == r[5] == "" for r in comments)


def test_xlsx_round_trip(db: Path, mini: Knowledge, tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    n = write_xlsx(records(build_report(db, Filters(), knowledge=mini, min_group=5)), path)
    book = load_workbook(path)
    try:
        sheet = book["Rückmeldungen"]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("Tabelle", "Schlüssel", "Bezeichnung")
        assert len(rows) == n + 1
        assert ("Antwort", "gewalt", "Gewalt und Bedrohung", 11) in {r[:4] for r in rows}
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
        texts = [r[-1] for r in rows if r[0] == "Kommentar"]
        assert "'+1+1" in texts
    finally:
        book.close()


def test_jsonl_has_one_object_per_row(db: Path) -> None:
    out = io.StringIO()
    n = write_jsonl(records(build_report(db, WEEK, min_group=5)), out)
    items = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(items) == n
    total = items[0]
    assert (total["table"], total["count"], total["helpful"]) == ("Gesamt", 21, "71 %")
    comments = [i for i in items if i["table"] == "Kommentar"]
    assert len(comments) == 6
    assert {i["text"] for i in items if i["table"] == "Suchanfrage"} == {"Wohnung"}


def test_narrowed_export_has_no_free_text(db: Path) -> None:
    tables = {r[0] for r in records(build_report(db, Filters(town="herten"), min_group=5))}
    assert "Kommentar" not in tables
    assert "Suchanfrage" not in tables


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_page_is_self_contained_and_escaped(report: Report) -> None:
    page = render_html(report)
    parser = _Tags()
    parser.feed(page)
    parser.close()
    names = [tag for tag, _ in parser.tags]
    assert "script" not in names
    assert "svg" in names
    assert "http://" not in page
    assert "https://" not in page
    assert not any(
        key in ("src", "href") or (value or "").startswith("url(")
        for _, attrs in parser.tags
        for key, value in attrs.items()
    )
    text = "".join(parser.text)
    assert "<script>alert(1)</script> <b>fett</b>" in text  # shown as text, not run
    assert "Bewertete Antworten" in text
    assert "Unerfüllte Bedarfe" in text
    assert "Gewalt und Bedrohung" in text


def test_digest_and_chart_for_telegram(db: Path, report: Report, mini: Knowledge) -> None:
    text = digest(report)
    assert len(text) <= 4096
    assert "Bewertete Antworten: 21" in text
    assert "Pflege:" not in text  # masked group
    assert "Altes Fest" not in text  # small group
    assert digest(report, limit=40).endswith("…")
    assert len(digest(report, limit=40)) == 40
    png = chart_png(report)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    text2, png2 = digest_with_chart(db, today=TODAY, knowledge=mini, min_group=5, days=7)
    week = f"{TODAY - dt.timedelta(days=6):%d.%m.%Y} bis {TODAY:%d.%m.%Y}"
    assert f"Lotse – Rückmeldungen {week}" in text2
    assert png2.startswith(b"\x89PNG")


def _cli(argv: list[str], db: Path) -> tuple[int, str]:
    out = io.StringIO()
    defaults = {"knowledge": str(MINI), "db": str(db), "min_group": "5"}
    return staff_main(argv, defaults, out), out.getvalue()


def test_cli_report(db: Path) -> None:
    code, text = _cli(["feedback", "report", "--since", "2026-11-20", "--until", "2026-11-26"], db)
    assert code == 0
    assert "Bewertete Antworten: 21" in text
    assert "Gewalt und Bedrohung" in text
    code, text = _cli(["feedback", "report", "--lang", "ar", "--since", "2026-01-01"], db)
    assert code == 0
    assert "Sprache: ar" in text


def test_cli_exports_and_html(db: Path, tmp_path: Path) -> None:
    for fmt in ("csv", "xlsx", "jsonl"):
        target = tmp_path / f"out.{fmt}"
        code, text = _cli(["feedback", "export", "--format", fmt, "--out", str(target)], db)
        assert code == 0, text
        assert f"Zeilen geschrieben: {target}" in text
    assert (tmp_path / "out.csv").read_bytes().startswith(b'\xef\xbb\xbf"Tabelle";')
    code, text = _cli(["feedback", "export", "--format", "jsonl"], db)
    assert code == 0
    assert '"Gewalt und Bedrohung"' in text
    page = tmp_path / "report.html"
    code, _ = _cli(["feedback", "html", "--out", str(page), "--since", "2026-11-01"], db)
    assert code == 0
    assert "<svg" in page.read_text(encoding="utf-8")


def test_cli_errors(db: Path, tmp_path: Path) -> None:
    assert _cli(["feedback", "export", "--format", "xlsx"], db)[0] == 2
    assert _cli(["feedback", "report", "--since", "gestern"], db)[0] == 2
    assert _cli(["feedback", "export", "--format", "pdf"], db)[0] == 2
    code, text = _cli(["feedback", "report"], tmp_path / "missing.sqlite3")
    assert code == 1
    assert "keine Datenbank" in text
    assert not (tmp_path / "missing.sqlite3").exists()


async def test_cli_purge(tmp_path: Path) -> None:
    path = tmp_path / "lotse.sqlite3"
    store = await Storage.open(path)
    old = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=400)
    await store.add_rating("ki", "migration", True, "de", day=old)
    await store.add_rating("ki", "migration", True, "de")
    await store.close()
    code, text = await asyncio.to_thread(
        _cli, ["feedback", "purge", "--retention-days", "365"], path
    )
    assert code == 0
    assert "1 Einträge älter als 365 Tage gelöscht" in text


def test_chart_without_a_system_font_spells_umlauts_out(
    report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.staff.chart

    monkeypatch.setattr(bot.staff.chart, "SYSTEM_FONT", "no-such-font-lotse.ttf")
    assert chart_png(report).startswith(b"\x89PNG")
