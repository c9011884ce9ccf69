"""What the briefing cannot answer: other periods, other places, topics it never covers.

A retriever always returns *something*; these checks decide when that something does not
answer the question, so the answer can say so instead of quoting a near miss.  Each check
compares a constraint found in the question with the evidence passage (for periods and
places) or with the whole corpus (for topics):

* **period** — 二季度, 上半年, 2022年全年, 4月份 … must be stated in the evidence
  (1-3月 covers 1月/2月/3月; the briefing's own year is implied everywhere);
* **place** — a province or city must be named in the evidence (the briefing reports
  national figures);
* **topic** — a ministry topic from :data:`TOPICS` must occur somewhere in the corpus.

All matching runs on :func:`hrss_qa.text.normalize` keys, so scripts do not matter.

>>> problems = scope_problems("二季度城镇新增就业多少人？", "1-3月城鎮新增就業297萬人", "…", doc_year=2023)
>>> [(p.kind, p.term) for p in problems]
[('period', '二季度')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from .text import normalize

# Provinces, municipalities, SARs and large cities (Simplified, short forms), plus English names.
PLACES = (
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 "
    "四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 深圳 广州 杭州 南京 武汉 成都 "
    "西安 苏州 郑州 长沙 沈阳 大连 青岛 济南 厦门 宁波 合肥 福州 昆明 哈尔滨 长春 石家庄 太原 南昌 南宁 贵阳 "
    "兰州 乌鲁木齐 呼和浩特 银川 西宁 拉萨 海口 东莞 佛山 无锡 温州"
).split()
PLACES_EN = {
    "beijing": "北京", "shanghai": "上海", "tianjin": "天津", "chongqing": "重庆", "guangdong": "广东",
    "shenzhen": "深圳", "guangzhou": "广州", "zhejiang": "浙江", "jiangsu": "江苏", "sichuan": "四川",
    "hubei": "湖北", "wuhan": "武汉", "hong kong": "香港", "macau": "澳门", "taiwan": "台湾",
    "shandong": "山东", "henan": "河南", "hainan": "海南", "xinjiang": "新疆", "tibet": "西藏",
    "hangzhou": "杭州", "nanjing": "南京", "chengdu": "成都", "xi'an": "西安", "fujian": "福建",
}

# Topics within the ministry's remit (or next to it) that people ask about.  Only those
# absent from the corpus trigger an abstention, so the list can be broad.
TOPICS = (
    "医疗保险 医保 生育保险 长期护理保险 住房公积金 公积金 个人所得税 个税 退休年龄 延迟退休 渐进式延迟 "
    "平均工资 平均薪资 工资涨幅 人均工资 养老金上调 养老金调整 基础养老金 养老金涨 青年失业率 16-24岁 "
    "社保缴费基数 缴费基数 失业保险金 失业金 公务员 事业单位 考编 医疗 看病 生育 产假 育儿 "
    "房价 gdp cpi 通胀 出口 股市 居民收入 人均可支配收入 户籍 落户 农村低保标准 最低生活保障标准 "
    "人工智能 芯片 专利 学费 高考 疫苗 疫情防控 汇率"
).split()
TOPICS_EN = {
    "medical insurance": "医疗保险", "health insurance": "医疗保险", "maternity": "生育保险",
    "housing provident fund": "住房公积金", "housing fund": "住房公积金", "income tax": "个人所得税",
    "retirement age": "退休年龄", "average wage": "平均工资", "average salary": "平均工资",
    "average income": "平均工资", "youth unemployment": "青年失业率", "civil servant": "公务员",
    "gdp": "gdp", "inflation": "通胀", "exports": "出口", "stock market": "股市", "house price": "房价",
    "hukou": "户籍", "tuition": "学费", "vaccine": "疫苗", "unemployment benefits": "失业保险金",
    "unemployment insurance benefits": "失业保险金", "jobless benefits": "失业保险金",
}

_CN_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九十", start=0)}
_QUARTER = re.compile(r"第?([二三四234])季度|\bq([234])\b|(second|third|fourth|2nd|3rd|4th) quarter|上半年|下半年|全年|full[- ]year|whole year|first half|second half")
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d\d)(?![\d.]|\s*[万亿千百多余个人元项家场张次%])")  # not 2000億
_RELATIVE_YEAR = {"去年": -1, "前年": -2, "明年": 1, "last year": -1, "next year": 1}
_MONTH = re.compile(r"(?<![\d\-])(1[0-2]|[1-9]|十[一二]|[一二三四五六七八九十])月(?!底|末)")
_MONTH_EN = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), start=1)}
_MONTH_NAMES = "january|february|march|april|may|june|july|august|september|october|november|december"
_RANGE = re.compile(rf"\d{{1,2}}\s*[-~至到]\s*\d{{1,2}}月|\b({_MONTH_NAMES})\s*(-|to|through)\s*({_MONTH_NAMES})\b")
_THIS_YEAR = re.compile(r"今年|本年|一季度|第一季度|this year|2023")


# Groups of people a figure can be about, with the words that name them (Simplified).  A
# question about one group is not answered by a figure whose sentence is about everyone.
GROUPS = {
    "农民工": ("农民工",), "高校毕业生": ("高校毕业生", "毕业生", "大学生", "应届生"), "青年": ("青年", "年轻人"),
    "脱贫人口": ("脱贫人口", "脱贫户", "贫困户"), "残疾人": ("残疾人",), "女性": ("女性", "妇女"),
    "老年人": ("老年人", "老人"), "退役军人": ("退役军人",), "渔民": ("渔民",), "城乡居民": ("城乡居民",),
    "企业职工": ("企业职工",), "灵活就业人员": ("灵活就业",), "新就业形态": ("新就业形态", "骑手", "外卖"),
}


@dataclass(frozen=True)
class ScopeProblem:
    """A constraint in the question that the evidence does not meet."""

    kind: Literal["period", "place", "topic", "group"]
    term: str
    message: str


def scope_problems(question: str, evidence: str, corpus: str, doc_year: int | None = None) -> list[ScopeProblem]:
    """Every period, place or topic constraint of ``question`` the evidence cannot meet.

    ``evidence`` is the passage an answer would come from; ``corpus`` all briefing text;
    ``doc_year`` the briefing's year (figures in it are of that year unless stated).
    """
    q, ev, corpus_key = normalize(question), normalize(evidence), _corpus_key(corpus)
    return [*_period_problems(q, ev, doc_year), *_place_problems(q, ev), *_topic_problems(q, corpus_key)]


@lru_cache(maxsize=4)
def _corpus_key(corpus: str) -> str:
    """normalize() of the whole corpus, once per corpus rather than once per question."""
    return normalize(corpus)


def _period_problems(q: str, ev: str, doc_year: int | None) -> list[ScopeProblem]:
    out = []
    for m in _QUARTER.finditer(q):
        if m.group(0) not in ev:
            out.append(ScopeProblem("period", m.group(0), f"发布会只介绍了一季度的情况，没有“{m.group(0)}”的数据"))
    years = {int(y) for y in _YEAR.findall(q)}
    for word, delta in _RELATIVE_YEAR.items():
        if word in q and doc_year and word not in ev:
            years.add(doc_year + delta)
    if "去年" in ev and "去年" not in q and _THIS_YEAR.search(q):
        out.append(ScopeProblem("period", "去年", "所引数字截至去年底，发布会没有给出今年的相应数字"))
    for year in sorted(years):
        stated = str(year) in ev or (doc_year and year == doc_year - 1 and "去年" in ev)
        if year != doc_year and not stated:
            out.append(ScopeProblem("period", f"{year}年", f"发布会介绍的是{doc_year or ''}年一季度，没有{year}年的相应内容"))
    # A range (1-3月, January-March) is a period, not a question about its months.
    single = _RANGE.sub(" ", q)
    months = {_month_number(m) for m in _MONTH.findall(single)}
    months |= {n for name, n in _MONTH_EN.items() if re.search(rf"\b{name}\b", single)}
    for month in sorted(m for m in months if m):
        if not _month_stated(month, ev):
            out.append(ScopeProblem("period", f"{month}月", f"所引段落没有{month}月的数据"))
    return out


def _month_number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    if token.startswith("十"):
        return 10 + (_CN_DIGIT.get(token[1:], 0) if len(token) > 1 else 0)
    return _CN_DIGIT.get(token)


def _month_stated(month: int, ev: str) -> bool:
    """A month is answered only by evidence naming it (3月份, 3月底), not by a range:
    1-3月 totals say nothing about February alone."""
    return bool(re.search(rf"(?<![\d\-]){month}月", ev))


# Question words that say nothing about the subject: they cannot anchor a question to the text.
_FILLER_BIGRAMS = set("多少 什么 怎么 怎样 如何 哪些 哪个 是否 有没 没有 现在 目前 请问 一下 可以 能不 不能 今年 吗呢".split())


def off_topic(question: str, corpus: str, best_dense: float, english_floor: float = 0.87) -> ScopeProblem | None:
    """A problem when the question shares no subject word with the briefing.

    Chinese: no Han bigram of the question (fillers aside) occurs in the corpus.
    English: no glossary term is triggered and dense similarity is below ``english_floor``
    (markup, greetings, prompt injections and other-world questions land here).
    """
    from .glossary import expand

    q = normalize(question)
    if expand(question):
        return None
    if re.search(r"[\u3400-\u9fff]", q):
        corpus_key = _corpus_key(corpus)
        bigrams = {run[i:i + 2] for run in re.findall(r"[\u3400-\u9fff]+", q) for i in range(len(run) - 1)}
        if any(b in corpus_key for b in bigrams - _FILLER_BIGRAMS):
            return None
    elif best_dense >= english_floor:
        return None
    return ScopeProblem("topic", question[:20], "这个问题与发布会的内容无关")


def group_problems(question: str, evidence: str) -> list[ScopeProblem]:
    """A group of people the question is about (农民工, 城乡居民) that ``evidence`` never names.

    >>> [p.term for p in group_problems("农民工的失业率是多少", "3月份全國城鎮調查失業率為5.3%")]
    ['农民工']
    """
    q, ev = normalize(question), normalize(evidence)
    return [ScopeProblem("group", group, f"发布会没有单独给出{group}的这个数字")
            for group, words in GROUPS.items()
            if any(w in q for w in words) and not any(w in ev for w in (group, *words))]


# 「31个大城市」: a count that restricts the question; the briefing must state it.
_STATED_COUNT = re.compile(r"(?<![\d.\-])(\d+)\s*(个|家|座|所|类|岁)")


def unstated_count(question: str, corpus: str) -> str:
    """「31个大城市」 of 「31个大城市的失业率是多少」 when the briefing never says 31个, else "".

    >>> unstated_count("3月份31个大城市的调查失业率是多少？", "3月份全國城鎮調查失業率為5.3%")
    '31个大城市'
    """
    q, corpus_key = normalize(question), _corpus_key(corpus)
    for m in _STATED_COUNT.finditer(q):
        if m.group(0) not in corpus_key:
            return q[m.start():m.end() + 3].rstrip("的之，,？?")
    return ""


def unmatched_terms(question: str, evidence: str, vocabulary: set[str]) -> list[str]:
    """Words of ``question`` that name something measured elsewhere (``vocabulary``:
    words of other figures' labels) but that ``evidence`` never mentions.

    「工伤保险基金结余多少？」 against 「三項社會保險基金…累計結余7.75萬億元」: 工伤保险 is
    a measured thing in the briefing, absent from this sentence, so 7.75萬億元 is not
    its answer.  A word counts as mentioned when all its characters occur in the evidence,
    which tolerates lists like 「養老、失業、工傷保險」.
    """
    from .lexical import words

    ev = set(normalize(evidence))
    return [w for w in words(question) if w in vocabulary and not set(w) <= ev]


def _place_problems(q: str, ev: str) -> list[ScopeProblem]:
    return [ScopeProblem("place", p, f"发布会给出的是全国情况，没有专门介绍{p}的数据")
            for p in _named(q, PLACES, PLACES_EN) if p not in ev]


def _topic_problems(q: str, corpus_key: str) -> list[ScopeProblem]:
    return [ScopeProblem("topic", t, f"发布会没有涉及“{t}”")
            for t in _named(q, TOPICS, TOPICS_EN) if t not in corpus_key]


def _named(q: str, chinese: list[str], english: dict[str, str]) -> list[str]:
    """Terms of a list the question names, in Chinese or (as whole English words) in English."""
    found = [t for t in chinese if t in q] + [zh for en, zh in english.items() if re.search(rf"\b{en}\b", q)]
    return list(dict.fromkeys(found))
