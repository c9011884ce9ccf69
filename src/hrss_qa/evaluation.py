"""Evaluation stage: the fixed question set, its metrics, and baselines side by side.

>>> questions = load_questions()                     # the bundled set: eval/questions.jsonl
>>> len(questions), sum(q.answerable for q in questions)
(216, 190)
>>> report = evaluate(questions=questions[:40])      # the default engine on the first 40
>>> report.n_answerable, report.hit5 >= 0.95
(40, True)

A question counts as a hit at rank r when the r-th passage returned contains its gold span
(a quoted span of the briefing).  The figure score compares the first figure of the answer
with the gold figure, as written; a question with several gold figures (a comparison, a
double ask) needs all of them among the answer's figures.  Abstention is scored on the ``answerable`` flag.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from . import bundled
from .bundled import Traversable
from .retrieval import Engine, Mode
from .settings import Settings
from .text import normalize


@dataclass(frozen=True)
class Question:
    """One row of a question file (see eval/README.md)."""

    id: str
    question: str
    category: str
    script: str
    answerable: bool
    section: str = ""
    gold_span: str = ""
    gold_figures: tuple[str, ...] = ()
    gold_spans: tuple[str, ...] = ()   # every span a comparison or double ask needs (first = gold_span)
    gold_verdict: str = ""             # "yes" / "no" for a yes/no check, else ""
    notes: str = ""


@dataclass(frozen=True)
class QuestionResult:
    id: str
    category: str
    script: str
    answerable: bool
    rank: int | None              # 1-based rank of the first passage holding the gold span
    abstained: bool | None        # None for retrieval-only systems
    figure_correct: bool | None   # None when the question has no gold figure
    seconds: float
    answer: str = ""
    first_figure: str = ""
    verdict: str = ""                   # the verdict the answer gave ("yes" / "no" / "")
    verdict_wrong: bool | None = None   # None when no verdict was expected or none was given
    all_figures: bool | None = None     # questions with several gold figures: all of them in the answer


@dataclass
class Report:
    """Metrics of one system on one question file."""

    system: str
    n_answerable: int
    n_unanswerable: int
    hit1: float
    hit3: float
    hit5: float
    mrr: float
    figure_accuracy: float | None
    abstain_precision: float | None
    abstain_recall: float | None
    false_abstain: float | None
    latency_p50_ms: float
    latency_p95_ms: float
    verdicts_expected: int = 0
    verdicts_given: int = 0
    wrong_verdicts: int = 0
    all_figures: float | None = None
    by_category: dict = field(default_factory=dict)
    by_script: dict = field(default_factory=dict)
    results: list[QuestionResult] = field(default_factory=list, repr=False)

    def to_dict(self, with_results: bool = False) -> dict:
        data = asdict(self)
        if not with_results:
            data.pop("results")
        return data


def load_questions(path: Path | str | Traversable | None = None) -> list[Question]:
    """Read a JSONL question file (default: the bundled ``questions.jsonl``); a malformed line raises
    ValueError naming the line."""
    path = bundled.questions_file() if not path else path if isinstance(path, Traversable) else Path(path)
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            known = {k: row[k] for k in Question.__dataclass_fields__ if k in row}
            known["gold_figures"] = tuple(known.get("gold_figures", ()))
            known["gold_spans"] = tuple(known.get("gold_spans", ()))
            if "turns" in row:
                raise KeyError("a conversation chain (use load_conversations)")
            out.append(Question(**known))
        except (json.JSONDecodeError, TypeError, KeyError) as exc:
            raise ValueError(f"{path}:{number}: not a question row ({exc})") from exc
    return out


def evaluate(engine: Engine | None = None, questions: list[Question] | None = None, answers: bool = True,
             mode: Mode = "hybrid", system: str = "hrss-qa") -> Report:
    """Run every question through ``engine`` (retrieval, and ``answer()`` when ``answers``)."""
    from .answering import answer_with

    from .engine import default_engine

    engine = engine or default_engine()
    questions = questions if questions is not None else load_questions()
    results = []
    for q in questions:
        t0 = time.perf_counter()
        hits = engine.retrieve(q.question, k=5, mode=mode)
        seconds = time.perf_counter() - t0
        result = None
        if answers:
            t0 = time.perf_counter()
            result = answer_with(engine, q.question)
            seconds = time.perf_counter() - t0
        results.append(_score(q, [h.text for h in hits], result, seconds))
    return _report(system, results, questions)


@dataclass(frozen=True)
class TurnResult:
    chain: str
    turn: int
    kind: str          # first / followup / new
    question: str
    right: bool
    answer: str


@dataclass
class ConversationReport:
    """Per-turn correctness of conversation chains; ``followup_accuracy`` is the headline."""

    n_chains: int
    n_turns: int
    n_followups: int
    turn_accuracy: float | None
    followup_accuracy: float | None
    wrong_verdicts: int
    results: list[TurnResult] = field(default_factory=list, repr=False)


def load_conversations(path: Path | str) -> list[dict]:
    """Conversation chains (``{"id", "turns": [...]}`` per line, see eval/README.md)."""
    chains = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row.get("turns"), list) or not row["turns"]:
                raise KeyError("turns")
            chains.append(row)
        except (json.JSONDecodeError, KeyError, AttributeError) as exc:
            raise ValueError(f"{path}:{number}: not a conversation chain ({exc})") from exc
    return chains


def turn_right(turn: dict, result) -> bool:
    """A turn is right when it abstains exactly where it should, its first figure is the gold
    one (a figure turn), its cited passage holds the gold span (other turns), and any verdict
    it gives is the gold verdict."""
    if not turn.get("answerable", True):
        return bool(result.abstained)
    if result.abstained:
        return False
    verdict = answer_verdict(result)
    if verdict and verdict != turn.get("gold_verdict", verdict):
        return False
    gold = turn.get("gold_figures") or []
    if len(gold) > 1:
        given = {normalize(f.text) for f in (*result.figures, *getattr(result, "quoted", ()))}
        return all(normalize(g) in given for g in gold)
    if gold:
        return bool(result.figures) and normalize(result.figures[0].text) == normalize(gold[0])
    return any(turn.get("gold_span", "") in c.hit.text for c in result.citations[:1])


def evaluate_conversations(engine: Engine, chains: list[dict]) -> ConversationReport:
    """Ask every chain's turns in order, each with the earlier turns as history."""
    from .answering import answer_with

    results = []
    wrong = 0
    for chain in chains:
        history: list = []
        for number, turn in enumerate(chain["turns"], start=1):
            result = answer_with(engine, turn["question"], history)
            verdict = answer_verdict(result)
            wrong += bool(verdict) and (verdict != turn.get("gold_verdict", verdict) or not turn_right(turn, result))
            results.append(TurnResult(chain["id"], number, turn.get("kind", "first" if number == 1 else "followup"),
                                      turn["question"], turn_right(turn, result), result.text))
            history.append(_history_item(turn["question"], result))
    follow = [r for r in results if r.kind == "followup"]
    return ConversationReport(len(chains), len(results), len(follow), _mean([r.right for r in results]),
                              _mean([r.right for r in follow]), wrong, results)


