"""Corpus stage: the briefings on disk and their provenance.

A corpus is a folder of ``<doc_id>.txt`` files (UTF-8), each with an optional
``<doc_id>.json`` sidecar holding its metadata (title, issuer, event, date, source).
Dropping the next quarter's briefing and its sidecar into the folder and rebuilding
the index is all it takes to add it.

>>> docs = load_corpus(default_corpus_dir())
>>> docs[0].doc_id, docs[0].date
('hrss-2023q1-briefing', '2023-04-24')
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

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


def default_corpus_dir() -> Path:
    """``$HRSS_QA_CORPUS`` if set, else the ``corpus/`` folder bundled with the project."""
    env = os.environ.get("HRSS_QA_CORPUS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "corpus"


def load_corpus(corpus_dir: Path | str | None = None) -> list[Document]:
    """Read every ``*.txt`` in ``corpus_dir`` (sorted by name) with its JSON sidecar.

    Hidden files (``.name.txt``, an editor's ``.#name.txt`` lock link) are not briefings.
    """
    folder = Path(corpus_dir) if corpus_dir is not None else default_corpus_dir()
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder}")
    docs = [_load_document(path) for path in sorted(folder.glob("*.txt")) if not path.name.startswith(".")]
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


def _load_document(path: Path) -> Document:
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
    sidecar = path.with_suffix(".json")
    if sidecar.exists():
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
        doc_id=str(meta.get("doc_id", path.stem)),
        text=text,
        path=str(path),
        extra={k: v for k, v in meta.items() if k not in known | {"doc_id"}},
        **{k: str(meta.get(k, "")) for k in known},
    )
