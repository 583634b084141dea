"""Every button reachable from /start answers, in every language, for every town. No Telegram.

The pure engine is crawled (milliseconds a screen), and each screen is checked the way the fake
Bot API checks a message: Telegram would accept its HTML, its length and every button's
callback data. One German crawl through Telegram itself is in test_telegram.py.
"""

from __future__ import annotations

import re

import pytest

from bot.engine import payloads as pl
from bot.engine.flow import Engine
from bot.engine.screens import Button, Screen
from tests.fakes import ApiError
from tests.fakes.bot_api import MESSAGE_LIMIT
from tests.fakes.formatting import parse_text

LANGS = ["de", "en", "tr", "ar", "ru", "uk", "pl", "fa", "ku", "ro", "bg"]
STALE = "This menu has changed in the meantime. Here is the main menu."


def leaks(engine: Engine, lang: str) -> set[str]:
    """Texts that must never show in ``lang``: the fallback notes, and the English source of
    interface texts (unless the translation happens to be the same word)."""
    catalogs = engine.catalogs
    t = catalogs.translator(lang)
    found = {
        t("Some parts are only available in German so far. Sorry!"),
        t("Some parts of this translation may be out of date; the German text changed."),
    }
    if lang not in ("de", "en"):
        english = {key for (_ctx, key), _ in catalogs.languages[lang].ui.items()}
        found |= {k for k in english if t(k) != k and len(k) > 3}
    return found


def telegram_refuses(screen: Screen) -> list[str]:
    """What the Bot API would reject in this screen, sent as an HTML message with buttons."""
    problems = []
    try:
        shown, _ = parse_text(screen.text, "HTML")
    except ApiError as error:
        return [f"HTML: {error}"]
    if not shown:
        problems.append("empty text")
    if len(shown.encode("utf-16-le")) // 2 > MESSAGE_LIMIT:
        problems.append(f"text longer than {MESSAGE_LIMIT}")
    for row in screen.buttons:
        for b in row:
            if not b.label.strip():
                problems.append("a button without a label")
            if b.url is None and not pl.fits(b.payload or ""):
                problems.append(f"callback data {b.payload!r} does not fit 64 bytes")
    return problems


def buttons(screen: Screen) -> list[Button]:
    return [b for row in screen.buttons for b in row]


def wanted(payload: str | None) -> bool:
    """Buttons the crawl presses: not links, language switches or "erase this chat" (they
    have tests of their own, and would switch the language or delete the chat)."""
    return bool(payload) and not str(payload).startswith(pl.LANG_SET + pl.SEP) and payload != "x"


def rating(payload: str) -> tuple[str, str] | None:
    """For a 👍/👎 button: its kind and the kind of place it rates (node or service card)."""
    kind, _, place = payload.partition(pl.SEP)
    return (kind, place.partition(pl.SEP)[0]) if kind in (pl.HELPED, pl.NOT_HELPED) else None


def crawl(engine: Engine, lang: str, *, every_rating: bool = True) -> tuple[int, list[str]]:
    """Press every button reachable from /start in ``lang``; return screens and problems.

    ``every_rating=False``: each kind of 👍/👎 is pressed once for a node and once for a
    service card (they answer with the screen they rate, which is crawled anyway, and the
    same thanks or note prompt): two thirds of the presses are ratings.
    """
    ctx = engine.ctx(lang)
    t = engine.catalogs.translator(lang)
    stale = t(STALE)
    # One pattern of all texts that must not show (longest first), in the text or as the
    # end of a button's label (a label ends with its text after the emoji).
    never = "|".join(re.escape(x) for x in sorted(leaks(engine, lang), key=len, reverse=True))
    in_text, as_label = re.compile(never), re.compile(f" (?:{never})$")
    start = engine.start(ctx).screen
    todo = [b.payload or "" for b in buttons(start) if wanted(b.payload)]
    seen: set[str] = set()
    rated: set[tuple[str, str]] = set()
    problems = [f"/start: {p}" for p in telegram_refuses(start)]
    while todo:
        data = todo.pop()
        if data in seen:
            continue
        kind = rating(data)
        if kind is not None and not every_rating:
            if kind in rated:
                continue
            rated.add(kind)
        seen.add(data)
        screen = engine.press(ctx, data).screen
        shown = screen.text
        if stale in shown:
            problems.append(f"{data}: {shown[:60]!r}")
        problems.extend(f"{data}: {p}" for p in telegram_refuses(screen))
        found = [in_text.search(shown), *(as_label.search(b.label) for b in buttons(screen))]
        problems.extend(f"{data}: shows {m.group(0)!r}" for m in found if m)
        todo.extend(b.payload or "" for b in buttons(screen) if wanted(b.payload))
    return len(seen), problems


@pytest.mark.parametrize("lang", LANGS)
def test_every_button_answers_in_every_language(engine: Engine, lang: str) -> None:
    """All towns in every language; every rating button in German, each kind elsewhere."""
    screens, problems = crawl(engine, lang, every_rating=lang == "de")
    print(f"all-buttons crawl, {lang}, all towns: {screens} screens")
    assert problems == []
    assert screens > (6000 if lang == "de" else 2000)


def test_the_crawl_would_see_a_broken_screen(engine: Engine) -> None:
    """The checks are not empty talk: what Telegram refuses, and a leaked source text."""
    screen = engine.start(engine.ctx("de")).screen
    assert telegram_refuses(screen) == []
    broken = Screen("<b>Lotse", screen.buttons, place=screen.place)
    assert telegram_refuses(broken)[0].startswith("HTML:")
    assert telegram_refuses(Screen("x" * 4097, (), place=None)) == ["text longer than 4096"]
    assert "Choose your language" in leaks(engine, "tr")