def _history_item(question: str, result):
    """What the answer API takes as one earlier turn (the question; with #12, the answer too)."""
    from .answering import Turn

    return Turn(question, result)


def evaluate_naive_chunks(engine: Engine, questions: list[Question], size: int = 250, overlap: int = 50) -> Report:
    """Baseline: fixed-size character chunks (LangChain-style) with the same model, dense only."""
    import faiss

    chunks = []
    for doc in engine.docs:
        step = size - overlap
        chunks += [doc.text[i:i + size] for i in range(0, max(len(doc.text) - overlap, 1), step)]
    vectors = engine.embedder.encode_passages(chunks).astype(np.float32)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    results = []
    for q in questions:
        t0 = time.perf_counter()
        _, rows = index.search(engine.embedder.encode_queries([q.question]).astype(np.float32), 5)
        texts = [chunks[r] for r in rows[0] if r >= 0]
        results.append(_score(q, texts, None, time.perf_counter() - t0))
    return _report(f"naive {size}-char chunks, dense", results)


# Categories whose questions ask several figures: all gold figures must be in the answer.  In
# other categories, further gold figures are context (the date of a figure, say).
SEVERAL_CATEGORIES = ("comparison", "multi")
_YES = ("是的", "是。", "对", "對", "yes")
_NO = ("不是", "没有", "沒有", "不对", "不對", "no")


