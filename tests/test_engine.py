"""The pure engine, table-driven: what a user sees after each step. No Telegram."""

from __future__ import annotations

import dataclasses

import pytest

from bot.engine import payloads as pl
from bot.engine.flow import Ctx, Engine
from bot.engine.screens import Contact, Need, NeedKind, Screen, Venue, plain
from bot.i18n import Catalogs
from bot.knowledge.model import CrisisKind, Knowledge
from tests.conftest import TODAY


def de() -> Ctx:
    return Ctx("de", TODAY)


def labels(screen: Screen) -> list[str]:
    return [b.label for row in screen.buttons for b in row]


def payloads(screen: Screen) -> list[str | None]:
    return [b.payload for row in screen.buttons for b in row]


def button(screen: Screen, label_part: str) -> str:
    found = [b.payload for row in screen.buttons for b in row if label_part in b.label]
    assert len(found) == 1, f"{label_part!r} not in {labels(screen)}"
    assert found[0] is not None
    return found[0]


def test_start_greets_and_lists_the_topics(mini_engine: Engine) -> None:
    screen = mini_engine.start(de()).screen
    assert "Willkommen bei Lotse!" in plain(screen.text)
    assert "Wobei können wir helfen?" in plain(screen.text)
    assert labels(screen) == ["👩 Hilfe für Frauen", "Pflege", "🌐 Sprache"]


@pytest.mark.parametrize(
    ("payload", "title", "back"),
    [
        ("n:frauen", "Hilfe für Frauen", "m"),
        ("n:gewalt", "Gewalt und Bedrohung", "n:frauen"),
        ("n:gewalt:herten", "Gewalt und Bedrohung", "n:frauen:herten"),
        ("n:pflege", "Pflege", "m"),
    ],
)
def test_choose_shows_the_node_and_back_leads_up(
    mini_engine: Engine, payload: str, title: str, back: str
) -> None:
    screen = mini_engine.press(de(), payload).screen
    lines = plain(screen.text).splitlines()
    # Women's topics open with the bot's neutral name: the title follows on the next line.
    heading = lines[1] if lines[0] == "Lotse" else lines[0]
    assert heading.endswith(title)
    assert payloads(screen)[-2:] == [back, "m"] if back != "m" else payloads(screen)[-1] == "m"
    assert screen.place == payload


def test_content_markup_becomes_bold_and_bullets(mini_engine: Engine) -> None:
    screen = mini_engine.press(de(), "n:frauen").screen
    assert "<b>Sie sind nicht allein.</b>" in screen.text
    assert "• Beratung\n• Schutz" in screen.text


def test_main_menu_button_returns_to_the_menu(mini_engine: Engine) -> None:
    screen = mini_engine.press(de(), "m").screen
    assert "Wobei können wir helfen?" in plain(screen.text)
    assert "Willkommen" not in plain(screen.text)


def test_town_is_asked_before_local_services(mini_engine: Engine) -> None:
    screen = mini_engine.press(de(), "n:gewalt").screen
    assert "In welcher Stadt wohnen Sie?" in plain(screen.text)
    # The nation-wide hotline comes at once, before the town is known.
    assert labels(screen)[:3] == ["☎️ Hilfetelefon Gewalt gegen Frauen", "Herten", "Marl"]
    assert payloads(screen)[:3] == ["s:hilfetelefon:gewalt", "n:gewalt:herten", "n:gewalt:marl"]


@pytest.mark.parametrize(
    ("town", "services"),
    [
        ("herten", ["☎️ Hilfetelefon Gewalt gegen Frauen", "Beratungsstelle Herten"]),
        ("marl", ["☎️ Hilfetelefon Gewalt gegen Frauen", "Frauenhaus Marl"]),
    ],
)
def test_town_filter_keeps_national_and_local_services(
    mini_engine: Engine, town: str, services: list[str]
) -> None:
    screen = mini_engine.press(de(), f"n:gewalt:{town}").screen
    service_buttons = [
        b.label for row in screen.buttons for b in row if (b.payload or "").startswith("s:")
    ]
    assert service_buttons == services
    assert "Stadt ändern" in " ".join(labels(screen))


