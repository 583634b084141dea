"""Lotse's HTTP client for the Bot API: HTTP/1.1 keep-alive over asyncio streams. Telegram shell.

python-telegram-bot lets the HTTP client be swapped (``telegram.request.BaseRequest``); its
default, httpx, cost about 1.5 ms of CPU per request on the 2-core development machine, and
Lotse makes two or three requests per update: half of all the CPU an update took. This client
does one thing: POST a Bot API call (JSON, or multipart for uploads) or GET a file, over a
small pool of kept-alive connections, plain or TLS with the certificate checked against the
same CA bundle httpx uses (certifi). It took 0.15 ms per request in the same measurement. The
HTTP/1.1 framing is h11's, the parser inside httpx itself, so a reply Telegram frames in any
legal way (chunked, ``Connection: close``, interim 1xx) is read correctly, and nothing new is
loaded into memory (bot/tg/http1.py: one connection and one exchange). No proxies
(``HTTPS_PROXY`` is not read: a host that reaches Telegram only through a proxy needs
python-telegram-bot's own client), no HTTP/2, no redirects, no compression: the Bot API needs
none of them. Connecting tries Telegram's addresses 250 ms apart (IPv6, then IPv4), as httpx.

Errors are python-telegram-bot's, as its httpx client raises them: a timeout (connecting,
sending, reading, or waiting for a free connection) is ``TimedOut``, anything else on the
wire is ``NetworkError``; ``BaseRequest`` turns the HTTP status into ``BadRequest``,
``RetryAfter`` and the rest. A connection that failed or was cancelled half-way is closed,
never reused. A request on a reused connection that failed before a byte of reply came (the
server closed the idle connection as the request crossed its goodbye) goes once more on a
fresh connection. Nothing here logs or raises with a URL in it: the bot token is in its path.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
import ssl
import time
from functools import lru_cache
from typing import Any, cast

import certifi
import h11
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.tg.http1 import CHUNK, Connection, Origin, exchange, keep, split_url

log = logging.getLogger(__name__)

POOL_TIMEOUT = "Pool timeout: every connection is busy; the request was not sent"


class H11Request(BaseRequest):
    """python-telegram-bot's ``BaseRequest`` on asyncio streams and h11.

    Args:
        pool_size: connections open at once, at most; a request finding all busy waits up to
            ``pool_timeout`` and then raises ``TimedOut`` without being sent.
        read_timeout, write_timeout, connect_timeout, pool_timeout, media_write_timeout:
            seconds, as in python-telegram-bot's ``HTTPXRequest`` (the same defaults);
            ``None`` waits for ever. The read timeout covers reading the whole reply.
        ssl_context: for https; by default certificates are checked against certifi's
            bundle, as httpx checks them.
    """

    __slots__ = (
        "_closed",
        "_connect_timeout",
        "_idle",
        "_media_write_timeout",
        "_opened",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_slots",
        "_ssl",
        "_write_timeout",
    )

    def __init__(
        self,
        pool_size: int = 1,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """A client with no connection open yet (``initialize`` is not needed first)."""
        if pool_size < 1:
            raise ValueError("pool_size must be at least 1")
        self._pool_size = pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._ssl = ssl_context
        self._idle: dict[Origin, list[Connection]] = {}
        self._slots = asyncio.Semaphore(pool_size)
        self._closed = False
        self._opened = 0

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds."""
        return self._read_timeout

    @property
    def idle_connections(self) -> int:
        """Connections kept open for the next request (for tests and benchmarks)."""
        return sum(len(idle) for idle in self._idle.values())

    @property
    def opened(self) -> int:
        """Connections opened so far (for tests and benchmarks)."""
        return self._opened

    async def initialize(self) -> None:
        """Accept requests again after ``shutdown``."""
        self._closed = False

    async def shutdown(self) -> None:
        """Close every idle connection; busy ones close when their request ends."""
        self._closed = True
        idle = [conn for conns in self._idle.values() for conn in conns]
        self._idle.clear()
        for conn in idle:
            conn.close()
        for conn in idle:
            # Closed anyway: the peer's goodbye is not needed.
            with contextlib.suppress(OSError, TimeoutError):
                await asyncio.wait_for(conn.writer.wait_closed(), 1.0)
        if idle:
            log.debug("closed %d kept-alive connections", len(idle))

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; the reply's status and body. See ``BaseRequest.do_request``."""
        if self._closed:
            raise RuntimeError("this H11Request is shut down")
        target = split_url(url)
        try:
            headers, body = encode(request_data)
        except (UnicodeError, ValueError, TypeError) as exc:
            # Never the exception itself: its repr holds the whole body (chat id, text).
            raise NetworkError(f"could not encode the request ({type(exc).__name__})") from None
        uploads = request_data is not None and request_data.contains_files
        default_write = self._media_write_timeout if uploads else self._write_timeout
        try:
            async with asyncio.timeout(given(pool_timeout, self._pool_timeout)):
                await self._slots.acquire()
        except TimeoutError as exc:
            raise TimedOut(POOL_TIMEOUT) from exc
        conn: Connection | None = None
        request = h11.Request(
            method=method,
            target=target.path,
            headers=[("Host", target.host_header), ("User-Agent", self.USER_AGENT), *headers],
        )
        try:
            for attempt in (1, 2):
                conn = await self._connection(
                    target.origin, given(connect_timeout, self._connect_timeout)
                )
                reused = conn.idle_since > 0
                conn.received = 0
                try:
                    status, payload = await exchange(
                        conn,
                        request,
                        body,
                        given(write_timeout, default_write),
                        given(read_timeout, self._read_timeout),
                    )
                    break
                except TimeoutError:
                    raise  # the server may have it: never sent twice
                except (OSError, h11.RemoteProtocolError):
                    # A kept-alive connection the server closed as the request crossed its
                    # goodbye: nothing of a reply came, so the server dropped the request
                    # unread. Once more on a fresh connection, whatever the call: a reply
                    # shown twice (in the rare case a server read it and then died) harms
                    # less than an emergency screen never shown.
                    if attempt == 2 or not reused or conn.received:
                        raise
                    conn.close()
                    conn = None
            assert conn is not None  # the loop above breaks only with one
            if self._closed or not keep(conn):
                conn.close()
            else:
                self._idle.setdefault(target.origin, []).append(conn)
            conn = None
            return status, payload
        except TimeoutError as exc:  # before OSError: TimeoutError is one
            raise TimedOut from exc
        except (OSError, h11.ProtocolError, EOFError) as exc:
            log.debug("request failed on the wire: %s", type(exc).__name__)
            raise NetworkError(f"{type(exc).__name__}: {exc}") from exc
        finally:
            if conn is not None:  # failed or cancelled half-way: the state is unknown
                conn.close()
            self._slots.release()

    async def _connection(self, origin: Origin, connect_within: float | None) -> Connection:
        """A kept-alive connection to ``origin``, or a new one."""
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            conn = idle.pop()
            if conn.reusable(now):
                return conn
            conn.close()
        context = None
        if origin.scheme == "https":
            context = self._ssl = self._ssl or default_ssl_context()
        async with asyncio.timeout(connect_within):
            loop = asyncio.get_running_loop()
            found = await loop.getaddrinfo(origin.host, origin.port, type=socket.SOCK_STREAM)
            addresses = {(str(info[4][0]), int(info[4][1])) for info in found}
            if len(addresses) == 1:
                # One address, nothing to race (and Python 3.11's race leaves a socket open
                # when the connect is cancelled).
                host, port = addresses.pop()
                reader, writer = await asyncio.open_connection(
                    host,
                    port,
                    ssl=context,
                    server_hostname=origin.host if context else None,
                    limit=CHUNK,
                )
            else:  # IPv6 and IPv4: the next address 250 ms later, as httpx
                reader, writer = await asyncio.open_connection(
                    origin.host,
                    origin.port,
                    ssl=context,
                    limit=CHUNK,
                    happy_eyeballs_delay=0.25,
                    interleave=1,
                )
        self._opened += 1
        log.debug("opened a connection (%s, port %d)", origin.scheme, origin.port)
        return Connection(reader, writer)


