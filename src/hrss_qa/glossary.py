"""Query expansion: the briefing's official terms for English and everyday words.

BM25 can only match words the briefing uses.  A citizen says 「城里多了多少工作」 or
"migrant workers", the briefing says 城鎮新增就業 and 農民工.  This glossary maps general
human-resources and social-security vocabulary (English, and colloquial Chinese) to the
official Simplified terms; :func:`expand` returns the terms a question triggers, which
retrieval appends to the question for lexical matching.  Entries are domain vocabulary,
not phrases of particular questions.

>>> expand("How many migrant workers were transported back to work?")
'农民工 运送 返岗'
>>> expand("城里多了多少工作岗位")
'城镇 就业'
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from .text import normalize

# English phrase (lower case; longest matches first) -> official Simplified terms.
ENGLISH = {
    "press conference": "新闻发布会", "press briefing": "新闻发布会", "briefing": "发布会",
    "ministry of human resources and social security": "人力资源社会保障部", "ministry": "人力资源社会保障部",
    "first quarter": "一季度", "q1": "一季度", "january-march": "1-3月", "january to march": "1-3月",
    "end of march": "3月底", "march": "3月", "mid-april": "4月中旬", "april": "4月", "last year": "去年底",
    "new urban jobs": "城镇新增就业", "urban jobs": "城镇新增就业", "new jobs": "新增就业", "jobs created": "新增就业",
    "employment": "就业", "jobs": "就业 岗位", "job": "就业 岗位", "job vacancies": "岗位", "vacancies": "岗位",
    "positions": "岗位", "posts": "岗位",
    "unemployment rate": "失业率", "surveyed urban unemployment": "城镇调查失业率", "unemployment": "失业",
    "unemployment insurance": "失业保险", "work-injury insurance": "工伤保险", "work injury": "工伤",
    "employment injury": "工伤", "premium rates": "费率", "premium": "费率", "contribution rates": "费率",
    "pension insurance": "养老保险", "basic pension": "基本养老保险", "basic old-age insurance": "基本养老保险",
    "pension": "养老金 养老保险", "pensions": "养老金 养老保险", "old-age": "养老",
    "private pension": "个人养老金", "personal pension": "个人养老金", "occupational annuity": "职业年金",
    "enterprise annuity": "年金", "annuity": "年金", "social insurance": "社会保险", "social security": "社会保障 社保",
    "social security card": "社保卡", "electronic social security card": "电子社保卡", "e-card": "电子社保卡",
    "cardholders": "持卡人数", "card holders": "持卡人数", "holders": "持卡人数", "population": "人口",
    "fund": "基金", "funds": "基金", "revenue": "收入", "income": "收入", "expenditure": "支出",
    "spending": "支出", "balance": "结余", "surplus": "结余", "investment": "投资运营", "invested": "投资运营",
    "return": "收益率", "returns": "收益率", "yield": "收益率",
    "insured": "参保", "enrolled": "参保 参加", "covered": "参保 覆盖", "coverage": "覆盖 参保",
    "participants": "参加人数", "joined": "参加",
    "migrant workers": "农民工", "migrant worker": "农民工", "rural workers": "农民工",
    "college graduates": "高校毕业生", "graduates": "高校毕业生", "young people": "青年", "youth": "青年",
    "internship": "见习", "internships": "见习", "trainee": "见习",
    "poverty": "脱贫 返贫", "lifted out of poverty": "脱贫人口", "relapse into poverty": "返贫",
    "spring festival": "春节", "chinese new year": "春节", "transported": "运送", "back to work": "返岗",
    "point-to-point": "点对点", "recruitment": "招聘", "job fairs": "招聘会 招聘", "job fair": "招聘会 招聘",
    "hiring": "招聘 用工", "labour shortage": "用工需求", "labor shortage": "用工需求", "staff shortages": "用工需求",
    "staffing": "用工", "key enterprises": "重点企业", "enterprises": "企业", "companies": "企业",
    "firms": "企业", "employers": "企业 用人单位", "businesses": "企业",
    "vocational training": "职业技能培训", "skills training": "职业技能培训", "training": "培训",
    "training vouchers": "职业培训券", "vouchers": "培训券", "subsidized": "补贴性", "subsidies": "补贴",
    "vocational skills": "职业技能", "skills competition": "职业技能大赛", "competition": "大赛",
    "highly skilled": "高技能人才", "high-skilled": "高技能人才", "skilled workers": "技能人才",
    "award": "表彰", "awards": "表彰", "commendation": "表彰", "ceremony": "表彰大会",
    "entrepreneurship": "创业", "start-ups": "创业", "startups": "创业", "gig": "零工",
    "flexible employment": "灵活就业", "odd jobs": "零工",
    "postdoctoral": "博士后", "postdoc": "博士后", "returned overseas students": "留学回国人员",
    "professional titles": "职称", "professional title": "职称", "technical talent": "专业技术人才",
    "talent": "人才", "digital technology engineers": "数字技术工程师", "apprenticeship": "学徒制",
    "occupational standards": "职业标准", "national standards": "国家职业标准",
    "labour relations": "劳动关系", "labor relations": "劳动关系", "harmonious": "和谐",
    "disputes": "争议", "dispute": "争议", "arbitration": "仲裁", "mediation": "调解",
    "unpaid wages": "欠薪 拖欠工资", "wage arrears": "欠薪 拖欠工资", "wages": "工资", "wage": "工资",
    "salary": "工资 薪酬", "salaries": "工资 薪酬", "minimum wage": "最低工资标准",
    "labour inspection": "劳动保障监察", "labor inspection": "劳动保障监察", "assessed": "考核",
    "assessment": "考核", "blacklist": "失信", "gig workers": "新就业形态", "platform workers": "新就业形态",
    "delivery riders": "新就业形态", "new forms of employment": "新就业形态",
    "online": "一网通办", "across provinces": "跨省通办", "cross-province": "跨省通办", "inter-provincial": "跨省",
    "platform": "平台", "government service platform": "政务服务平台", "public service platform": "公共服务平台",
    "social insurance public service platform": "社会保险公共服务平台", "visits": "访问量", "registered users": "注册用户",
    "services": "服务", "service counters": "窗口单位", "counters": "窗口", "service windows": "窗口",
    "guidelines": "办事指南", "service guides": "办事指南", "one-stop": "一件事打包办",
    "national pooling": "全国统筹", "nationwide pooling": "全国统筹", "pooling": "统筹",
    "fishermen": "渔民", "fishing ban": "退捕", "disabled": "残疾人", "low-income": "低保",
    "spring breeze": "春风行动", "advertised": "发布", "posted": "发布", "take in": "收入", "took in": "收入",
    "collected": "收入", "spent": "支出", "owe": "欠薪", "owed": "欠薪", "list": "名单", "published": "公布",
    "publish": "公布", "named": "公布 名单", "premium rate": "费率", "rate of return": "收益率",
    "hold a social security card": "持卡人数", "holds a social security card": "持卡人数",
    "have a social security card": "持卡人数", "local": "属地", "local services": "属地服务",
    "curriculum": "课标", "curriculum standards": "课标", "work-study": "工学一体化", "integrated": "一体化",
    "specialities": "专业", "specialties": "专业", "majors": "专业", "revised": "修订", "first batch": "第一批",
    "first-batch": "第一批", "new guides": "新增 办事指南",
    "experts": "专家", "expert": "专家", "grassroots": "基层", "selected": "遴选", "accessed": "访问量",
    "jobless rate": "失业率", "jobless": "失业", "unemployed": "失业", "retirement": "养老", "retirees": "养老金",
}

# Everyday Chinese (Simplified) -> the briefing's terms.
COLLOQUIAL = {
    "城里": "城镇", "城市里": "城镇", "找到工作": "就业", "找工作": "就业", "工作岗位": "岗位 就业",
    "上班": "就业 返岗", "打工": "务工", "职缺": "岗位", "空缺": "岗位", "用人": "用工",
    "招人": "招聘 用工", "年轻人": "青年", "大学生": "高校毕业生", "毕业生": "高校毕业生",
    "丢了工作": "失业", "没工作": "失业", "失业的人": "失业率",
    "省钱": "减负", "省了": "减负", "少交": "降低 费率", "降费": "降低 费率", "帐上": "结余", "账上": "结余",
    "还剩": "结余", "剩下": "结余", "存了": "结余", "花了": "支出", "收了": "收入", "进账": "收入",
    "社保基金": "社会保险基金", "养老钱": "养老金", "退休金": "养老金", "退休工资": "养老金",
    "交养老": "代缴 养老保险", "交社保": "缴费 参保", "代交": "代缴",
    "过年": "春节", "包车": "点对点 运送", "回去上班": "返岗复工", "返工": "返岗复工",
    "穷": "困难", "贫困户": "脱贫人口", "脱贫户": "脱贫人口", "困难群众": "困难群体",
    "老板": "企业", "欠工资": "欠薪", "拖欠工资": "欠薪", "讨薪": "欠薪", "打官司": "仲裁 争议",
    "吵架": "争议", "纠纷": "争议", "外卖": "新就业形态", "骑手": "新就业形态", "网约车": "新就业形态",
    "快递员": "新就业形态", "外送": "新就业形态",
    "异地": "跨省", "网上办": "一网通办", "在线办": "一网通办", "手机上": "电子社保卡",
    "排队": "窗口", "办事员": "窗口单位", "考证": "职业资格证书 技能评价", "技工": "技能人才",
    "师傅": "技能人才", "评职称": "职称评审", "涨工资": "工资", "最低工资": "最低工资标准",
    "访问": "访问量", "点击": "访问量", "多少人用": "注册用户 领用", "领了": "领用",
    "用过的次数": "访问量", "使用次数": "访问量", "用了多少次": "访问量", "浏览": "访问量",
    "征才": "招聘", "求才": "招聘", "报酬率": "收益率", "回报率": "收益率", "回报": "收益", "年化": "年均", "赚了": "收益", "开户": "参加",
    "入了": "参加", "加入": "参加", "参加了": "参保", "参加养老": "参保", "参加工伤": "参保", "参加失业": "参保",
    "有社保卡": "持卡", "拿到社保卡": "持卡", "有卡": "持卡", "黑名单": "失信 名单", "曝光": "公布",
}


@lru_cache(maxsize=1)
def _english_pattern() -> re.Pattern:
    phrases = sorted(ENGLISH, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(p) for p in phrases) + r")\b")


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


@lru_cache(maxsize=1)
def official_terms(min_chars: int = 3) -> frozenset[str]:
    """Every official term the glossary maps to (Simplified), of at least ``min_chars`` characters.

    >>> "职业年金" in official_terms()
    True
    """
    values = [*ENGLISH.values(), *COLLOQUIAL.values()]
    return frozenset(t for v in values for t in v.split() if len(t) >= min_chars)
