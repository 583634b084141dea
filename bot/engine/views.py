"""Screen builders for navigation: plain functions of (translator, knowledge, context) → Screen.

Pure; no I/O, no Telegram. The menu, a node, the town and language pickers, search results
and the "nothing found" screen, with the rows and labels they share. Service cards and the
emergency screen are in bot.engine.cards; the rows feedback adds in bot.engine.feedback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Literal, Protocol

from bot.engine import payloads as pl
from bot.engine.context import Ctx
from bot.engine.screens import Button, Keyboard, Screen, bold, escape, rich
from bot.i18n import SOURCE, Translator, isolate_ltr, language_name, native_name
from bot.knowledge.conventions import ContentKind, msgctxt
from bot.knowledge.model import ROOT, Area, Knowledge, Node, Service

# Telegram shows long labels cut off; two towns or languages per row stay readable on phones.
PER_ROW = 2
# The bot's name: the only heading that may stand first on a screen about a sensitive topic.
BRAND = "Lotse"
# Numbers shown when nothing fits: enough to choose from, few enough to read at a glance.
FALLBACK_LINES = 4

Row = tuple[Button, ...]
# The texts of a service that are translated (the rest are names, numbers and addresses).
ServiceField = Literal["offers", "for_whom", "cost", "hours"]


class SearchHit(Protocol):
    """A search result as the engine reads it (bot.search.Hit is one)."""

    @property
    def kind(self) -> ContentKind:
        """A node or a service."""

    @property
    def id(self) -> str:
        """The node's or service's id."""

    @property
    def node_id(self) -> str:
        """The node to open (for a service: a node that lists it)."""

    @property
    def town(self) -> str | None:
        """The town the query named, if any: the node opens with that town's services."""


# -- what is there today ----------------------------------------------------------------------


def visible(knowledge: Knowledge, ctx: Ctx, node_id: str) -> Node | None:
    """The node, unless it is gone or its event is over by ``ctx.today``."""
    node = knowledge.nodes.get(node_id)
    if node is None or not node.visible_on(ctx.today):
        return None
    return node


def children(knowledge: Knowledge, ctx: Ctx, node: Node) -> list[Node]:
    """The node's children that are shown today."""
    found = (visible(knowledge, ctx, c) for c in node.children)
    return [n for n in found if n is not None]


def known_town(knowledge: Knowledge, town_id: str | None) -> str | None:
    """``town_id`` if it is one of the county's towns, else None (old or forged payloads)."""
    return town_id if town_id in knowledge.towns else None


def town_of(place: str | None) -> str | None:
    """The town a place payload carries (a node or service screen of a town), if any."""
    action = pl.parse(place)
    if action is None:
        return None
    if action.kind == pl.NODE:
        return action.arg(1)
    if action.kind == pl.SERVICE:
        return action.arg(2)
    return None


# -- pieces every screen shares ---------------------------------------------------------------


def neutral(text: str) -> str:
    """A screen on a sensitive topic: its first line, all that a notification or the chat
    list may show, is the bot's name and nothing about the topic."""
    return f"{bold(BRAND)}\n{text}"


def titled(title: str, *paragraphs: str) -> str:
    """A bold title over plain paragraphs, escaped for Telegram HTML."""
    return "\n\n".join([bold(title), *(escape(p) for p in paragraphs)])


def isolated(screen: Screen) -> Screen:
    """The screen with its left-to-right runs isolated, for Arabic and Persian."""
    rows = tuple(
        tuple(replace(b, label=isolate_ltr(b.label)) for b in row) for row in screen.buttons
    )
    return replace(screen, text=isolate_ltr(screen.text), buttons=rows)


