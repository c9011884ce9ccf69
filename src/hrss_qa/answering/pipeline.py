"""The answer pipeline: analyze → retrieve → candidates → rank → decide → render.

:class:`Answerer` chains the stages for one engine; each stage is also usable alone (see the
modules).  A comparison or double ask is split by ``analyze`` and every part runs through
retrieval, ranking and decision on its own (settled together by :mod:`.sides`) before ``combine``
puts them together.

>>> from hrss_qa import Engine
>>> answerer = Answerer(Engine())
>>> answerer.answer("一季度城镇新增就业多少人？").text
'1-3月城镇新增就业297万人。[1]'
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import replace

from ..glossary import expand
from ..lexical import words
from ..language import Lexicon, lexicon
from ..retrieval import Engine as Retriever
from ..text import clean, detect_script, normalize
from .analyze import MAX_QUESTION_CHARS, analyze
from .confidence import passage_features
from .conversation import own_subject, resolve
from .sides import Sides
from .vocabulary import Vocabulary, is_measure, terms_in
from .decide import (abstain, check_of_another_part, combine, decide_figure, decide_passage, fits_units, rank,
                     unnamed_check)
from .features import CorpusFacts, candidates, generic_label_words
from .model import AnswerModel, bundled_model
from .numbers import comparable_units, stated_figures
from .records import Answer, Decision, Query, Turn
from .render import render
from .scope import Coverage, coverage_of, off_topic, query_problems

K = 5


class Answerer:
    """The answer stages bound to one engine's corpus, with a fitted model and language data."""

    def __init__(self, engine: Retriever, model: AnswerModel | None = None, lex: Lexicon | None = None):
        self.engine = engine
        self._model = model
        self.lex = lex or lexicon()
        self.facts = CorpusFacts.of(engine.passages)
        self.coverage: dict[str, Coverage] = {d.doc_id: coverage_of(d, self.lex) for d in engine.docs}
        self.corpus_key = normalize("\n".join(d.text for d in engine.docs))
        self.vocabulary = _vocabulary(engine, self.lex)

    @property
    def model(self) -> AnswerModel:
        """The fitted model (the bundled one unless another was given)."""
        return self._model or bundled_model()

    def answer(self, question: str, history: list[Turn | str] | None = None) -> Answer:
        """Answer ``question``; ``history`` holds the earlier turns of the conversation, oldest first."""
        raw = clean(question or "").strip()
        notice = ""
        if len(raw) > MAX_QUESTION_CHARS:
            notice = f"问题过长，只使用了前{MAX_QUESTION_CHARS}个字。"
        query = analyze(raw, self.lex)
        if not query.text:
            return render(Decision("empty", query), self.lex)
        turns = self._turns(history or [])
        resolved = resolve(query, turns, self.lex, self.vocabulary)
        decision = self.decide(resolved)
        for reading, named in self._other_readings(query, resolved, decision, turns):
            if decision.kind != "abstain":
                break
            if reading is not query and (other := self.decide(reading)).kind != "abstain" and _speaks_of(other, named):
                decision = other
        return render(replace(decision, notice=notice), self.lex)

    def _other_readings(self, query: Query, resolved: Query, decision: Decision, turns: list[Turn]):
        """Readings of a follow-up to try, in order, while the first finds no answer, each with the
        terms its answer must speak of."""
        if not turns:
            return
        if resolved is query and not decision.problems:
            # A short question the briefing does not answer alone may lean on the conversation; what it
            # names is still what it asks about (「覆盖了多少人口」: 人口; "the awards ceremony": 表彰)
            yield resolve(query, turns, self.lex, self.vocabulary, lean=True), own_subject(query, self.lex, self.vocabulary)
        # "And new urban jobs in Q1?": the fragment names its thing and measure; only the ask is borrowed.
        # After a declined turn, the conversation's subject is still the last one answered
        # (「这个活动是跟几个部门搞的」 after a declined 「平均每场招聘会…」).
        answered = _upto_last_answered(turns)
        for earlier in (turns, answered) if answered is not None else (turns,):
            if earlier is not turns:
                yield resolve(query, earlier, self.lex, self.vocabulary), ()
            if resolved is not query or earlier is not turns:
                yield resolve(query, earlier, self.lex, self.vocabulary, plain=True), ()
        named = own_subject(query, self.lex, self.vocabulary)
        if resolved is not query and resolved.wants != "fact" and named and _asks_nothing(query, self.lex):
            # 「失信惩戒这块呢」 after a figure: no figure of it, but what the briefing says of it
            yield replace(resolved, wants="fact", kinds=frozenset(), units=None, thresholds=(), yes_no=False), named

    def _turns(self, history: list[Turn | str]) -> list[Turn]:
        """Earlier turns, each knowing how it was understood: questions given without their answers
        (plain strings) are resolved in order, so a chain 养老保险 → 那失业保险呢 → 那工伤保险呢 holds."""
        turns: list[Turn] = []
        for item in history:
            turn = item if isinstance(item, Turn) else Turn(str(item))
            if turn.answer is None:
                understood = resolve(analyze(clean(turn.question), self.lex), turns, self.lex, self.vocabulary)
                turn = Turn(turn.question, _Understood(understood.text, understood.topic))
            turns.append(turn)
        return turns

    def decide(self, query: Query, docs: frozenset[str] | None = None,
               taken: frozenset[tuple[str, int]] | None = None) -> Decision:
        """The decision for an analyzed query (retrieval included).

        With several briefings, a question naming a period is answered from the briefings that
        cover it; one naming none from the latest briefing that has the answer.
        """
        if docs is None and len(self.coverage) > 1:
            covering = frozenset(d for d, c in self.coverage.items() if query.periods and all(
                c.covers(p) for p in query.periods if p.months or p.year or p.offset))
            if covering:
                docs = covering
            elif not query.periods:
                latest = max(self.coverage.values(), key=lambda c: (c.year or 0, c.months or (0, 0), c.date))
                decision = self.decide(query, frozenset({latest.doc_id}))
                return decision if decision.kind != "abstain" or decision.problems else self.decide(query, frozenset(self.coverage))
        hits = search(self.engine, query, K, docs)
        # (a figure asked in the future tense of a progress answer, "How much will that save", is in its passage)
        of_progress = query.is_figure and not any(p in self.facts.plan_passages for p in query.anchor)
        if query.tense == "plan" and query.anchor and not of_progress:
            hits = self._plans_of_anchor(query, hits, docs)
        if not hits:
            return abstain(query, hits, "没有找到相关内容")
        problems = query_problems(query, list(self.coverage.values()), self.corpus_key, self.lex)
        # A part of a question is on topic when its question is (「…the electronic one」 alone is not).
        if not problems and taken is None and (topic := off_topic(query, self.corpus_key, max(h.dense_score for h in hits),
                                                bool(expand(query.text)))):
            problems = [topic]
        if problems:
            return abstain(query, hits, problems[0].message, tuple(problems))
        if query.parts:
            sides = Sides(self.decide, self.vocabulary, self.lex)
            decision = combine(query, sides.decide(query.parts, docs, compared=query.compare is not None))
            if query.compare == "share" and decision.kind == "abstain":   # only a share as written answers it now
                return self.decide(replace(query, parts=(), compare=None, kinds=frozenset({"percent"})), docs, taken)
        elif query.is_figure:
            if query.wants == "date" and query.stated_values and not query.anchor:
                # "which month does the 5.3% refer to": that figure's date, looked up with its label
                if (dated := _dated_figure(query, hits, self.engine)) is not query:
                    query, hits = dated, search(self.engine, dated, K, docs)
            ranked = rank(candidates(query, hits, self.facts, self.lex, self.engine.figures), self.model)
            kept = [c for c in ranked if (c.hit.doc_id, c.figure.start) not in (taken or ())]
            if taken and kept and len(kept) < len(ranked):
                # the choice among the figures left, given that the taken ones answer other parts
                total = sum(c.score for c in kept) or 1.0
                kept = [replace(c, score=c.score / total) for c in kept]
            ranked = kept
            fresh = [c for c in ranked if f"{c.hit.doc_id}@{c.figure.start}" not in query.given]
            named = [c for c in fresh if any(t in normalize(f"{c.figure.label} {c.sentence.text}") for t in query.swapped_in)]
            # 「电子社保卡的呢」 after a share: a figure of 电子社保卡 (not of 社保卡), and of the same measure.
            fitting = [c for c in named if fits_units(query, c.figure)]
            fresh = fitting + [c for c in named if c not in fitting] if named else fresh
            decision = decide_figure(query, hits, fresh, self.model, self.coverage, self.lex)
            decision = check_of_another_part(unnamed_check(decision, self.vocabulary), self.vocabulary)
            if decision.kind == "abstain" and len(fresh) < len(ranked):
                # 「同比增长多少」 is declined about the figure just given: the decline names that one.
                again = decide_figure(query, hits, ranked, self.model, self.coverage, self.lex)
                decision = again if again.kind == "abstain" else decision
        else:
            decision = None
            if _terse(query, self.lex):   # "new jobs Q1?" 「社保卡持卡人数」: a name alone asks its figure, if one fits
                figure = replace(query, wants="figure", kinds=frozenset({"quantity", "count", "percent"}))
                ranked = rank(candidates(figure, hits, self.facts, self.lex, self.engine.figures), self.model)
                if (found := decide_figure(figure, hits, ranked, self.model, self.coverage, self.lex)).kind == "figure":
                    decision = found
            decision = decision or decide_passage(query, hits, self.model, passage_features(hits), self.lex)
        return self._named_period(decision)

    def _plans_of_anchor(self, query: Query, hits: list, docs: frozenset[str] | None) -> list:
        """「下一步呢」 after an answer: the plans of that answer's section (一、就業 › 下一步工作安排)."""
        heads = {self.engine.passage(p).section_path[0] for p in query.anchor if p in self.facts.passage_keys}
        wider = search(self.engine, query, 4 * K, docs)
        plans = [h for h in wider if h.passage_id in self.facts.plan_passages]
        # the plans that name what the answer was about (跨省通办's are under 社会保障), else its section's
        named = max((t for t in terms_in(query.topic, self.vocabulary) if not is_measure(t, self.vocabulary)),
                    key=len, default="")
        naming = [h for h in plans if named and named in normalize(h.text)]
        return (naming or [h for h in plans if self.engine.passage(h.passage_id).section_path[0] in heads])[:K] or hits

    def _named_period(self, decision: Decision) -> Decision:
        """With several briefings, an answer says which briefing's period it comes from."""
        if len(self.coverage) < 2 or decision.kind in ("abstain", "empty") or not decision.hits:
            return decision
        cited = decision.candidates[0].hit.doc_id if decision.candidates else decision.hits[0].doc_id
        return replace(decision, period=self.coverage[cited].label)


