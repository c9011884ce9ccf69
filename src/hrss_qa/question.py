"""What a question asks for, read from its wording alone (no retrieval, no corpus).

Cue tables are matched on :func:`hrss_qa.text.normalize` keys (Simplified, lower case), so
scripts do not matter; English cue words are matched as whole words.  :mod:`hrss_qa.answer`
uses them to decide the kind of answer (a figure, a sentence, a comparison, a yes/no check)
and which figures can answer.

>>> explicit_units("一季度发放了多少张职业培训券？")
{'张'}
>>> sorted(topical_units("失业率是多少"))
['%']
"""

from __future__ import annotations

import re

from .glossary import expand
from .lexical import tokenize
from .scope import PLACES


def _cue(chinese: str, english: str) -> re.Pattern:
    """Chinese cue words anywhere, English ones as whole words (not "rate" in "integrated")."""
    return re.compile(rf"{chinese}|\b(?:{english})\b")


# What a question asks for, by cue words (matched on normalize()d text, so Simplified).
FIGURE_CUES = re.compile(
    r"多少|几|多大|多高|多长|比例|占比|百分|比重|规模|数量|人数|总数|总额|金额|率|结余|余额|收入|支出|收益|一半|半数|"
    r"how many|how much|what percentage|what share|what proportion|rate|number of|figure|total|size|return|amount|average|"
    r"balance|revenue|income|expenditure|spending|surplus"
)
# Cues that ask for a number outright, whatever else the question says.
NUMBER_ASKED = re.compile(r"多少|几|多大|多高|多长|百分之|how many|how much|what percentage|what share|what proportion")
# 「下一步要怎么稳住规模」「覆盖到哪些地方」 "what will they do": a measure word in a question
# about actions or plans does not make it a figure question.
ACTION_ASKED = re.compile(r"怎么|怎样|如何|哪些|什么措施|什么举措|做了什么|干了什么|安排|打算|\bwhat (did|will|does|do)\b|"
                          r"\bhow (will|did|does|do|can)\b|\bwhich\b")
WHEN_CUES = re.compile(r"什么时候|啥时候|何时|几时|哪天|哪一天|几月几日|几号|日期|截至何时|when|what date")
ORDINAL_CUES = re.compile(r"第几|哪一届|哪届|几届|哪一批|第几批|which edition|which round|which session")
COMPARE_CUES = re.compile(
    r"(哪个|哪一个|哪项|哪一项|谁).{0,8}(多|高|大|少|低)|多还是|高还是|大还是|比.{1,12}(多|高|大|少|低)|相比|差距|"
    r"more than|higher|larger|compare|which (is|was|one|has) (more|larger|bigger|higher|greater)")
DAY_CUES = re.compile(r"哪天|哪一天|几号|几月几日|日期|截止|到什么时候|到何时|what date|which day|what day|deadline|until when")
PERIOD_NAMED = re.compile(r"季度|\bq[1-4]\b|quarter|(19|20)\d\d")
SUPERLATIVE = re.compile(r"最(多|少|高|低|大|小)|most|least|highest|lowest|largest|smallest")
SMALLER = re.compile(r"(最|更|哪个|哪一项|哪项|谁).{0,8}(少|低|小)|fewer|lower|smaller|least|lowest|less")
# Where a question puts its figure cue; the words around it say what is counted.
CUE = re.compile(r"多少|几|多大|多高|比例|占比|how many|how much|what percentage|what share|what proportion")
# Units are compared as normalize()d text: 項 → 项, 場 → 场.
UNIT_CUES: list[tuple[re.Pattern, set[str]]] = [
    (_cue("百分|比例|占比|比重|率|一半|半数|多数|人人|普及|覆盖|%",
          "percent|percentage|share|rate|proportion|return|yield|half|majority|everyone"), {"%"}),
    (_cue("钱|金额|资金|收入|支出|结余|规模|亿元|万元|减负", "money|yuan|revenue|expenditure|balance|save"), {"元"}),
    (_cue("人次|访问|次数", "person-times|visits|trips|times"), {"人次", "次"}),
    (_cue("人|参保", "people|persons|workers|users|holders"), {"人", "人次", ""}),
    (_cue("项", "services|items"), {"项"}),
    (_cue("家|企业", "enterprises|companies|firms"), {"家"}),
    (_cue("场|招聘会", "events|fairs"), {"场"}),
    (_cue("张|培训券", "vouchers"), {"张"}),
    (_cue("部门", "departments"), {"部门"}),
]
# 多少/几 + a classifier names the unit outright; 个 is the generic classifier and binds nothing.
EXPLICIT_UNITS: list[tuple[re.Pattern, set[str] | None]] = [
    (re.compile(r"(多少|几)(个)"), None),
    (re.compile(r"(多少|几)(人次)"), {"人次", "人", "次"}),
    (re.compile(r"(多少|几)(名|位|个)?(人|农民工|工人|职工|劳动者|毕业生|大学生|用户|居民|渔民)|how many people|how many persons"),
     {"人", "人次", ""}),
    # 「拿多少养老金」「多少工资」: money nouns count yuan, not people.
    (re.compile(r"(多少|几)(块)?(钱)|多少(元|养老金|退休金|工资|薪水|薪酬|补贴|资金|经费)|how much money|how many yuan"), {"元"}),
    (re.compile(r"(多少|几)(项)"), {"项"}),
    (re.compile(r"(多少|几)(家)"), {"家"}),
    (re.compile(r"(多少|几)(场)"), {"场"}),
    (re.compile(r"(多少|几)(张)"), {"张"}),
    (re.compile(r"(多少|几)(个)?(案件|件|宗|起)"), {"件", "宗", "起"}),
    (re.compile(r"(多少|几)(届)"), {"届"}),
    (re.compile(r"(多少|几)(批)"), {"批"}),
    (re.compile(r"(多少|几)(次)|次数|how many times"), {"次", "人次"}),
    (re.compile(r"what percentage|what share|what proportion|百分之几|百分比|多少比例|比例是多少|占比多少|占多少比例"), {"%"}),
    # 「超过一半了吗」「人人都有吗」 ask for a share of people, not a head count.
    (re.compile(r"一半|半数|过半|人人|所有人|覆盖率|普及率|\bhalf\b|majority|everyone|everybody"), {"%"}),
]
# Shares said in words, as the figure a yes/no question checks.
SHARE_WORDS = [(re.compile(r"一半|半数|\bhalf\b"), "50%"), (re.compile(r"过50%"), "超过50%"),
               # "4.7 billion", "2.97 million": the briefing's 億 and 萬
               (re.compile(r"(\d+(?:\.\d+)?)\s*billion\b"), lambda m: f"{float(m.group(1)) * 10:g}亿"),
               (re.compile(r"(\d+(?:\.\d+)?)\s*million\b"), lambda m: f"{float(m.group(1)) * 100:g}万"),
                (re.compile(r"(\d+(?:\.\d+)?)\s*(?:percent|per cent)\b"), r"\1%")]
