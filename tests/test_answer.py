"""Answers: exact figures with their source sentence, script-following text, and abstention."""

import re

import pytest

from hrss_qa.answering import Turn, answer_with
from hrss_qa.evaluation import evaluate, load_questions
from hrss_qa.text import normalize

NUMBER = re.compile(r"\d+(?:\.\d+)?")


@pytest.mark.parametrize(
    "question, figure, fragment",
    [
        ("一季度城镇新增就业多少人？", "297萬人", "1-3月城镇新增就业297万人。[1]"),
        ("失业保险参保人数是多少？", "2.37億人", "失业保险参保人数为2.37亿人"),
        ("工傷保險參保人數有多少？", "2.89億人", "工傷保險參保人數為2.89億人"),
        ("3月份全国城镇调查失业率是多少？", "5.3%", "5.3%"),
        ("电子社保卡累计访问量是多少？", "31億次", "31亿次"),
        ("全国人社政务服务平台累计访问量多少？", "近32億人次", "近32亿人次"),
        ("国家社会保险公共服务平台开通了多少项全国性统一服务？", "83項", "83项"),
        ("一季度发放了多少职业培训券？", "超過261萬張", "超过261万张"),
        ("舉辦的是第幾屆勞務品牌發展大會？", "第二屆", "第二屆"),
    ],
)
def test_figure_answers(engine, question, figure, fragment):
    a = answer_with(engine, question)
    assert not a.abstained
    assert a.figures[0].text == figure
    assert fragment in a.text
    assert a.text.endswith("[1]")
    first = a.citations[0]
    assert figure in first.quote
    assert first.quote in first.hit.text
    doc = engine.documents[first.hit.doc_id]
    assert doc.text[first.start:first.end] == first.quote


YES_NO = ("是的", "不是", "没有", "沒有", "Yes", "No")
YES_NO_CHECKS = [
        ("今年1到3月城镇新增就业有没有到300万？", "297萬人", "没有。"),
        ("3月份失业率超过5%了吗", "5.3%", "是的。"),
        ("3月份失业率超过6%了吗", "5.3%", "没有。"),
        ("失业率是5%吗", "5.3%", "不是。"),
        ("用电子社保卡的人超过一半了吗？", "54.1%", "是的。"),
        ("听说一季度帮重点企业招到了52万人次，是真的吗？", "52萬人次", "是的。"),
        ("降低失業保險和工傷保險費率的政策，真的延到2024年底了嗎？", "2024年底", "是的。"),
        ("Is it true that more than half of people use the electronic social security card?", "54.1%", "Yes."),
        ("聽說社保降費每年幫企業省超過2000億，是這樣嗎？", "1800億元", "沒有。"),   # 2000億 is no year
        ("电子社保卡被用过的次数有没有到32亿？", "31億次", "没有。"),
        ("Is the unemployment rate above 5 percent?", "5.3%", "Yes."),
]


@pytest.mark.parametrize("question, figure, lead", YES_NO_CHECKS)
def test_yes_no_questions_check_the_stated_figure(engine, question, figure, lead):
    """A question checking a figure it states gets that figure from the briefing and, when the
    model is sure enough, the verdict — never the wrong one."""
    a = answer_with(engine, question)
    assert not a.abstained and a.figures[0].text == figure, a.text
    assert a.text.startswith(lead) or (not a.verdict and not a.text.startswith(YES_NO)), a.text


def test_yes_no_questions_mostly_get_their_verdict(engine):
    given = [answer_with(engine, q).verdict for q, _, _ in YES_NO_CHECKS]
    assert sum(bool(v) for v in given) >= len(YES_NO_CHECKS) - 2, given


def test_a_wrong_premise_is_corrected_not_confirmed(engine):
    """The label decides which figure is checked, not the number the asker brings."""
    a = answer_with(engine, "工伤保险参保的是2.37亿人吧？")   # 2.37億人 is 失業保險's
    assert a.figures[0].text == "2.89億人" and a.text.startswith("不是。"), a.text


