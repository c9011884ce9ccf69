"""Answer stage: the exact figure or sentence, cited — or a plain "the briefing does not say".

Nothing here generates numbers: an answer's figures are :class:`~hrss_qa.figures.Figure`
records taken from the cited passage, written exactly as the source writes them (converted
only between Traditional and Simplified).  The answer text follows the asker's script;
citations quote the original Traditional sentence.

>>> a = answer("失业保险参保人数是多少？")
>>> a.text
'截至3月底，失业保险参保人数为2.37亿人。[1]'
>>> a.citations[0].quote[:34], a.figures[0].value
('截至3月底,全國基本養老、失業、工傷保險參保人數分別為10.52億人', 237000000.0)
"""

from __future__ import annotations

import math
import re
import weakref
from dataclasses import dataclass, field
from typing import Literal

from .chunking import Sentence
from .figures import Figure, extract_figures
from .glossary import expand, official_terms
from .lexical import tokenize, words
from .retrieval import Engine, Hit, default_engine
from . import question as cues
from .scope import ScopeProblem, group_problems, off_topic, scope_problems, unmatched_terms, unstated_count
from .text import Script, clean, detect_script, normalize, to_script

Kind = Literal["figure", "comparison", "passage", "abstain", "empty"]

MAX_QUESTION_CHARS = 500
CANDIDATE_HITS = 3
# Weight of the BM25 score of a figure's own sentence (the sentence's dense score was tried too:
# no gain on the question sets at 2.0 or 5.0).
SENTENCE_LEXICAL_WEIGHT = 1.0
CONTRAST_BONUS = 1.0
# For the figure a yes/no question states; small, so that a wrong premise (「失业保险参保的是2.89亿人吧」)
# does not pull in the figure it names (工傷保險's) against a better label match.
STATED_BONUS = 0.5
# Fused-score lead of the top passage over a figure's passage beyond which that figure is not
# taken (measured: correct answers from a lower passage trail by ≤ 0.04, near misses by ≥ 0.10).
DOMINANT_MARGIN = 0.08

# A label this short (累計訪問量, 參加人數) needs its sentence to say whose figure it is.
_GENERIC_LABEL_CHARS = 5
# Label words too general to tell one measured thing from another.
_GENERIC = set("全国 累计 推出 开展 组织 提供 发布 推进 实施 规模 人数 服务 活动 工作 各类 各地 重点 有关 部门 期间 情况 方面 主要".split())
# An official term the question uses that is in this few passages or fewer names a particular
# scheme or group (職業年金, 春風行動): a figure from a passage without it is not its answer.
NAMED_MAX_PASSAGES = 3
NAMED_MIN_CHARS = 4  # shorter official terms (招聘會, 博士后) are ordinary nouns
_PERIOD_TERM = re.compile(r"季度|月|年底")  # periods are checked by scope.py


@dataclass(frozen=True)
class Citation:
    """A numbered source: the passage (hit) and the sentence quoted from it, verbatim."""

    number: int
    hit: Hit
    quote: str
    start: int
    end: int

    @property
    def section(self) -> str:
        return self.hit.section


@dataclass(frozen=True)
class Answer:
    """An answer with its evidence.

    ``text`` is in the asker's script and ends with citation markers ``[1]``;
    ``figures`` are most relevant first (the first answers a figure question);
    ``abstained`` is True when the briefing does not answer — then ``citations``
    are only *related* passages and ``reason`` says what is missing.
    """

    question: str
    text: str
    citations: tuple[Citation, ...]
    figures: tuple[Figure, ...]
    abstained: bool
    kind: Kind
    script: Script
    reason: str = ""
    notice: str = ""
    problems: tuple[ScopeProblem, ...] = field(default=(), repr=False)

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "text": self.text,
            "abstained": self.abstained,
            "kind": self.kind,
            "script": self.script,
            "reason": self.reason,
            "notice": self.notice,
            "citations": [
                {"number": c.number, "section": c.section, "doc_id": c.hit.doc_id, "quote": c.quote,
                 "start": c.start, "end": c.end, "passage": c.hit.text}
                for c in self.citations
            ],
            "figures": [
                {"text": f.text, "value": f.value, "unit": f.unit, "qualifier": f.qualifier, "label": f.label,
                 "kind": f.kind, "display_value": f.display_value, "start": f.start, "end": f.end}
                for f in self.figures
            ],
        }


