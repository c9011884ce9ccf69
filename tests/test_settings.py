"""Settings: argument → environment → default, in one place; the bundled data; the command line leaves
the environment alone.  Pure: no model is loaded here except by the last test's engine (shared)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hrss_qa import bundled
from hrss_qa.settings import BACKENDS, ENVIRONMENT, Settings

ROOT = Path(__file__).resolve().parents[1]


def test_argument_beats_environment_beats_default(tmp_path: Path) -> None:
    env = {"HRSS_QA_CORPUS": str(tmp_path / "env-corpus"), "HRSS_QA_INDEX": str(tmp_path / "env-index"),
           "HRSS_QA_MODEL": "BAAI/bge-small-zh-v1.5", "HRSS_QA_BACKEND": "onnx", "HRSS_QA_CACHE": str(tmp_path / "c"),
           "HRSS_QA_THREADS": "3", "HRSS_QA_FEEDBACK": str(tmp_path / "votes.jsonl")}
    from_env = Settings.resolve(environ=env)
    assert from_env == Settings(corpus_dir=tmp_path / "env-corpus", index_dir=tmp_path / "env-index",
                                model="BAAI/bge-small-zh-v1.5", backend="onnx", cache_dir=tmp_path / "c", threads=3,
                                feedback_path=tmp_path / "votes.jsonl")
    given = Settings.resolve(corpus_dir="corpus-arg", index_dir="index-arg", model="default", backend="TORCH",
                             cache_dir="cache-arg", threads=1, feedback_path="fb.jsonl", environ=env)
    assert (given.corpus_dir, given.index_dir, given.model, given.backend, given.cache_dir, given.threads,
            given.feedback_path) == (Path("corpus-arg"), Path("index-arg"), "default", "torch", Path("cache-arg"), 1,
                                     Path("fb.jsonl"))
    default = Settings.resolve(environ={})
    assert (default.model, default.backend, default.cache_dir, default.feedback_path) == (
        "default", "onnx-int8", Path.home() / ".cache" / "hrss-qa", Path("feedback.jsonl"))
    assert default.threads == max(1, (os.cpu_count() or 2) // 2)
    assert Settings.resolve(environ={"OMP_NUM_THREADS": "4"}).threads == 4
    assert Settings.resolve(environ={"HRSS_QA_THREADS": "2", "OMP_NUM_THREADS": "4"}).threads == 2
    assert Settings.resolve(environ={"HRSS_QA_ORT_SPIN": "1", "MALLOC_ARENA_MAX": "4"}).ort_spin is True
    assert set(ENVIRONMENT.values()) >= {"HRSS_QA_CORPUS", "HRSS_QA_INDEX", "HRSS_QA_MODEL", "HRSS_QA_BACKEND",
                                         "HRSS_QA_CACHE", "HRSS_QA_THREADS", "HRSS_QA_FEEDBACK"}


def test_empty_environment_values_count_as_unset() -> None:
    assert Settings.resolve(environ={"HRSS_QA_BACKEND": "", "HRSS_QA_MODEL": ""}).backend == "onnx-int8"


@pytest.mark.parametrize("env, message", [
    ({"HRSS_QA_BACKEND": "tensorrt"}, "unknown embedding backend 'tensorrt'"),
    ({"HRSS_QA_THREADS": "many"}, "HRSS_QA_THREADS must be a whole number"),
    ({"OMP_NUM_THREADS": "2.5"}, "OMP_NUM_THREADS must be a whole number"),
    ({"HRSS_QA_STORE": "redis"}, "unknown vector store 'redis': choose faiss, milvus-lite"),
])
def test_bad_values_name_the_variable(env: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.resolve(environ=env)


def test_other_models_default_to_torch() -> None:
    assert Settings.resolve(model="/models/my-e5", environ={}).backend == "torch"
    assert Settings.resolve(model="/models/my-e5", environ={"HRSS_QA_BACKEND": "onnx"}).backend == "onnx"  # asked for


def test_replace_checks_and_keeps_the_rest() -> None:
    base = Settings.resolve(environ={})
    changed = base.replace(backend="ONNX", index_dir="/tmp/i", model=None)
    assert (changed.backend, changed.index_dir, changed.model) == ("onnx", Path("/tmp/i"), base.model)
    assert changed.corpus_dir == base.corpus_dir
    with pytest.raises(ValueError, match="choose one of"):
        base.replace(backend="cuda")
    assert set(BACKENDS) == {"torch", "onnx", "onnx-int8"}


def test_checkout_uses_its_own_corpus_eval_and_index() -> None:
    assert bundled.checkout_root() == ROOT
    assert Path(str(bundled.corpus_dir())) == ROOT / "corpus"
    assert Path(str(bundled.questions_file("holdout2.jsonl"))) == ROOT / "eval" / "holdout2.jsonl"
    settings = Settings.resolve(environ={})
    assert settings.index_dir == ROOT / "index"


def test_installed_package_uses_package_data_and_the_cache(monkeypatch, tmp_path: Path) -> None:
    """As from a wheel (no checkout): the bundled briefing under hrss_qa/data, one index per corpus in the cache."""
    monkeypatch.setattr(bundled, "checkout_root", lambda: None)
    corpus = bundled.corpus_dir()
    assert str(corpus).endswith(os.path.join("hrss_qa", "data", "corpus"))
    assert str(bundled.questions_file()).endswith(os.path.join("hrss_qa", "data", "eval", "questions.jsonl"))
    settings = Settings.resolve(cache_dir=tmp_path, environ={})
    assert settings.index_dir == tmp_path / "indexes" / "bundled"
    other = Settings.resolve(corpus_dir=tmp_path / "my-briefings", cache_dir=tmp_path, environ={}).index_dir
    assert other.parent == tmp_path / "indexes" and other.name.startswith("my-briefings-") and other != settings.index_dir
    assert Settings.resolve(index_dir="/srv/idx", cache_dir=tmp_path, environ={}).index_dir == Path("/srv/idx")


def test_the_command_line_does_not_write_the_environment(monkeypatch, capsys, engine) -> None:
    """``--backend`` reaches the engine through Settings, not through ``os.environ`` (it used to)."""
    from hrss_qa.cli import main

    monkeypatch.delenv("HRSS_QA_BACKEND", raising=False)
    before = dict(os.environ)
    assert main(["--backend", "onnx-int8", "search", "失业率", "-k", "1", "--json"]) == 0
    assert "5.3%" in capsys.readouterr().out
    assert dict(os.environ) == before


def test_store_setting_and_where_it_puts_milvus_lite(tmp_path: Path) -> None:
    from hrss_qa.stores import StoreSpec

    assert Settings.resolve(environ={}).store == "faiss"
    assert Settings.resolve(store="Milvus-Lite", environ={"HRSS_QA_STORE": "faiss"}).store == "milvus-lite"
    assert Settings.resolve(environ={"HRSS_QA_STORE": "http://milvus:19530"}).store == "http://milvus:19530"
    settings = Settings.resolve(index_dir=tmp_path / "idx", environ={"HRSS_QA_STORE": "milvus-lite",
                                                                      "HRSS_QA_MILVUS_TOKEN": "root:secret"})
    spec = StoreSpec.resolve(settings.store, settings.index_dir, settings.milvus_token)
    assert (spec.kind, spec.uri, spec.lite, spec.token) == ("milvus", str(tmp_path / "idx" / "milvus.db"), True, "root:secret")
    assert "secret" not in repr(settings) and "secret" not in repr(spec)
    assert StoreSpec.resolve(str(tmp_path / "v.db"), tmp_path).identity == f"milvus-lite:{tmp_path / 'v.db'}"
