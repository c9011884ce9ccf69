"""Text as HTML for the page: escaped, with marked spans.  Every piece of passage or user text
goes through :func:`escape` before any markup is added.

>>> mark_spans("收入2.04萬億元", [(2, 9, "hrss-fig")])
'收入<mark class="hrss-fig"><strong>2.04萬億元</strong></mark>'
"""

from __future__ import annotations

import html
from collections.abc import Sequence


def escape(text: str) -> str:
    """HTML-escape ``text`` and turn newlines into ``<br>`` (so a message stays one HTML block)."""
    return html.escape(text, quote=True).replace("\r\n", "\n").replace("\n", "<br>")


def mark_spans(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    """``text`` escaped, with each ``(start, end, css_class)`` span wrapped in ``<mark>``.

    Overlapping spans (a figure inside the quoted sentence) are cut at every boundary, so
    tags never cross: each piece gets one ``<mark>`` carrying all the classes that cover it.
    """
    cuts = sorted({0, len(text), *(max(0, min(len(text), p)) for s, e, _ in spans for p in (s, e))})
    pieces = []
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        classes = [cls for s, e, cls in spans if s <= a and b <= e]
        piece = escape(text[a:b])
        if "hrss-fig" in classes:
            piece = f"<strong>{piece}</strong>"
        pieces.append(f'<mark class="{" ".join(classes)}">{piece}</mark>' if classes else piece)
    return "".join(pieces)
