"""Benchmark: start-up time and memory of the bot (knowledge, catalogs, search index, crisis
detector, the Telegram application).

Run: ``.venv/bin/python -m benchmarks.bench_startup [--nodes 5000] [--repeat 3]``.

First the bot process's resident memory after each phase of its start-up, measured in a
fresh process (imports, knowledge, catalogs, search index, crisis detector, the Telegram
application, then a walk through every language: menus, a service card, searches).

Then times ``bot.runtime.build_core`` (what ``python -m bot`` does before it talks to
Telegram: load and validate the YAML, load the gettext catalogs, build the search index and
the crisis detector, build the engine) on the real ``knowledge/`` and on a synthetic
knowledge of ``--nodes`` nodes written as YAML into a temporary folder (a four-level tree
beside the real one, a town's worth of services per leaf, the real towns, emergency and
crisis files), and each step on its own: the best of ``--repeat`` runs, wall clock and CPU
(the CPU time is what repeats on a machine that other jobs share).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from bot.config import PROJECT_ROOT, Settings
from bot.crisis import CrisisDetector
from bot.i18n import Catalogs
from bot.knowledge import load_knowledge
from bot.knowledge.conventions import utc_today
from bot.knowledge.loader import MAX_FILE_BYTES
from bot.runtime import build_core
from bot.search import SearchIndex

T = TypeVar("T")
REAL = PROJECT_ROOT / "knowledge"
LOCALES = PROJECT_ROOT / "locales"
WORDS = (
    "Beratung",
    "Pflege",
    "Hilfe",
    "Antrag",
    "Familie",
    "Kinder",
    "Frauen",
    "Gesundheit",
    "Arzt",
    "Termin",
    "Wohnung",
    "Schulden",
    "Sprache",
    "Kurs",
    "Arbeit",
    "Schule",
    "Kita",
    "Geld",
    "Rente",
    "Versicherung",
    "Aufenthalt",
    "Behörde",
    "Dolmetscher",
    "Gruppe",
    "Treffen",
    "Angehörige",
    "Demenz",
    "Sucht",
    "Krise",
    "Schutz",
    "Recht",
    "Vertrag",
    "Miete",
    "Nachbarschaft",
    "Ehrenamt",
    "Jugend",
    "Senioren",
    "Integration",
    "Migration",
    "Einbürgerung",
    "Anerkennung",
)


@dataclass(frozen=True)
class Step:
    """One timed step: wall clock and CPU seconds."""

    label: str
    seconds: float
    cpu: float


def best_of(repeat: int, run: Callable[[], T]) -> tuple[T, tuple[float, float]]:
    """The result and the fastest of ``repeat`` runs: (wall, CPU) seconds."""
    best, best_cpu = float("inf"), float("inf")
    result: T | None = None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = run()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    assert result is not None
    return result, (best, best_cpu)


def _text(rnd_index: int, words: int) -> str:
    return " ".join(WORDS[(rnd_index * 7 + i * 13) % len(WORDS)] for i in range(words)) + "."


def synthetic(folder: Path, nodes: int) -> int:
    """Write a valid knowledge of about ``nodes`` nodes into ``folder``; how many it has.

    The real tree with a four-level tree beside it (9 more topics in the main menu, 10
    questions each, 10 sub-questions each, leaves under those), one synthetic service per
    10 leaves on top of the real directory, the real towns, emergency and crisis files
    (whose nodes and services stay). Each file keeps within the loader's size limit.
    """
    for name in ("towns.yaml", "emergency.yaml", "crisis.yaml"):
        shutil.copy(REAL / name, folder / name)
    towns = [t["id"] for t in yaml.safe_load((REAL / "towns.yaml").read_text())["towns"]]
    real_services: list[dict[str, Any]] = yaml.safe_load((REAL / "services.yaml").read_text())[
        "services"
    ]
    anyone = next(
        s["id"] for s in real_services if s.get("area") != "town" and s.get("phone")
    )  # a real service with a phone, for every town
    inner = 1 + 9 + 90 + 900
    leaves = max(nodes - inner, 0)
    today = utc_today()
    services = [
        {
            "id": f"sv{i}",
            "name": f"Beratungsstelle {i}",
            "offers": _text(i, 18),
            "phone": f"02361 53{i % 10000:04d}",
            "area": "town",
            "towns": [towns[i % len(towns)], towns[(i * 3 + 1) % len(towns)]],
            "status": "confirmed",
            "verified": today,
            "verified_how": "source",
            "sources": [f"https://example.org/stelle/{i}"],
        }
        for i in range(max(leaves // 10, 1))
    ]
    tree: list[dict[str, Any]] = yaml.safe_load((REAL / "tree.yaml").read_text())["nodes"]
    start = next(n for n in tree if n["id"] == "start")
    start["children"] = [*start["children"], *(f"t{i}" for i in range(9))]

    def node(ident: str, index: int, children: list[str], **extra: Any) -> dict[str, Any]:
        entry = {
            "id": ident,
            "title": f"{WORDS[index % len(WORDS)]} {index}",
            "text": _text(index, 20),
            "keywords": ", ".join(WORDS[(index + k) % len(WORDS)] for k in range(6)),
            **extra,
        }
        if children:
            entry["children"] = children
        return entry

    level2 = [f"q{i}" for i in range(90)]
    level3 = [f"r{i}" for i in range(900)]
    for i in range(9):
        tree.append(node(f"t{i}", i, level2[i * 10 : i * 10 + 10]))
    for i, ident in enumerate(level2):
        tree.append(node(ident, 10 + i, level3[i * 10 : i * 10 + 10]))
    per = -(-leaves // len(level3)) if leaves else 0
    made = 0
    for i, ident in enumerate(level3):
        children = [f"l{j}" for j in range(i * per, min((i + 1) * per, leaves))]
        # A question without leaves (too few nodes asked for) lists the county-wide service.
        extra = {} if children else {"services": [anyone]}
        tree.append(node(ident, 100 + i, children, **extra))
        for j in range(i * per, min((i + 1) * per, leaves)):
            # Two local services, and one for the towns they do not serve.
            picked = [f"sv{(j // 10) % len(services)}", f"sv{(j * 7 + 3) % len(services)}", anyone]
            tree.append(
                node(f"l{j}", 1000 + j, [], services=sorted(set(picked)), by_town=j % 2 == 0)
            )
            made += 1
    for name, data in (("services", [*real_services, *services]), ("nodes", tree)):
        text = yaml.safe_dump({name: data}, allow_unicode=True, sort_keys=False, width=99)
        file = "tree.yaml" if name == "nodes" else "services.yaml"
        if len(text.encode()) > MAX_FILE_BYTES:
            raise SystemExit(f"--nodes {nodes} makes {file} larger than the loader takes")
        (folder / file).write_text(text, encoding="utf-8")
    return len(tree)


def steps(knowledge_dir: Path, repeat: int) -> list[Step]:
    """Time build_core as a whole, then each of its steps."""
    settings = Settings(knowledge_dir=knowledge_dir, locales_dir=LOCALES)
    core, total = best_of(repeat, lambda: build_core(settings))
    today = utc_today()
    (knowledge, _), load = best_of(repeat, lambda: load_knowledge(knowledge_dir, today))
    catalogs, cat = best_of(repeat, lambda: Catalogs.load(LOCALES))
    _, index = best_of(repeat, lambda: SearchIndex.build(knowledge, catalogs))
    _, crisis = best_of(repeat, lambda: CrisisDetector.build(knowledge))
    return [
        Step(f"build_core ({len(core.knowledge.nodes):,} nodes)", *total),
        Step("  load + validate knowledge", *load),
        Step("  load catalogs", *cat),
        Step("  build search index", *index),
        Step("  build crisis detector", *crisis),
    ]


def memory() -> list[tuple[str, float]]:
    """The resident memory after each start-up phase, from a fresh process."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.startup_memory"],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    ).stdout
    found = [line.split() for line in out.splitlines()]
    return [(p[1], float(p[2])) for p in found if p[:1] == ["P"]]


def measure(nodes: int, repeat: int) -> dict[str, list[Step]]:
    """Steps for the real knowledge and for a synthetic one of ``nodes`` nodes."""
    results = {"real": steps(REAL, repeat)}
    with tempfile.TemporaryDirectory() as folder:
        made = synthetic(Path(folder), nodes)
        results[f"synthetic {made:,}"] = steps(Path(folder), repeat)
    return results


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args(argv)
    started = dt.datetime.now(dt.UTC)
    print("resident memory of the bot process after each phase (real knowledge):")
    before = 0.0
    for phase, mib in memory():
        grew = f"+{mib - before:5.1f}" if phase != "peak" else "      "
        print(f"  {phase:<36} {mib:7.1f} MiB {grew}")
        before = mib if phase != "peak" else before
    for name, found in measure(options.nodes, options.repeat).items():
        print(f"{name} knowledge:{'wall':>30} {'CPU':>12}")
        for step in found:
            print(f"  {step.label:<36} {step.seconds * 1000:6.0f} ms {step.cpu * 1000:9.0f} ms")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    elapsed = (dt.datetime.now(dt.UTC) - started).total_seconds()
    print(f"peak RSS {rss:.0f} MiB; benchmark took {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
