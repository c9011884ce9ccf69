"""Stage 1 — ``analyze``: what a question asks, read from its words (no retrieval, no model).

The result is a :class:`~hrss_qa.answering.records.Query`: the kind of answer wanted (a figure,
a date, an ordinal, or a fact), the unit named, the thresholds a yes/no check states with their
relations, a comparison's or double ask's sub-questions, and the constraints a briefing may not
meet (a period, place, topic or group; a change, an average, a target…).  All the words come
from ``data/*.toml`` through :class:`~hrss_qa.language.Lexicon`.

>>> q = analyze("失业保险参保是不是超过2亿了？")
>>> q.wants, q.yes_no, [(t.value, t.relation) for t in q.thresholds]
('figure', True, [(200000000.0, '>')])
>>> [p.text for p in analyze("社保基金一季度的收入和支出哪个多？").parts]
['社保基金一季度的收入', '社保基金一季度的支出']
>>> sorted(analyze("工伤保险参保人数同比增加多少").asks)
['change', 'yoy']
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import replace

from ..figures import extract_figures
from ..glossary import expand
from ..language import Cue, Lexicon, lexicon, pattern
from ..text import clean, detect_script, normalize, to_simplified, to_traditional
from .decompose import bare, points_back, share_relation, split_question, split_share, stated_multiple
from .numbers import is_day, spelled_out, stated_figures, thresholds
from .records import Period, Query, Threshold

MAX_QUESTION_CHARS = 500
UNMET = ("change", "yoy", "earnings", "average", "target", "age", "share", "one_period", "headcount", "per_person")
# Words that each ask one thing: two of them make a double ask (「多少…几项」, "when … and how many").
_ASKS = re.compile(r"多少|几(?!乎)|多大|多高|多长|什么时候|啥时候|甚么时候|何时|哪天|\bhow (?:many|much|large|big|high|long)\b|\bwhen\b|\bwhich\b|\bwhat\b")
# 「多少场招聘活动」: the ask, its classifier and what it counts (group 1)
COUNTED = re.compile(r"(?:多少|几)(?:个|项|家|场|张|名|位|件|批|届|次)?([\u4e00-\u9fff]{2,6})")
_NOT_COUNTED = set("人次 人数 钱呢 比例 百分 万人 亿人 万元 亿元 左右 以上 时间 时候 一个 个人".split())
# A year said alone (2022年, in 2022), not one inside a date (2024年底) or a number (2000亿).
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d\d)(?:年(?!底|末|初)|(?![\d.年]|\s*[万亿千百多余个人元项家场张次%月]))")
_YEAR_END = re.compile(r"(?<![\d.])((?:19|20)\d\d)年(?:底|末)")
# A month named alone or as a point in it (6月, 6月底, 4月中旬, 截至6月底), not the end of a range (1-3月, 1至3月).
_MONTH = re.compile(r"(?<![\d\-~])(?<![\d一二三四五六七八九十][至到])(1[0-2]|[1-9]|十[一二]|[一二三四五六七八九十])月(?:份)?")
# A range (1-3月; January to March: see _english_ranges) is a period, not a question about its months.
_RANGE = re.compile(r"(1[0-2]|[1-9]|十[一二]|[一二三四五六七八九十])\s*[-~至到]\s*(1[0-2]|[1-9]|十[一二]|[一二三四五六七八九十])月")
_SHORT_PART = 6   # characters of its own: a part this short leans on the whole question
_TRAILING_NE = re.compile(r"[，,](?=[^，,？?。]{2,16}呢\s*[？?]?\s*$)")
_CN_MONTH = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}


def analyze(question: str, lex: Lexicon | None = None) -> Query:
    """Read ``question`` (any script) into a :class:`Query`; never raises on odd text."""
    lex = lex or lexicon()
    text = in_mandarin(clean(question or "").strip()[:MAX_QUESTION_CHARS], lex)
    # 「A是多少，B和C呢？」: a last clause ending in 呢 is a question of its own (B and C asked like A)
    text = _TRAILING_NE.sub("？", text)
    return _read(text, lex, allow_parts=True)


def in_mandarin(text: str, lex: Lexicon) -> str:
    """``text`` with Cantonese words written as the Mandarin ones (cues.toml ``[dialect]``), in its script.

    >>> in_mandarin("其中跨省嘅有幾多？", lexicon())
    '其中跨省的有多少？'
    """
    table = lex.words("cues.dialect.words")
    simplified = to_simplified(text)
    traditional = detect_script(text) == "zh-Hant"
    if len(simplified) != len(text):   # (t2s keeps lengths: else the Simplified text is read)
        text, traditional = simplified, False
    numbered = lex.words("cues.dialect.after_numbers")
    out, at = [], 0
    for m in _dialect_words(lex).finditer(simplified):
        word = table.get(m.group(0)) or numbered[m.group(0)]
        out += [text[at:m.start()], to_traditional(word) if traditional else word]
        at = m.end()
    return "".join(out) + text[at:]


@lru_cache(maxsize=4)
def _dialect_words(lex: Lexicon) -> re.Pattern:
    """The words of cues.toml ``[dialect]``, those after a number only there (built once)."""
    words = pattern(list(lex.words("cues.dialect.words"))).pattern
    after_numbers = "|".join(map(re.escape, lex.words("cues.dialect.after_numbers")))
    return re.compile(rf"{words}|(?<=[\d一二三四五六七八九十两])(?:{after_numbers})")


def kindred_units(units: frozenset[str], lex: Lexicon) -> frozenset[str]:
    """``units`` with the units one measure is also counted in (units.toml [alike]: 次 / 人次)."""
    return units | {u for g in lex.words("units.alike.groups") if units & set(g) for u in g}


def compare_kind(key: str, lex: Lexicon) -> str | None:
    """What a comparison asks (sum, ratio, difference, less, more), or None: 「加起来多少」「哪个多」「差多少」「几倍」."""
    cue = lex.cue
    if cue("sum")(key):
        return "sum"
    if cue("ratio")(key):
        return "ratio"
    if cue("compare")(key) or cue("difference")(key):
        return "difference" if cue("difference")(key) else ("less" if cue("smaller")(key) else "more")
    return None


def _paired(text: str, lex: Lexicon) -> str:
    """``text`` with a word asking two measures at once written as the two (cues.toml ``[pairs]``)."""
    table, key = lex.words("cues.pairs"), normalize(text)
    for word, both in table["words"].items():
        at = key.find(word)
        if at >= 0 and not any(key.startswith(u, at + len(word)) for u in table["unless"]):
            return text[:at] + both + text[at + len(word):]
    return text


def _periods_either_side(key: str, lex: Lexicon) -> bool:
    """Whether a choice (还是, or) is between periods: each side names one (「一季度的还是3月份的」 "March
    only or the whole quarter")."""
    m = lex.cue("choice").search(key)
    whole = lex.words("cues.choice.whole_periods")
    return m is not None and all(periods_in(side, lex) or any(w in side for w in whole)
                                 for side in (key[:m.start()], key[m.end():]))


def _read(text: str, lex: Lexicon, allow_parts: bool, parent: Query | None = None) -> Query:
    key = normalize(text)
    cue = lex.cue
    asked_numbers = len(_ASKS.findall(key))
    yes_no = bool(cue("verify")(key)) and not cue("number")(key)
    checks = thresholds(text, lex) if yes_no else ()
    compare = compare_kind(key, lex)
    if compare == "ratio" and yes_no and (multiple := stated_multiple(text, lex)) is not None:
        # 「A是B的两倍多吗」: the multiple is what is checked, not a number of either side
        checks = (Threshold(multiple[2], multiple[0], "倍", "ratio", multiple[1]),)
    # Two question sentences (「注册用户有多少？累计访问量呢？」) are two asks.
    sentences = [x for x in re.split(r"[?？]", key) if len(x.strip(" ，,。")) >= 2]
    several = bool(cue("several")(key)) or asked_numbers >= 2 or len(sentences) >= 2
    if allow_parts and not compare and (paired := _paired(text, lex)) != text:
        text, several = paired, True   # 「收支多少」 asks 收入 and 支出
    wants, kinds = _wants(key, checks, lex, parent)
    detail = _detail(key, lex)
    if detail is not None and not checks:   # 「哪几个职业」「什么原因」: names or reasons, not a number
        wants, kinds = "fact", frozenset()
        compare = None   # 「在哪个省用得最多」 asks a place, not which of two figures is larger
    if compare and wants == "fact":   # 「哪个多」 compares figures even without a number word
        wants, kinds = "figure", frozenset({"quantity", "percent", "count"})
    asks = _asks(key, lex)
    parts: tuple[Query, ...] = ()
    share = split_share(text, lex) if allow_parts and compare != "ratio" else None
    if share:   # 「A占B的一半以上吗」: two counts, each looked up, then divided
        compare, counts = "share", frozenset({"quantity", "count"})
        if relation := share_relation(text, lex):   # 「不到收入的三分之二」: the word before the whole relates
            checks = tuple(replace(t, relation=relation) if t.kind == "percent" else t for t in checks)
        base = Query(text=text, key=key, script=detect_script(text), wants="figure", kinds=counts)
        parts = tuple(replace(_read(p, lex, allow_parts=False, parent=base), context=context, wants="figure", kinds=counts)
                      for p, context in _with_subjects(list(share), text, lex))
        # A count a side opens with (「76项服务里…」) is that side's figure, what is looked up; one inside it
        # (「三项社保基金的收入」) names its noun and is not.
        parts = tuple(replace(p, stated_values=frozenset()) if re.match(r"\d", p.key) else p for p in parts)
    elif allow_parts and (compare or several):
        pieces = split_question(text, lex)
        if any(_only_a_period(p, lex) for p in split_question(text, lex, complete=False)):
            asks |= {"change"}          # 「失业率比去年高吗」 compares with a period the briefing may not give
            compare = None
        elif len(pieces) >= 2:
            base = Query(text=text, key=key, script=detect_script(text), wants=wants, kinds=kinds)
            parts = tuple(replace(_read(p, lex, allow_parts=False, parent=base), context=context)
                          for p, context in _with_subjects(pieces, text, lex))
            if compare:
                parts = _shared_measure(parts)
                asks.discard("change")   # 「A跟B比，多了多少」: the difference asked is the comparison's
            elif not cue("several")(key) and all(p.wants == "fact" and not p.thresholds and not p.stated_values
                                                  for p in parts):
                # 「之后还有什么打算？说一项就行」「会再调整吗？往哪类企业倾斜？」: asks in words of one
                # subject, answered by one passage (「83项跟118项分别是哪个平台的」 asks of two things)
                parts = ()
    choice = bool(cue("choice")(key)) and not compare
    if wants == "date":
        asks.discard("average")   # 「是一季度平均的吗」 checks which period the figure is of
    if choice and not parts and _periods_either_side(key, lex):
        # 「是整个一季度的平均数，还是只是3月份的」 "for March only or the whole quarter?": which period
        wants, kinds, yes_no, checks = "date", frozenset({"period"}), False, ()
        asks.discard("average")
    units = _explicit_units(key, lex) if wants != "date" else None   # a date asked of "the jobless rate" is no rate
    if units is None and checks and checks[0].unit:   # 「超过50万人次吗」: only 人次 can be compared
        units = frozenset(next((g for g in lex.words("units.comparable.groups") if checks[0].unit in g),
                               [checks[0].unit]))
        # a measure counted in a kindred unit (visits: 次 / 人次) is the figure, stated without a verdict
        units = kindred_units(units, lex)
    stated = {f.value for f in stated_figures(key, lex) if f.value is not None and f.kind != "period"}
    return Query(
        text=text, key=key, script=detect_script(text), wants=wants, kinds=kinds,
        units=units, topical_units=_topical_units(f"{spelled_out(key, lex)} {expand(text)}", lex) | {t.unit for t in checks if t.unit},
        yes_no=yes_no, thresholds=checks, stated_values=frozenset(stated),
        compare=compare if parts else None, several=several and bool(parts), parts=parts,
        asks=frozenset(asks), groups=_named(key, lex, "scope.groups"), places=_places(key, lex),
        topics=_topics(key, lex), periods=_unchecked_periods(key, checks, lex), detail=detail,
        tense=_tense(key, lex), overall=cue("overall")(key), counted=_counted(key),
        choice=choice, asked=text,
    )


def _unchecked_periods(key: str, checks: tuple[Threshold, ...], lex: Lexicon) -> tuple[Period, ...]:
    """The periods a question is about; a time it checks (「是截至3月底的数吗」) is compared with the
    figure's date, no constraint on which figure answers."""
    checked = [normalize(t.text) for t in checks if t.kind in ("date", "period")]
    return tuple(p for p in periods_in(key, lex) if not any(p.text in c for c in checked))


def _with_subjects(pieces: list[str], whole: str, lex: Lexicon) -> list[tuple[str, str]]:
    """Each part with the retrieval context it needs.  An ask with no subject of its own
    (「…，截至什么时候」 ", and as of when?") is about the previous part's subject: it is read
    together with that part; a short one (「…注册用户多少、访问量多少」) is looked up with the
    whole question around it."""
    out: list[str] = []
    contexts: list[str] = []
    for piece in pieces:
        subject = bare(piece, lex)
        # (「比这个多吗」: 这个 points back at an answer, not at the part before it)
        out.append(f"{piece} {out[-1]}" if out and len(subject) < 2 and not points_back(piece, lex) else piece)
        contexts.append(whole if out and 2 <= len(subject) <= _SHORT_PART else "")
    return list(zip(out, contexts))


def _shared_measure(parts: tuple[Query, ...]) -> tuple[Query, ...]:
    """A comparison's sides are measured alike: a unit one side names outright (「…覆盖率差了几个百分点」
    on the last side) holds for a side naming none."""
    named = [p.units for p in parts if p.units is not None]
    if not named:
        return parts
    return tuple(p if p.units is not None else replace(p, units=named[0]) for p in parts)


def _wants(key: str, checks, lex: Lexicon, parent: Query | None) -> tuple[str, frozenset[str]]:
    """The kind of answer (figure / date / ordinal / fact) and the figure kinds that can give it."""
    cue = lex.cue
    if checks:   # a checked number can only be compared with a figure of its kind
        kind = checks[0].kind
        if kind in ("date", "period"):   # (a day checked, 「是4月20号开的吧」, is checked against a day,
            # and a part of a month, 「是不是4月中旬开的」, against a date: a quarter decides neither)
            parts = [w for words in lex.words("scope.periods.parts.order") for w in words]
            moment = is_day(checks[0].text) or (kind == "date" and any(w in checks[0].text for w in parts))
            return "date", frozenset({"date"} if moment else {"date", "period"})
        if kind == "ordinal":
            return "ordinal", frozenset({"ordinal"})
        return "figure", frozenset({"percent"} if kind == "percent" else {"quantity", "count"})
    if cue("day")(key):
        return "date", frozenset({"date"})
    if cue("period_ask")(key):   # 「哪个季度」「边个月」 "which quarter" asks the period
        return "date", frozenset({"period"})
    if when := cue("when").search(key):
        # a question naming its own period asks a day
        rest = key[:when.start()] + key[when.end():]
        return "date", frozenset({"date"} if cue("period_named")(rest) else {"date", "period"})
    if cue("ordinal")(key):
        return "ordinal", frozenset({"ordinal"})
    figure_kinds = frozenset({"quantity", "percent", "count"})
    if cue("figure_given")(key):   # (「有没有具体数」: before 具体 is taken for a fact's detail)
        return "figure", figure_kinds
    key = cue("fact_ask").regex.sub(" ", key)   # (「举几个例子」 asks examples, not how many)
    if cue("size")(key) and not cue("share_words")(key) and "%" not in (_explicit_units(key, lex) or ()):
        return "figure", frozenset({"quantity", "count"})   # (「多大比例」 asks a share: not a size)
    if cue("number")(key):
        return "figure", figure_kinds
    if cue("figure")(key) and not cue("verify")(key) and not cue("action")(key):
        return "figure", figure_kinds
    if parent is not None and parent.wants != "fact":
        return parent.wants, parent.kinds
    return "fact", frozenset()


def _asks(key: str, lex: Lexicon) -> set[str]:
    """Measures asked that a briefing often lacks (``[unmet.*]`` in cues.toml)."""
    found = set()
    for name in UNMET:
        table = lex.words(f"cues.unmet.{name}")
        if _asked_cue(lex, name)(key):
            found.add(name)
        elif name == "per_person" and table.get("re") and Cue(name, re.compile("|".join(table["re"]))).search(key):
            found.add(name)
    return found


def _asked_cue(lex: Lexicon, name: str) -> Cue:
    table = lex.words(f"cues.unmet.{name}")
    words = table.get("asked", [])
    from ..language import pattern

    return Cue(name, pattern([w for w in words if not w.isascii()], [w for w in words if w.isascii()],
                             table.get("re", [])))


def _explicit_units(key: str, lex: Lexicon) -> frozenset[str] | None:
    """Units named with 多少/几 + a classifier (None: no constraint)."""
    for row in lex.words("units.explicit"):
        if any(re.search(r, key) for r in row["re"]):
            return frozenset(row["units"]) if row["units"] else None
    return None


def _topical_units(key: str, lex: Lexicon) -> frozenset[str]:
    """Units the words point to, read after numbers in words are written out ("half a million" is 50万, no share)."""
    from ..language import pattern

    units: set[str] = set()
    pointers = "".join(lex.words("units.topical_pointers.zh"))
    for row in lex.words("units.topical"):
        # (「那张卡」 points at a card; 「多少张」 counts)
        words = row.get("zh", [])
        classifiers = tuple(f"(?<![{pointers}]){re.escape(w)}" for w in words if len(w) == 1)
        if pattern([w for w in words if len(w) > 1], row.get("en", []), classifiers).search(key):
            units |= set(row["units"])
    return frozenset(units)


def _named(key: str, lex: Lexicon, path: str) -> tuple[str, ...]:
    """Names from a ``{name: [words…]}`` table the question uses (groups)."""
    from ..language import pattern

    found = []
    for name, words in lex.words(path).items():
        if pattern([w for w in words if not w.isascii()], [w for w in words if w.isascii()]).search(key):
            found.append(name)
    return tuple(found)


def _places(key: str, lex: Lexicon) -> tuple[str, ...]:
    found = [p for p in lex.words("scope.places.zh") if p in key]
    found += [zh for en, zh in lex.words("scope.places.en").items() if re.search(rf"\b{re.escape(en)}\b", key)]
    return tuple(dict.fromkeys(found))


def _topics(key: str, lex: Lexicon) -> tuple[str, ...]:
    found = [t for t in lex.words("scope.topics.zh") if t in key]
    found += [zh for en, zh in lex.words("scope.topics.en").items() if re.search(rf"\b{re.escape(en)}\b", key)]
    return tuple(dict.fromkeys(found))


def periods_in(key: str, lex: Lexicon | None = None) -> tuple[Period, ...]:
    """The periods a (normalized) text names: quarters, halves, years, months, relative years.

    >>> [(p.text, p.year, p.months) for p in periods_in("2022年二季度")]
    [('二季度', 2022, (4, 6))]
    """
    lex = lex or lexicon()
    out: list[Period] = []
    years = [int(y) for y in _YEAR.findall(key)]
    relative = lex.words("scope.periods.relative_years")
    year = years[0] if years else None
    spans = lex.words("scope.periods.months")
    named = sorted((w for w in spans if _word_in(w, key)), key=len, reverse=True)
    taken: list[str] = []
    for word in named:
        if any(word in t for t in taken):
            continue  # 第二季度 already read; not again as 二季度
        taken.append(word)
        first, last = spans[word]
        out.append(Period(word, year, (first, last)))
    english = lex.words("scope.periods.words.english_months")
    for m in _RANGE.finditer(key):   # 1-3月, 一至三月: a span
        first, last = _month(m.group(1)), _month(m.group(2))
        if first and last and first < last and not any((first, last) == p.months for p in out):
            out.append(Period(m.group(0), year, (first, last)))
    single = _RANGE.sub(" ", key)
    for m in _english_ranges(tuple(english)).finditer(single):   # "Jan-Mar", "january to march"
        first, last = (next(i for i, name in enumerate(english, start=1) if name.startswith(m.group(g)[:3]))
                       for g in ("a", "b"))
        if first < last and not any((first, last) == p.months for p in out):
            out.append(Period(m.group(0), year, (first, last)))
    single = _english_ranges(tuple(english)).sub(" ", single)
    months = {_month(m) for m in _MONTH.findall(single)}
    months |= {i for i, name in enumerate(english, start=1) if re.search(rf"\b{name}\b", single)}
    for m in sorted(x for x in months if x):
        out.append(Period(f"{m}月", year, (m, m)))
    if not out and year is not None:
        out.append(Period(f"{year}年", year, None))
    elif not out and (m := _YEAR_END.search(key)):
        # 「2022年底」: the stock at a year's end (or, at or after the document's year, a deadline)
        out.append(Period(m.group(0), int(m.group(1)), None, point=True))
    for word, delta in relative.items():
        if _word_in(word, key) and delta not in {p.offset for p in out}:
            out.append(Period(word, None, None, delta))
    return tuple(out)


@lru_cache(maxsize=4)
def _english_ranges(english: tuple[str, ...]) -> re.Pattern:
    """Two English month names (or their first three letters) joined as a span."""
    names = "|".join(f"{m[:3]}(?:{m[3:]})?" for m in english)
    return re.compile(rf"\b(?P<a>{names})\.?\s*(?:-|–|~|to|through|until|thru)\s*(?P<b>{names})\b\.?")


def _word_in(word: str, key: str) -> bool:
    return bool(re.search(rf"\b{re.escape(word)}\b", key)) if word.isascii() else word in key


def _month(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    if token.startswith("十"):
        return 10 + (_CN_MONTH.get(token[1:], 0) if len(token) > 1 else 0)
    return _CN_MONTH.get(token)


def _only_a_period(part: str, lex: Lexicon) -> bool:
    """「去年」「上个月」 "last year": a conjunct that is only a time, not a thing to look up."""
    key = normalize(part)
    stripped = key
    for word in [*lex.words("scope.periods.relative_years"), *lex.words("scope.periods.months")]:
        stripped = stripped.replace(word, "")
    stripped = re.sub(r"(19|20)\d\d年?|[\s的了]", "", pattern(lex.words("scope.periods.earlier.words")).sub("", stripped))
    return stripped != key and len(stripped) <= 1


def _detail(key: str, lex: Lexicon) -> int | None:
    from ..language import pattern

    # the row whose words match the most of the question: 「哪几个地区」 asks places, not the names 「哪几个」 asks
    found = [(len(m.group(0)), -i) for i, row in enumerate(lex.words("cues.detail"))
             if (m := pattern(row.get("asked_zh", []), [], row.get("asked_re", [])).search(key))]
    return -max(found)[1] if found else None


def _tense(key: str, lex: Lexicon) -> str | None:
    plan, progress = lex.cue("plan")(key), lex.cue("progress")(key)
    if plan == progress:
        return None
    return "plan" if plan else "progress"


def _counted(key: str) -> tuple[str, ...]:
    """What 「多少X」 counts, with its glossary terms (「多少欠薪」 → 欠薪, 拖欠工资)."""
    match = COUNTED.search(key)
    if not match:
        return ()
    from ..lexical import _jieba

    noun = _jieba().lcut(match.group(1))[0]
    if len(noun) < 2 or noun in _NOT_COUNTED:
        return ()
    return (noun, *expand(noun).split())


def with_text(query: Query, text: str, lex: Lexicon | None = None) -> Query:
    """The query re-read from ``text`` (a completed follow-up), keeping what was typed."""
    return replace(analyze(text, lex), asked=query.asked)


__all__ = ["analyze", "periods_in", "with_text", "MAX_QUESTION_CHARS", "UNMET", "extract_figures"]
