"""Split a comparison or a double ask into the sub-questions it is made of.

「脱贫人口务工规模和个人养老金参加人数哪个多」 asks two figures that may sit in different parts
of a briefing; each is looked up on its own and only then compared.  Coordinated phrases share
words, so a short conjunct borrows them from the long one:

>>> split_question("社保基金一季度的收入和支出哪个多")
['社保基金一季度的收入', '社保基金一季度的支出']
>>> split_question("养老保险和失业保险的参保人数哪个多")
['养老保险的参保人数', '失业保险的参保人数']
>>> split_question("培训券发了多少张、培训了多少人次")
['培训券发了多少张', '培训了多少人次']
>>> split_question("春风行动发布的岗位数大概是春季专场岗位的几倍？")
['春风行动发布的岗位数', '春季专场岗位']
>>> split_question("Were there more migrant workers transported than jobs posted?")
['migrant workers transported', 'jobs posted']
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..language import Lexicon, lexicon
from ..text import has_han, normalize

# Conjunctions that join the things compared or asked (matched as whole jieba words in Chinese).
_ZH_JOINERS = {"和", "与", "跟", "及", "以及", "还有", "、", "还是", "或", "或者", "同", "，", ",", "；", ";", "对比", "相比", "vs",
               "？", "?", " "}
_EN_JOINER = re.compile(r"\s*(?:,\s*)?\b(?:and|or|vs\.?|versus|compared (?:with|to)|as against|with)\b\s*|\s*[,;]\s*")
_ZH_THAN = re.compile(r"^(?P<a>.+?)(?<![同环对相占])比(?![较例重率])(?P<b>.+?)(?:还|更|要)?(?:多|少|高|低|大|小)")
_ZH_OR = re.compile(r"^(?P<a>.+?)(?:多|高|大|少|低)[,，]?还是(?P<b>.+?)(?:多|高|大|少|低)?(?:呢|啊|吗)?[？?]*$")
# 「哪个访问量大」「谁的参保人数多」: the measure between "which" and "more" is what every part asks.
_ZH_WHICH = re.compile(r"(?:哪个|哪一个|哪项|哪一项|哪种|哪边|谁|边个|边一个)(?:的)?(?P<measure>[^，,。？?]{0,16}?)(?:要|还)?(?:更|比较|较|最)?(?:多|高|大|少|低|小)")
# "Which has more visits: A or B?"
_EN_WHICH = re.compile(r"^\s*which\b[^:]{0,60}?\b(?:more|larger|bigger|higher|greater|fewer|smaller|lower|less)\b(?P<measure>[^:]*):(?P<rest>.+)$", re.I)
_COMPARATIVE = r"(?:more|fewer|less|larger|bigger|higher|greater|smaller|lower)"
_EN_THAN = re.compile(rf"\b{_COMPARATIVE}\b\s+(?P<a>.+?)\s+than\s+(?P<b>.+?)\s*[?.!]*$")
_EN_X_THAN = re.compile(rf"^(?:was|is|were|are|did|does|do|has|have)\s+(?!there\b)(?P<a>.+?)\s+{_COMPARATIVE}(?P<m>(?:\s+[a-z-]+){{0,3}}?)\s+than\s+(?P<b>.+?)\s*[?.!]*$")
# "So the social insurance platform has had more visits than that one?": the same, said as a statement
_EN_X_HAS_THAN = re.compile(rf"^(?:(?:so|and|but)\s+)?(?!there\b)(?P<a>.+?)\s+(?:has had|have had|has|have|had|got|gets|offers|offered)"
                            rf"\s+{_COMPARATIVE}(?P<m>(?:\s+[a-z-]+){{1,3}}?)\s+than\s+(?P<b>.+?)\s*[?.!]*$")
# 「A大概是B的几倍」 "A is how many times B"
_ZH_TIMES = re.compile(r"^(?P<a>.+?)(?:大概|大约|约|差不多)?(?:是|为|相当于)(?P<b>.+?)的(?:几|多少|幾)倍")
# 「A是不是B的两倍多」「A有B的三倍以上吗」: a multiple stated, to be checked
_ZH_TIMES_STATED = re.compile(r"^(?P<a>.+?)(?:大概|大约|约|差不多)?(?:是不是|是否|有没有|是|为|相当于|有|超过|不到|不足)"
                              r"(?P<b>[^，,？?]+?)的(?P<n>\d+(?:\.\d+)?|[一二两三四五六七八九十]|半)倍(?P<more>多|以上|还多)?")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "半": 0.5}
_EN_TIMES = re.compile(r"^(?:how many times\s+(?:larger|bigger|more|greater|higher)?\s*(?:is|was|are|were)\s+(?P<a>.+?)\s+than\s+(?P<b>.+?)"
                       r"|(?P<a2>.+?)\s+(?:is|was|are|were)\s+how many times\s+(?:as (?:large|big|many|much) as\s+)?(?P<b2>.+?))\s*[?.!]*$", re.I)
# A part's share of a whole, the whole named first or after 占 (``{w}``: ``[share_of]`` in cues.toml;
# ``{s}``: ``[share_words]``, a share itself): 「A占B的一半以上吗」「A是B的三分之一吗」「A在B中占比多少」
# 「B里，A的占了一半以上吗」「76项服务里，跨省通办的是不是超过一半」.  「B里A有多少」 asks a count among
# B, not a share.
_ZH_SHARE = ("^(?P<b>.+?)(?:里|中|里面|当中|之中|里头)[，,]?(?:其中)?(?P<a>.+?)的?占了?{n}(?:{w})",
             "^(?P<b>.+?)(?:里|中|里面|当中|之中|里头)[，,]?(?:其中)?(?P<a>.+?)的?(?:是不是|是否|有没有|有|是|超过|达到|不到)了?"
             "(?:超过|达到|不到|至少|有)?{n}(?:{s})",
             "^(?P<a>.+?)在(?P<b>.+?)(?:里|中|当中|之中)(?:的|占了?)?{n}(?:{w})",
             "^(?P<a>.+?)占了?(?P<b>.+?)的?{n}(?:{w})",
             "^(?P<a>.+?)(?:是|为|达到)了?(?P<b>.+?)的{n}(?:{s})",
             "^(?P<a>.+?)(?:{r})了?(?P<b>.+?)的{n}(?:{s})")   # 「支出不到收入的三分之二」 ({r}: relation words)
# "what share of B is A", "are at least a third of B also A", "is A more than half of B"
_EN_AMOUNT = r"(?:at least|more than|over|under|less than|fewer than|about|roughly|nearly|almost)?\s*(?:a|an|one|two|three)?\s*"
_EN_SHARE = (r"^(?:what|which)\s+(?:{s})\s+of\s+(?P<b>.+?)\s+(?:is|are|was|were|do|does)\s+(?P<a>.+?)(?:\s+account for|\s+make up)?\s*[?.!]*$",
             r"^(?:is|are|was|were)\s+" + _EN_AMOUNT + r"(?:{s})\s+of\s+(?P<b>.+?)\s+(?:also|(?:is|are|was|were)(?:\s+also)?)\s+(?P<a>.+?)\s*[?.!]*$",
             r"^(?:is|are|was|were|do|does|did)\s+(?P<a>.+?)\s+(?:account for\s+|make up\s+|represent\s+|amount to\s+)?"
             + _EN_AMOUNT + r"(?:{s})\s+of\s+(?P<b>.+?)\s*[?.!]*$")
_RELATIONS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}   # [relation] tables of cues.toml → relation
_SHORT = 4          # a conjunct this short (characters) is an elliptical one: 收入 … 支出
_TRIM = " ，,。？?！!：:的比"


def split_question(question: str, lex: Lexicon | None = None, complete: bool = True) -> list[str]:
    """The sub-questions of a comparison or double ask, or ``[]`` when it is not one.

    ``complete=False`` gives the conjuncts as written, before short ones borrow shared words.
    """
    lex = lex or lexicon()
    text = normalize(question).strip()
    if m := _ZH_TIMES.search(text) or _EN_TIMES.search(text) or _ZH_TIMES_STATED.search(text):
        a, b = (_tidy(m.group(x) or m.group(f"{x}2") or "") for x in ("a", "b"))
        if a and b:
            if complete and _size(b) <= _SHORT and _size(a) >= _size(b) + 2 and not (b.isascii() or points_back(b, lex)):
                b += _after_parallel_head(a, b)
            return [a, b]
    for pattern in (_ZH_THAN, _EN_X_THAN, _EN_X_HAS_THAN, _EN_THAN):
        m = pattern.search(text)
        if m and not re.search(r"[，,。？?]|哪|谁|边个", m.group("b")):   # (「A跟B比谁多」 asks which)
            a, b = (re.sub(r"^(were there|was there|are there|is there|did|do|does)\s+", "", _tidy(m.group(x)))
                    for x in ("a", "b"))
            if not (a and b):
                return []
            measure = m.groupdict().get("m") or ""
            if measure.strip():   # "does X offer more nationwide services than Y": both are about the services
                a, b = f"{a}{measure}", f"{b}{measure}"
            # 「A参保人数比B多吗」: B stands for A's subject, so it takes A's measure.  (「比这个多吗」 points
            # back at an answer: the conversation gives that side)
            if complete and _size(b) <= _SHORT and _size(a) >= _size(b) + 2 and not (b.isascii() or points_back(b, lex)):
                b += _after_parallel_head(a, b)
            if complete and a.isascii() and b.isascii():
                b = _one_standing_for(a, b)
            return [a, b]
    m = _ZH_OR.search(text)   # 「修订的多还是新增的多」
    if m and len(_tidy(m.group("b"))) >= 2:
        a, b = _tidy(m.group("a")), _tidy(m.group("b"))
        return _complete([a, b]) if complete else [a, b]
    measure = ""
    compared = True   # (which of them is more: a comparison)
    if m := _EN_WHICH.search(text):
        measure, text = m.group("measure").strip(), m.group("rest")
    elif m := _ZH_WHICH.search(text):
        measure, text = m.group("measure").strip("的 "), text[:m.start()] + text[m.end():]
    else:
        compared = False
    for name in ("compare", "difference", "several"):
        m = lex.cue(name).search(text.lower())
        compared = compared or (bool(m) and name != "several")
        if m and not m.group(0).startswith("and "):
            text = (text[:m.start()] + ("" if _is_chinese(m.group(0)) else " ") + text[m.end():]).strip()
    text = re.sub(r"^(which|what)\s+(is|was|were|are|one)?\s*", "", text, flags=re.I).strip(" ,")
    parts = [_tidy(p) for p in _conjuncts(text)]
    parts = [p for p in parts if len(p) >= 2 and not _a_time_frame(p, lex)]   # (「今年头三个月，…」 is no side)
    if compared and len(sides := [p for p in parts if len(bare(p, lex, measures=True)) >= 2]) >= 2:
        parts = sides   # 「…，人数相差多少」「到底哪个大」: the comparison's own ask, not a side
    if len(parts) < 2:
        return []
    if not complete:
        return parts
    parts = _complete(parts)
    if measure and not all(measure in p for p in parts):
        parts = [p if measure in p else f"{p}{' ' if p.isascii() else ''}{measure}" for p in parts]
    return parts


@functools.lru_cache(maxsize=4)
def _english_multiple(lex: Lexicon) -> re.Pattern:
    """"more than four times the …", "twice the …": a multiple stated in English, its relation words
    (cues.toml [relation]) and number words (units.toml [english_numbers], [english_multiples]) from data."""
    relations = [w for key in ("gt", "ge", "lt", "le") for w in lex.words(f"cues.relation.{key}") if w.isascii()]
    said = "|".join(map(re.escape, sorted(relations, key=len, reverse=True)))
    counted = "|".join([r"\d+(?:\.\d+)?", *map(re.escape, lex.words("units.english_numbers"))])
    multiples = "|".join(map(re.escape, lex.words("units.english_multiples")))
    return re.compile(rf"\b(?:(?P<rel>{said})\s+)?(?:(?:roughly|about|nearly)\s+)?"
                      rf"(?:(?P<n>{counted}) times|(?P<m>{multiples}))\s+(?:the|as|that|its|their)\b")


def _english_relation(said: str, lex: Lexicon) -> str:
    """The relation a word of cues.toml [relation] states (">" for "more than"), "~" for none."""
    keys = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
    return next((rel for key, rel in keys.items() if said in lex.words(f"cues.relation.{key}")), "~")


def stated_multiple(question: str, lex: Lexicon | None = None) -> tuple[float, str, str] | None:
    """The multiple a question states of one figure over another, with its relation and text:
    「A是B的两倍多吗」 → (2, ">", "两倍"); 「A是B的三倍吗」 → (3, "~", "三倍"), or None.

    >>> stated_multiple("社保卡持卡人数是电子社保卡领用人数的两倍多吗")
    (2.0, '>', '两倍')
    >>> stated_multiple("Is the balance more than four times the spending?")
    (4.0, '>', 'four times')
    """
    lex = lex or lexicon()
    if (en := _english_multiple(lex).search(normalize(question).lower())) is not None:
        # "Is the balance more than four times the spending?" "…twice the spending?"
        n = en.group("n") or en.group("m")
        value = float(n) if n[0].isdigit() else float(lex.words("units.english_numbers").get(n)
                                                        or lex.words("units.english_multiples")[n])
        return value, _english_relation(en.group("rel") or "", lex), n if en.group("m") else f"{n} times"
    m = _ZH_TIMES_STATED.search(normalize(question))
    if m is None:
        return None
    n = m.group("n")
    value = float(n) if n[0].isdigit() else float(_CN_DIGITS[n])
    said = m.group(0)[len(m.group("a")):]
    relation = ">" if m.group("more") or "超过" in said[:4] else ("<" if re.match(r"(?:不到|不足)", said) else "~")
    return value, relation, f"{n}倍"


def split_share(question: str, lex: Lexicon | None = None) -> tuple[str, str] | None:
    """``(part, whole)`` when the question asks a part's share of a whole, else None.

    >>> split_share("一网通办的服务里，跨省通办的占了一半以上吗？")
    ('跨省通办', '一网通办的服务')
    >>> split_share("社保基金支出占收入的80%以上吗")
    ('社保基金支出', '社保基金收入')
    >>> split_share("What share of the one-stop online services are cross-province?")
    ('cross-province', 'the one-stop online services')
    >>> split_share("电子社保卡覆盖了多少人口") is None
    True
    """
    lex = lex or lexicon()
    text = normalize(question).strip()
    grammars = _share_grammars(lex)
    for grammar in grammars.split:   # Chinese and English: an English question may quote a Chinese term
        m = grammar.search(text)
        if not m:
            continue
        # 「A是不是占B的…」: the asking words belong to neither side
        a = _tidy(re.sub(r"(?:是不是|是否|有没有|是|有)$", "", _tidy(m.group("a"))))
        b = _tidy(re.sub(r"^(?:是不是|是否|有没有|不是)", "", _tidy(m.group("b"))))
        # 「支出大约占收入的…」「占收入大概几成」: an approximation word belongs to neither side
        a, b = (_tidy(grammars.approx.sub("", x)) for x in (a, b))
        if len(a) < 2 or len(b) < 2 or any(lex.cue(name)(x) for name in ("number", "share_words", "verify") for x in (a, b)):
            continue
        # 「社保基金支出占收入」: a bare measure as the whole borrows the part's subject (持卡人 does not).
        if _is_chinese(b) and len(b) <= 2 < len(a):
            b = _before_parallel_tail(a, b) + b
        return a, b
    return None


def share_relation(question: str, lex: Lexicon | None = None) -> str | None:
    """The relation a relation word before the whole asks (「支出不到收入的三分之二」: ``<``), or None.

    >>> share_relation("失业的不到工伤的一半吧")
    '<'
    """
    grammars = _share_grammars(lex or lexicon())
    m = grammars.relation.search(normalize(question))
    return grammars.symbols[m.group("rel")] if m else None


@dataclass(frozen=True)
class _ShareGrammars:
    split: tuple[re.Pattern, ...]   # _ZH_SHARE, then _EN_SHARE, with the lexicon's words filled in
    relation: re.Pattern            # a relation word, then the whole and 的 and a share
    symbols: dict[str, str]         # relation word → relation
    approx: re.Pattern              # an approximation word closing a side (大约, 差不多)


@functools.lru_cache(maxsize=4)
def _share_grammars(lex: Lexicon) -> _ShareGrammars:
    """The share grammars compiled once per lexicon (they run on every question)."""
    symbols = {w: symbol for kind, symbol in _RELATIONS.items() for w in lex.words(f"cues.relation.{kind}") if has_han(w)}
    relation_words = "|".join(map(re.escape, sorted(symbols, key=len, reverse=True)))
    share_words = lex.cue("share_words").regex.pattern
    count = "(?:[一二三四五六七八九十两\\d.]+)?"   # 三|分之二
    words = {"w": lex.cue("share_of").regex.pattern, "s": share_words, "n": count, "r": relation_words}
    return _ShareGrammars(
        tuple(re.compile(g.format(**words), re.I) for g in (*_ZH_SHARE, *_EN_SHARE)),
        re.compile(rf"(?P<rel>{relation_words})了?[^，,。？?]+?的{count}(?:{share_words})"), symbols,
        re.compile(f"(?:{'|'.join(re.escape(w) for w in lex.words('cues.relation.approx') if has_han(w))})$"))


def _is_chinese(text: str) -> bool:
    return bool(re.search(r"[\u3400-\u9fff]", text))


def _conjuncts(text: str) -> list[str]:
    if not _is_chinese(text):
        return _english_conjuncts(text)
    from ..lexical import _jieba

    pieces, current = [], ""
    for token in _jieba().lcut(text):
        if token in _ZH_JOINERS:
            pieces.append(current)
            current = ""
        else:
            current += token
    return [*pieces, current]


_EN_TAIL = re.compile(r"\s(?:during|in|for|under|at|by|through|as of)\s[^,;]+$")


def _english_conjuncts(text: str) -> list[str]:
    """「X, A or B」 → A X, B X (X: what is compared); without "or", split at and / vs / commas.
    A closing phrase of the last part ("… during the Spring Breeze campaign") is the whole
    question's: earlier parts take it too."""
    parts = _english_split(text)
    if len(parts) >= 2 and (tail := _EN_TAIL.search(parts[-1].rstrip("?. "))):
        parts = [p if tail.group(0).strip() in p else p.rstrip("?. ") + tail.group(0) for p in parts[:-1]] + parts[-1:]
    return parts


