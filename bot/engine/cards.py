"""Screens about services: the service card and the emergency screen. Pure; no I/O.

Plain functions of (translator, knowledge, context); the shared rows and labels are in
bot.engine.views.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from urllib.parse import quote_plus

from bot.engine import payloads as pl
from bot.engine.context import Ctx, Unsure
from bot.engine.screens import Attachment, Button, Contact, Screen, Venue, bold, escape, rich
from bot.engine.views import (
    BRAND,
    Row,
    erase_row,
    fallback,
    label,
    nav,
    neutral,
    service_text,
    visible,
)
from bot.i18n import Translator, language_name
from bot.knowledge.model import CrisisKind, Knowledge, Node, Service, Status, VerifiedHow

# How many numbers the one line on top of an unsure answer gives.
CRISIS_LINE = 2


def service_card(
    t: Translator,
    knowledge: Knowledge,
    ctx: Ctx,
    service: Service,
    node: Node,
    town: str | None,
) -> Screen:
    """A service's card: what it offers, for whom, cost, hours, phone, address, languages."""
    lines = [bold(service.name), rich(service_text(t, service, "offers"))]
    facts: list[tuple[str, str]] = []
    unconfirmed = " " + t("(not confirmed)")

    def fact(icon: str, heading: str, value: str, name: str) -> None:
        if value:
            mark = unconfirmed if name in service.unverified else ""
            facts.append((icon, f"{bold(heading)}: {value}{escape(mark)}"))

    fact("👥", t("For whom"), escape(service_text(t, service, "for_whom")), "for_whom")
    fact("💶", t("Cost"), escape(service_text(t, service, "cost")), "cost")
    fact("🕘", t("Opening hours"), escape(service_text(t, service, "hours")), "hours")
    fact("☎️", t("Phone"), escape(service.phone), "phone")
    if service.address and not service.hide_address:
        fact("📍", t("Address"), escape(service.address.one_line()), "address")
    if service.email:
        fact("✉️", t("E-mail"), escape(service.email), "email")
    if service.languages:
        names = ", ".join(language_name(code, t.lang) for code in service.languages)
        fact("🗣", t("Languages spoken"), escape(names), "languages")
    if service.hide_address:
        facts.append(
            ("🔒", escape(t("The address is kept secret to protect the women living there.")))
        )
    lines.append("\n".join(f"{icon} {text}" for icon, text in facts))
    if not service.phone:
        # Never a dead end: a card without a phone names whom to call instead.
        others, _ = fallback(t, knowledge, ctx, node.id, town)
        note = t("We have no confirmed phone number for this service yet. You can call:")
        lines.append("\n".join(["❔ " + escape(note), *others]))
    lines.append(provenance(t, service))
    rows: list[Row] = []
    links = []
    if service.website:
        links.append(Button("🌐 " + t("Website"), url=service.website))
    if service.address and not service.hide_address:
        links.append(Button("🗺 " + t("Map"), url=map_url(service)))
    if links:
        rows.append(tuple(links))
    rows.append(nav(t, pl.node(node.id, town)))
    attachments: list[Attachment] = []
    # A contact card shows in the chat list and is saved in the phone's address book
    # under its name; a map pin shows its title. On sensitive topics neither names the
    # service: the card is "Lotse", the pin is titled with the street.
    sensitive = knowledge.sensitive(node, service)
    if service.phone:
        name = BRAND if sensitive else service.name
        attachments.append(Contact(phone=service.phone, name=name))
    if service.geo and service.address and not service.hide_address:
        a = service.address
        title, where = (
            (a.street, f"{a.postcode} {a.town}") if sensitive else (service.name, a.one_line())
        )
        attachments.append(Venue(service.geo.lat, service.geo.lon, title, where))
    return Screen(
        "\n\n".join(line for line in lines if line),
        tuple(rows),
        tuple(attachments),
        place=pl.service(service.id, node.id, town),
    )