def answer(question: str, history: list[str] | None = None) -> Answer:
    """Answer with the default engine.  ``history``: earlier questions, for follow-ups."""
    return answer_with(default_engine(), question, history)


def answer_with(engine: Engine, question: str, history: list[str] | None = None) -> Answer:
    """Answer ``question`` from ``engine``'s briefings; see :class:`Answer`."""
    raw = clean(question or "").strip()
    notice = ""
    if len(raw) > MAX_QUESTION_CHARS:
        raw, notice = raw[:MAX_QUESTION_CHARS], f"问题过长，只使用了前{MAX_QUESTION_CHARS}个字。"
    script = detect_script(raw)
    if not raw:
        return Answer(question or "", _say("请输入一个关于发布会内容的问题。", script), (), (), True, "empty", script)
    asked = contextualize(raw, history or [])
    hits = engine.retrieve(asked, k=5)
    if not hits:
        return Answer(raw, _say("没有找到相关内容。", script), (), (), True, "abstain", script, notice=notice)
    return _Composer(engine, asked, hits, script, notice).compose()


def contextualize(question: str, history: list[str]) -> str:
    """Expand an elliptical follow-up (「那失业保险呢？」) with the previous question.

    Earlier follow-ups are resolved first, so a chain 养老保险 → 那失业保险呢 → 那工伤保险呢
    keeps working.  The fragment replaces the part of the previous question that ends like
    it (失业保险 ↔ 养老保险, 二季度 ↔ 一季度); with no such part it is prepended.
    """
    if not history:
        return question
    previous = history[0]
    for earlier in history[1:]:
        previous = _resolve(earlier, previous)
    return _resolve(question, previous)


def _resolve(question: str, previous: str) -> str:
    frag = cues.FOLLOW_UP_TAIL.sub("", cues.FOLLOW_UP_LEAD.sub("", question.strip()))
    elliptical = question.strip() != frag and 0 < len(frag) <= 12 and not cues.FIGURE_CUES.search(normalize(frag))
    if not elliptical:
        return question
    for k in range(len(frag), 1, -1):
        suffix = frag[-k:]
        at = previous.find(suffix)
        if at >= 0:
            begin = max(0, at - (len(frag) - k))
            return previous[:begin] + frag + previous[at + k:]
    return f"{frag} {previous}"


@dataclass(frozen=True)
class _Candidate:
    score: float
    figure: Figure
    hit: Hit
    sentence: Sentence
    unmatched: tuple[str, ...]  # things the question names that this figure's sentence does not


