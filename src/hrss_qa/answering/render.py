"""Stage 5 — ``render``: a :class:`Decision` as the cited :class:`Answer` in the asker's script.

Nothing here chooses or computes a number: every figure stated is the source's own text,
quoted with the clause it stands in, and every statement carries the marker of its citation.
"""

from __future__ import annotations

import re

from ..cards import clause_of
from ..chunking import Sentence
from ..figures import Figure
from ..language import Lexicon, lexicon
from ..retrieval import Hit
from ..text import Script, has_han, normalize, to_script
from .confidence import without_marker
from .numbers import comparable
from .records import Answer, Candidate, Citation, Decision, Query

_GENERIC_LABEL_CHARS = 5   # a label this short (累計訪問量) needs its sentence to say whose figure it is
_MAX_CITATIONS = 3


def render(decision: Decision, lex: Lexicon | None = None) -> Answer:
    """The answer text, citations and figures for ``decision``."""
    lex = lex or lexicon()
    q = decision.query
    if decision.kind == "empty":
        return _answer(decision, _say("请输入一个关于发布会内容的问题。", q.script), (), (), abstained=True)
    if decision.kind == "abstain":
        return _abstention(decision)
    cited = _Citations(decision.hits)
    if decision.kind == "passage":
        n = cited.number(decision.hits[0], decision.sentence)
        statement = without_marker(decision.sentence.text).rstrip("。")
        text = (f"The briefing says: “{decision.sentence.text}” [{n}]" if q.script == "en"
                else _say(f"根据发布会，{statement}。", q.script) + f"[{n}]")
        figures = _sentence_figures(decision.hits[0], decision.sentence, q)
        return _answer(decision, text, cited.all(), figures)
    statements = [(_statement(c), c, cited.number(c.hit, c.sentence)) for c in decision.candidates]
    figures = tuple(c.figure for c in decision.candidates)
    # figures the statements quote for whose figure it is (持卡人數13.7億人 before 覆蓋97%人口) are stated too
    quoted = [f for s, c, _ in statements for f in c.hit.figures
              if f.kind not in ("date", "period") and f.start < c.figure.start and f.start >= c.sentence.start
              and f.text in s and f not in figures]
    if decision.kind == "comparison" and q.compare not in ("share", "sum") and (win := _winner(decision)) is not None:
        figures = (win, *(f for f in figures if f is not win))   # the answer to 「哪个多」 first
    lead = _verdict_lead(decision, lex)
    if q.script == "en" and len(statements) == 1:
        s1, c, n = statements[0]
        text = f"{lead}The briefing states: {s1} — that is {c.figure.display_value}. [{n}]"
    elif q.script == "en":
        body = "; ".join(f"{s} — that is {c.figure.display_value} [{n}]" for s, c, n in statements)
        text = f"{lead}The briefing states: {body}."
    elif len(statements) == 1:   # 「…2.37亿人。[1]」: the marker after the sentence it cites
        s1, _, n = statements[0]
        text = f"{_say(lead + s1, q.script)}。[{n}]"
    else:
        body = "；".join(_say(s, q.script) + f"[{n}]" for s, _, n in statements)
        text = f"{_say(lead, q.script)}{body}。"
    if decision.kind in ("comparison", "several"):
        text += _comparison_tail(decision)
    if (p := decision.premise) is not None:   # whose number the false premise was
        n = cited.number(p.hit, p.sentence)
        text += (f" ({p.figure.text} is the figure for {p.figure.label} [{n}].)" if q.script == "en"
                 else _say(f"（{p.figure.text}是“{p.figure.label}”的数字", q.script) + f"[{n}]。）")
        quoted.append(p.figure)
    return _answer(decision, text, cited.all(), figures, quoted=tuple(dict.fromkeys(quoted)))


class _Citations:
    """Numbers citations in order of use; related passages follow, up to three in all."""

    def __init__(self, hits: tuple[Hit, ...]):
        self.hits = hits
        self.used: list[Citation] = []

    def number(self, hit: Hit, sentence: Sentence) -> int:
        for c in self.used:
            if c.hit.passage_id == hit.passage_id and c.start == sentence.start:
                return c.number
        self.used.append(Citation(len(self.used) + 1, hit, sentence.text, sentence.start, sentence.end))
        return len(self.used)

    def all(self) -> tuple[Citation, ...]:
        out = list(self.used)
        seen = {c.hit.passage_id for c in out}
        for hit in self.hits:
            if len(out) >= max(_MAX_CITATIONS, len(self.used)):
                break
            if hit.passage_id not in seen:
                seen.add(hit.passage_id)
                out.append(Citation(len(out) + 1, hit, hit.sentence.text, hit.sentence.start, hit.sentence.end))
        return tuple(out)


