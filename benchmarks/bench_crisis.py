"""Crisis detection quality and cost: recall per language and kind, false alarms on harmless
messages, on the development and the held-out evaluation sets and cross-validated on the
model's training data; latency and memory.

Run: ``.venv/bin/python -m benchmarks.bench_crisis --part dev`` while developing (never tune
on the held-out parts: they are read only by the final run, ``--part all``, the default;
``heldout2`` is a second held-out set by three more writers, see tests/data/crisis_eval).
``--misses`` lists what the detector got wrong on the development part; ``--cv 0`` skips the
cross-validation (about half a minute). Reads the knowledge, tests/data/crisis_eval and the
model's training data; writes nothing. Not part of ``make test`` (tests/test_crisis_eval.py
keeps a floor on dev).

Figures:
- recall: emergencies that got a signal (sure or unsure) of any kind: the user sees the
  numbers; ``sure`` counts those that got the full emergency screen; ``kind`` those whose
  kind was the writer's.
- false alarms: harmless messages that raised the emergency screen (a sure signal);
  ``line`` counts those that got the one line of numbers on top of the normal answer.
- each part is counted for the rules and the model together (what users get), then for the
  rules alone and the model alone (its ``line`` threshold);
- cross-validated: the model trained on k-1 folds of its training data (stratified by
  language and class) scores the k-th; then each round of writers (crisis_train/<lang>.yaml,
  _b, _c, _d: different people) is scored by a model trained without it; the rules on the same
  messages, and both together, counted on the writers who never saw the rules;
- latency: one ``detect`` call per message, every evaluation message and search query,
  several rounds; memory: what the built detector (rules and model) holds (tracemalloc) and
  the peak while building it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from bot.crisis import CrisisDetector
from bot.crisis.data import Example, read_set, training_examples
from bot.crisis.grade import combine, steady_rule
from bot.crisis.model import CLASSES
from bot.crisis.train import DATA, cross_validate, without_each_round, writers_round
from bot.i18n import LANGUAGES
from bot.knowledge import load_knowledge
from bot.knowledge.model import CrisisKind, CrisisModelFile, CrisisSignal

EVAL = PROJECT_ROOT / "tests" / "data" / "crisis_eval"
PARTS = ("dev", "heldout", "heldout2")
QUERIES = PROJECT_ROOT / "tests" / "data" / "search_queries.yaml"
TODAY = dt.date(2026, 11, 30)

Detect = Callable[[str, str], CrisisSignal | None]


@dataclass(frozen=True)
class Case:
    """One evaluation message: its language, text and the writer's kind (None: harmless)."""

    lang: str
    text: str
    kind: CrisisKind | None


def load_part(part: str, root: Path = EVAL) -> list[Case]:
    """Every message of one part (``dev``, ``heldout`` or ``heldout2``), language by language."""
    cases: list[Case] = []
    for lang in LANGUAGES:
        path = root / part / f"{lang}.yaml"
        if path.exists():
            cases += [case_of(e) for e in read_set(path, part)]
    return cases


def case_of(example: Example) -> Case:
    """A message in the crisis model's terms (a class index) as an evaluation case."""
    kind = CrisisKind(CLASSES[example.label]) if example.label else None
    return Case(example.lang, example.text, kind)


@dataclass
class Tally:
    """Counts for one row of the table (a language, a kind, or everything)."""

    emergencies: int = 0
    found: int = 0
    sure: int = 0
    right_kind: int = 0
    harmless: int = 0
    screens: int = 0
    lines: int = 0

    def add(self, case: Case, signal: CrisisSignal | None) -> None:
        """Count one message and the signal it got."""
        if case.kind is None:
            self.harmless += 1
            self.screens += bool(signal and signal.sure)
            self.lines += bool(signal and not signal.sure)
            return
        self.emergencies += 1
        self.found += signal is not None
        self.sure += bool(signal and signal.sure)
        self.right_kind += bool(signal and signal.kind == case.kind)

    @property
    def recall(self) -> float:
        """Share of emergencies that got a signal."""
        return self.found / self.emergencies if self.emergencies else 1.0

    @property
    def false_alarms(self) -> float:
        """Share of harmless messages that raised the emergency screen."""
        return self.screens / self.harmless if self.harmless else 0.0


@dataclass
class Result:
    """Tallies of one part: per language, per kind, per (language, kind), and in all."""

    by_lang: dict[str, Tally] = field(default_factory=dict)
    by_kind: dict[CrisisKind, Tally] = field(default_factory=dict)
    by_lang_kind: dict[tuple[str, CrisisKind], Tally] = field(default_factory=dict)
    total: Tally = field(default_factory=Tally)
    misses: list[tuple[Case, CrisisSignal | None]] = field(default_factory=list)


