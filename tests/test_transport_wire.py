"""Lotse's HTTP client (bot/tg/transport.py, bot/tg/http1.py) against raw asyncio servers that
misbehave as real networks and servers do: a kept-alive connection closed under a busy event
loop, a dead first address, cancellation, odd framing, endless or padded replies, TLS with a
wrong name or an expired certificate, and failures that must not leak the token or a message.

Written by a second reader who did not write the client; the ``finding`` tests each failed on
the first version of the client (a reply lost, a connection that never falls back to IPv4, a
forged answer from stray bytes, unbounded memory, a message text in an error) and pin the fix.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import logging
import shutil
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from telegram.error import NetworkError, TimedOut

from bot.tg.transport import H11Request

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
OK = b'{"ok":true,"result":{"message_id":1}}'

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def reply(body: bytes = OK, *, extra: bytes = b"") -> bytes:
    """A whole HTTP/1.1 200 reply with Content-Length."""
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + extra
        + b"Content-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """One request's head and body (Content-Length framed), or b"" at EOF."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head + (await reader.readexactly(length) if length else b"")


@asynccontextmanager
async def raw_server(
    handler: Handler, host: str = "127.0.0.1", port: int = 0, **kwargs: object
) -> AsyncIterator[int]:
    """A TCP server on ``host`` running ``handler`` per connection, on an event loop of its own
    in a thread (so that it keeps running while the client's loop is blocked); yields its port."""
    loop = asyncio.new_event_loop()
    started: concurrent.futures.Future[int] = concurrent.futures.Future()
    stop = threading.Event()

    async def wrapped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            writer.transport.abort()  # at once, even with unsent bytes: nothing left open

    async def serve() -> None:
        server = await asyncio.start_server(wrapped, host, port, **kwargs)  # type: ignore[arg-type]
        started.set_result(server.sockets[0].getsockname()[1])
        while not stop.is_set():  # noqa: ASYNC110  set from another thread
            await asyncio.sleep(0.02)
        server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()
        await asyncio.sleep(0.05)  # the aborted transports' connection_lost callbacks

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    try:
        yield await asyncio.wrap_future(started)
    finally:
        stop.set()
        await asyncio.to_thread(thread.join, 5)
        loop.close()


def url(
    port: int, method: str = "sendMessage", host: str = "127.0.0.1", scheme: str = "http"
) -> str:
    return f"{scheme}://{host}:{port}/bot{TOKEN}/{method}"


# -- 1. A keep-alive connection the server has closed ------------------------------------------


