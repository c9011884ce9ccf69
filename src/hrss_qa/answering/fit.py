"""Fit the answer model on question sets: ``hrss-qa fit`` (needs scikit-learn).

Every question of the given sets runs through analyze → retrieve → candidates; a candidate
is a positive example when it is the gold figure at the gold span's place.  Two logistic
regressions are fitted (figures; fact passages) with leave-one-set-out cross-validation —
each question set is held out in turn, as a set written by another author would be — and the
thresholds are chosen on those held-out predictions by the policy below.  The result, with
what it was fitted on and its cross-validated scores, is written to ``data/answer_model.json``.

The policy (costs of outcomes, relative to a wrong figure = 1):
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

import numpy as np

from ..evaluation import Question, load_questions
from ..glossary import expand
from ..text import normalize
from .analyze import analyze
from .confidence import PASSAGE_FEATURES, SENTENCE_FEATURES, passage_features, sentence_features
from .decide import check, hard_problems
from .features import FEATURES, FIT_FLAGS, MATCH, candidates
from .model import CALIBRATOR_FEATURES, AnswerModel, Logistic, ranking_summary
from .pipeline import Answerer, search
from .records import Query
from .scope import off_topic, query_problems

# Costs of outcomes (a wrong figure, or a figure for an unanswerable question, costs 1).
COST_FALSE_ABSTAIN = 1.0     # declining a question the briefing answers: as bad as a wrong figure (the
                             # verdict is what must never be wrong, see below)
COST_WRONG_VERDICT = 10.0    # a confident 是的/不是 that is wrong: the worst thing the product can do
COST_NO_VERDICT = 0.3        # stating the figure without the verdict a yes/no question wanted
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)
__doc__ += (f"wrong figure 1, false abstention {COST_FALSE_ABSTAIN}, wrong verdict {COST_WRONG_VERDICT}, "
            f"missing verdict {COST_NO_VERDICT}.")


@dataclass
class Item:
    """One thing to answer: a question, or one part of a comparison/double ask."""

    qid: str
    group: str                       # the question set (for leave-one-set-out)
    query: Query
    answerable: bool
    gold_figure: str = ""
    gold_span: str = ""
    gold_verdict: str = ""
    rows: list[tuple[float, ...]] = field(default_factory=list)
    flags: list[tuple[float, ...]] = field(default_factory=list)
    blocked: list[bool] = field(default_factory=list)      # ruled out by a hard constraint (decide.hard_problems)
    labels: list[int] = field(default_factory=list)
    figures: list = field(default_factory=list)
    passage: tuple[float, ...] = ()
    passage_label: int = 0
    sentences: list[tuple[float, ...]] = field(default_factory=list)   # the passage's sentences, when it holds the span
    sentence_label: int = -1                                           # the one holding the span


def collect(answerer: Answerer, questions: list[tuple[str, Question]]) -> list[Item]:
    """Training items of ``questions`` (set name, row), with candidates' features and labels."""
    engine, lex = answerer.engine, answerer.lex
    coverage = list(answerer.coverage.values())
    items = []
    for group, q in questions:
        query = analyze(q.question, lex)
        hits = search(engine, query)
        if not hits or query_problems(query, coverage, answerer.corpus_key, lex) or \
                off_topic(query, answerer.corpus_key, max(h.dense_score for h in hits), bool(expand(query.text))):
            continue  # declined before any ranking: nothing to learn from
        spans = list(q.gold_spans) or [q.gold_span]
        if query.parts:
            if len(query.parts) != len(q.gold_figures) or len(spans) not in (1, len(q.gold_figures)):
                continue
            units = [(p, q.gold_figures[i], spans[i] if len(spans) > 1 else spans[0]) for i, p in enumerate(query.parts)]
        else:
            units = [(query, q.gold_figures[0] if q.gold_figures else "", spans[0])]
        if query.parts:
            units = _assign(units, engine, answerer, lex)
        for n, (part, figure, span) in enumerate(units):
            item = Item(f"{q.id}#{n}", group, part, q.answerable, figure, span, q.gold_verdict if not query.parts else "")
            part_hits = hits if part is query else search(engine, part)
            if part.is_figure:
                for c in candidates(part, part_hits, answerer.facts, lex, engine.figures):
                    item.rows.append(c.features)
                    item.flags.append(c.flags)
                    item.blocked.append(bool(hard_problems(part, c, answerer.coverage, lex)))
                    item.figures.append(c.figure)
                    item.labels.append(int(q.answerable and _is_gold(c, figure, span, engine)))
            else:
                item.passage = passage_features(part_hits)
                item.passage_label = int(q.answerable and bool(span) and span in part_hits[0].text)
                if item.passage_label:
                    item.sentences = sentence_features(part_hits[0])
                    item.sentence_label = _sentence_of(part_hits[0], span)
            items.append(item)
    return items


