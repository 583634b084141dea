"""The report's bar charts, from one source: ``chart_for`` picks the bars of a section, and
``svg`` (the HTML page), ``png`` (the Telegram digest) and the quarter workbook draw the same
bars. Staff layer; no files, no ``telegram``; Pillow is imported only when a PNG is drawn.

Only rows shown with their count become bars, so a bar never reveals a small group's size.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from bot.staff.model import Report, percent
from bot.staff.sections import SECTIONS, ChartKind, Section

if TYPE_CHECKING:
    from PIL import ImageFont

MAX_BARS = 10
COLOURS = {ChartKind.SHARE: "#2a6f97", ChartKind.COUNT: "#b5651d"}
SYSTEM_FONT = "DejaVuSans.ttf"
_ROW = 30
_WIDTH = 900
_BAR_X = 330
_BAR_W = 440


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its length from 0 to 1, and the figure written at its end."""

    label: str
    value: float
    text: str


@dataclass(frozen=True)
class Chart:
    """A titled horizontal bar chart."""

    key: str
    title: str
    kind: ChartKind
    bars: tuple[Bar, ...]

    @property
    def colour(self) -> str:
        """The bars' colour (#rrggbb)."""
        return COLOURS[self.kind]


def chart_for(report: Report, part: Section) -> Chart | None:
    """The section's chart over its shown rows, or None when it has none."""
    if part.chart is None:
        return None
    rows = [r for r in part.rows(report) if r.count is not None]
    if part.chart == ChartKind.SHARE:
        bars = [Bar(r.label, r.share, percent(r.share)) for r in rows if r.share is not None]
    else:
        top = max((r.count or 0 for r in rows), default=0) or 1
        bars = [Bar(r.label, (r.count or 0) / top, str(r.count)) for r in rows]
    return Chart(part.key, part.chart_title or part.title, part.chart, tuple(bars[:MAX_BARS]))


def charts(report: Report, *, digest: bool = False) -> list[Chart]:
    """Every section's chart (``digest``: only those the Telegram digest shows)."""
    found = (chart_for(report, s) for s in SECTIONS if s.digest_chart or not digest)
    return [c for c in found if c is not None]


def _short(label: str, width: int = 36) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def svg(chart: Chart, min_group: int) -> str:
    """The chart as inline SVG (no script, no URL); a line of text when no bar is shown.

    Each label stands above its bar, so the chart keeps a readable size on a phone.
    """
    e = escape
    if not chart.bars:
        return f'<p class="note">{e(chart.title)}: keine Gruppe mit mindestens {min_group}.</p>'
    row_h, bar_w, width = 40, 290, 360
    height = row_h * len(chart.bars) + 28
    parts = [
        f'<svg role="img" aria-label="{e(chart.title)}" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" font-family="system-ui,sans-serif">',
        f'<text x="0" y="16" font-size="15" font-weight="bold">{e(chart.title)}</text>',
    ]
    for i, bar in enumerate(chart.bars):
        y = 28 + i * row_h
        length = max(0.0, min(1.0, bar.value)) * bar_w
        parts.append(f'<text x="0" y="{y + 13}" font-size="13">{e(_short(bar.label, 48))}</text>')
        parts.append(
            f'<rect x="0" y="{y + 18}" width="{max(length, 1.0):.1f}" height="14"'
            f' fill="{chart.colour}"/>'
        )
        end = length + 6
        parts.append(f'<text x="{end:.1f}" y="{y + 30}" font-size="13">{e(bar.text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def png(heading: str, drawn: Sequence[Chart], min_group: int) -> bytes:
    """The charts one below the other as a PNG (Pillow), for the Telegram digest."""
    from PIL import Image, ImageDraw

    rows = sum(max(len(c.bars), 1) + 1 for c in drawn)
    image = Image.new("RGB", (_WIDTH, 60 + _ROW * rows + 20 * len(drawn)), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    font, spell = _fonts()
    ink = (27, 27, 27)
    draw.text((20, 14), spell(heading), font=font, fill=ink)
    y = 50
    for chart in drawn:
        draw.text((20, y), spell(chart.title), font=font, fill=ink)
        y += _ROW
        if not chart.bars:
            draw.text((40, y), f"(keine Gruppe mit mindestens {min_group})", font=font, fill=ink)
            y += _ROW
        colour = tuple(int(chart.colour[i : i + 2], 16) for i in (1, 3, 5))
        for bar in chart.bars:
            draw.text((40, y), spell(_short(bar.label)), font=font, fill=ink)
            end = _BAR_X + round(max(0.0, min(1.0, bar.value)) * _BAR_W)
            draw.rectangle((_BAR_X, y + 2, end, y + _ROW - 10), fill=colour)
            draw.text((_BAR_X + _BAR_W + 10, y), bar.text, font=font, fill=ink)
            y += _ROW
        y += 20
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def chart_png(report: Report) -> bytes:
    """The digest's picture: the charts of the sections marked for it."""
    heading = f"Lotse – {report.filters.describe()}"
    return png(heading, charts(report, digest=True), report.min_group)


# Pillow's built-in font has no umlauts or typographic quotes: spell them out when no system
# font (DejaVu, present on most Linux machines) is there.
_ASCII = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "–": "-",
     "„": '"', "“": '"', "”": '"', "…": "...", "é": "e", "è": "e"}
)  # fmt: skip


def _fonts() -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, Callable[[str], str]]:
    """A font with umlauts if the system has one, else the built-in one and ASCII text."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype(SYSTEM_FONT, 15), str
    except OSError:
        return ImageFont.load_default(size=15), lambda text: text.translate(_ASCII)