@pytest.mark.parametrize("question", [
    "第十六届高技能人才表彰大会已经开过了吧？",   # the ordinal names the subject; 召开 is a plan
    "职业年金5.29%是年均的还是一年的？",          # asks which, not whether
])
def test_no_verdict_when_the_stated_figure_is_not_what_is_checked(engine, question):
    a = answer_with(engine, question)
    assert not a.abstained and not a.text.startswith(("是的", "不是", "没有")), a.text


@pytest.mark.parametrize("question, reason", [
    ("个人养老金值不值得开？", "个人建议"),
    ("职业培训券怎么申请？", "办理方式"),
    ("16场跨区域巡回招聘会在哪些城市办？", "地点"),
    ("我每个月能领多少养老金？", "全国的总数"),
    ("个人养老金怎么开户？", "办理方式"),
    ("如何参加职业技能培训？", "办理方式"),
    ("農民工能不能參加工傷保險？", "条件"),
    ("Can gig workers join unemployment insurance?", "条件"),
    # the text says only 有关部门 / a count of departments
    ("数字技术工程师的国家职业标准是跟哪些部门一起颁布的？", "哪些部门"),
    ("Which ministries did the spring recruitment campaign work with?", "哪些部门"),
])
def test_details_the_briefing_does_not_give_are_not_invented(engine, question, reason):
    a = answer_with(engine, question)
    assert a.abstained and reason in a.reason, a.text


def test_several_figures_asked_at_once_are_all_stated(engine):
    a = answer_with(engine, "基本养老、失业、工伤保险参保人数分别是多少？")
    assert all(x in a.text for x in ("10.52亿人", "2.37亿人", "2.89亿人")), a.text
    b = answer_with(engine, "How many nationwide and how many local services does the HR government service platform offer?")
    assert "118" in b.text and "389" in b.text, b.text


@pytest.mark.parametrize("question", ["今年的高校毕业生总数是多少？", "农民工一共有多少人？"])
def test_a_head_count_is_not_answered_with_person_times(engine, question):
    """420萬人次 (jobs offered) and 202.5萬人次 (trips) are not how many graduates or migrant workers there are."""
    a = answer_with(engine, question)
    assert a.abstained, a.text


def test_person_times_answer_how_many_were_served(engine):
    a = answer_with(engine, "农民工返岗复工运送了多少人？")
    assert a.figures[0].text == "202.5萬人次", a.text


@pytest.mark.parametrize("question, reason", [
    ("农民工的失业率是多少？", "农民工"),                  # 5.3% is everyone's rate
    ("高校毕业生春季专场提供了多少岗位？", "高校毕业生"),   # 420萬人次 is for all job seekers
    ("职业培训券啥时候截止？", "数字"),                    # 一季度 is when they were issued, not a deadline
    ("350万人次培训里实际是多少个人？", ""),                # person-times only
    ("社保卡怎么申领？", "办理方式"),
])
def test_more_near_misses_abstain(engine, question, reason):
    a = answer_with(engine, question)
    assert a.abstained and reason in a.reason, (a.text, a.reason)


@pytest.mark.parametrize("question, figure, lead", [
    ("Is it true that 2.97 million urban jobs were created in Q1?", "297萬人", "Yes."),  # million → 萬
    ("新闻发布会是4月25日开的吗？", "4月24日", "不是。"),
])
def test_english_magnitudes_and_days_are_checked(engine, question, figure, lead):
    a = answer_with(engine, question)
    assert a.figures[0].text == figure and a.text.startswith(lead), a.text


def test_a_channel_the_briefing_names_is_given(engine):
    a = answer_with(engine, "欠薪线索去哪里反映？")
    assert not a.abstained and "根治欠薪线索反映平台" in a.text, a.text


def test_the_word_that_tells_figures_of_a_sentence_apart_decides(engine):
    """总收入 / 总支出 / 累计结余 share one sentence and its subject; 还剩 (结余) picks one."""
    for question in ("社保基金还剩多少钱", "What was the cumulative balance of the three social insurance funds?"):
        a = answer_with(engine, question)
        assert a.figures[0].text == "7.75萬億元", (question, a.text)