def _assign(units, engine, answerer, lex):
    """Give each part the gold figure it asks for.  Sets list a comparison's figures either in
    the order asked or winner first, so the pairing is the one whose figures' cards are closest
    to the parts that ask them."""
    from itertools import permutations

    figures = [(f, s) for _, f, s in units]
    if len(units) > 3:
        return units
    best, best_score = units, (-1, float("-inf"))
    for order in permutations(range(len(units))):
        found, similarity = 0, 0.0   # parts whose gold is among their candidates first, then card similarity
        for (part, _, _), k in zip(units, order):
            figure, span = figures[k]
            cards = [c for c in candidates(part, search(engine, part),
                                           answerer.facts, lex, engine.figures)
                     if _is_gold(c, figure, span, engine)]
            found += bool(cards)
            similarity += max((c.features[FEATURES.index("card")] for c in cards), default=0.0)
        score = (found, similarity)
        if score > best_score:
            best, best_score = [(part, *figures[k]) for (part, _, _), k in zip(units, order)], score
    return best


def _sentence_of(hit, span: str) -> int:
    """The passage's sentence holding the span's start (-1 for none)."""
    at = hit.start + hit.text.find(span)
    return next((i for i, s in enumerate(hit.sentences) if s.start <= at < s.end), -1)


def fit_sentences(items: list[Item], log=print) -> tuple[Logistic, float]:
    """The sentence chooser (a conditional logit over a passage's sentences) and its held-out
    accuracy (leave one set out) on the passages with more than one sentence."""
    chosen = [it for it in items if it.sentence_label >= 0 and len(it.sentences) > 1]
    X = np.array([r for it in chosen for r in it.sentences], dtype=float).reshape(-1, len(SENTENCE_FEATURES))
    y = np.array([int(i == it.sentence_label) for it in chosen for i in range(len(it.sentences))])
    owner = np.array([k for k, it in enumerate(chosen) for _ in it.sentences])
    groups = np.array([chosen[k].group for k in owner])
    right = []
    for g in sorted(set(groups)):
        model = fit_choice(X[groups != g], y[groups != g], owner[groups != g], SENTENCE_FEATURES, 1.0)
        right += [int(np.argmax(model.choice(it.sentences))) == it.sentence_label for it in chosen if it.group == g]
    accuracy = float(np.mean(right)) if right else 0.0
    retrieval = float(np.mean([int(np.argmax([r[0] for r in it.sentences])) == it.sentence_label for it in chosen]))
    log(f"sentence choice: {len(chosen)} passages, held-out accuracy {accuracy:.3f} (retrieval's best {retrieval:.3f})")
    return fit_choice(X, y, owner, SENTENCE_FEATURES, 1.0), accuracy


def _is_gold(candidate, figure: str, span: str, engine) -> bool:
    if not figure or normalize(candidate.figure.text) != normalize(figure):
        return False
    text = engine.documents[candidate.hit.doc_id].text
    at = text.find(span) if span else -1
    return at < 0 or at <= candidate.figure.start < at + len(span)


def fit_logistic(X: np.ndarray, y: np.ndarray, names: tuple[str, ...], C: float) -> Logistic:
    from sklearn.linear_model import LogisticRegression

    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    clf = LogisticRegression(C=C, max_iter=5000)
    clf.fit((X - mean) / scale, y)
    return Logistic(names, mean, scale, clf.coef_[0].astype(float), float(clf.intercept_[0]))


