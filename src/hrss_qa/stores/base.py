"""What every vector store is: numbered rows of unit vectors, searched exactly by inner product.

Retrieval sees only this seam.  A store holds rows ``0 … ntotal-1`` in the order they were added
and answers three questions: the exact top ``k`` rows for a query (:meth:`VectorStore.search`), the
exact scores of given rows (:meth:`VectorStore.scores`) and their stored vectors
(:meth:`VectorStore.vectors`).  What a row *is* (a passage, a
sentence, …) is the index's business (:mod:`hrss_qa.rows`), never the store's.

>>> spec = StoreSpec.resolve("milvus-lite", index_dir=Path("/srv/index"))
>>> spec.kind, spec.uri, spec.identity
('milvus', '/srv/index/milvus.db', 'milvus-lite:milvus.db')
>>> StoreSpec.resolve("http://milvus.internal:19530", Path("/srv/index")).identity
'milvus:http://milvus.internal:19530'
>>> StoreSpec.resolve("faiss", Path("/srv/index")).identity
'faiss'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np

LITE_FILE = "milvus.db"
"""The Milvus Lite database of ``--store milvus-lite``, inside the index folder."""


class StoreUnavailableError(RuntimeError):
    """The store cannot be reached or read.  The message is one line and names where the store is."""


class StaleStoreError(Exception):
    """The store is reachable but does not hold what the index's manifest says (a rebuild fixes it)."""


@dataclass(frozen=True)
class StoreSpec:
    """Which store, and where: FAISS files in the index folder, or a Milvus collection at ``uri``."""

    kind: Literal["faiss", "milvus"]
    uri: str = ""
    """Milvus: a Milvus Lite database (a path ending in ``.db``) or a server ``http(s)://host:port``."""
    identity: str = "faiss"
    """What the index manifest records: changing it rebuilds the index."""
    token: str = field(default="", repr=False)
    """Credentials for a Milvus server (``user:password`` or an API key)."""

    @classmethod
    def resolve(cls, setting: str, index_dir: Path, token: str = "") -> StoreSpec:
        """The spec for a ``store`` setting (see :class:`hrss_qa.settings.Settings`) and an index folder."""
        if setting == "faiss":
            return cls("faiss")
        if setting == "milvus-lite":
            return cls("milvus", str(Path(index_dir).absolute() / LITE_FILE), f"milvus-lite:{LITE_FILE}", token)
        if setting.endswith(".db") and "://" not in setting:
            path = Path(setting).expanduser().absolute()
            return cls("milvus", str(path), f"milvus-lite:{path}", token)
        return cls("milvus", setting, f"milvus:{setting}", token)

    @property
    def lite(self) -> bool:
        """A Milvus Lite database (embedded, one process at a time) rather than a server."""
        return self.kind == "milvus" and self.uri.endswith(".db")


@runtime_checkable
class VectorStore(Protocol):
    """Rows of unit float32 vectors; row ids are their positions in the order they were added.

    A store is filled with :meth:`add`, written with :meth:`persist` (into the index folder being
    published: files, or a note of where its rows live) and reopened by its module's ``load``.
    """

    spec: StoreSpec
    dim: int

    @property
    def ntotal(self) -> int:
        """How many rows the store holds."""

    @property
    def description(self) -> str:
        """What does the searching, for people (``"FAISS IndexFlatIP"``, ``"Milvus FLAT/IP, collection …"``)."""

    def add(self, vectors: np.ndarray) -> None:
        """Append rows (float32, shape ``(n, dim)``); they get ids ``ntotal … ntotal+n-1``."""

    def search(self, query: np.ndarray, k: int, below: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The exact top ``k`` rows by inner product with ``query`` (shape ``(dim,)``): scores (descending)
        and row ids.  ``below`` searches rows ``0 … below-1`` only (leading blocks of rows).  Every row
        searched but not returned scores at most the last score returned."""

    def scores(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The exact inner products of ``query`` with ``rows`` (distinct row ids), in that order.

        Retrieval settles the rows it needs this way; a remote store sends back one number per row."""

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """The stored vectors of ``rows``, in that order (float32, shape ``(len(rows), dim)``)."""

    def persist(self, folder: Path) -> dict:
        """Make the rows durable and write into ``folder`` what reopening them needs; returns manifest fields."""

    def close(self) -> None:
        """Release files, connections or an embedded server (the store is not used afterwards)."""
