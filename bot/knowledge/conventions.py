"""Conventions the core and the storage share: how a content text is named in the catalogs,
and what time and day it is. A leaf: imports nothing from ``bot``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

# The knowledge entries whose German texts are translated in the ``knowledge`` domain.
ContentKind = Literal["node", "service"]


def msgctxt(kind: ContentKind, ident: str, field: str) -> str:
    """The catalog context of one content text, e.g. ``node:pflege:title``.

    Translations are looked up by it (not by the German text), so a translation whose
    German source changed is still found, and shown marked as outdated.
    """
    return f"{kind}:{ident}:{field}"


def utc_now() -> dt.datetime:
    """The time now, in UTC (an aware datetime: the clock of expiries and pending texts)."""
    return dt.datetime.now(dt.UTC)


def utc_today() -> dt.date:
    """Today's date in UTC: the day events expire by, and the finest time anything is stored
    with (feedback keeps the day, never the hour)."""
    return utc_now().date()
