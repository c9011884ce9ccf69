"""The page's 數據一覽 / Figures tab: every figure of every briefing, filterable, sortable,
downloadable as CSV, and each row's passage with the figure highlighted.

:class:`FigureTab` holds the behaviour with plain Python values (tests call it directly);
:func:`add_figures_tab` lays the tab out inside the page's ``gr.Blocks``.  The table itself
comes from :mod:`hrss_qa.figure_table` and needs only the corpus, so the tab works while the
model is still loading.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import gradio as gr

from .corpus import Document
from .export import DownloadFolder
from .figure_table import MAX_FILTER_CHARS, FigureRow, csv_bytes, figure_rows, filter_rows, parse_filter
from .html_text import escape, mark_spans
from .text import clean

log = logging.getLogger(__name__)

HEADERS = ["#", "发布会", "部分", "项目", "原文写法", "规范值", "数值", "单位", "时期", "原句"]
DATATYPES = ["number", "str", "str", "str", "str", "str", "number", "str", "str", "str"]
CSV_NAME = "hrss-qa-figures.csv"
MSG_PICK = "点击表格中的一行，查看它在发布会原文中的段落（数字高亮）。"
MSG_NO_MATCH = "没有匹配的数字。可以用简体、繁体或英文词筛选，例如 参保人数、失業率、pension。"
MSG_ERROR = "抱歉，筛选时出错了（已记录）。请换个词再试。"


class FigureTab:
    """Behaviour of the Figures tab over ``docs``; handlers never raise."""

    def __init__(self, docs: Sequence[Document], downloads: DownloadFolder | None = None):
        self.docs = {d.doc_id: d for d in docs}
        self.rows = figure_rows(docs)
        self.downloads = downloads or DownloadFolder()
        self._by_number = {r.number: r for r in self.rows}

    def doc_name(self, doc_id: str) -> str:
        """A briefing's short name: its event, else its title, else its id."""
        doc = self.docs.get(doc_id)
        return (doc.event or doc.title or doc_id) if doc else doc_id

    def matching(self, text: str | None) -> list[FigureRow]:
        """Rows for a filter text (cleaned, capped at :data:`MAX_FILTER_CHARS`)."""
        return filter_rows(self.rows, clean(str(text or ""))[:MAX_FILTER_CHARS])

    def rows_json(self, text: str | None = "") -> list[dict[str, Any]]:
        """API endpoint ``/figures``: the rows a filter matches (all for ``""``) as JSON objects."""
        try:
            return [r.to_dict() for r in self.matching(text)]
        except Exception:
            log.exception("filtering figures by %r failed", text)
            return []

    def table(self, text: str | None) -> tuple[dict[str, Any], str, Any]:
        """The filter box handler: (table value, status line HTML, CSV download button)."""
        try:
            rows = self.matching(text)
            return self.frame(rows), self.status(text, rows), gr.DownloadButton(value=self.csv_path(rows),
                                                                                interactive=bool(rows))
        except Exception:
            log.exception("filtering figures by %r failed", text)
            return self.frame([]), f'<p class="hrss-notice">{escape(MSG_ERROR)}</p>', gr.DownloadButton(
                value=None, interactive=False)

    def csv_path(self, rows: Sequence[FigureRow]) -> str:
        """A CSV file of ``rows`` (UTF-8 with BOM) to download."""
        return self.downloads.write(CSV_NAME, csv_bytes(rows))

    def frame(self, rows: Sequence[FigureRow]) -> dict[str, Any]:
        """The Dataframe value for ``rows``."""
        data = [[r.number, self.doc_name(r.doc_id), r.section, r.label or "—", r.text, r.display_value,
                 r.value, r.unit, r.period, r.sentence] for r in rows]
        return {"headers": HEADERS, "data": data}

    def status(self, text: str | None, rows: Sequence[FigureRow]) -> str:
        """The line above the table: how many figures, the filter, words it ignored."""
        shown = clean(str(text or "")).strip()[:MAX_FILTER_CHARS]
        query = parse_filter(shown)
        parts = [f"共 {len(self.rows)} 个数字"]
        if not query.empty or query.ignored:
            parts.append(f"筛选「{escape(shown)}」：{len(rows)} 个")
        if query.ignored:
            parts.append(f"未识别的英文词已忽略：{escape(', '.join(query.ignored))}")
        line = " · ".join(parts)
        if not rows:
            line += f'<br><span class="hrss-notice">{escape(MSG_NO_MATCH)}</span>'
        return f'<p class="hrss-fig-status">{line}</p>'

    def passage_html(self, number: Any) -> str:
        """Row ``number``'s passage: section and briefing, the sentence and the figure marked."""
        try:
            row = self._by_number.get(int(number))
        except (TypeError, ValueError):
            row = None
        if row is None:
            return f'<p class="hrss-context">{escape(MSG_PICK)}</p>'
        text = self.docs[row.doc_id].text[row.passage_start:row.passage_end]
        base = row.passage_start
        sentence_start = text.find(row.sentence)
        spans = [(sentence_start, sentence_start + len(row.sentence), "hrss-quote")] if sentence_start >= 0 else []
        spans.append((row.start - base, row.end - base, "hrss-fig"))
        facts = " · ".join(f"{name}：{escape(value)}" for name, value in (
            ("项目", row.label or "—"), ("原文写法", row.text), ("规范值", row.display_value), ("时期", row.period or "—")))
        return (f'<div class="hrss-fig-passage"><div class="hrss-section-title">{escape(row.section)} '
                f'<span class="hrss-doc">· {escape(self.doc_name(row.doc_id))}</span></div>'
                f'<div class="hrss-passage" lang="zh-Hant">{mark_spans(text, spans)}</div>'
                f'<p class="hrss-context">{facts}</p></div>')

    def on_select(self, evt: gr.SelectData) -> str:
        """Dataframe ``.select`` handler: the selected row's passage (its first cell is the row number)."""
        row_value = evt.row_value if isinstance(evt.row_value, (list, tuple)) else None
        return self.passage_html(row_value[0] if row_value else None)


def add_figures_tab(tab: FigureTab) -> None:
    """The tab's components and events, inside the current ``gr.Blocks``/``gr.Tab`` context."""
    private: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
    gr.Markdown("发布会中的全部数字：项目、原文写法、规范值（含单位）、时期和原句。点击列名排序，点击一行查看原文段落。")
    with gr.Row(equal_height=True):
        query = gr.Textbox(label="筛选（简体、繁体或英文词）", elem_id="hrss-fig-filter", scale=4, max_lines=1,
                           max_length=MAX_FILTER_CHARS, placeholder="例如：参保人数、失業率、pension、人次")
        download = gr.DownloadButton("下载 CSV", value=tab.csv_path(tab.rows), elem_id="hrss-fig-csv", scale=1, variant="secondary")
    shown = gr.HTML(tab.status("", tab.rows), elem_id="hrss-fig-status")
    table = gr.Dataframe(tab.frame(tab.rows), datatype=DATATYPES, interactive=False, wrap=True, max_height=520, elem_id="hrss-fig-table",
                         column_widths=["4%", "9%", "12%", "14%", "8%", "12%", "8%", "5%", "7%", "21%"])
    passage = gr.HTML(f'<p class="hrss-context">{escape(MSG_PICK)}</p>', elem_id="hrss-fig-passage")
    query.change(tab.table, query, [table, shown, download], trigger_mode="always_last", **private)
    table.select(tab.on_select, None, passage, **private)
    gr.api(tab.rows_json, api_name="figures",
           api_description="Figures of the briefings: filter text (Simplified, Traditional or English; '' for all) → rows.")
