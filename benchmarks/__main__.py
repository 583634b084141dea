"""Run every benchmark in a quick mode and print one summary table: ``python -m benchmarks``.

Quick mode keeps the whole run to a few minutes (``make bench``): end to end with 100 users
and 10 s at 100 updates/s, start-up with a 2,000-node synthetic knowledge, the staff report
over 50,000 rows, search as it is, crisis detection on its evaluation sets, fuzzing with 2,000
updates. Each benchmark also runs on its own at full size (see benchmarks/README.md). Each
one's own output is printed as it runs; the table comes last.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import time
from collections.abc import Callable

from benchmarks import (
    bench_crisis,
    bench_e2e,
    bench_fuzz,
    bench_report,
    bench_search,
    bench_startup,
)

Row = tuple[str, str, str]


def captured(title: str, run: Callable[[], object]) -> str:
    """Run a benchmark, echo its output under a title, and return the output."""
    print(f"\n== {title}", flush=True)
    buffer = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(buffer):
        run()
    text = buffer.getvalue()
    print(text.rstrip())
    print(f"({time.perf_counter() - started:.0f} s)", flush=True)
    return text


def lines_with(text: str, pattern: str) -> list[str]:
    """The lines of ``text`` that match ``pattern``, stripped."""
    return [line.strip() for line in text.splitlines() if re.search(pattern, line)]


def main() -> int:
    """Run everything quickly; print the table."""
    rows: list[Row] = []
    pairs = []

    def e2e() -> None:
        pairs.extend(bench_e2e.measure([100], rate=100.0, seconds=10.0))
        print("\n".join(bench_e2e.table(pairs)))

    captured("end to end, 100 users closed loop, 100 updates/s open loop (bench_e2e)", e2e)
    for lotse, echo in pairs:
        for r in (lotse, echo):
            rows.append(
                (
                    f"e2e {r.bot}, {r.load}",
                    f"{r.per_second:.0f} upd/s, {r.cpu_ms:.2f} ms CPU/upd",
                    f"p50 {r.percentile(50):.0f} ms, p99 {r.percentile(99):.0f} ms, "
                    f"RSS {r.rss_kib / 1024:.0f} MiB, {r.concurrency}",
                )
            )
        rows.append(
            (
                f"e2e Lotse / echo, {lotse.load}",
                f"{lotse.per_second / echo.per_second:.2f}× throughput",
                f"p99 {lotse.percentile(99) / echo.percentile(99):.1f}×, "
                f"RSS {lotse.rss_kib / max(echo.rss_kib, 1):.1f}×",
            )
        )
    startup = captured(
        "start-up (bench_startup --nodes 2000 --repeat 1)",
        lambda: bench_startup.main(["--nodes", "2000", "--repeat", "1"]),
    )
    for line in lines_with(startup, r"build_core \("):
        label, _, ms = line.rpartition(")")
        rows.append((f"start-up, {label.removeprefix('build_core (')}", ms.strip(), ""))
    report = captured(
        "staff report (bench_report --rows 50000)",
        lambda: bench_report.main(["--rows", "50000"]),
    )
    for line in lines_with(report, r"^report, one (year|week) ")[:2]:
        label, _, figure = line.partition("  ")
        rows.append((f"staff {label.strip()}, 50,000 rows", figure.strip().split("   ")[0], ""))
    search = captured("search (bench_search)", bench_search.main)
    for line in lines_with(search, r"^\s*all\s"):
        n, top1, top3, outside, found = line.split()[1:6]
        rows.append(
            (
                f"search accuracy, {n} queries",
                f"top-1 {top1}, top-3 {top3}",
                f"{found} of {outside} out-of-scope queries find something",
            )
        )
    for line in lines_with(search, r"^Latency"):
        label, _, figure = line.partition(": ")
        rows.append((f"search {label.lower()}", figure, ""))
    crisis = captured("crisis detection (bench_crisis)", lambda: bench_crisis.main([]))
    for line in lines_with(crisis, r"^(dev|heldout2?) total:"):
        label, _, figure = line.partition(": ")
        rows.append((f"crisis {label.replace(' total', '')}", figure, ""))
    for line in lines_with(crisis, r"^(CPU time|wall clock|Memory)"):
        label, _, figure = line.partition(": ")
        rows.append((f"crisis {label.lower()}", figure, ""))
    fuzzed = captured(
        "fuzzing (bench_fuzz --updates 2000)", lambda: bench_fuzz.main(["--updates", "2000"])
    )
    for line in lines_with(fuzzed, r"^fuzz:"):
        head, _, tail = line.partition(";")
        rows.append(("fuzz", head.removeprefix("fuzz: "), tail.strip()))
    width = max(len(r[0]) for r in rows)
    print("\nSummary (quick mode; full sizes: benchmarks/README.md)")
    for name, figure, detail in rows:
        print(f"  {name:<{width}}  {figure:<28} {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
