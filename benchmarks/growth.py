"""Growth benchmark: build, size, query latency, memory and exactness at 1×/10×/100×/1000× the briefing,
for each vector store (FAISS, the default; Milvus Lite).

    python benchmarks/growth.py                           # sizes 1,10,100,1000; Milvus Lite at 1 and 1000 (~10 min)
    python benchmarks/growth.py --sizes 1,10,100          # skip the big one
    python benchmarks/growth.py --milvus-sizes ""         # FAISS only
    python benchmarks/growth.py --backend onnx-int8       # embed the real rows with another backend

How the synthetic corpora are made
----------------------------------
Embedding 1000 × the briefing's rows (passages, sentences and figure cards) with the real model would
take hours on 2 CPU cores, so only the *real* rows are embedded, once:

1. **Real vectors.**  A real :class:`hrss_qa.retrieval.Engine` is built in a temporary index folder
   (the shared ``index/`` is never touched).  Its row vectors are read back from its store, and
   every question of ``eval/questions.jsonl`` is run through ``engine.retrieve`` with a recording proxy
   around the embedder, which captures the exact query texts the engine embeds and their vectors
   (and the real top-5 passages, used below as a sanity check).
2. **Copies.**  Copy 0 is the briefing itself.  Copy ``c ≥ 1`` of each row vector is
   ``normalize(v + ε)``, ``ε ~ N(0, σ² I)``, with σ chosen so that a copy's expected cosine to its
   source is ``--copy-cosine`` (default 0.95, about what e5 gives a re-worded sentence with other
   figures): ``σ = sqrt((1/c² − 1) / dim)``.  So the corpus grows as tight clusters of near-duplicates
   around each real row, a *hard* case for search: the exact top-5 is decided by small differences.
   Copy ``c``'s text is the document with every Han character replaced, with probability
   ``--han-rate`` (0.05), by another Han character of the briefing, and every digit, with
   probability 0.5, by a random digit; passages and sentences are sliced from the perturbed document
   at their real offsets, so they stay consistent.  BM25 therefore sees a growing vocabulary and
   realistic document frequencies rather than 1000 identical copies.
3. **Engine path.**  For each size, in a fresh subprocess (its own RSS), each store is built the way
   :func:`hrss_qa.index.build` builds it (FAISS: ``vectors.npy`` written, memory-mapped back, its scan
   made; Milvus Lite: a collection filled, flushed and loaded in a database in a temporary folder),
   and BM25 is fitted with :class:`hrss_qa.lexical.BM25` on the same texts as ``Engine``.  The engine
   is the real ``Engine`` (its own ``__init__``: BM25 fits, figure extraction, warm-up), with only
   corpus, model and index loading replaced by the synthetic parts; query vectors are looked up from
   step 1.  So ``retrieve`` is the product's: store search, settling of bounded rows, BM25, fusion,
   hits.  At 1× its top-5 must equal the real engine's for every question, or the run stops.

Measured per size and store: store build time (median of ``--build-repeats`` up to 20,000 vectors),
BM25 fit time and the rest of ``Engine.__init__``, size on disk (vectors or database + passage
records), RSS, ``retrieve`` p50/p95 over ``--passes`` passes of the questions (Milvus: one pass) and
each stage's p50 (dense = the store's search for the engine's first depth, lexical = tokenize + BM25,
the rest = settling bounded rows, fusion and hits).  **Exactness**: the store's top-5 rows against
numpy's exact inner products (``recall@5``), and ``retrieve()``'s top-5 passages, in order, against
the same engine given every row's exact score (``retrieve = exact``: share of questions identical; "up to
ties": where two passages' totals differ by less than 1e-5, float32 sums in another order may swap them).

Writes ``benchmarks/results/growth.json`` and ``benchmarks/results/growth.png``.  The machine is
shared: the load average is recorded with every size.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pickle
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
sys.path.insert(0, str(SRC))

RESULTS = ROOT / "benchmarks" / "results"
SEED = 20230424


def load1() -> float:
    return round(os.getloadavg()[0], 2)


def pct(values, q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if len(values) else float("nan")


def rss_mb() -> float:
    import psutil

    return round(psutil.Process().memory_info().rss / 2**20, 1)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# -- step 1: the real vectors ------------------------------------------------------------------

class _Recorder:
    """Wraps an embedder; remembers every query text and its vector."""

    def __init__(self, inner):
        self.inner = inner
        self.table: dict[str, np.ndarray] = {}
        self.calls: list[list[str]] = []

    def encode_queries(self, texts):
        vectors = self.inner.encode_queries(texts)
        self.calls.append(list(texts))
        for text, vec in zip(texts, vectors):
            self.table[text] = np.asarray(vec, np.float32)
        return vectors

    def __getattr__(self, name):
        return getattr(self.inner, name)


def embed_real(out: Path, backend: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="hrss-growth-") as tmp:
        _embed_real(out, backend, Path(tmp))


def _embed_real(out: Path, backend: str | None, tmp: Path) -> None:
    from hrss_qa.evaluation import load_questions
    from hrss_qa.retrieval import Engine

    t0 = time.perf_counter()
    engine = Engine(index_dir=tmp, rebuild=True, backend=backend)
    build_s = time.perf_counter() - t0
    recorder = _Recorder(engine.embedder)
    engine.embedder = recorder
    questions = [q.question for q in load_questions()]
    forms, top5 = [], []
    for q in questions:
        recorder.calls.clear()
        top5.append([h.passage_id for h in engine.retrieve(q, k=5)])
        forms.append([t for call in recorder.calls for t in call])
    store = engine.index.store
    real_vectors = store.vectors(np.arange(store.ntotal))
    # Calibration: how close does the real model put a perturbed copy (step 2's text recipe) to its source?
    from hrss_qa.index import passage_inputs

    data0 = {"passages": engine.passages, "figures": engine.figures, "vectors": real_vectors,
             "doc_texts": {d.doc_id: d.text for d in engine.docs}}
    calibration = {}
    for rate in (0.05, 0.15):
        copy_passages = synthesize(data0, 2, 0.95, rate)[1][len(engine.passages):]
        # Passage and sentence rows (a copy may read another number of figures, so its cards need not pair up).
        n_rows = len(copy_passages) + sum(len(p.sentences) for p in copy_passages)
        rows = engine.embedder.encode_passages(passage_inputs(copy_passages)[:n_rows])
        cosine = (rows * real_vectors[:n_rows]).sum(axis=1)
        calibration[str(rate)] = {"median": round(float(np.median(cosine)), 4), "p10": round(float(np.percentile(cosine, 10)), 4)}
    sims = real_vectors @ real_vectors.T
    np.fill_diagonal(sims, np.nan)
    data = {
        "passages": engine.passages,
        "figures": engine.figures,
        "doc_texts": {d.doc_id: d.text for d in engine.docs},
        "vectors": real_vectors,
        "calibration": {"perturbed_copy_cosine_by_han_rate": calibration,
                        "real_rows_nearest_neighbour_cosine_median": round(float(np.nanmedian(np.nanmax(sims, axis=1))), 4),
                        "real_rows_all_pairs_cosine_median": round(float(np.nanmedian(sims)), 4)},
        "table": recorder.table,
        "questions": questions,
        "forms": forms,
        "top5": top5,
        "embedder": repr(recorder.inner),
        "real_build_s": round(build_s, 2),
    }
    out.write_bytes(pickle.dumps(data))


# -- step 2: a synthetic corpus ----------------------------------------------------------------

def perturb(text: str, rng: np.random.Generator, pool: np.ndarray, han_rate: float) -> str:
    """Same length: some Han characters swapped for others of the briefing, some digits changed."""
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).copy()
    han = (cps >= 0x3400) & (cps <= 0x9FFF)
    swap = han & (rng.random(len(cps)) < han_rate)
    cps[swap] = rng.choice(pool, int(swap.sum()))
    digit = (cps >= 0x30) & (cps <= 0x39)
    change = digit & (rng.random(len(cps)) < 0.5)
    cps[change] = 0x30 + rng.integers(0, 10, int(change.sum()))
    return cps.astype("<u4").tobytes().decode("utf-32-le")


def synthesize(data: dict, copies: int, copy_cosine: float, han_rate: float):
    """Documents, passages and row vectors of ``copies`` copies, in the index's row order: every passage,
    then every sentence, then every figure card (``hrss_qa.index.passage_inputs``).

    A copy's passage may read one figure more or less than its source (a swapped character can make
    or break a unit); its cards are then its source's first cards, or the passage's vector for extra
    ones, so that the rows match the figures the engine extracts.
    """
    from hrss_qa.chunking import Passage, Sentence
    from hrss_qa.corpus import Document
    from hrss_qa.figures import extract_figures

    rng = np.random.default_rng(SEED)
    passages0: list = data["passages"]
    vectors0: np.ndarray = data["vectors"]
    n_p = len(passages0)
    n_s = sum(len(p.sentences) for p in passages0)
    vp0, vs0, vc0 = vectors0[:n_p], vectors0[n_p:n_p + n_s], vectors0[n_p + n_s:]
    first_card0 = np.concatenate([[0], np.cumsum([len(f) for f in data["figures"]])])
    assert first_card0[-1] == len(vc0), "the real rows are not passages, sentences and cards"
    dim = vectors0.shape[1]
    sigma = float(np.sqrt((1 / copy_cosine**2 - 1) / dim))
    pool = np.unique(np.concatenate([
        np.frombuffer(t.encode("utf-32-le"), dtype=np.uint32) for t in data["doc_texts"].values()]))
    pool = pool[(pool >= 0x3400) & (pool <= 0x9FFF)]

    def noisy(block: np.ndarray) -> np.ndarray:
        out = block + rng.normal(0.0, sigma, block.shape).astype(np.float32)
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)

    docs = [Document(doc_id=doc, text=text) for doc, text in data["doc_texts"].items()]
    passages, vp, vs, vc = list(passages0), [vp0], [vs0], [vc0]
    for c in range(1, copies):
        texts = {doc: perturb(text, rng, pool, han_rate) for doc, text in data["doc_texts"].items()}
        docs += [Document(doc_id=f"{doc}~{c}", text=text) for doc, text in texts.items()]
        cards = []
        for i, p in enumerate(passages0):
            doc = texts[p.doc_id]
            passages.append(Passage(
                passage_id=f"{p.passage_id}~{c}", doc_id=f"{p.doc_id}~{c}", section_path=p.section_path,
                item=p.item, text=doc[p.start:p.end], start=p.start, end=p.end,
                sentences=tuple(Sentence(doc[s.start:s.end], s.start, s.end) for s in p.sentences)))
            count = len(extract_figures(doc[p.start:p.end], offset=p.start))
            source = vc0[first_card0[i]:first_card0[i + 1]][:count]
            cards.append(np.concatenate([source, np.repeat(vp0[i:i + 1], count - len(source), axis=0)]))
        vp.append(noisy(vp0))
        vs.append(noisy(vs0))
        vc.append(noisy(np.concatenate(cards)))
    vectors = np.ascontiguousarray(np.concatenate(vp + vs + vc), dtype=np.float32)
    return docs, passages, vectors, sigma


# -- step 3: the engine path -------------------------------------------------------------------

class _LookupEmbedder:
    """Returns the real model's vectors for the query texts recorded in step 1."""

    def __init__(self, table: dict[str, np.ndarray]):
        self.table = table
        self.fallback = np.mean(list(table.values()), axis=0).astype(np.float32)
        self.misses = 0

    def encode_queries(self, texts):
        self.misses += sum(t not in self.table for t in texts)
        return np.stack([self.table.get(t, self.fallback) for t in texts])


