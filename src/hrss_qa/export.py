r"""A conversation as Markdown, one answer as copyable text, a question as a link, and the
files the page offers for download.

Pure functions over answers (:func:`conversation_markdown`, :func:`copy_text`,
:func:`share_link`) and :class:`DownloadFolder`, which writes download files once per content.
Text from users is escaped for Markdown (no links, HTML or emphasis can be injected) and
length-capped like the chat.

>>> share_link("失业保险参保人数是多少？")
'?q=%E5%A4%B1%E4%B8%9A%E4%BF%9D%E9%99%A9%E5%8F%82%E4%BF%9D%E4%BA%BA%E6%95%B0%E6%98%AF%E5%A4%9A%E5%B0%91%EF%BC%9F'
>>> print(markdown_inline("**x** [a](javascript:alert(1)) <b>"))
\*\*x\*\* [a]\(javascript:alert(1)) &lt;b&gt;
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from .answering import MAX_QUESTION_CHARS, Answer, Citation
from .text import to_script

_MD_SPECIAL = re.compile(r"([\\`*_~])")


class Exchange(Protocol):
    """One question and its reply (the chat's ``Turn``): an answer, or a message when there is none."""

    question: str
    answer: Answer | None
    message: str


def markdown_inline(text: str) -> str:
    """``text`` as one line of Markdown that shows exactly these characters."""
    text = " ".join(str(text).split())
    text = _MD_SPECIAL.sub(r"\\\1", text).replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("](", "]\\(")


def capped(question: str) -> str:
    """A question as the chat shows it: at most :data:`MAX_QUESTION_CHARS` characters."""
    return question[:MAX_QUESTION_CHARS] + "…" if len(question) > MAX_QUESTION_CHARS else question


def share_link(question: str) -> str:
    """A link, relative to the page, that asks ``question`` when opened (``?q=…``)."""
    return "?q=" + quote(question[:MAX_QUESTION_CHARS], safe="")


def cited_numbers(answer: Answer) -> set[int]:
    """The citation numbers an answer's text refers to (none for an abstention)."""
    return set() if answer.abstained else {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}


def _cited(answer: Answer) -> list[Citation]:
    numbers = cited_numbers(answer)
    return [c for c in answer.citations if c.number in numbers]


def _shown(answer: Answer, script: str) -> str:
    """The answer text as displayed: as the asker wrote (``auto``), or in ``zh-Hans``/``zh-Hant``."""
    return answer.text if script not in ("zh-Hans", "zh-Hant") else to_script(answer.text, script)


def _doc_title(citation: Citation, sources: Mapping[str, str]) -> str:
    doc_id = citation.hit.doc_id
    return sources.get(doc_id, doc_id)


def copy_text(answer: Answer, script: str = "auto", sources: Mapping[str, str] | None = None) -> str:
    """The answer and its citation line, for the clipboard.

    >>> from hrss_qa import answer
    >>> print(copy_text(answer("一季度城镇新增就业多少人？")))
    1-3月城镇新增就业297万人。[1]
    [1] 一、就業 › 工作進展情況「1-3月城鎮新增就業297萬人,3月份全國城鎮調查失業率為5.3%,就業局勢保持總體平穩。」（hrss-2023q1-briefing）
    """
    lines = [_shown(answer, script)]
    for c in _cited(answer):
        title = _doc_title(c, sources or {})
        lines.append(f"[{c.number}] {c.section}「{c.quote}」" + (f"（{title}）" if title else ""))
    return "\n".join(lines)


def conversation_markdown(exchanges: Sequence[Exchange], title: str, script: str = "auto",
                          sources: Mapping[str, str] | None = None, exported: str = "") -> str:
    """The conversation as a Markdown document: each question, the answer, and its citations
    (section path, briefing, quoted sentence); abstentions list their passages as related only."""
    sources = sources or {}
    out = [f"# {markdown_inline(title)}", ""]
    if exported:
        out += [f"导出时间：{markdown_inline(exported)}", ""]
    for n, turn in enumerate(exchanges, start=1):
        out += [f"## {n}. 问：{markdown_inline(capped(turn.question))}", ""]
        answer = turn.answer
        if answer is None:
            out += [f"（未能回答：{markdown_inline(turn.message)}）", ""]
            continue
        prefix = "**发布会未提及。** " if answer.abstained else ""
        out += [prefix + markdown_inline(_shown(answer, script)), ""]
        numbers = cited_numbers(answer)
        listed = [c for c in answer.citations if c.number in numbers] if numbers else list(answer.citations)
        if listed:
            out += ["出处：" if numbers else "相关段落（仅供参考）：", ""]
        for c in listed:
            out.append(f"- [{c.number}] {markdown_inline(c.section)}（{markdown_inline(_doc_title(c, sources))}）")
            out += [f"  > {markdown_inline(c.quote)}", ""]
    return "\n".join(out).rstrip("\n") + "\n"


class DownloadFolder:
    """Files offered for download, written once per content into a private temporary folder.

    Each file goes into a subfolder named by its content hash, so the browser sees the plain
    ``name`` and identical content is written once.  Gradio serves a copy from its own cache,
    so files older than ``max_age`` seconds are removed here (a long-running server would
    otherwise keep every conversation); the folder goes with this object.
    """

    def __init__(self, max_age: float = 3600.0) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="hrss-qa-downloads-")
        self.path = Path(self._tmp.name)
        self.max_age = max_age
        self._pruned = time.monotonic()

    def write(self, name: str, data: bytes) -> str:
        """Store ``data`` as ``name``; the file's path."""
        self._prune()
        folder = self.path / hashlib.sha256(data).hexdigest()[:16]
        target = folder / name
        if target.exists():
            folder.touch()  # offered again: young again
        else:
            folder.mkdir(parents=True, exist_ok=True)
            partial = folder / f".{name}.part"
            partial.write_bytes(data)
            partial.replace(target)
        return str(target)

    def _prune(self) -> None:
        """Remove files older than ``max_age`` (looked for at most once per tenth of it)."""
        if time.monotonic() - self._pruned < self.max_age / 10:
            return
        self._pruned = time.monotonic()
        cutoff = time.time() - self.max_age
        for folder in self.path.iterdir():
            try:
                if folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)
            except OSError:
                pass
