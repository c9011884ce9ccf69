"""Stage 4 — ``decide``: answer, answer without a verdict, or abstain.

The policy, in order of what matters most:

1. A figure is stated only when the fitted model's confidence in it reaches the answer
   threshold and no hard constraint rules it out (a group, month, place or year the question
   names that its sentence does not state).  Otherwise the answer abstains and says why — the
   strongest reason the model had against the best figure.
2. A yes/no verdict is given only when, in addition, the confidence reaches the (higher)
   verdict threshold, the threshold's unit fits the figure's, and the comparison is decided for
   every value the figure's qualifier allows (超過261萬 is more than 260萬; against 262萬 it is
   undecided).  Otherwise the figure is stated without a verdict.
3. A comparison or double ask is decided part by part; figures are compared only when their
   units count the same thing.

All functions are pure: they take the query, the hits, the scored candidates and the model.
"""

from __future__ import annotations

import os

from dataclasses import replace

from ..cards import clause_at, clause_of
from ..chunking import Sentence
from ..figures import Figure
from ..glossary import expand, glossary_terms
from ..language import Lexicon, lexicon, pattern
from ..lexical import words
from ..retrieval import Hit
from ..text import has_han, normalize
from .confidence import is_heading, sentence_features
from .features import FEATURES, FIT_FLAGS, generic_label_words, missing_groups
from .model import AnswerModel, ranking_summary
from .numbers import comparable, comparable_units, is_day, stated_figures
from .records import Candidate, Decision, Query, Threshold, Verdict
from .times import day_in_part, same_time
from .vocabulary import Vocabulary, is_measure, outermost, subject_terms, terms_in
from .scope import Coverage, ScopeProblem, evidence_problems

# Features whose strong negative contribution explains an abstention, with what to say.
REASONS = {
    "unmet_change": "发布会给出的“{label}”{text}不是新增或变化的数字",
    "unmet_yoy": "发布会没有给出同比或环比的变化，只给出了“{label}”{text}",
    "unmet_earnings": "发布会给出的“{label}”{text}是规模，没有给出收益或盈利",
    "unmet_average": "发布会没有给出平均数，只给出了“{label}”{text}",
    "unmet_target": "发布会没有给出目标数，只给出了“{label}”{text}",
    "unmet_age": "发布会没有按年龄给出这个数字",
    "unmet_share": "发布会没有给出这个比例",
    "unmet_one_period": "发布会给出的“{label}”{text}是累计数，没有给出单月的数字",
    "unmet_headcount": "发布会给出的“{label}”{text}是人次，没有给出人数",
    "unmet_per_person": "发布会给出的是全国的总数，没有针对个人或单个企业的数字",
    "named_missing": "最接近的数字说的不是“{missing}”，发布会没有给出关于“{missing}”的这个数字",
    "scheme_missing": "发布会没有单独给出“{missing}”的这个数字，最接近的数字说的是“{label}”",
    "subject_missing": "最接近的数字说的不是“{missing}”，发布会没有给出关于“{missing}”的这个数字",
    "group_missing": "发布会没有单独给出这一人群的这个数字",
    "counted": "发布会没有给出所问事项的数字",
    "passage_gap": "最相关的段落（{section}）没有给出这个数字",
}
GENERIC_REASON = "发布会没有给出这个问题所问的数字"
PASSAGE_REASONS = {
    "change": "发布会没有提到这方面的增减或变化", "yoy": "发布会没有给出同比或环比的变化",
    "earnings": "发布会没有给出收益或盈利", "average": "发布会没有给出平均数",
    "target": "发布会没有给出目标数", "age": "发布会没有按年龄给出数字",
    "per_person": "发布会给出的是全国的总数，没有针对个人或单个企业的数字",
}


_ANOTHER_EVENT = ("subject_missing", "tense_mismatch")


def rank(candidates: list[Candidate], model: AnswerModel) -> list[Candidate]:
    """Candidates with the figure model's choice probability as ``score``, best first."""
    if not candidates:
        return []
    scores = model.figure.choice([c.features for c in candidates])
    scored = [replace(c, score=float(p)) for c, p in zip(candidates, scores)]
    return sorted(scored, key=lambda c: -c.score)