def answer_verdict(result) -> str:
    """"yes", "no" or "" — the verdict an answer gives (its ``verdict`` field, else its opening word)."""
    if result is None or result.abstained:
        return ""
    given = getattr(result, "verdict", None)
    if given is not None:
        return given or ""
    head = result.text.strip().lower()
    if head.startswith(_NO):
        return "no"
    return "yes" if head.startswith(_YES) else ""


def _score(q: Question, texts: list[str], result, seconds: float) -> QuestionResult:
    rank = next((i for i, t in enumerate(texts, start=1) if q.gold_span and q.gold_span in t), None)
    figure_correct = all_figures = verdict_wrong = None
    first = verdict = ""
    if result is not None:
        # every figure the answer states counts as given, those quoted to say whose figure it is too
        given = [normalize(f.text) for f in (*result.figures, *getattr(result, "quoted", ()))] if not result.abstained else []
        first = result.figures[0].text if given else ""
        if q.answerable and len(q.gold_figures) > 1 and (q.category in SEVERAL_CATEGORIES or q.gold_spans or q.gold_verdict):
            # A comparison, a double ask or a check of a share (支出占收入的八成吗: both counts) is right
            # only with every figure it asks (in any order: sets differ on which comes first).
            all_figures = all(normalize(g) in given for g in q.gold_figures)
            figure_correct = all_figures
        elif q.answerable and q.gold_figures:
            figure_correct = bool(first) and normalize(first) == normalize(q.gold_figures[0])
        verdict = answer_verdict(result)
        if verdict:
            # Wrong: against the gold verdict, on a question the briefing cannot answer, or resting on a
            # figure that is not the gold one (a right 是的 for the wrong reason is luck, not an answer).
            verdict_wrong = ((not q.answerable) or (bool(q.gold_verdict) and verdict != q.gold_verdict)
                             or figure_correct is False)
    return QuestionResult(
        id=q.id, category=q.category, script=q.script, answerable=q.answerable, rank=rank,
        abstained=None if result is None else result.abstained, figure_correct=figure_correct,
        seconds=seconds, answer="" if result is None else result.text, first_figure=first,
        verdict=verdict, verdict_wrong=verdict_wrong, all_figures=all_figures,
    )


def _report(system: str, results: list[QuestionResult], questions: list[Question] | None = None) -> Report:
    expected = {q.id for q in questions or [] if q.gold_verdict}
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    metrics = _retrieval_metrics(answerable)
    figures = [r.figure_correct for r in answerable if r.figure_correct is not None]
    judged = [r for r in results if r.abstained is not None]
    abstained = [r for r in judged if r.abstained]
    ms = sorted(r.seconds * 1000 for r in results) or [0.0]
    return Report(
        system=system,
        n_answerable=len(answerable),
        n_unanswerable=len(unanswerable),
        **metrics,
        figure_accuracy=_mean(figures),
        abstain_precision=_mean([not r.answerable for r in abstained]) if judged else None,
        abstain_recall=_mean([bool(r.abstained) for r in unanswerable]) if judged and unanswerable else None,
        false_abstain=_mean([bool(r.abstained) for r in answerable]) if judged and answerable else None,
        latency_p50_ms=round(statistics.median(ms), 2),
        latency_p95_ms=round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 2),
        verdicts_expected=len(expected),
        verdicts_given=sum(bool(r.verdict) for r in results),
        wrong_verdicts=sum(bool(r.verdict_wrong) for r in results),
        all_figures=_mean([r.all_figures for r in answerable if r.all_figures is not None]),
        by_category=_breakdown(answerable, "category"),
        by_script=_breakdown(answerable, "script"),
        results=results,
    )