@pytest.mark.parametrize(
    "payload",
    [
        "n:gone",  # a node deleted since the message was sent
        "s:haus_marl:pflege",  # a service that the node does not list
        "s:nobody:gewalt:herten",
        "n:event_alt",  # an event that is over
        "x:1",  # an unknown action
        "n:../../etc",  # forged
        "n:GEWALT",
        "L:de:n:gewalt:herten:extra",
        "",
        "n:" + "a" * 80,
    ],
)
def test_unknown_or_stale_buttons_get_a_friendly_main_menu(
    mini_engine: Engine, payload: str
) -> None:
    screen = mini_engine.press(de(), payload).screen
    assert "Dieses Menü hat sich inzwischen geändert" in plain(screen.text)
    assert "Wobei können wir helfen?" in plain(screen.text)


def test_past_events_disappear_from_the_menu(mini_engine: Engine) -> None:
    assert "Altes Fest" not in labels(mini_engine.menu(de()).screen)


def test_service_card_shows_the_facts_a_caller_needs(mini_engine: Engine) -> None:
    screen = mini_engine.press(de(), "s:beratung_herten:gewalt:herten").screen
    text = plain(screen.text)
    assert "Beratungsstelle Herten" in text
    assert "Telefon: 02366 99999" in text
    assert "Adresse: Musterstraße 1, 45699 Herten" in text
    assert "Öffnungszeiten: Mo 9–12 Uhr (nicht bestätigt)" in text
    assert "Stand 01.11.2026" in text
    assert screen.attachments == (
        # A women's topic: the card and the pin do not name the service.
        Contact("02366 99999", "Lotse"),
        Venue(51.5953, 7.1406, "Musterstraße 1", "45699 Herten"),
    )
    urls = [b.url for row in screen.buttons for b in row if b.url]
    assert urls == [
        "https://www.openstreetmap.org/search?query=Musterstra%C3%9Fe+1%2C+45699+Herten"
    ]
    assert payloads(screen)[-2:] == ["n:gewalt:herten", "m"]


def test_shelter_card_never_shows_an_address(mini_engine: Engine) -> None:
    screen = mini_engine.press(de(), "s:haus_marl:gewalt:marl").screen
    text = plain(screen.text)
    assert "Adresse:" not in text
    assert "geheim" in text
    assert screen.attachments == (Contact("02365 12345", "Lotse"),)
    assert "Mit der Stelle geprüft am 01.11.2026." in text


def test_language_switch_keeps_the_place(mini_engine: Engine) -> None:
    picker = mini_engine.press(de(), pl.wrap(pl.LANG_PICKER, "n:gewalt:herten")).screen
    assert "Türkçe" in labels(picker)
    assert "العربية" in labels(picker)
    english = button(picker, "English")
    reply = mini_engine.press(de(), english)
    assert reply.set_lang == "en"
    assert reply.screen.place == "n:gewalt:herten"
    assert "Your town: Herten" in plain(reply.screen.text)


def test_language_picker_from_a_service_card_returns_to_the_card(mini_engine: Engine) -> None:
    place = "s:beratung_herten:gewalt:herten"
    picker = mini_engine.language(de(), place).screen
    assert all(pl.fits(p or "") for p in payloads(picker))
    reply = mini_engine.press(de(), button(picker, "Polski"))
    assert reply.set_lang == "pl"
    assert reply.screen.place == place


def test_language_picker_from_a_card_too_long_to_carry_returns_to_its_node(
    real: Knowledge, catalogs: Catalogs
) -> None:
    # The longest ids the budget allows, on the real tree: "L:pl:" + the card's place would
    # pass 64 bytes, so the language buttons lead back to the card's node instead.
    node = max((n for n in real.nodes.values() if n.by_town), key=lambda n: len(n.id))
    town = max(real.towns, key=len)
    long_id = "schwangerschaftsberatung"
    assert len(long_id) == pl.SERVICE_ID_MAX
    listed = real.services_for(node, town)[0]
    service = dataclasses.replace(listed, id=long_id, name="Beratung mit langem Namen")
    knowledge = dataclasses.replace(
        real,
        services={**real.services, long_id: service},
        nodes={**real.nodes, node.id: dataclasses.replace(node, services=(long_id,))},
    )
    # The picker needs no search index or crisis detector (two seconds to build).
    engine = Engine(knowledge, catalogs, lambda: TODAY)
    place = pl.service(long_id, node.id, town)
    assert pl.fits(pl.wrap(pl.LANG_PICKER, place))
    assert not pl.fits(pl.wrap(pl.LANG_SET, place, "pl"))
    picker = engine.language(de(), place).screen
    assert all(pl.fits(p or "") for p in payloads(picker))
    reply = engine.press(de(), button(picker, "Polski"))
    assert reply.set_lang == "pl"
    assert reply.screen.place == pl.node(node.id, town)
    assert any(label.endswith("Beratung mit langem Namen") for label in labels(reply.screen))


