"""Printable flyers, drawn: a planned ``Flyer`` (bot.staff.flyer) as PDF bytes with fpdf2.

Staff layer: no Telegram, no network, no database. The fonts come from installed Python
packages (Noto Sans, Noto Sans Arabic), never from a download; Arabic and Persian are shaped
by HarfBuzz (through fpdf2) and set right to left.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bot.errors import FlyerError
from bot.i18n import isolate_ltr
from bot.staff.flyer import BOT_NAME, SIZES, Flyer, Line, Topic

if TYPE_CHECKING:
    from fpdf import FPDF

INK = (33, 33, 33)
GREY = (90, 90, 90)
BAND = (22, 74, 120)
WHITE = (255, 255, 255)
ALERT = (170, 20, 30)
ALERT_FILL = (253, 238, 236)
PT = 25.4 / 72  # millimetres per point
# Below this a phone camera needs to come very close; the flyer is refused instead.
MIN_QR = 20
# Characters that steer the bidi algorithm or joining and have no ink of their own.
_INVISIBLE = frozenset("\u200c\u200d\u200e\u200f\u2066\u2067\u2068\u2069\n ")


def _font_paths() -> tuple[str, str]:
    """Noto Sans (Latin, Cyrillic) and Noto Sans Arabic (Arabic, Persian), from their packages."""
    import fontpkg

    return str(fontpkg.path("Noto Sans")), str(fontpkg.path("Noto Sans Arabic"))


class _Page:
    """Drawing helpers over one fpdf2 page, aware of the flyer's direction."""

    def __init__(self, flyer: Flyer) -> None:
        from fpdf import FPDF

        self.flyer = flyer
        self.spec = SIZES[flyer.size]
        pdf = FPDF(unit="mm", format=(self.spec.width, self.spec.height))
        pdf.set_auto_page_break(auto=False)
        pdf.set_margins(self.spec.margin, self.spec.margin, self.spec.margin)
        pdf.set_title(f"{BOT_NAME} ({flyer.lang})")
        pdf.set_lang(flyer.lang)
        pdf.set_creator(BOT_NAME)
        latin, arabic = _font_paths()
        pdf.add_font("latin", fname=latin)
        pdf.add_font("arabic", fname=arabic)
        self.family = "arabic" if flyer.rtl else "latin"
        pdf.set_fallback_fonts(["latin" if flyer.rtl else "arabic"])
        pdf.add_page()
        self.pdf: FPDF = pdf
        self.direction = "rtl" if flyer.rtl else "ltr"
        pdf.set_text_shaping(use_shaping_engine=True, direction=self.direction)

    def close(self) -> None:
        """Close the font files fpdf2 keeps open (it reads glyphs lazily until output)."""
        from fpdf.fonts import TTFFont

        for font in self.pdf.fonts.values():
            if isinstance(font, TTFFont):
                font.ttfont.close()

    @property
    def align(self) -> str:
        """Where running text starts: the right edge for Arabic and Persian."""
        return "R" if self.flyer.rtl else "L"

    def text(self, value: str) -> str:
        """Isolate Latin runs (names, numbers, links) inside right-to-left text."""
        return isolate_ltr(value) if self.flyer.rtl else value

    @contextmanager
    def style(
        self,
        pt: float,
        color: tuple[int, int, int] = INK,
        *,
        bold: bool = False,
        ltr: bool = False,
    ) -> Iterator[None]:
        """Font size, colour, weight and direction for the block inside."""
        from fpdf.enums import TextMode

        pdf = self.pdf
        pdf.set_font(self.family, size=pt)
        pdf.set_text_color(*color)
        if ltr and self.flyer.rtl:
            pdf.set_text_shaping(use_shaping_engine=True, direction="ltr")
        # The fonts are variable fonts at their regular weight; bold is the outline stroked
        # as well as filled, which needs no second font file and no instancing at run time.
        mode = TextMode.FILL_STROKE if bold else TextMode.FILL
        with pdf.local_context(text_mode=mode, line_width=pt * PT * 0.035, draw_color=color):
            yield
        if ltr and self.flyer.rtl:
            pdf.set_text_shaping(use_shaping_engine=True, direction=self.direction)

    def height(self, width: float, value: str, pt: float, align: str = "") -> float:
        """The height ``value`` takes in a column of ``width`` (current style)."""
        result = self.pdf.multi_cell(
            width,
            pt * PT * 1.3,
            value,
            align=align or self.align,
            dry_run=True,
            output="HEIGHT",
        )
        assert isinstance(result, float | int)
        return float(result)

    def write(
        self, x: float, y: float, width: float, value: str, pt: float, align: str = ""
    ) -> float:
        """Set ``value`` in a column; returns its height."""
        self.pdf.set_xy(x, y)
        before = self.pdf.get_y()
        self.pdf.multi_cell(width, pt * PT * 1.3, value, align=align or self.align)
        return self.pdf.get_y() - before

    def qr(self, link: str, x: float, y: float, size: float) -> None:
        """The QR code of ``link``, drawn as vector squares (sharp at any print size)."""
        import segno

        code = segno.make(link, error="m", micro=False)
        modules = code.symbol_size(border=0)[0]
        unit = size / modules
        self.pdf.set_fill_color(0, 0, 0)
        for row, cells in enumerate(code.matrix):
            col = 0
            while col < modules:
                if not cells[col]:
                    col += 1
                    continue
                start = col
                while col < modules and cells[col]:
                    col += 1
                # Neighbouring squares overlap by a hair so no white seam shows when printed.
                self.pdf.rect(
                    x + start * unit, y + row * unit, (col - start) * unit + 0.01, unit + 0.01, "F"
                )