def evaluate(detect: Detect, cases: Sequence[Case]) -> Result:
    """Run ``detect`` on every case (in the case's own language) and count."""
    result = Result()
    for case in cases:
        signal = detect(case.text, case.lang)
        result.total.add(case, signal)
        result.by_lang.setdefault(case.lang, Tally()).add(case, signal)
        if case.kind is not None:
            result.by_kind.setdefault(case.kind, Tally()).add(case, signal)
            result.by_lang_kind.setdefault((case.lang, case.kind), Tally()).add(case, signal)
        wrong = signal is None if case.kind is not None else bool(signal)
        if wrong or (case.kind is not None and signal and signal.kind != case.kind):
            result.misses.append((case, signal))
    return result


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:3.0f}%" if whole else "  - "


def table(result: Result) -> list[str]:
    """Recall per language and kind, and false alarms per language, as text lines."""
    kinds = list(CrisisKind)
    head = f"{'lang':<5}" + "".join(f"{k.value:>10}" for k in kinds)
    head += f"{'recall':>9}{'sure':>6}{'kind':>6}  {'false alarms':>14}{'line':>6}"
    lines = [head]
    rows = [*((lang, result.by_lang[lang]) for lang in LANGUAGES if lang in result.by_lang)]
    rows.append(("all", result.total))
    for lang, tally in rows:
        cells = ""
        cell = result.by_lang_kind
        for kind in kinds:
            t = result.by_kind.get(kind) if lang == "all" else cell.get((lang, kind))
            mark = "*" if t and t.found < t.emergencies else " "
            cells += f"{f'{t.found}/{t.emergencies}' if t else '-':>9}{mark}"
        lines.append(
            f"{lang:<5}{cells}{_pct(tally.found, tally.emergencies):>9}"
            f"{_pct(tally.sure, tally.emergencies):>6}"
            f"{_pct(tally.right_kind, tally.emergencies):>6}"
            f"  {tally.screens:>5}/{tally.harmless:<3}{_pct(tally.screens, tally.harmless):>5}"
            f"{tally.lines:>6}"
        )
    per_kind = "  ".join(
        f"{k.value} {_pct(result.by_kind[k].found, result.by_kind[k].emergencies).strip()}"
        for k in kinds
        if k in result.by_kind
    )
    lines.append(f"recall by kind: {per_kind}   (* = some missed)")
    return lines


def summary(name: str, result: Result) -> str:
    """One line: recall, sure, right kind, and both kinds of false alarm."""
    t = result.total
    return (
        f"{name}: recall {_pct(t.found, t.emergencies).strip()} (sure "
        f"{_pct(t.sure, t.emergencies).strip()}, kind {_pct(t.right_kind, t.emergencies).strip()})"
        f", false alarms {_pct(t.screens, t.harmless).strip()} ({t.screens}/{t.harmless}), "
        f"line {_pct(t.lines, t.harmless).strip()} ({t.lines}/{t.harmless})"
    )


def rules_alone(detector: CrisisDetector) -> Detect:
    """The rules of crisis.yaml without the model."""

    def detect(text: str, lang: str) -> CrisisSignal | None:
        found = detector.explain(text, lang)
        return CrisisSignal(found.rule.kind, found.rule.sure) if found else None

    return detect


def model_alone(detector: CrisisDetector) -> Detect:
    """The model without the rules, at its ``line`` threshold (never sure)."""

    def detect(text: str, lang: str) -> CrisisSignal | None:
        a = detector.assess(text, lang)
        line = detector.settings.line if detector.settings else 1.0
        return CrisisSignal(a.kind, sure=False) if a.kind and a.danger >= line else None

    return detect


def cross_validated(detector: CrisisDetector, k: int) -> list[str]:
    """The tables of the model trained on k-1 folds of its training data, alone and with
    the rules (the thresholds of crisis.yaml); then trained without one round of writers and
    counted on that round (other people, other wordings: the sterner test)."""
    examples = training_examples(DATA)
    lines = scored_tables(
        detector,
        cross_validate(examples, k),
        f"cross-validated ({k} folds over {len(examples)} training messages)",
        "cv",
    )
    rounds = without_each_round(examples)
    lines += scored_tables(
        detector, rounds, "each round of writers scored by a model trained without it", "rounds"
    )
    # The newest round alone: the most independent check of what the earlier rounds taught.
    newest = max(r for e, _ in rounds if (r := writers_round(e)))
    lines += scored_tables(
        detector,
        [(e, p) for e, p in rounds if writers_round(e) == newest],
        f"round {newest} alone, scored by a model trained without it",
        f"round {newest}",
    )
    return lines


