"""Query expansion: the briefing's official terms for English and everyday words.

BM25 can only match words the briefing uses.  A citizen says 「城里多了多少工作」 or
"migrant workers", the briefing says 城鎮新增就業 and 農民工.  This glossary maps general
human-resources and social-security vocabulary (English, and colloquial Chinese) to the
official Simplified terms; :func:`expand` returns the terms a question triggers, which
retrieval appends to the question for lexical matching.  Entries (in ``data/glossary.toml``) are
domain vocabulary, not phrases of particular questions.

>>> expand("How many migrant workers were transported back to work?")
'农民工 运送 返岗'
>>> expand("城里多了多少工作岗位")
'城镇 就业'
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from .language import lexicon
from .text import normalize

# The tables live in data/glossary.toml: English phrase → terms, everyday Chinese → terms.
ENGLISH: dict[str, str] = lexicon().words("glossary.english")
COLLOQUIAL: dict[str, str] = lexicon().words("glossary.colloquial")


@lru_cache(maxsize=1)
def _english_pattern() -> re.Pattern:
    phrases = sorted(ENGLISH, key=len, reverse=True)
    # A phrase does not end inside a hyphenated word: "in work" is no phrase of "in work-injury insurance".
    return re.compile(r"\b(" + "|".join(re.escape(p) for p in phrases) + r")(?![\w-])")


class GlossaryTerm(NamedTuple):
    """A glossary word found in a normalized text, where it is, and the official terms it stands for."""

    word: str
    start: int
    end: int
    official: tuple[str, ...]


def glossary_terms(key: str) -> list[GlossaryTerm]:
    """The glossary words in ``key`` (a :func:`~hrss_qa.text.normalize`d text): English phrases
    (longest first, whole words) and then everyday Chinese words, in glossary order.

    >>> [(t.word, t.official) for t in glossary_terms("how many migrant workers")]
    [('migrant workers', ('农民工',))]
    """
    found = [GlossaryTerm(m.group(1), m.start(1), m.end(1), tuple(ENGLISH[m.group(1)].split()))
             for m in _english_pattern().finditer(key)]
    for word, official in COLLOQUIAL.items():
        if (start := key.find(word)) >= 0:
            found.append(GlossaryTerm(word, start, start + len(word), tuple(official.split())))
    return found


def expand(question: str) -> str:
    """Official terms triggered by ``question`` (space-separated, Simplified), or ``""``."""
    key = normalize(question)
    terms = [t for found in glossary_terms(key) for t in found.official]
    # Keep first occurrence order; drop terms already in the question.
    return " ".join(t for t in dict.fromkeys(terms) if t not in key)


@lru_cache(maxsize=None)   # (called with 2, 3 and 4 on every question: one slot thrashed)
def official_terms(min_chars: int = 3) -> frozenset[str]:
    """Every official term the glossary maps to (Simplified), of at least ``min_chars`` characters.

    >>> "职业年金" in official_terms()
    True
    """
    values = [*ENGLISH.values(), *COLLOQUIAL.values()]
    return frozenset(t for v in values for t in v.split() if len(t) >= min_chars)


@lru_cache(maxsize=None)
def alternatives(term: str) -> frozenset[str]:
    """``term`` and the terms one glossary entry lists beside it: names of one thing the briefing
    writes either way (全国服务 / 全国性服务), so either meets a question naming the other.

    >>> sorted(alternatives("全国性服务"))
    ['全国性服务', '全国服务']
    """
    return frozenset({term, *(t for v in (*ENGLISH.values(), *COLLOQUIAL.values())
                              if term in v.split() for t in v.split())})
