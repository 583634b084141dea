"""The staff report as one self-contained HTML page: inline CSS and SVG, no script, no URL.

Staff layer: renders a built (already suppressed) Report; no I/O, no ``telegram``. Every
text is escaped; a Content-Security-Policy forbids the page to load anything at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from html import escape

from bot.staff.report import Report, Row, percent

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#1b1b1b;
padding:0 1rem;line-height:1.4}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{text-align:left;padding:.2rem .5rem;border-bottom:1px solid #eee}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#555;font-size:.9rem}.key{font-size:1.1rem}
ul.comments li{margin:.2rem 0;white-space:pre-wrap}
svg{max-width:100%;height:auto}
"""
_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _table(report: Report, rows: Sequence[Row], head: str, needs: bool = False) -> Iterator[str]:
    if not rows:
        yield '<p class="note">(keine)</p>'
        return
    yield "<table><thead><tr>"
    yield f'<th>{_e(head)}</th><th class="n">Bewertet</th><th class="n">Hilfreich</th>'
    if needs:
        yield '<th class="n">Unerfüllte Bedarfe</th>'
    yield "</tr></thead><tbody>"
    for row in rows:
        yield f'<tr><td>{_e(row.label)}</td><td class="n">{_e(report.count_text(row))}</td>'
        yield f'<td class="n">{_e(percent(row.share))}</td>'
        if needs:
            yield f'<td class="n">{_e(report.need_text(row))}</td>'
        yield "</tr>"
    yield "</tbody></table>"


def _counts(report: Report, rows: Sequence[Row], head: str) -> Iterator[str]:
    if not rows:
        yield '<p class="note">(keine)</p>'
        return
    yield f'<table><thead><tr><th>{_e(head)}</th><th class="n">Anzahl</th></tr></thead><tbody>'
    for row in rows:
        yield f'<tr><td>{_e(row.label)}</td><td class="n">{_e(report.count_text(row))}</td></tr>'
    yield "</tbody></table>"


def bar_chart(title: str, bars: Sequence[tuple[str, float, str]], colour: str = "#2a6f97") -> str:
    """A horizontal bar chart as inline SVG: (label, value 0..1, text at the bar's end)."""
    if not bars:
        return ""
    row_h, label_w, bar_w = 24, 260, 320
    height = row_h * len(bars) + 30
    parts = [
        f'<svg role="img" aria-label="{_e(title)}" viewBox="0 0 {label_w + bar_w + 80} {height}"'
        f' width="{label_w + bar_w + 80}" height="{height}">',
        f'<text x="0" y="16" font-size="14" font-weight="bold">{_e(title)}</text>',
    ]
    for i, (label, value, shown) in enumerate(bars):
        y = 30 + i * row_h
        width = max(0.0, min(1.0, value)) * bar_w
        short = label if len(label) <= 36 else label[:35] + "…"
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{_e(short)}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{row_h - 8}"'
            f' fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{label_w + width + 6:.1f}" y="{y + 15}" font-size="12">{_e(shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _share_bars(rows: Sequence[Row]) -> list[tuple[str, float, str]]:
    return [(r.label, r.share, percent(r.share)) for r in rows if r.share is not None]


def _count_bars(rows: Sequence[Row]) -> list[tuple[str, float, str]]:
    shown = [r for r in rows if r.count is not None]
    top = max((r.count or 0 for r in shown), default=0) or 1
    return [(r.label, (r.count or 0) / top, str(r.count)) for r in shown]


def render_html(report: Report) -> str:
    """The whole report as one HTML document."""
    f = report.filters
    title = f"Lotse – Rückmeldungen {f.describe()}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="de"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
    ]
    if f.town:
        out.append(f"<p>Ort: {_e(f.town)}</p>")
    if f.lang:
        out.append(f"<p>Sprache: {_e(f.lang)}</p>")
    out.append(
        f'<p class="note">Gruppen mit weniger als {report.min_group} Einträgen stehen als '
        f"„{_e(report.small())}“ da; „verdeckt“ schützt kleine Gruppen vor Rückrechnung.</p>"
    )
    out.append(
        f'<p class="key">Bewertete Antworten: <b>{_e(report.count_text(report.rated))}</b>, '
        f"Hilfreich: <b>{_e(percent(report.rated.share))}</b><br>"
        f"Unerfüllte Bedarfe – Suchen ohne Ergebnis: "
        f"<b>{_e(report.count_text(report.no_result))}</b></p>"
    )
    out.append("<h2>Nach Thema</h2>")
    out.append(bar_chart("Hilfreich je Thema", _share_bars(report.by_topic)))
    out += _table(report, report.by_topic, "Thema")
    out.append("<h2>Nach Antwort</h2>")
    out += _table(report, report.by_node, "Antwort")
    out.append("<h2>Nach Angebot</h2>")
    out += _table(report, report.by_service, "Angebot")
    out.append("<h2>Am wenigsten hilfreich</h2>")
    out += _table(report, report.least_helpful, "Antwort")
    out.append("<h2>Unerfüllte Bedarfe</h2>")
    out.append(bar_chart("„Nichts davon passt“", _count_bars(report.none_fits), "#b5651d"))
    out += _counts(report, report.none_fits, "„Nichts davon passt“ bei")
    out.append("<h3>Suchen ohne Ergebnis</h3>")
    out += _counts(report, report.queries, "Suchanfrage")
    out.append("<h2>Nach Sprache</h2>")
    out.append(bar_chart("Bewertungen je Sprache", _count_bars(report.by_lang), "#55a630"))
    out += _table(report, report.by_lang, "Sprache", needs=True)
    out.append("<h2>Nach Ort</h2>")
    out += _table(report, report.by_town, "Ort", needs=True)
    out.append("<h2>Kommentare</h2>")
    if not report.comments:
        out.append(
            f'<p class="note">(keine, oder zu wenige 👎 je Antwort: Kommentare stehen erst ab '
            f"{report.min_group} 👎)</p>"
        )
    for group in report.comments:
        out.append(f'<h3>{_e(group.label)}</h3><ul class="comments">')
        out += (f"<li>{_e(text)}</li>" for text in group.texts)
        if group.more:
            out.append("<li>… weitere im Export</li>")
        out.append("</ul>")
    out += (f'<p class="note">{_e(note)}</p>' for note in report.notes)
    out.append("</body></html>")
    return "\n".join(out) + "\n"
