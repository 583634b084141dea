"""Where a bot process's time per update went, from bench_e2e's cProfile files.

``bench_e2e --profile DIR`` prints this table at the end; on its own:
``python -m benchmarks.profile_table FILE.prof UPDATES``. Each function's own time (cProfile's
tottime, wall clock, main thread only: aiosqlite's worker thread is not in it) is put in a
bucket by the file it lives in, and divided by the updates the process handled. Profiling
inflates every figure; compare bots and versions with each other, not with bench_e2e's CPU
per update.
"""

from __future__ import annotations

import pstats
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.bench_e2e import Round

# (bucket, substrings of a function's file); the first that matches wins.
BUCKETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("HTTP client: httpx, httpcore", ("/httpx/", "/httpcore/", "/anyio/", "/sniffio/")),
    ("HTTP client: Lotse's transport", ("bot/tg/transport.py", "bot/tg/http1.py")),
    ("HTTP/1.1 parser: h11 (both)", ("/h11/",)),
    ("python-telegram-bot", ("/telegram/",)),
    ("Lotse's own code (bot.*)", ("/bot/",)),
    ("aiosqlite thread hand-off", ("/aiosqlite/", "threading.py", "/concurrent/", "queue.py")),
    ("asyncio", ("/asyncio/",)),
    ("JSON and form encoding", ("/json/", "urllib/parse.py")),
)
IDLE = "idle, waiting for I/O"
BUILTINS = "builtins (sockets, json, re …)"
OTHER = "other Python"
ORDER = [name for name, _ in BUCKETS[:4]] + [IDLE, BUILTINS] + [n for n, _ in BUCKETS[4:]]


def buckets(path: Path) -> Counter[str]:
    """Seconds of own time per bucket in one profile."""
    stats = pstats.Stats(str(path))
    seconds: Counter[str] = Counter()
    for (filename, _, function), row in stats.stats.items():  # type: ignore[attr-defined]
        own = row[2]
        if filename == "~":
            seconds[IDLE if "poll" in function and "epoll" in function else BUILTINS] += own
            continue
        name = next((n for n, parts in BUCKETS if any(p in filename for p in parts)), OTHER)
        seconds[name] += own
    return seconds


def lines(columns: Sequence[tuple[str, Counter[str], int]]) -> list[str]:
    """One row a bucket, one column a profile: ms per update."""
    head = f"{'where':34}" + "".join(f"{title:>12}" for title, _, _ in columns)
    out = [head]
    for name in [*ORDER, OTHER]:
        cells = [1000 * seconds[name] / max(updates, 1) for _, seconds, updates in columns]
        if any(cell >= 0.005 for cell in cells):
            out.append(f"{name:34}" + "".join(f"{cell:12.2f}" for cell in cells))
    totals = [1000 * sum(s.values()) / max(u, 1) for _, s, u in columns]
    out.append(f"{'total':34}" + "".join(f"{total:12.2f}" for total in totals))
    return out


def profile_table(folder: Path, rounds: Sequence[Round]) -> list[str]:
    """The table for every profile bench_e2e wrote into ``folder``."""
    columns = []
    for number, figures in enumerate(rounds, 1):
        for kind, results in figures.items():
            suffix = f"-{number}" if len(rounds) > 1 else ""
            path = folder / f"{kind}{suffix}.prof"
            if path.exists():
                updates = sum(r.updates for r in results)
                columns.append((f"{kind}{suffix}", buckets(path), updates))
    return lines(columns)


def main(argv: list[str] | None = None) -> int:
    """Print the table for one profile file and the updates it handled."""
    args = sys.argv[1:] if argv is None else argv
    path, updates = Path(args[0]), int(args[1])
    print("\n".join(lines([(path.stem, buckets(path), updates)])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
