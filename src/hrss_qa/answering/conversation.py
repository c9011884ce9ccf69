"""Follow-ups: complete an elliptical question with what the conversation was about.

「那失业保险呢？」 after 「养老保险参保人数是多少？」 means 「失业保险参保人数是多少？」: the fragment
replaces the part of the previous question that ends like it (失业保险 ↔ 养老保险); with no
such part it is put in front.  Earlier follow-ups are resolved first, so chains keep working.

>>> from hrss_qa.answering.analyze import analyze
>>> resolve(analyze("那失业保险呢？"), [Turn("养老保险参保人数是多少？")]).text
'失业保险参保人数是多少?'
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..language import Lexicon, lexicon, pattern
from ..text import normalize
from .analyze import analyze
from .records import Query, Turn


def resolve(query: Query, history: list[Turn], lex: Lexicon | None = None) -> Query:
    """``query`` completed from ``history`` (oldest first) when it is a follow-up; else itself."""
    lex = lex or lexicon()
    if not history:
        return query
    previous = history[0].question
    for earlier in history[1:]:
        previous = _complete(earlier.question, previous, lex)
    text = _complete(query.text, previous, lex)
    if text == query.text:
        return query
    return replace(analyze(text, lex), asked=query.text, reading=text)


def _complete(question: str, previous: str, lex: Lexicon) -> str:
    lead = pattern(lex.words("cues.followup.lead"))
    tail = lex.words("cues.followup.tail")
    frag = question.strip()
    if m := lead.match(frag.lower()):
        frag = frag[m.end():].lstrip()
    frag = re.sub("(" + "|".join(map(re.escape, sorted(tail, key=len, reverse=True))) + r")?\s*[?？。.!！]*$", "", frag)
    elliptical = frag != question.strip() and 0 < len(frag) <= 12 and not lex.cue("figure")(normalize(frag))
    if not elliptical:
        return question
    for k in range(len(frag), 1, -1):
        suffix = frag[-k:]
        at = previous.find(suffix)
        if at >= 0:
            begin = max(0, at - (len(frag) - k))
            return previous[:begin] + frag + previous[at + k:]
    return f"{frag} {previous}"
