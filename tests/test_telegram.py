"""End to end: the real Application over real HTTP against the fake Bot API server.

The fake rejects whatever Telegram would reject (checked against the Bot API 10.0 spec), so
every journey here also proves that no request of ours would bounce off Telegram.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.runtime import Core
from tests.fakes import FakeUser
from tests.fakes.harness import Telegram, last, lotse


def service_buttons(user: FakeUser) -> list[str]:
    return [
        text
        for row in user.last_bot_message.buttons
        for text, data in row
        if data and data.startswith("s:")
    ]


async def test_relatives_journey_reaches_the_care_counselling_card(bot: Telegram) -> None:
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


async def test_womans_journey_puts_emergency_numbers_first(bot: Telegram) -> None:
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
    bot: Telegram,
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
    async with lotse(tmp_path, core) as r:
        user = r.server.user(2004, "K", language_code="de")
        await user.send("/language")
        await user.press("English")
    async with lotse(tmp_path, core) as r:
        user = r.server.user(2004, "K", language_code="de")
        await user.send("/menu")
        assert user.last_bot_message.buttons[-1][0][0] == "🌐 Language"


async def test_deep_link_opens_a_topic(bot: Telegram) -> None:
    user = bot.server.user(2005, "D", language_code="de")
    await user.send("/start pflegegrad")
    assert "Pflegegrad" in last(user).splitlines()[0]


async def test_commands_are_published_per_language(bot: Telegram) -> None:
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
    bot: Telegram, action: str, expected: str
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


async def test_group_chat_gets_only_a_note_and_a_private_link(bot: Telegram) -> None:
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
    bot: Telegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    user = bot.server.user(987654321, "Fatima", language_code="de", username="fatima_r")
    await user.send("/start")
    await user.send("mein Mann bedroht mich, Telefon 0171 2345678")
    await user.send_sticker()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("987654321", "Fatima", "fatima_r", "0171 2345678", bot.server.token):
        assert secret not in logged


RATINGS = ("+:", "-:", "?:")


async def test_every_button_reachable_from_start_answers(tmp_path: Path, core: Core) -> None:
    """Press every distinct button reachable from /start in German, for one town, through
    Telegram: each screen, contact card and pin as the fake Bot API checks it.

    Every language and every town are crawled through the pure engine (test_crawl.py); here
    each kind of rating button is pressed once, since they differ only by the place they
    return to. Language buttons and "erase this chat" have tests of their own.
    """
    town = "herten"
    towns = set(core.knowledge.towns)
    async with lotse(tmp_path, core, idle_quiet=0.0) as r:
        t = core.engine.catalogs.translator("de")
        stale = t("This menu has changed in the meantime. Here is the main menu.")
        user = r.user(2100, "Crawler")
        await user.send("/start")
        menu = user.last_bot_message
        seen: set[str] = set()
        rated: set[str] = set()
        problems: list[str] = []

        def wanted(data: str | None) -> bool:
            text = str(data)
            if not data or "://" in text or text.startswith("L:") or text == "x":
                return False
            if text[:2] in RATINGS:
                if text[:2] in rated:
                    return False
                rated.add(text[:2])
            parts = set(text.split(":"))
            return not (parts & towns) or town in parts

        todo = [str(d) for row in menu.buttons for _, d in row if wanted(d)]
        while todo:
            data = todo.pop()
            if data in seen:
                continue
            seen.add(data)
            await user.press_data(menu.message_id, data)
            current = next(m for m in user.messages if m.message_id == menu.message_id)
            shown = current.text or ""
            if not shown or stale in shown:
                problems.append(f"{data}: {shown[:60]!r}")
            todo.extend(
                str(d) for row in current.buttons for _, d in row if wanted(d) and d not in seen
            )
    print(f"all-buttons crawl through Telegram, de, {town}: {len(seen)} screens")
    assert problems == []
    assert len(seen) > 150
    assert rated == set(RATINGS)


async def test_rating_and_comment_are_stored_anonymously(bot: Telegram) -> None:
    user = bot.server.user(3001, "Ayşe", language_code="de", username="ayse_h")
    await user.send("/start")
    await user.press("🧓 Pflege für Angehörige")
    await user.press("📋 Was ist ein Pflegegrad?")
    await user.press("Herten")
    await user.press("👎 Nein")
    assert "Was hat gefehlt?" in last(user)
    await user.send("Ich brauche das auf Türkisch, ruf mich an: 0171 2345678, ayse@example.org")
    assert "Danke! Ihre Notiz wurde ohne Ihren Namen gespeichert." in last(user)
    ratings = bot.rows("SELECT node_id, service_id, topic, helpful, lang, town FROM ratings")
    assert ratings == [("pflegegrad", None, "pflege", 0, "de", "herten")]
    comments = bot.rows("SELECT node_id, text FROM comments")
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


async def test_none_fits_and_no_result_become_unmet_needs(bot: Telegram) -> None:
    user = bot.server.user(3002, "N", language_code="de")
    await user.send("/start")
    await user.press("🌍 Migration und Integration")
    await user.press("🤷 Nichts davon passt")
    assert "Danke, dass Sie uns das sagen." in last(user)
    assert bot.rows("SELECT kind, node_id, topic FROM needs") == [
        ("none_fits", "migration", "migration")
    ]


async def test_forget_deletes_the_language_choice(bot: Telegram) -> None:
    user = bot.server.user(3005, "F", language_code="de")
    await user.send("/language")
    await user.press("English")
    assert len(bot.rows("SELECT * FROM preferences")) == 1
    await user.send("/forget")
    assert "Ihre Sprachwahl ist gelöscht" in last(user)
    assert bot.rows("SELECT * FROM preferences") == []
    await user.send("/forget")
    assert "Über Sie ist nichts gespeichert." in last(user)


async def test_crisis_text_answers_with_the_emergency_screen_first(bot: Telegram) -> None:
    user = bot.server.user(3006, "A", language_code="ar")
    await user.send("/start")
    await user.press(user.last_bot_message.buttons[2][0][0])  # women's topics
    await user.send("zawji yadrebni")
    text = last(user)
    assert text.index("110") < text.index("116 016")
    labels = [t for row in user.last_bot_message.buttons for t, _ in row]
    assert any("↩️" in label for label in labels)  # continue where she was


async def test_typing_a_question_in_turkish_finds_care_help(bot: Telegram) -> None:
    ayse = bot.server.user(3010, "Ayşe", language_code="tr")
    await ayse.send("babam icin bakim")
    labels = [text for row in ayse.last_bot_message.buttons for text, _ in row]
    assert any("🧓" in label for label in labels), labels
    # A question the crisis model reads as harmless (below 'quiet'; from there on an unmet
    # need is not stored: tests/test_crisis_private.py).
    await ayse.send("Dortmund'da Japonca sözlük satan kitapçı var mı")
    needs = bot.rows("SELECT kind, query, lang FROM needs")
    assert needs == [("no_result", "Dortmund'da Japonca sözlük satan kitapçı var mı", "tr")]