@pytest.mark.parametrize(
    "question, reason",
    [
        ("职业年金参加人数是多少？", "职业年金"),          # 参加人数 is given for 个人养老金 only
        ("全国36个大城市的失业率是多少？", "36个"),          # the briefing gives the national rate
        ("電子社保卡一季度新增了多少人領用？", "新增"),      # 7.64億人 is a total, not an increase
        ("How many visits did the national social insurance platform get in March alone?", "累计"),
    ],
)
def test_near_misses_abstain_and_say_what_is_missing(engine, question, reason):
    a = answer_with(engine, question)
    assert a.abstained and reason in a.reason, (a.text, a.reason)


@pytest.mark.parametrize(
    "question, figure",
    [
        ("How many people hold a social security card?", "13.7億人"),   # not 電子社保卡's 7.64億人
        ("社保卡有多少人持有？", "13.7億人"),
        ("养老保险参保人数有多少", "10.52億人"),                        # 基本養老保險 is what is meant
        ("For how many specialities are integrated curriculum standards developed?", "72個"),  # "rate" in integrated
    ],
)
def test_a_label_narrower_than_the_question_loses(engine, question, figure):
    a = answer_with(engine, question)
    # Never the narrower label's figure.  「社保卡有多少人持有？」 sits at the fitted answer threshold
    # (confidence 0.53 against 0.54 at the last fit), so a decline is allowed; the others answer.
    assert (a.abstained and "持有" in question) or (not a.abstained and a.figures[0].text == figure), a.text


@pytest.mark.parametrize(
    "question, quoted",
    [
        ("养老保险基金委托投资规模以后会不会扩大？", "委托投资规模"),       # yes/no about a plan
        ("下一步怎么稳定农民工外出规模？", "农民工外出规模"),             # 怎么: what is done
        ("工资支付保障制度要覆盖哪些环节？", "工资支付各环节"),
    ],
)
def test_measure_words_in_questions_about_actions_quote_the_sentence(engine, question, quoted):
    a = answer_with(engine, question)
    assert a.kind == "passage" and quoted in a.text, a.text


def test_a_rise_the_briefing_does_not_mention_is_not_confirmed(engine):
    a = answer_with(engine, "养老金今年涨了吗")          # the briefing: 确保养老金按时足额发放
    assert a.abstained, a.text
    b = answer_with(engine, "最低工资标准会上调吗")      # 指导各地科学评估调整最低工资标准
    assert not b.abstained and "调整最低工资标准" in b.text, b.text


def test_no_figure_from_elsewhere_when_the_passage_asked_about_has_none(engine):
    a = answer_with(engine, "新一批享受政府特殊津贴人员有多少人？")
    assert a.abstained and "政府特殊津贴" in normalize(a.citations[0].quote), a.text


def test_a_number_word_the_question_states_is_not_its_answer(engine):
    a = answer_with(engine, "How much did the three social insurance funds take in during Q1?")
    assert a.figures[0].text == "2.04萬億元", a.text


def test_an_increase_the_briefing_states_is_answered(engine):
    a = answer_with(engine, "一季度新增了多少就业？")
    assert not a.abstained and a.figures[0].text == "297萬人", a.text


def test_answer_follows_the_question_script(engine):
    simp = answer_with(engine, "一季度城镇新增就业多少人？")
    trad = answer_with(engine, "一季度城鎮新增就業多少人？")
    assert "城镇新增就业297万人" in simp.text and simp.script == "zh-Hans"
    assert "城鎮新增就業297萬人" in trad.text and trad.script == "zh-Hant"
    # Evidence stays in the original Traditional text either way.
    assert simp.citations[0].quote == trad.citations[0].quote
    assert "城鎮新增就業297萬人" in simp.citations[0].quote


def test_comparison_shows_both_figures(engine):
    a = answer_with(engine, "社保基金一季度的收入和支出哪个多？")
    assert a.kind == "comparison" and not a.abstained
    assert [f.text for f in a.figures[:2]] == ["2.04萬億元", "1.7萬億元"]
    assert "2.04万亿元" in a.text and "1.7万亿元" in a.text and "收入更多" in a.text


