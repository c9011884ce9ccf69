"""The FAISS store on its own (no model): exact top-k also where it scans float16, files it writes and reads.

Pure and fast: vectors are made here.  The store as the index uses it is covered by test_integrity.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from hrss_qa.stores import StaleStoreError
from hrss_qa.stores import faiss_store
from hrss_qa.stores.faiss_store import VECTORS, FaissStore


def _near_duplicates(sources: int = 40, copies: int = 100, dim: int = 32, cosine: float = 0.95) -> np.ndarray:
    """Tight clusters around a few rows, as benchmarks/growth.py makes them: the top k is decided by small gaps."""
    rng = np.random.default_rng(7)
    base = rng.standard_normal((sources, dim)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    sigma = np.sqrt((1 / cosine**2 - 1) / dim)
    rows = np.repeat(base, copies, axis=0) + rng.normal(0, sigma, (sources * copies, dim)).astype(np.float32)
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("k", [1, 5, 64, 1000])
@pytest.mark.parametrize("first_extra", [0, faiss_store._FIRST_EXTRA])
def test_float16_scan_with_rescoring_gives_the_exact_top_k(monkeypatch, k, first_extra):
    """With no extra candidates in the first pass the store must widen its candidate list to be exact."""
    monkeypatch.setattr(faiss_store, "EXACT_SCAN_MAX", 100)  # 4,000 rows: the float16 path
    monkeypatch.setattr(faiss_store, "_FIRST_EXTRA", first_extra)
    rows = _near_duplicates()
    store = FaissStore.empty(rows.shape[1])
    store.add(rows)
    assert store.description == "FAISS float16 scan + float32 rescoring (exact)"
    rng = np.random.default_rng(1)
    for q in rows[rng.choice(len(rows), 12, replace=False)] + rng.normal(0, 0.05, (12, rows.shape[1])).astype(np.float32):
        exact = rows @ q
        scores, ids = store.search(q, k)
        assert ids.tolist() == np.argsort(-exact, kind="stable")[:k].tolist()
        np.testing.assert_allclose(scores, exact[ids], rtol=0, atol=1e-6)


def test_persisted_vectors_are_memory_mapped_and_score_alike(tmp_path):
    rows = _near_duplicates(sources=5, copies=20)
    store = FaissStore.empty(rows.shape[1])
    store.add(rows[:60])
    store.add(rows[60:])
    store.persist(tmp_path)
    loaded = FaissStore.load(tmp_path)
    assert isinstance(loaded._vectors, np.memmap) and loaded.ntotal == 100
    some = np.array([99, 0, 42])
    np.testing.assert_array_equal(loaded.vectors(some), rows[some])
    np.testing.assert_allclose(loaded.scores(rows[3], some), rows[some] @ rows[3], atol=1e-6)
    assert loaded.search(rows[42], 1)[1].tolist() == [42]


def test_a_vectors_file_of_another_type_is_stale(tmp_path):
    np.save(tmp_path / VECTORS, np.zeros((3, 4), np.float64))
    with pytest.raises(StaleStoreError, match="not a float32 matrix"):
        FaissStore.load(tmp_path)
    (tmp_path / VECTORS).write_bytes(b"not numpy")
    with pytest.raises(StaleStoreError, match="cannot be read"):
        FaissStore.load(tmp_path)


@pytest.mark.parametrize("scan_max", [100, faiss_store.EXACT_SCAN_MAX])
def test_search_below_keeps_to_the_leading_rows(monkeypatch, scan_max):
    """Fusion searches the passage and sentence rows only; figure-card rows come after them."""
    monkeypatch.setattr(faiss_store, "EXACT_SCAN_MAX", scan_max)  # the float16 path, then the float32 one
    rows = _near_duplicates()
    store = FaissStore.empty(rows.shape[1])
    store.add(rows)
    for q in rows[[5, 3000, 3999]]:
        scores, ids = store.search(q, 50, below=2500)
        exact = rows[:2500] @ q
        assert ids.tolist() == np.argsort(-exact, kind="stable")[:50].tolist()
        np.testing.assert_allclose(scores, exact[ids], atol=1e-6)
