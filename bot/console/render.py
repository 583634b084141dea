"""Screens as terminal text with numbered buttons. Terminal shell only."""

from __future__ import annotations

from bot.engine.screens import Contact, Screen, Venue, plain


def render(screen: Screen) -> str:
    """A screen as terminal text: the message, attachments, then numbered buttons."""
    lines = [plain(screen.text), ""]
    for item in screen.attachments:
        if isinstance(item, Contact):
            lines.append(f"📇 {item.name}: {item.phone}")
        elif isinstance(item, Venue):
            lines.append(f"📍 {item.title}, {item.address} ({item.lat:.5f}, {item.lon:.5f})")
    number = 0
    for row in screen.buttons:
        for button in row:
            number += 1
            target = f"  → {button.url}" if button.url else ""
            lines.append(f"  [{number}] {button.label}{target}")
    return "\n".join(lines).rstrip() + "\n"
