"""Lotse's HTTP client (bot/tg/transport.py) against the fake Bot API, real HTTP on 127.0.0.1.

Errors reach python-telegram-bot as its own client raises them (a timeout is ``TimedOut``, a
refused or dropped connection ``NetworkError``, 5xx ``NetworkError``, 429 ``RetryAfter``),
uploads arrive whole, connections are reused and closed at shutdown, a connection that failed
half-way is never reused, TLS certificates are checked, and nothing logged or raised carries
the token that is in every URL's path.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import shutil
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.tg.api import LotseBot, make_bot
from bot.tg.http1 import split_url
from bot.tg.transport import H11Request
from tests.fakes import FakeBotApi

CHAT = 7001


@asynccontextmanager
async def client(
    server: FakeBotApi, request: H11Request | None = None
) -> AsyncIterator[tuple[LotseBot, H11Request]]:
    """A bot on ``request`` (default: as Lotse makes it) talking to ``server``."""
    bot = make_bot(server.token, server.base_url, server.base_file_url, None)
    if request is not None:
        bot = LotseBot(
            server.token,
            base_url=server.base_url,
            base_file_url=server.base_file_url,
            request=request,
            get_updates_request=H11Request(1),
        )
    async with bot:
        yield bot, bot.request  # type: ignore[misc]


def free_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_calls_go_as_json_on_one_kept_alive_connection() -> None:
    async with FakeBotApi() as server, client(server) as (bot, request):
        server.user(CHAT)
        for text in ("Привет", "مرحبا", "Grüß Gott"):
            sent = await bot.call("sendMessage", chat_id=CHAT, text=text)
            assert sent["text"] == text
        assert [c["text"] for c in server.calls("sendMessage")] == ["Привет", "مرحبا", "Grüß Gott"]
        # getMe (initialize) and three calls, one after the other: one connection for all.
        assert request.opened == 1
        assert request.idle_connections == 1


async def test_concurrent_calls_open_no_more_connections_than_the_pool_allows() -> None:
    async with FakeBotApi() as server, client(server, H11Request(3)) as (bot, request):
        server.user(CHAT)
        server.inject_fault("sendMessage", delay=0.1, times=12)
        await asyncio.gather(*(bot.call("sendMessage", chat_id=CHAT, text="x") for _ in range(12)))
        assert len(server.calls("sendMessage")) == 12
        assert request.opened == 3


async def test_shutdown_closes_every_connection() -> None:
    async with FakeBotApi() as server:
        async with client(server, H11Request(4)) as (bot, request):
            server.user(CHAT)
            server.inject_fault("sendMessage", delay=0.05, times=3)
            await asyncio.gather(*(bot.send_message(CHAT, "x") for _ in range(3)))
            kept = [conn for conns in request._idle.values() for conn in conns]
            assert len(kept) == 3
        assert request.idle_connections == 0
        assert all(conn.writer.is_closing() for conn in kept)
        with pytest.raises(NetworkError):  # python-telegram-bot wraps the RuntimeError
            await request.post(f"{server.base_url}{server.token}/getMe")


async def test_a_read_timeout_is_timed_out_and_its_late_reply_never_answers_another_call() -> None:
    async with (
        FakeBotApi(strict=False) as server,
        client(server, H11Request(1, read_timeout=0.3)) as (bot, request),
    ):
        server.user(CHAT)
        server.inject_fault("sendMessage", delay=0.8)
        with pytest.raises(TimedOut):
            await bot.call("sendMessage", chat_id=CHAT, text="first")
        await asyncio.sleep(0.8)  # the late reply to "first" is on its way now
        sent = await bot.call("sendMessage", chat_id=CHAT, text="second")
        assert sent["text"] == "second"
        assert request.opened == 2  # getMe's, closed when "first" gave up on it; a new one


async def test_every_busy_connection_is_a_pool_timeout_and_nothing_is_sent() -> None:
    async with (
        FakeBotApi() as server,
        client(server, H11Request(1, pool_timeout=0.1)) as (bot, _),
    ):
        server.user(CHAT)
        server.inject_fault("sendMessage", delay=0.5)
        slow = asyncio.create_task(bot.call("sendMessage", chat_id=CHAT, text="slow"))
        await asyncio.sleep(0.1)
        with pytest.raises(TimedOut, match="Pool timeout"):
            await bot.call("sendMessage", chat_id=CHAT, text="waits")
        await slow
        assert [c["text"] for c in server.calls("sendMessage")] == ["slow"]


async def test_a_refused_connection_is_a_network_error_without_the_token() -> None:
    token = "123456:" + "A" * 35
    request = H11Request(1, connect_timeout=2.0)
    async with request:
        with pytest.raises(NetworkError) as caught:
            await request.post(f"http://127.0.0.1:{free_port()}/bot{token}/getMe")
    assert not isinstance(caught.value, TimedOut)
    assert token not in str(caught.value)
    assert "bot123456" not in repr(caught.value.__cause__)


@pytest.mark.parametrize(
    ("status", "error"), [(500, NetworkError), (502, NetworkError), (400, BadRequest)]
)
async def test_error_statuses_become_python_telegram_bots_errors(
    status: int, error: type[Exception]
) -> None:
    async with FakeBotApi(strict=False) as server, client(server) as (bot, request):
        server.user(CHAT)
        server.inject_fault("sendMessage", status=status)
        with pytest.raises(error) as caught:
            await bot.send_message(CHAT, "x")
        assert not isinstance(caught.value, TimedOut)
        await bot.send_message(CHAT, "after")  # the connection lives on after an error reply
        assert request.opened == 1


async def test_a_429_is_retry_after_with_telegrams_wait() -> None:
    async with FakeBotApi(strict=False) as server, client(server) as (bot, _):
        server.user(CHAT)
        server.inject_fault("sendMessage", retry_after=7)
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(CHAT, "x")
        assert caught.value.retry_after == dt.timedelta(seconds=7)


async def test_a_dropped_kept_alive_connection_is_tried_once_more_and_then_a_network_error() -> (
    None
):
    async with FakeBotApi(strict=False) as server, client(server) as (bot, request):
        user = server.user(CHAT)
        # The connection getMe opened is reused; the server drops it unanswered: the message
        # goes once more on a fresh connection and arrives once.
        server.inject_fault("sendMessage", reset=True)
        assert (await bot.call("sendMessage", chat_id=CHAT, text="arrives"))["text"] == "arrives"
        assert [m.text for m in user.bot_messages] == ["arrives"]
        assert request.opened == 2
        # Dropped again on the fresh connection too: a NetworkError, nothing sent a third time.
        server.inject_fault("sendMessage", reset=True, times=2)
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(CHAT, "lost")
        assert not isinstance(caught.value, TimedOut)
        assert len(server.faults_applied) == 3
        assert (await bot.call("sendMessage", chat_id=CHAT, text="next"))["text"] == "next"
        assert [m.text for m in user.bot_messages] == ["arrives", "next"]


async def test_uploads_arrive_whole_with_their_names_and_the_other_parameters() -> None:
    png = bytes(range(256)) * 40 + b'\r\n--"quoted"\r\n'  # bytes that look like a boundary
    xlsx = b"PK\x03\x04" + bytes(70_000)
    async with FakeBotApi() as server, client(server) as (bot, request):
        server.user(CHAT)
        await bot.send_photo(CHAT, InputFile(png, filename="chart.png"), caption="Woche 47 ✅")
        await bot.send_document(
            CHAT, InputFile(xlsx, filename='Bericht "Q4" ü.xlsx'), caption="Quartal"
        )
        assert request.opened == 1
    photo, document = server.calls("sendPhoto")[0], server.calls("sendDocument")[0]
    assert photo["caption"] == "Woche 47 ✅"
    assert document["caption"] == "Quartal"
    stored = {record["file_name"]: record["data"] for record in server.files.values()}
    assert stored["chart.png"] == png
    assert stored["Bericht %22Q4%22 ü.xlsx"] == xlsx  # quoted as httpx quotes it


async def test_debug_logs_and_errors_never_carry_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    async with (
        FakeBotApi(strict=False) as server,
        client(server, H11Request(2, read_timeout=0.2)) as (bot, _),
    ):
        server.user(CHAT)
        for fault in (
            {"reset": True, "times": 2},
            {"delay": 0.5},
            {"status": 500},
            {"retry_after": 1},
        ):
            server.inject_fault("sendMessage", **fault)
            try:
                await bot.send_message(CHAT, "x")
            except TelegramError as exc:
                errors.append(exc)
        await bot.send_message(CHAT, "ok")
    async with H11Request(1) as refused:
        try:
            await refused.post(f"http://127.0.0.1:{free_port()}/bot{server.token}/getMe")
        except NetworkError as exc:
            errors.append(exc)
    assert len(errors) == 5
    secret = server.token.split(":", 1)[1]
    ours = [r for r in caplog.records if r.name.startswith("bot.")]
    assert any("opened a connection" in r.getMessage() for r in ours), "nothing was logged"
    for record in ours:
        assert secret not in record.getMessage()
        assert "/bot" not in record.getMessage()
    for error in errors:
        assert secret not in f"{error} {error.__cause__!r} {error.__cause__}"


def test_urls_are_taken_apart_without_the_token_in_any_error() -> None:
    assert split_url("https://api.telegram.org/bot1:abc/getMe") == (
        ("https", "api.telegram.org", 443),
        "api.telegram.org",
        "/bot1:abc/getMe",
    )
    assert split_url("http://127.0.0.1:8081/bot1:abc/x?y=1") == (
        ("http", "127.0.0.1", 8081),
        "127.0.0.1:8081",
        "/bot1:abc/x?y=1",
    )
    assert split_url("http://[::1]:9/f")[0] == ("http", "::1", 9)
    with pytest.raises(NetworkError) as caught:
        split_url("ftp://example.org/bot1:secretsecret/getMe")
    assert "secretsecret" not in str(caught.value)


# -- TLS ------------------------------------------------------------------------------------


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (and its key), made with openssl."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


async def test_tls_checks_the_certificate(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate

    async def get_me(request: web.Request) -> web.Response:
        del request
        return web.json_response({"ok": True, "result": {"id": 1}})

    app = web.Application()
    app.router.add_post("/bot1:tok/getMe", get_me)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_side)
    await site.start()
    url = f"https://127.0.0.1:{runner.addresses[0][1]}/bot1:tok/getMe"
    try:
        # Not signed by a known authority: refused, as httpx refuses it.
        async with H11Request(1) as default:
            with pytest.raises(NetworkError, match="CERTIFICATE_VERIFY_FAILED"):
                await default.post(url)
        trusting = ssl.create_default_context(cafile=str(cert))
        async with H11Request(1, ssl_context=trusting) as request:
            assert await request.post(url) == {"id": 1}
    finally:
        await runner.cleanup()
