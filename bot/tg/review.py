"""/review for reviewers (Lotsinnen) and /verify for staff. Telegram shell only.

What comes next, whether a correction may reach users and every text is decided in
``bot.review``; verdicts and the pending "your next message is the correction" live in the
database, so any worker and any restart carries on. Only people configured in
LOTSE_REVIEWERS or LOTSE_STAFF_IDS, and only in a private chat: everyone else gets the
unknown-command reply, and in a group nothing happens. A reviewer's or staff member's typed
text goes to the normal handler unless they were asked for a correction or a note.
Nothing here logs a message text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram import Update, User
from telegram.constants import MessageLimit
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.conversation.usage import UsageKind
from bot.engine import screens as sc
from bot.errors import DatabaseFault
from bot.i18n import Translator
from bot.knowledge.conventions import utc_now, utc_today
from bot.review import screens as rs
from bot.review.apply import Decision, Verdict
from bot.review.checks import check_correction
from bot.review.queue import Entry, pending, review_entries
from bot.review.queue import ref as queue_ref
from bot.storage.review import Awaiting, PendingRow
from bot.tg.desk import Desk, in_private_chat
from bot.tg.verify import VerifyDesk

log = logging.getLogger(__name__)


class _Reviews(Desk):
    """The /review half of the desk."""

    async def cmd_review(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/review [lang]: the next translation most in need of a native speaker's eye."""
        found = self._reviewer(update)
        if found is None:
            await self._refused(update, context)
            return
        user, reviewer = found
        wanted = context.args[0].lower() if context.args else None
        langs = (wanted,) if wanted in reviewer.languages else reviewer.languages
        await self._drop_pending(user)
        await self._sync(force=True)
        await self._next_entry(update, context, user, langs, after=None)

    async def _entries(self, lang: str) -> tuple[list[Entry], list[Entry], list[Decision]]:
        """Every entry of ``lang``, those still to review, and the verdicts stored."""
        engine = self.engine()
        views = await self._views(UsageKind.SCREEN, UsageKind.CARD)
        entries = review_entries(engine.knowledge, engine.catalogs, lang, views)
        decisions = [d for d in self.live.decisions if d.lang == lang]
        decided = {(d.domain, d.key): d.source for d in decisions}
        return entries, pending(entries, decided), decisions

    async def _progress(self, t: Translator, user: User, lang: str) -> str:
        entries, todo, decisions = await self._entries(lang)
        mine = sum(d.reviewer == user.id for d in decisions)
        return rs.progress(t, lang, len(entries) - len(todo), len(entries), mine)

    async def _next_entry(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        user: User,
        langs: Sequence[str],
        *,
        after: str | None,
        note: str = "",
    ) -> None:
        """Send the next entry to review (the one after ``after``) of the first of ``langs``
        that has one left; else "nothing left" with the first language's progress."""
        t = self._t(update)
        for lang in langs:
            _, todo, _ = await self._entries(lang)
            if todo:
                refs = [e.ref for e in todo]
                index = (refs.index(after) + 1) % len(todo) if after in refs else 0
                head = await self._progress(t, user, lang)
                screen = rs.review_screen(t, self.engine(), todo[index], head, note)
                await self._send(update, context, screen)
                return
        await self._send(
            update, context, rs.done_screen(t, await self._progress(t, user, langs[0]))
        )

    def _entry(self, lang: str, ref: str) -> Entry | None:
        engine = self.engine()
        return next(
            (e for e in review_entries(engine.knowledge, engine.catalogs, lang) if e.ref == ref),
            None,
        )

    async def on_review_button(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, action: str, args: list[str]
    ) -> None:
        """✅, ✏️, ⏭ or ⏹ under an entry (``args``: its language and reference)."""
        found = self._reviewer(update)
        if found is None:
            return
        user, reviewer = found
        t = self._t(update)
        await self._drop_pending(user)
        if action == rs.STOP or len(args) < 2 or args[0] not in reviewer.languages:
            await self._send(
                update,
                context,
                sc.Screen(sc.escape(t("Stopped. /review continues with the next entry."))),
            )
            return
        lang, ref = args[0], args[1]
        if action == rs.SKIP:
            await self._next_entry(update, context, user, (lang,), after=ref)
            return
        entry = self._entry(lang, ref)
        if entry is None:
            note = t("This entry changed in the meantime.")
            await self._next_entry(update, context, user, (lang,), after=None, note=note)
            return
        if action == rs.EDIT:
            row = PendingRow(Awaiting.CORRECTION, lang, entry.domain, entry.key)
            if await self._await_text(update, context, user, row):
                await self._send(update, context, rs.ask_correction(t, entry))
            return
        if action == rs.APPROVE and entry.current:
            decision = self._decision(entry, entry.current, Verdict.APPROVED, user)
            if await self._save(update, context, decision):
                note = "✅ " + t("Saved.")
                await self._next_entry(update, context, user, (lang,), after=ref, note=note)

    @staticmethod
    def _decision(entry: Entry, text: str, verdict: Verdict, user: User) -> Decision:
        return Decision(
            entry.lang,
            entry.domain,
            entry.key,
            entry.source,
            text,
            verdict,
            user.id,
            utc_today(),
        )

    async def _correction(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        user: User,
        row: PendingRow,
        text: str,
    ) -> None:
        """The reviewer's message after ✏️: checked, then stored, or refused with the reason."""
        t = self._t(update)
        entry = self._entry(row.lang, queue_ref(row.domain, row.key))
        if entry is None:
            await self._drop_pending(user)
            note = t("This entry changed in the meantime.")
            await self._next_entry(update, context, user, (row.lang,), after=None, note=note)
            return
        refusal = check_correction(
            entry.source, text, row.lang, key=entry.key, source_lang=entry.source_lang
        )
        if refusal is not None:
            # Still pending: the next message is the next try.
            await self._send(update, context, rs.refused(t, entry, refusal))
            return
        decision = self._decision(entry, text.strip(), Verdict.CORRECTED, user)
        if await self._settle(update, context, user, decision):
            note = "✅ " + t("Saved. Users see the corrected text from now on.")
            await self._next_entry(update, context, user, (row.lang,), after=entry.ref, note=note)


