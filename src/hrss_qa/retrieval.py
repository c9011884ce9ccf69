"""Retrieval stage: hybrid dense + BM25 search returning cited passages.

Dense search (multilingual-e5 in a vector store: FAISS, or Milvus) understands paraphrases and English; BM25 over
script-normalized Chinese tokens catches short rare terms (第四屆, 春風行動, a date).
Both score passages *and* their single sentences, because a question is usually
answered by one sentence of an item; a passage's evidence is its best sentence.
The two signals are fused by a weighted sum of per-query normalized scores (weights
chosen on the project's question set, see ``hrss-qa eval``).  The result is the one exact dense
scores of every row would give, also where the store is asked for its top rows only (:mod:`hrss_qa.dense`).

>>> from hrss_qa.engine import default_engine
>>> engine = default_engine()               # the configured corpus, index and model (shared in a process)
>>> hit = engine.retrieve("一季度城镇新增就业多少人？", k=5)[0]
>>> hit.section, hit.text[:17]
('一、就業 › 工作進展情況', '1-3月城鎮新增就業297萬人,3')
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from .bundled import Traversable
from .chunking import Passage, Sentence
from .corpus import Document, load_corpus
from .dense import RowScores
from .figures import Figure, extract_figures
from .index import LoadedIndex, load_or_build, rows_of_passages
from .glossary import expand
from .language import lexicon
from .lexical import BM25, tokenize
from .settings import Settings
from .stores import StoreSpec
from .text import clean, normalize

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "lexical"]
MAX_QUESTION_CHARS = 500
@dataclass(frozen=True)
class Hit:
    """One retrieved passage with everything needed to cite it.

    ``text`` is the passage exactly as in the source (Traditional); ``start``/``end``
    are its offsets in document ``doc_id``; ``sentence`` is the sentence of the
    passage that best matches the question; ``figures`` are every figure in the passage.
    ``sentence_scores`` (fused dense) and ``sentence_lexical`` (BM25 scaled to [0, 1] over
    all sentences for this query) score each sentence of the passage, in order;
    ``figure_scores`` is the cosine of the question to each figure's card (:mod:`hrss_qa.cards`),
    in the order of ``figures``.
    """

    rank: int
    score: float
    passage_id: str
    doc_id: str
    section: str
    text: str
    start: int
    end: int
    sentence: Sentence
    figures: tuple[Figure, ...]
    dense_score: float = 0.0
    lexical_score: float = 0.0
    sentence_scores: tuple[float, ...] = field(default=(), repr=False)
    sentence_lexical: tuple[float, ...] = field(default=(), repr=False)
    sentences: tuple[Sentence, ...] = field(default=(), repr=False)
    figure_scores: tuple[float, ...] = field(default=(), repr=False)

    @property
    def citation(self) -> str:
        """Short human citation: ``doc_id §section [start:end]``."""
        return f"{self.doc_id} § {self.section} [{self.start}:{self.end}]"


@dataclass(frozen=True)
class FusionWeights:
    """How much each signal counts in a passage's score.

    Dense scores are raw cosines; lexical scores are BM25 scaled to [0, 1] per query.
    ``*_sentence`` terms use the passage's best sentence.  Chosen by measurement on the
    project's question set (``benchmarks/tune_fusion.py``).
    """

    dense_passage: float = 0.25
    dense_sentence: float = 1.5
    lexical_passage: float = 0.1
    lexical_sentence: float = 0.0
    part: float = 0.05  # bonus for the part (progress / plans) the question's tense points to
    overview: float = 0.05  # bonus for a part's overview passage when the question asks how things are overall
    figure: float = 0.06  # bonus for a passage stating a figure of the kind the question asks (tune_fusion.py --only figure)


@dataclass
class Signals:
    """Per-query scores of every passage (``*_p``), sentence (``*_s``) and figure card (``dense_c``).

    The dense arrays are views of ``dense``'s row scores: where those are upper bounds (rows the
    store did not return), :meth:`~hrss_qa.dense.RowScores.settle` makes them exact in place.
    """

    dense_p: np.ndarray
    dense_s: np.ndarray
    lexical_p: np.ndarray
    lexical_s: np.ndarray
    dense_c: np.ndarray
    dense: RowScores | None = field(default=None, repr=False)


class Engine:
    """The loaded corpus, model and index, ready to answer ``retrieve()`` calls.

    Arguments left out come from ``settings``, else from the environment and the defaults
    (:class:`~hrss_qa.settings.Settings`): the bundled briefing, its index, the default model on
    ``onnx-int8``.

    >>> from hrss_qa.bundled import corpus_dir
    >>> engine = Engine(corpus_dir=corpus_dir(), model="default", backend="onnx-int8")
    >>> [h.section for h in engine.retrieve("電子社保卡領用人數", k=2)]   # doctest: +ELLIPSIS
    ['二、社會保障 › 工作進展情況', ...]
    """

    def __init__(
        self,
        corpus_dir: Path | str | Traversable | None = None,
        index_dir: Path | str | None = None,
        model: str | None = None,
        cache_dir: Path | str | None = None,
        rebuild: bool = False,
        weights: FusionWeights | None = None,
        backend: str | None = None,
        settings: Settings | None = None,
        store: str | None = None,
    ):
        from .encoders import load_encoder

        given = {"corpus_dir": corpus_dir, "index_dir": index_dir, "model": model, "cache_dir": cache_dir,
                 "backend": backend, "store": store}
        self.settings = settings.replace(**given) if settings is not None else Settings.resolve(**given)
        self.docs: list[Document] = load_corpus(self.settings.corpus_dir)
        self.embedder = load_encoder(self.settings)
        self.index_dir = self.settings.index_dir
        spec = StoreSpec.resolve(self.settings.store, self.index_dir, self.settings.milvus_token)
        self.index: LoadedIndex = load_or_build(self.index_dir, self.docs, self.embedder, rebuild=rebuild, store=spec)
        self.weights = weights or FusionWeights()
        self.passages: list[Passage] = self.index.passages
        self.documents = {d.doc_id: d for d in self.docs}
        self._by_id = {p.passage_id: p for p in self.passages}
        self._doc_of = np.array([p.doc_id for p in self.passages])
        self._is_plan = np.array([float(any(normalize(x) == "下一步工作安排" for x in p.section_path)) for p in self.passages])
        self._is_overview = np.array([float(len(p.section_path) == 2) for p in self.passages])
        sentences = [s for p in self.passages for s in p.sentences]
        # Row r of the sentence block belongs to passage _owner[r].
        self._owner = np.repeat(np.arange(len(self.passages)), [len(p.sentences) for p in self.passages])
        self._first_sentence = np.concatenate([[0], np.cumsum([len(p.sentences) for p in self.passages])])
        contexts = [p.context for p in self.passages]
        self._bm25_passages = BM25.fit([f"{c} {p.text}" for c, p in zip(contexts, self.passages)])
        self._bm25_sentences = BM25.fit([s.text for s in sentences])
        self.figures: list[tuple[Figure, ...]] = [
            tuple(extract_figures(self.documents[p.doc_id].text[p.start:p.end], offset=p.start)) for p in self.passages
        ]
        # Card row r belongs to passage i's figures[_first_card[i] + j]; see index.passage_inputs.
        self._first_card = np.concatenate([[0], np.cumsum([len(f) for f in self.figures])])
        self._figure_kinds = [frozenset(f.kind for f in figs) for figs in self.figures]
        self._layout = rows_of_passages(self.passages, [len(f) for f in self.figures])
        self._fused = self._layout.block("sentences").stop  # the rows fusion reads: passages and sentences
        self._fused_per_passage = self._layout.count_per_passage(np.arange(self._fused))
        if self._layout.n_rows != self.index.store.ntotal:
            raise RuntimeError(f"the index in {self.index_dir} has {self.index.store.ntotal} vectors where its passages, "
                               f"sentences and figures need {self._layout.n_rows}: rebuild it with hrss-qa build")
        self.retrieve("预热 warm-up")  # first-call costs (OpenCC, jieba, torch kernels) belong to start-up

    def search(self, question: str, k: int = 5, mode: Mode = "hybrid", docs: frozenset[str] | None = None,
               kinds: frozenset[str] = frozenset()) -> list[Hit]:
        """The ``k`` best passages for ``question``, best first.  Never raises on odd text.

        ``mode`` selects ``"dense"`` or ``"lexical"`` alone (used by the evaluation's
        baselines); ``"hybrid"`` is the product.  ``docs`` keeps only passages of those
        documents (a question about one briefing's period).  ``kinds`` are the kinds of figure the
        question asks for (``quantity``, ``percent``, ``date``…: the answer stages read them), so
        passages stating such a figure count more.
        """
        question = clean(question or "")[:MAX_QUESTION_CHARS].strip()
        if not question or k <= 0:
            return []
        sig = self.signals(question, mode)
        w = self.weights
        if mode == "lexical":
            w = FusionWeights(0.0, 0.0, 1.0, 1.0)
        elif mode == "dense":
            w = FusionWeights(w.dense_passage, w.dense_sentence, 0.0, 0.0)
        priors = self.priors(question, kinds)
        while True:
            sentence, total = self.fuse(sig, priors, w)
            if docs is not None:
                total = np.where(np.isin(self._doc_of, list(docs)), total, -np.inf)
            order = [i for i in _top(total, k) if np.isfinite(total[i])]
            if sig.dense is None or not (doubt := self._in_doubt(total, order, sig.dense)).any():
                break
            sig.dense.settle(self._fused_rows_of(np.flatnonzero(doubt)))
        if sig.dense is not None:  # the hits' figure cards, for their scores
            sig.dense.settle(self._layout.rows_of(order))
        return [self._hit(rank, int(i), float(total[i]), sentence, sig) for rank, i in enumerate(order, start=1)]

    def retrieve(self, question: str, k: int = 5, mode: Mode = "hybrid", docs: frozenset[str] | None = None) -> list[Hit]:
        """:meth:`search` with the question taken as a whole (the answering engine reads it first)."""
        return self.search(question, k, mode, docs)

    def priors(self, question: str, kinds: frozenset[str] = frozenset()) -> dict[str, np.ndarray]:
        """Per-passage priors the question points to, each 0 or 1, keyed like :class:`FusionWeights`."""
        return {"part": self._part_prior(question),
                "overview": self._is_overview * lexicon().cue("overall")(normalize(question)),
                "figure": np.array([float(bool(kinds & held)) for held in self._figure_kinds])}

    def fuse(self, sig: Signals, priors: dict[str, np.ndarray], w: FusionWeights) -> tuple[np.ndarray, np.ndarray]:
        """Fused sentence scores and passage totals: a passage's evidence is its best sentence."""
        sentence = w.dense_sentence * sig.dense_s + w.lexical_sentence * sig.lexical_s
        total = (w.dense_passage * sig.dense_p + w.lexical_passage * sig.lexical_p
                 + np.maximum.reduceat(sentence, self._first_sentence[:-1])
                 + sum(getattr(w, name) * prior for name, prior in priors.items()))
        return sentence, total

    def signals(self, question: str, mode: Mode = "hybrid") -> Signals:
        """Dense and lexical scores of every passage, sentence and card (zeros for a disabled side).

        Dense scores outside the store's top rows are upper bounds until settled (see :class:`Signals`).
        """
        n_p, n_s = len(self.passages), len(self._owner)
        dense = self._dense_scores(question) if mode != "lexical" else RowScores.zeros(self.index.store)
        lexical_p, lexical_s = self._lexical_scores(question) if mode != "dense" else (np.zeros(n_p), np.zeros(n_s))
        values, block = dense.values, self._layout.block
        return Signals(values[block("passages")], values[block("sentences")], lexical_p, lexical_s,
                       values[block("cards")], dense)

    def passage(self, passage_id: str) -> Passage:
        """The passage record behind a hit."""
        return self._by_id[passage_id]

    # -- scoring -------------------------------------------------------------------------

    def _dense_scores(self, question: str) -> RowScores:
        """Cosine of the question to the passage and sentence rows: exact for the store's top rows."""
        # The question as asked: adding its Traditional form changed no metric on the question set.
        query = self.embedder.encode_queries([question]).astype(np.float32)[0]
        return RowScores.search(self.index.store, query, below=self._fused)  # cards: settled for the hits

    def _lexical_scores(self, question: str) -> tuple[np.ndarray, np.ndarray]:
        """BM25 of the question plus its glossary expansion, scaled to [0, 1] per query."""
        tokens = tokenize(f"{question} {expand(question)}")
        return _unit(self._bm25_passages.scores(tokens)), _unit(self._bm25_sentences.scores(tokens))

    def _in_doubt(self, total: np.ndarray, order: list[int], dense: RowScores) -> np.ndarray:
        """Passages whose total rests on bounded dense scores and might still reach the top ``len(order)``.

        Totals of passages with a bounded row are upper bounds.  Once ``len(order)`` passages with exact
        totals are known, only bounded passages at or above the lowest of those can still get in; before
        that, the bounded ones among the current top.  Settling them all at once takes two or three rounds
        at 1000× the briefing, where one top at a time took a dozen.  Card rows do not count: fusion does
        not read them.
        """
        finite = np.isfinite(total)
        known = np.flatnonzero(dense.known[:self._fused])
        bounded = (self._layout.count_per_passage(known) < self._fused_per_passage) & finite
        exact = np.flatnonzero(~bounded & finite)
        doubt = np.zeros(len(total), bool)
        if len(exact) < len(order) or not order:
            doubt[order] = bounded[order]
            return doubt
        floor = np.partition(total[exact], len(exact) - len(order))[len(exact) - len(order)]
        return bounded & (total >= floor)

    def _fused_rows_of(self, passages: np.ndarray) -> np.ndarray:
        """The passage and sentence rows of these passages."""
        rows = self._layout.rows_of(passages)
        return rows[rows < self._fused]

    def _part_prior(self, question: str) -> np.ndarray:
        """1.0 for passages in the part the question's tense asks about, else 0.

        「下一步…」/"will…" asks for 下一步工作安排; 「一季度做了…」/"did…" for 工作進展情況.
        """
        key = normalize(question)
        plans, progress = lexicon().cue("plan")(key), lexicon().cue("progress")(key)
        if plans == progress:
            return np.zeros(len(self.passages))
        return self._is_plan if plans else 1.0 - self._is_plan

    def _best_sentence_per_passage(self, sentence_scores: np.ndarray) -> np.ndarray:
        """Index (into the flat sentence array) of each passage's best sentence (first on ties).

        Vectorized (per-passage maxima by ``reduceat``) because at 1000× the briefing a
        Python loop over passages would dominate the query time.  Every passage has at
        least one sentence (the chunker drops blank pieces).
        """
        starts = self._first_sentence[:-1]
        maxima = np.maximum.reduceat(sentence_scores, starts)
        candidates = np.flatnonzero(sentence_scores == maxima[self._owner])
        return candidates[np.searchsorted(candidates, starts)]

    def _hit(self, rank: int, i: int, score: float, sentence_scores: np.ndarray, sig: Signals) -> Hit:
        p = self.passages[i]
        a, b = self._first_sentence[i], self._first_sentence[i + 1]
        c, d = self._first_card[i], self._first_card[i + 1]
        best = a + int(np.argmax(sentence_scores[a:b])) if b > a else a  # the first best on ties
        return Hit(
            rank=rank,
            score=score,
            passage_id=p.passage_id,
            doc_id=p.doc_id,
            section=p.section,
            text=p.text,
            start=p.start,
            end=p.end,
            sentence=p.sentences[best - a] if b > a else Sentence(p.text, p.start, p.end),
            figures=self.figures[i],
            dense_score=float(max(sig.dense_p[i], sig.dense_s[best])),
            lexical_score=float(max(sig.lexical_p[i], sig.lexical_s[best])),
            sentence_scores=tuple(float(x) for x in sentence_scores[a:b]),
            sentence_lexical=tuple(float(x) for x in sig.lexical_s[a:b]),
            sentences=p.sentences,
            figure_scores=tuple(float(x) for x in sig.dense_c[c:d]),
        )

    def close(self) -> None:
        """Release the vector store (Milvus Lite lets one process at a time open its database)."""
        self.index.close()


def _top(total: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest totals, best first, lower index first on ties (as a stable sort of all).

    The k-th largest comes from k maxima (k is small; at 1000× the briefing this is 0.1 ms where a
    partition of 33,000 totals took 0.4 ms, and ``retrieve`` asks two or three times per question).
    """
    if k >= len(total) or k > 32:
        return np.argsort(-total, kind="stable")[:k]
    rest = total.copy()
    for _ in range(k - 1):
        rest[np.argmax(rest)] = -np.inf
    kth = rest.max()
    candidates = np.flatnonzero(total >= kth)
    return candidates[np.argsort(-total[candidates], kind="stable")][:k]


def _unit(scores: np.ndarray) -> np.ndarray:
    """Scale a score vector to [0, 1] within this query (max → 1, min → 0)."""
    lo, hi = float(scores.min(initial=0.0)), float(scores.max(initial=0.0))
    return (scores - lo) / (hi - lo) if hi > lo else np.zeros_like(scores)