def decide_figure(query: Query, hits: list[Hit], ranked: list[Candidate], model: AnswerModel,
                  coverage: dict[str, Coverage], lex: Lexicon | None = None) -> Decision:
    """The figure answer for ``query`` from ranked candidates, or an abstention."""
    lex = lex or lexicon()
    if not ranked:
        return abstain(query, hits, GENERIC_REASON)
    doubt = False   # the number checked fits another figure better than the previous answer's
    unanchored = ranked
    if query.wants == "date" and any(query.anchor) and not any(c.hit.passage_id in query.anchor for c in ranked):
        # "When does that drive kick off?": a date written elsewhere is another thing's date
        return abstain(query, hits, GENERIC_REASON)
    if query.anchor and (near := [c for c in ranked if c.hit.passage_id in query.anchor]):
        # A follow-up about the previous answer's subject (「截至什么时候」「过3000万了吗」): its passage
        # first, and the previous answer's own figure first of all when it can answer.
        # 「比例呢」「金额？」 after a head count ask another measure: the carried figure is not its answer.
        same = [c for c in near if f"{c.hit.doc_id}@{c.figure.start}" in query.anchor and fits_units(query, c.figure)]
        if query.settled and same:   # a side an earlier answer gave: that answer's figure, as given then
            return Decision("figure", query, tuple(hits), (same[0],), confidence=1.0)
        doubt = bool(same) and _points_elsewhere(query, same[0], ranked)
        at = [int(a.rsplit("@", 1)[1]) for a in query.anchor if "@" in a]
        if query.wants == "date" and at:
            # 「这是哪个月的数」: the date written with the figure just given, in its sentence, nearest it.
            # (「1-3月城鎮新增就業297萬人,3月份…失業率…」: 297万's date is the one in its own clause)
            near = sorted(near, key=lambda c: (not c.sentence.start <= at[0] < c.sentence.end,
                                               not _same_clause(c, at[0]), abs(c.figure.start - at[0])))
        elif at and not same:
            # 「这个够一半人口没有」 after 电子社保卡's 7.64亿: another measure of the figure pointed at is
            # in its sentence (54.1%), before the passage's other sentences (社保卡's 97%)
            near = sorted(near, key=lambda c: not c.sentence.start <= at[0] < c.sentence.end)
            doubt = not near[0].sentence.start <= at[0] < near[0].sentence.end
        ranked = same + [c for c in near if c not in same] + [c for c in ranked if c.hit.passage_id not in query.anchor]
        if _implausible(query, ranked, model, coverage, lex) and not _implausible(query, unanchored, model, coverage, lex):
            # 「它能办几项全国服务」 after 电子社保卡's head count: nothing in that passage answers (its 三项 is
            # of the funds), the subject's 87项 elsewhere does — answered, without a verdict (astray below)
            ranked = unanchored
            # (a figure was pointed at: one outside its sentence gets no verdict)
            doubt = doubt or bool(at and not ranked[0].sentence.start <= at[0] < ranked[0].sentence.end)
    best = ranked[0]
    confidence = model.confidence([c.score for c in ranked], best.flags)
    if query.wants == "date" and not query.anchor and all(best.features[FEATURES.index(f)] > 0 for f in _ANOTHER_EVENT):
        # "When will the trainee drive start?" against 截至4月中旬 of the spring job fairs: every date looks
        # alike, so a date of what was done, whose sentence misses what the plan asked names, is another
        # thing's date
        return abstain(query, hits, GENERIC_REASON, confidence=confidence)
    if problems := hard_problems(query, best, coverage, lex):
        return abstain(query, hits, problems[0].message, tuple(problems), confidence=confidence)
    raised = [name for name, value in zip(FIT_FLAGS, best.flags) if value > 0 and name in model.hard_flags]
    if raised and query.thresholds and best.features[FEATURES.index("stated_equal")] and len(ranked) > 1:
        # 「电子社保卡访问量是不是超过47亿人次」: the number checked is another subject's figure (the
        # platform's 47亿人次), a false premise; the subject's own figure answers it, or nothing does.
        return decide_figure(query, hits, ranked[1:], model, coverage, lex)
    if raised:
        return abstain(query, hits, _reason(raised[0], best), confidence=confidence)
    if confidence < model.answer_threshold:
        return abstain(query, hits, explain(best, model), confidence=confidence)
    verdict = None
    if query.yes_no and query.thresholds and not query.choice:
        verdict = check(query.thresholds, best.figure, lex)
        # A follow-up whose subject was carried over gets a verdict only on a figure where that subject
        # was: elsewhere the reading may be wrong, and a wrong 是的/不是 is the worst answer.
        astray = bool(query.anchor) and (best.hit.passage_id not in query.anchor or doubt)
        # 「那失业的有没有2.5亿」: a verdict only on a figure labelled with what the follow-up named
        astray = astray or (bool(query.swapped_in) and not any(
            t in normalize(best.figure.label) for t in query.swapped_in))
        if verdict is not None and (verdict.holds is None or confidence < model.verdict_threshold or astray):
            verdict = replace(verdict, holds=None)
    premise = None
    if verdict is not None and verdict.holds is False:
        # 「电子社保卡覆盖97%了吗」: 97% is 社保卡's; the answer says whose number the asker had in mind
        equal = FEATURES.index("stated_equal")
        premise = next((c for c in ranked[1:] if c.features[equal] and c.figure.kind == best.figure.kind), None)
    return Decision("figure", query, tuple(hits), (best,), verdict=verdict, confidence=confidence, premise=premise)