def checked(service: Service, day: dt.date | None) -> Service:
    """The service with a check staff did in Telegram (/verify) on ``day``, until the YAML
    has it (then the YAML's own date counts)."""
    newer = service.verified is not None and day is not None and service.verified >= day
    if day is None or (service.verified_how == VerifiedHow.PROVIDER and newer):
        return service
    return replace(
        service, verified=day, verified_how=VerifiedHow.PROVIDER, status=Status.CONFIRMED
    )


def provenance(t: Translator, service: Service) -> str:
    """The card's last line: where its facts come from, and as of when."""
    when = service.verified.strftime("%d.%m.%Y") if service.verified else "?"
    if service.verified_how == VerifiedHow.PROVIDER and service.status == Status.CONFIRMED:
        text = t("Checked with the service on {date}.", date=when)
    elif not service.phone:
        # "Please call" on a card without a number would send people nowhere.
        text = t("From public sources, as of {date}. Details can change.", date=when)
    else:
        text = t(
            "From public sources, as of {date}. Please call before you go; details can change.",
            date=when,
        )
    return f"<i>{escape(text)}</i>"


def map_url(service: Service) -> str:
    """An OpenStreetMap search for the service's address."""
    assert service.address is not None
    return "https://www.openstreetmap.org/search?query=" + quote_plus(service.address.one_line())


def emergency_screen(
    t: Translator,
    knowledge: Knowledge,
    ctx: Ctx,
    kind: CrisisKind | None,
    town: str | None,
    back: str | None,
) -> Screen:
    """The emergency screen for a kind of danger: at most five lines, the town's among them.

    Every number is one tap away, and so is how to use Lotse safely; ``back`` (a valid place
    payload or None) is where "continue where I was" returns to.
    """
    data = knowledge.emergency
    parts = [neutral("🆘 " + bold(t("Help now, day and night")))]
    if town:
        name = knowledge.towns[town].name
        parts.append("📍 " + escape(t("Your town: {town}", town=name)))
    for service_id in data.lines(kind, town, ctx.lang):
        service = knowledge.services.get(service_id)
        if service is None:
            continue
        facts = [service_text(t, service, "cost"), service_text(t, service, "hours")]
        lines = [f"☎️ {bold(service.phone)} · {bold(service.name)}"]
        lines.append(rich(service_text(t, service, "offers")))
        if any(facts):
            lines.append("<i>" + escape(" · ".join(f for f in facts if f)) + "</i>")
        parts.append("\n".join(lines))
    rows: list[Row] = []
    if back:
        rows.append((Button("↩️ " + t("Continue where I was"), back),))
    nearby = visible(knowledge, ctx, data.nearby.get(kind, "")) if kind else None
    if nearby is not None and town is None:
        rows.append((Button("📍 " + t("Help in my town"), pl.encode(pl.TOWNS, nearby.id)),))
    everything = visible(knowledge, ctx, data.everything) if data.everything else None
    if everything is not None:
        rows.append((Button("📋 " + t("All emergency numbers"), pl.node(everything.id)),))
    safety = visible(knowledge, ctx, data.safety) if data.safety else None
    if safety is not None:
        rows.append((Button(label(t, safety), pl.node(safety.id)),))
    rows.append(erase_row(t))
    rows.append(nav(t, None))
    return Screen("\n\n".join(parts), tuple(rows), place=None)


def crisis_line(t: Translator, knowledge: Knowledge, ctx: Ctx, warn: Unsure) -> str:
    """One line on top of a normal answer: the first numbers of that kind's screen."""
    kind, town = warn
    numbers = []
    for service_id in knowledge.emergency.lines(kind, town, ctx.lang)[:CRISIS_LINE]:
        service = knowledge.services.get(service_id)
        if service is not None and service.phone:
            numbers.append(f"☎️ {bold(service.phone)} {escape(service.name)}")
    return "🆘 " + bold(t("Help now, day and night")) + ": " + " · ".join(numbers)
