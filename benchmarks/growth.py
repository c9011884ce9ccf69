"""Growth benchmark: index build, size, query latency, memory and HNSW recall at 10×/100×/1000× the briefing.

    python benchmarks/growth.py                       # sizes 1,10,100,1000 (about 5–10 min on 2 cores)
    python benchmarks/growth.py --sizes 1,10,100      # skip the big one
    python benchmarks/growth.py --backend onnx-int8   # embed the real rows with another backend

How the synthetic corpora are made
----------------------------------
Embedding 1000 × the briefing's 148 rows (passages + sentences) with the real model would take
hours on 2 CPU cores, so only the *real* rows are embedded, once:

1. **Real vectors.**  A real :class:`hrss_qa.retrieval.Engine` is built in a temporary index folder
   (the shared ``index/`` is never touched).  Its 148 row vectors are read back from FAISS, and every
   question of ``eval/questions.jsonl`` is run through ``engine.retrieve`` with a recording proxy
   around the embedder, which captures the exact query texts the engine embeds and their vectors
   (and the real top-5 passages, used below as a sanity check).
2. **Copies.**  Copy 0 is the briefing itself.  Copy ``c ≥ 1`` of each row vector is
   ``normalize(v + ε)``, ``ε ~ N(0, σ² I)``, with σ chosen so that a copy's expected cosine to its
   source is ``--copy-cosine`` (default 0.95, about what e5 gives a re-worded sentence with other
   figures): ``σ = sqrt((1/c² − 1) / dim)``.  So the corpus grows as tight clusters of near-duplicates
   around each real row, which is a *hard* case for approximate search (the exact top-5 is decided
   by small differences).
   Copy ``c``'s text is the document with every Han character replaced, with probability
   ``--han-rate`` (0.05), by another Han character of the briefing, and every digit, with
   probability 0.5, by a random digit; passages and sentences are sliced from the perturbed document
   at their real offsets, so they stay consistent.  BM25 therefore sees a growing vocabulary and
   realistic document frequencies rather than 1000 identical copies.
3. **Engine path.**  For each size, in a fresh subprocess (its own RSS), the FAISS index is made with
   :func:`hrss_qa.index.make_faiss_index` (exact ``IndexFlatIP`` up to ``index.APPROXIMATE_ABOVE``
   vectors, HNSW above) and BM25 with :class:`hrss_qa.lexical.BM25` on the same texts as ``Engine``.
   The engine is the real ``Engine`` (its own ``__init__``: BM25 fits, figure extraction, warm-up),
   with only corpus, model and index loading replaced by the synthetic parts; query vectors are
   looked up from step 1.  So ``retrieve`` is the product's: FAISS search + BM25 + fusion + hits.
   At 1× its top-5 must equal the real engine's for every question, or the run stops.

Measured per size: FAISS build and BM25 fit time, and the rest of ``Engine.__init__`` (mostly
figure extraction), medians of ``--build-repeats`` (once above 20,000 vectors), index size (serialized FAISS + passage records as ``index.build`` writes them), RSS,
``retrieve`` p50/p95 over ``--passes`` passes of the questions plus each stage's p50
(dense = FAISS search, lexical = tokenize + BM25, fusion = the rest).  For an approximate index:
recall@5 against exact search (``IndexFlatIP`` on the same vectors) on the real question vectors,
both for ``search(k=5)`` and for the engine's own deep search (top 5 of its ``search`` depth), and
the overlap of ``retrieve()``'s top-5 passages with an exact index's.

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
    from hrss_qa.evaluation import load_questions
    from hrss_qa.retrieval import Engine

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hrss-growth-") as tmp:
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
    index = engine.index.faiss
    real_vectors = index.reconstruct_n(0, index.ntotal)
    # Calibration: how close does the real model put a perturbed copy (step 2's text recipe) to its source?
    from hrss_qa.index import passage_inputs

    data0 = {"passages": engine.passages, "figures": engine.figures, "vectors": real_vectors,
             "doc_texts": {d.doc_id: d.text for d in engine.docs}}
    calibration = {}
    for rate in (0.05, 0.15):
        copy_passages = synthesize(data0, 2, 0.95, rate)[1][len(engine.passages):]
        cosine = (engine.embedder.encode_passages(passage_inputs(copy_passages)) * real_vectors).sum(axis=1)
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
    """Documents, passages and row vectors (passages first, then sentences) of ``copies`` copies."""
    from hrss_qa.chunking import Passage, Sentence
    from hrss_qa.corpus import Document

    rng = np.random.default_rng(SEED)
    passages0: list = data["passages"]
    vectors0: np.ndarray = data["vectors"]
    n_p = len(passages0)
    vp0, vs0 = vectors0[:n_p], vectors0[n_p:]
    dim = vectors0.shape[1]
    sigma = float(np.sqrt((1 / copy_cosine**2 - 1) / dim))
    pool = np.unique(np.concatenate([
        np.frombuffer(t.encode("utf-32-le"), dtype=np.uint32) for t in data["doc_texts"].values()]))
    pool = pool[(pool >= 0x3400) & (pool <= 0x9FFF)]

    docs = [Document(doc_id=doc, text=text) for doc, text in data["doc_texts"].items()]
    passages, vp, vs = list(passages0), [vp0], [vs0]
    for c in range(1, copies):
        texts = {doc: perturb(text, rng, pool, han_rate) for doc, text in data["doc_texts"].items()}
        docs += [Document(doc_id=f"{doc}~{c}", text=text) for doc, text in texts.items()]
        for p in passages0:
            doc = texts[p.doc_id]
            passages.append(Passage(
                passage_id=f"{p.passage_id}~{c}", doc_id=f"{p.doc_id}~{c}", section_path=p.section_path,
                item=p.item, text=doc[p.start:p.end], start=p.start, end=p.end,
                sentences=tuple(Sentence(doc[s.start:s.end], s.start, s.end) for s in p.sentences)))
        for block, out in ((vp0, vp), (vs0, vs)):
            noisy = block + rng.normal(0.0, sigma, block.shape).astype(np.float32)
            noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
            out.append(noisy.astype(np.float32))
    vectors = np.ascontiguousarray(np.concatenate(vp + vs), dtype=np.float32)
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


def make_engine(docs, passages, faiss_index, table) -> tuple:
    """A real ``Engine`` (its own ``__init__``, scoring and fusion) on synthetic parts.

    Corpus, model and index loading are replaced (docs, the lookup embedder, the given FAISS index);
    everything else ``Engine.__init__`` does runs as in the product: BM25 fits (timed here), figure
    extraction, per-passage arrays, its warm-up query.  Returns the engine, the BM25 seconds and the
    seconds of the rest of ``__init__``.
    """
    from hrss_qa import encoders, retrieval
    from hrss_qa.index import LoadedIndex

    n_sentences = sum(len(p.sentences) for p in passages)
    manifest = SimpleNamespace(n_passages=len(passages), n_sentences=n_sentences, faiss_kind=type(faiss_index).__name__)
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
    retrieval.load_or_build = lambda *a, **k: LoadedIndex(manifest, passages, faiss_index)
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


def measure_size(data_path: Path, copies: int, passes: int, build_repeats: int, copy_cosine: float,
                 han_rate: float, approximate_above: int | None = None) -> dict:
    import faiss

    from hrss_qa import index as index_mod

    if approximate_above is not None:  # exploring other thresholds; the product's value is the default
        index_mod.APPROXIMATE_ABOVE = approximate_above

    out: dict = {"copies": copies, "load_start": load1()}
    base_rss = rss_mb()
    data = pickle.loads(data_path.read_bytes())
    t0 = time.perf_counter()
    docs, passages, vectors, sigma = synthesize(data, copies, copy_cosine, han_rate)
    out["synthesize_s"] = round(time.perf_counter() - t0, 2)
    data["n_real_rows"] = len(data.pop("vectors"))
    out.update(n_passages=len(passages), n_sentences=len(vectors) - len(passages), n_vectors=len(vectors),
               noise_sigma=round(sigma, 5))
    if copies > 1:  # passage rows of copy 1 against the real ones
        n0 = len(data["passages"])
        out["copy_to_source_cosine_median"] = round(float(np.median((vectors[:n0] * vectors[n0:2 * n0]).sum(axis=1))), 4)
    from hrss_qa.figures import extract_figures
    from hrss_qa.lexical import tokenize

    t0 = time.perf_counter()
    tokenize("預熱 warm-up 1-3月")  # jieba's dictionary and OpenCC load once per process: not build time
    extract_figures("1-3月城鎮新增就業297萬人")
    out["tokenizer_init_s"] = round(time.perf_counter() - t0, 2)
    gc.collect()
    rss_inputs = rss_mb()
    repeats = build_repeats if len(vectors) <= 20_000 else 1
    faiss_times, bm25_times, other_times = [], [], []
    fidx = engine = None
    for _ in range(repeats):
        fidx = engine = None
        gc.collect()
        t0 = time.perf_counter()
        fidx = index_mod.make_faiss_index(vectors)
        faiss_times.append(time.perf_counter() - t0)
        engine, bm25_s, other_s = make_engine(docs, passages, fidx, data["table"])
        bm25_times.append(bm25_s)
        other_times.append(other_s)
    gc.collect()
    out["build"] = {"faiss_s": round(statistics.median(faiss_times), 3), "bm25_s": round(statistics.median(bm25_times), 3),
                    "engine_init_other_s": round(statistics.median(other_times), 3), "repeats": repeats,
                    "faiss_runs": [round(x, 3) for x in faiss_times], "bm25_runs": [round(x, 3) for x in bm25_times]}
    out["faiss_kind"] = type(fidx).__name__
    out["approximate_above"] = index_mod.APPROXIMATE_ABOVE
    blob = faiss.serialize_index(fidx)
    records = json.dumps([p.to_dict() for p in passages], ensure_ascii=False).encode("utf-8")
    out["size_bytes"] = {"faiss": int(blob.nbytes), "records": len(records), "total": int(blob.nbytes) + len(records)}
    bm25 = [m for m in vars(engine).values() if hasattr(m, "weights") and hasattr(m, "vocab")]
    out["bm25_matrix_bytes"] = int(sum(m.weights.data.nbytes + m.weights.indices.nbytes + m.weights.indptr.nbytes for m in bm25))
    out["bm25_vocab"] = [len(m.vocab) for m in bm25]
    if hasattr(fidx, "hnsw"):
        back = faiss.deserialize_index(blob)
        out["hnsw"] = {"M": fidx.hnsw.nb_neighbors(1), "efConstruction": fidx.hnsw.efConstruction,
                       "efSearch": fidx.hnsw.efSearch, "efSearch_after_reload": back.hnsw.efSearch}
        del back
    del blob, records
    gc.collect()
    rss_built = rss_mb()
    out["rss_mb"] = {"process_start": base_rss, "inputs": rss_inputs, "after_build": rss_built,
                     "index_delta": round(rss_built - rss_inputs, 1)}

    questions = data["questions"]
    if copies == 1:  # the synthetic path must reproduce the real engine exactly
        mismatch = [q for q, want in zip(questions, data["top5"])
                    if [h.passage_id for h in engine.retrieve(q, k=5)] != want]
        out["matches_real_engine"] = not mismatch
        if mismatch:
            raise SystemExit(f"synthetic engine differs from the real one on {len(mismatch)} questions, e.g. {mismatch[0]}")
    for q in questions[:10]:
        engine.retrieve(q, k=5)
    out["load_before_queries"] = load1()
    totals, ids = [], []
    for n in range(passes):
        for q in questions:
            t0 = time.perf_counter()
            hits = engine.retrieve(q, k=5)
            totals.append((time.perf_counter() - t0) * 1000)
            if n == 0:
                ids.append([h.passage_id for h in hits])
    from hrss_qa.retrieval import MAX_QUESTION_CHARS
    from hrss_qa.text import clean

    dense, lexical, dense_1t = [], [], []
    threads = faiss.omp_get_max_threads()
    out["faiss_omp_threads"] = threads
    for q in (clean(q)[:MAX_QUESTION_CHARS].strip() for q in questions):  # each stage alone (as retrieve() calls it), one pass
        t0 = time.perf_counter()
        engine._dense_scores(q)
        t1 = time.perf_counter()
        engine._lexical_scores(q)
        t2 = time.perf_counter()
        faiss.omp_set_num_threads(1)  # what FAISS costs when it is held to one thread, like torch is
        t3 = time.perf_counter()
        engine._dense_scores(q)
        dense_1t.append((time.perf_counter() - t3) * 1000)
        faiss.omp_set_num_threads(threads)
        dense.append((t1 - t0) * 1000)
        lexical.append((t2 - t1) * 1000)
    out["load_after_queries"] = load1()
    if engine.embedder.misses:
        raise SystemExit(f"{engine.embedder.misses} query texts were not embedded in step 1: the engine's query forms changed?")
    p50 = pct(totals, 50)
    out["retrieve_ms"] = {"p50": round(p50, 2), "p95": round(pct(totals, 95), 2), "calls": len(totals),
                          "pass_p50": [round(pct(totals[i * len(questions):(i + 1) * len(questions)], 50), 2)
                                       for i in range(passes)]}
    out["stage_p50_ms"] = {"dense": round(pct(dense, 50), 2), "lexical": round(pct(lexical, 50), 2),
                           "dense_faiss_1_thread": round(pct(dense_1t, 50), 2),
                           "fusion_and_hits": round(max(p50 - pct(dense, 50) - pct(lexical, 50), 0.0), 2)}

    if hasattr(fidx, "hnsw"):
        out["recall"] = recall(engine, fidx, vectors, data, questions, ids, len(passages), copies)
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def recall(engine, fidx, vectors, data, questions, hnsw_ids, n_passages, copies) -> dict:
    """HNSW against exact search on the same vectors, for the real question vectors.

    ``recall_at_5`` is the usual one: |HNSW top-5 ∩ exact top-5| / 5 by vector id.  Because the
    copies of a row are near-duplicates whose order is decided by the noise, also reported:
    ``source_recall_at_5`` (ids mapped to the real row they were copied from), the mean cosine lost
    (exact top-5 mean − HNSW top-5 mean) and the same for ``retrieve()``'s passages.
    """
    import faiss

    queries = []
    for forms in data["forms"]:
        q = np.stack([data["table"][t] for t in forms]).astype(np.float32).mean(axis=0)
        queries.append(q / max(float(np.linalg.norm(q)), 1e-12))
    queries = np.ascontiguousarray(np.stack(queries), dtype=np.float32)
    n0p = len(data["passages"])
    n0s = data["n_real_rows"] - n0p
    source = np.concatenate([np.tile(np.arange(n0p), copies), n0p + np.tile(np.arange(n0s), copies)])
    assert len(source) == len(vectors) and n_passages == n0p * copies
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    want_d, want = exact.search(queries, 5)

    def compare(got_d, got) -> dict:
        return {
            "recall_at_5": round(float(np.mean([len(set(a) & set(b)) / 5 for a, b in zip(got, want)])), 4),
            "worst_query_recall": round(float(min(len(set(a) & set(b)) / 5 for a, b in zip(got, want))), 2),
            "source_recall_at_5": round(float(np.mean([len(set(source[a]) & set(source[b])) / len(set(source[b]))
                                                        for a, b in zip(got, want)])), 4),
            "top1_same_source": round(float(np.mean(source[got[:, 0]] == source[want[:, 0]])), 4),
            "mean_cosine_lost": round(float(np.mean(want_d.mean(axis=1) - got_d.mean(axis=1))), 5),
        }

    out = {"n_queries": len(queries)}
    base_ef = fidx.hnsw.efSearch
    sweep = {}
    for ef in sorted({base_ef, 256, 512, 1024}):
        fidx.hnsw.efSearch = ef
        t0 = time.perf_counter()
        for q in queries:
            got_d, got = fidx.search(q[None, :], 5)
        ms = (time.perf_counter() - t0) * 1000 / len(queries)
        got_d, got = fidx.search(queries, 5)
        sweep[str(ef)] = {**compare(got_d, got), "search_ms_per_query": round(ms, 3)}
    fidx.hnsw.efSearch = base_ef
    out.update(sweep[str(base_ef)])
    out["efSearch"] = base_ef
    out["efSearch_sweep"] = sweep
    depth = 1024  # what Engine._dense_scores asks for above 4096 vectors
    deep_d, deep = fidx.search(queries, depth)
    out["engine_depth"] = {"k": depth, "rows_returned_mean": round(float((deep >= 0).sum(axis=1).mean()), 1),
                           **compare(deep_d[:, :5], deep[:, :5])}

    # retrieve()'s top-5 passages with the exact index instead of HNSW
    engine.index.faiss = exact
    exact_ids, exact_ms = [], []
    for q in questions:
        t0 = time.perf_counter()
        exact_ids.append([h.passage_id for h in engine.retrieve(q, k=5)])
        exact_ms.append((time.perf_counter() - t0) * 1000)
    engine.index.faiss = fidx

    def real_id(pid: str) -> str:
        return pid.split("~")[0]

    out["retrieve_vs_exact"] = {
        "top5_overlap": round(float(np.mean([len(set(a) & set(b)) / 5 for a, b in zip(hnsw_ids, exact_ids)])), 4),
        "top1_same": round(float(np.mean([a[:1] == b[:1] for a, b in zip(hnsw_ids, exact_ids)])), 4),
        "top1_same_source_passage": round(float(np.mean([real_id(a[0]) == real_id(b[0]) for a, b in zip(hnsw_ids, exact_ids)])), 4),
        "exact_retrieve_ms": {"p50": round(pct(exact_ms, 50), 2), "p95": round(pct(exact_ms, 95), 2)},
    }
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


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["sizes"]
    n = [r["n_vectors"] for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6), dpi=90)
    ax = axes[0]
    ax.plot(n, [r["retrieve_ms"]["p50"] for r in rows], "o-", color="C0", lw=2, label="retrieve p50")
    ax.plot(n, [r["retrieve_ms"]["p95"] for r in rows], "o--", color="C0", alpha=0.6, label="retrieve p95")
    ax.plot(n, [r["stage_p50_ms"]["dense"] for r in rows], "s:", color="C1", label="dense (FAISS) p50")
    ax.plot(n, [r["stage_p50_ms"]["dense_faiss_1_thread"] for r in rows], "s-", color="C1", alpha=0.35,
            label="dense, FAISS on 1 thread")
    ax.plot(n, [r["stage_p50_ms"]["lexical"] for r in rows], "^:", color="C2", label="lexical (BM25) p50")
    ax.plot(n, [r["stage_p50_ms"]["fusion_and_hits"] for r in rows], "d:", color="C3", label="fusion + hits p50")
    ax.set_yscale("log")
    ax.set_ylabel("ms per query (query embedding excluded)")
    ax.set_title("Query latency")
    ax = axes[1]
    ax.plot(n, [r["rss_mb"]["after_build"] for r in rows], "o-", color="C4", lw=2, label="process RSS after build")
    ax.plot(n, [r["peak_rss_mb"] for r in rows], "o--", color="C4", alpha=0.6, label="peak RSS")
    ax.plot(n, [r["size_bytes"]["total"] / 2**20 for r in rows], "s-", color="C5", label="index on disk (FAISS + records)")
    ax.plot(n, [r["bm25_matrix_bytes"] / 2**20 for r in rows], "^:", color="C2", label="BM25 matrices in memory")
    ax.set_yscale("log")
    ax.set_ylabel("MB")
    ax.set_title("Memory and index size")
    ax = axes[2]
    ax.plot(n, [max(r["build"]["faiss_s"], 1e-4) for r in rows], "o-", color="C1", label="FAISS index build (≥ 0.1 ms shown)")
    ax.plot(n, [r["build"]["bm25_s"] for r in rows], "s-", color="C2", label="BM25 fit (passages + sentences)")
    ax.set_yscale("log")
    ax.set_ylabel("seconds")
    ax.set_title("Build time")
    thr = result["approximate_above"]
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("vectors (passages + sentences)")
        ax.axvline(thr, color="grey", ls="--", lw=1)
        ax.text(thr, ax.get_ylim()[1], " HNSW above", color="grey", va="top", fontsize=8)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8, loc="lower right" if ax is axes[1] else "upper left",
                  bbox_to_anchor=None if ax is axes[1] else (0.0, 0.93))
        for r in rows:
            ax.annotate(f"{r['copies']}×", (r["n_vectors"], ax.get_ylim()[0]), textcoords="offset points",
                        xytext=(0, 3), ha="center", fontsize=8, color="dimgrey")
    rec = next((r["recall"] for r in rows if "recall" in r), None)
    note = f"; HNSW recall@5 vs exact {rec['recall_at_5']:.2f} at efSearch {rec['efSearch']}" if rec else ""
    fig.suptitle(f"hrss-qa growth: synthetic copies of the briefing (load avg {result['load_start'][0]:.1f} on "
                 f"{result['machine']['cpus']} CPUs{note})", fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def print_table(result: dict) -> None:
    print(f"\nload average at start {result['load_start'][0]:.2f}, at end {result['load_end'][0]:.2f} "
          f"({result['machine']['cpus']} CPUs); query embedding excluded; copies at cosine ≈ {result['settings']['copy_cosine']}")
    head = ("size", "vectors", "index", "FAISS build s", "BM25 build s", "index MB", "retrieve p50/p95 ms",
            "dense/lexical/fusion p50 ms", "RSS MB", "recall@5", "load")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in result["sizes"]:
        rec = r.get("recall")
        s = r["stage_p50_ms"]
        recall_text = f"{rec['recall_at_5']:.3f}" if rec else "exact"
        print(f"| {r['copies']}× | {r['n_vectors']:,} | {r['faiss_kind']} | {r['build']['faiss_s']:.3f} | "
              f"{r['build']['bm25_s']:.2f} | {r['size_bytes']['total'] / 2**20:.1f} | "
              f"{r['retrieve_ms']['p50']:.1f} / {r['retrieve_ms']['p95']:.1f} | "
              f"{s['dense']:.1f} / {s['lexical']:.1f} / {s['fusion_and_hits']:.1f} | "
              f"{r['rss_mb']['after_build']:.0f} | {recall_text} | {r['load_start']:.1f}–{r['load_after_queries']:.1f} |")
    for r in result["sizes"]:
        if "recall" in r:
            rec = r["recall"]
            print(f"\n{r['copies']}× {r['faiss_kind']} {r.get('hnsw')}: recall@5 vs exact (IndexFlatIP) over "
                  f"{rec['n_queries']} real questions")
            print("| efSearch | recall@5 | worst query | source-row recall@5 | top-1 same source | cosine lost | ms/query |")
            print("|---|---|---|---|---|---|---|")
            for ef, x in rec["efSearch_sweep"].items():
                print(f"| {ef}{' (index default)' if int(ef) == rec['efSearch'] else ''} | {x['recall_at_5']:.3f} | "
                      f"{x['worst_query_recall']:.1f} | {x['source_recall_at_5']:.3f} | {x['top1_same_source']:.3f} | "
                      f"{x['mean_cosine_lost']:.4f} | {x['search_ms_per_query']:.2f} |")
            d, rv = rec["engine_depth"], rec["retrieve_vs_exact"]
            print(f"engine's search (k={d['k']}): {d['rows_returned_mean']:.0f} rows returned on average, top-5 recall "
                  f"{d['recall_at_5']:.3f}; retrieve() top-5 overlap with an exact index {rv['top5_overlap']:.3f}, same top-1 "
                  f"{rv['top1_same']:.3f} (same source passage {rv['top1_same_source_passage']:.3f}); exact retrieve p50 "
                  f"{rv['exact_retrieve_ms']['p50']} ms")
    cal = result["real"]["calibration"]
    print(f"\ncalibration: the real model puts a perturbed copy at cosine {cal['perturbed_copy_cosine_by_han_rate']} to its "
          f"source; real rows' nearest neighbour {cal['real_rows_nearest_neighbour_cosine_median']}, all pairs "
          f"{cal['real_rows_all_pairs_cosine_median']} (medians)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10,100,1000", help="copies of the briefing, comma-separated")
    parser.add_argument("--passes", type=int, default=3, help="passes over the question set per size")
    parser.add_argument("--build-repeats", type=int, default=3, help="builds per size (1 above 20,000 vectors)")
    parser.add_argument("--copy-cosine", type=float, default=0.95, help="expected cosine of a copy to its source")
    parser.add_argument("--han-rate", type=float, default=0.05, help="share of Han characters replaced in a copy")
    parser.add_argument("--backend", help="embedding backend for the real rows (default: $HRSS_QA_BACKEND / the product's)")
    parser.add_argument("--approximate-above", type=int,
                        help="override index.APPROXIMATE_ABOVE for this run (default: the product's)")
    parser.add_argument("--out", type=Path, default=RESULTS / "growth.json")
    parser.add_argument("--png", type=Path, default=RESULTS / "growth.png")
    parser.add_argument("--replot", action="store_true", help="only redraw --png from an existing --out")
    parser.add_argument("--embed-to", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.embed_to:
        embed_real(args.embed_to, args.backend)
        return
    if args.replot:
        plot(json.loads(args.out.read_text(encoding="utf-8")), args.png)
        return
    if args.size:
        print("SIZE " + json.dumps(measure_size(args.data, args.size, args.passes, args.build_repeats,
                                                args.copy_cosine, args.han_rate, args.approximate_above)), flush=True)
        return

    started = time.perf_counter()
    result = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "load_start": list(os.getloadavg()),
        "settings": {"passes": args.passes, "build_repeats": args.build_repeats, "copy_cosine": args.copy_cosine,
                     "han_rate": args.han_rate, "seed": SEED},
    }
    from hrss_qa import index as index_mod

    result["approximate_above"] = args.approximate_above or index_mod.APPROXIMATE_ABOVE
    result["approximate_above_is_product_default"] = args.approximate_above in (None, index_mod.APPROXIMATE_ABOVE)
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
            print(f"{copies}× (load {load1()})", flush=True)
            t0 = time.perf_counter()
            out = run_child(["--size", str(copies), "--data", str(data_path), "--passes", str(args.passes),
                             "--build-repeats", str(args.build_repeats), "--copy-cosine", str(args.copy_cosine),
                             "--han-rate", str(args.han_rate)]
                            + (["--approximate-above", str(args.approximate_above)] if args.approximate_above else []))
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
