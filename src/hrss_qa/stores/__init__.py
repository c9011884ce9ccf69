"""Vector stores: where the index's vectors live and how they are searched.

* :mod:`.base`: the :class:`VectorStore` interface, :class:`StoreSpec` (which store, where) and the errors;
* :mod:`.faiss_store`: the default, FAISS over files in the index folder;
* :mod:`.milvus_store`: a Milvus collection, in Milvus Lite (a local ``*.db`` folder) or a Milvus server.

The index (:mod:`hrss_qa.index`) builds, persists and reopens a store through the three functions
here, so both kinds are built, checked for staleness and described in the manifest the same way.
Importing this package imports neither FAISS nor pymilvus.
"""

from __future__ import annotations

from pathlib import Path

from .base import LITE_FILE, StaleStoreError, StoreSpec, StoreUnavailableError, VectorStore

__all__ = ["LITE_FILE", "StaleStoreError", "StoreSpec", "StoreUnavailableError", "VectorStore", "create_store",
           "discard_earlier_builds", "load_store"]


def create_store(spec: StoreSpec, dim: int, index_dir: Path) -> VectorStore:
    """An empty store of ``dim``-dimensional rows for a build of the index in ``index_dir``."""
    if spec.kind == "faiss":
        from .faiss_store import FaissStore

        return FaissStore.empty(dim)
    from .milvus_store import MilvusStore

    return MilvusStore.create(spec, dim, index_dir)


def load_store(spec: StoreSpec, folder: Path) -> VectorStore:
    """The store a published index in ``folder`` names.

    StaleStoreError when it does not hold what was published (rebuild); StoreUnavailableError when
    it cannot be reached (a rebuild would not help).
    """
    if spec.kind == "faiss":
        from .faiss_store import FaissStore

        return FaissStore.load(folder)
    from .milvus_store import MilvusStore

    return MilvusStore.load(spec, folder)


def discard_earlier_builds(store: VectorStore, index_dir: Path) -> None:
    """After a build is published: free what earlier builds of ``index_dir`` left in the store."""
    discard = getattr(store, "discard_others", None)
    if discard is not None:
        discard(index_dir)
