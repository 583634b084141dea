"""Every rule that keeps a staff output from pointing to one person. Staff layer; pure.

Report, export, HTML page, chart, quarter workbook and digest all show a ``Report`` that
``bot.staff.report.assemble`` built with these rules; no output reads the database itself.
One ``Privacy`` value carries the threshold, and each rule is one method or constant:

1. ``suppress``: no group below ``min_group`` is shown with its count; when the hidden
   counts of a table add up to less than ``min_group``, the next smallest are masked too,
   so that no total gives them away. Rows with a shown sub-row (a topic whose answer is
   shown) are masked last, and a masked row still shows the lower bound its shown sub-rows
   give (``at_least``: "Hilfe für Frauen" reads "≥ 7" when "Gewalt" shows 7, never hidden).
   Usage totals (screens, cards, emergency screens, searches) follow the same rule.
2. ``texts_allowed``: free texts (notes, search texts) only when the output is not narrowed
   to a town or a language.
3. ``text_period``: free texts only by whole calendar weeks (Monday to Sunday), whatever
   the period asked for, so no text is dated finer than its week (``--since X --until X``
   cannot date a note to one day).
4. ``NOTE_FIELDS``: every note is listed, grouped by topic and answer, with its language
   (so staff can have it translated), but never with its day, town or service: the SQL
   does not even read them, so a note never carries day + language + town.
5. ``search_groups``: search texts grouped after normalisation ("Kita Platz" = "kitaplatz"),
   listed like notes (no day, language or town), with their count only when the group is
   large enough (``count``).
6. ``count``: a single figure (such as the number of notes in the digest) only when it is
   at least ``min_group``.
7. ``trend``: a change against the previous period only between two shown figures.
8. Exports carry the report's aggregates (``bot.staff.export``), never one row per rating.

To add an output or a kind of figure, add its rule here as a method with a test that fails
without it, and build the figure in ``bot.staff.report``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from bot.staff.model import Trend

MIN_GROUP_FLOOR = 3
WEEK = 7
# Rule 4: what of a stored note any output may know. Not the day, the town, the service.
NOTE_FIELDS = ("topic", "node_id", "lang", "text")


def normalise_query(text: str) -> str:
    """The key a search text is grouped under: case, spaces and punctuation folded away."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


@dataclass(frozen=True)
class Privacy:
    """The suppression rules for one threshold (LOTSE_MIN_GROUP, at least 3)."""

    min_group: int

    def __post_init__(self) -> None:
        if self.min_group < MIN_GROUP_FLOOR:
            raise ValueError(
                f"the smallest group shown must be at least {MIN_GROUP_FLOOR}, "
                f"got {self.min_group} (LOTSE_MIN_GROUP, --min-group)"
            )

    def suppress(
        self, counts: Sequence[int], pinned: Collection[int] = ()
    ) -> tuple[list[int | None], set[int]]:
        """Rule 1: the counts with small ones hidden (None), and those masked to protect them.

        ``pinned`` rows (those with a shown sub-row) are masked only when nothing else can
        be. Returns the counts and the indexes hidden only so the others cannot be recovered.
        """
        least = self.min_group
        hidden = {i for i, n in enumerate(counts) if 0 < n < least}
        masked: set[int] = set()
        if hidden and sum(counts[i] for i in hidden) < least:
            others = sorted(
                (i for i, n in enumerate(counts) if i not in hidden and n > 0),
                key=lambda i: (i in pinned, counts[i]),
            )
            for i in others:
                masked.add(i)
                if sum(counts[j] for j in hidden | masked) >= least:
                    break
        shown = [None if i in hidden or i in masked else n for i, n in enumerate(counts)]
        return shown, masked

    def count(self, n: int) -> int | None:
        """Rule 6: a single figure, or None when it is a small group (0 is no group)."""
        return n if n == 0 or n >= self.min_group else None

    @staticmethod
    def texts_allowed(*, town: str | None, lang: str | None) -> bool:
        """Rule 2: free texts only for outputs not narrowed to a town or a language."""
        return town is None and lang is None

    @staticmethod
    def text_period(
        since: dt.date | None, until: dt.date | None
    ) -> tuple[dt.date | None, dt.date | None]:
        """Rule 3: the period widened to whole calendar weeks (Monday to Sunday)."""
        start = since - dt.timedelta(days=since.weekday()) if since else None
        end = until + dt.timedelta(days=WEEK - 1 - until.weekday()) if until else None
        return start, end

    def search_groups(self, texts: Mapping[str, int]) -> list[tuple[str, str, int | None]]:
        """Rule 5: searches grouped by ``normalise_query``: (key, spelling, count or None).

        The spelling is the one typed most often; groups come largest first, small ones
        (count None) after them by spelling, so their order tells nothing.
        """
        totals: Counter[str] = Counter()
        spellings: dict[str, Counter[str]] = {}
        for text, n in texts.items():
            key = normalise_query(text)
            if not key:
                continue
            totals[key] += n
            spellings.setdefault(key, Counter())[text.strip()] += n
        groups = []
        for key, n in totals.items():
            spelling = min(spellings[key].items(), key=lambda item: (-item[1], item[0]))[0]
            groups.append((key, spelling, self.count(n)))
        return sorted(groups, key=lambda g: (g[2] is None, -(g[2] or 0), g[1].casefold()))

    @staticmethod
    def trend(current: int | None, previous: int | None) -> Trend | None:
        """Rule 7: the change against the previous period, only between two shown figures."""
        if current is None or previous is None:
            return None
        return Trend.between(current, previous)
