"""The data that ships with hrss-qa: the briefing(s) and the question sets.

From a source checkout (``src/hrss_qa`` two levels below the project's ``pyproject.toml``) they are
the project's own ``corpus/`` and ``eval/`` folders, so an edit there takes effect at once.  In an
installed wheel they are package data under ``hrss_qa/data/`` (copied there from ``corpus/`` and
``eval/`` when the wheel is built, see ``setup.py``) and are read through :mod:`importlib.resources`.

>>> sorted(entry.name for entry in corpus_dir().iterdir() if entry.name.endswith(".txt"))
['hrss-2023q1-briefing.txt']
>>> questions_file().name
'questions.jsonl'
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path

try:
    from importlib.resources.abc import Traversable
except ImportError:  # Python 3.10
    from importlib.abc import Traversable

PROJECT_NAME = "hrss-qa"


@lru_cache(maxsize=1)
def checkout_root() -> Path | None:
    """The project folder when hrss_qa runs from its source checkout, else None (an installed wheel)."""
    root = Path(__file__).resolve().parents[2]
    try:
        pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return None
    return root if f'name = "{PROJECT_NAME}"' in pyproject else None


def corpus_dir() -> Traversable:
    """The bundled briefings: ``corpus/`` of the checkout, else ``hrss_qa/data/corpus`` in the package."""
    root = checkout_root()
    return root / "corpus" if root else files(__package__) / "data" / "corpus"


def questions_dir() -> Traversable:
    """The folder of the bundled question sets (``eval/`` of the checkout, else the package's copy)."""
    root = checkout_root()
    return root / "eval" if root else files(__package__) / "data" / "eval"


def questions_file(name: str = "questions.jsonl") -> Traversable:
    """A bundled question set (``questions.jsonl``, ``holdout.jsonl``, …): ``eval/`` of the checkout or the package's copy."""
    root = checkout_root()
    return root / "eval" / name if root else files(__package__) / "data" / "eval" / name
