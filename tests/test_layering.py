"""The core and the staff CLI never load ``telegram`` (DESIGN.md §2)."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = [
    "bot.knowledge",
    "bot.knowledge.validate",
    "bot.engine.flow",
    "bot.i18n",
    "bot.payloads",
    "bot.search",
    "bot.crisis",
    "bot.scrub",
    "bot.storage",
    "bot.runtime",
    "bot.console",
    "bot.staff.cli",
    "bot.staff.report",
    "bot.staff.export",
    "bot.staff.page",
    "bot.staff.chart",
    "bot.staff.translations",
    "bot.staff.flyer",
]


@pytest.mark.parametrize("module", CORE)
def test_module_does_not_import_telegram(module: str) -> None:
    code = f"import sys, {module}; print('telegram' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_the_telegram_shell_does_import_telegram() -> None:
    code = "import sys, bot.tg.app; print('telegram' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"
