"""Test fakes for Lotse: an in-process fake Telegram Bot API server and a user driver."""

from __future__ import annotations

from .bot_api import DEFAULT_TOKEN, FakeBotApi
from .models import CallbackQueryRecord, FakeChat, FakeMessage, Fault, RecordedRequest, Rejection
from .spec import ApiError, BotApiSpec, load_spec
from .user import FakeUser

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "BotApiSpec",
    "CallbackQueryRecord",
    "FakeBotApi",
    "FakeChat",
    "FakeMessage",
    "FakeUser",
    "Fault",
    "RecordedRequest",
    "Rejection",
    "load_spec",
]
