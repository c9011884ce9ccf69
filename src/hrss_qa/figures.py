"""Figures stage: every number in a briefing, with its unit, qualifier and what it measures.

Users ask mostly for numbers, and the worst failure is a changed or invented one, so a
figure keeps its source text verbatim (``text``), its exact span, and a base-unit
``value`` computed with :class:`decimal.Decimal` (``10.52億`` is ``1052000000.0``, not
``1052000000.0000001``).

>>> [(f.text, f.value, f.label) for f in extract_figures("1-3月城鎮新增就業297萬人,失業率為5.3%。")]
[('1-3月', None, '城鎮新增就業'), ('297萬人', 2970000.0, '城鎮新增就業'), ('5.3%', 5.3, '失業率')]

Span rule: a qualifier written next to the number (``超過``/``近``/``約`` before it,
``余``/``多`` inside it, ``以上``/``左右`` after the unit) is part of ``text`` and of the
span; a date's preposition (``截至3月底``) is not.

Kinds: ``date`` (a point: ends in 日/底/末/初/旬), ``period`` (a year, quarter, month or
month range), ``percent`` (``%`` or ``百分之``, unit ``%``; ``個百分點``), ``ordinal`` (``第N屆``),
``count`` (a whole number of items counted with a classifier and no 萬/億, Arabic or
Chinese: ``十項``, ``三年``, ``4個``, ``1000余項``), ``quantity`` (everything else: written
with 萬/億, a measure unit such as 人/人次/元, or no unit).

Label rules (the label is always made of the source's own characters, never of
figure text, except inside a quoted name):

1. Clauses are split at ``, ， ; ； : ： 。 ! ?`` and newlines (not at ``、``).  Dates and
   periods, with a preposition such as 截至/至/在 before them, are dropped from labels.
2. A figure followed by its noun (a classifier/%/bare-萬 figure followed by a Chinese
   character: ``推出197場各類特色服務活動``) is labelled by the clause with the figure
   taken out: ``活動主會場推出各類特色服務活動``.  Otherwise (``累計訪問量超過47億人次``)
   the label is the words before it in the clause: ``累計訪問量``.  A trailing copula
   (為/是/達/達到/約/分別為...) and a leading 其中/為 are trimmed.
3. Several figures in one clause split it: ``A、B、C參保人數分別為x、y、z`` gives
   ``A…參保人數``, ``B…``, ``C…`` (the head is what follows the last item's first
   len(middle item) characters); ``X總收入a、總支出b`` gives ``X總支出`` for b (a parallel
   item replaces the equal-length tail starting with the same character); a noun list
   ``開通87項全國服務、1000余項屬地服務`` repeats the verb: ``…開通屬地服務``.
4. A clause that starts with a relational verb (覆蓋, 占, 同比, 增長...) borrows the label of
   the previous figure in the sentence: ``持卡人數13.7億人,覆蓋97%人口`` →
   ``…持卡人數覆蓋人口``.
5. A figure inside a quoted name (“新八級工”) is labelled by the name.
6. A date or period is labelled by its clause without figures, or, when it stands alone
   (``截至3月底,``), by the next clause of the sentence without figures.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from hrss_qa.text import fold_width

__all__ = ["Figure", "extract_figures", "parse_number"]

# --- number words ---------------------------------------------------------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"萬": 10**4, "万": 10**4, "億": 10**8, "亿": 10**8}
_MAGNITUDE = {**_CN_SMALL, **_CN_BIG}

# Measure units: a number with one of these measures an amount (quantity), and the unit
# ends the phrase, so the figure never modifies a following noun.
_MEASURE_UNITS = ("個百分點", "个百分点", "百分點", "百分点", "人次", "人", "次", "美元", "元",
                  "噸", "吨", "公里", "平方米", "公頃", "公顷", "畝", "亩", "小時", "小时",
                  "歲", "岁", "倍")
_PERCENT_UNITS = ("個百分點", "个百分点", "百分點", "百分点")
# Classifiers: a whole number with one of these counts items (count) and usually
# precedes the counted noun (``72個專業``).
_CLASSIFIERS = ("部門", "部门", "個月", "个月", "個", "个", "家", "張", "张", "場", "场", "項",
                "项", "屆", "届", "批", "所", "戶", "户", "名", "位", "件", "條", "条", "類",
                "类", "種", "种", "套", "臺", "台", "輛", "辆", "篇", "座", "支", "份", "筆",
                "笔", "省", "市", "縣", "县", "期", "輪", "轮", "級", "级", "年", "天", "周", "週")
# After Chinese numerals only unambiguous classifiers: 十一期(間), 四周 (surroundings)
# and the like are words, not counts.
_CN_CLASSIFIERS = tuple(c for c in _CLASSIFIERS if c not in ("期", "周", "週", "市", "台"))
_ORD_CLASSIFIERS = _CLASSIFIERS + ("次", "章", "節", "节", "款", "部分", "階段", "阶段", "代")
_TIME_UNITS = ("年", "個月", "个月", "天", "周", "週")


def _alt(words: tuple[str, ...]) -> str:
    return "|".join(map(re.escape, sorted(set(words), key=len, reverse=True)))


_NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?(?![0-9A-Za-z])"
_MAG = r"(?:萬億|万亿|[千百]?(?:萬|万|億|亿)|千)"
_CNRUN = r"[零〇一二兩两三四五六七八九十百千萬万億亿]+"
_QUAL_BEFORE = r"(?:超過|超过|將近|将近|接近|不到|不足|逾|近|約|约|超)"
_QUAL_INSIDE = r"(?:余|餘|馀|多)"
_QUAL_AFTER = r"(?:以上|以下|左右)"
_Y = r"(?:(?:1[89]|2[01])[0-9]{2}|[〇零一二三四五六七八九]{4})年"
_M = r"(?:1[0-2]|0?[1-9])"
_DAY = r"(?:3[01]|[12][0-9]|0?[1-9])[日號号]"
_MONTHS = rf"{_M}(?:[-－—–~～至到]{_M})?月(?:{_DAY}|份|底|末|初|上旬|中旬|下旬)?"
_QUARTER = r"(?:前|第)?[一二三四1-4]季度"
# A date said relative to the document's year (截至去年底): a point in time, like 3月底.
_RELATIVE_DATE = r"(?:去年|今年|明年|上年|本年)(?:底|末|初)"
# A magnitude said as a word before a noun (啟動百萬就業見習崗位募集計劃): a figure without numerals.
_WORD_MAGNITUDE = r"(?:百萬|百万|千萬|千万)(?=[\u4e00-\u9fff])"

# Matched on width-folded text (same length as the input, so spans carry over).
# Alternatives are tried in order at each position: dates before plain numbers.
_FIGURE_RE = re.compile(
    rf"(?<![0-9.])(?P<date>{_Y}(?:底|末|初|上半年|下半年|{_QUARTER}|{_MONTHS})?|{_MONTHS}|{_QUARTER}"
    rf"|(?:3[01]|[12][0-9]|0?[1-9])日|{_RELATIVE_DATE})"
    rf"|(?<![零〇一二兩两三四五六七八九十百千萬万億亿])(?P<wmag>{_WORD_MAGNITUDE})"
    rf"|第(?:(?P<ord_ar>[0-9]+)(?P<ord_u_ar>{_alt(_ORD_CLASSIFIERS)})?"
    rf"|(?P<ord_cn>{_CNRUN})(?P<ord_u_cn>{_alt(_ORD_CLASSIFIERS)}))"
    rf"|(?P<qb>{_QUAL_BEFORE})?(?<![0-9A-Za-z.])(?:"
    rf"(?P<pct>{_NUM})(?P<pct_q>{_QUAL_INSIDE})?(?P<pct_u>%)"
    rf"|百分之(?P<pct_w>{_NUM}|{_CNRUN})"
    rf"|(?P<num>{_NUM})(?P<qi1>{_QUAL_INSIDE})?(?P<mag>{_MAG})?(?P<qi2>{_QUAL_INSIDE})?"
    rf"(?P<unit>{_alt(_MEASURE_UNITS + _CLASSIFIERS)})?"
    rf")(?P<qa>{_QUAL_AFTER})?"
    rf"|(?P<cn>{_CNRUN})(?P<cn_unit>{_alt(_CN_CLASSIFIERS)})"
)


def _parse_chinese(run: str) -> int | None:
    """Value of a Chinese numeral (``十六`` → 16, ``三千萬`` → 30000000, ``二〇二三`` → 2023)."""
    if not run or any(ch not in _CN_DIGITS and ch not in _MAGNITUDE for ch in run):
        return None
    if all(ch in _CN_DIGITS for ch in run):  # positional, as in years
        return int("".join(str(_CN_DIGITS[ch]) for ch in run))
    total = section = 0
    digit: int | None = None
    for ch in run:
        if ch in _CN_DIGITS:
            if digit not in (None, 0) and _CN_DIGITS[ch] != 0:
                return None  # two digits in a row (十五六): a range, not a number
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        elif ch in ("萬", "万"):
            section = (section + (digit or 0)) * 10**4 or 10**4  # a bare 萬 is one 萬
            digit = None
        else:  # 億 scales everything before it, so 萬億 is 10**12
            total = (total + section + (digit or 0)) * 10**8 or 10**8
            section, digit = 0, None
    return total + section + (digit or 0)


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _to_float(value: Decimal | int | None) -> float | None:
    if value is None:
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def parse_number(text: str) -> float | None:
    """Value of a number word in base units, or ``None`` when ``text`` is not one.

    Accepts Arabic digits (half- or full-width, with thousands commas) followed by
    magnitudes, Chinese numerals, Traditional or Simplified, and a trailing ``%`` or a
    leading ``百分之`` (the percentage itself is returned).

    >>> parse_number("2.04萬億"), parse_number("２９７万"), parse_number("十六")
    (2040000000000.0, 2970000.0, 16.0)
    """
    s = fold_width(str(text)).strip()
    if s.startswith("百分之"):
        s = s[3:]
    elif s.endswith("%"):
        s = s[:-1]
    m = re.fullmatch(r"([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(\.[0-9]+)?([十百千萬万億亿]*)", s)
    if m:
        number = _decimal(m.group(1) + (m.group(2) or ""))
        if number is None:
            return None
        for ch in m.group(3):
            number *= _MAGNITUDE[ch]
        return _to_float(number)
    return _to_float(_parse_chinese(s))


# --- the figure ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Figure:
    """One number as written in the source, with what it measures.

    >>> extract_figures("發放職業培訓券超過261萬張")[0].display_value
    '超過 2,610,000 張'
    """

    text: str
    value: float | None
    unit: str
    qualifier: str
    label: str
    kind: str
    start: int
    end: int

    @property
    def display_value(self) -> str:
        """A normalized rendering that never changes the number.

        Figures written with 億 keep that form and add the base units:
        ``2.04 萬億元 (2,040,000,000,000 元)``; others show base units: ``2,970,000 人``.
        """
        if self.value is None:
            return self.text
        # Put each qualifier back where it was written: 超過 before, 余/多 inside, 左右 after.
        lead = re.match(_QUAL_BEFORE, self.text)
        before = lead.group(0) if lead and self.qualifier.startswith(lead.group(0)) else ""
        rest = self.qualifier[len(before):]
        tail = next((q for q in ("以上", "以下", "左右") if rest.endswith(q)), "")
        inside = rest[: len(rest) - len(tail)]
        number = _format(self.value)
        if self.kind == "percent":
            unit = "%" if self.unit in ("%", "％") else " " + self.unit
            return _join(before, f"{number}{inside}{unit}{tail}")
        if self.kind == "ordinal":
            return f"第 {number} {self.unit}".rstrip()
        unit = f" {self.unit}" if self.unit else ""
        written = re.search(r"([0-9０-９.,．]+)[余餘馀多]?(萬億|万亿|[千百]?[億亿])", self.text)
        if written:
            digits = fold_width(written.group(1)).replace(",", "")
            big = f"{digits}{inside} {written.group(2)}{self.unit}{tail}"
            return _join(before, f"{big} ({number}{inside}{unit}{tail})")
        return _join(before, f"{number}{inside}{unit}{tail}")


def _join(qualifier: str, rest: str) -> str:
    return f"{qualifier} {rest}" if qualifier else rest


def _format(value: float) -> str:
    if value.is_integer():
        return f"{int(value):,}"
    return f"{Decimal(repr(value)):,f}"


@dataclass
class _Raw:
    start: int
    end: int
    kind: str
    value: float | None
    unit: str
    qualifier: str


def _raw_figure(m: re.Match[str], text: str) -> _Raw | None:
    """Turn one regex match into a figure, or ``None`` when the words are not a number."""
    g = m.groupdict()
    start, end = m.start(), m.end()
    src = lambda name: text[m.start(name):m.end(name)] if g[name] is not None else ""  # noqa: E731
    if g["date"]:
        kind = "date" if re.search(r"[日號号底末初旬]$", g["date"]) else "period"
        return _Raw(start, end, kind, None, "", "")
    if g["wmag"]:
        return _Raw(start, end, "quantity", parse_number(g["wmag"]), "", "")
    if g["ord_ar"] or g["ord_cn"]:
        value = parse_number(g["ord_ar"] or g["ord_cn"])
        if value is None:
            return None
        return _Raw(start, end, "ordinal", value, src("ord_u_ar") or src("ord_u_cn"), "")
    if g["cn"]:
        run = g["cn"]
        if not re.search("[零〇一二兩两三四五六七八九十]", run) or run == "一":
            return None  # 百年/萬家 are words; 一批/一項 mostly mean "a", not "one"
        if all(ch in _CN_DIGITS for ch in run) and len(run) > 1:
            return None  # 三四家: an approximate range
        value = parse_number(run)
        if value is None:
            return None
        kind = "quantity" if re.search("[萬万億亿]", run) else "count"
        return _Raw(start, end, kind, value, src("cn_unit"), "")
    qualifier = src("qb") + src("pct_q") + src("qi1") + src("qi2") + src("qa")
    if g["pct"] is not None or g["pct_w"] is not None:
        value = parse_number(g["pct"] or g["pct_w"])
        unit = src("pct_u") or "%"  # 百分之五十 has no unit character: report it as %
        return _Raw(start, end, "percent", value, unit, qualifier) if value is not None else None
    number = _decimal(g["num"])
    if number is None:
        return None
    for ch in g["mag"] or "":
        number *= _MAGNITUDE[ch]
    unit = src("unit")
    if g["qb"] == "近" and unit in _TIME_UNITS:
        # 近3年 means "the last 3 years", not "nearly 3 years".
        start, qualifier = m.start("num"), qualifier[1:]
    if unit in _PERCENT_UNITS:
        kind = "percent"
    elif unit in _CLASSIFIERS and not g["mag"] and number == number.to_integral_value():
        kind = "count"
    else:
        kind = "quantity"
    return _Raw(start, end, kind, _to_float(number), unit, qualifier)


# --- labels ----------------------------------------------------------------------------------

_CLAUSE_END = set(",;:。!?\n\r")  # full-width ，；：！？ fold to these
_SENTENCE_END = set("。!?\n\r")
_DATE_KINDS = ("date", "period")
_DATE_PREPOSITIONS = ("截止到", "截至", "截止", "到", "至", "自", "從", "从", "在", "于", "於")
_QUOTES = {"“": "”", "「": "」", "『": "』", "《": "》", "‘": "’"}
_EDGE = " \t、,，;；:："
_LEAD = ("其中", "為", "为", "是", "的")
_TRAIL = ("分別達到", "分别达到", "分別為", "分别为", "分別是", "分别是", "分別達", "分别达",
          "分別", "分别", "達到", "达到", "共計", "共计", "合計", "合计", "總計", "总计",
          "為", "为", "是", "達", "达", "約", "约", "至")
_NOT_COPULA = set("成作認认行因稱称")  # 成為, 作為...: 為 is part of the verb
_RELATIONAL = ("覆蓋", "覆盖", "占", "佔", "同比", "環比", "环比", "比上", "較上", "较上",
               "增長", "增长", "增加", "下降", "減少", "减少", "提高")
_LIST_SEP = "、"


def _tidy(label: str) -> str:
    """Trim separators, copulas and connectives left at a label's edges."""
    label = re.sub("、{2,}", "、", label)
    previous = None
    while label != previous:
        previous = label
        label = label.strip(_EDGE)
        # A quote cut in half by a figure or a clause edge is noise, not a name.
        if label and label[-1] in _QUOTES:
            label = label[:-1]
        if label and label[0] in _QUOTES and _QUOTES[label[0]] not in label:
            label = label[1:]
        if label and label[0] in _QUOTES.values():
            label = label[1:]
        if label and label[-1] in _QUOTES.values() and not any(
            o in label for o, c in _QUOTES.items() if c == label[-1]
        ):
            label = label[:-1]
        for word in _LEAD:
            if label.startswith(word) and len(label) > len(word):
                label = label[len(word):]
                break
        for word in _TRAIL:
            if label.endswith(word) and not (
                len(word) == 1 and len(label) > 1 and label[-2] in _NOT_COPULA
            ):
                label = label[: -len(word)]
                break
    return label


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _split(folded: str, figs: list[_Raw], ends: set[str]) -> list[tuple[int, int]]:
    """Spans between delimiters, ignoring delimiters inside figures (``1,000``)."""
    inside = {k for f in figs for k in range(f.start, f.end)}
    spans, begin = [], 0
    for k, ch in enumerate(folded):
        if ch in ends and k not in inside:
            spans.append((begin, k))
            begin = k + 1
    spans.append((begin, len(folded)))
    return spans


