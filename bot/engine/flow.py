"""Pure decision-tree engine: (who, what they pressed or typed) → Screen. No I/O, no Telegram.

The engine never remembers anything between calls: the place a user is at travels in the
buttons' payloads (bot.engine.payloads), the chosen language comes in with the context.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol
from urllib.parse import quote_plus

from babel import Locale, UnknownLocaleError

from bot.engine import payloads as pl
from bot.engine.screens import (
    Attachment,
    Button,
    Comment,
    Contact,
    Keyboard,
    Need,
    Rating,
    Reply,
    Screen,
    Venue,
    bold,
    escape,
    rich,
)
from bot.i18n import SOURCE, Catalogs, Translator, isolate_ltr, native_name
from bot.knowledge.model import ROOT, CrisisKind, CrisisSignal, Knowledge, Node, Service

# Telegram shows long labels cut off; two towns or languages per row stay readable on phones.
PER_ROW = 2
SEARCH_RESULTS = 5
# The bot's name: the only heading that may stand first on a screen about a sensitive topic.
BRAND = "Lotse"
# Numbers shown when nothing fits: enough to choose from, few enough to read at a glance.
FALLBACK_LINES = 4
# How many numbers the one line on top of an unsure answer gives.
CRISIS_LINE = 2


# An unsure crisis signal: its kind, and the user's town where known (for the line on top).
Unsure = tuple[CrisisKind, str | None]


class Hit(Protocol):
    """A search result (see bot.search)."""

    @property
    def kind(self) -> str:
        """ "node" or "service"."""

    @property
    def id(self) -> str:
        """The node's or service's id."""

    @property
    def node_id(self) -> str:
        """The node to open (for a service: a node that lists it)."""

    @property
    def town(self) -> str | None:
        """The town the query named, if any: the node opens with that town's services."""


class Searcher(Protocol):
    """Finds nodes and services for typed text (bot.search.SearchIndex)."""

    def search(
        self, query: str, lang: str, limit: int = 5, *, today: dt.date | None = None
    ) -> Sequence[Hit]:
        """The best matches, best first (events over by ``today`` left out)."""
        ...


class CrisisChecker(Protocol):
    """Recognises messages that signal acute danger (bot.crisis.CrisisDetector)."""

    def detect(self, text: str, lang: str) -> CrisisSignal | None:
        """The kind of danger and whether it is sure, or None."""
        ...