def _abstention(decision: Decision) -> Answer:
    q, reason = decision.query, decision.reason
    if q.script == "en":
        text = f"The briefing does not answer this ({reason}). The closest passages are shown for reference only."
    else:
        text = _say(f"发布会没有回答这个问题：{reason}。以下是最相关的段落，仅供参考。", q.script)
    citations = tuple(Citation(i, h, h.sentence.text, h.sentence.start, h.sentence.end)
                      for i, h in enumerate(decision.hits[:_MAX_CITATIONS], start=1))
    return _answer(decision, text, citations, (), abstained=True)


def _answer(decision: Decision, text: str, citations, figures, abstained: bool = False, quoted=()) -> Answer:
    q = decision.query
    if decision.period and not abstained:
        text = (f"[{decision.period}] " if q.script == "en" else _say(f"（{decision.period}）", q.script)) + text
    verdict = ""
    if decision.verdict is not None and decision.verdict.holds is not None and not abstained:
        verdict = "yes" if decision.verdict.holds else "no"
    return Answer(
        question=q.text, text=text, citations=tuple(citations), figures=tuple(figures), abstained=abstained,
        kind=decision.kind, script=q.script, reason=decision.reason if abstained else "", notice=decision.notice,
        problems=decision.problems, verdict=verdict, confidence=round(float(decision.confidence), 4),
        reading=q.reading, about=tuple(f.label for f in figures), topic=_topic(q, figures), quoted=quoted,
    )


def _topic(q: Query, figures) -> str:
    """What the answer was about, carried to a follow-up: the query's topic, or the one figure found when
    the follow-up named its thing in words the vocabulary lacks."""
    return normalize(figures[0].label) if q.named_anew and len(figures) == 1 else q.topic


def _verdict_lead(decision: Decision, lex: Lexicon) -> str:
    v = decision.verdict
    if v is None or v.holds is None:
        return ""
    if decision.query.script == "en":
        return "Yes. " if v.holds else "No. "
    if v.holds:
        return "是的。"
    return "没有。" if lex.cue("negative_reply")(decision.query.key) and v.threshold.relation != "=" else "不是。"


def _winner(decision: Decision) -> Figure | None:
    """The figure a comparison asks for (the largest, or the smallest for 「哪个少」), if the
    figures are comparable and not all equal."""
    figures = [c.figure for c in decision.candidates]
    if len(figures) < 2 or not all(comparable(figures[0], f) for f in figures[1:]):
        return None
    if len({f.value for f in figures}) == 1:
        return None
    pick = min if decision.query.compare == "less" else max
    return pick(figures, key=lambda f: f.value)


def _asked_name(text: str) -> str:
    """A part of a comparison as the user named it, without asking words (个人养老金参加人数)."""
    return re.sub(r"(是)?(多少|几[个项家场张人]?|有多少|呢|吗)|[?？。，,\s]", "", text) or text


def _pieced(query) -> bool:
    """Whether a side an earlier answer gave was read by piecing a follow-up onto the question before
    it (「它的地方服务有多少项 电子社保卡开通了 全国服务」): no name to say back to the user."""
    return bool(query.anchor) and has_han(query.text) and bool(re.search(r"\S\s+\S", query.text.strip()))


def _part_name(part: Decision) -> str:
    """A comparison part as named: as asked, or by its figure's label when its reading was pieced."""
    if _pieced(part.query) and part.candidates:
        return normalize(part.candidates[0].figure.label)
    return _asked_name(part.query.text)