@dataclass
class ReviewDesk(_Reviews, VerifyDesk):
    """The /review and /verify callbacks, bound to the running bot's engine and storage."""

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A /review or /verify button (payload ``rv:…`` or ``vf:…``)."""
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer()
        except TelegramError as exc:
            log.warning("could not answer a button press: %s", type(exc).__name__)
        parts = (query.data or "").split(":")
        action, args = (parts[1] if len(parts) > 1 else ""), parts[2:]
        if parts[0] == rs.REVIEW:
            await self.on_review_button(update, context, action, args)
        elif parts[0] == rs.VERIFY:
            await self.on_verify_button(update, context, action, args)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A reviewer's or staff member's text: their correction or note, if one was asked for;
        otherwise the normal answer, as for anyone."""
        user = update.effective_user
        message = update.effective_message
        store = self.storage()
        row = None
        if user is not None and store is not None and in_private_chat(update):
            try:
                row = await store.pending_input(user.id, utc_now())
            except DatabaseFault as exc:
                log.warning(
                    "could not read a pending correction: %s", type(exc.__cause__).__name__
                )
        if row is None or user is None or message is None or message.text is None:
            await self.text_fallback(update, context)
            return
        text = message.text[: MessageLimit.MAX_TEXT_LENGTH]
        if row.kind == Awaiting.CORRECTION and user.id in self.settings.reviewers:
            await self._correction(update, context, user, row, text)
        elif row.kind == Awaiting.NOTE and user.id in self.settings.staff_ids:
            await self._note(update, context, user, row, text)
        else:
            await self.text_fallback(update, context)


def add_review_handlers(app: Application[Any, Any, Any, Any, Any, Any], lotse: Any) -> ReviewDesk:
    """Register /review, /verify, their buttons and the pending-text check (before Lotse's
    own button and text handlers, which they pass everything else on to)."""
    desk = ReviewDesk(
        lotse.settings,
        lambda: lotse.engine,
        lambda: lotse.storage,
        lotse.on_unknown_command,
        lotse.on_text,
    )
    # Group -1 runs before every other handler and never stops an update.
    app.add_handler(TypeHandler(Update, desk.refresh), group=-1)
    app.add_handler(CommandHandler("review", desk.cmd_review))
    app.add_handler(CommandHandler("verify", desk.cmd_verify))
    app.add_handler(CallbackQueryHandler(desk.on_button, pattern=rf"^({rs.REVIEW}|{rs.VERIFY}):"))
    if desk.people:
        only_them = filters.User(user_id=desk.people) & filters.ChatType.PRIVATE
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & only_them, desk.on_text))
    return desk
