"""Embedding backends side by side: cold ``hrss-qa ask``, warm retrieve()/answer(), peak memory.

    python benchmarks/bench_backends.py [--backends torch,onnx,onnx-int8] [--cold-runs 7]
                                        [--threads 1,2] [--ui] [--json]

Everything is measured in fresh subprocesses, so no backend benefits from another's imports:

* **cold ask**: wall time of ``python -m hrss_qa ask "…"`` (index already built; the first
  run per backend is discarded so that every measured run finds the files in the page cache),
  that process's CPU time (user + system) and its peak RSS.  Runs are interleaved across backends so that they share the
  machine's load.
* **warm**: one process per backend builds an :class:`~hrss_qa.retrieval.Engine`, warms it on
  a few questions that are not in the set, then times ``retrieve()`` and ``answer_with()`` once
  per question of ``eval/questions.jsonl`` (new questions: no cache helps), and reports p50/p95
  (wall; and the p50 of process CPU time for retrieve) and its peak RSS.
* **chat page** (``--ui``, only when ``hrss_qa.ui`` exists): time from starting
  ``hrss-qa serve`` until ``GET /`` answers 200, and until it logs "engine ready" (the page
  comes up first and loads the engine in the background).

Each backend gets its own index folder (``--index-root``, default a folder in the system temp
dir), built before measuring.  ONNX Runtime's intra-op threads come from ``--threads`` (one
row per value; ``$HRSS_QA_THREADS``).  The machine's load average is recorded with each
measurement: on a shared 2-core machine the numbers move with what else is running.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _process import stop

ROOT = Path(__file__).resolve().parents[1]
ASK = "一季度城镇新增就业多少人？"
WARMUP = ["预热问题：养老保险", "warm-up: how many jobs?", "電子社保卡", "技能大賽在哪裡舉辦", "失业率"]


def _env(backend: str, index_dir: Path, threads: int | None) -> dict:
    env = {**os.environ, "HRSS_QA_BACKEND": backend, "HRSS_QA_INDEX": str(index_dir),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
           "TOKENIZERS_PARALLELISM": "false"}
    env.pop("HRSS_QA_MODEL", None)
    if threads:
        env["HRSS_QA_THREADS"] = str(threads)
    return env


def _run(cmd: list[str], env: dict, timeout: float = 600) -> tuple[float, float, str, str, int, float]:
    """Wall seconds, peak RSS (MB), stdout, stderr, exit code and CPU seconds (user + system) of a child."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, cwd=ROOT)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.002)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (wall, usage.ru_maxrss / 1024, out.read().decode(errors="replace"), err.read().decode(errors="replace"),
                proc.returncode, usage.ru_utime + usage.ru_stime)


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


# --- the warm worker (runs in its own process) --------------------------------------------------------


def worker(questions_path: str | None) -> None:
    t0 = time.perf_counter()
    from hrss_qa.answering import answer_with
    from hrss_qa.evaluation import load_questions
    from hrss_qa.retrieval import Engine

    imported = time.perf_counter()
    engine = Engine()
    ready = time.perf_counter()
    questions = [q.question for q in load_questions(questions_path)]
    for q in WARMUP:
        engine.retrieve(q)
        answer_with(engine, q)
    retrieve_ms, retrieve_cpu_ms, answer_ms, embed_ms = [], [], [], []
    for q in questions:
        t, c = time.perf_counter(), time.process_time()
        engine.retrieve(q, k=5)
        retrieve_ms.append((time.perf_counter() - t) * 1000)
        retrieve_cpu_ms.append((time.process_time() - c) * 1000)
    for q in questions:
        t = time.perf_counter()
        answer_with(engine, q)
        answer_ms.append((time.perf_counter() - t) * 1000)
    for q in questions:
        t = time.perf_counter()
        engine.embedder.encode_queries([q])
        embed_ms.append((time.perf_counter() - t) * 1000)
    print(json.dumps({
        "import_s": imported - t0, "engine_s": ready - imported, "n": len(questions),
        "embedder": engine.embedder.name, "threads": getattr(engine.embedder, "threads", None),
        "retrieve_p50": statistics.median(retrieve_ms), "retrieve_p95": _pct(retrieve_ms, 0.95),
        "retrieve_cpu_p50": statistics.median(retrieve_cpu_ms),
        "answer_p50": statistics.median(answer_ms), "answer_p95": _pct(answer_ms, 0.95),
        "embed1_p50": statistics.median(embed_ms), "embed1_p95": _pct(embed_ms, 0.95),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torch_imported": "torch" in sys.modules,
        "sentence_transformers_imported": "sentence_transformers" in sys.modules,
        "load": os.getloadavg()[0],
    }))


