"""The staff report's arithmetic, without a database: roll-up, trends, gaps, periods.

Figures are built by hand (``bot.staff.figures``) and assembled; what is asserted is what
staff read in the report.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.knowledge.model import Knowledge, Node, Service, Town, Where
from bot.staff.figures import Figures, RatingGroup
from bot.staff.gaps import NEVER, NO_PHONE, NOT_WITH_PROVIDER, STALE, rank_gaps
from bot.staff.model import Filters, Row, Trend
from bot.staff.report import assemble
from bot.staff.text import render_text

HERE = Where("test", 1)
TODAY = dt.date(2026, 11, 30)


def _ratings(*groups: tuple[str, str, int]) -> Figures:
    """(node, topic, count) groups, all helpful, in German, without a town."""
    return Figures(tuple(RatingGroup(n, None, "de", None, t, c, c) for n, t, c in groups))


def _row(rows: tuple[Row, ...], key: str) -> Row:
    return next(r for r in rows if r.key == key)


# -- roll-up: a topic is never hidden while a sub-topic shows its count ----------------------


def test_masking_spares_a_topic_whose_answer_is_shown() -> None:
    # Answers: gewalt 7 (frauen), pflege 12, miete 4 + schulden 4 (geld), fest 2 (feste).
    # Topics: frauen 7, pflege 12, geld 8, feste 2. The hidden 2 need a masked partner:
    # the smallest is frauen (7), but its answer gewalt shows 7, so geld (8) is masked.
    figures = _ratings(
        ("gewalt", "frauen", 7),
        ("pflege", "pflege", 12),
        ("miete", "geld", 4),
        ("schulden", "geld", 4),
        ("fest", "feste", 2),
    )
    report = assemble(figures, None, Filters(), min_group=5)
    assert _row(report.by_node, "gewalt").count == 7
    assert _row(report.by_topic, "frauen").count == 7
    geld = _row(report.by_topic, "geld")
    assert (geld.count, geld.masked) == (None, True)


def test_a_masked_topic_reads_at_least_its_shown_answers() -> None:
    # Answers: gewalt 7 + beratung 2 (frauen), pflege 12, fest 2 + markt 2 (feste): the
    # hidden answers add up to 6, nothing is masked there. Topics: frauen 9, pflege 12,
    # feste 4: the 4 need a masked partner, and both others have a shown answer. frauen is
    # masked and reads "≥ 7" (its answer gewalt shows 7), never just "verdeckt".
    figures = _ratings(
        ("gewalt", "frauen", 7),
        ("beratung", "frauen", 2),
        ("pflege", "pflege", 12),
        ("fest", "feste", 2),
        ("markt", "feste", 2),
    )
    report = assemble(figures, None, Filters(), min_group=5)
    assert _row(report.by_node, "gewalt").count == 7
    frauen = _row(report.by_topic, "frauen")
    assert (frauen.count, frauen.at_least) == (None, 7)
    assert re.search(r"\n  frauen +≥ 7 ", render_text(report))


def test_topics_roll_up_the_tree_not_the_stored_topic() -> None:
    # A rating stored under an old topic name still counts for the node's topic today.
    nodes = {
        "start": Node("start", "Start", "", HERE, children=("frauen",)),
        "frauen": Node("frauen", "Hilfe für Frauen", "", HERE, children=("gewalt",)),
        "gewalt": Node("gewalt", "Gewalt", "", HERE),
    }
    knowledge = Knowledge({}, {}, nodes, parents={"frauen": "start", "gewalt": "frauen"})
    figures = _ratings(("gewalt", "alt_frauen", 4), ("gewalt", "frauen", 3), ("frauen", "", 1))
    report = assemble(figures, None, Filters(), knowledge=knowledge, min_group=5)
    assert [(r.label, r.count) for r in report.by_topic] == [("Hilfe für Frauen", 8)]


# -- trends against the previous period of the same length -----------------------------------


@pytest.mark.parametrize(
    ("current", "previous", "delta", "percent", "text"),
    [
        (12, 10, 2, 20.0, "+2 (+20 %)"),
        (6, 10, -4, -40.0, "−4 (−40 %)"),
        (10, 10, 0, 0.0, "±0"),
        (5, 0, 5, None, "neu"),
        (0, 8, -8, -100.0, "−8 (−100 %)"),
        (7, 3, 4, 133.33, "+4 (+133 %)"),
    ],
)
def test_trend_arithmetic(
    current: int, previous: int, delta: int, percent: float | None, text: str
) -> None:
    trend = Trend.between(current, previous)
    assert trend.delta == delta
    assert trend.percent == (None if percent is None else pytest.approx(percent, abs=0.01))
    assert trend.text() == text


@pytest.mark.parametrize(
    ("since", "until", "before"),
    [
        ("2026-11-23", "2026-11-29", ("2026-11-16", "2026-11-22")),
        ("2026-10-01", "2026-12-31", ("2026-07-01", "2026-09-30")),  # a quarter: 92 days
        ("2026-03-01", "2026-03-01", ("2026-02-28", "2026-02-28")),
        ("2024-03-01", "2024-03-31", ("2024-01-30", "2024-02-29")),  # 31 days, leap year
    ],
)
def test_previous_period_has_the_same_length(
    since: str, until: str, before: tuple[str, str]
) -> None:
    f = Filters(dt.date.fromisoformat(since), dt.date.fromisoformat(until), town="marl")
    previous = f.previous()
    assert previous is not None
    assert (previous.since, previous.until) == tuple(dt.date.fromisoformat(d) for d in before)
    assert previous.town == "marl"
    assert (previous.until - previous.since) == (f.until - f.since)  # type: ignore[operator]
    assert Filters().previous() is None


@pytest.mark.parametrize(
    ("text", "since", "until"),
    [
        ("2026Q4", "2026-10-01", "2026-12-31"),
        ("2026q1", "2026-01-01", "2026-03-31"),
        ("2025-Q2", "2025-04-01", "2025-06-30"),
        ("2024Q3", "2024-07-01", "2024-09-30"),
    ],
)
def test_quarters(text: str, since: str, until: str) -> None:
    q = Filters.quarter(text)
    assert (q.since, q.until) == (dt.date.fromisoformat(since), dt.date.fromisoformat(until))


@pytest.mark.parametrize("text", ["2026Q5", "2026Q0", "Q4", "2026-12", ""])
def test_not_a_quarter(text: str) -> None:
    with pytest.raises(ValueError, match="not a quarter"):
        Filters.quarter(text)


def test_trend_only_between_shown_figures() -> None:
    before = _ratings(("pflege", "pflege", 3), ("gewalt", "frauen", 10), ("fest", "feste", 6))
    now = _ratings(("pflege", "pflege", 9), ("gewalt", "frauen", 12))
    f = Filters(dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    report = assemble(now, before, f, min_group=5)
    gewalt = _row(report.by_node, "gewalt")
    assert (gewalt.count, gewalt.previous, gewalt.trend) == (12, 10, Trend(2, 20.0))
    pflege = _row(report.by_node, "pflege")
    # 3 last week is a small group: no "+6", which would give the 3 away (and last week's
    # table masked fest's 6 to protect it, as the report of that week did).
    assert (pflege.count, pflege.previous, pflege.trend) == (9, None, None)
    assert report.rated.trend == Trend(2, 2 / 19 * 100)


# -- gaps × demand ---------------------------------------------------------------------------


def _service(sid: str, **fields: object) -> Service:
    base: dict[str, object] = {
        "phone": "02361 1",
        "verified": dt.date(2026, 10, 1),
        "verified_how": "provider",
        "area": "town",
        "towns": ("herten",),
    }
    base.update(fields)
    return Service(sid, sid.title(), "", HERE, **base)  # type: ignore[arg-type]


GAP_KNOWLEDGE = Knowledge(
    towns={t: Town(t, t.title(), HERE) for t in ("herten", "marl")},
    services={
        s.id: s
        for s in (
            _service("fine"),
            _service("no_phone", phone=""),
            _service("source_only", verified_how="source", towns=("herten", "marl")),
            _service("stale", verified=dt.date(2025, 11, 29)),
            _service("just_in_time", verified=dt.date(2025, 11, 30)),
            _service("never", verified=None, area="county", towns=()),
            _service("hotline", phone="", area="national", towns=()),
        )
    },
    nodes={},
)


def test_gap_reasons() -> None:
    gaps = {(g.service_id, g.town): g.reasons for g in rank_gaps(GAP_KNOWLEDGE, {}, TODAY)}
    assert gaps[("no_phone", "Herten")] == (NO_PHONE,)
    assert gaps[("source_only", "Marl")] == (NOT_WITH_PROVIDER,)
    assert gaps[("stale", "Herten")] == (STALE,)
    assert gaps[("never", "Ganzer Kreis")] == (NEVER,)
    assert ("fine", "Herten") not in gaps
    assert ("just_in_time", "Herten") not in gaps  # exactly 12 months: not yet stale


def test_gaps_ranked_by_opens_per_town() -> None:
    opens = {"stale": 40, "no_phone": 3, "source_only": 12, "never": 1, "hotline": 90}
    ranked = [(g.town, g.service_id, g.opens) for g in rank_gaps(GAP_KNOWLEDGE, opens, TODAY)]
    assert ranked == [
        ("Ganzer Kreis", "never", 1),
        ("Überregional", "hotline", 90),
        ("Herten", "stale", 40),
        ("Herten", "source_only", 12),
        ("Herten", "no_phone", 3),
        ("Marl", "source_only", 12),
    ]


def test_gap_table_hides_small_opens_and_lists_them_after_by_name() -> None:
    figures = Figures(
        usage=(("card", "stale", 40), ("card", "no_phone", 3), ("card", "source_only", 2))
    )
    report = assemble(figures, None, Filters(), knowledge=GAP_KNOWLEDGE, today=TODAY)
    herten = [(r.key, r.count) for r in report.gaps if r.place == "Herten"]
    # 3 and 2 are small groups: "< 5", in name order, so the order does not rank them.
    assert herten == [("stale", 40), ("no_phone", None), ("source_only", None)]
