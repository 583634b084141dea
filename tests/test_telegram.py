"""End to end: the real Application over real HTTP against the fake Bot API server.

The fake rejects whatever Telegram would reject (checked against the Bot API 10.0 spec), so
every journey here also proves that no request of ours would bounce off Telegram.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import TypeHandler

from bot.config import Settings
from bot.runtime import Core, build_core
from bot.tg.app import App, build_application
from tests.conftest import REAL_KNOWLEDGE, REAL_LOCALES
from tests.fakes import FakeBotApi, FakeUser

NOW = 1_795_000_000  # 2026-11-18, a fixed clock for the fake


@dataclass
class Running:
    """A running bot and the fake Telegram it talks to."""

    server: FakeBotApi
    settings: Settings
    app: App


@pytest.fixture(scope="module")
def core() -> Core:
    return build_core(Settings(knowledge_dir=REAL_KNOWLEDGE, locales_dir=REAL_LOCALES))


def watch_handled(server: FakeBotApi, app: App) -> None:
    """Make the fake wait until the bot has finished with each update, not just fetched it.

    A probe in a later handler group runs after Lotse's handler is done with the update, so
    "idle" no longer depends on timing: slow machines only make the tests slower.
    """
    handled: set[int] = set()

    async def probe(update: Update, context: object) -> None:
        del context
        handled.add(update.update_id)

    app.add_handler(TypeHandler(Update, probe), group=1)
    server.idle_checks.append(lambda: all(u in handled for u in server.injected_update_ids))


@asynccontextmanager
async def running(
    tmp_path: Path, core: Core, idle_quiet: float = 0.08, **overrides: Any
) -> AsyncIterator[Running]:
    async with FakeBotApi(now=NOW, idle_quiet=idle_quiet) as server:
        # The fake has no sending caps: the rate limiter is off, as for the benchmarks,
        # unless a test is about it.
        settings = Settings(
            token=server.token,
            api_base_url=server.base_url,
            db_path=tmp_path / "lotse.sqlite3",
            salt="test-salt",
            rate_limit=False,
        )
        settings = replace(settings, **overrides)
        app = build_application(settings, core)
        watch_handled(server, app)
        async with server.running(app, allowed_updates=Update.ALL_TYPES):
            yield Running(server, settings, app)
        assert server.rejected == []
        assert server.unanswered_callback_queries() == []


@pytest.fixture
async def bot(tmp_path: Path, core: Core) -> AsyncIterator[Running]:
    async with running(tmp_path, core) as r:
        yield r


def last(user: FakeUser) -> str:
    """The text of the bot's latest message to this user."""
    return user.last_bot_message.text or ""


def service_buttons(user: FakeUser) -> list[str]:
    return [
        text
        for row in user.last_bot_message.buttons
        for text, data in row
        if data and data.startswith("s:")
    ]


async def test_relatives_journey_reaches_the_care_counselling_card(bot: Running) -> None:
    ayse = bot.server.user(2001, "Ayşe", language_code="de")
    await ayse.send("/start")
    assert "Willkommen bei Lotse!" in last(ayse)
    menu_id = ayse.last_bot_message.message_id
    await ayse.press("🧓 Pflege für Angehörige")
    await ayse.press("🧠 Vergesslich / Demenz")
    await ayse.press("Herten")
    # Navigation edits the one message in place.
    assert ayse.last_bot_message.message_id == menu_id
    assert "Ihre Stadt: Herten" in last(ayse)
    assert service_buttons(ayse)[0] == "Beratungs- und Infocenter Pflege (BIP) Herten"
    await ayse.press("Beratungs- und Infocenter Pflege (BIP) Herten")
    card = next(m for m in ayse.bot_messages if m.message_id == menu_id)
    assert "Telefon: 02366 303-270" in (card.text or "")
    assert "Kurt-Schumacher-Straße 2, 45699 Herten" in (card.text or "")
    contact = ayse.last_bot_message
    assert contact.kind == "contact"
    assert contact.contact is not None
    assert contact.contact["phone_number"] == "02366 303-270"
    await ayse.press("⬅️ Zurück", message=card)
    assert "Ihre Stadt: Herten" in (card.text or "") or "Ihre Stadt: Herten" in _by_id(
        ayse, menu_id
    )


