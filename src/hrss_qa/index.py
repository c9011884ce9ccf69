"""Index stage: passage and sentence vectors in a vector store, the passage records and a manifest.

Layout of an index folder (an :class:`~hrss_qa.artifacts.Artifact`)::

    index/
      manifest.json     what built it (model, dim, corpus hash, chunker version, store, time) + file checksums
      passages.json     the Passage records, in row order
      vectors.npy       FAISS store: one float32 row per passage, then one per sentence, then one per figure
                        card (see rows_of_passages)
      milvus.json       Milvus store instead: the URI and collection holding those rows
      milvus.db/        Milvus Lite store in the index folder (--store milvus-lite): the database itself
      .lock             held while building

Like every artifact, it is built under the lock in a temporary folder and published with its
manifest last, so a load sees a complete index or a mismatch it can name (missing file, checksum,
other model, other corpus, other store), never a silently half-written one; two processes building
at once serialize on the lock.  A Milvus build fills a new collection before its manifest is
published and drops the earlier build's collection after.  Before an index is served, its records
must also equal a fresh chunking of the corpus, the store must hold as many rows as the records
need, and a few of its vectors must match a fresh embedding of their rows, so records and vectors
that do not belong together are rebuilt even when the checksums agree.  A store that cannot be
reached is an error (:class:`~hrss_qa.stores.StoreUnavailableError`), not a reason to rebuild.

>>> from hrss_qa.engine import default_engine
>>> engine = default_engine()
>>> idx = load_or_build(engine.settings.index_dir, engine.docs, engine.embedder)   # current: loaded, not rebuilt
>>> idx.store.ntotal == len(idx.passages) + idx.n_sentences + idx.n_cards == rows_of_passages(idx.passages).n_rows
True
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .artifacts import Artifact
from .cards import CARD_VERSION, passage_cards
from .chunking import CHUNKER_VERSION, Passage, chunk_corpus
from .corpus import Document, corpus_fingerprint
from .rows import RowLayout
from .stores import (StaleStoreError, StoreSpec, VectorStore, create_store, discard_earlier_builds,
                     load_store)

log = logging.getLogger(__name__)

FORMAT_VERSION = 3  # 3: vectors in a store (vectors.npy, or a Milvus collection named in milvus.json); 2: card rows
MANIFEST = "manifest.json"
PASSAGES = "passages.json"
# At load, a few vector rows are re-embedded; below this cosine the vectors are not these records'.
SPOT_CHECK_MIN_COSINE = 0.99
FAISS = StoreSpec("faiss")


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
    store: str
    built_at: str
    n_passages: int
    n_sentences: int
    n_cards: int
    card_version: str
    vector_index: str
    build_seconds: float
    files: dict

    @classmethod
    def from_dict(cls, data: dict) -> "Manifest":
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


@dataclass
class LoadedIndex:
    """What retrieval needs: the records, the vector store and how it was built."""

    manifest: Manifest
    passages: list[Passage]
    store: VectorStore

    @property
    def n_sentences(self) -> int:
        return self.manifest.n_sentences

    @property
    def n_cards(self) -> int:
        return self.manifest.n_cards

    def close(self) -> None:
        """Release the store (a Milvus connection, or the Milvus Lite database for other processes)."""
        self.store.close()


def passage_inputs(passages: list[Passage]) -> list[str]:
    """The texts embedded for each vector row: passages, all their sentences, then a card per
    figure (:mod:`hrss_qa.cards`), passage by passage.

    Each is prefixed with its section heading words so that a sentence keeps its topic.
    """
    rows = [f"{p.context}：{p.text}" for p in passages]
    rows += [f"{p.context}：{s.text}" for p in passages for s in p.sentences]
    rows += [card.text for p in passages for card in passage_cards(p)]
    return rows


def rows_of_passages(passages: list[Passage], cards_per_passage: Sequence[int] | None = None) -> RowLayout:
    """The row blocks of :func:`passage_inputs` and the passage of every row: ``passages``, ``sentences``, ``cards``.

    ``cards_per_passage`` is each passage's number of figures (counted here, by extracting them, when not given).
    """
    if cards_per_passage is None:
        cards_per_passage = [len(passage_cards(p)) for p in passages]
    every = np.arange(len(passages))
    return RowLayout.from_blocks([
        ("passages", every),
        ("sentences", np.repeat(every, [len(p.sentences) for p in passages])),
        ("cards", np.repeat(every, list(cards_per_passage))),
    ])


def cards_fingerprint(passages: list[Passage]) -> str:
    """SHA-256 of every figure card's text: a change in figure reading changes the card rows."""
    digest = hashlib.sha256()
    for p in passages:
        for card in passage_cards(p):
            digest.update(card.text.encode("utf-8") + b"\n")
    return digest.hexdigest()


def expected_identity(docs: list[Document], embedder, store: StoreSpec = FAISS) -> dict:
    """The manifest fields an index must match to be served for this corpus, model and store."""
    return {
        "format_version": FORMAT_VERSION,
        "model_fingerprint": embedder.fingerprint,
        "dim": embedder.dim,
        "corpus_fingerprint": corpus_fingerprint(docs),
        "chunker_version": CHUNKER_VERSION,
        "card_version": f"{CARD_VERSION}:{cards_fingerprint(chunk_corpus(docs))[:16]}",
        "store": store.identity,
    }