def unnamed_check(decision: Decision, vocabulary: Vocabulary) -> Decision:
    """The decision with its verdict withheld when the check, asked alone, names nothing of the figure
    it was decided on beyond the number checked: 「是不是4月中旬开的」 finds a 4月中旬 by that very text,
    which is no evidence of whose date it is.  「失业率是5.3%吗」 names the rate its figure is of."""
    query = decision.query
    if decision.verdict is None or decision.verdict.holds is None or query.anchor or not decision.candidates:
        return decision
    best = decision.candidates[0]
    said = query.key
    for t in query.thresholds:
        said = said.replace(normalize(t.text), " ")
    terms = {*subject_terms(said, vocabulary), *(t for g in glossary_terms(said) for t in g.official)}
    where = normalize(f"{best.figure.label} {best.sentence.text}")
    # (「職訓券」 names 职业培训券 in words the vocabulary lacks: the label words it shares count)
    # (a time checked shares no words with its figure's label but the time itself: no such evidence)
    if any(t in where for t in terms) or (best.figure.kind not in ("date", "period")
                                          and best.features[FEATURES.index("label_cover")] > 0):
        return decision
    return replace(decision, verdict=replace(decision.verdict, holds=None), premise=None)


_MEASURE_CHARS = 3   # the shortest ending two labels share to be parts of one list (参保人数, not 活动)


def check_of_another_part(decision: Decision, vocabulary: Vocabulary) -> Decision:
    """The decision with its verdict withheld when the check's own words name a thing that another
    figure of the chosen figure's sentence is labelled with and the chosen one is not: 「工伤那个是2.37亿吧」
    decided on 失业保险's 2.37亿 of 「养老、失业、工伤…分别为…」 is no evidence about 工伤."""
    query = decision.query
    if decision.verdict is None or decision.verdict.holds is None or not decision.candidates:
        return decision
    best = decision.candidates[0]
    named = terms_in(normalize(query.asked or query.text), vocabulary)
    own = [t for t in named if not is_measure(t, vocabulary)]
    label = normalize(best.figure.label)
    siblings = [normalize(f.label) for f in best.hit.figures if f.start != best.figure.start
                and best.sentence.start <= f.start < best.sentence.end]   # the other labels of its sentence
    # (a measure is what a label ends with; one number checked, so the measure is that number's)
    if len(query.thresholds) == 1 and any(t not in label and any(o.endswith(t) for o in siblings)
                                          for t in named if is_measure(t, vocabulary)):
        # 「结余不到8万亿吧」 decided on 总支出's 1.7万亿 beside 累计结余's 7.75万亿: the measure checked is
        # another figure's of that sentence
        return replace(decision, verdict=replace(decision.verdict, holds=None), premise=None)
    # (parts of one list measure alike — 失业保险参保人数 / 工伤保险参保人数 end alike — and differ by
    # what is measured; a holder named in a sibling's label, 平台 of 累计访问量, is no other part)
    parallel = [o for o in siblings if len(os.path.commonprefix([o[::-1], label[::-1]])) >= _MEASURE_CHARS
                and set(label) - set(o)]   # (a label inside the other, 3.4万家 of 52万人次's, is no other part)
    if any(t not in label and any(t in o for o in parallel) for t in own):
        return replace(decision, verdict=replace(decision.verdict, holds=None), premise=None)
    return decision