def _by_id(user: FakeUser, message_id: int) -> str:
    return next(m.text or "" for m in user.messages if m.message_id == message_id)


async def test_womans_journey_puts_emergency_numbers_first(bot: Running) -> None:
    user = bot.server.user(2002, "L", language_code="de")
    await user.send("/start")
    await user.press("👩 Hilfe für Frauen")
    await user.press("🛡️ Gewalt oder Bedrohung")
    text = last(user)
    assert "110" in text
    assert "116 016" in text
    # Before the town is chosen the nation-wide lines are already there, first.
    assert service_buttons(user)[:3] == [
        "☎️ Polizei-Notruf 110",
        "☎️ Notruf 112 (Rettungsdienst und Feuerwehr)",
        "☎️ Hilfetelefon „Gewalt gegen Frauen“ 116 016",
    ]
    await user.press("Recklinghausen")
    shelters = [s for s in service_buttons(user) if s.startswith("Frauenhaus")]
    assert shelters
    await user.press(shelters[0])
    menu = user.bot_messages[-2]
    assert "Adresse:" not in (menu.text or "")
    assert "geheim" in (menu.text or "")
    assert user.last_bot_message.kind == "contact"


async def test_language_follows_telegram_and_can_be_switched_keeping_the_place(
    bot: Running,
) -> None:
    user = bot.server.user(2003, "S", language_code="en-GB")
    await user.send("/start")
    assert "Welcome to Lotse!" in last(user)
    await user.press("🌐 Language")
    await user.press("Deutsch")
    assert user.last_bot_message.buttons[-1][0][0] == "🌐 Sprache"
    # The choice is remembered: /start now answers in German although Telegram says English.
    await user.send("/start")
    assert "Willkommen bei Lotse!" in last(user)


async def test_language_command_keeps_working_after_a_restart(tmp_path: Path, core: Core) -> None:
    async with running(tmp_path, core) as r:
        user = r.server.user(2004, "K", language_code="de")
        await user.send("/language")
        await user.press("English")
    async with running(tmp_path, core) as r:
        user = r.server.user(2004, "K", language_code="de")
        await user.send("/menu")
        assert user.last_bot_message.buttons[-1][0][0] == "🌐 Language"


async def test_deep_link_opens_a_topic(bot: Running) -> None:
    user = bot.server.user(2005, "D", language_code="de")
    await user.send("/start pflegegrad")
    assert "Pflegegrad" in last(user).splitlines()[0]


async def test_commands_are_published_per_language(bot: Running) -> None:
    commands = bot.server.get_commands(language_code="")
    assert [c["command"] for c in commands] == [
        "start",
        "menu",
        "language",
        "help",
        "privacy",
        "erase",
        "forget",
    ]
    assert bot.server.get_commands(language_code="de")[1]["description"] == "Hauptmenü"
    assert bot.server.get_commands(language_code="en")[1]["description"] == "Main menu"
    assert bot.server.descriptions.get("de")


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("sticker", "Bilder, Sticker und Sprachnachrichten"),
        ("photo", "Bilder, Sticker und Sprachnachrichten"),
        ("voice", "Bilder, Sticker und Sprachnachrichten"),
        ("long", "Ihre Nachricht ist sehr lang"),
        ("unknown", "Diesen Befehl kenne ich nicht"),
        ("forged", "Dieses Menü hat sich inzwischen geändert"),
        ("stale", "Dieses Menü hat sich inzwischen geändert"),
    ],
)
async def test_odd_input_gets_a_kind_reply_and_the_bot_runs_on(
    bot: Running, action: str, expected: str
) -> None:
    user = bot.server.user(2006, "O", language_code="de")
    await user.send("/start")
    menu = user.last_bot_message
    if action == "sticker":
        await user.send_sticker()
    elif action == "photo":
        await user.send_photo()
    elif action == "voice":
        await user.send_voice()
    elif action == "long":
        await user.send("Hilfe " * 2000)
    elif action == "unknown":
        await user.send("/doesnotexist")
    elif action == "forged":
        await user.press_data(menu.message_id, "n:../../etc/passwd")
    else:
        await user.press_data(menu.message_id, "s:removed_service:pflege:herten")
    assert expected in last(user)
    await user.send("/start")
    assert "Willkommen bei Lotse!" in last(user)


