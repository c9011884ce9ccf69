"""Gradio chat over the briefing: cited answers, the original passages, 👍/👎 feedback.

The module has four layers, each usable without the next:

* **rendering** (pure functions): an :class:`~hrss_qa.answering.Answer` → one HTML chat
  message (:func:`render_reply`), a user question → an escaped bubble
  (:func:`render_question`), a conversation → Chatbot messages (:func:`to_messages`).
  Every piece of passage or user text is ``html.escape``d before markup is added.
* **feedback**: :class:`FeedbackLog` appends one JSON line per vote, under a file lock.
* **behaviour**: :class:`ChatService` loads the engine in a background thread and
  implements the handlers (``respond``, ``ask``, ``rerender``, ``on_like``) with plain
  Python values, so tests call them directly.
* **wiring**: :func:`build_demo` lays out the Gradio page (the chat, and the 數據一覽 /
  Figures tab of :mod:`hrss_qa.figures_tab`); :func:`launch` serves it.

A reply also carries a bar chart when its text states two or more figures of one unit
(:mod:`hrss_qa.charts`), a copy button and a ``?q=…`` link to the question; opening the page
with ``?q=…`` asks it, and the conversation downloads as Markdown (:mod:`hrss_qa.export`).

API endpoints (``gradio_client``): ``/respond`` (the chat box: message, display script →
chat messages), ``/ask`` (question, optional earlier questions → the answer as JSON plus
its rendered HTML) and ``/figures`` (filter text → the briefings' figures as rows).  The
first two share one queue slot pool of :data:`CONCURRENCY` (2-core machine).

>>> render_question("<script>alert(1)</script>")
'<div class="hrss-q">&lt;script&gt;alert(1)&lt;/script&gt;</div>'
"""

import ctypes
import html
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import gradio as gr
from filelock import FileLock

from .answering import MAX_QUESTION_CHARS, Answer, Citation, answer_with
from .answering import Turn as AnswerTurn
from .charts import bar_chart_html, chart_groups
from .corpus import CorpusError, load_corpus
from .export import DownloadFolder, cited_numbers, conversation_markdown, copy_text, share_link
from .figures import Figure
from .language import lexicon
from .figures_tab import FigureTab, add_figures_tab
from .html_text import escape as _esc
from .html_text import mark_spans as _marked
from .engine import Engine
from .settings import DEFAULT_FEEDBACK_FILE, Settings  # noqa: F401 - DEFAULT_FEEDBACK_FILE: the old name here
from .stores import StoreUnavailableError
from .text import clean, to_simplified, to_traditional

log = logging.getLogger(__name__)

DisplayScript = Literal["auto", "zh-Hans", "zh-Hant"]
"""How answer text is shown: as the asker wrote (``auto``), or converted to 简体/繁體."""

CONCURRENCY = 2
"""Answers computed at once (queue slots shared by ``/respond``, ``/ask`` and examples)."""

LOAD_WAIT_SECONDS = 60.0
"""How long a question waits for the engine that is still loading before it is told to retry."""


SCRIPT_CHOICES: list[tuple[str, DisplayScript]] = [("随提问", "auto"), ("简体", "zh-Hans"), ("繁體", "zh-Hant")]

# The page's title, introduction and examples are data (data/chat.toml): they describe the bundled briefing.
_PAGE = lexicon().words("chat")
EXAMPLES: list[tuple[str, list[str]]] = [(e["section"], list(e["questions"])) for e in _PAGE["examples"]]
TITLE: str = _PAGE["title"]
DESCRIPTION: str = _PAGE["description"]

MSG_LOADING = "模型仍在加载，请稍候几秒再提问。"
MSG_LOAD_FAILED = "模型加载失败，暂时无法回答。请联系管理员查看服务器日志。"
MSG_ERROR = "抱歉，处理这个问题时出错了（已记录）。请稍后再试，或换个问法。"
MSG_STORE = "向量库暂时无法访问，无法回答（已记录）：{error}"

