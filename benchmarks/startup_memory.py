"""The bot process's resident memory after each phase of its start-up: a part of
``bench_startup``, run by it in a fresh process (``python -m benchmarks.startup_memory``).

Imports nothing of the bot before the first figure, so that each phase counts what it adds:
the imports (python-telegram-bot, Babel, YAML … and the bot's own modules), the knowledge,
the catalogs, the search index, the crisis detector, the engine and the Telegram
application, then a walk through every language (menus, a service card, searches). Prints
one line ``P <phase> <MiB>`` a phase, then the peak.
"""

from __future__ import annotations

import resource
from pathlib import Path


def _rss_mib() -> float:
    """This process's resident memory now."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def phases() -> int:
    """In a fresh process: resident memory after each phase of the bot's start-up."""
    started = _rss_mib()
    print(f"P python {started:.1f}")
    import bot.runtime
    import bot.tg.app
    from bot.config import Settings
    from bot.crisis import CrisisDetector
    from bot.engine import payloads as pl
    from bot.engine.flow import Engine
    from bot.i18n import Catalogs
    from bot.knowledge import load_knowledge
    from bot.knowledge.conventions import utc_today
    from bot.runtime import Core
    from bot.search import SearchIndex

    print(f"P imports {_rss_mib():.1f}")
    settings = Settings(token="1:bench", salt="bench", rate_limit=False)
    knowledge, _ = load_knowledge(settings.knowledge_dir, utc_today())
    print(f"P knowledge {_rss_mib():.1f}")
    catalogs = Catalogs.load(settings.locales_dir)
    print(f"P catalogs {_rss_mib():.1f}")
    search = SearchIndex.build(knowledge, catalogs)
    print(f"P search-index {_rss_mib():.1f}")
    crisis = CrisisDetector.build(knowledge)
    print(f"P crisis-detector {_rss_mib():.1f}")
    engine = Engine(knowledge, catalogs, utc_today, search=search, crisis=crisis)
    app = bot.tg.app.build_application(settings, Core(knowledge, catalogs, engine, ()))
    print(f"P engine+application {_rss_mib():.1f}")
    sid = next(s for s, v in knowledge.services.items() if len(v.languages) > 2)
    node = next(n.id for n in knowledge.walk() if sid in n.services)
    for lang in engine.languages:
        ctx = engine.ctx(lang)
        for button in (b for row in engine.start(ctx).screen.buttons for b in row):
            if button.payload:
                engine.press(ctx, button.payload)
        engine.press(ctx, pl.service(sid, node, None))
        for query in ("Pflegeberatung Marl", "Frauenhaus", "Kita Platz", "babam icin bakim"):
            engine.text(ctx, query)
    print(f"P every-language {_rss_mib():.1f}")
    del app
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"P peak {peak:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(phases())
