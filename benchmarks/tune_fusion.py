"""Choose the retrieval fusion weights on the question set, with a cross-validation check.

    python benchmarks/tune_fusion.py [--questions eval/questions.jsonl]

Computes every question's dense and lexical signals once, then grid-searches the four
weights of :class:`hrss_qa.retrieval.FusionWeights` for hit@1 (ties broken by MRR).  To
guard against fitting the question set, it also reports two-fold cross-validation: weights
chosen on one half, scored on the other.
"""

from __future__ import annotations

import argparse
import itertools
import random

import numpy as np

from hrss_qa.evaluation import load_questions
from hrss_qa.retrieval import Engine, FusionWeights

GRID = {
    "dense_passage": [0.0, 0.25, 0.5, 0.75, 1.0],
    "dense_sentence": [0.5, 1.0, 1.5],
    "lexical_passage": [0.0, 0.1, 0.2, 0.3, 0.4],
    "lexical_sentence": [0.0, 0.1, 0.2],
    "part": [0.0, 0.02, 0.05, 0.1],
}


def _ranks(engine: Engine, signals, golds, w: FusionWeights) -> list[int | None]:
    ranks = []
    for (sig, prior), gold in zip(signals, golds):
        sentence = w.dense_sentence * sig.dense_s + w.lexical_sentence * sig.lexical_s
        best = engine._best_sentence_per_passage(sentence)
        total = (w.dense_passage * sig.dense_p + w.lexical_passage * sig.lexical_p
                 + w.dense_sentence * sig.dense_s[best] + w.lexical_sentence * sig.lexical_s[best] + w.part * prior)
        order = list(np.argsort(-total, kind="stable")[:5])
        ranks.append(next((r for r, i in enumerate(order, start=1) if gold[i]), None))
    return ranks


def _metrics(ranks) -> tuple[float, float, float]:
    n = len(ranks)
    return (sum(r == 1 for r in ranks) / n, sum(r is not None for r in ranks) / n,
            sum(1 / r for r in ranks if r) / n)


def _best(engine, signals, golds) -> tuple[FusionWeights, tuple]:
    scored = []
    for values in itertools.product(*GRID.values()):
        w = FusionWeights(*values)
        scored.append((_metrics(_ranks(engine, signals, golds, w)), w))
    scored.sort(key=lambda s: (-s[0][0], -s[0][2]))
    return scored[0][1], scored[0][0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions")
    args = parser.parse_args()
    engine = Engine()
    questions = [q for q in load_questions(args.questions) if q.answerable]
    signals = [(engine.signals(q.question), engine._part_prior(q.question)) for q in questions]
    golds = [np.array([q.gold_span in p.text for p in engine.passages]) for q in questions]
    print(f"current {engine.weights}: hit@1/hit@5/MRR = {_metrics(_ranks(engine, signals, golds, engine.weights))}")
    w, m = _best(engine, signals, golds)
    print(f"best on all {len(questions)}: {w} -> {m}")
    order = list(range(len(questions)))
    random.Random(0).shuffle(order)
    halves = [order[::2], order[1::2]]
    for a, b in (halves, halves[::-1]):
        wa, _ = _best(engine, [signals[i] for i in a], [golds[i] for i in a])
        held = _metrics(_ranks(engine, [signals[i] for i in b], [golds[i] for i in b], wa))
        print(f"fold: chose {wa} -> held-out hit@1/hit@5/MRR = {tuple(round(x, 3) for x in held)}")


if __name__ == "__main__":
    main()
