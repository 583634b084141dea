"""What every storage module builds on: the backend, the salts, and the helpers that run
``?``-parameter SQL on either database. No SQL of a topic here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from contextlib import AbstractAsyncContextManager

from bot.knowledge.conventions import utc_today
from bot.salts import Salts
from bot.storage.backend import Backend, Params, Row, Session


def today() -> str:
    """Today's UTC date as text."""
    return utc_today().isoformat()


def day_text(day: dt.date | None) -> str:
    """The day a record is stored under: ISO date text, nothing finer."""
    return (day or utc_today()).isoformat()


class StoreBase:
    """The backend and salts every topic module's methods use (see the package docstring)."""

    def __init__(self, backend: Backend, salts: Salts | None) -> None:
        self.backend = backend
        self._salts = salts

    # -- the helpers: every statement of the bot goes through these --------------------------

    async def _execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement and commit it; how many rows it changed."""
        return await self.backend.execute(sql, params)

    async def _fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Rows of one query."""
        return await self.backend.fetchall(sql, params)

    async def _fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of one query, if any."""
        rows = await self.backend.fetchall(sql, params)
        return rows[0] if rows else None

    def _transaction(self) -> AbstractAsyncContextManager[Session]:
        """Several statements that commit together (``async with self._transaction() as tx``)."""
        return self.backend.transaction()

    # -- pseudonymous keys --------------------------------------------------------------------

    def _secret_salts(self) -> Salts:
        if self._salts is None:
            raise RuntimeError("this Storage was opened without salts (keys=False)")
        return self._salts

    def user_key(self, user_id: int) -> str:
        """The pseudonymous key for a Telegram user id (HMAC-SHA256 under the salt)."""
        return self.user_keys(user_id)[0]

    def user_keys(self, user_id: int) -> tuple[str, ...]:
        """Every key the user may have: under the current salt first, then earlier ones."""
        message = str(user_id).encode()
        return tuple(
            hmac.new(s.encode(), message, hashlib.sha256).hexdigest()
            for s in self._secret_salts().all
        )

    def chat_key(self, chat_id: int) -> str:
        """The pseudonymous key for a chat id (HMAC-SHA256 under the salt, apart from users')."""
        secret = self._secret_salts().current.encode()
        return hmac.new(secret, f"chat:{chat_id}".encode(), hashlib.sha256).hexdigest()
