"""Core speed benchmark: cold start, index build, warm retrieve()/answer() latency, peak RSS.

    python benchmarks/bench_core.py                      # every embedding backend available
    python benchmarks/bench_core.py --backends torch     # one backend
    python benchmarks/bench_core.py --quick              # 1 repeat, 1 pass: a smoke run

For each backend (``$HRSS_QA_BACKEND``: ``torch``, ``onnx``, ``onnx-int8`` when the installed
``hrss_qa.settings.BACKENDS`` lists them), ``--repeats`` rounds (default 3), each in a fresh process so that
memory and start-up are its own; the backends take turns round by round, so that a change of the
machine's load hits each of them alike:

* **index build**: in each round the model is materialized and loaded once (imports warm), then
  ``Engine(index_dir=<tmp>, rebuild=True)`` is timed; median over rounds.  Both the whole
  ``Engine(...)`` call (load corpus + model, chunk, embed, write, BM25, figures, warm-up query) and
  the index's own ``build_seconds`` (chunk + embed + write, from its manifest) are reported.
* **warm latency**: that engine, after a warm-up on 20 questions, runs every question of
  ``eval/questions.jsonl`` ``--passes`` times (default 1 per round, so 3 passes in all) through
  ``engine.retrieve(q, k=5)`` and through ``answer_with(engine, q)``; p50/p95 over all calls of all
  rounds, plus each round's p50.
* **peak RSS** of those processes (``getrusage`` ``ru_maxrss``; the largest round).
* **cold start**: a fresh ``python`` process running ``import hrss_qa; hrss_qa.answer(q)`` against
  the index just built (``$HRSS_QA_INDEX`` → the tmp folder, so the shared ``index/`` is never
  rewritten); wall time from spawning the process to the answer being ready; median of
  ``--repeats``, interleaved across backends like the rounds.

The machine is shared and has 2 cores: the 1-minute load average (``os.getloadavg()``) is recorded
before and after every phase and printed with the results; compare runs at similar load only.

Writes ``benchmarks/results/core.json`` (``--out``) and prints a table with pass/fail against the
targets: warm retrieve p50 ≤ 30 ms, answer p50 ≤ 40 ms, index build ≤ 10 s.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "core.json"
TARGETS = {"retrieve_p50_ms": 30.0, "answer_p50_ms": 40.0, "index_build_s": 10.0}
COLD_QUESTION = "一季度城镇新增就业多少人？"
WARMUP_QUESTIONS = 20


def load1() -> float:
    return round(os.getloadavg()[0], 2)


def pct(values: list[float], q: float) -> float:
    """Percentile by linear interpolation (q in 0..100)."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def child_env(backend: str, index_dir: Path | None = None) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH", "")]))
    env["HRSS_QA_BACKEND"] = backend
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    if index_dir is not None:
        env["HRSS_QA_INDEX"] = str(index_dir)
    return env


# -- worker: runs inside a fresh process for one backend -------------------------------------------

