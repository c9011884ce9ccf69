"""The engine users hold: retrieval and the answer pipeline over one corpus and index.

>>> engine = Engine()                       # bundled corpus, ./index, default model
>>> engine.retrieve("电子社保卡有多少人领用？", k=1)[0].section
'二、社會保障 › 工作進展情況'
>>> engine.answer("电子社保卡有多少人领用？").figures[0].text
'7.64億人'
"""

from __future__ import annotations

import threading

from .answering import Answer, Turn, answer_with
from .retrieval import Engine as Retriever
from .retrieval import Hit


class Engine(Retriever):
    """A :class:`~hrss_qa.retrieval.Engine` that also answers (cited figures, or abstention)."""

    def answer(self, question: str, history: list[Turn | str] | None = None) -> Answer:
        """Answer ``question``; ``history`` holds earlier turns (or questions), oldest first."""
        return answer_with(self, question, history)


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