async def test_group_chat_gets_only_a_note_and_a_private_link(bot: Running) -> None:
    group = bot.server.user(2007, "G", language_code="de", chat_type="group")
    await group.send("/start")
    note = group.last_bot_message
    assert "privaten Chat" in (note.text or "")
    assert note.buttons == [[("Privaten Chat öffnen", "https://t.me/lotse_test_bot")]]
    before = len(group.bot_messages)
    await group.send("hallo zusammen")
    await group.send_sticker()
    assert len(group.bot_messages) == before  # not spoken to: silent


async def test_no_personal_data_or_token_in_logs(
    bot: Running, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    user = bot.server.user(987654321, "Fatima", language_code="de", username="fatima_r")
    await user.send("/start")
    await user.send("mein Mann bedroht mich, Telefon 0171 2345678")
    await user.send_sticker()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("987654321", "Fatima", "fatima_r", "0171 2345678", bot.server.token):
        assert secret not in logged


TOWNS = sorted(
    [
        *("castrop", "datteln", "dorsten", "gladbeck", "haltern", "herten", "marl"),
        *("erkenschwick", "recklinghausen", "waltrop"),
    ]
)
RATINGS = ("+:", "-:", "?:")


async def crawl(r: Running, lang: str, towns: set[str] | None) -> tuple[int, list[str]]:
    """Press every button reachable from /start in ``lang``; return screens and problems.

    ``towns`` limits the crawl to screens of these towns (None: all, and every rating
    button), so that every language can be crawled in seconds: then each kind of rating
    screen is pressed once, since they differ only by the place they return to. Language
    buttons and "erase this chat" are left out: they have tests of their own, and here they
    would switch the language or delete the crawled message.
    """
    catalogs = r.app.bot_data["lotse"].engine.catalogs
    t = catalogs.translator(lang)
    # Texts that must never show in this language: the fallback notes, the English source
    # of interface texts (unless the translation happens to be the same word).
    leaks = {
        t("Some parts are only available in German so far. Sorry!"),
        t("Some parts of this translation may be out of date; the German text changed."),
    }
    if lang not in ("de", "en"):
        english = {key for (_ctx, key), e in catalogs.languages[lang].ui.items()}
        leaks |= {k for k in english if t(k) != k and len(k) > 3}
    user = r.server.user(2100 + LANGS.index(lang), "Crawler", language_code=lang)
    await user.send("/start")
    menu = user.last_bot_message
    seen: set[str] = set()
    problems: list[str] = []

    rated: set[str] = set()

    def wanted(data: str | None) -> bool:
        text = str(data)
        if not data or "://" in text or text.startswith("L:") or text == "x":
            return False
        if towns is None:
            return True
        if text[:2] in RATINGS:
            if text[:2] in rated:
                return False
            rated.add(text[:2])
        parts = set(text.split(":"))
        return not (parts & set(TOWNS)) or bool(parts & towns)

    todo = [str(d) for row in menu.buttons for _, d in row if wanted(d)]
    while todo:
        data = todo.pop()
        if data in seen:
            continue
        seen.add(data)
        await user.press_data(menu.message_id, data)
        current = next(m for m in user.messages if m.message_id == menu.message_id)
        shown = current.text or ""
        if (
            not shown
            or t("This menu has changed in the meantime. Here is the main menu.") in shown
        ):
            problems.append(f"{data}: {shown[:60]!r}")
        labels = [label for row in current.buttons for label, _ in row]
        for leak in leaks:
            if leak in shown or any(label.endswith(" " + leak) for label in labels):
                problems.append(f"{data}: shows {leak!r}")
        todo.extend(
            str(d) for row in current.buttons for _, d in row if wanted(d) and d not in seen
        )
    return len(seen), problems


LANGS = ["de", "en", "tr", "ar", "ru", "uk", "pl", "fa", "ku", "ro", "bg"]


async def test_every_button_reachable_from_start_answers(tmp_path: Path, core: Core) -> None:
    """Press every distinct button reachable from /start (German, all towns)."""
    async with running(tmp_path, core, idle_quiet=0.0) as r:
        screens, problems = await crawl(r, "de", None)
    print(f"all-buttons crawl, de, all towns: {screens} screens")
    assert problems == []
    assert screens > 1000


@pytest.mark.parametrize("lang", LANGS[1:])
async def test_every_button_answers_in_every_language(
    tmp_path: Path, core: Core, lang: str
) -> None:
    """The same crawl in each language, for one town each (all ten towns across languages)."""
    town = TOWNS[LANGS.index(lang) % len(TOWNS)]
    async with running(tmp_path, core, idle_quiet=0.0) as r:
        screens, problems = await crawl(r, lang, {town})
    print(f"all-buttons crawl, {lang}, {town}: {screens} screens")
    assert problems == []
    assert screens > 150


def rows(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    """Read the bot's real database file."""
    with sqlite3.connect(settings.db_path) as db:
        found = db.execute(sql).fetchall()
    db.close()
    return found


async def test_rating_and_comment_are_stored_anonymously(bot: Running) -> None:
    user = bot.server.user(3001, "Ayşe", language_code="de", username="ayse_h")
    await user.send("/start")
    await user.press("🧓 Pflege für Angehörige")
    await user.press("📋 Was ist ein Pflegegrad?")
    await user.press("Herten")
    await user.press("👎 Nein")
    assert "Was hat gefehlt?" in last(user)
    await user.send("Ich brauche das auf Türkisch, ruf mich an: 0171 2345678, ayse@example.org")
    assert "Danke! Ihre Notiz wurde ohne Ihren Namen gespeichert." in last(user)
    ratings = rows(
        bot.settings, "SELECT node_id, service_id, topic, helpful, lang, town FROM ratings"
    )
    assert ratings == [("pflegegrad", None, "pflege", 0, "de", "herten")]
    comments = rows(bot.settings, "SELECT node_id, text FROM comments")
    assert len(comments) == 1
    node, text = comments[0]
    assert node == "pflegegrad"
    assert "0171" not in str(text)
    assert "ayse@example.org" not in str(text)
    assert "Türkisch" in str(text)
    files = [bot.settings.db_path, Path(f"{bot.settings.db_path}-wal")]
    raw = b"".join(f.read_bytes() for f in files)
    for secret in (b"3001", "Ayşe".encode(), b"ayse_h", b"2345678"):
        assert secret not in raw


async def test_none_fits_and_no_result_become_unmet_needs(bot: Running) -> None:
    user = bot.server.user(3002, "N", language_code="de")
    await user.send("/start")
    await user.press("🌍 Migration und Integration")
    await user.press("🤷 Nichts davon passt")
    assert "Danke, dass Sie uns das sagen." in last(user)
    assert rows(bot.settings, "SELECT kind, node_id, topic FROM needs") == [
        ("none_fits", "migration", "migration")
    ]


async def test_forget_deletes_the_language_choice(bot: Running) -> None:
    user = bot.server.user(3005, "F", language_code="de")
    await user.send("/language")
    await user.press("English")
    assert len(rows(bot.settings, "SELECT * FROM preferences")) == 1
    await user.send("/forget")
    assert "Ihre Sprachwahl ist gelöscht" in last(user)
    assert rows(bot.settings, "SELECT * FROM preferences") == []
    await user.send("/forget")
    assert "Über Sie ist nichts gespeichert." in last(user)


async def test_crisis_text_answers_with_the_emergency_screen_first(bot: Running) -> None:
    user = bot.server.user(3006, "A", language_code="ar")
    await user.send("/start")
    await user.press(user.last_bot_message.buttons[2][0][0])  # women's topics
    await user.send("zawji yadrebni")
    text = last(user)
    assert text.index("110") < text.index("116 016")
    labels = [t for row in user.last_bot_message.buttons for t, _ in row]
    assert any("↩️" in label for label in labels)  # continue where she was


async def test_typing_a_question_in_turkish_finds_care_help(bot: Running) -> None:
    ayse = bot.server.user(3010, "Ayşe", language_code="tr")
    await ayse.send("babam icin bakim")
    labels = [text for row in ayse.last_bot_message.buttons for text, _ in row]
    assert any("🧓" in label for label in labels), labels
    await ayse.send("qwrtzpl xyvbn")
    needs = rows(bot.settings, "SELECT kind, query, lang FROM needs")
    assert needs == [("no_result", "qwrtzpl xyvbn", "tr")]
