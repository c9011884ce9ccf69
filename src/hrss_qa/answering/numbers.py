"""Numbers a question states, and the relation a yes/no check puts them in.

A question states numbers in many forms — 3亿, 三亿, 2.97 million, 一半, 5 percent — and
checks them with a relation word: 「超过3亿了吗」 (>), 「够3000万了吗」 (≥), 「不到300万吧」 (<),
「是297万吗」 (=), 「差不多300万吧」 (≈).  The words are in ``data/cues.toml`` ``[relation]``
and ``data/units.toml``; this module only reads them.

>>> [(t.text, t.value, t.relation) for t in thresholds("失业保险参保是不是超过2亿了")]
[('2亿', 200000000.0, '>')]
>>> [(t.value, t.relation) for t in thresholds("Did card holders pass 1.3 billion?")]
[(1300000000.0, '>=')]
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..figures import Figure, extract_figures, parse_number
from ..language import Lexicon, lexicon, pattern
from ..text import normalize
from .records import Relation, Threshold

_RELATIONS: tuple[Relation, ...] = (">", ">=", "<", "<=", "=", "~")
_NEGATED: dict[str, Relation] = {">": "<=", ">=": "<", "<": ">=", "<=": ">", "=": "=", "~": "~"}
_RELATION_KEYS = {">": "gt", ">=": "ge", "<": "lt", "<=": "le", "=": "eq", "~": "approx"}
_CN_RUN = re.compile(r"(?<![\d.])[零〇一二两三四五六七八九十百千]+(?:点[零一二两三四五六七八九]+)?[万亿]+")
_DAY = re.compile(r"(\d+)\s*[日号]")
_FILLER_AFTER_RELATION = r"(?:\s*(?:了|得|到|至|上|the|a|an|it))*\s*"
_ORDINAL_CLOSING = re.compile(r"(?:\s+[a-z]+){0,2}\s*[?？]?\s*$")   # an English ordinal closing a question


@lru_cache(maxsize=4)
def _tables(lex: Lexicon) -> dict:
    """Compiled relation patterns (anchored at the end of the text before a number)."""
    def words(key: str) -> list[str]:
        return lex.words(f"cues.relation.{key}")

    ending = {}
    for rel in _RELATIONS:
        alternatives = sorted(words(_RELATION_KEYS[rel]), key=len, reverse=True)
        alt = "|".join(re.escape(w) if not w.isascii() else rf"(?<![a-z]){re.escape(w)}" for w in alternatives)
        ending[rel] = re.compile(rf"(?:{alt}){_FILLER_AFTER_RELATION}$")
    markers = sorted(words("markers"), key=len, reverse=True)
    magnitudes = lex.words("units.magnitudes")
    english = re.compile(rf"(\d+(?:\.\d+)?)\s*({'|'.join(magnitudes)})\b")
    shares = lex.words("units.shares")
    share = re.compile("|".join(re.escape(w) if not w.isascii() else rf"\b{re.escape(w)}\b"
                                for w in sorted(shares, key=len, reverse=True)))
    gap = "|".join(re.escape(w) if not w.isascii() else rf"(?<![a-z]){re.escape(w)}" for w in words("gap"))
    approx = "|".join(re.escape(w) if not w.isascii() else rf"(?<![a-z]){re.escape(w)}" for w in words("approx"))
    return {"gap": re.compile(rf"(?:{gap})\s*(?:{approx})?{_FILLER_AFTER_RELATION}$"), "ending": ending, "markers": markers, "magnitudes": magnitudes, "english": english,
            "shares": shares, "share": share, "defaults": lex.words("cues.relation.default"),
            "percent": re.compile(r"(\d+(?:\.\d+)?)\s*(?:percent|per cent|pct)\b"),
            "numbers": lex.words("units.english_numbers"),
            "than": _than_tables(lex),
            **_time_tables(lex),
            "ordinal_words": lex.words("units.english_ordinals.words"),
            "ordinals": re.compile(r"\b(?:(\d+)(?:st|nd|rd|th)|(" + "|".join(lex.words("units.english_ordinals.words"))
                                   + r"))\b(?!\s+(?:" + "|".join(lex.words("units.english_ordinals.not_before")) + r")\b)"),
            "round": lex.words("units.round_magnitudes"),
            "rounded": pattern(list(lex.words("units.round_magnitudes"))),
            "word_counts": lex.words("units.word_counts"),
            "counted": re.compile(r"\b(" + "|".join(sorted(map(re.escape, lex.words("units.word_counts")), key=len,
                                                            reverse=True)) + r")\s+(" + "|".join(magnitudes) + r")\b"),
            "tenths": re.compile(rf"([一二两三四五六七八九]){re.escape(lex.words('units.tenths.suffix'))}(?![本员果立绩])"),
            # "a five-year plan", "three years": an English number word, with a year unit if any
            # ("one of the items" is no number, nor "one-card services"; "a five-year plan" is)
            # ("the 16th one", "this one": a pronoun, no number)
            "words": re.compile(r"(?<!the )(?<!this )(?<!that )(?<!\d )\b(" + "|".join(lex.words("units.english_numbers"))
                                + r")\b(?!\s+of\b)(?!-(?!years?\b)[a-z])"
                                r"(?:(?:-|\s)(years?))?")}


def spelled_out(key: str, lex: Lexicon | None = None) -> str:
    """``key`` with numbers said in words rewritten the way a briefing writes them.

    >>> spelled_out("did it pass 2.97 million or 三亿 or half")
    'did it pass 297万 or 3亿 or 50%'
    """
    t = _tables(lex or lexicon())
    out = t["counted"].sub(lambda m: _chinese_magnitude(t["word_counts"][m.group(1)] * t["magnitudes"][m.group(2)]), key)
    out = t["rounded"].sub(lambda m: t["round"][m.group(0)], out)
    # Ordinals before shares ("second half" is a period) and number words ("the 16th one")
    out = t["ordinals"].sub(lambda m: f"第{m.group(1) or t['ordinal_words'][m.group(2)]}", out)
    # Shares before number words: "two thirds" is a share, not 2.
    out = t["share"].sub(lambda m: f"{t['shares'][m.group(0)]:g}%", out)
    out = t["words"].sub(lambda m: str(t["numbers"][m.group(1)]) + ("年" if m.group(2) else ""), out)
    out = t["english"].sub(lambda m: _chinese_magnitude(float(m.group(1)) * t["magnitudes"][m.group(2)]), out)
    out = t["percent"].sub(r"\1%", out)
    out = t["tenths"].sub(lambda m: f"{parse_number(m.group(1)) * 10:g}%", out)
    return _CN_RUN.sub(lambda m: _cn_to_digits(m.group(0)), out)


def _chinese_magnitude(value: float) -> str:
    """2970000 → 297万, 1.3e9 → 13亿: what a briefing would write."""
    for unit, size in (("万亿", 1e12), ("亿", 1e8), ("万", 1e4)):
        if value >= size:
            return f"{value / size:g}{unit}"
    return f"{value:g}"


def _cn_to_digits(run: str) -> str:
    number = parse_number(run.replace("点", "."))
    if number is None:
        return run
    return _chinese_magnitude(number)


def stated_figures(key: str, lex: Lexicon | None = None) -> list[Figure]:
    """Every figure a (normalized) question states, numbers in words included."""
    return extract_figures(spelled_out(key, lex))


def thresholds(question: str, lex: Lexicon | None = None) -> tuple[Threshold, ...]:
    """The numbers a question checks, each with its relation (see the module docstring).

    A number counts as checked when a relation word is written right before it (or a yes/no
    marker such as 有没有 / 是不是, which default to ≥ / =), or after it (以上).  Periods never
    do (「3月份…」 names the time), nor do ordinals or dates without a relation word (「第十六届
    …开过了吧」 names its subject) — but an English ordinal closing a check is checked ("…also the 16th?").
    """
    lex = lex or lexicon()
    t = _tables(lex)
    key = _english_times(spelled_out(normalize(question), lex), t)
    out = []
    for fig in extract_figures(key):
        if fig.kind in ("date", "period"):
            if (checked := _time_checked(key, fig, t)) is not None:
                out.append((False, checked))
            continue
        if fig.value is None:
            continue
        before = key[:fig.start]
        if t["gap"].search(before):
            continue   # a difference between two figures, not a level of one
        relation = _qualifier_relation(fig.qualifier, t) if fig.qualifier else None
        if relation is not None and re.search(r"(没有|没|未|不)\s*$", _without_markers(before, t)):
            relation = _NEGATED[relation]   # 「没超过2000万」 is at most
        text = fig.text[len(fig.qualifier):] if fig.qualifier and fig.text.startswith(fig.qualifier) else fig.text
        if relation is None:
            relation = _relation_before(before, t)
        if relation is None:
            relation = _relation_after(key[fig.end:fig.end + 6])
        if relation is None:
            relation = _relation_around(before, key[fig.end:], t["than"])
        if relation is None and fig.kind == "ordinal" and lex.cue("verify")(key) and _ORDINAL_CLOSING.match(key[fig.end:]):
            relation = "="   # "Is the postdoc contest also the 16th (one)?": the ordinal stated is checked
        worded = relation is not None
        if relation is None and fig.kind in ("quantity", "percent", "count") and not _names_its_noun(key, fig):
            relation = _default_relation(before, t) or _reached(key[fig.end:], t) or \
                ("=" if lex.cue("verify")(key) else None)
        if relation is None:
            continue
        unit = normalize(fig.unit)
        if fig.kind == "percent":
            unit = "%"
        out.append((not worded, Threshold(text, fig.value if fig.value is not None else 0.0, unit, fig.kind, relation)))
    # A checked quantity before a date that only sets the time (「到3月底达到3500万了吗」); a number with a
    # relation word before one without ("did the 3 funds' balance reach 7.5 trillion in 2023?").
    return tuple(t for _, t in sorted(out, key=lambda x: (x[1].kind in ("date", "period"), x[0])))


def is_day(text: str) -> bool:
    """Whether ``text`` names a day (4月24日, 4月25号): compared as written, not as a stretch of time."""
    return bool(_DAY.search(normalize(text)))


def day_of(text: str) -> int | None:
    """The day of the month ``text`` names (24 of 4月24日), or None."""
    m = _DAY.search(normalize(text))
    return int(m.group(1)) if m else None


def _time_tables(lex: Lexicon) -> dict:
    """The words and pattern a checked time is read with (part of the cached :func:`_tables`)."""
    parts = lex.words("scope.periods.parts.english")
    months = lex.words("scope.periods.words.english_months")
    relative = lex.words("scope.periods.relative_years")
    years = {w: v for w, v in relative.items() if w.isascii()}
    when = "|".join([*months, *sorted(years, key=len, reverse=True)])
    by_length = [sorted(lex.words(f"scope.periods.words.{k}"), key=len, reverse=True)
                 for k in ("point_words", "time_fillers")]
    return {"time_parts": parts, "months_en": months, "years_en": years,
            "years_zh": {v: w for w, v in reversed(relative.items()) if not w.isascii()},
            "relative_zh": [w for w in relative if not w.isascii()], "time_words": by_length,
            "english_times": re.compile(rf"\b(?:the\s+)?({'|'.join(parts)})(?:\s+of\s+|-|\s+)(?:the\s+)?({when})\b")}


def _time_checked(key: str, fig: Figure, t: dict) -> Threshold | None:
    """A time checked as the one a figure is of: right after a relation word, 「是截至3月底的数吗」
    "was that as of 4月中旬"; a time with none before it only sets when (「到3月底达到3500万了吗」)."""
    before, text = key[:fig.start].rstrip(), fig.text
    # 「截至今年3月底」: the year is the time's
    if year := next((w for w in t["relative_zh"] if before.endswith(w)), None):
        before, text = before[:-len(year)].rstrip(), year + text
    for words in t["time_words"]:   # "was that also as of": what is before 'also as of' relates
        if word := next((w for w in words if before.endswith(w)), None):
            before = before[:-len(word)].rstrip()
    relation = _relation_before(before, t) or _default_relation(before[-4:], t)
    if relation is None or fig.kind == "period" and relation != "=":
        return None   # (「是一季度的吗」 checks a period; 「一季度到了300万吗」 does not)
    return Threshold(text, 0.0, "", fig.kind, "=")


def _english_times(key: str, t: dict) -> str:
    """"end of march", "mid-april", "the end of last year" written as a briefing writes them (3月底)."""
    def chinese(m: re.Match) -> str:
        named = m.group(2)
        months = t["months_en"]
        head = f"{months.index(named) + 1}月" if named in months else t["years_zh"][t["years_en"][named]]
        return head + t["time_parts"][m.group(1)]
    return t["english_times"].sub(chinese, key)


def _without_markers(text: str, t: dict) -> str:
    """The text with yes/no markers (有没有, 是不是) blanked: they ask, they do not relate."""
    for marker in t["markers"]:
        text = text.replace(marker, " ")
    return text.rstrip()


def _relation_before(before: str, t: dict) -> Relation | None:
    """The relation word that ends right before a number (the longest one: 不到 over 到)."""
    text = _without_markers(before, t)[-24:]
    best: tuple[int, Relation] | None = None
    for rel, ending in t["ending"].items():
        m = ending.search(text)
        if m and (best is None or len(m.group(0).strip()) > best[0]):
            best = (len(m.group(0).strip()), rel)
    return best[1] if best else None


def _qualifier_relation(qualifier: str, t: dict) -> Relation | None:
    """超过300万 / 不到300万 / 300多万 / 约300万: the qualifier the figure reader kept is the relation."""
    if qualifier in ("多", "余", "馀", "餘"):
        return ">"
    for rel, ending in t["ending"].items():
        m = ending.search(qualifier)
        if m and m.group(0).strip() == qualifier:
            return rel
    return _relation_after(qualifier)


def _than_tables(lex: Lexicon) -> tuple[re.Pattern, dict[str, re.Pattern]]:
    """「比5个多吗」: the word before the number and, after it, the words that give the relation."""
    than = lex.words("cues.relation.than")
    before = re.compile(rf"(?:{'|'.join(map(re.escape, than['before']))})\s*$")
    return before, {rel: re.compile(rf"\s*(?:{'|'.join(map(re.escape, than['fillers']))})?(?:{'|'.join(map(re.escape, than[rel]))})")
                    for rel in (">", "<")}


def _relation_around(before: str, after: str, than: tuple[re.Pattern, dict[str, re.Pattern]]) -> Relation | None:
    """The relation of a number compared with 比 (「比5个多吗」 more than 5), or None."""
    opening, closings = than
    if not opening.search(before):
        return None
    return next((rel for rel, closing in closings.items() if closing.match(after)), None)


def _relation_after(after: str) -> Relation | None:
    if re.match(r"\s*(以上|or more|or above|plus)", after):
        return ">="
    if re.match(r"\s*(以下|or less|or fewer|or below)", after):
        return "<="
    return None


def _names_its_noun(key: str, fig: Figure) -> bool:
    """「三项社保基金」「16场招聘会」: a number before its noun says which thing, it is not checked."""
    after = key[fig.end:fig.end + 1]
    return bool(re.match(r"[\u4e00-\u9fff]", after)) and after not in "了吗吧呢啊嘛么的"


def _reached(after: str, t: dict) -> Relation | None:
    """「…了没」「…了吗」 after the number: whether a level has been reached (≥)."""
    return ">=" if any(w in after for w in t["defaults"].get("reached", [])) else None


def _default_relation(before: str, t: dict) -> Relation | None:
    """A yes/no marker with no relation word: 有没有300万 asks ≥, 是不是297万 asks =."""
    tail = before.rstrip()[-8:]
    for rel, key in ((">=", "ge"), ("=", "eq")):
        if any(word in tail for word in t["defaults"].get(key, [])):
            return rel
    return None


def comparable_units(a: str, b: str, lex: Lexicon | None = None) -> bool:
    """Whether two units count the same thing (人 and 人次 do not)."""
    lex = lex or lexicon()
    if a == b:
        return True
    return any(a in g and b in g for g in lex.words("units.comparable.groups"))


def comparable(a: Figure, b: Figure, lex: Lexicon | None = None) -> bool:
    """Whether two figures can be compared: comparable units, or one measure (the same label) counted
    in units alike (访问量 of one platform in 人次, of another in 次)."""
    if a.value is None or b.value is None or a.kind != b.kind:
        return False
    ua, ub = normalize(a.unit), normalize(b.unit)
    if comparable_units(ua, ub, lex):
        return True
    same_measure = bool(a.label) and normalize(a.label) == normalize(b.label)
    return same_measure and any(ua in g and ub in g for g in (lex or lexicon()).words("units.alike.groups"))
