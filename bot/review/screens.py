"""What reviewers and staff see: /review and /verify screens as plain values. Pure; no I/O.

Every text that came from a catalog, the knowledge or a person is escaped here, so the
shell sends the Screen as it is (Telegram HTML).
"""

from __future__ import annotations

import datetime as dt

import phonenumbers

from bot.engine.flow import Engine
from bot.engine.screens import Button, Screen, bold, escape
from bot.i18n import KNOWLEDGE_DOMAIN, Translator, language_name
from bot.knowledge.conventions import msgctxt
from bot.knowledge.model import Knowledge, Service
from bot.review.checks import Refusal
from bot.review.queue import Entry, Summary, ref, shown_on

REVIEW, VERIFY = "rv", "vf"
# Button actions (payload "rv:<action>:<lang>:<ref>" and "vf:<action>:<ref>:<town>").
APPROVE, EDIT, SKIP, STOP, WRONG, GONE = "ok", "ed", "sk", "st", "wr", "gn"
TEXT_ROOM = 1700  # each of source and translation, so that both fit one message


def _language(code: str, in_lang: str) -> str:
    """``tr`` in German: "Türkisch" (capitalised, as it opens a line)."""
    name = language_name(code, in_lang)
    return name[:1].upper() + name[1:]


def _clip(text: str) -> str:
    return text if len(text) <= TEXT_ROOM else text[:TEXT_ROOM] + " […]"


def progress(t: Translator, lang: str, done: int, total: int, mine: int) -> str:
    """ "Turkish: 41 of 318 reviewed, 12 by you"."""
    return t(
        "{language}: {done} of {total} reviewed, {mine} by you",
        language=_language(lang, t.lang),
        done=done,
        total=total,
        mine=mine,
    )


def _place(t: Translator, engine: Engine, entry: Entry) -> str:
    if entry.domain != KNOWLEDGE_DOMAIN:
        return t("the buttons and notes of every screen")
    node = engine.knowledge.nodes.get(entry.where)
    if node is None:
        return "—"
    title = msgctxt("node", node.id, "title")
    local = engine.catalogs.translator(entry.lang).content(title, node.title)
    return node.title if local == node.title else f"{node.title} · {local}"


def review_screen(
    t: Translator, engine: Engine, entry: Entry, head: str, note: str = ""
) -> Screen:
    """One entry to review: where it appears, the source, the translation, the buttons."""
    source_name = _language(entry.source_lang, t.lang)
    parts = [f"<i>{escape(note)}</i>"] if note else []
    parts += [
        f"<b>{escape(head)}</b>",
        "📍 " + escape(t("Appears on: {place}", place=_place(t, engine, entry))),
        f"<b>{escape(source_name)}</b>\n{escape(_clip(entry.source))}",
        bold(t("Current translation")) + "\n" + escape(_clip(entry.current) or "—"),
    ]
    first = [Button("✏️ " + t("Correct it"), f"{REVIEW}:{EDIT}:{entry.lang}:{entry.ref}")]
    if entry.current:
        approve = f"{REVIEW}:{APPROVE}:{entry.lang}:{entry.ref}"
        # TRANSLATORS: a button: the translation is right as it is.
        first.insert(0, Button("✅ " + t("Correct"), approve))
    return Screen("\n\n".join(parts), (tuple(first), _review_nav(t, entry)))


def _review_nav(t: Translator, entry: Entry) -> tuple[Button, ...]:
    return (
        Button("⏭ " + t("Skip"), f"{REVIEW}:{SKIP}:{entry.lang}:{entry.ref}"),
        Button("⏹ " + t("Stop for now"), f"{REVIEW}:{STOP}"),
    )


def ask_correction(t: Translator, entry: Entry) -> Screen:
    """After ✏️: the next message is the new text."""
    text = t(
        "Send the corrected text as your next message. It replaces the translation for every "
        "user at once. Keep every number, {placeholder} and *star* of the source."
    )
    return Screen(escape(text), (_review_nav(t, entry),))


def reason_text(t: Translator, refusal: Refusal) -> str:
    """Why a correction was refused, in the reviewer's language."""
    values = dict(refusal.values)
    # Each message is spelled out once more so that the extractor finds it.
    texts = {
        "empty": t("the text is empty."),
        "too_long": t("the text is too long: at most {n} characters.", **values),
        "number_lost": t("the number {number} of the source is missing or changed.", **values),
        "number_added": t(
            "it adds the number {number}, which the source does not have.", **values
        ),
        "placeholder": t("the placeholder {name} must stay exactly as it is.", **values),
        "bold": t("the bold marks (*…*) must be the same as in the source."),
        "list": t("the list lines (starting with “- ”) must be the same as in the source."),
        "link": t("it adds a link, an e-mail address or an @name the source does not have."),
    }
    return texts[refusal.reason]


