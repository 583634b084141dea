"""Random and malformed Telegram updates for the fuzz test and the long fuzz benchmark.

Updates are what Telegram could really deliver (every required field present, valid Unicode,
buttons pressed only on messages that are still in the chat), filled with what users do
send: texts in every script with RTL marks, emoji and markup-like characters, 10,000-character
texts, forged, overlong and non-ASCII button payloads, commands with odd arguments, stickers,
photos, locations, contacts, group and channel posts, edited messages, membership changes,
missing optional fields and huge ids. Most go straight into ``Application.process_update``
(fast); a share goes through the fake's getUpdates to cover the polling path too.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application

from tests.fakes import CallbackQueryRecord, FakeBotApi, FakeChat, FakeMessage

Json = dict[str, Any]
App = Application[Any, Any, Any, Any, Any, Any]

# Ranges of code points by script; surrogates and noncharacters never occur (Telegram sends
# valid UTF-8 only).
SCRIPTS: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x017F),  # Latin-1, Latin Extended-A (ä ö ü ß ğ ş ı ł)
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x04FF),  # Cyrillic
    (0x0530, 0x058F),  # Armenian
    (0x0590, 0x05FF),  # Hebrew (RTL)
    (0x0600, 0x06FF),  # Arabic, Persian (RTL)
    (0x0900, 0x097F),  # Devanagari
    (0x0E00, 0x0E7F),  # Thai
    (0x10A0, 0x10FF),  # Georgian
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x4E00, 0x9FFF),  # CJK
    (0xAC00, 0xD7A3),  # Hangul
    (0x1F300, 0x1FAFF),  # emoji
    (0x0300, 0x036F),  # combining marks
)
SPECIALS = (
    "\u200e",  # LRM
    "\u200f",  # RLM
    "\u202e",  # RLO
    "\u2066",  # LRI
    "\u2067",  # RLI
    "\u2069",  # PDI
    "\u200b",  # zero-width space
    "\u200d",  # ZWJ
    "\ufeff",  # BOM
    "\n",
    "\t",
    "👩‍👩‍👧‍👦",
    "🏳️‍🌈",
    "1️⃣",
    "<b>",
    "</i>",
    "<a href='x'>",
    "&amp;",
    "&",
    "<",
    ">",
    "*",
    "_",
    "`",
    "[x](y)",
    "%s",
    "{0}",
    "{name}",
    "\\",
    "'; DROP TABLE ratings; --",
    "0171 2345678",
    "a@b.de",
    "DE89 3704 0044 0532 0130 00",
)
PHRASES = (
    "Pflegegrad beantragen",
    "Demenz Beratung Herten",
    "mein Mann schlägt mich",
    "zawji yadrebni",
    "babam icin bakim",
    "помощь по уходу",
    "допомога жінкам",
    "مشاوره زنان",
    "أحتاج مساعدة",
    "pomoc dla kobiet",
    "Kita Platz",
    "Schulden",
    "Wohnung",
    "ich will nicht mehr leben",
    "Hilfe",
    "hallo",
    "?",
)
COMMANDS = (
    "/start",
    "/menu",
    "/help",
    "/privacy",
    "/language",
    "/forget",
    "/erase",
    "/doesnotexist",
    "/START",
    "/start@lotse_test_bot",
    "/start@other_bot",
    "/menu@lotse_test_bot",
    "/",
    "/ä",
)
LANGUAGE_CODES = (
    None,
    "de",
    "en",
    "tr",
    "ar",
    "fa",
    "ru",
    "uk",
    "pl",
    "ku",
    "ro",
    "bg",
    "en-GB",
    "pt-br",
    "zz",
    "",
    "x" * 40,
)
HUGE = 2**52 - 1  # Telegram's ids fit in 52 bits


@dataclass
class FuzzRun:
    """What a fuzz run did."""

    updates: int = 0
    via_polling: int = 0
    requests: int = 0
    seconds: float = 0.0
    in_process_ids: set[int] = field(default_factory=set)
    crashes: list[BaseException] = field(default_factory=list)


@dataclass
class Person:
    """A fuzzing user and the chat they write in."""

    user: Json
    chat: FakeChat


class Fuzzer:
    """Makes random updates for a fixed set of people and chats on the fake server."""

    def __init__(self, server: FakeBotApi, rnd: random.Random, people: int, first_id: int):
        """Create ``people`` users (private chats, plus a few groups and one channel)."""
        self.server = server
        self.rnd = rnd
        self.people: list[Person] = []
        for i in range(people):
            user_id = HUGE - i if i % 10 == 9 else first_id + i
            name = self.text(rnd.choice((1, 5, 30, 64)))[:64].strip() or "N"
            user: Json = {"id": user_id, "is_bot": False, "first_name": name}
            code = rnd.choice(LANGUAGE_CODES)
            if code is not None:
                user["language_code"] = code
            if rnd.random() < 0.3:
                user["username"] = f"u{user_id}"
            if i % 8 == 7:
                chat = server.chat(
                    -(1_000_000_000_000 + first_id + i), chat_type="supergroup", title=name
                )
            else:
                chat = server.chat(user_id, first_name=name)
            self.people.append(Person(user, chat))
        self.channel = server.chat(-(1_000_000_000_000 + first_id + people), chat_type="channel")
        sticker = server.register_file(b"RIFFfakewebp", kind="sticker", file_name="s.webp")
        photo = server.register_file(b"\x89PNGfake", kind="photo", file_name="p.png")
        voice = server.register_file(b"OggSfake", kind="voice", file_name="v.ogg")
        document = server.register_file(b"%PDF-1.4", kind="document", file_name="d.pdf")
        self.media = {
            "sticker": server.media_payload("sticker", sticker, emoji="👍"),
            "photo": server.media_payload("photo", photo),
            "voice": server.media_payload("voice", voice, duration=3),
            "document": server.media_payload("document", document),
        }
        self.payloads = self._known_payloads()

    def _known_payloads(self) -> list[str]:
        """Payloads the bot has used so far (refreshed as chats fill)."""
        return ["m", "e", "x", "l:m", "n:pflege", "n:pflegegrad:herten", "+:n:pflege", "?:pflege"]

    # -- pieces ------------------------------------------------------------------------

    def text(self, length: int) -> str:
        """Random text of about ``length`` characters in a few scripts."""
        rnd = self.rnd
        scripts = rnd.sample(SCRIPTS, rnd.randint(1, 3))
        parts: list[str] = []
        size = 0
        while size < length:
            roll = rnd.random()
            if roll < 0.1:
                piece = rnd.choice(SPECIALS)
            elif roll < 0.2:
                piece = rnd.choice(PHRASES)
            else:
                low, high = rnd.choice(scripts)
                piece = "".join(chr(rnd.randint(low, high)) for _ in range(rnd.randint(1, 12)))
                if rnd.random() < 0.7:
                    piece += " "
            parts.append(piece)
            size += len(piece)
        return "".join(parts)[:length] if length > 0 else ""

    def message_text(self) -> str:
        """What someone types: mostly short, sometimes very long, in any script."""
        rnd = self.rnd
        roll = rnd.random()
        if roll < 0.25:
            return rnd.choice(PHRASES)
        if roll < 0.30:
            return rnd.choice((" ", "\n", "\u200b", ".", "👍", "ا", "1"))
        if roll < 0.34:
            return self.text(rnd.randint(4090, 4200))
        if roll < 0.36:
            return self.text(10_000)
        text = self.text(rnd.randint(1, 120)).strip()
        return text or "?"

    def payload(self, message: FakeMessage | None) -> str | None:
        """Callback data: a real button of the message, a plausible one, or a forged one."""
        rnd = self.rnd
        roll = rnd.random()
        if roll < 0.45 and message is not None:
            data = [
                b["callback_data"]
                for row in message.inline_keyboard
                for b in row
                if "callback_data" in b
            ]
            if data:
                pick: str = rnd.choice(data)
                self.payloads.append(pick)
                if len(self.payloads) > 2000:
                    del self.payloads[:1000]
                return pick
        if roll < 0.6:
            return rnd.choice(self.payloads)
        if roll < 0.7:  # a known payload, mangled
            base = rnd.choice(self.payloads)
            cut = rnd.randint(0, len(base))
            return (
                base[:cut]
                + rnd.choice(("", ":", "::", "x", "Ä", "../", "\u202e", "🙂"))
                + base[cut:]
            )
        if roll < 0.76:
            return None  # a game button or a client that sends no data
        if roll < 0.82:
            return "n:" + "a" * rnd.randint(20, 300)  # overlong
        if roll < 0.88:
            return self.text(rnd.randint(1, 70))  # unicode, RTL, emoji
        if roll < 0.92:
            return rnd.choice(
                ("", ":", "+:", "-:", "L:", "L:zz:m", "+:+:+:m", "l:l:m", "s:a", "t:")
            )
        return "".join(chr(rnd.randint(0x21, 0x7E)) for _ in range(rnd.randint(1, 64)))

    # -- updates -----------------------------------------------------------------------

    def update(self, person: Person) -> tuple[str, Json]:
        """One random update from ``person``: (kind, payload)."""
        rnd = self.rnd
        roll = rnd.random()
        chat = person.chat
        if roll < 0.40 and chat.type == "private":
            pressed = [m for m in chat.messages if m.from_bot and m.inline_keyboard]
            if pressed:
                return self.callback(person, rnd.choice(pressed[-3:]))
        if roll < 0.55:
            return "message", self.command(person)
        if roll < 0.85:
            return "message", self.message(person, text=self.message_text())
        if roll < 0.95:
            return "message", self.media_message(person)
        return self.odd(person)

    def _base(self, person: Person, **extra: Any) -> Json:
        rnd = self.rnd
        chat = person.chat
        message: Json = {
            "message_id": chat.take_message_id() if rnd.random() < 0.98 else 2**31 - 1,
            "date": self.server.now if rnd.random() < 0.98 else 2**31 - 1,
            "chat": chat.to_api(),
        }
        if rnd.random() < 0.97 or chat.type == "private":
            message["from"] = person.user
        else:
            message["sender_chat"] = chat.to_api()  # an anonymous group admin: no "from"
        message.update(extra)
        return message

    def message(self, person: Person, *, text: str, entities: list[Json] | None = None) -> Json:
        """A text message."""
        message = self._base(person, text=text)
        if entities:
            message["entities"] = entities
        if person.chat.type != "private" and self.rnd.random() < 0.3:
            message["text"] = f"@lotse_test_bot {text}"
        return message

    def command(self, person: Person) -> Json:
        """A /command, sometimes with an odd argument."""
        rnd = self.rnd
        command = rnd.choice(COMMANDS)
        text = command
        if command.startswith("/start") and rnd.random() < 0.5:
            arg = rnd.choice(
                ("pflegegrad", "frauen-gewalt", "PFLEGE", "../../etc", "x" * 300, self.text(20))
            )
            text = f"{command} {arg}"
        length = len(command.encode("utf-16-le")) // 2
        entities = [{"type": "bot_command", "offset": 0, "length": length}]
        return self.message(person, text=text, entities=entities if len(command) > 1 else None)

    def media_message(self, person: Person) -> Json:
        """A sticker, photo, voice, document, location, venue, contact, dice or poll."""
        rnd = self.rnd
        kind = rnd.choice(
            ("sticker", "photo", "voice", "document", "location", "venue", "contact", "dice")
        )
        if kind in self.media:
            extra: Json = dict(self.media[kind])
            if kind in ("photo", "document") and rnd.random() < 0.5:
                extra["caption"] = self.text(rnd.randint(1, 1024))
        elif kind == "location":
            extra = {
                "location": {"latitude": rnd.uniform(-90, 90), "longitude": rnd.uniform(-180, 180)}
            }
        elif kind == "venue":
            location = {"latitude": 51.61, "longitude": 7.19}
            venue = {"location": location, "title": self.text(30), "address": self.text(60)}
            extra = {"venue": venue, "location": location}
        elif kind == "contact":
            contact: Json = {"phone_number": "+49 171 2345678", "first_name": self.text(10) or "x"}
            if rnd.random() < 0.5:
                contact["user_id"] = person.user["id"]
            extra = {"contact": contact}
        else:
            extra = {"dice": {"emoji": "🎲", "value": rnd.randint(1, 6)}}
        return self._base(person, **extra)

    def callback(self, person: Person, message: FakeMessage) -> tuple[str, Json]:
        """A button press on one of the bot's messages that is still in the chat."""
        query_id = self.server.new_callback_query_id()
        data = self.payload(message)
        self.server.callback_queries[query_id] = CallbackQueryRecord(
            query_id, person.user["id"], person.chat.id, message.message_id, data
        )
        query: Json = {
            "id": query_id,
            "from": person.user,
            "chat_instance": str(abs(person.chat.id) * 7919),
        }
        if self.rnd.random() < 0.97:
            query["message"] = message.to_api()
        else:
            query["inline_message_id"] = "AAAAAfake"  # pressed in an inline message
        if data is not None:
            query["data"] = data
        return "callback_query", query

    def odd(self, person: Person) -> tuple[str, Json]:
        """Updates the bot has no handler for, or rarely sees."""
        rnd = self.rnd
        roll = rnd.random()
        if roll < 0.3:
            edited = self.message(person, text=self.message_text())
            edited["edit_date"] = self.server.now
            return "edited_message", edited
        if roll < 0.5:
            post = {
                "message_id": self.channel.take_message_id(),
                "date": self.server.now,
                "chat": self.channel.to_api(),
                "sender_chat": self.channel.to_api(),
                "text": rnd.choice(("/start", "hallo", self.text(50))),
            }
            return "channel_post", post
        if roll < 0.75:
            bot = self.server.bot_user
            old, new = rnd.choice((("member", "kicked"), ("kicked", "member")))
            member: Json = {
                "chat": person.chat.to_api(),
                "from": person.user,
                "date": self.server.now,
                "old_chat_member": _member(old, bot),
                "new_chat_member": _member(new, bot),
            }
            return "my_chat_member", member
        query = {
            "id": str(rnd.randint(1, HUGE)),
            "from": person.user,
            "query": self.text(40),
            "offset": "",
        }
        return "inline_query", query