def _check_glyphs(page: _Page, texts: Sequence[str]) -> None:
    """Refuse a flyer whose text has a character that neither font can draw (no empty boxes)."""
    from fpdf.fonts import TTFFont

    known: set[str] = set()
    for font in page.pdf.fonts.values():
        if isinstance(font, TTFFont):
            known.update(map(chr, font.cmap))
    missing = sorted({ch for text in texts for ch in text if ch not in _INVISIBLE} - known)
    if missing:
        shown = " ".join(f"{ch!r} U+{ord(ch):04X}" for ch in missing)
        raise FlyerError(f"the fonts have no glyph for {shown} ({page.flyer.lang})")


def render_pdf(flyer: Flyer) -> bytes:
    """Lay the flyer out on one page and return the PDF."""
    page = _Page(flyer)
    try:
        return _render(page, flyer)
    finally:
        page.close()


def _render(page: _Page, flyer: Flyer) -> bytes:
    pdf, spec = page.pdf, page.spec
    _check_glyphs(
        page,
        [
            flyer.tagline,
            flyer.free,
            flyer.scan_hint,
            flyer.search_hint,
            flyer.help_heading,
            flyer.publisher,
            *(topic.title for topic in flyer.topics),
            *(line.label for line in flyer.lines),
        ],
    )
    m, gap = spec.margin, spec.gap
    inner = spec.width - 2 * m

    # Header band: the name, what it is, free and anonymous.
    band_top = m * 0.8
    y = band_top
    with page.style(spec.name_pt, WHITE, bold=True):
        name_h = page.height(inner, BOT_NAME, spec.name_pt)
    with page.style(spec.text_pt, WHITE):
        tag_h = page.height(inner, page.text(flyer.tagline), spec.text_pt)
    with page.style(spec.text_pt * 1.15, WHITE, bold=True):
        free_h = page.height(inner, page.text(flyer.free), spec.text_pt * 1.15)
    band_h = band_top + name_h + tag_h + free_h + gap
    pdf.set_fill_color(*BAND)
    pdf.rect(0, 0, spec.width, band_h, "F")
    with page.style(spec.name_pt, WHITE, bold=True):
        y += page.write(m, y, inner, BOT_NAME, spec.name_pt)
    with page.style(spec.text_pt, WHITE):
        y += page.write(m, y, inner, page.text(flyer.tagline), spec.text_pt)
    with page.style(spec.text_pt * 1.15, WHITE, bold=True):
        page.write(m, y, inner, page.text(flyer.free), spec.text_pt * 1.15)

    # From the foot up: publisher, the emergency box, the hints.
    bottom = spec.height - m
    if flyer.publisher:
        with page.style(spec.small_pt, GREY):
            pub_h = page.height(inner, flyer.publisher, spec.small_pt, "C")
            page.write(m, bottom - pub_h, inner, flyer.publisher, spec.small_pt, "C")
        bottom -= pub_h + gap / 2
    bottom = _emergency_box(page, flyer, bottom)
    bottom -= gap
    with page.style(spec.text_pt, INK, bold=True, ltr=True):
        handle = f"@{flyer.username}"
        handle_h = page.height(inner, handle, spec.text_pt, "C")
        page.write(m, bottom - handle_h, inner, handle, spec.text_pt, "C")
    bottom -= handle_h
    with page.style(spec.text_pt, INK):
        for hint in (flyer.search_hint, flyer.scan_hint):
            hint_h = page.height(inner, page.text(hint), spec.text_pt, "C")
            page.write(m, bottom - hint_h, inner, page.text(hint), spec.text_pt, "C")
            bottom -= hint_h + gap / 3
    _codes(page, flyer, band_h + gap, bottom - gap)
    return bytes(pdf.output())