def _english_split(text: str) -> list[str]:
    if " or " in text:
        parts = re.split(r"\s+or\s+", text)
        head, comma, first = parts[0].rpartition(",")
        if comma and head.strip():
            return [f"{_tidy(p)} {head.strip()}" for p in (first, *parts[1:])]
        return parts
    return _EN_JOINER.split(text)


def bare(piece: str, lex: Lexicon, measures: bool = False) -> str:
    """``piece`` without its asking words (多少, 截至什么时候, 到底), and without the words any
    measure is named with (人数, 规模) if ``measures``: what is left names its subject.

    >>> bare("截至什么时候", lexicon()), bare("人数相差多少", lexicon(), measures=True)
    ('', '')
    """
    key = normalize(piece)
    names = ("when", "number", "day", "ordinal", "verify", "figure", "ask_fillers")
    for name in names + (("compare", "difference", "smaller") if measures else ()):
        if (regex := lex.cue(name).regex) is not None:
            key = regex.sub("", key)
    if measures:
        for word in sorted(lex.words("cues.generic_label_words.zh"), key=len, reverse=True):
            key = key.replace(word, "")
    return re.sub(r"[\s？?，,。!！:：]", "", key)


def points_back(piece: str, lex: Lexicon) -> bool:
    """Whether ``piece`` is only words pointing back (「这个」「刚才那个」 "that one"): a side the
    conversation gives.

    >>> points_back("刚才那个", lexicon()), points_back("电子社保卡", lexicon())
    (True, False)
    """
    return not lex.cue("back_reference").regex.sub("", normalize(piece)).strip(" 的一")


