"""Index stage: passage and sentence vectors in FAISS, the passage records and a manifest.

Layout of an index folder (an :class:`~hrss_qa.artifacts.Artifact`)::

    index/
      manifest.json     what built it (model, dim, corpus hash, chunker version, time) + file checksums
      passages.json     the Passage records, in vector order
      vectors.faiss     one vector per passage, then one per sentence, then one per figure card
      .lock             held while building

Like every artifact, it is built under the lock in a temporary folder and published with its
manifest last, so a load sees a complete index or a mismatch it can name (missing file, checksum,
other model, other corpus), never a silently half-written one; two processes building at once
serialize on the lock.  Before an index is served, its records must also equal a fresh chunking of
the corpus and a few of its vectors must match a fresh embedding of their rows, so records and
vectors that do not belong together are rebuilt even when the checksums agree.

>>> from hrss_qa.engine import default_engine
>>> engine = default_engine()
>>> idx = load_or_build(engine.settings.index_dir, engine.docs, engine.embedder)   # current: loaded, not rebuilt
>>> idx.faiss.ntotal == len(idx.passages) + idx.n_sentences + idx.n_cards
True
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import faiss

# One thread: the query path is single-threaded elsewhere, and on a shared 2-core machine
# FAISS's OpenMP threads slowed the 100× benchmark's search threefold (benchmarks/README.md).
faiss.omp_set_num_threads(1)
import numpy as np

from .artifacts import Artifact
from .cards import CARD_VERSION, passage_cards
from .chunking import CHUNKER_VERSION, Passage, chunk_corpus
from .corpus import Document, corpus_fingerprint

log = logging.getLogger(__name__)

FORMAT_VERSION = 2  # 2: figure-card rows after the sentence rows
MANIFEST = "manifest.json"
PASSAGES = "passages.json"
VECTORS = "vectors.faiss"
# Above this many vectors, exact search gives way to HNSW (see benchmarks/growth.py).
APPROXIMATE_ABOVE = 50_000
# At load, a few vector rows are re-embedded; below this cosine the vectors are not these records'.
SPOT_CHECK_MIN_COSINE = 0.99


class IndexUnavailableError(RuntimeError):
    """The index cannot be served and cannot be (re)built where it is asked to live."""


@dataclass(frozen=True)
class Manifest:
    format_version: int
    model: str
    model_fingerprint: str
    dim: int
    corpus_fingerprint: str
    chunker_version: str
    built_at: str
    n_passages: int
    n_sentences: int
    n_cards: int
    card_version: str
    faiss_kind: str
    build_seconds: float
    files: dict

    @classmethod
    def from_dict(cls, data: dict) -> "Manifest":
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


@dataclass
class LoadedIndex:
    """What retrieval needs: the records, the FAISS index and how it was built."""

    manifest: Manifest
    passages: list[Passage]
    faiss: faiss.Index

    @property
    def n_sentences(self) -> int:
        return self.manifest.n_sentences

    @property
    def n_cards(self) -> int:
        return self.manifest.n_cards


def passage_inputs(passages: list[Passage]) -> list[str]:
    """The texts embedded for each vector row: passages, all their sentences, then a card per
    figure (:mod:`hrss_qa.cards`), passage by passage.

    Each is prefixed with its section heading words so that a sentence keeps its topic.
    """
    rows = [f"{p.context}：{p.text}" for p in passages]
    rows += [f"{p.context}：{s.text}" for p in passages for s in p.sentences]
    rows += [card.text for p in passages for card in passage_cards(p)]
    return rows


def cards_fingerprint(passages: list[Passage]) -> str:
    """SHA-256 of every figure card's text: a change in figure reading changes the card rows."""
    digest = hashlib.sha256()
    for p in passages:
        for card in passage_cards(p):
            digest.update(card.text.encode("utf-8") + b"\n")
    return digest.hexdigest()


def expected_identity(docs: list[Document], embedder) -> dict:
    """The manifest fields an index must match to be served for this corpus and model."""
    return {
        "format_version": FORMAT_VERSION,
        "model_fingerprint": embedder.fingerprint,
        "dim": embedder.dim,
        "corpus_fingerprint": corpus_fingerprint(docs),
        "chunker_version": CHUNKER_VERSION,
        "card_version": f"{CARD_VERSION}:{cards_fingerprint(chunk_corpus(docs))[:16]}",
    }


def index_artifact(index_dir: Path, docs: list[Document], embedder) -> Artifact:
    """The index folder as an artifact: current when built by this format and chunker, from this corpus and model."""
    return Artifact(Path(index_dir), identity=expected_identity(docs, embedder), manifest_name=MANIFEST,
                    checksums="all", what="index")


def load_or_build(index_dir: Path, docs: list[Document], embedder, rebuild: bool = False) -> LoadedIndex:
    """Load the index in ``index_dir`` if it is complete and current, else (re)build it.

    The reason for a rebuild is logged at WARNING, so a user sees it happen; a first build at INFO.
    """
    artifact = index_artifact(index_dir, docs, embedder)
    if not rebuild:
        loaded, problem = _try_load(artifact, docs, embedder)
        if loaded is not None:
            return loaded
        if problem == "missing":
            log.info("building the index in %s (first use)", index_dir)
        else:
            log.warning("index in %s needs a rebuild: %s", index_dir, problem)
    try:
        with artifact.lock():
            if not rebuild:  # another process may have finished the same build while we waited
                loaded, _ = _try_load(artifact, docs, embedder)
                if loaded is not None:
                    return loaded
            return build(artifact, docs, embedder)
    except OSError as exc:
        raise IndexUnavailableError(
            f"cannot build the index in {index_dir}: {exc.strerror or exc}. Choose a writable folder "
            "with --index or HRSS_QA_INDEX") from exc