@pytest.mark.parametrize("question, figures, tail", [
    ("养老保险参保人数是失业保险的几倍", ["10.52億人", "2.37億人"], "前者约为后者的4.4倍"),
    ("How many times larger is basic pension enrolment than unemployment insurance enrolment?",
     ["10.52億人", "2.37億人"], "about 4.4 times"),
    # 个 and 人次 count different things: said, not divided
    ("春风行动发布的岗位数大概是春季联合招聘专场岗位的几倍？", ["3800萬個", "420萬人次"], "单位不同"),
])
def test_how_many_times_answers_both_figures_and_their_ratio(engine, question, figures, tail):
    a = answer_with(engine, question)
    assert a.kind == "comparison" and [f.text for f in a.figures[:2]] == figures and tail in a.text


@pytest.mark.parametrize(
    "question, kind",
    [
        ("二季度城镇新增就业多少人？", "period"),
        ("2022年全年城鎮新增就業是多少？", "period"),
        ("北京一季度城镇新增就业多少人？", "place"),
        ("全国基本医疗保险参保人数是多少？", "topic"),
        ("How many people are enrolled in basic medical insurance?", "topic"),
    ],
)
def test_abstains_on_other_periods_places_and_topics(engine, question, kind):
    a = answer_with(engine, question)
    assert a.abstained and a.kind == "abstain"
    assert a.problems and a.problems[0].kind == kind
    assert a.figures == ()
    assert a.citations, "related passages are still shown"
    assert "没有" in a.text or "沒有" in a.text or "does not" in a.text


def test_explicit_unit_the_briefing_lacks_abstains(engine):
    a = answer_with(engine, "個人養老金每年最多可以繳多少錢？")
    assert a.abstained


def test_empty_and_overlong_questions(engine):
    empty = answer_with(engine, "   ")
    assert empty.kind == "empty" and empty.citations == ()
    long = answer_with(engine, "失业率" * 400)
    assert long.notice and "500" in long.notice


def test_follow_up_answer(engine):
    a = answer_with(engine, "那失业保险呢？", history=["养老保险参保人数是多少？"])
    assert a.figures[0].text == "2.37億人"


def test_no_number_in_any_answer_that_is_not_in_a_cited_passage(engine):
    """Over the whole question set: every number an answer states appears in its citations."""
    for q in load_questions():
        a = answer_with(engine, q.question)
        if a.abstained:
            assert not a.figures
            continue
        cited = normalize(" ".join(c.hit.text for c in a.citations))
        for fig in a.figures:
            assert normalize(fig.text) in cited, (q.id, fig.text)
        # Allowed: numbers of the cited text, and the normalized values of its figures
        # (2,970,000 for 297萬人), which English answers spell out.
        allowed = set(NUMBER.findall(cited))
        allowed |= {n for f in a.figures for n in NUMBER.findall(f.display_value.replace(",", ""))}
        # and what a comparison computes from two of its figures: a share (52.6%) or a ratio (4.4倍)
        values = [f.value for f in a.figures if f.value]
        allowed |= {x for v in values for w in values if v != w for x in (f"{100 * v / w:.1f}", f"{v / w:.2g}")}
        stated = re.sub(r"\[\d+\]", "", normalize(a.text)).replace(",", "")
        for number in NUMBER.findall(stated):
            assert number in allowed, (q.id, number, a.text)


def test_answer_quality_bars(engine):
    report = evaluate(engine)
    assert report.figure_accuracy >= 0.96, report.figure_accuracy
    assert report.abstain_recall >= 0.90, report.abstain_recall
    assert report.false_abstain <= 0.03, report.false_abstain


def test_readme_python_example_runs_twice():
    """`hrss_qa.answer` stays the function however often it is called (no submodule shadows it)."""
    import hrss_qa

    hits = hrss_qa.retrieve("一季度城镇新增就业多少人？", k=5)
    first = hrss_qa.answer("失业保险参保人数是多少？")
    second = hrss_qa.answer("失业保险参保人数是多少？")
    assert hits[0].figures and first.text == second.text and first.figures[0].text == "2.37億人"
    assert hrss_qa.default_engine().answer("失业保险参保人数是多少？").text == first.text