def _comparison_tail(decision: Decision) -> str:
    q = decision.query
    en = q.script == "en"
    tail = ""
    figures = [c.figure for c in decision.candidates]
    if decision.kind == "comparison" and len(figures) >= 2:
        winner = _winner(decision)
        smaller_wins = q.compare == "less"
        if q.compare == "share" and len(figures) == 2:
            tail = _share_tail(figures[0], figures[1], q.script)
        elif q.compare == "sum":
            tail = _total_tail(figures, q.script)
        elif winner is None and len({f.value for f in figures}) == 1:
            tail = " They are the same." if en else _say("两者相同。", q.script)
        elif q.compare == "per" and len(figures) == 2 and figures[1].value:
            tail = _per_tail(figures[0], figures[1], q.script)
        elif q.compare == "ratio" and len(figures) == 2 and _winner(decision) is not None and figures[1].value:
            times = figures[0].value / figures[1].value
            tail = (f" The first is about {times:.2g} times the second." if en
                    else _say(f"前者约为后者的{times:.2g}倍。", q.script))
        elif winner is None:
            units = " / ".join(f.unit or "—" for f in figures)
            tail = (f" They are in different units ({units}) and cannot be compared directly." if en
                    else _say(f"单位不同（{units}），不能直接比较。", q.script))
        else:
            others = [f for f in figures if f is not winner]
            name = _distinct(winner.label, others[0].label) if len(others) == 1 else winner.label
            asked = [p.query for p in decision.parts if p.candidates and p.candidates[0].figure is winner]
            alike = all(normalize(f.label) == normalize(winner.label) for f in others)   # one measure of two things
            if asked and _pieced(asked[0]):
                pass   # a side an earlier answer gave, read by piecing words together: the label names it
            elif asked and has_han(asked[0].text) and (alike or len({c.hit.passage_id for c in decision.candidates}) > 1):
                name = _asked_name(asked[0].text)   # parts from different passages: say it as asked
                if alike:   # one measure of several things: the thing (without the measure words all share)
                    name = _without_shared_ending(name, [_part_name(p) for p in decision.parts])
            elif alike:
                first = figures.index(winner) == 0
                name = ("The first" if first else "The second") if en else ("前者" if first else "后者")
            degree = "更" if len(figures) == 2 else "最"
            gap = _gap(figures, en) if q.compare == "difference" and len(figures) == 2 else ""
            if en:
                tail = f" {name} is {'smaller' if smaller_wins else 'larger'}" + (f", by {gap}." if gap else ".")
            else:
                adjective = ("低" if smaller_wins else "高") if winner.kind == "percent" else ("少" if smaller_wins else "多")
                tail = _say(f"{name}{degree}{adjective}" + (f"，相差{gap}。" if gap else "。"), q.script)
    if decision.reason:
        tail += (f" The briefing does not give the rest ({decision.reason})." if en
                 else _say(f"另外，{decision.reason}。", q.script))
    return tail


def _gap(figures: list[Figure], en: bool) -> str:
    """How far apart two comparable figures are, in base units (「差多少」); 约 when either is
    written with a qualifier (超过, 近), whose true value is not the written one."""
    a, b = figures
    if a.value is None or b.value is None:
        return ""
    gap = abs(a.value - b.value)
    if a.kind == "percent":
        return f"{gap:.4g} percentage points" if en else f"{gap:.4g}个百分点"
    if en:
        return (f"about {gap:,.0f} {a.unit}" if a.qualifier or b.qualifier else f"{gap:,.0f} {a.unit}").rstrip()
    # In the briefing's own magnitudes: 822.8万, 3400亿元.
    return f"{'约' if a.qualifier or b.qualifier else ''}{_in_magnitudes(gap)}{a.unit}"


def _total_tail(figures: list[Figure], script: Script) -> str:
    """「两者合计30个。」 in the briefing's magnitudes (约 when a figure is written with a qualifier), or
    why there is no total (units that differ)."""
    from .decide import sum_interval

    en = script == "en"
    total = sum_interval(figures)
    if total is None:
        units = " / ".join(f.unit or "—" for f in figures)
        return (f" They are in different units ({units}) and cannot be added." if en
                else _say(f"单位不同（{units}），不能相加。", script))
    about = any(f.qualifier for f in figures)
    unit = figures[0].unit
    if en:
        return f" Together: {'about ' if about else ''}{total[0]:,.0f} {unit}.".replace(" .", ".")
    return _say(f"合计{'约' if about else ''}{_in_magnitudes(total[0])}{unit}。", script)


def _in_magnitudes(value: float) -> str:
    """A value in the briefing's own magnitudes: 822.8万, 3400亿, 30."""
    scale = next(((d, w) for d, w in ((1e8, "亿"), (1e4, "万")) if value >= d), (1, ""))
    return f"{value / scale[0]:.4g}{scale[1]}"


def _per_tail(total: Figure, count: Figure, script: Script) -> str:
    """「平均每家约15.3人次」: the total over the count, in the total's unit per the count's."""
    per = total.value / count.value
    said = f"{per:.0f}" if per >= 100 else f"{per:.3g}"
    unit, each = normalize(total.unit), normalize(count.unit)
    if script == "en":
        return f" That is about {said} {unit} per {each} on average (computed, not stated in the briefing)."
    return _say(f"平均每{each}约{said}{unit}（据此计算，发布会未直接给出）。", script)


