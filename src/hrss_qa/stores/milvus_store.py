"""The Milvus store: the rows in a Milvus collection, for when one machine is not enough.

One client API reaches both forms of Milvus: **Milvus Lite**, an embedded database in a local
folder (a URI ending in ``.db``; one process at a time), and a **Milvus server or cluster**
(``http://host:19530``, or a Zilliz Cloud ``https://…`` URI with ``HRSS_QA_MILVUS_TOKEN``).

Layout: one collection per index build, named ``hrss_qa_<index folder hash>_<build time>``, with
an INT64 primary key ``row`` (the row id) and a ``vector`` FLOAT_VECTOR field under a ``FLAT``
index with the ``IP`` metric, so searches are exact, as with FAISS.  The index folder keeps
``milvus.json`` (URI, collection, row count), written when the build is published; the build's
new collection is filled before that, and older collections of the same index folder are dropped
after it, so a reader never sees a half-filled collection named by a manifest.

Every failure to reach or read Milvus becomes one :class:`StoreUnavailableError` line naming the
URI; a collection that is missing or holds other rows than ``milvus.json`` says is a
:class:`StaleStoreError` (the index is rebuilt, as for damaged FAISS files).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .base import StaleStoreError, StoreSpec, StoreUnavailableError

log = logging.getLogger(__name__)

NOTE = "milvus.json"
MAX_TOPK = 16_384  # Milvus refuses a larger search limit
_INSERT_BATCH = 4_096  # rows per insert call (6 MB of vectors: well inside gRPC's message limit)
_CONNECT_TIMEOUT = 10.0  # seconds


class MilvusStore:
    """Rows in a Milvus collection; see the module docstring."""

    def __init__(self, spec: StoreSpec, client, collection: str, dim: int, ntotal: int):
        self.spec, self.dim = spec, dim
        self._client, self.collection, self._ntotal = client, collection, ntotal

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def create(cls, spec: StoreSpec, dim: int, index_dir: Path) -> MilvusStore:
        """A new, empty collection for a build of the index in ``index_dir``."""
        from pymilvus import DataType

        client = _connect(spec)
        name = f"{collection_prefix(index_dir)}{time.strftime('%Y%m%d%H%M%S')}_{time.time_ns() % 1_000_000:06d}"
        with _calling(spec, f"creating collection {name}"):
            schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
            schema.add_field("row", DataType.INT64, is_primary=True)
            schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
            params = client.prepare_index_params()
            params.add_index(field_name="vector", index_type="FLAT", metric_type="IP")
            client.create_collection(name, schema=schema, index_params=params)
        return cls(spec, client, name, dim, 0)

    @classmethod
    def load(cls, spec: StoreSpec, folder: Path) -> MilvusStore:
        """The collection named in ``folder``'s note, checked to hold the rows the note says."""
        try:
            note = json.loads((Path(folder) / NOTE).read_text(encoding="utf-8"))
            name, rows, dim = str(note["collection"]), int(note["rows"]), int(note["dim"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StaleStoreError(f"{NOTE} unreadable ({type(exc).__name__}: {exc})") from exc
        client = _connect(spec)
        with _calling(spec, f"opening collection {name}"):
            if not client.has_collection(name):
                raise StaleStoreError(f"collection {name} is missing at {spec.uri}")
            client.load_collection(name)
            held = int(client.get_collection_stats(name).get("row_count", -1))
        if held != rows:
            raise StaleStoreError(f"collection {name} at {spec.uri} holds {held} rows, not {rows}")
        return cls(spec, client, name, dim, rows)

    # -- the VectorStore interface -------------------------------------------------------------

    @property
    def ntotal(self) -> int:
        return self._ntotal

    @property
    def description(self) -> str:
        return f"Milvus{' Lite' if self.spec.lite else ''} FLAT/IP (exact), collection {self.collection}"

    def add(self, vectors: np.ndarray) -> None:
        rows = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        with _calling(self.spec, f"inserting into {self.collection}"):
            for start in range(0, len(rows), _INSERT_BATCH):
                block = rows[start:start + _INSERT_BATCH]
                self._client.insert(self.collection, [{"row": self._ntotal + start + i, "vector": v}
                                                      for i, v in enumerate(block.tolist())])
        self._ntotal += len(rows)

    def search(self, query: np.ndarray, k: int, below: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        searched = self._ntotal if below is None else min(int(below), self._ntotal)
        k = min(int(k), searched, MAX_TOPK)
        if k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        q = np.asarray(query, dtype=np.float32).reshape(self.dim).tolist()
        where = f"row < {searched}" if searched < self._ntotal else ""
        with _calling(self.spec, f"searching {self.collection}"):
            hits = self._client.search(self.collection, data=[q], limit=k, filter=where, output_fields=["row"],
                                       search_params={"metric_type": "IP"})[0]
            rows, scores = np.asarray(hits.ids, np.int64), np.asarray(hits.distances, np.float32)
        if len(rows) < k:  # rows gone from under us: an answer from part of the index would be silently wrong
            raise StoreUnavailableError(f"{_where(self.spec)}: collection {self.collection} returned {len(rows)} "
                                        f"of {k} rows; it changed since the index was built (run hrss-qa build)")
        return scores, rows

    def scores(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """A search filtered to ``rows``: only their scores travel back, not their vectors."""
        wanted = np.asarray(rows, dtype=np.int64).ravel()
        q = np.asarray(query, dtype=np.float32).reshape(self.dim).tolist()
        got: dict[int, float] = {}
        with _calling(self.spec, f"scoring rows of {self.collection}"):
            for start in range(0, len(wanted), MAX_TOPK):
                part = wanted[start:start + MAX_TOPK].tolist()
                hits = self._client.search(self.collection, data=[q], limit=len(part), filter=f"row in {part}",
                                           output_fields=["row"], search_params={"metric_type": "IP"})[0]
                got.update(zip((int(i) for i in hits.ids), (float(d) for d in hits.distances)))
        missing = [int(r) for r in wanted if int(r) not in got]
        if missing:
            raise StoreUnavailableError(f"{_where(self.spec)}: collection {self.collection} lacks rows {missing[:5]} "
                                        "it had when the index was built (run hrss-qa build)")
        return np.asarray([got[int(r)] for r in wanted], dtype=np.float32)

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        wanted = [int(r) for r in np.asarray(rows).ravel()]
        with _calling(self.spec, f"reading rows of {self.collection}"):
            got = {int(e["row"]): e["vector"] for e in self._client.get(self.collection, ids=wanted,
                                                                        output_fields=["row", "vector"])}
        missing = [r for r in wanted if r not in got]
        if missing:
            raise StaleStoreError(f"collection {self.collection} at {self.spec.uri} lacks rows {missing[:5]}")
        return np.asarray([got[r] for r in wanted], dtype=np.float32).reshape(len(wanted), self.dim)

    def persist(self, folder: Path) -> dict:
        with _calling(self.spec, f"flushing {self.collection}"):
            self._client.flush(self.collection)
            self._client.load_collection(self.collection)
            held = int(self._client.get_collection_stats(self.collection).get("row_count", -1))
        if held != self._ntotal:
            raise StoreUnavailableError(f"{_where(self.spec)}: collection {self.collection} holds {held} rows "
                                        f"after inserting {self._ntotal}")
        note = {"uri": self.spec.identity, "collection": self.collection, "rows": self._ntotal, "dim": self.dim}
        (Path(folder) / NOTE).write_text(json.dumps(note, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return {"vector_index": self.description}

    def discard_others(self, index_dir: Path) -> None:
        """Drop the collections of earlier builds of this index folder (best effort: a failure is logged)."""
        prefix = collection_prefix(index_dir)
        try:
            for name in self._client.list_collections():
                if name.startswith(prefix) and name != self.collection:
                    self._client.drop_collection(name)
                    log.info("dropped %s, left by an earlier build, at %s", name, self.spec.uri)
        except Exception as exc:  # noqa: BLE001 - cleanup only; the new index is already published
            log.warning("could not drop earlier collections at %s: %s", self.spec.uri, _reason(exc))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._client.close()
        if self.spec.lite:
            with contextlib.suppress(Exception):
                from milvus_lite.server_manager import server_manager_instance

                server_manager_instance.release_server(self.spec.uri)


def collection_prefix(index_dir: Path) -> str:
    """``hrss_qa_<hash of the index folder>_``: the collections of one index folder, whatever their build."""
    return f"hrss_qa_{hashlib.sha256(str(Path(index_dir).absolute()).encode()).hexdigest()[:12]}_"


# -- talking to Milvus ---------------------------------------------------------------------------


def _connect(spec: StoreSpec):
    """A client for ``spec.uri``, or one StoreUnavailableError line saying why not."""
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:
        raise StoreUnavailableError(f"the Milvus store needs pymilvus and milvus-lite (pip install 'hrss-qa[milvus]'): {exc}") from exc
    _quiet()  # after the import: importing pymilvus configures its loggers
    if spec.lite and (problem := _lite_problem(Path(spec.uri))):
        raise StoreUnavailableError(f"cannot open Milvus Lite at {spec.uri}: {problem}")
    try:
        return MilvusClient(uri=spec.uri, token=spec.token, timeout=_CONNECT_TIMEOUT)
    except Exception as exc:  # noqa: BLE001 - pymilvus, grpc and milvus_lite each raise their own kinds
        if spec.lite:
            raise StoreUnavailableError(f"cannot open Milvus Lite at {spec.uri}: "
                                        f"{_lite_problem(Path(spec.uri), after_failure=True) or _reason(exc)}") from None
        raise StoreUnavailableError(f"cannot reach Milvus at {spec.uri}: {_reason(exc)}") from None


@contextlib.contextmanager
def _calling(spec: StoreSpec, what: str) -> Iterator[None]:
    """Turn any failure of the client into one line naming the URI (StaleStoreError passes through)."""
    try:
        yield
    except (StaleStoreError, StoreUnavailableError):
        raise
    except Exception as exc:  # noqa: BLE001
        reason = _reason(exc)
        damaged = spec.lite and "connect" not in reason.lower()  # not a lost connection: the files themselves
        hint = f" (if the database is damaged, move {spec.uri} away and the index is rebuilt)" if damaged else ""
        raise StoreUnavailableError(f"{_where(spec)}: {what} failed: {reason}{hint}") from None


def _where(spec: StoreSpec) -> str:
    return f"Milvus Lite at {spec.uri}" if spec.lite else f"Milvus at {spec.uri}"


def _reason(exc: BaseException) -> str:
    """An exception as one short line (pymilvus keeps its text in ``.message``)."""
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    text = " ".join(str(text).split())
    return text if len(text) <= 240 else text[:239] + "…"


def _lite_problem(path: Path, after_failure: bool = False) -> str | None:
    """Why a Milvus Lite database cannot be opened, when that can be told from the outside."""
    if not path.parent.is_dir():
        return f"its folder {path.parent} does not exist"
    if path.exists() and not path.is_dir():
        return "it is a file, not a Milvus Lite database (which is a folder)"
    if not after_failure or not path.is_dir():
        return None
    lock = path / "LOCK"
    try:
        with open(lock, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(handle, fcntl.LOCK_UN)
            except BlockingIOError:
                return ("another process has it open (Milvus Lite serves one process at a time; "
                        "stop that process, or use a Milvus server: --store http://host:19530)")
    except OSError as exc:
        return f"{lock}: {exc.strerror or exc}"
    return "it is damaged or not a Milvus Lite database (move it away and the index is rebuilt)"


def _quiet() -> None:
    """pymilvus and milvus_lite log every failed call with a traceback; our one-line errors say it instead.

    ``grpc._server`` is Milvus Lite's in-process server: it logs one traceback per index created, for
    an RPC it does not implement (AllocTimestamp) and pymilvus then does without.
    """
    if not logging.getLogger("hrss_qa").isEnabledFor(logging.DEBUG):
        for name in ("pymilvus", "milvus_lite", "grpc._server"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