class _Labeller:
    """Works out every figure's label from the clause structure of ``text``."""

    def __init__(self, text: str, folded: str, figs: list[_Raw]) -> None:
        self.text, self.folded, self.figs = text, folded, figs
        self.labels = [""] * len(figs)
        # Figure text never appears in a label; a date takes its preposition with it.
        self.hidden = [False] * len(text)
        for f in figs:
            start = f.start
            if f.kind in _DATE_KINDS:
                for prep in _DATE_PREPOSITIONS:
                    if folded.startswith(prep, start - len(prep)) and start >= len(prep):
                        start -= len(prep)
                        break
            self.hidden[start:f.end] = [True] * (f.end - start)

    def piece(self, a: int, b: int) -> str:
        return "".join(ch for k, ch in enumerate(self.text[a:b], a) if not self.hidden[k])

    def run(self) -> list[str]:
        clauses = _split(self.folded, self.figs, _CLAUSE_END)
        sentence_starts = [s for s, _ in _split(self.folded, self.figs, _SENTENCE_END)]
        clause_starts = [s for s, _ in clauses]
        # Indexes by bisection keep long inputs linear-ish rather than clauses x figures.
        sentence_of = [bisect_right(sentence_starts, s) for s in clause_starts]
        members: list[list[int]] = [[] for _ in clauses]
        for i, f in enumerate(self.figs):
            members[bisect_right(clause_starts, f.start) - 1].append(i)
        for c, (cs, ce) in enumerate(clauses):
            measures = [i for i in members[c] if self.figs[i].kind not in _DATE_KINDS]
            if measures:
                self._measures(measures, cs, ce)
            for i in members[c]:
                if self.figs[i].kind in _DATE_KINDS:
                    same_sentence = c + 1 < len(clauses) and sentence_of[c + 1] == sentence_of[c]
                    self._date(i, clauses[c], clauses[c + 1] if same_sentence else None)
                quoted = self._quoted_name(i, cs, ce)
                if quoted is not None:
                    self.labels[i] = quoted
        self._relational([sentence_of[bisect_right(clause_starts, f.start) - 1] for f in self.figs])
        return self.labels

    def _date(self, i: int, clause: tuple[int, int], following: tuple[int, int] | None) -> None:
        label = _tidy(self.piece(*clause))
        if not label and following is not None:
            # 截至3月底, ...: a fronted time phrase scopes the next clause of its sentence.
            label = _tidy(self.piece(*following))
        self.labels[i] = label

    def _prenominal(self, i: int) -> bool:
        f = self.figs[i]
        if f.unit in _MEASURE_UNITS or f.end >= len(self.folded):
            return False
        nxt = self.folded[f.end]
        stacked = i + 1 < len(self.figs) and self.figs[i + 1].start == f.end
        return _is_han(nxt) or nxt in _QUOTES or stacked

    def _measures(self, idx: list[int], cs: int, ce: int) -> None:
        bounds = [cs] + [self.figs[i].end for i in idx]
        ends = [self.figs[i].start for i in idx] + [ce]
        segs = [self.piece(a, b) for a, b in zip(bounds, ends)]  # segs[j] precedes idx[j]
        pre = [self._prenominal(i) for i in idx]
        if self._respectively(idx, segs, pre):
            return
        k = len(idx)
        prefixes: list[str] = [""] * k
        stems: list[str | None] = [None] * k
        for j in range(k):
            seg = segs[j]
            right = _split_list(seg)[1] if j else None
            if pre[j]:
                stacked = not seg and self.figs[idx[j - 1]].end == self.figs[idx[j]].start
                if j and (right == "" or stacked):
                    prefixes[j] = prefixes[j - 1]  # 開通87項A、1000余項B: B shares 開通
                else:
                    prefixes[j] = right if right is not None else seg
                self.labels[idx[j]] = prefixes[j] + self._noun(j, idx, segs)
            elif j and right is not None and not pre[j - 1]:
                self.labels[idx[j]], stems[j] = self._parallel(right, idx[j - 1], stems[j - 1])
            else:
                self.labels[idx[j]] = right if right is not None else seg
        for i in idx:
            self.labels[i] = _tidy(self.labels[i])

    def _noun(self, j: int, idx: list[int], segs: list[str]) -> str:
        """The noun after a pre-nominal figure: up to the next figure or list separator."""
        seg = segs[j + 1]
        if j + 1 == len(idx):
            return seg
        if not seg and self.figs[idx[j]].end == self.figs[idx[j + 1]].start:
            return self._noun(j + 1, idx, segs)  # 第一批18個事項: both count 事項
        left, right = _split_list(seg)
        return left if right is not None else seg

    def _parallel(self, item: str, prev: int, stem: str | None) -> tuple[str, str | None]:
        """``X總收入a、總支出b``: b's label takes X when 總支出 replaces 總收入."""
        item = _tidy(item)
        if not item:
            return self.labels[prev], stem
        if stem is None:
            before = _tidy(self.labels[prev])
            tail = before[-len(item):]
            if len(before) > len(item) and tail[0] == item[0]:
                stem = before[: -len(item)]
        return (stem or "") + item, stem

    def _respectively(self, idx: list[int], segs: list[str], pre: list[bool]) -> bool:
        """``A、B、C參保人數分別為x、y、z``: one label per item, sharing the head noun."""
        k = len(idx)
        if k < 2 or any(pre) or any(s.strip() not in ("、", ",", "和", "及") for s in segs[1:k]):
            return False
        items = _tidy(segs[0]).split(_LIST_SEP)
        if len(items) != k or not all(items):
            return False
        middle = {len(x) for x in items[1:-1]}
        width = middle.pop() if len(middle) == 1 else len(items[0]) if k == 2 else 0
        last = items[-1]
        head = last[width:] if 0 < width < len(last) else ""
        for i, item in zip(idx, items):
            self.labels[i] = _tidy(item if item is last else item + head)
        return True

    def _quoted_name(self, i: int, cs: int, ce: int) -> str | None:
        f = self.figs[i]
        for opening, closing in _QUOTES.items():
            o = self.folded.rfind(opening, cs, f.start)
            if o >= 0 and self.folded.find(closing, o, f.start) < 0:
                c = self.folded.find(closing, f.end, ce)
                if c >= 0:
                    return self.text[o + 1 : c]
        return None

    def _relational(self, sentence_of: list[int]) -> None:
        previous: int | None = None
        for i, f in enumerate(self.figs):
            if f.kind in _DATE_KINDS:
                continue
            if previous is not None and sentence_of[previous] != sentence_of[i]:
                previous = None
            if previous is not None and self.labels[i].startswith(_RELATIONAL):
                self.labels[i] = self.labels[previous] + self.labels[i]
            previous = i


def _split_list(seg: str) -> tuple[str, str | None]:
    """Split ``noun、next`` at the last list separator; ``None`` when there is none."""
    k = seg.rfind(_LIST_SEP)
    if k >= 0:
        return seg[:k], seg[k + 1 :]
    return seg, None


def extract_figures(text: str, offset: int = 0) -> list[Figure]:
    """Every figure in ``text``, in text order; ``start``/``end`` are shifted by ``offset``.

    >>> f = extract_figures("基本養老、失業保險參保人數分別為10.52億人、2.37億人")[1]
    >>> f.text, f.value, f.label
    ('2.37億人', 237000000.0, '失業保險參保人數')
    """
    text = str(text)
    folded = fold_width(text)
    if len(folded) != len(text):  # cannot happen with fold_width; keep spans honest anyway
        return []
    raws = [r for m in _FIGURE_RE.finditer(folded) if (r := _raw_figure(m, text)) is not None]
    labels = _Labeller(text, folded, raws).run()
    return [
        Figure(text[r.start:r.end], r.value, r.unit, r.qualifier, label, r.kind,
               r.start + offset, r.end + offset)
        for r, label in zip(raws, labels)
    ]
