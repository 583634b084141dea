"""Search that does not mislead: a town never outranks the topic, filler words count little,
an unknown compound is not answered by one of its parts, a query answered only in part finds
nothing (and is kept as an unmet need), and the queries of independent writers keep their
accuracy and their share of false hits."""

from __future__ import annotations

import dataclasses

import pytest

from benchmarks.bench_search import INDEPENDENT, Query, evaluate, load_queries
from bot.engine import payloads as pl
from bot.engine.flow import Ctx, Engine
from bot.engine.screens import Need, NeedKind
from bot.knowledge.model import Knowledge
from bot.search import Hit, SearchIndex
from bot.search.query import TownNames
from tests.conftest import TODAY

# Measured on tests/data/search_queries_independent.yaml when these were set: top-3 90.4 % of
# the 52 queries that have an answer; 18 of the 36 out-of-scope queries found something
# (50 %; before this search learned to say "nothing found", 32 of 36). New topics bring new
# near words (the carers' topics of 30 Nov: 21 of 36, "права" is rights and a licence), so
# the ceiling leaves room for content; tighten both when the search or the knowledge gets
# better, never loosen them to make a search change pass.
INDEPENDENT_TOP3_FLOOR = 0.86
OUT_OF_SCOPE_FOUND_CEILING = 0.65


@pytest.fixture
def index(engine: Engine) -> SearchIndex:
    """The index over the real knowledge and every language's catalog (the engine's: built
    once per test process; searching does not change it)."""
    assert isinstance(engine.search, SearchIndex)
    return engine.search


def ids(index: SearchIndex, query: str, lang: str = "de") -> list[str]:
    return [h.id for h in index.search(query, lang, today=TODAY)]


# --- the cases new users met (issue 12) -----------------------------------------------------

CARE = {"pflege", "pflegegrad", "pflege_zuhause", "pflege_demenz", "bip_kreis", "bip_herten"}


@pytest.mark.parametrize(
    ("query", "lang", "wanted", "misleading"),
    [
        ("BIP Marl", "de", CARE, {"frauenberatung_marl", "fluechtlingsberatung_mar"}),
        ("Pflegeberatung Marl", "de", CARE, {"frauenberatung_marl", "profamilia_marl"}),
        ("я вагітна", "uk", {"schwanger"}, {"pflege_entlastung"}),
        ("i am pregnant", "en", {"schwanger"}, {"pflege_entlastung"}),
    ],
)
def test_the_topic_comes_first_not_the_town_or_a_filler_word(
    index: SearchIndex, query: str, lang: str, wanted: set[str], misleading: set[str]
) -> None:
    found = ids(index, query, lang)
    assert found
    assert found[0] in wanted
    assert not misleading & set(found)


@pytest.mark.parametrize(
    ("query", "misleading"),
    [
        ("Kita Platz", {"frauenhaus"}),  # "Platz" is a word of "Platz im Frauenhaus"
        ("Wohngeld", {"pflege_geld", "pflege_zuhause"}),  # "Geld" is not "Wohngeld"
    ],
)
def test_a_question_outside_the_topics_gets_no_confident_wrong_answer(
    index: SearchIndex, query: str, misleading: set[str]
) -> None:
    # Nothing found, or an honest "not here, ask …" entry: never the shelter or care money.
    assert not misleading & set(ids(index, query))


# --- towns ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "town"),
    [
        ("Marl", "marl"),
        ("marl", "marl"),
        ("Marlê", "marl"),  # Kurmanji ending
        ("Марле", "marl"),  # Russian locative
        ("Марль", "marl"),
        ("مارل", "marl"),
        ("Хертен", "herten"),
        ("Гертен", "herten"),  # Ukrainian г for h
        ("هرتن", "herten"),
        ("غلادبيك", "gladbeck"),
        ("Recklinghusen", "recklinghausen"),  # a typo
        ("Dorstene", "dorsten"),
        ("Castrop", "castrop_rauxel"),
        ("Rauxel", "castrop_rauxel"),
        ("Haltern", "haltern_am_see"),
        ("Erkenschwick", "erkenschwick"),
        ("Markt", None),
        ("Mama", None),
        ("see", None),  # of "Haltern am See": too common a word alone
        ("am", None),
        ("Oer", None),
        ("Herz", None),
        ("حامل", None),  # pregnant
        ("مرکز", None),
    ],
)
def test_towns_are_recognised_in_any_script(real: Knowledge, word: str, town: str | None) -> None:
    assert TownNames(real.towns).town(word) == town


