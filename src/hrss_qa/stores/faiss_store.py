"""The default store: the vectors in the index folder (``vectors.npy``), searched exactly with FAISS.

Exact search over ``n`` rows reads all ``n × dim`` floats, so its cost is memory bandwidth: at
148,000 rows × 384 float32 (227 MB) a FAISS ``IndexFlatIP`` scan takes 12 ms on one core here.
Above :data:`EXACT_SCAN_MAX` rows the scan runs over a float16 copy instead (half the bytes:
5 ms) and picks candidates; their float32 vectors are then scored exactly, and the candidate list
is widened until the k-th exact score beats anything the float16 scan can have misjudged (by at
most ‖q‖ times the largest rounding error of a row, measured when the scan is built).  The result is the exact top k (measured: ``benchmarks/growth.py``), not an
approximation.  The float32 file is memory-mapped: only rescored rows are read.

>>> rng = np.random.default_rng(0)
>>> rows = rng.standard_normal((50, 8)).astype(np.float32)
>>> rows /= np.linalg.norm(rows, axis=1, keepdims=True)
>>> store = FaissStore.empty(8)
>>> store.add(rows)
>>> scores, ids = store.search(rows[7], 3)
>>> int(ids[0]), round(float(scores[0]), 4), store.ntotal, store.description
(7, 1.0, 50, 'FAISS IndexFlatIP (exact)')
"""

from __future__ import annotations

import logging
from pathlib import Path

import faiss

# One thread: the query path is single-threaded elsewhere, and on a shared 2-core machine
# FAISS's OpenMP threads slowed the 100× benchmark's search threefold (benchmarks/README.md).
faiss.omp_set_num_threads(1)
import numpy as np

from .base import StaleStoreError, StoreSpec

log = logging.getLogger(__name__)

VECTORS = "vectors.npy"
EXACT_SCAN_MAX = 20_000
"""Up to this many rows a float32 scan; above, a float16 scan with exact rescoring.  Measured on one core
here: at 14,800 rows both cost 0.65 ms per query; at 50,000 rows 2.8 ms (float32) against 1.7 ms."""
SUM_ERROR = 5e-5
"""Rounding of two float32 sums of 384 products (the scan's and the rescoring's): each ≤ 384·2⁻²⁴·‖q‖‖v‖."""
# Candidates beyond k in the first float16 pass (each further pass takes four times more).  At 1000×
# the briefing (148,000 rows) the 1024th and 1280th best rows of a question differ by ≥ 8.5e-4, and a
# row's float16 rounding moves a score by ≤ 2.5e-4: one pass suffices.
_FIRST_EXTRA = 256