def _dated_figure(query: Query, hits: list, engine: Retriever) -> Query:
    """A date asked of a figure the question states (「5.3%是哪个月的」): anchored to that figure (in
    the hits first, else anywhere in the corpus) and looked up with its label."""
    first = {h.passage_id: i for i, h in enumerate(hits)}
    # (of the unit stated: 「三个月」 is no 三项)
    stated = [f for f in stated_figures(query.key) if f.value is not None and f.kind not in ("date", "period")]
    found = [(first.get(p.passage_id, len(first)), p, fig) for p, figures in zip(engine.passages, engine.figures)
             for fig in figures if fig.kind not in ("date", "period") and any(
                 s.value == fig.value and (not s.unit or comparable_units(normalize(s.unit), normalize(fig.unit)))
                 for s in stated)]
    if not found:
        return query
    _, passage, fig = min(found, key=lambda x: x[0])
    return replace(query, anchor=(passage.passage_id, f"{passage.doc_id}@{fig.start}"),
                   context=f"{query.context} {fig.label}".strip())


def _terse(query: Query, lex: Lexicon) -> bool:
    """A question that only names something (a few words, no ask, no action, no plan)."""
    short = len(query.key.split()) <= 6 if query.key.isascii() else len(query.key) <= 12
    asks = any(lex.cue(name)(query.key) for name in ("action", "when", "verify", "number", "fact_ask"))
    return short and not asks and query.detail is None and query.tense != "plan" and not query.anchor


