"""Dense scores of every vector row for one question: exact where they decide the answer.

Scoring all rows exactly costs a full scan, which at 1000× the briefing is most of a query.  So
above :data:`EXHAUSTIVE_ROWS` rows only the store's exact top :data:`DEPTH` rows are scored; every
other row starts at an *upper bound*, the last score the store returned.  Fusion is monotone in the
dense scores, so a passage's fused score computed with bounds is never below its true one.
Retrieval then asks :meth:`RowScores.settle` for the exact scores of the rows of the passages it
is about to return; when those were all exact already, no passage left out can beat them, and
the result is the one an exact score of every row would give.  Rows fusion does not read (the
figure cards, after the passages and sentences) are not searched at that size: retrieval settles
those of its hits.

>>> import numpy as np
>>> from hrss_qa.stores.faiss_store import FaissStore
>>> store = FaissStore.empty(2)
>>> store.add(np.array([[1, 0], [0.6, 0.8], [0, 1]], np.float32))
>>> scores = RowScores.search(store, np.array([1, 0], np.float32), depth=1)
>>> scores.values.tolist(), scores.known.tolist()            # row 0 exact, the others bounded by it
([1.0, 1.0, 1.0], [True, False, False])
>>> scores.settle(np.array([1, 2])), [round(x, 3) for x in scores.values.tolist()]
(2, [1.0, 0.6, 0.0])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .stores import VectorStore

EXHAUSTIVE_ROWS = 4096
"""Up to this many rows every row is scored exactly by the store in one search."""
DEPTH = 1024
"""Above, the store's top rows scored in the first search; the rest are settled on demand."""


@dataclass
class RowScores:
    """Inner products of one query with every row: exact where ``known``, else an upper bound."""

    store: VectorStore
    query: np.ndarray
    values: np.ndarray
    known: np.ndarray

    @classmethod
    def search(cls, store: VectorStore, query: np.ndarray, depth: int | None = None,
               below: int | None = None) -> RowScores:
        """The store's top rows exactly, every other row searched at the last score returned.

        ``below`` searches the leading rows only (the blocks fusion reads); the rest are NaN, not known,
        until settled.  Up to :data:`EXHAUSTIVE_ROWS` rows in all, every row is searched regardless.
        """
        n = store.ntotal
        below = None if n <= EXHAUSTIVE_ROWS else below
        searched = n if below is None else min(below, n)
        depth = (searched if searched <= EXHAUSTIVE_ROWS else DEPTH) if depth is None else depth
        scores, rows = store.search(query, depth, below=below)
        values = np.full(n, np.nan, np.float32)
        values[:searched] = scores[-1] if len(scores) else 0.0
        values[rows] = scores
        known = np.zeros(n, bool)
        known[rows] = True
        if len(rows) == searched:
            known[:searched] = True
        return cls(store, query, values, known)

    @classmethod
    def zeros(cls, store: VectorStore, query: np.ndarray | None = None) -> RowScores:
        """No dense signal (lexical mode): every row scores 0, exactly."""
        return cls(store, query, np.zeros(store.ntotal, np.float32), np.ones(store.ntotal, bool))

    def settle(self, rows: np.ndarray) -> int:
        """Score ``rows`` (distinct row ids) exactly where they are bounds; returns how many were."""
        unknown = rows[~self.known[rows]]
        if len(unknown):
            self.values[unknown] = self.store.scores(self.query, unknown)
            self.known[unknown] = True
        return len(unknown)
