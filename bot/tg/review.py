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

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update, User
from telegram.constants import ChatType, MessageLimit
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

from bot.config import Reviewer, Settings
from bot.engine import screens as sc
from bot.engine.flow import Engine
from bot.engine.payloads import service as service_payload
from bot.errors import DatabaseFault
from bot.i18n import Translator, negotiate
from bot.review import screens as rs
from bot.review.apply import APPROVED, CHECKED, CORRECTED, GONE, WRONG, Decision, Report
from bot.review.checks import check_correction
from bot.review.live import LiveReviews
from bot.review.queue import (
    Entry,
    pending,
    review_entries,
    services_to_check,
    summary,
)
from bot.storage import Storage
from bot.storage.review import PendingRow
from bot.tg.render import NO_PREVIEW, PARSE_MODE, keyboard

log = logging.getLogger(__name__)
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]
NOTE_MAX = 500
CORRECT, NOTE = "correct", "wrong"


def utc_now() -> dt.datetime:
    """Now, in UTC."""
    return dt.datetime.now(dt.UTC)


@dataclass
class ReviewDesk:
    """The /review and /verify callbacks, bound to the running bot's engine and storage."""

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
        if user is None or not _private(update):
            return None
        found = self.settings.reviewers.get(user.id)
        return (user, found) if found else None

    def _staff(self, update: Update) -> User | None:
        user = update.effective_user
        if user is None or not _private(update) or user.id not in self.settings.staff_ids:
            return None
        return user

    def _t(self, update: Update) -> Translator:
        user = update.effective_user
        engine = self.engine()
        lang = negotiate(user.language_code if user else None, engine.languages) or "de"
        return engine.catalogs.translator(lang)

    async def _refused(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if _private(update):
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

    # -- /review -------------------------------------------------------------------------------

    async def cmd_review(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/review [lang]: the next translation most in need of a native speaker's eye."""
        found = self._reviewer(update)
        if found is None:
            await self._refused(update, context)
            return
        user, reviewer = found
        wanted = context.args[0].lower() if context.args else None
        langs = (wanted,) if wanted in reviewer.languages else reviewer.languages
        store = self._store_or_none()
        if store is not None:
            await self._quietly(store.drop_pending(user.id))
        await self._sync(force=True)
        for lang in langs:
            if await self._show_entry(update, context, user, lang, after=None):
                return
        t = self._t(update)
        await self._send(
            update, context, rs.done_screen(t, await self._progress(t, user, langs[0]))
        )

    async def _entries(self, lang: str) -> tuple[list[Entry], list[Entry], list[Decision]]:
        """Every entry of ``lang``, those still to review, and the verdicts stored."""
        engine = self.engine()
        entries = review_entries(engine.knowledge, engine.catalogs, lang)
        decisions = [d for d in self.live.decisions if d.lang == lang]
        decided = {(d.domain, d.key): d.source for d in decisions}
        return entries, pending(entries, decided), decisions

    async def _progress(self, t: Translator, user: User, lang: str) -> str:
        entries, todo, decisions = await self._entries(lang)
        mine = sum(d.reviewer == user.id for d in decisions)
        return rs.progress(t, lang, len(entries) - len(todo), len(entries), mine)

    async def _show_entry(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        user: User,
        lang: str,
        *,
        after: str | None,
        note: str = "",
    ) -> bool:
        """Send the next entry to review (the one after ``after``); False when none is left."""
        _, todo, _ = await self._entries(lang)
        if not todo:
            return False
        refs = [e.ref for e in todo]
        index = (refs.index(after) + 1) % len(todo) if after in refs else 0
        t = self._t(update)
        head = await self._progress(t, user, lang)
        await self._send(
            update, context, rs.review_screen(t, self.engine(), todo[index], head, note)
        )
        return True

    async def _next_or_done(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        user: User,
        lang: str,
        after: str | None,
        note: str = "",
    ) -> None:
        if not await self._show_entry(update, context, user, lang, after=after, note=note):
            t = self._t(update)
            screen = rs.done_screen(t, await self._progress(t, user, lang))
            await self._send(update, context, screen)

    def _entry(self, lang: str, ref: str) -> Entry | None:
        engine = self.engine()
        return next(
            (e for e in review_entries(engine.knowledge, engine.catalogs, lang) if e.ref == ref),
            None,
        )

    async def _keep(self, verdict: Decision | Report) -> bool:
        """Store a verdict and show it to users at once; False (logged) when that failed."""
        store = self._store_or_none()
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

    async def on_review_button(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]
    ) -> None:
        """✅, ✏️, ⏭ or ⏹ under an entry."""
        found = self._reviewer(update)
        if found is None:
            return
        user, reviewer = found
        action = parts[1] if len(parts) > 1 else ""
        store = self._store_or_none()
        t = self._t(update)
        if action == rs.STOP or len(parts) < 4 or parts[2] not in reviewer.languages:
            if store is not None:
                await self._quietly(store.drop_pending(user.id))
            await self._send(
                update,
                context,
                sc.Screen(sc.escape(t("Stopped. /review continues with the next entry."))),
            )
            return
        lang, ref = parts[2], parts[3]
        if store is not None:
            await self._quietly(store.drop_pending(user.id))
        if action == rs.SKIP:
            await self._next_or_done(update, context, user, lang, after=ref)
            return
        entry = self._entry(lang, ref)
        if entry is None:
            note = t("This entry changed in the meantime.")
            await self._next_or_done(update, context, user, lang, after=None, note=note)
            return
        if action == rs.EDIT:
            if store is None or not await self._quietly(
                store.set_pending(
                    user.id,
                    PendingRow(CORRECT, lang, entry.domain, entry.key),
                    utc_now(),
                )
            ):
                await self._apologise(update, context)
                return
            await self._send(update, context, rs.ask_correction(t, entry))
            return
        if action == rs.APPROVE and entry.current:
            decision = Decision(
                lang,
                entry.domain,
                entry.key,
                entry.source,
                entry.current,
                APPROVED,
                user.id,
                utc_now().date(),
            )
            if not await self._keep(decision):
                await self._apologise(update, context)
                return
            await self._next_or_done(
                update, context, user, lang, after=ref, note="✅ " + t("Saved.")
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
        entry = next(
            (
                e
                for e in review_entries(self.engine().knowledge, self.engine().catalogs, row.lang)
                if e.domain == row.domain and e.key == row.key
            ),
            None,
        )
        store = self._store_or_none()
        if entry is None:
            if store is not None:
                await self._quietly(store.drop_pending(user.id))
            note = t("This entry changed in the meantime.")
            await self._next_or_done(update, context, user, row.lang, after=None, note=note)
            return
        refusal = check_correction(
            entry.source, text, row.lang, key=entry.key, source_lang=entry.source_lang
        )
        if refusal is not None:
            # Still pending: the next message is the next try.
            await self._send(update, context, rs.refused(t, entry, refusal))
            return
        decision = Decision(
            row.lang,
            entry.domain,
            entry.key,
            entry.source,
            text.strip(),
            CORRECTED,
            user.id,
            utc_now().date(),
        )
        if not await self._keep(decision):
            await self._apologise(update, context)
            return
        if store is not None:
            await self._quietly(store.drop_pending(user.id))
        note = "✅ " + t("Saved. Users see the corrected text from now on.")
        await self._next_or_done(update, context, user, row.lang, after=entry.ref, note=note)

    # -- /verify -------------------------------------------------------------------------------

    def _town(self, raw: str | None) -> tuple[str | None, bool]:
        """The town id for ``/verify <town>`` (by id or name); whether it was understood."""
        if not raw:
            return None, True
        wanted = raw.strip().casefold()
        for town in self.engine().knowledge.towns.values():
            if wanted in (town.id.casefold(), town.name.casefold()):
                return town.id, True
        return None, False

    async def cmd_verify(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/verify [town]: the summary, then the service most in need of a check."""
        user = self._staff(update)
        if user is None:
            await self._refused(update, context)
            return
        t = self._t(update)
        raw = " ".join(context.args or ())
        town, known = self._town(raw)
        if not known:
            towns = ", ".join(sorted(x.name for x in self.engine().knowledge.towns.values()))
            text = t("I do not know the town “{town}”. Towns: {towns}", town=raw[:40], towns=towns)
            await self._send(update, context, sc.Screen(sc.escape(text)))
            return
        store = self._store_or_none()
        if store is not None:
            await self._quietly(store.drop_pending(user.id))
        await self._sync(force=True)
        await self._show_service(update, context, town, after=None, with_summary=True)

    async def _show_service(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        town: str | None,
        *,
        after: str | None,
        note: str = "",
        with_summary: bool = False,
    ) -> None:
        engine = self.engine()
        t = self._t(update)
        todo = services_to_check(engine.knowledge, self.live.checks, town)
        head = ""
        if with_summary or not todo:
            s = summary(engine.knowledge, self.live.checks, utc_now().date(), town)
            name = engine.knowledge.towns[town].name if town else None
            head = rs.summary_line(t, s, name)
        if note:
            head = f"{note}\n{head}".strip()
        if not todo:
            text = f"<b>{sc.escape(head)}</b>\n\n" + sc.escape(t("Every service here is checked."))
            await self._send(update, context, sc.Screen(text))
            return
        refs = [rs.service_ref(s.id) for s in todo]
        index = (refs.index(after) + 1) % len(todo) if after in refs else 0
        service = todo[index]
        card, reply = "", None
        node = rs.card_node(engine.knowledge, service.id)
        if node is not None:
            reply = engine.press(engine.ctx(t.lang), service_payload(service.id, node, town))
            card = reply.screen.text
        screen = rs.verify_screen(t, engine, service, card, town, head)
        await self._send(update, context, screen)
        chat = update.effective_chat
        if reply is not None and chat is not None:
            for item in reply.screen.attachments:
                if isinstance(item, sc.Contact):  # tap to call
                    await context.bot.send_contact(
                        chat.id, phone_number=item.phone, first_name=service.name[:64]
                    )

    def _service_by_ref(self, ref: str) -> str | None:
        return next(
            (sid for sid in self.engine().knowledge.services if rs.service_ref(sid) == ref), None
        )

    async def on_verify_button(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]
    ) -> None:
        """✅, ✏️, 🚫, ⏭ or ⏹ under a service."""
        user = self._staff(update)
        if user is None:
            return
        t = self._t(update)
        action = parts[1] if len(parts) > 1 else ""
        store = self._store_or_none()
        if store is not None:
            await self._quietly(store.drop_pending(user.id))
        if action == rs.STOP or len(parts) < 3:
            text = t("Stopped. /verify continues with the next service.")
            await self._send(update, context, sc.Screen(sc.escape(text)))
            return
        ref, town = parts[2], (parts[3] if len(parts) > 3 and parts[3] else None)
        if town is not None and town not in self.engine().knowledge.towns:
            town = None
        if action == rs.SKIP:
            await self._show_service(update, context, town, after=ref)
            return
        sid = self._service_by_ref(ref)
        if sid is None:
            note = t("This entry changed in the meantime.")
            await self._show_service(update, context, town, after=None, note=note)
            return
        today = utc_now().date()
        if action == rs.APPROVE:
            if not await self._keep(Report(sid, CHECKED, user.id, today)):
                await self._apologise(update, context)
                return
            note = "✅ " + t("Saved. The card now says: {line}", line=rs.today_line(t, today))
            await self._show_service(update, context, town, after=ref, note=note)
        elif action == rs.GONE:
            if not await self._keep(Report(sid, GONE, user.id, today)):
                await self._apologise(update, context)
                return
            note = "🚫 " + t("Noted for the content editor.")
            await self._show_service(update, context, town, after=ref, note=note)
        elif action == rs.WRONG:
            row = PendingRow(NOTE, town or "", "service", sid)
            if store is None or not await self._quietly(
                store.set_pending(user.id, row, utc_now())
            ):
                await self._apologise(update, context)
                return
            text = t(
                "What is wrong? Your next message goes to the content editor; users do not see it."
            )
            await self._send(update, context, sc.Screen(sc.escape(text)))

    async def _note(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        user: User,
        row: PendingRow,
        text: str,
    ) -> None:
        """Staff's message after ✏️ on a service: stored as a report for the editor."""
        t = self._t(update)
        store = self._store_or_none()
        town = row.lang or None
        report = Report(
            row.key, WRONG, user.id, utc_now().date(), " ".join(text.split())[:NOTE_MAX]
        )
        if row.key not in self.engine().knowledge.services or not await self._keep(report):
            await self._apologise(update, context)
            return
        if store is not None:
            await self._quietly(store.drop_pending(user.id))
        note = "✏️ " + t("Noted for the content editor.")
        await self._show_service(update, context, town, after=rs.service_ref(row.key), note=note)

    # -- buttons and text -----------------------------------------------------------------------

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
        if parts[0] == rs.REVIEW:
            await self.on_review_button(update, context, parts)
        elif parts[0] == rs.VERIFY:
            await self.on_verify_button(update, context, parts)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A reviewer's or staff member's text: their correction or note, if one was asked for;
        otherwise the normal answer, as for anyone."""
        user = update.effective_user
        message = update.effective_message
        store = self._store_or_none()
        row = None
        if user is not None and store is not None and _private(update):
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
        if row.kind == CORRECT and user.id in self.settings.reviewers:
            await self._correction(update, context, user, row, text)
        elif row.kind == NOTE and user.id in self.settings.staff_ids:
            await self._note(update, context, user, row, text)
        else:
            await self.text_fallback(update, context)

    # -- helpers ---------------------------------------------------------------------------------

    def _store_or_none(self) -> Storage | None:
        return self.storage()

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


def _private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


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