def closes_after_each_reply(served: list[int]) -> Handler:
    """A server that answers one request per connection, then closes it (no Connection: close
    header: as a server whose keep-alive timeout ran out right after the reply)."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        served.append(1)
        writer.write(reply())
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.close()

    return handler


async def test_finding1_a_connection_the_server_closed_while_the_loop_was_busy_is_not_reused() -> (
    None
):
    served: list[int] = []
    async with raw_server(closes_after_each_reply(served)) as port, H11Request(1) as request:
        await request.post(url(port))
        await asyncio.sleep(0.01)  # the reply is read; the server closes 50 ms later
        time.sleep(0.2)  # noqa: ASYNC251  the loop is busy (a search, a screen) as the FIN comes
        assert await request.post(url(port)) == {"message_id": 1}
    assert len(served) == 2


async def test_finding1_a_reused_connection_closed_before_any_reply_is_retried_once() -> None:
    seen: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        first = await read_request(reader)
        seen.append(first)
        writer.write(reply())
        await writer.drain()
        await read_request(reader)  # the next request on the kept-alive connection: dropped
        writer.transport.abort()

    async with raw_server(handler) as port, H11Request(1) as request:
        await request.post(url(port))
        # The emergency screen too: shown twice (if a server ever read it and died) harms less
        # than never shown.
        assert await request.post(url(port, "sendMessage")) == {"message_id": 1}
        assert request.opened == 2
    assert len(seen) == 2


# -- 2. Connecting: a dead first address (IPv6 configured but not routed) ----------------------


@asynccontextmanager
async def blackhole_then_server(
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[int]:
    """``api.test`` resolves to 127.0.0.2 (a listener whose accept queue is full, so SYNs go
    unanswered, like a blackholed IPv6 route) first and 127.0.0.1 (a working server) second."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await read_request(reader):
            writer.write(reply())
            await writer.drain()

    async with raw_server(handler, "127.0.0.1") as port:
        dead = socket.socket()
        dead.bind(("127.0.0.2", port))
        dead.listen(0)
        fillers = []
        for _ in range(3):  # fill the accept queue; further SYNs are dropped
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.2", port))
            fillers.append(filler)
        await asyncio.sleep(0.1)
        loop = asyncio.get_running_loop()
        real = loop.getaddrinfo

        async def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
            if host in ("api.test", b"api.test"):
                stream = socket.SOCK_STREAM
                return [
                    (socket.AF_INET, stream, 6, "", ("127.0.0.2", port)),
                    (socket.AF_INET, stream, 6, "", ("127.0.0.1", port)),
                ]
            return await real(host, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
        try:
            yield port
        finally:
            for sock in (*fillers, dead):
                sock.close()


async def test_finding2_a_dead_first_address_falls_back_to_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with blackhole_then_server(monkeypatch) as port, H11Request(1, connect_timeout=2) as r:
        assert await r.post(url(port, host="api.test")) == {"message_id": 1}


# -- 3. Cancellation ---------------------------------------------------------------------------


async def test_cancelled_mid_reply_closes_the_connection_and_frees_the_slot() -> None:
    gate = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await read_request(reader):
            if not gate.is_set():
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{")
                await writer.drain()
                await asyncio.sleep(10)
            writer.write(reply())
            await writer.drain()

    async with raw_server(handler) as port, H11Request(1, pool_timeout=0.5) as request:
        task = asyncio.create_task(request.post(url(port)))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        gate.set()
        assert request.idle_connections == 0
        assert await request.post(url(port)) == {"message_id": 1}  # the slot was released
        assert request.opened == 2


async def test_cancelled_while_waiting_for_the_pool_takes_no_slot() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await read_request(reader):
            await asyncio.sleep(0.3)
            writer.write(reply())
            await writer.drain()

    async with raw_server(handler) as port, H11Request(1, pool_timeout=5) as request:
        busy = asyncio.create_task(request.post(url(port)))
        await asyncio.sleep(0.05)
        waiting = asyncio.create_task(request.post(url(port)))
        await asyncio.sleep(0.05)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        await busy
        assert await request.post(url(port)) == {"message_id": 1}


# -- 4. HTTP/1.1 framing ------------------------------------------------------------------------


async def test_chunked_interim_and_connection_close_replies_are_read_whole() -> None:
    body = b'{"ok":true,"result":{"text":"' + "Привет ".encode() * 5000 + b'"}}'
    replies = [
        # interim 100 and 103, then a chunked reply in odd-sized chunks, kept alive
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"".join(
            f"{len(body[i : i + 777]):x}\r\n".encode() + body[i : i + 777] + b"\r\n"
            for i in range(0, len(body), 777)
        )
        + b"0\r\nX-Trailer: 1\r\n\r\n",
        reply(extra=b"Connection: close\r\n"),
    ]

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while replies and await read_request(reader):
            writer.write(replies.pop(0))
            await writer.drain()

    async with raw_server(handler) as port, H11Request(1) as request:
        answer = await request.post(url(port))
        assert isinstance(answer, dict)
        assert answer["text"] == "Привет " * 5000
        assert await request.post(url(port)) == {"message_id": 1}
        assert request.idle_connections == 0  # Connection: close was honoured
        assert request.opened == 1


async def test_host_header_carries_a_non_default_port_and_get_sends_no_body() -> None:
    heads: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while head := await read_request(reader):
            heads.append(head)
            writer.write(reply(b"file bytes"))
            await writer.drain()

    async with raw_server(handler) as port, H11Request(1) as request:
        assert await request.retrieve(f"http://127.0.0.1:{port}/file/bot{TOKEN}/a.jpg") == (
            b"file bytes"
        )
    assert heads[0].startswith(f"GET /file/bot{TOKEN}/a.jpg HTTP/1.1\r\n".encode())
    assert f"\r\nhost: 127.0.0.1:{port}\r\n".encode() in heads[0].lower()
    assert b"content-length" not in heads[0].lower()


async def test_a_huge_header_block_is_a_network_error() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"a" * 200_000 + b"\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(1)

    async with raw_server(handler) as port, H11Request(1) as request:
        with pytest.raises(NetworkError) as caught:
            await request.post(url(port))
        assert not isinstance(caught.value, TimedOut)


async def test_finding5_bytes_after_a_reply_never_answer_the_next_request() -> None:
    forged = reply(b'{"ok":true,"result":{"message_id":666}}')
    requests_seen: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while head := await read_request(reader):
            requests_seen.append(head)
            writer.write(reply() + forged if len(requests_seen) == 1 else reply())
            await writer.drain()

    async with raw_server(handler) as port, H11Request(1) as request:
        await request.post(url(port))
        await asyncio.sleep(0.05)
        assert await request.post(url(port)) == {"message_id": 1}


# -- 5. Limits ------------------------------------------------------------------------------


async def test_finding3_an_endless_reply_does_not_grow_memory_without_bound() -> None:
    chunk = b"x" * 1_048_576

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in range(64):
            writer.write(b"100000\r\n" + chunk + b"\r\n")
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    gc.collect()
    tracemalloc.start()
    try:
        async with raw_server(handler) as port, H11Request(1, read_timeout=None) as request:
            with pytest.raises(NetworkError):
                await request.retrieve(url(port, "file"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 48 * 1_048_576, f"peak {peak / 1_048_576:.0f} MB"


async def test_finding4_a_steady_slow_download_is_not_cut_by_the_read_timeout() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n")
        for byte in b"abcdef":
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.5)

    async with raw_server(handler) as port, H11Request(1, read_timeout=1) as request:
        assert await request.retrieve(url(port, "f")) == b"abcdef"


# -- 6. TLS ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A CA, and certificates it signed: for ``localhost`` (valid), and an expired one."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    d = tmp_path_factory.mktemp("tls")

    def run(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, cwd=d)

    run(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-subj",
        "/CN=Probe CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=keyCertSign",
    )
    for name, days in (("good", "2"), ("expired", "-1")):
        run(
            "openssl",
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            f"{name}.key",
            "-out",
            f"{name}.csr",
            "-subj",
            "/CN=localhost",
        )
        (d / "ext.cnf").write_text("subjectAltName=DNS:localhost\n")
        signed = [
            "openssl",
            "x509",
            "-req",
            "-in",
            f"{name}.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            f"{name}.pem",
            "-extfile",
            "ext.cnf",
            "-days",
            days,
        ]  # -1: expired yesterday
        run(*signed)
    return {p.stem + p.suffix.replace(".", "_"): p for p in d.iterdir()}


def server_context(files: dict[str, Path], name: str, sni: list[str | None]) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(files[f"{name}_pem"], files[f"{name}_key"])
    ctx.sni_callback = lambda _sock, server_name, _ctx: sni.append(server_name)
    return ctx


async def answer_all(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while await read_request(reader):
        writer.write(reply())
        await writer.drain()


async def test_tls_sends_sni_and_checks_the_host_name(tls_files: dict[str, Path]) -> None:
    sni: list[str | None] = []
    trusting = ssl.create_default_context(cafile=str(tls_files["ca_pem"]))
    assert trusting.verify_mode is ssl.CERT_REQUIRED
    assert trusting.check_hostname
    async with (
        raw_server(answer_all, ssl=server_context(tls_files, "good", sni)) as port,
        H11Request(1, ssl_context=trusting) as request,
    ):
        assert await request.post(url(port, host="localhost", scheme="https")) == {"message_id": 1}
        # The same certificate, reached under another name: refused.
        with pytest.raises(NetworkError, match="CERTIFICATE_VERIFY_FAILED") as caught:
            await request.post(url(port, host="127.0.0.1", scheme="https"))
        assert TOKEN not in str(caught.value)
        assert TOKEN not in repr(caught.value.__cause__)
    assert sni[0] == "localhost"


async def test_tls_an_expired_certificate_is_refused_once_without_retrying(
    tls_files: dict[str, Path],
) -> None:
    sni: list[str | None] = []
    trusting = ssl.create_default_context(cafile=str(tls_files["ca_pem"]))
    async with (
        raw_server(answer_all, ssl=server_context(tls_files, "expired", sni)) as port,
        H11Request(1, ssl_context=trusting) as request,
    ):
        with pytest.raises(NetworkError, match="certificate has expired"):
            await request.post(url(port, host="localhost", scheme="https"))
        assert request.opened == 0
    assert len(sni) == 1  # one handshake, no retry loop


def test_the_default_context_checks_certificates_and_refuses_old_tls() -> None:
    from bot.tg.transport import default_ssl_context

    ctx = default_ssl_context()
    assert ctx.verify_mode is ssl.CERT_REQUIRED
    assert ctx.check_hostname
    assert ctx.minimum_version >= ssl.TLSVersion.TLSv1_2


# -- 7. Privacy -----------------------------------------------------------------------------


async def test_no_failure_puts_the_token_in_a_message_cause_or_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = TOKEN.split(":", 1)[1]
    behaviours = [
        b"garbage\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{",
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
    ]

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(behaviours.pop(0))
        await writer.drain()

    errors: list[BaseException] = []
    async with raw_server(handler) as port, H11Request(1) as request:
        for _ in range(4):
            try:
                await request.post(url(port))
            except NetworkError as exc:
                errors.append(exc)
    assert len(errors) == 4
    for error in errors:
        chain = []
        e: BaseException | None = error
        while e is not None:
            chain.append(f"{e} {e!r}")
            e = e.__cause__ or e.__context__
        assert secret not in " ".join(chain)
    for record in caplog.records:
        assert secret not in record.getMessage()


async def test_finding6_an_unencodable_text_never_puts_the_whole_request_in_the_error() -> None:
    from telegram.request import RequestData
    from telegram.request._requestparameter import RequestParameter

    data = RequestData(
        [
            RequestParameter("chat_id", 987654321, None),
            RequestParameter("text", "Mein Mann schlägt mich \ud83d", None),
        ]
    )
    async with raw_server(answer_all) as port, H11Request(1) as request:
        with pytest.raises(NetworkError) as caught:
            await request.post(url(port), data)
    said = f"{caught.value} {caught.value.__cause__!r}"
    assert "987654321" not in said
    assert "schlägt" not in said


# -- 8. What is right today and should stay right ---------------------------------------------


async def test_a_connection_the_server_closed_is_not_reused_when_the_loop_had_time_to_see_it() -> (
    None
):
    served: list[int] = []
    async with raw_server(closes_after_each_reply(served)) as port, H11Request(1) as request:
        await request.post(url(port))
        await asyncio.sleep(0.2)  # the FIN arrives and the loop reads it
        assert await request.post(url(port)) == {"message_id": 1}
        assert request.opened == 2


async def test_an_upload_the_server_does_not_read_is_timed_out_and_the_connection_closed() -> None:
    from telegram import InputFile
    from telegram.request import RequestData
    from telegram.request._requestparameter import RequestParameter

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await asyncio.sleep(5)  # never reads the body

    data = RequestData(
        [RequestParameter.from_input("document", InputFile(bytes(30_000_000), filename="a.bin"))]
    )
    async with raw_server(handler) as port, H11Request(1, media_write_timeout=0.5) as request:
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await request.post(url(port, "sendDocument"), data)
        assert time.monotonic() - started < 3
        assert request.idle_connections == 0