def test_every_answer_has_a_confidence_and_verdicts_come_only_with_figures(engine):
    for q in load_questions():
        a = answer_with(engine, q.question)
        assert 0.0 <= a.confidence <= 1.0
        assert a.verdict in ("", "yes", "no")
        assert not a.verdict or (a.figures and not a.abstained), (q.id, a.text)


def test_no_wrong_verdicts_on_any_development_set(engine):
    from pathlib import Path

    from hrss_qa.evaluation import evaluate

    for path in sorted(Path(__file__).resolve().parents[1].glob("eval/*.jsonl")):
        if path.name.startswith("conversations"):
            continue
        report = evaluate(engine, load_questions(path))
        assert report.wrong_verdicts == 0, (path.name, [r.id for r in report.results if r.verdict_wrong])


@pytest.mark.parametrize("question", [
    "With how many departments did the ministry run the Spring Breeze campaign?",
    "How many government departments took part in the Spring Breeze campaign alongside the ministry?",
])
def test_naming_the_ministry_that_held_the_briefing_names_no_subject(engine, question):
    """The ministry frames every figure: a question naming it is answered from the figure it asks."""
    a = answer_with(engine, question)
    assert not a.abstained and a.figures[0].text == "10部門"


@pytest.mark.parametrize("question, figure", [
    ("截至3月底，基本养老保险基金投资运营规模有多大？", "超過1.65萬億元"),
    ("截至3月底职业年金投资运营规模多少", None),   # that one is of last year's end: declined
])
def test_a_march_figure_beside_a_last_year_one_is_answered(engine, question, figure):
    a = answer_with(engine, question)
    assert (None if a.abstained else a.figures[0].text) == figure


@pytest.mark.parametrize("question, figure", [
    ("养老保险基金投资这块，一季度收入了多少钱？", None),    # a size (规模) is given, not an income
    ("三项社保基金一季度一共收入多少？", "2.04萬億元"),       # the income stated as such
])
def test_an_income_asked_where_a_size_is_given_is_declined(engine, question, figure):
    a = answer_with(engine, question)
    assert (None if a.abstained else a.figures[0].text) == figure


def test_a_figure_goes_to_the_side_of_a_comparison_that_needs_it_most(engine):
    # 社保卡's side, asked first, also ranks 电子社保卡's 54.1% first (its sentence holds 社保卡);
    # taken greedily, 电子社保卡 was left with nothing and the comparison was declined.
    # (社保卡's side, left with one candidate, is near the answer threshold: declining is safe, a swap is not)
    a = answer_with(engine, "社保卡的覆盖率是不是比电子社保卡高？")
    assert a.abstained or ([f.text for f in a.figures] == ["97%", "54.1%"] and a.verdict == "yes")
    a = answer_with(engine, "社保卡覆盖人口的比例是不是比电子社保卡的覆盖比例高？")
    assert [f.text for f in a.figures] == ["97%", "54.1%"] and a.verdict == "yes"


@pytest.mark.parametrize("question, verdict", [
    ("电子社保卡访问量有没有47亿人次", ""),     # 47亿人次 is the platform's; the e-card's 31亿次 is in 次: no verdict
    ("Has the e-card had more than 4.7 billion visits?", "no"),   # no unit named: 31亿 is checked
])
def test_a_check_whose_number_is_another_subjects_figure_states_the_subjects_own(engine, question, verdict):
    a = answer_with(engine, question)
    assert [f.text for f in a.figures] == ["31億次"] and a.verdict == verdict


def test_a_comparison_whose_second_side_is_named_at_length(engine):
    # 「A比<a long name>的…多几项」: the comparison cue reaches past a 20-character side; 多几 asks the gap
    a = answer_with(engine, "电子社保卡开通的全国服务，比国家社会保险公共服务平台开通的全国性统一服务多几项？")
    assert {f.text for f in a.figures} == {"87項", "83項"} and "相差4项" in a.text


