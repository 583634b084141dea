"""What Lotse's own Bot API calls send is what python-telegram-bot would send (bot/tg/render)."""

from __future__ import annotations

import pytest

from bot.engine.flow import Engine
from bot.engine.screens import Button, Screen
from bot.tg.render import NO_PREVIEW, NO_PREVIEW_DATA, keyboard, keyboard_data


def ptb_json(screen: Screen) -> object:
    """The reply_markup python-telegram-bot makes of ``keyboard(screen)``."""
    markup = keyboard(screen)
    return markup.to_dict() if markup is not None else None


def screens(engine: Engine) -> list[Screen]:
    """Menus in every language, every topic's first screen, and service cards with links."""
    found: list[Screen] = []
    for lang in engine.languages:
        ctx = engine.ctx(lang)
        start = engine.start(ctx).screen
        found.append(start)
        for row in start.buttons:
            for button in row:
                if button.payload:
                    found.append(engine.press(ctx, button.payload).screen)
    return found


def test_keyboards_are_sent_as_python_telegram_bot_would_send_them(engine: Engine) -> None:
    shown = screens(engine)
    assert len(shown) > 50
    for screen in shown:
        assert keyboard_data(screen) == ptb_json(screen)


@pytest.mark.parametrize(
    "buttons",
    [
        (),
        ((),),
        ((Button("Karte", url="https://example.org/map?q=a&b=c"),),),
        ((Button("Ja", "r:1"), Button("Nein", "r:0")), (), (Button("Menü", "m"),)),
    ],
)
def test_links_empty_rows_and_no_buttons(buttons: tuple[tuple[Button, ...], ...]) -> None:
    screen = Screen("x", buttons)
    assert keyboard_data(screen) == ptb_json(screen)


def test_link_previews_stay_off() -> None:
    assert NO_PREVIEW_DATA == NO_PREVIEW.to_dict() == {"is_disabled": True}
