"""What the bot keeps in memory for its life: the search index stays compact, and the names
of languages come without Babel's locale data (about 1 MiB per language, kept for good).

Peak RSS is measured by ``benchmarks/bench_e2e.py``; these tests guard the two structures
that cost the most, in numbers that do not depend on the machine.
"""

from __future__ import annotations

import gc
import subprocess
import sys
from types import FunctionType, ModuleType

import pytest
from babel import Locale

from bot.config import PROJECT_ROOT
from bot.i18n import LANGUAGES, Catalogs, language_name, native_name
from bot.knowledge.model import Knowledge
from bot.search import SearchIndex

# Bytes the index holds per term of a language, counted over every object only the index
# holds (not the knowledge's or the catalogs' own strings): 251 on the real knowledge (7.0
# MiB). Made compact from about 550 (frozensets, objects per entry, strings per language);
# phrases of frozensets again make it 323, a frozenset of docs per term 295, each language's
# own trigram strings 288. (tracemalloc, which the test used before, counts about 20 more
# per term and takes ten times as long as the build itself.)
BYTES_PER_TERM = 270


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


def held_only_by(root: object, others: list[object]) -> list[object]:
    """Every object reachable from ``root`` but from none of ``others``."""
    seen: set[int] = set()
    held: list[object] = []
    for roots, keep in ((others, False), ([root], True)):
        stack = list(roots)
        while stack:
            obj = stack.pop()
            if id(obj) in seen or isinstance(obj, (type, ModuleType, FunctionType)):
                continue
            seen.add(id(obj))
            if keep:
                held.append(obj)
            stack.extend(gc.get_referents(obj))
    return held


def test_the_search_index_of_the_real_knowledge_is_compact(
    real: Knowledge, catalogs: Catalogs
) -> None:
    index = SearchIndex.build(real, catalogs)
    kept = sum(sys.getsizeof(obj) for obj in held_only_by(index, [real, catalogs]))
    assert index.languages == tuple(catalogs.languages)
    terms = sum(len(one.rows) for one in index._languages.values())
    assert kept / terms < BYTES_PER_TERM, f"{kept / 2**20:.1f} MiB for {terms} terms"


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
