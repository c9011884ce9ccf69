"""The artifact helper on small folders: publish, staleness, interrupted builds, the lock.

The model folder, the ONNX graphs and the index use it with real content (tests/test_embedding.py,
tests/test_onnx.py, tests/test_integrity.py); these tests pin down the recipe itself.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from pathlib import Path

import pytest

from hrss_qa.artifacts import Artifact

IDENTITY = {"format_version": 1, "source": "abc"}


def _writer(files: dict[str, bytes], calls: list | None = None, pause: float = 0.0):
    def build(tmp: Path) -> dict:
        if calls is not None:
            calls.append(threading.current_thread().name)
        time.sleep(pause)
        for name, data in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_bytes(data)
        return {"note": "made by a test"}
    return build


def test_publish_records_every_file_and_is_current(tmp_path: Path) -> None:
    art = Artifact(tmp_path / "a", identity=IDENTITY)
    assert art.problem() == "missing"
    manifest = art.ensure(_writer({"x.bin": b"12345", "sub/y.txt": "一".encode()}))
    assert manifest["files"] == {
        "sub/y.txt": {"size": 3, "sha256": hashlib.sha256("一".encode()).hexdigest()},
        "x.bin": {"size": 5, "sha256": hashlib.sha256(b"12345").hexdigest()},
    }
    assert manifest["note"] == "made by a test" and manifest["format_version"] == 1
    assert json.loads((art.folder / "manifest.json").read_text(encoding="utf-8")) == manifest
    assert art.problem() is None
    assert [p.name for p in art.folder.iterdir() if p.name.startswith(".building-")] == []
    assert (art.folder / "x.bin").stat().st_mode & 0o644 == 0o644


@pytest.mark.parametrize("damage, problem", [
    (lambda f: (f / "x.bin").unlink(), "x.bin is missing"),
    (lambda f: (f / "x.bin").write_bytes(b"123"), "x.bin is damaged or from another build (3 bytes, expected 5)"),
    (lambda f: (f / "x.bin").write_bytes(b"54321"), "x.bin is damaged or from another build (checksum mismatch)"),
    (lambda f: (f / "manifest.json").write_text("{", encoding="utf-8"), "manifest.json unreadable (JSONDecodeError"),
    (lambda f: (f / "manifest.json").unlink(), "manifest.json is missing (an interrupted build?)"),
])
def test_each_kind_of_damage_is_named(tmp_path: Path, damage, problem: str) -> None:
    art = Artifact(tmp_path / "a", identity=IDENTITY)
    art.ensure(_writer({"x.bin": b"12345"}))
    damage(art.folder)
    assert (art.problem() or "").startswith(problem)


def test_identity_and_checksum_policies(tmp_path: Path) -> None:
    art = Artifact(tmp_path / "a", identity=IDENTITY)
    art.ensure(_writer({"x.bin": b"12345"}))
    assert Artifact(art.folder, identity={**IDENTITY, "source": "xyz"}).problem() == "source changed (abc → xyz)"
    (art.folder / "x.bin").write_bytes(b"54321")  # same size
    assert Artifact(art.folder, identity=IDENTITY, checksums="none").problem() is None
    assert Artifact(art.folder, identity=IDENTITY, checksums="small").problem() is not None  # 5 bytes is small
    assert "checksum mismatch" in Artifact(art.folder, checksums="none").checksum_problem()


def test_a_failed_build_leaves_the_published_artifact_alone(tmp_path: Path) -> None:
    art = Artifact(tmp_path / "a", identity=IDENTITY)
    art.ensure(_writer({"x.bin": b"12345"}))

    def crash(tmp: Path) -> None:
        (tmp / "x.bin").write_bytes(b"half")
        raise OSError("disk full")

    with art.lock(), pytest.raises(OSError, match="disk full"):
        art.publish(crash)
    assert art.problem() is None and (art.folder / "x.bin").read_bytes() == b"12345"
    assert not list(art.folder.glob(".building-*"))


def test_a_killed_build_is_cleaned_up_by_the_next(tmp_path: Path, caplog) -> None:
    art = Artifact(tmp_path / "a", identity=IDENTITY)
    art.ensure(_writer({"x.bin": b"12345"}))
    (art.folder / ".building-k1ll3d").mkdir()
    (art.folder / ".building-k1ll3d" / "x.bin").write_bytes(b"12")
    (art.folder / "manifest.json").unlink()  # killed after un-publishing the old manifest
    with caplog.at_level(logging.INFO, logger="hrss_qa"):
        art.ensure(_writer({"x.bin": b"67890"}))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("needs a rebuild: manifest.json is missing" in w for w in warnings), warnings
    assert any(w.startswith("removing") and "k1ll3d" in w for w in warnings), warnings
    assert art.problem() is None and (art.folder / "x.bin").read_bytes() == b"67890"
    assert not list(art.folder.glob(".building-*"))


def test_a_readme_in_the_folder_is_not_an_interrupted_build(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    folder.mkdir()
    (folder / "README.md").write_text("the index lives here", encoding="utf-8")
    assert Artifact(folder).problem() == "missing"


def test_concurrent_builders_build_once(tmp_path: Path) -> None:
    art = Artifact(tmp_path / "a", identity=IDENTITY)
    calls: list[str] = []
    results = []
    threads = [threading.Thread(target=lambda: results.append(art.ensure(_writer({"x.bin": b"1"}, calls, 0.3))))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(calls) == 1 and len(results) == 3
    assert all(r["files"] == results[0]["files"] for r in results)


def test_a_damage_report_rebuilds_unless_someone_else_did(tmp_path: Path) -> None:
    art = Artifact(tmp_path / "a", identity=IDENTITY)
    art.ensure(_writer({"x.bin": b"12345"}))
    seen = art.manifest_bytes()
    calls: list[str] = []
    art.ensure(_writer({"x.bin": b"67890"}, calls), damaged="probe embeddings changed", seen=seen)
    assert len(calls) == 1 and (art.folder / "x.bin").read_bytes() == b"67890"
    art.ensure(_writer({"x.bin": b"00000"}, calls), damaged="probe embeddings changed", seen=seen)  # stale report
    assert len(calls) == 1 and (art.folder / "x.bin").read_bytes() == b"67890"
