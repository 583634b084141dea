"""Test driver for the fake Bot API: a person who writes to the bot and presses its buttons.

Every action injects an update and then waits (``FakeBotApi.wait_idle``) until the bot fetched
it and finished reacting, so assertions can follow directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import CallbackQueryRecord, FakeChat, FakeMessage

if TYPE_CHECKING:
    from .bot_api import FakeBotApi

_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


class FakeUser:
    """A Telegram user chatting with the bot (create with ``FakeBotApi.user``)."""

    def __init__(
        self,
        server: FakeBotApi,
        *,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
        chat: FakeChat,
    ) -> None:
        """Bind the user to its chat on ``server``."""
        self.server = server
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.chat = chat

    def to_api(self) -> dict[str, Any]:
        """Return the Bot API ``User`` object."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data

    # ------------------------------------------------------------------ what the user sees

    @property
    def messages(self) -> list[FakeMessage]:
        """Messages currently in the chat, oldest first (user's and bot's)."""
        return list(self.chat.messages)

    @property
    def bot_messages(self) -> list[FakeMessage]:
        """Messages of the bot currently in the chat."""
        return [m for m in self.chat.messages if m.from_bot]

    @property
    def last_bot_message(self) -> FakeMessage:
        """The newest bot message in the chat (AssertionError when there is none)."""
        bot_messages = self.bot_messages
        if not bot_messages:
            raise AssertionError(f"the bot has no message in chat {self.chat.id}")
        return bot_messages[-1]

    @property
    def callback_answers(self) -> list[CallbackQueryRecord]:
        """This user's callback queries that the bot answered, oldest first."""
        return [
            q for q in self.server.callback_queries.values() if q.user_id == self.id and q.answered
        ]

    @property
    def reply_keyboard(self) -> list[list[str]]:
        """Rows of the reply keyboard currently shown in the chat (empty when none)."""
        if self.chat.reply_keyboard is None:
            return []
        return [
            [b if isinstance(b, str) else b["text"] for b in row]
            for row in self.chat.reply_keyboard.get("keyboard", [])
        ]

    def block(self, blocked: bool = True) -> None:
        """Block (or unblock) the bot: its sends then fail with 403 Forbidden."""
        self.chat.blocked = blocked

    # ------------------------------------------------------------------ actions

    async def _post(
        self,
        kind: str,
        *,
        text: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        payload: dict[str, Any] | None = None,
        reply_to: FakeMessage | None = None,
        wait: bool = True,
    ) -> FakeMessage:
        message = FakeMessage(
            message_id=self.chat.take_message_id(),
            chat=self.chat,
            sender=self.to_api(),
            date=self.server.now,
            kind=kind,
            text=text,
            raw_text=text,
            entities=entities or [],
            payload=payload or {},
            reply_to_message_id=reply_to.message_id if reply_to else None,
        )
        self.chat.post(message)
        self.server.inject_update("message", message.to_api())
        if wait:
            await self.server.wait_idle()
        return message

    async def send(
        self, text: str, *, reply_to: FakeMessage | None = None, wait: bool = True
    ) -> FakeMessage:
        """Send a text message; a leading ``/command`` gets a bot_command entity."""
        entities: list[dict[str, Any]] = []
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities.append(
                {
                    "type": "bot_command",
                    "offset": 0,
                    "length": len(command.encode("utf-16-le")) // 2,
                }
            )
        return await self._post("text", text=text, entities=entities, reply_to=reply_to, wait=wait)

    async def send_sticker(self, emoji: str = "👍", *, wait: bool = True) -> FakeMessage:
        """Send a sticker."""
        info = self.server.register_file(b"RIFFfakewebp", kind="sticker", file_name="s.webp")
        payload = self.server.media_payload("sticker", info, emoji=emoji)
        return await self._post("sticker", payload=payload, wait=wait)

    async def send_photo(
        self, caption: str | None = None, *, data: bytes = _PNG, wait: bool = True
    ) -> FakeMessage:
        """Send a photo (its bytes are downloadable by the bot via getFile)."""
        info = self.server.register_file(data, kind="photo", file_name="photo.png")
        payload = self.server.media_payload("photo", info)
        return await self._post("photo", text=caption, payload=payload, wait=wait)

    async def send_voice(self, duration: int = 3, *, wait: bool = True) -> FakeMessage:
        """Send a voice message."""
        info = self.server.register_file(
            b"OggSfake", kind="voice", file_name="voice.ogg", mime_type="audio/ogg"
        )
        payload = self.server.media_payload("voice", info, duration=duration)
        payload["voice"]["mime_type"] = "audio/ogg"
        return await self._post("voice", payload=payload, wait=wait)

    async def send_document(
        self,
        file_name: str = "document.pdf",
        *,
        data: bytes = b"%PDF-1.4 fake",
        mime_type: str = "application/pdf",
        caption: str | None = None,
        wait: bool = True,
    ) -> FakeMessage:
        """Send a document."""
        info = self.server.register_file(
            data, kind="document", file_name=file_name, mime_type=mime_type
        )
        payload = self.server.media_payload("document", info)
        return await self._post("document", text=caption, payload=payload, wait=wait)

    async def send_contact(
        self,
        phone_number: str = "+49 2361 530",
        first_name: str | None = None,
        *,
        own: bool = True,
        wait: bool = True,
    ) -> FakeMessage:
        """Share a contact (by default the user's own, as a request_contact button does)."""
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or self.first_name,
        }
        if own:
            contact["user_id"] = self.id
        return await self._post("contact", payload={"contact": contact}, wait=wait)

    async def send_location(
        self, latitude: float = 51.6141, longitude: float = 7.1979, *, wait: bool = True
    ) -> FakeMessage:
        """Share a location (default: Recklinghausen)."""
        location = {"latitude": latitude, "longitude": longitude}
        return await self._post("location", payload={"location": location}, wait=wait)

    async def press(
        self, label: str, message: FakeMessage | None = None, *, wait: bool = True
    ) -> CallbackQueryRecord:
        """Press the inline button labelled ``label`` (default: newest message with buttons)."""
        if message is None:
            with_keyboard = [m for m in self.bot_messages if m.inline_keyboard]
            if not with_keyboard:
                shown = [(m.message_id, m.text) for m in self.messages]
                raise AssertionError(
                    f"no bot message with an inline keyboard in chat {self.chat.id}; "
                    f"messages: {shown}"
                )
            message = with_keyboard[-1]
        if self.chat.find(message.message_id) is None:
            raise AssertionError(f"message {message.message_id} is no longer in the chat")
        for row in message.inline_keyboard:
            for button in row:
                if button["text"] != label:
                    continue
                if "callback_data" not in button:
                    raise AssertionError(f"button {label!r} is not a callback button: {button!r}")
                return await self.press_data(message, button["callback_data"], wait=wait)
        raise AssertionError(
            f"no inline button {label!r} on message {message.message_id} "
            f"({(message.text or '')[:60]!r}); available buttons: {message.button_texts}"
        )

    async def press_data(
        self, message: FakeMessage | int, data: str, *, wait: bool = True
    ) -> CallbackQueryRecord:
        """Send a callback query with arbitrary ``data`` for a message (forged payloads)."""
        message_id = message if isinstance(message, int) else message.message_id
        found = self.chat.find(message_id)
        query_id = self.server.new_callback_query_id()
        query = CallbackQueryRecord(query_id, self.id, self.chat.id, message_id, data)
        self.server.callback_queries[query_id] = query
        shown: dict[str, Any] = (
            found.to_api()
            if found is not None
            else {"chat": self.chat.to_api(), "message_id": message_id, "date": 0}
        )
        self.server.inject_update(
            "callback_query",
            {
                "id": query_id,
                "from": self.to_api(),
                "message": shown,
                "chat_instance": str(abs(self.chat.id) * 7919),
                "data": data,
            },
        )
        if wait:
            await self.server.wait_idle()
        return query
