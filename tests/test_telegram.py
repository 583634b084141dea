"""End to end: the real Application over real HTTP against the fake Bot API server.

The fake rejects whatever Telegram would reject (checked against the Bot API 10.0 spec), so
every journey here also proves that no request of ours would bounce off Telegram.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from telegram import Update

from bot.config import Settings
from bot.runtime import Core, build_core
from bot.tg.app import build_application
from tests.conftest import REAL_KNOWLEDGE, REAL_LOCALES
from tests.fakes import FakeBotApi, FakeUser

NOW = 1_795_000_000  # 2026-11-18, a fixed clock for the fake


@dataclass
class Running:
    """A running bot and the fake Telegram it talks to."""

    server: FakeBotApi
    settings: Settings


@pytest.fixture(scope="module")
def core() -> Core:
    return build_core(Settings(knowledge_dir=REAL_KNOWLEDGE, locales_dir=REAL_LOCALES))


@asynccontextmanager
async def running(tmp_path: Path, core: Core, idle_quiet: float = 0.08) -> AsyncIterator[Running]:
    async with FakeBotApi(now=NOW, idle_quiet=idle_quiet) as server:
        settings = Settings(
            token=server.token,
            api_base_url=server.base_url,
            db_path=tmp_path / "lotse.sqlite3",
            salt="test-salt",
        )
        app = build_application(settings, core)
        async with server.running(app, allowed_updates=Update.ALL_TYPES):
            yield Running(server, settings)
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


async def test_every_button_reachable_from_start_answers(tmp_path: Path, core: Core) -> None:
    """Press every distinct button reachable from /start (German) and check each answer."""
    async with running(tmp_path, core, idle_quiet=0.01) as r:
        user = r.server.user(2100, "Crawler", language_code="de")
        await user.send("/start")
        menu = user.last_bot_message
        seen: set[str] = set()

        # Language buttons are left out: they are pressed in the language tests, and here
        # they would switch the crawler's language half-way.
        def wanted(data: str | None) -> bool:
            return bool(data) and "://" not in str(data) and not str(data).startswith("L:")

        def payload(data: str | None) -> str:
            assert data is not None
            return data

        todo = [payload(data) for row in menu.buttons for _, data in row if wanted(data)]
        while todo:
            data = todo.pop()
            if data in seen:
                continue
            seen.add(data)
            await user.press_data(menu.message_id, data)
            current = next(m for m in user.messages if m.message_id == menu.message_id)
            assert current.text or "", data
            assert "Dieses Menü hat sich inzwischen geändert" not in (current.text or ""), data
            for row in current.buttons:
                for _, target in row:
                    if wanted(target) and target not in seen:
                        todo.append(payload(target))
        print(f"all-buttons crawl: {len(seen)} screens")
        assert len(seen) > 300
