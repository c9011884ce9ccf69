"""Features of a fact answer's evidence: how clearly retrieval picked its passage.

A fact question is answered by quoting the best sentence of the best passage; the passage
model (:mod:`hrss_qa.answering.model`) turns these numbers into the probability that the
passage is the right one.
"""

from __future__ import annotations

import re

from ..retrieval import Hit

PASSAGE_FEATURES = ("top_score", "margin", "top_dense", "top_lexical", "best_sentence")
# which sentence of the passage to quote: its dense score below the best one's, its lexical score,
# whether it is only an item's heading (「二是促進青年就業。」)
SENTENCE_FEATURES = ("dense_gap", "lexical", "heading")
_HEADING_CHARS = 20


def passage_features(hits: list[Hit]) -> tuple[float, ...]:
    """(top fused score, its lead over the second, its dense and lexical scores, best sentence score)."""
    if not hits:
        return (0.0,) * len(PASSAGE_FEATURES)
    top = hits[0]
    margin = top.score - hits[1].score if len(hits) > 1 else top.score
    return (top.score, margin, top.dense_score, top.lexical_score, max(top.sentence_scores, default=0.0))


_ITEM_MARKER = re.compile(r"^[一二三四五六七八九十]+是")   # 「二是…」: the second item of a list of actions


def without_marker(text: str) -> str:
    """``text`` without an item's opening marker (「二是」)."""
    return _ITEM_MARKER.sub("", text)


def is_heading(text: str) -> bool:
    """Whether a sentence is only an item's heading: 「二是促進高校畢業生等青年就業。」."""
    return _ITEM_MARKER.match(text) is not None and len(without_marker(text)) <= _HEADING_CHARS


def sentence_features(hit: Hit) -> list[tuple[float, ...]]:
    """One row of :data:`SENTENCE_FEATURES` per sentence of the passage, in order."""
    best = max(hit.sentence_scores, default=0.0)
    return [(dense - best, lexical, float(is_heading(s.text)))
            for s, dense, lexical in zip(hit.sentences, hit.sentence_scores, hit.sentence_lexical)]