def test_a_word_of_the_knowledge_is_not_taken_for_a_misspelt_town(mini: Knowledge) -> None:
    towns = TownNames(mini.towns)
    assert towns.town("Herren") == "herten"  # one letter from Herten, and no other meaning known
    assert towns.town("Herren", known=True) is None
    assert towns.town("Herten", known=True) == "herten"  # a town's own name stays a town
    index = SearchIndex.build(_keywords(mini, {"pflege": "Herren"}))
    assert [h.id for h in index.search("herren", "de", today=TODAY)] == ["pflege"]


TOPICS = ["pflegeberatung", "frauenhaus", "frauenberatung", "ausländerbehörde", "pflegegrad"]


@pytest.mark.parametrize("topic", TOPICS)
def test_a_town_never_outranks_the_topic(index: SearchIndex, real: Knowledge, topic: str) -> None:
    alone = index.search(topic, "de", today=TODAY)
    assert alone
    for town in real.towns.values():
        hits = index.search(f"{topic} {town.name}", "de", today=TODAY)
        assert hits, town.id
        nodes = [h.id for h in hits if h.kind == "node"]
        assert nodes[:1] == [next(h.id for h in alone if h.kind == "node")], town.id
        for hit in hits:
            assert hit.town == town.id
            service = real.services.get(hit.id) if hit.kind == "service" else None
            assert service is None or service.serves(town.id), (town.id, hit.id)


def test_a_town_alone_or_with_a_word_nothing_knows_finds_nothing(mini: Knowledge) -> None:
    index = SearchIndex.build(mini)
    assert index.search("Marl", "de", today=TODAY) == []
    assert index.search("Beratung Marl", "de", today=TODAY) == []


def test_in_the_test_knowledge_the_topic_wins_and_other_towns_are_left_out(
    mini: Knowledge,
) -> None:
    index = SearchIndex.build(mini)
    # the Herten counselling office has "Herten" in its name; the topic is violence
    hits = index.search("Gewalt Herten", "de", today=TODAY)
    assert [h.id for h in hits][:1] == ["gewalt"]
    assert {h.town for h in hits} == {"herten"}
    assert [h.id for h in index.search("Frauenhaus Marl", "de", today=TODAY)] == ["haus_marl"]
    # the Marl shelter serves Marl only: it is no answer for Herten
    assert index.search("Frauenhaus Herten", "de", today=TODAY) == []


# --- filler words, compounds, confidence ---------------------------------------------------


def _keywords(mini: Knowledge, keywords: dict[str, str]) -> Knowledge:
    nodes = dict(mini.nodes)
    for node_id, words in keywords.items():
        nodes[node_id] = dataclasses.replace(nodes[node_id], keywords=words)
    return dataclasses.replace(mini, nodes=nodes)


def test_filler_words_count_little(mini: Knowledge) -> None:
    # "ich" is a keyword of "gewalt" only; "müde" of "pflege": the topic word must win
    knowledge = _keywords(mini, {"gewalt": "ich, mich", "pflege": "müde"})
    index = SearchIndex.build(knowledge)
    assert [h.id for h in index.search("ich bin müde", "de", today=TODAY)][:1] == ["pflege"]