def scored_tables(
    detector: CrisisDetector, scored: Sequence[tuple[Example, list[float]]], title: str, name: str
) -> list[str]:
    """Tables for messages scored by a model that did not learn them: rules and model
    together, each alone, and the model's threshold sweep."""
    settings = detector.settings
    if settings is None:
        return [f"{title}: crisis.yaml names no model"]
    cases = [case_of(e) for e, _ in scored]
    probs = {(e.lang, e.text): p for e, p in scored}
    rules = rules_alone(detector)

    def read(text: str, lang: str) -> tuple[float, CrisisKind]:
        p = probs[(lang, text)]
        return 1 - p[0], CrisisKind(CLASSES[max(range(1, len(CLASSES)), key=p.__getitem__)])

    def model(text: str, lang: str) -> CrisisSignal | None:
        danger, kind = read(text, lang)
        return CrisisSignal(kind, sure=False) if danger >= settings.line else None

    def rules_and_model(text: str, lang: str, at: CrisisModelFile) -> CrisisSignal | None:
        # As the detector does: a steady sure rule (first person, medical) is never calmed.
        found = detector.explain(text, lang)
        rule = CrisisSignal(found.rule.kind, found.rule.sure) if found else None
        steady = found is not None and found.rule.sure and steady_rule(found)
        return combine(rule, *read(text, lang), at, steady=steady)

    def both(text: str, lang: str) -> CrisisSignal | None:
        return rules_and_model(text, lang, settings)

    # The writers of crisis_train never saw the rules: there both are measured honestly.
    independent = [
        c for c, (e, _) in zip(cases, scored, strict=True) if e.source.startswith("crisis_train")
    ]
    together = evaluate(both, independent)
    lines = [
        f"\n{title}, counted on the {len(independent)} messages by writers who never saw the "
        "rules: rules and model together"
    ]
    lines += table(together)
    lines.append(summary(f"{name} rules and model", together))
    lines.append(summary(f"{name} model alone   ", evaluate(model, independent)))
    lines.append(summary(f"{name} rules alone   ", evaluate(rules, independent)))
    if len(independent) < len(cases):
        lines.append(summary(f"{name} all sources, rules and model", evaluate(both, cases)))
    lines += sweep(name, [(c, probs[(c.lang, c.text)][0]) for c in independent])
    cells = []
    for at in (0.4, 0.45, 0.5, 0.55, 0.6):
        tally = evaluate(partial(rules_and_model, at=replace(settings, line=at)), independent)
        cells.append(
            f"{at:.2f}: {_pct(tally.total.found, tally.total.emergencies).strip()}"
            f"/{_pct(tally.total.lines, tally.total.harmless).strip()}"
        )
    lines.append(f"{name} rules and model, line at: recall/line on harmless   " + "  ".join(cells))
    return lines


def sweep(name: str, scored: Sequence[tuple[Case, float]]) -> list[str]:
    """The model alone at several thresholds: recall and line false alarms (to choose
    ``line`` and ``sure`` in crisis.yaml)."""
    cells = []
    emergencies = [1 - none for c, none in scored if c.kind is not None]
    harmless = [1 - none for c, none in scored if c.kind is None]
    for at in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        found = sum(d >= at for d in emergencies)
        alarms = sum(d >= at for d in harmless)
        recall, over = _pct(found, len(emergencies)).strip(), _pct(alarms, len(harmless)).strip()
        cells.append(f"{at:.2f}: {recall}/{over}")
    return [f"{name} model alone, threshold: recall/harmless over it   " + "  ".join(cells)]


def texts_for_timing(parts: Sequence[str] = PARTS) -> list[tuple[str, str]]:
    """(text, lang) of every evaluation message of ``parts`` and labelled search query."""
    found = [(c.text, c.lang) for part in parts for c in load_part(part)]
    data = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    found += [(str(q["q"]), lang) for lang, items in data["queries"].items() for q in items]
    return found


def latency(
    detect: Detect, texts: Sequence[tuple[str, str]], rounds: int
) -> tuple[list[float], list[float]]:
    """Seconds per ``detect`` call, every text ``rounds`` times: wall clock and CPU time.

    On a shared machine the wall clock also counts the time the process waited for a core;
    the thread's CPU time is what one message costs.
    """
    wall, cpu = [], []
    for _ in range(rounds):
        for text, lang in texts:
            start, start_cpu = time.perf_counter(), time.thread_time()
            detect(text, lang)
            cpu.append(time.thread_time() - start_cpu)
            wall.append(time.perf_counter() - start)
    return wall, cpu


