"""Vector rows in named blocks, and the passage each row belongs to.

An index holds one vector per passage, then one per sentence (and any further block an index adds);
a store knows only row numbers.  A :class:`RowLayout` maps between the two: which rows a block
spans, which passage owns each row, and every row of a set of passages.

>>> layout = RowLayout.from_blocks([("passages", [0, 1]), ("sentences", [0, 0, 1])])
>>> layout.block("sentences"), layout.n_rows
(slice(2, 5, None), 5)
>>> layout.rows_of([1]).tolist(), layout.count_per_passage(np.array([0, 2, 3])).tolist()
([1, 4], [3, 0])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RowLayout:
    """Blocks of rows (in order) and, for every row, the index of the passage it belongs to."""

    names: tuple[str, ...]
    starts: tuple[int, ...]
    """Row where each block starts; ``starts[-1]`` is the number of rows."""
    owner: np.ndarray
    n_passages: int

    @classmethod
    def from_blocks(cls, blocks: Sequence[tuple[str, Sequence[int] | np.ndarray]]) -> RowLayout:
        """Blocks as ``(name, owner passage of each row)``, in row order."""
        owners = [np.asarray(owner, dtype=np.int64) for _, owner in blocks]
        owner = np.concatenate(owners) if owners else np.zeros(0, np.int64)
        starts = tuple(int(x) for x in np.concatenate([[0], np.cumsum([len(o) for o in owners])]))
        return cls(tuple(name for name, _ in blocks), starts, owner, int(owner.max()) + 1 if len(owner) else 0)

    @property
    def n_rows(self) -> int:
        return self.starts[-1]

    def block(self, name: str) -> slice:
        """The rows of block ``name``."""
        i = self.names.index(name)
        return slice(self.starts[i], self.starts[i + 1])

    def rows_of(self, passages: Sequence[int] | np.ndarray) -> np.ndarray:
        """Every row (of every block) belonging to these passages, in row order (one pass over the rows:
        retrieval asks for the rows of thousands of passages at once at 1000× the briefing)."""
        wanted = np.zeros(self.n_passages, bool)
        wanted[np.asarray(passages, dtype=np.int64)] = True
        return np.flatnonzero(wanted[self.owner])

    def count_per_passage(self, rows: np.ndarray) -> np.ndarray:
        """How many of ``rows`` (a boolean mask over all rows, or row ids) each passage owns."""
        return np.bincount(self.owner[rows], minlength=self.n_passages)