def refused(t: Translator, entry: Entry, refusal: Refusal) -> Screen:
    """A correction that cannot reach users: why, and how to go on."""
    text = "❌ " + t("Not saved: {reason}", reason=reason_text(t, refusal))
    text += "\n" + t("Please send the corrected text again.")
    return Screen(escape(text), (_review_nav(t, entry),))


def done_screen(t: Translator, head: str) -> Screen:
    """Nothing left to review."""
    return Screen(
        f"<b>{escape(head)}</b>\n\n"
        + escape(t("Nothing left to review in this language. Thank you!"))
    )


# -- /verify -------------------------------------------------------------------------------


def summary_line(t: Translator, s: Summary, town: str | None) -> str:
    """ "Herten: 12 services: 3 checked with the provider, 5 due, 1 reported"."""
    return t(
        "{where}: {total} services. Checked with the provider: {checked}. Due for a check "
        "(older than 12 months): {due}. Reported: {reported}. Never checked with the "
        "provider: {never}.",
        where=town or t("all towns"),
        total=s.total,
        checked=s.checked,
        due=s.due,
        reported=s.reported,
        never=s.never,
    )


def tap_to_call(phone: str) -> str:
    """The phone in international form, which Telegram turns into a tap-to-call link."""
    try:
        number = phonenumbers.parse(phone, "DE")
    except phonenumbers.NumberParseException:
        return phone
    if not phonenumbers.is_valid_number(number):
        return phone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _facts(t: Translator, knowledge: Knowledge, service: Service) -> list[str]:
    s = service
    lines = []
    if s.phone:
        lines.append(f"☎️ {escape(tap_to_call(s.phone))}")
    if s.email:
        lines.append(f"✉️ {escape(s.email)}")
    if s.website:
        lines.append(f"🌐 {escape(s.website)}")
    if s.address:
        lines.append(f"📍 {escape(s.address.one_line())}")
    if s.languages:
        lines.append(f"🗣 {escape(', '.join(s.languages))}")
    towns = ", ".join(knowledge.towns[x].name for x in s.towns if x in knowledge.towns)
    lines.append(f"🏘 {escape(s.area + (': ' + towns if towns else ''))}")
    when = s.verified.strftime("%d.%m.%Y") if s.verified else "?"
    lines.append(
        "📅 " + escape(t("As of {date}, checked with: {how}", date=when, how=s.verified_how))
    )
    if s.unverified:
        lines.append("❔ " + escape(t("Not confirmed: {fields}", fields=", ".join(s.unverified))))
    if s.note:
        lines.append(f"📝 {escape(s.note)}")
    return lines


def verify_screen(
    t: Translator, engine: Engine, service: Service, card: str, town: str | None, head: str
) -> Screen:
    """One service to check: the card as users see it, every fact, the sources, buttons."""
    parts = [f"<b>{escape(head)}</b>"] if head else []
    parts.append(card or f"<b>{escape(service.name)}</b>")
    parts.append("—————")
    facts = "\n".join(_facts(t, engine.knowledge, service))
    parts.append(bold(t("Every fact")) + "\n" + facts)
    if service.sources:
        listed = "\n".join(f"• {escape(url)}" for url in service.sources)
        parts.append(bold(t("Sources")) + "\n" + listed)
    ref = f"{service_ref(service.id)}:{town or ''}"
    rows = (
        (Button("✅ " + t("Checked with the provider today"), f"{VERIFY}:{APPROVE}:{ref}"),),
        (Button("✏️ " + t("Something is wrong"), f"{VERIFY}:{WRONG}:{ref}"),),
        (Button("🚫 " + t("This service no longer exists"), f"{VERIFY}:{GONE}:{ref}"),),
        (
            Button("⏭ " + t("Skip"), f"{VERIFY}:{SKIP}:{ref}"),
            Button("⏹ " + t("Stop for now"), f"{VERIFY}:{STOP}"),
        ),
    )
    return Screen("\n\n".join(parts), rows)


def service_ref(service_id: str) -> str:
    """A service's short reference for a button."""
    return ref("service", service_id)


def card_node(knowledge: Knowledge, service_id: str) -> str | None:
    """A node whose screen lists the service (its card is opened from there)."""
    return shown_on(knowledge).get(service_id)


def today_line(t: Translator, day: dt.date) -> str:
    """What the card says now."""
    return t("Checked with the service on {date}.", date=day.strftime("%d.%m.%Y"))