def index_artifact(index_dir: Path, docs: list[Document], embedder, store: StoreSpec = FAISS) -> Artifact:
    """The index folder as an artifact: current when built by this format and chunker, from this corpus and model,
    into this store."""
    return Artifact(Path(index_dir), identity=expected_identity(docs, embedder, store), manifest_name=MANIFEST,
                    checksums="all", what="index")


def load_or_build(index_dir: Path, docs: list[Document], embedder, rebuild: bool = False,
                  store: StoreSpec = FAISS) -> LoadedIndex:
    """Load the index in ``index_dir`` if it is complete and current, else (re)build it.

    The reason for a rebuild is logged at WARNING, so a user sees it happen; a first build at INFO.
    """
    artifact = index_artifact(index_dir, docs, embedder, store)
    if not rebuild:
        loaded, problem = _try_load(artifact, docs, embedder, store)
        if loaded is not None:
            return loaded
        if problem == "missing":
            log.info("building the index in %s (first use)", index_dir)
        else:
            log.warning("index in %s needs a rebuild: %s", index_dir, problem)
    try:
        with artifact.lock():
            if not rebuild:  # another process may have finished the same build while we waited
                loaded, _ = _try_load(artifact, docs, embedder, store)
                if loaded is not None:
                    return loaded
            return build(artifact, docs, embedder, store)
    except OSError as exc:
        raise IndexUnavailableError(
            f"cannot build the index in {index_dir}: {exc.strerror or exc}. Choose a writable folder "
            "with --index or HRSS_QA_INDEX") from exc


def build(artifact: Artifact, docs: list[Document], embedder, store_spec: StoreSpec = FAISS) -> LoadedIndex:
    """Chunk, embed, fill a store and publish a fresh index; returns it loaded.  Caller holds ``artifact.lock()``."""
    t0 = time.perf_counter()
    passages = chunk_corpus(docs)
    inputs = passage_inputs(passages)
    log.info("building index: %d passages, %d vectors, model %s", len(passages), len(inputs), embedder.name)
    store = create_store(store_spec, embedder.dim, artifact.folder)  # before embedding: an unreachable store fails fast
    try:
        store.add(np.ascontiguousarray(embedder.encode_passages(inputs, show_progress=True), dtype=np.float32))

        def write(tmp: Path) -> dict:
            (tmp / PASSAGES).write_text(json.dumps([p.to_dict() for p in passages], ensure_ascii=False), encoding="utf-8")
            fields = store.persist(tmp)
            n_sentences = sum(len(p.sentences) for p in passages)
            return {"model": embedder.name, "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "n_passages": len(passages), "n_sentences": n_sentences,
                    "n_cards": len(inputs) - len(passages) - n_sentences, **fields,
                    "build_seconds": round(time.perf_counter() - t0, 3)}

        manifest = Manifest.from_dict(artifact.publish(write))
    except BaseException:
        store.close()
        raise
    discard_earlier_builds(store, artifact.folder)
    log.info("index written to %s in %.1f s (%s)", artifact.folder, manifest.build_seconds, manifest.vector_index)
    if store_spec.kind == "faiss":  # serve the published file (memory-mapped), not the build's copy in memory
        store.close()
        store = load_store(store_spec, artifact.folder)
    return LoadedIndex(manifest, passages, store)


def _try_load(artifact: Artifact, docs: list[Document], embedder,
              store_spec: StoreSpec) -> tuple[LoadedIndex | None, str]:
    """The loaded index, or None and the reason it cannot be served.  StoreUnavailableError propagates."""
    if (problem := artifact.problem()) is not None:  # manifest, identity, sizes and checksums
        return None, problem
    try:
        manifest = Manifest.from_dict(artifact.read_manifest())
        passages = [Passage.from_dict(d) for d in json.loads((artifact.folder / PASSAGES).read_text(encoding="utf-8"))]
    except Exception as exc:  # noqa: BLE001 - any decoding failure means "rebuild"
        return None, f"index files cannot be decoded ({type(exc).__name__}: {exc})"
    try:
        store = load_store(store_spec, artifact.folder)
    except StaleStoreError as exc:
        return None, str(exc)
    problem = _store_problem(store, manifest, passages, docs, embedder)
    if problem is not None:
        store.close()
        return None, problem
    return LoadedIndex(manifest, passages, store), ""


def _store_problem(store: VectorStore, manifest: Manifest, passages: list[Passage], docs, embedder) -> str | None:
    """What makes these records and this store unservable together, or None."""
    n_sent = sum(len(p.sentences) for p in passages)
    if (len(passages) != manifest.n_passages or n_sent != manifest.n_sentences
            or store.ntotal != len(passages) + n_sent + manifest.n_cards):
        return "passage records do not match the vectors"
    if store.dim != manifest.dim:
        return "vector dimension does not match the manifest"
    if passages != chunk_corpus(docs):
        return "passage records do not match the corpus"
    try:
        return _spot_check(store, passages, embedder)
    except StaleStoreError as exc:
        return str(exc)


def _spot_check(store: VectorStore, passages: list[Passage], embedder) -> str | None:
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
    if cards and store.ntotal == n_rows + len(cards):
        rows[store.ntotal - 1] = cards[-1].text
    stored = store.vectors(np.asarray(list(rows), dtype=np.int64))
    cosine = (stored * embedder.encode_passages(list(rows.values()))).sum(axis=1)
    if float(cosine.min()) < SPOT_CHECK_MIN_COSINE:
        return f"vectors do not match the passage records (cosine {float(cosine.min()):.3f} at a re-embedded row)"
    return None