@pytest.mark.parametrize("question, figure", [
    ("What is the total visit count of the e-card?", "31億次"),
    ("How many people have joined the individual pension scheme?", "3324萬人"),
])
def test_english_names_of_measures_and_schemes(engine, question, figure):
    a = answer_with(engine, question)
    assert not a.abstained and a.figures[0].text == figure


@pytest.mark.parametrize("question, figures", [
    ("养老保险参保人数多少，失业和工伤的呢？", ["10.52億人", "2.37億人", "2.89億人"]),
    ("社会保险基金一季度收入多少，支出和结余呢？", ["2.04萬億元", "1.7萬億元", "7.75萬億元"]),
])
def test_a_last_clause_ending_in_ne_asks_the_same_of_other_subjects(engine, question, figures):
    a = answer_with(engine, question)
    assert [f.text for f in a.figures] == figures


# --- classes found on dev11 (wordings of no question set) -----------------------------------------

def test_a_term_written_with_an_adjective_suffix_is_the_briefings_term(engine):
    # 全国性服务 / 全国服务: the e-card's sentence says 全国服务
    a = answer_with(engine, "电子社保卡那边的全国性服务开通了多少项")
    assert not a.abstained and a.figures[0].text == "87項"


@pytest.mark.parametrize("question, figures", [
    # the comparison's own ask after the sides (人数差多少, 到底哪个大) is no third side
    ("退捕渔民参保的人和个人养老金参加的人比，人数差多少？", {"17.2萬", "3324萬人"}),
    ("城镇新增就业和脱贫人口务工规模相比，到底哪个大，大概差多少？", {"297萬人", "3074萬人"}),
])
def test_a_comparisons_trailing_ask_is_not_a_side(engine, question, figures):
    a = answer_with(engine, question)
    assert a.kind == "comparison" and {f.text for f in a.figures} == figures


def test_a_side_naming_only_its_subject_is_measured_like_the_other(engine):
    a = answer_with(engine, "国家社会保险公共服务平台的累计访问量，和电子社保卡比哪个多？")
    assert {f.text for f in a.figures} == {"超過47億人次", "31億次"}


@pytest.mark.parametrize("question, abstains", [
    ("2021年底工伤保险参保人数是多少", True),         # a past year's end: the briefing gives end of March
    ("降费率政策能延续到2026年底吗", False),          # a deadline, not a period reported on
])
def test_a_year_end_is_a_past_stock_or_a_deadline(engine, question, abstains):
    assert answer_with(engine, question).abstained is abstains


def test_a_share_clause_says_whose_share_it_is(engine):
    a = answer_with(engine, "电子社保卡覆盖了百分之多少的人口")
    assert a.figures[0].text == "54.1%" and "7.64" in a.text and [f.text for f in a.quoted] == ["7.64億人"]


@pytest.mark.parametrize("question, verdict", [
    ("失业保险和工伤保险的参保人数加起来多少", ""),
    ("失业和工伤保险参保人数合计超过5亿了吗", "yes"),       # 2.37亿 + 2.89亿 = 5.26亿
    ("失业保险与工伤保险参保人数相加不到5亿吧", "no"),
])
def test_two_figures_added_up(engine, question, verdict):
    a = answer_with(engine, question)
    assert {f.text for f in a.figures} == {"2.37億人", "2.89億人"} and "5.26亿人" in a.text and a.verdict == verdict


@pytest.mark.parametrize("question", [
    "失业保险基金一季度支出是多少",                  # the briefing gives the three funds' total only
    "工伤保险基金这季度收了多少钱",
])
def test_a_sub_scheme_the_briefing_does_not_break_out_is_declined(engine, question):
    assert answer_with(engine, question).abstained


@pytest.mark.parametrize("question, figures", [
    ("失业保险参保的人多，还是工伤保险参保的人多？", {"2.37億人", "2.89億人"}),                 # 多，还是
    ("电子社保卡和国家社会保险公共服务平台，哪个的累计访问量要更多一些？", {"31億次", "超過47億人次"}),  # a long measure
])
def test_comparison_wordings(engine, question, figures):
    a = answer_with(engine, question)
    assert a.kind == "comparison" and {f.text for f in a.figures} == figures