def _share_tail(part: Figure, whole: Figure, script: Script) -> str:
    """「前者约占后者的52.6%」, or why no share can be given (units that differ)."""
    from .decide import share_interval

    share = share_interval(part, whole)
    en = script == "en"
    if share is None:
        units = f"{part.unit or '—'} / {whole.unit or '—'}"
        return (f" They are in different units ({units}), so no share can be computed." if en
                else _say(f"单位不同（{units}），不能算出比例。", script))
    low, high = share
    amount = f"{low:.1f}%" if abs(high - low) < 0.05 else f"{low:.1f}%–{high:.1f}%"
    return (f" The first is about {amount} of the second." if en
            else _say(f"前者约占后者的{amount}。", script))


def _statement(c: Candidate) -> str:
    """A short statement of the figure in the source's own words.

    The figure's clause is quoted when it states that figure alone; inside a list (分別為…)
    the statement is rebuilt as ``<time>，<label>為<figure>``.
    """
    fig, sentence = c.figure, c.sentence
    own = clause_of(sentence, fig)
    clause = without_marker(own)
    shares_clause = any(
        f.start != fig.start and f.kind not in ("date", "period") and sentence.start <= f.start < sentence.end
        and clause_of(sentence, f) == own for f in c.hit.figures)
    if fig.kind in ("date", "period"):
        # (「3月份全國城鎮調查失業率為5.3%」: a clause dating a figure says both)
        if shares_clause:
            return clause
        return f"{fig.label}：{fig.text}" if fig.label else without_marker(sentence.text).rstrip("。")
    if not shares_clause:
        if len(fig.label) <= _GENERIC_LABEL_CHARS and not sentence.text.startswith(own):
            upto = sentence.text.find(own) + len(own)   # 「累計訪問量31億次」 alone does not say whose
            return without_marker(sentence.text[:upto])
        if (named := _naming_clauses(sentence.text, own, fig.label)) is not None:
            return f"{_time_lead(sentence.text)}{named}"   # 「覆蓋97%人口」 says whose with the clause before
        lead = _time_lead(sentence.text) if not re.search(r"\d+月|季度|年", clause) else ""
        return f"{lead}{clause}"
    return f"{_time_lead(sentence.text)}{fig.label}為{fig.text}"


def _naming_clauses(sentence: str, own: str, label: str) -> str | None:
    """The figure's clause with the clauses before it back to the one naming its subject (the
    label's head), when its own clause does not name it; None when it does or none does."""
    head = label[:2]
    at = sentence.find(own)
    if not head or head in own or at <= 0:
        return None
    before = re.split(r"(?<=[,，;；])", sentence[:at])
    for k in range(len(before) - 1, -1, -1):
        if head in before[k]:
            return without_marker("".join(before[k:]) + own)
    return None


def _time_lead(sentence: str) -> str:
    """The sentence's leading time phrase (截至3月底, / 1-3月 / 一季度), with a comma."""
    m = re.match(r"^(截至[^,，]{1,8}|[\d\-]+月份?|[一二三四]季度)[,，]?", without_marker(sentence))
    return f"{m.group(1)}，" if m else ""


def _without_shared_ending(name: str, names: list[str]) -> str:
    """``name`` without the ending all ``names`` share (「…平台累计被访问了次」 → 「…平台」)."""
    k = 0
    # (up to a whole name: 「累计访问量」 of an earlier answer is all ending)
    while k < min(map(len, names)) and len({n[len(n) - k - 1] for n in names}) == 1:
        k += 1
    return name[:len(name) - k].rstrip("的之") or name if k and len(names) > 1 else name


def _distinct(label: str, other: str) -> str:
    """What tells ``label`` from ``other`` (社會保險基金總收入 vs …總支出 → 總收入)."""
    i = 0
    while i < min(len(label), len(other)) - 1 and label[i] == other[i]:
        i += 1
    return label[i:] or label


def _sentence_figures(hit: Hit, sentence: Sentence, q) -> tuple[Figure, ...]:
    """The figures of a quoted sentence: measures before the time they refer to; an asked unit first."""
    figures = [f for f in hit.figures if sentence.start <= f.start < sentence.end]
    units = q.units or q.topical_units
    return tuple(sorted(figures, key=lambda f: (f.kind in ("date", "period"),
                                                (normalize(f.unit) if f.kind != "percent" else "%") not in units)))


def _say(text: str, script: Script) -> str:
    return to_script(text, script)
