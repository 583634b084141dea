"""Crisis detection (core, pure): concepts and rules of knowledge/crisis.yaml over the
loosely compared words of a message. No I/O, no Telegram.

- :mod:`bot.crisis.detector`: :class:`CrisisDetector` (concepts → rules → a signal);
- :mod:`bot.crisis.terms`: the terms compiled for look-up (typos, stems, parts);
- :mod:`bot.crisis.language`: which languages' short terms and negation words count.
"""

from __future__ import annotations

from bot.crisis.detector import CrisisDetector, Found
from bot.crisis.language import scope

__all__ = ["CrisisDetector", "Found", "scope"]
