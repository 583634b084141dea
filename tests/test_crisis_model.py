"""The trained crisis model next to the rules (bot/crisis/model.py, train.py, data.py): the
file matches the data it was trained on, training is reproducible, the cost of a long message
is bounded, a broken file is named, and the graded answer of rules and model."""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.crisis import CrisisDetector
from bot.crisis.data import data_hash, read_set, stale_model, training_examples
from bot.crisis.grade import combine
from bot.crisis.model import CrisisModel, Features, ModelError, softmax
from bot.crisis.train import DATA, MODEL, Training, fit, model_bytes, writers_round
from bot.engine.flow import Ctx, Engine
from bot.engine.screens import plain
from bot.knowledge import load_knowledge
from bot.knowledge.model import CrisisKind, CrisisModelFile, CrisisSignal, Knowledge, Where
from bot.knowledge.validate import validate
from tests.conftest import REAL_KNOWLEDGE, TODAY
from tests.test_crisis import MUST_NOT_DETECT

TINY = Features(bits=10)
QUICK = Training(epochs=2)


def test_the_model_was_trained_on_the_data_in_the_repository() -> None:
    trained = CrisisModel.load(MODEL).header
    now = data_hash(training_examples(DATA))
    assert trained.data_hash == now, "the data changed: retrain with python -m bot.crisis.train"
    assert stale_model(REAL_KNOWLEDGE) == []


def test_the_evaluation_sets_are_not_training_data() -> None:
    examples = training_examples(DATA)
    sources = {e.source.split("/")[0] for e in examples}
    assert not any("crisis_eval" in s for s in sources)
    assert {"crisis_train", "crisis_author"} <= sources
    # Four rounds by different writers: the benchmark holds each out in turn (round four's
    # writers wrote two or three files in some languages: <lang>_d.yaml, <lang>_d2.yaml).
    assert {writers_round(e) for e in examples} == {"a", "b", "c", "d", "e", None}


