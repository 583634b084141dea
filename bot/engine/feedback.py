"""Feedback on screens: "did this help?", the note after 👎, "none of these fits". Pure.

Decides which screens ask for a rating, what a rating or an unmet need records (plain
values for the conversation layer to store) and the screens that thank or ask what was
missing. The engine (bot.engine.flow) calls these; nothing here stores anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.engine import payloads as pl
from bot.engine.context import Ctx
from bot.engine.screens import Button, Need, NeedKind, Rating, Screen, bold, escape
from bot.engine.views import Row, children, erase_row, fallback, nav, neutral, titled
from bot.i18n import Translator
from bot.knowledge.model import ROOT, Knowledge, Node, Service


def is_answer(knowledge: Knowledge, ctx: Ctx, node: Node, town: str | None) -> bool:
    """Whether a node screen answers (and so asks "did this help?")."""
    if node.id == ROOT or (node.by_town and town is None):
        return False
    shows_services = bool(knowledge.services_for(node, town if node.by_town else None))
    return shows_services or not children(knowledge, ctx, node)


def decorate(
    t: Translator,
    knowledge: Knowledge,
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
    back = rows.pop()
    text = screen.text
    if service is None and children(knowledge, ctx, node) and not (node.by_town and not town):
        rows.append(
            (Button("🤷 " + t("None of these fits"), pl.encode(pl.NONE_FITS, node.id, town)),)
        )
    place = screen.place or pl.MAIN
    if note is None and (service is not None or is_answer(knowledge, ctx, node, town)):
        text += "\n\n" + bold(t("Did this help?"))
        rows.append(
            (
                Button("👍 " + t("Yes, it helped"), pl.wrap(pl.HELPED, place)),
                Button("👎 " + t("No"), pl.wrap(pl.NOT_HELPED, place)),
            )
        )
    sensitive = knowledge.sensitive(node, service)
    if sensitive:
        rows.append(erase_row(t))
    if note is not None:
        text = f"<i>{escape(note(t))}</i>\n\n" + text
    if sensitive:
        text = neutral(text)
    return replace(screen, text=text, buttons=(*rows, back))


def rating(
    knowledge: Knowledge, node: Node, service: Service | None, town: str | None, *, helpful: bool
) -> Rating:
    """What a 👍 or 👎 on a screen records."""
    return Rating(
        node.id, service.id if service else None, knowledge.topic_of(node.id), town, helpful
    )


def thanks(t: Translator) -> str:
    """The note on top of the screen after 👍."""
    return t("Thank you for your feedback!")


def note_saved(t: Translator) -> str:
    """The note on top of the screen after the note following 👎 was taken."""
    return t("Thank you! Your note was saved without your name.")


def what_was_missing(
    t: Translator, knowledge: Knowledge, node: Node, service: Service | None, back: str
) -> Screen:
    """After 👎: ask what was missing; Skip returns to the rated screen."""
    text = titled(
        t("Thank you. What was missing?"),
        t(
            "Write a few words, or tap Skip. Please do not write names or "
            "phone numbers: the note is stored without your name."
        ),
    )
    rows: list[Row] = [(Button("⏭ " + t("Skip"), back),)]
    if knowledge.sensitive(node, service):
        rows.append(erase_row(t))
        text = neutral(text)
    return Screen(text, tuple(rows), place=back)


def none_fits_need(knowledge: Knowledge, node: Node, town: str | None) -> Need:
    """What "none of these fits" on a node records."""
    return Need(NeedKind.NONE_FITS, node.id, knowledge.topic_of(node.id), town)


def none_fits(
    t: Translator, knowledge: Knowledge, ctx: Ctx, node: Node, town: str | None
) -> Screen:
    """After "none of these fits": thank, and offer the topic's own numbers."""
    text = titled(
        t("Thank you for telling us."),
        t(
            "We note anonymously that nothing here fitted, so that the offers "
            "can get better. These can advise you personally:"
        ),
    )
    lines, rows = fallback(t, knowledge, ctx, node.id, town)
    text = "\n\n".join([text, *lines])
    rows.append(nav(t, pl.node(node.id, town)))
    if knowledge.sensitive(node):
        rows.insert(-1, erase_row(t))
        text = neutral(text)
    return Screen(text, tuple(rows), place=pl.encode(pl.NONE_FITS, node.id, town))