def test_deep_link_opens_a_topic(mini_engine: Engine) -> None:
    screen = mini_engine.start(de(), "gewalt").screen
    assert screen.place == "n:gewalt"


def test_deep_link_to_a_missing_topic_says_so(mini_engine: Engine) -> None:
    screen = mini_engine.start(de(), "nope").screen
    assert "Dieses Menü hat sich inzwischen geändert" in plain(screen.text)


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda e, c: e.unsupported(c), "Bilder, Sticker und Sprachnachrichten"),
        (lambda e, c: e.too_long(c), "Ihre Nachricht ist sehr lang"),
        (lambda e, c: e.unknown_command(c), "Diesen Befehl kenne ich nicht"),
        (lambda e, c: e.privacy(c), "Über Sie gespeichert wird nur die Sprache"),
        (lambda e, c: e.help(c), "So funktioniert Lotse"),
    ],
)
def test_odd_input_gets_a_kind_reply(mini_engine: Engine, call, expected: str) -> None:
    assert expected in plain(call(mini_engine, de()).screen.text)


def test_every_button_payload_fits_telegram(mini_engine: Engine) -> None:
    seen: set[str] = set()
    todo = ["m"]
    while todo:
        payload = todo.pop()
        if payload in seen:
            continue
        seen.add(payload)
        screen = mini_engine.press(de(), payload).screen
        for p in payloads(screen):
            if p is not None:
                assert pl.fits(p), p
                todo.append(p)
    assert len(seen) > 15


# -- feedback, unmet needs, erase --------------------------------------------------------


def test_answers_ask_whether_they_helped(mini_engine: Engine) -> None:
    screen = mini_engine.press(de(), "n:pflege").screen
    assert plain(screen.text).endswith("Hat Ihnen das geholfen?")
    assert ("👍 Ja, hat geholfen", "+:n:pflege") in [
        (b.label, b.payload) for b in screen.buttons[-2]
    ]


def test_helpful_is_recorded_and_thanked_without_asking_again(mini_engine: Engine) -> None:
    reply = mini_engine.press(de(), "+:s:beratung_herten:gewalt:herten")
    assert reply.rating is not None
    assert (reply.rating.node, reply.rating.service, reply.rating.topic) == (
        "gewalt",
        "beratung_herten",
        "frauen",
    )
    assert reply.rating.helpful is True
    assert reply.rating.town == "herten"
    text = plain(reply.screen.text)
    assert text.startswith("Lotse\nDanke für Ihre Rückmeldung!")
    assert "Hat Ihnen das geholfen?" not in text
    assert not any(p and p.startswith("+:") for p in payloads(reply.screen))


def test_not_helpful_asks_what_was_missing_then_stores_the_note(mini_engine: Engine) -> None:
    reply = mini_engine.press(de(), "-:n:pflege")
    assert reply.rating is not None
    assert reply.rating.helpful is False
    assert reply.awaits_comment == reply.rating
    assert "Was hat gefehlt?" in plain(reply.screen.text)
    assert payloads(reply.screen) == ["n:pflege"]  # "Skip" returns to where the user was
    done = mini_engine.comment(de(), reply.rating, "Öffnungszeiten am Abend", "n:pflege")
    assert done.comment is not None
    assert done.comment.text == "Öffnungszeiten am Abend"
    assert plain(done.screen.text).startswith("Danke! Ihre Notiz wurde ohne Ihren Namen")
    assert done.screen.place == "n:pflege"


def test_a_note_that_signals_danger_is_not_stored_but_answered(mini_engine: Engine) -> None:
    about = mini_engine.press(de(), "-:n:pflege").awaits_comment
    assert about is not None
    reply = mini_engine.comment(de(), about, "mein mann schlägt mich", "n:pflege")
    assert reply.comment is None
    assert "Hilfe sofort" in plain(reply.screen.text)


def test_an_unsure_note_gets_the_numbers_on_top_and_is_not_stored(mini_engine: Engine) -> None:
    about = mini_engine.press(de(), "-:n:pflege").awaits_comment
    assert about is not None
    reply = mini_engine.comment(de(), about, "er schlägt", "n:pflege")  # no victim: unsure
    text = plain(reply.screen.text)
    assert reply.comment is None
    assert text.startswith("Lotse\n🆘 Hilfe sofort, Tag und Nacht: ☎️ 116 016")
    assert "gespeichert" not in text  # nothing was saved, so nothing says so
    assert reply.screen.place == "n:pflege"  # the normal answer: back where the user was


