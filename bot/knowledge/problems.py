"""What is wrong in the knowledge files: one problem, told like a compiler message, and how
bad it is. Pure; no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a problem in the knowledge files is: errors stop the bot, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


# The two severities by their short names (as validator code and tests write them).
ERROR = Severity.ERROR
WARNING = Severity.WARNING


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the knowledge files, told like a compiler message."""

    file: str
    line: int
    id: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == WARNING else ""
        return f"{self.file}:{self.line}: {self.id}: {prefix}{self.message}"
