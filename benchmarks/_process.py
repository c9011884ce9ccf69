"""Helpers shared by the benchmark scripts (imported as a sibling module: run them as scripts)."""

from __future__ import annotations

import subprocess


def stop(proc: subprocess.Popen, grace: float = 20.0) -> None:
    """Terminate a server process, killing it if it has not exited after ``grace`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
