"""Knowledge layer: model, loader and validator. Pure; PyYAML only, no Telegram, no I/O
beyond reading the knowledge files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.errors import KnowledgeError
from bot.knowledge.loader import read_knowledge
from bot.knowledge.model import Knowledge, Problem
from bot.knowledge.validate import check, errors


def load_knowledge(directory: Path, today: dt.date) -> tuple[Knowledge, list[Problem]]:
    """Load and check ``directory``; raise KnowledgeError on errors, return the warnings."""
    unchecked = read_knowledge(directory)
    problems = [*unchecked.problems, *check(unchecked.knowledge, today)]
    if errors(problems):
        raise KnowledgeError(errors(problems))
    return unchecked.knowledge, problems