def _upto_last_answered(turns: list[Turn]) -> list[Turn] | None:
    """The conversation up to its last answered turn, when the turns after it were declined."""
    declined = 0
    for k in range(len(turns) - 1, -1, -1):
        answer = turns[k].answer
        if answer is None or not hasattr(answer, "abstained"):
            return None   # a turn given as a bare question: how it was answered is unknown
        if not answer.abstained:
            return turns[:k + 1] if declined else None
        declined += 1
    return None


def search(engine: Retriever, query: Query, k: int = K, docs: frozenset[str] | None = None) -> list:
    """The passages for one analyzed query (or part): its words with the context it borrows.

    Without the retrieval's figure prior: these stages rank the figures of the top passages
    themselves (a figure's card similarity is a feature), and the prior here cost held-out
    accuracy (``hrss-qa fit``: top-1 0.954 → 0.952, false abstention 0.020 → 0.023).
    """
    return engine.search(f"{query.text} {query.context}".strip(), k=k, docs=docs)


class _Understood:
    """Stands in for an earlier answer when only its question is known: how it was understood."""

    def __init__(self, question: str, topic: str = ""):
        self.question, self.topic = question, topic


def _vocabulary(engine: Retriever, lex: Lexicon) -> Vocabulary:
    """Label words of each figure, by passage (what the briefing measures side by side)."""
    generic = generic_label_words(lex)
    labelled = [[([w for w in words(f.label) if w not in generic], f.kind != "ordinal") for f in figures
                 if f.kind not in ("date", "period")] for figures in engine.figures]
    # A measure written with a generic word before it (累计 + 结余) is named by the compound too
    compounds = [[([w[-2] + w[-1]], True) for f in figures if f.kind not in ("date", "period", "ordinal")
                  and len(w := words(f.label)) >= 2 and w[-2] in generic and w[-1] not in generic] for figures in engine.figures]
    labelled = [own + extra for own, extra in zip(labelled, compounds)]
    # Units count what is measured (人次, 项); they are measures, never the subject.
    units = [([normalize(f.unit)], True) for figures in engine.figures for f in figures if len(f.unit) >= 2]
    return Vocabulary.of([*labelled, units], [normalize(f"{p.context} {p.text}") for p in engine.passages])


