"""Assemble the pure core from settings: knowledge, catalogs, engine. No Telegram."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.crisis import CrisisDetector
from bot.engine.flow import Engine
from bot.i18n import Catalogs
from bot.knowledge import load_knowledge
from bot.knowledge.conventions import utc_today
from bot.knowledge.model import Knowledge, Problem
from bot.search import SearchIndex

__all__ = ["Core", "build_core", "make_engine"]

log = logging.getLogger(__name__)


if TYPE_CHECKING:
    from bot.staff.digest import StaffDigest


@dataclass(frozen=True)
class Core:
    """The loaded, checked knowledge and catalogs, and the engine over them."""

    knowledge: Knowledge
    catalogs: Catalogs
    engine: Engine
    warnings: tuple[Problem, ...]


def make_engine(
    knowledge: Knowledge,
    catalogs: Catalogs,
    clock: Callable[[], dt.date] = utc_today,
    retention_days: int = 365,
) -> Engine:
    """The engine with its search index and crisis detector built over ``knowledge``."""
    return Engine(
        knowledge,
        catalogs,
        clock,
        search=SearchIndex.build(knowledge, catalogs),
        crisis=CrisisDetector.build(knowledge),
        retention_days=retention_days,
    )


def staff_digest(settings: Settings, knowledge: Knowledge | None, today: dt.date) -> StaffDigest:
    """The staff's weekly digest, its chart and the whole page, for the Telegram shell.

    Blocking (it reads the database and draws): the shell runs it in a thread. Imported
    here, when a digest is due: the shell never loads Pillow and the staff report.
    """
    from bot.staff.digest import weekly_digest

    return weekly_digest(
        settings.database,
        today=today,
        knowledge=knowledge,
        min_group=settings.min_group,
        locales=settings.locales_dir,
    )


def build_core(settings: Settings) -> Core:
    """Load everything the engine needs; raises KnowledgeError or CatalogError."""
    knowledge, warnings = load_knowledge(settings.knowledge_dir, utc_today())
    catalogs = Catalogs.load(settings.locales_dir)
    log.info(
        "knowledge loaded: %d nodes, %d services, %d towns, %d warnings; languages: %s",
        len(knowledge.nodes),
        len(knowledge.services),
        len(knowledge.towns),
        len(warnings),
        ", ".join(catalogs.codes),
    )
    engine = make_engine(knowledge, catalogs, retention_days=settings.retention_days)
    return Core(knowledge, catalogs, engine, tuple(warnings))
