"""Crisis detection (core, pure): concepts and rules of knowledge/crisis.yaml over the
loosely compared words of a message, and a trained model that reads along. No I/O beyond
reading its files, no Telegram.

- :mod:`bot.crisis.detector`: :class:`CrisisDetector` (concepts → rules, with the model → a
  graded signal);
- :mod:`bot.crisis.grade`: how the rules' signal and the model's danger make one answer;
- :mod:`bot.crisis.terms`: the terms compiled for look-up (typos, stems, parts);
- :mod:`bot.crisis.language`: which languages' short terms and negation words count;
- :mod:`bot.crisis.model`: the model (hashed character n-grams and words, logistic
  regression, int8 weights in knowledge/crisis_model.bin) and its file format;
- :mod:`bot.crisis.data`: the messages it learns from (tests/data) and their hash;
- :mod:`bot.crisis.train`: ``python -m bot.crisis.train`` retrains it (deterministic).

Limits of the model and how to retrain it: knowledge/README.md, "The crisis model".
"""

from __future__ import annotations

from bot.crisis.detector import CrisisDetector
from bot.crisis.grade import Found
from bot.crisis.language import scope

__all__ = ["CrisisDetector", "Found", "scope"]
