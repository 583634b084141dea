"""One HTTP/1.1 connection to the Bot API: a URL taken apart, the kept-alive connection and
whether it may carry another request, one request-and-reply exchange. Telegram shell.

The framing is h11's; bot/tg/transport.py pools these connections for python-telegram-bot.
Limits: a reply body of at most ``MAX_BODY`` bytes, each read waits at most the read timeout
(as httpx), an idle connection is reused only when its socket holds nothing unread (the
server's goodbye the event loop has not seen yet, or stray bytes that must never answer the
next request).
"""

from __future__ import annotations

import asyncio
import select
import time
from functools import lru_cache
from typing import NamedTuple

import h11
from telegram.error import NetworkError

# An idle connection is dropped after this long, as httpx does: servers close idle
# connections on their own, and a request on one that is closing fails.
KEEP_ALIVE = 5.0
CHUNK = 64 * 1024
# Telegram's replies are small; a file via the Bot API is at most 20 MB.
MAX_BODY = 32 * 1024 * 1024


class Origin(NamedTuple):
    """Where a connection goes."""

    scheme: str
    host: str
    port: int


class Target(NamedTuple):
    """A URL taken apart: the connection it needs, the Host header and the request target."""

    origin: Origin
    host_header: str
    path: str


@lru_cache(maxsize=256)
def split_url(url: str) -> Target:
    """``https://api.telegram.org/bot<token>/sendMessage`` → origin, Host, path."""
    scheme, _, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    host, colon, port = authority.rpartition(":")
    if not colon or not port.isdigit():
        host, port = authority, ""
    scheme = scheme.lower()
    if scheme not in ("http", "https") or not host:
        # Never the URL itself in the message: the token is in its path.
        raise NetworkError(f"not an http(s) URL (scheme {scheme[:10]!r})")
    number = int(port) if port else (443 if scheme == "https" else 80)
    return Target(Origin(scheme, host.strip("[]"), number), authority, slash + path or "/")


class Connection:
    """One kept-alive connection and its HTTP/1.1 state."""

    __slots__ = ("idle_since", "reader", "received", "state", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """A fresh connection, ready for its first request."""
        self.reader = reader
        self.writer = writer
        self.state = h11.Connection(h11.CLIENT)
        self.idle_since = 0.0
        self.received = 0  # bytes of the current reply

    def reusable(self, now: float) -> bool:
        """Still open, between two exchanges, and not idle for too long."""
        return (
            self.state.our_state is h11.IDLE
            and self.state.their_state is h11.IDLE
            and not self.reader.at_eof()
            and not self.writer.is_closing()
            and now - self.idle_since < KEEP_ALIVE
            and not self.state.trailing_data[0]
            and not readable(self.writer)
        )

    def close(self) -> None:
        """Close without waiting (the transport finishes on its own)."""
        self.writer.close()


def readable(writer: asyncio.StreamWriter) -> bool:
    """Whether an idle connection's socket has anything to read: only the server's goodbye
    (or stray bytes) can be there, even if the event loop has not seen it yet (as httpcore)."""
    sock = writer.get_extra_info("socket")
    if sock is None:
        return True
    poller = select.poll()  # not select.select: it fails for descriptors above 1023
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


def keep(conn: Connection) -> bool:
    """Whether the exchange left the connection ready for the next request."""
    state = conn.state
    if state.our_state is h11.DONE and state.their_state is h11.DONE:
        state.start_next_cycle()
        conn.idle_since = time.monotonic()
        return True
    return False


async def exchange(
    conn: Connection,
    request: h11.Request,
    body: bytes,
    write_timeout: float | None,
    read_timeout: float | None,
) -> tuple[int, bytes]:
    """Send ``request`` with ``body`` on ``conn``; the reply's status and body."""
    state = conn.state
    data = state.send(request) or b""
    if body:
        data += state.send(h11.Data(data=body)) or b""
    data += state.send(h11.EndOfMessage()) or b""
    conn.writer.write(data)
    async with asyncio.timeout(write_timeout):
        await conn.writer.drain()
    status = 0
    chunks: list[bytes] = []
    size = 0
    while True:
        event = state.next_event()
        if event is h11.NEED_DATA:
            async with asyncio.timeout(read_timeout):  # each read, as httpx
                data = await conn.reader.read(CHUNK)
            conn.received += len(data)
            state.receive_data(data)
        elif isinstance(event, h11.Response):
            status = event.status_code
        elif isinstance(event, h11.Data):
            chunks.append(bytes(event.data))
            size += len(event.data)
            if size > MAX_BODY:
                raise ConnectionAbortedError(f"reply longer than {MAX_BODY} bytes")
        elif isinstance(event, h11.EndOfMessage):
            return status, b"".join(chunks)
        elif isinstance(event, h11.ConnectionClosed):
            raise ConnectionResetError("the server closed the connection without a reply")
        elif event is h11.PAUSED:  # unreachable without Upgrade; never spin on it
            raise ConnectionAbortedError("the server switched protocols")
        # InformationalResponse (100 Continue …): read on.
