"""The Milvus store, on a real Milvus Lite database: the same answers as FAISS, the same staleness checks,
and a one-line error naming the URI when Milvus is damaged or cannot be reached.

The end-to-end test runs ``hrss-qa --store milvus-lite eval`` in a subprocess started when the module
starts (``_milvus_eval``), so that it builds and evaluates while the in-process tests run; Milvus Lite
lets one process at a time open a database, so every test here has a database of its own.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hrss_qa.corpus import load_corpus
from hrss_qa.evaluation import evaluate
from hrss_qa.index import MANIFEST, load_or_build, rows_of_passages
from hrss_qa.stores import StaleStoreError, StoreSpec, StoreUnavailableError, create_store, load_store
from hrss_qa.stores.faiss_store import FaissStore
from hrss_qa.stores.milvus_store import NOTE, collection_prefix

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "失业保险参保人数是多少？"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HRSS_QA_INDEX", "HRSS_QA_CORPUS", "HRSS_QA_STORE")}
    return {**env, "PYTHONPATH": str(ROOT / "src")}


def _hrss_qa(*args: str, cwd: Path, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "hrss_qa", *args], env=_env(), cwd=cwd, text=True, **popen)


@pytest.fixture(scope="module", autouse=True)
def _milvus_eval(tmp_path_factory):
    """``hrss-qa --store milvus-lite --index <tmp> eval --json``, started now, collected by the last test."""
    base = tmp_path_factory.mktemp("milvus-eval")
    out, err = open(base / "eval.out", "w"), open(base / "eval.err", "w")  # noqa: SIM115 - files, not pipes
    proc = _hrss_qa("--store", "milvus-lite", "--index", str(base / "index"), "eval", "--no-baselines", "--json",
                    cwd=base, stdout=out, stderr=err)
    yield {"proc": proc, "out": out, "err": err, "index": base / "index"}
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    out.close()
    err.close()


# --- the store itself ----------------------------------------------------------------------------


def _rows(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_milvus_store_searches_and_reopens_like_faiss(tmp_path):
    rows = _rows(500)
    spec = StoreSpec.resolve("milvus-lite", tmp_path)
    store = create_store(spec, 16, tmp_path)
    try:
        store.add(rows[:300])
        store.add(rows[300:])  # row ids continue
        assert store.ntotal == 500
        reference = FaissStore.empty(16)
        reference.add(rows)
        for q in rows[[0, 299, 300, 499]] * 0.9 + rows[[1, 2, 3, 4]] * 0.1:
            for below in (None, 300):  # all rows, and the leading ones only (as fusion searches)
                got, want = store.search(q, 10, below=below), reference.search(q, 10, below=below)
                assert got[1].tolist() == want[1].tolist()
                np.testing.assert_allclose(got[0], want[0], atol=1e-5)
        np.testing.assert_array_equal(store.vectors(np.array([499, 0, 300])), rows[[499, 0, 300]])
        some = np.array([499, 7, 0, 300, 123])
        np.testing.assert_allclose(store.scores(rows[3], some), reference.scores(rows[3], some), atol=1e-5)
        fields = store.persist(tmp_path)
        assert fields["vector_index"].startswith("Milvus Lite FLAT/IP (exact), collection hrss_qa_")
    finally:
        store.close()
    note = json.loads((tmp_path / NOTE).read_text(encoding="utf-8"))
    assert note["rows"] == 500 and note["collection"].startswith(collection_prefix(tmp_path))
    again = load_store(spec, tmp_path)
    try:
        assert again.ntotal == 500 and again.search(rows[42], 1)[1].tolist() == [42]
    finally:
        again.close()
    note["rows"] = 499  # a note that does not describe the collection: stale, so the index is rebuilt
    (tmp_path / NOTE).write_text(json.dumps(note), encoding="utf-8")
    with pytest.raises(StaleStoreError, match="holds 500 rows, not 499"):
        load_store(spec, tmp_path)


def test_a_lost_connection_is_an_error_not_an_empty_answer(tmp_path, engine, monkeypatch):
    from milvus_lite.server_manager import server_manager_instance

    from hrss_qa.index import LoadedIndex
    from hrss_qa.ui import ChatService

    spec = StoreSpec.resolve("milvus-lite", tmp_path)
    store = create_store(spec, engine.embedder.dim, tmp_path)
    store.add(_rows(20, dim=engine.embedder.dim))
    store.persist(tmp_path)
    server_manager_instance.release_server(spec.uri)  # the database goes away under a loaded store
    with pytest.raises(StoreUnavailableError) as caught:
        store.search(_rows(1, dim=engine.embedder.dim)[0], 5)
    assert spec.uri in str(caught.value) and "\n" not in str(caught.value)
    # In the chat: a message naming the store, not an answer from nothing and not a traceback.
    monkeypatch.setattr(engine, "index", LoadedIndex(engine.index.manifest, engine.passages, store))
    turn = ChatService(engine).answer_turn(QUESTION)
    assert turn.answer is None and "向量库暂时无法访问" in turn.message and spec.uri in turn.message
    store.close()


# --- the index on Milvus: built, checked and rebuilt like the FAISS one --------------------------


def test_index_on_milvus_lite_loads_and_rebuilds_like_faiss(tmp_path, engine, caplog):
    docs, embedder = load_corpus(ROOT / "corpus"), engine.embedder
    folder = tmp_path / "index"
    spec = StoreSpec.resolve("milvus-lite", folder)
    built = load_or_build(folder, docs, embedder, store=spec)
    first = built.store.collection
    assert built.store.ntotal == rows_of_passages(built.passages).n_rows == len(built.passages) + built.n_sentences + built.n_cards
    built.close()

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="hrss_qa"):
        loaded = load_or_build(folder, docs, embedder, store=spec)  # current: loaded, not rebuilt
    assert loaded.store.collection == first and not [r for r in caplog.records if r.levelno >= logging.WARNING]
    loaded.store._client.drop_collection(first)  # someone drops the collection
    loaded.close()

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="hrss_qa"):
        rebuilt = load_or_build(folder, docs, embedder, store=spec)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("needs a rebuild" in w and f"collection {first} is missing" in w for w in warnings), warnings
    assert rebuilt.store.collection != first
    query = embedder.encode_queries([QUESTION])[0]
    top = int(rebuilt.store.search(query, 1)[1][0])
    assert "2.37億人" in rebuilt.passages[rows_of_passages(rebuilt.passages).owner[top]].text
    assert rebuilt.store._client.list_collections() == [rebuilt.store.collection]  # earlier builds dropped
    rebuilt.close()

    # Switching the folder back to FAISS is a change of store: rebuilt, with the reason.
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="hrss_qa"):
        load_or_build(folder, docs, embedder)
    assert any("store changed (milvus-lite:milv → faiss)" in r.getMessage() for r in caplog.records), caplog.text


# --- damaged or unreachable: one line naming the URI --------------------------------------------


def _one_line_error(args: list[str], cwd: Path) -> str:
    proc = _hrss_qa(*args, "search", QUESTION, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 2, (out, err)
    assert out == "" and "Traceback" not in err, err
    lines = [line for line in err.splitlines() if not line.startswith("embedding:")]
    assert len(lines) == 1 and lines[0].startswith("hrss-qa: error: "), err
    return lines[0]


def test_unreachable_milvus_server_is_one_line_naming_the_uri(tmp_path):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    uri = f"http://127.0.0.1:{port}"
    line = _one_line_error(["--store", uri, "--index", str(tmp_path / "index")], tmp_path)
    assert f"cannot reach Milvus at {uri}" in line


def test_a_file_instead_of_a_milvus_lite_database_is_one_line_naming_it(tmp_path):
    db = tmp_path / "vectors.db"
    db.write_bytes(b"\x00 not a database \x00" * 64)
    line = _one_line_error(["--store", str(db), "--index", str(tmp_path / "index")], tmp_path)
    assert f"cannot open Milvus Lite at {db}: it is a file" in line


def test_damaged_milvus_lite_is_one_line_naming_the_uri(tmp_path, engine):
    folder = tmp_path / "index"
    load_or_build(folder, load_corpus(ROOT / "corpus"), engine.embedder,
                  store=StoreSpec.resolve("milvus-lite", folder)).close()
    for data in (folder / "milvus.db").rglob("*.parquet"):
        data.write_bytes(b"PAR1 damaged")
    line = _one_line_error(["--store", "milvus-lite", "--index", str(folder)], tmp_path)
    assert f"Milvus Lite at {folder / 'milvus.db'}: " in line and "damaged" in line


# --- end to end (last: its subprocess has been building and evaluating meanwhile) ---------------


def test_eval_on_milvus_lite_matches_faiss(_milvus_eval, engine):
    """The quality report of the product on Milvus Lite equals the one on FAISS (the gate allows 0.01)."""
    faiss_report = evaluate(engine)
    proc = _milvus_eval["proc"]
    assert proc.wait(timeout=600) == 0, Path(_milvus_eval["err"].name).read_text()
    _milvus_eval["out"].flush()
    milvus_report = json.loads(Path(_milvus_eval["out"].name).read_text())[0]
    assert "Traceback" not in Path(_milvus_eval["err"].name).read_text()
    for metric in ("hit1", "hit5"):
        assert abs(milvus_report[metric] - getattr(faiss_report, metric)) <= 0.01, (metric, milvus_report[metric])
    # Exact search on both sides: the rest of the report agrees too.
    assert (milvus_report["figure_accuracy"], milvus_report["abstain_recall"]) == (
        faiss_report.figure_accuracy, faiss_report.abstain_recall)
    # And it really ran on Milvus: the index folder holds a Milvus Lite database, not FAISS vectors.
    index = _milvus_eval["index"]
    manifest = json.loads((index / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["store"] == "milvus-lite:milvus.db" and manifest["vector_index"].startswith("Milvus Lite FLAT/IP")
    assert set(manifest["files"]) == {"passages.json", NOTE}
    assert (index / "milvus.db").is_dir() and not (index / "vectors.npy").exists()