def _member(status: str, user: Json) -> Json:
    """A ChatMember object (a ban carries its end date; 0 is forever)."""
    member: Json = {"status": status, "user": user}
    if status == "kicked":
        member["until_date"] = 0
    return member


def _distinct_chats(people: list[Person], rnd: random.Random, size: int) -> list[Person]:
    """People whose chats all differ, so concurrent updates never race on one message."""
    picked: dict[int, Person] = {}
    for person in rnd.sample(people, min(len(people), size * 2)):
        picked.setdefault(person.chat.id, person)
        if len(picked) == size:
            break
    return list(picked.values())


async def run_fuzz(
    server: FakeBotApi,
    app: App,
    *,
    in_process: int,
    via_polling: int,
    seed: int = 1,
    batch: int = 16,
    progress: Callable[[int], None] | None = None,
) -> FuzzRun:
    """Feed ``in_process`` updates to ``process_update``, ``via_polling`` through getUpdates.

    The application must be running against ``server`` (``server.running(app)``), watched
    (``tests.fakes.harness.watch``), with an error handler of its own if crashes are to be
    seen (``process_update`` reports to those).
    """
    rnd = random.Random(seed)
    run = FuzzRun()
    started = time.perf_counter()
    direct = Fuzzer(server, rnd, people=48, first_id=700_000)
    polled = Fuzzer(server, rnd, people=16, first_id=800_000)
    next_id = 1_000_000_000
    done = 0
    while done < in_process:
        people = _distinct_chats(direct.people, rnd, min(batch, in_process - done))
        updates = []
        for person in people:
            kind, payload = direct.update(person)
            updates.append(Update.de_json({"update_id": next_id, kind: payload}, app.bot))
            run.in_process_ids.add(next_id)
            next_id += 1
        results = await asyncio.gather(
            *(app.process_update(u) for u in updates), return_exceptions=True
        )
        run.crashes.extend(r for r in results if isinstance(r, BaseException))
        done += len(updates)
        if progress is not None:
            progress(done)
    sent = 0
    while sent < via_polling:
        people = _distinct_chats(polled.people, rnd, min(batch, via_polling - sent))
        for person in people:
            kind, payload = polled.update(person)
            server.inject_update(kind, payload)
        await server.wait_idle(quiet=0.0)
        sent += len(people)
    run.updates = done + sent
    run.via_polling = sent
    run.requests = len(server.requests)
    run.seconds = time.perf_counter() - started
    return run