def _same_clause(c: Candidate, at: int) -> bool:
    """Whether the candidate's figure is in the clause of the sentence holding document position ``at``."""
    return clause_at(c.sentence, at) == clause_at(c.sentence, c.figure.start)


def _implausible(query: Query, ranked: list[Candidate], model: AnswerModel, coverage: dict[str, Coverage],
                 lex: Lexicon) -> bool:
    """Whether the first of ``ranked`` would be declined (a hard problem, a raised flag, low confidence)."""
    best = ranked[0]
    raised = any(value > 0 and name in model.hard_flags for name, value in zip(FIT_FLAGS, best.flags))
    return (bool(hard_problems(query, best, coverage, lex)) or raised
            or model.confidence([c.score for c in ranked], best.flags) < model.answer_threshold)


def fits_units(query: Query, figure) -> bool:
    """Whether the figure is of a unit the query names or points to (any, when it does neither)."""
    unit = normalize(figure.unit) if figure.kind != "percent" else "%"
    return all(units is None or not units or unit in units for units in (query.units, query.topical_units))


def _points_elsewhere(query: Query, carried: Candidate, ranked: list[Candidate]) -> bool:
    """「破32亿了没」 after an answer of 3077万: the number checked is near no part of the carried-over
    figure but near another candidate's, so the user has that other figure in mind (or the earlier
    turn was misread)."""
    near = FEATURES.index("stated_near")
    return bool(query.thresholds) and not carried.features[near] and any(c.features[near] for c in ranked)


def decide_passage(query: Query, hits: list[Hit], model: AnswerModel, features: tuple[float, ...],
                   lex: Lexicon | None = None) -> Decision:
    """A fact answer: the informative sentence of the best passage, or an abstention."""
    lex = lex or lexicon()
    if not hits:
        return abstain(query, hits, "没有找到相关内容")
    hit = hits[0]
    sentence = informative_sentence(hit, model, query.swapped_in)
    evidence = normalize(sentence.text)
    if query.detail is not None:
        row = lex.words("cues.detail")[query.detail]
        given = [w for w in row.get("given", []) if w != "@places"]
        if "@places" in row.get("given", []):
            given += lex.words("scope.places.zh")
        # (「都是哪几个部门」 after 10部门: the items of a count would be named in its clause, not in the
        # sentence's list of actions; after a date, 「哪个部门办的」 is asked of the whole sentence)
        at = [f.start for f in hit.figures if f.kind in ("count", "quantity")
              and any(a.endswith(f"@{f.start}") for a in query.anchor)]
        if at and any(sentence.start <= a < sentence.end for a in at):
            evidence = normalize(clause_at(sentence, at[0]))
        elif (row.get("nearby") and given and not pattern(given).search(evidence)
              and (other := _detail_given(hits, pattern(given)))):
            # 「哪些地区在推一卡通」: the pilot's sentence lacks places, the next passage's best sentence
            # (长三角、川渝、海南等地…一卡通) names them
            hit, sentence = other
            hits, evidence = [hit, *(h for h in hits if h is not hit)], normalize(sentence.text)
        if not given or not pattern(given).search(evidence):
            return abstain(query, hits, row["reason"])
    for name in sorted(query.asks & {"change", "yoy", "earnings", "average", "target", "age", "per_person"}):
        if not _said(lex, name if name != "per_person" else "average", evidence):
            # 「养老金今年涨了吗」 against 「确保养老金按时足额发放」: no rise is mentioned.
            return abstain(query, hits, PASSAGE_REASONS[name])
    confidence = float(model.passage.predict([features])[0])
    if confidence < model.passage_threshold:
        return abstain(query, hits, "发布会中没有找到足够相关的内容", confidence=confidence)
    return Decision("passage", query, tuple(hits), sentence=sentence, confidence=confidence)


def _detail_given(hits: list[Hit], given) -> tuple[Hit, Sentence] | None:
    """The first of the two best passages with a sentence giving the detail asked (a place…) that
    shares a word with the question (or its glossary terms), and the sentence most like the question
    that does."""
    for hit in hits[:2]:
        scored = sorted(zip(hit.sentence_scores, range(len(hit.sentences))), reverse=True)
        for _, i in scored:
            if hit.sentence_lexical[i] > 0 and given.search(normalize(hit.sentences[i].text)):
                return hit, hit.sentences[i]
    return None


