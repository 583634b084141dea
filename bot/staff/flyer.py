"""Printable flyers: an A4 page or an A6 card in one language, with a QR code per topic that
opens the bot at that topic (a Telegram deep link), the emergency numbers and the bot's name.

Staff layer: plans a flyer (a plain value) from the knowledge and the catalogs;
``bot.staff.flyer_pdf`` draws it. No Telegram, no network, no database.

Safety (DESIGN.md §1): a flyer may end up in a handbag or on a fridge where someone else sees
it. A women's sub-topic (violence, shelter, pregnancy …) is therefore printed as the women's
topic itself ("Help for women"), whose title and link name none of these, and the women's
helpline is labelled neutrally. Staff are told when a topic was replaced.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.errors import FlyerError
from bot.i18n import RTL, Catalogs, Translator
from bot.knowledge.conventions import msgctxt
from bot.knowledge.model import Knowledge, Node

if TYPE_CHECKING:
    pass

BOT_NAME = "Lotse"
# The lines every flyer shows, by service id; their numbers are read from
# knowledge/services.yaml, their labels from the catalogs (see _line_labels).
EMERGENCY_LINES = ("notruf_110", "notruf_112", "hilfetelefon_frauen")
# The publisher named at the foot of the flyer (its German name, as in the service directory).
PUBLISHER = "ki_kreis"
# Telegram's rule for start parameters: up to 64 characters of A-Z, a-z, 0-9, _ and -.
_START_PARAM = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class PageSpec:
    """The measures of one flyer size, in millimetres and points."""

    width: float
    height: float
    margin: float
    gap: float
    name_pt: float
    text_pt: float
    title_pt: float
    small_pt: float
    number_pt: float
    label_pt: float
    max_topics: int
    max_qr: float  # the largest QR code, in mm


SIZES = {
    "a4": PageSpec(210, 297, 16, 8, 46, 15, 16, 8.5, 24, 13, 6, 66),
    "a6": PageSpec(105, 148, 6, 3.5, 24, 8.5, 9, 6, 12.5, 7.5, 2, 40),
}


@dataclass(frozen=True)
class Topic:
    """One QR code: the node it opens, its title in the flyer's language, and the link."""

    node_id: str
    title: str
    link: str


@dataclass(frozen=True)
class Line:
    """One emergency number and what it is for."""

    number: str
    label: str


@dataclass(frozen=True)
class Flyer:
    """Everything a flyer shows, already translated: a plain value, rendered by render_pdf."""

    lang: str
    size: str
    username: str
    tagline: str
    free: str
    scan_hint: str
    search_hint: str
    help_heading: str
    topics: tuple[Topic, ...]
    lines: tuple[Line, ...]
    publisher: str = ""
    # For staff, not printed: topics replaced for safety, texts that fell back to German.
    notes: tuple[str, ...] = ()

    @property
    def rtl(self) -> bool:
        """Whether the flyer is set right to left."""
        return self.lang in RTL


def deep_link(username: str, node_id: str) -> str:
    """The Telegram link that opens the bot at ``node_id`` (Engine.start takes it)."""
    return f"https://t.me/{username}?start={node_id}"


def _parents(knowledge: Knowledge) -> dict[str, str]:
    parents: dict[str, str] = {}
    for node in knowledge.nodes.values():
        for child in node.children:
            parents.setdefault(child, node.id)
    return parents


def _printable(knowledge: Knowledge, node: Node) -> Node:
    """The node a flyer may name: a women's sub-topic becomes the topmost women's topic."""
    if not node.women:
        return node
    parents = _parents(knowledge)
    top = node
    while (parent := knowledge.nodes.get(parents.get(top.id, ""))) is not None and parent.women:
        top = parent
    return top


