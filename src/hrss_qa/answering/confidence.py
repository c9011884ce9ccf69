"""Features of a fact answer's evidence: how clearly retrieval picked its passage.

A fact question is answered by quoting the best sentence of the best passage; the passage
model (:mod:`hrss_qa.answering.model`) turns these numbers into the probability that the
passage is the right one.
"""

from __future__ import annotations

from ..retrieval import Hit

PASSAGE_FEATURES = ("top_score", "margin", "top_dense", "top_lexical", "best_sentence")


def passage_features(hits: list[Hit]) -> tuple[float, ...]:
    """(top fused score, its lead over the second, its dense and lexical scores, best sentence score)."""
    if not hits:
        return (0.0,) * len(PASSAGE_FEATURES)
    top = hits[0]
    margin = top.score - hits[1].score if len(hits) > 1 else top.score
    return (top.score, margin, top.dense_score, top.lexical_score, max(top.sentence_scores, default=0.0))