CSS = """
.hrss-reply { line-height: 1.65; }
.hrss-heading { font-weight: 700; margin-bottom: .25em; color: #b45309; }
.hrss-abstain { border-left: 4px solid #f59e0b; padding-left: .6em; }
.hrss-answer-text { font-size: 1.05em; margin: .2em 0 .5em; }
.hrss-cite { color: var(--color-accent); font-weight: 600; }
.hrss-notice { color: #dc2626; margin: .2em 0; }
.hrss-context, .hrss-doc, .hrss-system { color: var(--body-text-color-subdued); }
.hrss-context { font-size: .9em; margin: .2em 0; }
.hrss-doc { font-size: .85em; }
.hrss-section-title { font-weight: 600; margin: .6em 0 .2em; }
.hrss-source { margin: .3em 0; }
.hrss-source summary { cursor: pointer; }
.hrss-passage { margin: .3em 0 .3em .4em; padding: .3em .6em; font-size: .95em;
                border-left: 3px solid var(--border-color-primary); }
mark.hrss-quote { background: #fef3c7; color: #111827; padding: 0; }
mark.hrss-fig { background: #fbbf24; color: #111827; font-weight: 700; padding: 0 .1em; }
table.hrss-figures { border-collapse: collapse; font-size: .9em; margin: .3em 0; }
table.hrss-figures th, table.hrss-figures td {
    border: 1px solid var(--border-color-primary); padding: .15em .5em; text-align: left; }
.hrss-chart { margin: .4em 0 .6em; max-width: 42em; font-size: .9em; }
.hrss-chart-caption { font-weight: 600; margin-bottom: .2em; }
.hrss-chart-row { display: grid; grid-template-columns: minmax(6em, 13em) 1fr max-content; gap: .5em;
                  align-items: center; margin: .15em 0; }
.hrss-chart-label { line-height: 1.3; }
.hrss-chart-track { background: var(--background-fill-secondary); border-radius: 3px; height: 1.1em; }
.hrss-chart-bar { display: block; height: 100%; background: #f59e0b; border-radius: 3px; }
.hrss-chart-value { font-weight: 600; white-space: nowrap; }
.hrss-actions { margin-top: .5em; font-size: .85em; display: flex; gap: 1em; align-items: center; }
.hrss-actions button, .hrss-actions a { color: var(--color-accent); background: none; border: 1px solid
    var(--border-color-primary); border-radius: 4px; padding: .05em .6em; cursor: pointer; text-decoration: none; }
.hrss-fig-status { margin: .2em 0; }
.hrss-fig-passage { margin-top: .5em; }
"""

COPY_JS = """
() => {
  // The copy button of each reply: its text is in a hidden span beside it (Gradio keeps no data-* attributes).
  const fallback = (text) => {
    const area = document.createElement('textarea');
    area.value = text; document.body.appendChild(area); area.select();
    try { document.execCommand('copy'); } finally { area.remove(); }
  };
  document.addEventListener('click', async (event) => {
    const button = event.target.closest && event.target.closest('.hrss-copy');
    if (!button) return;
    const source = button.closest('.hrss-reply')?.querySelector('.hrss-copy-text');
    if (!source) return;
    const text = source.textContent;
    try { await navigator.clipboard.writeText(text); } catch (e) { fallback(text); }
    const label = button.textContent;
    button.textContent = '✓ ' + label;
    setTimeout(() => { button.textContent = label; }, 1500);
  });
}
"""

# -- rendering ---------------------------------------------------------------------------


def _target_script(answer: Answer, script: DisplayScript) -> str:
    """The script generated text is shown in: the chosen one, or the asker's."""
    return answer.script if script == "auto" else script


def _convert(text: str, target: str) -> str:
    """Generated text in ``target`` script (``en`` and unknown targets leave it unchanged)."""
    if target == "zh-Hant":
        return to_traditional(text)
    if target == "zh-Hans":
        return to_simplified(text)
    return text


def _chrome(text: str, target: str) -> str:
    """A Simplified interface label, shown in Traditional when the answer is."""
    return to_traditional(text) if target == "zh-Hant" else text


def _answer_html(text: str) -> str:
    """Escaped answer text with its ``[n]`` markers styled as citations."""
    return re.sub(r"\[(\d+)\]", r'<span class="hrss-cite">[\1]</span>', _esc(text))