def _a_time_frame(piece: str, lex: Lexicon) -> bool:
    """Whether ``piece`` only says when the question is about (「今年头三个月」「3月份」), not a time to
    compare with (「去年」「同期」: those stay sides, see analyze)."""
    relative = lex.words("scope.periods.relative_years")
    key = normalize(piece)
    if any(w in key for w, offset in relative.items() if offset) or any(w in key for w in lex.words("scope.periods.earlier.words")):
        return False
    key = re.sub(r"\d+月份?|[\s？?，,。!！:：的]", "", key)
    for word in sorted([*lex.words("scope.periods.months"), *relative], key=len, reverse=True):
        key = key.replace(word, "")
    return len(key) < 2


def _one_standing_for(a: str, b: str) -> str:
    """"(people hold) the physical card than the digital one": "the digital one" is the other side with
    its noun's modifier swapped ("people hold the digital card")."""
    m = re.fullmatch(r"(?:the |a |an )?(?P<mod>[a-z-]+) ones?", b)
    noun = list(re.finditer(r"\b(?:the|a|an) (?P<mod>[a-z-]+) (?P<noun>[a-z-]+)\b", a))
    if not m or not noun:
        return b
    last = noun[-1]
    return a[:last.start("mod")] + m.group("mod") + a[last.end("mod"):]


