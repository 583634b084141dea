"""Logging set-up: which loggers may speak, and a last filter that blanks secrets. No I/O else.

Lotse's own log lines never carry a user id, a user key, a name or a typed text. Libraries
do at DEBUG: aiosqlite prints every statement with its parameters (the salt, user keys,
note texts), python-telegram-bot whole updates, httpx request URLs with the token in them.
``QUIET_LOGGERS`` keeps them above that level whatever LOTSE_LOG_LEVEL says, and
``Redactor`` blanks the token and the salt in anything that still reaches a handler (such
as python-telegram-bot's "The token `…` was rejected by the server").
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

# name -> the lowest level the logger may ever run at
QUIET_LOGGERS = {
    "aiosqlite": logging.WARNING,
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
}
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HIDDEN = "[hidden]"
# The shape of any bot token (digits, colon, 30+ URL-safe characters), known or not.
TOKEN_SHAPE = re.compile(r"\b\d{3,20}:[A-Za-z0-9_-]{30,}")


def quiet_libraries() -> None:
    """Raise the libraries' loggers to their floor (never lower what is already higher)."""
    for name, level in QUIET_LOGGERS.items():
        logger = logging.getLogger(name)
        logger.setLevel(max(level, logger.getEffectiveLevel()))


class Redactor(logging.Filter):
    """Blank secrets (and anything shaped like a bot token) in a record, traceback included."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced."""
        for secret in self.secrets:
            text = text.replace(secret, HIDDEN)
        return TOKEN_SHAPE.sub(HIDDEN, text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; always let it through."""
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def setup_logging(level: str, secrets: Iterable[str | None] = ()) -> logging.Handler:
    """Log to stderr at ``level``, libraries quietened and secrets blanked; the handler."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    redactor = Redactor(secrets)
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
    for each in root.handlers:
        each.addFilter(redactor)
    quiet_libraries()
    return handler
