"""Artifacts: folders of generated files, published whole and described by a manifest written last.

The converted model folder, each ONNX graph folder and the index are artifacts, and all three follow
one recipe:

* **lock**: whoever builds holds ``<folder>/.lock`` (a :class:`filelock.FileLock`); a second process
  waits for it and then finds the artifact current instead of building it again.
* **atomic publish**: files are written in ``<folder>/.building-*``; then the old manifest is removed,
  the new files are renamed into place, and the new manifest is renamed in last.  A reader therefore
  sees a complete artifact, or no manifest at all, never a manifest describing other files.  A
  ``.building-*`` folder left by a killed builder is removed by the next one.
* **manifest**: JSON holding what the artifact is (the identity a reader expects), whatever else
  the builder records, and ``files``: every file's size and SHA-256.
* **staleness**: :meth:`Artifact.problem` names what is wrong, cheapest checks first: missing,
  manifest unreadable, an identity field changed, a file missing, a size or a checksum mismatch.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp()) / "greeting"
>>> greeting = Artifact(folder, identity={"format_version": 1, "language": "zh"})
>>> greeting.problem()
'missing'
>>> def build(tmp: Path) -> dict:
...     (tmp / "hello.txt").write_text("你好", encoding="utf-8")
...     return {"words": 1}
>>> with greeting.lock():
...     manifest = greeting.publish(build)
>>> manifest["files"]["hello.txt"]["size"], manifest["words"], greeting.problem()
(6, 1, None)
>>> Artifact(folder, identity={"format_version": 1, "language": "en"}).problem()
'language changed (zh → en)'
>>> _ = (folder / "hello.txt").write_text("您好", encoding="utf-8")          # same size, other bytes
>>> greeting.problem()
'hello.txt is damaged or from another build (checksum mismatch)'
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger(__name__)

LOCK_FILE = ".lock"
BUILDING_PREFIX = ".building-"
SMALL_FILE = 32 << 20  # bytes: with checksums="small", files below this size have their checksum verified
LOCK_TIMEOUT = 3600.0  # seconds to wait for another builder (a first model conversion takes minutes)
_NOT_BUILT = frozenset({"README.md"})  # a folder may carry a README (the repository's index/ does)


class ArtifactError(OSError):
    """An artifact cannot be built or waited for (unwritable folder, lock never released)."""


def file_record(path: Path) -> dict:
    """``{"size", "sha256"}`` of a file, flushed to disk on the way (a published file must survive a crash)."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
        os.fsync(handle.fileno())
    return {"size": size, "sha256": digest.hexdigest()}


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Artifact:
    """A folder of generated files and its manifest.

    ``identity`` holds the manifest fields a reader requires (format version, what it was made
    from); ``checksums`` says which files :meth:`problem` hashes (``"all"``, ``"small"``: files
    under 32 MB, or ``"none"``: sizes only, for callers that verify checksums in the background with
    :meth:`checksum_problem`); ``what`` names the artifact in log lines.
    """

    folder: Path
    identity: Mapping[str, Any] = field(default_factory=dict)
    manifest_name: str = "manifest.json"
    checksums: Literal["all", "small", "none"] = "all"
    what: str = "artifact"

    @property
    def manifest_path(self) -> Path:
        return self.folder / self.manifest_name

    def manifest_bytes(self) -> bytes | None:
        """The manifest as stored, or None when there is none (to notice a rebuild by another process)."""
        try:
            return self.manifest_path.read_bytes()
        except OSError:
            return None

    def read_manifest(self) -> dict:
        """The manifest; ValueError/OSError when it is missing or malformed."""
        manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        files = manifest["files"] if isinstance(manifest, dict) else None
        if not isinstance(files, dict) or not all(
                isinstance(meta, dict) and isinstance(meta.get("size"), int) and isinstance(meta.get("sha256"), str)
                for meta in files.values()):
            raise ValueError("its file table is not {name: {size, sha256}}")
        return manifest

    def problem(self) -> str | None:
        """None when the artifact is complete and current, else what is wrong with it."""
        try:
            manifest = self.read_manifest()
        except FileNotFoundError:
            if not self.folder.is_dir() or not [p for p in self.folder.iterdir()
                                                if not p.name.startswith(".") and p.name not in _NOT_BUILT]:
                return "missing"
            return f"{self.manifest_name} is missing (an interrupted build?)"
        except OSError as exc:
            return f"{self.manifest_name} unreadable ({exc.strerror or exc})"
        except (ValueError, KeyError, TypeError) as exc:
            return f"{self.manifest_name} unreadable ({type(exc).__name__}: {exc})"
        for key, value in self.identity.items():
            if manifest.get(key) != value:
                return f"{key} changed ({manifest.get(key)!s:.16} → {value!s:.16})"
        for name, meta in manifest["files"].items():
            path = self.folder / name
            if not path.is_file():
                return f"{name} is missing"
            if path.stat().st_size != meta["size"]:
                return f"{name} is damaged or from another build ({path.stat().st_size} bytes, expected {meta['size']})"
        small = {"all": float("inf"), "small": SMALL_FILE, "none": 0}[self.checksums]
        return self.checksum_problem(manifest, below=small)

    def checksum_problem(self, manifest: Mapping | None = None, below: float = float("inf")) -> str | None:
        """None when every file (under ``below`` bytes) matches its recorded SHA-256, else which does not."""
        try:
            files = (manifest or self.read_manifest())["files"]
            for name, meta in files.items():
                if meta["size"] < below and sha256_file(self.folder / name) != meta["sha256"]:
                    return f"{name} is damaged or from another build (checksum mismatch)"
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return f"cannot verify the files ({type(exc).__name__}: {exc})"
        return None

    @contextlib.contextmanager
    def lock(self, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
        """Hold the artifact's build lock (creating its folder); waits, saying so, while another process holds it."""
        from filelock import FileLock, Timeout

        self.folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.folder / LOCK_FILE))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            log.info("another process is building the %s in %s; waiting", self.what, self.folder)
            try:
                lock.acquire(timeout=timeout)
            except Timeout:
                raise ArtifactError(f"gave up after {timeout:.0f} s waiting for {self.folder / LOCK_FILE}") from None
        try:
            yield
        finally:
            lock.release()

    def publish(self, build: Callable[[Path], Mapping[str, Any] | None]) -> dict:
        """Run ``build(tmp)`` to write the files, then publish them with their manifest; returns the manifest.

        ``build`` returns extra manifest fields (or None).  The caller holds :meth:`lock`.
        """
        for stale in self.folder.glob(f"{BUILDING_PREFIX}*"):
            log.warning("removing %s, left by an interrupted build", stale)
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=BUILDING_PREFIX, dir=self.folder))
        try:
            extra = dict(build(tmp) or {})
            folders = sorted(p.relative_to(tmp) for p in tmp.rglob("*") if p.is_dir())
            names = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
            for name in names:  # mkstemp/mkdtemp make 0600/0700: another user serving this could not read it
                (tmp / name).chmod(0o644)
            manifest = {**self.identity, **extra, "files": {name: file_record(tmp / name) for name in names}}
            staged = tmp / self.manifest_name
            staged.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            staged.chmod(0o644)
            file_record(staged)  # fsync
            self.manifest_path.unlink(missing_ok=True)  # from here until the last rename, it reads as incomplete
            for sub in folders:
                (self.folder / sub).mkdir(parents=True, exist_ok=True)
            for name in names:
                os.replace(tmp / name, self.folder / name)
            os.replace(staged, self.manifest_path)
            _fsync_folder(self.folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        log.info("%s ready: %s", self.what, self.folder)
        return manifest

    def ensure(self, build: Callable[[Path], Mapping[str, Any] | None], damaged: str | None = None,
               seen: bytes | None = None) -> dict:
        """The manifest of a current artifact, building and publishing it first if it is missing or stale.

        ``damaged`` is what a reader found wrong after loading the artifact whose manifest was
        ``seen``: it is rebuilt unless another process has replaced it meanwhile.
        """
        if damaged is None and self.problem() is None:
            return self.read_manifest()
        with self.lock():
            problem = self.problem()  # another process may have built it while we waited
            if problem is None and damaged is not None and self.manifest_bytes() == seen:
                problem = damaged
            if problem is None:
                return self.read_manifest()
            if problem == "missing":
                log.info("building the %s in %s", self.what, self.folder)
            else:
                log.warning("%s in %s needs a rebuild: %s", self.what, self.folder, problem)
            return self.publish(build)


def _fsync_folder(folder: Path) -> None:
    """Make the renames in ``folder`` durable (not supported everywhere; best effort)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