_ANSWERERS: "weakref.WeakKeyDictionary[Retriever, Answerer]" = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def answerer_for(engine: Retriever) -> Answerer:
    """The :class:`Answerer` of an engine (made once per engine)."""
    with _LOCK:
        if engine not in _ANSWERERS:
            _ANSWERERS[engine] = Answerer(engine)
        return _ANSWERERS[engine]


def answer_with(engine: Retriever, question: str, history: list[Turn | str] | None = None) -> Answer:
    """Answer ``question`` from ``engine``'s briefings; see :class:`~hrss_qa.answering.records.Answer`."""
    return answerer_for(engine).answer(question, history)


def _asks_nothing(query: Query, lex: Lexicon) -> bool:
    """A follow-up that only names something (「X这块呢」 "and on X?"): no figure, date or check of its own."""
    return query.wants == "fact" and not query.yes_no and not query.thresholds and not lex.cue("number")(query.key)


def _speaks_of(decision: Decision, terms: tuple[str, ...]) -> bool:
    """Whether the decision's evidence (its figures' sentences, or its quoted sentence) names one of ``terms``."""
    sentences = [c.sentence.text for c in decision.candidates] + ([decision.sentence.text] if decision.sentence else [])
    return not terms or any(t in normalize(s) for s in sentences for t in terms)


__all__ = ["Answerer", "answer_with", "answerer_for", "detect_script"]