@dataclass(frozen=True)
class Ctx:
    """Who is asking: their language, and today's date (events expire)."""

    lang: str
    today: dt.date
    # True when the user picked the language; otherwise it was guessed from Telegram's
    # setting (or is the German default) and the greeting says how to change it.
    chosen: bool = False


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
        # Babel loads locale data lazily (tens of ms each): load it now, not on a user's tap.
        for code in self.languages:
            native_name(code)
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC).date())

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages users can choose."""
        return self.catalogs.codes

    def ctx(self, lang: str, *, chosen: bool = False) -> Ctx:
        """A context for ``lang`` today."""
        return Ctx(lang if lang in self.languages else "de", self._clock(), chosen)

    # -- entry points ---------------------------------------------------------------------

    def start(self, ctx: Ctx, arg: str | None = None) -> Reply:
        """/start, or a deep link ``/start <topic-id>`` from a flyer."""
        if not arg:
            return self._reply(ctx, lambda t: self._menu(t, ctx, greeting=True))
        # Start parameters allow only A-Z, a-z, 0-9, _ and -; flyers may use either dash.
        node = self._visible(arg.strip().replace("-", "_").lower())
        if node is None:
            return self._reply(
                ctx, lambda t: self._menu(t, ctx, greeting=True, note=self._stale(t))
            )
        # Through the same place as a button, so it gets the same rows (erase on women's
        # topics) and the same neutral first line.
        return self._place(ctx, pl.Action(pl.NODE, (node.id,)))

    def menu(self, ctx: Ctx) -> Reply:
        """/menu: the main menu."""
        return self._reply(ctx, lambda t: self._menu(t, ctx, greeting=False))

    def press(self, ctx: Ctx, data: str | None) -> Reply:
        """A button press; old, unknown and forged payloads get the main menu and a note."""
        action = pl.parse(data)
        if action is None:
            return self._reply(ctx, lambda t: self._menu(t, ctx, note=self._stale(t)))
        if action.kind == pl.LANG_SET and action.lang and action.place:
            lang = action.lang if action.lang in self.languages else ctx.lang
            new = replace(ctx, lang=lang)
            reply = self._place(new, action.place)
            return replace(reply, set_lang=lang)
        if action.kind == pl.LANG_PICKER and action.place:
            place = pl.to_payload(action.place)
            return self._reply(ctx, lambda t: self._languages(t, ctx, place))
        if action.kind in (pl.HELPED, pl.NOT_HELPED) and action.place:
            return self._rate(ctx, action.place, helpful=action.kind == pl.HELPED)
        if action.kind == pl.NONE_FITS:
            return self._none_fits(ctx, action.args[0], self._town(action.arg(1)))
        if action.kind == pl.ERASE:
            return self.erase(ctx)
        return self._place(ctx, action)

    def language(self, ctx: Ctx, place: str | None = None) -> Reply:
        """/language: the language picker, returning to ``place``."""
        target = place if place and pl.parse(place) else pl.MAIN
        return self._reply(ctx, lambda t: self._languages(t, ctx, target))

    def help(self, ctx: Ctx) -> Reply:
        """/help: how to use the bot."""
        return self._reply(ctx, lambda t: self._info(t, ctx, self._help_text(t)))

    def privacy(self, ctx: Ctx) -> Reply:
        """/privacy: what is stored, in the user's language."""
        return self._reply(ctx, lambda t: self._info(t, ctx, self._privacy_text(t)))

    def text(self, ctx: Ctx, text: str, place: str | None = None) -> Reply:
        """Typed text, answered by how sure the crisis detector is.

        Sure: the emergency screen for that kind. Unsure: the normal answer (search results)
        with one line on top giving that kind's numbers; the text is then not logged as an
        unmet need. No signal: the normal answer.
        """
        signal = self.crisis.detect(text, ctx.lang) if self.crisis else None
        if signal is not None and signal.sure:
            return self.emergency(ctx, signal.kind, back=place)
        warn = (signal.kind, self._town(self._town_of(place))) if signal is not None else None
        if self.search is None:
            return self._reply(
                ctx, lambda t: self._menu(t, ctx, note=self._typed_hint(t)), warn=warn
            )
        hits = self.search.search(text, ctx.lang, limit=SEARCH_RESULTS, today=ctx.today)
        if not hits:
            # Too short to be a request ("hi", "?"): not an unmet need, just a pointer.
            letters = sum(ch.isalpha() for ch in text)
            need = None
            if letters >= 3 and warn is None:
                need = Need("no_result", None, None, None, query=text)
            return replace(
                self._reply(ctx, lambda t: self._nothing_found(t, place), warn=warn), need=need
            )
        return self._reply(ctx, lambda t: self._results(t, ctx, hits), warn=warn)

    def _results(self, t: Translator, ctx: Ctx, hits: Sequence[Hit]) -> Screen:
        rows: list[tuple[Button, ...]] = []
        sensitive = False
        for hit in hits:
            node = self._visible(hit.node_id)
            if node is None:
                continue
            service = self.knowledge.services.get(hit.id) if hit.kind == "service" else None
            sensitive = sensitive or self.knowledge.sensitive(node, service)
            if service is not None:
                payload = pl.service(service.id, node.id, hit.town)
                rows.append((Button(self._service_label(service), payload),))
            else:
                rows.append((Button(self._label(t, node), pl.node(node.id, hit.town)),))
        text = escape(
            t.plural("I found {n} match for you:", "I found {n} matches for you:", len(rows))
        )
        if sensitive:
            rows.append(self._erase_row(t))
        rows.append(self._nav(t, None))
        del ctx
        return Screen(text, tuple(rows), place=None)

    def _nothing_found(self, t: Translator, place: str | None = None) -> Screen:
        """Nothing found: the numbers of the topic the user was in (else the general ones)."""
        action = pl.parse(place)
        node_id, town = None, None
        if action is not None and action.kind in (pl.NODE, pl.SERVICE, pl.TOWNS, pl.NONE_FITS):
            index = 1 if action.kind == pl.SERVICE else 0
            node_id = action.args[index] if self._visible(action.args[index]) else None
            town = self._town(action.arg(index + 1)) if action.kind != pl.TOWNS else None
        lines, rows = self._fallback(t, node_id, town)
        text = "\n\n".join(
            [
                escape(t("Sorry, I found nothing for that.")),
                escape(
                    t(
                        "Please try other words, or choose a topic in the main menu. "
                        "You can also call:"
                    )
                ),
                *lines,
            ]
        )
        return Screen(text, (*rows, self._nav(t, None)), place=None)

    def _fallback(
        self, t: Translator, node_id: str | None, town: str | None
    ) -> tuple[list[str], list[tuple[Button, ...]]]:
        """The phone lines and buttons of the topic's fallback services (knowledge: fallback).

        A carer is offered care counselling, a woman 116 016 and her town's counselling: each
        topic names its own in ``tree.yaml``; nodes without one use the main menu's.
        """
        at = node_id if node_id and node_id in self.knowledge.nodes else ROOT
        services = self.knowledge.fallback_for(at, town)
        callable_ = [s for s in services if s.phone][:FALLBACK_LINES]
        lines = [f"☎️ {bold(s.phone)} · {escape(s.name)}" for s in callable_]
        # Offices without a confirmed number (the health office) still get a button: their
        # card names whom to call instead.
        rows: list[tuple[Button, ...]] = [
            (Button(self._service_label(s), pl.service(s.id, at, town)),)
            for s in services[: FALLBACK_LINES + 1]
        ]
        if not callable_:
            rows.extend(self._contact_rows(t))
        return lines, rows

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
        town = self._town(town or self._town_of(target))
        data = self.knowledge.emergency
        ids = data.lines(kind, town, ctx.lang)

        def build(t: Translator) -> Screen:
            parts = [_neutral("🆘 " + bold(t("Help now, day and night")))]
            if town:
                name = self.knowledge.towns[town].name
                parts.append("📍 " + escape(t("Your town: {town}", town=name)))
            for service_id in ids:
                service = self.knowledge.services.get(service_id)
                if service is None:
                    continue
                key = f"service:{service.id}"
                facts = [t.k(f"{key}:cost", service.cost), t.k(f"{key}:hours", service.hours)]
                lines = [f"☎️ {bold(service.phone)} · {bold(service.name)}"]
                lines.append(rich(t.k(f"{key}:offers", service.offers)))
                if any(facts):
                    lines.append("<i>" + escape(" · ".join(f for f in facts if f)) + "</i>")
                parts.append("\n".join(lines))
            rows: list[tuple[Button, ...]] = []
            if target:
                rows.append((Button("↩️ " + t("Continue where I was"), target),))
            nearby = self._visible(data.nearby.get(kind, "")) if kind else None
            if nearby is not None and town is None:
                label = "📍 " + t("Help in my town")
                rows.append((Button(label, pl.encode(pl.TOWNS, nearby.id)),))
            everything = self._visible(data.everything) if data.everything else None
            if everything is not None:
                label = "📋 " + t("All emergency numbers")
                rows.append((Button(label, pl.node(everything.id)),))
            safety = self._visible(data.safety) if data.safety else None
            if safety is not None:
                rows.append((Button(self._label(t, safety), pl.node(safety.id)),))
            rows.append(self._erase_row(t))
            rows.append(self._nav(t, None))
            return Screen("\n\n".join(parts), tuple(rows), place=None)

        return self._reply(ctx, build)

    def _town_of(self, place: str | None) -> str | None:
        """The town a place payload carries (a node or service screen of a town), if any."""
        action = pl.parse(place)
        if action is None:
            return None
        if action.kind == pl.NODE:
            return action.arg(1)
        if action.kind == pl.SERVICE:
            return action.arg(2)
        return None

    def _crisis_line(self, t: Translator, ctx: Ctx, warn: Unsure) -> str:
        """One line on top of a normal answer: the first numbers of that kind's screen."""
        kind, town = warn
        numbers = []
        for service_id in self.knowledge.emergency.lines(kind, town, ctx.lang)[:CRISIS_LINE]:
            service = self.knowledge.services.get(service_id)
            if service is not None and service.phone:
                numbers.append(f"☎️ {bold(service.phone)} {escape(service.name)}")
        return "🆘 " + bold(t("Help now, day and night")) + ": " + " · ".join(numbers)

    def erase(self, ctx: Ctx) -> Reply:
        """Erase this chat: the shell deletes the messages, then leaves only a neutral screen.

        Whoever picks up the phone afterwards must learn nothing: the screen left behind (for
        a typed /erase) names no topic and says nothing about deleting; a 🧹 press is
        confirmed by a pop-up that is never stored in the chat (``erase_notice``).
        """

        def build(t: Translator) -> Screen:
            text = bold(BRAND) + "\n" + escape(self._tagline(t))
            return Screen(text, ((Button("🏠 " + t("Main menu"), pl.MAIN),),), place=None)

        return replace(self._reply(ctx, build), erase=True)

    def erase_notice(self, ctx: Ctx, *, ok: bool) -> str:
        """The pop-up after a 🧹 press (at most 200 characters, never kept in the chat)."""
        t = self.catalogs.translator(ctx.lang)
        if ok:
            return t(
                "Deleted: the messages of the last 48 hours. To remove the chat from your "
                "phone too: press and hold it in the chat list, then tap Delete."
            )
        return t(
            "Telegram did not let me delete everything. Please delete the chat yourself: "
            "press and hold it in the chat list, then tap Delete."
        )

    def erase_failed(self, ctx: Ctx) -> Reply:
        """After a typed /erase that Telegram refused: say so plainly, offer to try again."""

        def build(t: Translator) -> Screen:
            text = escape(self.erase_notice(ctx, ok=False))
            rows = (self._erase_row(t), self._nav(t, None))
            return Screen(text, rows, place=None)

        return self._reply(ctx, build)

    def apology(self, ctx: Ctx) -> str:
        """The line shown when feedback could not be saved (database trouble)."""
        t = self.catalogs.translator(ctx.lang)
        return t("Sorry, your answer could not be saved just now. Everything else works.")

    def forget(self, ctx: Ctx, *, had_data: bool | None) -> Reply:
        """/forget: confirm that the stored language choice is gone (None: it could not be)."""

        def build(t: Translator) -> Screen:
            if had_data is None:
                text = t(
                    "Sorry, your language choice could not be deleted just now. Nothing was "
                    "deleted. Please send /forget again in a few minutes."
                )
            elif had_data:
                text = t(
                    "Done: your language choice is deleted. Nothing else about you was stored."
                )
            else:
                text = t("Nothing is stored about you.")
            return Screen(escape(text), (self._nav(t, None),), place=None)

        return self._reply(ctx, build)

    def too_long(self, ctx: Ctx) -> Reply:
        """A message far longer than any question."""
        return self._reply(
            ctx,
            lambda t: self._menu(
                t,
                ctx,
                note=t(
                    "Your message is very long. I can only read short questions. "
                    "Please choose a topic below."
                ),
            ),
        )

    def unsupported(self, ctx: Ctx) -> Reply:
        """A sticker, photo, voice message or anything else that is not text."""
        return self._reply(
            ctx,
            lambda t: self._menu(
                t,
                ctx,
                note=t(
                    "I cannot read pictures, stickers or voice messages. "
                    "Please choose a topic below or write a few words."
                ),
            ),
        )

    def unknown_command(self, ctx: Ctx) -> Reply:
        """A /command the bot does not have."""
        return self._reply(
            ctx,
            lambda t: self._menu(
                t, ctx, note=t("I do not know this command. Here is the main menu.")
            ),
        )

    def group_note(self, ctx: Ctx, bot_username: str) -> Reply:
        """In a group: a short note and a link to a private chat."""

        def build(t: Translator) -> Screen:
            text = t(
                "I answer only in a private chat, so that nobody else sees what you ask. "
                "Tap the button to talk to me privately."
            )
            url = f"https://t.me/{bot_username}"
            return Screen(text=escape(text), buttons=((Button(t("Open private chat"), url=url),),))

        return self._reply(ctx, build)

    def commands(self, lang: str) -> list[tuple[str, str]]:
        """The command menu for ``lang``: (command, description)."""
        t = self.catalogs.translator(lang)
        return [
            ("start", t("Start and show the main menu")),
            ("menu", t("Main menu")),
            ("language", t("Change the language")),
            ("help", t("How this bot works")),
            ("privacy", t("What is stored about you")),
            ("erase", t("Erase this chat")),
            ("forget", t("Delete your stored language choice")),
        ]

    def descriptions(self, lang: str) -> tuple[str, str]:
        """The bot's description and short description in ``lang``."""
        t = self.catalogs.translator(lang)
        return (
            t(
                "Lotse helps you find care, health and counselling services in the towns of "
                "Kreis Recklinghausen, in your language. Free and anonymous. In an emergency "
                "call 112 or the police on 110."
            ),
            self._tagline(t),
        )

    def _tagline(self, t: Translator) -> str:
        return t("Help and counselling in Kreis Recklinghausen, in your language.")

    # -- building screens -----------------------------------------------------------------

    def _reply(
        self,
        ctx: Ctx,
        build: Callable[[Translator], Screen],
        *,
        warn: Unsure | None = None,
    ) -> Reply:
        t = self.catalogs.translator(ctx.lang)
        screen = build(t)
        if warn is not None:
            # Like the emergency screen, the first line (all a notification shows) is neutral.
            body = screen.text.removeprefix(bold(BRAND) + "\n")
            line = self._crisis_line(t, ctx, warn)
            screen = replace(screen, text=_neutral(line) + "\n\n" + body)
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
            screen = _isolated(screen)
        return Reply(replace(screen, lang=t.lang, rtl=t.rtl))

    def _resolve(self, action: pl.Action) -> tuple[Node, Service | None, str | None] | None:
        """The node, service and town a place stands for; None when gone or forged."""
        if action.kind == pl.SERVICE:
            service_id, node_id, town = action.args[0], action.args[1], self._town(action.arg(2))
        else:
            service_id, node_id, town = None, action.args[0], self._town(action.arg(1))
        node = self._visible(node_id)
        service = self.knowledge.services.get(service_id) if service_id else None
        listed = (*node.services, *self.knowledge.fallback(node.id)) if node else ()
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
            return self._reply(ctx, lambda t: self._menu(t, ctx, greeting=False), warn=warn)
        found = self._resolve(action)
        if found is None:
            return self._reply(ctx, lambda t: self._menu(t, ctx, note=self._stale(t)), warn=warn)
        node, service, town = found
        if action.kind == pl.TOWNS:
            return self._reply(ctx, lambda t: self._towns(t, ctx, node), warn=warn)

        def build(t: Translator) -> Screen:
            if service is not None:
                screen = self._service(t, ctx, service, node, town)
            else:
                screen = self._node(t, ctx, node, town)
            return self._decorate(t, ctx, screen, node, service, town, note=note)

        return self._reply(ctx, build, warn=warn)

    def _is_answer(self, ctx: Ctx, node: Node, town: str | None) -> bool:
        """Whether a node screen answers (and so asks "did this help?")."""
        if node.id == ROOT or (node.by_town and town is None):
            return False
        shows_services = bool(self.knowledge.services_for(node, town if node.by_town else None))
        return shows_services or not self._children(ctx, node)

    def _decorate(
        self,
        t: Translator,
        ctx: Ctx,
        screen: Screen,
        node: Node,
        service: Service | None,
        town: str | None,
        *,
        note: Callable[[Translator], str] | None,
    ) -> Screen:
        """Add the rows every content screen shares: none fits, did this help, erase."""
        rows = list(screen.buttons)
        nav = rows.pop()
        text = screen.text
        if service is None and self._children(ctx, node) and not (node.by_town and not town):
            rows.append(
                (Button("🤷 " + t("None of these fits"), pl.encode(pl.NONE_FITS, node.id, town)),)
            )
        place = screen.place or pl.MAIN
        if note is None and (service is not None or self._is_answer(ctx, node, town)):
            text += "\n\n" + bold(t("Did this help?"))
            rows.append(
                (
                    Button("👍 " + t("Yes, it helped"), pl.wrap(pl.HELPED, place)),
                    Button("👎 " + t("No"), pl.wrap(pl.NOT_HELPED, place)),
                )
            )
        sensitive = self.knowledge.sensitive(node, service)
        if sensitive:
            rows.append(self._erase_row(t))
        if note is not None:
            text = f"<i>{escape(note(t))}</i>\n\n" + text
        if sensitive:
            text = _neutral(text)
        return replace(screen, text=text, buttons=(*rows, nav))

    def _topic(self, node_id: str | None) -> str | None:
        """The top-level topic (a child of the main menu) a node belongs to."""
        current = node_id
        while current is not None:
            parent = self.knowledge.parent_of(current)
            if parent in (None, ROOT):
                return current if current in self.knowledge.nodes else None
            current = parent
        return None

    def _rate(self, ctx: Ctx, place: pl.Action, *, helpful: bool) -> Reply:
        """Record a rating; thank, or ask what was missing."""
        found = self._resolve(place) if place.kind in (pl.NODE, pl.SERVICE) else None
        # Only a screen that asks "did this help?" can be rated (not the menu, not a question).
        if found is None or (found[1] is None and not self._is_answer(ctx, found[0], found[2])):
            return self._reply(ctx, lambda t: self._menu(t, ctx, note=self._stale(t)))
        node, service, town = found
        rating = Rating(
            node.id,
            service.id if service else None,
            self._topic(node.id) or node.id,
            town,
            helpful,
        )
        if helpful:
            reply = self._place(ctx, place, note=lambda t: t("Thank you for your feedback!"))
            return replace(reply, rating=rating)
        back = pl.to_payload(place)

        def ask(t: Translator) -> Screen:
            text = _titled(
                t("Thank you. What was missing?"),
                t(
                    "Write a few words, or tap Skip. Please do not write names or "
                    "phone numbers: the note is stored without your name."
                ),
            )
            rows: list[tuple[Button, ...]] = [(Button("⏭ " + t("Skip"), back),)]
            if self.knowledge.sensitive(node, service):
                rows.append(self._erase_row(t))
                text = _neutral(text)
            return Screen(text, tuple(rows), place=back)

        return replace(self._reply(ctx, ask), rating=rating, awaits_comment=rating)

    def comment(self, ctx: Ctx, about: Rating, text: str, place: str | None) -> Reply:
        """The note after "this did not help": thank and return to where the user was.

        A note that signals danger is answered like typed text (sure: the emergency screen;
        unsure: the place with that kind's numbers on top) and is never stored.
        """
        signal = self.crisis.detect(text, ctx.lang) if self.crisis else None
        if signal is not None and signal.sure:
            return self.emergency(ctx, signal.kind, back=place)
        action = pl.parse(place) or pl.Action(pl.MAIN)
        if signal is not None:
            return self._place(ctx, action, warn=(signal.kind, self._town(self._town_of(place))))
        reply = self._place(
            ctx, action, note=lambda t: t("Thank you! Your note was saved without your name.")
        )
        return replace(reply, comment=Comment(about, text))

    def _none_fits(self, ctx: Ctx, node_id: str, town: str | None) -> Reply:
        """Record an unmet need and offer the topic's own numbers (care, women, migration …)."""
        node = self._visible(node_id)
        if node is None:
            return self._reply(ctx, lambda t: self._menu(t, ctx, note=self._stale(t)))
        need = Need("none_fits", node.id, self._topic(node.id), town)

        def build(t: Translator) -> Screen:
            text = _titled(
                t("Thank you for telling us."),
                t(
                    "We note anonymously that nothing here fitted, so that the offers "
                    "can get better. These can advise you personally:"
                ),
            )
            lines, rows = self._fallback(t, node.id, town)
            text = "\n\n".join([text, *lines])
            rows.append(self._nav(t, pl.node(node.id, town)))
            if self.knowledge.sensitive(node):
                rows.insert(-1, self._erase_row(t))
                text = _neutral(text)
            return Screen(text, tuple(rows), place=pl.encode(pl.NONE_FITS, node.id, town))

        return replace(self._reply(ctx, build), need=need)

    def _contact_rows(self, t: Translator) -> list[tuple[Button, ...]]:
        """A button to the office that helps personally (the knowledge's contact node)."""
        contact = self._visible(self.knowledge.contact) if self.knowledge.contact else None
        if contact is None:
            return []
        return [(Button(self._label(t, contact), pl.node(contact.id)),)]

    def _visible(self, node_id: str) -> Node | None:
        node = self.knowledge.nodes.get(node_id)
        if node is None or not node.visible_on(self._clock()):
            return None
        return node

    def _town(self, town_id: str | None) -> str | None:
        return town_id if town_id in self.knowledge.towns else None

    def _stale(self, t: Translator) -> str:
        return t("This menu has changed in the meantime. Here is the main menu.")

    def _typed_hint(self, t: Translator) -> str:
        return t("Please choose a topic with the buttons below.")

    def _erase_row(self, t: Translator) -> tuple[Button, ...]:
        return (Button("🧹 " + t("Erase this chat"), pl.ERASE),)

    def _nav(self, t: Translator, back: str | None) -> tuple[Button, ...]:
        row = []
        if back is not None:
            row.append(Button("⬅️ " + t("Back"), back))
        row.append(Button("🏠 " + t("Main menu"), pl.MAIN))
        return tuple(row)

    def _label(self, t: Translator, node: Node) -> str:
        title = t.k(f"node:{node.id}:title", node.title)
        return f"{node.icon} {title}" if node.icon else title

    def _children(self, ctx: Ctx, node: Node) -> list[Node]:
        found = (self.knowledge.nodes.get(c) for c in node.children)
        return [n for n in found if n is not None and n.visible_on(ctx.today)]

    def _menu(self, t: Translator, ctx: Ctx, *, greeting: bool = False, note: str = "") -> Screen:
        root = self.knowledge.root
        parts = []
        if note:
            parts.append(f"<i>{escape(note)}</i>")
        if greeting:
            parts.append(
                bold(t("Welcome to Lotse!"))
                + "\n"
                + escape(
                    t(
                        "I help you find advice and support in Kreis Recklinghausen: care for "
                        "relatives, help for women, migration, health. Free of charge, and I "
                        "do not store who you are."
                    )
                )
            )
            if not ctx.chosen:
                parts.append(escape(t("You can change the language at any time with /language.")))
                # Someone whose Telegram language Lotse lacks may read neither: say it twice.
                if ctx.lang == SOURCE:
                    parts.append("🌐 Other languages: /language")
        parts.append(rich(t.k(f"node:{ROOT}:text", root.text)))
        rows: list[tuple[Button, ...]] = [
            (Button(self._label(t, child), pl.node(child.id)),)
            for child in self._children(ctx, root)
        ]
        rows.append((Button("🌐 " + t("Language"), pl.wrap(pl.LANG_PICKER, pl.MAIN)),))
        return Screen("\n\n".join(parts), tuple(rows), place=pl.MAIN)

    def _node(self, t: Translator, ctx: Ctx, node: Node, town: str | None) -> Screen:
        if node.id == ROOT:
            return self._menu(t, ctx)
        here = pl.node(node.id, town)
        parts = [bold(self._label(t, node)), rich(t.k(f"node:{node.id}:text", node.text))]
        rows: list[tuple[Button, ...]] = []
        if node.by_town and town is None:
            # Nation-wide lines (110, 116 016 …) do not depend on the town: show them at once.
            rows.extend(
                (Button(self._service_label(s), pl.service(s.id, node.id)),)
                for s in self.knowledge.services_for(node, None)
                if s.area == "national"
            )
            parts.append(bold(t("In which town do you live?")))
            rows.extend(self._town_rows(node))
        else:
            services = self.knowledge.services_for(node, town if node.by_town else None)
            if node.by_town and town:
                name = self.knowledge.towns[town].name
                parts.append("📍 " + escape(t("Your town: {town}", town=name)))
            if node.by_language and t.lang != SOURCE:
                services, note = self._speaking_first(t, services)
                parts.append("🗣 " + escape(note))
            if services:
                parts.append(escape(t("Tap a service for phone, address and opening hours:")))
            rows.extend(
                (Button(self._service_label(s), pl.service(s.id, node.id, town)),)
                for s in services
            )
            if node.by_town and town:
                rows.append((Button("📍 " + t("Change town"), pl.encode(pl.TOWNS, node.id)),))
        rows.extend(
            (Button(self._label(t, child), pl.node(child.id, town)),)
            for child in self._children(ctx, node)
        )
        parent = self.knowledge.parent_of(node.id)
        back = pl.node(parent, town) if parent and parent != ROOT else pl.MAIN
        rows.append(self._nav(t, back))
        return Screen("\n\n".join(parts), tuple(rows), place=here)

    def _speaking_first(self, t: Translator, services: list[Service]) -> tuple[list[Service], str]:
        """The services that speak the reader's language first, and a line that says so."""
        speaking = [s for s in services if t.lang in s.languages]
        language = _language_name(t.lang, t.lang)
        if not speaking:
            note = t(
                "None of these lists {language} yet. The integration office can help you "
                "find someone who speaks it.",
                language=language,
            )
            return services, note
        note = t("These speak {language}: they are at the top.", language=language)
        return [*speaking, *(s for s in services if s not in speaking)], note

    def _town_rows(self, node: Node) -> Iterable[tuple[Button, ...]]:
        buttons = [
            Button(town.name, pl.node(node.id, town.id))
            for town in sorted(self.knowledge.towns.values(), key=lambda town: town.name)
        ]
        return _rows(buttons, PER_ROW)

    def _towns(self, t: Translator, ctx: Ctx, node: Node) -> Screen:
        text = bold(self._label(t, node)) + "\n\n" + bold(t("In which town do you live?"))
        rows = [*self._town_rows(node), self._nav(t, pl.node(node.id))]
        if self.knowledge.sensitive(node):
            rows.insert(-1, self._erase_row(t))
            text = _neutral(text)
        del ctx
        return Screen(text, tuple(rows), place=pl.encode(pl.TOWNS, node.id))

    def _service_label(self, service: Service) -> str:
        icon = "☎️ " if service.phone and service.area == "national" else ""
        return icon + service.name

    def _service(
        self, t: Translator, ctx: Ctx, service: Service, node: Node, town: str | None
    ) -> Screen:
        del ctx
        key = f"service:{service.id}"
        lines = [bold(service.name), rich(t.k(f"{key}:offers", service.offers))]
        facts: list[tuple[str, str]] = []
        unconfirmed = " " + t("(not confirmed)")

        def fact(icon: str, label: str, value: str, name: str) -> None:
            if value:
                mark = unconfirmed if name in service.unverified else ""
                facts.append((icon, f"{bold(label)}: {value}{escape(mark)}"))

        fact("👥", t("For whom"), escape(t.k(f"{key}:for_whom", service.for_whom)), "for_whom")
        fact("💶", t("Cost"), escape(t.k(f"{key}:cost", service.cost)), "cost")
        fact("🕘", t("Opening hours"), escape(t.k(f"{key}:hours", service.hours)), "hours")
        fact("☎️", t("Phone"), escape(service.phone), "phone")
        if service.address and not service.hide_address:
            fact("📍", t("Address"), escape(service.address.one_line()), "address")
        if service.email:
            fact("✉️", t("E-mail"), escape(service.email), "email")
        if service.languages:
            names = ", ".join(_language_name(code, t.lang) for code in service.languages)
            fact("🗣", t("Languages spoken"), escape(names), "languages")
        if service.hide_address:
            facts.append(
                ("🔒", escape(t("The address is kept secret to protect the women living there.")))
            )
        lines.append("\n".join(f"{icon} {text}" for icon, text in facts))
        if not service.phone:
            # Never a dead end: a card without a phone names whom to call instead.
            others, _ = self._fallback(t, node.id, town)
            note = t("We have no confirmed phone number for this service yet. You can call:")
            lines.append("\n".join(["❔ " + escape(note), *others]))
        lines.append(self._provenance(t, service))
        rows: list[tuple[Button, ...]] = []
        links = []
        if service.website:
            links.append(Button("🌐 " + t("Website"), url=service.website))
        if service.address and not service.hide_address:
            links.append(Button("🗺 " + t("Map"), url=_map_url(service)))
        if links:
            rows.append(tuple(links))
        rows.append(self._nav(t, pl.node(node.id, town)))
        attachments: list[Attachment] = []
        # A contact card shows in the chat list and is saved in the phone's address book
        # under its name; a map pin shows its title. On sensitive topics neither names the
        # service: the card is "Lotse", the pin is titled with the street.
        sensitive = self.knowledge.sensitive(node, service)
        if service.phone:
            name = BRAND if sensitive else service.name
            attachments.append(Contact(phone=service.phone, name=name))
        if service.geo and service.address and not service.hide_address:
            a = service.address
            title, where = (
                (a.street, f"{a.postcode} {a.town}")
                if sensitive
                else (
                    service.name,
                    a.one_line(),
                )
            )
            attachments.append(Venue(service.geo.lat, service.geo.lon, title, where))
        return Screen(
            "\n\n".join(line for line in lines if line),
            tuple(rows),
            tuple(attachments),
            place=pl.service(service.id, node.id, town),
        )

    def _provenance(self, t: Translator, service: Service) -> str:
        when = service.verified.strftime("%d.%m.%Y") if service.verified else "?"
        if service.verified_how == "provider" and service.status == "confirmed":
            text = t("Checked with the service on {date}.", date=when)
        elif not service.phone:
            # "Please call" on a card without a number would send people nowhere.
            text = t("From public sources, as of {date}. Details can change.", date=when)
        else:
            text = t(
                "From public sources, as of {date}. Please call before you go; details can "
                "change.",
                date=when,
            )
        return f"<i>{escape(text)}</i>"

    def _languages(self, t: Translator, ctx: Ctx, place: str) -> Screen:
        buttons = []
        for code in self.languages:
            mark = "✓ " if code == ctx.lang else ""
            payload = pl.wrap(pl.LANG_SET, place, code)
            if not pl.fits(payload):
                # A service card's place can be too long to carry: return to its node.
                action = pl.parse(place)
                fallback = pl.MAIN
                if action and action.kind == pl.SERVICE:
                    fallback = pl.node(action.args[1], action.arg(2))
                payload = pl.wrap(pl.LANG_SET, fallback, code)
            buttons.append(Button(mark + native_name(code), payload))
        rows: Keyboard = (
            *_rows(buttons, PER_ROW),
            self._nav(t, place if place != pl.MAIN else None),
        )
        # The bilingual line helps someone who landed in a language they cannot read.
        text = "🌐 " + bold(t("Choose your language")) + "\nSprache wählen · Choose language"
        return Screen(text, rows, place=pl.wrap(pl.LANG_PICKER, place))

    def _info(self, t: Translator, ctx: Ctx, text: str) -> Screen:
        del ctx
        return Screen(text, (self._nav(t, None),), place=None)

    def _help_text(self, t: Translator) -> str:
        return _titled(
            t("How Lotse works"),
            t(
                "Tap a topic, then your situation and your town. You get the services "
                "that can help, with phone number, address and opening hours. Tap a "
                "phone number to call."
            ),
            t(
                "/menu shows the main menu, /language changes the language, /privacy "
                "says what is stored."
            ),
            t("In an emergency call 112 (ambulance, fire) or 110 (police)."),
        )

    def _privacy_text(self, t: Translator) -> str:
        return _titled(
            t("Your privacy"),
            t(
                "Lotse does not store your name, your phone number or what you ask. "
                "The only thing it stores about you is the language you chose, under "
                "a code computed from your Telegram user ID with a secret key (a salted "
                "hash). The code cannot be turned back into your ID. /forget deletes it."
            ),
            t(
                "If you rate an answer or write a note, it is stored without your "
                "name, number or chat: only the day, the topic, the town and the "
                "language. Phone numbers and e-mail addresses are removed from notes. "
                "If a search finds nothing, the words are stored the same way, so "
                "that the integration office can see what is missing."
            )
            + " "
            + t.plural(
                "Ratings, notes and searches are deleted after {n} day. Your language choice "
                "is deleted when you have not used Lotse for {n} day.",
                "Ratings, notes and searches are deleted after {n} days. Your language choice "
                "is deleted when you have not used Lotse for {n} days.",
                self.retention_days,
            ),
            t(
                "Telegram itself keeps this chat on your phone. If someone else may "
                "look at your phone: /erase deletes this conversation, and you can "
                "delete the chat in Telegram."
            ),
        )


