"""Bar charts of the figures an answer states: plain HTML bars drawn by the page itself.

An answer that states two or more figures of one unit (a 分別為 list, a comparison) gets a
small chart of them: one bar per figure, its label and the figure as written, and the number
of the citation it comes from.  Bars are ``<div>``s sized in percent, so the chart needs no
script, no image and no network, and its labels are text in the page's own CJK font.

>>> from hrss_qa.figures import extract_figures
>>> figs = extract_figures("總收入2.04萬億元、總支出1.7萬億元")
>>> [[f.text for f in group] for group in chart_groups("总收入2.04万亿元、总支出1.7万亿元。[1]", figs)]
[['2.04萬億元', '1.7萬億元']]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .figures import Figure
from .html_text import escape
from .text import normalize

CHARTED_KINDS = ("quantity", "count", "percent")
MAX_BARS = 12
"""More bars than this are not a small chart: the first ones, in the answer's order, are drawn."""


def _position(key: str, figure: Figure) -> int | None:
    """Where the answer text (normalized ``key``) states ``figure``, if it does."""
    m = re.search(rf"(?<![0-9.]){re.escape(normalize(figure.text))}", key)
    return m.start() if m else None


def chart_groups(answer_text: str, figures: Sequence[Figure]) -> list[tuple[Figure, ...]]:
    """The figures ``answer_text`` states, grouped by unit; only groups of two or more numbers.

    A figure counts when the answer text writes it (in either script); dates, ordinals and
    figures without a value are never charted.  Groups and bars follow the answer's order.
    """
    key = normalize(answer_text)
    placed: dict[tuple[int, str], tuple[int, Figure]] = {}
    for f in figures:
        if f.kind in CHARTED_KINDS and f.value is not None and (pos := _position(key, f)) is not None:
            placed.setdefault((f.start, f.text), (pos, f))
    by_unit: dict[str, list[Figure]] = {}
    for _, f in sorted(placed.values(), key=lambda item: item[0]):
        by_unit.setdefault(f.unit, []).append(f)
    return [tuple(group[:MAX_BARS]) for group in by_unit.values() if len(group) >= 2]


def bar_chart_html(group: Sequence[Figure], caption: str,
                   source_of: Callable[[Figure], int | None] = lambda f: None) -> str:
    """One chart: ``caption`` above, a row per figure (label, bar, figure as written, ``[n]``)."""
    top = max((f.value or 0.0) for f in group)
    rows = []
    for f in group:
        share = 100.0 * (f.value or 0.0) / top if top > 0 else 0.0
        number = source_of(f)
        cite = f' <span class="hrss-cite">[{number}]</span>' if number else ""
        rows.append(
            '<div class="hrss-chart-row">'
            f'<span class="hrss-chart-label">{escape(f.label or "—")}</span>'
            f'<span class="hrss-chart-track"><span class="hrss-chart-bar" style="width:{max(share, 0.5):.1f}%"></span></span>'
            f'<span class="hrss-chart-value">{escape(f.text)}{cite}</span></div>')
    return (f'<div class="hrss-chart" lang="zh-Hant"><div class="hrss-chart-caption">{escape(caption)}</div>'
            f'{"".join(rows)}</div>')