def _topics(
    knowledge: Knowledge, t: Translator, ids: Sequence[str], username: str, today: dt.date
) -> tuple[list[Topic], list[str]]:
    topics: list[Topic] = []
    notes: list[str] = []
    for raw in ids:
        node_id = raw.strip().replace("-", "_").lower()
        node = knowledge.nodes.get(node_id)
        if node is None:
            known = ", ".join(sorted(knowledge.nodes))
            raise FlyerError(f"unknown topic {raw!r}; topics are: {known}")
        if not node.visible_on(today):
            raise FlyerError(f"topic {node_id!r} ended on {node.visible_until}; print another")
        if node.visible_until is not None:
            notes.append(
                f"{node_id}: shown until {node.visible_until}; the code then opens the main menu"
            )
        shown = _printable(knowledge, node)
        if shown.id != node.id:
            notes.append(
                f"{node_id}: printed as {shown.id!r} ({shown.title}), so that the flyer names "
                "no violence, shelter or pregnancy; the bot leads on from there"
            )
        if not _START_PARAM.fullmatch(shown.id):
            raise FlyerError(f"topic id {shown.id!r} cannot be a Telegram start parameter")
        if any(topic.node_id == shown.id for topic in topics):
            continue
        title = t.content(msgctxt("node", shown.id, "title"), shown.title)
        topics.append(Topic(shown.id, title, deep_link(username, shown.id)))
    return topics, notes


def _line_labels(t: Translator) -> dict[str, str]:
    """What each emergency line is for, in the flyer's language."""
    return {
        # TRANSLATORS: printed on a flyer next to the number 110.
        "notruf_110": t("Police"),
        # TRANSLATORS: printed on a flyer next to the number 112.
        "notruf_112": t("Ambulance and fire brigade"),
        # TRANSLATORS: printed on a flyer next to 116 016 (Hilfetelefon). A woman may keep the
        # flyer where her partner sees it: do not mention violence.
        "hilfetelefon_frauen": t("Helpline for women, in many languages"),
    }


def plan_flyer(
    knowledge: Knowledge,
    catalogs: Catalogs,
    *,
    lang: str,
    topics: Sequence[str],
    username: str,
    size: str = "a4",
    today: dt.date,
) -> Flyer:
    """Choose and translate everything a flyer shows; FlyerError names what is wrong."""
    if lang not in catalogs.codes:
        raise FlyerError(f"unknown language {lang!r}; languages are: {', '.join(catalogs.codes)}")
    spec = SIZES.get(size)
    if spec is None:
        raise FlyerError(f"unknown size {size!r}; sizes are: {', '.join(SIZES)}")
    if not topics:
        raise FlyerError("name at least one topic, e.g. --topics pflege,frauen")
    t = catalogs.translator(lang)
    chosen, notes = _topics(knowledge, t, topics, username, today)
    if len(chosen) > spec.max_topics:
        raise FlyerError(
            f"{len(chosen)} topics do not fit on {size.upper()}: at most {spec.max_topics}"
        )
    labels = _line_labels(t)
    lines = []
    for service_id in EMERGENCY_LINES:
        service = knowledge.services.get(service_id)
        if service is None or not service.phone:
            raise FlyerError(
                f"knowledge/services.yaml: service {service_id!r} with a phone needed"
            )
        lines.append(Line(service.phone, labels[service_id]))
    publisher = knowledge.services.get(PUBLISHER)
    flyer = Flyer(
        lang=lang,
        size=size,
        username=username,
        tagline=t("Help and counselling in Kreis Recklinghausen, in your language."),
        # TRANSLATORS: printed large on a flyer, under the bot's name.
        free=t("Free and anonymous"),
        # TRANSLATORS: printed on a flyer under the QR codes.
        scan_hint=t("Scan a code with your phone camera: Telegram opens Lotse at that topic."),
        # TRANSLATORS: printed on a flyer; the bot's @name follows on the next line.
        search_hint=t("Or open Telegram and search for:"),
        help_heading=t("Help now, day and night"),
        topics=tuple(chosen),
        lines=tuple(lines),
        publisher=publisher.name if publisher else "",
    )
    if t.fell_back:
        notes.append(f"some texts are not translated into {lang} yet and are printed in German")
    if catalogs.languages[lang].draft:
        notes.append(
            f"the {lang} texts are drafts without a native speaker's review: "
            "have the flyer read by one before printing"
        )
    return replace(flyer, notes=tuple(notes))
