"""What a corpus cannot answer: periods it does not cover, places and topics it never names.

Periods come from the documents, not from code: each briefing's coverage is read from its
metadata (``event``/``title``, e.g. 2023年一季度新聞發布會) with the same period reader that
reads questions, and its year from its date.  A question about a period no briefing covers is
declined with the periods the corpus does cover.

>>> from hrss_qa.corpus import Document
>>> doc = Document("q1", "…", title="2023年一季度新聞發布會", date="2023-04-24")
>>> cov = coverage_of(doc)
>>> cov.year, cov.months, cov.label
(2023, (1, 3), '2023年一季度')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..corpus import Document
from ..language import Lexicon, lexicon
from ..text import normalize
from .analyze import periods_in
from .records import Period, Query


@dataclass(frozen=True)
class ScopeProblem:
    """A constraint of the question that the corpus or the evidence does not meet."""

    kind: str        # period / place / topic / group / off_topic
    term: str
    message: str


@dataclass(frozen=True)
class Coverage:
    """The stretch of time one briefing reports on."""

    doc_id: str
    year: int | None
    months: tuple[int, int] | None
    label: str       # how to say it: 2023年一季度
    date: str = ""

    def covers(self, period: Period, doc_year: int | None = None) -> bool:
        """Whether a question's period (quarter, half, month; its year) falls inside this coverage."""
        year = period.year_for(self.year)
        if year is not None and self.year is not None and year != self.year:
            return False
        if period.months is None:
            return True
        if self.months is None:
            return False
        return self.months[0] <= period.months[0] and period.months[1] <= self.months[1]


def coverage_of(doc: Document, lex: Lexicon | None = None) -> Coverage:
    """A briefing's coverage from its metadata: the period its event/title names, its year."""
    lex = lex or lexicon()
    heading = normalize(" ".join(x for x in (doc.event, doc.title) if x))
    found = periods_in(heading, lex)
    year = next((p.year for p in found if p.year), None)
    if year is None and doc.date[:4].isdigit():
        year = int(doc.date[:4])
    span = next((p for p in found if p.months), None)
    label = f"{year or ''}年{span.text}" if span else (f"{year}年" if year else doc.doc_id)
    return Coverage(doc.doc_id, year, span.months if span else None, _source_form(label, doc), doc.date)


def _source_form(label: str, doc: Document) -> str:
    """The label as the document writes it (the briefing's own characters)."""
    return label


def query_problems(query: Query, coverages: list[Coverage], corpus_key: str, lex: Lexicon | None = None) -> list[ScopeProblem]:
    """Problems no passage can fix: a period no briefing covers, a place or topic the corpus never names."""
    out = []
    labels = "、".join(dict.fromkeys(c.label for c in coverages)) or "其他时期"
    for period in query.periods:
        if period.point and period.year and any(period.year >= (c.year or 0) for c in coverages):
            continue   # 「延续到2025年底」: a deadline, not a period reported on
        if period.months is not None and period.months[0] != period.months[1] \
                and not any(c.covers(period) for c in coverages):
            out.append(ScopeProblem("period", period.text, f"发布会只介绍了{labels}的情况，没有“{period.text}”的数据"))
        elif period.months is None and period.year \
                and not any(c.year == period.year for c in coverages) and period.year + 1 not in {c.year for c in coverages}:
            out.append(ScopeProblem("period", period.text, f"发布会介绍的是{labels}，没有{period.text}的相应内容"))
    for place in query.places:
        if place not in corpus_key:
            out.append(ScopeProblem("place", place, f"发布会给出的是全国情况，没有专门介绍{place}的数据"))
    if not query.yes_no and (count := unstated_count(query.key, corpus_key, lex)):
        out.append(ScopeProblem("count", count, f"发布会没有提到“{count}”"))
    for topic in query.topics:
        if normalize(topic) not in corpus_key:
            out.append(ScopeProblem("topic", topic, f"发布会没有涉及“{topic}”"))
    return out


