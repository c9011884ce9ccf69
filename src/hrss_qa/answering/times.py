"""When a figure is of, and whether a time asked about is that time.

A briefing dates its figures as a moment (截至3月底, 截至4月中旬, 截至去年底: a stock) or a stretch
(1-3月, 3月份, 一季度: a flow).  A check of the time (「是截至3月底的数吗」 "Was that as of mid-April?")
compares the two: different ends differ; the same end is the same time for two moments, for two
stretches that start alike, and for a moment asked of a stretch counted from the year's start
(1-3月 is the total as of the end of March); anything else is not decided.

>>> same_time("3月底", "4月中旬"), same_time("3月底", "1-3月"), same_time("一季度", "3月份")
(False, True, False)
"""

from __future__ import annotations


from dataclasses import dataclass, replace

from ..language import Lexicon, lexicon
from ..text import normalize
from .analyze import periods_in
from .numbers import day_of, is_day


@dataclass(frozen=True)
class TimeRef:
    """A time as a briefing writes it: the year (or years from the document's), the month it ends in
    and where in that month (0 early … 3 end), the first month of a stretch (None for a moment)."""

    year: int | None
    offset: int
    last: int
    part: int
    first: int | None


def time_of(text: str, lex: Lexicon | None = None) -> TimeRef | None:
    """The time ``text`` names, or None (a day, several times, none)."""
    lex = lex or lexicon()
    key = normalize(text)
    periods = periods_in(key, lex)
    years = [p for p in periods if p.months is None and p.offset is not None]
    if len(periods) == 2 and len(years) == 1 and (months := [p for p in periods if p.months]):
        periods = [replace(months[0], offset=years[0].offset)]   # 去年3月底: March of the year before
    if is_day(key) or len(periods) != 1:
        return None
    period = periods[0]
    order = lex.words("scope.periods.parts.order")
    parts = [rank for rank, words in enumerate(order) for w in words if w in key]
    first, last = period.months or (1, 12)
    moment = bool(parts) or any(w in key for w in lex.words("scope.periods.words.point_words"))
    return TimeRef(period.year, period.offset or 0, last, parts[0] if parts else len(order) - 1,
                   None if moment else first)


def same_time(asked: str, stated: str, lex: Lexicon | None = None) -> bool | None:
    """Whether the time ``asked`` is the time a figure is ``stated`` of; None when that is not decided
    (a stretch asked of a moment, a year against years-before, a time not read)."""
    a, s = time_of(asked, lex), time_of(stated, lex)
    if a is None or s is None:
        return None
    if a.year is not None and s.year is not None:
        if a.year != s.year:
            return False
    elif a.year is not None or s.year is not None:
        return None   # 2022年底 against 去年底 or 3月底: the document's year decides
    elif a.offset != s.offset:
        return False
    if (a.last, a.part) != (s.last, s.part):
        return False
    if a.first is None and s.first is None:
        return True
    if a.first is not None and s.first is not None:
        return a.first == s.first
    return True if a.first is None and s.first == 1 else None


def day_in_part(day: str, part: str, lex: Lexicon | None = None) -> bool | None:
    """Whether a day (4月24日) falls in a part of a month (4月中旬): by the days each part spans
    (scope.toml [periods.parts.days]); None when either is not read or the part spans no fixed days
    (月底: the last days of a month, however many)."""
    lex = lex or lexicon()
    months = [p.months for p in periods_in(normalize(day), lex) if p.months]
    date, when = day_of(day), time_of(part, lex)
    spans = lex.words("scope.periods.parts.days")
    name = next((w for w in sorted(spans, key=len, reverse=True) if w in normalize(part)), None)
    if not months or date is None or when is None or name is None:
        return None
    if months[0][1] != when.last:
        return False
    first, last = spans[name]
    return first <= date <= last
