"""What /review and /verify share: who may use them, their texts, storage and sending.

The two halves live in ``bot.tg.review`` (translations) and ``bot.tg.verify`` (services); see
``bot.tg.review`` for the rules they keep. Nothing here logs a message text.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram import Update, User
from telegram.constants import ChatType, MessageLimit
from telegram.ext import ContextTypes

from bot.config import Reviewer, Settings
from bot.engine import screens as sc
from bot.engine.flow import Engine
from bot.errors import DatabaseFault
from bot.i18n import Translator, negotiate
from bot.knowledge.conventions import utc_now, utc_today
from bot.review.apply import Decision, ServiceReport
from bot.review.live import LiveReviews
from bot.review.queue import VIEWS_DAYS, view_counts
from bot.storage import Storage
from bot.storage.review import PendingRow
from bot.tg.render import NO_PREVIEW, PARSE_MODE, keyboard

log = logging.getLogger(__name__)
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


@dataclass
class Desk:
    """The state and helpers the /review and /verify callbacks share."""

    settings: Settings
    engine: Callable[[], Engine]
    storage: Callable[[], Storage | None]
    unknown: Callback
    text_fallback: Callback
    live: LiveReviews = field(default_factory=LiveReviews)

    # -- who may -----------------------------------------------------------------------------

    @property
    def people(self) -> frozenset[int]:
        """Everyone whose typed text may be a correction or a note."""
        return frozenset(self.settings.reviewers) | self.settings.staff_ids

    def _reviewer(self, update: Update) -> tuple[User, Reviewer] | None:
        user = update.effective_user
        if user is None or not in_private_chat(update):
            return None
        found = self.settings.reviewers.get(user.id)
        return (user, found) if found else None

    def _staff(self, update: Update) -> User | None:
        user = update.effective_user
        if user is None or not in_private_chat(update) or user.id not in self.settings.staff_ids:
            return None
        return user

    def _t(self, update: Update) -> Translator:
        user = update.effective_user
        engine = self.engine()
        lang = negotiate(user.language_code if user else None, engine.languages) or "de"
        return engine.catalogs.translator(lang)

    async def _refused(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if in_private_chat(update):
            await self.unknown(update, context)

    # -- every update: reviews and checks of other workers -------------------------------------

    async def refresh(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Before any handler: take in verdicts stored since (one tiny read, once a second)."""
        del update, context
        await self._sync(force=False)

    async def _sync(self, *, force: bool) -> None:
        store = self.storage()
        engine = self.engine()
        if store is not None:
            try:
                await self.live.refresh(store, force=force)
            except DatabaseFault as exc:
                log.warning("could not read reviews: %s", type(exc.__cause__).__name__)
        self.live.install(engine.catalogs, engine.checks)

    # -- verdicts and the text typed after ✏️ ------------------------------------------------

    async def _keep(self, verdict: Decision | ServiceReport) -> bool:
        """Store a verdict and show it to users at once; False (logged) when that failed."""
        store = self.storage()
        if store is None:
            return False
        try:
            if isinstance(verdict, Decision):
                await store.save_review(verdict)
            else:
                await store.save_report(verdict)
        except DatabaseFault as exc:
            log.error("could not store a verdict: %s", type(exc.__cause__).__name__)
            return False
        await self._sync(force=True)
        return True

    async def _save(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, verdict: Decision | ServiceReport
    ) -> bool:
        """Store a verdict; False, with an apology sent, when that failed."""
        if await self._keep(verdict):
            return True
        await self._apologise(update, context)
        return False

    async def _settle(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        user: User,
        verdict: Decision | ServiceReport,
    ) -> bool:
        """Store the verdict a typed correction or note makes, and stop waiting for one;
        False, with an apology sent (still waiting), when storing failed."""
        if not await self._save(update, context, verdict):
            return False
        await self._drop_pending(user)
        return True

    async def _await_text(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        user: User,
        row: PendingRow,
    ) -> bool:
        """Take ``user``'s next message as ``row`` says; False, with an apology sent, when the
        database cannot keep that."""
        store = self.storage()
        if store is None or not await self._quietly(store.set_pending(user.id, row, utc_now())):
            await self._apologise(update, context)
            return False
        return True

    async def _drop_pending(self, user: User) -> None:
        """Take ``user``'s next message as an ordinary text again."""
        store = self.storage()
        if store is not None:
            await self._quietly(store.drop_pending(user.id))

    # -- helpers ---------------------------------------------------------------------------------

    async def _views(self, *kinds: str) -> dict[str, int]:
        """How often users saw each node or service lately (usage totals); {} on a fault."""
        store = self.storage()
        if store is None:
            return {}
        until = utc_today()
        since = until - dt.timedelta(days=VIEWS_DAYS)
        try:
            rows = await store.usage_totals(since.isoformat(), until.isoformat())
        except DatabaseFault as exc:
            log.warning("could not read usage totals: %s", type(exc.__cause__).__name__)
            return {}
        return view_counts(rows, kinds)

    async def _quietly(self, step: Awaitable[None]) -> bool:
        """Run a storage step; False (logged) when the database failed."""
        try:
            await step
        except DatabaseFault as exc:
            log.warning("review storage step failed: %s", type(exc.__cause__).__name__)
            return False
        return True

    async def _apologise(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        engine = self.engine()
        t = self._t(update)
        text = engine.apology(engine.ctx(t.lang))
        await self._send(update, context, sc.Screen(sc.escape(text)))

    async def _send(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, screen: sc.Screen
    ) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        await context.bot.send_message(
            chat.id,
            screen.text[: MessageLimit.MAX_TEXT_LENGTH],
            parse_mode=PARSE_MODE,
            reply_markup=keyboard(screen),
            link_preview_options=NO_PREVIEW,
        )


def in_private_chat(update: Update) -> bool:
    """Whether ``update`` comes from a private chat (the desk never answers in a group)."""
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE
