"""The answer stages one by one, with inputs built directly (no embedding model, no index).

The wordings here are deliberately in no question set: each test checks a class of question
(a relation word, a coordination, a qualifier), not a particular question.
"""

from dataclasses import replace

import numpy as np
import pytest

from hrss_qa.answering.analyze import analyze, compare_kind, in_mandarin, periods_in
from hrss_qa.answering.decide import check, check_of_another_part, combine, decide_figure, share_interval
from hrss_qa.answering.decompose import bare, split_question, split_share
from hrss_qa.answering.model import CALIBRATOR_FEATURES, AnswerModel, Logistic, ModelError, load_model
from hrss_qa.answering.numbers import spelled_out, thresholds
from hrss_qa.answering.records import Candidate, Decision, Threshold, Verdict
from hrss_qa.answering.vocabulary import Vocabulary
from hrss_qa.answering.render import render
from hrss_qa.answering.scope import coverage_of, evidence_problems, query_problems, unstated_count
from hrss_qa.answering.features import FEATURES, FIT_FLAGS
from hrss_qa.chunking import Sentence
from hrss_qa.corpus import Document
from hrss_qa.figures import extract_figures
from hrss_qa.retrieval import Hit
from hrss_qa.language import lexicon
from hrss_qa.text import normalize


# --- numbers and relations --------------------------------------------------------------------

@pytest.mark.parametrize("question, value, relation", [
    ("够3000万了吗", 3e7, ">="),
    ("破300万了没", 3e6, ">="),
    ("不到一半吧", 50.0, "<"),
    ("有没有超过5%", 5.0, ">"),
    ("是不是2.3亿人", 2.3e8, "="),
    ("差不多300万吧", 3e6, "~"),
    ("覆盖九成以上了吗", 90.0, ">="),
    ("没超过两千万吧", 2e7, "<="),
    ("Has it topped 2 billion?", 2e9, ">"),
    ("Was it fewer than 300,000?", 3e5, "<"),
    ("Did they reach 1.5 million?", 1.5e6, ">="),
    ("Were 4.2 million posts offered?", 4.2e6, "="),
    ("过三分之二了吗", 66.667, ">="),
    ("Did it pass two thirds?", 66.667, ">="),
    ("属地服务上千项了吗", 1000.0, ">="),
    ("是不是上万家", 1e4, ">="),           # 上万 is at least, whatever the verb
    ("Did the balance of the three funds reach 7.5 trillion yuan by the end of March 2023?", 7.5e12, ">="),
    ("比3个多吗", 3.0, ">"),                  # 比 before the number, the relation after it
    ("是不是比两亿还少", 2e8, "<"),
])
def test_a_checked_number_and_its_relation(question, value, relation):
    t = thresholds(question)[0]   # the number with a relation word comes first
    assert (t.value, t.relation) == (value, relation)


@pytest.mark.parametrize("follow_up, value, relation", [
    ("over half a million?", 5e5, ">"),
    ("at least 300 thousand?", 3e5, ">="),
    ("so is the total over 30?", 30.0, ">"),
])
def test_a_bare_relation_and_a_number_is_a_check(follow_up, value, relation):
    query = analyze(follow_up)
    assert query.yes_no and (query.thresholds[0].value, query.thresholds[0].relation) == (value, relation)


@pytest.mark.parametrize("question", ["第五届大会开过了吗？", "3月份失业率多少？", "2022年的呢？"])
def test_numbers_that_name_the_subject_or_time_are_not_checked(question):
    assert thresholds(question) == ()


def test_numbers_in_words_are_written_as_a_briefing_writes_them():
    assert spelled_out("a three-year plan with 1.5 million posts, half of them") == "a 3年 plan with 150万 posts, 50% of them"
    assert spelled_out("两千三百万人") == "2300万人"


# --- decomposition ------------------------------------------------------------------------------

@pytest.mark.parametrize("question, parts", [
    ("甲项目和乙项目的投入哪个大？", ["甲项目的投入", "乙项目的投入"]),
    ("今年的收入和支出哪个多？", ["今年的收入", "今年的支出"]),
    ("补贴发了多少钱、覆盖多少人？", ["补贴发了多少钱", "覆盖多少人"]),
    ("A计划参加人数比B计划多吗？", ["a计划参加人数", "b计划参加人数"]),
    ("Which was higher, the income or the spending of the fund?", ["the income of the fund", "the spending of the fund"]),
])
def test_coordinated_asks_split_and_borrow_shared_words(question, parts):
    assert split_question(question) == parts


@pytest.mark.parametrize("question", ["城镇新增就业多少人？", "社保基金收入同比增长多少？", "哪一类企业会拿到比较多的支持？"])
def test_single_asks_do_not_split(question):
    assert split_question(question) == [] or not analyze(question).parts


@pytest.mark.parametrize("question, part, whole", [
    ("甲类项目里，乙类的占了三成以上吗？", "乙类", "甲类项目"),
    ("去年的支出占收入的九成吗", "去年的支出", "去年的收入"),
    ("乙计划参加人数在全部参加人数中的比例是多少", "乙计划参加人数", "全部参加人数"),
    ("120家机构中，民营的是不是超过一半", "民营", "120家机构"),
    ("What share of the registered users are young people?", "young people", "the registered users"),
    ("Are more than two thirds of the listed services also available offline?", "available offline", "the listed services"),
    ("Does spending make up over 90% of income?", "spending", "income"),
    ("去年的支出没超过收入的八成吧", "去年的支出", "去年的收入"),
])
def test_a_share_question_splits_into_its_part_and_its_whole(question, part, whole):
    assert split_share(question) == (part, whole)
    q = analyze(question)
    assert q.compare == "share" and [p.kinds for p in q.parts] == [frozenset({"quantity", "count"})] * 2


@pytest.mark.parametrize("question", [
    "乙类项目里有多少是民营的？",        # a count among a group, not a share
    "覆盖了多少人口？",                  # a share stated as written answers this
    "参保人数是不是超过3亿",
    "收入是支出的几倍",                  # a ratio, not a share
    "How many of the services are online?",
])
def test_counts_and_stated_shares_are_not_share_questions(question):
    assert split_share(question) is None or analyze(question).compare != "share"


def candidate_for(hit: Hit, figure) -> Candidate:
    return Candidate(figure, hit, hit.sentence, (0.0,) * len(FEATURES), score=0.5, flags=(0.0,) * len(FIT_FLAGS))


def _share_decision(question: str, part: str, whole: str) -> Decision:
    q = analyze(question)
    a, b = extract_figures(part)[0], extract_figures(whole)[0]
    parts = [Decision("figure", sub, (hit_with(text),), (candidate_for(hit_with(text), figure),), confidence=0.9)
             for sub, text, figure in zip(q.parts, (part, whole), (a, b))]
    return combine(q, parts)


@pytest.mark.parametrize("question, holds", [
    ("甲类项目里，乙类的占了一半以上吗？", True),     # 40 / 76 = 52.6%
    ("乙类占甲类项目的三分之二以上吗", False),
    ("乙类占甲类项目的比例不到60%吧", True),
    ("乙类占甲类项目的一半吗", None),                  # 「是一半吗」 asked loosely: the share, no verdict
])
def test_a_share_check_is_decided_on_the_computed_share(question, holds):
    d = _share_decision(question, "其中乙類40項", "甲類項目76項")
    assert (d.verdict.holds if d.verdict else None) == holds
    assert "52.6%" in render(d).text


@pytest.mark.parametrize("question, relation, holds", [   # the share is 40 / 76 = 52.6%
    ("乙类不到甲类项目的一半吧", "<", False),
    ("乙类超过甲类项目的三分之一了吗", ">", True),
    ("乙类没超过甲类项目的九成吧", "<=", True),
    ("乙类占甲类项目的一半以上吗", ">=", True),      # the relation word after the share decides
])
def test_a_relation_word_before_the_whole_relates_the_share(question, relation, holds):
    assert analyze(question).thresholds[0].relation == relation
    assert _share_decision(question, "其中乙類40項", "甲類項目76項").verdict.holds == holds


def test_a_side_that_states_its_count_takes_no_figure_of_another_count():
    """「开通的120项服务中…」: a 76-item figure is not that whole, so no share (and no verdict) is given."""
    d = _share_decision("开通的120项甲类服务中，乙类的占了一半以上吗", "其中乙類40項", "甲類服務76項")
    assert d.kind == "abstain" and d.verdict is None


def test_a_share_is_computed_only_from_figures_that_name_each_side():
    """「…占全国人口的多少」: the best figure for 全国人口 is a count of card holders; its label does not
    name 人口, so no share is made up (the question is then read as asking a stated percentage)."""
    q = analyze("乙类人数占全国人口的多少")
    parts = [Decision("figure", sub, (hit_with(text),), (candidate_for(hit_with(text), extract_figures(text)[0]),),
                      confidence=0.9) for sub, text in zip(q.parts, ("乙類人數40萬人", "全國持卡人數76萬人"))]
    assert combine(q, parts).kind == "abstain"
    more_than_whole = _share_decision("甲类项目里，乙类的占了一半以上吗？", "其中乙類1000項", "甲類項目76項")
    assert more_than_whole.kind == "abstain" and more_than_whole.verdict is None   # not a part of that whole
    assert share_interval(*(extract_figures(x)[0] for x in ("其中40萬人", "超過76萬張"))) is None   # units differ
    low, high = share_interval(*(extract_figures(x)[0] for x in ("超過40萬人", "76萬人")))
    assert round(low, 1) == 52.6 and high > low


def test_a_period_as_the_other_side_is_a_change_not_a_comparison():
    q = analyze("参加人数比去年底多了吗？")
    assert q.parts == () and "yoy" in q.asks or "change" in q.asks


# --- what is asked --------------------------------------------------------------------------------

@pytest.mark.parametrize("question, wants, kinds", [
    ("这个数截至哪天？", "date", {"date"}),
    ("是第几届大会？", "ordinal", {"ordinal"}),
    ("发了多少张卡？", "figure", {"quantity", "percent", "count"}),
    ("有没有超过5%？", "figure", {"percent"}),
    ("下一步要怎么做？", "fact", set()),
    ("这些职业分别是哪几个？", "fact", set()),
])
def test_the_kind_of_answer_wanted(question, wants, kinds):
    q = analyze(question)
    assert (q.wants, set(q.kinds)) == (wants, kinds)


@pytest.mark.parametrize("question, asked", [
    ("参保人数同比增长多少？", "yoy"),
    ("平均每月发了多少？", "average"),
    ("全年目标是多少？", "target"),
    ("基金去年赚了多少？", "earnings"),
    ("How much did each retiree get per month?", "average"),
])
def test_measures_a_briefing_often_lacks_are_noticed(question, asked):
    assert asked in analyze(question).asks


def test_periods_from_words():
    assert [(p.text, p.year, p.months) for p in periods_in("2022年上半年")] == [("上半年", 2022, (1, 6))]
    assert [(p.text, p.offset) for p in periods_in("last year")] == [("last year", -1)]
    # a range is the span it covers, not a question about its months
    assert [p.months for p in periods_in("january to march")] == [p.months for p in periods_in("jan-mar")] == [(1, 3)]
    assert [p.months for p in periods_in("5月份")] == [(5, 5)]
    # a point in a month is that month (截至9月底, 8月中旬); the end of a range is not (1至3月, 一至三月)
    assert [p.months for p in periods_in("截至9月底的人数")] == [(9, 9)]
    assert [p.months for p in periods_in("8月中旬")] == [(8, 8)]
    assert [p.months for p in (*periods_in("1至3月"), *periods_in("一至三月"), *periods_in("1-3月"))] == [(1, 3)] * 3
    assert [p.months for p in periods_in("2022年底")] == [None] and periods_in("2022年底")[0].point


# --- scope -------------------------------------------------------------------------------------------

DOC = Document("d", "1-3月城鎮新增就業297萬人。", event="2024年一季度新聞發布會", date="2024-04-20")


def test_a_briefing_covers_the_period_its_metadata_names():
    cov = coverage_of(DOC)
    assert (cov.year, cov.months, cov.label) == (2024, (1, 3), "2024年一季度")
    assert not query_problems(analyze("一季度新增就业多少？"), [cov], "1-3月城镇新增就业297万人")
    [problem] = query_problems(analyze("二季度新增就业多少？"), [cov], "1-3月城镇新增就业297万人")
    assert problem.kind == "period" and "2024年一季度" in problem.message


def test_a_restricting_count_the_corpus_never_states():
    assert unstated_count("全国36个大城市的失业率", "全国城镇调查失业率") == "36个大城市"
    assert unstated_count("10个重点事项有哪些", "10个重点高频事项") == ""


# --- checking a threshold against a figure ----------------------------------------------------------

def fig(text: str):
    return extract_figures(text)[0]


@pytest.mark.parametrize("figure, value, relation, holds", [
    ("發放超過261萬張", 2.6e6, ">", True),       # more than 261萬 is more than 260萬
    ("發放超過261萬張", 2.62e6, ">", None),      # …but not surely more than 262萬
    ("訪問量近32億人次", 3.2e9, ">=", False),    # nearly 32億 is under it
    ("參保人數2.37億人", 2.37e8, "=", True),
    ("參保人數2.37億人", 2e8, ">", True),
    ("參保人數2.37億人", 2.4e8, "~", True),      # within 5%
    ("參保人數2.37億人", 3e8, "~", False),
])
def test_a_verdict_only_where_the_figure_decides_it(figure, value, relation, holds):
    verdict = check((Threshold("x", value, "", "quantity", relation),), fig(figure))
    assert verdict.holds is holds


def test_units_that_count_different_things_are_not_compared():
    assert check((Threshold("50万人", 5e5, "人", "quantity", ">"),), fig("解決用工需求52萬人次")) is None


# --- the decision policy, with a model whose numbers are set by hand ----------------------------------

def hit_with(text: str, section: str = "一、就業 › 工作進展情況") -> Hit:
    sentence = Sentence(text, 0, len(text))
    figures = tuple(extract_figures(text))
    return Hit(rank=1, score=1.0, passage_id="p1", doc_id="d", section=section, text=text, start=0, end=len(text),
               sentence=sentence, figures=figures, sentence_scores=(1.0,), sentence_lexical=(1.0,),
               sentences=(sentence,), figure_scores=(0.9,) * len(figures))


def model_with(confidence_logit: float, answer: float = 0.5, verdict: float = 0.8) -> AnswerModel:
    """A model whose confidence is σ(confidence_logit) whatever the candidate, unless a fit flag is set."""
    n = len(FEATURES)
    figure = Logistic(FEATURES, np.zeros(n), np.ones(n), np.zeros(n), 0.0)
    names = CALIBRATOR_FEATURES + FIT_FLAGS
    coef = np.array([0.0, 0.0] + [-20.0] * len(FIT_FLAGS))
    calibrator = Logistic(names, np.zeros(len(names)), np.ones(len(names)), coef, confidence_logit)
    passage = Logistic(("a",), np.zeros(1), np.ones(1), np.zeros(1), 0.0)
    return AnswerModel(figure, passage, calibrator, answer, verdict, 0.5)


def candidate(hit: Hit, flags: dict | None = None) -> Candidate:
    values = {name: 0.0 for name in FIT_FLAGS} | (flags or {})
    return Candidate(hit.figures[-1], hit, hit.sentence, (0.0,) * len(FEATURES), score=0.5,
                     flags=tuple(values[n] for n in FIT_FLAGS))


@pytest.mark.parametrize("question, checks", [
    ("参保人数已经突破10亿了？", True),      # a stated relation and a question mark, no 吗
    ("覆盖率达到一半了?", True),
    ("访问量超过多少了？", False),          # asks the number
    ("不到1500亿？", True),                 # a relation and a number closing with a question mark
    ("所以是超過50萬人囉？", True),          # (a sentence particle after the number)
    ("哪个超过3亿？", False),               # asks which
])
def test_a_stated_relation_with_a_question_mark_is_a_check(question, checks):
    read = analyze(question)
    assert read.yes_no is checks and bool(read.thresholds) is checks


def test_confident_yes_no_check_gets_a_verdict():
    hit = hit_with("失業保險參保人數2.37億人。")
    q = analyze("失业保险参保人数超过2亿了吗？")
    d = decide_figure(q, [hit], [candidate(hit)], model_with(3.0), {})
    assert d.kind == "figure" and d.verdict.holds is True
    assert render(d).text.startswith("是的。") and render(d).verdict == "yes"


def test_less_sure_gets_the_figure_without_a_verdict():
    hit = hit_with("失業保險參保人數2.37億人。")
    q = analyze("失业保险参保人数超过2亿了吗？")
    a = render(decide_figure(q, [hit], [candidate(hit)], model_with(0.5), {}))   # σ(0.5) = 0.62: answer, no verdict
    assert not a.abstained and a.verdict == "" and not a.text.startswith(("是的", "不是", "没有"))
    assert "2.37亿人" in a.text and a.confidence == pytest.approx(0.6225, abs=1e-3)


def test_a_carried_figure_far_from_the_number_checked_gets_no_verdict():
    # 「破32亿了没」 after an answer of 3077万: near another figure of the passage, not the carried one.
    from dataclasses import replace as with_

    hit = hit_with("平臺注冊用戶總數超過3077萬人,訪問量近32億人次。")
    users, visits = (Candidate(f, hit, hit.sentence, (0.0,) * len(FEATURES), score=0.5, flags=(0.0,) * len(FIT_FLAGS))
                     for f in hit.figures)
    near = FEATURES.index("stated_near")
    visits = with_(visits, features=tuple(1.0 if i == near else 0.0 for i in range(len(FEATURES))))
    q = with_(analyze("破32亿了没"), anchor=("p1", f"d@{users.figure.start}"))
    d = decide_figure(q, [hit], [visits, users], model_with(3.0), {})
    assert d.candidates[0].figure is users.figure and d.verdict.holds is None
    q = with_(analyze("破3000万了没"), anchor=("p1", f"d@{users.figure.start}"))
    users_near = with_(users, features=visits.features)
    assert decide_figure(q, [hit], [visits, users_near], model_with(3.0), {}).verdict.holds is True


@pytest.mark.parametrize("question, kept", [
    ("是不是4月中旬开的？", False),             # names only the number checked: found by that very text
    ("是4月中旬那次吧", False),
    ("招聘专场是不是4月中旬开始？", True),       # names the thing the date is of
    ("联合招聘是4月中旬吗", True),
])
def test_a_check_naming_only_its_number_gets_no_verdict(question, kept):
    from dataclasses import replace as with_
    from hrss_qa.answering.decide import unnamed_check
    from hrss_qa.answering.records import Verdict
    from hrss_qa.answering.vocabulary import Vocabulary

    hit = hit_with("大中城市聯合招聘春季專場提供崗位420萬人次,截至4月中旬。")
    when = candidate(hit)   # its last figure: 4月中旬
    assert when.figure.kind == "date"
    vocabulary = Vocabulary.of([[(["大中城市", "联合", "招聘", "专场", "岗位"], True)]])
    q = analyze(question)
    decision = Decision("figure", q, (hit,), (when,), verdict=Verdict(q.thresholds[0], True))
    assert (unnamed_check(decision, vocabulary).verdict.holds is True) is kept
    # a follow-up carried its subject from the answer before: the check is of that figure
    carried = with_(decision, query=with_(q, anchor=("p1",)))
    assert unnamed_check(carried, vocabulary).verdict.holds is True


@pytest.mark.parametrize("flags, abstains", [
    ({"subject_missing": 1.0, "tense_mismatch": 1.0}, True),    # a done thing's date for a plan naming another
    ({"subject_missing": 1.0}, False),                          # each alone is left to the fitted model
    ({"tense_mismatch": 1.0}, False),
])
def test_a_date_of_what_was_done_is_no_date_of_another_plan(flags, abstains):
    from dataclasses import replace as with_

    hit = hit_with("截至4月中旬,大中城市聯合招聘春季專場提供崗位420萬人次。")
    when = with_(candidate(hit), figure=hit.figures[0])
    assert when.figure.kind == "date"
    features = tuple(flags.get(name, 0.0) for name in FEATURES)
    q = analyze("When will the trainee recruitment drive start?")
    d = decide_figure(q, [hit], [with_(when, features=features)], model_with(3.0), {})
    assert (d.kind == "abstain") is abstains


def test_unsure_abstains_and_says_why():
    hit = hit_with("失業保險參保人數2.37億人。")
    q = analyze("失业保险参保人数同比增长多少？")
    d = decide_figure(q, [hit], [candidate(hit, {"unmet_yoy": 1.0})], model_with(3.0), {})
    assert d.kind == "abstain" and "同比" in d.reason
    assert render(d).abstained and render(d).figures == ()


def test_a_group_the_sentence_does_not_name_rules_a_figure_out():
    hit = hit_with("3月份全國城鎮調查失業率為5.3%。")
    d = decide_figure(analyze("农民工的失业率是多少？"), [hit], [candidate(hit)], model_with(5.0), {})
    assert d.kind == "abstain" and "农民工" in d.reason


def test_answer_text_quotes_the_source_and_cites_it():
    hit = hit_with("截至3月底,失業保險參保人數2.37億人。")
    d = Decision("figure", analyze("失业保险参保人数多少"), (hit,), (candidate(hit),), confidence=0.9)
    a = render(d)
    assert a.text == "截至3月底，失业保险参保人数2.37亿人。[1]"
    assert a.citations[0].quote == hit.text and a.figures[0].text == "2.37億人"
    en = render(Decision("figure", analyze("How many people have unemployment insurance?"), (hit,),
                         (candidate(hit),), confidence=0.9))
    assert en.text.endswith("that is 2.37 億人 (237,000,000 人). [1]")


# --- the fitted model's file ---------------------------------------------------------------------------

def test_model_saves_and_loads_the_same(tmp_path):
    for model in (model_with(1.0), replace(model_with(1.0), sentence=_sentence_chooser(lexical=2.0))):
        model.save(tmp_path / "m.json")
        again = load_model(tmp_path / "m.json")
        assert again.to_dict() == model.to_dict() and (again.sentence is None) == (model.sentence is None)


def test_a_model_fitted_for_other_features_is_refused(tmp_path):
    model_with(1.0).save(tmp_path / "m.json")
    with pytest.raises(ModelError, match="other features"):
        load_model(tmp_path / "m.json", figure_features=("card",))
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="hrss-qa fit"):
        load_model(tmp_path / "bad.json")


def test_a_digit_with_a_word_magnitude_is_one_number():
    """「3千万」 is 30 million: the word run 千万 after a digit is not a number of its own."""
    [t] = thresholds("这个超过3千万了吗")
    assert t.value == 3e7


def test_terms_every_document_opens_with_are_its_frame_not_a_subject():
    """Who held a briefing and when (the opening line of every document) frame every figure: "did the
    ministry…" names no subject a figure's sentence must state."""
    from hrss_qa.answering.features import CorpusFacts
    from hrss_qa.chunking import chunk_corpus

    docs = [Document(name, text) for name, text in (
        ("a", "4月20日,人力資源社會保障部舉行新聞發布會。\n一、就業\n工作進展情況:城鎮新增就業300萬人。"),
        ("b", "7月20日,人力資源社會保障部舉行新聞發布會。\n一、就業\n工作進展情況:城鎮新增就業600萬人。"))]
    frame = CorpusFacts.of(chunk_corpus(docs)).frame_terms
    assert "人力资源社会保障部" in frame and "城镇新增就业" not in frame


def test_a_figure_of_the_year_before_is_read_in_its_own_sentence():
    """A passage giving 截至3月底 and 截至去年底 figures side by side: a question about March is
    declined only for the figure whose sentence is of the year before."""
    coverage = coverage_of(DOC)
    passage = "截至3月底,甲基金規模超過1.6萬億元。截至去年底,乙基金規模超過2.1萬億元。"
    q = analyze("截至3月底基金规模多少")
    assert evidence_problems(q, passage, coverage, sentence="截至3月底,甲基金規模超過1.6萬億元。") == []
    assert evidence_problems(q, passage, coverage, sentence="截至去年底,乙基金規模超過2.1萬億元。")


@pytest.mark.parametrize("a, b, larger", [
    (("超过", 47e8, "人次"), ("", 31e8, "次"), True),     # whatever 超过 hides, it is above
    (("近", 32e8, "人次"), ("", 31e8, "人次"), None),     # 近32亿 may be below 31亿 or above
    (("", 2e8, "人"), ("超过", 3e8, "人"), False),
    (("", 5.0, "人"), ("", 5.0, "人"), False),
])
def test_which_of_two_figures_is_larger_allows_for_their_qualifiers(a, b, larger):
    from hrss_qa.answering.decide import _larger
    from hrss_qa.figures import Figure
    from hrss_qa.language import lexicon

    def figure(qualifier, value, unit):
        return Figure(f"{qualifier}{value}{unit}", value, unit, qualifier, "累計訪問量", "count", 0, 1)

    assert _larger(figure(*a), figure(*b), lexicon()) is larger


def test_one_measure_counted_in_units_alike_is_comparable_but_other_measures_are_not():
    from hrss_qa.answering.decide import comparable
    from hrss_qa.figures import Figure

    visits = Figure("47億人次", 47e8, "人次", "", "累計訪問量", "count", 0, 1)
    assert comparable(visits, Figure("31億次", 31e8, "次", "", "累計訪問量", "count", 5, 6))
    assert not comparable(visits, Figure("350萬人次", 35e5, "次", "", "補貼性職業技能培訓", "count", 5, 6))


def test_a_carried_period_does_not_decline_a_figure_of_the_year_before():
    """A period the user did not say in this turn (carried from the previous question) puts no
    constraint on the figure's date: a 截至去年底 figure answers, its sentence naming its date."""
    from dataclasses import replace

    coverage = coverage_of(DOC)
    sentence = "截至去年底,乙基金規模超過2.1萬億元。"
    q = analyze("截至3月底乙基金规模多少")
    assert evidence_problems(q, sentence, coverage, sentence=sentence)
    carried = replace(q, periods=tuple(replace(p, carried=True) for p in q.periods))
    assert evidence_problems(carried, sentence, coverage, sentence=sentence) == []


def test_a_share_check_is_scored_on_both_its_figures_in_any_order():
    """「支出占收入超过八成了吗」 asks two figures: the answer is right with both, whichever comes first,
    so its verdict is not counted wrong for the order."""
    from types import SimpleNamespace

    from hrss_qa.evaluation import Question, _score

    q = Question("x-001", "支出占收入超过八成了吗", "yes_no", "zh-Hans", True, gold_span="收入2萬元、支出1.7萬元",
                 gold_figures=("2萬元", "1.7萬元"), gold_verdict="yes")
    answer = SimpleNamespace(abstained=False, text="是的。…", verdict="yes",
                             figures=tuple(extract_figures("支出1.7萬元,收入2萬元")))
    scored = _score(q, ["收入2萬元、支出1.7萬元"], answer, 0.01)
    assert scored.figure_correct and scored.verdict_wrong is False
    one = SimpleNamespace(abstained=False, text="是的。…", verdict="yes", figures=tuple(extract_figures("支出1.7萬元")))
    assert _score(q, [], one, 0.01).verdict_wrong   # one of the two figures: not right


def test_a_difference_between_two_sides_is_no_change_over_time():
    q = analyze("个人养老金参加人数跟脱贫人口务工规模比，少了多少？")
    assert q.compare == "difference" and len(q.parts) == 2 and "change" not in q.asks
    assert "change" in analyze("今年比去年多了多少？").asks     # against a period it still is


def test_the_sides_of_a_comparison_share_a_unit_named_once():
    q = analyze("社保卡和电子社保卡的人口覆盖率差了几个百分点？")
    assert [p.units for p in q.parts] == [frozenset({"%"})] * 2


def test_bili_is_a_share_word_not_a_comparison():
    # 比例/比重/比率 hold 比 but compare nothing: 「…，占人口的比例是多少」 is a second ask, not 「A比B少」
    q = analyze("电子社保卡领用了多少人，占人口的比例是多少？")
    assert q.compare is None and [p.text for p in q.parts] == ["电子社保卡领用了多少人", "占人口的比例是多少"]


@pytest.mark.parametrize("question, values", [
    ("Is stabilising jobs one of the items the department heads will walk through?", []),   # partitive, no number
    ("Are there more than five one-card pilot cities?", [5.0]),                              # one-card is a name
    ("Is it a five-year plan?", [5.0]),
])
def test_english_number_words_that_are_no_numbers(question, values):
    assert [t.value for t in thresholds(question)] == values


def test_a_comparisons_own_ask_is_split_off_not_made_a_side():
    assert split_question("失业保险参保人数跟工伤保险参保人数比，人数差多少") == ["失业保险参保人数", "工伤保险参保人数"]
    assert bare("到底", lexicon()) == "" and len(bare("人数差多少", lexicon(), measures=True)) < 2


def test_person_times_as_a_noun_names_no_unit():
    # 「…培训人次数字」: 人次 then 数字, not 次数 (how many times)
    assert analyze("补贴性职业技能培训人次数字").units is None
    assert analyze("访问次数是多少").units == frozenset({"次", "人次"})


def test_made_is_no_earnings_word_of_its_own():
    assert "earnings" not in analyze("How many trips were made to bring workers back?").asks
    assert "earnings" in analyze("How much money was made by the pension fund?").asks


def test_a_clause_without_its_subject_is_quoted_from_the_clause_naming_it():
    from hrss_qa.answering.render import _naming_clauses
    sentence = "截至3月底,全國社保卡持卡人數13.7億人,覆蓋97%人口;電子社保卡領用人數7.64億人,覆蓋54.1%人口。"
    assert _naming_clauses(sentence, "覆蓋54.1%人口", "電子社保卡領用人數覆蓋人口") == "電子社保卡領用人數7.64億人,覆蓋54.1%人口"
    assert _naming_clauses(sentence, "全國社保卡持卡人數13.7億人", "全國社保卡持卡人數") is None


def test_a_number_stated_as_a_gap_is_no_level_to_check():
    assert thresholds("支出比收入少了3400亿，对吧") == ()
    assert thresholds("so spending trailed income by about 300 billion, right?") == ()
    assert [t.relation for t in thresholds("收入超过2万亿了吗")] == [">"]


def test_how_a_measure_stands_asks_its_figure():
    assert analyze("失业保险参保人数情况如何").wants == "figure"
    assert analyze("如何申领电子社保卡").wants == "fact"


def test_a_stated_multiple_and_its_relation():
    from hrss_qa.answering.decompose import stated_multiple
    assert stated_multiple("A是B的两倍多吗") == (2.0, ">", "两倍")
    assert stated_multiple("A是不是B的3倍") == (3.0, "~", "3倍")
    assert stated_multiple("A不到B的一半吧") is None
    q = analyze("养老保险参保人数是工伤保险参保人数的四倍多吗")
    assert q.compare == "ratio" and [(t.value, t.relation, t.kind) for t in q.thresholds] == [(4.0, ">", "ratio")]


def test_a_date_asked_of_a_rate_is_no_rate():
    q = analyze("Which month is that jobless rate for?")
    assert q.wants == "date" and q.units is None


def test_two_sides_wanting_one_figure_settle_it_on_the_side_that_needs_it_most():
    from dataclasses import replace as _replace
    from hrss_qa.answering.sides import Sides
    from hrss_qa.answering.vocabulary import Vocabulary

    x_hit, y_hit = hit_with("甲類覆蓋97%"), hit_with("乙類人口覆蓋54.1%")   # (figures at different offsets)
    x = _replace(candidate_for(x_hit, extract_figures("甲類覆蓋97%")[0]), score=0.6)
    y = _replace(candidate_for(y_hit, extract_figures("乙類人口覆蓋54.1%")[0]), score=0.55)
    first, second = analyze("甲类覆盖率"), analyze("乙类覆盖率")

    def decide_part(part, docs, taken):
        # side one has 97% nearly as strongly as 54.1%; side two has only 54.1% (it loses more without it)
        ranked = {first.text: [y, x], second.text: [y]}[part.text]
        left = [c for c in ranked if (c.hit.doc_id, c.figure.start) not in (taken or ())]
        return Decision("figure", part, (), tuple(left[:1]), confidence=0.9) if left else Decision("abstain", part)

    decisions = Sides(decide_part, Vocabulary.of([]), lexicon()).decide((first, second), None, compared=True)
    assert [d.candidates[0].figure.text for d in decisions] == ["97%", "54.1%"]


@pytest.mark.parametrize("question, kinds", [
    ("这是哪个季度的数据", {"period"}),                 # the when-word asks a span: not a period of its own
    ("覆盖的是哪段时间", {"period"}),
    ("which quarter did it report on?", {"period"}),
    ("这个失业率是哪个月的", {"date", "period"}),
    ("一季度的数据是哪天公布的", {"date"}),            # names its own period: a day is asked
])
def test_a_when_word_naming_a_span_is_not_the_questions_own_period(question, kinds):
    q = analyze(question)
    assert q.wants == "date" and q.kinds == frozenset(kinds)


@pytest.mark.parametrize("question, parts", [
    ("以后养老保险还有什么安排？简单说一项", 0),          # an ask and how to answer it: one question
    ("会不会继续推广一卡通？推广到哪些地方？", 0),        # two asks in words of one subject
    ("83项和118项分别是哪个平台的", 2),                   # 分别: each of two things
])
def test_asks_in_words_of_one_subject_are_one_question(question, parts):
    assert len(analyze(question).parts) == parts


@pytest.mark.parametrize("question, sides", [
    ("电子社保卡的访问量跟它比谁多", []),                  # 谁 asks which: no side named 谁
    ("失业保险跟工伤保险比谁多", ["失业保险", "工伤保险"]),
])
def test_a_which_word_after_than_is_no_side(question, sides):
    assert split_question(question)[:2] == sides


@pytest.mark.parametrize("question", ["举几个例子", "给我举两个例子吧", "give me a few examples"])
def test_a_number_inside_a_request_for_examples_asks_no_figure(question):
    assert analyze(question).wants == "fact"


@pytest.mark.parametrize("asked, stated, same", [
    ("3月底", "截至4月中旬", False),     # another end
    ("3月底", "1-3月", True),            # a total from the year's start is as of its end
    ("一季度", "1-3月", True),
    ("3月份", "1-3月", False),           # one month is not the quarter
    ("4月底", "4月中旬", False),
    ("今年3月底", "去年底", False),
    ("去年3月底", "3月底", False),
    ("一季度", "截至3月底", None),        # a stretch asked of a moment: not decided
    ("2022年底", "去年底", None),         # the document's year would decide
])
def test_a_time_asked_is_compared_with_the_time_a_figure_is_of(asked, stated, same):
    from hrss_qa.answering.times import same_time
    assert same_time(asked, stated) is same


@pytest.mark.parametrize("question, checked", [
    ("这是截至3月底的数吗", "3月底"),
    ("Was that also as of end-March?", "3月底"),
    ("is that figure as of the end of last year?", "去年底"),
    ("那是不是一季度的", "一季度"),
    ("这个是截止到今年4月中旬的吗", "今年4月中旬"),
])
def test_a_time_right_after_a_relation_is_checked(question, checked):
    t = thresholds(question)
    assert [x.text for x in t] == [checked] and t[0].relation == "=" and analyze(question).wants == "date"


@pytest.mark.parametrize("question", ["截至3月底个人养老金制度运行平稳吗", "一季度到了300万吗", "到3月底达到3500万了吗"])
def test_a_time_that_only_sets_when_is_not_checked(question):
    assert analyze(question).wants != "date"
    assert not any(t.kind in ("date", "period") and t.text != "3月底" for t in thresholds(question))


def test_a_date_asked_of_an_earlier_answer_comes_from_its_passage_or_nowhere():
    """"When does it start?" after a plan with no date: a date of another passage is another thing's."""
    from dataclasses import replace as with_

    elsewhere = with_(hit_with("截至4月中旬,春季專場提供崗位420萬人次。"), passage_id="p2")
    q = with_(analyze("什么时候开始？"), anchor=("p1",))
    assert q.wants == "date"
    assert decide_figure(q, [elsewhere], [candidate(elsewhere)], model_with(3.0), {}).kind == "abstain"
    here = hit_with("截至4月中旬,春季專場提供崗位420萬人次。")
    date = Candidate(here.figures[0], here, here.sentence, (0.0,) * len(FEATURES), score=0.5, flags=(0.0,) * len(FIT_FLAGS))
    assert decide_figure(q, [here], [date], model_with(3.0), {}).kind == "figure"


@pytest.mark.parametrize("question, tense", [
    ("那个招聘会有多少家企业参加", None),      # a meeting has, nothing will
    ("表彰大会有几个奖项", None),
    ("仲裁方面会有新举措吗", "plan"),
])
def test_will_have_is_a_plan_and_a_meeting_having_is_not(question, tense):
    assert analyze(question).tense == tense


def test_a_month_carried_from_an_earlier_turn_is_no_missing_month():
    from dataclasses import replace as with_

    from hrss_qa.answering.features import missing_months
    q = analyze("3月份劳务品牌发展大会是第几届")
    assert missing_months(q, "舉辦第二屆勞務品牌發展大會") == [3]
    carried = with_(q, periods=tuple(with_(p, carried=True) for p in q.periods))
    assert missing_months(carried, "舉辦第二屆勞務品牌發展大會") == []


def test_no_verdict_on_a_figure_not_labelled_with_what_the_follow_up_named():
    from dataclasses import replace as with_

    hit = hit_with("全國基本養老、失業、工傷保險參保人數分別為10.52億人、2.37億人、2.89億人。")
    q = analyze("失业保险参保人数有没有2.5亿")
    injury = candidate(hit)   # the list's last figure: 工伤保险's 2.89亿, which would say yes
    assert decide_figure(q, [hit], [injury], model_with(3.0), {}).verdict.holds is True
    named = with_(q, swapped_in=("失业",))
    assert decide_figure(named, [hit], [injury], model_with(3.0), {}).verdict.holds is None


@pytest.mark.parametrize("question, value", [
    ("And jobs posted, over 40 million?", 4e7),
    ("And the card holders — more than 1.3 billion?", 1.3e9),
])
def test_a_relation_and_a_number_closing_an_english_question_is_a_check(question, value):
    q = analyze(question)
    assert q.yes_no and q.thresholds[0].value == value


def test_an_english_question_with_no_relation_is_no_check():
    assert not analyze("How many trips were made, roughly?").yes_no


@pytest.mark.parametrize("question, ordinal", [
    ("so the commendation is the 16th, right?", 16.0),
    ("So it was the second batch?", 2.0),
    ("is it the 3rd edition?", 3.0),
    ("大赛那个也是第二届？", 2.0),           # stated, with a question mark: a check
])
def test_ordinals_in_words_and_digits_are_checked(question, ordinal):
    q = analyze(question)
    assert q.yes_no and q.wants == "ordinal" and q.thresholds[0].value == ordinal


@pytest.mark.parametrize("question", ["How many new jobs in the first quarter?", "What happens in the second half?",
                                      "Is this one over 3 million?"])
def test_ordinals_naming_periods_or_pronouns_are_no_numbers(question):
    assert not any(t.kind == "ordinal" or t.value == 1.0 for t in thresholds(question))


@pytest.mark.parametrize("question, declined", [
    ("工伤保险基金一季度收入多少", True),      # one scheme of the three: the total is not its
    ("What was the unemployment insurance fund's income?", True),
    ("社会保险基金一季度总收入多少", False),   # the total itself
])
def test_a_total_over_several_schemes_is_no_answer_for_one_of_them(question, declined):
    from hrss_qa.answering.decide import hard_problems
    from hrss_qa.language import lexicon

    hit = hit_with("1-3月三項社會保險基金總收入2.04萬億元。", section="二、社會保障 › 工作進展情況")
    problems = hard_problems(analyze(question), candidate(hit), {}, lexicon())
    assert any(p.kind == "scheme" for p in problems) is declined


@pytest.mark.parametrize("question, declined", [
    ("失业保险基金结余还有多少", True),       # a later clause of the sentence shares the total's subject
    ("养老保险基金的结余是多少", True),
    ("三项基金累计结余多少", False),
])
def test_a_total_named_at_the_head_of_the_sentence_covers_its_later_clauses(question, declined):
    from hrss_qa.answering.decide import hard_problems
    from hrss_qa.language import lexicon

    hit = hit_with("1-3月三項社會保險基金總收入2.04萬億元、總支出1.7萬億元,3月底累計結余7.75萬億元。",
                   section="二、社會保障 › 工作進展情況")
    balance = candidate(hit)   # its last figure: 7.75萬億元, in a clause that names no total
    assert balance.figure.text == "7.75萬億元"
    problems = hard_problems(analyze(question), balance, {}, lexicon())
    assert any(p.kind == "scheme" for p in problems) is declined


@pytest.mark.parametrize("question, unit", [
    ("平均每家解决多少人次", "家"), ("每一场平均多少个岗位", "场"), ("How many jobs per event?", "场"),
    ("jobs per enterprise", "家"), ("每个月多少人", None), ("平均多少人", None),
])
def test_the_unit_an_average_is_asked_per(question, unit):
    from hrss_qa.answering.earlier import per_unit
    from hrss_qa.language import lexicon

    assert per_unit(question, lexicon()) == unit


@pytest.mark.parametrize("question, holds", [("平均每家不到20人次吧", True), ("每家平均超过20人次了吗", False),
                                             ("平均每家是不是15人次左右", True)])
def test_an_average_per_unit_is_checked_on_the_quotient(question, holds):
    from hrss_qa.answering.decide import _per_verdict
    from hrss_qa.figures import extract_figures

    total, count = extract_figures("累計幫助3.4萬家重點企業解決用工需求52萬人次")[::-1]
    assert (total.text, count.text) == ("52萬人次", "3.4萬家")
    assert _per_verdict(analyze(question), total, count).holds is holds   # 52万 / 3.4万 = 15.3


@pytest.mark.parametrize("day, part, holds", [
    ("4月24日", "4月中旬", False), ("4月24日", "4月下旬", True), ("4月15号", "4月中旬", True),
    ("4月24日", "5月上旬", False),
    ("4月24日", "4月底", None),     # the end of a month spans no fixed days
])
def test_a_day_is_decided_against_a_part_of_a_month_by_the_days_it_spans(day, part, holds):
    from hrss_qa.answering.times import day_in_part
    from hrss_qa.figures import extract_figures

    assert day_in_part(day, part) is holds
    checked = Threshold(part, 0.0, "", "date", "=")
    assert check((checked,), extract_figures(f"{day},人力資源社會保障部舉行新聞發布會")[0]).holds is holds


def test_a_day_checked_is_compared_with_a_day_only():
    from hrss_qa.figures import extract_figures

    day = Threshold("4月20号", 0.0, "", "date", "=")
    assert check((day,), extract_figures("4月24日,人力資源社會保障部舉行新聞發布會")[0]).holds is False
    assert check((day,), extract_figures("2023年一季度新聞發布會")[0]).holds is None   # a quarter is no day
    assert analyze("是4月20号开的吧？").kinds == frozenset({"date"})


@pytest.mark.parametrize("question", ["青年人的失业率有没有具体数", "Is there a figure for youth unemployment?"])
def test_asking_whether_a_figure_is_given_asks_a_figure(question):
    assert analyze(question).wants == "figure"


def test_a_word_asking_two_measures_is_read_as_both():
    q = analyze("社保基金一季度的收支情况")
    assert q.several and len(q.parts) == 2 and "收入" in q.parts[0].key and "支出" in q.parts[1].key
    assert not analyze("社保基金收支相抵以后剩多少").parts   # the gap between them is one figure


def test_a_question_after_a_dash_is_a_check():
    assert analyze("And the skills competition they are organising — is it the second one?").yes_no


def test_a_relation_to_a_number_stated_with_a_question_mark_is_a_check():
    q = analyze("So pension coverage is above 1 billion?")
    assert q.yes_no and q.thresholds[0].relation == ">"


def test_a_check_naming_another_part_of_a_list_gets_no_verdict():
    hit = hit_with("全國基本養老、失業、工傷保險參保人數分別為10.52億人、2.37億人、2.89億人。")
    unemployment = Candidate(hit.figures[1], hit, hit.sentence, (0.0,) * len(FEATURES), score=0.9,
                             flags=(0.0,) * len(FIT_FLAGS))
    vocabulary = Vocabulary.of([[(["工伤保险", "参保人数"], True), (["失业保险", "参保人数"], True)]])
    checked = Threshold("2.37亿", 2.37e8, "", "quantity", "=")
    for asked, holds in (("工伤那个是2.37亿吧", None), ("失业那个是2.37亿吧", True)):
        query = replace(analyze(asked), asked=asked)
        decision = Decision("figure", query, (hit,), (unemployment,), verdict=Verdict(checked, True))
        assert check_of_another_part(decision, vocabulary).verdict.holds is holds


def test_a_check_of_another_figures_measure_in_the_sentence_gets_no_verdict():
    hit = hit_with("1-3月三項社會保險基金總收入2.04萬億元、總支出1.7萬億元,3月底累計結余7.75萬億元。")
    spending = next(f for f in hit.figures if f.text == "1.7萬億元")
    chosen = Candidate(spending, hit, hit.sentence, (0.0,) * len(FEATURES), score=0.9, flags=(0.0,) * len(FIT_FLAGS))
    vocabulary = Vocabulary.of([[(["社会保险", "基金", "总支出"], True), (["累计结余"], True)]])
    for asked, holds in (("结余不到8万亿吧", None), ("支出不到8万亿吧", True)):
        query = replace(analyze(asked), asked=asked)
        checked = query.thresholds[0]
        decision = Decision("figure", query, (hit,), (chosen,), verdict=Verdict(checked, True))
        assert check_of_another_part(decision, vocabulary).verdict.holds is holds


@pytest.mark.parametrize("question, holds", [
    ("工伤比失业多出来的不到5000万人吧", False),   # 2.89亿 − 2.37亿 = 5200万
    ("工伤比失业多出来的超过5000万人吗", True),
    ("工伤比失业多的有6000万人以上吗", False),
])
def test_a_check_of_the_gap_between_two_figures_is_decided_on_the_gap(question, holds):
    q = analyze(question)
    texts = ("工傷保險參保人數為2.89億人", "失業保險參保人數為2.37億人")
    parts = [Decision("figure", sub, (hit_with(text),), (candidate_for(hit_with(text), extract_figures(text)[0]),),
                      confidence=0.9) for sub, text in zip(q.parts, texts)]
    assert len(q.parts) == 2 and q.thresholds and combine(q, parts).verdict.holds is holds


def _passage_hit(passage_id: str, rank: int, sentences: list[str], lexical: list[float]) -> Hit:
    """A hit of several sentences, the first its best, with the given lexical scores."""
    text, spans = "", []
    for s in sentences:
        spans.append(Sentence(s, len(text), len(text) + len(s)))
        text += s
    return Hit(rank=rank, score=1.0 / rank, passage_id=passage_id, doc_id="d", section="二、社會保障 › 工作進展情況",
               text=text, start=0, end=len(text), sentence=spans[0], figures=(),
               sentence_scores=tuple(1.0 - 0.1 * i for i in range(len(spans))), sentence_lexical=tuple(lexical),
               sentences=tuple(spans), figure_scores=())


