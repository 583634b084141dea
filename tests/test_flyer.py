"""Printed flyers, read back the way a person (and a phone camera) would: the PDF is rendered
to pixels with PDFium and every QR code is decoded with zxing-cpp, in every language.

Promises: each code opens the bot at the topic printed above it; Arabic and Persian read
right to left with joined letters; the numbers come from the knowledge; nothing on a flyer
names violence, a shelter or a pregnancy; the staff command says clearly what is missing.
"""

from __future__ import annotations

import ctypes
import dataclasses
import io
import unicodedata
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
import uharfbuzz as hb
import zxingcpp
from fontTools.ttLib import TTFont
from PIL import Image

from bot.config import PROJECT_ROOT, load_settings
from bot.engine.flow import Engine
from bot.errors import ConfigError, FlyerError
from bot.i18n import LANGUAGES, RTL, Catalogs
from bot.knowledge.conventions import msgctxt
from bot.knowledge.model import Knowledge
from bot.staff.cli import main as staff_main
from bot.staff.flyer import EMERGENCY_LINES, SIZES, Flyer, deep_link, plan_flyer
from bot.staff.flyer_pdf import PT, _font_paths, render_pdf
from tests.conftest import TODAY

BOT = "LotseKreisRE_bot"
TOPICS = {"a4": ["pflege", "frauen", "notfall"], "a6": ["pflege", "frauen"]}
# Rendered at 144 dpi (A4) and 216 dpi (A6): about what a phone camera sees of a printed page.
SCALE = {"a4": 2.0, "a6": 3.0}
# Titles of the women's sub-topics that must never be printed (violence, shelter, pregnancy…).
SENSITIVE = ("gewalt", "frauenhaus", "schwanger", "opferschutz", "aufenthalt")


@dataclasses.dataclass(frozen=True)
class Code:
    """A decoded QR code and where it sits on the page, in PDF points (origin bottom left)."""

    text: str
    left: float
    right: float
    top: float


@dataclasses.dataclass(frozen=True)
class Char:
    """One character PDFium reads from the page: its box centre and baseline, in PDF points."""

    char: str
    x: float
    y: float


def build(knowledge: Knowledge, catalogs: Catalogs, lang: str, size: str) -> tuple[Flyer, bytes]:
    flyer = plan_flyer(
        knowledge, catalogs, lang=lang, topics=TOPICS[size], username=BOT, size=size, today=TODAY
    )
    return flyer, render_pdf(flyer)


def read_codes(pdf: bytes, scale: float) -> tuple[list[Code], Image.Image]:
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        height = page.get_height()
        image = page.render(scale=scale).to_pil()
    finally:
        document.close()
    codes = []
    for result in zxingcpp.read_barcodes(image):
        xs = [p.x for p in (result.position.top_left, result.position.bottom_right)]
        ys = [p.y for p in (result.position.top_left, result.position.bottom_right)]
        codes.append(Code(result.text, min(xs) / scale, max(xs) / scale, height - min(ys) / scale))
    return codes, image


def read_chars(pdf: bytes) -> list[Char]:
    document = pdfium.PdfDocument(pdf)
    try:
        text = document[0].get_textpage()
        chars = []
        x, y = ctypes.c_double(), ctypes.c_double()
        for i in range(text.count_chars()):
            left, _, right, _ = text.get_charbox(i)
            # The baseline, not the box: dots and descenders must not make a line of their own.
            pdfium_raw.FPDFText_GetCharOrigin(text.raw, i, ctypes.byref(x), ctypes.byref(y))
            chars.append(Char(text.get_text_range(i, 1), (left + right) / 2, y.value))
        return chars
    finally:
        document.close()


def page_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return str(document[0].get_textpage().get_text_range())
    finally:
        document.close()


def letters(text: str) -> list[str]:
    return [ch for ch in text if unicodedata.category(ch).startswith("L")]


