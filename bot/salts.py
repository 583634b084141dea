"""The secret salt of the pseudonymous user keys, kept apart from the data it protects.

A user key is an HMAC of the Telegram user id under the salt. Whoever has the database and
the salt can test a candidate id with one HMAC; whoever has only the database cannot. So
the salt never lives in the database: it comes from LOTSE_SALT, or from a file of its own
(mode 0600), created with a random salt on first start. The file may list earlier salts
("previous …" lines) so that /forget still finds a choice stored under one of them.

Losing the salt loses nothing but the language choices (users get Telegram's language
again); rows under a lost salt expire after the retention period like every unused choice.
Pure file handling; never logs.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConfigError

HEADER = (
    "# Lotse: the secret salt of the pseudonymous user keys. Keep it secret and back it up\n"
    "# apart from the database (README, 'The salt'). Earlier salts follow as 'previous'.\n"
)
PREVIOUS = "previous"
PRIVATE = 0o600


@dataclass(frozen=True)
class Salts:
    """The salt in use, and earlier ones whose keys /forget must still delete."""

    current: str
    previous: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        """Every salt, the current one first."""
        return (self.current, *self.previous)


def read_salt_file(path: Path) -> tuple[str | None, tuple[str, ...]] | None:
    """The salt and earlier salts in ``path``; None when there is no file yet."""
    if not path.exists():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{path}: the salt file cannot be read ({type(exc).__name__}); restore it from "
            "the backup or fix its permissions (LOTSE_SALT_FILE)"
        ) from None
    current: str | None = None
    previous: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word == PREVIOUS and rest.strip():
            previous.append(rest.strip())
        elif current is None and not rest:
            current = line
        else:
            raise ConfigError(
                f"{path}:{number}: expected the salt on one line, then 'previous <salt>' "
                "lines; restore the file from the backup"
            )
    return current, tuple(previous)


def write_salt_file(path: Path, current: str | None, previous: Sequence[str]) -> None:
    """Write the salts to ``path`` (mode 0600), replacing the file in one step."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(path.name + ".new")
    lines = [
        HEADER,
        *([f"{current}\n"] if current else []),
        *(f"{PREVIOUS} {s}\n" for s in previous),
    ]
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write("".join(lines))
        file.flush()
        os.fsync(file.fileno())
    temporary.chmod(PRIVATE)  # a file left over from before keeps its mode through open
    temporary.replace(path)


def resolve(configured: str | None, path: Path, legacy: str | None = None) -> Salts:
    """The salts to use; creates or extends the salt file when something must be kept.

    ``configured`` is LOTSE_SALT (it wins over the file); ``legacy`` is a salt an older
    version kept in the database, moved into the file here (as the salt, or as previous).
    """
    found = read_salt_file(path)
    if found is not None and stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(PRIVATE)
    in_file, earlier = found if found is not None else (None, ())
    if found is not None and in_file is None and not configured and not legacy:
        raise ConfigError(
            f"{path}: the salt file holds no salt; restore it from the backup, or delete it "
            "to start with a new salt (stored language choices are then not recognised)"
        )
    if configured:
        current, keep_current = configured, in_file
    else:
        current = in_file or legacy or secrets.token_hex(32)
        keep_current = current
    keep_previous = tuple(dict.fromkeys(s for s in (*earlier, legacy) if s and s != keep_current))
    changed = found is None or (keep_current, keep_previous) != (in_file, earlier)
    if changed and (keep_current or keep_previous):
        write_salt_file(path, keep_current, keep_previous)
    previous = tuple(dict.fromkeys(s for s in (in_file, *earlier, legacy) if s and s != current))
    return Salts(current, previous)