@pytest.mark.parametrize(
    ("keywords", "expected"),
    [
        # an entry with both parts, the head ("Geld") in its keywords, answers "Wohngeld"
        ({"pflege": "Geld, wohnen"}, ["pflege"]),
        # the parts in two different entries: neither answers it
        ({"pflege": "Geld", "frauen": "wohnen"}, []),
        # the head only in the running text: the entry mentions money, it is not about it
        ({"pflege": "wohnen", "gewalt": "Gewalt"}, []),
    ],
)
def test_an_unknown_compound_is_answered_by_all_its_parts_or_not_at_all(
    mini: Knowledge, keywords: dict[str, str], expected: list[str]
) -> None:
    knowledge = _keywords(mini, keywords)
    if "gewalt" in keywords:  # put "Geld" into the running text of "pflege"
        node = knowledge.nodes["pflege"]
        nodes = {**knowledge.nodes, "pflege": dataclasses.replace(node, text="Geld gibt es.")}
        knowledge = dataclasses.replace(knowledge, nodes=nodes)
    index = SearchIndex.build(knowledge)
    assert [h.id for h in index.search("wohngeld", "de", today=TODAY)] == expected


def test_a_short_word_is_not_matched_to_a_word_one_letter_away(mini: Knowledge) -> None:
    index = SearchIndex.build(_keywords(mini, {"pflege": "Name, Miete"}))
    assert index.search("naem", "de", today=TODAY) == []  # Bulgarian "наем" is rent, not a name
    assert [h.id for h in index.search("mietr", "de", today=TODAY)] == ["pflege"]  # a typo


@pytest.mark.parametrize("query", ["Frauen Kita", "Schutz Fahrrad"])
def test_a_query_answered_only_in_part_finds_nothing(mini: Knowledge, query: str) -> None:
    # each query has one word an entry knows and one that no entry knows
    assert SearchIndex.build(mini).search(query, "de", today=TODAY) == []


def test_nothing_found_for_part_of_a_question_is_kept_as_an_unmet_need(
    mini_engine: Engine,
) -> None:
    reply = mini_engine.text(Ctx("de", TODAY), "Frauen Kita")
    assert reply.need == Need(NeedKind.NO_RESULT, None, None, None, query="Frauen Kita")


def test_a_result_opens_with_the_town_the_query_named(mini_engine: Engine) -> None:
    screen = mini_engine.text(Ctx("de", TODAY), "Gewalt Herten").screen
    found = [b.payload for row in screen.buttons for b in row]
    assert pl.node("gewalt", "herten") in found


# --- the labelled queries --------------------------------------------------------------------


def test_the_independent_queries_are_in_every_language() -> None:
    queries = load_queries([INDEPENDENT])
    by_language: dict[str, int] = {}
    for query in queries:
        by_language[query.lang] = by_language.get(query.lang, 0) + 1
    assert len(by_language) == 11
    assert min(by_language.values()) >= 5
    assert sum(not q.expect for q in queries) >= 30


def test_an_honest_not_here_entry_counts_only_where_it_is_labelled_and_comes_first() -> None:
    def hit(entry: str) -> Hit:
        return Hit("node", entry, entry, 1.0)

    labelled = Query("de", "kita platz", frozenset(), honest=frozenset({"kita_hinweis"}))
    assert not labelled.misleads([])
    assert not labelled.misleads([hit("kita_hinweis"), hit("frauenhaus")])
    assert labelled.misleads([hit("frauenhaus"), hit("kita_hinweis")])
    unlabelled = Query("de", "kita platz", frozenset())
    assert unlabelled.misleads([hit("kita_hinweis")])


def test_independent_queries_keep_their_accuracy_and_few_false_hits(index: SearchIndex) -> None:
    score = evaluate(index, load_queries([INDEPENDENT]))["all"]
    print(
        f"independent: top-1 {score.share(score.top1):.1%}, top-3 {score.share(score.top3):.1%}"
        f", out of scope found {score.false_hits} of {score.outside}"
    )
    assert score.share(score.top3) >= INDEPENDENT_TOP3_FLOOR
    assert score.false_hits / score.outside <= OUT_OF_SCOPE_FOUND_CEILING
