"""Load test of the chat app: N concurrent gradio_client users for a fixed time, on loopback.

Run it against an app it starts itself (``python app.py --port P`` in the repository root; the
server is stopped at the end)::

    . .venv/bin/activate
    python benchmarks/load_test.py --start                      # 20 threads, 60 s, port 7899
    python benchmarks/load_test.py --start --port 7901 --threads 20 --seconds 60 --json out.json

or against a running app (its RSS is measured when its PID can be found from the port, or
is given with ``--pid``)::

    python app.py --port 7860 &
    python benchmarks/load_test.py --url http://127.0.0.1:7860/

Every thread has its own ``gradio_client.Client`` and asks questions from a fixed list in turn
(answerable ones in Simplified, Traditional and English, one the briefing cannot answer, and
a few odd inputs) through the ``/ask`` endpoint (``--endpoint /respond`` for the chat box's).
One warm-up request, not counted, waits until the engine is loaded.  The run is bounded both
by time (``--seconds``, then in-flight requests may finish within ``--timeout``) and by count
(``--max-requests``); it only talks to 127.0.0.1/localhost/::1 and stops by itself.

Reported: requests, throughput, latency p50/p95/max, errors (an exception, a timeout, or a
reply with ``ok`` false for a question that has an answer; the run fails, exit 1, on any error),
and the server's resident memory (psutil; the process and its children) after start-up, after
the warm-up and after the load.  Requires ``psutil`` (``pip install psutil``, in the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from _process import stop as stop_process
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

# (question, must the reply have an answer?)  Unanswerable and odd inputs still return ok=True
# with an abstention, but only the answerable ones are required to.
QUESTIONS: list[tuple[str, bool]] = [
    ("一季度城镇新增就业多少人？", True),
    ("3月份全国城镇调查失业率是多少？", True),
    ("失业保险参保人数是多少？", True),
    ("電子社保卡領用人數是多少？", True),
    ("社保基金一季度的收入和支出哪个多？", True),
    ("开通了多少项“一网通办”服务？", True),
    ("How many people joined the personal pension scheme?", True),
    ("下一步如何推进根治欠薪？", True),
    ("二季度城镇新增就业多少人？", False),
    ("<script>alert(1)</script> 📈 ２９７萬", False),
    ("x" * 2000, False),
]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear between closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int | None) -> float | None:
    """Resident memory of ``pid`` and its children, in MB."""
    if pid is None:
        return None
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
        return sum(p.memory_info().rss for p in procs if p.is_running()) / 1e6
    except psutil.Error:
        return None


def pid_listening_on(port: int) -> int | None:
    import psutil

    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
                return conn.pid
    except psutil.Error:
        pass
    return None


def wait_http(url: str, deadline: float, proc: subprocess.Popen | None) -> None:
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"the app exited with code {proc.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within the start-up timeout")


def call(client, endpoint: str, question: str, timeout: float):
    """One request; returns the reply's ``ok`` (/ask JSON), or whether /respond's chat ends with a reply."""
    if endpoint == "/respond":
        job = client.submit(question, "auto", api_name="/respond")
        chat = job.result(timeout=timeout)  # (chat messages, cleared textbox)
        messages = chat[0] if isinstance(chat, (list, tuple)) and chat and isinstance(chat[0], list) else chat
        return bool(messages) and isinstance(messages[-1], dict) and messages[-1].get("role") == "assistant"
    job = client.submit(question, [], api_name="/ask")
    reply = job.result(timeout=timeout)
    return bool(reply.get("ok")) if isinstance(reply, dict) else False


def worker(n: int, url: str, args, stop: threading.Event, budget: list[int], lock: threading.Lock,
           latencies: list[float], errors: list[str]) -> None:
    from gradio_client import Client

    try:
        client = Client(url, verbose=False, download_files=False, analytics_enabled=False)
    except Exception as exc:  # noqa: BLE001 - a client that cannot connect is an error of the run
        with lock:
            errors.append(f"thread {n}: cannot connect: {type(exc).__name__}: {exc}")
        return
    i = n  # threads start at different questions
    while not stop.is_set():
        with lock:
            if budget[0] <= 0:
                return
            budget[0] -= 1
        question, must_answer = QUESTIONS[i % len(QUESTIONS)]
        i += 1
        start = time.perf_counter()
        try:
            ok = call(client, args.endpoint, question, args.timeout)
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                if must_answer and not ok:
                    errors.append(f"thread {n}: no answer for {question[:30]!r}")
        except Exception as exc:  # noqa: BLE001 - counted, reported, and the run fails
            with lock:
                errors.append(f"thread {n}: {type(exc).__name__}: {str(exc)[:200]} ({question[:30]!r})")
    try:
        client.close()
    except Exception:  # noqa: BLE001
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a running app on loopback, e.g. http://127.0.0.1:7860/")
    where.add_argument("--start", action="store_true", help="start `python app.py --port P` and stop it at the end")
    parser.add_argument("--port", type=int, help="port for --start (default: a free one)")
    parser.add_argument("--pid", type=int, help="server PID for RSS with --url (default: found from the port)")
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=20_000, help="stop after this many requests in all")
    parser.add_argument("--timeout", type=float, default=120.0, help="per-request timeout, seconds")
    parser.add_argument("--startup-timeout", type=float, default=300.0)
    parser.add_argument("--endpoint", choices=["/ask", "/respond"], default="/ask")
    parser.add_argument("--json", help="also write the report to this file")
    args = parser.parse_args(argv)
    if not 1 <= args.threads <= 200 or not 0 < args.seconds <= 3600:
        parser.error("--threads must be 1..200 and --seconds 0..3600")

    proc = None
    log_file = None
    if args.start:
        port = args.port or free_port()
        url = f"http://127.0.0.1:{port}/"
        log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"hrss-qa-load-{port}.log"
        log_file = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in finally
        env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}
        env.setdefault("HRSS_QA_FEEDBACK", str(Path(os.environ.get("TMPDIR", "/tmp")) / f"hrss-qa-load-{port}.jsonl"))
        proc = subprocess.Popen([sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT,
                                stdout=log_file, stderr=subprocess.STDOUT, env=env)
        print(f"started app.py (pid {proc.pid}) on {url}; log {log_path}", flush=True)
    else:
        url = args.url if args.url.endswith("/") else args.url + "/"
        port = urlparse(url).port or 80
    host = urlparse(url).hostname or ""
    if host not in LOOPBACK:
        parser.error(f"only loopback addresses are load-tested, not {host!r}")

    try:
        start_wall = time.monotonic()
        wait_http(url + "config", start_wall + args.startup_timeout, proc)
        pid = proc.pid if proc else (args.pid or pid_listening_on(port))
        rss_started = rss_mb(pid)

        from gradio_client import Client

        warm = time.perf_counter()
        client = Client(url, verbose=False, download_files=False, analytics_enabled=False)
        endpoints = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
        if args.endpoint not in endpoints:
            raise SystemExit(f"{url} has no {args.endpoint} endpoint (has {sorted(endpoints)})")
        if not call(client, args.endpoint, QUESTIONS[0][0], args.startup_timeout):
            raise SystemExit("the warm-up question got no answer (engine failed to load? see the app log)")
        client.close()
        warm_seconds = time.perf_counter() - warm
        rss_ready = rss_mb(pid)
        print(f"ready (warm-up {warm_seconds:.1f} s); {args.threads} threads × {args.seconds:.0f} s on {args.endpoint}",
              flush=True)

        stop, lock = threading.Event(), threading.Lock()
        latencies: list[float] = []
        errors: list[str] = []
        budget = [args.max_requests]
        threads = [threading.Thread(target=worker, args=(n, url, args, stop, budget, lock, latencies, errors),
                                    name=f"load-{n}", daemon=True) for n in range(args.threads)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        peak = rss_ready or 0.0
        while time.perf_counter() - t0 < args.seconds and any(t.is_alive() for t in threads):
            time.sleep(1.0)
            peak = max(peak, rss_mb(pid) or 0.0)
        stop.set()
        for t in threads:
            t.join(timeout=args.timeout + 10)
        wall = time.perf_counter() - t0
        stuck = [t.name for t in threads if t.is_alive()]
        if stuck:
            errors.append(f"{len(stuck)} threads still waiting after the per-request timeout")
        rss_after = rss_mb(pid)
        if proc is not None and proc.poll() is not None:
            errors.append(f"the app exited with code {proc.returncode} during the run")

        report = {
            "url": url, "endpoint": args.endpoint, "threads": args.threads, "seconds": round(wall, 1),
            "requests": len(latencies), "throughput_rps": round(len(latencies) / wall, 2) if wall else None,
            "latency_p50_s": round(percentile(latencies, 50), 3),
            "latency_p95_s": round(percentile(latencies, 95), 3),
            "latency_max_s": round(max(latencies), 3) if latencies else None,
            "latency_mean_s": round(statistics.fmean(latencies), 3) if latencies else None,
            "errors": len(errors), "error_samples": errors[:10],
            "server_pid": pid, "rss_mb_started": _r(rss_started), "rss_mb_ready": _r(rss_ready),
            "rss_mb_peak": _r(peak or None), "rss_mb_after": _r(rss_after), "warmup_s": round(warm_seconds, 1),
            "cpu_count": os.cpu_count(),
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
        if args.json:
            Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return 1 if errors or not latencies else 0
    finally:
        if proc is not None:
            stop_process(proc)
        if log_file is not None:
            log_file.close()


def _r(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


if __name__ == "__main__":
    sys.exit(main())
