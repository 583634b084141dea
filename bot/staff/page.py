"""The staff report as one self-contained HTML page: inline CSS and SVG, no script, no URL.

Staff layer: renders a built (already suppressed) Report by walking
``bot.staff.sections.SECTIONS``; its charts come from ``bot.staff.chart``. No I/O, no
``telegram``. Every text is escaped; a Content-Security-Policy forbids the page to load
anything at all. Readable on a phone without sideways scrolling: one column, and on a narrow
screen a table of five or more columns (four, with text columns) stacks each row: the label,
then "column: value" pairs that wrap. Nothing depends on an emoji font: 👍 and 👎 are drawn
as inline SVG next to the words that say the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape

from bot.staff.chart import chart_for, svg
from bot.staff.model import Report
from bot.staff.sections import NOTES_EMPTY, NOTES_TITLE, SECTIONS, Section
from bot.staff.text import heading, preamble

_CSS = """
body{font-family:system-ui,sans-serif;margin:1rem auto;max-width:60rem;color:#1b1b1b;
padding:0 .8rem;line-height:1.4;font-size:16px}
h1{font-size:1.35rem}h2{font-size:1.1rem;margin-top:1.8rem;border-bottom:1px solid #ccc}
h3{font-size:1rem;margin:1rem 0 .3rem}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;margin:.4rem 0;font-size:.92rem}
th,td{text-align:left;padding:.25rem .45rem;border-bottom:1px solid #eee;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.note{color:#555;font-size:.9rem}
nav a{display:inline-block;margin:0 .6rem .3rem 0}
ul.notes{padding-left:1.1rem}ul.notes li{margin:.25rem 0;white-space:pre-wrap}
.lang{display:inline-block;font-size:.8rem;color:#fff;background:#555;border-radius:.3rem;
padding:0 .3rem;margin-right:.3rem}
svg{max-width:100%;height:auto;display:block;margin:.5rem 0}
svg.icon{display:inline;width:1em;height:1em;margin:0 .1em;vertical-align:-.12em}
@media (max-width:480px){body{padding:0 .5rem}table{font-size:.82rem}
th,td{padding:.2rem .25rem}nav a{margin-right:.45rem}
table.wide thead{display:none}
table.wide,table.wide tbody,table.wide tr,table.wide td{display:block}
table.wide tr{padding:.3rem 0;border-bottom:1px solid #ddd}
table.wide td{border:0;padding:.05rem .25rem;text-align:left}
table.wide td:first-child{font-weight:600}
table.wide td+td{display:inline-block;margin-right:.9rem;max-width:100%}
table.wide td[data-label]::before{content:attr(data-label) ": ";color:#555;font-weight:400}}
"""
# A table this wide (label column included) stacks its rows on a phone; one with text
# columns besides the label already from one column less.
_WIDE = 5
# 👍 and 👎 as inline SVG (a thumb and its cuff): many computers have no emoji font.
_THUMB = (
    '<svg class="icon" viewBox="0 0 16 16" role="img" aria-label="{label}">'
    '<g fill="currentColor"{turn}><path d="M1 7h3v8H1z"/>'
    '<path d="M5 7l3-6c1.1 0 2 .9 2 2v3h4c.9 0 1.5.8 1.3 1.7l-1.2 6c-.2.8-.8 1.3-1.6 1.3H5z"/>'
    "</g></svg>"
)
_ICONS = {
    "👍": _THUMB.format(label="Daumen hoch", turn=""),
    "👎": _THUMB.format(label="Daumen runter", turn=' transform="rotate(180 8 8)"'),
}
_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _t(text: object) -> str:
    """Escaped text to show, with 👍 and 👎 drawn (never inside an attribute)."""
    shown = _e(text)
    for emoji, icon in _ICONS.items():
        shown = shown.replace(emoji, icon)
    return shown


def _section(report: Report, part: Section) -> Iterator[str]:
    yield f'<h2 id="{_e(part.key)}">{_t(part.title)}</h2>'
    if part.about:
        yield f'<p class="note">{_t(part.about)}</p>'
    chart = chart_for(report, part)
    if chart is not None:
        yield svg(chart, report.min_group)
    rows = part.rows(report)
    if not rows:
        yield '<p class="note">(keine)</p>'
        return
    texts = any(not c.numeric for c in part.columns)
    wide = ' class="wide"' if 1 + len(part.columns) + texts >= _WIDE else ""
    yield f'<div class="scroll"><table{wide}><thead><tr>'
    yield f"<th>{_t(part.head)}</th>"
    yield "".join(
        f'<th class="{"n" if c.numeric else ""}">{_t(c.head)}</th>' for c in part.columns
    )
    yield "</tr></thead><tbody>"
    for row in rows:
        cells = "".join(
            f'<td class="{"n" if c.numeric else ""}" data-label="{_e(c.head)}">'
            f"{_t(c.text(report, row))}</td>"
            for c in part.columns
        )
        yield f"<tr><td>{_t(row.label)}</td>{cells}</tr>"
    yield "</tbody></table></div>"


def _notes(report: Report) -> Iterator[str]:
    yield f'<h2 id="notes">{_t(NOTES_TITLE)}</h2>'
    if not report.notes:
        yield f'<p class="note">{_t(NOTES_EMPTY)}</p>'
    for topic, groups in report.notes_by_topic():
        yield f"<h3>{_t(topic)}</h3>"
        for group in groups:
            yield f'<p><b>{_t(group.label)}</b></p><ul class="notes">'
            for note in group.notes:
                yield f'<li><span class="lang">{_e(note.lang)}</span>{_t(note.text)}</li>'
            if group.more:
                yield "<li>… weitere im Export</li>"
            yield "</ul>"


def render_html(report: Report) -> str:
    """The whole report as one HTML document."""
    title = heading(report)
    out = [
        "<!DOCTYPE html>",
        '<html lang="de"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_t(title)}</h1>",
    ]
    out += (f'<p class="note">{_t(line)}</p>' for line in preamble(report))
    links = [f'<a href="#{_e(s.key)}">{_t(s.title)}</a>' for s in SECTIONS]
    out.append(f'<nav>{"".join(links)}<a href="#notes">{_t(NOTES_TITLE)}</a></nav>')
    for part in SECTIONS:
        out += _section(report, part)
    out += _notes(report)
    out += (f'<p class="note">{_t(remark)}</p>' for remark in report.remarks)
    out.append("</body></html>")
    return "\n".join(out) + "\n"