def _emergency_box(page: _Page, flyer: Flyer, bottom: float) -> float:
    """The emergency numbers in a framed box ending at ``bottom``; returns the box's top."""
    pdf, spec = page.pdf, page.spec
    m, gap = spec.margin, spec.gap
    pad = gap * 0.8
    box_w = spec.width - 2 * m
    inner = box_w - 2 * pad
    number_w = inner * 0.34
    label_w = inner - number_w - pad
    with page.style(spec.label_pt * 1.1, ALERT, bold=True):
        head_h = page.height(inner, page.text(flyer.help_heading), spec.label_pt * 1.1)
    rows: list[tuple[Line, float]] = []
    for line in flyer.lines:
        with page.style(spec.number_pt, ALERT, bold=True, ltr=True):
            number_h = page.height(number_w, line.number, spec.number_pt, "L")
        with page.style(spec.label_pt, INK):
            label_h = page.height(label_w, page.text(line.label), spec.label_pt)
        rows.append((line, max(number_h, label_h)))
    box_h = pad + head_h + pad / 2 + sum(h for _, h in rows) + pad
    top = bottom - box_h
    pdf.set_fill_color(*ALERT_FILL)
    pdf.set_draw_color(*ALERT)
    pdf.set_line_width(0.6 if spec.width > 150 else 0.35)
    pdf.rect(m, top, box_w, box_h, "DF", round_corners=True, corner_radius=gap * 0.6)
    y = top + pad
    with page.style(spec.label_pt * 1.1, ALERT, bold=True):
        y += page.write(m + pad, y, inner, page.text(flyer.help_heading), spec.label_pt * 1.1)
    y += pad / 2
    for line, row_h in rows:
        if flyer.rtl:
            number_x, label_x = m + pad + inner - number_w, m + pad
        else:
            number_x, label_x = m + pad, m + pad + number_w + pad
        with page.style(spec.number_pt, ALERT, bold=True, ltr=True):
            number_h = page.height(number_w, line.number, spec.number_pt, page.align)
            page.write(
                number_x,
                y + (row_h - number_h) / 2,
                number_w,
                line.number,
                spec.number_pt,
                page.align,
            )
        with page.style(spec.label_pt, INK):
            label_h = page.height(label_w, page.text(line.label), spec.label_pt)
            page.write(
                label_x, y + (row_h - label_h) / 2, label_w, page.text(line.label), spec.label_pt
            )
        y += row_h
    return top


def _codes(page: _Page, flyer: Flyer, top: float, bottom: float) -> None:
    """The QR codes in a grid between ``top`` and ``bottom``, each under its title.

    All codes have one size, and the codes of a row stand on one line whatever their titles.
    """
    spec, gap = page.spec, page.spec.gap
    n = len(flyer.topics)
    # One row up to three codes; four as two pairs; five and six in two rows of three.
    cols = n if n <= 3 else 2 if n == 4 else 3
    rows = [flyer.topics[i : i + cols] for i in range(0, n, cols)]
    width = (spec.width - 2 * spec.margin - gap * (cols - 1)) / cols
    quiet = gap * 0.7
    with page.style(spec.title_pt, INK, bold=True):
        titles = [
            max(page.height(width, page.text(t.title), spec.title_pt, "C") for t in row)
            for row in rows
        ]
    links = [_link_style(page, topic, width) for topic in flyer.topics]
    link_h = max(h for _, h in links)
    room = bottom - top - gap * (len(rows) - 1) - sum(titles) - len(rows) * (2 * quiet + link_h)
    size = min(spec.max_qr, width * 0.9, room / len(rows))
    if size < MIN_QR:
        raise FlyerError(f"not enough room for a readable QR code ({size:.0f} mm); fewer topics")
    block = sum(titles) + len(rows) * (2 * quiet + size + link_h) + gap * (len(rows) - 1)
    y = top + (bottom - top - block) / 2
    index = 0
    for row, title_h in zip(rows, titles, strict=True):
        # A shorter last row is centred; right to left, the first code is on the right.
        offset = (cols - len(row)) * (width + gap) / 2
        for col, topic in enumerate(row):
            slot = len(row) - 1 - col if flyer.rtl else col
            x = spec.margin + offset + slot * (width + gap)
            with page.style(spec.title_pt, INK, bold=True):
                own_h = page.height(width, page.text(topic.title), spec.title_pt, "C")
                page.write(
                    x, y + title_h - own_h, width, page.text(topic.title), spec.title_pt, "C"
                )
            page.qr(topic.link, x + (width - size) / 2, y + title_h + quiet, size)
            link_pt, _ = links[index]
            with page.style(link_pt, GREY, ltr=True):
                link_y = y + title_h + quiet + size + quiet
                page.write(x, link_y, width, _link_text(topic), link_pt, "C")
            index += 1
        y += title_h + 2 * quiet + size + link_h + gap


def _link_text(topic: Topic) -> str:
    return topic.link.removeprefix("https://")


def _link_style(page: _Page, topic: Topic, width: float) -> tuple[float, float]:
    """The link's point size and height: on one line (a link broken in two cannot be typed)."""
    spec = page.spec
    with page.style(spec.small_pt, GREY, ltr=True):
        fits = width * 0.96 / page.pdf.get_string_width(_link_text(topic))
    link_pt = spec.small_pt * min(1.0, fits)
    with page.style(link_pt, GREY, ltr=True):
        return link_pt, page.height(width, _link_text(topic), link_pt, "C")