@pytest.mark.parametrize("question, lexical, expected", [
    # the best passage names no place; the next one has a sentence that does and shares the question's words
    ("哪几个地区在推一卡通", [0.0, 0.8], "长三角"),
    # a sentence naming places that shares no word with the question answers nothing
    ("哪几个地区在推一卡通", [0.0, 0.0], None),
])
def test_a_place_asked_may_be_named_in_the_next_passage(question, lexical, expected):
    from hrss_qa.answering.decide import decide_passage

    hits = [_passage_hit("p1", 1, ["推广一卡通试点经验。"], [1.0]),
            _passage_hit("p2", 2, ["各地推进社保卡应用。", "长三角、川渝等地推进一卡通应用。"], lexical)]
    d = decide_passage(analyze(question), hits, model_with(5.0), (0.0,), lexicon())
    assert (None if d.kind == "abstain" else d.sentence.text[:3]) == expected
    assert d.kind == "abstain" or d.hits[0].passage_id == "p2"


def test_names_asked_are_not_looked_for_beyond_the_best_passage():
    # 「具体是哪些」 names the items of a list: any list elsewhere (、) is no evidence of this one's
    from hrss_qa.answering.decide import decide_passage

    hits = [_passage_hit("p1", 1, ["推广一卡通试点经验。"], [1.0]),
            _passage_hit("p2", 2, ["长三角、川渝等地推进一卡通应用。"], [0.8])]
    d = decide_passage(analyze("一卡通试点具体是哪些"), hits, model_with(5.0), (0.0,), lexicon())
    assert d.kind == "abstain"


def _sentence_chooser(dense: float = 1.0, lexical: float = 1.0, heading: float = -1.0) -> Logistic:
    from hrss_qa.answering.confidence import SENTENCE_FEATURES

    n = len(SENTENCE_FEATURES)
    return Logistic(SENTENCE_FEATURES, np.zeros(n), np.ones(n), np.array([dense, lexical, heading]), 0.0)


@pytest.mark.parametrize("lexical, named, expected", [
    # retrieval's best sentence (dense) is the first; the model weighs the words shared with the question too
    ([0.0, 1.0, 0.0], (), "各地落实代缴政策"),
    # a follow-up's new subject: only the sentences speaking of it, whatever the words carried over
    ([0.0, 1.0, 0.0], ("退捕渔民",), "退捕渔民全部参保"),
    # a heading chosen is quoted with the sentence after it
    ([1.0, 0.0, 0.0], (), "二是推动参保。各地落实代缴政策"),
])
def test_the_quoted_sentence_is_the_fitted_choice(lexical, named, expected):
    from hrss_qa.answering.decide import informative_sentence

    hit = _passage_hit("p1", 1, ["二是推动参保。", "各地落实代缴政策，为困难群体代缴保费。", "退捕渔民全部参保。"], lexical)
    model = replace(model_with(1.0), sentence=_sentence_chooser(dense=0.5, lexical=5.0, heading=0.0))
    assert informative_sentence(hit, model, named).text.startswith(expected)


@pytest.mark.parametrize("question, value", [
    ("Is the skills contest also the 3rd?", 3.0),
    ("Will the mediation bodies be the fourth batch?", 4.0),
    ("Is the talent award ceremony the sixteenth edition?", 16.0),
])
def test_an_english_ordinal_closing_a_check_is_checked(question, value):
    q = analyze(question)
    assert q.yes_no and [(t.kind, t.value, t.relation) for t in q.thresholds] == [("ordinal", value, "=")]


def test_an_english_ordinal_before_its_noun_names_the_subject():
    # "the 16th talent award ceremony" names what is asked about; nothing is checked
    assert not analyze("When is the 16th talent award ceremony to be held?").thresholds


@pytest.mark.parametrize("question, sides", [
    ("支出大约占收入的多少", ("支出", "收入")),
    ("结余差不多占收入几成", ("结余", "收入")),
])
def test_an_approximation_word_belongs_to_neither_side_of_a_share(question, sides):
    assert split_share(question) == sides


@pytest.mark.parametrize("question, second", [
    ("How many more people hold the physical card than the electronic one?", "people hold the electronic card"),
    ("How many more visits does the national platform have than the provincial one?",
     "visits does the provincial platform have"),
])
def test_one_stands_for_the_other_sides_noun(question, second):
    assert split_question(question)[1] == second


@pytest.mark.parametrize("question, parts", [
    ("So the e-card has had more visits than the platform?", ["the e-card visits", "the platform visits"]),
    ("And unemployment insurance has more members than work-injury insurance?",
     ["unemployment insurance members", "work-injury insurance members"]),
])
def test_a_comparison_said_as_a_statement_splits_with_its_measure(question, parts):
    assert split_question(question) == parts


@pytest.mark.parametrize("question, mandarin", [
    ("其中跨省嘅有幾多？", "其中跨省的有多少？"),            # Traditional stays Traditional
    ("佢哋而家開通咗幾多項服務", "他們現在開通了多少項服務"),
    ("有冇一半？", "有没有一半？"),
    ("帮咗几多间企业", "帮了多少家企业"),
    ("劳动关系系唔系稳定", "劳动关系是不是稳定"),             # 系 of 关系 stays
    ("劳动仲裁", "劳动仲裁"),
    ("How many?", "How many?"),
])
def test_cantonese_words_are_read_as_mandarin(question, mandarin):
    assert in_mandarin(question, lexicon()) == mandarin


@pytest.mark.parametrize("question", ["今年头三个月，城镇一共多了多少人就业？", "3月份，失业率和新增就业各是多少"])
def test_a_time_alone_is_no_side_of_a_comparison(question):
    assert not any(p in ("今年头三个月", "3月份") for p in split_question(question))


@pytest.mark.parametrize("question, kinds", [
    ("职业年金基金规模有多大", {"quantity", "count"}),
    ("How large is the fund?", {"quantity", "count"}),
    ("覆盖了多大比例的人口", {"quantity", "count", "percent"}),   # a share asked: not a size
])
def test_how_big_asks_an_amount_not_a_rate(question, kinds):
    assert analyze(question).kinds == kinds


@pytest.mark.parametrize("question, compare", [
    ("收入比支出多多少", "difference"),
    ("那占总数差不多多少", None),        # 差不多: "about", no difference asked
])
def test_about_how_much_is_no_difference(question, compare):
    assert compare_kind(normalize(question), lexicon()) == compare


def test_a_particle_before_a_word_is_no_cantonese_demonstrative():
    # 「呢个人养老金」: the particle 呢, then 个人养老金 (not 「这个人…」)
    assert in_mandarin("工伤呢个人养老金呢", lexicon()) == "工伤呢个人养老金呢"
    assert in_mandarin("呢個數字係幾多", lexicon()) == "這個數字是多少"


def test_taiwan_zhao_after_a_number_is_wan_yi():
    assert analyze("累計結餘有超過8兆嗎？").thresholds[0].value == 8e12
    assert in_mandarin("兆瓦", lexicon()) == "兆瓦"


def test_a_number_checked_far_from_the_figures_magnitude_gets_no_verdict():
    from hrss_qa.answering.decide import check
    from hrss_qa.figures import extract_figures
    fig = extract_figures("3月底累計結余7.75萬億元")[-1]
    assert check((Threshold("8", 8.0, "", "quantity", ">"),), fig).holds is None
    assert check((Threshold("8万亿", 8e12, "", "quantity", ">"),), fig).holds is False