# Words that may follow 多少 without naming what is counted.
_NOT_COUNTED = set("人次 人数 钱呢 比例 百分 万人 亿人 万元 亿元 左右 以上 时间 时候 一个 个人".split())
# A yes/no check of something the asker heard (「过10亿了吗」「是真的吗」 "Is it true that…").
VERIFY = re.compile(r"吗|吧\s*[?？]?$|还是|是不是|是否|有没有|会不会|能不能|要不要|真的|对不对|没有\s*[?？]?$|了没|是这样|\bis it true\b|\bis that right\b|"
                    r"^(is|are|did|does|do|has|have|was|were)\b")
# Said right before a stated number: the question asks whether the figure reaches it.
AT_LEAST = re.compile(r"(过|超过|超|到|达到|突破|破|不止|more than|over|exceed|exceeded|at least|reach|reached)\s*$")
MORE_THAN = re.compile(r"(超过|超|突破|破|不止|高于|多于|more than|over|exceed|exceeded|above|higher than|greater than)\s*$")
# Several figures asked at once (「分别是多少」 "how many A and how many B").
SEVERAL_ASKED = re.compile(r"分别|各是|各有|各自|各多少|都是多少|\brespectively\b|\band how (many|much)\b|\bboth\b|\beach\b")
# Said just before a figure, these make it what the question checks (「是第十五届了吧」「有没有到300万」).
PREDICATE = re.compile(r"是|为|有|到|过|超|达|破|止|于|近|约")
PREDICATE_EN = re.compile(r"\b(is|are|was|were|above|over|than|least|reach|reached|exceed|exceeded|about|nearly|that)\s*$")
NEGATIVE_ANSWER = re.compile(r"有没有|没有|过|到|达到|超|破|不止")
# Details citizens ask for that a briefing seldom gives: (what is asked, what evidence would
# give it, what to say).  The quoted sentence must show that kind of detail, or the answer
# says the briefing does not.  Advice (None) is never in a briefing.
DETAILS: list[tuple[re.Pattern, re.Pattern | None, str]] = [
    (re.compile(r"值不值得|值得.{0,6}吗|该不该|应不应该|应该.{0,8}吗|划算|建议我|\bshould i\b|\bis it worth|\bworth it\b"),
     None, "发布会不提供个人建议"),
    (re.compile(r"怎么领|怎么申请|如何申请|申领|带什么|什么证件|什么材料|怎么报名|如何报名|怎么办理|如何办理|去哪(儿|里)?|在哪(儿|里)?(领|办|申请|报名|投诉|举报)|"
                r"打哪个电话|电话|热线|网址|\bhow (do|can) i\b|\bwhere (do|can) i\b|\bsign up\b|\bapply for\b|\bphone\b|"
                r"\bhotline\b|\bwebsite\b"),
     re.compile(r"电话|热线|网址|网站|平台|窗口|申请|办理|报名|登记"), "发布会没有说明办理方式或渠道"),
    (re.compile(r"什么条件|哪些条件|条件是|资格|谁能|谁可以|\beligib|\bwho can\b|\bqualif"),
     re.compile(r"条件|资格|符合"), "发布会没有说明条件"),
    (re.compile(r"哪些城市|哪个城市|哪座城市|哪个省|哪些省|在哪(儿|里)?办|\bwhich (cities|city|provinces|province)\b|"
                r"\bwhere (is|are|was|were|will)\b"),
     re.compile("|".join(["长三角", "川渝", *PLACES])), "发布会没有说明具体地点"),
    # 「我们公司…一年能少交多少」: the briefing's figures are national totals.
    (re.compile(r"(我们公司|我们单位|我们厂|我家|我的|我能|我可以|我每|本人|\bmy\b|\bi (get|receive|pay|save)\b).{0,20}"
                r"(多少|几|how much|how many)|能(领|拿|得到)多少|每(个)?月(能)?(领|拿)"),
     None, "发布会给出的是全国的总数，没有针对个人或单个企业的数字"),
]
# 「高校毕业生有多少人」「农民工总量」 ask how many people there are; 人次 counts times something
# was done (運送農民工202.5萬人次), which answers 「运送了多少人」 but not these.
HEADCOUNT_ASKED = re.compile(r"有多少人|有多少名|多少个人|实际人数|总量|总数|一共有多少|\bhow many .{1,40} are there\b|\btotal number of\b")
TIMES_ASKED = re.compile(r"(多少|几)人次|\bperson-times\b")
# A share is asked for outright (「失业率」 "rate"): other units in the question (workers, 人) only say whose.
RATE_ASKED = _cue("率|百分比|比例|占比", "rate|percentage|proportion|share")
# 「新增了多少」 asks for an increase; a clause without one of these states a total.
CHANGE_ASKED = re.compile(r"新增|增加了|增长了|增长多少|增加多少|多了多少|涨|上调|"
                          r"\b(increase[sd]?|grew|growth|how many new|added|rise|rose|raised)\b")
