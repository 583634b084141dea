"""/verify for staff: the service most in need of a check, and what they found.

Part of the review desk (``bot.tg.review`` puts it together); only staff in a private chat.
Nothing here logs a message text.
"""

from __future__ import annotations

from telegram import Update, User
from telegram.ext import ContextTypes

from bot.conversation.usage import UsageKind
from bot.engine import screens as sc
from bot.engine.payloads import service as service_payload
from bot.knowledge.conventions import utc_today
from bot.review import screens as rs
from bot.review.apply import NOTE_MAX, ReportKind, ServiceReport
from bot.review.queue import services_to_check, summary
from bot.storage.review import Awaiting, PendingRow
from bot.tg.desk import Desk


class VerifyDesk(Desk):
    """The /verify half of the desk."""

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
        await self._drop_pending(user)
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
        views = await self._views(UsageKind.CARD)
        todo = services_to_check(engine.knowledge, self.live.checks, town, views)
        head = ""
        if with_summary or not todo:
            s = summary(engine.knowledge, self.live.checks, utc_today(), town)
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
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, action: str, args: list[str]
    ) -> None:
        """✅, ✏️, 🚫, ⏭ or ⏹ under a service (``args``: its reference and the town)."""
        user = self._staff(update)
        if user is None:
            return
        t = self._t(update)
        await self._drop_pending(user)
        if action == rs.STOP or not args:
            text = t("Stopped. /verify continues with the next service.")
            await self._send(update, context, sc.Screen(sc.escape(text)))
            return
        ref, town = args[0], (args[1] if len(args) > 1 and args[1] else None)
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
        today = utc_today()
        if action in (rs.APPROVE, rs.GONE):
            kind = ReportKind.CHECKED if action == rs.APPROVE else ReportKind.GONE
            if not await self._save(update, context, ServiceReport(sid, kind, user.id, today)):
                return
            if kind == ReportKind.CHECKED:
                note = "✅ " + t("Saved. The card now says: {line}", line=rs.today_line(t, today))
            else:
                note = "🚫 " + t("Noted for the content editor.")
            await self._show_service(update, context, town, after=ref, note=note)
        elif action == rs.WRONG:
            row = PendingRow(Awaiting.NOTE, town or "", "service", sid)
            if not await self._await_text(update, context, user, row):
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
        if row.key not in self.engine().knowledge.services:
            await self._apologise(update, context)
            return
        note = " ".join(text.split())[:NOTE_MAX]
        report = ServiceReport(row.key, ReportKind.WRONG, user.id, utc_today(), note)
        if await self._settle(update, context, user, report):
            town = row.lang or None  # a note's row keeps the town where the language goes
            done = "✏️ " + self._t(update)("Noted for the content editor.")
            await self._show_service(
                update, context, town, after=rs.service_ref(row.key), note=done
            )
