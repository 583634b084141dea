"""Train the crisis model (:mod:`bot.crisis.model`) on tests/data and write
knowledge/crisis_model.bin. Pure Python, deterministic (a fixed seed), about a minute.

    .venv/bin/python -m bot.crisis.train     # train on every source, write the file

Cross-validated figures: ``python -m benchmarks.bench_crisis`` (``--cv 5``).

Multinomial logistic regression over the hashed features, trained by stochastic gradient
descent (shuffled by a seeded generator, learning rate falling per epoch, weight decay), then
quantised to int8 per class. The data (:mod:`bot.crisis.data`) is hashed into the file's
header; ``validate`` and tests/test_crisis_model.py fail when the data changed and the model
was not retrained. The evaluation sets (tests/data/crisis_eval) are never read here.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.crisis.data import TRAIN_DIRS, Example, data_hash, training_examples
from bot.crisis.model import CLASSES, CrisisModel, Features, Featurizer, Header, encode, softmax

ROOT = Path(__file__).resolve().parent.parent.parent
DATA = ROOT / "tests" / "data"
MODEL = ROOT / "knowledge" / "crisis_model.bin"


@dataclass(frozen=True)
class Training:
    """How the weights are learned."""

    # Leave-one-round-out (benchmarks/bench_crisis.py), at the same line on harmless messages:
    # 12 epochs and emergencies weighted 1.5 recognise 98.8% instead of 98.5% (round four
    # alone 98.4% instead of 97.9%); weighting threat and suicide alone, 3-5-letter n-grams,
    # emoji and a negation feature did not help.
    epochs: int = 12
    rate: float = 0.6  # the first epoch's step; epoch e uses rate / (1 + e / 2)
    decay: float = 0.02  # weights shrink by this share after each epoch (L2)
    seed: int = 10
    # An emergency counts this many times the loss of a harmless message: missing danger costs
    # more than an extra line of numbers.
    emergency_weight: float = 1.5
    bias_rate: float = 0.1  # the biases learn at this share of the rate


FEATURES = Features()
TRAINING = Training()


def fit(
    examples: Sequence[Example], features: Features = FEATURES, training: Training = TRAINING
) -> CrisisModel:
    """Learn a model from ``examples`` (deterministic for the same examples and settings)."""
    featurize = Featurizer(features)
    rows = [(featurize(e.text), e.label) for e in examples]
    n, buckets = len(CLASSES), 1 << features.bits
    weights = [[0.0] * buckets for _ in range(n)]
    biases = [0.0] * n
    order = list(range(len(rows)))
    rng = random.Random(training.seed)
    for epoch in range(training.epochs):
        rng.shuffle(order)
        rate = training.rate / (1 + epoch / 2)
        for at in order:
            found, label = rows[at]
            if not found:
                continue
            norm = 1 / math.sqrt(max(len(found), features.floor))
            logits = [
                b + norm * sum(map(w.__getitem__, found))
                for w, b in zip(weights, biases, strict=True)
            ]
            probs = softmax(logits)
            scale = training.emergency_weight if label else 1.0
            for c in range(n):
                gradient = (probs[c] - (c == label)) * scale
                if -1e-3 < gradient < 1e-3:
                    continue
                biases[c] -= rate * gradient * training.bias_rate
                step = rate * gradient * norm
                column = weights[c]
                for i in found:
                    column[i] -= step
        keep = 1 - training.decay
        for column in weights:
            column[:] = [x * keep for x in column]
    return quantise(weights, biases, features, examples)


def quantise(
    weights: list[list[float]],
    biases: list[float],
    features: Features,
    examples: Sequence[Example],
) -> CrisisModel:
    """The int8 model for float weights (scale per class: its largest weight is 127)."""
    scales, columns = [], []
    for column in weights:
        top = max(max(column), -min(column)) or 1.0
        scale = top / 127
        scales.append(scale)
        columns.append([round(x / scale) for x in column])
    header = Header(
        features=features,
        classes=CLASSES,
        data_hash=data_hash(list(examples)),
        examples=len(examples),
        scales=tuple(scales),
        biases=tuple(biases),
    )
    return CrisisModel.from_bytes(encode(header, columns))


def folds(examples: Sequence[Example], k: int, seed: int = 10) -> list[int]:
    """A fold number per example, stratified by language and class (each fold holds a share
    of every language's emergencies of each kind and of its harmless messages)."""
    assigned = [0] * len(examples)
    strata: dict[tuple[str, int], list[int]] = {}
    for i, e in enumerate(examples):
        strata.setdefault((e.lang, e.label), []).append(i)
    rng = random.Random(seed)
    offset = 0
    for key in sorted(strata):
        members = strata[key]
        rng.shuffle(members)
        for j, i in enumerate(members):
            assigned[i] = (j + offset) % k
        offset += len(members)
    return assigned


def cross_validate(
    examples: Sequence[Example],
    k: int = 5,
    features: Features = FEATURES,
    training: Training = TRAINING,
) -> list[tuple[Example, list[float]]]:
    """Each example with the probabilities of a model trained on the other folds."""
    fold_of = folds(examples, k, training.seed)
    scored: list[tuple[Example, list[float]]] = []
    for fold in range(k):
        model = fit(
            [e for e, f in zip(examples, fold_of, strict=True) if f != fold], features, training
        )
        scored += [
            (e, model.probabilities(e.text))
            for e, f in zip(examples, fold_of, strict=True)
            if f == fold
        ]
    return scored


def writers_round(example: Example) -> str | None:
    """Which round of writers wrote a message of crisis_train (``<lang>.yaml`` is round "a",
    ``<lang>_b.yaml`` round "b", ``<lang>_d.yaml`` and ``<lang>_d2.yaml`` both round "d" …),
    or None for the other sources."""
    folder, _, name = example.source.partition("/")
    if folder != TRAIN_DIRS[0]:
        return None
    stem = name.removesuffix(".yaml")
    return stem.partition("_")[2].rstrip("0123456789") or "a"


def without_each_round(
    examples: Sequence[Example], features: Features = FEATURES, training: Training = TRAINING
) -> list[tuple[Example, list[float]]]:
    """Each message of each writers' round with the probabilities of a model trained on
    everything but that round: how it does on people whose wordings it never saw."""
    scored: list[tuple[Example, list[float]]] = []
    for name in sorted({r for e in examples if (r := writers_round(e))}):
        model = fit([e for e in examples if writers_round(e) != name], features, training)
        scored += [(e, model.probabilities(e.text)) for e in examples if writers_round(e) == name]
    return scored


def write(model: CrisisModel, path: Path) -> None:
    """Write ``model`` to ``path``."""
    path.write_bytes(model_bytes(model))


def model_bytes(model: CrisisModel) -> bytes:
    """The file's bytes of a model (as :func:`bot.crisis.model.encode` wrote them)."""
    return encode(model.header, [list(column) for column in model.weights])


def main(argv: Sequence[str] | None = None) -> int:
    """Train on every source and write the model file; print what it learned from."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL, help="where to write the model")
    args = parser.parse_args(argv)
    examples = training_examples(DATA)
    counts = {c: sum(e.label == i for e in examples) for i, c in enumerate(CLASSES)}
    out = sys.stdout
    out.write(f"{len(examples)} examples: " + ", ".join(f"{c} {n}" for c, n in counts.items()))
    start = time.perf_counter()
    model = fit(examples)
    write(model, args.out)
    out.write(
        f"\ntrained in {time.perf_counter() - start:.1f} s; wrote {args.out} "
        f"({args.out.stat().st_size:,} bytes, data {model.header.data_hash})\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