def fit_choice(X: np.ndarray, y: np.ndarray, owner: np.ndarray, names: tuple[str, ...], C: float) -> Logistic:
    """A conditional logit: weights w maximizing Σ_q log softmax(X_q w)[gold_q] − ||w||² / 2C,
    over the questions q that have a gold candidate (one softmax per question)."""
    from scipy.optimize import minimize

    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    Z = (X - mean) / scale
    groups = [np.flatnonzero(owner == i) for i in np.unique(owner)]
    groups = [g for g in groups if y[g].sum() > 0]

    def loss(w):
        total, grad = 0.0, np.zeros_like(w)
        for g in groups:
            z = Z[g] @ w
            z = z - z.max()
            p = np.exp(z) / np.exp(z).sum()
            gold = y[g] > 0
            total -= np.log(p[gold].sum() + 1e-12)
            q = p * gold / (p[gold].sum() + 1e-12)   # the posterior over the gold rows
            grad -= Z[g].T @ (q - p)
        return total + w @ w / (2 * C), grad + w / C

    w = minimize(loss, np.zeros(Z.shape[1]), jac=True, method="L-BFGS-B").x
    return Logistic(names, mean, scale, w.astype(float), 0.0)


def _figure_arrays(items: list[Item]):
    rows = [(i, r, l) for i, it in enumerate(items) for r, l in zip(it.rows, it.labels)]
    X = np.array([r for _, r, _ in rows], dtype=float).reshape(-1, len(FEATURES))
    y = np.array([l for _, _, l in rows], dtype=int)
    owner = np.array([i for i, _, _ in rows], dtype=int)
    return X, y, owner


def held_out_scores(items: list[Item], C: float) -> list[np.ndarray]:
    """Each figure item's candidate probabilities from a model fitted without its question set."""
    X, y, owner = _figure_arrays(items)
    groups = np.array([items[i].group for i in owner])
    # The ranker learns which figure a question is about from questions that have one.
    has_answer = np.array([items[i].answerable and any(items[i].labels) for i in owner])
    out = [np.zeros(len(it.rows)) for it in items]
    for g in sorted(set(groups)):
        train = (groups != g) & has_answer
        if y[train].sum() == 0 or y[train].sum() == train.sum():
            continue
        model = fit_choice(X[train], y[train], owner[train], FEATURES, C)
        for i in {int(o) for o in owner[groups == g]}:
            rows = np.flatnonzero(owner == i)
            out[i] = model.choice(X[rows])
    return out


@dataclass
class Outcome:
    """What one figure item would get at a given threshold."""

    p: float
    correct: bool        # the top candidate is the gold figure
    answerable: bool
    verdict_wrong: bool | None   # None: no verdict possible
    summary: tuple[float, ...] = ()


def hard_flags(items: list[Item]) -> tuple[tuple[str, ...], dict]:
    """The constraint flags that no gold figure raises but some unanswerable question's figures do:
    the data say such a flag means "not the answer", so it is enforced (see decide.py)."""
    evidence = {}
    for k, name in enumerate(FIT_FLAGS):
        if name in MATCH:
            continue
        gold = sum(1 for it in items for l, fl in zip(it.labels, it.flags) if l and fl[k] > 0)
        unanswerable = sum(1 for it in items if not it.answerable and any(fl[k] > 0 for fl in it.flags))
        evidence[name] = {"gold_raising": gold, "unanswerable_raising": unanswerable}
    hard = tuple(n for n, e in evidence.items() if e["gold_raising"] == 0 and e["unanswerable_raising"] > 0)
    return hard, evidence