class _Composer:
    """Decides the kind of answer and writes it; one instance per question."""

    def __init__(self, engine: Engine, question: str, hits: list[Hit], script: Script, notice: str):
        self.engine, self.question, self.hits, self.script, self.notice = engine, question, hits, script, notice
        self.key = normalize(question)
        # Glossary terms let "work-injury insurance" match the label 工傷保險參保人數.
        self.expanded = f"{self.key} {expand(question)}"
        self.tokens = set(tokenize(self.expanded))
        self.focus = cues.focus_tokens(self.key)
        self.counted = cues.counted_noun(self.key)
        self.verifying = bool(cues.VERIFY.search(self.key))
        self.named = _named_terms(self.key, engine)
        self.checked = self.key
        for pattern, share in cues.SHARE_WORDS:
            self.checked = pattern.sub(share, self.checked)
        # A period said in passing (「一季度管了没有」) is not a figure being checked.
        stated = [f for f in extract_figures(self.checked) if f.kind != "period"] if self.verifying else []
        # Checked quantities (过10亿) before dates that only set the period (1到3月).
        self.stated = sorted(stated, key=lambda f: f.kind in ("date", "period"))
        doc = engine.documents[hits[0].doc_id]
        self.year = int(doc.date[:4]) if doc.date[:4].isdigit() else None
        self.corpus = "\n".join(d.text for d in engine.docs)  # for the scope checks (normalized once, cached there)

    def compose(self) -> Answer:
        corpus = self.corpus
        if problem := off_topic(self.question, corpus, max(h.dense_score for h in self.hits)):
            return self._abstain(problem.message, (problem,))
        if problems := self._problems(self.hits[0], self.hits[0].text):
            return self._abstain(problems[0].message, tuple(problems))
        if not self.verifying and (count := unstated_count(self.question, corpus)):
            return self._abstain(f"发布会没有提到“{count}”")
        if missing := self._missing_detail():
            return self._abstain(missing)
        if cues.COMPARE_CUES.search(self.key) and (result := self._comparison()):
            return result
        if self._asks_for_figure():
            return self._figure_answer()
        return self._passage_answer()

    def _missing_detail(self) -> str:
        """What the question asks (how to apply, where, on what conditions, advice) that the
        best sentence does not give, as the reason to abstain; "" when nothing is missing."""
        evidence = normalize(self.hits[0].sentence.text)
        for asked, given, reason in cues.DETAILS:
            if asked.search(self.key) and (given is None or not given.search(evidence)):
                return reason
        return ""

    def _asks_for_figure(self) -> bool:
        """A number, date or ordinal is asked for (else the answer quotes a sentence)."""
        if self.stated or cues.NUMBER_ASKED.search(self.key) or cues.WHEN_CUES.search(self.key) or cues.ORDINAL_CUES.search(self.key):
            return True
        # 「…规模还会扩大吗」 (yes/no without a figure) and 「…要怎么稳住规模」 ask what is done.
        return bool(cues.FIGURE_CUES.search(self.key)) and not self.verifying and not cues.ACTION_ASKED.search(self.key)

    def _problems(self, hit: Hit, evidence: str) -> list[ScopeProblem]:
        return scope_problems(self.question, evidence, self.corpus, doc_year=self.year)

    # -- figure questions --------------------------------------------------------------

    def _wanted_kinds(self) -> set[str]:
        if self.stated:  # 「延到2024年底了吗」 checks a date, 「过10亿了吗」 a quantity, 「是第十五届吧」 an ordinal
            kind = self.stated[0].kind
            return {kind} if kind in ("date", "period", "ordinal") else {"quantity", "percent", "count"}
        if cues.DAY_CUES.search(self.key):
            return {"date"}
        if cues.WHEN_CUES.search(self.key):
            # A question that already names its period (「一季度…何时」, "2023 Q1 … when") asks for a date.
            return {"date"} if cues.PERIOD_NAMED.search(self.key) else {"date", "period"}
        if cues.ORDINAL_CUES.search(self.key):
            return {"ordinal"}
        return {"quantity", "percent", "count"}

    def _candidates(self) -> list[_Candidate]:
        """Figures of the top hits that can answer this question, best first.

        A unit the question names explicitly (多少錢, 幾場, 多少件) is a hard filter: the
        briefing's 3324萬人 is no answer to 「每年最多可以繳多少錢」.  A figure the question
        itself states (「2023年一季度新闻发布会是哪天」) is not its answer either.
        """
        kinds, explicit, topical = self._wanted_kinds(), cues.explicit_units(self.key), cues.topical_units(self.key)
        if explicit is None and "%" in topical and "percent" in kinds and cues.RATE_ASKED.search(self.key):
            explicit = {"%"}  # 「費率是多少」 "the unemployment rate among migrant workers": only a share can answer
        found = []
        for rank, hit in enumerate(self.hits[:CANDIDATE_HITS]):
            sentences = self.engine.passage(hit.passage_id).sentences
            for fig in hit.figures:
                unit = normalize(fig.unit)
                # A figure the question states is not its answer, unless the question checks it.
                stated = normalize(fig.text) in self.key or (fig.kind == "count" and fig.value in cues.english_numbers(self.key))
                if fig.kind not in kinds or (explicit is not None and unit not in explicit) or (stated and not self.verifying):
                    continue
                if cues.HEADCOUNT_ASKED.search(self.key) and not cues.TIMES_ASKED.search(self.key) and unit not in ("人", ""):
                    continue  # a head count: not 人次 (times done), 部門 or 場
                at = next((i for i, s in enumerate(sentences) if s.start <= fig.start < s.end), None)
                found.append((rank, fig, hit, sentences[at] if at is not None else hit.sentence, at))
        weight = _label_token_weights([fig for _, fig, _, _, _ in found])
        contrast = self._contrast(found)
        out = []
        for rank, fig, hit, sentence, at in found:
            evidence = f"{self.engine.passage(hit.passage_id).context} {sentence.text}"
            passage_key, sentence_chars = _passage_keys(self.engine)[hit.passage_id], set(normalize(sentence.text))
            # Named in the passage, or all its characters in the sentence (失業、工傷保險 names 工傷保險).
            unmatched = (*unmatched_terms(self.question, evidence, _label_words(hit)),
                         *(t for t in self.named if t not in passage_key and not set(t) <= sentence_chars))
            score = self._figure_score(fig, hit, rank, sentence, topical, weight) - 1.0 * len(unmatched)
            score += contrast.get((hit.passage_id, fig.start), 0.0)
            if any(fig.value is not None and fig.value == f.value for f in self.stated):
                score += STATED_BONUS  # 「招到了52万人次，是真的吗」: the figure being checked
            elif any(fig.value and f.value and 0.5 <= fig.value / f.value <= 2 for f in self.stated):
                score += 0.5  # 「有没有到32亿」: a figure of about that size (31億次, not 7.64億人)
            score -= 1.0 * len(_narrower_terms(normalize(fig.label), self.expanded))
            if at is not None and at < len(hit.sentence_lexical):
                # How well retrieval matched the figure's own sentence (rare words such as
                # 個人養老金 or 廳局長走流程 name the sentence even where the label does not).
                score += SENTENCE_LEXICAL_WEIGHT * hit.sentence_lexical[at]
            out.append(_Candidate(score, fig, hit, sentence, unmatched))
        out.sort(key=lambda c: -c.score)
        return out

    def _contrast(self, found: list) -> dict[tuple[str, int], float]:
        """Bonus for the figure of a sentence whose label alone has a word the question asks
        about; a malus for its neighbours then.

        「社保基金還剩多少錢」 against 「社會保險基金總收入…、總支出…,累計結余…」: the shared
        subject matches all three, only 結余 tells them apart.
        """
        groups: dict[tuple[str, int], list[Figure]] = {}
        top = self.hits[0]
        for _, fig, hit, sentence, _ in found:
            # Only in the sentence retrieval ranks first: elsewhere a word that tells two labels
            # apart (事項 in 「40項為跨省通辦事項」) may just be the generic thing counted.
            if hit.passage_id == top.passage_id and sentence.start == top.sentence.start:
                groups.setdefault((hit.passage_id, sentence.start), []).append(fig)
        out: dict[tuple[str, int], float] = {}
        for (passage_id, _), figures in groups.items():
            labels = [set(tokenize(f.label)) for f in figures]
            asked = [bool((label - set().union(*(o for o in labels if o is not label))) & self.tokens) for label in labels]
            if len(figures) < 2 or not any(asked):
                continue
            for fig, hit_asked in zip(figures, asked):
                out[(passage_id, fig.start)] = CONTRAST_BONUS if hit_asked else -CONTRAST_BONUS
        return out

    def _figure_score(self, fig: Figure, hit: Hit, rank: int, sentence: Sentence, units: set[str],
                      weight: dict[str, float]) -> float:
        """Label match dominates; then the clause, the retrieval rank and sentence, the unit.

        Label tokens are weighted by how rare they are among the candidates' labels, so the
        subject they share (社會保險基金…) counts less than what tells them apart (結余).
        """
        label = set(tokenize(fig.label))
        total = sum(weight.get(t, 1.0) for t in label) or 1.0
        label_match = sum(weight.get(t, 1.0) for t in label & self.tokens) / total
        # ...and how much of what the question says about labels this label covers.
        asked = [t for t in self.tokens if t in weight]
        recall = sum(weight[t] for t in asked if t in label) / (sum(weight[t] for t in asked) or 1.0)
        focus_match = sum(weight.get(t, 1.0) for t in label & self.focus) / total
        clause = set(tokenize(_clause_of(sentence, fig)))
        clause_match = len(clause & self.tokens) / max(len(self.tokens), 1)
        unit_ok = 1.0 if not units or normalize(fig.unit) in units else 0.0
        best_sentence = 1.0 if sentence.start == hit.sentence.start else 0.0
        # 「多少職缺」: the clause that names what is counted (發布崗位3800萬個) wins.
        counted = 1.0 if _mentions(normalize(_clause_of(sentence, fig)), self.counted) else 0.0
        return 1.0 * counted + 2.0 * label_match + 1.0 * recall + 1.0 * focus_match + 1.5 * clause_match + 0.6 * unit_ok + 0.5 * best_sentence - 0.4 * rank

    def _figure_answer(self) -> Answer:
        candidates = self._candidates()
        if not candidates:
            return self._abstain("发布会没有给出这个问题所问的数字")
        best = candidates[0]
        fig, hit, sentence = best.figure, best.hit, best.sentence
        if self.hits[0].score - hit.score >= DOMINANT_MARGIN:
            # Retrieval is sure the question is about another passage, which states no such figure
            # (「新一批享受政府特殊津貼的名額」): a figure from elsewhere would be a near miss.
            return self._abstain(f"最相关的段落（{self.hits[0].section}）没有给出这个数字")
        if problems := self._problems(hit, hit.text):
            return self._abstain(problems[0].message, tuple(problems))
        if problems := group_problems(self.expanded, sentence.text):
            return self._abstain(problems[0].message, tuple(problems))
        if cues.CHANGE_ASKED.search(self.key) and not cues.CHANGE_STATED.search(normalize(_clause_of(sentence, fig))):
            return self._abstain(f"发布会给出的“{fig.label}”{fig.text}不是新增或变化的数字")
        if cues.ONE_PERIOD_ASKED.search(self.key) and "累计" in normalize(_clause_of(sentence, fig)):
            return self._abstain(f"发布会给出的“{fig.label}”{fig.text}是累计数，没有给出单月的数字")
        if self.counted and not _mentions(normalize(f"{fig.label} {sentence.text}"), self.counted):
            return self._abstain(f"发布会没有给出“{self.counted[0]}”的数字")
        if best.unmatched:
            term = best.unmatched[0]
            return self._abstain(f"最接近的数字说的不是“{term}”，发布会没有给出关于“{term}”的这个数字")
        others = [c.figure for c in candidates[1:] if c.hit.passage_id == hit.passage_id and c.sentence == sentence]
        statement = _statement(sentence, fig, hit.figures)
        if others and cues.SEVERAL_ASKED.search(self.key):
            # 「…分别是多少」 "how many A and how many B": the sentence that gives them all.
            statement = _strip_marker(sentence.text).rstrip("。")
        verdict = self._verdict(fig)
        text = self._cited({True: "是的。", False: "不是。", None: ""}[verdict] + statement)
        if verdict is False and cues.NEGATIVE_ANSWER.search(self.key):
            text = self._cited("没有。" + statement)
        if self.script == "en":
            lead = {True: "Yes. ", False: "No. ", None: ""}[verdict]
            shown = [fig, *(o for o in others if o.unit == fig.unit)] if cues.SEVERAL_ASKED.search(self.key) else [fig]
            text = f"{lead}The briefing states: {statement} — that is {'; '.join(f.display_value for f in shown)}. [1]"
        return self._answer("figure", text, hit, sentence, (fig, *others))

    def _verdict(self, fig: Figure) -> bool | None:
        """Yes/no for a question checking a stated figure against ``fig``; None when it is not
        comparable (no stated figure of that kind and unit, or no value)."""
        if "还是" in self.key or " or " in self.key:
            return None  # 「一年的还是平均的」 asks which, not whether
        for stated in self.stated:
            before = self.checked[:max(self.checked.find(normalize(stated.text)), 0)]
            if not (stated.qualifier or cues.PREDICATE.search(before[-3:]) or cues.PREDICATE_EN.search(before[-20:])):
                continue  # 「第十六届…已经开过了吧」: the figure names the subject; the question is not about it
            if stated.kind in ("date", "period") and fig.kind in ("date", "period"):
                return normalize(stated.text) == normalize(fig.text)
            same_unit = not stated.unit or normalize(stated.unit) == normalize(fig.unit)
            if stated.value is None or fig.value is None or not same_unit or stated.kind != fig.kind:
                continue
            said = f"{before}{normalize(stated.qualifier)}"
            if cues.MORE_THAN.search(said):
                return fig.value > stated.value
            if cues.AT_LEAST.search(said):
                return fig.value >= stated.value
            return fig.value == stated.value
        return None

    def _comparison(self) -> Answer | None:
        """Figures of one unit from the same passage, named in the question, compared.

        「哪个多」 compares the best two; 「哪一项最少」 ranks every figure of that list.
        The winner comes first in ``figures``: it is the answer.
        """
        candidates = [c for c in self._candidates() if c.figure.value is not None and c.figure.kind != "ordinal"]
        if len(candidates) < 2:
            return None
        first = candidates[0]
        peers = [c for c in candidates if c.hit.passage_id == first.hit.passage_id and c.sentence == first.sentence
                 and normalize(c.figure.unit) == normalize(first.figure.unit)]
        peers = list({c.figure.label: c for c in reversed(peers)}.values())  # one per label, best kept
        if len(peers) < 2:
            return None
        if not cues.SUPERLATIVE.search(self.key):
            peers = sorted(peers, key=lambda c: -c.score)[:2]
        peers.sort(key=lambda c: c.figure.start)
        smallest_wins = bool(cues.SMALLER.search(self.key))
        ranked = sorted((c.figure for c in peers), key=lambda f: f.value, reverse=not smallest_wins)
        winner, runner_up = ranked[0], ranked[1]
        adjective = ("低" if smallest_wins else "高") if winner.kind == "percent" else ("少" if smallest_wins else "多")
        degree = "最" if len(peers) > 2 else "更"
        verdict = "两者相同" if winner.value == runner_up.value else f"{_distinct(winner.label, runner_up.label)}{degree}{adjective}"
        a, b = peers[0], peers[-1]
        source = _span_between(a.sentence, a.figure, b.figure)
        text = self._cited(f"{_strip_marker(source)}，{verdict}")
        if self.script == "en":
            listed = "; ".join(f"{f.label} {f.text} ({f.display_value})" for f in (c.figure for c in peers))
            text = f"The briefing gives {listed}; {verdict}. [1]"
        return self._answer("comparison", text, a.hit, a.sentence, tuple(ranked))

    # -- other questions ---------------------------------------------------------------

    def _passage_answer(self) -> Answer:
        hit = self.hits[0]
        sentence = self._informative_sentence(hit)
        if self.verifying and cues.CHANGE_ASKED.search(self.key) and not cues.CHANGE_STATED.search(normalize(sentence.text)):
            # 「养老金今年涨了吗」 against 「确保养老金按时足额发放」: no rise is mentioned.
            return self._abstain("发布会没有提到这方面的增加或上调")
        statement = _strip_marker(sentence.text).rstrip("。")
        text = self._cited(f"根据发布会，{statement}")
        if self.script == "en":
            text = f"The briefing says: “{sentence.text}” [1]"
        figures = tuple(f for f in hit.figures if sentence.start <= f.start < sentence.end)
        # The measures (261萬張) before the time they refer to (一季度); a share first when one is
        # asked for (「人人都有社保卡了吗」: 97%).
        units = cues.explicit_units(self.key) or cues.topical_units(self.key)
        figures = tuple(sorted(figures, key=lambda f: (f.kind in ("date", "period"), normalize(f.unit) not in units)))
        return self._answer("passage", text, hit, sentence, figures)

    def _informative_sentence(self, hit: Hit) -> Sentence:
        """The best sentence, unless it is only an item's heading (「二是促進青年就業。」):
        then the heading and the passage's next-best sentence, which says what was done."""
        sentences = self.engine.passage(hit.passage_id).sentences
        best = hit.sentence
        is_heading = best == sentences[0] and len(sentences) > 1 and len(_strip_marker(best.text)) <= 20
        if not is_heading:
            return best
        order = sorted(range(1, len(sentences)), key=lambda i: -hit.sentence_scores[i])
        follow = sentences[order[0]]
        if follow.start != best.end:  # quote one contiguous span: heading + the sentence after it
            follow = sentences[1]
        return Sentence(best.text + follow.text, best.start, follow.end)

    def _abstain(self, reason: str, problems: tuple[ScopeProblem, ...] = ()) -> Answer:
        reason = reason.rstrip("。")
        text = _say(f"发布会没有回答这个问题：{reason}。以下是最相关的段落，仅供参考。", self.script)
        if self.script == "en":
            text = f"The briefing does not answer this ({reason}). The closest passages are shown for reference only."
        citations = tuple(Citation(i, h, h.sentence.text, h.sentence.start, h.sentence.end)
                          for i, h in enumerate(self.hits[:3], start=1))
        return Answer(self.question, text, citations, (), True, "abstain", self.script, reason=reason,
                      notice=self.notice, problems=problems)

    # -- helpers -----------------------------------------------------------------------

    def _cited(self, statement: str) -> str:
        return _say(statement.rstrip("。,，") + "。", self.script) + "[1]"

    def _answer(self, kind: Kind, text: str, hit: Hit, sentence: Sentence, figures: tuple[Figure, ...]) -> Answer:
        first = Citation(1, hit, sentence.text, sentence.start, sentence.end)
        related = [h for h in self.hits[:3] if h.passage_id != hit.passage_id][:2]
        citations = (first, *(Citation(i, h, h.sentence.text, h.sentence.start, h.sentence.end)
                               for i, h in enumerate(related, start=2)))
        return Answer(self.question, text, citations, figures, False, kind, self.script, notice=self.notice)


