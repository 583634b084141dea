"""What the engine needs from outside it, as protocols: a search (bot.search.SearchIndex) and a
crisis detector (bot.crisis.CrisisDetector). Pure; the engine imports neither.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from bot.engine.views import SearchHit
from bot.knowledge.model import CrisisSignal


class Searcher(Protocol):
    """Finds nodes and services for typed text (bot.search.SearchIndex)."""

    def search(
        self, query: str, lang: str, limit: int = 5, *, today: dt.date | None = None
    ) -> Sequence[SearchHit]:
        """The best matches, best first (events over by ``today`` left out)."""
        ...


class CrisisChecker(Protocol):
    """Recognises messages that signal acute danger (bot.crisis.CrisisDetector)."""

    def detect(self, text: str, lang: str, *, note: bool = False) -> CrisisSignal | None:
        """The kind of danger and whether it is sure, or None (``note``: typed after 👎)."""
        ...

    def judge(
        self, text: str, lang: str, *, note: bool = False
    ) -> tuple[CrisisSignal | None, bool]:
        """The signal, and whether ``text`` (a note after 👎, an unmet need, a search) may be
        stored: never what the detector reads as danger, even without a signal."""
        ...