def outcomes(items: list[Item], scores: list[np.ndarray], hard: tuple[str, ...] = ()) -> list[Outcome]:
    out = []
    for it, p in zip(items, scores):
        if not it.query.is_figure:
            continue
        if not it.rows:
            out.append(Outcome(0.0, False, it.answerable, None))
            continue
        top = int(np.argmax(p))
        correct = bool(it.labels[top])
        summary = ranking_summary([p[top], *np.delete(p, top)], it.flags[top])
        raised = any(v > 0 and n in hard for n, v in zip(FIT_FLAGS, it.flags[top]))
        if it.blocked[top] or raised:   # the decision abstains whatever the confidence
            out.append(Outcome(0.0, correct, it.answerable, None, ()))
            continue
        wrong = None
        if it.gold_verdict and it.query.yes_no and it.query.thresholds and not it.query.choice:
            v = check(it.query.thresholds, it.figures[top])
            if v is not None and v.holds is not None:
                wrong = (v.holds != (it.gold_verdict == "yes")) or not correct
        out.append(Outcome(float(p[top]), correct, it.answerable, wrong, summary))
    return out


def choose_answer_threshold(results: list[Outcome]) -> tuple[float, float]:
    """The threshold with the lowest total cost over held-out outcomes (and that cost).

    Among thresholds of equal cost, the one answering fewest questions the briefing does not answer (a
    figure where there is none looks authoritative and is wrong), and of those the lowest: on every
    set measured blind, false abstention was the bar missed while abstention recall was met.
    """
    grid = np.linspace(0.02, 0.98, 97)
    scored = []
    for t in grid:
        wrong = sum(1 for o in results if o.p >= t and not (o.answerable and o.correct))
        declined = sum(1 for o in results if o.p < t and o.answerable)
        unanswerable = sum(1 for o in results if o.p >= t and not o.answerable)
        scored.append((wrong + COST_FALSE_ABSTAIN * declined, unanswerable, t))
    cost, _, t = min(scored)
    return float(t), cost


def tradeoff(results: list[Outcome], thresholds=(0.3, 0.4, 0.5, 0.6, 0.7, 0.8)) -> list[dict]:
    """Held-out figure accuracy, abstention recall and false abstention at several thresholds."""
    answerable = [o for o in results if o.answerable]
    unanswerable = [o for o in results if not o.answerable]
    return [{"threshold": t,
             "figure": round(float(np.mean([o.correct and o.p >= t for o in answerable])), 4),
             "abstain_recall": round(float(np.mean([o.p < t for o in unanswerable])), 4),
             "false_abstain": round(float(np.mean([o.p < t for o in answerable])), 4)} for t in thresholds]


def choose_verdict_threshold(results: list[Outcome], answer_threshold: float) -> float:
    best = (float("inf"), 0.99)
    for t in np.linspace(answer_threshold, 0.99, 50):
        cost = sum(COST_WRONG_VERDICT if o.verdict_wrong else 0.0 for o in results
                   if o.verdict_wrong is not None and o.p >= t)
        cost += sum(COST_NO_VERDICT for o in results if o.verdict_wrong is False and o.p < t)
        best = min(best, (cost, -t))
    return -best[1]


def choose_passage_threshold(items: list[Item], p: np.ndarray) -> float:
    facts = [it for it in items if not it.query.is_figure]
    best = (float("inf"), 0.0)
    for t in np.linspace(0.0, 0.9, 91):
        cost = 0.0
        for it, prob in zip(facts, p):
            if prob >= t:
                cost += 0.0 if it.passage_label else 1.0
            elif it.answerable:
                cost += COST_FALSE_ABSTAIN
        best = min(best, (cost, t))
    return best[1]