class FaissStore:
    """Rows in a float32 matrix (in memory while building, memory-mapped once loaded), scanned by FAISS."""

    def __init__(self, vectors: np.ndarray):
        self._vectors = vectors
        self.dim = int(vectors.shape[1])
        self.spec = StoreSpec("faiss")
        self._scan: faiss.Index | None = None
        self._rounding = 0.0  # the largest ‖v − float16(v)‖ over the rows

    @classmethod
    def empty(cls, dim: int) -> FaissStore:
        return cls(np.zeros((0, dim), np.float32))

    @classmethod
    def load(cls, folder: Path) -> FaissStore:
        """The store persisted in ``folder``; StaleStoreError when its file is not a float32 matrix."""
        try:
            vectors = np.load(Path(folder) / VECTORS, mmap_mode="r")
        except (OSError, ValueError) as exc:
            raise StaleStoreError(f"{VECTORS} cannot be read ({exc})") from exc
        if vectors.dtype != np.float32 or vectors.ndim != 2 or not vectors.flags.c_contiguous:
            raise StaleStoreError(f"{VECTORS} is not a float32 matrix ({vectors.dtype}, {vectors.shape})")
        return cls(vectors)

    @property
    def ntotal(self) -> int:
        return int(self._vectors.shape[0])

    @property
    def description(self) -> str:
        if self.ntotal <= EXACT_SCAN_MAX:
            return "FAISS IndexFlatIP (exact)"
        return "FAISS float16 scan + float32 rescoring (exact)"

    def add(self, vectors: np.ndarray) -> None:
        rows = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        self._vectors = np.concatenate([np.asarray(self._vectors), rows])
        self._scan = None

    def search(self, query: np.ndarray, k: int, below: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, self.dim)
        searched = self.ntotal if below is None else min(int(below), self.ntotal)
        k = min(int(k), searched)
        if k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        scan = self._scan or self._make_scan()
        # The leading rows only: FAISS skips the others without reading them.
        params = (faiss.SearchParameters(sel=faiss.IDSelectorRange(0, searched, True))
                  if searched < self.ntotal else None)
        if self.ntotal <= EXACT_SCAN_MAX:
            scores, rows = scan.search(q, k, params=params)
            return scores[0], rows[0]
        return self._rescored_top(scan, q, k, searched, params)

    def scores(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        order = np.argsort(rows)  # read the memory-mapped rows in file order
        out = np.empty(len(rows), np.float32)
        # einsum, not @: a BLAS call of this size waits for OpenBLAS's second thread, 5-10 ms on a busy 2-core box
        out[order] = np.einsum("ij,j->i", self.vectors(rows[order]), np.asarray(query, np.float32).reshape(self.dim))
        return out

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray(self._vectors[np.asarray(rows, dtype=np.int64)], dtype=np.float32)

    def persist(self, folder: Path) -> dict:
        np.save(Path(folder) / VECTORS, np.ascontiguousarray(self._vectors, dtype=np.float32))
        return {"vector_index": self.description}

    def close(self) -> None:
        self._scan = None

    # -- scanning ----------------------------------------------------------------------------

    def _make_scan(self) -> faiss.Index:
        """FAISS's scan over the rows: float32 (a copy) when small, float16 when large (built in blocks)."""
        if self.ntotal <= EXACT_SCAN_MAX:
            scan = faiss.IndexFlatIP(self.dim)
        else:
            scan = faiss.IndexScalarQuantizer(self.dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
        for block in self._blocks(16_384):
            scan.add(block)
            if self.ntotal > EXACT_SCAN_MAX:
                rounding = np.linalg.norm(block - block.astype(np.float16).astype(np.float32), axis=1)
                self._rounding = max(self._rounding, float(rounding.max(initial=0.0)))
        self._scan = scan
        return scan

    def _blocks(self, rows: int):
        """The rows in blocks; from a memory-mapped file by plain reads, so that the mapping stays untouched
        (resident memory then holds the float16 scan and the rows rescored, not the whole float32 file)."""
        path, offset = getattr(self._vectors, "filename", None), getattr(self._vectors, "offset", None)
        if path is None or offset is None:
            for start in range(0, self.ntotal, rows):
                yield np.ascontiguousarray(self._vectors[start:start + rows], dtype=np.float32)
            return
        with open(path, "rb") as handle:
            handle.seek(offset)
            for start in range(0, self.ntotal, rows):
                count = min(rows, self.ntotal - start)
                yield np.fromfile(handle, dtype=np.float32, count=count * self.dim).reshape(count, self.dim)

    def _rescored_top(self, scan: faiss.Index, q: np.ndarray, k: int, searched: int,
                      params) -> tuple[np.ndarray, np.ndarray]:
        """Exact top k: float16 candidates, rescored in float32, widened until no row left out can beat them."""
        want = k + max(_FIRST_EXTRA, k // 4)
        # |q·v − q·float16(v)| ≤ ‖q‖·‖v − float16(v)‖ (Cauchy–Schwarz), plus the sums' own rounding.
        error = float(np.linalg.norm(q)) * (self._rounding + SUM_ERROR)
        while True:
            want = min(want, searched)
            rough, rows = scan.search(q, want, params=params)
            rows = rows[0][rows[0] >= 0]
            exact = self.scores(q[0], rows)
            top = np.argsort(-exact, kind="stable")[:k]
            # Rows the scan left out score at most rough[-1] in float16, so at most rough[-1] + error.
            if want >= searched or exact[top[-1]] >= rough[0][len(rows) - 1] + error:
                return exact[top], rows[top]
            want *= 4
