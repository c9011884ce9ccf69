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

Names are imported lazily so that ``import hrss_qa`` stays cheap.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType

__version__ = "0.1.0"

_EXPORTS = {
    "Engine": "retrieval",
    "Hit": "retrieval",
    "FusionWeights": "retrieval",
    "retrieve": "retrieval",
    "default_engine": "retrieval",
    "Figure": "figures",
    "extract_figures": "figures",
    "Passage": "chunking",
    "Sentence": "chunking",
    "Document": "corpus",
    "load_corpus": "corpus",
    "Answer": "answer",
    "Citation": "answer",
    "answer": "answer",
    "evaluate": "evaluation",
    "Settings": "settings",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'hrss_qa' has no attribute {name!r}")


class _Package(ModuleType):
    """``hrss_qa.answer`` is the function, although a submodule has that name too.

    Importing a submodule sets the package attribute of its name to the module, so without this
    ``hrss_qa.answer(q)`` would fail ("'module' object is not callable") once anything had imported
    ``hrss_qa.answer`` the module (the chat, the evaluation, a second call).
    """

    @property
    def answer(self):
        return import_module(".answer", __name__).answer

    @answer.setter
    def answer(self, module) -> None:  # the import system recording the submodule: keep the function
        pass


sys.modules[__name__].__class__ = _Package