# --- the driver ----------------------------------------------------------------------------------------


def _ui_ready(env: dict, port: int, timeout: float = 300) -> dict:
    """Seconds from starting ``hrss-qa serve`` until ``GET /`` answers 200 (page) and until the
    server logs that its engine is loaded (chat answers); the page comes up before the engine."""
    times: dict = {"page_s": None, "engine_s": None}
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "hrss_qa", "serve", "--port", str(port)], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=err)
        try:
            while time.perf_counter() - start < timeout and proc.poll() is None:
                if times["page_s"] is None:
                    try:
                        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                            if response.status == 200:
                                times["page_s"] = time.perf_counter() - start
                    except OSError:
                        pass
                if times["engine_s"] is None:
                    err.seek(0)
                    if b"engine ready" in err.read():
                        times["engine_s"] = time.perf_counter() - start
                if None not in times.values():
                    break
                time.sleep(0.05)
        finally:
            stop(proc)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="torch,onnx,onnx-int8")
    parser.add_argument("--threads", default="1", help="ONNX Runtime intra-op threads to measure, e.g. 1,2")
    parser.add_argument("--cold-runs", type=int, default=7, help="measured cold `ask` runs per backend")
    parser.add_argument("--questions", help="question file (default eval/questions.jsonl)")
    parser.add_argument("--index-root", help="folder for the per-backend index folders")
    parser.add_argument("--ui", action="store_true", help="also time the chat page (needs hrss_qa.ui)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.questions)
        return 0

    index_root = Path(args.index_root or Path(tempfile.gettempdir()) / "hrss-qa-bench-index")
    configs = []
    for backend in args.backends.split(","):
        for threads in ([int(t) for t in args.threads.split(",")] if backend != "torch" else [None]):
            configs.append((backend, threads))
    label = {c: c[0] if c[1] in (None, 1) and len(args.threads.split(",")) == 1 else f"{c[0]} ×{c[1] or 1}"
             for c in configs}
    results: dict = {label[c]: {"backend": c[0], "threads": c[1]} for c in configs}
    meta = {"cpus": os.cpu_count(), "load_before": os.getloadavg(), "python": sys.version.split()[0]}

    for c in configs:  # index (and ONNX graphs) ready before anything is timed
        env = _env(c[0], index_root / c[0], c[1])
        wall, _, _, err, code, _ = _run([sys.executable, "-m", "hrss_qa", "search", "预热", "-k", "1"], env)
        if code:
            print(err[-2000:], file=sys.stderr)
            raise SystemExit(f"{c}: setup failed")
        print(f"# {label[c]}: index ready ({wall:.1f} s)", file=sys.stderr)

    for c in configs:
        env = _env(c[0], index_root / c[0], c[1])
        _, _, out, err, code, _ = _run([sys.executable, __file__, "--worker"] + (["--questions", args.questions] if args.questions else []), env)
        if code:
            print(err[-2000:], file=sys.stderr)
            raise SystemExit(f"{c}: warm worker failed")
        results[label[c]]["warm"] = json.loads(out.strip().splitlines()[-1])
        print(f"# {label[c]}: warm {results[label[c]]['warm']['retrieve_p50']:.1f} ms", file=sys.stderr)

    cold: dict = {label[c]: [] for c in configs}
    for run in range(args.cold_runs + 1):  # round-robin; run 0 (page cache) is discarded
        for c in configs:
            env = _env(c[0], index_root / c[0], c[1])
            wall, rss, out, err, code, cpu = _run([sys.executable, "-m", "hrss_qa", "ask", ASK], env)
            if code or "297" not in out:
                print(err[-2000:], file=sys.stderr)
                raise SystemExit(f"{c}: cold ask failed")
            if run:
                cold[label[c]].append({"s": wall, "cpu_s": cpu, "rss_mb": rss, "load": os.getloadavg()[0]})
        print(f"# cold round {run} done", file=sys.stderr)
    for name, runs in cold.items():
        walls = [r["s"] for r in runs]
        results[name]["cold"] = {"median_s": statistics.median(walls), "min_s": min(walls), "max_s": max(walls),
                                 "cpu_median_s": statistics.median(r["cpu_s"] for r in runs),
                                 "rss_mb": statistics.median(r["rss_mb"] for r in runs),
                                 "load": statistics.mean(r["load"] for r in runs), "runs": walls}

    if args.ui:
        if not (ROOT / "src" / "hrss_qa" / "ui.py").exists():
            meta["ui"] = "skipped: hrss_qa.ui does not exist"
        else:
            for i, c in enumerate(configs):
                env = _env(c[0], index_root / c[0], c[1])
                results[label[c]]["ui"] = _ui_ready(env, 7990 + i)
    meta["load_after"] = os.getloadavg()

    if args.json:
        print(json.dumps({"meta": meta, "results": results}, indent=2, ensure_ascii=False))
    else:
        _print_table(results, meta)
    return 0


def _print_table(results: dict, meta: dict) -> None:
    base = results.get("torch")

    def ratio(value: float | None, ref: float | None) -> str:
        return f" ({value / ref:.2f}×)" if base is not None and value and ref else ""

    print(f"{meta['cpus']} CPUs; load average before {meta['load_before'][0]:.1f}, after {meta['load_after'][0]:.1f}; "
          f"Python {meta['python']}. Ratios are against torch.  CPU columns (user+system time of the process) "
          "move much less with other processes' load than wall times; with 1 thread they approximate an idle machine.")
    if "ui" in meta:
        print(meta["ui"])
    cols = ["backend", "cold ask s (median [min-max])", "cold ask CPU s", "cold RSS MB", "engine start s",
            "retrieve p50/p95 ms", "retrieve CPU p50 ms", "answer p50/p95 ms", "embed 1 q p50 ms", "warm RSS MB",
            "torch loaded"]
    if any("ui" in r for r in results.values()):
        cols.append("chat page / engine ready s")
    rows = []
    for name, r in results.items():
        c, w = r["cold"], r["warm"]
        b = base or r
        row = [name,
               f"{c['median_s']:.2f} [{c['min_s']:.2f}-{c['max_s']:.2f}]{ratio(c['median_s'], b['cold']['median_s'])}",
               f"{c['cpu_median_s']:.2f}{ratio(c['cpu_median_s'], b['cold']['cpu_median_s'])}",
               f"{c['rss_mb']:.0f}{ratio(c['rss_mb'], b['cold']['rss_mb'])}",
               f"{w['engine_s']:.2f}",
               f"{w['retrieve_p50']:.1f} / {w['retrieve_p95']:.1f}{ratio(w['retrieve_p50'], b['warm']['retrieve_p50'])}",
               f"{w['retrieve_cpu_p50']:.1f}{ratio(w['retrieve_cpu_p50'], b['warm']['retrieve_cpu_p50'])}",
               f"{w['answer_p50']:.1f} / {w['answer_p95']:.1f}{ratio(w['answer_p50'], b['warm']['answer_p50'])}",
               f"{w['embed1_p50']:.1f}",
               f"{w['rss_mb']:.0f}{ratio(w['rss_mb'], b['warm']['rss_mb'])}",
               "yes" if w["torch_imported"] else "no"]
        if "chat page / engine ready s" in cols:
            ui = r.get("ui") or {}
            row.append(" / ".join("—" if ui.get(k) is None else f"{ui[k]:.1f}" for k in ("page_s", "engine_s")))
        rows.append(row)
    widths = [max(len(str(x)) for x in col) for col in zip(cols, *rows)]
    print("| " + " | ".join(h.ljust(wd) for h, wd in zip(cols, widths)) + " |")
    print("|" + "|".join("-" * (wd + 2) for wd in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(x).ljust(wd) for x, wd in zip(row, widths)) + " |")
    loads = {name: (r["cold"]["load"], r["warm"]["load"]) for name, r in results.items()}
    print("load average during cold runs / warm run: " + "; ".join(f"{k} {a:.1f}/{b:.1f}" for k, (a, b) in loads.items()))


if __name__ == "__main__":
    sys.exit(main())
