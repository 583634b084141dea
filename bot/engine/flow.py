"""Pure decision-tree engine: (who, what they pressed or typed) → Reply. No I/O, no Telegram.

Entry points and dispatch only: which screen a command, button or text leads to, and what
the shell should record. The screens themselves are built by plain functions in
bot.engine.views (navigation), bot.engine.cards (service card, emergency screen) and
bot.engine.feedback (ratings, "none of these fits"); fixed texts are in bot.engine.texts.

The engine never remembers anything between calls: the place a user is at travels in the
buttons' payloads (bot.engine.payloads), the chosen language comes in with the context.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from bot.engine import cards, feedback, texts, views
from bot.engine import payloads as pl
from bot.engine.context import Ctx, Unsure
from bot.engine.ports import CrisisChecker, Searcher
from bot.engine.screens import Button, Comment, Need, NeedKind, Rating, Reply, Screen, bold, escape
from bot.engine.views import BRAND, known_town, neutral, town_of, visible
from bot.i18n import Catalogs, Translator, remember
from bot.knowledge.conventions import utc_today
from bot.knowledge.model import CrisisKind, Knowledge, Node, Service

__all__ = ["CrisisChecker", "Ctx", "Engine", "Searcher"]

SEARCH_RESULTS = 5


class Engine:
    """Turns a context and a button, command or text into the next screen."""

    def __init__(
        self,
        knowledge: Knowledge,
        catalogs: Catalogs,
        clock: Callable[[], dt.date] | None = None,
        *,
        search: Searcher | None = None,
        crisis: CrisisChecker | None = None,
        retention_days: int = 365,
    ) -> None:
        self.knowledge = knowledge
        self.catalogs = catalogs
        self.search = search
        self.crisis = crisis
        self.retention_days = retention_days
        # Services staff checked with the provider in Telegram (/verify), not yet in the YAML:
        # service id -> day (bot.review.live keeps it in step with the database).
        self.checks: dict[str, dt.date] = {}
        # Reading a language's names takes tens of ms: read them now, not on a user's tap
        # (the picker's own names, and the languages services speak, in every language).
        spoken = (code for service in knowledge.services.values() for code in service.languages)
        remember((*self.languages, *spoken), self.languages)
        self._clock = clock or utc_today

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages users can choose."""
        return self.catalogs.codes

    def ctx(self, lang: str, *, chosen: bool = False) -> Ctx:
        """A context for ``lang`` today (the one reading of the clock a reply uses)."""
        return Ctx(lang if lang in self.languages else "de", self._clock(), chosen)

    # -- entry points ---------------------------------------------------------------------

    def start(self, ctx: Ctx, arg: str | None = None) -> Reply:
        """/start, or a deep link ``/start <topic-id>`` from a flyer."""
        if not arg:
            return self._menu(ctx, greeting=True)
        # Start parameters allow only A-Z, a-z, 0-9, _ and -; flyers may use either dash.
        node = visible(self.knowledge, ctx, arg.strip().replace("-", "_").lower())
        if node is None:
            return self._menu(ctx, greeting=True, note=texts.stale)
        # Through the same place as a button, so it gets the same rows (erase on women's
        # topics) and the same neutral first line.
        return self._place(ctx, pl.Action(pl.NODE, (node.id,)))

    def menu(self, ctx: Ctx) -> Reply:
        """/menu: the main menu."""
        return self._menu(ctx)

    def press(self, ctx: Ctx, data: str | None) -> Reply:
        """A button press; old, unknown and forged payloads get the main menu and a note."""
        action = pl.parse(data)
        if action is None:
            return self._menu(ctx, note=texts.stale)
        if action.kind == pl.LANG_SET and action.lang and action.place:
            lang = action.lang if action.lang in self.languages else ctx.lang
            new = replace(ctx, lang=lang)
            reply = self._place(new, action.place)
            return replace(reply, set_lang=lang)
        if action.kind == pl.LANG_PICKER and action.place:
            place = pl.to_payload(action.place)
            return self._reply(ctx, lambda t: views.languages(t, ctx, self.languages, place))
        if action.kind in (pl.HELPED, pl.NOT_HELPED) and action.place:
            return self._rate(ctx, action.place, helpful=action.kind == pl.HELPED)
        if action.kind == pl.NONE_FITS:
            return self._none_fits(ctx, action.args[0], known_town(self.knowledge, action.arg(1)))
        if action.kind == pl.ERASE:
            return self.erase(ctx)
        return self._place(ctx, action)

    def language(self, ctx: Ctx, place: str | None = None) -> Reply:
        """/language: the language picker, returning to ``place``."""
        target = place if place and pl.parse(place) else pl.MAIN
        return self._reply(ctx, lambda t: views.languages(t, ctx, self.languages, target))

    def help(self, ctx: Ctx) -> Reply:
        """/help: how to use the bot."""
        return self._reply(ctx, lambda t: views.info(t, texts.help_text(t)))

    def privacy(self, ctx: Ctx) -> Reply:
        """/privacy: what is stored, in the user's language."""
        return self._reply(
            ctx, lambda t: views.info(t, texts.privacy_text(t, self.retention_days))
        )

    def text(self, ctx: Ctx, text: str, place: str | None = None) -> Reply:
        """Typed text, answered by how sure the crisis detector is.

        Sure: the emergency screen for that kind. Unsure: the normal answer (search results)
        with one line on top giving that kind's numbers; the text is then not logged as an
        unmet need. No signal: the normal answer.
        """
        signal, keep = self.crisis.judge(text, ctx.lang) if self.crisis else (None, True)
        if signal is not None and signal.sure:
            reply = self.emergency(ctx, signal.kind, back=place)
            return replace(reply, shown=f"emergency:{signal.kind}")
        warn = (signal.kind, self._town_at(place)) if signal is not None else None
        if self.search is None:
            return self._menu(ctx, note=texts.typed_hint, warn=warn)
        hits = self.search.search(text, ctx.lang, limit=SEARCH_RESULTS, today=ctx.today)
        k = self.knowledge
        if not hits:
            # Too short to be a request ("hi", "?"): not an unmet need, just a pointer.
            letters = sum(ch.isalpha() for ch in text)
            need = None
            if letters >= 3 and warn is None:
                need = Need(NeedKind.NO_RESULT, None, None, None, query=text)
            reply = self._reply(ctx, lambda t: views.nothing_found(t, k, ctx, place), warn=warn)
            return replace(reply, need=need, shown="nothing_found", keep=keep)
        reply = self._reply(ctx, lambda t: views.results(t, k, ctx, hits), warn=warn)
        # Like an unmet need, a search with a danger signal is never kept for the staff.
        return replace(reply, shown="results", query=text if warn is None else None, keep=keep)

    def emergency(
        self,
        ctx: Ctx,
        kind: CrisisKind | None = None,
        back: str | None = None,
        town: str | None = None,
    ) -> Reply:
        """The emergency screen for a kind of danger: at most five lines, the town's among them.

        The town, where known, comes from ``town`` or else from ``back`` (the place the user
        was at, say ``n:gewalt:gladbeck``). Every number is one tap away, and so is how to
        use Lotse safely.
        """
        target = back if back and pl.parse(back) else None
        where = known_town(self.knowledge, town or town_of(target))
        return self._reply(
            ctx, lambda t: cards.emergency_screen(t, self.knowledge, ctx, kind, where, target)
        )

    def comment(self, ctx: Ctx, about: Rating, text: str, place: str | None) -> Reply:
        """The note after "this did not help": thank and return to where the user was.

        A note that signals danger is answered like typed text (sure: the emergency screen;
        unsure: the place with that kind's numbers on top) and is never stored; nor is one
        the model reads as danger without a signal (``CrisisChecker.judge``): then the
        thanks do not say it was saved.
        """
        judged = self.crisis.judge(text, ctx.lang, note=True) if self.crisis else None
        signal, keep = judged or (None, True)
        if signal is not None and signal.sure:
            return self.emergency(ctx, signal.kind, back=place)
        action = pl.parse(place) or pl.Action(pl.MAIN)
        if signal is not None:
            return self._place(ctx, action, warn=(signal.kind, self._town_at(place)))
        if not keep:
            # The model reads danger the answer does not show: thanked, never stored.
            return self._place(ctx, action, note=feedback.thanks)
        reply = self._place(ctx, action, note=feedback.note_saved)
        return replace(reply, comment=Comment(about, text))

    def erase(self, ctx: Ctx) -> Reply:
        """Erase this chat: the shell deletes the messages, then leaves only a neutral screen.

        Whoever picks up the phone afterwards must learn nothing: the screen left behind (for
        a typed /erase) names no topic and says nothing about deleting; a 🧹 press is
        confirmed by a pop-up that is never stored in the chat (``erase_notice``).
        """

        def build(t: Translator) -> Screen:
            text = bold(BRAND) + "\n" + escape(texts.tagline(t))
            return Screen(text, ((Button("🏠 " + t("Main menu"), pl.MAIN),),), place=None)

        return replace(self._reply(ctx, build), erase=True)

    def erase_notice(self, ctx: Ctx, *, ok: bool) -> str:
        """The pop-up after a 🧹 press (at most 200 characters, never kept in the chat)."""
        return texts.erase_notice(self.catalogs.translator(ctx.lang), ok=ok)

    def erase_failed(self, ctx: Ctx) -> Reply:
        """After a typed /erase that Telegram refused: say so plainly, offer to try again."""

        def build(t: Translator) -> Screen:
            text = escape(texts.erase_notice(t, ok=False))
            return Screen(text, (views.erase_row(t), views.nav(t, None)), place=None)

        return self._reply(ctx, build)

    def apology(self, ctx: Ctx) -> str:
        """The line shown when feedback could not be saved (database trouble)."""
        return texts.apology(self.catalogs.translator(ctx.lang))

    def forget(self, ctx: Ctx, *, had_data: bool | None) -> Reply:
        """/forget: confirm that the stored language choice is gone (None: it could not be)."""
        return self._reply(
            ctx, lambda t: views.info(t, escape(texts.forgotten(t, had_data=had_data)))
        )

    def too_long(self, ctx: Ctx, text: str = "", place: str | None = None) -> Reply:
        """A message far longer than any question. It is read for danger first, as any typed
        text: a long account of violence gets the emergency screen, not "too long"."""
        signal = self.crisis.detect(text, ctx.lang) if self.crisis and text else None
        if signal is not None and signal.sure:
            reply = self.emergency(ctx, signal.kind, back=place)
            return replace(reply, shown=f"emergency:{signal.kind}")
        warn = (signal.kind, self._town_at(place)) if signal is not None else None
        return self._menu(ctx, note=texts.too_long, warn=warn)

    def unsupported(self, ctx: Ctx) -> Reply:
        """A sticker, photo, voice message or anything else that is not text."""
        return self._menu(ctx, note=texts.unsupported)

    def unknown_command(self, ctx: Ctx) -> Reply:
        """A /command the bot does not have."""
        return self._menu(ctx, note=texts.unknown_command)

    def group_note(self, ctx: Ctx, bot_username: str) -> Reply:
        """In a group: a short note and a link to a private chat."""

        def build(t: Translator) -> Screen:
            url = f"https://t.me/{bot_username}"
            button = Button(t("Open private chat"), url=url)
            return Screen(text=escape(texts.group_note(t)), buttons=((button,),))

        return self._reply(ctx, build)

    def commands(self, lang: str) -> list[tuple[str, str]]:
        """The command menu for ``lang``: (command, description)."""
        return texts.commands(self.catalogs.translator(lang))

    def descriptions(self, lang: str) -> tuple[str, str]:
        """The bot's description and short description in ``lang``."""
        return texts.descriptions(self.catalogs.translator(lang))

    # -- dispatch ---------------------------------------------------------------------------

    def _reply(
        self,
        ctx: Ctx,
        build: Callable[[Translator], Screen],
        *,
        warn: Unsure | None = None,
    ) -> Reply:
        """Build a screen in the user's language, with the notes every screen may carry."""
        t = self.catalogs.translator(ctx.lang)
        screen = build(t)
        if warn is not None:
            # Like the emergency screen, the first line (all a notification shows) is neutral.
            body = screen.text.removeprefix(bold(BRAND) + "\n")
            line = cards.crisis_line(t, self.knowledge, ctx, warn)
            screen = replace(screen, text=neutral(line) + "\n\n" + body)
        notes = []
        if t.fell_back:
            notes.append(t("Some parts are only available in German so far. Sorry!"))
        if t.outdated:
            notes.append(
                t("Some parts of this translation may be out of date; the German text changed.")
            )
        if notes:
            text = screen.text + "\n\n" + "\n".join(f"<i>ℹ️ {escape(n)}</i>" for n in notes)
            screen = replace(screen, text=text)
        if t.rtl:
            screen = views.isolated(screen)
        return Reply(replace(screen, lang=t.lang, rtl=t.rtl))

    def _menu(
        self,
        ctx: Ctx,
        *,
        greeting: bool = False,
        note: Callable[[Translator], str] | None = None,
        warn: Unsure | None = None,
    ) -> Reply:
        """The main menu, with a note on top (a fixed text of bot.engine.texts)."""

        def build(t: Translator) -> Screen:
            text = note(t) if note else ""
            return views.menu(t, self.knowledge, ctx, greeting=greeting, note=text)

        return self._reply(ctx, build, warn=warn)

    def _town_at(self, place: str | None) -> str | None:
        """The town of the place the user was at, if it is still one of ours."""
        return known_town(self.knowledge, town_of(place))

    def _resolve(
        self, ctx: Ctx, action: pl.Action
    ) -> tuple[Node, Service | None, str | None] | None:
        """The node, service and town a place stands for; None when gone or forged."""
        k = self.knowledge
        if action.kind == pl.SERVICE:
            service_id, node_id = action.args[0], action.args[1]
            town = known_town(k, action.arg(2))
        else:
            service_id, node_id, town = None, action.args[0], known_town(k, action.arg(1))
        node = visible(k, ctx, node_id)
        service = k.services.get(service_id) if service_id else None
        listed = (*node.services, *k.fallback(node.id)) if node else ()
        if node is None or (service_id and (service is None or service_id not in listed)):
            return None
        return node, service, town

    def _place(
        self,
        ctx: Ctx,
        action: pl.Action,
        *,
        note: Callable[[Translator], str] | None = None,
        warn: Unsure | None = None,
    ) -> Reply:
        """Show the screen a place payload stands for (with a note on top, after a rating;
        with a crisis kind's numbers on top when ``warn`` is set)."""
        if action.kind == pl.MAIN:
            return self._menu(ctx, warn=warn)
        found = self._resolve(ctx, action)
        if found is None:
            return self._menu(ctx, note=texts.stale, warn=warn)
        node, service, town = found
        k = self.knowledge
        if action.kind == pl.TOWNS:
            return self._reply(ctx, lambda t: views.towns(t, k, node), warn=warn)

        def build(t: Translator) -> Screen:
            if service is not None:
                shown = cards.checked(service, self.checks.get(service.id))
                screen = cards.service_card(t, k, ctx, shown, node, town)
            else:
                screen = views.node_screen(t, k, ctx, node, town)
            return feedback.decorate(t, k, ctx, screen, node, service, town, note=note)

        return self._reply(ctx, build, warn=warn)

    def _rate(self, ctx: Ctx, place: pl.Action, *, helpful: bool) -> Reply:
        """Record a rating; thank, or ask what was missing."""
        found = self._resolve(ctx, place) if place.kind in (pl.NODE, pl.SERVICE) else None
        # Only a screen that asks "did this help?" can be rated (not the menu, not a question).
        if found is None or (
            found[1] is None and not feedback.is_answer(self.knowledge, ctx, found[0], found[2])
        ):
            return self._menu(ctx, note=texts.stale)
        node, service, town = found
        rating = feedback.rating(self.knowledge, node, service, town, helpful=helpful)
        if helpful:
            reply = self._place(ctx, place, note=feedback.thanks)
            return replace(reply, rating=rating)
        back = pl.to_payload(place)
        reply = self._reply(
            ctx, lambda t: feedback.what_was_missing(t, self.knowledge, node, service, back)
        )
        return replace(reply, rating=rating, awaits_comment=rating)

    def _none_fits(self, ctx: Ctx, node_id: str, town: str | None) -> Reply:
        """Record an unmet need and offer the topic's own numbers (care, women, migration …)."""
        node = visible(self.knowledge, ctx, node_id)
        if node is None:
            return self._menu(ctx, note=texts.stale)
        need = feedback.none_fits_need(self.knowledge, node, town)
        reply = self._reply(ctx, lambda t: feedback.none_fits(t, self.knowledge, ctx, node, town))
        return replace(reply, need=need)