def fit(answerer: Answerer, files: list, log=print) -> AnswerModel:
    """Fit the answer model on the question ``files`` (paths); returns it (the caller saves it)."""
    questions = [(f.name.rsplit(".", 1)[0], q) for f in files for q in load_questions(f)]
    t0 = time.perf_counter()
    items = collect(answerer, questions)
    log(f"{len(questions)} questions → {len(items)} items "
        f"({sum(len(i.rows) for i in items)} candidate rows) in {time.perf_counter() - t0:.0f} s")
    X, y, _ = _figure_arrays(items)
    cv = {}
    for C in C_GRID:
        scores = held_out_scores(items, C)
        res = outcomes(items, scores)
        cv[C] = (np.mean([o.correct for o in res if o.answerable]), scores, res)
        log(f"C={C}: held-out top-1 {cv[C][0]:.3f}")
    C = max(cv, key=lambda c: cv[c][0])
    _, scores, _ = cv[C]
    hard, evidence = hard_flags(items)
    res = outcomes(items, scores, hard)
    # The confidence: P(best candidate right) from the held-out ranking, fitted across sets too.
    S = np.array([o.summary for o in res if o.summary])
    Sy = np.array([int(o.answerable and o.correct) for o in res if o.summary])
    calibrator = fit_logistic(S, Sy, CALIBRATOR_FEATURES + FIT_FLAGS, 1.0)
    res = [Outcome(float(calibrator.predict([o.summary])[0]) if o.summary else 0.0,
                   o.correct, o.answerable, o.verdict_wrong, o.summary) for o in res]
    answer_t, cost = choose_answer_threshold(res)
    verdict_t = choose_verdict_threshold(res, answer_t)
    owner = _figure_arrays(items)[2]
    has_answer = np.array([items[i].answerable and any(items[i].labels) for i in owner])
    figure = fit_choice(X[has_answer], y[has_answer], owner[has_answer], FEATURES, C)

    facts = [it for it in items if not it.query.is_figure]
    PX = np.array([it.passage for it in facts], dtype=float).reshape(-1, len(PASSAGE_FEATURES))
    Py = np.array([it.passage_label for it in facts], dtype=int)
    passage = fit_logistic(PX, Py, PASSAGE_FEATURES, 1.0)
    passage_t = choose_passage_threshold(items, passage.predict(PX))
    sentence, sentence_accuracy = fit_sentences(items, log)

    report = _report(files, items, res, answer_t, verdict_t, C, cost)
    report["tradeoff"] = tradeoff(res)
    for row in report["tradeoff"]:
        log(f"  at {row['threshold']:.2f}: figure {row['figure']:.3f}, abstention recall {row['abstain_recall']:.3f}, "
            f"false abstention {row['false_abstain']:.3f}")
    report["passage"] = {"items": len(facts), "positives": int(Py.sum()), "threshold": passage_t}
    report["sentence"] = {"held_out_accuracy": round(sentence_accuracy, 4)}
    log(_summary(report))
    report["hard_flags"] = evidence
    return AnswerModel(figure, passage, calibrator, answer_t, verdict_t, passage_t, report, hard, sentence)


def _report(files, items, res, answer_t, verdict_t, C, cost) -> dict:
    answered = [o for o in res if o.p >= answer_t]
    answerable = [o for o in res if o.answerable]
    unanswerable = [o for o in res if not o.answerable]
    verdicts = [o for o in res if o.verdict_wrong is not None and o.p >= verdict_t]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:16]
    return {
        "fitted_at": time.strftime("%Y-%m-%d"), "C": C, "features": len(FEATURES),
        "trained_on": [f.name for f in files], "data_sha256": digest,
        "items": len(items), "figure_items": len(res),
        "held_out": {  # leave-one-set-out, at the chosen thresholds
            "top1": round(float(np.mean([o.correct for o in answerable])), 4) if answerable else None,
            "figure_accuracy": round(float(np.mean([o.correct and o.p >= answer_t for o in answerable])), 4)
            if answerable else None,
            "abstain_recall": round(float(np.mean([o.p < answer_t for o in unanswerable])), 4) if unanswerable else None,
            "false_abstain": round(float(np.mean([o.p < answer_t for o in answerable])), 4) if answerable else None,
            "wrong_answers": sum(1 for o in answered if not (o.answerable and o.correct)),
            "verdicts": len(verdicts), "wrong_verdicts": sum(1 for o in verdicts if o.verdict_wrong),
            "cost": round(cost, 2),
        },
        "policy": {"false_abstain": COST_FALSE_ABSTAIN, "wrong_verdict": COST_WRONG_VERDICT,
                   "missing_verdict": COST_NO_VERDICT},
    }


def _summary(report: dict) -> str:
    h = report["held_out"]
    return (f"held out (leave one set out): top-1 {h['top1']}, figure {h['figure_accuracy']}, "
            f"abstention recall {h['abstain_recall']}, false abstention {h['false_abstain']}, "
            f"wrong verdicts {h['wrong_verdicts']} of {h['verdicts']}")