def worker(backend: str, index_dir: Path, passes: int) -> dict:
    """One round for one backend: load the model once, rebuild the index, time the question set."""
    import psutil

    from hrss_qa.answering import answer_with
    from hrss_qa.encoders import load_encoder
    from hrss_qa.evaluation import load_questions
    from hrss_qa.retrieval import Engine

    out: dict = {"backend": backend, "load_start": load1()}
    t0 = time.perf_counter()
    embedder = load_encoder(backend=backend)  # materializes the model/graph; imports warm
    out["model_first_load_s"] = round(time.perf_counter() - t0, 3)
    out["embedder"] = repr(embedder)
    del embedder
    gc.collect()

    out["load_build"] = load1()
    t0 = time.perf_counter()
    engine = Engine(index_dir=index_dir, rebuild=True)
    out["engine_rebuild_s"] = round(time.perf_counter() - t0, 3)
    out["index_build_s"] = engine.index.manifest.build_seconds
    out["n_vectors"] = engine.index.store.ntotal
    out["vector_index"] = engine.index.manifest.vector_index

    questions = [q.question for q in load_questions()]
    for q in questions[:WARMUP_QUESTIONS]:
        answer_with(engine, q)
    out["load_before_warm"] = load1()
    timings: dict[str, list[float]] = {"retrieve": [], "answer": []}
    for _ in range(passes):
        for name, call in (("retrieve", lambda q: engine.retrieve(q, k=5)), ("answer", lambda q: answer_with(engine, q))):
            for q in questions:
                t0 = time.perf_counter()
                call(q)
                timings[name].append(round((time.perf_counter() - t0) * 1000, 3))
    out["load_after_warm"] = load1()
    out["n_questions"] = len(questions)
    out["timings_ms"] = timings
    out["rss_now_mb"] = round(psutil.Process().memory_info().rss / 2**20, 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def aggregate(rounds: list[dict]) -> dict:
    """Medians over rounds (builds), percentiles over every timed call of every round."""
    first = rounds[0]
    out = {key: first[key] for key in ("backend", "embedder", "n_vectors", "vector_index", "n_questions")}
    out["rounds"] = len(rounds)
    out["model_first_load_s"] = [r["model_first_load_s"] for r in rounds]
    out["engine_rebuild_s"] = {"median": statistics.median(r["engine_rebuild_s"] for r in rounds),
                               "runs": [r["engine_rebuild_s"] for r in rounds]}
    out["index_build_s"] = {"median": statistics.median(r["index_build_s"] for r in rounds),
                            "runs": [r["index_build_s"] for r in rounds]}
    for name in ("retrieve", "answer"):
        flat = [x for r in rounds for x in r["timings_ms"][name]]
        out[name] = {
            "p50_ms": round(pct(flat, 50), 2), "p95_ms": round(pct(flat, 95), 2), "max_ms": round(max(flat), 2),
            "calls": len(flat),
            "round_p50_ms": [round(pct(r["timings_ms"][name], 50), 2) for r in rounds],
            "round_p95_ms": [round(pct(r["timings_ms"][name], 95), 2) for r in rounds],
        }
    out["peak_rss_mb"] = max(r["peak_rss_mb"] for r in rounds)
    out["load"] = [{k: r[k] for k in ("load_start", "load_build", "load_before_warm", "load_after_warm")} for r in rounds]
    loads = [v for r in out["load"] for v in r.values()]
    out["load_range"] = [min(loads), max(loads)]
    return out


COLD_CHILD = r"""
import json, resource, sys, time
t_import = time.time()
import hrss_qa
a = hrss_qa.answer(sys.argv[1])
t_done = time.time()
print("COLD " + json.dumps({"t_import": t_import, "t_done": t_done, "abstained": a.abstained, "text": a.text,
      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}, ensure_ascii=False), flush=True)
"""


def cold_start(backend: str, index_dir: Path) -> dict:
    """Spawn → first answer, in a fresh interpreter, index already built in ``index_dir``."""
    load = load1()
    t_spawn = time.time()
    proc = subprocess.run([sys.executable, "-c", COLD_CHILD, COLD_QUESTION], env=child_env(backend, index_dir),
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("COLD ")), None)
    if proc.returncode != 0 or line is None:
        return {"error": (proc.stderr or proc.stdout)[-800:], "load": load}
    data = json.loads(line[5:])
    return {
        "seconds": round(data["t_done"] - t_spawn, 3),
        "interpreter_s": round(data["t_import"] - t_spawn, 3),
        "rebuilt": "needs a rebuild" in proc.stderr,  # must be False: the index was already built
        "answer": data["text"],
        "peak_rss_mb": round(data["peak_rss_mb"], 1),
        "load": load,
    }


# -- orchestration --------------------------------------------------------------------------------

def available_backends() -> list[str]:
    sys.path.insert(0, str(SRC))
    try:
        from hrss_qa import settings
    finally:
        sys.path.pop(0)
    names = list(settings.BACKENDS)
    ok = []
    for name in names:
        if name.startswith("onnx"):
            try:
                import onnxruntime  # noqa: F401
            except ImportError:
                continue
        ok.append(name)
    return ok


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("faiss-cpu", "torch", "sentence-transformers", "onnxruntime", "numpy", "scipy", "jieba"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            pass
    return out


def git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip() or None
    except OSError:
        return None


def run(args) -> dict:
    backends = args.backends.split(",") if args.backends else available_backends()
    tmp = Path(tempfile.mkdtemp(prefix="hrss-bench-core-"))
    result: dict = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "threads_env": os.environ.get("HRSS_QA_THREADS") or os.environ.get("OMP_NUM_THREADS")},
        "versions": versions(),
        "commit": git_commit(),
        "settings": {"repeats": args.repeats, "passes": args.passes, "warmup_questions": WARMUP_QUESTIONS,
                     "cold_question": COLD_QUESTION},
        "targets": TARGETS,
        "load_start": list(os.getloadavg()),
        "backends": {},
    }
    rounds: dict[str, list[dict]] = {b: [] for b in backends}
    errors: dict[str, str] = {}
    try:
        for rep in range(args.repeats):  # backends take turns, so that a change of load hits each alike
            for backend in backends:
                if backend in errors:
                    continue
                print(f"[{backend}] round {rep + 1}/{args.repeats}: index build + {args.passes} pass(es) of warm "
                      f"latency (load {load1()})", flush=True)
                proc = subprocess.run([sys.executable, __file__, "--worker", backend, "--index-dir", str(tmp / backend),
                                       "--passes", str(args.passes)],
                                      env=child_env(backend, tmp / backend), cwd=ROOT, capture_output=True, text=True)
                line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("WORKER ")), None)
                if proc.returncode != 0 or line is None:
                    print(f"[{backend}] failed:\n{proc.stderr[-1500:]}", flush=True)
                    errors[backend] = proc.stderr[-1500:]
                    continue
                rounds[backend].append(json.loads(line[7:]))
        for backend in backends:
            result["backends"][backend] = {"error": errors[backend]} if backend in errors else aggregate(rounds[backend])
        ready = [b for b in backends if "error" not in result["backends"].get(b, {"error": 1})]
        colds: dict[str, list[dict]] = {b: [] for b in ready}
        for rep in range(args.repeats):
            for backend in ready:
                print(f"[{backend}] cold start {rep + 1}/{args.repeats} (load {load1()})", flush=True)
                colds[backend].append(cold_start(backend, tmp / backend))
        for backend in ready:
            runs = colds[backend]
            good = [r["seconds"] for r in runs if "seconds" in r]
            result["backends"][backend]["cold_start"] = {
                "median_s": statistics.median(good) if good else None, "runs": runs}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result["load_end"] = list(os.getloadavg())
    summarize(result)
    return result


