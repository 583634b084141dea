"""Shared fixtures: the small test knowledge, the real knowledge and catalogs, engines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.engine.flow import Engine
from bot.i18n import Catalogs
from bot.knowledge import load_knowledge
from bot.knowledge.model import Knowledge
from bot.runtime import make_engine
from tests.pgcluster import db_target, pg_cluster  # noqa: F401 - fixtures for every test

DATA = Path(__file__).parent / "data"
MINI = DATA / "knowledge"
REAL_KNOWLEDGE = PROJECT_ROOT / "knowledge"
REAL_LOCALES = PROJECT_ROOT / "locales"
TODAY = dt.date(2026, 11, 30)


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    """The real catalogs of every language."""
    return Catalogs.load(REAL_LOCALES)


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
def engine(real: Knowledge, catalogs: Catalogs) -> Engine:
    """An engine over the real knowledge and catalogs."""
    return make_engine(real, catalogs, lambda: TODAY)
