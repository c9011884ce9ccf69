"""Corpus stage: the briefings on disk and their provenance.

A corpus is a folder of ``<doc_id>.txt`` files (UTF-8), each with an optional
``<doc_id>.json`` sidecar holding its metadata (title, issuer, event, date, source).
Dropping the next quarter's briefing and its sidecar into the folder and rebuilding
the index is all it takes to add it.

The folder may be any :class:`importlib.resources.abc.Traversable`: a directory on disk, or the
briefings bundled inside the installed package (:mod:`hrss_qa.bundled`).

>>> docs = load_corpus()                                   # the configured corpus: the bundled briefing
>>> docs[0].doc_id, docs[0].date
('hrss-2023q1-briefing', '2023-04-24')
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from .bundled import Traversable

log = logging.getLogger(__name__)


class CorpusError(ValueError):
    """The corpus folder is missing, empty or holds a file that cannot be read."""


@dataclass(frozen=True)
class Document:
    """One briefing: its full text, exactly as on disk, and where it came from."""

    doc_id: str
    text: str
    title: str = ""
    issuer: str = ""
    event: str = ""
    date: str = ""
    source: str = ""
    path: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def load_corpus(corpus_dir: Path | str | Traversable | None = None) -> list[Document]:
    """Read every ``*.txt`` in ``corpus_dir`` (sorted by name) with its JSON sidecar.

    ``None`` means the configured corpus (:class:`~hrss_qa.settings.Settings`).  Hidden files
    (``.name.txt``, an editor's ``.#name.txt`` lock link) are not briefings.
    """
    if corpus_dir is None:
        from .settings import Settings

        corpus_dir = Settings.resolve().corpus_dir
    folder = corpus_dir if isinstance(corpus_dir, Traversable) else Path(corpus_dir)
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder}")
    entries = sorted((entry for entry in folder.iterdir() if entry.name.endswith(".txt")), key=lambda e: e.name)
    docs = [_load_document(entry, folder) for entry in entries if not entry.name.startswith(".")]
    if not docs:
        raise CorpusError(f"no .txt briefings in corpus folder {folder}")
    ids = [d.doc_id for d in docs]
    if len(set(ids)) != len(ids):
        raise CorpusError(f"duplicate doc_id in {folder}: {ids}")
    return docs


def corpus_fingerprint(docs: list[Document]) -> str:
    """One hash over every document's id, text and metadata: the index is stale when it changes."""
    digest = hashlib.sha256()
    for doc in docs:
        meta = json.dumps([doc.doc_id, doc.title, doc.issuer, doc.event, doc.date], ensure_ascii=False)
        digest.update(meta.encode("utf-8"))
        digest.update(doc.sha256.encode("ascii"))
    return digest.hexdigest()


def _load_document(path: Traversable, folder: Traversable) -> Document:
    try:
        # Strip a BOM and normalize newlines so offsets are stable across editors.
        text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path} is not UTF-8 text: {exc}") from exc
    except OSError as exc:
        raise CorpusError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not text.strip():
        raise CorpusError(f"{path} is empty")
    meta: dict = {}
    stem = path.name[: -len(".txt")]
    sidecar = folder / f"{stem}.json"
    if sidecar.is_file():
        try:
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CorpusError(f"metadata file {sidecar} is not valid JSON: {exc}") from exc
        if not isinstance(meta, dict):
            raise CorpusError(f"metadata file {sidecar} must hold a JSON object, not {type(meta).__name__}")
    else:
        log.warning("no metadata sidecar %s; citing %s by file name only", sidecar.name, path.name)
    known = {"title", "issuer", "event", "date", "source"}
    return Document(
        doc_id=str(meta.get("doc_id", stem)),
        text=text,
        path=str(path),
        extra={k: v for k, v in meta.items() if k not in known | {"doc_id"}},
        **{k: str(meta.get(k, "")) for k in known},
    )
