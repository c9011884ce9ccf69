"""The answer pipeline, one small pure stage per module, in the order they run:

=============  ===============  =============================================================
stage          module           what it does
=============  ===============  =============================================================
analyze        ``analyze``      what a question asks (with ``numbers``, ``decompose``)
follow-ups     ``conversation`` an elliptical question completed from the conversation
candidates     ``features``     the figures that could answer, with their feature values
rank           ``model``        fitted probabilities (weights from ``fit``, in data/)
decide         ``decide``       answer / state without verdict / abstain (with ``scope``)
render         ``render``       the cited answer text in the asker's script
=============  ===============  =============================================================

:class:`~hrss_qa.answering.pipeline.Answerer` chains them for one engine.
"""

from .analyze import MAX_QUESTION_CHARS
from .pipeline import Answerer, answer_with
from .records import Answer, Citation, Decision, Query, Turn

__all__ = ["Answer", "Answerer", "Citation", "Decision", "MAX_QUESTION_CHARS", "Query", "Turn", "answer_with"]