# 「3月當月」 "in March alone": one period's own figure, which a cumulative (累計) one is not.
ONE_PERIOD_ASKED = re.compile(r"单月|当月|这个月|那个月|\balone\b|\bthat month\b|\bper month\b|每个月")
CHANGE_STATED = re.compile(r"新增|增|提高|降|减|下降|上升|多了|少了|调整|扩大")
FOLLOW_UP_LEAD = re.compile(r"^(那么|那|还有|另外|再问一下|而|and|what about|how about)\s*")
FOLLOW_UP_TAIL = re.compile(r"(呢|的呢|又如何|怎么样|如何|情况呢)?\s*[?？。.!！]*$")

_ENGLISH_NUMBERS = {w: n for n, w in enumerate("one two three four five six seven eight nine ten".split(), start=1)}
_COUNTED = re.compile(r"(?:多少|几)(?:个|项|家|场|张|名|位|件|批|届|次)?([\u4e00-\u9fff]{2,6})")


def english_numbers(key: str) -> set[float]:
    """Values of English number words in the question ("the three funds" states 三項)."""
    return {float(n) for w, n in _ENGLISH_NUMBERS.items() if re.search(rf"\b{w}\b", key)}


def counted_noun(key: str) -> list[str]:
    """What 「多少X」 counts, with its glossary equivalents (「多少欠薪」 → 欠薪, 拖欠工资).

    Empty when the word after the cue is a unit, a filler, or unknown to the glossary and
    absent from the briefing vocabulary (then nothing can be checked).
    """
    match = _COUNTED.search(key)
    if not match:
        return []
    from .lexical import _jieba

    noun = _jieba().lcut(match.group(1))[0]
    # 「多少在外面打工」: a preposition or verb follows the cue, not the counted noun.
    if len(noun) < 2 or noun in _NOT_COUNTED:
        return []
    return [noun, *expand(noun).split()]


def focus_tokens(key: str) -> set[str]:
    """Tokens of the words next to the figure cue (「有幾項能跨省通辦」 → 跨省通办), expanded."""
    match = CUE.search(key)
    if not match:
        return set()
    window = key[max(match.start() - 8, 0):match.end() + 8]
    return set(tokenize(f"{window} {expand(window)}"))


def explicit_units(key: str) -> set[str] | None:
    """Units a question names with 多少/几 + classifier (None: no constraint)."""
    for pattern, units in EXPLICIT_UNITS:
        if pattern.search(key):
            return units
    return None


def topical_units(key: str) -> set[str]:
    """Units the question's words point to (「失业率」 → %, 「访问」 → 人次/次); a preference, not a filter."""
    units: set[str] = set()
    for pattern, names in UNIT_CUES:
        if pattern.search(key):
            units |= names
    return units
