"""Erase a private chat: delete every message Telegram still lets the bot delete. Telegram shell.

Nothing about the chat needs to live in process memory, so the quick exit works after a
restart, a deploy or a crash, and whichever worker gets the 🧹 press:

- In a private chat Telegram numbers the messages of both sides one by one (1, 2, 3 …), and
  ``deleteMessages`` (1–100 ids per call) skips ids that are gone or older than 48 hours. So
  deleting the id range from the chat's oldest recent message up to the newest one removes
  everything the bot may delete, the user's messages and its own.
- The range comes from the database (``Storage.message_span``: the lowest and highest id any
  worker noted for the chat, keyed by an HMAC of the chat id, expiring 48 hours after the
  chat was last active) and from the update at hand (the /erase message, the message with the
  🧹 button).

How far back and ahead (ids that do not exist cost nothing: Telegram skips them):

- ``LOOK_BACK`` ids below the newest one, whatever the database says: covers messages from
  before this version was deployed, a database that was restored or replaced, and notes that
  failed to be written. 300 ids are three calls, and more than a person exchanges with a
  menu bot in two days (navigation edits one message in place; a question and its answer are
  two ids, a service card with its contact card and map pin three).
- ``LOOK_AHEAD`` ids above the newest known one: messages another worker is sending right now
  or whose note was lost to a locked database.
- never more than ``MAX_IDS`` ids (20 calls), so one request cannot make the bot spend its
  whole sending budget; a chat that somehow passed 2,000 messages in 48 hours keeps the
  oldest ones, and the user is pointed to deleting the chat in Telegram in any case.

Newest first: if Telegram stops answering halfway, what was on screen last is gone first.
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import BadRequest, TelegramError

log = logging.getLogger(__name__)

BATCH = 100  # deleteMessages takes 1-100 ids per call
LOOK_BACK = 300
LOOK_AHEAD = 20
MAX_IDS = 2000


def id_batches(current: int, span: tuple[int, int] | None) -> list[list[int]]:
    """The message ids to delete, newest first, in calls of at most ``BATCH``.

    Args:
        current: the id of the message the erase came with (the /erase command, or the
            message whose 🧹 button was pressed).
        span: the lowest and highest id noted for this chat, or None.
    """
    low, high = span if span else (current, current)
    top = max(current, high) + LOOK_AHEAD
    bottom = max(1, min(low, current, top - LOOK_BACK), top - MAX_IDS + 1)
    ids = list(range(top, bottom - 1, -1))
    return [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]


async def delete_range(bot: Bot, chat_id: int, batches: list[list[int]]) -> bool:
    """Delete the ids; True only when Telegram accepted every call."""
    ok = True
    for ids in batches:
        try:
            await bot.delete_messages(chat_id, ids)
        except BadRequest as exc:
            if "not found" in exc.message.lower():
                continue  # none of these ids exists (any more): nothing to delete
            log.warning("Telegram refused to delete messages: %s", exc.message)
            ok = False
        except TelegramError as exc:
            # Keep going: every later batch deleted is one trace less.
            log.warning("could not delete messages: %s", exc.message)
            ok = False
    return ok