def _retrieval_metrics(rows: list[QuestionResult]) -> dict:
    if not rows:
        return {"hit1": 0.0, "hit3": 0.0, "hit5": 0.0, "mrr": 0.0}
    ranks = [r.rank for r in rows]
    return {
        "hit1": _mean([r == 1 for r in ranks]),
        "hit3": _mean([r is not None and r <= 3 for r in ranks]),
        "hit5": _mean([r is not None and r <= 5 for r in ranks]),
        "mrr": _mean([1 / r if r else 0.0 for r in ranks]),
    }


def _breakdown(rows: list[QuestionResult], key: str) -> dict:
    groups: dict[str, list[QuestionResult]] = defaultdict(list)
    for r in rows:
        groups[getattr(r, key)].append(r)
    return {
        name: {"n": len(g), **{k: round(v, 3) for k, v in _retrieval_metrics(g).items()},
               "figure": _mean([r.figure_correct for r in g if r.figure_correct is not None])}
        for name, g in sorted(groups.items())
    }


def _mean(values) -> float | None:
    values = list(values)
    return round(sum(values) / len(values), 4) if values else None


# -- command line ----------------------------------------------------------------------

_THRESHOLDS = [("min_hit1", "hit1", 1), ("min_hit5", "hit5", 1), ("min_mrr", "mrr", 1),
               ("min_figure", "figure_accuracy", 1), ("min_abstain_recall", "abstain_recall", 1),
               ("max_false_abstain", "false_abstain", -1), ("max_wrong_verdicts", "wrong_verdicts", -1)]


def run_cli(args, settings: Settings) -> int:
    """``hrss-qa eval``: print the report (and baselines), exit 1 when a threshold is missed."""
    from .engine import Engine as AnsweringEngine   # retrieval as hrss_qa.retrieve does it (parts in turn)

    if getattr(args, "backends", None):
        return run_backends_cli(args, settings)
    engine = AnsweringEngine(settings=settings)
    if getattr(args, "conversations", None):
        return _run_conversations(engine, args)
    questions = load_questions(args.questions)
    reports = [evaluate(engine, questions)]
    if not args.no_baselines:
        reports += [
            evaluate(engine, questions, answers=False, mode="dense", system="dense only (same passages)"),
            evaluate(engine, questions, answers=False, mode="lexical", system="BM25 only (same passages)"),
            evaluate_naive_chunks(engine, questions),
        ]
    if args.json:
        print(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        _print_reports(reports, engine)
    failed = []
    main = reports[0]
    for option, metric, sign in _THRESHOLDS:
        limit = getattr(args, option, None)
        value = getattr(main, metric)
        if limit is not None and (value is None or sign * value < sign * limit):
            failed.append(f"{metric} {value} {'<' if sign > 0 else '>'} {limit}")
    if failed:
        print("quality gate FAILED: " + "; ".join(failed), file=sys.stderr)
        return 1
    return 0


def _run_conversations(engine: Engine, args) -> int:
    report = evaluate_conversations(engine, load_conversations(args.conversations))
    if args.json:
        print(json.dumps(asdict(report), ensure_ascii=False, indent=2))
    else:
        print(f"conversations: {report.n_chains} chains, {report.n_turns} turns, {report.n_followups} follow-ups")
        print(f"follow-up turns right {report.followup_accuracy}, all turns right {report.turn_accuracy}, "
              f"wrong verdicts {report.wrong_verdicts}")
        for r in report.results:
            if not r.right:
                print(f"  {r.chain} turn {r.turn} ({r.kind}) {r.question[:30]} → {r.answer[:60]}")
    limit = getattr(args, "min_followup", None)
    if limit is not None and (report.followup_accuracy or 0.0) < limit:
        print(f"quality gate FAILED: followup_accuracy {report.followup_accuracy} < {limit}", file=sys.stderr)
        return 1
    return 0


def _print_reports(reports: list[Report], engine: Engine) -> None:
    main = reports[0]
    print(f"questions: {main.n_answerable} answerable, {main.n_unanswerable} unanswerable; "
          f"model {engine.embedder.name}; index {engine.index.manifest.vector_index}")
    print()
    header = f"{'system':<34} {'hit@1':>6} {'hit@3':>6} {'hit@5':>6} {'MRR':>6} {'figure':>7} {'abst.P':>7} {'abst.R':>7} {'falseA':>7} {'p50 ms':>7} {'p95 ms':>7}"
    print(header)
    print("-" * len(header))
    for r in reports:
        cells = [r.hit1, r.hit3, r.hit5, r.mrr, r.figure_accuracy, r.abstain_precision, r.abstain_recall, r.false_abstain]
        text = " ".join(f"{'—' if v is None else f'{v:.3f}':>{w}}" for v, w in zip(cells, [6, 6, 6, 6, 7, 7, 7, 7]))
        print(f"{r.system:<34} {text} {r.latency_p50_ms:>7.1f} {r.latency_p95_ms:>7.1f}")
    print(f"\nyes/no verdicts: {main.verdicts_given} given ({main.verdicts_expected} expected), "
          f"{main.wrong_verdicts} wrong; several figures all right: {main.all_figures}")
    for title, table in (("by category", main.by_category), ("by script", main.by_script)):
        print(f"\n{title} (hrss-qa, answerable questions)")
        for name, row in table.items():
            fig = "—" if row["figure"] is None else f"{row['figure']:.3f}"
            print(f"  {name:<16} n={row['n']:<4} hit@1 {row['hit1']:.3f}  hit@5 {row['hit5']:.3f}  MRR {row['mrr']:.3f}  figure {fig}")
    misses = [r for r in main.results if (r.answerable and r.rank != 1) or (r.abstained != (not r.answerable))
              or r.figure_correct is False or r.verdict_wrong or r.all_figures is False]
    if misses:
        print(f"\nmisses ({len(misses)}): id rank abstained figure")
        for r in misses:
            print(f"  {r.id:<10} {r.rank!s:<5} {r.abstained!s:<6} {r.first_figure or '-':<12} {r.answer[:60]}")


# -- embedding backends side by side -------------------------------------------------------------------


def compare_backends(backends: list[str], questions: list[Question], settings: Settings | None = None) -> list[Report]:
    """The product's report once per embedding backend, each engine on its own temporary index."""
    import gc
    import tempfile

    settings = settings or Settings.resolve()
    reports = []
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix=f"hrss-qa-eval-{backend}-") as index_dir:
            engine = Engine(settings=settings.replace(backend=backend, index_dir=index_dir))
            reports.append(evaluate(engine, questions, system=f"hrss-qa [{engine.embedder.backend}]"))
            del engine
            gc.collect()
    return reports