class _ExactStore:
    """The reference: numpy's inner product with every row, all rows returned whatever ``k`` is asked."""

    def __init__(self, vectors: np.ndarray):
        self._vectors, self.dim = vectors, vectors.shape[1]

    @property
    def ntotal(self) -> int:
        return len(self._vectors)

    def search(self, query, k, below=None):
        scores = self._vectors[:below] @ np.asarray(query, np.float32)
        order = np.argsort(-scores, kind="stable")
        return scores[order], order

    def scores(self, query, rows):
        return self._vectors[rows] @ np.asarray(query, np.float32)

    def vectors(self, rows):
        return self._vectors[rows]

    def close(self) -> None:
        pass


def _loaded(passages, store):
    from hrss_qa.index import LoadedIndex

    n_sentences = sum(len(p.sentences) for p in passages)
    manifest = SimpleNamespace(n_passages=len(passages), n_sentences=n_sentences,
                               n_cards=store.ntotal - len(passages) - n_sentences,
                               vector_index=getattr(store, "description", "reference"))
    return LoadedIndex(manifest, passages, store)


def make_engine(docs, passages, store, table) -> tuple:
    """A real ``Engine`` (its own ``__init__``, scoring and fusion) on synthetic parts.

    Corpus, model and index loading are replaced (docs, the lookup embedder, the given store);
    everything else ``Engine.__init__`` does runs as in the product: BM25 fits (timed here), figure
    extraction, per-passage arrays, its warm-up query.  Returns the engine, the BM25 seconds and the
    seconds of the rest of ``__init__``.
    """
    from hrss_qa import encoders, retrieval

    embedder = _LookupEmbedder(table)
    real_bm25 = retrieval.BM25
    bm25_seconds = []

    class TimedBM25:
        @staticmethod
        def fit(texts, *args, **kwargs):
            t0 = time.perf_counter()
            model = real_bm25.fit(texts, *args, **kwargs)
            bm25_seconds.append(time.perf_counter() - t0)
            return model

    saved = (retrieval.load_corpus, retrieval.load_or_build, retrieval.BM25, encoders.load_encoder)
    retrieval.load_corpus = lambda *a, **k: docs
    retrieval.load_or_build = lambda *a, **k: _loaded(passages, store)
    retrieval.BM25 = TimedBM25
    encoders.load_encoder = lambda *a, **k: embedder
    try:
        t0 = time.perf_counter()
        engine = retrieval.Engine(index_dir=tempfile.gettempdir())
        total = time.perf_counter() - t0
    finally:
        retrieval.load_corpus, retrieval.load_or_build, retrieval.BM25, encoders.load_encoder = saved
    embedder.misses = 0  # the warm-up query is not one of ours
    return engine, sum(bm25_seconds), total - sum(bm25_seconds)


