"""Building blocks of the self-contained HTML report: sections, tables, embedded figures, the page.

The page has no external resources (no scripts, fonts or stylesheets to
fetch): styles are inline and figures are PNGs embedded as base64 data
URIs, so the file opens offline and can be mailed as is.

Everything read from a results directory is treated as user text (scenario
and sweep names, descriptions, labels, paths, table cells): it is escaped,
hidden characters such as bidirectional controls are shown as visible
escapes (``\u202e``), and values that :func:`html_text` fills into a
sentence of our own words sit in ``<bdi>`` when they hold right-to-left
text, so it cannot reorder the words around it (table cells are
paragraphs of their own and need no isolation).
"""

from __future__ import annotations

import base64
import html
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from sim.config.text import terminal_safe

from ..plots import png_bytes

_STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1100px;
       color: #222; line-height: 1.4; padding: 0 1em; }
h1 { border-bottom: 2px solid #d94801; padding-bottom: .3em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 1em 0; font-size: 13px; }
th, td { padding: 3px 8px; border-bottom: 1px solid #e5e5e5; text-align: right; }
th { background: #f3f3f3; }
td:first-child, th:first-child { text-align: left; }
.wide { overflow-x: auto; }
figure { margin: 1em 0; }
figure img { max-width: 100%; border: 1px solid #eee; }
figcaption, .note { color: #666; font-size: 13px; }
.warning { color: #a50f15; font-size: 13px; }
tr.miss td { background: #fde0dd; }
pre { background: #f7f7f7; padding: .6em; overflow-x: auto; font-size: 12px; }
"""


class Html(str):
    """Markup that is safe to put in the page as is; ``plain`` is the same text without tags."""

    plain: str

    def __new__(cls, markup: str, plain: str) -> "Html":
        made = super().__new__(cls, markup)
        made.plain = plain
        return made


_RIGHT_TO_LEFT = frozenset({"R", "AL", "AN"})  # Unicode bidirectional classes of right-to-left text


def escape(text: object) -> str:
    """``text`` escaped for HTML, with hidden characters (bidirectional controls, ...) shown as escapes."""
    return html.escape(terminal_safe(str(text)), quote=True)


def user_text(value: object) -> Html:
    """A value from a results file (name, label, path, ...): escaped, and isolated in ``<bdi>`` when it holds
    right-to-left text (which would otherwise pull neighbouring numbers and punctuation into its order)."""
    text = str(value)
    isolate = any(unicodedata.bidirectional(character) in _RIGHT_TO_LEFT for character in text)
    return Html(f"<bdi>{escape(text)}</bdi>" if isolate else escape(text), terminal_safe(text))


def html_text(template: str, *values: object) -> Html:
    """``template`` (our own words) with each ``{}`` filled with a user value, as :func:`user_text`."""
    return Html(escape(template).format(*(user_text(value) for value in values)),
                template.format(*(terminal_safe(str(value)) for value in values)))


def _markup(text: str) -> str:
    return text if isinstance(text, Html) else escape(text)


def _plain(text: str) -> str:
    return text.plain if isinstance(text, Html) else terminal_safe(text)


@dataclass
class Section:
    """A titled part of the report: HTML blocks in order. Titles, texts and captions are plain text
    (escaped here) or :class:`Html` from :func:`html_text`."""

    title: str
    blocks: list[str] = field(default_factory=list)

    def add_text(self, text: str) -> None:
        self.blocks.append(f'<p class="note">{_markup(text)}</p>')

    def add_warning(self, text: str) -> None:
        self.blocks.append(f'<p class="warning">{_markup(text)}</p>')

    def add_preformatted(self, text: str) -> None:
        self.blocks.append(f"<pre>{escape(text)}</pre>")

    def add_table(self, table: pd.DataFrame, caption: str = "", max_rows: int = 60,
                  marked: Sequence[bool] | None = None) -> None:
        """``marked``: rows to highlight (e.g. intervals that miss a target), one flag per row."""
        self.blocks.append(table_html(table, caption, max_rows, marked))

    def add_figure(self, figure: Figure, caption: str) -> None:
        self.blocks.append(figure_html(figure, caption))

    def add_png(self, path: Path, caption: str) -> None:
        """An image file the results directory already holds, embedded."""
        self.blocks.append(png_html(path.read_bytes(), caption))


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.4g}"
    return str(value)


def table_html(table: pd.DataFrame, caption: str = "", max_rows: int = 60,
               marked: Sequence[bool] | None = None) -> str:
    """An escaped HTML table; longer tables are cut with a note saying how many rows are left out."""
    shown = table.head(max_rows)
    flags = list(marked)[:max_rows] if marked is not None else [False] * len(shown)
    head = "".join(f"<th>{escape(column)}</th>" for column in shown.columns)
    body = "".join(('<tr class="miss">' if flag else "<tr>")
                   + "".join(f"<td>{escape(_cell(value))}</td>" for value in row) + "</tr>"
                   for row, flag in zip(shown.itertuples(index=False), flags))
    note = _markup(caption)
    if len(table) > max_rows:
        note += escape(f" (first {max_rows} of {len(table)} rows; the CSV file has them all)")
    caption_html = f"<caption>{note.strip()}</caption>" if note.strip() else ""
    # The wrapper scrolls wide tables (many factors or KPIs) instead of widening the page.
    return (f'<div class="wide"><table>{caption_html}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def figure_html(figure: Figure, caption: str) -> str:
    """The figure as an embedded PNG with a caption."""
    return png_html(png_bytes(figure), caption)


def png_html(png: bytes, caption: str) -> str:
    """PNG bytes as an embedded image with a caption."""
    data = base64.b64encode(png).decode("ascii")
    alt = escape(_plain(caption))
    return (f'<figure><img alt="{alt}" src="data:image/png;base64,{data}">'
            f"<figcaption>{_markup(caption)}</figcaption></figure>")


def render_page(title: str, subtitle: str, sections: list[Section]) -> str:
    """The whole HTML document."""
    contents = "".join(f'<li><a href="#s{i}">{_markup(s.title)}</a></li>' for i, s in enumerate(sections))
    parts = [f'<section id="s{i}"><h2>{_markup(s.title)}</h2>{"".join(s.blocks)}</section>'
             for i, s in enumerate(sections)]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(_plain(title))}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{_markup(title)}</h1><p class=\"note\">{_markup(subtitle)}</p>"
            f"<ul>{contents}</ul>{''.join(parts)}</body></html>\n")