def run_backends_cli(args, settings: Settings) -> int:
    """``hrss-qa eval --backends torch,onnx,onnx-int8``: one table row per backend, then the questions they disagree on."""
    questions = load_questions(args.questions)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    reports = compare_backends(backends, questions, settings)
    if args.json:
        print(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2))
        return 0
    header = f"{'system':<26} {'hit@1':>6} {'hit@3':>6} {'hit@5':>6} {'MRR':>6} {'figure':>7} {'abst.R':>7} {'falseA':>7} {'p50 ms':>7} {'p95 ms':>7}"
    print(f"questions: {reports[0].n_answerable} answerable, {reports[0].n_unanswerable} unanswerable\n")
    print(header)
    print("-" * len(header))
    for r in reports:
        cells = [r.hit1, r.hit3, r.hit5, r.mrr, r.figure_accuracy, r.abstain_recall, r.false_abstain]
        text = " ".join(f"{'—' if v is None else f'{v:.3f}':>{w}}" for v, w in zip(cells, [6, 6, 6, 6, 7, 7, 7]))
        print(f"{r.system:<26} {text} {r.latency_p50_ms:>7.1f} {r.latency_p95_ms:>7.1f}")
    first = reports[0]
    for other in reports[1:]:
        differ = [(a, b) for a, b in zip(first.results, other.results)
                  if (a.rank, a.abstained, a.figure_correct) != (b.rank, b.abstained, b.figure_correct)]
        print(f"\n{other.system} vs {first.system}: {len(differ)} question(s) differ (rank, abstained, figure)")
        for a, b in differ:
            print(f"  {a.id:<10} {(a.rank, a.abstained, a.figure_correct)!s:<22} → {(b.rank, b.abstained, b.figure_correct)!s}")
    return 0