def given(value: Any, default: float | None) -> float | None:
    """A timeout passed to ``do_request``, or the default when it was left out."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    return cast("float | None", value)


def encode(request_data: RequestData | None) -> tuple[list[tuple[str, str]], bytes]:
    """Headers and body: JSON, multipart when files are uploaded, nothing without data.

    JSON rather than a form: percent-encoding an Arabic or Cyrillic text byte by byte runs in
    Python, ``json.dumps`` in C, and the Bot API takes both.
    """
    if request_data is None:
        return [], b""
    if request_data.contains_files:
        boundary = secrets.token_hex(16)
        body = multipart(boundary, request_data)
        content_type = f"multipart/form-data; boundary={boundary}"
    else:
        params = request_data.parameters
        body = json.dumps(params, ensure_ascii=False, separators=(",", ":")).encode()
        content_type = "application/json"
    return [("Content-Type", content_type), ("Content-Length", str(len(body)))], body


def multipart(boundary: str, request_data: RequestData) -> bytes:
    """The parameters and files as ``multipart/form-data``, as python-telegram-bot sends them."""
    parts = []
    for name, value in request_data.json_parameters.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{quote(name)}"\r\n\r\n'
        parts += [head.encode(), value.encode(), b"\r\n"]
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        data = content if isinstance(content, bytes) else content.read()
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{quote(name)}"; '
            f'filename="{quote(filename)}"\r\nContent-Type: {mimetype}\r\n\r\n'
        )
        parts += [head.encode(), data, b"\r\n"]
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts)


def quote(value: str) -> str:
    """A name or filename inside a quoted header parameter (as httpx escapes it)."""
    escaped = value.replace("\\", "\\\\").replace('"', "%22")
    return "".join(f"%{ord(c):02X}" if ord(c) < 0x20 and c != "\x1b" else c for c in escaped)


@lru_cache(maxsize=1)
def default_ssl_context() -> ssl.SSLContext:
    """TLS with certificate and host name checks, against certifi's CA bundle, or the bundle
    ``SSL_CERT_FILE`` names (as httpx)."""
    return ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE") or certifi.where())