def combine(query: Query, parts: list[Decision]) -> Decision:
    """A comparison or double ask from its parts' decisions (each already decided on its own)."""
    if query.compare == "share":   # a share is computed only from figures that measure what each side names
        # (a side anchored to a figure an earlier answer gave was checked when it was given)
        parts = [p if p.kind != "figure" or any("@" in a for a in p.query.anchor) or _measures_what_it_names(p) else
                 abstain(p.query, p.hits, REASONS["named_missing"].format(missing=p.query.text)) for p in parts]
        if all(p.kind == "figure" for p in parts) and (share := share_interval(
                *(p.candidates[0].figure for p in parts))) is not None and share[0] > 100:
            # more than the whole: the two figures are not a part and its whole
            return abstain(query, tuple(h for p in parts for h in p.hits)[:3], GENERIC_REASON)
    answered = [p for p in parts if p.kind == "figure"]
    if not answered:
        reason = next((p.reason for p in parts if p.reason), GENERIC_REASON)
        return abstain(query, tuple(h for p in parts for h in p.hits)[:3], reason,
                       problems=tuple(x for p in parts for x in p.problems))
    missing = [p for p in parts if p.kind != "figure"]
    if query.compare and missing:
        # A comparison with one side unknown is no comparison: say which side is missing.
        # (a side answered by a sentence, not a figure, gives no reason of its own)
        return abstain(query, tuple(h for p in parts for h in p.hits)[:3], missing[0].reason or GENERIC_REASON,
                       problems=tuple(x for p in missing for x in p.problems))
    kind = "comparison" if query.compare else "several"
    verdict = None
    if query.compare == "share" and len(parts) == 2:
        verdict = _share_verdict(query, *(p.candidates[0].figure for p in parts))
    elif query.compare == "sum":
        verdict = _sum_verdict(query, [p.candidates[0].figure for p in parts])
    elif query.compare == "ratio" and len(parts) == 2:
        verdict = _ratio_verdict(query, *(p.candidates[0].figure for p in parts))
    elif query.compare == "per" and len(parts) == 2:
        verdict = _per_verdict(query, *(p.candidates[0].figure for p in parts))
    elif kind == "comparison" and query.thresholds and len(parts) == 2 and comparable(*(p.candidates[0].figure for p in parts)):
        # 「工伤比失业多出来的不到5000万人吧」 checks the gap (5200万), not which is larger
        verdict = _gap_verdict(query.thresholds[0], *(p.candidates[0].figure for p in parts), lexicon())
    elif kind == "comparison" and query.yes_no and len(parts) == 2 and comparable(*(p.candidates[0].figure for p in parts)):
        a, b = (p.candidates[0].figure for p in parts)
        holds = _larger(a, b, lexicon()) if query.compare == "more" else _larger(b, a, lexicon())
        if holds is not None:
            verdict = Verdict(Threshold(b.text, b.value or 0.0, normalize(b.unit), b.kind, ">" if query.compare == "more" else "<"), holds)
    reason = "；".join(f"关于“{p.query.text}”，{p.reason}" for p in missing)
    return Decision(kind, query, parts[0].hits, tuple(p.candidates[0] for p in answered), verdict=verdict,
                    confidence=min(p.confidence for p in answered) * (1.0 if not missing else 0.5),
                    reason=reason, parts=tuple(parts))


def share_interval(part: Figure, whole: Figure, lex: Lexicon | None = None) -> tuple[float, float] | None:
    """The percentages ``part`` can be of ``whole`` (both counts of one unit), from their intervals.

    >>> from hrss_qa.figures import extract_figures
    >>> a, b = extract_figures("開通76項服務,其中40項為跨省事項")[::-1]
    >>> [round(x, 1) for x in share_interval(a, b)]
    [52.6, 52.6]
    """
    lex = lex or lexicon()
    if not comparable(part, whole, lex) or part.kind == "percent" or not whole.value:
        return None
    a_low, a_high, _, _ = _interval(part, lex)
    b_low, b_high, _, _ = _interval(whole, lex)
    if b_low <= 0:
        return None
    return 100 * a_low / b_high, 100 * a_high / b_low