def _neutral(text: str) -> str:
    """A screen on a sensitive topic: its first line, all that a notification or the chat
    list may show, is the bot's name and nothing about the topic."""
    return f"{bold(BRAND)}\n{text}"


def _titled(title: str, *paragraphs: str) -> str:
    """A bold title over plain paragraphs, escaped for Telegram HTML."""
    return "\n\n".join([bold(title), *(escape(p) for p in paragraphs)])


def _isolated(screen: Screen) -> Screen:
    """The screen with its left-to-right runs isolated, for Arabic and Persian."""
    rows = tuple(
        tuple(replace(b, label=isolate_ltr(b.label)) for b in row) for row in screen.buttons
    )
    return replace(screen, text=isolate_ltr(screen.text), buttons=rows)


def _rows(buttons: list[Button], width: int) -> list[tuple[Button, ...]]:
    return [tuple(buttons[i : i + width]) for i in range(0, len(buttons), width)]


@functools.cache
def _language_name(code: str, lang: str) -> str:
    try:
        return Locale.parse(code).get_display_name(lang) or code
    except (UnknownLocaleError, ValueError):
        return code


def _map_url(service: Service) -> str:
    assert service.address is not None
    return "https://www.openstreetmap.org/search?query=" + quote_plus(service.address.one_line())