def summarize(result: dict) -> None:
    """Add pass/fail and ratios to the torch backend (or the first one measured)."""
    rows = {b: r for b, r in result["backends"].items() if "error" not in r}
    for r in rows.values():
        r["pass"] = {
            "retrieve_p50_ms": r["retrieve"]["p50_ms"] <= TARGETS["retrieve_p50_ms"],
            "answer_p50_ms": r["answer"]["p50_ms"] <= TARGETS["answer_p50_ms"],
            "index_build_s": r["engine_rebuild_s"]["median"] <= TARGETS["index_build_s"],
        }
    base_name = "torch" if "torch" in rows else next(iter(rows), None)
    if base_name is None:
        return
    base = rows[base_name]
    for name, r in rows.items():
        r["ratio_to_" + base_name] = {
            key: round(get(r) / get(base), 3) if get(base) else None
            for key, get in {
                "cold_start": lambda x: x["cold_start"]["median_s"] or 0,
                "engine_rebuild": lambda x: x["engine_rebuild_s"]["median"],
                "index_build": lambda x: x["index_build_s"]["median"],
                "retrieve_p50": lambda x: x["retrieve"]["p50_ms"],
                "answer_p50": lambda x: x["answer"]["p50_ms"],
                "peak_rss": lambda x: x["peak_rss_mb"],
            }.items()
        }


def print_table(result: dict) -> None:
    ok = lambda b: "PASS" if b else "FAIL"  # noqa: E731
    print(f"\nload average at start {result['load_start'][0]:.2f}, at end {result['load_end'][0]:.2f} "
          f"({result['machine']['cpus']} CPUs); build and cold start: medians of {result['settings']['repeats']} "
          f"rounds; latency: p50/p95 over {result['settings']['repeats']} rounds × {result['settings']['passes']} "
          f"pass(es) of the question set; backends take turns")
    head = ("backend", "cold start s", "Engine rebuild s", "index build s", "retrieve p50/p95 ms",
            "answer p50/p95 ms", "peak RSS MB", "load")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, r in result["backends"].items():
        if "error" in r:
            print(f"| {name} | failed: {r['error'].strip().splitlines()[-1][:80]} |")
            continue
        cold = r.get("cold_start", {}).get("median_s")
        p = r["pass"]
        print(f"| {name} | {cold if cold is not None else '-'} | {r['engine_rebuild_s']['median']:.2f} "
              f"{ok(p['index_build_s'])} | {r['index_build_s']['median']:.2f} | "
              f"{r['retrieve']['p50_ms']:.1f} / {r['retrieve']['p95_ms']:.1f} {ok(p['retrieve_p50_ms'])} | "
              f"{r['answer']['p50_ms']:.1f} / {r['answer']['p95_ms']:.1f} {ok(p['answer_p50_ms'])} | "
              f"{r['peak_rss_mb']:.0f} | {r['load_range'][0]:.1f}–{r['load_range'][1]:.1f} |")
    ratios = [(n, r) for n, r in result["backends"].items() if any(k.startswith("ratio_to_") for k in r)]
    if len(ratios) > 1:
        key = next(k for k in ratios[0][1] if k.startswith("ratio_to_"))
        print(f"\nratios ({key.replace('_', ' ')}; < 1 is faster/smaller)")
        cols = list(ratios[0][1][key])
        print("| backend | " + " | ".join(cols) + " |")
        print("|" + "---|" * (len(cols) + 1))
        for name, r in ratios:
            print(f"| {name} | " + " | ".join(f"{r[key][c]:.2f}" if r[key][c] is not None else "-" for c in cols) + " |")
    print(f"\ntargets: retrieve p50 ≤ {TARGETS['retrieve_p50_ms']:.0f} ms, answer p50 ≤ {TARGETS['answer_p50_ms']:.0f} ms, "
          f"index build (Engine rebuild) ≤ {TARGETS['index_build_s']:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", help="comma-separated (default: every backend available)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="rounds per backend: each is a fresh process (index build + warm passes) and a cold start")
    parser.add_argument("--passes", type=int, default=1, help="passes over the question set per round")
    parser.add_argument("--quick", action="store_true", help="1 round, 1 pass")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--index-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.passes = 1, 1
    if args.worker:
        print("WORKER " + json.dumps(worker(args.worker, args.index_dir, args.passes), ensure_ascii=False),
              flush=True)
        return
    result = run(args)
    print_table(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