def _figure_span(citation: Citation, figure: Figure) -> tuple[int, int] | None:
    """``figure``'s span inside ``citation``'s passage, if the passage holds exactly that text."""
    hit = citation.hit
    start, end = figure.start - hit.start, figure.end - hit.start
    if 0 <= start < end <= len(hit.text) and hit.text[start:end] == figure.text:
        return start, end
    return None


def _answering_figures(answer: Answer) -> tuple[Figure, ...]:
    """The figures that answer the question: both sides of a comparison, else the first."""
    if answer.abstained or not answer.figures:
        return ()
    if answer.kind == "comparison":
        return answer.figures[:2]
    if answer.kind == "figure":
        return answer.figures[:1]
    return ()


def _source_of(answer: Answer, figure: Figure) -> int | None:
    """The number of the first citation whose passage contains ``figure``."""
    return next((c.number for c in answer.citations if _figure_span(c, figure)), None)


def _passage_html(citation: Citation, highlight: Sequence[Figure]) -> str:
    """The cited passage in its original text, quote and answering figures marked."""
    hit = citation.hit
    spans: list[tuple[int, int, str]] = []
    q_start, q_end = citation.start - hit.start, citation.end - hit.start
    if 0 <= q_start < q_end <= len(hit.text):
        spans.append((q_start, q_end, "hrss-quote"))
    spans += [(*span, "hrss-fig") for f in highlight if (span := _figure_span(citation, f))]
    return f'<div class="hrss-passage" lang="zh-Hant">{_marked(hit.text, spans)}</div>'


def _source_html(citation: Citation, highlight: Sequence[Figure], sources: Mapping[str, str], unfold: bool) -> str:
    """One numbered passage: section path and briefing in the summary, the text below."""
    doc = sources.get(citation.hit.doc_id, citation.hit.doc_id)
    head = (f'<summary><span class="hrss-cite">[{citation.number}]</span> {_esc(citation.section)} '
            f'<span class="hrss-doc">· {_esc(doc)}</span></summary>')
    return f'<details class="hrss-source"{" open" if unfold else ""}>{head}{_passage_html(citation, highlight)}</details>'


def _sources_html(answer: Answer, target: str, sources: Mapping[str, str]) -> str:
    """The passages behind the reply, the first one unfolded.

    An answer lists the passages its text cites under 出处 and the others under
    其他相关段落; an abstention lists them all as 相关段落（仅供参考）.
    """
    cited = cited_numbers(answer)
    groups = [("出处（发布会原文）", [c for c in answer.citations if c.number in cited]),
              ("相关段落（仅供参考）" if answer.abstained else "其他相关段落（仅供参考）",
               [c for c in answer.citations if c.number not in cited])]
    highlight = _answering_figures(answer)
    out = []
    for title, citations in groups:
        if citations:
            items = "".join(_source_html(c, highlight, sources, unfold=c.number == 1) for c in citations)
            out.append(f'<div class="hrss-section-title">{_chrome(title, target)}</div>{items}')
    return "".join(out)