@pytest.mark.parametrize("question, figure", [
    ("How many people lifted out of poverty were in work as of end-March?", "3074萬人"),   # 'as of' is a period here
    ("What is the scale of migrant work among people lifted out of poverty?", "3074萬人"),
])
def test_english_figure_asks_with_a_period_or_a_measure_noun(engine, question, figure):
    a = answer_with(engine, question)
    assert not a.abstained and a.figures[0].text == figure


@pytest.mark.parametrize("question, verdict", [
    ("工伤保险参保人数有失业保险的两倍以上吗", "no"),          # 2.89亿 / 2.37亿 ≈ 1.2
    ("养老保险参保人数是不是工伤保险的三倍多", "yes"),         # 10.52亿 / 2.89亿 ≈ 3.6
    ("社会保险基金累计结余超过总支出的四倍了吗", "yes"),        # 7.75万亿 / 1.7万亿 ≈ 4.6
])
def test_a_stated_multiple_is_checked_on_both_figures(engine, question, verdict):
    a = answer_with(engine, question)
    assert a.kind == "comparison" and len(a.figures) == 2 and a.verdict == verdict


@pytest.mark.parametrize("question, verdict, premise", [
    ("工伤保险参保人数是2.37亿人吗", "no", "2.37億人"),                    # 2.37亿 is 失业保险's
    ("Has the e-card been used 4.7 billion times?", "no", "超過47億人次"),   # the platform's visits
])
def test_a_false_premise_says_whose_number_it_is(engine, question, verdict, premise):
    a = answer_with(engine, question)
    assert a.verdict == verdict and premise in [f.text for f in a.quoted]


@pytest.mark.parametrize("question, verdict", [
    ("城镇调查失业率降到5%以下了吗", "no"),     # a fall to a level: at most it
    ("调查失业率是不是已经回落到5.5%", "yes"),
])
def test_a_fall_to_a_level_is_at_most_it(engine, question, verdict):
    assert answer_with(engine, question).verdict == verdict


def test_a_total_of_things_is_no_head_count(engine):
    a = answer_with(engine, "一网通办服务一共有多少项")
    assert not a.abstained and a.figures[0].text == "76項"


def test_plural_english_money_words(engine):
    a = answer_with(engine, "What were the Q1 revenues of the three social insurance funds?")
    assert not a.abstained and a.figures[0].text == "2.04萬億元"


def test_the_date_of_a_figure_the_question_states(engine):
    a = answer_with(engine, "What month is the 5.3% unemployment figure for?")
    assert not a.abstained and a.figures[0].text == "3月份"


def test_a_date_of_a_stated_figure_outside_the_hits_is_not_another_figures_date(engine):
    # 297万's passage is not what 「截至什么时候」 retrieves; the answer is its date or nothing, never 去年底
    a = answer_with(engine, "297万这个数是截至什么时候的")
    assert a.abstained or a.figures[0].text in ("1-3月", "一季度")


def test_the_body_named_in_the_sentence_answers_which_department(engine):
    # (after a date: the whole sentence, not the date's clause, is where the body is named)
    a = _chain_of(engine, "这场发布会是哪天开的？", "是哪个部门开的")
    assert not a.abstained and "人力資源社會保障部" in a.citations[0].hit.text


def _chain_of(engine, *questions):
    turns = []
    for q in questions:
        turns.append(Turn(q, engine.answer(q, list(turns))))
    return turns[-1].answer


@pytest.mark.parametrize("question", ["How many people held a social security card by the end of March?",
                                      "How many people have social security cards?", "社保卡目前有多少人持有"])
def test_holding_the_card_in_english_is_the_card_holders_count(engine, question):
    a = answer_with(engine, question)
    assert not a.abstained and a.figures[0].text == "13.7億人", a.text


def test_the_rate_cut_in_english_finds_its_sentence(engine):
    # "rate-cut" / "premiums" in the briefing's words (降低 费率)
    a = answer_with(engine, "Which premiums are covered by the temporary rate-cut?")
    assert not a.abstained and "2024" in a.citations[0].quote, a.text
