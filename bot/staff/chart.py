"""The staff digest's chart as PNG bytes (Pillow): helpful share per topic, needs per node.

Staff layer: draws a built (already suppressed) Report in memory; no files, no
``telegram``. Only groups shown with their count are drawn, so a bar never reveals a small
group's size.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.knowledge.model import Knowledge
from bot.staff.report import DEFAULT_DAYS, Filters, Report, build_report, digest, percent

WIDTH = 900
SYSTEM_FONT = "DejaVuSans.ttf"
ROW = 30
_BAR_X = 330
_BAR_W = 470
_BG = (255, 255, 255)
_INK = (27, 27, 27)
_GREY = (225, 225, 225)
_HELPFUL = (42, 111, 151)
_NEED = (181, 101, 29)


def chart_png(report: Report) -> bytes:
    """A PNG with two bar charts: helpful share per topic, "none of these fits" per node."""
    topics = [r for r in report.by_topic if r.share is not None and r.count is not None]
    needs = [r for r in report.none_fits if r.count is not None][:8]
    rows = max(len(topics), 1) + max(len(needs), 1)
    height = 110 + ROW * rows + 60
    image = Image.new("RGB", (WIDTH, height), _BG)
    draw = ImageDraw.Draw(image)
    font, spell = _fonts()
    draw.text((20, 14), spell(f"Lotse – {report.filters.describe()}"), font=font, fill=_INK)
    y = 50
    draw.text((20, y), spell("Hilfreich je Thema"), font=font, fill=_INK)
    y += ROW
    if not topics:
        draw.text(
            (40, y), f"(keine Gruppe mit mindestens {report.min_group})", font=font, fill=_INK
        )
        y += ROW
    for row in topics:
        share = row.share or 0.0
        draw.text((40, y), spell(_fit(row.label, 36)), font=font, fill=_INK)
        draw.rectangle((_BAR_X, y + 2, _BAR_X + _BAR_W, y + ROW - 10), fill=_GREY)
        draw.rectangle(
            (_BAR_X, y + 2, _BAR_X + round(share * _BAR_W), y + ROW - 10), fill=_HELPFUL
        )
        draw.text(
            (_BAR_X + _BAR_W + 10, y), f"{percent(share)} ({row.count})", font=font, fill=_INK
        )
        y += ROW
    y += 20
    draw.text((20, y), spell("„Nichts davon passt“"), font=font, fill=_INK)
    y += ROW
    if not needs:
        draw.text(
            (40, y), f"(keine Gruppe mit mindestens {report.min_group})", font=font, fill=_INK
        )
    top = max((r.count or 0 for r in needs), default=1) or 1
    for row in needs:
        count = row.count or 0
        draw.text((40, y), spell(_fit(row.label, 36)), font=font, fill=_INK)
        draw.rectangle(
            (_BAR_X, y + 2, _BAR_X + round(count / top * _BAR_W), y + ROW - 10), fill=_NEED
        )
        draw.text((_BAR_X + _BAR_W + 10, y), str(count), font=font, fill=_INK)
        y += ROW
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# Pillow's built-in font has no umlauts or typographic quotes: spell them out when no system
# font (DejaVu, present on most Linux machines) is there.
_ASCII = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "–": "-",
     "„": '"', "“": '"', "”": '"', "…": "...", "é": "e", "è": "e"}
)  # fmt: skip


def _fonts() -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, Callable[[str], str]]:
    """A font with umlauts if the system has one, else the built-in one and ASCII text."""
    try:
        return ImageFont.truetype(SYSTEM_FONT, 15), str
    except OSError:
        return ImageFont.load_default(size=15), lambda text: text.translate(_ASCII)


def _fit(label: str, width: int) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def digest_with_chart(
    db_path: Path,
    *,
    today: dt.date,
    knowledge: Knowledge | None = None,
    min_group: int = 5,
    days: int = DEFAULT_DAYS,
) -> tuple[str, bytes]:
    """The last ``days`` days' digest text (plain, ≤ 4096 chars) and chart, for Telegram.

    Blocking (it reads SQLite): call it from the bot with ``asyncio.to_thread``.
    """
    report = build_report(
        db_path, Filters.last_days(today, days), knowledge=knowledge, min_group=min_group
    )
    return digest(report), chart_png(report)