def test_none_of_these_fits_is_an_unmet_need(mini_engine: Engine) -> None:
    question = mini_engine.press(de(), "n:frauen").screen
    assert button(question, "Nichts davon passt") == "?:frauen"
    reply = mini_engine.press(de(), "?:frauen")
    assert reply.need == Need(NeedKind.NONE_FITS, "frauen", "frauen", None)
    assert "Danke, dass Sie uns das sagen." in plain(reply.screen.text)
    # The topic's own fallback, not the integration office: without a town, only the
    # lines that serve every town.
    assert "☎️ 116 016 · Hilfetelefon Gewalt gegen Frauen" in plain(reply.screen.text)
    assert "02366 99999" not in plain(reply.screen.text)
    assert payloads(reply.screen)[0] == "s:hilfetelefon:frauen"


def test_none_fits_offers_the_towns_own_numbers(mini_engine: Engine) -> None:
    herten = plain(mini_engine.press(de(), "?:gewalt:herten").screen.text)
    marl = mini_engine.press(de(), "?:gewalt:marl").screen
    assert "☎️ 02366 99999 · Beratungsstelle Herten" in herten
    assert "116 016" in herten
    assert "02365 12345" in plain(marl.text)
    assert "02366 99999" not in plain(marl.text)
    # Each fallback button opens its card (not "this menu changed"), back to where one was.
    card = mini_engine.press(de(), button(marl, "Frauenhaus Marl")).screen
    assert "02365 12345" in plain(card.text)
    assert "n:gewalt:marl" in payloads(card)


def test_erase_button_on_womens_topics_only(mini_engine: Engine) -> None:
    women = mini_engine.press(de(), "n:gewalt:herten").screen
    care = mini_engine.press(de(), "n:pflege").screen
    assert button(women, "Diesen Chat löschen") == "x"
    assert "🧹 Diesen Chat löschen" not in labels(care)
    reply = mini_engine.press(de(), "x")
    assert reply.erase is True
    # What stays in the chat is neutral: no word of deleting, no topic.
    assert plain(reply.screen.text).splitlines()[0] == "Lotse"
    assert "lösch" not in plain(reply.screen.text)
    assert labels(reply.screen) == ["🏠 Hauptmenü"]


def test_emergency_screen_puts_the_kind_first(mini_engine: Engine) -> None:
    screen = mini_engine.emergency(de(), CrisisKind.VIOLENCE, back="n:pflege").screen
    text = plain(screen.text)
    assert "116 016" in text
    assert labels(screen)[0] == "↩️ Weiter, wo ich war"
    assert payloads(screen)[0] == "n:pflege"


# -- typed text --------------------------------------------------------------------------


def test_typed_text_is_searched_and_results_are_buttons(mini_engine: Engine) -> None:
    reply = mini_engine.text(de(), "gewallt")  # a typo
    screen = reply.screen
    assert plain(screen.text).startswith("Ich habe")
    assert "n:gewalt" in payloads(screen)
    assert payloads(screen)[-1] == "m"
    assert reply.need is None


def test_nothing_found_is_an_unmet_need_and_offers_the_office(mini_engine: Engine) -> None:
    reply = mini_engine.text(de(), "Steuererklärung Fahrrad")
    assert "Dazu habe ich leider nichts gefunden." in plain(reply.screen.text)
    assert reply.need == Need(
        NeedKind.NO_RESULT, None, None, None, query="Steuererklärung Fahrrad"
    )
    # No place: the main menu's fallback, with its number on the screen and a card to open.
    assert "☎️ 116 016" in plain(reply.screen.text)
    card = mini_engine.press(de(), payloads(reply.screen)[0]).screen
    assert card.place == "s:hilfetelefon:start"
    assert "Hilfetelefon Gewalt gegen Frauen" in plain(card.text)


def test_nothing_found_keeps_the_topic_and_town_of_the_place(mini_engine: Engine) -> None:
    text = plain(mini_engine.text(de(), "Steuererklärung", place="n:gewalt:herten").screen.text)
    assert "02366 99999" in text  # the women's topic of Herten, not the general line only
    assert "116 016" in text
    stale = plain(mini_engine.text(de(), "Steuererklärung", place="n:weg:herten").screen.text)
    assert "116 016" in stale
    assert "02366 99999" not in stale


def test_a_greeting_is_not_recorded_as_a_need(mini_engine: Engine) -> None:
    assert mini_engine.text(de(), "hi").need is None


