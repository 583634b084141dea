"""Tests of the fake Telegram Bot API (tests/fakes) with the real python-telegram-bot over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.fakes import FakeBotApi, FakeUser

NOW = 1_767_225_600  # 2026-01-01 00:00 UTC
Json = dict[str, Any]


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    """A running fake whose clock starts at NOW."""
    async with FakeBotApi(now=NOW) as fake:
        yield fake


@pytest.fixture
async def http(server: FakeBotApi) -> AsyncIterator[aiohttp.ClientSession]:
    """A raw HTTP client for the fake."""
    async with aiohttp.ClientSession(f"http://127.0.0.1:{server.port}") as session:
        yield session


@pytest.fixture
async def bot(server: FakeBotApi) -> AsyncIterator[Bot]:
    """A real PTB ``Bot`` talking to the fake."""
    async with Bot(
        server.token, base_url=server.base_url, base_file_url=server.base_file_url
    ) as real_bot:
        yield real_bot


@pytest.fixture
def anna(server: FakeBotApi) -> FakeUser:
    """A German-speaking user in a private chat."""
    return server.user(1001, "Anna", language_code="de")


async def call(
    http: aiohttp.ClientSession, server: FakeBotApi, method: str, **params: Any
) -> tuple[int, Json]:
    """POST a JSON request; return (HTTP status, decoded answer)."""
    async with http.post(f"/bot{server.token}/{method}", json=params) as response:
        body: Json = await response.json()
        return response.status, body


def only_rejection(server: FakeBotApi) -> str:
    """Return the description of the single rejection recorded, and forget it."""
    rejections = server.take_rejections()
    assert len(rejections) == 1, rejections
    return rejections[0].description


# ---------------------------------------------------------------- end to end with an Application


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with a small menu."""
    assert update.effective_message is not None
    assert update.effective_user is not None
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Deutsch", callback_data="lang:de")],
            [InlineKeyboardButton("Website", url="https://example.org")],
        ]
    )
    await update.effective_message.reply_text(
        f"Hallo <b>{update.effective_user.first_name}</b> &amp; willkommen!",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the button and replace the menu."""
    query = update.callback_query
    assert query is not None
    await query.answer("Gespeichert")
    back = InlineKeyboardMarkup([[InlineKeyboardButton("Zurück", callback_data="back")]])
    await query.edit_message_text(f"Sprache: {query.data}", reply_markup=back)


@pytest.fixture
async def app(server: FakeBotApi) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """A tiny menu bot running with long polling against the fake."""

    async def publish(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await application.bot.set_my_commands([("start", "Menü")], language_code="de")

    application = server.application_builder().post_init(publish).build()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(choose))
    async with server.running(application) as running:
        yield running


@pytest.mark.usefixtures("app")
async def test_user_starts_and_presses_a_button(server: FakeBotApi, anna: FakeUser) -> None:
    await anna.send("/start")

    menu = anna.last_bot_message
    assert menu.text == "Hallo Anna & willkommen!"
    assert menu.entities == [{"type": "bold", "offset": 6, "length": 4}]
    assert menu.buttons == [[("Deutsch", "lang:de")], [("Website", "https://example.org")]]

    query = await anna.press("Deutsch")

    assert query.answered
    assert [a.text for a in anna.callback_answers] == ["Gespeichert"]
    edited = anna.last_bot_message
    assert edited.message_id == menu.message_id
    assert edited.text == "Sprache: lang:de"
    assert edited.buttons == [[("Zurück", "back")]]
    assert edited.edit_date == NOW
    assert [m.text for m in anna.messages] == ["/start", "Sprache: lang:de"]
    assert server.rejected == []
    assert server.unanswered_callback_queries() == []
    assert server.calls("deleteWebhook")  # PTB's polling bootstrap
    assert server.get_commands(language_code="de") == [{"command": "start", "description": "Menü"}]


@pytest.mark.usefixtures("app")
async def test_press_reports_available_buttons(anna: FakeUser) -> None:
    await anna.send("/start")
    with pytest.raises(AssertionError, match=r"available buttons: \['Deutsch', 'Website'\]"):
        await anna.press("English")
    with pytest.raises(AssertionError, match="not a callback button"):
        await anna.press("Website")


@pytest.mark.usefixtures("app")
async def test_group_user_and_forged_callback(server: FakeBotApi) -> None:
    member = server.user(2002, "Bora", chat_type="group", language_code="tr")
    assert member.chat.id < 0
    assert member.chat.type == "group"
    await member.send("/start")
    menu = member.last_bot_message
    await member.press_data(menu.message_id, "forged")
    assert member.last_bot_message.text == "Sprache: forged"


async def test_wait_idle_explains_when_nobody_polls(server: FakeBotApi, anna: FakeUser) -> None:
    await anna.send("hallo", wait=False)
    with pytest.raises(AssertionError, match="never called getUpdates"):
        await server.wait_idle(max_wait=0.2)


# ---------------------------------------------------------------- protocol and validation


async def test_unknown_method_and_wrong_token(
    server: FakeBotApi, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, server, "sendMessageNow", chat_id=1, text="x")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    async with http.post("/bot1:wrong/getMe") as response:
        assert response.status == 401
        assert (await response.json())["description"] == "Unauthorized"
    assert [r.status for r in server.take_rejections()] == [404, 401]


async def test_method_names_are_case_insensitive(
    server: FakeBotApi, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, server, "getme")
    assert status == 200
    assert body["result"]["username"] == "lotse_test_bot"


async def test_unknown_missing_and_mistyped_parameters(
    server: FakeBotApi, http: aiohttp.ClientSession, anna: FakeUser
) -> None:
    status, _ = await call(http, server, "sendMessage", chat_id=anna.id, text="x", colour="red")
    assert status == 400
    assert (
        only_rejection(server) == 'Bad Request: unknown parameter "colour" for method sendMessage'
    )

    await call(http, server, "sendMessage", chat_id=anna.id)
    assert only_rejection(server) == 'Bad Request: required parameter "text" is missing'

    await call(http, server, "sendMessage", chat_id=anna.id, text=5)
    assert "text: expected String" in only_rejection(server)

    await call(http, server, "sendMessage", chat_id=True, text="x")
    assert "chat_id must be Integer or String" in only_rejection(server)

    bad_button = {"inline_keyboard": [[{"text": "A", "callback_data": "a", "colour": "red"}]]}
    await call(http, server, "sendMessage", chat_id=anna.id, text="x", reply_markup=bad_button)
    assert 'unknown field "colour" in InlineKeyboardButton' in only_rejection(server)

    await call(http, server, "setMyCommands", commands=[{"command": "start"}])
    assert 'field "description" of BotCommand is required' in only_rejection(server)

    await call(
        http,
        server,
        "setMyCommands",
        commands=[{"command": "start", "description": "Start"}],
        scope={"type": "chat"},
    )
    assert 'field "chat_id" of BotCommandScopeChat is required' in only_rejection(server)


async def test_form_encoded_parameters_are_decoded(
    server: FakeBotApi, http: aiohttp.ClientSession, anna: FakeUser
) -> None:
    form = {
        "chat_id": str(anna.id),
        "text": "Menü",
        "disable_notification": "true",
        "reply_markup": '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}',
    }
    async with http.post(f"/bot{server.token}/sendMessage", data=form) as response:
        assert response.status == 200
    assert anna.last_bot_message.buttons == [[("A", "a")]]
    assert server.calls("sendMessage")[-1]["disable_notification"] is True

    async with http.post(f"/bot{server.token}/sendMessage", data={**form, "chat_id": "x1"}):
        pass
    assert only_rejection(server) == "Bad Request: chat not found"


async def test_inline_button_rules(
    server: FakeBotApi, bot: Bot, http: aiohttp.ClientSession, anna: FakeUser
) -> None:
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="x" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(anna.id, "Menü", reply_markup=too_long)
    just_right = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="ä" * 32)]])
    await bot.send_message(anna.id, "Menü", reply_markup=just_right)
    assert "BUTTON_DATA_INVALID" in only_rejection(server)

    for button, reason in [
        ({"text": "", "callback_data": "a"}, "BUTTON_TEXT_EMPTY"),
        ({"text": "A"}, "has no action field"),
        ({"text": "A", "callback_data": "a", "url": "https://x.org"}, "exactly one"),
        ({"text": "A", "callback_data": ""}, "BUTTON_DATA_INVALID"),
    ]:
        markup = {"inline_keyboard": [[button]]}
        status, _ = await call(
            http, server, "sendMessage", chat_id=anna.id, text="M", reply_markup=markup
        )
        assert status == 400
        assert reason in only_rejection(server)


async def test_text_limits_count_utf16_after_parsing(
    server: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    await bot.send_message(anna.id, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(anna.id, "😀" * 2048)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(anna.id, "😀" * 2048 + "a")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(anna.id, "a" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(anna.id, "  <b> </b> ", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(anna.id, b"png", caption="c" * 1025)
    assert len(server.take_rejections()) == 4
    assert len(anna.bot_messages) == 2


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("Tom&nbsp;Jerry", "unsupported HTML entity"),
        ("Tom & Jerry", 'bare "&"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag"),
        ("<span>x</span>", 'must have class "tg-spoiler"'),
        ("<a>x</a>", '"href"'),
    ],
)
async def test_bad_html_is_refused(
    server: FakeBotApi, bot: Bot, anna: FakeUser, html: str, reason: str
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(anna.id, html, parse_mode=ParseMode.HTML)
    assert reason in only_rejection(server)


async def test_good_html_is_parsed(bot: Bot, anna: FakeUser) -> None:
    html = (
        'a > b &lt;&gt;&amp;&quot;&#33;&#x21; <a href="https://x.org?a=1&amp;b=2">link</a> '
        '<span class="tg-spoiler">s</span> <blockquote expandable>q</blockquote> '
        '<pre><code class="language-python">print()</code></pre>'
    )
    sent = await bot.send_message(anna.id, html, parse_mode=ParseMode.HTML)
    assert sent.text == 'a > b <>&"!! link s q print()'
    types = [(e.type, e.offset, e.length) for e in sent.entities]
    assert types == [
        ("text_link", 13, 4),
        ("spoiler", 18, 1),
        ("expandable_blockquote", 20, 1),
        ("pre", 22, 7),
    ]
    assert sent.entities[0].url == "https://x.org?a=1&b=2"
    assert sent.entities[3].language == "python"
    assert anna.last_bot_message.html == html


async def test_edit_errors(server: FakeBotApi, bot: Bot, anna: FakeUser) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    sent = await bot.send_message(anna.id, "<b>Menü</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified: specified new message"):
        await bot.edit_message_text(
            "<b>Menü</b>", anna.id, sent.message_id, parse_mode="HTML", reply_markup=markup
        )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(anna.id, sent.message_id, reply_markup=markup)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", anna.id, 999)
    assert len(server.take_rejections()) == 3

    edited = await bot.edit_message_text("Menü", anna.id, sent.message_id, reply_markup=markup)
    # Like Telegram, an edit answers with the edited message: same id, new text, edit date.
    assert isinstance(edited, Message)
    assert (edited.message_id, edited.text, edited.entities) == (sent.message_id, "Menü", ())
    assert edited.edit_date is not None
    assert anna.last_bot_message.entities == []
    await bot.edit_message_text("Menü", anna.id, sent.message_id)  # drops the keyboard
    assert anna.last_bot_message.buttons == []

    user_message = await anna.send("hallo", wait=False)
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("x", anna.id, user_message.message_id)
    server.take_rejections()


async def test_delete_messages(server: FakeBotApi, bot: Bot, anna: FakeUser) -> None:
    ids = [(await bot.send_message(anna.id, f"m{i}")).message_id for i in range(3)]
    with pytest.raises(BadRequest, match=r"(?i)message_ids must contain 1-100"):
        await bot.delete_messages(anna.id, list(range(1, 102)))
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(anna.id, 999)
    assert len(server.take_rejections()) == 2

    await bot.delete_messages(anna.id, [ids[0], 12345])
    assert [m.text for m in anna.messages] == ["m1", "m2"]

    server.advance(hours=47, minutes=59)
    assert await bot.delete_message(anna.id, ids[1])
    server.advance(minutes=1)
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted"):
        await bot.delete_message(anna.id, ids[2])
    assert only_rejection(server) == "Bad Request: message can't be deleted"
    assert [m.text for m in anna.messages] == ["m2"]


async def test_other_send_methods(server: FakeBotApi, bot: Bot, anna: FakeUser) -> None:
    await bot.send_contact(anna.id, phone_number="+49 2361 530", first_name="KI")
    await bot.send_venue(anna.id, 51.61, 7.19, "Kreishaus", "Kurt-Schumacher-Allee 1")
    await bot.send_location(anna.id, 51.61, 7.19)
    photo = await bot.send_photo(
        anna.id, b"\x89PNG fake", caption="<i>Plan</i>", parse_mode="HTML"
    )
    await bot.send_document(anna.id, b"%PDF", filename="flyer.pdf")
    await bot.send_chat_action(anna.id, "typing")

    kinds = [m.kind for m in anna.messages]
    assert kinds == ["contact", "venue", "location", "photo", "document"]
    assert anna.messages[0].contact == {"phone_number": "+49 2361 530", "first_name": "KI"}
    venue = anna.messages[1].venue
    assert venue is not None
    assert venue["title"] == "Kreishaus"
    assert anna.messages[3].caption == "Plan"
    assert anna.chat.actions == ["typing"]

    file = await bot.get_file(photo.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == b"\x89PNG fake"

    with pytest.raises(BadRequest, match=r"(?i)wrong latitude"):
        await bot.send_location(anna.id, 91, 0)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(4242, "x")
    anna.block()
    with pytest.raises(Forbidden, match=r"(?i)blocked"):
        await bot.send_message(anna.id, "x")
    assert len(server.take_rejections()) == 3


async def test_contact_and_venue_require_their_fields(
    server: FakeBotApi, http: aiohttp.ClientSession, anna: FakeUser
) -> None:
    await call(http, server, "sendContact", chat_id=anna.id, first_name="KI")
    assert only_rejection(server) == 'Bad Request: required parameter "phone_number" is missing'
    await call(http, server, "sendVenue", chat_id=anna.id, latitude=1, longitude=2, title="T")
    assert only_rejection(server) == 'Bad Request: required parameter "address" is missing'


async def test_callback_answers(server: FakeBotApi, bot: Bot, anna: FakeUser) -> None:
    sent = await bot.send_message(anna.id, "x")
    query = await anna.press_data(sent.message_id, "a", wait=False)
    with pytest.raises(BadRequest, match=r"(?i)MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query.id, "x" * 201)
    await bot.answer_callback_query(query.id, "x" * 200, show_alert=True)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)
    assert len(server.take_rejections()) == 2
    assert anna.callback_answers == [query]
    assert query.show_alert


async def test_commands_and_descriptions(server: FakeBotApi, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Start"), ("hilfe", "Hilfe")], language_code="de")
    await bot.set_my_commands([("start", "Start")])
    assert [c.command for c in await bot.get_my_commands(language_code="de")] == [
        "start",
        "hilfe",
    ]
    assert server.get_commands() == [{"command": "start", "description": "Start"}]
    await bot.delete_my_commands(language_code="de")
    assert await bot.get_my_commands(language_code="de") == ()

    for commands, reason in [
        ([("Start", "x")], "BOT_COMMAND_INVALID"),
        ([("a" * 33, "x")], "BOT_COMMAND_INVALID"),
        ([("start", "x" * 257)], "BOT_COMMAND_DESCRIPTION_INVALID"),
        ([(f"c{i}", "x") for i in range(101)], "too many commands"),
    ]:
        with pytest.raises(BadRequest, match=rf"(?i){reason}"):
            await bot.set_my_commands(commands)
        assert reason in only_rejection(server)

    await bot.set_my_description("D" * 512, language_code="de")
    await bot.set_my_short_description("S" * 120)
    assert (await bot.get_my_description("de")).description == "D" * 512
    assert (await bot.get_my_short_description()).short_description == "S" * 120
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.set_my_description("D" * 513)
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.set_my_short_description("S" * 121)
    assert len(server.take_rejections()) == 2
    await bot.set_chat_menu_button()
    assert server.descriptions == {"de": "D" * 512}


async def test_get_updates_long_polling(server: FakeBotApi, http: aiohttp.ClientSession) -> None:
    first = server.inject_update("message", {"message_id": 1})
    second = server.inject_update("message", {"message_id": 2})

    _, body = await call(http, server, "getUpdates", limit=1)
    assert [u["update_id"] for u in body["result"]] == [first]
    _, body = await call(http, server, "getUpdates", offset=first + 1, timeout=0)
    assert [u["update_id"] for u in body["result"]] == [second]
    _, body = await call(http, server, "getUpdates", offset=second + 1, timeout=0)
    assert body["result"] == []
    assert server.pending_updates == []

    async def inject_later() -> int:
        await asyncio.sleep(0.1)
        return server.inject_update("callback_query", {"id": "1"})

    later = asyncio.create_task(inject_later())
    _, body = await call(http, server, "getUpdates", offset=second + 1, timeout=5)
    assert [u["update_id"] for u in body["result"]] == [await later]


async def test_webhook_and_polling_conflict(
    server: FakeBotApi, bot: Bot, http: aiohttp.ClientSession
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)HTTPS URL must be provided"):
        await bot.set_webhook("http://example.org/hook")
    await bot.set_webhook("https://example.org/hook", secret_token="s3cret")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    status, _ = await call(http, server, "getUpdates")
    assert status == 409
    assert len(server.take_rejections()) == 2
    await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).url == ""
    assert [event for event, _ in server.webhook_log] == ["set", "delete"]


async def test_unimplemented_methods(server: FakeBotApi, bot: Bot, anna: FakeUser) -> None:
    assert await bot.pin_chat_message(anna.id, 1)  # generic "true"
    with pytest.raises(BadRequest, match=r"(?i)not supported by the fake"):
        await bot.copy_message(anna.id, anna.id, 1)
    assert "not supported" in only_rejection(server)


async def test_strict_mode_reports_rejections(server: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest):
        await bot.send_message(1, "x")
    with pytest.raises(AssertionError, match=r"rejected 1 request\(s\):\n  - sendMessage"):
        await server.wait_idle()
    server.check()  # already reported
    assert len(server.take_rejections()) == 1


# ---------------------------------------------------------------- fault injection


async def test_rate_limit_fault_then_success(
    server: FakeBotApi,
    bot: Bot,
    http: aiohttp.ClientSession,
    anna: FakeUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Without PTB_TIMEDELTA, PTB 22.8 warns (an error under filterwarnings=error) in RetryAfter.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    server.inject_fault("sendMessage", retry_after=3, times=2)
    status, body = await call(http, server, "sendMessage", chat_id=anna.id, text="x")
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(anna.id, "x")
    assert caught.value.retry_after == dt.timedelta(seconds=3)
    await bot.send_message(anna.id, "x")
    assert [m.text for m in anna.messages] == ["x"]
    assert server.rejected == []
    assert len(server.faults_applied) == 2


async def test_server_error_reset_and_delay_faults(
    server: FakeBotApi, bot: Bot, anna: FakeUser
) -> None:
    server.inject_fault("sendMessage", status=502)
    with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
        await bot.send_message(anna.id, "x")
    server.inject_fault("sendMessage", reset=True)
    with pytest.raises(NetworkError):
        await bot.send_message(anna.id, "x")
    server.inject_fault("sendMessage", delay=1.0)
    with pytest.raises(TimedOut):
        await bot.send_message(anna.id, "x", read_timeout=0.1)
    server.inject_fault("getMe", result={"id": 1, "is_bot": True, "first_name": "Other"})
    assert (await bot.get_me()).first_name == "Other"
    await bot.send_message(anna.id, "ok")
    assert [m.text for m in anna.messages] == ["ok"]
    assert server.rejected == []
