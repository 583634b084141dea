"""The bot's fixed texts: commands, descriptions, help, privacy, short notes. Pure.

Functions of a translator only (msgids are the English sentences, extracted by
``make catalogs``); the screens that show them are built in bot.engine.flow and views.
"""

from __future__ import annotations

from bot.engine.views import titled
from bot.i18n import Translator


def commands(t: Translator) -> list[tuple[str, str]]:
    """The command menu: (command, description)."""
    return [
        ("start", t("Start and show the main menu")),
        ("menu", t("Main menu")),
        ("language", t("Change the language")),
        ("help", t("How this bot works")),
        ("privacy", t("What is stored about you")),
        ("erase", t("Erase this chat")),
        ("forget", t("Delete your stored language choice")),
    ]


def descriptions(t: Translator) -> tuple[str, str]:
    """The bot's description and short description."""
    return (
        t(
            "Lotse helps you find care, health and counselling services in the towns of "
            "Kreis Recklinghausen, in your language. Free and anonymous. In an emergency "
            "call 112 or the police on 110."
        ),
        tagline(t),
    )


def tagline(t: Translator) -> str:
    """One neutral line about Lotse (the short description; the screen left after erase)."""
    return t("Help and counselling in Kreis Recklinghausen, in your language.")


def help_text(t: Translator) -> str:
    """/help, as Telegram HTML."""
    return titled(
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


def privacy_text(t: Translator, retention_days: int) -> str:
    """/privacy, as Telegram HTML: what is stored, and for how long."""
    return titled(
        t("Your privacy"),
        t(
            "Lotse does not store your name or your phone number. What you ask is never "
            "stored with your name or your chat: Lotse keeps it for this chat for two hours "
            "at most (see below). The only thing it stores about you is the language you "
            "chose, under a code computed from your Telegram user ID with a secret key (a "
            "salted hash). The code cannot be turned back into your ID. /forget deletes it."
        ),
        t(
            "For a few hours Lotse also keeps which screen you are on and whether it is "
            "waiting for your note, and for two days the numbers of the messages in this "
            "chat, so that /erase can delete them. This too is kept only under a code, and "
            "/erase deletes it at once."
        ),
        t(
            "When you type a question and Lotse shows answers, it keeps your words for up to "
            "two hours under the code of this chat, without phone numbers or e-mail addresses. "
            "If you then say that an answer did not help or that none of these fits, your "
            "words are stored with the topic and the week only, so that the integration office "
            "can improve the answers. /erase and /forget delete the words kept for this chat "
            "at once. Words already stored after 👎 or “None of these fits” stay stored, but "
            "without any link to you or to this chat."
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
            retention_days,
        ),
        t(
            "Telegram itself keeps this chat on your phone. If someone else may "
            "look at your phone: /erase deletes this conversation, and you can "
            "delete the chat in Telegram."
        ),
    )


def erase_notice(t: Translator, *, ok: bool) -> str:
    """The pop-up after a 🧹 press (at most 200 characters, never kept in the chat)."""
    if ok:
        return t(
            "Deleted: the messages of the last 48 hours. To remove the chat from your "
            "phone too: press and hold it in the chat list, then tap Delete."
        )
    return t(
        "Telegram did not let me delete everything. Please delete the chat yourself: "
        "press and hold it in the chat list, then tap Delete."
    )


def apology(t: Translator) -> str:
    """The line shown when feedback could not be saved (database trouble)."""
    return t("Sorry, your answer could not be saved just now. Everything else works.")


def forgotten(t: Translator, *, had_data: bool | None) -> str:
    """/forget's answer: gone, nothing was there, or it could not be deleted (None)."""
    if had_data is None:
        return t(
            "Sorry, your language choice could not be deleted just now. Nothing was "
            "deleted. Please send /forget again in a few minutes."
        )
    if had_data:
        return t("Done: your language choice is deleted. Nothing else about you was stored.")
    return t("Nothing is stored about you.")


def stale(t: Translator) -> str:
    """The note over the main menu when a button's place no longer exists."""
    return t("This menu has changed in the meantime. Here is the main menu.")


def typed_hint(t: Translator) -> str:
    """The note over the main menu when typed text cannot be searched."""
    return t("Please choose a topic with the buttons below.")


def too_long(t: Translator) -> str:
    """The note over the main menu after a message far longer than any question."""
    return t(
        "Your message is very long. I can only read short questions. Please choose a topic below."
    )


def unsupported(t: Translator) -> str:
    """The note over the main menu after a sticker, photo or voice message."""
    return t(
        "I cannot read pictures, stickers or voice messages. "
        "Please choose a topic below or write a few words."
    )


def unknown_command(t: Translator) -> str:
    """The note over the main menu after a /command the bot does not have."""
    return t("I do not know this command. Here is the main menu.")


def group_note(t: Translator) -> str:
    """In a group: why Lotse answers only in a private chat."""
    return t(
        "I answer only in a private chat, so that nobody else sees what you ask. "
        "Tap the button to talk to me privately."
    )