def title_above(chars: list[Char], code: Code, codes: list[Code], size: str) -> list[list[Char]]:
    """The characters just above a code, in its column, line by line: where its title is."""
    spec = SIZES[size]
    mm = 72 / 25.4
    line_height = spec.title_pt * 1.3 * PT * mm
    reach = 2.6 * line_height + spec.gap * mm
    centre = (code.left + code.right) / 2
    # The column ends halfway to the next code in the same row.
    others = [abs((o.left + o.right) / 2 - centre) for o in codes if o is not code]
    half = min([d / 2 for d in others if d > 1], default=spec.width * mm)
    band = [
        c
        for c in chars
        if code.top < c.y < code.top + reach and abs(c.x - centre) < half and c.char.strip()
    ]
    lines: list[list[Char]] = []
    for char in sorted(band, key=lambda c: -c.y):
        if not lines or lines[-1][0].y - char.y > line_height / 2:
            lines.append([])
        lines[-1].append(char)
    return [sorted(line, key=lambda c: c.x) for line in lines]


def arabic(char: str) -> bool:
    return "\u0620" <= char <= "\u06ff" and char.isalpha()


def is_subsequence(part: list[str], whole: list[str]) -> bool:
    it = iter(whole)
    return all(ch in it for ch in part)


class Flyers(dict[tuple[str, str], tuple[Flyer, bytes]]):
    """One flyer per (language, size), built on first use: a parallel test worker builds
    only the flyers of the tests it runs, not all 22."""

    def __init__(self, knowledge: Knowledge, catalogs: Catalogs) -> None:
        super().__init__()
        self.knowledge = knowledge
        self.catalogs = catalogs

    def __missing__(self, key: tuple[str, str]) -> tuple[Flyer, bytes]:
        lang, size = key
        made = self[key] = build(self.knowledge, self.catalogs, lang, size)
        return made


