"""The quick exit for a woman at risk, end to end through the fake Bot API.

"Erase this chat" must work whatever happened in between: after a restart (a new Application
on the same database, as after a deploy or a crash), with two workers that share nothing but
the database, and for messages older than the bot's uptime. What is left afterwards must
reveal nothing: no message that names a women's topic or mentions deleting.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Awaitable, Iterable
from pathlib import Path

import pytest
from telegram import Bot

from bot.engine import payloads as pl
from bot.engine.flow import Engine
from bot.engine.screens import Contact, plain
from bot.knowledge.conventions import msgctxt
from bot.knowledge.model import ERROR, CrisisKind, Knowledge
from bot.knowledge.validate import validate
from bot.runtime import Core
from tests.conftest import MINI, TODAY
from tests.fakes import FakeBotApi, FakeMessage, FakeUser
from tests.fakes.harness import NOW, telegram

LANGS = ["de", "en", "tr", "ar", "ru", "uk", "pl", "fa", "ku", "ro", "bg"]


# -- what may be left ----------------------------------------------------------------------


def words_that_must_not_remain(engine: Engine, knowledge: Knowledge, lang: str) -> set[str]:
    """Texts that would tell someone what this chat was about, in ``lang`` (and German)."""
    words: set[str] = set()
    for code in {lang, "de"}:
        t = engine.catalogs.translator(code)
        for node in knowledge.nodes.values():
            if node.women or node.emergency:
                words.add(t.content(msgctxt("node", node.id, "title"), node.title))
        words.add(t("Erase this chat"))
        words.add(engine.erase_notice(engine.ctx(code), ok=True))
        words.add(engine.erase_notice(engine.ctx(code), ok=False))
    if lang in ("de", "en"):
        words |= {"Frau", "Gewalt", "lösch", "Lösch", "schwanger", "Schwanger", "Notfall"}
        words |= {"women", "Women", "violence", "delet", "Delet", "eras", "Eras", "pregnan"}
    return words


def assert_reveals_nothing(messages: Iterable[FakeMessage], forbidden: set[str]) -> None:
    for message in messages:
        shown = " ".join([message.text or "", *message.button_texts, str(message.payload)])
        found = sorted(w for w in forbidden if w and w in shown)
        assert found == [], f"message {message.message_id} reveals {found}: {shown[:200]!r}"


async def womans_conversation(user: FakeUser) -> None:
    """Violence, Gladbeck: the topic screens, a service card and its contact card, a cry."""
    await user.send("/start")
    await user.press("👩 Hilfe für Frauen")
    await user.press("🛡️ Gewalt oder Bedrohung")
    await user.press("Gladbeck")
    await user.press("Frauenberatungsstelle Gladbeck")
    await user.send("mein Mann schlägt mich")
    assert "116 016" in (user.last_bot_message.text or "")
    assert len(user.messages) >= 5


async def carers_conversation(user: FakeUser) -> None:
    await user.send("/start")
    await user.press("🧓 Pflege für Angehörige")
    await user.press("🧠 Vergesslich / Demenz")
    await user.send("Pflegegrad beantragen")


def erase_button(user: FakeUser) -> FakeMessage:
    return next(
        m
        for m in reversed(user.bot_messages)
        if any(label.startswith("🧹") for label in m.button_texts)
    )


# -- after a restart -----------------------------------------------------------------------


@pytest.mark.parametrize("how", ["command", "button"])
async def test_erase_after_a_restart_deletes_the_whole_conversation(
    tmp_path: Path, core: Core, how: str
) -> None:
    async with telegram(tmp_path, core) as tg:
        user = tg.server.user(4001, "F", language_code="de")
        async with tg.polling():
            await womans_conversation(user)
        before = list(user.messages)
        async with tg.polling():  # a new process: nothing of the first one survives
            if how == "command":
                await user.send("/erase")
            else:
                await user.press("🧹 Diesen Chat löschen", message=erase_button(user))
        left = user.messages
        assert not set(m.message_id for m in before) & {m.message_id for m in left}
        if how == "command":
            # Only the neutral screen: the bot's name and the plain line of its description.
            assert len(left) == 1
            assert left[0].text == (
                "Lotse\nHilfe und Beratung im Kreis Recklinghausen, in Ihrer Sprache."
            )
            assert left[0].button_texts == ["🏠 Hauptmenü"]
        else:
            assert left == []  # the confirmation is a pop-up, never a message
            answer = user.callback_answers[-1]
            assert answer.show_alert
            assert "48 Stunden" in (answer.text or "")
        engine = core.engine
        assert_reveals_nothing(left, words_that_must_not_remain(engine, core.knowledge, "de"))


async def test_the_neutral_screen_leads_back_to_the_menu(tmp_path: Path, core: Core) -> None:
    async with telegram(tmp_path, core) as tg, tg.polling():
        user = tg.server.user(4002, "F", language_code="de")
        await womans_conversation(user)
        await user.send("/erase")
        await user.press("🏠 Hauptmenü")
        assert "Wählen Sie ein Thema" in (user.last_bot_message.text or "")


@pytest.mark.parametrize("lang", ["de", "ar"])  # one left-to-right, one right-to-left
async def test_what_is_left_after_erase_is_neutral(tmp_path: Path, core: Core, lang: str) -> None:
    async with telegram(tmp_path, core) as tg:
        user = tg.server.user(4003, "F", language_code=lang)
        async with tg.polling():
            await user.send("/start")
            await user.press(user.last_bot_message.buttons[2][0][0])  # the women's topic
            await user.press(user.last_bot_message.buttons[0][0][0])  # violence
            await user.send("/erase")
        left = user.messages
        assert len(left) == 1
        assert left[0].text is not None
        assert left[0].text.splitlines()[0].strip("\u2068\u2069") == "Lotse"
        forbidden = words_that_must_not_remain(core.engine, core.knowledge, lang)
        assert_reveals_nothing(left, forbidden)


@pytest.mark.parametrize("lang", LANGS)
def test_the_screen_left_after_erase_is_neutral_in_every_language(core: Core, lang: str) -> None:
    """What the chat keeps after /erase (the Telegram journey above: de and ar)."""
    engine = core.engine
    ctx = engine.ctx(lang)
    reply = engine.erase(ctx)
    assert reply.erase
    screen = reply.screen
    assert first_line(screen.text) == "Lotse"
    shown = " ".join([plain(screen.text), *(b.label for row in screen.buttons for b in row)])
    forbidden = words_that_must_not_remain(engine, core.knowledge, lang)
    assert sorted(w for w in forbidden if w and w in shown) == []
    # The pop-up after 🧹 fits Telegram's 200 characters in this language.
    for ok in (True, False):
        assert len(engine.erase_notice(ctx, ok=ok)) <= 200


# -- messages the bot may no longer delete ---------------------------------------------------


async def test_erase_keeps_only_what_telegram_no_longer_lets_a_bot_delete(
    tmp_path: Path, core: Core
) -> None:
    async with telegram(tmp_path, core) as tg:
        user = tg.server.user(4004, "F", language_code="de")
        async with tg.polling():
            await carers_conversation(user)
        old = list(user.messages)
        tg.server.advance(hours=49)
        async with tg.polling():
            await womans_conversation(user)
        tg.server.advance(hours=47)  # the newest messages are 47 hours old: still deletable
        async with tg.polling():
            await user.press("🧹 Diesen Chat löschen", message=erase_button(user))
        assert user.messages == old
        assert all(tg.server.now - m.date >= 48 * 3600 for m in user.messages)
        assert user.callback_answers[-1].show_alert


# -- several workers -----------------------------------------------------------------------


@pytest.mark.parametrize("how", ["command", "button"])
async def test_two_workers_answering_alternate_updates_erase_everything(
    tmp_path: Path, core: Core, how: str
) -> None:
    async with telegram(tmp_path, core) as tg, tg.workers(2) as workers:
        user = tg.server.user(4005, "F", language_code="de")

        async def act(step: Awaitable[object]) -> None:
            await step
            await workers.deliver()

        await act(user.send("/start", wait=False))
        await act(user.press("👩 Hilfe für Frauen", wait=False))
        await act(user.press("🛡️ Gewalt oder Bedrohung", wait=False))
        await act(user.press("Gladbeck", wait=False))
        await act(user.press("Frauenberatungsstelle Gladbeck", wait=False))
        await act(user.send("mein Mann schlägt mich", wait=False))
        await act(user.send("hallo", wait=False))
        assert len(user.messages) >= 7
        if how == "command":
            await act(user.send("/erase", wait=False))
            assert [m.text for m in user.messages] == [
                "Lotse\nHilfe und Beratung im Kreis Recklinghausen, in Ihrer Sprache."
            ]
        else:
            target = erase_button(user)
            await act(user.press("🧹 Diesen Chat löschen", message=target, wait=False))
            assert user.messages == []
        assert set(workers.served_by) == {0, 1}


# -- Telegram refuses ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 500])
async def test_a_refused_erase_never_says_done(tmp_path: Path, core: Core, status: int) -> None:
    async with telegram(tmp_path, core) as tg, tg.polling():
        user = tg.server.user(4006, "F", language_code="de")
        await womans_conversation(user)
        tg.server.inject_fault(
            "deleteMessages", status=status, description="Bad Request: CHAT_ADMIN_REQUIRED"
        )
        await user.send("/erase")
        text = user.last_bot_message.text or ""
        assert "nicht alles löschen" in text
        assert "lange drücken" in text
        assert "Erledigt" not in text
        assert "Gelöscht" not in text
        tg.server.inject_fault("deleteMessages", status=status, times=100)
        await user.press("🧹 Diesen Chat löschen", message=erase_button(user))
        answer = user.callback_answers[-1]
        assert answer.show_alert
        assert "nicht alles löschen" in (answer.text or "")
        tg.server.clear_faults()


# -- the range, without Telegram ---------------------------------------------------------------


def test_the_range_reaches_back_past_the_database_and_ahead_of_it() -> None:
    from bot.tg.erase import BATCH, LOOK_AHEAD, LOOK_BACK, MAX_IDS, id_batches

    def ids(current: int, span: tuple[int, int] | None) -> list[int]:
        return [i for batch in id_batches(current, span) for i in batch]

    assert all(1 <= len(b) <= BATCH for b in id_batches(5000, (1, 5000)))
    found = ids(40, None)  # nothing noted (say, the first erase after a deploy)
    assert found == list(range(40 + LOOK_AHEAD, 0, -1))  # newest first, down to id 1
    found = ids(900, (850, 990))
    assert max(found) == 990 + LOOK_AHEAD
    assert min(found) == 990 + LOOK_AHEAD - LOOK_BACK
    found = ids(9000, (10, 9000))  # a long chat: from its first noted message
    assert len(found) == MAX_IDS
    found = ids(700, (100, 600))  # the press on a message the database never saw
    assert max(found) == 700 + LOOK_AHEAD
    assert min(found) == 100


# -- no trace names the topic ------------------------------------------------------------------

# Word stems that name a women's topic, violence, a threat, a shelter, a pregnancy or deleting,
# per language (matched without case), and those that name an emergency.
TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "de": ("frau", "gewalt", "bedroh", "drohung", "schutz", "schwanger", "lösch"),
    "en": ("women", "woman", "violen", "threat", "shelter", "pregnan", "delet", "erase"),
    "tr": ("kadın", "şiddet", "tehdit", "sığınma", "hamile", "gebe", "silin", "sohbeti sil"),
    "ar": ("نساء", "المرأة", "عنف", "تهديد", "حماية", "الحمل", "حامل", "مسح", "حذف"),
    "ru": ("женщин", "насили", "угроз", "приют", "беремен", "удал"),
    "uk": ("жінок", "жінк", "насильств", "погроз", "притул", "вагітн", "видал"),
    "pl": ("kobiet", "przemoc", "groźb", "ciąż", "usuń", "usun"),
    "fa": ("زنان", "خشونت", "تهدید", "خانهٔ امن", "بارداری", "پاک کردن", "حذف"),
    "ku": ("jinan", "şîdet", "ducanî", "jê bib"),
    "ro": ("femei", "violenț", "amenințar", "însărcinat", "șterge"),
    "bg": ("жени", "насилие", "заплах", "приют", "бремен", "изтри"),
}
EMERGENCY_WORDS: dict[str, tuple[str, ...]] = {
    "de": ("notfall", "notruf", "seelsorge", "polizei"),
    "en": ("emergency", "police"),
    "tr": ("acil", "polis"),
    "ar": ("طوارئ", "شرطة"),
    "ru": ("экстрен", "полици"),
    "uk": ("екстрен", "поліці"),
    "pl": ("nagły", "policj"),
    "fa": ("اضطراری", "پلیس"),
    "ku": ("acîl", "polîs"),
    "ro": ("urgenț", "poliți"),
    "bg": ("спешен", "полиция"),
}


def topic_words_in(text: str, lang: str, *, emergency: bool = False) -> list[str]:
    """The topic words of ``lang`` (and German, for the services' proper names) in ``text``."""
    folded = text.casefold()
    words = {*TOPIC_WORDS[lang], *TOPIC_WORDS["de"]}
    if emergency:
        words |= {*EMERGENCY_WORDS[lang], *EMERGENCY_WORDS["de"]}
    return sorted(w for w in words if w.casefold() in folded)


def sensitive_places(knowledge: Knowledge) -> list[str]:
    """Every screen of a women's or emergency topic: nodes, town pickers, service cards."""
    places = []
    towns = [None, *knowledge.towns]
    for node in knowledge.nodes.values():
        if not knowledge.sensitive(node):
            continue
        for town in towns if node.by_town else [None]:
            places.append(pl.node(node.id, town))
            places.extend(
                pl.service(s.id, node.id, town) for s in knowledge.services_for(node, town)
            )
        if node.by_town:
            places.append(pl.encode(pl.TOWNS, node.id))
    return places


def first_line(screen_text: str) -> str:
    return plain(screen_text).splitlines()[0].strip("\u2068\u2069")


@pytest.mark.parametrize("lang", LANGS)
def test_every_screen_on_a_sensitive_topic_opens_with_a_neutral_line(
    core: Core, lang: str
) -> None:
    """The first line, what a notification or the chat list shows, names no topic."""
    engine, knowledge = core.engine, core.knowledge
    ctx = engine.ctx(lang)
    places = sensitive_places(knowledge)
    assert len(places) > 300
    checked = 0
    erase = "🧹 " + engine.catalogs.translator(lang)("Erase this chat")
    for place in places:
        screen = engine.press(ctx, place).screen
        offered = {b.payload for row in screen.buttons for b in row}
        rated = [
            p for p in (pl.wrap(pl.NOT_HELPED, place), pl.wrap(pl.HELPED, place)) if p in offered
        ]
        rated += [p for p in offered if p and p.startswith(pl.NONE_FITS + pl.SEP)]
        for payload in (place, *rated):  # the screen, note prompt, thanks, "none fits"
            reply = engine.press(ctx, payload)
            assert first_line(reply.screen.text) == "Lotse", (payload, reply.screen.text[:80])
            labels = [b.label.strip("\u2068\u2069") for row in reply.screen.buttons for b in row]
            assert erase in labels, payload
            checked += 1
    for kind in (None, *CrisisKind):
        for town in (None, *knowledge.towns):
            screen = engine.emergency(ctx, kind, town=town).screen
            assert first_line(screen.text) == "Lotse"
            checked += 1
    print(f"{lang}: {checked} screens on sensitive topics open with 'Lotse'")


@pytest.mark.parametrize("lang", LANGS)
def test_contact_cards_and_map_pins_on_sensitive_topics_carry_no_topic_word(
    core: Core, lang: str
) -> None:
    engine, knowledge = core.engine, core.knowledge
    ctx = engine.ctx(lang)
    names: dict[str, str] = {}
    for place in sensitive_places(knowledge):
        for item in engine.press(ctx, place).screen.attachments:
            shown = item.name if isinstance(item, Contact) else f"{item.title} {item.address}"
            assert topic_words_in(shown, lang, emergency=True) == [], (place, shown)
            if isinstance(item, Contact):
                names[item.phone] = item.name
    assert len(names) >= 10
    assert set(names.values()) == {"Lotse"}
    # The same services reached from a neutral topic are neutral too (a card is a card).
    card = engine.press(ctx, pl.service("bereitschaft_116117", "arzt_notdienst")).screen
    assert [a.name for a in card.attachments if isinstance(a, Contact)] == ["Lotse"]


@pytest.mark.parametrize("lang", LANGS)
def test_the_bots_description_names_no_topic(core: Core, lang: str) -> None:
    description, short = core.engine.descriptions(lang)
    assert topic_words_in(description, lang) == []
    assert topic_words_in(short, lang) == []


def test_the_topic_words_would_catch_a_careless_name(core: Core) -> None:
    """The word table is not empty talk: the old names and labels are caught."""
    assert topic_words_in("Frauenhaus Recklinghausen", "de") == ["frau"]
    for lang in LANGS:
        t = core.engine.catalogs.translator(lang)
        for node_id in ("gewalt", "frauenhaus", "schwanger"):
            node = core.knowledge.nodes[node_id]
            assert topic_words_in(
                t.content(msgctxt("node", node_id, "title"), node.title), lang
            ), (lang, node_id)
        assert topic_words_in(t("Erase this chat"), lang), lang


async def test_a_contact_card_in_the_chat_shows_only_lotse(tmp_path: Path, core: Core) -> None:
    async with telegram(tmp_path, core) as tg, tg.polling():
        user = tg.server.user(4010, "F", language_code="de")
        await user.send("/start")
        await user.press("👩 Hilfe für Frauen")
        await user.press("🔒 Frauenhaus (Schutz)")
        await user.press("Frauen- und Kinderschutzhaus Dorsten")
        card = user.last_bot_message
        assert card.kind == "contact"
        assert card.contact == {"phone_number": "02362 41055", "first_name": "Lotse"}


async def test_erase_is_offered_on_search_results_and_the_note_prompt(
    tmp_path: Path, core: Core
) -> None:
    async with telegram(tmp_path, core) as tg, tg.polling():
        user = tg.server.user(4011, "F", language_code="de")
        await user.send("Frauenhaus")
        assert "🧹 Diesen Chat löschen" in user.last_bot_message.button_texts
        await user.send("Pflegegrad beantragen")
        assert "🧹 Diesen Chat löschen" not in user.last_bot_message.button_texts
        await user.send("/start")
        await user.press("👩 Hilfe für Frauen")
        await user.press("🤰 Schwanger – Beratung")
        await user.press("Marl")
        await user.press("👎 Nein")
        prompt = user.last_bot_message
        assert "Was hat gefehlt?" in (prompt.text or "")
        assert (prompt.text or "").splitlines()[0] == "Lotse"
        assert "🧹 Diesen Chat löschen" in prompt.button_texts
        await user.press("🧹 Diesen Chat löschen")
        assert user.messages == []


async def test_the_safety_screen_is_one_tap_from_the_womens_topic(
    tmp_path: Path, core: Core
) -> None:
    async with telegram(tmp_path, core) as tg, tg.polling():
        user = tg.server.user(4012, "F", language_code="de")
        await user.send("/start")
        await user.press("👩 Hilfe für Frauen")
        await user.press("🔐 Lotse sicher nutzen")
        text = user.last_bot_message.text or ""
        for fact in ("48 Stunden", "Cloud", "Vorschau", "Anrufliste", "Einzelverbindungsnachweis"):
            assert fact in text
    node = core.knowledge.nodes["sicher_nutzen"]
    assert len(node.sources) >= 5  # every fact on it has the page it comes from


# -- the emergency screen fits the situation -------------------------------------------------

POLICE, AMBULANCE, WOMEN, VICTIMS = "110", "112", "116 016", "116 006"
CRISIS_LINE, DOCTORS, CHILDREN, ABUSE = "0800 1110111", "116 117", "116 111", "0800 2255530"
COUNSELLING_RE, SHELTER_RE = "02361 15457", "02361 656996"
COUNSELLING_GLA, SHELTER_DORSTEN = "02043 66699", "02362 41055"
RUSSIAN_LINE = "030 440308454"


def numbers_on(screen_text: str) -> list[str]:
    """The phone numbers of the screen's lines, in order ("☎️ 110 · Polizei-Notruf 110")."""
    shown = plain(screen_text).replace("\u2068", "").replace("\u2069", "")
    return re.findall(r"^☎️ (.+?) · ", shown, flags=re.MULTILINE)


@pytest.mark.parametrize(
    ("kind", "town", "lang", "expected"),
    [
        ("violence", "gladbeck", "de", [POLICE, WOMEN, COUNSELLING_GLA, SHELTER_DORSTEN]),
        ("violence", "gladbeck", "ru", [POLICE, WOMEN, COUNSELLING_GLA, SHELTER_DORSTEN]),
        ("violence", "recklinghausen", "ar", [POLICE, WOMEN, COUNSELLING_RE, SHELTER_RE]),
        ("violence", "marl", "tr", [POLICE, WOMEN, SHELTER_DORSTEN]),
        ("violence", "dorsten", "de", [POLICE, WOMEN, SHELTER_DORSTEN]),
        ("violence", None, "de", [POLICE, WOMEN]),
        ("threat", "gladbeck", "de", [POLICE, WOMEN, VICTIMS, COUNSELLING_GLA, SHELTER_DORSTEN]),
        ("threat", None, "fa", [POLICE, WOMEN, VICTIMS]),
        ("suicide", None, "de", [CRISIS_LINE, AMBULANCE]),
        ("suicide", "herten", "tr", [CRISIS_LINE, AMBULANCE]),
        ("suicide", None, "ru", [CRISIS_LINE, AMBULANCE, RUSSIAN_LINE]),
        ("suicide", "waltrop", "uk", [CRISIS_LINE, AMBULANCE, RUSSIAN_LINE]),
        ("medical", "marl", "de", [AMBULANCE, DOCTORS]),
        ("medical", None, "bg", [AMBULANCE, DOCTORS]),
        ("child", None, "de", [POLICE, CHILDREN, ABUSE]),
        ("child", "datteln", "pl", [POLICE, CHILDREN, ABUSE]),
        (None, None, "de", [POLICE, AMBULANCE, WOMEN, CRISIS_LINE, DOCTORS]),
    ],
)
def test_emergency_screen_per_kind_and_town(
    core: Core, kind: str | None, town: str | None, lang: str, expected: list[str]
) -> None:
    ctx = core.engine.ctx(lang)
    screen = core.engine.emergency(ctx, CrisisKind(kind) if kind else None, town=town).screen
    assert numbers_on(screen.text) == expected
    assert core.knowledge.emergency.lines(kind, town, lang) == [
        next(s.id for s in core.knowledge.services.values() if s.phone == number)
        for number in expected
    ]


GROUP_LINES = {"maennerhilfetelefon", "mutes"}  # for men; for Muslims


@pytest.mark.parametrize("kind", [None, *CrisisKind])
def test_every_emergency_screen_is_short_and_for_this_person(core: Core, kind: str | None) -> None:
    """Every kind x town x language: at most five lines, each with a phone, none for a
    group the person may not belong to, the town's own help where there is some."""
    knowledge = core.knowledge
    for town in (None, *knowledge.towns):
        for lang in LANGS:
            ids = knowledge.emergency.lines(kind, town, lang)
            assert 1 <= len(ids) <= 5, (kind, town, lang)
            assert not set(ids) & GROUP_LINES, (kind, town, lang)
            if "telefon_doweria" in ids:
                assert (kind, lang) in {("suicide", "ru"), ("suicide", "uk")}
            for sid in ids:
                service = knowledge.services[sid]
                assert service.phone, sid
                assert service.serves(town), (sid, town)
            if kind in ("violence", "threat") and town:
                assert any(knowledge.services[s].area != "national" for s in ids), town


async def test_a_threatened_woman_in_gladbeck_gets_her_towns_help_in_the_chat(
    tmp_path: Path, core: Core
) -> None:
    async with telegram(tmp_path, core) as tg, tg.polling():
        user = tg.server.user(4020, "F", language_code="de")
        await user.send("/start")
        await user.press("👩 Hilfe für Frauen")
        await user.press("🛡️ Gewalt oder Bedrohung")
        await user.press("Gladbeck")
        await user.send("mein Mann schlägt mich")
        screen = user.last_bot_message
        assert (screen.text or "").splitlines()[0] == "Lotse"
        assert numbers_on(screen.text or "")[:4] == [
            POLICE,
            WOMEN,
            COUNSELLING_GLA,
            SHELTER_DORSTEN,
        ]
        assert "Telefon Doweria" not in (screen.text or "")
        assert "Männern" not in (screen.text or "")
        labels = screen.button_texts
        assert "📋 Alle Notrufnummern" in labels
        assert "🔐 Lotse sicher nutzen" in labels
        assert "🧹 Diesen Chat löschen" in labels
        await user.press("📋 Alle Notrufnummern")
        full = user.last_bot_message.button_texts  # the full list holds every line
        assert any("116 111" in label for label in full)


def extra_service(ident: str, phone: str | None) -> str:
    line = f'    phone: "{phone}"\n' if phone else ""
    return (
        f"  - id: {ident}\n    name: Extra {ident}\n    offers: Hilfe.\n{line}"
        "    area: national\n    status: partial\n    verified: 2026-11-01\n"
        "    sources: [https://example.org/]\n"
    )


def emergency_problems(tmp_path: Path, appended: str, services: str = "") -> list[str]:
    """Copy the test knowledge, append to emergency.yaml (and services), return the errors."""
    folder = tmp_path / "knowledge"
    shutil.copytree(MINI, folder)
    for name, extra in (("emergency.yaml", appended), ("services.yaml", services)):
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    found = [p for p in validate(folder, TODAY) if p.severity == ERROR]
    return [f"{p.id}: {p.message}" for p in found]


@pytest.mark.parametrize(
    ("appended", "services", "expected"),
    [
        pytest.param(
            "towns:\n  violence:\n    atlantis: [hilfetelefon]\n", "",
            ["emergency: towns: violence: unknown town 'atlantis'"],
            id="unknown-town",
        ),
        pytest.param(
            "towns:\n  violence:\n    herten: [haus_marl]\n", "",
            ["emergency: towns: violence: herten: 'haus_marl' does not serve herten"],
            id="line-not-in-that-town",
        ),
        pytest.param(
            "towns:\n  violence:\n    herten: [ohne]\n", extra_service("ohne", None),
            ["emergency: towns: violence: herten: 'ohne' has no phone: it cannot be a line"],
            id="line-without-phone",
        ),
        pytest.param(
            "languages:\n  suicide:\n    xx: [hilfetelefon]\n", "",
            ["emergency: languages: suicide: unknown language 'xx'"],
            id="unknown-language",
        ),
        pytest.param(
            "towns:\n  violance:\n    herten: [hilfetelefon]\n", "",
            [
                "emergency: towns: unknown kind 'violance' "
                "(one of violence, threat, suicide, medical, child)"
            ],
            id="unknown-kind",
        ),
        pytest.param(
            "towns:\n  violence:\n    herten: [e1, e2, e3, e4, e5]\n",
            "".join(extra_service(f"e{i}", f"116 00{i}") for i in range(1, 6)),
            ["emergency: violence in herten: 6 lines, at most 5 fit on the screen"],
            id="more-than-five",
        ),
        pytest.param(
            "safety: nirgends\n", "",
            ["emergency: safety: unknown node 'nirgends'"],
            id="unknown-safety-node",
        ),
    ],
)  # fmt: skip
def test_each_emergency_screen_rule_reports_exactly_its_problem(
    tmp_path: Path, appended: str, services: str, expected: list[str]
) -> None:
    assert emergency_problems(tmp_path, appended, services) == expected


# -- the fake deletes like Telegram ------------------------------------------------------------


async def test_the_fake_deletes_a_range_like_telegram() -> None:
    """deleteMessages: 1-100 ids; ids that are gone, unknown or older than 48 hours are
    skipped and the call still succeeds; in a private chat the user's messages go too, in a
    group only the bot's own (unless it is an admin). Ids count up one by one per chat."""
    async with (
        FakeBotApi(now=NOW) as server,
        Bot(server.token, base_url=server.base_url, base_file_url=server.base_file_url) as bot,
    ):
        anna = server.user(5001, "Anna", language_code="de")
        old = await anna.send("alt", wait=False)
        await bot.send_message(anna.id, "alte Antwort")
        server.advance(hours=48, seconds=1)
        new = await anna.send("neu", wait=False)
        await bot.send_message(anna.id, "neue Antwort")
        ids = [m.message_id for m in anna.chat.history]
        assert ids == [1, 2, 3, 4]  # both sides share one count
        assert await bot.delete_messages(anna.id, list(range(100, 0, -1)))
        assert [m.text for m in anna.messages] == ["alt", "alte Antwort"]
        assert new not in anna.messages
        assert old in anna.messages

        group = server.user(5002, "G", chat_type="group")
        await group.send("hallo zusammen", wait=False)
        await bot.send_message(group.chat.id, "Bot")
        await bot.delete_messages(group.chat.id, [1, 2])
        assert [m.text for m in group.messages] == ["hallo zusammen"]
        server.take_rejections()


def test_without_a_town_the_violence_screen_offers_help_in_her_town(core: Core) -> None:
    engine = core.engine
    screen = engine.emergency(engine.ctx("de"), CrisisKind.VIOLENCE).screen
    buttons = {b.label: b.payload for row in screen.buttons for b in row}
    assert buttons["📍 Hilfe in meiner Stadt"] == "t:gewalt"
    towns = engine.press(engine.ctx("de"), "t:gewalt").screen
    assert "Gladbeck" in [b.label for row in towns.buttons for b in row]
    # With the town known, or for a kind without local help, there is no such button.
    for kind, town in ((CrisisKind.VIOLENCE, "marl"), (CrisisKind.MEDICAL, None)):
        screen = engine.emergency(engine.ctx("de"), kind, town=town).screen
        assert "📍 Hilfe in meiner Stadt" not in [b.label for row in screen.buttons for b in row]
