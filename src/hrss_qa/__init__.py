"""hrss-qa: cited, offline question answering over the MOHRSS 2023 Q1 press briefing.

>>> import hrss_qa
>>> hits = hrss_qa.retrieve("一季度城镇新增就业多少人？", k=5)
>>> hits[0].section
'一、就業 › 工作進展情況'
>>> a = hrss_qa.answer("失业保险参保人数是多少？")
>>> a.text
'截至3月底，失业保险参保人数为2.37亿人。[1]'
>>> hrss_qa.answer("一季度城镇新增就业多少人？").text
'1-3月城镇新增就业297万人。[1]'

Names are imported lazily so that ``import hrss_qa`` stays cheap.  No submodule is called
``answer``: the answer stages live in :mod:`hrss_qa.answering`, so ``hrss_qa.answer`` is always
the function.
"""

from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "Engine": "engine",
    "Hit": "retrieval",
    "FusionWeights": "retrieval",
    "retrieve": "engine",
    "default_engine": "engine",
    "Figure": "figures",
    "extract_figures": "figures",
    "Passage": "chunking",
    "Sentence": "chunking",
    "Document": "corpus",
    "load_corpus": "corpus",
    "Answer": "answering",
    "Citation": "answering",
    "Turn": "answering",
    "answer": "engine",
    "evaluate": "evaluation",
    "Settings": "settings",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'hrss_qa' has no attribute {name!r}")