@pytest.fixture(scope="module")
def flyers(real: Knowledge, catalogs: Catalogs) -> dict[tuple[str, str], tuple[Flyer, bytes]]:
    """One flyer per language and size, each built once."""
    return Flyers(real, catalogs)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_code_opens_the_bot_at_the_topic_printed_above_it(
    flyers: dict[tuple[str, str], tuple[Flyer, bytes]],
    engine: Engine,
    lang: str,
    size: str,
) -> None:
    flyer, pdf = flyers[(lang, size)]
    codes, _ = read_codes(pdf, SCALE[size])
    expected = [deep_link(BOT, topic) for topic in TOPICS[size]]
    assert sorted(code.text for code in codes) == sorted(expected)
    # Reading order: the first topic comes first, on the right for Arabic and Persian.
    by_x = [code.text for code in sorted(codes, key=lambda c: (-c.top // 50, c.left))]
    first_row = [link for link in by_x if link in expected[:2]]
    assert first_row == (expected[1::-1] if lang in RTL else expected[:2])
    chars = read_chars(pdf)
    for code in codes:
        # The link really opens the bot at that topic (Engine.start takes the start parameter).
        param = parse_qs(urlsplit(code.text).query)["start"][0]
        screen = engine.start(engine.ctx(lang), param).screen
        assert screen.place == f"n:{param}"
        # The title above the code is that topic's, read in the language's direction.
        topic = next(t for t in flyer.topics if t.link == code.text)
        above = title_above(chars, code, codes, size)
        if lang in RTL:
            # Glyphs that stand for part of a letter (dots, ligature pieces) have no Unicode
            # of their own in the PDF; only the Arabic letters PDFium reads are compared.
            seen = [c.char for line in above for c in reversed(line) if arabic(c.char)]
            wanted = [ch for ch in topic.title if arabic(ch)]
            assert len(seen) >= len(wanted) // 2, (topic.title, seen)
            assert is_subsequence(seen, wanted), (topic.title, seen)
        else:
            assert letters("".join(c.char for line in above for c in line)) == letters(topic.title)


def embedded_outlines(pdf: bytes) -> set[tuple[tuple[int, int], ...]]:
    """The outlines of every glyph in the fonts embedded in the PDF."""
    document = pdfium.PdfDocument(pdf)
    outlines: set[tuple[tuple[int, int], ...]] = set()
    try:
        page = document[0]
        fonts = {}
        for obj in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_TEXT]):
            font = pdfium_raw.FPDFTextObj_GetFont(obj.raw)
            size = ctypes.c_size_t()
            pdfium_raw.FPDFFont_GetFontData(font, None, 0, ctypes.byref(size))
            buffer = (ctypes.c_uint8 * size.value)()
            pdfium_raw.FPDFFont_GetFontData(font, buffer, size.value, ctypes.byref(size))
            fonts[bytes(buffer)[:64] + bytes(str(size.value), "ascii")] = bytes(buffer)
    finally:
        document.close()
    for data in fonts.values():
        with TTFont(io.BytesIO(data)) as font:
            outlines.update(_outline(font, name) for name in font.getGlyphOrder())
    return outlines


def _outline(font: TTFont, name: str) -> tuple[tuple[int, int], ...]:
    coordinates, _, _ = font["glyf"][name].getCoordinates(font["glyf"])
    return tuple((int(x), int(y)) for x, y in coordinates)


def shaped_glyphs(text: str) -> tuple[list[str], list[str]]:
    """HarfBuzz's glyphs for ``text`` in Noto Sans Arabic, and the same letters unjoined."""
    path = _font_paths()[1]
    face = hb.Face(hb.Blob.from_file_path(path))
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(hb.Font(face), buffer, {})
    with TTFont(path) as font:
        names = [font.getGlyphName(info.codepoint) for info in buffer.glyph_infos]
        cmap = font.getBestCmap()
    isolated = [cmap[ord(ch)] for ch in text if ord(ch) in cmap and letters(ch)]
    return names, isolated


@pytest.mark.parametrize("lang", sorted(RTL))
def test_arabic_and_persian_are_shaped(
    flyers: dict[tuple[str, str], tuple[Flyer, bytes]], lang: str
) -> None:
    flyer, pdf = flyers[(lang, "a4")]
    embedded = embedded_outlines(pdf)
    texts = (flyer.tagline, flyer.free, *(t.title for t in flyer.topics))
    words = [w for text in texts for w in text.split() if len(letters(w)) >= 3 and arabic(w[0])]
    assert len(words) >= 5
    with TTFont(_font_paths()[1]) as original:
        for word in words:
            shaped, isolated = shaped_glyphs(word)
            # Joined letters take other forms than the letters alone: the test is not empty.
            assert set(shaped) - set(isolated), word
            for name in shaped:
                assert _outline(original, name) in embedded, (word, name)


def test_the_emergency_numbers_come_from_the_knowledge(
    real: Knowledge, catalogs: Catalogs, flyers: dict[tuple[str, str], tuple[Flyer, bytes]]
) -> None:
    text = page_text(flyers[("de", "a4")][1])
    for service_id in EMERGENCY_LINES:
        assert real.services[service_id].phone in text
    assert "Kostenlos und anonym" in text
    assert "Lotse" in text
    services = dict(real.services)
    services["hilfetelefon_frauen"] = dataclasses.replace(
        services["hilfetelefon_frauen"], phone="0800 123 456"
    )
    changed = dataclasses.replace(real, services=services)
    flyer = plan_flyer(
        changed, catalogs, lang="tr", topics=["pflege"], username=BOT, size="a6", today=TODAY
    )
    text = page_text(render_pdf(flyer))
    assert "0800 123 456" in text
    assert "116 016" not in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_women_subtopics_are_printed_as_the_neutral_womens_topic(
    real: Knowledge, catalogs: Catalogs, lang: str
) -> None:
    flyer = plan_flyer(
        real,
        catalogs,
        lang=lang,
        topics=["gewalt", "frauenhaus", "schwanger"],
        username=BOT,
        today=TODAY,
    )
    assert [t.link for t in flyer.topics] == [deep_link(BOT, "frauen")]
    assert len(flyer.notes) >= 3  # staff are told each replacement
    t = catalogs.translator(lang)
    printed = " ".join(
        (
            flyer.tagline,
            flyer.free,
            flyer.scan_hint,
            flyer.search_hint,
            flyer.help_heading,
            *(topic.title for topic in flyer.topics),
            *(line.label for line in flyer.lines),
        )
    ).lower()
    for node_id in SENSITIVE:
        node = real.nodes[node_id]
        assert t.content(msgctxt("node", node_id, "title"), node.title).lower() not in printed
    if lang == "de":
        assert "gewalt" not in printed
        assert "frauenhaus" not in printed


def test_a_women_subtopic_flyer_decodes_to_the_womens_topic(
    real: Knowledge, catalogs: Catalogs
) -> None:
    flyer = plan_flyer(
        real, catalogs, lang="ar", topics=["gewalt"], username=BOT, size="a6", today=TODAY
    )
    codes, _ = read_codes(render_pdf(flyer), SCALE["a6"])
    assert [c.text for c in codes] == [deep_link(BOT, "frauen")]


def test_a_character_no_font_can_draw_is_refused(real: Knowledge, catalogs: Catalogs) -> None:
    flyer = plan_flyer(
        real, catalogs, lang="de", topics=["pflege"], username=BOT, size="a6", today=TODAY
    )
    odd = dataclasses.replace(flyer, free="免费")
    with pytest.raises(FlyerError, match="U\\+514D"):
        render_pdf(odd)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"topics": ["nope"]}, "unknown topic 'nope'; topics are: "),
        ({"topics": []}, "at least one topic"),
        ({"lang": "xx"}, "unknown language 'xx'"),
        ({"size": "a3"}, "unknown size 'a3'"),
        ({"size": "a6", "topics": ["pflege", "frauen", "notfall"]}, "3 topics do not fit"),
    ],
)
def test_flyers_that_cannot_be_made_say_why(
    real: Knowledge, catalogs: Catalogs, kwargs: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {"lang": "de", "topics": ["pflege"], "size": "a4"} | kwargs
    with pytest.raises(FlyerError, match=message.replace("(", "\\(")):
        plan_flyer(real, catalogs, username=BOT, today=TODAY, **args)  # type: ignore[arg-type]


def run_cli(argv: list[str], username: str = "") -> tuple[int, str]:
    out = io.StringIO()
    defaults = {
        "knowledge": str(PROJECT_ROOT / "knowledge"),
        "locales": str(PROJECT_ROOT / "locales"),
        "bot_username": username,
    }
    return staff_main(argv, defaults, out), out.getvalue()


def test_cli_writes_the_flyer(tmp_path: Path) -> None:
    out = tmp_path / "flyer.pdf"
    argv = ["flyer", "--lang", "tr", "--topics", "pflege,gewalt", "--out", str(out)]
    code, text = run_cli([*argv, "--size", "a6"], username=BOT)
    assert code == 0, text
    assert "gewalt: printed as 'frauen'" in text
    codes, _ = read_codes(out.read_bytes(), SCALE["a6"])
    assert sorted(c.text for c in codes) == [deep_link(BOT, "frauen"), deep_link(BOT, "pflege")]


def test_cli_without_the_bot_username_says_how_to_set_it(tmp_path: Path) -> None:
    out = tmp_path / "flyer.pdf"
    code, text = run_cli(["flyer", "--lang", "tr", "--topics", "pflege", "--out", str(out)])
    assert code == 2
    assert "LOTSE_BOT_USERNAME" in text
    assert ".env.example" in text
    assert not out.exists()


def test_cli_rejects_an_unknown_topic(tmp_path: Path) -> None:
    out = tmp_path / "flyer.pdf"
    argv = ["flyer", "--lang", "tr", "--topics", "pflege,nix", "--out", str(out)]
    code, text = run_cli(argv, username=BOT)
    assert code == 2
    assert "unknown topic 'nix'" in text
    assert not out.exists()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", None), ("@LotseKreisRE_bot", "LotseKreisRE_bot"), ("LotseBot", "LotseBot")],
)
def test_bot_username_setting(raw: str, expected: str | None) -> None:
    assert load_settings({"LOTSE_BOT_USERNAME": raw}).bot_username == expected


@pytest.mark.parametrize("raw", ["lotse", "Lotse Bot", "a" * 40 + "bot", "https://t.me/x_bot"])
def test_a_malformed_bot_username_is_a_config_error(raw: str) -> None:
    with pytest.raises(ConfigError, match="LOTSE_BOT_USERNAME"):
        load_settings({"LOTSE_BOT_USERNAME": raw})


def test_a_flyer_is_quick_and_small(real: Knowledge, catalogs: Catalogs) -> None:
    """Figures for the closing note: time and size of one flyer per size."""
    import time

    for size in SIZES:
        start = time.perf_counter()
        _, pdf = build(real, catalogs, "ar", size)
        took = time.perf_counter() - start
        print(f"flyer ar {size}: {len(pdf) / 1024:.0f} KB in {took:.2f} s")
        assert len(pdf) < 200_000
        assert took < 10