def _label_words(hit: Hit) -> set[str]:
    """Words naming what the figures of this passage measure (generic words removed).

    A question word found here but not in a figure's own sentence means the passage
    measures that thing with *another* figure, so this one is not its answer.
    """
    return {w for f in hit.figures for w in words(f.label)} - _GENERIC


_PASSAGE_KEYS: "weakref.WeakKeyDictionary[Engine, dict[str, str]]" = weakref.WeakKeyDictionary()


def _passage_keys(engine: Engine) -> dict[str, str]:
    """normalize()d context + text of every passage, by id (computed once per engine)."""
    if engine not in _PASSAGE_KEYS:
        _PASSAGE_KEYS[engine] = {p.passage_id: normalize(f"{p.context} {p.text}") for p in engine.passages}
    return _PASSAGE_KEYS[engine]


def _named_terms(key: str, engine: Engine) -> list[str]:
    """Official terms in the question that only a few passages use (see NAMED_MAX_PASSAGES)."""
    keys = _passage_keys(engine).values()
    found = [t for t in official_terms(NAMED_MIN_CHARS) if t in key and not _PERIOD_TERM.search(t)
             and 0 < sum(t in k for k in keys) <= NAMED_MAX_PASSAGES]
    return [t for t in found if not any(t != o and t in o for o in found)]  # 社保卡 within 电子社保卡


