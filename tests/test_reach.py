"""No dead ends in the real knowledge (issue 12): every screen, for every town, has a number."""

from __future__ import annotations

import pytest

from bot.engine import payloads as pl
from bot.engine.flow import Ctx, Engine
from bot.engine.screens import Contact, Screen, plain
from bot.knowledge.model import Knowledge
from tests.conftest import TODAY

TOWNS = [
    "castrop_rauxel",
    "datteln",
    "dorsten",
    "gladbeck",
    "haltern_am_see",
    "herten",
    "marl",
    "erkenschwick",
    "recklinghausen",
    "waltrop",
]
PLEASE_CALL = "Bitte rufen Sie vorher an"


def de() -> Ctx:
    return Ctx("de", TODAY, chosen=True)


def first_number(screen: Screen) -> str:
    """The first "☎️ number · name" line of a fallback block."""
    for line in plain(screen.text).splitlines():
        if line.startswith("☎️ "):
            return line.removeprefix("☎️ ")
    return ""


def test_the_towns_are_the_real_ones(real: Knowledge) -> None:
    assert sorted(real.towns) == sorted(TOWNS)


@pytest.mark.parametrize("town", TOWNS)
def test_a_carer_who_finds_nothing_gets_care_numbers_not_the_integration_office(
    engine: Engine, town: str
) -> None:
    screen = engine.press(de(), f"?:pflege_demenz:{town}").screen
    first = first_number(screen)
    assert first, plain(screen.text)
    assert "Integrationszentrum" not in first
    # Care counselling of the town where it has a number, else the NRW care line.
    expected = {"herten": "02366 303-270", "castrop_rauxel": "02305 106-2483"}
    assert first.startswith(expected.get(town, "")), first
    assert "0800 4040044" in plain(screen.text)


@pytest.mark.parametrize("town", TOWNS)
def test_a_woman_who_finds_nothing_gets_116_016_first(engine: Engine, town: str) -> None:
    screen = engine.press(de(), f"?:gewalt:{town}").screen
    assert first_number(screen).startswith("116 016")
    text = plain(screen.text)
    assert ("02361 15457" in text) is (town == "recklinghausen")
    assert ("02043 66699" in text) is (town == "gladbeck")


def test_each_topic_has_its_own_fallback(engine: Engine) -> None:
    health = plain(engine.press(de(), "?:gesundheit").screen.text)
    migration = plain(engine.press(de(), "?:migration").screen.text)
    assert "116 117" in health
    assert "02361 53-2020" in migration  # the integration office belongs to migration
    nothing = engine.text(de(), "Steuererklärung Fahrrad", place="n:pflegegrad:marl").screen
    assert first_number(nothing).startswith("02365 99-0")  # Marl's town hall: ask for the BIP


def _cards(real: Knowledge) -> list[str]:
    """Every service card a user can open from a node screen, in every town."""
    found = []
    for node in real.nodes.values():
        for town in TOWNS if node.by_town else [None]:
            for service in real.services_for(node, town):
                found.append(pl.service(service.id, node.id, town))
    return sorted(set(found))


def test_every_card_offers_a_number_and_never_says_call_without_one(
    engine: Engine, real: Knowledge
) -> None:
    cards = _cards(real)
    assert len(cards) > 300
    for payload in cards:
        screen = engine.press(de(), payload).screen
        text = plain(screen.text)
        has_phone = any(isinstance(a, Contact) for a in screen.attachments)
        assert has_phone or "☎️ " in text, payload
        if not has_phone:
            assert PLEASE_CALL not in text, payload
            assert "noch keine bestätigte Telefonnummer" in text, payload