def _tidy(part: str) -> str:
    return part.strip(_TRIM).strip()


def _size(text: str) -> int:
    """Characters of Chinese text; words of English text, counted as two characters each."""
    return 2 * len(text.split()) if text.isascii() else len(text)


def _complete(parts: list[str]) -> list[str]:
    """Give each short conjunct the words it shares with the longest one (see module docstring)."""
    longest = max(parts, key=_size)
    at = parts.index(longest)
    out = []
    for i, part in enumerate(parts):
        if longest.isascii() and part.isascii() and i < at:
            out.append(_english_head(part, longest))
        elif i == at or _size(part) > _SHORT or _size(longest) < _size(part) + 2 or (part.isascii() and " " in part):
            out.append(part)
        elif i < at:
            out.append(part + _after_parallel_head(longest, part))
        else:
            out.append(_before_parallel_tail(longest, part) + part)
    return out


def _english_head(short: str, longest: str) -> str:
    """「how many nationwide」 + 「how many local services does …」 → 「how many nationwide services does …」:
    after the words both start with, the short one's remaining word stands for the long one's."""
    a, b = short.lower().split(), longest.split()
    shared = 0
    while shared < min(len(a), len(b)) and a[shared] == b[shared].lower():
        shared += 1
    rest = a[shared:]
    if not rest or len(rest) > 2 or len(b) - shared < len(rest) + 1:
        return short
    return " ".join([*b[:shared], *short.split()[shared:], *b[shared + len(rest):]])


def _after_parallel_head(longest: str, short: str) -> str:
    """What follows the head of ``longest`` that ``short`` stands in for (失业保险|的参保人数)."""
    ascii_text = longest.isascii()
    if ascii_text:
        words = longest.split()
        return " " + " ".join(words[1:]) if len(words) > 1 else ""
    for k in range(2, len(longest)):
        if longest[k - 1] == short[-1]:
            return longest[k:]
    return longest[len(short):]


def _before_parallel_tail(longest: str, short: str) -> str:
    """What precedes the tail of ``longest`` that ``short`` stands in for (社保基金一季度的|收入)."""
    if longest.isascii():
        words = longest.split()
        return " ".join(words[:-1]) + " " if len(words) > 1 else ""
    for k in range(len(longest) - 2, 0, -1):
        if longest[k] == short[0]:
            return longest[:k]
    return longest[:len(longest) - len(short)]