def _figures_html(answer: Answer, target: str) -> str:
    """A small table of the answer's figures: label, as written, normalized, source."""
    if answer.abstained or not answer.figures:
        return ""
    head = "".join(f"<th>{_chrome(h, target)}</th>" for h in ("项目", "原文写法", "规范值", "出处"))
    rows = []
    for f in answer.figures:
        number = _source_of(answer, f)
        cells = (_esc(f.label or "—"), _esc(f.text), _esc(f.display_value), f"[{number}]" if number else "—")
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    caption = _chrome("回答中的数字", target)
    return (f'<div class="hrss-section-title">{caption}</div>'
            f'<table class="hrss-figures"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _charts_html(answer: Answer, text: str, target: str) -> str:
    """A bar chart per unit when the shown answer text states two or more of its figures."""
    if answer.abstained:
        return ""
    charts = []
    for group in chart_groups(text, answer.figures):
        unit = group[0].unit
        caption = _chrome("图：回答中的数字" + (f"（单位：{unit}）" if unit else ""), target)
        charts.append(bar_chart_html(group, caption, lambda f: _source_of(answer, f)))
    return "".join(charts)


def _actions_html(answer: Answer, script: DisplayScript, target: str, sources: Mapping[str, str]) -> str:
    """The copy button (its text hidden beside it) and the question's ``?q=`` link."""
    # &#10;, not <br>: the clipboard text is the span's textContent, and the message stays one line of HTML.
    copy = html.escape(copy_text(answer, script, sources)).replace("\r\n", "\n").replace("\n", "&#10;")
    link = _esc(share_link(answer.question)) if answer.question else ""
    share = f'<a class="hrss-share" href="{link}">{_chrome("问题链接", target)}</a>' if link else ""
    return (f'<div class="hrss-actions"><button class="hrss-copy" type="button">{_chrome("复制回答", target)}</button>'
            f'{share}<span class="hrss-copy-text" style="display:none">{copy}</span></div>')


def render_reply(answer: Answer, script: DisplayScript = "auto", asked: str | None = None,
                 sources: Mapping[str, str] | None = None) -> str:
    """One assistant message (HTML, a single block without newlines) for ``answer``.

    The answer text and labels follow ``script``; passages, section paths, figure labels
    and figures as written stay in the briefing's own Traditional characters.  ``asked`` is
    what the user typed: when the engine understood a follow-up differently (「那失业保险呢？」),
    the resolved question is shown.  ``sources`` maps a doc_id to a human title.
    """
    target = _target_script(answer, script)
    text = answer.text if script == "auto" else _convert(answer.text, script)
    parts = []
    if answer.abstained:
        parts.append(f'<div class="hrss-heading">{_chrome("发布会未提及", target)}</div>')
    if answer.notice:
        parts.append(f'<p class="hrss-notice">{_chrome("注意：", target)}{_esc(_chrome(answer.notice, target))}</p>')
    if asked is not None and answer.kind != "empty" and clean(asked).strip()[:MAX_QUESTION_CHARS] != answer.question:
        label = _chrome("结合上文，理解为：", target)
        parts.append(f'<p class="hrss-context">{label}{_esc(answer.question)}</p>')
    parts.append(f'<p class="hrss-answer-text">{_answer_html(text)}</p>')
    parts.append(_charts_html(answer, text, target))
    parts.append(_figures_html(answer, target))
    parts.append(_sources_html(answer, target, sources or {}))
    parts.append(_actions_html(answer, script, target, sources or {}))
    kind = "hrss-abstain" if answer.abstained else "hrss-answer"
    return f'<div class="hrss-reply {kind}">{"".join(parts)}</div>'


def render_question(text: str) -> str:
    """The user's question as an escaped HTML block (never rendered as Markdown or HTML)."""
    if len(text) > MAX_QUESTION_CHARS:
        text = text[:MAX_QUESTION_CHARS] + "…"
    return f'<div class="hrss-q">{_esc(text)}</div>'


def render_system(message: str) -> str:
    """A reply that is not an answer (still loading, an error)."""
    return f'<div class="hrss-reply hrss-system">{_esc(message)}</div>'


@dataclass(frozen=True)
class Turn:
    """One exchange: what was asked and the answer (``None`` for a system reply)."""

    question: str
    answer: Answer | None = None
    message: str = ""

    @property
    def reply_text(self) -> str:
        """The reply as plain text (for feedback and the API)."""
        return self.answer.text if self.answer is not None else self.message


def _understood(item: Any) -> str:
    """An earlier turn given to the API as text, or as the answer dict /ask returned for it."""
    if isinstance(item, dict):
        answer = item.get("answer") if isinstance(item.get("answer"), dict) else item
        return str(answer.get("question") or item.get("question") or "")
    return str(item)


def to_messages(turns: Sequence[Turn], script: DisplayScript = "auto",
                sources: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """The Chatbot value for ``turns``: a user and an assistant message per turn.

    A reply that fails to render becomes the generic error message (logged), so one bad
    answer cannot break the whole conversation.
    """
    messages = []
    for turn in turns:
        messages.append({"role": "user", "content": render_question(turn.question)})
        messages.append({"role": "assistant", "content": _render_turn(turn, script, sources)})
    return messages


def _render_turn(turn: Turn, script: DisplayScript, sources: Mapping[str, str] | None) -> str:
    if turn.answer is None:
        return render_system(turn.message)
    try:
        return render_reply(turn.answer, script, asked=turn.question, sources=sources)
    except Exception:
        log.exception("rendering the answer to %r failed", turn.question)
        return render_system(MSG_ERROR)


# -- feedback ----------------------------------------------------------------------------


def resolve_feedback_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The feedback file: the argument, else ``$HRSS_QA_FEEDBACK``, else ``./feedback.jsonl`` (see :mod:`hrss_qa.settings`)."""
    return Settings.resolve(feedback_path=path).feedback_path


class FeedbackLog:
    """An append-only JSONL file of votes, safe for concurrent threads and processes.

    Each record is written with a single ``write`` of one whole line to a file opened in
    append mode, while holding a :class:`filelock.FileLock` beside the file.
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._lock = FileLock(f"{self.path}.lock")

    def append(self, record: Mapping[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line)


def _vote(liked: bool | str | None) -> str:
    """Gradio's like payload → ``up`` / ``down`` / ``cleared`` (a vote taken back)."""
    if liked is True or liked == "Like":
        return "up"
    if liked is False or liked == "Dislike":
        return "down"
    return "cleared" if not liked else str(liked)


def feedback_record(turn: Turn, liked: bool | str | None) -> dict[str, Any]:
    """What is logged for a vote on ``turn``'s reply."""
    answer = turn.answer
    return {
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "vote": _vote(liked),
        "question": turn.question,
        "resolved_question": answer.question if answer else None,
        "answer": turn.reply_text,
        "abstained": answer.abstained if answer else None,
        "citations": [{"number": c.number, "section": c.section, "quote": c.quote} for c in answer.citations]
        if answer else [],
    }


# -- behaviour ---------------------------------------------------------------------------


class ChatService:
    """The chat's behaviour, independent of the page layout.

    Give it a loaded ``engine`` (tests) or a ``load`` function that :meth:`start_loading`
    runs in a background thread (the app), so the page is served while the model loads.
    Handlers never raise: failures become a short Chinese message and a logged traceback.
    """

    def __init__(self, engine: Engine | None = None, *, load: Callable[[], Engine] | None = None,
                 feedback_path: str | os.PathLike[str] | None = None, load_wait: float = LOAD_WAIT_SECONDS):
        if engine is None and load is None:
            raise ValueError("ChatService needs an engine or a load function")
        self.feedback = FeedbackLog(resolve_feedback_path(feedback_path))
        self.downloads = DownloadFolder()
        self.load_wait = load_wait
        self._load = load
        self._engine = engine
        self._error: str | None = None
        self._ready = threading.Event()
        self._started = threading.Lock()
        self._thread: threading.Thread | None = None
        if engine is not None:
            self._ready.set()

    # engine lifecycle

    def start_loading(self) -> None:
        """Load the engine in a daemon thread (once; no-op when it was given)."""
        with self._started:
            if self._ready.is_set() or self._thread is not None:
                return
            self._thread = threading.Thread(target=self._load_engine, name="hrss-qa-engine", daemon=True)
            self._thread.start()

    def _load_engine(self) -> None:
        try:
            assert self._load is not None
            self._engine = self._load()
            log.info("engine ready: %d passages", len(self._engine.passages))
        except Exception as exc:
            log.exception("loading the engine failed")
            self._error = f"{type(exc).__name__}: {exc}"
        finally:
            self._ready.set()

    @property
    def ready(self) -> bool:
        """True once loading has finished (successfully or not)."""
        return self._ready.is_set()

    def wait_engine(self, timeout: float | None = None) -> Engine | None:
        """The engine, waiting up to ``timeout`` seconds; ``None`` if not (yet) available."""
        self._ready.wait(self.load_wait if timeout is None else timeout)
        return self._engine

    def status_markdown(self) -> str:
        """The status line above the chat."""
        if not self.ready:
            return "**模型加载中…** 首次启动需转换模型（约 20 秒），之后几秒即可。现在提问会在加载完成后回答。"
        if self._engine is None:
            return f"**模型加载失败**，暂时无法回答：{_esc(self._error or '未知错误')}（详见服务器日志）"
        n = len(self._engine.passages)
        return f"**已就绪** · 已索引发布会 {n} 个段落 · 全部在本机运行"

    def sources(self) -> dict[str, str]:
        """doc_id → 「title · date」 for the loaded briefings."""
        if self._engine is None:
            return {}
        return {d.doc_id: " · ".join(x for x in (d.title, d.date) if x) or d.doc_id for d in self._engine.docs}

    # answering

    def answer_turn(self, question: str, turns: Sequence[Turn] = ()) -> Turn:
        """Answer ``question`` after ``turns`` (earlier questions make follow-ups work)."""
        engine = self.wait_engine()
        if engine is None:
            return Turn(question, message=MSG_LOADING if not self.ready else MSG_LOAD_FAILED)
        # Each earlier turn with its answer: a follow-up is read against what that answer was about.
        history = [AnswerTurn(t.question, t.answer) if t.answer else t.question for t in turns]
        try:
            return Turn(question, answer_with(engine, question, history))
        except StoreUnavailableError as exc:  # Milvus down or damaged: say where, not "try another wording"
            log.error("answering %r failed: %s", question, exc)
            return Turn(question, message=MSG_STORE.format(error=exc))
        except Exception:
            log.exception("answering %r failed", question)
            return Turn(question, message=MSG_ERROR)

    def respond(self, message: str | None, turns: list[Turn] | None,
                script: DisplayScript = "auto") -> tuple[list[dict[str, str]], list[Turn], str]:
        """The chat handler: (message, conversation, display script) → (chat, conversation, "").

        Empty or whitespace input adds nothing.  The returned ``""`` clears the input box.
        """
        turns = list(turns or [])
        if message and message.strip():
            turns.append(self.answer_turn(message.strip(), turns))
        return self.rerender(turns, script), turns, ""

    def rerender(self, turns: Sequence[Turn] | None, script: DisplayScript = "auto") -> list[dict[str, str]]:
        """The chat for ``turns`` in display script ``script`` (the 简/繁 switch)."""
        return to_messages(turns or [], script, self.sources())

    def ask(self, question: str, history: list | None = None) -> dict[str, Any]:
        """API endpoint: answer one question; ``history`` = earlier turns, oldest first: questions,
        or the ``answer`` dicts this endpoint returned (their ``question`` is how that turn was
        understood, so a chain of follow-ups holds).

        Returns ``{"ok", "text", "html", "answer"}``: ``answer`` is :meth:`Answer.to_dict`
        (``None`` when no answer could be made; then ``text`` says why).
        """
        turns = [Turn(_understood(item), message="") for item in (history or [])]
        turn = self.answer_turn((question or "").strip(), turns)
        html_reply = _render_turn(turn, "auto", self.sources())
        return {"ok": turn.answer is not None, "text": turn.reply_text, "html": html_reply,
                "answer": turn.answer.to_dict() if turn.answer else None}

    def answer_link(self, turns: list[Turn] | None, script: DisplayScript,
                    request: gr.Request | None = None) -> tuple[list[dict[str, str]], list[Turn], str]:
        """Page-load handler: ask the question of a ``?q=…`` link (anything else: no change)."""
        params = getattr(request, "query_params", None) or {}
        question = params.get("q") if hasattr(params, "get") else None
        return self.respond(question if isinstance(question, str) else None, turns, script)

    def export_button(self, turns: Sequence[Turn] | None, script: DisplayScript = "auto") -> gr.DownloadButton:
        """The export button, pointing at the conversation so far as Markdown (disabled when empty)."""
        path = None
        try:
            if turns:
                exported = datetime.now().astimezone().isoformat(timespec="seconds")
                text = conversation_markdown(turns, TITLE, script, self.sources(), exported)
                path = self.downloads.write("hrss-qa-conversation.md", text.encode("utf-8"))
        except Exception:
            log.exception("exporting the conversation failed")
        return gr.DownloadButton(value=path, interactive=path is not None)

    def on_like(self, turns: list[Turn] | None, data: gr.LikeData) -> None:
        """Chatbot ``.like`` handler: log the vote on the liked assistant message."""
        self.record_feedback(turns or [], data.index, data.liked)

    def record_feedback(self, turns: Sequence[Turn], index: int | Sequence[int], liked: bool | str | None) -> dict | None:
        """Append a vote on message ``index`` (of :func:`to_messages`) to the feedback log."""
        i = index[0] if isinstance(index, (list, tuple)) else index
        if not isinstance(i, int) or not 0 <= i // 2 < len(turns):
            log.warning("feedback for unknown message %r ignored", index)
            return None
        record = feedback_record(turns[i // 2], liked)
        try:
            self.feedback.append(record)
        except OSError:
            log.exception("writing feedback to %s failed", self.feedback.path)
            return None
        return record


# -- wiring ------------------------------------------------------------------------------


def _theme() -> gr.themes.Base:
    """The default theme with local CJK fonts (no web fonts: the app runs offline)."""
    sans = ["Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"]
    return gr.themes.Soft(font=sans, font_mono=["Noto Sans Mono CJK SC", "ui-monospace", "monospace"])


def _figure_tab(corpus_dir: str | os.PathLike[str] | None) -> FigureTab:
    """The Figures tab over the corpus (empty, with the error logged, when it cannot be read)."""
    try:
        return FigureTab(load_corpus(corpus_dir))
    except CorpusError:
        log.exception("the figures table has no corpus")
        return FigureTab([])


def build_demo(service: ChatService, figures: FigureTab | None = None) -> gr.Blocks:
    """The page: description, status; a chat tab (chat, 简/繁 switch, export, example questions
    per section) and the 數據一覽 / Figures tab (``figures``, default: the bundled corpus)."""
    answer_slots = {"concurrency_id": "answer", "concurrency_limit": CONCURRENCY}
    private = {"api_visibility": "private"}
    figures = figures or _figure_tab(None)
    # Download files older than a day leave Gradio's cache (a long-running server keeps many).
    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(3600, 86400)) as demo:
        gr.Markdown(f"# {TITLE}\n\n{DESCRIPTION}")
        status = gr.Markdown(service.status_markdown(), elem_id="hrss-status")
        timer = gr.Timer(1.0, active=not service.ready)
        turns = gr.State([])
        with gr.Tabs(elem_id="hrss-tabs"):
            with gr.Tab("问答", id="chat", elem_id="hrss-chat-tab"):
                chatbot, textbox, script, clear, export, datasets = _chat_layout()
            with gr.Tab("數據一覽 / Figures", id="figures", elem_id="hrss-figures-tab"):
                add_figures_tab(figures)

        chat_outputs = [chatbot, turns, textbox]
        then_export = {"fn": service.export_button, "inputs": [turns, script], "outputs": export,
                       "show_progress": "hidden", **private}
        textbox.submit(service.respond, [textbox, turns, script], chat_outputs, api_name="respond",
                       api_description="Ask in the chat: message, display script → chat messages.",
                       **answer_slots).then(**then_export)

        def answer_example(sample: list[str], history: list[Turn], shown: DisplayScript):
            return service.respond(sample[0] if sample else "", history, shown)

        for dataset in datasets:
            dataset.click(answer_example, [dataset, turns, script], chat_outputs, **answer_slots, **private).then(
                **then_export)
        script.change(service.rerender, [turns, script], chatbot, **private).then(**then_export)
        clear.click(lambda: ([], []), None, [chatbot, turns], queue=False, **private).then(**then_export)
        chatbot.clear(lambda: [], None, turns, queue=False, **private).then(**then_export)
        chatbot.like(service.on_like, [turns], None, **private)

        def refresh_status() -> tuple[str, gr.Timer]:
            return service.status_markdown(), gr.Timer(active=not service.ready)

        quiet = {"queue": False, "show_progress": "hidden", **private}
        demo.load(refresh_status, None, [status, timer], **quiet)
        timer.tick(refresh_status, None, [status, timer], **quiet)
        demo.load(service.answer_link, [turns, script], chat_outputs, **answer_slots, **private).then(**then_export)
        gr.api(service.ask, api_name="ask",
               api_description="Answer one question (history: earlier questions) → {ok, text, html, answer}.",
               **answer_slots)
    demo.queue(default_concurrency_limit=CONCURRENCY)
    return demo


def _chat_layout() -> tuple[gr.Chatbot, gr.Textbox, gr.Radio, gr.Button, gr.DownloadButton, list[gr.Dataset]]:
    """The chat tab's components (events are wired by :func:`build_demo`)."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="对话", show_label=False, elem_id="hrss-chat", height=620, layout="bubble",
                render_markdown=True, sanitize_html=True, allow_tags=False, latex_delimiters=[],
                line_breaks=False, feedback_options=("Like", "Dislike"), buttons=["copy_all"],
                placeholder="在下方输入问题，或点击右侧的示例问题。回答只来自发布会原文，并标注出处。",
            )
            textbox = gr.Textbox(
                label="问题", show_label=False, elem_id="hrss-input", lines=1, max_lines=6, autofocus=True,
                placeholder=_PAGE["placeholder"], submit_btn="发送",
            )
            with gr.Row():
                script = gr.Radio(SCRIPT_CHOICES, value="auto", label="答案文字：简 / 繁", elem_id="hrss-script", scale=3)
                clear = gr.Button("清空对话", variant="secondary", scale=1)
                export = gr.DownloadButton("导出对话（Markdown）", value=None, interactive=False, variant="secondary",
                                           elem_id="hrss-export", scale=1)
        with gr.Column(scale=2):
            gr.Markdown("### 示例问题（点击即问）")
            datasets = [
                gr.Dataset(components=[textbox], samples=[[q] for q in questions], label=section,
                           type="values", layout="gallery", elem_classes="hrss-examples")
                for section, questions in EXAMPLES
            ]
            gr.Markdown("每条回答下方有「赞 / 踩」按钮，反馈会记录下来，帮助我们改进；「复制回答」复制答案和出处，"
                        "「问题链接」可分享给别人（打开即提问）。")
    return chatbot, textbox, script, clear, export, datasets


MALLOC_ARENAS = 2
"""glibc malloc arenas of the server process (its default is 8 per core, one per busy thread)."""


def _limit_malloc_arenas(settings: Settings, arenas: int = MALLOC_ARENAS) -> None:
    """Cap glibc's malloc arenas before the server starts its threads.

    Each of the server's many threads (event loop, queue workers, thread pool) otherwise gets an
    arena of its own whose freed memory is seldom returned: ~40 MB of peak RSS under 20 clients
    (``benchmarks/load_test.py``).  ``MALLOC_ARENA_MAX`` set by the user wins; not glibc: no-op.
    """
    if settings.malloc_arena_max:
        return
    try:
        ctypes.CDLL(None).mallopt(-8, arenas)  # -8 = M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def launch_options(host: str = "127.0.0.1", port: int = 7860) -> dict[str, Any]:
    """Keyword arguments for ``Blocks.launch``: address, theme, CSS, no SSR, no sharing."""
    return {"server_name": host, "server_port": port, "theme": _theme(), "css": CSS, "js": COPY_JS,
            "ssr_mode": False, "share": False, "show_error": False, "footer_links": ["api"]}


def launch(host: str = "127.0.0.1", port: int = 7860, corpus_dir: str | os.PathLike[str] | None = None,
           index_dir: str | os.PathLike[str] | None = None, model: str | None = None,
           cache_dir: str | os.PathLike[str] | None = None, feedback_path: str | os.PathLike[str] | None = None,
           settings: Settings | None = None) -> None:
    """Serve the chat until interrupted.  The engine loads in a background thread once the page is up.

    Arguments left out come from ``settings``, else from the environment and the defaults.
    """
    given = {"corpus_dir": corpus_dir, "index_dir": index_dir, "model": model, "cache_dir": cache_dir,
             "feedback_path": feedback_path}
    settings = settings.replace(**given) if settings is not None else Settings.resolve(**given)
    _limit_malloc_arenas(settings)  # analytics: off in build_demo (Blocks(analytics_enabled=False))

    def load() -> Engine:
        return Engine(settings=settings)

    service = ChatService(load=load, feedback_path=settings.feedback_path)
    log.info("feedback log: %s", service.feedback.path.resolve())
    demo = build_demo(service, _figure_tab(settings.corpus_dir))
    demo.launch(**launch_options(host, port), prevent_thread_lock=True)
    service.start_loading()  # after the server is up: the load would otherwise compete with it for the GIL
    demo.block_thread()
