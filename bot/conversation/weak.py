"""Weak answers: a search whose result the person then rates 👎 or "none fits". No Telegram.

The rule (README, "For staff"): after typed text is answered with results, the chat keeps the
search (its text, scrubbed, and the nodes its result buttons open) for at most ``SEARCH_KEPT``
(100 minutes; housekeeping deletes it within the two hours /privacy promises).
The search stays live only while the person stays on what it offered: a result (node or
service card), a service card opened on a result's screen, the language picker and town
choice for one of them. A 👎 or "none of these fits" on such a screen is a weak answer to
that search; any rating or "none fits" there uses the search up. Any other press (another
topic, a sub-topic, the main menu), a command other than /language, new text, /erase and
/forget clear it. So a 👎 three screens later on another topic never counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.engine import payloads as pl
from bot.engine.screens import Screen
from bot.storage.state import SEARCH_KEPT
from bot.text.scrub import scrub

__all__ = ["SEARCH_KEPT", "Search", "kept", "node_of", "result_payloads"]
# As much of the search text as the staff report keeps (bot/storage/usage.py).
QUERY_LIMIT = 200


@dataclass(frozen=True)
class Search:
    """A search that showed results: its scrubbed text and the nodes they open."""

    query: str
    nodes: tuple[str, ...]

    def encode(self) -> str:
        """As stored in the chat's row."""
        return json.dumps([self.query, list(self.nodes)], ensure_ascii=False)

    @staticmethod
    def decode(text: str | None) -> Search | None:
        """The stored search again; None for nothing or anything else."""
        if not text:
            return None
        try:
            query, nodes = json.loads(text)
            return Search(str(query), tuple(str(n) for n in nodes))
        except (ValueError, TypeError):
            return None

    def offers(self, payload: str | None) -> bool:
        """Whether a button press stays on what this search offered."""
        node = node_of(payload)
        return node is not None and node in self.nodes


def kept(query: str, screen: Screen) -> Search | None:
    """The search to keep for a results screen: scrubbed text, the nodes of its results."""
    clean = scrub(query, QUERY_LIMIT)
    nodes = tuple(dict.fromkeys(n for n in map(node_of, result_payloads(screen)) if n))
    if not clean or not nodes:
        return None
    return Search(clean, nodes)


def result_payloads(screen: Screen) -> list[str]:
    """The payloads of a screen's buttons that open a node or a service card."""
    found = []
    for row in screen.buttons:
        for button in row:
            action = pl.parse(button.payload)
            if action is not None and action.kind in (pl.NODE, pl.SERVICE):
                found.append(button.payload or "")
    return found


def node_of(payload: str | None) -> str | None:
    """The node a payload opens, rates, or says "none fits" on (a service card: its node)."""
    action = pl.parse(payload)
    if action is not None and action.place is not None:  # 👍/👎, language picker and switch
        action = action.place
    if action is None or not action.args:
        return None
    return action.args[1] if action.kind == pl.SERVICE else action.args[0]
