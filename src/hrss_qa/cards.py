"""Figure cards: one short text per figure, embedded next to the passages.

A card says what a figure measures in the briefing's own words — the section it is in, its
label, the figure and its clause — so that the dense similarity of a question to a card tells
which figure is asked about, across paraphrase and English, where token overlap cannot.

>>> from hrss_qa.corpus import load_corpus
>>> from hrss_qa.chunking import chunk_document
>>> cards = passage_cards(chunk_document(load_corpus()[0])[1])
>>> cards[1].text
'就業 工作進展情況：城鎮新增就業 297萬人｜1-3月城鎮新增就業297萬人'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .chunking import Passage, Sentence
from .figures import Figure, extract_figures

CARD_VERSION = "cards-v2"
_CLAUSE_CUT = re.compile(r"[,，;；:：。]")


@dataclass(frozen=True)
class FigureCard:
    """A figure with the sentence it is in and the text embedded for it."""

    figure: Figure
    sentence: Sentence
    text: str


def clause_of(sentence: Sentence, figure: Figure) -> str:
    """The comma-delimited clause of ``sentence`` that holds ``figure`` (source characters).

    >>> s = Sentence("截至3月底,參加人數3324萬人。", 0, 17)
    >>> clause_of(s, extract_figures(s.text)[1])
    '參加人數3324萬人'
    """
    return clause_at(sentence, figure.start)


def clause_at(sentence: Sentence, position: int) -> str:
    """The comma-delimited clause of ``sentence`` holding the document ``position``."""
    rel = position - sentence.start
    cuts = [m.end() for m in _CLAUSE_CUT.finditer(sentence.text)]
    begin = max([c for c in cuts if c <= rel], default=0)
    end = min([c for c in cuts if c > rel], default=len(sentence.text))
    return sentence.text[begin:end].strip(",，;；:：。 ")


def sentence_of(passage: Passage, figure: Figure) -> Sentence:
    """The sentence of ``passage`` holding ``figure`` (the passage itself if none does)."""
    return next((s for s in passage.sentences if s.start <= figure.start < s.end),
                Sentence(passage.text, passage.start, passage.end))


def passage_cards(passage: Passage) -> list[FigureCard]:
    """A card for every figure of ``passage``, in text order (the order of its figures)."""
    cards = []
    for fig in extract_figures(passage.text, offset=passage.start):
        sentence = sentence_of(passage, fig)
        clause = clause_of(sentence, fig)
        # The sentence's first clause often names whose figure it is (聯合10部門開展春風行動…,
        # …發布崗位3800萬個): the card carries it too.
        head = _CLAUSE_CUT.split(sentence.text, maxsplit=1)[0]
        text = f"{passage.context}：{fig.label} {fig.text}｜{clause}" + (f"｜{head}" if head and head not in clause else "")
        cards.append(FigureCard(fig, sentence, text))
    return cards