def in_rows(buttons: list[Button], width: int) -> list[Row]:
    """Buttons laid out ``width`` to a row."""
    return [tuple(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def erase_row(t: Translator) -> Row:
    """The 🧹 button of sensitive screens."""
    return (Button("🧹 " + t("Erase this chat"), pl.ERASE),)


def nav(t: Translator, back: str | None) -> Row:
    """The last row: back (when there is somewhere to go back to) and the main menu."""
    row = []
    if back is not None:
        row.append(Button("⬅️ " + t("Back"), back))
    row.append(Button("🏠 " + t("Main menu"), pl.MAIN))
    return tuple(row)


def node_text(t: Translator, node: Node, field: Literal["title", "text"]) -> str:
    """A node's title or text in the reader's language (German where not translated)."""
    german = node.title if field == "title" else node.text
    return t.content(msgctxt("node", node.id, field), german)


def service_text(t: Translator, service: Service, field: ServiceField) -> str:
    """A service's translated text: what it offers, for whom, its cost or its hours."""
    german = {
        "offers": service.offers,
        "for_whom": service.for_whom,
        "cost": service.cost,
        "hours": service.hours,
    }[field]
    return t.content(msgctxt("service", service.id, field), german)


def label(t: Translator, node: Node) -> str:
    """A node's button label: its icon and translated title."""
    title = node_text(t, node, "title")
    return f"{node.icon} {title}" if node.icon else title


def service_label(service: Service) -> str:
    """A service's button label; nation-wide lines show at once that they are a phone."""
    icon = "☎️ " if service.phone and service.area == Area.NATIONAL else ""
    return icon + service.name


def info(t: Translator, text: str) -> Screen:
    """A screen of fixed text (help, privacy) with the way back to the menu."""
    return Screen(text, (nav(t, None),), place=None)


# -- the tree -----------------------------------------------------------------------------------


def menu(
    t: Translator, knowledge: Knowledge, ctx: Ctx, *, greeting: bool = False, note: str = ""
) -> Screen:
    """The main menu, with the greeting on /start and a note on top (say, "menu changed")."""
    root = knowledge.root
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
    parts.append(rich(node_text(t, root, "text")))
    rows: list[Row] = [
        (Button(label(t, child), pl.node(child.id)),) for child in children(knowledge, ctx, root)
    ]
    rows.append((Button("🌐 " + t("Language"), pl.wrap(pl.LANG_PICKER, pl.MAIN)),))
    return Screen("\n\n".join(parts), tuple(rows), place=pl.MAIN)


def node_screen(
    t: Translator, knowledge: Knowledge, ctx: Ctx, node: Node, town: str | None
) -> Screen:
    """A node of the tree: its text, its services (for the town) and its children."""
    if node.id == ROOT:
        return menu(t, knowledge, ctx)
    here = pl.node(node.id, town)
    parts = [bold(label(t, node)), rich(node_text(t, node, "text"))]
    rows: list[Row] = []
    if node.by_town and town is None:
        # Nation-wide lines (110, 116 016 …) do not depend on the town: show them at once.
        rows.extend(
            (Button(service_label(s), pl.service(s.id, node.id)),)
            for s in knowledge.services_for(node, None)
            if s.area == Area.NATIONAL
        )
        parts.append(bold(t("In which town do you live?")))
        rows.extend(town_rows(knowledge, node))
    else:
        services = knowledge.services_for(node, town if node.by_town else None)
        if node.by_town and town:
            name = knowledge.towns[town].name
            parts.append("📍 " + escape(t("Your town: {town}", town=name)))
        if node.by_language and t.lang != SOURCE:
            services, note = speaking_first(t, services)
            parts.append("🗣 " + escape(note))
        if services:
            parts.append(escape(t("Tap a service for phone, address and opening hours:")))
        rows.extend((Button(service_label(s), pl.service(s.id, node.id, town)),) for s in services)
        if node.by_town and town:
            rows.append((Button("📍 " + t("Change town"), pl.encode(pl.TOWNS, node.id)),))
    rows.extend(
        (Button(label(t, child), pl.node(child.id, town)),)
        for child in children(knowledge, ctx, node)
    )
    parent = knowledge.parent_of(node.id)
    back = pl.node(parent, town) if parent and parent != ROOT else pl.MAIN
    rows.append(nav(t, back))
    return Screen("\n\n".join(parts), tuple(rows), place=here)


def speaking_first(t: Translator, services: list[Service]) -> tuple[list[Service], str]:
    """The services that speak the reader's language first, and a line that says so."""
    speaking = [s for s in services if t.lang in s.languages]
    language = language_name(t.lang, t.lang)
    if not speaking:
        note = t(
            "None of these lists {language} yet. The integration office can help you "
            "find someone who speaks it.",
            language=language,
        )
        return services, note
    note = t("These speak {language}: they are at the top.", language=language)
    return [*speaking, *(s for s in services if s not in speaking)], note


def town_rows(knowledge: Knowledge, node: Node) -> Iterable[Row]:
    """One button per town, alphabetically, each opening ``node`` for that town."""
    buttons = [
        Button(town.name, pl.node(node.id, town.id))
        for town in sorted(knowledge.towns.values(), key=lambda town: town.name)
    ]
    return in_rows(buttons, PER_ROW)


def towns(t: Translator, knowledge: Knowledge, node: Node) -> Screen:
    """The town picker for a node."""
    text = bold(label(t, node)) + "\n\n" + bold(t("In which town do you live?"))
    rows = [*town_rows(knowledge, node), nav(t, pl.node(node.id))]
    if knowledge.sensitive(node):
        rows.insert(-1, erase_row(t))
        text = neutral(text)
    return Screen(text, tuple(rows), place=pl.encode(pl.TOWNS, node.id))


def languages(t: Translator, ctx: Ctx, codes: Sequence[str], place: str) -> Screen:
    """The language picker; each button switches and returns to ``place``."""
    buttons = []
    for code in codes:
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
        *in_rows(buttons, PER_ROW),
        nav(t, place if place != pl.MAIN else None),
    )
    # The bilingual line helps someone who landed in a language they cannot read.
    text = "🌐 " + bold(t("Choose your language")) + "\nSprache wählen · Choose language"
    return Screen(text, rows, place=pl.wrap(pl.LANG_PICKER, place))


# -- search -------------------------------------------------------------------------------------


def results(t: Translator, knowledge: Knowledge, ctx: Ctx, hits: Sequence[SearchHit]) -> Screen:
    """Search results as buttons, best first."""
    rows: list[Row] = []
    sensitive = False
    for hit in hits:
        node = visible(knowledge, ctx, hit.node_id)
        if node is None:
            continue
        service = knowledge.services.get(hit.id) if hit.kind == "service" else None
        sensitive = sensitive or knowledge.sensitive(node, service)
        if service is not None:
            payload = pl.service(service.id, node.id, hit.town)
            rows.append((Button(service_label(service), payload),))
        else:
            rows.append((Button(label(t, node), pl.node(node.id, hit.town)),))
    text = escape(
        t.plural("I found {n} match for you:", "I found {n} matches for you:", len(rows))
    )
    if sensitive:
        rows.append(erase_row(t))
    rows.append(nav(t, None))
    return Screen(text, tuple(rows), place=None)


def nothing_found(
    t: Translator, knowledge: Knowledge, ctx: Ctx, place: str | None = None
) -> Screen:
    """Nothing found: the numbers of the topic the user was in (else the general ones)."""
    action = pl.parse(place)
    node_id, town = None, None
    if action is not None and action.kind in (pl.NODE, pl.SERVICE, pl.TOWNS, pl.NONE_FITS):
        index = 1 if action.kind == pl.SERVICE else 0
        node_id = action.args[index] if visible(knowledge, ctx, action.args[index]) else None
        town = known_town(knowledge, action.arg(index + 1)) if action.kind != pl.TOWNS else None
    lines, rows = fallback(t, knowledge, ctx, node_id, town)
    text = "\n\n".join(
        [
            escape(t("Sorry, I found nothing for that.")),
            escape(
                t("Please try other words, or choose a topic in the main menu. You can also call:")
            ),
            *lines,
        ]
    )
    return Screen(text, (*rows, nav(t, None)), place=None)


def fallback(
    t: Translator, knowledge: Knowledge, ctx: Ctx, node_id: str | None, town: str | None
) -> tuple[list[str], list[Row]]:
    """The phone lines and buttons of the topic's fallback services (knowledge: fallback).

    A carer is offered care counselling, a woman 116 016 and her town's counselling: each
    topic names its own in ``tree.yaml``; nodes without one use the main menu's.
    """
    at = node_id if node_id and node_id in knowledge.nodes else ROOT
    services = knowledge.fallback_for(at, town)
    callable_ = [s for s in services if s.phone][:FALLBACK_LINES]
    lines = [f"☎️ {bold(s.phone)} · {escape(s.name)}" for s in callable_]
    # Offices without a confirmed number (the health office) still get a button: their
    # card names whom to call instead.
    rows: list[Row] = [
        (Button(service_label(s), pl.service(s.id, at, town)),)
        for s in services[: FALLBACK_LINES + 1]
    ]
    if not callable_:
        rows.extend(contact_rows(t, knowledge, ctx))
    return lines, rows


def contact_rows(t: Translator, knowledge: Knowledge, ctx: Ctx) -> list[Row]:
    """A button to the office that helps personally (the knowledge's contact node)."""
    contact = visible(knowledge, ctx, knowledge.contact) if knowledge.contact else None
    if contact is None:
        return []
    return [(Button(label(t, contact), pl.node(contact.id)),)]
