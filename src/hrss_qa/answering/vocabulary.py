"""The words a follow-up can name, and what they are: subjects (电子社保卡) or measures (人数, 访问量).

Built from the corpus's figure labels (see :func:`hrss_qa.answering.pipeline._vocabulary`); used by
:mod:`.swaps` and :mod:`.conversation` to tell what a fragment names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..glossary import glossary_terms, official_terms
from ..text import has_han


@dataclass(frozen=True)
class Vocabulary:
    """The words a follow-up can name: official terms and the words of the corpus's figure labels;
    which of them the briefing measures side by side (in one passage); and which are measures
    (the last word of a label: 人数, 岗位, 总支出, 访问量) rather than what is measured."""

    terms: frozenset[str] = frozenset()
    siblings: dict = field(default_factory=dict)   # term -> terms of figures in the same passages
    measures: frozenset[str] = frozenset()
    passages: tuple[str, ...] = ()                 # normalized passage texts

    def pins(self, terms: list[str]) -> bool:
        """Whether these terms name one passage (电子社保卡, 减负) rather than something several
        passages measure (访问量, 持续): then they carry their own subject."""
        if not terms or not self.passages:
            return bool(terms)
        # A named thing is spoken of in its progress item and perhaps its plan: two passages at most.
        places = [{i for i, text in enumerate(self.passages) if t in text} for t in terms]
        return any(0 < len(p) <= 2 for p in places) or 0 < len(set.intersection(*places)) <= 2

    @classmethod
    def of(cls, passage_labels: list[list[tuple[list[str], bool]]], passages: list[str] = ()) -> "Vocabulary":
        """From the label words of each figure, grouped by passage, each with whether the figure
        measures an amount (an ordinal's label names an event, 第二屆…大賽; see pipeline._vocabulary)."""
        terms = set(official_terms(2))
        siblings: dict[str, set[str]] = {}
        measures: set[str] = set()
        for labelled in passage_labels:
            words = [w for label, _ in labelled for w in label]
            terms.update(words)
            measures.update(label[-1] for label, amount in labelled if label and amount)
            for w in words:
                siblings.setdefault(w, set()).update(x for x in words if x != w)
        return cls(frozenset(t for t in terms if len(t) >= 2), {k: frozenset(v) for k, v in siblings.items()},
                   frozenset(m for m in measures if len(m) >= 2), tuple(passages))


def terms_in(text: str, vocabulary: Vocabulary) -> list[str]:
    """Vocabulary terms in ``text``, longest first, none inside a longer one found; a partial
    term (工伤 for 工伤保险) counts as the term."""
    found = sorted((t for t in vocabulary.terms if t in text), key=len, reverse=True)
    kept = [t for i, t in enumerate(found) if not any(t in o for o in found[:i])]
    if not kept and has_han(text) and len(text) >= 2:
        kept = sorted((t for t in vocabulary.terms if text in t), key=len)[:1]
    return sorted(kept, key=lambda t: text.find(t))   # in the order the text says them


def is_measure(term: str, vocabulary: Vocabulary) -> bool:
    return term in vocabulary.measures or any(term in m and len(term) >= 2 for m in vocabulary.measures)


def subject_terms(fragment: str, vocabulary: Vocabulary) -> list[str]:
    """The vocabulary terms a fragment names (official terms of its English phrases)."""
    if has_han(fragment):
        return terms_in(fragment, vocabulary)
    return [t for g in glossary_terms(fragment) for t in g.official]


def measures_named(text: str, vocabulary: Vocabulary, lex) -> list[str]:
    """The measures ``text`` names in words (访问量, 发放量), not units (人次, 项)."""
    units = {u for g in lex.words("units.comparable.groups") for u in g}
    return [t for t in subject_terms(text, vocabulary) if is_measure(t, vocabulary) and t not in units]


def names_no_measure(fragment: str, vocabulary: Vocabulary) -> bool:
    """Only a subject (电子社保卡, "the other platform"), no measure of its own (支出, 访问量)."""
    terms = subject_terms(fragment, vocabulary)
    return bool(terms) and not any(is_measure(t, vocabulary) for t in terms)


def names_a_subject(fragment: str, vocabulary: Vocabulary) -> bool:
    """Terms that pin down what is asked about: a thing one passage speaks of (not only a measure
    such as 访问量 or "visits", which several passages give)."""
    if not has_han(fragment):
        named = [t for g in glossary_terms(fragment) for t in g.official]
    else:
        named = terms_in(fragment, vocabulary)
    terms = [t for t in named if not is_measure(t, vocabulary)]
    return vocabulary.pins(terms)


def outermost(terms: list[str]) -> list[str]:
    """``terms`` without those inside a longer one of them (失业保险 drops 失业 and 保险).

    >>> outermost(["失业", "失业保险", "基金"])
    ['失业保险', '基金']
    """
    return [t for t in terms if not any(t != o and t in o for o in terms)]