def build_store(kind: str, vectors: np.ndarray, folder: Path, first_query: np.ndarray):
    """The store as ``index.build`` makes it and a load serves it; returns it and the seconds taken.

    FAISS: rows added, ``vectors.npy`` written, memory-mapped back and its scan made (the first search).
    Milvus Lite: a collection created, filled, flushed and loaded (``persist``), then searched once.
    """
    from hrss_qa.stores import StoreSpec, create_store, load_store

    spec = StoreSpec.resolve(kind, folder)
    t0 = time.perf_counter()
    store = create_store(spec, vectors.shape[1], folder)
    store.add(vectors)
    store.persist(folder)
    if kind == "faiss":
        store.close()
        store = load_store(spec, folder)
    store.search(first_query, 5)
    return store, time.perf_counter() - t0


def disk_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def time_queries(engine, questions: list[str], passes: int) -> tuple[list[float], list[list[tuple[str, float]]]]:
    """Milliseconds per ``retrieve()``, and the first pass's hits as (passage id, fused score)."""
    totals, ids = [], []
    for n in range(passes):
        for q in questions:
            t0 = time.perf_counter()
            hits = engine.retrieve(q, k=5)
            totals.append((time.perf_counter() - t0) * 1000)
            if n == 0:
                ids.append([(h.passage_id, h.score) for h in hits])
    return totals, ids


