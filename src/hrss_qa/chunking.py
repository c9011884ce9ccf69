"""Chunking stage: cut a briefing into passages along its own structure.

The briefings are written to a fixed pattern, and the passages follow it:

* the lead paragraph (and the document's title line);
* sections ``一、就業`` … ``五、便民服務``;
* inside each, the parts ``工作進展情況:`` and ``下一步工作安排:``;
* inside each part, an overview (the sentences before the first item) and the
  numbered items ``一是…`` ``二是…``.

Every passage and every sentence carries its character offsets in the source text,
so ``doc.text[p.start:p.end] == p.text`` and a citation points at the exact span.

>>> from hrss_qa.corpus import load_corpus
>>> passages = chunk_document(load_corpus()[0])
>>> passages[1].section, passages[1].text[:15]
('一、就業 › 工作進展情況', '1-3月城鎮新增就業297萬人')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .corpus import Document

CHUNKER_VERSION = "structure-v1"

_NUMERAL = "一二三四五六七八九十"
_SECTION_LINE = re.compile(rf"^([{_NUMERAL}]+)、(\S.*)$")
_PART_LINE = re.compile(r"^(工作進展情況|下一步工作安排|工作进展情况|下一步工作安排)\s*[:：]\s*")
# An item marker starts the part body or follows a full stop / colon.
_ITEM_MARK = re.compile(rf"(?:(?<=^)|(?<=[。；;:：]))([{_NUMERAL}]+是)")
_SENTENCE_END = re.compile(r"[^。！？!?；;]*[。！？!?；;]|[^。！？!?；;]+$")
SEP = " › "


@dataclass(frozen=True)
class Sentence:
    """One sentence of a passage, with its offsets in the document."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Passage:
    """A retrievable unit: a structural piece of one document.

    ``section`` is the human-readable path (``一、就業 › 工作進展情況 › 二是``);
    ``section_path`` the same as a tuple; ``item`` the item marker or ``""``.
    """

    passage_id: str
    doc_id: str
    section_path: tuple[str, ...]
    item: str
    text: str
    start: int
    end: int
    sentences: tuple[Sentence, ...]

    @property
    def section(self) -> str:
        return SEP.join(self.section_path)

    @property
    def context(self) -> str:
        """Section heading words without numbering, prepended when embedding/indexing.

        A question about 社保卡 should find an item of 「二、社會保障」 even when the item
        itself never says 社會保障.
        """
        heads = [re.sub(rf"^[{_NUMERAL}]+、", "", part) for part in self.section_path if not part.endswith("是")]
        return " ".join(heads)

    def to_dict(self) -> dict:
        return {
            "passage_id": self.passage_id,
            "doc_id": self.doc_id,
            "section_path": list(self.section_path),
            "item": self.item,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "sentences": [[s.text, s.start, s.end] for s in self.sentences],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Passage":
        return cls(
            passage_id=data["passage_id"],
            doc_id=data["doc_id"],
            section_path=tuple(data["section_path"]),
            item=data["item"],
            text=data["text"],
            start=int(data["start"]),
            end=int(data["end"]),
            sentences=tuple(Sentence(t, int(s), int(e)) for t, s, e in data["sentences"]),
        )


def split_sentences(text: str, offset: int = 0) -> list[Sentence]:
    """Split on Chinese sentence ends (。！？；), keeping offsets; blank pieces are dropped.

    >>> [s.text for s in split_sentences("甲。乙,丙。丁")]
    ['甲。', '乙,丙。', '丁']
    """
    out = []
    for match in _SENTENCE_END.finditer(text):
        piece = match.group()
        stripped = piece.strip()
        if not stripped:
            continue
        lead = len(piece) - len(piece.lstrip())
        start = offset + match.start() + lead
        out.append(Sentence(stripped, start, start + len(stripped)))
    return out


def chunk_document(doc: Document) -> list[Passage]:
    """All passages of one document, in reading order."""
    builder = _Builder(doc)
    section: str | None = None
    pos = 0
    for line in doc.text.split("\n"):
        line_start, pos = pos, pos + len(line) + 1
        body = line.strip()
        if not body:
            continue
        line_start += len(line) - len(line.lstrip())
        if m := _SECTION_LINE.match(body):
            section = body
            continue
        if section is None:
            builder.add(("導語",), "", body, line_start)
            continue
        if m := _PART_LINE.match(body):
            part = m.group(1)
            builder.add_part((section, part), body[m.end():], line_start + m.end())
        else:
            builder.add_part((section,), body, line_start)
    return builder.passages


def chunk_corpus(docs: list[Document]) -> list[Passage]:
    """Passages of every document, document by document."""
    return [p for doc in docs for p in chunk_document(doc)]


class _Builder:
    """Collects passages of one document and numbers them."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.passages: list[Passage] = []

    def add_part(self, path: tuple[str, ...], body: str, start: int) -> None:
        """A part body: an optional overview followed by items 一是…二是…."""
        marks = list(_ITEM_MARK.finditer(body))
        cuts = [0] + [m.start() for m in marks] + [len(body)]
        labels = [""] + [m.group(1) for m in marks]
        for label, a, b in zip(labels, cuts, cuts[1:]):
            piece = body[a:b]
            if piece.strip():
                self.add(path + ((label,) if label else ()), label, piece, start + a)

    def add(self, path: tuple[str, ...], item: str, text: str, start: int) -> None:
        # Leading/trailing whitespace never belongs to a citation span.
        start += len(text) - len(text.lstrip())
        text = text.strip()
        if self.passages and self.passages[-1].section_path == path:
            # Consecutive lines with the same path (e.g. the lead and the title line) merge.
            prev = self.passages.pop()
            text = self.doc.text[prev.start:start + len(text)]
            start = prev.start
        passage_id = f"{self.doc.doc_id}#{len(self.passages)}"
        sentences = tuple(split_sentences(text, start))
        self.passages.append(Passage(passage_id, self.doc.doc_id, path, item, text, start, start + len(text), sentences))