def percentile(samples: Sequence[float], q: float) -> float:
    """The ``q``-th percentile of ``samples``, in milliseconds."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] * 1000


def build_measured(
    warm: Sequence[tuple[str, str]] = (),
) -> tuple[CrisisDetector, float, float, float]:
    """The detector over the real knowledge; build seconds, and the MiB it holds after
    reading ``warm`` (its word caches filled) and at the peak."""
    knowledge, _ = load_knowledge(PROJECT_ROOT / "knowledge", TODAY)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    start = time.perf_counter()
    detector = CrisisDetector.build(knowledge)
    seconds = time.perf_counter() - start
    for text, lang in warm:
        detector.detect(text, lang)
    gc.collect()
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return detector, seconds, (retained - before) / 2**20, (peak - before) / 2**20


def main(argv: Sequence[str] | None = None) -> int:
    """Print the tables for every part, then latency and memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list dev messages gotten wrong")
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds over all texts")
    parser.add_argument("--cv", type=int, default=5, help="cross-validation folds (0: none)")
    parser.add_argument(
        "--part",
        choices=[*PARTS, "all"],
        default="all",
        help="which evaluation part to read (while developing: dev only; never tune on heldout)",
    )
    args = parser.parse_args(argv)
    parts = PARTS if args.part == "all" else (args.part,)
    texts = texts_for_timing(parts)
    detector, seconds, retained, peak = build_measured(texts * 3)
    for part in parts:
        cases = load_part(part)
        if not cases:
            print(f"\n{part}: no evaluation set found in {EVAL / part}")
            continue
        result = evaluate(detector.detect, cases)
        print(f"\n{part}: recall per language and kind (found/total), false alarms")
        print("\n".join(table(result)))
        print(
            f"{part} total: recall {_pct(result.total.found, result.total.emergencies).strip()}"
            f", false alarms {_pct(result.total.screens, result.total.harmless).strip()}"
        )
        print(summary(f"{part} rules and model", result))
        print(summary(f"{part} rules alone   ", evaluate(rules_alone(detector), cases)))
        print(summary(f"{part} model alone   ", evaluate(model_alone(detector), cases)))
        if part == "dev":
            print(
                "\n".join(
                    sweep(part, [(c, 1 - detector.assess(c.text, c.lang).danger) for c in cases])
                )
            )
        if args.misses and part == "dev":
            for case, signal in result.misses:
                got = f"{signal.kind.value}{'' if signal.sure else '?'}" if signal else "-"
                danger = detector.assess(case.text, case.lang).danger
                print(
                    f"  {case.lang} {case.kind or 'harmless':<9} got {got:<10} "
                    f"model {danger:.2f}  {case.text}"
                )
    if args.cv:
        print("\n".join(cross_validated(detector, args.cv)))
    detector = build_measured()[0]  # a fresh one: the first round is timed with empty caches
    wall, cpu = latency(detector.detect, texts, args.rounds)
    print(
        f"\nLatency per message ({len(wall)} calls over {len(texts)} texts, the first round "
        f"with nothing cached; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
        "cores):"
    )
    for name, samples in (("CPU time", cpu), ("wall clock", wall)):
        print(
            f"  {name}: p50 {percentile(samples, 50):.3f} ms, "
            f"p99 {percentile(samples, 99):.3f} ms, max {max(samples) * 1000:.3f} ms, "
            f"mean {statistics.mean(samples) * 1000:.3f} ms"
        )
    long_text = " ".join(text for text, _ in texts)[:4096]
    _, long = latency(detector.detect, [(long_text, "de")], 20)
    if detector.model is not None:
        reader = detector.model

        def read_anew(text: str, lang: str) -> None:
            # Empty word caches each time: the cost of reading words never seen before.
            reader.forget()
            reader.probabilities(text)

        _, alone = latency(read_anew, [(long_text, "de")], 20)
        model = f"; the model alone, no word cached, {percentile(alone, 50):.3f} ms"
    else:
        model = ""
    print(f"Latency for a 4,096-character message: CPU p50 {percentile(long, 50):.3f} ms{model}")
    print(
        f"Memory: detector holds {retained:.2f} MiB with its caches filled by every text "
        f"(peak {peak:.2f} MiB); "
        f"build {seconds * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