def checkout(tmp_path: Path) -> Path:
    """A copy of the knowledge with a tiny training set next to it, as in a checkout."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(REAL_KNOWLEDGE, knowledge)
    train = tmp_path / "tests" / "data" / "crisis_train"
    train.mkdir(parents=True)
    shutil.copy(DATA / "crisis_train" / "de.yaml", train / "de.yaml")
    return knowledge


def test_validate_names_a_model_trained_on_other_data(tmp_path: Path) -> None:
    knowledge = checkout(tmp_path)
    examples = read_set(tmp_path / "tests" / "data" / "crisis_train" / "de.yaml", "de.yaml")
    (knowledge / "crisis_model.bin").write_bytes(model_bytes(fit(examples, TINY, QUICK)))
    assert stale_model(knowledge) == []
    changed = tmp_path / "tests" / "data" / "crisis_train" / "de.yaml"
    changed.write_text(changed.read_text(encoding="utf-8") + '  - "noch ein satz"\n')
    [problem] = stale_model(knowledge)
    assert problem.file.endswith("crisis_model.bin")
    assert "python -m bot.crisis.train" in problem.message


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda raw: b"", "wrong start"),
        (lambda raw: raw[:-100], "damaged weights"),
        (lambda raw: raw[:30], "header"),
        (lambda raw: raw.replace(b'"bits":', b'"bitz":', 1), "header"),
    ],
)
def test_a_damaged_model_file_is_named_by_validate(
    tmp_path: Path, damage: Callable[[bytes], bytes], says: str
) -> None:
    knowledge = checkout(tmp_path)
    model = knowledge / "crisis_model.bin"
    model.write_bytes(damage(model.read_bytes()))
    problems = [str(p) for p in validate(knowledge, TODAY)]
    assert any("crisis_model.bin" in p and says in p and "retrain" in p for p in problems), (
        problems
    )


def test_a_missing_model_file_is_named_by_validate(tmp_path: Path) -> None:
    knowledge = checkout(tmp_path)
    (knowledge / "crisis_model.bin").unlink()
    problems = [str(p) for p in validate(knowledge, TODAY)]
    assert any("crisis_model.bin" in p and "cannot read" in p for p in problems), problems
    with pytest.raises(ModelError):
        CrisisModel.load(knowledge / "crisis_model.bin")


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("line: 0.47", "line: 0.95", "expected 0 < line <= sure <= 1"),
        ("calm: 0.35", "calm: 0.7 ", "expected 0 <= calm < line"),
        ("quiet: 0.15", "quiet: 0.6 ", "expected 0 <= quiet < line"),
        ("line: 0.47", "lines: 0.4", "unknown field 'lines'"),
    ],
)
def test_thresholds_out_of_order_are_named_by_validate(
    tmp_path: Path, old: str, new: str, says: str
) -> None:
    knowledge = checkout(tmp_path)
    crisis = knowledge / "crisis.yaml"
    text = crisis.read_text(encoding="utf-8")
    assert old in text
    crisis.write_text(text.replace(old, new, 1), encoding="utf-8")
    problems = [str(p) for p in validate(knowledge, TODAY)]
    assert any("crisis.yaml" in p and says in p for p in problems), problems


def test_training_is_reproducible() -> None:
    examples = training_examples(DATA)[::40]
    first = model_bytes(fit(examples, TINY, QUICK))
    assert model_bytes(fit(examples, TINY, QUICK)) == first
    assert model_bytes(fit(examples, TINY, Training(epochs=2, seed=11))) != first


def test_a_long_message_costs_no_more_than_its_head_and_tail() -> None:
    model = CrisisModel.load(MODEL)
    s = model.header.features
    long = "Meine Mutter braucht Hilfe bei der Pflege. " * 2_000 + "er hat ein messer"
    read = model.featurize(long)
    assert read == model.featurize(long[: s.head] + "\n" + long[-s.tail :])
    assert len(read) < 3_000
    assert model.probabilities(long) == model.probabilities(
        long[: s.head] + "\n" + long[-s.tail :]
    )


@pytest.mark.parametrize(
    "text",
    [
        "er hat mich geschlagen, ich habe angst",
        "муж сказал что убьёт меня. ubjet",
        "زوجي يضربني كل يوم، ma baddi 3ish",
        "Meine Mutter braucht Hilfe bei der Pflege. " * 30 + "er hat ein messer",
        "",
    ],
)
def test_the_bot_reads_a_message_as_the_model_learned_it(text: str) -> None:
    # The bot keeps each word's weight sums, never its features (a few numbers a word in a
    # long-running cache); training sums the features: both must give the same answer.
    model = CrisisModel.load(MODEL)
    learned = CrisisModel.load(MODEL)
    found = learned.featurize(text)
    if not found:
        assert model.probabilities(text) == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        return
    norm = 1 / math.sqrt(max(len(found), learned.header.features.floor))
    header = learned.header
    logits = [
        bias + scale * norm * sum(column[i] for i in found)
        for column, scale, bias in zip(learned.weights, header.scales, header.biases, strict=True)
    ]
    assert model.probabilities(text) == softmax(logits)


AT = CrisisModelFile(Path("m"), Where("crisis.yaml", 1), line=0.6, sure=0.9, calm=0.1)
QUIET = CrisisModelFile(Path("m"), Where("crisis.yaml", 1), line=0.6, sure=0.9, quiet=0.1)
V = CrisisKind.VIOLENCE
T = CrisisKind.THREAT


@pytest.mark.parametrize(
    ("rule", "danger", "kind", "expected"),
    [
        (CrisisSignal(V, sure=True), 0.5, T, CrisisSignal(V, sure=True)),  # a sure rule wins
        (CrisisSignal(V, sure=True), 0.05, T, CrisisSignal(V, sure=False)),  # model calm: line
        (CrisisSignal(V, sure=False), 0.95, T, CrisisSignal(V, sure=True)),  # both: screen
        (CrisisSignal(V, sure=False), 0.7, T, CrisisSignal(V, sure=False)),
        (CrisisSignal(V, sure=False), 0.0, T, CrisisSignal(V, sure=False)),  # quiet: 0
        (None, 0.99, T, CrisisSignal(T, sure=False)),  # the model alone: only the line
        (None, 0.6, T, CrisisSignal(T, sure=False)),
        (None, 0.59, T, None),
    ],
)
def test_rules_and_model_give_a_graded_answer(
    rule: CrisisSignal | None, danger: float, kind: CrisisKind, expected: CrisisSignal | None
) -> None:
    assert combine(rule, danger, kind, AT) == expected


@pytest.mark.parametrize(
    ("rule", "danger", "expected"),
    [
        (CrisisSignal(V, sure=False), 0.05, None),  # the model all but certain: quiet
        (CrisisSignal(V, sure=False), 0.1, CrisisSignal(V, sure=False)),
        (CrisisSignal(V, sure=True), 0.0, CrisisSignal(V, sure=True)),  # never a sure rule
    ],
)
def test_a_model_certain_of_no_danger_quiets_an_unsure_rule(
    rule: CrisisSignal, danger: float, expected: CrisisSignal | None
) -> None:
    assert combine(rule, danger, T, QUIET) == expected


@pytest.mark.parametrize(("lang", "text"), MUST_NOT_DETECT)
def test_the_model_alone_never_opens_the_emergency_screen(
    detector: CrisisDetector, lang: str, text: str
) -> None:
    # Negations ("he never hit me") are the rules' to read: the model adds at most the line.
    signal = detector.detect(text, lang)
    assert signal is None or not signal.sure


def test_the_model_catches_what_the_rules_miss(detector: CrisisDetector) -> None:
    # The independent writers' emergencies that no rule catches: the model learned them (every
    # third message of the 9,000 is plenty, and keeps the test under three seconds).
    missed = [
        e
        for e in training_examples(DATA)[::3]
        if e.label and e.source.startswith("crisis_train") and not detector.explain(e.text, e.lang)
    ]
    assert len(missed) > 100
    caught = [e for e in missed if detector.detect(e.text, e.lang)]
    assert len(caught) >= 0.9 * len(missed), [e.text for e in missed if e not in caught][:20]


# Written for this test (not in any data set): no rule holds, the model gives the line.
ONLY_THE_MODEL = "i keep thinking everyone would be fine if i just disappeared"


def test_a_note_only_the_model_flags_is_answered_and_not_stored(
    engine: Engine, detector: CrisisDetector
) -> None:
    assert detector.explain(ONLY_THE_MODEL, "en") is None
    assert detector.detect(ONLY_THE_MODEL, "en") == CrisisSignal(CrisisKind.SUICIDE, sure=False)
    about = engine.press(Ctx("en", TODAY), "-:n:sprachmittler").awaits_comment
    assert about is not None
    reply = engine.comment(Ctx("en", TODAY), about, ONLY_THE_MODEL, "n:sprachmittler")
    assert reply.comment is None
    assert "🆘" in plain(reply.screen.text)
    assert reply.screen.place == "n:sprachmittler"  # the normal answer, with the line on top


def test_the_real_knowledge_loads_the_model(real: Knowledge) -> None:
    named = real.crisis.model
    assert named is not None
    assert named.path == MODEL
    assert 0 < named.line <= named.sure <= 1
    _, warnings = load_knowledge(REAL_KNOWLEDGE, TODAY)
    assert not [w for w in warnings if "model" in w.id]


def test_no_evaluation_message_is_in_the_training_data() -> None:
    # By exact text, every part (dev and both held-out sets): a message learned is no test.
    def key(text: str) -> str:
        return " ".join(text.lower().split())

    evaluated = {
        key(e.text)
        for path in sorted((DATA / "crisis_eval").glob("*/*.yaml"))
        for e in read_set(path, path.parent.name)
    }
    # Counts only in the messages: a failure must not print held-out texts.
    assert len(evaluated) > 1_500, "the evaluation sets were not found"
    overlap = evaluated & {key(e.text) for e in training_examples(DATA)}
    assert not overlap, f"{len(overlap)} evaluation messages are in the training data"
