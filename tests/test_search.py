"""Search: typos, diacritics, word forms, scripts, gibberish, services, hidden events, ranking,
and the accuracy floor over the labelled queries in tests/data/search_queries.yaml."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from benchmarks.bench_search import QUERIES, evaluate, load_queries
from bot.engine.flow import Engine
from bot.i18n import LANGUAGES
from bot.knowledge.model import Knowledge
from bot.search import SearchIndex
from bot.text.norm import fold, tokens, umlaut_variant
from tests.conftest import TODAY

# Top-3 accuracy on the search author's own queries (search_queries.yaml; the independent
# writers' are in test_search_misleading.py) when these floors were set (draft catalogs of
# all 11 languages): 99.0 % over all 210 queries, at least 94.4 % in every language (Arabic,
# Persian). Since the search learned to say "nothing found": 98.6 %, at least 93.8 %. The
# floors leave a small margin; raise them when the search or the translated keywords get
# better, never lower them to make a change pass.
TOP3_FLOOR = 0.96
TOP3_FLOOR_PER_LANGUAGE = 0.88


@pytest.fixture
def index(engine: Engine) -> SearchIndex:
    """The index over the real knowledge and every language's catalog (the engine's: built
    once per test process; searching does not change it)."""
    assert isinstance(engine.search, SearchIndex)
    return engine.search


def first(index: SearchIndex, query: str, lang: str = "de") -> str | None:
    """The id of the best hit, or None."""
    hits = index.search(query, lang, today=TODAY)
    return hits[0].id if hits else None


@pytest.mark.parametrize(
    ("query", "lang", "expected"),
    [
        # the obvious node first, for clear requests
        ("pflegegrad beantragen", "de", "pflegegrad"),
        ("mama demenz", "de", "pflege_demenz"),
        ("frauenhaus", "de", "frauenhaus"),
        ("arzt am wochenende", "de", "arzt_notdienst"),
        ("ungewollt schwanger", "de", "schwanger"),
        ("handyvertrag kündigen", "de", "vertrag"),
        ("dolmetscher", "de", "sprachmittler"),
        ("einbürgerung", "de", "auslaenderamt"),
        ("care for my father", "en", "pflege"),
        ("babam icin bakim", "tr", "pflege"),
        ("muj bije mnie", "pl", "gewalt"),
        ("zawji yadrebni", "ar", "gewalt"),
        ("moraghebat az pedaram", "fa", "pflege"),
        # typos
        ("pflegegard", "de", "pflegegrad"),
        ("demens", "de", "pflege_demenz"),
        ("schwangerschft", "de", "schwanger"),
        ("auslenderbehorde", "de", "auslaenderamt"),
        # case and diacritics: missing, replaced by ae/oe/ue, or Turkish dotless i
        ("AUSLÄNDERBEHÖRDE", "de", "auslaenderamt"),
        ("auslaenderbehoerde", "de", "auslaenderamt"),
        ("auslanderbehorde", "de", "auslaenderamt"),
        ("bakım parası", "tr", "pflege_geld"),
        ("bakim parasi", "tr", "pflege_geld"),
        # word forms (stemming) and German compounds
        ("Schwangerschaften", "de", "schwanger"),
        ("vergessliche Mutter", "de", "pflege_demenz"),
        ("kinderarzt", "de", "arzt_notdienst"),
        # other scripts, and the user's language, German and English together
        ("переводчик", "ru", "sprachmittler"),
        ("perevodchik", "ru", "sprachmittler"),
        ("زوجي يضربني", "ar", "gewalt"),
        ("dementia", "tr", "pflege_demenz"),
        ("pflegegrad nasil alinir", "tr", "pflegegrad"),
    ],
)
def test_the_answer_comes_first(index: SearchIndex, query: str, lang: str, expected: str) -> None:
    assert first(index, query, lang) == expected


@pytest.mark.parametrize(
    "query",
    ["xqzvbnm", "asdfgh jklö", "qwrtzp", "zzzz", "", "   ", "!!!", "?", "🙂"],
)
def test_gibberish_finds_nothing(index: SearchIndex, query: str) -> None:
    assert index.search(query, "de") == []


def test_services_are_found_and_open_from_the_first_node_that_lists_them(
    index: SearchIndex,
) -> None:
    hits = index.search("telefonseelsorge", "de", today=TODAY)
    service = next(h for h in hits if h.kind == "service" and h.id == "telefonseelsorge")
    assert service.node_id == "notfall"  # breadth-first: the emergency node comes first
    hits = index.search("verbraucherzentrale castrop", "de", today=TODAY)
    assert "verbraucherzentrale_cas" in [h.id for h in hits if h.kind == "service"]


def test_hidden_events_are_not_found(mini: Knowledge) -> None:
    index = SearchIndex.build(mini)
    assert index.search("altes fest", "de", today=TODAY) == []
    before = index.search("altes fest", "de", today=dt.date(2019, 12, 1))
    assert [h.id for h in before][:1] == ["event_alt"]


def _listed_by(mini: Knowledge, service_id: str, name: str, node_ids: list[str]) -> Knowledge:
    """``mini`` with one more service, listed by the nodes ``node_ids`` only."""
    service = dataclasses.replace(mini.services["beratung_herten"], id=service_id, name=name)
    nodes = dict(mini.nodes)
    for node_id in node_ids:
        node = nodes[node_id]
        nodes[node_id] = dataclasses.replace(node, services=(*node.services, service_id))
    services = {**mini.services, service_id: service}
    return dataclasses.replace(mini, services=services, nodes=nodes)


def test_a_service_listed_only_by_a_hidden_event_is_not_found(mini: Knowledge) -> None:
    knowledge = _listed_by(mini, "festkasse", "Festkasse Zuckerwatte", ["event_alt"])
    index = SearchIndex.build(knowledge)
    assert index.search("zuckerwatte", "de", today=TODAY) == []
    # while the event ran, the same service was found
    before = index.search("zuckerwatte", "de", today=dt.date(2019, 12, 1))
    assert [(h.id, h.node_id) for h in before] == [("festkasse", "event_alt")]


def test_a_service_opens_from_a_visible_node_when_its_first_node_is_hidden(
    mini: Knowledge,
) -> None:
    # breadth-first, event_alt (a child of the main menu) lists it before gewalt does
    knowledge = _listed_by(mini, "festkasse", "Festkasse Zuckerwatte", ["event_alt", "gewalt"])
    hits = SearchIndex.build(knowledge).search("zuckerwatte", "de", today=TODAY)
    assert [(h.id, h.node_id) for h in hits] == [("festkasse", "gewalt")]


def _with_keywords(mini: Knowledge, keywords: dict[str, str]) -> Knowledge:
    nodes = dict(mini.nodes)
    for node_id, words in keywords.items():
        nodes[node_id] = dataclasses.replace(nodes[node_id], keywords=words)
    return dataclasses.replace(mini, nodes=nodes)


def test_a_keyword_phrase_found_whole_ranks_its_node_first(mini: Knowledge) -> None:
    # Both nodes have the three words as keywords, "gewalt" in a shorter field (so it scores
    # more per word); only "pflege" has them as one phrase, and that must win.
    knowledge = _with_keywords(
        mini, {"gewalt": "Rädern, auf, Essen", "pflege": "Essen auf Rädern, zu Hause"}
    )
    index = SearchIndex.build(knowledge)
    hits = index.search("essen auf rädern", "de", today=TODAY)
    assert [h.id for h in hits][:2] == ["pflege", "gewalt"]
    assert hits[0].score > hits[1].score
    # most of the phrase says what "pflege" is about, but earns no bonus
    most = index.search("rädern essen", "de", today=TODAY)
    assert [h.id for h in most][:2] == ["gewalt", "pflege"]
    # one word of a phrase alone does not: "Kita Platz" is not about "Platz im Frauenhaus"
    assert [h.id for h in index.search("essen", "de", today=TODAY)] == ["gewalt"]


def test_the_main_menu_is_never_a_result(index: SearchIndex) -> None:
    assert all(h.id != "start" for h in index.search("hauptmenü hilfe", "de"))


def test_results_are_few_and_best_first(index: SearchIndex) -> None:
    hits = index.search("pflege", "de", limit=3)
    assert 1 <= len(hits) <= 3
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def _sizes(index: SearchIndex) -> list[int]:
    return [
        len(value)
        for language in index._languages.values()
        for value in vars(language).values()
        if hasattr(value, "__len__")
    ]


def test_searching_leaves_the_index_as_it_was(index: SearchIndex) -> None:
    # The index lives as long as the bot: a memo of every word people type would grow forever.
    before = _sizes(index)
    for n in range(300):
        index.search(f"frauenhilfe{n} pflegestufen{n} ahlen{n}", "de")
    assert _sizes(index) == before


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("bakım", "bakim"),
        ("İSTANBUL", "istanbul"),
        ("Straße", "strasse"),
        ("mąż", "maz"),
        ("łódź", "lodz"),
        ("însărcinată", "insarcinata"),
        ("أنتحر", "انتحر"),  # alef with hamza
        ("مي", "می"),  # Arabic and Persian yeh
        ("كتاب", "کتاب"),  # Arabic and Persian kaf
        ("مدرسة", "مدرسه"),  # teh marbuta
        ("۱۱۲", "112"),  # Persian digits
        ("١١٠", "110"),  # Arabic-Indic digits
        ("переводчик", "perevodchik"),
    ],
)
def test_folding_makes_spellings_meet(a: str, b: str) -> None:
    assert fold(a) == fold(b)


def test_umlauts_also_meet_their_two_letter_spelling() -> None:
    assert umlaut_variant("Schlägt") == "schlaegt"
    assert umlaut_variant("Pflege") is None
    assert tokens("Don't – ich's") == ["dont", "ichs"]
    assert tokens("يَضْرِبُنِي") == ["يضربني"]


def test_labelled_queries_cover_every_language() -> None:
    queries = load_queries()
    assert len(queries) >= 200
    for lang in LANGUAGES:
        assert sum(q.lang == lang for q in queries) >= 15, lang


def test_top3_accuracy_stays_above_the_floor(index: SearchIndex) -> None:
    scores = evaluate(index, load_queries([QUERIES]))
    for lang, score in sorted(scores.items()):
        print(f"{lang}: top-1 {score.share(score.top1):.1%}, top-3 {score.share(score.top3):.1%}")
    overall = scores["all"]
    assert overall.share(overall.top3) >= TOP3_FLOOR
    low = {
        lang: s.share(s.top3)
        for lang, s in scores.items()
        if s.share(s.top3) < TOP3_FLOOR_PER_LANGUAGE
    }
    assert low == {}
