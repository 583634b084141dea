"""Every rule that keeps a staff output from pointing to one person. Staff layer; pure.

Report, export, HTML page, chart and digest all show a ``Report`` that
``bot.staff.report.build_report`` built with these rules; no output reads the feedback
tables itself. One ``Privacy`` value carries the threshold, and each rule is one method:

1. ``suppress``: no group below ``min_group`` is shown with its count; when the hidden
   counts of a table add up to less than ``min_group``, the next smallest are masked too,
   so that no total gives them away.
2. ``texts_allowed``: free texts (notes, search texts) only when the output is not narrowed
   to a town or a language.
3. ``text_period``: free texts only by whole calendar weeks (Monday to Sunday), whatever
   the period asked for, so no text is dated finer than its week (``--since X --until X``
   cannot date a note to one day).
4. ``note_nodes``: notes only on an answer that at least ``min_group`` people rated 👎 in
   that period; notes are listed without day, language, town or service.
5. ``frequent_texts``: a search text only when at least ``min_group`` searches used it
   (case-insensitive); rarer ones are not listed at all, not even as "< 5".
6. ``count``: a single figure (such as the number of notes in the digest) only when it is
   at least ``min_group``.
7. Exports carry the report's aggregates (``bot.staff.export``), never one row per rating.

To add an output or a kind of figure (issue 15: notes, usage, trends), add its rule here as
a method with a test that fails without it, and build the figure in ``build_report``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MIN_GROUP_FLOOR = 3
WEEK = 7


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

    def suppress(self, counts: Sequence[int]) -> tuple[list[int | None], set[int]]:
        """Rule 1: the counts with small ones hidden (None), and those masked to protect them.

        Returns the counts and the indexes hidden only so the others cannot be recovered.
        """
        least = self.min_group
        hidden = {i for i, n in enumerate(counts) if 0 < n < least}
        masked: set[int] = set()
        if hidden and sum(counts[i] for i in hidden) < least:
            others = sorted(
                (i for i, n in enumerate(counts) if i not in hidden and n > 0),
                key=counts.__getitem__,
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

    def note_nodes(self, unhelpful: Mapping[str, int]) -> set[str]:
        """Rule 4: the answers whose notes may be listed (enough 👎 in the text period)."""
        return {node for node, n in unhelpful.items() if n >= self.min_group}

    def frequent_texts(self, texts: Counter[str], limit: int) -> list[tuple[str, int]]:
        """Rule 5: the texts used at least ``min_group`` times, most frequent first."""
        return [(text, n) for text, n in texts.most_common() if n >= self.min_group][:limit]
