"""The parts of a comparison or double ask, each decided on its own, then settled together.

A figure answers one part only (「收入比支出多多少」 must not compare 收入 with itself); several asks
are taken in the order asked; the sides of a comparison get their figures jointly.  :class:`Sides`
needs only the pipeline's ``decide`` (one part, the figures other parts hold) and the vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from ..language import Lexicon
from ..text import normalize
from .analyze import kindred_units
from .records import Decision, Query
from .vocabulary import Vocabulary, measures_named

DecidePart = Callable[[Query, "frozenset[str] | None", "frozenset[tuple[str, int]] | None"], Decision]


@dataclass(frozen=True)
class Sides:
    """Decides the parts of one question with ``decide_part`` (the pipeline's ``Answerer.decide``)."""

    decide_part: DecidePart
    vocabulary: Vocabulary
    lex: Lexicon

    def decide(self, parts: tuple[Query, ...], docs: frozenset[str] | None, compared: bool = False) -> list[Decision]:
        """Each part's decision.  When two sides of a comparison want the same figure, it goes to the side
        that loses more without it: 「社保卡覆盖率跟电子社保卡覆盖率差多少」 gives 54.1% to 电子社保卡
        even though 社保卡's side, asked first, also ranks it first."""
        if not compared:   # several asks: in the order asked, each taking what the earlier left
            decisions: list[Decision] = []
            for part in parts:
                decisions.append(self.decide_part(part, docs, held(decisions, but=len(decisions))))
            return decisions
        decisions = [self.decide_part(part, docs, frozenset()) for part in parts]
        decisions = self._measured_alike(parts, decisions, docs)
        for i, decision in enumerate(decisions):
            if decision.kind == "abstain" and not decision.problems and held(decisions, but=i):
                # 「社保卡的覆盖率是不是比电子社保卡高」: 97% and 54.1% are close for 社保卡's side until
                # 电子社保卡's side takes 54.1%
                if (again := self.decide_part(parts[i], docs, held(decisions, but=i))).kind == "figure":
                    decisions[i] = again
        for _ in range(len(parts) ** 2):   # each round settles one clash
            clash = next(((i, j) for i in range(len(parts)) for j in range(i + 1, len(parts))
                          if figure_key(decisions[i]) is not None
                          and figure_key(decisions[i]) == figure_key(decisions[j])), None)
            if clash is None:
                break
            i, j = clash
            without_i = self.decide_part(parts[i], docs, held(decisions, but=i))
            without_j = self.decide_part(parts[j], docs, held(decisions, but=j))
            # (a side an earlier answer gave, settled, keeps that figure)
            if parts[i].settled != parts[j].settled:
                i_gives_way = parts[j].settled
            else:
                i_gives_way = _score(without_i) + _score(decisions[j]) > _score(decisions[i]) + _score(without_j)
            if i_gives_way:
                decisions[i] = without_i
            else:
                decisions[j] = without_j
        return decisions

    def _measured_alike(self, parts: tuple[Query, ...], decisions: list[Decision],
                        docs: frozenset[str] | None) -> list[Decision]:
        """A side naming only its subject is measured as the other side is: in 「电子社保卡的累计访问量
        跟全国人社政务服务平台比」 the platform's 访问量, when that gives a figure of the other side's unit."""
        if len(parts) != 2:
            return decisions
        out = list(decisions)
        for i, j in ((0, 1), (1, 0)):
            lent = measures_named(parts[j].text, self.vocabulary, self.lex)
            if not lent or measures_named(parts[i].text, self.vocabulary, self.lex) or figure_key(decisions[j]) is None:
                continue
            unit = normalize(decisions[j].candidates[0].figure.unit)
            if figure_key(decisions[i]) is not None and _unit_kin(decisions[i], unit, self.lex):
                continue
            text = f"{parts[i].text.rstrip('?？ ')}的{lent[-1]}"   # the head of 社保…的累计访问量
            again = self.decide_part(replace(parts[i], text=text, key=normalize(text)), docs, frozenset())
            if figure_key(again) is not None and _unit_kin(again, unit, self.lex):
                out[i] = again
        return out


def figure_key(decision: Decision) -> tuple[str, int] | None:
    """The figure a part's decision answers with (document, offset), or None."""
    if decision.kind != "figure" or not decision.candidates:
        return None
    return decision.candidates[0].hit.doc_id, decision.candidates[0].figure.start


def held(decisions: list[Decision], but: int) -> frozenset[tuple[str, int]]:
    """The figures the other parts answer with."""
    return frozenset(k for n, d in enumerate(decisions) if n != but and (k := figure_key(d)) is not None)


def _unit_kin(decision: Decision, unit: str, lex: Lexicon) -> bool:
    """Whether the part's figure is counted in ``unit`` or a unit of the same measure (次 / 人次)."""
    return normalize(decision.candidates[0].figure.unit) in kindred_units(frozenset({unit}), lex)


def _score(decision: Decision) -> float:
    """How surely a part's figure answers it: its ranker score (nothing when it abstains)."""
    return decision.candidates[0].score if decision.kind == "figure" and decision.candidates else 0.0
