"""The command line, as a user runs it: search, ask (plain and --json), quiet unless -v, and a clear error."""

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run([sys.executable, "-m", "hrss_qa", *args], capture_output=True, text=True, env=env, timeout=300)


def test_ask_prints_answer_citation_and_figures():
    out = _run("ask", "失业保险参保人数是多少？")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "截至3月底，失业保险参保人数为2.37亿人。[1]"
    assert "出处" in lines and any("2.37億人" in line for line in lines)
    assert "2.37 億人 (237,000,000 人)" in out.stdout
    # Quiet: the answer only; faiss's nine loader lines and our loading lines need -v.
    assert "INFO" not in out.stderr and "faiss" not in out.stderr, out.stderr


def test_verbose_shows_what_is_loaded():
    out = _run("-v", "search", "失业率", "-k", "1")
    assert out.returncode == 0, out.stderr
    assert "INFO faiss.loader" in out.stderr and "INFO hrss_qa.encoders" in out.stderr, out.stderr
    assert "DEBUG" not in out.stderr


def test_ask_json_and_search():
    data = json.loads(_run("ask", "二季度城镇新增就业多少人？", "--json").stdout)
    assert data["abstained"] is True and data["figures"] == [] and data["citations"]
    hits = json.loads(_run("search", "电子社保卡领用人数", "-k", "2", "--json").stdout)
    assert len(hits) == 2 and "7.64億人" in hits[0]["text"]


def test_bad_corpus_folder_is_a_one_line_error(tmp_path):
    out = _run("--corpus", str(tmp_path / "missing"), "search", "失业率")
    assert out.returncode == 2
    assert "corpus folder not found" in out.stderr and "Traceback" not in out.stderr


def test_figures_lists_filters_and_writes_csv(tmp_path):
    out = _run("figures", "參保人數")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 4
    assert "失業保險參保人數  2.37億人 = 2.37 億人 (237,000,000 人)  (截至3月底)" in lines[2]
    assert _run("figures", "访问量", "人次").stdout.count("\n") == 2            # every word must match

    target = tmp_path / "figures.csv"
    target.write_text("old content", encoding="utf-8")
    written = _run("figures", "--csv", str(target))
    assert written.returncode == 0 and "87 figures" in written.stderr
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.decode("utf-8-sig").count("\r\n") == 88
    assert list(tmp_path.iterdir()) == [target]                                  # no partial file left

    rows = json.loads(_run("figures", "--json", "unemployment", "insurance", "insured").stdout)
    assert [(r["label"], r["text"]) for r in rows] == [("失業保險參保人數", "2.37億人")]


def test_figures_with_unknown_words_says_so():
    out = _run("figures", "foo")
    assert out.returncode == 0 and out.stdout == ""
    assert "glossary does not know: foo" in out.stderr and "no figures match 'foo'" in out.stderr