def stage_times(engine, questions: list[str]) -> dict:
    """Each stage alone, as ``retrieve()`` calls it, one pass: the store's search and BM25."""
    from hrss_qa.retrieval import MAX_QUESTION_CHARS
    from hrss_qa.text import clean

    dense, lexical = [], []
    for q in (clean(q)[:MAX_QUESTION_CHARS].strip() for q in questions):
        t0 = time.perf_counter()
        engine._dense_scores(q)
        t1 = time.perf_counter()
        engine._lexical_scores(q)
        dense.append((t1 - t0) * 1000)
        lexical.append((time.perf_counter() - t1) * 1000)
    return {"dense": round(pct(dense, 50), 2), "lexical": round(pct(lexical, 50), 2)}


TIE = 1e-5
"""Fused totals closer than this are a tie: float32 sums in another order (FAISS, BLAS, einsum) may swap them."""


def same(got: list[tuple[str, float]], want: list[tuple[str, float]], tie: float) -> bool:
    """The same hits in the same order, where a swap of passages whose totals tie does not count."""
    return len(got) == len(want) and all(a == b or abs(x - y) <= tie for (a, x), (b, y) in zip(got, want))


class _Counting:
    """Counts the rows a store is asked to score (the rows retrieval settles beyond its first search)."""

    def __init__(self, store):
        self.store, self.rows, self.calls = store, 0, 0

    def __getattr__(self, name):
        return getattr(self.store, name)

    def scores(self, query, rows):
        self.rows += len(rows)
        self.calls += 1
        return self.store.scores(query, rows)