def _measures_what_it_names(part: Decision, lex: Lexicon | None = None) -> bool:
    """The part's figure is labelled with what the part names: its last telling word in Chinese
    (持卡人数 → 持卡人, 全国人口 → 人口, 一网通办的服务 → 一网通), a telling official term of its
    English words; words any label may hold (服务, 人数, 全国) or that name nothing (那些) tell nothing."""
    lex = lex or lexicon()
    generic = {*generic_label_words(lex), *lex.words("cues.ask_fillers")["zh"]}
    figure = part.candidates[0].figure
    label = normalize(figure.label)
    text = part.query.text
    # 「开通的76项服务」 names its count: a figure of that unit with another value is another thing
    if any(f.value != figure.value for f in stated_figures(part.query.key, lex)
           if f.value is not None and normalize(f.unit) == normalize(figure.unit)):
        return False
    if named := [w for w in words(text) if has_han(w) and w not in generic]:
        return named[-1] in label
    return any(term in label for term in expand(text).split() if term not in generic)


def _share_verdict(query: Query, part: Figure, whole: Figure) -> Verdict | None:
    """「A占B的一半以上吗」: the share's check, when both counts allow one answer."""
    share = share_interval(part, whole)
    # 「占了一半吗」 with 52.6%: a round share asked as equal is asked loosely; the share is said, no verdict.
    checks = [t for t in query.thresholds if t.kind == "percent" and t.relation != "="]
    if share is None or not checks:
        return None
    holds = _decide(checks[0], share[0], share[1], False, False, lexicon())
    return Verdict(checks[0], holds) if holds is not None else None


def sum_interval(figures: list[Figure], lex: Lexicon | None = None) -> tuple[float, float, bool, bool] | None:
    """The values figures of one unit can add up to (written qualifiers widen it), or None.

    >>> from hrss_qa.figures import extract_figures
    >>> sum_interval(extract_figures("修訂18個,新增12個"))[:2]
    (30.0, 30.0)
    """
    lex = lex or lexicon()
    if len(figures) < 2 or not all(comparable(figures[0], f, lex) for f in figures[1:]) or figures[0].kind == "percent":
        return None
    spans = [_interval(f, lex) for f in figures]
    return (sum(s[0] for s in spans), sum(s[1] for s in spans), any(s[2] for s in spans), any(s[3] for s in spans))


def _sum_verdict(query: Query, figures: list[Figure]) -> Verdict | None:
    """「加起来是不是30个」: the check of the figures' sum, when it allows one answer."""
    total = sum_interval(figures)
    checks = [t for t in query.thresholds if t.kind in ("quantity", "count")]
    if total is None or not checks:
        return None
    holds = _decide(checks[0], *total, lexicon())
    return Verdict(checks[0], holds) if holds is not None else None


def _ratio_verdict(query: Query, a: Figure, b: Figure) -> Verdict | None:
    """「A是B的两倍多吗」: the check of the multiple, when both figures are of one unit and allow one answer."""
    lex = lexicon()
    checks = [t for t in query.thresholds if t.kind == "ratio"]
    if not checks or not comparable(a, b, lex) or a.kind == "percent":
        return None
    return _quotient_verdict(checks[0], a, b, lex)


def _per_verdict(query: Query, total: Figure, count: Figure) -> Verdict | None:
    """「平均每家不到20人次吧」: the check of the average per unit (a number of the total's unit, or none)."""
    lex = lexicon()
    checks = [t for t in query.thresholds if t.kind in ("quantity", "count") and (
        not t.unit or comparable_units(t.unit, normalize(total.unit), lex))]
    if not checks or total.kind == "percent":
        return None
    return _quotient_verdict(checks[0], total, count, lex)


def _gap_verdict(checked: Threshold, a: Figure, b: Figure, lex: Lexicon) -> Verdict | None:
    """The check of the gap between a and b over every value their qualifiers allow (None: not decided,
    or a threshold of another unit)."""
    if checked.kind not in ("quantity", "count") or (checked.unit and not comparable_units(
            normalize(checked.unit), normalize(a.unit), lex)):
        return None
    a_low, a_high, open_a_low, open_a_high = _interval(a, lex)
    b_low, b_high, open_b_low, open_b_high = _interval(b, lex)
    low, high = a_low - b_high, a_high - b_low
    if low < 0 < high:
        return None   # which is larger is itself not decided
    if high <= 0:
        low, high = -high, -low
    holds = _decide(checked, low, high, open_a_low or open_b_high, open_a_high or open_b_low, lex)
    return Verdict(checked, holds) if holds is not None else None


