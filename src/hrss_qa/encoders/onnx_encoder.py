"""The ONNX Runtime backends of the default model: embedding without torch.

At query time only ``onnxruntime``, ``tokenizers`` and numpy are used: tokens (the fast tokenizer of
:mod:`hrss_qa.encoders.tokenizer`) → ``last_hidden_state`` → mean over all tokens (mask-weighted,
prompt included) → L2 normalize, with E5's ``"query: "``/``"passage: "`` prompts, exactly like the
sentence-transformers folder.  The graphs come from :mod:`hrss_qa.encoders.onnx_export`.

Loading checks the graph three ways: sizes against its manifest before loading; SHA-256 checksums
on a background thread while the session loads; and the embeddings of two probe texts against
those recorded at export.  A graph failing any of them is exported again, once.

>>> from hrss_qa.encoders import load_encoder
>>> enc = load_encoder(backend="onnx-int8")
>>> enc.encode_queries(["一季度城镇新增就业多少人？"]).shape, enc.backend
((1, 384), 'onnx-int8')
>>> import subprocess, sys                                  # a fresh process: no torch on this path
>>> code = "import sys; from hrss_qa.encoders import load_encoder; load_encoder(backend='onnx-int8'); print('torch' in sys.modules)"
>>> subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.split()
['False']
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import threading
import time
from pathlib import Path

import numpy as np

from ..artifacts import Artifact
from .base import DEFAULT_MODEL_NAME, E5_PROMPTS, ModelUnavailableError, PromptedEncoder, mean_pool_normalize, pad_batch
from .onnx_export import GRAPH_FILE, GRAPH_MANIFEST, PROBE_TEXTS, ensure_graph, graph_artifact
from .tokenizer import DamagedGraphError, FastTokenizer

logger = logging.getLogger(__name__)

LOAD_MIN_COSINE = 0.999  # of a loaded graph's probe embeddings to those recorded in its manifest
LOAD_PROBES = 2  # probe texts re-embedded at every load (each run also warms the session up)


def load_onnx_encoder(model_folder: Path, backend: str, variant: str, threads: int, spin: bool = False) -> OnnxEncoder:
    """The default model as an :class:`OnnxEncoder` named ``backend`` on its ``variant`` graph (exported if needed)."""
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
        seen = graph_artifact(model_folder, variant).manifest_bytes()
        try:
            encoder = OnnxEncoder(folder, model_folder, backend, threads=threads, spin=spin)
            problem = encoder.probe_problem()
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own Fail/InvalidProtobuf/...
            problem = f"it cannot be loaded: {type(exc).__name__}: {str(exc)[:200]}"
        if problem is None:
            return encoder
        if attempt == 1:
            raise ModelUnavailableError(f"ONNX graph {folder} is unusable after exporting it again: {problem}")
        folder = ensure_graph(model_folder, variant, damaged=problem, seen=seen)
    raise AssertionError("unreachable")


class _Verifier:
    """The graph folder's checksums against its manifest, computed on a background thread (hashlib releases the GIL)."""

    def __init__(self, folder: Path, manifest: dict) -> None:
        self.problem: str | None = None
        artifact = Artifact(folder, manifest_name=GRAPH_MANIFEST)
        self._thread = threading.Thread(target=self._run, args=(artifact, manifest), daemon=True,
                                        name="hrss-qa-verify-graph")
        self._thread.start()

    def _run(self, artifact: Artifact, manifest: dict) -> None:
        self.problem = artifact.checksum_problem(manifest)

    def result(self) -> str | None:
        self._thread.join()
        return self.problem


class OnnxEncoder(PromptedEncoder):
    """The default model on an ONNX Runtime graph (an :class:`~hrss_qa.encoders.base.Encoder`).

    ``fingerprint`` covers the backend, the graph's SHA-256 (recorded at export), the model
    folder it was made from, tokenizer settings, pooling and prompts: an index built with one
    graph is rebuilt when another is chosen.  ``batch_size`` texts of similar length are run
    together (index builds); ``threads`` is ONNX Runtime's intra-op thread count.
    """

    pooling = "mean"

    def __init__(self, folder: Path, model_folder: Path, backend: str, threads: int = 1, spin: bool = False,
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
        self.threads = threads

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        if not spin:
            # Spinning workers burn a core between runs; on a shared 2-core machine that slows
            # every other process (and us) down.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # Checksums are verified on another thread (hashlib releases the GIL) while the session and
        # the tokenizer load: a same-size damaged file is caught before it is used.
        verifier = _Verifier(self.folder, self.manifest) if verify else None
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
        return self._checked(texts, None, False)

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
        input_ids, mask = pad_batch(ids, self._pad_id)
        feeds = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        return mean_pool_normalize(self.session.run(None, feeds)[0], mask)

    def _fingerprint(self) -> str:
        h = hashlib.sha256()
        h.update(json.dumps({
            "backend": self.backend, "graph_sha256": self.manifest["files"][GRAPH_FILE]["sha256"],
            "graph_format": self.manifest["format_version"], "model": self.manifest["model"],
            "prompts": [self.query_prompt, self.passage_prompt], "pooling": self.pooling,
            "normalize": True, "max_seq_length": self.max_seq_length,
        }, sort_keys=True).encode())
        return f"sha256:{h.hexdigest()[:24]}"