def measure_store(kind: str, engine, data: dict, passages, vectors, questions, query_vectors, reference_ids,
                  passes: int, build_repeats: int, folder: Path) -> dict:
    """One store at one size: build, size, memory, latency, exactness."""
    out: dict = {"load_start": load1()}
    repeats = build_repeats if len(vectors) <= 20_000 and kind == "faiss" else 1
    build_times, store = [], None
    rss_before = rss_mb()
    for n in range(repeats):
        if store is not None:
            store.close()
            store = None
            gc.collect()
        where = folder / f"{kind}-{n}"
        where.mkdir(parents=True)
        store, seconds = build_store(kind, vectors, where, query_vectors[0])
        build_times.append(seconds)
    gc.collect()
    out["build_s"] = round(statistics.median(build_times), 3)
    out["build_runs"] = [round(x, 3) for x in build_times]
    out["vector_index"] = store.description
    records = json.dumps([p.to_dict() for p in passages], ensure_ascii=False).encode("utf-8")
    vector_bytes = disk_bytes(where)
    out["size_bytes"] = {"vectors": vector_bytes, "records": len(records), "total": vector_bytes + len(records)}
    out["rss_mb"] = {"after_build": rss_mb(), "store_delta": round(rss_mb() - rss_before, 1)}

    counting = _Counting(store)
    engine.index = _loaded(passages, counting)
    for q in questions[:10]:
        engine.retrieve(q, k=5)
    counting.rows = counting.calls = 0
    out["load_before_queries"] = load1()
    totals, ids = time_queries(engine, questions, passes)
    out["retrieve_ms"] = {"p50": round(pct(totals, 50), 2), "p95": round(pct(totals, 95), 2), "calls": len(totals),
                          "pass_p50": [round(pct(totals[i * len(questions):(i + 1) * len(questions)], 50), 2)
                                       for i in range(passes)]}
    out["rows_settled_per_query"] = round(counting.rows / len(totals), 1)
    out["stage_p50_ms"] = stage_times(engine, questions)
    out["stage_p50_ms"]["settle_fusion_hits"] = round(
        max(out["retrieve_ms"]["p50"] - out["stage_p50_ms"]["dense"] - out["stage_p50_ms"]["lexical"], 0.0), 2)
    out["load_after_queries"] = load1()
    out["rss_mb"]["after_queries"] = rss_mb()

    # Exactness: the store's own top 5 against numpy's, and retrieve() against every row scored exactly.
    # Rows with equal vectors (a one-sentence passage and its sentence) tie: a row counts as found when its
    # exact score reaches the exact 5th best.
    exact = query_vectors @ vectors.T
    want = np.argsort(-exact, axis=1, kind="stable")[:, :5]
    got = np.stack([store.search(q, 5)[1] for q in query_vectors])
    fifth = np.take_along_axis(exact, want[:, 4:5], axis=1)
    out["exactness"] = {
        "store_recall_at_5": round(float(np.mean(np.take_along_axis(exact, got, axis=1) >= fifth)), 4),
        "store_recall_at_5_by_id": round(float(np.mean([len(set(a) & set(b)) / 5 for a, b in zip(got, want)])), 4),
        "store_top5_scores_max_abs_diff": round(float(np.max(np.abs(
            np.take_along_axis(exact, got, axis=1) - np.take_along_axis(exact, want, axis=1)))), 7),
        "retrieve_top5_identical": round(float(np.mean([same(a, b, 0.0) for a, b in zip(ids, reference_ids)])), 4),
        "retrieve_top5_identical_up_to_ties": round(float(np.mean([same(a, b, TIE) for a, b in zip(ids, reference_ids)])), 4),
        "retrieve_top5_overlap": round(float(np.mean([len({x for x, _ in a} & {x for x, _ in b}) / 5
                                                      for a, b in zip(ids, reference_ids)])), 4),
        "questions": len(ids),
    }
    store.close()
    return out