def _quotient_verdict(checked: Threshold, a: Figure, b: Figure, lex: Lexicon) -> Verdict | None:
    """The check of a / b over every value the two figures' qualifiers allow (None: not decided)."""
    if not b.value:
        return None
    a_low, a_high, open_a_low, open_a_high = _interval(a, lex)
    b_low, b_high, open_b_low, open_b_high = _interval(b, lex)
    if b_low <= 0:
        return None
    holds = _decide(checked, a_low / b_high, a_high / b_low, open_a_low or open_b_high, open_a_high or open_b_low, lex)
    return Verdict(checked, holds) if holds is not None else None


def abstain(query: Query, hits, reason: str, problems: tuple[ScopeProblem, ...] = (), confidence: float = 0.0) -> Decision:
    return Decision("abstain", query, tuple(hits), reason=reason.rstrip("。"), problems=problems,
                    confidence=1.0 - confidence)


def explain(best: Candidate, model: AnswerModel) -> str:
    """Why the best figure is not good enough: its most negative explainable feature (a
    constraint it does not meet, or a ranking feature against it)."""
    parts = {**model.figure.contributions(best.features),
             **model.calibrator.contributions(ranking_summary([best.score], best.flags))}
    values = {**dict(zip(FEATURES, best.features)), **dict(zip(FIT_FLAGS, best.flags))}
    reasons = [(parts[name], name) for name in REASONS if name in parts and values.get(name)]
    if not reasons:
        return GENERIC_REASON
    weight, name = min(reasons)
    if weight >= 0:
        return GENERIC_REASON
    return _reason(name, best)


def _reason(name: str, best: Candidate) -> str:
    missing = best.missing[0] if best.missing else "问题所问的项目"
    return REASONS.get(name, GENERIC_REASON).format(label=best.figure.label, text=best.figure.text,
                                                    section=best.hit.section, missing=missing)


def check(thresholds: tuple[Threshold, ...], figure: Figure, lex: Lexicon | None = None) -> Verdict | None:
    """The verdict of the first threshold that can be compared with ``figure`` (None if none can).

    >>> from hrss_qa.figures import extract_figures
    >>> fig = extract_figures("發放職業培訓券超過261萬張")[0]
    >>> check((Threshold("260万", 2.6e6, "", "quantity", ">"),), fig).holds
    True
    >>> check((Threshold("262万", 2.62e6, "", "quantity", ">"),), fig).holds is None
    True
    """
    lex = lex or lexicon()
    for t in thresholds:
        if t.kind in ("date", "period"):
            if figure.kind in ("date", "period"):
                days = (is_day(t.text), is_day(figure.text))
                if any(days):   # days: as written, only against a day or the part of a month it falls in
                    same = normalize(t.text).replace("号", "日") == normalize(figure.text)
                    if all(days):
                        return Verdict(t, same)
                    return Verdict(t, day_in_part(*((figure.text, t.text) if days[1] else (t.text, figure.text)), lex))
                return Verdict(t, same_time(t.text, figure.text, lex))
            continue
        if figure.value is None or t.kind == "ordinal" and figure.kind != "ordinal":
            continue
        if t.kind == "percent" and figure.kind != "percent" or figure.kind == "percent" and t.kind != "percent":
            continue
        if t.unit and not comparable_units(t.unit, normalize(figure.unit), lex):
            continue
        low, high, open_low, open_high = _interval(figure, lex)
        if t.kind != "percent" and t.value and figure.value and max(
                t.value / figure.value, figure.value / t.value) > lex.words("units.checks.max_ratio"):
            return Verdict(t, None)   # (「累计结余有超过8吗」 of 7.75万亿: not the figure's magnitude)
        return Verdict(t, _decide(t, low, high, open_low, open_high, lex))
    return None


def _larger(a: Figure, b: Figure, lex: Lexicon) -> bool | None:
    """Whether ``a`` is larger than ``b`` for every value their qualifiers allow (超过47亿 > 31亿),
    not larger for any, or None when that depends on the values the qualifiers hide."""
    low_a, high_a, open_low_a, _ = _interval(a, lex)
    low_b, high_b, _, open_high_b = _interval(b, lex)
    if low_a > high_b or (low_a == high_b and (open_low_a or open_high_b)):
        return True
    return False if high_a <= low_b else None