def unstated_count(key: str, corpus_key: str, lex: Lexicon | None = None) -> str:
    """「36个大城市」 of 「36个大城市的失业率是多少」 when the corpus never says 36个, else "".

    >>> unstated_count("全国36个大城市的失业率是多少", "3月份全國城鎮調查失業率為5.3%")
    '36个大城市'
    """
    lex = lex or lexicon()
    classifiers = "".join(lex.words("units.restricting.classifiers"))
    for m in re.finditer(rf"(?<![\d.\-])(\d+)\s*([{classifiers}])", key):
        if m.group(0) not in corpus_key:
            return key[m.start():m.end() + 3].rstrip("的之，,？?")
    return ""


def evidence_problems(query: Query, evidence: str, coverage: Coverage | None, lex: Lexicon | None = None,
                      sentence: str | None = None) -> list[ScopeProblem]:
    """Problems of one piece of evidence: a place, year or month the question names that it does
    not state, or a figure of the year before where the question asks about the briefing's period.

    ``sentence`` is the figure's own sentence when known: whether the figure is of the year before
    is read there (a passage may give 截至3月底 and 截至去年底 figures side by side).
    """
    lex = lex or lexicon()
    ev = normalize(evidence)
    out = []
    for place in query.places:
        if place not in ev:
            out.append(ScopeProblem("place", place, f"发布会给出的是全国情况，没有专门介绍{place}的数据"))
    previous = lex.words("scope.periods.words.previous_year_words")
    about_previous = any(w in normalize(sentence if sentence is not None else evidence) for w in previous)
    doc_year = coverage.year if coverage else None
    for period in query.periods:
        year = period.year_for(doc_year)
        if period.point and year is not None and doc_year and year >= doc_year:
            continue   # a deadline: the evidence states it or not, the verdict says which
        if year is not None and doc_year and year != doc_year and not (str(year) in ev or (year == doc_year - 1 and about_previous)):
            out.append(ScopeProblem("period", period.text, f"所引段落没有{period.text}的数字"))
        if period.months and period.months[0] == period.months[1] and not period.carried and not re.search(rf"(?<![\d\-]){period.months[0]}月", ev):
            out.append(ScopeProblem("period", period.text, f"所引段落没有{period.months[0]}月的数据"))
    # (a period carried from the previous question is no constraint the user put on this turn's subject:
    # 「职业年金的呢」 after a 截至3月底 figure is answered with its own date)
    names_own_period = any(coverage is not None and coverage.covers(p) and (p.months or p.offset == 0)
                           for p in query.periods if not p.carried)
    if about_previous and names_own_period and not any(w in query.key for w in previous):
        out.append(ScopeProblem("period", previous[0], "所引数字截至去年底，发布会没有给出这一时期的相应数字"))
    return out


def off_topic(query: Query, corpus_key: str, best_dense: float, has_glossary_terms: bool,
              english_floor: float = 0.87) -> ScopeProblem | None:
    """A problem when the question shares no subject word with the corpus.

    Chinese: no Han bigram of the question (fillers aside) occurs in the corpus.  English: no
    glossary term is triggered and dense similarity is below ``english_floor``.
    """
    if has_glossary_terms:
        return None
    if re.search(r"[\u3400-\u9fff]", query.key):
        bigrams = {run[i:i + 2] for run in re.findall(r"[\u3400-\u9fff]+", query.key) for i in range(len(run) - 1)}
        if any(b in corpus_key for b in bigrams - _FILLER_BIGRAMS):
            return None
    elif best_dense >= english_floor:
        return None
    return ScopeProblem("off_topic", query.text[:20], "这个问题与发布会的内容无关")


# Question words that say nothing about the subject: they cannot anchor a question to the text.
_FILLER_BIGRAMS = set("多少 什么 怎么 怎样 如何 哪些 哪个 是否 有没 没有 现在 目前 请问 一下 可以 能不 不能 今年 吗呢".split())