def measure_size(data_path: Path, copies: int, passes: int, build_repeats: int, copy_cosine: float,
                 han_rate: float, stores: list[str]) -> dict:
    out: dict = {"copies": copies, "load_start": load1()}
    base_rss = rss_mb()
    data = pickle.loads(data_path.read_bytes())
    t0 = time.perf_counter()
    docs, passages, vectors, sigma = synthesize(data, copies, copy_cosine, han_rate)
    out["synthesize_s"] = round(time.perf_counter() - t0, 2)
    data["n_real_rows"] = len(data.pop("vectors"))
    n_sentences = sum(len(p.sentences) for p in passages)
    out.update(n_passages=len(passages), n_sentences=n_sentences, n_cards=len(vectors) - len(passages) - n_sentences,
               n_vectors=len(vectors), noise_sigma=round(sigma, 5))
    if copies > 1:  # passage rows of copy 1 against the real ones
        n0 = len(data["passages"])
        out["copy_to_source_cosine_median"] = round(float(np.median((vectors[:n0] * vectors[n0:2 * n0]).sum(axis=1))), 4)
    from hrss_qa.figures import extract_figures
    from hrss_qa.lexical import tokenize

    t0 = time.perf_counter()
    tokenize("預熱 warm-up 1-3月")  # jieba's dictionary and OpenCC load once per process: not build time
    extract_figures("1-3月城鎮新增就業297萬人")
    out["tokenizer_init_s"] = round(time.perf_counter() - t0, 2)
    out["rss_mb"] = {"process_start": base_rss, "inputs": rss_mb()}

    # The engine (BM25, figures) once, on the exact reference store; each store is then swapped in.
    reference = _ExactStore(vectors)
    engine, bm25_s, other_s = make_engine(docs, passages, reference, data["table"])
    out["build"] = {"bm25_s": round(bm25_s, 3), "engine_init_other_s": round(other_s, 3)}
    bm25 = [m for m in vars(engine).values() if hasattr(m, "weights") and hasattr(m, "vocab")]
    out["bm25_matrix_bytes"] = int(sum(m.weights.data.nbytes + m.weights.indices.nbytes + m.weights.indptr.nbytes
                                       for m in bm25))
    out["bm25_vocab"] = [len(m.vocab) for m in bm25]
    out["rss_mb"]["engine"] = rss_mb()
    questions = data["questions"]
    reference_ids = [[(h.passage_id, h.score) for h in engine.retrieve(q, k=5)] for q in questions]
    if copies == 1 and [[x for x, _ in a] for a in reference_ids] != data["top5"]:  # must be the real engine's
        bad = next(q for q, a, b in zip(questions, reference_ids, data["top5"]) if [x for x, _ in a] != b)
        raise SystemExit(f"synthetic engine differs from the real one, e.g. on {bad}")
    # The vectors the engine searched with (one query text per question; averaged if it ever embeds more).
    query_vectors = np.stack([np.mean([data["table"][t] for t in forms], axis=0) for forms in data["forms"]])
    query_vectors = (query_vectors / np.linalg.norm(query_vectors, axis=1, keepdims=True)).astype(np.float32)

    out["stores"] = {}
    with tempfile.TemporaryDirectory(prefix="hrss-growth-store-") as tmp:
        for kind in stores:
            out["stores"][kind] = measure_store(kind, engine, data, passages, vectors, questions, query_vectors,
                                                reference_ids, passes if kind == "faiss" else 1, build_repeats,
                                                Path(tmp))
    if engine.embedder.misses:
        raise SystemExit(f"{engine.embedder.misses} query texts were not embedded in step 1: the engine's query forms changed?")
    out["peak_rss_mb"] = peak_rss_mb()
    return out


# -- orchestration -----------------------------------------------------------------------------

def child_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH", "")]))
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    return env


