"""What the bot keeps in memory for its life: the names of languages come without Babel's
locale data (about 1 MiB per language, kept for good).

Peak RSS is measured by ``benchmarks/bench_e2e.py``; these tests guard what cost the most,
in numbers that do not depend on the machine.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from babel import Locale

from bot.config import PROJECT_ROOT
from bot.i18n import LANGUAGES, language_name, native_name
from bot.knowledge.model import Knowledge


def spoken(knowledge: Knowledge) -> list[str]:
    return sorted({code for s in knowledge.services.values() for code in s.languages})


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_names_are_babels(lang: str, real: Knowledge) -> None:
    for code in sorted({*LANGUAGES, *spoken(real)}):
        assert language_name(code, lang) == (Locale.parse(code).get_display_name(lang) or code)


def test_native_names() -> None:
    assert [native_name(code) for code in ("de", "tr", "ku", "uk")] == [
        "Deutsch",
        "Türkçe",
        "Kurdî",
        "Українська",
    ]


def test_a_code_cldr_does_not_name_stays_a_code() -> None:
    assert language_name("xx", "de") == "xx"
    assert language_name("pt-BR", "de") == "Portugiesisch"


def test_the_running_bot_reads_no_babel_locale_data() -> None:
    """Start-up and a card listing the languages a service speaks, in every language."""
    code = """
import babel.localedata
read = []
load = babel.localedata.load
babel.localedata.load = lambda name, *a, **k: read.append(str(name)) or load(name, *a, **k)
from bot.config import Settings
from bot.engine import payloads as pl
from bot.runtime import build_core
core = build_core(Settings())
engine = core.engine
sid = next(s for s, v in core.knowledge.services.items() if len(v.languages) > 2)
node = next(n.id for n in core.knowledge.walk() if sid in n.services)
for lang in engine.languages:
    ctx = engine.ctx(lang)
    engine.start(ctx)
    engine.press(ctx, pl.service(sid, node, None))
    engine.text(ctx, "Pflegeberatung")
print(sorted(set(read)))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT
    )
    assert result.stdout.split() == ["[]"]