def test_a_failed_search_that_may_signal_danger_is_not_recorded(engine: Engine) -> None:
    # Unsure danger ("killing me" without anyone who does it) that also finds nothing: she
    # gets the numbers on top and the failed search, and her words are not kept as a need.
    reply = engine.text(engine.ctx("en"), "this waiting is killing me")
    shown = plain(reply.screen.text)
    assert "116 016" in shown.split("\n\n")[0]
    assert "Sorry, I found nothing for that." in shown
    assert reply.need is None
    # (Not "this waiting is boring me": the crisis model reads "waiting" as a hint of danger,
    # "he is waiting outside", and gives that the line too.)
    calm = engine.text(engine.ctx("en"), "this paperwork is boring me")
    assert "Sorry, I found nothing for that." in plain(calm.screen.text)
    assert calm.need == Need(
        NeedKind.NO_RESULT, None, None, None, query="this paperwork is boring me"
    )


def test_unsure_danger_gets_the_normal_answer_with_the_numbers_on_top(
    mini_engine: Engine,
) -> None:
    sure = mini_engine.text(de(), "er schlägt mich")
    unsure = mini_engine.text(de(), "er schlägt")
    calm = mini_engine.text(de(), "gewalt")
    assert plain(sure.screen.text).startswith("Lotse\n🆘 Hilfe sofort, Tag und Nacht\n")
    first, _, rest = plain(unsure.screen.text).partition("\n\n")
    # The first line, all a notification shows, is neutral, as on the emergency screen.
    assert (
        first
        == "Lotse\n🆘 Hilfe sofort, Tag und Nacht: ☎️ 116 016 Hilfetelefon Gewalt gegen Frauen"
    )
    assert rest.startswith("Ich habe 1 Treffer für Sie gefunden:")  # the search answer
    assert unsure.need is None  # a text that may signal danger is not logged
    assert "🆘" not in plain(calm.screen.text)


def test_danger_in_typed_text_comes_before_search(mini_engine: Engine) -> None:
    reply = mini_engine.text(de(), "Hilfe er schlägt mich", place="n:pflege")
    text = plain(reply.screen.text)
    assert text.startswith("Lotse\n🆘 Hilfe sofort, Tag und Nacht")
    assert "116 016" in text
    assert reply.need is None


# -- help in your language: the services that speak the reader's language come first ---------


def _service_names(engine: Engine, lang: str, node_id: str) -> list[str]:
    screen = engine.press(Ctx(lang, TODAY), pl.node(node_id)).screen
    names = {s.name for s in engine.knowledge.services.values()}
    # Right-to-left screens isolate Latin names with invisible marks: compare without them.
    bare = (label.translate(dict.fromkeys(range(0x2066, 0x206A))) for label in labels(screen))
    shown = (label.removeprefix("☎️ ") for label in bare)
    return [name for name in shown if name in names]


@pytest.mark.parametrize("lang", ["ru", "uk", "tr", "ar", "fa", "pl", "ku", "ro", "bg", "en"])
def test_services_that_speak_the_readers_language_come_first(engine: Engine, lang: str) -> None:
    node = engine.knowledge.nodes["sprachen"]
    assert node.by_language
    shown = _service_names(engine, lang, "sprachen")
    by_name = {s.name: s for s in engine.knowledge.services.values()}
    speaks = [lang in by_name[name].languages for name in shown]
    assert any(speaks), f"nothing on the language screen speaks {lang}"
    # every service that speaks the language is above every one that does not
    assert speaks == sorted(speaks, reverse=True), shown
    assert len(shown) == len(node.services)


def test_german_readers_see_the_language_screen_in_the_knowledge_order(engine: Engine) -> None:
    node = engine.knowledge.nodes["sprachen"]
    names = [engine.knowledge.services[s].name for s in node.services]
    assert _service_names(engine, "de", "sprachen") == names


def test_the_language_screen_says_when_nothing_speaks_the_readers_language(
    engine: Engine,
) -> None:
    node = engine.knowledge.nodes["sprachen"]
    only_german = dataclasses.replace(node, services=("telefonseelsorge",))
    nodes = {**engine.knowledge.nodes, "sprachen": only_german}
    knowledge = dataclasses.replace(engine.knowledge, nodes=nodes)
    lonely = Engine(knowledge, engine.catalogs, lambda: TODAY)
    text = plain(lonely.press(Ctx("en", TODAY), pl.node("sprachen")).screen.text)
    assert "None of these lists English yet" in text
    text = plain(engine.press(Ctx("en", TODAY), pl.node("sprachen")).screen.text)
    assert "These speak English: they are at the top." in text