_BROAD_QUALIFIERS = {"基本", "全国", "国家"}  # 基本养老保险 is what people mean by 养老保险




def _narrower_terms(label: str, key: str) -> list[str]:
    """Official terms of a figure's label that narrow a term the question uses.

    「社保卡有多少人」: 電子社保卡領用人數 is about a narrower thing (電子社保卡) than asked.
    """
    return [t for t in official_terms(NAMED_MIN_CHARS) if t in label and t not in key
            and any(o != t and o in t and o in key and t.replace(o, "") not in _BROAD_QUALIFIERS
                    for o in official_terms(3))]


def _label_token_weights(figures: list[Figure]) -> dict[str, float]:
    """Inverse frequency of each label token among the candidate figures."""
    counts: dict[str, int] = {}
    for fig in figures:
        for token in set(tokenize(fig.label)):
            counts[token] = counts.get(token, 0) + 1
    n = max(len(figures), 1)
    return {t: math.log(1 + n / c) for t, c in counts.items()}




def _mentions(text: str, terms: list[str]) -> bool:
    """Whether ``text`` mentions any of ``terms``; half of a term's characters suffice
    (招聘会 is mentioned by 招聘活動, 欠薪 is not by 運送農民工)."""
    chars = set(text)
    return any(2 * len(set(t) & chars) >= len(set(t)) for t in terms)


