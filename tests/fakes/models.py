"""State objects of the fake Telegram Bot API: chats, messages, callback queries, requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Buttons = list[list[tuple[str, str | None]]]


@dataclass
class FakeChat:
    """A chat known to the fake server, with the messages currently in it (oldest first)."""

    id: int
    type: str
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    messages: list[FakeMessage] = field(default_factory=list)
    # Every message ever posted here, deleted or not (what a test can compare against).
    history: list[FakeMessage] = field(default_factory=list)
    next_message_id: int = 1
    blocked: bool = False
    bot_is_admin: bool = False
    reply_keyboard: dict[str, Any] | None = None
    actions: list[str] = field(default_factory=list)
    menu_button: dict[str, Any] | None = None

    def to_api(self) -> dict[str, Any]:
        """Return the Bot API ``Chat`` object."""
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "first_name", "last_name", "username"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data

    def take_message_id(self) -> int:
        """Allocate the next message id of this chat."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def post(self, message: FakeMessage) -> None:
        """Add a new message to the chat."""
        self.messages.append(message)
        self.history.append(message)

    def find(self, message_id: int) -> FakeMessage | None:
        """Return the message with ``message_id`` if it is still in the chat."""
        return next((m for m in self.messages if m.message_id == message_id), None)


@dataclass
class FakeMessage:
    """A message in a fake chat, as the user would see it."""

    message_id: int
    chat: FakeChat = field(repr=False)
    sender: dict[str, Any] = field(repr=False)
    date: int
    kind: str
    text: str | None = None
    raw_text: str | None = None
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list, repr=False)
    reply_markup: dict[str, Any] | None = field(default=None, repr=False)
    payload: dict[str, Any] = field(default_factory=dict, repr=False)
    edit_date: int | None = None
    reply_to_message_id: int | None = None

    @property
    def from_bot(self) -> bool:
        """Whether the bot sent this message."""
        return bool(self.sender.get("is_bot"))

    @property
    def html(self) -> str | None:
        """The text or caption exactly as the bot sent it (with markup)."""
        return self.raw_text

    @property
    def caption(self) -> str | None:
        """Plain caption of a media message."""
        return self.text if self.kind != "text" else None

    @property
    def contact(self) -> dict[str, Any] | None:
        """The ``Contact`` object of a contact message."""
        return self.payload.get("contact")

    @property
    def venue(self) -> dict[str, Any] | None:
        """The ``Venue`` object of a venue message."""
        return self.payload.get("venue")

    @property
    def location(self) -> dict[str, Any] | None:
        """The ``Location`` object of a location or venue message."""
        return self.payload.get("location")

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        """Rows of inline buttons (raw dicts); empty without an inline keyboard."""
        if not self.reply_markup:
            return []
        rows: list[list[dict[str, Any]]] = self.reply_markup.get("inline_keyboard", [])
        return rows

    @property
    def buttons(self) -> Buttons:
        """Rows of inline buttons as (text, callback_data or url or None)."""
        return [
            [(b["text"], b.get("callback_data", b.get("url"))) for b in row]
            for row in self.inline_keyboard
        ]

    @property
    def button_texts(self) -> list[str]:
        """All inline button labels, row by row."""
        return [text for row in self.buttons for text, _ in row]

    @property
    def reply_buttons(self) -> list[list[str]]:
        """Rows of a reply keyboard sent with this message."""
        if not self.reply_markup:
            return []
        return [
            [b if isinstance(b, str) else b["text"] for b in row]
            for row in self.reply_markup.get("keyboard", [])
        ]

    def to_api(self) -> dict[str, Any]:
        """Return the Bot API ``Message`` object."""
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": self.chat.to_api(),
            "from": self.sender,
        }
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.reply_to_message_id is not None:
            replied = self.chat.find(self.reply_to_message_id)
            if replied is not None:
                data["reply_to_message"] = replied.to_api()
        if self.text is not None:
            if self.kind == "text":
                data["text"] = self.text
                if self.entities:
                    data["entities"] = self.entities
            else:
                data["caption"] = self.text
                if self.entities:
                    data["caption_entities"] = self.entities
        data.update(self.payload)
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        return data


@dataclass
class CallbackQueryRecord:
    """A callback query injected by a test and the bot's answer to it."""

    id: str
    user_id: int
    chat_id: int | None
    message_id: int | None
    data: str | None
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None


@dataclass(frozen=True)
class RecordedRequest:
    """One request the bot made: method name (as in the spec) and decoded parameters."""

    method: str
    params: dict[str, Any]
    time: float


@dataclass(frozen=True)
class Rejection:
    """A request the fake refused, with Telegram's error answer."""

    method: str
    params: dict[str, Any]
    status: int
    description: str

    def __str__(self) -> str:
        """Render as ``method -> status description``."""
        return f"{self.method}({self.params!r}) -> {self.status} {self.description}"


@dataclass
class Fault:
    """A scripted answer for the next ``times`` calls of a method (see ``inject_fault``)."""

    status: int | None = None
    description: str | None = None
    retry_after: int | None = None
    delay: float = 0.0
    reset: bool = False
    result: Any = None
    has_result: bool = False
    times: int = 1