def build(artifact: Artifact, docs: list[Document], embedder) -> LoadedIndex:
    """Chunk, embed and publish a fresh index; returns it loaded.  Caller holds ``artifact.lock()``."""
    t0 = time.perf_counter()
    passages = chunk_corpus(docs)
    inputs = passage_inputs(passages)
    log.info("building index: %d passages, %d vectors, model %s", len(passages), len(inputs), embedder.name)
    vectors = np.ascontiguousarray(embedder.encode_passages(inputs, show_progress=True), dtype=np.float32)
    index = make_faiss_index(vectors)
    n_sentences = sum(len(p.sentences) for p in passages)
    fields = {"model": embedder.name, "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
              "n_passages": len(passages), "n_sentences": n_sentences,
              "n_cards": len(inputs) - len(passages) - n_sentences,
              "faiss_kind": type(index).__name__, "build_seconds": round(time.perf_counter() - t0, 3)}

    def write(tmp: Path) -> dict:
        (tmp / PASSAGES).write_text(json.dumps([p.to_dict() for p in passages], ensure_ascii=False), encoding="utf-8")
        (tmp / VECTORS).write_bytes(faiss.serialize_index(index).tobytes())
        return fields

    manifest = Manifest.from_dict(artifact.publish(write))
    log.info("index written to %s in %.1f s", artifact.folder, manifest.build_seconds)
    return LoadedIndex(manifest, passages, index)


def make_faiss_index(vectors: np.ndarray) -> faiss.Index:
    """Exact inner-product search, or HNSW once the corpus is large (vectors are unit length)."""
    dim = vectors.shape[1]
    if len(vectors) > APPROXIMATE_ABOVE:
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        # Measured on 148k near-duplicate vectors (benchmarks/growth.py): efSearch 128 gave
        # recall@5 0.58 against exact search, 1024 gave 0.88 at ~2 ms per query.
        index.hnsw.efSearch = 1024
    else:
        index = faiss.IndexFlatIP(dim)
    index.add(vectors)
    return index


def _try_load(artifact: Artifact, docs: list[Document], embedder) -> tuple[LoadedIndex | None, str]:
    """The loaded index, or None and the reason it cannot be served."""
    if (problem := artifact.problem()) is not None:  # manifest, identity, sizes and checksums
        return None, problem
    try:
        manifest = Manifest.from_dict(artifact.read_manifest())
        passages = [Passage.from_dict(d) for d in json.loads((artifact.folder / PASSAGES).read_text(encoding="utf-8"))]
        index = faiss.deserialize_index(np.frombuffer((artifact.folder / VECTORS).read_bytes(), dtype=np.uint8))
    except Exception as exc:  # noqa: BLE001 - any decoding failure means "rebuild"
        return None, f"index files cannot be decoded ({type(exc).__name__}: {exc})"
    n_sent = sum(len(p.sentences) for p in passages)
    if (len(passages) != manifest.n_passages or n_sent != manifest.n_sentences
            or index.ntotal != len(passages) + n_sent + manifest.n_cards):
        return None, "passage records do not match the vectors"
    if index.d != manifest.dim:
        return None, "vector dimension does not match the manifest"
    if passages != chunk_corpus(docs):
        return None, "passage records do not match the corpus"
    if (problem := _spot_check(index, passages, embedder)) is not None:
        return None, problem
    return LoadedIndex(manifest, passages, index), ""


def _spot_check(index: faiss.Index, passages: list[Passage], embedder) -> str | None:
    """Re-embed a few rows (first and last passage, last sentence) and compare them to their vectors.

    Rows are laid out as in :func:`passage_inputs`: passages, every passage's sentences, cards.
    """
    if not passages:
        return "the index has no passages"
    last = passages[-1]
    rows = {0: f"{passages[0].context}：{passages[0].text}", len(passages) - 1: f"{last.context}：{last.text}"}
    n_rows = len(passages) + sum(len(p.sentences) for p in passages)
    if last.sentences:
        rows[n_rows - 1] = f"{last.context}：{last.sentences[-1].text}"
    cards = [card for p in passages for card in passage_cards(p)]
    if cards and index.ntotal == n_rows + len(cards):
        rows[index.ntotal - 1] = cards[-1].text
    try:
        stored = np.stack([index.reconstruct(int(r)) for r in rows])
    except Exception as exc:  # noqa: BLE001 - an index that cannot give back its vectors is not served
        return f"vectors cannot be read back ({exc})"
    cosine = (stored * embedder.encode_passages(list(rows.values()))).sum(axis=1)
    if float(cosine.min()) < SPOT_CHECK_MIN_COSINE:
        return f"vectors do not match the passage records (cosine {float(cosine.min()):.3f} at a re-embedded row)"
    return None
