"""The messages the crisis model learns from, and the hash that ties a model file to them.
Pure; no I/O beyond reading the data files.

Sources, all in the repository (``tests/data/``), read in this order:

- ``crisis_train/<lang>.yaml`` (and further rounds, ``<lang>_b.yaml``): emergencies and
  harmless messages with danger words, by writers who never saw the rules or the evaluation
  sets;
- ``crisis_author/<lang>.yaml``: the messages the rules' author wrote (same format);
- ``crisis_everyday.yaml``: everyday care questions that once raised the emergency screen;
- ``search_queries.yaml`` and ``search_queries_independent.yaml``: what people search for
  (harmless, except the queries that expect the violence topic).

The evaluation sets (``crisis_eval``) are never read here: ``dev`` is the model's honest
validation set, ``heldout`` the final one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.crisis.model import CLASSES, CrisisModel, ModelError
from bot.i18n.languages import LANGUAGES
from bot.knowledge.loader import read_knowledge
from bot.knowledge.model import Problem
from bot.knowledge.yaml_lines import display

TRAIN_DIRS = ("crisis_train", "crisis_author")
EVERYDAY = "crisis_everyday.yaml"
QUERIES = ("search_queries.yaml", "search_queries_independent.yaml")
# Search queries that answer danger ("mein mann schlägt mich" → the violence topic) are not
# harmless: they are left out.
DANGER_TOPICS = frozenset({"gewalt"})


@dataclass(frozen=True)
class Example:
    """One message to learn from: language, class (index into CLASSES), text, source file."""

    lang: str
    label: int
    text: str
    source: str


# The safe loader in C where PyYAML has it (as bot.knowledge.yaml_lines): the same values, ten
# times faster over the 9,000 training messages that validate and the tests hash.
_SAFE: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(path: Path) -> object:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE)


def read_set(path: Path, source: str) -> list[Example]:
    """A file of the evaluation format: ``emergencies`` ({kind, text}) and ``harmless``."""
    data = _load(path)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected 'emergencies:' and 'harmless:'")
    lang = str(data.get("lang") or path.stem)
    found = [
        Example(lang, CLASSES.index(str(e["kind"])), str(e["text"]), source)
        for e in data.get("emergencies") or []
    ]
    found += [Example(lang, 0, str(text), source) for text in data.get("harmless") or []]
    return found


def training_examples(root: Path) -> list[Example]:
    """Every training message under ``root`` (``tests/data``), in a fixed order."""
    found: list[Example] = []
    for folder in TRAIN_DIRS:
        for lang in LANGUAGES:
            # <lang>.yaml, then further rounds by other writers: <lang>_b.yaml …
            paths = [
                root / folder / f"{lang}.yaml",
                *sorted((root / folder).glob(f"{lang}_*.yaml")),
            ]
            for path in paths:
                if path.is_file():
                    found += read_set(path, f"{folder}/{path.name}")
    everyday = root / EVERYDAY
    if everyday.is_file():
        data = _load(everyday)
        assert isinstance(data, dict)
        found += [Example(str(e["lang"]), 0, str(e["text"]), EVERYDAY) for e in data["everyday"]]
    for name in QUERIES:
        path = root / name
        if not path.is_file():
            continue
        data = _load(path)
        assert isinstance(data, dict)
        for lang, items in data["queries"].items():
            found += [
                Example(str(lang), 0, str(q["q"]), name)
                for q in items
                if DANGER_TOPICS.isdisjoint(q.get("expect") or ())
            ]
    return found


def data_hash(examples: list[Example]) -> str:
    """A hash of what the model learns from (language, class, text; order included)."""
    canonical = json.dumps(
        [[e.lang, CLASSES[e.label], e.text] for e in examples], ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def data_root(model: Path) -> Path:
    """Where the training data of the model file ``model`` lives in a checkout:
    ``knowledge/crisis_model.bin`` → ``tests/data``."""
    return model.parent.parent / "tests" / "data"


def stale_model(knowledge: Path) -> list[Problem]:
    """The model crisis.yaml names, when it was trained on other data than the checkout
    holds now (nothing when there is no model, or no training data as in a deployed copy)."""
    named = read_knowledge(knowledge).knowledge.crisis.model
    if named is None:
        return []
    root = data_root(named.path)
    if not any((root / folder).is_dir() for folder in TRAIN_DIRS):
        return []
    try:
        trained = CrisisModel.load(named.path).header.data_hash
    except ModelError:
        return []  # validate says why
    now = data_hash(training_examples(root))
    if trained == now:
        return []
    message = (
        f"trained on data {trained}, but {display(root)} now holds data {now}: "
        "retrain it with `python -m bot.crisis.train`"
    )
    return [Problem(display(named.path), 0, "model", message)]
