"""The engine users hold: retrieval and the answer pipeline over one corpus and index.

>>> engine = Engine()                       # bundled corpus, ./index, default model
>>> engine.retrieve("电子社保卡有多少人领用？", k=1)[0].section
'二、社會保障 › 工作進展情況'
>>> engine.answer("电子社保卡有多少人领用？").figures[0].text
'7.64億人'
"""

from __future__ import annotations

import threading
from dataclasses import replace

from .answering import Answer, Turn, answer_with
from .answering.analyze import analyze
from .retrieval import Engine as Retriever
from .retrieval import Hit, Mode


class Engine(Retriever):
    """A :class:`~hrss_qa.retrieval.Engine` that also answers (cited figures, or abstention)."""

    def retrieve(self, question: str, k: int = 5, mode: Mode = "hybrid", docs: frozenset[str] | None = None) -> list[Hit]:
        """The ``k`` best passages; a comparison or double ask gets each part's passages in turn.

        What the question asks is read first (:func:`~hrss_qa.answering.analyze.analyze`): a question
        asking for a number prefers passages stating one of the kind it asks.

        「A和B哪个多」 needs A's passage and B's, which may sit in different sections: one search
        for the whole question ranks whichever part dominates it first.  Each part is searched on
        its own (with the words it borrows from the whole question, then alone) and the lists are
        interleaved in the order the parts are asked, without repeats.

        >>> [h.text[:9] for h in Engine().retrieve("城镇新增就业和脱贫人口务工规模哪个大？", k=2)]
        ['1-3月城鎮新增就', '三是加強農民工、就']
        """
        query = analyze(question)
        if len(query.parts) < 2:
            return self.search(question, k, mode, docs, kinds=query.figure_kinds)
        ranked = [_interleave([self.search(text, k, mode, docs, kinds=p.figure_kinds)
                               for text in dict.fromkeys((f"{p.text} {p.context}".strip(), p.text))])
                  for p in query.parts]
        hits, ceiling = [], float("inf")
        for rank, hit in enumerate(_interleave(ranked)[:k], start=1):
            # Each part's scores are its own search's; capped so that scores never rise down the list.
            ceiling = min(ceiling, hit.score)
            hits.append(replace(hit, rank=rank, score=ceiling))
        return hits

    def answer(self, question: str, history: list[Turn | str] | None = None) -> Answer:
        """Answer ``question``; ``history`` holds earlier turns (or questions), oldest first."""
        return answer_with(self, question, history)


def _interleave(ranked: list[list[Hit]]) -> list[Hit]:
    """First of each list, then second of each, …, each passage once."""
    seen: set[str] = set()
    out: list[Hit] = []
    for depth in range(max(map(len, ranked), default=0)):
        for hits in ranked:
            if depth < len(hits) and hits[depth].passage_id not in seen:
                seen.add(hits[depth].passage_id)
                out.append(hits[depth])
    return out


_default: Engine | None = None
_lock = threading.Lock()


def default_engine() -> Engine:
    """The process-wide engine on the bundled corpus, created on first use."""
    global _default
    with _lock:
        if _default is None:
            _default = Engine()
        return _default


def retrieve(question: str, k: int = 5) -> list[Hit]:
    """Hybrid retrieval with the default engine.

    >>> retrieve("一季度城镇新增就业多少人？", k=5)[0].text[:17]
    '1-3月城鎮新增就業297萬人,3'
    """
    return default_engine().retrieve(question, k=k)


def answer(question: str, history: list[Turn | str] | None = None) -> Answer:
    """Answer with the default engine.

    >>> answer("失业保险参保人数是多少？").figures[0].text
    '2.37億人'
    """
    return default_engine().answer(question, history)
