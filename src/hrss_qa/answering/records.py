"""The small typed records the answer stages pass to each other (none of them is mutated).

``analyze`` makes a :class:`Query`; ``candidates`` makes :class:`Candidate` rows with feature
vectors; the ranker scores them; ``decide`` makes a :class:`Decision`; ``render`` turns it into
the public :class:`Answer` with its :class:`Citation` records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..chunking import Sentence
from ..figures import Figure
from ..retrieval import Hit
from ..text import Script

Relation = Literal[">", ">=", "<", "<=", "=", "~"]
Wants = Literal["figure", "date", "ordinal", "fact"]
Kind = Literal["figure", "comparison", "several", "passage", "abstain", "empty"]


@dataclass(frozen=True)
class Period:
    """A stretch of time a question or a briefing is about: a year and/or months of it.

    ``year`` None means "the document's own year" unless ``offset`` says how many years before
    or after it (去年 = −1); ``months`` None means the whole year or unspecified.  ``text`` is
    how it was said (二季度, 2022年, last year).
    """

    text: str
    year: int | None = None
    months: tuple[int, int] | None = None
    offset: int | None = None
    point: bool = False     # a point of the year (2022年底): a deadline when not before the document's year
    carried: bool = False   # not said in this turn: carried from the previous question of a conversation

    def year_for(self, doc_year: int | None) -> int | None:
        """The absolute year meant, given the year of the document it is asked of."""
        if self.year is not None:
            return self.year
        if self.offset is not None and doc_year is not None:
            return doc_year + self.offset
        return None


@dataclass(frozen=True)
class Threshold:
    """A number a yes/no question states and checks (「超过3亿了吗」 → ``>`` 300000000)."""

    text: str
    value: float
    unit: str       # Simplified; "" when the question gives none
    kind: str       # quantity / percent / count / date / period / ordinal (as in figures.py)
    relation: Relation


@dataclass(frozen=True)
class Query:
    """What a question asks, read from its words alone (see :func:`analyze`).

    ``text`` is the question as retrieval should see it (a follow-up already completed with
    the conversation); ``asked`` is what the user typed.
    """

    text: str
    key: str
    script: Script
    wants: Wants
    kinds: frozenset[str] = frozenset()
    units: frozenset[str] | None = None          # a unit named outright (多少張): only these answer
    topical_units: frozenset[str] = frozenset()  # units its words point to: a preference
    yes_no: bool = False
    thresholds: tuple[Threshold, ...] = ()
    stated_values: frozenset[float] = frozenset()  # numbers the question states (not its answer)
    compare: Literal["more", "less", "difference", "ratio", "share", "sum", "per"] | None = None
    several: bool = False
    parts: tuple["Query", ...] = ()
    asks: frozenset[str] = frozenset()           # measures a briefing often lacks: change, average, …
    groups: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    periods: tuple[Period, ...] = ()
    detail: int | None = None                    # index of the [[detail]] asked (how to apply, …)
    tense: Literal["plan", "progress"] | None = None
    overall: bool = False
    counted: tuple[str, ...] = ()                # 「多少X」: X and its glossary terms
    choice: bool = False                         # 「…还是…」: which, not whether
    asked: str = ""
    reading: str = ""                            # how a follow-up was read (shown to the user)
    context: str = ""                            # more words for retrieval only (an elliptical part's question)
    topic: str = ""                              # what it is about, without its ask (carried to a follow-up)
    anchor: tuple[str, ...] = ()                 # a follow-up's carried subject: the previous answer's passage
                                                 # id, and its figure as "doc_id@start"
    swapped_in: tuple[str, ...] = ()             # a follow-up's new subject (电子社保卡 for 社保卡): figures
                                                 # labelled with it answer, when any is
    borrowed: frozenset[str] = frozenset()       # words a subject swap kept from the earlier question
                                                 # (持卡人数 for 电子社保卡): no evidence need state them
    given: tuple[str, ...] = ()                  # figures the previous answer gave ("doc_id@start"): a
                                                 # follow-up asking something new is not answered by them
    settled: bool = False                        # a side an earlier answer gave: its anchored figure
    named_anew: bool = False                     # a follow-up naming its thing in words the vocabulary lacks
                                                 # (「手机里的那种卡呢」): its answer's figure says what it was about
                                                 # answers it (the answer was decided when it was given)

    @property
    def is_figure(self) -> bool:
        return self.wants != "fact"

    @property
    def figure_kinds(self) -> frozenset[str]:
        """The kinds of figure that can answer it (none when it asks a fact)."""
        return self.kinds if self.is_figure else frozenset()


@dataclass(frozen=True)
class Candidate:
    """A figure that could answer a query, with where it is and its feature values."""

    figure: Figure
    hit: Hit
    sentence: Sentence
    features: tuple[float, ...]            # the ranker's inputs (features.FEATURES)
    score: float = 0.0   # the ranker's probability that this figure is the answer
    flags: tuple[float, ...] = ()          # ways it may not fit the question (features.FIT_FLAGS)
    missing: tuple[str, ...] = ()          # words of the question its evidence does not state


@dataclass(frozen=True)
class Verdict:
    """A yes/no reading of a threshold against a figure; ``holds`` None = undecided."""

    threshold: Threshold
    holds: bool | None


@dataclass(frozen=True)
class Decision:
    """What to answer, before it is written: the kind, the evidence and how sure we are."""

    kind: Kind
    query: Query
    hits: tuple[Hit, ...] = ()
    candidates: tuple[Candidate, ...] = ()   # the chosen figure(s), in the order asked
    sentence: Sentence | None = None         # a passage answer's quoted sentence
    verdict: Verdict | None = None
    confidence: float = 0.0
    reason: str = ""                         # why it abstains, or what part is missing
    parts: tuple["Decision", ...] = ()       # a comparison's or double ask's sub-decisions
    problems: tuple = ()
    notice: str = ""
    period: str = ""                         # the cited briefing's period, when the corpus holds several
    premise: Candidate | None = None         # a false premise's number is this other figure (97% of 社保卡)


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

    ``text`` is in the asker's script and ends with citation markers ``[1]``; ``figures`` are
    the answering figures first (in the order the question asks them); ``abstained`` is True
    when the briefing does not answer — then ``citations`` are only *related* passages and
    ``reason`` says what is missing.  ``verdict`` is "yes"/"no" for a checked yes/no question,
    "" otherwise; ``confidence`` is the calibrated probability that the answer is right.
    ``quoted`` are figures the text also states to say whose figure it is (持卡人數13.7億人 before
    覆蓋97%人口); they answer nothing.
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
    problems: tuple = field(default=(), repr=False)
    verdict: str = ""
    confidence: float = 0.0
    reading: str = ""
    about: tuple[str, ...] = ()     # labels of the answering figures (what the answer is about)
    topic: str = ""                 # what the question was about, without its ask (for a follow-up)
    quoted: tuple[Figure, ...] = field(default=(), repr=False)   # other figures the text quotes (whose figure it is)

    def to_dict(self) -> dict:
        return {
            "question": self.question, "text": self.text, "abstained": self.abstained, "kind": self.kind,
            "script": self.script, "reason": self.reason, "notice": self.notice, "verdict": self.verdict,
            "confidence": round(self.confidence, 4), "reading": self.reading, "about": list(self.about),
            "topic": self.topic,
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
            "quoted": [f.text for f in self.quoted],
        }


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation: what was asked and what was answered."""

    question: str
    answer: Answer | None = None
