"""Shared fixtures: the small test knowledge, the real knowledge and catalogs, engines."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.crisis import CrisisDetector
from bot.engine.flow import Engine
from bot.i18n import Catalogs
from bot.knowledge import load_knowledge
from bot.knowledge.conventions import utc_today
from bot.knowledge.model import Knowledge
from bot.runtime import Core, make_engine
from bot.staff.translations import Source, ui_sources
from bot.storage import Storage
from tests.fakes.harness import Telegram, lotse
from tests.pgcluster import db_target, pg_cluster  # noqa: F401 - fixtures for every test

DATA = Path(__file__).parent / "data"
MINI = DATA / "knowledge"
REAL_KNOWLEDGE = PROJECT_ROOT / "knowledge"
REAL_LOCALES = PROJECT_ROOT / "locales"
TODAY = dt.date(2026, 11, 30)
NOON = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


class Clock:
    """The conversation's clock, moved by hand (starts at noon on TODAY)."""

    def __init__(self) -> None:
        self.now = NOON

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """A clock the test moves."""
    return Clock()


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    """A real database file in the test's folder, with a salt for chat and user keys."""
    store = await Storage.open(tmp_path / "lotse.sqlite3", "test-salt-test-salt")
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def today() -> dt.date:
    """Today in UTC on the real clock: the day code that reads the clock stores or prints
    (a test that can choose its day uses ``TODAY``)."""
    return dt.datetime.now(dt.UTC).date()


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    """The real catalogs of every language."""
    return Catalogs.load(REAL_LOCALES)


@pytest.fixture(scope="session")
def interface_texts() -> list[Source]:
    """Every interface text in the code (English msgids), as pybabel extract finds them."""
    return ui_sources(PROJECT_ROOT / "bot")


@pytest.fixture(scope="session")
def mini() -> Knowledge:
    """The small, hand-made test knowledge."""
    knowledge, _ = load_knowledge(MINI, TODAY)
    return knowledge


@pytest.fixture(scope="session")
def mini_engine(mini: Knowledge, catalogs: Catalogs) -> Engine:
    """An engine over the test knowledge, on a fixed day."""
    return make_engine(mini, catalogs, lambda: TODAY)


@pytest.fixture(scope="session")
def real() -> Knowledge:
    """The real knowledge/ folder."""
    knowledge, _ = load_knowledge(REAL_KNOWLEDGE, TODAY)
    return knowledge


@pytest.fixture(scope="session")
def detector(engine: Engine) -> CrisisDetector:
    """The crisis detector over the real knowledge: the rules and the model that reads
    along, as users get it (tests/test_crisis.py overrides it with the rules alone). The
    engine's own, ``CrisisDetector.build(real)`` as ``make_engine`` makes it: built once."""
    assert isinstance(engine.crisis, CrisisDetector)
    return engine.crisis


@pytest.fixture(scope="session")
def engine(real: Knowledge, catalogs: Catalogs) -> Engine:
    """An engine over the real knowledge and catalogs."""
    return make_engine(real, catalogs, lambda: TODAY)


@pytest.fixture(scope="session")
def core(real: Knowledge, catalogs: Catalogs, engine: Engine) -> Core:
    """What the bot runs on (``bot.runtime.build_core``), on the real clock, built once per
    test process from the same knowledge, catalogs, search index and crisis detector as the
    ``engine`` fixture (building those takes a second and a half)."""
    live = Engine(real, catalogs, utc_today, search=engine.search, crisis=engine.crisis)
    return Core(real, catalogs, live, ())


@pytest.fixture(autouse=True, scope="session")
def ptb_timedelta() -> Iterator[None]:
    """PTB 22.8 warns when it builds RetryAfter unless PTB_TIMEDELTA is set (warnings fail)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PTB_TIMEDELTA", "1")
        yield


@pytest.fixture
async def bot(tmp_path: Path, core: Core) -> AsyncIterator[Telegram]:
    """Lotse polling a fake Telegram, with the harness's defaults (tests/fakes/harness.py)."""
    async with lotse(tmp_path, core) as tg:
        yield tg


# Tests of two seconds and more (``--durations``), started first: ``make test`` runs pytest-xdist
# with work stealing, and a long test that starts last leaves one worker running it alone while
# the other is done. A name that no longer matches only loses its place in the queue.
SLOW_FIRST = (
    "tests/test_workers.py::test_two_workers_alternating_updates_keep_every_promise",
    "tests/test_crisis_model.py::test_the_model_catches_what_the_rules_miss",
    "tests/test_faults.py::test_random_and_malformed_updates_crash_nothing",
    "tests/test_crisis_model.py::test_the_model_was_trained_on_the_data_in_the_repository",
    "tests/test_faults.py::test_5xx_timeouts_and_resets_lose_no_update_and_no_feedback",
    "tests/test_telegram.py::test_every_button_reachable_from_start_answers",
    "tests/test_postgres.py::test_a_refused_connection_at_start_is_one_clear_error",
    "tests/test_console.py::test_python_m_bot_without_token_stores_feedback_the_report_finds",
    "tests/test_staff_week.py::test_the_scripted_week_reaches_every_section",
    "tests/test_report.py::test_cli_exports",
    "tests/test_memory.py::test_the_running_bot_reads_no_babel_locale_data",
    "tests/test_privacy_logs.py::test_a_rejected_token_is_never_logged",
    "tests/test_staff_backends.py::test_the_staff_command_line_reads_and_purges_a_postgresql",
    "tests/test_translations.py::test_report_counts_missing_outdated_and_broken_entries",
    "tests/test_postgres.py::test_the_terminal_stores_into_a_postgresql_database",
    "tests/test_crisis_model.py::test_training_is_reproducible",
    "tests/test_main.py::test_run_starts_the_bot",
    "tests/test_crisis_model.py::test_the_evaluation_sets_are_not_training_data",
    "tests/test_operations.py::test_reload_keeps_the_last_good_knowledge",
    "tests/test_main.py::test_staff_commands_still_run",
    "tests/test_operations.py::test_python_m_bot_refuses_to_start_with_one_clear_message",
    "tests/test_operations.py::test_report_is_for_staff_only",
    "tests/test_faults.py::test_sigkill_while_writing_keeps_every_thanked_row",
    "tests/test_transport_wire.py::test_finding4_a_steady_slow_download_is_not_cut",
    "tests/test_operations.py::test_sighup_reloads_while_the_bot_goes_on_answering",
    "tests/test_layering.py::test_the_telegram_shell_does_import_telegram",
    "tests/test_report.py::test_cli_report",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first, in the order above; the rest as collected."""

    def rank(item: pytest.Item) -> int:
        return next(
            (i for i, name in enumerate(SLOW_FIRST) if item.nodeid.startswith(name)),
            len(SLOW_FIRST),
        )

    items.sort(key=rank)