def run_child(args: list[str]) -> str:
    proc = subprocess.run([sys.executable, __file__, *args], env=child_env(), cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


STYLE = {"faiss": ("C0", "o", "FAISS"), "milvus-lite": ("C3", "D", "Milvus Lite")}


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["sizes"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6), dpi=90)
    for kind, (color, marker, label) in STYLE.items():
        have = [r for r in rows if kind in r["stores"]]
        if not have:
            continue
        n = [r["n_vectors"] for r in have]
        st = [r["stores"][kind] for r in have]
        ax = axes[0]
        ax.plot(n, [x["retrieve_ms"]["p50"] for x in st], marker + "-", color=color, lw=2, label=f"{label}: retrieve p50")
        ax.plot(n, [x["retrieve_ms"]["p95"] for x in st], marker + "--", color=color, alpha=0.5, label=f"{label}: p95")
        if kind == "faiss":
            ax.plot(n, [x["stage_p50_ms"]["dense"] for x in st], "s:", color="C1", label="FAISS: store search p50")
            ax.plot(n, [x["stage_p50_ms"]["lexical"] for x in st], "^:", color="C2", label="BM25 p50")
            ax.plot(n, [x["stage_p50_ms"]["settle_fusion_hits"] for x in st], "v:", color="C4",
                    label="settle + fusion + hits p50")
        axes[1].plot(n, [x["size_bytes"]["total"] / 2**20 for x in st], marker + "-", color=color,
                     label=f"{label}: on disk (vectors + records)")
        axes[1].plot(n, [x["rss_mb"]["after_queries"] for x in st], marker + "--", color=color, alpha=0.6,
                     label=f"{label}: process RSS")
        axes[2].plot(n, [max(x["build_s"], 1e-4) for x in st], marker + "-", color=color, label=f"{label}: store build")
    n_all = [r["n_vectors"] for r in rows]
    axes[0].axhline(15, color="grey", ls="--", lw=1)
    axes[0].text(n_all[0], 15, " 15 ms target (1000×)", color="grey", va="bottom", fontsize=8)
    axes[1].plot(n_all, [r["bm25_matrix_bytes"] / 2**20 for r in rows], "^:", color="C2", label="BM25 matrices in memory")
    axes[2].plot(n_all, [r["build"]["bm25_s"] for r in rows], "^-", color="C2", label="BM25 fit (passages + sentences)")
    for ax, title, unit in ((axes[0], "Query latency (query embedding excluded)", "ms per query"),
                            (axes[1], "Memory and index size", "MB"), (axes[2], "Build time", "seconds")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_ylabel(unit)
        ax.set_xlabel("vectors (passages, sentences, figure cards)")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
        for r in rows:
            ax.annotate(f"{r['copies']}×", (r["n_vectors"], ax.get_ylim()[0]), textcoords="offset points",
                        xytext=(0, 3), ha="center", fontsize=8, color="dimgrey")
    exact = all(x["exactness"]["retrieve_top5_identical_up_to_ties"] == 1.0 for r in rows for x in r["stores"].values())
    fig.suptitle(f"hrss-qa growth: synthetic copies of the briefing (load avg {result['load_start'][0]:.1f} → "
                 f"{result['load_end'][0]:.1f} on {result['machine']['cpus']} CPUs; retrieve() "
                 f"{'identical to' if exact else 'NOT identical to'} exact scoring at every size, up to float ties)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def print_table(result: dict) -> None:
    print(f"\nload average at start {result['load_start'][0]:.2f}, at end {result['load_end'][0]:.2f} "
          f"({result['machine']['cpus']} CPUs); query embedding excluded; copies at cosine ≈ {result['settings']['copy_cosine']}")
    head = ("size", "vectors", "store", "store build s", "BM25 fit s", "on disk MB", "retrieve p50/p95 ms",
            "search/BM25/rest p50 ms", "rows settled/q", "RSS MB (store)", "recall@5", "retrieve = exact (up to ties)", "load")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in result["sizes"]:
        for kind, x in r["stores"].items():
            st, ex = x["stage_p50_ms"], x["exactness"]
            print(f"| {r['copies']}× | {r['n_vectors']:,} | {x['vector_index'].split(', collection')[0]} | "
                  f"{x['build_s']:.3f} | {r['build']['bm25_s']:.2f} | {x['size_bytes']['total'] / 2**20:.1f} | "
                  f"{x['retrieve_ms']['p50']:.1f} / {x['retrieve_ms']['p95']:.1f} | "
                  f"{st['dense']:.1f} / {st['lexical']:.1f} / {st['settle_fusion_hits']:.1f} | {x['rows_settled_per_query']:.0f} | "
                  f"{x['rss_mb']['after_queries']:.0f} (+{x['rss_mb']['store_delta']:.0f}) | {ex['store_recall_at_5']:.3f} | {ex['retrieve_top5_identical']:.3f} ({ex['retrieve_top5_identical_up_to_ties']:.3f}) | "
                  f"{x['load_start']:.1f}–{x['load_after_queries']:.1f} |")
    cal = result["real"]["calibration"]
    print(f"\ncalibration: the real model puts a perturbed copy at cosine {cal['perturbed_copy_cosine_by_han_rate']} to its "
          f"source; real rows' nearest neighbour {cal['real_rows_nearest_neighbour_cosine_median']}, all pairs "
          f"{cal['real_rows_all_pairs_cosine_median']} (medians)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10,100,1000", help="copies of the briefing, comma-separated")
    parser.add_argument("--milvus-sizes", default="1,1000", help="sizes also measured on Milvus Lite ('' for none)")
    parser.add_argument("--passes", type=int, default=3, help="passes over the question set per size (FAISS)")
    parser.add_argument("--build-repeats", type=int, default=3, help="FAISS builds per size (1 above 20,000 vectors)")
    parser.add_argument("--copy-cosine", type=float, default=0.95, help="expected cosine of a copy to its source")
    parser.add_argument("--han-rate", type=float, default=0.05, help="share of Han characters replaced in a copy")
    parser.add_argument("--backend", help="embedding backend for the real rows (default: $HRSS_QA_BACKEND / the product's)")
    parser.add_argument("--out", type=Path, default=RESULTS / "growth.json")
    parser.add_argument("--png", type=Path, default=RESULTS / "growth.png")
    parser.add_argument("--replot", action="store_true", help="only redraw --png from an existing --out")
    parser.add_argument("--embed-to", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--stores", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.embed_to:
        embed_real(args.embed_to, args.backend)
        return
    if args.replot:
        plot(json.loads(args.out.read_text(encoding="utf-8")), args.png)
        return
    if args.size:
        print("SIZE " + json.dumps(measure_size(args.data, args.size, args.passes, args.build_repeats, args.copy_cosine,
                                                args.han_rate, args.stores.split(","))), flush=True)
        return

    started = time.perf_counter()
    milvus_sizes = {int(x) for x in args.milvus_sizes.split(",") if x.strip()}
    result = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "load_start": list(os.getloadavg()),
        "settings": {"passes": args.passes, "build_repeats": args.build_repeats, "copy_cosine": args.copy_cosine,
                     "han_rate": args.han_rate, "seed": SEED},
    }
    with tempfile.TemporaryDirectory(prefix="hrss-growth-") as tmp:
        data_path = Path(tmp) / "real.pkl"
        print(f"embedding the real rows and questions (load {load1()})", flush=True)
        t0 = time.perf_counter()
        run_child(["--embed-to", str(data_path)] + (["--backend", args.backend] if args.backend else []))
        real = pickle.loads(data_path.read_bytes())
        result["real"] = {"embedder": real["embedder"], "rows": int(len(real["vectors"])),
                          "calibration": real["calibration"],
                          "questions": len(real["questions"]), "seconds": round(time.perf_counter() - t0, 1)}
        del real
        result["sizes"] = []
        for copies in [int(s) for s in args.sizes.split(",")]:
            stores = ["faiss"] + (["milvus-lite"] if copies in milvus_sizes else [])
            print(f"{copies}×: {', '.join(stores)} (load {load1()})", flush=True)
            t0 = time.perf_counter()
            out = run_child(["--size", str(copies), "--data", str(data_path), "--passes", str(args.passes),
                             "--build-repeats", str(args.build_repeats), "--copy-cosine", str(args.copy_cosine),
                             "--han-rate", str(args.han_rate), "--stores", ",".join(stores)])
            row = json.loads(next(ln for ln in out.splitlines() if ln.startswith("SIZE "))[5:])
            row["wall_s"] = round(time.perf_counter() - t0, 1)
            result["sizes"].append(row)
    result["load_end"] = list(os.getloadavg())
    result["total_s"] = round(time.perf_counter() - started, 1)
    print_table(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    plot(result, args.png)
    print(f"wrote {args.out} and {args.png} in {result['total_s']:.0f} s")


if __name__ == "__main__":
    main()