def _interval(fig: Figure, lex: Lexicon) -> tuple[float, float, bool, bool]:
    """The values ``fig`` allows: [v, v] when exact; from ``units.qualifiers`` otherwise."""
    v = fig.value or 0.0
    table = lex.words("units.qualifiers")
    qualifier = normalize(fig.qualifier)
    for word, q in table.items():
        if word and word in qualifier:
            return v * q["low"], v * q["high"], bool(q.get("open_low")), bool(q.get("open_high"))
    return v, v, False, False


def _decide(t: Threshold, low: float, high: float, open_low: bool, open_high: bool, lex: Lexicon) -> bool | None:
    """True/False when the relation holds for every / no value in the interval; else None."""
    x = t.value
    if t.relation == "~":
        tol = float(lex.words("cues.relation.approx_tolerance")["share"]) * abs(x)
        if low >= x - tol and high <= x + tol:
            return True
        return False if high < x - tol or low > x + tol else None
    tests = {">": lambda v: v > x, ">=": lambda v: v >= x, "<": lambda v: v < x, "<=": lambda v: v <= x,
             "=": lambda v: v == x}
    test = tests[t.relation]
    if low == high:
        return test(low)
    lo_ok = test(low) if not open_low else test(low + abs(low) * 1e-9)
    hi_ok = test(high) if not open_high else test(high - abs(high) * 1e-9)
    if t.relation == "=":
        return False if not (low <= x <= high) else None
    if lo_ok and hi_ok:
        return True
    if not lo_ok and not hi_ok:
        return False
    return None


def hard_problems(query: Query, best: Candidate, coverage: dict[str, Coverage], lex: Lexicon) -> list[ScopeProblem]:
    """Constraints the best figure's evidence must meet whatever the model says."""
    problems = evidence_problems(query, best.hit.text, coverage.get(best.hit.doc_id), lex, best.sentence.text)
    groups = missing_groups(query, best.sentence.text, lex)
    problems += [ScopeProblem("group", g, f"发布会没有单独给出{g}的这个数字") for g in groups]
    problems += [ScopeProblem("scheme", s, f"发布会只给出了合计（{normalize(best.figure.text)}），没有单独给出{s}的这个数字")
                 for s in _schemes_in_a_total(query, best, lex)]
    return problems


def _schemes_in_a_total(query: Query, best: Candidate, lex: Lexicon) -> list[str]:
    """Schemes the question names (工伤保险) where the figure's clause gives a total over several
    (「三项社会保险基金总收入」) and does not name them: that total is not theirs."""
    # (the sentence up to the figure: 「三项社会保险基金总收入…、总支出…,3月底累计结余…」 opens with
    # the total's subject and its later clauses share it)
    sentence = best.sentence
    clause = normalize(sentence.text[:max(best.figure.start - sentence.start, 0)] + best.figure.text)
    if not any(w in clause for w in lex.words("scope.totals.words")):
        return []
    said = query.key if has_han(query.key) else expand(query.text)
    return outermost([t for t in lex.words("scope.totals.schemes")
                      if t in said and t not in clause and t not in query.borrowed])


def _said(lex: Lexicon, name: str, text: str) -> bool:
    words = lex.words(f"cues.unmet.{name}").get("stated", [])
    return bool(pattern([w for w in words if not w.isascii()], [w for w in words if w.isascii()]).search(text))


def informative_sentence(hit: Hit, model: AnswerModel | None = None, named: tuple[str, ...] = ()) -> Sentence:
    """The sentence to quote: the model's choice among the passage's sentences (else retrieval's
    best), among those speaking of ``named`` if any do (a follow-up's new subject: 「那退捕渔民呢」
    read with the words of the answer before); when that is only an item's heading
    (「二是促進青年就業。」), the heading and the sentence after it, which says what was done."""
    sentences, best = hit.sentences, hit.sentence
    if model is not None and model.sentence is not None and sentences:
        p = model.sentence.choice(sentence_features(hit))
        speaking = [i for i, s in enumerate(sentences) if any(t in normalize(s.text) for t in named)]
        best = sentences[max(speaking or range(len(sentences)), key=lambda i: p[i])]
    if best not in sentences or best == sentences[-1] or not is_heading(best.text):
        return best
    follow = sentences[sentences.index(best) + 1]
    return Sentence(best.text + follow.text, best.start, follow.end)


__all__ = ["rank", "decide_figure", "decide_passage", "combine", "abstain", "check", "explain", "clause_of", "fits_units"]