def _say(text: str, script: Script) -> str:
    return to_script(text, script)


def _clause_of(sentence: Sentence, fig: Figure) -> str:
    """The comma-delimited clause of ``sentence`` that holds ``fig``."""
    rel = fig.start - sentence.start
    text = sentence.text
    cuts = [m.end() for m in re.finditer(r"[,，;；:：。]", text)]
    begin = max([c for c in cuts if c <= rel], default=0)
    end = min([c for c in cuts if c > rel], default=len(text))
    return text[begin:end].strip(",，;；:：。 ")


def _statement(sentence: Sentence, fig: Figure, passage_figures: tuple[Figure, ...]) -> str:
    """A short statement of ``fig`` in the source's own words.

    The figure's clause is quoted when it states that figure alone; inside a list
    (分別為…) the statement is rebuilt as ``<time>, <label>為<figure>``.
    """
    own = _clause_of(sentence, fig)
    clause = _strip_marker(own)
    shares_clause = any(
        f.start != fig.start and f.kind not in ("date", "period") and sentence.start <= f.start < sentence.end
        and _clause_of(sentence, f) == own
        for f in passage_figures
    )
    if not shares_clause and fig.kind not in ("date", "period"):
        if len(fig.label) <= _GENERIC_LABEL_CHARS and not sentence.text.startswith(own):
            # 「累計訪問量31億次」 alone does not say whose: quote the sentence up to this clause.
            upto = sentence.text.find(own) + len(own)
            return _strip_marker(sentence.text[:upto])
        lead = _time_lead(sentence.text) if not re.search(r"\d+月|季度|年", clause) else ""
        return f"{lead}{clause}"
    if fig.kind in ("date", "period"):
        return f"{fig.label}：{fig.text}"
    return f"{_time_lead(sentence.text)}{fig.label}為{fig.text}"


def _time_lead(sentence: str) -> str:
    """The sentence's leading time phrase (截至3月底, / 1-3月 / 一季度), with a comma."""
    m = re.match(r"^(截至[^,，]{1,8}|[\d\-]+月份?|一季度)[,，]?", _strip_marker(sentence))
    return f"{m.group(1)}，" if m else ""


def _strip_marker(text: str) -> str:
    return re.sub(r"^[一二三四五六七八九十]+是", "", text)


def _distinct(label: str, other: str) -> str:
    """What tells ``label`` from ``other`` (社會保險基金總收入 vs …總支出 → 收入)."""
    i = 0
    while i < min(len(label), len(other)) - 1 and label[i] == other[i]:
        i += 1
    return label[i:] or label


def _span_between(sentence: Sentence, first: Figure, second: Figure) -> str:
    """The source text from the clause of ``first`` to the end of ``second``."""
    begin = sentence.text.find(_clause_of(sentence, first))
    end = second.end - sentence.start
    return sentence.text[max(begin, 0):end]
